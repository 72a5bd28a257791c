//! Loading a workflow: parse → draft → (reform) → resolve → analyse → hash. Files named by
//! `extends` are read through a `SourceReader` the caller supplies, so the core does no I/O.

use super::analysis::analyse;
use super::checker::{Checker, Origin};
use super::draft::{Draft, read_workflow};
use super::keys::check_keys;
use super::raw::RawWorkflowFile;
use super::reform::apply_reform;
use super::resolve::resolve;
use super::workflow::Workflow;
use super::workflow_error::WorkflowError;
use crate::core::calendar::Calendars;
use crate::core::problem::yaml_error_message;

/// Largest workflow file read, in bytes.
pub const WORKFLOW_FILE_BYTES_MAX: usize = 4 << 20;
/// Longest `extends` chain, counting the first file.
pub const EXTENDS_DEPTH_MAX: usize = 8;

/// Reads the files a workflow `extends`.
pub trait SourceReader {
    /// Reads `path` as written in `extends`, relative to the file `from` that names it. Returns the
    /// name to show in diagnostics and the text.
    ///
    /// # Errors
    ///
    /// A message saying why the file cannot be read.
    fn read(&mut self, path: &str, from: &str) -> Result<(String, String), String>;
}

/// A reader for workflows that extend nothing: every `extends` is refused.
pub struct NoExtends;

impl SourceReader for NoExtends {
    fn read(&mut self, path: &str, _from: &str) -> Result<(String, String), String> {
        Err(format!("`{path}` cannot be read here"))
    }
}

/// Loads and validates the workflow in `text` (shown as `name`), with every file it extends.
///
/// # Errors
///
/// Every problem found, in every file of the chain, each with file, line, column and a label.
///
/// # Example
///
/// ```
/// use renewflow::core::calendar::Calendars;
/// use renewflow::core::workflow::{NoExtends, load_workflow};
///
/// let text = "
/// workflow: tiny
/// version: '1'
/// calendar: cn-mainland
/// roles: {officer: 承办人}
/// states:
///   received: {}
///   done: {final: true}
/// transitions:
///   - {action: decide, from: received, to: done, by: officer}
/// ";
/// let workflow = load_workflow("tiny.yaml", text, &mut NoExtends, &Calendars::builtin()).unwrap();
/// assert_eq!(workflow.states().len(), 2);
/// ```
pub fn load_workflow(
    name: &str,
    text: &str,
    reader: &mut dyn SourceReader,
    calendars: &Calendars,
) -> Result<Workflow, WorkflowError> {
    let mut checker = Checker::new();
    let mut chain = vec![name.to_owned()];
    let loaded = load_file(&mut checker, name, text, reader, calendars, &mut chain);
    match loaded {
        Some((_, workflow)) if !checker.has_problems() => Ok(workflow),
        _ => Err(checker.into_error()),
    }
}

fn load_file(
    checker: &mut Checker,
    name: &str,
    text: &str,
    reader: &mut dyn SourceReader,
    calendars: &Calendars,
    chain: &mut Vec<String>,
) -> Option<(Draft, Workflow)> {
    let source = checker.add_source(name, text);
    if text.len() > WORKFLOW_FILE_BYTES_MAX {
        let message = format!("workflow file is {} bytes, beyond the limit of {WORKFLOW_FILE_BYTES_MAX}", text.len());
        checker.error(&Checker::file_start(source), message, "file too large");
        return None;
    }
    // Every unknown or missing key, before the typed reading, which accepts unknown keys.
    check_keys(checker, source, text);
    let options = serde_saphyr::options! { strict_booleans: true };
    let raw: RawWorkflowFile = match serde_saphyr::from_str_with_options(text, options) {
        Ok(raw) => raw,
        Err(error) => {
            let (message, location) = yaml_error_message(&error);
            let at = location.map_or(Checker::file_start(source), |location| checker.origin(source, &location));
            checker.error(&at, message, "here");
            return None;
        }
    };
    if let Some(extends) = &raw.extends {
        let loaded = extend(checker, source, &raw, extends, reader, calendars, chain)
            .and_then(|(draft, problems_before)| validate(checker, draft, calendars, problems_before));
        // Last, so that they stop no other check: whatever else the file says is read as usual.
        refuse_workflow_keys(checker, source, &raw);
        return loaded;
    }
    if let Some(reform) = &raw.reform {
        let at = checker.value_or_key(&checker.origin(source, &reform.referenced), "reform");
        checker.error(&at, "`reform` needs `extends`: name the workflow it changes", "no base");
    }
    let problems_before = checker.problem_count();
    let draft = read_workflow(checker, source, &raw)?;
    validate(checker, draft, calendars, problems_before)
}

/// Resolves, analyses and hashes a draft: its problems are reported, and `None` if there was one.
/// The analysis runs only when nothing went wrong since `problems_before`, from the start of the
/// draft (a transition whose guard was refused would look unguarded to it).
fn validate(
    checker: &mut Checker,
    draft: Draft,
    calendars: &Calendars,
    problems_before: usize,
) -> Option<(Draft, Workflow)> {
    // Resolve even after problems in the draft, so that every problem is reported at once.
    let mut workflow = resolve(checker, &draft, calendars)?;
    if checker.problem_count() > problems_before {
        return None;
    }
    workflow.index();
    analyse(checker, &workflow, &draft);
    Some((draft, workflow))
}

fn extend(
    checker: &mut Checker,
    source: usize,
    raw: &RawWorkflowFile,
    extends: &serde_saphyr::Spanned<String>,
    reader: &mut dyn SourceReader,
    calendars: &Calendars,
    chain: &mut Vec<String>,
) -> Option<(Draft, usize)> {
    let extends_at = checker.origin(source, &extends.referenced);
    // A missing `version` or `reform` does not stop the base from being checked.
    if raw.version.is_none() {
        checker.error(&Checker::file_start(source), "missing field `version`", "in this file");
    }
    if raw.reform.is_none() {
        checker.error(&extends_at, "a file with `extends` needs a `reform` block", "no reform");
    }
    if chain.len() >= EXTENDS_DEPTH_MAX {
        checker.error(&extends_at, format!("`extends` chains are at most {EXTENDS_DEPTH_MAX} files deep"), "too deep");
        return None;
    }
    let current = checker.sources[source].name.clone();
    let (base_name, base_text) = match reader.read(&extends.value, &current) {
        Ok(found) => found,
        Err(message) => {
            checker.error(&extends_at, format!("cannot read `{}`: {message}", extends.value), "here");
            return None;
        }
    };
    if let Some(position) = chain.iter().position(|seen| *seen == base_name) {
        let message = if position + 1 == chain.len() {
            format!("`{current}` extends itself")
        } else {
            format!("`{base_name}` extends itself through `{current}`")
        };
        checker.error(&extends_at, message, "cycle");
        return None;
    }
    chain.push(base_name.clone());
    let problems_before = checker.problem_count();
    let (mut draft, base) = load_file(checker, &base_name, &base_text, reader, calendars, chain)?;
    // The reform block is checked against a base that loaded: with a broken base, its problems
    // would mostly be the base's again.
    if checker.problem_count() > problems_before {
        return None;
    }
    let problems_before = checker.problem_count();
    let base = std::sync::Arc::new(base);
    let lineage = apply_reform(checker, source, raw.reform.as_ref()?, &mut draft, &base);
    if let Some(version) = &raw.version {
        draft.version = checker.named(source, version);
    }
    if let Some(title) = &raw.title {
        draft.title = Some(title.value.clone());
    }
    draft.lineage.push(lineage);
    Some((draft, problems_before))
}

/// A reform file may only have `extends`, `version`, `title` and `reform`.
fn refuse_workflow_keys(checker: &mut Checker, source: usize, raw: &RawWorkflowFile) {
    let mut refuse = |key: &str, at: Option<Origin>, instead: &str| {
        if let Some(at) = at {
            let at = checker.value_or_key(&at, key);
            let message = format!("`{key}` cannot be set in a file that extends another{instead}");
            checker.error(&at, message, "not in a reform");
        }
    };
    let at = |location: Option<&serde_saphyr::Location>| {
        location.map(|location| Origin {
            source,
            line: location.line(),
            column: location.column(),
            span: crate::core::problem::byte_span(location),
        })
    };
    refuse("workflow", at(raw.workflow.as_ref().map(|v| &v.referenced)), "; a reform keeps its base's id");
    refuse("calendar", at(raw.calendar.as_ref().map(|v| &v.referenced)), "");
    refuse("roles", at(raw.roles.as_ref().map(|v| &v.referenced)), "");
    refuse("actions", at(raw.actions.as_ref().map(|v| &v.referenced)), "");
    refuse("attributes", at(raw.attributes.as_ref().map(|v| &v.referenced)), "");
    refuse("stages", at(raw.stages.as_ref().map(|v| &v.referenced)), "");
    refuse("initial", at(raw.initial.as_ref().map(|v| &v.referenced)), "");
    refuse("states", at(raw.states.as_ref().map(|v| &v.referenced)), "; use `reform.add_states`");
    refuse("transitions", at(raw.transitions.as_ref().map(|v| &v.referenced)), "; use `reform.add_transitions`");
    refuse("clocks", at(raw.clocks.as_ref().map(|v| &v.referenced)), "");
}
