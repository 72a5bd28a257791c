//! TEMPORARY until the keys branch lands: a development principal for the token `dev-admin`.

use crate::engine::{Engine, EngineError, Grant, Principal};
use crate::store::{SqliteStore, Store as _};

pub(crate) trait PrincipalLookup {
    fn principal(&mut self, token: &str) -> Result<Option<Principal>, EngineError>;
}

impl PrincipalLookup for Engine<SqliteStore> {
    fn principal(&mut self, token: &str) -> Result<Option<Principal>, EngineError> {
        if token != "dev-admin" {
            return Ok(None);
        }
        let mut grants: Vec<Grant> = Vec::new();
        for deployment in self.store().deployments()? {
            let workflow = self.workflow(deployment.key)?;
            let roles: Vec<String> = workflow.roles().iter().map(|role| role.name.clone()).collect();
            grants.retain(|grant| grant.workflow != deployment.workflow);
            grants.push(Grant { workflow: deployment.workflow.clone(), roles });
        }
        Ok(Some(Principal {
            key_id: "dev".to_owned(),
            name: "dev".to_owned(),
            organ: None,
            grants,
            supervisor: false,
            admin: true,
        }))
    }
}
