//! The watch list page (监察): the clocks on a yellow or red card of the cases the visitor may
//! read, most urgent first, from the same kept list `GET /v1/watch` answers from, with filters
//! and paging. Red and yellow are words as well as colours; a pause past its maximum and a clock
//! due tomorrow are said in words too.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::labels::{Labels, Lang};
use super::page::{Chrome, Section, error_page, html};
use super::visitor::{Visitor, encode_query_value};
use crate::drivers::serve::problem::Problem;
use crate::drivers::serve::request::date_or;
use crate::drivers::serve::service::Shared;
use crate::drivers::serve::watch_list::{Selected, Selection};
use crate::engine::WatchRow;

/// Rows on one page of the list.
const PAGE_ROWS: usize = 50;

/// The filters in the page's address.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct WatchQuery {
    workflow: Option<String>,
    /// `red` or `overrun`; empty or missing: yellow and red.
    level: Option<String>,
    clock: Option<String>,
    /// Only cases waiting on this role.
    role: Option<String>,
    /// Only cases waiting on a role a key of this organ holds.
    organ: Option<String>,
    /// `1`: only rows whose dates rest on a projected year.
    provisional: Option<String>,
    offset: Option<usize>,
    as_of: Option<String>,
}

#[derive(Template)]
#[template(path = "watch.html")]
struct WatchPage {
    chrome: Chrome,
    as_of: String,
    as_of_iso: String,
    /// Whether the list is as the store is now (else a fold is under way, and the page's script
    /// asks again).
    fresh: bool,
    workflows: Vec<Choice>,
    levels: Vec<Choice>,
    roles: Vec<Choice>,
    organs: Vec<Choice>,
    clock: String,
    provisional: bool,
    rows: Vec<WatchLine>,
    total: usize,
    first: usize,
    last: usize,
    previous_href: Option<String>,
    next_href: Option<String>,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// One row as shown.
struct WatchLine {
    /// `red`, `yellow` or `ok` (a pause past its maximum only).
    level: &'static str,
    level_word: &'static str,
    set_by: Option<&'static str>,
    case_href: String,
    number: String,
    workflow: String,
    clock: String,
    clock_name: String,
    limits: String,
    due: String,
    provisional: bool,
    basis: String,
    remaining: String,
    prompts: Vec<String>,
    phase: &'static str,
    /// The roles the case waits on, by title.
    waiting_on: String,
}

/// The roles and organs to filter by, read from the store.
struct Holders {
    /// The roles of the workflows the visitor reads: name and title.
    roles: Vec<(String, String)>,
    organs: Vec<String>,
    /// The `(workflow, role)` pairs the organ asked for holds.
    held: Option<Vec<(String, String)>>,
}

/// The workflows to filter by: the key's, or for an administrator those on the list; and the
/// one asked for.
fn workflow_names<'a>(
    principal: &'a crate::engine::Principal,
    rows: &'a [WatchRow],
    asked: Option<&'a str>,
) -> std::collections::BTreeSet<&'a str> {
    let mut workflows: std::collections::BTreeSet<&str> = if principal.admin {
        let mut seen = std::collections::BTreeSet::new();
        let mut last = "";
        for row in rows {
            if row.workflow != last {
                last = &row.workflow;
                seen.insert(last);
            }
        }
        seen
    } else {
        principal.grants.iter().map(|grant| grant.workflow.as_str()).collect()
    };
    workflows.extend(asked);
    workflows
}

impl Holders {
    fn role_choices(&self, asked: Option<&str>) -> Vec<Choice> {
        self.roles
            .iter()
            .map(|(name, title)| Choice {
                selected: asked == Some(name.as_str()),
                label: format!("{title} ({name})"),
                value: name.clone(),
            })
            .collect()
    }

    fn organ_choices(&self, asked: Option<&str>) -> Vec<Choice> {
        self.organs
            .iter()
            .map(|name| Choice { selected: asked == Some(name.as_str()), label: name.clone(), value: name.clone() })
            .collect()
    }
}

fn holders(
    engine: &mut crate::engine::Engine<crate::store::SqliteStore>,
    principal: &crate::engine::Principal,
    organ: Option<String>,
) -> Result<Holders, Problem> {
    use crate::store::Store as _;
    let mut roles: Vec<(String, String)> = Vec::new();
    for deployment in engine.store().deployments().map_err(crate::engine::EngineError::from)? {
        if !principal.may_read(&deployment.workflow) {
            continue;
        }
        for role in engine.workflow(deployment.key)?.roles() {
            if !roles.iter().any(|(name, _)| *name == role.name) {
                roles.push((role.name.clone(), role.title.clone()));
            }
        }
    }
    roles.sort();
    let held = organ.map(|organ| engine.roles_held_by(&organ)).transpose()?;
    Ok(Holders { roles, organs: engine.acting_organs()?, held })
}

/// `GET /watch`.
pub(crate) async fn watch_page(
    State(service): State<Shared>,
    visitor: Visitor,
    Query(query): Query<WatchQuery>,
) -> Response {
    let lang = visitor.lang;
    let as_of = match date_or("as_of", query.as_of.as_deref().filter(|text| !text.is_empty()), || service.today()) {
        Ok(as_of) => as_of,
        Err(problem) => return error_page(lang, problem.status, &problem.detail),
    };
    let nonempty = |text: &Option<String>| text.clone().filter(|text| !text.trim().is_empty());
    let workflow = nonempty(&query.workflow);
    let level = nonempty(&query.level).filter(|level| level == "red" || level == "overrun");
    let clock = nonempty(&query.clock);
    if let Some(workflow) = &workflow
        && let Err(problem) =
            visitor.principal.check_read(workflow).map_err(crate::drivers::serve::problem::Problem::from)
    {
        return error_page(lang, StatusCode::FORBIDDEN, &problem.detail);
    }
    let role = nonempty(&query.role);
    let organ = nonempty(&query.organ);
    let (principal, asked_organ) = (visitor.principal.clone(), organ.clone());
    let holders = match service.readers.run(move |engine| holders(engine, &principal, asked_organ)).await {
        Ok(holders) => holders,
        Err(problem) => return error_page(lang, problem.status, &problem.detail),
    };
    let selection = Selection::of(&visitor.principal, workflow.clone(), clock.clone(), level.clone())
        .waiting_on(role.clone(), holders.held.clone());
    let (Selected { rows, picked }, fresh) = match service.watch_list.select_recent(as_of, selection).await {
        Ok(selected) => selected,
        Err(problem) => return error_page(lang, problem.status, &problem.detail),
    };
    let provisional = query.provisional.as_deref() == Some("1");
    let selected = |position: &u32| !provisional || rows[*position as usize].provisional;
    let total = if provisional {
        picked.positions.iter().filter(|position| selected(position)).count()
    } else {
        picked.positions.len()
    };
    let offset = query.offset.unwrap_or(0).min(total.saturating_sub(1) / PAGE_ROWS * PAGE_ROWS);
    let page: Vec<WatchLine> = picked
        .positions
        .iter()
        .filter(|position| selected(position))
        .skip(offset)
        .take(PAGE_ROWS)
        .map(|&position| WatchLine::of(&rows[position as usize], &holders.roles, lang))
        .collect();
    let address = |offset: usize| {
        let mut address = format!("/watch?offset={offset}&as_of={as_of}");
        for (name, value) in
            [("workflow", &workflow), ("level", &level), ("clock", &clock), ("role", &role), ("organ", &organ)]
        {
            if let Some(value) = value {
                address.push('&');
                address.push_str(name);
                address.push('=');
                address.push_str(&encode_query_value(value));
            }
        }
        if provisional {
            address.push_str("&provisional=1");
        }
        address
    };
    let t = lang.labels();
    let workflows = workflow_names(&visitor.principal, &rows, workflow.as_deref());
    let page = WatchPage {
        chrome: Chrome::for_visitor(&visitor, t.watch_title.to_owned(), Section::Watch),
        as_of: lang.date(as_of),
        as_of_iso: as_of.to_string(),
        fresh,
        workflows: workflows
            .into_iter()
            .map(|name| Choice {
                selected: workflow.as_deref() == Some(name),
                label: name.to_owned(),
                value: name.to_owned(),
            })
            .collect(),
        levels: [("", t.every_level), ("red", t.only_red), ("overrun", t.only_overrun)]
            .into_iter()
            .map(|(value, label)| Choice {
                value: value.to_owned(),
                label: label.to_owned(),
                selected: level.as_deref().unwrap_or_default() == value,
            })
            .collect(),
        roles: holders.role_choices(role.as_deref()),
        organs: holders.organ_choices(organ.as_deref()),
        clock: clock.clone().unwrap_or_default(),
        provisional,
        first: if total == 0 { 0 } else { offset + 1 },
        last: offset + page.len(),
        total,
        rows: page,
        previous_href: (offset > 0).then(|| address(offset.saturating_sub(PAGE_ROWS))),
        next_href: (offset + PAGE_ROWS < total).then(|| address(offset + PAGE_ROWS)),
    };
    html(&page)
}

impl WatchLine {
    fn of(row: &WatchRow, roles: &[(String, String)], lang: Lang) -> WatchLine {
        let t: &Labels = lang.labels();
        let (level_word, set_by) = match row.level {
            "red" => (t.red_card, row.level_set_by),
            "yellow" => (t.yellow_card, row.level_set_by),
            _ => (t.no_card, None),
        };
        let set_by = set_by.map(|limit| if limit == "promised" { t.set_by_promised } else { t.set_by_statutory });
        let limits = match (&row.statutory_limit, &row.promised_limit) {
            (Some(statutory), Some(promised)) => format!("{statutory} / {} {promised}", t.promised_limit),
            (Some(statutory), None) => statutory.clone(),
            (None, Some(promised)) => format!("{} {promised}", t.promised_limit),
            (None, None) => String::new(),
        };
        let due = match (row.due_date, row.due_beyond_data) {
            (Some(date), _) => lang.date(date),
            (None, Some(year)) => format!("{} ({year})", t.beyond_data),
            (None, None) => String::new(),
        };
        let remaining = match row.remaining_working_days {
            Some(left) if left < 0 => format!("{} {}", t.overdue_by, lang.count(-left, "wd")),
            Some(left) => lang.count(left, "wd"),
            None => String::new(),
        };
        let mut prompts = Vec::new();
        if row.remaining_working_days == Some(1) {
            prompts.push(t.due_tomorrow.to_owned());
        }
        if let Some(pause) = &row.pause_over_max {
            prompts.push(format!(
                "{}: {} {} {}, max {}, +{} {}",
                t.pause_overrun,
                pause.state,
                t.since,
                lang.date(pause.since),
                pause.max,
                pause.over,
                pause.over_unit
            ));
        }
        WatchLine {
            level: match row.level {
                "red" => "red",
                "yellow" => "yellow",
                _ => "ok",
            },
            level_word,
            set_by,
            case_href: format!("/cases/{}", row.case_id),
            number: row.number.clone(),
            workflow: row.workflow.clone(),
            clock: row.clock_title.clone().unwrap_or_else(|| row.clock.clone()),
            clock_name: row.clock.clone(),
            limits,
            due,
            provisional: row.provisional,
            basis: row.basis.clone().unwrap_or_default(),
            remaining,
            prompts,
            phase: if row.phase == "paused" { t.paused } else { t.running },
            waiting_on: row
                .waiting_on
                .iter()
                .map(|name| {
                    roles.iter().find(|(role, _)| role == name).map_or_else(|| name.clone(), |(_, title)| title.clone())
                })
                .collect::<Vec<_>>()
                .join("、"),
        }
    }
}
