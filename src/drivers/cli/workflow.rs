//! `renewflow workflow validate|describe|compare|deploy|list|show`: read workflow files (and the
//! files they extend) from disk, and hand them to the core; `list` and `show` read the store
//! (`workflow_store.rs`).

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, Subcommand};
use serde_json::json;

use super::format::{DataFormat, OutputFormat, csv, shown, table};
use super::{Context, EXIT_OK, EXIT_USAGE, regular_file, render_diagnostic};
use crate::core::calendar::Calendars;
use crate::core::workflow::{SourceReader, WORKFLOW_FILE_BYTES_MAX, Workflow, WorkflowError, load_workflow};

#[derive(Debug, Args)]
pub(crate) struct WorkflowArgs {
    #[command(subcommand)]
    command: WorkflowCommand,
}

#[derive(Debug, Subcommand)]
enum WorkflowCommand {
    /// Check workflow files; every problem is reported with file, line and column.
    Validate {
        /// Workflow files (YAML); the files they `extends` are read beside them.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Show a workflow's states, transitions and clocks (`--format table|mermaid|dot|json`).
    Describe {
        /// A workflow file (YAML).
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Compare a baseline with a reform: limits stage by stage and matter by matter, the longest
    /// legal path per profile, and what running steps in parallel saves
    /// (`--format table|json|csv|markdown`).
    Compare {
        /// The workflow before the reform (YAML).
        #[arg(value_name = "BASE")]
        base: PathBuf,
        /// The same workflow after it: a new version of the same id.
        #[arg(value_name = "REFORM")]
        reform: PathBuf,
    },
    /// Store workflow versions in the case store (`--db`), so cases can be opened on them.
    /// Deploying the same content again changes nothing; running cases keep their version.
    Deploy {
        /// Workflow files (YAML), each stored with the files it `extends`.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// The workflow versions deployed in the store (`--db`): content hash, when deployed, and
    /// open and finished cases per version.
    List,
    /// The stored source of a deployed workflow version (its main file, then each file it
    /// extends), with its content hash checked against it; exit 1 when it no longer matches.
    Show {
        /// The workflow id (as `workflow list` shows it).
        #[arg(value_name = "WORKFLOW")]
        workflow: String,
        /// The deployed version to show (default: the newest).
        #[arg(long = "workflow-version", value_name = "VERSION")]
        version: Option<String>,
    },
}

pub(crate) fn run(context: &Context, args: WorkflowArgs) -> anyhow::Result<i32> {
    match args.command {
        WorkflowCommand::Validate { files } => validate(context, &files),
        WorkflowCommand::Describe { file } => {
            let workflow = load_or_report(&file, context.workflow_reader(), &context.calendars)?;
            context.output.write(&shown(&super::describe::describe(&workflow, context.format)?))?;
            Ok(EXIT_OK)
        }
        WorkflowCommand::Compare { base, reform } => {
            let base = load_or_report(&base, context.workflow_reader(), &context.calendars)?;
            let reform = load_or_report(&reform, context.workflow_reader(), &context.calendars)?;
            context.output.write(&shown(&super::compare::compare(&base, &reform, context.format)?))?;
            Ok(EXIT_OK)
        }
        WorkflowCommand::Deploy { files } => deploy(context, &files),
        WorkflowCommand::List => super::workflow_store::list(context),
        WorkflowCommand::Show { workflow, version } => {
            super::workflow_store::show(context, &workflow, version.as_deref())
        }
    }
}

fn deploy(context: &Context, files: &[PathBuf]) -> anyhow::Result<i32> {
    let format = context.format.data("workflow deploy")?;
    for file in files {
        load_or_report(file, context.workflow_reader(), &context.calendars)?;
    }
    let mut engine = super::store::open_engine(context)?;
    let mut rows = Vec::new();
    for file in files {
        let name = file.display().to_string();
        let text = read_limited(file).with_context(|| format!("reading workflow `{name}`"))?;
        let deployed = engine
            .deploy(&name, &text, &mut context.workflow_reader(), super::store::now())
            .with_context(|| format!("deploying `{name}`"))?;
        rows.push(json!({
            "file": name, "workflow": deployed.workflow, "version": deployed.version,
            "content_hash": format!("sha256:{}", deployed.content_hash), "new": deployed.new,
            "deployed_at": deployed.deployed_at,
        }));
    }
    let columns = ["file", "workflow", "version", "new", "deployed_at", "content_hash"];
    context.output.write(&super::format::records(format, &columns, &rows)?)?;
    Ok(EXIT_OK)
}

/// A workflow refused by the loader; its diagnostics have been printed.
#[derive(Debug, thiserror::Error)]
#[error("workflow `{0}` was refused")]
pub(crate) struct Refused(pub(crate) String);

/// Loads a workflow, printing its diagnostics if it is refused.
pub(crate) fn load_or_report(path: &Path, reader: FileReader, calendars: &Calendars) -> anyhow::Result<Workflow> {
    match load_path(path, reader, calendars)? {
        Ok(workflow) => Ok(workflow),
        Err(error) => {
            eprint!("{}", render_diagnostic(&error));
            Err(Refused(path.display().to_string()).into())
        }
    }
}

/// Loads a workflow file; an unreadable file is an `Err`, a refused one an `Ok(Err(..))`.
fn load_path(
    path: &Path,
    mut reader: FileReader,
    calendars: &Calendars,
) -> anyhow::Result<Result<Workflow, WorkflowError>> {
    let name = path.display().to_string();
    let text = read_limited(path).with_context(|| format!("reading workflow `{name}`"))?;
    Ok(load_workflow(&name, &text, &mut reader, calendars))
}

/// A workflow file's text, read as `regular_file` reads (at most `WORKFLOW_FILE_BYTES_MAX`).
pub(crate) fn read_limited(path: &Path) -> std::io::Result<String> {
    regular_file::read_text(path, WORKFLOW_FILE_BYTES_MAX)
}

/// How far `extends` may reach from the file that names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExtendsReach {
    /// The target, after symbolic links are resolved, lies inside the directory of the file
    /// that names it (or below it).
    SameDirectory,
    /// Any regular file (`--allow-extends-outside-directory`).
    Anywhere,
}

/// Reads `extends` targets relative to the file that names them, as far as `reach` allows.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FileReader {
    pub(crate) reach: ExtendsReach,
}

impl SourceReader for FileReader {
    fn read(&mut self, path: &str, from: &str) -> Result<(String, String), String> {
        let base = Path::new(from).parent().unwrap_or(Path::new(""));
        let joined = base.join(path);
        let read_from = match self.reach {
            ExtendsReach::Anywhere => joined.clone(),
            ExtendsReach::SameDirectory => confined(base, &joined)?,
        };
        let text = read_limited(&read_from).map_err(|error| error.to_string())?;
        Ok((joined.display().to_string(), text))
    }
}

/// `target` with its symbolic links resolved, when it lies inside `directory`. The refusal names
/// paths only: an outside file is never read, so none of it can be quoted.
fn confined(directory: &Path, target: &Path) -> Result<PathBuf, String> {
    let directory = if directory.as_os_str().is_empty() { Path::new(".") } else { directory };
    let inside = directory.canonicalize().map_err(|error| format!("{}: {error}", directory.display()))?;
    let resolved = target.canonicalize().map_err(|error| error.to_string())?;
    if !resolved.starts_with(&inside) {
        return Err(format!(
            "it lies outside `{}`, the directory of the file that names it; \
             `--allow-extends-outside-directory` allows that",
            inside.display()
        ));
    }
    Ok(resolved)
}

fn validate(context: &Context, files: &[PathBuf]) -> anyhow::Result<i32> {
    let format = context.format.data("workflow validate")?;
    let mut results = Vec::new();
    let mut failed = false;
    for file in files {
        let result = load_path(file, context.workflow_reader(), &context.calendars)?;
        if let Err(error) = &result {
            failed = true;
            if format == DataFormat::Table {
                eprint!("{}", render_diagnostic(error));
            }
        }
        results.push((file.display().to_string(), result));
    }
    let output = match format {
        DataFormat::Table => {
            let mut table = table(&["file", "workflow", "version", "states", "transitions", "clocks", "sha256"]);
            for (file, result) in &results {
                if let Ok(workflow) = result {
                    table.add_row(summary_row(file, workflow));
                }
            }
            if table.row_count() == 0 { String::new() } else { format!("{table}\n") }
        }
        DataFormat::Json => {
            let list: Vec<serde_json::Value> =
                results.iter().map(|(file, result)| validate_json(file, result)).collect();
            super::format::json(&list)?
        }
        DataFormat::Csv => {
            let mut rows = vec![
                ["file", "workflow", "version", "states", "transitions", "clocks", "sha256", "problems"]
                    .map(str::to_owned)
                    .to_vec(),
            ];
            for (file, result) in &results {
                let mut row = match result {
                    Ok(workflow) => summary_row(file, workflow),
                    Err(_) => vec![
                        file.clone(),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                    ],
                };
                row.push(result.as_ref().err().map_or(0, |error| error.problems().len()).to_string());
                rows.push(row);
            }
            csv(&rows)
        }
    };
    context.output.write(&shown(&output))?;
    Ok(if failed { EXIT_USAGE } else { EXIT_OK })
}

fn summary_row(file: &str, workflow: &Workflow) -> Vec<String> {
    vec![
        file.to_owned(),
        workflow.id().to_owned(),
        workflow.version().to_owned(),
        workflow.states().len().to_string(),
        workflow.transitions().len().to_string(),
        workflow.clocks().len().to_string(),
        workflow.content_hash_hex(),
    ]
}

fn validate_json(file: &str, result: &Result<Workflow, WorkflowError>) -> serde_json::Value {
    match result {
        Ok(workflow) => json!({
            "file": file, "valid": true, "workflow": workflow.id(), "version": workflow.version(),
            "states": workflow.states().len(), "transitions": workflow.transitions().len(),
            "clocks": workflow.clocks().len(), "content_hash": format!("sha256:{}", workflow.content_hash_hex()),
            "problems": [],
        }),
        Err(error) => json!({
            "file": file, "valid": false,
            "problems": error.problems().iter().map(|problem| json!({
                "file": problem.file, "line": problem.line, "column": problem.column,
                "message": problem.message, "help": problem.help,
            })).collect::<Vec<_>>(),
        }),
    }
}

/// Whether this output format is one `describe` writes.
pub(crate) fn describe_formats() -> [OutputFormat; 4] {
    [OutputFormat::Table, OutputFormat::Mermaid, OutputFormat::Dot, OutputFormat::Json]
}
