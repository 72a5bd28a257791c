//! `Principal`: who calls the service, as its API key says, and what its grants let it do. The
//! service asks these questions before it hands a request to the engine; the engine still decides
//! what is legal (a granted role may yet be refused by the workflow).

use serde::{Deserialize, Serialize};

/// What a key may do in one workflow: act in these roles (none: read only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The workflow id (every version of it).
    pub workflow: String,
    /// The roles the key may act in, as the workflow names them.
    pub roles: Vec<String>,
}

/// The holder of an API key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// The key's public id (never its token).
    pub key_id: String,
    /// Who holds the key: the actor recorded in every event it writes.
    pub name: String,
    /// The organ (承办机关) the holder works for, when given.
    pub organ: Option<String>,
    pub grants: Vec<Grant>,
    /// Reads every case of its workflows (电子监察); never writes to a case.
    pub supervisor: bool,
    /// Deploys workflows, installs calendars, manages keys and webhooks, verifies and checks.
    pub admin: bool,
}

/// Why a principal may not do something: the grant it lacks.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Denial {
    #[error("key `{key}` has no grant for workflow `{workflow}`")]
    NoGrant { key: String, workflow: String },
    #[error(
        "key `{key}` may act in workflow `{workflow}` as {} only, not as `{role}`",
        if .granted.is_empty() { "no role".to_owned() } else { .granted.iter().map(|role| format!("`{role}`")).collect::<Vec<_>>().join(", ") }
    )]
    RoleNotGranted { key: String, workflow: String, role: String, granted: Vec<String> },
    #[error("key `{key}` is a supervisor's: it reads cases and does not change them")]
    SupervisorWrites { key: String },
    #[error("key `{key}` is not an administrator's: {what} needs `--admin`")]
    NotAdmin { key: String, what: &'static str },
}

impl Principal {
    /// The grant for `workflow`, if any.
    pub fn grant(&self, workflow: &str) -> Option<&Grant> {
        self.grants.iter().find(|grant| grant.workflow == workflow)
    }

    /// Whether the principal may read the cases of `workflow`: an administrator reads every case,
    /// anyone else the cases of the workflows it holds a grant for.
    pub fn may_read(&self, workflow: &str) -> bool {
        self.admin || self.grant(workflow).is_some()
    }

    /// Checks that the principal may read the cases of `workflow`.
    ///
    /// # Errors
    ///
    /// [`Denial::NoGrant`].
    pub fn check_read(&self, workflow: &str) -> Result<(), Denial> {
        if self.may_read(workflow) {
            Ok(())
        } else {
            Err(Denial::NoGrant { key: self.key_id.clone(), workflow: workflow.to_owned() })
        }
    }

    /// Checks that the principal may write to a case of `workflow` in `role`.
    ///
    /// # Errors
    ///
    /// [`Denial::SupervisorWrites`], [`Denial::NoGrant`] or [`Denial::RoleNotGranted`].
    pub fn check_act(&self, workflow: &str, role: &str) -> Result<(), Denial> {
        if self.supervisor {
            return Err(Denial::SupervisorWrites { key: self.key_id.clone() });
        }
        let grant = self
            .grant(workflow)
            .ok_or_else(|| Denial::NoGrant { key: self.key_id.clone(), workflow: workflow.to_owned() })?;
        if grant.roles.iter().any(|granted| granted == role) {
            Ok(())
        } else {
            Err(Denial::RoleNotGranted {
                key: self.key_id.clone(),
                workflow: workflow.to_owned(),
                role: role.to_owned(),
                granted: grant.roles.clone(),
            })
        }
    }

    /// Checks that the principal may open a case of `workflow`: a grant with at least one role
    /// (an opening is recorded under the principal's name, in no role).
    ///
    /// # Errors
    ///
    /// [`Denial::SupervisorWrites`], [`Denial::NoGrant`] or [`Denial::RoleNotGranted`] (a grant
    /// without roles).
    pub fn check_open(&self, workflow: &str) -> Result<(), Denial> {
        if self.supervisor {
            return Err(Denial::SupervisorWrites { key: self.key_id.clone() });
        }
        match self.grant(workflow) {
            None => Err(Denial::NoGrant { key: self.key_id.clone(), workflow: workflow.to_owned() }),
            Some(grant) if grant.roles.is_empty() => Err(Denial::RoleNotGranted {
                key: self.key_id.clone(),
                workflow: workflow.to_owned(),
                role: "(any role, to open a case)".to_owned(),
                granted: Vec::new(),
            }),
            Some(_) => Ok(()),
        }
    }

    /// Checks that the principal is an administrator.
    ///
    /// # Errors
    ///
    /// [`Denial::NotAdmin`], naming `what` was asked.
    pub fn check_admin(&self, what: &'static str) -> Result<(), Denial> {
        if self.admin { Ok(()) } else { Err(Denial::NotAdmin { key: self.key_id.clone(), what }) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handler() -> Principal {
        Principal {
            key_id: "k1".to_owned(),
            name: "承办人甲".to_owned(),
            organ: None,
            grants: vec![
                Grant { workflow: "licence".to_owned(), roles: vec!["officer".to_owned()] },
                Grant { workflow: "renewal".to_owned(), roles: Vec::new() },
            ],
            supervisor: false,
            admin: false,
        }
    }

    #[test]
    fn a_handler_acts_only_in_granted_roles_of_granted_workflows() {
        let principal = handler();
        assert_eq!(principal.check_act("licence", "officer"), Ok(()));
        assert!(matches!(principal.check_act("licence", "head"), Err(Denial::RoleNotGranted { .. })));
        assert!(matches!(principal.check_act("other", "officer"), Err(Denial::NoGrant { .. })));
        assert!(matches!(principal.check_act("renewal", "officer"), Err(Denial::RoleNotGranted { .. })));
        assert_eq!(principal.check_open("licence"), Ok(()));
        assert!(principal.check_open("renewal").is_err());
        assert!(principal.may_read("renewal") && !principal.may_read("other"));
        assert!(principal.check_admin("deploying").is_err());
    }

    #[test]
    fn a_supervisor_reads_and_never_writes() {
        let principal = Principal { supervisor: true, ..handler() };
        assert!(matches!(principal.check_act("licence", "officer"), Err(Denial::SupervisorWrites { .. })));
        assert!(matches!(principal.check_open("licence"), Err(Denial::SupervisorWrites { .. })));
        assert!(principal.may_read("licence"));
    }

    #[test]
    fn an_admin_reads_every_workflow_but_acts_only_as_granted() {
        let principal = Principal { admin: true, grants: Vec::new(), ..handler() };
        assert!(principal.may_read("anything"));
        assert!(principal.check_act("licence", "officer").is_err());
        assert_eq!(principal.check_admin("deploying"), Ok(()));
    }
}
