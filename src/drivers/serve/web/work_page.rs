//! *My work* (我的待办): the open cases where the visitor's roles can take an action now, the
//! nearest due date first, each with a form per action they may take (the role, the attributes
//! its guard reads, a note). A form posts the case version it was shown at and a fresh
//! idempotency key, through the same write path as `POST /v1/cases/{case}/actions`: a refusal
//! shows the engine's reason, and a page the case has moved on from says so.

use std::collections::HashSet;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;

use super::labels::Lang;
use super::page::{Chrome, Section, error_page, html, html_with_status};
use super::sessions::same_secret;
use super::visitor::Visitor;
use crate::core::case::{AvailableAction, Replay};
use crate::core::case::{Command, CommandKind, available_actions};
use crate::core::workflow::{StateKind, Workflow};
use crate::drivers::serve::case_writes::change_at;
use crate::drivers::serve::problem::Problem;
use crate::drivers::serve::service::Shared;
use crate::engine::{EngineError, Principal};
use crate::store::{CaseFilter, Store as _};

/// Cases shown on the page.
const WORK_ROWS_MAX: usize = 50;
/// Open cases looked at (those in a state where the visitor's roles act) before the page is cut.
const WORK_CANDIDATES_MAX: u64 = 2_000;

#[derive(Template)]
#[template(path = "work.html")]
struct WorkPage {
    chrome: Chrome,
    /// Why nothing is listed for a supervisor's key.
    supervisor: bool,
    cases: Vec<WorkCase>,
    more: bool,
}

/// One case to act on.
struct WorkCase {
    id: String,
    number: String,
    workflow: String,
    version: u64,
    active: String,
    /// The nearest due date of its open clocks, with the clock; empty when none is running.
    due: String,
    level: &'static str,
    level_word: &'static str,
    actions: Vec<ActionForm>,
}

/// A form for one action.
struct ActionForm {
    action: String,
    label: String,
    roles: Vec<String>,
    /// The attributes its guard reads, with their current values.
    reads: Vec<(String, String)>,
    guards: String,
    guard_holds: bool,
    /// A fresh idempotency key: sending the same form twice writes once.
    key: String,
    /// The form's element ids are unique on the page.
    form_id: String,
}

/// `GET /work`.
pub(crate) async fn work_page(State(service): State<Shared>, visitor: Visitor) -> Response {
    let lang = visitor.lang;
    let t = lang.labels();
    let principal = visitor.principal.clone();
    let today = service.today();
    let listed = service
        .readers
        .run(move |engine| -> Result<(Vec<WorkCase>, bool), Problem> { work(engine, &principal, today, lang) })
        .await;
    let (cases, more) = match listed {
        Ok(listed) => listed,
        Err(problem) => return error_page(lang, problem.status, &problem.detail),
    };
    let page = WorkPage {
        chrome: Chrome::for_visitor(&visitor, t.my_work.to_owned(), Section::Work),
        supervisor: visitor.principal.supervisor,
        cases,
        more,
    };
    html(&page)
}

/// The cases `principal` can act on now, nearest due date first.
fn work(
    engine: &mut crate::engine::Engine<crate::store::SqliteStore>,
    principal: &Principal,
    today: NaiveDate,
    lang: Lang,
) -> Result<(Vec<WorkCase>, bool), Problem> {
    if principal.supervisor {
        return Ok((Vec::new(), false));
    }
    let Some(filter) = candidates(engine, principal)? else {
        return Ok((Vec::new(), false));
    };
    let listed = engine.store().list_cases(&filter).map_err(EngineError::from)?;
    let cut = listed.len() as u64 > WORK_CANDIDATES_MAX;
    let mut cases: Vec<(Option<NaiveDate>, WorkCase)> = Vec::new();
    for listed in listed.into_iter().take(WORK_CANDIDATES_MAX as usize) {
        let Some(grant) = principal.grant(&listed.case.workflow) else { continue };
        let roles: HashSet<&str> = grant.roles.iter().map(String::as_str).collect();
        let view = engine.view_of(listed.case)?;
        let actions: Vec<ActionForm> = available_actions(&view.workflow, &view.replay)
            .into_iter()
            .filter_map(|action| {
                let yours: Vec<String> =
                    action.roles.iter().filter(|role| roles.contains(role.as_str())).cloned().collect();
                (!yours.is_empty()).then(|| ActionForm::of(&view.workflow, &view.replay, &view.row.id, action, yours))
            })
            .collect::<Result<_, _>>()?;
        if actions.is_empty() {
            continue;
        }
        let timing = engine.timing_of(&view, today)?;
        let nearest = timing
            .clocks
            .iter()
            .filter(|clock| clock.status.name() == "running" || clock.status.name() == "paused")
            .filter_map(|clock| clock.statutory.as_ref().and_then(|limit| limit.due.date()).map(|due| (due, clock)))
            .min_by_key(|(due, _)| *due);
        let t = lang.labels();
        let (due, level) = match nearest {
            Some((date, clock)) => {
                let declared = view.workflow.clock(clock.clock);
                let name = declared.title.clone().unwrap_or_else(|| declared.name.clone());
                (format!("{name} · {}", lang.date(date)), clock.level().name())
            }
            None => (String::new(), "ok"),
        };
        let configuration: serde_json::Value = serde_json::from_str(&view.row.configuration).unwrap_or_default();
        let active = configuration["active"]
            .as_array()
            .map(|states| states.iter().filter_map(serde_json::Value::as_str).collect::<Vec<_>>().join(", "))
            .unwrap_or_default();
        cases.push((
            nearest.map(|(date, _)| date),
            WorkCase {
                id: view.row.id.clone(),
                number: view.row.number.clone(),
                workflow: view.row.workflow.clone(),
                version: view.row.version,
                active,
                due,
                level,
                level_word: match level {
                    "red" => t.red_card,
                    "yellow" => t.yellow_card,
                    _ => t.no_card,
                },
                actions,
            },
        ));
    }
    // Nearest due date first; a case with no running clock last; then by number.
    cases.sort_by(|(left_due, left), (right_due, right)| {
        (left_due.is_none(), left_due, &left.number).cmp(&(right_due.is_none(), right_due, &right.number))
    });
    let more = cut || cases.len() > WORK_ROWS_MAX;
    Ok((cases.into_iter().take(WORK_ROWS_MAX).map(|(_, case)| case).collect(), more))
}

/// The open cases the key's roles may act on: those in a leaf state from which a transition
/// takes one of its roles, and those with a clock open that one of its roles may extend (at
/// most one more than [`WORK_CANDIDATES_MAX`]); `None` when it has no such role.
fn candidates(
    engine: &mut crate::engine::Engine<crate::store::SqliteStore>,
    principal: &Principal,
) -> Result<Option<CaseFilter>, Problem> {
    // The leaf states, per deployment, from which a transition takes one of the key's roles;
    // and the clocks one of its roles may extend, while they are open.
    let mut active_in = Vec::new();
    let mut open_clock_in = Vec::new();
    for deployment in engine.store().deployments().map_err(EngineError::from)? {
        let Some(grant) = principal.grant(&deployment.workflow) else { continue };
        let workflow = engine.workflow(deployment.key)?;
        for state in workflow.state_ids() {
            let acts = workflow.ancestors(state).any(|holder| {
                workflow.transitions_from(holder).iter().any(|transition| {
                    workflow
                        .transition(*transition)
                        .roles
                        .iter()
                        .any(|role| grant.roles.contains(&workflow.role(*role).name))
                })
            });
            let leaf = matches!(workflow.state(state).kind, StateKind::Atomic | StateKind::Final);
            if acts && leaf {
                active_in.push((deployment.key, workflow.state(state).name.clone()));
            }
        }
        for clock in workflow.clocks() {
            let extends = clock
                .extensions
                .iter()
                .any(|extension| extension.roles.iter().any(|role| grant.roles.contains(&workflow.role(*role).name)));
            if extends {
                open_clock_in.push((deployment.key, clock.name.clone()));
            }
        }
    }
    if active_in.is_empty() && open_clock_in.is_empty() {
        return Ok(None);
    }
    Ok(Some(CaseFilter {
        active_in: Some(active_in),
        open_clock_in: Some(open_clock_in),
        finished: Some(false),
        limit: Some(WORK_CANDIDATES_MAX + 1),
        ..CaseFilter::default()
    }))
}

impl ActionForm {
    fn of(
        workflow: &Workflow,
        replay: &Replay,
        case_id: &str,
        action: AvailableAction,
        roles: Vec<String>,
    ) -> Result<ActionForm, Problem> {
        let values = replay.configuration().values();
        let reads = action
            .reads
            .iter()
            .map(|name| {
                let value = workflow.attribute_named(name).and_then(|id| {
                    values.get(id.index()).cloned().flatten().map(|value| value.render(&workflow.attribute(id).kind))
                });
                (name.clone(), value.unwrap_or_default())
            })
            .collect();
        let key = random_key().map_err(|error| Problem::new("internal", error.to_string()))?;
        Ok(ActionForm {
            form_id: format!("{}-{}", &case_id[case_id.len().saturating_sub(12)..], action.action),
            label: action
                .title
                .clone()
                .map_or_else(|| action.action.clone(), |title| format!("{title} ({})", action.action)),
            action: action.action,
            roles,
            reads,
            guards: action.guards.join(" · "),
            guard_holds: action.guard_holds,
            key,
        })
    }
}

fn random_key() -> Result<String, getrandom::Error> {
    let mut bytes = [0_u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(format!("web-{}", crate::core::workflow::hex(&bytes)))
}

/// A form posted from *My work*.
struct ActForm {
    csrf: String,
    action: String,
    role: String,
    /// The case version the page was shown at: the write's `If-Match`.
    version: u64,
    /// The form's idempotency key.
    key: String,
    note: Option<String>,
    /// Attribute values, as `name=value` (the form's `attribute.NAME` fields).
    attributes: Vec<String>,
}

/// `POST /cases/{case}/act`: the action taken, then the case page (its timeline grown); a
/// refusal is shown with the engine's reason.
pub(crate) async fn act(
    State(service): State<Shared>,
    visitor: Visitor,
    Path(case): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let lang = visitor.lang;
    let t = lang.labels();
    let Some(form) = ActForm::from_pairs(form) else {
        return error_page(lang, StatusCode::BAD_REQUEST, "the form is incomplete");
    };
    if !same_secret(&visitor.session.csrf, &form.csrf) {
        return error_page(lang, StatusCode::FORBIDDEN, t.form_expired);
    }
    let attributes: Vec<(String, String)> = form
        .attributes
        .iter()
        .filter_map(|pair| pair.split_once('='))
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|(name, value)| (name.to_owned(), value.trim().to_owned()))
        .collect();
    let command = Command {
        at: service.now(),
        actor: String::new(),
        role: form.role.clone(),
        kind: CommandKind::Act { action: form.action.clone(), attributes },
    };
    let note = form.note.filter(|note| !note.trim().is_empty()).map(|text| CommandKind::Note { text });
    match change_at(&service, visitor.principal.clone(), form.version, &form.key, &case, command, note).await {
        Ok(outcome) => Redirect::to(&format!("/cases/{}", outcome.case_id)).into_response(),
        Err(problem) => refused(&visitor, &problem, &case),
    }
}

#[derive(Template)]
#[template(path = "refused.html")]
struct RefusedPage {
    chrome: Chrome,
    heading: String,
    detail: String,
    stale: bool,
    case_href: String,
}

fn refused(visitor: &Visitor, problem: &Problem, case: &str) -> Response {
    let t = visitor.labels();
    let stale = problem.kind == "stale-version";
    let heading = if stale { t.stale_page.to_owned() } else { t.refused.to_owned() };
    let page = RefusedPage {
        chrome: Chrome::for_visitor(visitor, heading.clone(), Section::Work),
        heading,
        detail: problem.detail.clone(),
        stale,
        case_href: format!("/cases/{case}"),
    };
    html_with_status(problem.status, &page)
}

impl ActForm {
    /// The form's fields; `attribute` may come several times.
    fn from_pairs(pairs: Vec<(String, String)>) -> Option<ActForm> {
        let mut csrf = None;
        let mut action = None;
        let mut role = None;
        let mut version = None;
        let mut key = None;
        let mut note = None;
        let mut attributes = Vec::new();
        for (name, value) in pairs {
            match name.as_str() {
                "csrf" => csrf = Some(value),
                "action" => action = Some(value),
                "role" => role = Some(value),
                "version" => version = value.parse().ok(),
                "key" => key = Some(value),
                "note" => note = Some(value),
                _ => {
                    if let Some(attribute) = name.strip_prefix("attribute.") {
                        attributes.push(format!("{attribute}={value}"));
                    }
                }
            }
        }
        Some(ActForm { csrf: csrf?, action: action?, role: role?, version: version?, key: key?, note, attributes })
    }
}
