//! Importing audited histories: a case's events, made by the core while an audit replayed its
//! log, become a stored case whose hash chain starts at its first imported event, so it can
//! continue live. The chain starts from the case's import mark (the import's time and log hash,
//! and the findings it was imported with), so the mark cannot be edited, removed or forged without
//! `verify` finding it. The importer (`crate::audit`) decides which cases to bring; this layer folds,
//! chains and hands them to the store in one transaction.

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::derived::derive;
use super::engine::{chain, new_case_id};
use super::engine_error::EngineError;
use crate::core::calendar::WorkingCalendar;
use crate::core::case::{Event, Replay, import_genesis_hash};
use crate::core::workflow::{Workflow, hex};
use crate::store::{CaseRow, ImportedCase, NewImport};

/// An import of audited histories into one deployment.
#[derive(Clone, Debug)]
pub struct ImportRequest {
    /// The deployment the histories were replayed on.
    pub deployment: i64,
    /// The log file as named.
    pub log: String,
    /// SHA-256 of the log's bytes, hex.
    pub log_hash: String,
    /// The audit date; `None`: the log's last timestamp.
    pub as_of: Option<NaiveDate>,
    /// Whether cases with history-changing findings were accepted.
    pub accept_findings: bool,
    /// When the import is made.
    pub at: DateTime<FixedOffset>,
}

/// One case's history as the core made it while an audit replayed its rows.
#[derive(Clone, Debug)]
pub struct CaseHistory {
    /// The case number: the log's case id. It must pass
    /// [`validate_case_number`](crate::core::case::validate_case_number), or the import fails
    /// with [`EngineError::BadCaseNumber`]; the auditor's `ImportSelection` leaves such a case
    /// out and says why.
    pub number: String,
    pub events: Vec<Event>,
    /// Codes of the findings that changed the history from what the log says (a row left out,
    /// a role or an instant corrected); non-empty marks the case as imported with findings.
    pub findings: Vec<String>,
}

/// One entry of an import, as the importer hands it on.
#[derive(Clone, Debug)]
pub enum ImportEntry {
    /// A case to create (skipped when its number is taken).
    History(CaseHistory),
    /// A case the importer left out; counted.
    LeftOut,
    /// Stop and write nothing, for this reason.
    Abandon(String),
}

/// The stored form of an imported history: folded by the core (so a history that does not fit
/// the workflow is refused), chained from its import mark's genesis hash, with its derived data.
/// `import` is the import as stored (its time and log hash).
pub(crate) fn imported_case(
    workflow: &Workflow,
    calendar: &WorkingCalendar,
    import: &NewImport,
    history: CaseHistory,
) -> Result<ImportedCase, EngineError> {
    let CaseHistory { number, events, findings } = history;
    // The importer leaves such a case out with its reason; a caller that hands one on anyway
    // gets the error, not a stored number no one can print.
    EngineError::expect_case_number(Some(&number))?;
    let (Some(first), Some(last)) = (events.first(), events.last()) else {
        return Err(EngineError::history(&number, &"an imported case has no events"));
    };
    let id = new_case_id();
    let mut replay = Replay::new(workflow);
    for event in &events {
        replay.apply(workflow, event, calendar.zone()).map_err(|error| EngineError::history(&number, &error))?;
    }
    let genesis = import_genesis_hash(&id, &import.imported_at, &import.log_hash, &findings);
    let (rows, _, head) = chain(workflow, &id, 0, &genesis, &events, &number);
    let derived = derive(workflow, calendar, &replay);
    let case = CaseRow {
        id,
        deployment: import.deployment,
        workflow: workflow.id().to_owned(),
        number,
        opened_at: first.at.to_rfc3339(),
        last_at: last.at.to_rfc3339(),
        version: events.len() as u64,
        head_hash: hex(&head),
        configuration: derived.configuration.clone(),
        finished_on: derived.finished_on.clone(),
    };
    Ok(ImportedCase { case, events: rows, derived, findings })
}
