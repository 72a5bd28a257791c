//! Answers about the service, its workflows and the store as a whole: health, a deployment, the
//! deployed versions, one version with its files, and the store's `verify` and `check`.

use serde::Serialize;
use utoipa::ToSchema;

use crate::engine::{BrokenChain, BrokenInstall, BrokenKey, Deployed, Mismatch};

/// The service answers.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Health {
    /// Always `ok`.
    pub(crate) status: &'static str,
}

/// A deployed workflow version.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Deployment)]
pub(crate) struct DeployedShown {
    /// The deployment's key in the store.
    key: i64,
    workflow: String,
    version: String,
    /// The content hash of its rules (hex).
    content_hash: String,
    /// When it was deployed (RFC 3339).
    deployed_at: String,
    /// Whether this request stored it (false: the same content was already deployed).
    new: bool,
}

impl From<Deployed> for DeployedShown {
    fn from(deployed: Deployed) -> DeployedShown {
        let Deployed { key, workflow, version, content_hash, deployed_at, new } = deployed;
        DeployedShown { key, workflow, version, content_hash, deployed_at, new }
    }
}

/// A deployed workflow version, as listed.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct WorkflowListed {
    pub(crate) workflow: String,
    pub(crate) version: String,
    /// When it was deployed (RFC 3339).
    pub(crate) deployed_at: String,
    /// Its cases not yet finished.
    pub(crate) open_cases: u64,
    /// Its finished cases.
    pub(crate) finished_cases: u64,
    /// The content hash of its rules, `sha256:<hex>`.
    pub(crate) content_hash: String,
    /// The main file's name.
    pub(crate) file: Option<String>,
}

/// The deployed workflow versions the caller may read.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = WorkflowList)]
pub(crate) struct WorkflowListShown {
    pub(crate) workflows: Vec<WorkflowListed>,
}

/// One file of a deployment.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = WorkflowFile)]
pub(crate) struct WorkflowFileShown {
    /// The file's name.
    pub(crate) name: String,
    /// The path `extends` names it by; null for the main file.
    pub(crate) extends: Option<String>,
    /// The file whose `extends` names it; null for the main file.
    pub(crate) from: Option<String>,
    /// The file's text, as deployed.
    pub(crate) text: String,
}

/// A deployed workflow version with its files and content hash.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Workflow)]
pub(crate) struct WorkflowShown {
    pub(crate) workflow: String,
    pub(crate) version: String,
    /// When it was deployed (RFC 3339).
    pub(crate) deployed_at: String,
    /// The content hash of its rules, `sha256:<hex>`.
    pub(crate) content_hash: String,
    /// Whether the files still give the rules they were deployed with.
    pub(crate) content_hash_verified: bool,
    /// Why they do not.
    pub(crate) content_hash_problem: Option<String>,
    /// The main file first, then the files it extends.
    pub(crate) files: Vec<WorkflowFileShown>,
}

/// A case whose chain does not verify, at its first broken link.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = BrokenChain)]
pub(crate) struct BrokenChainShown {
    case_id: String,
    number: String,
    /// The first event that does not verify; null when the events verify but the case row's
    /// version or head hash does not match them (a deleted last event).
    sequence: Option<u64>,
    reason: String,
}

impl From<BrokenChain> for BrokenChainShown {
    fn from(broken: BrokenChain) -> BrokenChainShown {
        let BrokenChain { case_id, number, sequence, reason } = broken;
        BrokenChainShown { case_id, number, sequence, reason }
    }
}

/// A calendar installation whose link does not verify.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = BrokenInstall)]
pub(crate) struct BrokenInstallShown {
    sequence: u64,
    name: String,
    reason: String,
}

impl From<BrokenInstall> for BrokenInstallShown {
    fn from(broken: BrokenInstall) -> BrokenInstallShown {
        let BrokenInstall { sequence, name, reason } = broken;
        BrokenInstallShown { sequence, name, reason }
    }
}

/// A record of the key log that does not verify, or a key row that differs from its records.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = BrokenKey)]
pub(crate) struct BrokenKeyShown {
    /// The record at fault; `null` when the key row is.
    sequence: Option<u64>,
    key_id: String,
    reason: String,
}

impl From<BrokenKey> for BrokenKeyShown {
    fn from(broken: BrokenKey) -> BrokenKeyShown {
        let BrokenKey { sequence, key_id, reason } = broken;
        BrokenKeyShown { sequence, key_id, reason }
    }
}

/// Every hash chain of the store, every deployment's content hash, every calendar installation,
/// the key log.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Verification)]
pub(crate) struct VerifyShown {
    /// Whether everything verifies.
    verifies: bool,
    broken_chains: Vec<BrokenChainShown>,
    broken_installs: Vec<BrokenInstallShown>,
    broken_keys: Vec<BrokenKeyShown>,
}

impl VerifyShown {
    pub(crate) fn of(broken: Vec<BrokenChain>, installs: Vec<BrokenInstall>, keys: Vec<BrokenKey>) -> VerifyShown {
        VerifyShown {
            verifies: broken.is_empty() && installs.is_empty() && keys.is_empty(),
            broken_chains: broken.into_iter().map(Into::into).collect(),
            broken_installs: installs.into_iter().map(Into::into).collect(),
            broken_keys: keys.into_iter().map(Into::into).collect(),
        }
    }
}

/// A case whose stored derived data differs from the fold of its history.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Mismatch)]
pub(crate) struct MismatchShown {
    case_id: String,
    number: String,
    /// What differs.
    what: String,
}

impl From<Mismatch> for MismatchShown {
    fn from(mismatch: Mismatch) -> MismatchShown {
        let Mismatch { case_id, number, what } = mismatch;
        MismatchShown { case_id, number, what }
    }
}

/// Derived figures computed with other calendar data than the store's now.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = StaleCalendar)]
pub(crate) struct StaleCalendarShown {
    /// The calendar data they were computed with.
    pub(crate) computed_with: String,
    /// The store's calendar data now.
    pub(crate) now: String,
}

/// The store's derived data against the fold of every history.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Check)]
pub(crate) struct CheckShown {
    /// Whether everything matches.
    matches: bool,
    mismatches: Vec<MismatchShown>,
    /// Set when derived figures were computed with other calendar data.
    stale_calendar: Option<StaleCalendarShown>,
}

impl CheckShown {
    pub(crate) fn of(mismatches: Vec<Mismatch>, stale: Option<StaleCalendarShown>) -> CheckShown {
        CheckShown {
            matches: mismatches.is_empty() && stale.is_none(),
            mismatches: mismatches.into_iter().map(Into::into).collect(),
            stale_calendar: stale,
        }
    }
}
