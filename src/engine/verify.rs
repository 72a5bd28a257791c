//! `verify` and `check` over the whole store, each reading one snapshot (so writers appending
//! meanwhile never show as damage). `verify` recomputes every deployment's content hash from its
//! stored files and every case's hash chain from its stored records, names the first broken
//! link, compares what the case row says (workflow, deployment, number, first and last instant,
//! version, head) with the chain, and names events whose case row is missing; it also checks the
//! chains of calendar installations and of API keys (and the key rows against their log).
//! `check` folds every history again and compares the derived data the store keeps
//! (configuration, finish, open clocks) with the fold, and says when the derived data was
//! computed with other calendar data than the engine counts on.

use std::collections::HashMap;

use serde::Serialize;

use super::derived::derive;
use super::engine::{Engine, load_deployment, parse_hash};
use super::engine_error::EngineError;
use crate::core::case::{EVENT_HASH_ALGORITHM, EventRecord, GENESIS_HASH, event_hash, import_genesis_hash};
use crate::core::workflow::hex;
use crate::store::{CaseRow, DeploymentRow, EventRow, Store};

/// A case whose chain does not verify, at its first broken link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BrokenChain {
    pub case_id: String,
    pub number: String,
    /// The first event that does not verify; `None` when the events verify but the case row's
    /// version or head hash does not match them (a deleted last event).
    pub sequence: Option<u64>,
    pub reason: String,
}

/// A case whose stored derived data differs from the fold of its history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    pub case_id: String,
    pub number: String,
    pub what: String,
}

impl<S: Store> Engine<S> {
    /// Verifies every case's hash chain.
    ///
    /// # Errors
    ///
    /// [`EngineError::Store`] when the store cannot be read.
    ///
    /// # Example
    ///
    /// ```
    /// # use renewflow::core::calendar::Calendars;
    /// # use renewflow::core::case::{Command, CommandKind};
    /// # use renewflow::core::workflow::NoExtends;
    /// # use renewflow::engine::{CaseOpening, Engine, EngineError};
    /// # use renewflow::store::SqliteStore;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let at = |text: &str| chrono::DateTime::parse_from_rfc3339(text);
    /// # let licence = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml"));
    /// # let mut engine = Engine::new(SqliteStore::in_memory()?, Calendars::builtin());
    /// # engine.deploy("administrative-license.yaml", licence, &mut NoExtends, at("2026-01-05T09:00:00+08:00")?)?;
    /// # let opening = CaseOpening {
    /// #     workflow: "administrative-license".to_owned(),
    /// #     version: None,
    /// #     number: Some("XK-1".to_owned()),
    /// #     at: at("2026-09-21T09:30:00+08:00")?,
    /// #     actor: "窗口".to_owned(),
    /// #     attributes: vec![("joint_handling".to_owned(), "false".to_owned())],
    /// #     idempotency_key: None,
    /// # };
    /// # let opened = engine.open_case(&opening)?;
    /// # let accept = Command {
    /// #     at: at("2026-09-22T10:00:00+08:00")?,
    /// #     actor: "承办人甲".to_owned(),
    /// #     role: "officer".to_owned(),
    /// #     kind: CommandKind::Act { action: "accept".to_owned(), attributes: Vec::new() },
    /// # };
    /// # engine.act("XK-1", &accept, opened.version, None)?;
    /// assert!(engine.verify()?.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn verify(&self) -> Result<Vec<BrokenChain>, EngineError> {
        self.store().begin_snapshot()?;
        let verified = self.verify_snapshot();
        self.store().end_snapshot()?;
        verified
    }

    fn verify_snapshot(&self) -> Result<Vec<BrokenChain>, EngineError> {
        let mut broken = Vec::new();
        // The rules every case runs under: the stored files must still give the content hash
        // they were deployed with.
        let mut deployments = HashMap::new();
        for deployment in self.store().deployments()? {
            if let Err(error) = load_deployment(&deployment, self.calendars()) {
                broken.push(BrokenChain {
                    case_id: format!("deployment-{}", deployment.key),
                    number: format!("deployment {} ({} {})", deployment.key, deployment.workflow, deployment.version),
                    sequence: None,
                    reason: error.to_string(),
                });
            }
            deployments.insert(deployment.key, deployment);
        }
        for case in self.store().cases()? {
            let events = self.store().events(&case.id)?;
            if let Some((sequence, reason)) = self.first_break(&case, &events, deployments.get(&case.deployment))? {
                broken.push(BrokenChain { case_id: case.id, number: case.number, sequence, reason });
            }
        }
        for (case_id, count) in self.store().orphan_events()? {
            broken.push(BrokenChain {
                case_id,
                number: "(no case row)".to_owned(),
                sequence: None,
                reason: format!("{count} event(s) whose case row is missing (deleted behind the engine)"),
            });
        }
        // The calendar data the cases are counted on is chained too.
        for install in self.verify_calendar_installs()? {
            broken.push(BrokenChain {
                case_id: format!("calendar-install-{}", install.sequence),
                number: format!("calendar installation {} (`{}`)", install.sequence, install.name),
                sequence: Some(install.sequence),
                reason: install.reason,
            });
        }
        // So are the API keys the service authenticates with.
        for key in self.verify_keys()? {
            let (case_id, number) = match key.sequence {
                Some(sequence) => {
                    (format!("key-log-{sequence}"), format!("key log record {sequence} (`{}`)", key.key_id))
                }
                None => (format!("api-key-{}", key.key_id), format!("API key `{}`", key.key_id)),
            };
            broken.push(BrokenChain { case_id, number, sequence: key.sequence, reason: key.reason });
        }
        Ok(broken)
    }

    /// The head of every case's chain: (case id, version, head hash). Kept outside the database,
    /// it lets anyone prove later that no history was rewritten, even by someone who also edited
    /// the case rows.
    ///
    /// # Errors
    ///
    /// [`EngineError::Store`].
    ///
    /// # Example
    ///
    /// ```
    /// # use renewflow::core::calendar::Calendars;
    /// # use renewflow::core::case::{Command, CommandKind};
    /// # use renewflow::core::workflow::NoExtends;
    /// # use renewflow::engine::{CaseOpening, Engine, EngineError};
    /// # use renewflow::store::SqliteStore;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let at = |text: &str| chrono::DateTime::parse_from_rfc3339(text);
    /// # let licence = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml"));
    /// # let mut engine = Engine::new(SqliteStore::in_memory()?, Calendars::builtin());
    /// # engine.deploy("administrative-license.yaml", licence, &mut NoExtends, at("2026-01-05T09:00:00+08:00")?)?;
    /// # let opening = CaseOpening {
    /// #     workflow: "administrative-license".to_owned(),
    /// #     version: None,
    /// #     number: Some("XK-1".to_owned()),
    /// #     at: at("2026-09-21T09:30:00+08:00")?,
    /// #     actor: "窗口".to_owned(),
    /// #     attributes: vec![("joint_handling".to_owned(), "false".to_owned())],
    /// #     idempotency_key: None,
    /// # };
    /// # let opened = engine.open_case(&opening)?;
    /// # let accept = Command {
    /// #     at: at("2026-09-22T10:00:00+08:00")?,
    /// #     actor: "承办人甲".to_owned(),
    /// #     role: "officer".to_owned(),
    /// #     kind: CommandKind::Act { action: "accept".to_owned(), attributes: Vec::new() },
    /// # };
    /// # engine.act("XK-1", &accept, opened.version, None)?;
    /// let heads = engine.chain_heads()?;
    /// assert_eq!(heads.len(), 1);
    /// assert_eq!(heads[0].1, 2, "the head is at the case's version");
    /// // Later, perhaps on another machine: the store still holds those heads.
    /// assert!(engine.verify_heads(&heads)?.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn chain_heads(&self) -> Result<Vec<(String, u64, String)>, EngineError> {
        Ok(self.store().cases()?.into_iter().map(|case| (case.id, case.version, case.head_hash)).collect())
    }

    /// Checks the store against chain heads exported earlier: each case must still hold, at the
    /// exported position, an event with the exported hash, on a chain that verifies from its
    /// start. A history rewritten with fresh hashes, even with its case row edited to match, fails.
    ///
    /// # Errors
    ///
    /// [`EngineError::Store`].
    ///
    /// # Example
    ///
    /// ```
    /// # use renewflow::core::calendar::Calendars;
    /// # use renewflow::core::case::{Command, CommandKind};
    /// # use renewflow::core::workflow::NoExtends;
    /// # use renewflow::engine::{CaseOpening, Engine, EngineError};
    /// # use renewflow::store::SqliteStore;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let at = |text: &str| chrono::DateTime::parse_from_rfc3339(text);
    /// # let licence = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml"));
    /// # let mut engine = Engine::new(SqliteStore::in_memory()?, Calendars::builtin());
    /// # engine.deploy("administrative-license.yaml", licence, &mut NoExtends, at("2026-01-05T09:00:00+08:00")?)?;
    /// # let opening = CaseOpening {
    /// #     workflow: "administrative-license".to_owned(),
    /// #     version: None,
    /// #     number: Some("XK-1".to_owned()),
    /// #     at: at("2026-09-21T09:30:00+08:00")?,
    /// #     actor: "窗口".to_owned(),
    /// #     attributes: vec![("joint_handling".to_owned(), "false".to_owned())],
    /// #     idempotency_key: None,
    /// # };
    /// # let opened = engine.open_case(&opening)?;
    /// # let accept = Command {
    /// #     at: at("2026-09-22T10:00:00+08:00")?,
    /// #     actor: "承办人甲".to_owned(),
    /// #     role: "officer".to_owned(),
    /// #     kind: CommandKind::Act { action: "accept".to_owned(), attributes: Vec::new() },
    /// # };
    /// # engine.act("XK-1", &accept, opened.version, None)?;
    /// let heads = engine.chain_heads()?;
    /// assert!(engine.verify_heads(&heads)?.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn verify_heads(&self, heads: &[(String, u64, String)]) -> Result<Vec<BrokenChain>, EngineError> {
        self.store().begin_snapshot()?;
        let verified = self.verify_heads_snapshot(heads);
        self.store().end_snapshot()?;
        verified
    }

    fn verify_heads_snapshot(&self, heads: &[(String, u64, String)]) -> Result<Vec<BrokenChain>, EngineError> {
        let mut broken = Vec::new();
        for (case_id, version, head) in heads {
            let number = self.store().case(case_id)?.map(|case| case.number).unwrap_or_default();
            let events = self.store().events(case_id)?;
            let reason = match version.checked_sub(1).and_then(|last| usize::try_from(last).ok()) {
                None => None,
                Some(last) => match events.get(last) {
                    None => Some((
                        None,
                        format!("the history has {} events, the exported head is at {version}", events.len()),
                    )),
                    Some(event) if &event.hash != head => {
                        Some((Some(event.sequence), "its hash is not the exported head".to_owned()))
                    }
                    Some(_) => None,
                },
            };
            let reason = match reason {
                Some(reason) => Some(reason),
                None => match self.store().case(case_id)? {
                    Some(case) => first_broken_link(&case, &events, &self.genesis_of(case_id)?),
                    None => None,
                },
            };
            if let Some((sequence, reason)) = reason {
                broken.push(BrokenChain { case_id: case_id.clone(), number, sequence, reason });
            }
        }
        Ok(broken)
    }

    /// Folds every history again and compares the store's derived data with it.
    ///
    /// # Errors
    ///
    /// [`EngineError::Store`] when the store cannot be read.
    ///
    /// # Example
    ///
    /// ```
    /// # use renewflow::core::calendar::Calendars;
    /// # use renewflow::core::case::{Command, CommandKind};
    /// # use renewflow::core::workflow::NoExtends;
    /// # use renewflow::engine::{CaseOpening, Engine, EngineError};
    /// # use renewflow::store::SqliteStore;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let at = |text: &str| chrono::DateTime::parse_from_rfc3339(text);
    /// # let licence = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml"));
    /// # let mut engine = Engine::new(SqliteStore::in_memory()?, Calendars::builtin());
    /// # engine.deploy("administrative-license.yaml", licence, &mut NoExtends, at("2026-01-05T09:00:00+08:00")?)?;
    /// # let opening = CaseOpening {
    /// #     workflow: "administrative-license".to_owned(),
    /// #     version: None,
    /// #     number: Some("XK-1".to_owned()),
    /// #     at: at("2026-09-21T09:30:00+08:00")?,
    /// #     actor: "窗口".to_owned(),
    /// #     attributes: vec![("joint_handling".to_owned(), "false".to_owned())],
    /// #     idempotency_key: None,
    /// # };
    /// # let opened = engine.open_case(&opening)?;
    /// # let accept = Command {
    /// #     at: at("2026-09-22T10:00:00+08:00")?,
    /// #     actor: "承办人甲".to_owned(),
    /// #     role: "officer".to_owned(),
    /// #     kind: CommandKind::Act { action: "accept".to_owned(), attributes: Vec::new() },
    /// # };
    /// # engine.act("XK-1", &accept, opened.version, None)?;
    /// assert!(engine.check()?.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn check(&mut self) -> Result<Vec<Mismatch>, EngineError> {
        self.store().begin_snapshot()?;
        let checked = self.check_snapshot();
        self.store().end_snapshot()?;
        checked
    }

    fn check_snapshot(&mut self) -> Result<Vec<Mismatch>, EngineError> {
        let mut mismatches = Vec::new();
        if let Some((stored, current)) = self.stale_calendar()? {
            mismatches.push(Mismatch {
                case_id: String::new(),
                number: "(store)".to_owned(),
                what: format!(
                    "the derived data was computed with calendar data {stored}; this renewflow counts on {current}; run `renewflow calendar recompute`"
                ),
            });
        }
        for case in self.store().cases()? {
            let mismatch = |what: String| Mismatch { case_id: case.id.clone(), number: case.number.clone(), what };
            let view = match self.case(&case.id) {
                Ok(view) => view,
                Err(error) => {
                    mismatches.push(mismatch(format!("the history does not fold: {error}")));
                    continue;
                }
            };
            let calendar = self
                .calendars()
                .require(view.workflow.calendar())
                .map_err(|error| EngineError::UnknownCalendar(error.to_string()))?;
            let derived = derive(&view.workflow, calendar, &view.replay);
            if derived.configuration != case.configuration {
                mismatches.push(mismatch(format!(
                    "configuration is {}, the history gives {}",
                    case.configuration, derived.configuration
                )));
            }
            if derived.finished_on != case.finished_on {
                mismatches.push(mismatch(format!(
                    "finished_on is {:?}, the history gives {:?}",
                    case.finished_on, derived.finished_on
                )));
            }
            let stored = self.store().open_clocks(&case.id)?;
            let mut expected = derived.open_clocks.clone();
            expected.sort_by(|left, right| left.clock.cmp(&right.clock));
            if stored != expected {
                mismatches.push(mismatch(format!("open clocks are {stored:?}, the history gives {expected:?}")));
            }
        }
        Ok(mismatches)
    }
}

/// Where a case's chain starts: the genesis hash, or for an imported case its import mark's.
#[derive(Clone, Debug)]
struct Genesis {
    hash: [u8; 32],
    imported: bool,
}

impl<S: Store> Engine<S> {
    /// The first thing wrong with a case's chain, as `verify` names it: the first event whose
    /// link does not verify (its sequence), or, when every link does, how the case row differs
    /// from the chain (`None` for the sequence); `None` when nothing is wrong.
    pub(super) fn first_break(
        &self,
        case: &CaseRow,
        events: &[EventRow],
        deployment: Option<&DeploymentRow>,
    ) -> Result<Option<(Option<u64>, String)>, EngineError> {
        let genesis = self.genesis_of(&case.id)?;
        Ok(first_broken_link(case, events, &genesis).or_else(|| case_row_differs(case, events, deployment)))
    }

    /// The start of `case_id`'s chain, from its import mark if it has one.
    fn genesis_of(&self, case_id: &str) -> Result<Genesis, EngineError> {
        Ok(match self.store().import_mark(case_id)? {
            Some(mark) => Genesis {
                hash: import_genesis_hash(case_id, &mark.imported_at, &mark.log_hash, &mark.findings),
                imported: true,
            },
            None => Genesis { hash: GENESIS_HASH, imported: false },
        })
    }
}

/// How a case row differs from the chain it heads: the case its opening record names (workflow,
/// number, and the version and content hash of the rules, which must be the row's deployment's),
/// and the instants of its first and last events.
fn case_row_differs(
    case: &CaseRow,
    events: &[EventRow],
    deployment: Option<&DeploymentRow>,
) -> Option<(Option<u64>, String)> {
    let (Some(first), Some(last)) = (events.first(), events.last()) else {
        return Some((None, "the case has no events".to_owned()));
    };
    let record = EventRecord::parse(&first.record).ok()?;
    let Some(identity) = record.identity() else {
        return Some((
            Some(0),
            "its opening does not name the case (workflow, version, content hash and number)".to_owned(),
        ));
    };
    let Some(deployment) = deployment else {
        return Some((None, format!("the case row names deployment {}, which is not in the store", case.deployment)));
    };
    let differs = |what: &str, row: &str, chain: &str| {
        Some((None, format!("the case row's {what} is `{row}`, its opening names `{chain}`")))
    };
    if case.number != identity.number {
        return differs("number", &case.number, &identity.number);
    }
    if case.workflow != identity.workflow {
        return differs("workflow", &case.workflow, &identity.workflow);
    }
    let rules = |workflow: &str, version: &str, hash: &str| format!("{workflow} {version} ({hash})");
    let named = rules(&identity.workflow, &identity.version, &identity.content_hash);
    let deployed = rules(&deployment.workflow, &deployment.version, &deployment.content_hash);
    if named != deployed {
        return Some((
            None,
            format!("the case row's deployment {} is {deployed}, its opening names {named}", deployment.key),
        ));
    }
    if case.opened_at != first.at {
        return differs("opening instant", &case.opened_at, &first.at);
    }
    if case.last_at != last.at {
        return differs("last instant", &case.last_at, &last.at);
    }
    None
}

/// The first link of a case's chain that does not verify, with the reason.
fn first_broken_link(case: &CaseRow, events: &[EventRow], genesis: &Genesis) -> Option<(Option<u64>, String)> {
    let mut previous = genesis.hash;
    for (position, event) in events.iter().enumerate() {
        let position = position as u64;
        let at = Some(event.sequence);
        if event.sequence != position {
            return Some((
                Some(position),
                format!("event {position} is missing (found {} in its place)", event.sequence),
            ));
        }
        if event.hash_algorithm != EVENT_HASH_ALGORITHM {
            return Some((at, format!("unknown hash algorithm `{}`", event.hash_algorithm)));
        }
        if event.previous_hash != hex(&previous) {
            let reason = match (position, genesis.imported) {
                (0, true) => {
                    "its previous hash is not the one its import mark gives (the mark or its import was changed, or added)"
                }
                (0, false) => "its previous hash is not the genesis hash (was the case's import mark removed?)",
                _ => "its previous hash is not the hash of the event before it",
            };
            return Some((at, reason.to_owned()));
        }
        let record_at = EventRecord::parse(&event.record).map(|record| record.at);
        if record_at.as_deref() != Ok(event.at.as_str()) {
            return Some((at, "its record is unreadable or disagrees with its time".to_owned()));
        }
        let hash = event_hash(&previous, &case.id, position, &event.record);
        if hex(&hash) != event.hash {
            return Some((at, "its hash does not match its content".to_owned()));
        }
        previous = parse_hash(&event.hash).unwrap_or(hash);
    }
    if case.version != events.len() as u64 {
        return Some((None, format!("the case row says {} events, the history has {}", case.version, events.len())));
    }
    if case.head_hash != hex(&previous) {
        return Some((None, "the case row's head hash is not the last event's hash".to_owned()));
    }
    None
}
