//! `Mapping`: the optional YAML file that tells the audit how a log names things: which columns
//! hold the case id, activity, timestamp, role, resource and attributes; which activity is which
//! action (several may name one); which activities open a case and which are informational (and
//! skipped); the log's role names; and the cells that mean "no value" (`missing`). Every name is
//! checked against the workflow, and a problem points at its line and column.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Deserialize;
use serde_saphyr::{Location, Spanned};

use super::log_event::{LogColumns, MappedColumn};
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

/// A mapping from a log's names to a workflow's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mapping {
    pub columns: LogColumns,
    pub activities: HashMap<String, ActivityMeaning>,
    /// Log role name → workflow role name.
    pub roles: HashMap<String, String>,
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
    /// Cells that mean "no value". YAML reads an unquoted `NULL` or `~` as null, not as the
    /// text: a null is taken as written in the file.
    missing: Option<Vec<Spanned<Option<String>>>>,
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
        let mut mapping = Mapping { columns: log_columns(file, text, raw.columns, raw.missing), ..Mapping::default() };
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
            let mapped =
                MappedColumn { file: file.to_owned(), key: "attributes".to_owned(), column: column.value.clone() };
            mapping.columns.mapped.push(mapped);
            mapping.columns.attributes.push((column.value, attribute.value));
        }
        if problems.is_empty() { Ok(mapping) } else { Err(MappingError::new(file, text, problems)) }
    }
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
