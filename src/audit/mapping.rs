//! `Mapping`: the optional YAML file that tells the audit how a log names things: which columns
//! hold the case id, activity, timestamp, role, resource and attributes; which activity is which
//! action (several may name one); which activities open a case and which are informational (and
//! skipped); the log's role names; the cells that mean "no value" (`missing`); and the zone of
//! timestamps written without an offset. Every name is checked against the workflow, and a
//! problem points at its line and column.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Deserialize;
use serde_saphyr::{Location, Spanned};

use super::log_event::{LogColumns, MappedColumn};
use crate::core::calendar::CalendarZone;
use crate::core::problem::{Problem, byte_span, named_text, problems_diagnostic, yaml_error_message};
use crate::core::spanned_map::SpannedMap;
use crate::core::suggest::nearest;
use crate::core::workflow::Workflow;

/// Largest mapping file read, in bytes.
pub const MAPPING_FILE_BYTES_MAX: usize = 1 << 20;

/// What an activity of the log stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActivityMeaning {
    /// One of the workflow's actions.
    Action(String),
    /// The case opens (the workflow's initial state).
    Opens,
    /// Nothing the workflow tracks: skipped.
    Informational,
}

/// How a case of the log is opened (`open:`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OpenRule {
    /// By an opening activity (`opening:`, the initial state's name or title) or by a step the
    /// initial state allows that does not end the case at once; a case whose first modelled row
    /// is anything else is an `AUD012`, and its rows are left out until one opens it.
    #[default]
    OpeningActivity,
    /// At its first event, whatever the activity; an opening activity seen again is an ordinary
    /// row (a step when it names one, otherwise skipped without a finding).
    FirstEvent,
}

impl OpenRule {
    /// As the mapping file writes it.
    pub fn name(self) -> &'static str {
        match self {
            OpenRule::OpeningActivity => "opening-activity",
            OpenRule::FirstEvent => "first-event",
        }
    }
}

/// How a case with no closing activity is settled (`settle:`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SettleRule {
    /// It stays open to the audit date (`AUD005`).
    #[default]
    AsOf,
    /// It ends at its last event: counted to that date, with no `AUD005`.
    LastEvent,
}

impl SettleRule {
    /// As the mapping file writes it.
    pub fn name(self) -> &'static str {
        match self {
            SettleRule::AsOf => "as-of",
            SettleRule::LastEvent => "last-event",
        }
    }
}

/// A mapping from a log's names to a workflow's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mapping {
    pub columns: LogColumns,
    pub activities: HashMap<String, ActivityMeaning>,
    /// Log role name → workflow role name.
    pub roles: HashMap<String, String>,
    pub open: OpenRule,
    pub settle: SettleRule,
    /// The `lifecycle:transition` values whose rows are steps, lower-cased (`complete` unless
    /// the mapping's `lifecycle.steps` says otherwise); a row without one is a step.
    pub lifecycle_steps: Vec<String>,
    /// Whether `start` rows are paired with the `complete` row of the same activity and case,
    /// to measure the activity's own working time (`lifecycle.pair`).
    pub lifecycle_pair: bool,
    /// The zone the log's timestamps without an offset are written in (default: the calendar's).
    pub zone: Option<CalendarZone>,
}

impl Mapping {
    /// Whether a row with this `lifecycle:transition` value (if any) is a step.
    pub fn is_step(&self, lifecycle: Option<&str>) -> bool {
        let Some(lifecycle) = lifecycle.map(str::trim).filter(|value| !value.is_empty()) else { return true };
        if self.lifecycle_steps.is_empty() {
            return lifecycle.eq_ignore_ascii_case(LIFECYCLE_STEP_DEFAULT);
        }
        self.lifecycle_steps.iter().any(|step| lifecycle.eq_ignore_ascii_case(step))
    }
}

/// The lifecycle transition whose rows are steps when the mapping names none, as in PM4Py and
/// Disco.
pub(crate) const LIFECYCLE_STEP_DEFAULT: &str = "complete";

/// A mapping file that was refused, with every problem found in it.
#[derive(Debug)]
pub struct MappingError {
    file: String,
    problems: Vec<Problem>,
}

impl MappingError {
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
}

problems_diagnostic!(MappingError, "mapping file");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    columns: Option<RawColumns>,
    activities: Option<SpannedMap<String, Spanned<String>>>,
    opening: Option<Vec<Spanned<String>>>,
    informational: Option<Vec<Spanned<String>>>,
    roles: Option<SpannedMap<String, Spanned<String>>>,
    attributes: Option<SpannedMap<String, Spanned<String>>>,
    /// Cells that mean "no value". YAML reads an unquoted `NULL` or `~` as null, not as the
    /// text: a null is taken as written in the file.
    missing: Option<Vec<Spanned<Option<String>>>>,
    zone: Option<Spanned<String>>,
    open: Option<RawOpen>,
    settle: Option<RawSettle>,
    lifecycle: Option<RawLifecycle>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLifecycle {
    steps: Option<Vec<Spanned<String>>>,
    pair: Option<Spanned<bool>>,
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum RawOpen {
    OpeningActivity,
    FirstEvent,
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum RawSettle {
    AsOf,
    LastEvent,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawColumns {
    case_id: Option<String>,
    activity: Option<String>,
    timestamp: Option<String>,
    role: Option<String>,
    resource: Option<String>,
    workflow: Option<String>,
    lifecycle: Option<String>,
    opened_at: Option<String>,
}

impl Mapping {
    /// Reads a mapping file and checks its names against `workflow`.
    ///
    /// # Errors
    ///
    /// [`MappingError`] with every problem, each at its line and column.
    ///
    /// # Example
    ///
    /// ```
    /// # use renewflow::core::calendar::Calendars;
    /// # use renewflow::core::workflow::{NoExtends, load_workflow};
    /// use renewflow::audit::{ActivityMeaning, Mapping};
    /// # let licence = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml"));
    /// # let workflow = load_workflow("licence.yaml", licence, &mut NoExtends, &Calendars::builtin()).unwrap();
    /// let text = "activities:\n  受理: accept\n  准予许可: grant\nopening: [收件]\nroles:\n  窗口: officer\n";
    /// let mapping = Mapping::parse("mapping.yaml", text, &workflow).unwrap();
    /// assert_eq!(mapping.activities["受理"], ActivityMeaning::Action("accept".to_owned()));
    /// assert_eq!(mapping.activities["收件"], ActivityMeaning::Opens);
    ///
    /// let error = Mapping::parse("mapping.yaml", "activities:\n  受理: acept\n", &workflow).unwrap_err();
    /// assert_eq!(
    ///     error.to_string(),
    ///     "mapping.yaml:2:7: `acept` is not an action of workflow `administrative-license`; did you mean `accept`?"
    /// );
    /// ```
    pub fn parse(file: &str, text: &str, workflow: &Workflow) -> Result<Mapping, MappingError> {
        let mut problems = Vec::new();
        let mut problem = |location: Option<&Location>, message: String, label: &str| {
            problems.push(Problem::at(file, location, message, label));
        };
        if text.len() > MAPPING_FILE_BYTES_MAX {
            problem(
                None,
                format!("mapping file is {} bytes, beyond the limit of {MAPPING_FILE_BYTES_MAX}", text.len()),
                "file too large",
            );
            return Err(MappingError::new(file, text, problems));
        }
        let options = serde_saphyr::options! { strict_booleans: true };
        let raw: RawMapping = match serde_saphyr::from_str_with_options(text, options) {
            Ok(raw) => raw,
            Err(error) => {
                let (message, location) = yaml_error_message(&error);
                problem(location.as_ref(), message, "here");
                return Err(MappingError::new(file, text, problems));
            }
        };
        let mut mapping = Mapping {
            columns: log_columns(file, text, raw.columns, raw.missing),
            open: open_rule(raw.open),
            settle: settle_rule(raw.settle),
            ..Mapping::default()
        };
        if let Some(zone) = raw.zone {
            match CalendarZone::parse(&zone.value) {
                Ok(parsed) => mapping.zone = Some(parsed),
                Err(error) => problem(Some(&zone.referenced), error.to_string(), "not a time zone"),
            }
        }
        let not_of = |what: &str, name: &str, known: &mut dyn Iterator<Item = &str>| {
            let mut message = format!("`{name}` is not {what} of workflow `{}`", workflow.id());
            if let Some(near) = nearest(name, known) {
                message = format!("{message}; did you mean `{near}`?");
            }
            message
        };
        for (activity, action) in raw.activities.unwrap_or_default().0 {
            if workflow.action_named(&action.value).is_none() {
                let message =
                    not_of("an action", &action.value, &mut workflow.actions().iter().map(|a| a.name.as_str()));
                problem(Some(&action.referenced), message, "unknown action");
                continue;
            }
            mapping.activities.insert(activity.value, ActivityMeaning::Action(action.value));
        }
        for (list, meaning) in
            [(raw.opening, ActivityMeaning::Opens), (raw.informational, ActivityMeaning::Informational)]
        {
            for activity in list.unwrap_or_default() {
                if mapping.activities.contains_key(&activity.value) {
                    let message = format!("activity `{}` is mapped twice", activity.value);
                    problem(Some(&activity.referenced), message, "mapped before");
                    continue;
                }
                mapping.activities.insert(activity.value, meaning.clone());
            }
        }
        if let Some(lifecycle) = raw.lifecycle {
            mapping.lifecycle_pair = lifecycle.pair.as_ref().is_some_and(|pair| pair.value);
            if let Some(pair) = lifecycle.pair.as_ref().filter(|pair| pair.value)
                && lifecycle.steps.iter().flatten().any(|step| step.value.trim().eq_ignore_ascii_case("start"))
            {
                let message = "`start` rows cannot be steps and be paired with their completion at once".to_owned();
                problem(Some(&pair.referenced), message, "start is a step");
            }
            if let Some(steps) = lifecycle.steps {
                mapping.lifecycle_steps = lifecycle_steps(steps, &mut problem);
            }
        }
        for (log_role, role) in raw.roles.unwrap_or_default().0 {
            if workflow.role_named(&role.value).is_none() {
                let message = not_of("a role", &role.value, &mut workflow.roles().iter().map(|r| r.name.as_str()));
                problem(Some(&role.referenced), message, "unknown role");
                continue;
            }
            mapping.roles.insert(log_role.value, role.value);
        }
        for (column, attribute) in raw.attributes.unwrap_or_default().0 {
            if workflow.attribute_named(&attribute.value).is_none() {
                let message = not_of(
                    "an attribute",
                    &attribute.value,
                    &mut workflow.attributes().iter().map(|a| a.name.as_str()),
                );
                problem(Some(&attribute.referenced), message, "unknown attribute");
                continue;
            }
            let mapped =
                MappedColumn { file: file.to_owned(), key: "attributes".to_owned(), column: column.value.clone() };
            mapping.columns.mapped.push(mapped);
            mapping.columns.attributes.push((column.value, attribute.value));
        }
        if problems.is_empty() { Ok(mapping) } else { Err(MappingError::new(file, text, problems)) }
    }
}

fn open_rule(raw: Option<RawOpen>) -> OpenRule {
    match raw {
        None | Some(RawOpen::OpeningActivity) => OpenRule::OpeningActivity,
        Some(RawOpen::FirstEvent) => OpenRule::FirstEvent,
    }
}

fn settle_rule(raw: Option<RawSettle>) -> SettleRule {
    match raw {
        None | Some(RawSettle::AsOf) => SettleRule::AsOf,
        Some(RawSettle::LastEvent) => SettleRule::LastEvent,
    }
}

/// The lifecycle transitions a mapping lists as steps, lower-cased; an empty list, an empty
/// transition or one listed twice is a problem.
fn lifecycle_steps(raw: Vec<Spanned<String>>, problem: &mut dyn FnMut(Option<&Location>, String, &str)) -> Vec<String> {
    if raw.is_empty() {
        problem(None, "`lifecycle.steps` names no transition; leave it out for `complete`".to_owned(), "empty");
    }
    let mut steps: Vec<String> = Vec::new();
    for step in raw {
        let value = step.value.trim().to_ascii_lowercase();
        if value.is_empty() {
            problem(Some(&step.referenced), "a lifecycle transition is empty".to_owned(), "empty");
        } else if steps.contains(&value) {
            problem(Some(&step.referenced), format!("lifecycle transition `{value}` is listed twice"), "twice");
        } else {
            steps.push(value);
        }
    }
    steps
}

/// The log's columns as the mapping file `file` (whose text is `text`) names them, and the
/// cells that mean "no value".
fn log_columns(
    file: &str,
    text: &str,
    columns: Option<RawColumns>,
    missing: Option<Vec<Spanned<Option<String>>>>,
) -> LogColumns {
    let mut log = LogColumns::default();
    if let Some(columns) = columns {
        let mut named = Vec::new();
        for (key, names, name) in [
            ("case_id", &mut log.case_id, columns.case_id),
            ("activity", &mut log.activity, columns.activity),
            ("timestamp", &mut log.timestamp, columns.timestamp),
            ("role", &mut log.role, columns.role),
            ("resource", &mut log.resource, columns.resource),
            ("workflow", &mut log.workflow, columns.workflow),
            ("lifecycle", &mut log.lifecycle, columns.lifecycle),
            ("opened_at", &mut log.opened_at, columns.opened_at),
        ] {
            if let Some(name) = name {
                named.push(MappedColumn { file: file.to_owned(), key: format!("columns.{key}"), column: name.clone() });
                *names = vec![name];
            }
        }
        log.mapped = named;
    }
    log.missing = missing
        .unwrap_or_default()
        .into_iter()
        .filter_map(|cell| match cell.value {
            Some(cell) => Some(cell),
            // A null (`NULL`, `~`): the text as written.
            None => byte_span(&cell.referenced).and_then(|(at, length)| text.get(at..at + length)).map(str::to_owned),
        })
        .map(|cell| cell.trim().to_owned())
        .filter(|cell| !cell.is_empty())
        .collect();
    log
}

impl MappingError {
    fn new(file: &str, text: &str, mut problems: Vec<Problem>) -> MappingError {
        let source = Arc::new(named_text(file, text));
        for problem in &mut problems {
            problem.source.get_or_insert_with(|| Arc::clone(&source));
        }
        MappingError { file: file.to_owned(), problems }
    }
}
