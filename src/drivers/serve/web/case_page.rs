//! The case page: who the case is, each clock as a bar of calendar time (elapsed, the statutory
//! and promised due dates, pauses shaded and named with their legal basis, extensions), with its
//! figures in words, and the timeline of every event with its hash and the chain's status. The
//! figures are the engine's timing, as `GET /v1/cases/{case}/timing` gives them.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value as Json;

use super::labels::Lang;
use super::page::{Chrome, Section, error_page, html};
use super::visitor::Visitor;
use crate::core::case::Due;
use crate::core::case::{ClockTiming, LedgerKind, LimitTiming, Timing};
use crate::core::workflow::Workflow;
use crate::drivers::serve::problem::Problem;
use crate::drivers::serve::request::date_or;
use crate::drivers::serve::service::Shared;
use crate::drivers::views::history::EventShown;
use crate::engine::{CaseView, EngineError, VerifiedHistory};
use crate::store::Store as _;

/// Whether a due date rests on a projected year, and why; `None` for a limit the clock lacks.
type Provisional = Option<(bool, Option<String>)>;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct CaseQuery {
    as_of: Option<String>,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    chrome: Chrome,
    number: String,
    id: String,
    workflow: String,
    workflow_version: String,
    version: u64,
    active: Vec<String>,
    attributes: Vec<(String, String)>,
    opened_at: String,
    finished_on: Option<String>,
    as_of: String,
    chain_verifies: bool,
    chain_reason: String,
    /// Where the history was imported from (an audited log), when it was.
    imported: Option<String>,
    clocks: Vec<ClockPanel>,
    events: Vec<TimelineEntry>,
}

/// One clock, as a bar and in words.
struct ClockPanel {
    name: String,
    title: String,
    level: &'static str,
    level_word: &'static str,
    status: &'static str,
    /// `已用 12 / 20 个工作日 (60%)`.
    figures: String,
    elapsed: i64,
    used_percent: String,
    statutory: Option<LimitLine>,
    promised: Option<LimitLine>,
    basis: String,
    bar: Bar,
    pauses: Vec<PauseLine>,
    extensions: Vec<String>,
}

struct LimitLine {
    limit: String,
    due: String,
    provisional: bool,
    provisional_basis: String,
}

/// A clock's bar: calendar time from its start, in percent of the bar's width.
struct Bar {
    /// The run so far: to the stop, or to the as-of date.
    elapsed_percent: String,
    statutory_at: Option<String>,
    promised_at: Option<String>,
    pauses: Vec<(String, String)>,
    /// What the bar says to a screen reader.
    label: String,
}

struct PauseLine {
    state: String,
    from: String,
    to: String,
    basis: String,
}

struct TimelineEntry {
    sequence: u64,
    at: String,
    who: String,
    role: String,
    what: String,
    hash: String,
    broken: bool,
    reason: String,
}

/// `GET /cases/{case}`.
pub(crate) async fn case_page(
    State(service): State<Shared>,
    visitor: Visitor,
    Path(case): Path<String>,
    Query(query): Query<CaseQuery>,
) -> Response {
    let lang = visitor.lang;
    let as_of = match date_or("as_of", query.as_of.as_deref().filter(|text| !text.is_empty()), || service.today()) {
        Ok(as_of) => as_of,
        Err(problem) => return error_page(lang, problem.status, &problem.detail),
    };
    let principal = visitor.principal.clone();
    let read = service
        .readers
        .run(move |engine| {
            let row = engine.find_case(&case)?;
            principal.check_read(&row.workflow)?;
            let history = engine.verified_history(&row.id)?;
            let imported = engine.store().import_mark(&row.id).map_err(EngineError::from)?;
            let view = engine.view_of(row)?;
            let timing = engine.timing_of(&view, as_of)?;
            let calendar = engine.calendar(&view.workflow)?;
            // Whether each clock's due dates rest on a projected year, and why.
            let provisional: Vec<[Provisional; 2]> = timing
                .clocks
                .iter()
                .map(|clock| {
                    [&clock.statutory, &clock.promised].map(|limit| {
                        limit.as_ref().map(|limit| {
                            let beyond = match limit.due {
                                Due::BeyondData { year } => Some(year),
                                Due::On(_) => None,
                            };
                            calendar.provisional_basis(limit.due.date(), beyond)
                        })
                    })
                })
                .collect();
            Ok::<_, Problem>((view, timing, history, provisional, imported))
        })
        .await;
    let (view, timing, history, provisional, imported) = match read {
        Ok(read) => read,
        Err(problem) if matches!(problem.kind, "unknown-case" | "grant-missing") => {
            return error_page(lang, StatusCode::NOT_FOUND, visitor.labels().not_found);
        }
        Err(problem) => return error_page(lang, problem.status, &problem.detail),
    };
    let mut page = CasePage::of(&visitor, &view, &timing, &history, &provisional, as_of);
    page.imported = imported.map(|mark| {
        let findings = if mark.findings.is_empty() { String::new() } else { format!("; {}", mark.findings.join(", ")) };
        format!(
            "{}: {} (sha256 {}…), {}{findings}",
            lang.labels().imported_from,
            mark.log,
            mark.log_hash.chars().take(12).collect::<String>(),
            lang.instant(&mark.imported_at)
        )
    });
    html(&page)
}

impl CasePage {
    fn of(
        visitor: &Visitor,
        view: &CaseView,
        timing: &Timing,
        history: &VerifiedHistory,
        provisional: &[[Provisional; 2]],
        as_of: NaiveDate,
    ) -> CasePage {
        let lang = visitor.lang;
        let t = lang.labels();
        let configuration: Json = serde_json::from_str(&view.row.configuration).unwrap_or(Json::Null);
        let workflow = &view.workflow;
        let active = configuration["active"]
            .as_array()
            .map(|states| {
                states
                    .iter()
                    .filter_map(Json::as_str)
                    .map(|name| match workflow.state_named(name).and_then(|id| workflow.state(id).title.clone()) {
                        Some(title) => format!("{title} ({name})"),
                        None => name.to_owned(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let attributes = configuration["attributes"]
            .as_object()
            .map(|values| {
                values
                    .iter()
                    .map(|(name, value)| {
                        (name.clone(), value.as_str().map_or_else(|| value.to_string(), str::to_owned))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let clocks = timing
            .clocks
            .iter()
            .zip(provisional)
            .filter(|(clock, _)| clock.started_on.is_some())
            .map(|(clock, provisional)| ClockPanel::of(&view.workflow, clock, provisional, timing, lang))
            .collect();
        let events = history
            .events
            .iter()
            .enumerate()
            .map(|(index, row)| TimelineEntry::of(&EventShown::of(history, index, row), lang))
            .collect();
        CasePage {
            chrome: Chrome::for_visitor(visitor, format!("{} {}", t.case_title, view.row.number), Section::Case),
            number: view.row.number.clone(),
            id: view.row.id.clone(),
            workflow: view.row.workflow.clone(),
            workflow_version: view.workflow.version().to_owned(),
            version: view.row.version,
            active,
            attributes,
            opened_at: lang.instant(&view.row.opened_at),
            finished_on: view
                .row
                .finished_on
                .as_deref()
                .and_then(crate::core::calendar::parse_iso_date)
                .map(|date| lang.date(date)),
            as_of: lang.date(as_of),
            chain_verifies: history.broken.is_none(),
            chain_reason: history.broken.as_ref().map(|broken| broken.reason.clone()).unwrap_or_default(),
            clocks,
            events,
            imported: None,
        }
    }
}

impl ClockPanel {
    fn of(
        workflow: &Workflow,
        clock: &ClockTiming,
        provisional: &[Provisional; 2],
        timing: &Timing,
        lang: Lang,
    ) -> ClockPanel {
        let t = lang.labels();
        let declared = workflow.clock(clock.clock);
        let unit = clock.count_unit.symbol();
        let level = clock.level().name();
        let level_word = match level {
            "red" => t.red_card,
            "yellow" => t.yellow_card,
            _ => t.no_card,
        };
        let used = clock.statutory.as_ref().map_or(0, |limit| limit.used_basis_points_rounded);
        let used_percent = format!("{}.{:02}", used / 100, used % 100);
        let figures = match &clock.statutory {
            Some(limit) => {
                format!("{} {} / {} ({used_percent}%)", t.elapsed, lang.count(clock.elapsed, unit), limit.limit)
            }
            None => format!("{} {}", t.elapsed, lang.count(clock.elapsed, unit)),
        };
        let line = |limit: &LimitTiming, provisional: &Provisional| {
            let (provisional, basis) = provisional.clone().unwrap_or_default();
            LimitLine {
                limit: limit.limit.to_string(),
                due: limit.due.date().map_or_else(|| t.beyond_data.to_owned(), |date| lang.date(date)),
                provisional,
                provisional_basis: basis.unwrap_or_default(),
            }
        };
        let mut pauses = Vec::new();
        let mut extensions = Vec::new();
        let mut open_pause: Option<(String, NaiveDate, String)> = None;
        for entry in &clock.ledger {
            match &entry.kind {
                LedgerKind::Paused { state } => {
                    let basis = declared
                        .pauses
                        .iter()
                        .find(|pause| pause.state == *state)
                        .map(|pause| pause.basis.clone())
                        .unwrap_or_default();
                    let named = workflow.state(*state);
                    let name = named.title.clone().unwrap_or_else(|| named.name.clone());
                    open_pause = Some((name, entry.date, basis));
                }
                LedgerKind::Resumed | LedgerKind::Stopped | LedgerKind::Restarted => {
                    if let Some((state, from, basis)) = open_pause.take() {
                        pauses.push((state, from, Some(entry.date), basis));
                    }
                }
                LedgerKind::Extended { extension, by } => {
                    let basis = declared.extensions.get(*extension).and_then(|extension| extension.basis.clone());
                    extensions.push(match basis {
                        Some(basis) => format!("{}: +{by} ({basis})", lang.date(entry.date)),
                        None => format!("{}: +{by}", lang.date(entry.date)),
                    });
                }
                LedgerKind::Started => {}
            }
        }
        if let Some((state, from, basis)) = open_pause {
            pauses.push((state, from, None, basis));
        }
        let bar = Bar::of(clock, timing, &pauses, &figures);
        ClockPanel {
            name: declared.name.clone(),
            title: declared.title.clone().unwrap_or_else(|| declared.name.clone()),
            level,
            level_word,
            status: lang.clock_status(clock.status.name()),
            figures,
            elapsed: clock.elapsed,
            used_percent,
            statutory: clock.statutory.as_ref().map(|limit| line(limit, &provisional[0])),
            promised: clock.promised.as_ref().map(|limit| line(limit, &provisional[1])),
            basis: declared.basis.clone().unwrap_or_default(),
            bar,
            pauses: pauses
                .into_iter()
                .map(|(state, from, to, basis)| PauseLine {
                    state,
                    from: lang.date(from),
                    to: to.map_or_else(|| t.open_pause.to_owned(), |to| lang.date(to)),
                    basis,
                })
                .collect(),
            extensions,
        }
    }
}

impl Bar {
    fn of(
        clock: &ClockTiming,
        timing: &Timing,
        pauses: &[(String, NaiveDate, Option<NaiveDate>, String)],
        figures: &str,
    ) -> Bar {
        let start = clock.started_on.unwrap_or(timing.as_of);
        let now = clock.stopped_on.unwrap_or(timing.as_of).max(start);
        let statutory = clock.statutory.as_ref().and_then(|limit| limit.due.date());
        let promised = clock.promised.as_ref().and_then(|limit| limit.due.date());
        let end = [Some(now), statutory, promised].into_iter().flatten().max().unwrap_or(now);
        // A day's margin past the last mark, so it is not drawn on the edge.
        let span = (end - start).num_days().max(0) + 1;
        let at = |date: NaiveDate| percent((date - start).num_days().clamp(0, span), span);
        Bar {
            elapsed_percent: at(now),
            statutory_at: statutory.map(at),
            promised_at: promised.map(at),
            pauses: pauses
                .iter()
                .map(|(_, from, to, _)| {
                    let from_days = (*from - start).num_days().clamp(0, span);
                    let to_days = (to.unwrap_or(now) - start).num_days().clamp(from_days, span);
                    (percent(from_days, span), percent(to_days - from_days, span))
                })
                .collect(),
            label: figures.to_owned(),
        }
    }
}

/// `part` of `whole` in percent, with two decimals, for an SVG length.
fn percent(part: i64, whole: i64) -> String {
    let hundredths = part.saturating_mul(10_000) / whole.max(1);
    format!("{}.{:02}%", hundredths / 100, hundredths % 100)
}

impl TimelineEntry {
    fn of(event: &EventShown, lang: Lang) -> TimelineEntry {
        let text = |value: &Option<Json>| value.as_ref().and_then(Json::as_str).unwrap_or_default().to_owned();
        TimelineEntry {
            sequence: event.sequence,
            at: lang.instant(&event.at),
            who: text(&event.actor),
            role: text(&event.role),
            what: event.what.clone(),
            hash: event.hash.chars().take(12).collect(),
            broken: event.status != "ok",
            reason: event.reason.clone().unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn percentages_have_two_decimals_and_never_divide_by_zero() {
        assert_eq!(percent(1, 3), "33.33%");
        assert_eq!(percent(3, 3), "100.00%");
        assert_eq!(percent(0, 0), "0.00%");
    }
}
