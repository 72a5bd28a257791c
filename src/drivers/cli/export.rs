//! `renewflow export [--format csv|jsonl|xes] [--workflow ID[@VERSION]] [--output FILE]`: the
//! store's histories as an event log in the process-mining conventions the audit reads
//! (`case:concept:name`, `concept:name`, `time:timestamp`, `org:role`, `org:resource`, and
//! `case:<attribute>`), so a live store's cases can be taken into PM4Py, Disco or
//! `renewflow audit`. It only reads the store, from one snapshot, a page of cases at a time.

use std::fmt::Write as _;
use std::io::Write;

use clap::Args;
use serde_json::{Map, Value as Json};

use super::format::{OutputFormat, json_line, plural, push_csv_row};
use super::output::Output;
use super::store::open_engine_to_read;
use super::{Context, EXIT_OK};
use crate::core::case::{Event, EventKind};
use crate::core::printable::{LineBreaks, escape_unprintable};
use crate::core::workflow::{AttributeType, Value, Workflow};
use crate::engine::{Engine, EngineError};
use crate::store::{CaseFilter, SqliteStore, Store as _};

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// Only the cases of this workflow id, or of one of its versions (`ID@VERSION`).
    #[arg(long, value_name = "WORKFLOW")]
    workflow: Option<String>,
}

/// Cases read from the store at a time.
const CASES_PER_PAGE: u64 = 1_000;

/// The log formats, chosen with `--format` (`csv` by default).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LogFormat {
    Csv,
    Jsonl,
    Xes,
}

/// What was written: cases and events.
#[derive(Clone, Copy, Debug, Default)]
struct Written {
    cases: usize,
    events: usize,
}

pub(crate) fn run(context: &Context, args: &ExportArgs) -> anyhow::Result<i32> {
    let format = match context.format {
        // `--format` is `table` unless given: the export's own default is CSV.
        OutputFormat::Table | OutputFormat::Csv => LogFormat::Csv,
        OutputFormat::Jsonl => LogFormat::Jsonl,
        OutputFormat::Xes => LogFormat::Xes,
        other => {
            return context.format.unsupported(
                "export",
                other,
                &[OutputFormat::Csv, OutputFormat::Jsonl, OutputFormat::Xes],
            );
        }
    };
    let (workflow, version) = match args.workflow.as_deref().map(|text| text.split_once('@').unwrap_or((text, ""))) {
        None => (None, None),
        Some((workflow, "")) => (Some(workflow.to_owned()), None),
        Some((workflow, version)) => (Some(workflow.to_owned()), Some(version.to_owned())),
    };
    let mut engine = open_engine_to_read(context)?;
    let filter = CaseFilter { workflow, version, limit: Some(CASES_PER_PAGE), ..CaseFilter::default() };
    engine.store().begin_snapshot()?;
    let written = export(&mut engine, format, &filter, &context.output);
    engine.store().end_snapshot()?;
    let written = written?;
    let cases = plural(written.cases as u64, "case", "cases");
    let events = plural(written.events as u64, "event", "events");
    let to = context.output.path().map(|path| format!(" to `{}`", path.display())).unwrap_or_default();
    eprintln!("{}", super::format::shown(&format!("exported {cases} ({events}){to}")));
    Ok(EXIT_OK)
}

/// Writes the log to `output` or stdout.
fn export(
    engine: &mut Engine<SqliteStore>,
    format: LogFormat,
    filter: &CaseFilter,
    output: &Output,
) -> anyhow::Result<Written> {
    let attributes = attribute_columns(engine, filter)?;
    // `--output FILE` is replaced atomically: on any error the previous file stays. A reader
    // of stdout that stops reading ends the export quietly (exit 0).
    let mut out = output.writer();
    let written = write_log(engine, format, filter, &attributes, &mut out)?;
    out.flush()?;
    Ok(written)
}

/// The attribute names of every deployed version in scope, each once, in declaration order:
/// the log's attribute columns. A workflow in scope must be deployed.
fn attribute_columns(engine: &mut Engine<SqliteStore>, filter: &CaseFilter) -> anyhow::Result<Vec<String>> {
    let in_scope: Vec<i64> = engine
        .store()
        .deployments()?
        .into_iter()
        .filter(|deployment| {
            filter.workflow.as_ref().is_none_or(|workflow| *workflow == deployment.workflow)
                && filter.version.as_ref().is_none_or(|version| *version == deployment.version)
        })
        .map(|deployment| deployment.key)
        .collect();
    if let (Some(workflow), true) = (&filter.workflow, in_scope.is_empty()) {
        return Err(EngineError::NotDeployed { workflow: workflow.clone(), version: filter.version.clone() }.into());
    }
    let mut names: Vec<String> = Vec::new();
    for key in in_scope {
        for attribute in engine.workflow(key)?.attributes() {
            if !names.contains(&attribute.name) {
                names.push(attribute.name.clone());
            }
        }
    }
    Ok(names)
}

fn write_log(
    engine: &mut Engine<SqliteStore>,
    format: LogFormat,
    filter: &CaseFilter,
    attributes: &[String],
    out: &mut dyn Write,
) -> anyhow::Result<Written> {
    let mut written = Written::default();
    out.write_all(log_header(format, attributes).as_bytes())?;
    let mut page = filter.clone();
    loop {
        let cases = engine.store().list_cases(&page)?;
        for listed in &cases {
            let view = engine.case(&listed.case.id)?;
            let rows = case_rows(&view.workflow, &view.events, attributes);
            let case = CaseLog { number: &view.row.number, workflow: &view.workflow, rows: &rows };
            out.write_all(case_text(format, &case, attributes)?.as_bytes())?;
            written.cases += 1;
            written.events += rows.len();
        }
        match cases.last() {
            Some(last) if cases.len() as u64 == CASES_PER_PAGE => page.after = Some(last.case.id.clone()),
            _ => break,
        }
    }
    if format == LogFormat::Xes {
        out.write_all(b"</log>\n")?;
    }
    Ok(written)
}

/// One case's rows and what names it.
struct CaseLog<'a> {
    number: &'a str,
    workflow: &'a Workflow,
    rows: &'a [LogRow],
}

/// One step of a history as a log row.
struct LogRow {
    activity: String,
    /// RFC 3339 with the event's offset.
    at: chrono::DateTime<chrono::FixedOffset>,
    role: Option<String>,
    resource: Option<String>,
    /// The value in force of each attribute column (`None`: no value, or not the workflow's).
    values: Vec<Option<AttributeText>>,
}

/// An attribute value as the audit reads it back, with its type for XES.
#[derive(Clone, Debug, PartialEq, Eq)]
struct AttributeText {
    text: String,
    xes_type: &'static str,
}

/// The steps of a history: the opening (as the workflow's initial state, which opens a case in
/// the audit), each action and each extension. Attribute changes are carried in the attribute
/// columns of the rows from then on (the values in force at each step, so a guard replayed by
/// the audit sees what the engine saw); `done` steps are the engine's own and the audit takes
/// them again; notes are not steps.
fn case_rows(workflow: &Workflow, events: &[Event], columns: &[String]) -> Vec<LogRow> {
    let ids: Vec<Option<crate::core::workflow::AttributeId>> =
        columns.iter().map(|name| workflow.attribute_named(name)).collect();
    let mut values: Vec<Option<AttributeText>> = vec![None; columns.len()];
    let set = |values: &mut Vec<Option<AttributeText>>, attribute, value: Option<&Value>| {
        if let Some(column) = ids.iter().position(|id| *id == Some(attribute)) {
            values[column] = value.map(|value| attribute_text(value, &workflow.attribute(attribute).kind));
        }
    };
    let mut rows = Vec::new();
    for event in events {
        let activity = match &event.kind {
            EventKind::Opened { attributes } => {
                for (attribute, value) in attributes {
                    set(&mut values, *attribute, Some(value));
                }
                workflow.state(workflow.initial()).name.clone()
            }
            EventKind::AttributeSet { attribute, value } => {
                set(&mut values, *attribute, value.as_ref());
                continue;
            }
            EventKind::Acted { action, .. } | EventKind::Extended { action, .. } => {
                workflow.action(*action).name.clone()
            }
            EventKind::Done { .. } | EventKind::Noted { .. } => continue,
        };
        rows.push(LogRow {
            activity,
            at: event.at,
            role: event.role.map(|role| workflow.role(role).name.clone()),
            resource: event.actor.clone(),
            values: values.clone(),
        });
    }
    rows
}

/// A value as the audit parses it back: text as it is (a guard writes it quoted), the rest as
/// a guard writes it.
fn attribute_text(value: &Value, kind: &AttributeType) -> AttributeText {
    let (text, xes_type) = match value {
        Value::Text(text) => (text.clone(), "string"),
        Value::Bool(_) => (value.render(kind), "boolean"),
        Value::Integer(_) => (value.render(kind), "int"),
        _ => (value.render(kind), "string"),
    };
    AttributeText { text, xes_type }
}

/// The log's first lines: the CSV header, the XES log's opening; nothing for JSON Lines.
fn log_header(format: LogFormat, attributes: &[String]) -> String {
    match format {
        LogFormat::Csv => {
            let mut header: Vec<String> = ["case:concept:name", "case:workflow", "concept:name", "time:timestamp"]
                .into_iter()
                .chain(["org:role", "org:resource"])
                .map(str::to_owned)
                .collect();
            header.extend(attributes.iter().map(|name| format!("case:{name}")));
            let mut text = String::new();
            push_csv_row(&mut text, header);
            text
        }
        LogFormat::Jsonl => String::new(),
        LogFormat::Xes => concat!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
            "<log xes.version=\"1849-2016\" xmlns=\"http://www.xes-standard.org/\">\n",
            "  <extension name=\"Concept\" prefix=\"concept\" uri=\"http://www.xes-standard.org/concept.xesext\"/>\n",
            "  <extension name=\"Time\" prefix=\"time\" uri=\"http://www.xes-standard.org/time.xesext\"/>\n",
            "  <extension name=\"Organizational\" prefix=\"org\" uri=\"http://www.xes-standard.org/org.xesext\"/>\n",
            "  <classifier name=\"Activity\" keys=\"concept:name\"/>\n",
        )
        .to_owned(),
    }
}

/// One case in the log's format.
fn case_text(format: LogFormat, case: &CaseLog<'_>, attributes: &[String]) -> anyhow::Result<String> {
    let reference = format!("{}@{}", case.workflow.id(), case.workflow.version());
    let mut text = String::new();
    match format {
        LogFormat::Csv => {
            for row in case.rows {
                let mut cells = vec![
                    case.number.to_owned(),
                    reference.clone(),
                    row.activity.clone(),
                    row.at.to_rfc3339(),
                    row.role.clone().unwrap_or_default(),
                    row.resource.clone().unwrap_or_default(),
                ];
                cells.extend(
                    row.values.iter().map(|value| value.as_ref().map(|value| value.text.clone()).unwrap_or_default()),
                );
                push_csv_row(&mut text, cells);
            }
        }
        LogFormat::Jsonl => {
            for row in case.rows {
                let mut object = Map::new();
                object.insert("case:concept:name".to_owned(), Json::from(case.number));
                object.insert("case:workflow".to_owned(), Json::from(reference.as_str()));
                object.insert("concept:name".to_owned(), Json::from(row.activity.as_str()));
                object.insert("time:timestamp".to_owned(), Json::from(row.at.to_rfc3339()));
                if let Some(role) = &row.role {
                    object.insert("org:role".to_owned(), Json::from(role.as_str()));
                }
                if let Some(resource) = &row.resource {
                    object.insert("org:resource".to_owned(), Json::from(resource.as_str()));
                }
                for (name, value) in attributes.iter().zip(&row.values) {
                    if let Some(value) = value {
                        object.insert(format!("case:{name}"), Json::from(value.text.as_str()));
                    }
                }
                text.push_str(&json_line(&object)?);
            }
        }
        LogFormat::Xes => xes_trace(&mut text, case, &reference, attributes),
    }
    Ok(text)
}

/// A case as an XES trace: its number, workflow and opening values as trace attributes, and on
/// each event the values that differ from them.
fn xes_trace(text: &mut String, case: &CaseLog<'_>, reference: &str, attributes: &[String]) {
    let opening = case.rows.first().map(|row| row.values.clone()).unwrap_or_default();
    text.push_str("  <trace>\n");
    xes_attribute(text, 4, "string", "concept:name", case.number);
    xes_attribute(text, 4, "string", "workflow", reference);
    for (name, value) in attributes.iter().zip(&opening) {
        if let Some(value) = value {
            xes_attribute(text, 4, value.xes_type, name, &value.text);
        }
    }
    for row in case.rows {
        text.push_str("    <event>\n");
        xes_attribute(text, 6, "string", "concept:name", &row.activity);
        let at = row.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, false);
        xes_attribute(text, 6, "date", "time:timestamp", &at);
        if let Some(role) = &row.role {
            xes_attribute(text, 6, "string", "org:role", role);
        }
        if let Some(resource) = &row.resource {
            xes_attribute(text, 6, "string", "org:resource", resource);
        }
        for ((name, value), first) in attributes.iter().zip(&row.values).zip(&opening) {
            if let Some(value) = value.as_ref().filter(|value| Some(*value) != first.as_ref()) {
                xes_attribute(text, 6, value.xes_type, name, &value.text);
            }
        }
        text.push_str("    </event>\n");
    }
    text.push_str("  </trace>\n");
}

/// `<type key="…" value="…"/>`, its text with control and bidirectional characters escaped as
/// every output shows them (XML 1.0 cannot carry most controls at all), then XML-escaped.
fn xes_attribute(text: &mut String, indent: usize, element: &str, key: &str, value: &str) {
    let escaped =
        |raw: &str| quick_xml::escape::escape(escape_unprintable(raw, LineBreaks::Escaped).as_ref()).into_owned();
    let _ = writeln!(text, "{:indent$}<{element} key=\"{}\" value=\"{}\"/>", "", escaped(key), escaped(value));
}
