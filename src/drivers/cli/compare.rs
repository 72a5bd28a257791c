//! `renewflow workflow compare BASE REFORM`: the statutory comparison as a table, JSON, CSV or
//! Markdown.

use std::fmt::Write as _;

use serde_json::json;

use super::format::{OutputFormat, csv, table};
use crate::core::workflow::{Comparison, ProfilePath, Workflow, compare as compare_workflows};

/// # Errors
///
/// Two different workflows (their ids differ): their stages and matters match by name only, so
/// the figures would mean nothing. An output format the comparison has no form for.
pub(crate) fn compare(base: &Workflow, reform: &Workflow, format: OutputFormat) -> anyhow::Result<String> {
    if base.id() != reform.id() {
        anyhow::bail!(
            "cannot compare workflow `{}` with workflow `{}`: compare two versions of one workflow, such as a \
             baseline and a reform that extends it",
            base.id(),
            reform.id()
        );
    }
    let comparison = compare_workflows(base, reform);
    Ok(match format {
        OutputFormat::Table => text(base, reform, &comparison, false),
        OutputFormat::Markdown => text(base, reform, &comparison, true),
        OutputFormat::Json => super::format::json(&to_json(base, reform, &comparison))?,
        OutputFormat::Csv => to_csv(&comparison),
        other => {
            let supported = [OutputFormat::Table, OutputFormat::Json, OutputFormat::Csv, OutputFormat::Markdown];
            return format.unsupported("workflow compare", other, &supported);
        }
    })
}

fn one_decimal(value: f64) -> String {
    format!("{value:.1}")
}

fn rounding_name(comparison: &Comparison) -> &'static str {
    comparison.rounding.map_or("none", |rounding| rounding.name())
}

fn path_text(path: &ProfilePath) -> String {
    path.states.join(" → ")
}

fn profile_text(path: &ProfilePath) -> String {
    if path.profile.is_empty() {
        return "every case".to_owned();
    }
    path.profile.iter().map(|(name, value)| format!("{name} = {value}")).collect::<Vec<_>>().join(", ")
}

fn text(base: &Workflow, reform: &Workflow, comparison: &Comparison, markdown: bool) -> String {
    let mut out = String::new();
    let heading = |out: &mut String, title: &str| {
        if markdown {
            let _ = writeln!(out, "\n## {title}\n");
        } else {
            let _ = writeln!(out, "\n{title}");
        }
    };
    let render = |rows: Vec<Vec<String>>, header: &[&str]| -> String {
        if markdown {
            let mut text = format!("| {} |\n|{}\n", header.join(" | "), " --- |".repeat(header.len()));
            for row in rows {
                let _ = writeln!(text, "| {} |", row.join(" | "));
            }
            text
        } else {
            let mut table = table(header);
            for row in rows {
                table.add_row(row);
            }
            format!("{table}\n")
        }
    };
    if markdown {
        let _ = writeln!(out, "# Statutory comparison: {} {} → {}", base.id(), base.version(), reform.version());
    } else {
        let _ = writeln!(
            out,
            "statutory comparison: {} {} → {} {}",
            base.id(),
            base.version(),
            reform.id(),
            reform.version()
        );
    }
    let _ = writeln!(
        out,
        "\n{} matters, {} working days saved in total (sum over matters of before − after); cuts rounded `{}` per matter.",
        comparison.matters.len(),
        comparison.total_saved_working_days,
        rounding_name(comparison)
    );
    heading(&mut out, "Stages");
    out.push_str(&render(stage_rows(comparison), &STAGE_HEADER));
    let _ = writeln!(
        out,
        "\nsum: the stage's matter limits added up, the published convention; one case: the most a single case can \
         face, counting only the clocks that can apply to it together."
    );
    if let Some(parallel) = &comparison.parallel {
        heading(&mut out, "Parallel review");
        let _ = writeln!(
            out,
            "{}: serial {} wd, parallel {} wd, cut {} % (on the base limits)",
            parallel.states.join(", "),
            parallel.serial_working_days,
            parallel.parallel_working_days,
            one_decimal(parallel.cut_percent)
        );
    }
    heading(&mut out, "Longest legal path");
    let rows = path_rows(base, reform, comparison);
    out.push_str(&render(rows, &["version", "profile", "wd", "path", "beside it"]));
    heading(&mut out, "Matters");
    let rows = comparison
        .matters
        .iter()
        .map(|row| {
            vec![
                row.stage.clone().unwrap_or_default(),
                row.clock.clone(),
                row.title.clone().unwrap_or_default(),
                row.before.map_or("—".to_owned(), |p| p.to_string()),
                row.after.map_or("—".to_owned(), |p| p.to_string()),
                row.cut_percent.map_or(String::new(), |cut| format!("{} %", one_decimal(cut))),
                row.saved_working_days.to_string(),
            ]
        })
        .collect();
    out.push_str(&render(rows, &["stage", "matter", "title", "before", "after", "cut", "saved (wd)"]));
    out
}

/// The stage table's columns: the sums (the published convention), then what one case faces.
const STAGE_HEADER: [&str; 9] = [
    "stage",
    "title",
    "matters",
    "sum before (wd)",
    "sum after (wd)",
    "cut",
    "sum = one case",
    "one case before (wd)",
    "one case after (wd)",
];

fn stage_rows(comparison: &Comparison) -> Vec<Vec<String>> {
    comparison
        .stages
        .iter()
        .map(|row| {
            vec![
                row.stage.clone(),
                row.title.clone(),
                row.matters.to_string(),
                row.before_working_days.to_string(),
                row.after_working_days.to_string(),
                format!("{} %", one_decimal(row.cut_percent)),
                if row.sum_applies_to_one_case() { "yes" } else { "no" }.to_owned(),
                row.before_one_case_working_days.to_string(),
                row.after_one_case_working_days.to_string(),
            ]
        })
        .collect()
}

pub(crate) fn path_rows(base: &Workflow, reform: &Workflow, comparison: &Comparison) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for (label, paths) in [(base.version(), &comparison.base_paths), (reform.version(), &comparison.reform_paths)] {
        for path in paths {
            let others: Vec<String> = path.other_clocks.iter().map(|(name, limit)| format!("{name} {limit}")).collect();
            rows.push(vec![
                label.to_owned(),
                profile_text(path),
                path.working_days.to_string(),
                path_text(path),
                others.join(", "),
            ]);
        }
    }
    rows
}

fn to_json(base: &Workflow, reform: &Workflow, comparison: &Comparison) -> serde_json::Value {
    let paths = |paths: &[ProfilePath]| {
        paths
            .iter()
            .map(|path| {
                json!({
                    "profile": path.profile.iter().map(|(name, value)| (name.clone(), json!(value))).collect::<serde_json::Map<_, _>>(),
                    "working_days": path.working_days,
                    "states": path.states,
                    "other_clocks": path.other_clocks.iter().map(|(name, limit)| json!({"clock": name, "limit": limit.to_string()})).collect::<Vec<_>>(),
                })
            })
            .collect::<Vec<_>>()
    };
    json!({
        "base": {"workflow": base.id(), "version": base.version(), "content_hash": format!("sha256:{}", base.content_hash_hex())},
        "reform": {"workflow": reform.id(), "version": reform.version(), "content_hash": format!("sha256:{}", reform.content_hash_hex())},
        "rounding": rounding_name(comparison),
        "matters": comparison.matters.len(),
        "total_saved_working_days": comparison.total_saved_working_days,
        "stages": comparison.stages.iter().map(|row| json!({
            "stage": row.stage, "title": row.title, "matters": row.matters,
            "before_working_days": row.before_working_days, "after_working_days": row.after_working_days,
            "cut_percent": (row.cut_percent * 100.0).round() / 100.0,
            "figure": "sum_of_matters",
            "sum_applies_to_one_case": row.sum_applies_to_one_case(),
            "before_one_case_working_days": row.before_one_case_working_days,
            "after_one_case_working_days": row.after_one_case_working_days,
        })).collect::<Vec<_>>(),
        "parallel": comparison.parallel.as_ref().map(|parallel| json!({
            "states": parallel.states,
            "serial_working_days": parallel.serial_working_days,
            "parallel_working_days": parallel.parallel_working_days,
            "cut_percent": (parallel.cut_percent * 100.0).round() / 100.0,
        })),
        "critical_path": {"base": paths(&comparison.base_paths), "reform": paths(&comparison.reform_paths)},
        "matter_rows": comparison.matters.iter().map(|row| json!({
            "clock": row.clock, "title": row.title, "stage": row.stage,
            "before": row.before.map(|p| p.to_string()), "after": row.after.map(|p| p.to_string()),
            "cut_percent": row.cut_percent.map(|cut| (cut * 100.0).round() / 100.0),
            "saved_working_days": row.saved_working_days,
        })).collect::<Vec<_>>(),
    })
}

fn to_csv(comparison: &Comparison) -> String {
    let mut rows = vec![
        ["stage", "matter", "title", "before", "after", "cut_percent", "saved_working_days", "rounding"]
            .map(str::to_owned)
            .to_vec(),
    ];
    for row in &comparison.matters {
        rows.push(vec![
            row.stage.clone().unwrap_or_default(),
            row.clock.clone(),
            row.title.clone().unwrap_or_default(),
            row.before.map_or(String::new(), |p| p.to_string()),
            row.after.map_or(String::new(), |p| p.to_string()),
            row.cut_percent.map_or(String::new(), one_decimal),
            row.saved_working_days.to_string(),
            rounding_name(comparison).to_owned(),
        ]);
    }
    csv(&rows)
}
