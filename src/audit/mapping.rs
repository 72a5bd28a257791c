//! `Mapping`: the optional YAML file that tells the audit how a log names things: which columns
//! hold the case id, activity, timestamp, role, resource and attributes; which activity is which
//! action (several may name one); which activities open a case and which are informational (and
//! skipped); the log's role names; and the zone of timestamps written without an offset. Every name is checked against the workflow, and a problem
//! points at its line and column.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Deserialize;
use serde_saphyr::{Location, Spanned};

use super::log_event::LogColumns;
use crate::core::calendar::CalendarZone;
use crate::core::problem::{Problem, named_text, problems_diagnostic, yaml_error_message};
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

/// A mapping from a log's names to a workflow's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mapping {
    pub columns: LogColumns,
    pub activities: HashMap<String, ActivityMeaning>,
    /// Log role name → workflow role name.
    pub roles: HashMap<String, String>,
    /// The zone the log's timestamps without an offset are written in (default: the calendar's).
    pub zone: Option<CalendarZone>,
}

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
    zone: Option<Spanned<String>>,
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
        let mut mapping = Mapping::default();
        if let Some(zone) = raw.zone {
            match CalendarZone::parse(&zone.value) {
                Ok(parsed) => mapping.zone = Some(parsed),
                Err(error) => problem(Some(&zone.referenced), error.to_string(), "not a time zone"),
            }
        }
        if let Some(columns) = raw.columns {
            let set = |names: &mut Vec<String>, name: Option<String>| {
                if let Some(name) = name {
                    *names = vec![name];
                }
            };
            set(&mut mapping.columns.case_id, columns.case_id);
            set(&mut mapping.columns.activity, columns.activity);
            set(&mut mapping.columns.timestamp, columns.timestamp);
            set(&mut mapping.columns.role, columns.role);
            set(&mut mapping.columns.resource, columns.resource);
            set(&mut mapping.columns.workflow, columns.workflow);
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
            mapping.columns.attributes.push((column.value, attribute.value));
        }
        if problems.is_empty() { Ok(mapping) } else { Err(MappingError::new(file, text, problems)) }
    }
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
