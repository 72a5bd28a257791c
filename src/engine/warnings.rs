//! Warnings that reach people, as 电子监察 systems issue them: a prompt (提示) one working day
//! before a clock's promised limit, a yellow card when a warning threshold is reached, a red card
//! when a limit is passed. A sweep reads only the dates kept beside each history (`prompt_on`,
//! `yellow_on`, `red_on` of the open clocks; no history is folded) and records each crossing
//! once: the store refuses a second warning for the same case, clock, kind and date, whoever
//! sweeps, and however often.

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat};
use serde::Serialize;

use super::deliveries::utc_text;
use super::engine::Engine;
use super::engine_error::EngineError;
use crate::core::calendar::parse_iso_date;
use crate::store::{CaseRow, NewWarning, OpenClockRow, Store, StoreError, WarningFilter, WarningRow};

/// Most open clocks one round of a sweep reads; a sweep takes rounds until one reads fewer.
pub const SWEEP_CLOCKS_MAX: u64 = 10_000;

/// Most rounds one sweep takes (a million clocks); the rest waits for the next sweep.
pub const SWEEP_ROUNDS_MAX: usize = 100;

/// What a warning says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WarningKind {
    /// One working day before the promised limit (提示).
    Prompt,
    /// A warning threshold reached (黄牌).
    Yellow,
    /// A limit passed (红牌).
    Red,
}

impl WarningKind {
    /// Every kind, in the order a clock reaches them.
    pub const ALL: [WarningKind; 3] = [WarningKind::Prompt, WarningKind::Yellow, WarningKind::Red];

    pub fn name(self) -> &'static str {
        match self {
            WarningKind::Prompt => "prompt",
            WarningKind::Yellow => "yellow",
            WarningKind::Red => "red",
        }
    }

    /// The kind named `name` (`prompt`, `yellow`, `red`).
    pub fn parse(name: &str) -> Option<WarningKind> {
        WarningKind::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

/// One warning as recorded: which clock of which case crossed what on which date, and the
/// figures it was issued with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Unique in the store, increasing in the order warnings were issued.
    pub id: i64,
    pub kind: WarningKind,
    pub case_id: String,
    pub number: String,
    pub workflow: String,
    pub clock: String,
    /// The date the crossing happens.
    pub applies_on: NaiveDate,
    /// The due date of the limit that set it; `None` for a paused clock, or beyond the data.
    pub due_date: Option<NaiveDate>,
    /// The limit that set it (`15 wd`).
    pub limit: Option<String>,
    /// `statutory` (also when both limits do) or `promised`; a prompt is always `promised`.
    pub level_set_by: Option<String>,
    pub issued_at: DateTime<FixedOffset>,
}

impl Warning {
    pub(crate) fn from_row(row: WarningRow) -> Result<Warning, EngineError> {
        let corrupt =
            |what: &str| EngineError::Store(StoreError::Corrupt(format!("warning {}: {what} is unreadable", row.id)));
        let kind = WarningKind::parse(&row.warning.kind).ok_or_else(|| corrupt("its kind"))?;
        let applies_on = parse_iso_date(&row.warning.applies_on).ok_or_else(|| corrupt("its date"))?;
        let due_date = match &row.warning.due_date {
            Some(text) => Some(parse_iso_date(text).ok_or_else(|| corrupt("its due date"))?),
            None => None,
        };
        let issued_at = DateTime::parse_from_rfc3339(&row.issued_at).map_err(|_| corrupt("its issue instant"))?;
        Ok(Warning {
            id: row.id,
            kind,
            case_id: row.warning.case_id,
            number: row.warning.number,
            workflow: row.warning.workflow,
            clock: row.warning.clock,
            applies_on,
            due_date,
            limit: row.warning.time_limit,
            level_set_by: row.warning.set_by,
            issued_at,
        })
    }
}

/// Which warnings to list, in the user's words: every condition given must hold. Warnings come
/// in the order they were issued.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WarningQuery {
    /// A case number or id.
    pub case: Option<String>,
    pub kind: Option<WarningKind>,
    /// Crossings on or after this date.
    pub since: Option<NaiveDate>,
    /// Only warnings issued after this one (a cursor for paging or a live stream).
    pub after: Option<i64>,
    pub offset: u64,
    /// The most warnings listed; `None`: every one.
    pub limit: Option<u64>,
}

impl<S: Store> Engine<S> {
    /// Records every crossing dated on or before `today` that is not on record yet (each clock's
    /// prompt, yellow and red dates, as the store keeps them), issued at `at`, with a pending
    /// delivery to each webhook whose kinds include it; each round of up to
    /// [`SWEEP_CLOCKS_MAX`] clocks in one transaction. Returns the warnings this call recorded,
    /// oldest crossing first; a crossing recorded before, or by another sweeper meanwhile, is
    /// not among them.
    ///
    /// # Errors
    ///
    /// [`EngineError::StaleDerived`] when the stored dates were computed with other calendar
    /// data (`renewflow calendar recompute` rewrites them); [`EngineError::Store`]; a round that
    /// failed wrote nothing.
    ///
    /// # Example
    ///
    /// ```
    /// # use renewflow::core::calendar::Calendars;
    /// # use renewflow::core::case::{Command, CommandKind};
    /// # use renewflow::core::workflow::NoExtends;
    /// # use renewflow::engine::{CaseOpening, Engine, WarningKind};
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
    /// // Accepted 09-22 with 20 working days to decide: due 10-27, red from 10-28.
    /// let today = chrono::NaiveDate::from_ymd_opt(2026, 10, 30).ok_or("date")?;
    /// let issued = engine.sweep_warnings(today, at("2026-10-30T08:00:00+08:00")?)?;
    /// assert!(issued.iter().any(|warning| warning.kind == WarningKind::Red && warning.clock == "decision"));
    /// // Each crossing once.
    /// assert!(engine.sweep_warnings(today, at("2026-10-30T08:01:00+08:00")?)?.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn sweep_warnings(&mut self, today: NaiveDate, at: DateTime<FixedOffset>) -> Result<Vec<Warning>, EngineError> {
        if let Some((stored, current)) = self.stale_calendar()? {
            return Err(EngineError::StaleDerived { stored, current });
        }
        let day = today.to_string();
        let (issued_at, first_attempt_at) = (at.to_rfc3339_opts(SecondsFormat::Secs, false), utc_text(at));
        let mut issued = Vec::new();
        for _ in 0..SWEEP_ROUNDS_MAX {
            let rows = self.store().open_clocks_unwarned(&day, SWEEP_CLOCKS_MAX)?;
            let mut crossed: Vec<NewWarning> =
                rows.iter().flat_map(|(case, clock)| crossings(case, clock, &day)).collect();
            crossed.sort_by(|left, right| {
                (&left.applies_on, &left.number, &left.clock, kind_rank(&left.kind)).cmp(&(
                    &right.applies_on,
                    &right.number,
                    &right.clock,
                    kind_rank(&right.kind),
                ))
            });
            for row in self.store_mut().record_warnings(&crossed, &issued_at, &first_attempt_at)? {
                issued.push(Warning::from_row(row)?);
            }
            if (rows.len() as u64) < SWEEP_CLOCKS_MAX {
                break;
            }
        }
        Ok(issued)
    }

    /// The warnings on record that `query` selects, in the order they were issued.
    ///
    /// # Errors
    ///
    /// [`EngineError::UnknownCase`] (and the other errors of [`Engine::find_case`]) for a case
    /// that is not stored; [`EngineError::Store`].
    pub fn warnings(&self, query: &WarningQuery) -> Result<Vec<Warning>, EngineError> {
        let case_id = match &query.case {
            Some(reference) => Some(self.find_case(reference)?.id),
            None => None,
        };
        let filter = WarningFilter {
            case_id,
            kind: query.kind.map(|kind| kind.name().to_owned()),
            since: query.since.map(|date| date.to_string()),
            after: query.after,
            offset: query.offset,
            limit: query.limit,
        };
        self.store().warnings(&filter)?.into_iter().map(Warning::from_row).collect()
    }
}

fn kind_rank(kind: &str) -> usize {
    WarningKind::ALL.iter().position(|known| known.name() == kind).unwrap_or(usize::MAX)
}

/// The crossings of one open clock dated on or before `day`, with the figures the stored row
/// gives: which limit set a level is read as the watch list reads it (the statutory limit when
/// its own date is reached by then, else the promised one).
fn crossings(case: &CaseRow, clock: &OpenClockRow, day: &str) -> Vec<NewWarning> {
    let reached = |date: &Option<String>| date.clone().filter(|date| date.as_str() <= day);
    let warning = |kind: &str, applies_on: String, by_statutory: bool| NewWarning {
        case_id: case.id.clone(),
        workflow: case.workflow.clone(),
        number: case.number.clone(),
        clock: clock.clock.clone(),
        kind: kind.to_owned(),
        applies_on,
        time_limit: if by_statutory { clock.statutory_limit.clone() } else { clock.promised_limit.clone() },
        due_date: if by_statutory { clock.due_date.clone() } else { clock.promised_due_date.clone() },
        set_by: Some(if by_statutory { "statutory" } else { "promised" }.to_owned()),
    };
    let by_statutory = |statutory_on: &Option<String>, applies_on: &str| {
        statutory_on.as_deref().is_some_and(|statutory_on| statutory_on <= applies_on)
    };
    let mut crossed = Vec::new();
    if let Some(applies_on) = reached(&clock.prompt_on) {
        crossed.push(warning(WarningKind::Prompt.name(), applies_on, false));
    }
    let red = reached(&clock.red_on);
    // A clock that turns red the day it turns yellow (no warning threshold, or one reached only
    // then) had no yellow period: it gets its red card alone.
    if let Some(applies_on) = reached(&clock.yellow_on).filter(|yellow| red.as_ref() != Some(yellow)) {
        let statutory = by_statutory(&clock.statutory_yellow_on, &applies_on);
        crossed.push(warning(WarningKind::Yellow.name(), applies_on, statutory));
    }
    if let Some(applies_on) = red {
        let statutory = by_statutory(&clock.statutory_red_on, &applies_on);
        crossed.push(warning(WarningKind::Red.name(), applies_on, statutory));
    }
    crossed
}
