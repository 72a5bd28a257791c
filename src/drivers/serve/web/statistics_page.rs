//! The supervision statistics page (监察统计): per organ, role or handler and per month or
//! quarter of a year, the figures [`crate::engine::Engine::supervision`] counts over the cases
//! the visitor may read, and the same per clock; both tables exportable as CSV
//! (`/statistics.csv`, UTF-8 with a byte-order mark so spreadsheet programs read the Chinese).

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use serde::Deserialize;

use super::labels::Lang;
use super::page::{Chrome, Section, error_page, html};
use super::visitor::{Visitor, encode_query_value};
use crate::drivers::cli::format::push_csv_row;
use crate::drivers::serve::problem::Problem;
use crate::drivers::serve::service::Shared;
use crate::engine::{
    ClockFigures, EngineError, Grain, GroupFigures, Grouping, Principal, Supervision, SupervisionQuery, Timeliness,
};
use crate::store::Store as _;

/// The choices in the page's address.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct StatisticsQuery {
    year: Option<i32>,
    /// `month` or `quarter` (the default).
    by: Option<String>,
    /// `organ` (the default), `role` or `handler`.
    group: Option<String>,
    workflow: Option<String>,
    /// For the CSV: `groups` (the default) or `clocks`.
    table: Option<String>,
}

/// The question asked, read from the address.
struct Asked {
    query: SupervisionQuery,
}

impl Asked {
    fn of(query: &StatisticsQuery, today: chrono::NaiveDate) -> Result<Asked, String> {
        let grain = match query.by.as_deref().filter(|by| !by.is_empty()) {
            None => Grain::Quarter,
            Some(by) => {
                Grain::parse(by).ok_or_else(|| format!("unknown period `{by}`: expected `month` or `quarter`"))?
            }
        };
        let grouping = match query.group.as_deref().filter(|group| !group.is_empty()) {
            None => Grouping::Organ,
            Some(group) => Grouping::parse(group)
                .ok_or_else(|| format!("unknown grouping `{group}`: expected `organ`, `role` or `handler`"))?,
        };
        let year = query.year.unwrap_or_else(|| today.year());
        if !(1949..=2200).contains(&year) {
            return Err(format!("year {year} is outside 1949–2200"));
        }
        let workflow = query.workflow.clone().filter(|workflow| !workflow.trim().is_empty());
        Ok(Asked { query: SupervisionQuery { year, grain, grouping, workflow, as_of: today } })
    }

    /// The address of this question with `path` (the page or the CSV).
    fn address(&self, path: &str) -> String {
        let query = &self.query;
        let mut address =
            format!("{path}?year={}&by={}&group={}", query.year, query.grain.name(), query.grouping.name());
        if let Some(workflow) = &query.workflow {
            address.push_str("&workflow=");
            address.push_str(&encode_query_value(workflow));
        }
        address
    }
}

/// The statistics counted, kept until the store changes: counting folds every case of the
/// year, seconds at 100,000 cases, and a supervisor switches between groupings and periods.
#[derive(Default)]
pub(crate) struct StatisticsKept {
    kept: std::sync::Mutex<Vec<KeptCount>>,
}

/// The most counts kept.
const COUNTS_KEPT_MAX: usize = 16;

struct KeptCount {
    /// The store's version they were counted at.
    version: u64,
    /// Whom for: an administrator, or the workflows the key reads (all that counting asks of it).
    readable: (bool, Vec<String>),
    query: SupervisionQuery,
    counted: Arc<Counted>,
}

fn readable_of(principal: &Principal) -> (bool, Vec<String>) {
    let mut workflows: Vec<String> = principal.grants.iter().map(|grant| grant.workflow.clone()).collect();
    workflows.sort();
    (principal.admin, workflows)
}

impl StatisticsKept {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<KeptCount>> {
        self.kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn get(&self, version: u64, principal: &Principal, query: &SupervisionQuery) -> Option<Arc<Counted>> {
        let readable = readable_of(principal);
        self.lock()
            .iter()
            .find(|kept| kept.version == version && kept.readable == readable && kept.query == *query)
            .map(|kept| Arc::clone(&kept.counted))
    }

    fn keep(&self, version: u64, principal: &Principal, query: SupervisionQuery, counted: &Arc<Counted>) {
        let mut kept = self.lock();
        kept.retain(|kept| kept.version == version);
        if kept.len() >= COUNTS_KEPT_MAX {
            kept.remove(0);
        }
        kept.push(KeptCount { version, readable: readable_of(principal), query, counted: Arc::clone(counted) });
    }
}

/// The statistics `query` asks for, as kept or counted now.
async fn counted(service: &Shared, principal: &Principal, query: &SupervisionQuery) -> Result<Arc<Counted>, Problem> {
    let version = service.watch_list.data_version()?;
    if let Some(version) = version
        && let Some(counted) = service.statistics.get(version, principal, query)
    {
        return Ok(counted);
    }
    let (asked_by, asked) = (principal.clone(), query.clone());
    let counted = Arc::new(service.readers.run(move |engine| count(engine, &asked_by, &asked)).await?);
    if let Some(version) = version {
        service.statistics.keep(version, principal, query.clone(), &counted);
    }
    Ok(counted)
}

/// What the page is built from, read on a reader thread.
struct Counted {
    supervision: Supervision,
    workflows: Vec<String>,
    role_titles: BTreeMap<String, String>,
}

fn count(
    engine: &mut crate::engine::Engine<crate::store::SqliteStore>,
    principal: &Principal,
    query: &SupervisionQuery,
) -> Result<Counted, Problem> {
    let mut workflows = Vec::new();
    let mut role_titles = BTreeMap::new();
    for deployment in engine.store().deployments().map_err(EngineError::from)? {
        if !principal.may_read(&deployment.workflow) {
            continue;
        }
        if !workflows.contains(&deployment.workflow) {
            workflows.push(deployment.workflow.clone());
        }
        let workflow = engine.workflow(deployment.key)?;
        for role in workflow.roles() {
            role_titles.entry(role.name.clone()).or_insert_with(|| role.title.clone());
        }
    }
    if let Some(workflow) = &query.workflow {
        principal.check_read(workflow).map_err(Problem::from)?;
    }
    let supervision = engine.supervision(principal, query)?;
    Ok(Counted { supervision, workflows, role_titles })
}

#[derive(Template)]
#[template(path = "statistics.html")]
struct StatisticsPage {
    chrome: Chrome,
    year: i32,
    by_month: bool,
    grouping: &'static str,
    group_label: &'static str,
    workflows: Vec<(String, bool)>,
    groups: Vec<GroupLine>,
    clocks: Vec<ClockLine>,
    cases_counted: u64,
    groups_csv: String,
    clocks_csv: String,
}

struct GroupLine {
    period: String,
    group: String,
    /// No organ, role or handler recorded.
    none: bool,
    cases_handled: u64,
    clocks_finished: u64,
    statutory: String,
    promised: String,
    yellow: u64,
    red: u64,
    median: String,
}

struct ClockLine {
    period: String,
    workflow: String,
    clock: String,
    finished: u64,
    statutory: String,
    promised: String,
    yellow: u64,
    red: u64,
    median: String,
    longest: String,
}

/// `7/9 (77.8%)`, or `—` with nothing to judge.
fn share(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "—".to_owned();
    }
    #[allow(clippy::cast_precision_loss)] // counts of clocks
    let percent = part as f64 * 100.0 / whole as f64;
    format!("{part}/{whole} ({percent:.1}%)")
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return String::new();
    }
    #[allow(clippy::cast_precision_loss)] // counts of clocks
    let percent = part as f64 * 100.0 / whole as f64;
    format!("{percent:.1}")
}

fn figure(value: Option<f64>) -> String {
    value.map_or_else(
        String::new,
        |value| if value.fract() == 0.0 { format!("{value:.0}") } else { format!("{value:.1}") },
    )
}

fn group_name(
    figures: &GroupFigures,
    grouping: Grouping,
    role_titles: &BTreeMap<String, String>,
    lang: Lang,
) -> String {
    match (&figures.group, grouping) {
        (None, _) => lang.labels().none_recorded.to_owned(),
        (Some(role), Grouping::Role) => match role_titles.get(role) {
            Some(title) if title != role => format!("{title} ({role})"),
            _ => role.clone(),
        },
        (Some(name), _) => name.clone(),
    }
}

fn clock_name(figures: &ClockFigures) -> String {
    match &figures.title {
        Some(title) => format!("{title} ({})", figures.clock),
        None => figures.clock.clone(),
    }
}

/// The question in the address and its figures, or the error page saying why not.
async fn asked_and_counted(
    service: &Shared,
    visitor: &Visitor,
    query: &StatisticsQuery,
) -> Result<(Asked, Arc<Counted>), Box<Response>> {
    let lang = visitor.lang;
    let asked = Asked::of(query, service.today())
        .map_err(|refusal| Box::new(error_page(lang, StatusCode::UNPROCESSABLE_ENTITY, &refusal)))?;
    let counted = counted(service, &visitor.principal, &asked.query)
        .await
        .map_err(|problem| Box::new(error_page(lang, problem.status, &problem.detail)))?;
    Ok((asked, counted))
}

/// `GET /statistics`.
pub(crate) async fn statistics_page(
    State(service): State<Shared>,
    visitor: Visitor,
    Query(query): Query<StatisticsQuery>,
) -> Response {
    let lang = visitor.lang;
    let (asked, counted) = match asked_and_counted(&service, &visitor, &query).await {
        Ok(found) => found,
        Err(page) => return *page,
    };
    let t = lang.labels();
    let grouping = asked.query.grouping;
    let page = StatisticsPage {
        chrome: Chrome::for_visitor(&visitor, format!("{} {}", t.statistics, asked.query.year), Section::Statistics),
        year: asked.query.year,
        by_month: asked.query.grain == Grain::Month,
        grouping: grouping.name(),
        group_label: match grouping {
            Grouping::Organ => t.organ,
            Grouping::Role => t.role,
            Grouping::Handler => t.handler,
        },
        workflows: counted
            .workflows
            .iter()
            .map(|workflow| (workflow.clone(), asked.query.workflow.as_ref() == Some(workflow)))
            .collect(),
        groups: counted
            .supervision
            .groups
            .iter()
            .map(|figures| GroupLine {
                period: figures.period.clone(),
                group: group_name(figures, grouping, &counted.role_titles, lang),
                none: figures.group.is_none(),
                cases_handled: figures.cases_handled,
                clocks_finished: figures.timeliness.finished,
                statutory: share(figures.timeliness.statutory_on_time, figures.timeliness.finished),
                promised: share(figures.timeliness.promised_on_time, figures.timeliness.promised_judged),
                yellow: figures.timeliness.yellow_cards,
                red: figures.timeliness.red_cards,
                median: figure(figures.median_working_days),
            })
            .collect(),
        clocks: counted
            .supervision
            .clocks
            .iter()
            .map(|figures| ClockLine {
                period: figures.period.clone(),
                workflow: figures.workflow.clone(),
                clock: clock_name(figures),
                finished: figures.timeliness.finished,
                statutory: share(figures.timeliness.statutory_on_time, figures.timeliness.finished),
                promised: share(figures.timeliness.promised_on_time, figures.timeliness.promised_judged),
                yellow: figures.timeliness.yellow_cards,
                red: figures.timeliness.red_cards,
                median: figures
                    .median_elapsed
                    .map(|median| format!("{} {}", figure(Some(median)), unit_word(lang, figures.unit)))
                    .unwrap_or_default(),
                longest: figures.max_elapsed.map(|longest| lang.count(longest, figures.unit)).unwrap_or_default(),
            })
            .collect(),
        cases_counted: counted.supervision.cases_counted,
        groups_csv: format!("{}&table=groups", asked.address("/statistics.csv")),
        clocks_csv: format!("{}&table=clocks", asked.address("/statistics.csv")),
    };
    html(&page)
}

fn unit_word(lang: Lang, unit: &str) -> &'static str {
    let t = lang.labels();
    if unit == "wd" { t.working_days } else { t.calendar_days }
}

/// `GET /statistics.csv`: one of the page's tables, with the figures as numbers.
pub(crate) async fn statistics_csv(
    State(service): State<Shared>,
    visitor: Visitor,
    Query(query): Query<StatisticsQuery>,
) -> Response {
    let lang = visitor.lang;
    let clocks = match query.table.as_deref() {
        None | Some("" | "groups") => false,
        Some("clocks") => true,
        Some(other) => {
            let refusal = format!("unknown table `{other}`: expected `groups` or `clocks`");
            return error_page(lang, StatusCode::UNPROCESSABLE_ENTITY, &refusal);
        }
    };
    let (asked, counted) = match asked_and_counted(&service, &visitor, &query).await {
        Ok(found) => found,
        Err(page) => return *page,
    };
    // A byte-order mark, so spreadsheet programs read UTF-8.
    let mut text = String::from('\u{feff}');
    if clocks {
        clocks_csv(&mut text, &counted.supervision.clocks);
    } else {
        groups_csv(&mut text, asked.query.grouping, &counted.supervision.groups);
    }
    let name = format!(
        "statistics-{}-{}-{}.csv",
        asked.query.year,
        asked.query.grain.name(),
        if clocks { "clocks" } else { asked.query.grouping.name() }
    );
    let mut response = text.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(disposition) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    response
}

/// The columns every CSV row has after its count of finished clocks.
const TIMELINESS_HEADER: [&str; 7] = [
    "statutory_on_time",
    "statutory_on_time_percent",
    "promised_judged",
    "promised_on_time",
    "promised_on_time_percent",
    "yellow_cards",
    "red_cards",
];

fn timeliness_cells(timeliness: &Timeliness) -> [String; 7] {
    [
        timeliness.statutory_on_time.to_string(),
        percent(timeliness.statutory_on_time, timeliness.finished),
        timeliness.promised_judged.to_string(),
        timeliness.promised_on_time.to_string(),
        percent(timeliness.promised_on_time, timeliness.promised_judged),
        timeliness.yellow_cards.to_string(),
        timeliness.red_cards.to_string(),
    ]
}

fn groups_csv(text: &mut String, grouping: Grouping, groups: &[GroupFigures]) {
    push_csv_row(
        text,
        ["period", grouping.name(), "cases_handled", "clocks_finished"]
            .into_iter()
            .chain(TIMELINESS_HEADER)
            .chain(["median_working_days"]),
    );
    for figures in groups {
        push_csv_row(
            text,
            [
                figures.period.clone(),
                figures.group.clone().unwrap_or_default(),
                figures.cases_handled.to_string(),
                figures.timeliness.finished.to_string(),
            ]
            .into_iter()
            .chain(timeliness_cells(&figures.timeliness))
            .chain([figure(figures.median_working_days)]),
        );
    }
}

fn clocks_csv(text: &mut String, clocks: &[ClockFigures]) {
    push_csv_row(
        text,
        ["period", "workflow", "clock", "title", "unit", "finished"]
            .into_iter()
            .chain(TIMELINESS_HEADER)
            .chain(["median_elapsed", "max_elapsed"]),
    );
    for figures in clocks {
        push_csv_row(
            text,
            [
                figures.period.clone(),
                figures.workflow.clone(),
                figures.clock.clone(),
                figures.title.clone().unwrap_or_default(),
                figures.unit.to_owned(),
                figures.timeliness.finished.to_string(),
            ]
            .into_iter()
            .chain(timeliness_cells(&figures.timeliness))
            .chain([
                figure(figures.median_elapsed),
                figures.max_elapsed.map(|longest| longest.to_string()).unwrap_or_default(),
            ]),
        );
    }
}
