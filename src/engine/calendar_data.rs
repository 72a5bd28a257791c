//! The calendar data a store counts on: the built-in files, then the calendar files installed
//! into the store (hash-chained), under the store's policy for dates after the data. Opening an
//! engine over a store loads them; installing a file recomputes every open clock's dates in the
//! same transaction and reports each due date it moved.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::derived::derive;
use super::engine::Engine;
use super::engine_error::EngineError;
use crate::core::calendar::{BUILTIN_CALENDAR_FILES, BeyondData, CalendarFileError, Calendars, parse_iso_date};
use crate::core::workflow::hex;
use crate::store::{CalendarInstall, CalendarInstallRow, Derived, Store};

/// The store setting that holds the policy for dates after the calendar's data.
pub const BEYOND_DATA_SETTING: &str = "beyond_data";
/// The store setting that names the calendar data the derived figures were computed with.
pub const DERIVED_CALENDAR_SETTING: &str = "derived_calendar";
/// The policy of a store created without one: a live office must keep working past a notice.
pub const STORE_BEYOND_DATA_DEFAULT: BeyondData = BeyondData::Statutory;

/// The tag hashed into every installation's link.
const INSTALL_HASH_ALGORITHM: &str = "sha256:renewflow-calendar-install-v1";
/// The `previous_hash` of the first installation.
const INSTALL_GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A calendar file to install.
#[derive(Clone, Debug)]
pub struct CalendarInstallRequest<'a> {
    /// The file as named (shown in diagnostics and in `calendar installed`).
    pub name: &'a str,
    pub text: &'a str,
    pub installed_by: &'a str,
    pub at: DateTime<FixedOffset>,
    /// Required when the file changes a day the data already covers.
    pub reason: Option<&'a str>,
}

/// One open clock whose derived dates a new calendar changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MovedDue {
    pub case_id: String,
    pub number: String,
    pub workflow: String,
    pub clock: String,
    /// `None`: unknown (beyond the data under `refuse`) or not running.
    pub old_due: Option<String>,
    pub new_due: Option<String>,
    pub was_provisional: bool,
    pub now_provisional: bool,
}

/// What an installation (or a recomputation) did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CalendarChange {
    /// The installation stored; `None` when the same file was installed before (nothing done)
    /// or for a recomputation.
    pub installed: Option<CalendarInstallRow>,
    /// Open cases whose derived data was recomputed.
    pub open_cases: usize,
    /// Every open clock whose due date (or whether it is provisional) moved.
    pub moved: Vec<MovedDue>,
    /// The calendar data the derived figures are now computed with.
    pub derived_calendar: String,
}

/// An installation whose link does not verify.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BrokenInstall {
    pub sequence: u64,
    pub name: String,
    pub reason: String,
}

/// SHA-256 of a text, hex.
pub(crate) fn sha256_hex(text: &str) -> String {
    hex(&digest_bytes(Sha256::digest(text.as_bytes())))
}

fn digest_bytes(digest: impl Into<[u8; 32]>) -> [u8; 32] {
    digest.into()
}

/// The hash of an installation's link: SHA-256 of the tag, the previous hash and each field, one
/// per line (the reason as `-` when there is none).
fn install_hash(row: &CalendarInstallRow) -> String {
    let mut hasher = Sha256::new();
    let sequence = row.sequence.to_string();
    let reason = row.reason.as_deref().map_or_else(|| "-".to_owned(), |reason| format!("+{reason}"));
    for part in [
        INSTALL_HASH_ALGORITHM,
        &row.previous_hash,
        &sequence,
        &row.name,
        &row.sha256,
        &row.installed_by,
        &row.installed_at,
        &reason,
    ] {
        hasher.update(part.as_bytes());
        hasher.update(b"\n");
    }
    hex(&digest_bytes(hasher.finalize()))
}

/// The first broken link of the installations' chain, if any.
pub(crate) fn broken_installs(installs: &[CalendarInstallRow]) -> Vec<BrokenInstall> {
    let mut previous = INSTALL_GENESIS_HASH.to_owned();
    for (position, row) in installs.iter().enumerate() {
        let broken = |reason: &str| {
            vec![BrokenInstall { sequence: row.sequence, name: row.name.clone(), reason: reason.to_owned() }]
        };
        if row.sequence != position as u64 {
            return broken("an installation before it is missing");
        }
        if row.previous_hash != previous {
            return broken("its previous hash is not the hash of the installation before it");
        }
        if sha256_hex(&row.text) != row.sha256 {
            return broken("its text does not match its SHA-256 (the file was edited in the store)");
        }
        if install_hash(row) != row.hash {
            return broken("its hash does not match its content");
        }
        previous.clone_from(&row.hash);
    }
    Vec::new()
}

/// The built-in calendars with the installed files loaded over them, in order.
pub(crate) fn installed_calendars(
    mut calendars: Calendars,
    installs: &[CalendarInstallRow],
) -> Result<Calendars, EngineError> {
    for row in installs {
        calendars.load(&row.name, &row.text).map_err(|error| {
            EngineError::CalendarData(format!(
                "installed calendar file {} (`{}`) no longer loads: {error}",
                row.sequence, row.name
            ))
        })?;
    }
    Ok(calendars)
}

/// What names the calendar data figures are computed with: the policy, the built-in files and
/// the head of the installations' chain, hashed.
pub(crate) fn calendar_data_id(policy: BeyondData, installs: &[CalendarInstallRow]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(policy.name().as_bytes());
    hasher.update(b"\n");
    for (name, text) in BUILTIN_CALENDAR_FILES {
        hasher.update(name.as_bytes());
        hasher.update(b"\n");
        hasher.update(Sha256::digest(text.as_bytes()));
    }
    hasher.update(installs.last().map_or(INSTALL_GENESIS_HASH, |row| row.hash.as_str()).as_bytes());
    format!("{}:{}", policy.name(), &hex(&digest_bytes(hasher.finalize()))[..16])
}

/// The days a new calendar changed among the days the old one had data for: (calendar, first
/// changed day, how many).
fn covered_days_changed(old: &Calendars, new: &Calendars) -> Option<(String, NaiveDate, usize)> {
    for id in old.ids() {
        let (Some(before), Some(after)) = (old.get(id), new.get(id)) else { continue };
        let changed: Vec<NaiveDate> = before
            .first_date()
            .iter_days()
            .take_while(|date| *date <= before.last_date())
            .filter(|date| before.is_working_day(*date).ok() != after.is_working_day(*date).ok())
            .collect();
        if let Some(first) = changed.first() {
            return Some((id.to_owned(), *first, changed.len()));
        }
    }
    None
}

impl<S: Store> Engine<S> {
    /// Validates a calendar file and installs it into the store: its text, SHA-256, who installed
    /// it and when, chained to the installations before it. In the same transaction every open
    /// case's derived dates are recomputed with the new data; the answer lists every open clock
    /// whose due date moved. Installing a file already installed does nothing.
    ///
    /// # Errors
    ///
    /// [`EngineError::CalendarFile`] for a file with problems (nothing installed),
    /// [`EngineError::ReasonRequired`] when it changes covered days without a reason,
    /// [`EngineError::Store`] otherwise.
    pub fn install_calendar(&mut self, request: &CalendarInstallRequest<'_>) -> Result<CalendarChange, EngineError> {
        let installs = self.store().calendar_installs()?;
        let sha256 = sha256_hex(request.text);
        if installs.iter().any(|row| row.sha256 == sha256) {
            return Ok(CalendarChange {
                installed: None,
                open_cases: 0,
                moved: Vec::new(),
                derived_calendar: calendar_data_id(self.beyond_data(), &installs),
            });
        }
        let mut data = self.calendar_data().clone();
        data.load(request.name, request.text).map_err(|error| EngineError::CalendarFile(Box::new(error)))?;
        if request.reason.is_none()
            && let Some((calendar, first, days)) = covered_days_changed(self.calendar_data(), &data)
        {
            return Err(EngineError::ReasonRequired { calendar, first, days });
        }
        let mut row = CalendarInstallRow {
            sequence: installs.len() as u64,
            name: request.name.to_owned(),
            text: request.text.to_owned(),
            sha256,
            installed_by: request.installed_by.to_owned(),
            installed_at: request.at.to_rfc3339(),
            reason: request.reason.map(str::to_owned),
            previous_hash: installs.last().map_or_else(|| INSTALL_GENESIS_HASH.to_owned(), |last| last.hash.clone()),
            hash: String::new(),
        };
        row.hash = install_hash(&row);
        let mut chain = installs;
        chain.push(row.clone());
        let change = self.rederive(data, &chain, Some(&row))?;
        Ok(change)
    }

    /// Recomputes every open case's derived dates with the calendar data this engine counts on
    /// (after a newer build's built-in data, for instance), and lists the due dates that moved.
    ///
    /// # Errors
    ///
    /// [`EngineError::Store`].
    pub fn recompute_calendar(&mut self) -> Result<CalendarChange, EngineError> {
        let installs = self.store().calendar_installs()?;
        let data = self.calendar_data().clone();
        self.rederive(data, &installs, None)
    }

    /// The calendar files installed into the store, in order.
    ///
    /// # Errors
    ///
    /// [`EngineError::Store`].
    pub fn calendar_installs(&self) -> Result<Vec<CalendarInstallRow>, EngineError> {
        Ok(self.store().calendar_installs()?)
    }

    /// Every installation whose link in the chain does not verify (an installation edited,
    /// removed or inserted behind the engine's back).
    ///
    /// # Errors
    ///
    /// [`EngineError::Store`].
    pub fn verify_calendar_installs(&self) -> Result<Vec<BrokenInstall>, EngineError> {
        Ok(broken_installs(&self.store().calendar_installs()?))
    }

    /// Whether the store's derived figures were computed with other calendar data than this
    /// engine counts on: the data they were computed with, and this engine's.
    ///
    /// # Errors
    ///
    /// [`EngineError::Store`].
    pub fn stale_calendar(&self) -> Result<Option<(String, String)>, EngineError> {
        let stored = self.store().setting(DERIVED_CALENDAR_SETTING)?;
        let current = self.calendar_data_id().to_owned();
        Ok(match stored {
            Some(stored) if stored != current => Some((stored, current)),
            _ => None,
        })
    }

    /// Recomputes the open cases with `data` (this engine's calendars, perhaps with a file loaded
    /// over them) and writes it all.
    fn rederive(
        &mut self,
        data: Calendars,
        chain: &[CalendarInstallRow],
        row: Option<&CalendarInstallRow>,
    ) -> Result<CalendarChange, EngineError> {
        let policy = self.beyond_data();
        // `data` is a copy of this engine's calendars, so already under its policy.
        let counted = data;
        let old_counted = self.calendars().clone();
        let mut derived: Vec<(String, Derived)> = Vec::new();
        let mut moved = Vec::new();
        let mut open_cases = 0;
        for case in self.store().cases()? {
            if case.finished_on.is_some() {
                continue;
            }
            open_cases += 1;
            let view = self.case(&case.id)?;
            let calendar = counted
                .require(view.workflow.calendar())
                .map_err(|error| EngineError::UnknownCalendar(error.to_string()))?;
            let old_calendar = old_counted
                .require(view.workflow.calendar())
                .map_err(|error| EngineError::UnknownCalendar(error.to_string()))?;
            let new = derive(&view.workflow, calendar, &view.replay);
            let old = self.store().open_clocks(&case.id)?;
            let provisional = |calendar: &crate::core::calendar::WorkingCalendar, due: &Option<String>| {
                due.as_deref().and_then(parse_iso_date).is_some_and(|due| calendar.is_provisional(due))
            };
            for clock in &new.open_clocks {
                let before = old.iter().find(|stored| stored.clock == clock.clock);
                let old_due = before.and_then(|stored| stored.due_date.clone());
                let was_provisional = provisional(old_calendar, &old_due);
                let now_provisional = provisional(calendar, &clock.due_date);
                if old_due != clock.due_date || was_provisional != now_provisional {
                    moved.push(MovedDue {
                        case_id: case.id.clone(),
                        number: case.number.clone(),
                        workflow: case.workflow.clone(),
                        clock: clock.clock.clone(),
                        old_due,
                        new_due: clock.due_date.clone(),
                        was_provisional,
                        now_provisional,
                    });
                }
            }
            let mut sorted = new.open_clocks.clone();
            sorted.sort_by(|left, right| left.clock.cmp(&right.clock));
            if sorted != old {
                derived.push((case.id.clone(), new));
            }
        }
        let derived_calendar = calendar_data_id(policy, chain);
        self.store_mut().install_calendar(&CalendarInstall {
            row,
            derived: &derived,
            derived_calendar: &derived_calendar,
        })?;
        self.set_calendar_data(counted, derived_calendar.clone());
        Ok(CalendarChange { installed: row.cloned(), open_cases, moved, derived_calendar })
    }
}

/// The policy a store keeps, read from its setting.
pub(crate) fn stored_policy(value: &str) -> Result<BeyondData, EngineError> {
    BeyondData::from_name(value).ok_or_else(|| {
        EngineError::CalendarData(format!("the store's policy `{value}` is not one this renewflow knows"))
    })
}

impl From<Box<CalendarFileError>> for EngineError {
    fn from(error: Box<CalendarFileError>) -> EngineError {
        EngineError::CalendarFile(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SqliteStore;

    fn chain(texts: &[&str]) -> Vec<CalendarInstallRow> {
        let mut rows: Vec<CalendarInstallRow> = Vec::new();
        for (sequence, text) in texts.iter().enumerate() {
            let mut row = CalendarInstallRow {
                sequence: sequence as u64,
                name: format!("file-{sequence}.yaml"),
                text: (*text).to_owned(),
                sha256: sha256_hex(text),
                installed_by: "张三".to_owned(),
                installed_at: "2026-12-10T10:00:00+08:00".to_owned(),
                reason: None,
                previous_hash: rows.last().map_or_else(|| INSTALL_GENESIS_HASH.to_owned(), |last| last.hash.clone()),
                hash: String::new(),
            };
            row.hash = install_hash(&row);
            rows.push(row);
        }
        rows
    }

    #[test]
    fn the_installations_chain_names_every_kind_of_edit() {
        let rows = chain(&["a", "b", "c"]);
        assert!(broken_installs(&rows).is_empty());
        let reason = |rows: &[CalendarInstallRow]| broken_installs(rows).first().map(|broken| broken.reason.clone());
        let mut edited = rows.clone();
        edited[1].text = "B".to_owned();
        assert_eq!(
            reason(&edited).as_deref(),
            Some("its text does not match its SHA-256 (the file was edited in the store)")
        );
        let mut reasoned = rows.clone();
        reasoned[1].reason = Some("added later".to_owned());
        assert_eq!(reasoned.len(), 3);
        assert_eq!(reason(&reasoned).as_deref(), Some("its hash does not match its content"));
        let removed = [rows[0].clone(), rows[2].clone()];
        assert_eq!(reason(&removed).as_deref(), Some("an installation before it is missing"));
        let mut relinked = removed.clone();
        relinked[1].sequence = 1;
        assert_eq!(
            reason(&relinked).as_deref(),
            Some("its previous hash is not the hash of the installation before it")
        );
    }

    #[test]
    fn a_store_keeps_the_policy_of_its_first_use() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("cases.db");
        let engine = Engine::open(SqliteStore::open(&path).unwrap(), Calendars::builtin(), None).unwrap();
        assert_eq!(engine.beyond_data(), BeyondData::Statutory);
        drop(engine);
        let refused = Engine::open(SqliteStore::open(&path).unwrap(), Calendars::builtin(), Some(BeyondData::Refuse));
        assert!(matches!(
            refused,
            Err(EngineError::PolicyMismatch { store: BeyondData::Statutory, requested: BeyondData::Refuse })
        ));
        let again = Engine::open(SqliteStore::open(&path).unwrap(), Calendars::builtin(), Some(BeyondData::Statutory));
        assert!(again.is_ok_and(|engine| engine.stale_calendar().unwrap().is_none()));
    }
}
