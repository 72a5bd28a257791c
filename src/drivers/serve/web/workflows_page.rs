//! The workflows pages (流程): the deployed versions the visitor may read, each version with its
//! diagram ([`state_diagram`]), clocks and limits (with the reform cuts that made them, their
//! pauses and legal basis, extensions and warnings) and transitions; and the statutory
//! comparison of two versions of one workflow, as `renewflow workflow compare` gives it.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::labels::Lang;
use super::page::{Chrome, Section, error_page, html};
use super::state_diagram::state_diagram;
use super::visitor::{Visitor, encode_query_value};
use crate::core::workflow::{Clock, ClockSpan, Comparison, StateId, Workflow, compare};
use crate::drivers::cli::compare::path_rows;
use crate::drivers::cli::describe::limit_text;
use crate::drivers::serve::problem::Problem;
use crate::drivers::serve::service::Shared;
use crate::engine::{Engine, EngineError, Principal};
use crate::store::{DeploymentRow, SqliteStore, Store as _};

/// Per workflow with two versions or more: its id and versions.
type Comparable = Vec<(String, Vec<String>)>;

/// Two versions of a workflow, when deployed and readable.
type VersionPair = (Option<Arc<Workflow>>, Option<Arc<Workflow>>);

/// A deployed version, as listed.
struct VersionLine {
    workflow: String,
    version: String,
    title: String,
    href: String,
    deployed_at: String,
    content_hash: String,
    open: u64,
    finished: u64,
    /// The version it reforms, and the comparison with it.
    reform_of: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "workflows.html")]
struct WorkflowsPage {
    chrome: Chrome,
    versions: Vec<VersionLine>,
    /// For the comparison forms.
    comparable: Comparable,
}

/// The deployments the principal may read, oldest first, with their workflows.
fn readable(
    engine: &mut Engine<SqliteStore>,
    principal: &Principal,
) -> Result<Vec<(DeploymentRow, Arc<Workflow>)>, Problem> {
    let mut readable = Vec::new();
    for row in engine.store().deployments().map_err(EngineError::from)? {
        if principal.may_read(&row.workflow) {
            let workflow = engine.workflow(row.key)?;
            readable.push((row, workflow));
        }
    }
    Ok(readable)
}

fn version_href(workflow: &str, version: &str) -> String {
    format!("/workflows/{}/{}", encode_query_value(workflow), encode_query_value(version))
}

fn compare_href(workflow: &str, base: &str, reform: &str) -> String {
    format!(
        "/workflows/compare?workflow={}&base={}&reform={}",
        encode_query_value(workflow),
        encode_query_value(base),
        encode_query_value(reform)
    )
}

/// `GET /workflows`.
pub(crate) async fn workflows_page(State(service): State<Shared>, visitor: Visitor) -> Response {
    let lang = visitor.lang;
    let principal = visitor.principal.clone();
    let listed = service
        .readers
        .run(move |engine| -> Result<(Vec<VersionLine>, Comparable), Problem> {
            let counts = engine.store().deployment_cases().map_err(EngineError::from)?;
            let readable = readable(engine, &principal)?;
            let mut versions = Vec::new();
            let mut comparable: Comparable = Vec::new();
            for (row, workflow) in &readable {
                let count = counts.iter().find(|count| count.deployment == row.key);
                let reform_of = workflow.lineage().last().and_then(|lineage| {
                    readable
                        .iter()
                        .any(|(base, _)| base.workflow == lineage.base_id && base.version == lineage.base_version)
                        .then(|| {
                            (
                                lineage.base_version.clone(),
                                compare_href(&row.workflow, &lineage.base_version, &row.version),
                            )
                        })
                });
                versions.push(VersionLine {
                    workflow: row.workflow.clone(),
                    version: row.version.clone(),
                    title: workflow.title().unwrap_or(workflow.id()).to_owned(),
                    href: version_href(&row.workflow, &row.version),
                    deployed_at: lang.instant(&row.deployed_at),
                    content_hash: row.content_hash.chars().take(12).collect(),
                    open: count.map_or(0, |count| count.open),
                    finished: count.map_or(0, |count| count.finished),
                    reform_of,
                });
                match comparable.iter_mut().find(|(id, _)| *id == row.workflow) {
                    Some((_, list)) => list.push(row.version.clone()),
                    None => comparable.push((row.workflow.clone(), vec![row.version.clone()])),
                }
            }
            comparable.retain(|(_, list)| list.len() > 1);
            Ok((versions, comparable))
        })
        .await;
    let (versions, comparable) = match listed {
        Ok(listed) => listed,
        Err(problem) => return error_page(lang, problem.status, &problem.detail),
    };
    let t = lang.labels();
    html(&WorkflowsPage {
        chrome: Chrome::for_visitor(&visitor, t.workflows.to_owned(), Section::Workflows),
        versions,
        comparable,
    })
}

/// A clock as the version page shows it.
struct ClockLine {
    name: String,
    title: String,
    stage: String,
    matter: bool,
    limit: String,
    promised: String,
    span: String,
    pauses: Vec<String>,
    extensions: Vec<String>,
    warnings: String,
    basis: String,
}

struct TransitionLine {
    action: String,
    from: String,
    to: String,
    roles: String,
    guard: String,
}

#[derive(Template)]
#[template(path = "workflow.html")]
struct WorkflowPage {
    chrome: Chrome,
    workflow: String,
    version: String,
    title: String,
    calendar: String,
    content_hash: String,
    deployed_at: String,
    reforms: Vec<String>,
    compare_with_base: Option<(String, String)>,
    diagram: String,
    roles: Vec<(String, String)>,
    clocks: Vec<ClockLine>,
    transitions: Vec<TransitionLine>,
}

fn state_names(workflow: &Workflow, states: &[StateId]) -> String {
    states
        .iter()
        .map(|state| {
            let declared = workflow.state(*state);
            match &declared.title {
                Some(title) => format!("{title} ({})", declared.name),
                None => declared.name.clone(),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn span_words(workflow: &Workflow, clock: &Clock, lang: Lang) -> String {
    let (from_word, until_word, over_word) = match lang {
        Lang::Zh => ("自", "至", "在以下状态内"),
        Lang::En => ("from", "until", "over"),
    };
    match &clock.span {
        ClockSpan::Between { from, until } if until.is_empty() => {
            format!("{from_word} {}", state_names(workflow, from))
        }
        ClockSpan::Between { from, until } => {
            format!("{from_word} {} {until_word} {}", state_names(workflow, from), state_names(workflow, until))
        }
        ClockSpan::Over(states) => format!("{over_word} {}", state_names(workflow, states)),
    }
}

fn clock_line(workflow: &Workflow, clock: &Clock, lang: Lang) -> ClockLine {
    let t = lang.labels();
    let role_names = |roles: &[crate::core::workflow::RoleId]| {
        roles.iter().map(|role| workflow.role(*role).name.clone()).collect::<Vec<_>>().join(", ")
    };
    let mut warnings: Vec<String> = clock.warn_at.iter().map(ToString::to_string).collect();
    warnings.extend(clock.warn_before.iter().map(|before| format!("−{before}")));
    ClockLine {
        name: clock.name.clone(),
        title: clock.title.clone().unwrap_or_default(),
        stage: clock.stage.map(|stage| workflow.stage(stage).title.clone()).unwrap_or_default(),
        matter: clock.matter,
        limit: limit_text(workflow, clock),
        promised: clock.promised_text(workflow).unwrap_or_default(),
        span: span_words(workflow, clock, lang),
        pauses: clock
            .pauses
            .iter()
            .map(|pause| {
                let max = pause.max.map(|max| format!(" ≤ {max}")).unwrap_or_default();
                format!("{}{max}: {}", state_names(workflow, &[pause.state]), pause.basis)
            })
            .collect(),
        extensions: clock
            .extensions
            .iter()
            .map(|extension| {
                let action = workflow.action(extension.action);
                let basis = extension.basis.as_ref().map(|basis| format!(": {basis}")).unwrap_or_default();
                format!(
                    "+{} × {} ({}, {} {}){basis}",
                    extension.by,
                    extension.times,
                    action
                        .title
                        .as_ref()
                        .map_or_else(|| action.name.clone(), |title| format!("{title} {}", action.name)),
                    t.role,
                    role_names(&extension.roles)
                )
            })
            .collect(),
        warnings: warnings.join(", "),
        basis: clock.basis.clone().unwrap_or_default(),
    }
}

/// `GET /workflows/{workflow}/{version}`.
pub(crate) async fn workflow_page(
    State(service): State<Shared>,
    visitor: Visitor,
    Path((workflow_id, version)): Path<(String, String)>,
) -> Response {
    let lang = visitor.lang;
    let principal = visitor.principal.clone();
    let asked = (workflow_id.clone(), version.clone());
    let found = service
        .readers
        .run(move |engine| -> Result<Option<(DeploymentRow, Arc<Workflow>, bool)>, Problem> {
            let readable = readable(engine, &principal)?;
            let found = readable.iter().find(|(row, _)| row.workflow == asked.0 && row.version == asked.1).cloned();
            Ok(found.map(|(row, workflow)| {
                let base_deployed = workflow.lineage().last().is_some_and(|lineage| {
                    readable
                        .iter()
                        .any(|(base, _)| base.workflow == lineage.base_id && base.version == lineage.base_version)
                });
                (row, workflow, base_deployed)
            }))
        })
        .await;
    let (row, workflow, base_deployed) = match found {
        Ok(Some(found)) => found,
        // Another workflow's versions, like a missing one, are not there for this key.
        Ok(None) => {
            let missing = format!("no deployed version {version} of workflow `{workflow_id}`");
            return error_page(lang, StatusCode::NOT_FOUND, &missing);
        }
        Err(problem) => return error_page(lang, problem.status, &problem.detail),
    };
    let page = WorkflowPage {
        chrome: Chrome::for_visitor(&visitor, format!("{} {}", row.workflow, row.version), Section::Workflows),
        workflow: row.workflow.clone(),
        version: row.version.clone(),
        title: workflow.title().unwrap_or(workflow.id()).to_owned(),
        calendar: workflow.calendar().to_owned(),
        content_hash: row.content_hash.clone(),
        deployed_at: lang.instant(&row.deployed_at),
        reforms: workflow
            .lineage()
            .iter()
            .map(|lineage| {
                let rounding = lineage.rounding.map_or("none", |rounding| rounding.name());
                format!(
                    "{} ({} {} → {}; rounding {rounding})",
                    lineage.reform_title, lineage.base_id, lineage.base_version, row.version
                )
            })
            .collect(),
        compare_with_base: workflow.lineage().last().filter(|_| base_deployed).map(|lineage| {
            (lineage.base_version.clone(), compare_href(&row.workflow, &lineage.base_version, &row.version))
        }),
        diagram: state_diagram(&workflow),
        roles: workflow.roles().iter().map(|role| (role.name.clone(), role.title.clone())).collect(),
        clocks: workflow.clocks().iter().map(|clock| clock_line(&workflow, clock, lang)).collect(),
        transitions: workflow
            .transitions()
            .iter()
            .map(|transition| {
                let action = workflow.action(transition.action);
                TransitionLine {
                    action: match &action.title {
                        Some(title) => format!("{title} ({})", action.name),
                        None => action.name.clone(),
                    },
                    from: state_names(&workflow, &transition.from),
                    to: state_names(&workflow, &[transition.to]),
                    roles: transition
                        .roles
                        .iter()
                        .map(|role| workflow.role(*role).name.clone())
                        .collect::<Vec<_>>()
                        .join(", "),
                    guard: transition
                        .guard
                        .as_ref()
                        .map(|guard| guard.render(workflow.attributes()))
                        .unwrap_or_default(),
                }
            })
            .collect(),
    };
    html(&page)
}

/// The comparison asked for.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CompareQuery {
    workflow: Option<String>,
    base: Option<String>,
    reform: Option<String>,
}

struct StageLine {
    title: String,
    matters: usize,
    before: i64,
    after: i64,
    cut: String,
    one_case: String,
}

struct MatterLine {
    title: String,
    stage: String,
    before: String,
    after: String,
    cut: String,
    saved: i64,
}

#[derive(Template)]
#[template(path = "compare.html")]
struct ComparePage {
    chrome: Chrome,
    workflow: String,
    base: String,
    reform: String,
    base_href: String,
    reform_href: String,
    stages: Vec<StageLine>,
    matters: Vec<MatterLine>,
    saved_total: i64,
    parallel: Option<String>,
    rounding: String,
    /// The longest legal path per profile of each version: version, profile, wd, path, beside it.
    paths: Vec<Vec<String>>,
}

/// `GET /workflows/compare?workflow=&base=&reform=`.
pub(crate) async fn compare_page(
    State(service): State<Shared>,
    visitor: Visitor,
    Query(query): Query<CompareQuery>,
) -> Response {
    let lang = visitor.lang;
    let (Some(workflow_id), Some(base), Some(reform)) = (query.workflow, query.base, query.reform) else {
        let missing = "a comparison needs `workflow`, `base` and `reform` (two of its versions)";
        return error_page(lang, StatusCode::UNPROCESSABLE_ENTITY, missing);
    };
    let principal = visitor.principal.clone();
    let asked = (workflow_id.clone(), base.clone(), reform.clone());
    let found = service
        .readers
        .run(move |engine| -> Result<VersionPair, Problem> {
            let readable = readable(engine, &principal)?;
            let find = |version: &str| {
                readable
                    .iter()
                    .find(|(row, _)| row.workflow == asked.0 && row.version == version)
                    .map(|(_, workflow)| Arc::clone(workflow))
            };
            Ok((find(&asked.1), find(&asked.2)))
        })
        .await;
    let (base_workflow, reform_workflow) = match found {
        Ok((Some(base), Some(reform))) => (base, reform),
        Ok((base_found, _)) => {
            let missing = if base_found.is_none() { &base } else { &reform };
            let refusal = format!("no deployed version {missing} of workflow `{workflow_id}`");
            return error_page(lang, StatusCode::NOT_FOUND, &refusal);
        }
        Err(problem) => return error_page(lang, problem.status, &problem.detail),
    };
    let comparison: Comparison = compare(&base_workflow, &reform_workflow);
    let t = lang.labels();
    let page = ComparePage {
        chrome: Chrome::for_visitor(&visitor, format!("{} {workflow_id}", t.compare), Section::Workflows),
        base_href: version_href(&workflow_id, &base),
        reform_href: version_href(&workflow_id, &reform),
        workflow: workflow_id,
        base,
        reform,
        stages: comparison
            .stages
            .iter()
            .map(|stage| StageLine {
                title: format!("{} ({})", stage.title, stage.stage),
                matters: stage.matters,
                before: stage.before_working_days,
                after: stage.after_working_days,
                cut: format!("{:.1}%", stage.cut_percent),
                one_case: if stage.sum_applies_to_one_case() {
                    t.same_as_sum.to_owned()
                } else {
                    format!("{} → {}", stage.before_one_case_working_days, stage.after_one_case_working_days)
                },
            })
            .collect(),
        matters: comparison
            .matters
            .iter()
            .map(|matter| MatterLine {
                title: match &matter.title {
                    Some(title) => format!("{title} ({})", matter.clock),
                    None => matter.clock.clone(),
                },
                stage: matter.stage.clone().unwrap_or_default(),
                before: matter.before.map_or_else(|| "—".to_owned(), |before| before.to_string()),
                after: matter.after.map_or_else(|| "—".to_owned(), |after| after.to_string()),
                cut: matter.cut_percent.map(|cut| format!("{cut:.1}%")).unwrap_or_default(),
                saved: matter.saved_working_days,
            })
            .collect(),
        saved_total: comparison.total_saved_working_days,
        parallel: comparison.parallel.as_ref().map(|parallel| {
            format!(
                "{}: {} wd → {} wd (−{:.1}%)",
                parallel.states.join(", "),
                parallel.serial_working_days,
                parallel.parallel_working_days,
                parallel.cut_percent
            )
        }),
        rounding: comparison.rounding.map_or("none", |rounding| rounding.name()).to_owned(),
        paths: path_rows(&base_workflow, &reform_workflow, &comparison),
    };
    html(&page)
}
