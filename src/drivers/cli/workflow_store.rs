//! `renewflow workflow list` and `workflow show`: the workflow versions deployed into the store,
//! read without writing it.

use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use super::format::{DataFormat, records, shown};
use super::store::open_engine_to_read;
use super::{Context, EXIT_FINDINGS, EXIT_OK};
use crate::store::Store as _;

/// Every deployed version: its content hash, when it was deployed, and its open and finished
/// cases.
pub(crate) fn list(context: &Context) -> anyhow::Result<i32> {
    let format = context.format.data("workflow list")?;
    let engine = open_engine_to_read(context)?;
    let counts = engine.store().deployment_cases()?;
    let rows: Vec<Json> = engine
        .store()
        .deployments()?
        .iter()
        .map(|deployment| {
            let cases = counts.iter().find(|count| count.deployment == deployment.key);
            json!({
                "workflow": deployment.workflow, "version": deployment.version,
                "deployed_at": deployment.deployed_at,
                "open_cases": cases.map_or(0, |cases| cases.open),
                "finished_cases": cases.map_or(0, |cases| cases.finished),
                "content_hash": format!("sha256:{}", deployment.content_hash),
                "file": deployment.sources.first().map(|file| file.name.clone()),
            })
        })
        .collect();
    let columns = ["workflow", "version", "deployed_at", "open_cases", "finished_cases", "content_hash", "file"];
    context.output.write(&records(format, &columns, &rows)?)?;
    if rows.is_empty() {
        eprintln!(
            "no workflow is deployed in `{}`; deploy one with `renewflow workflow deploy FILE`",
            context.db.display()
        );
    }
    Ok(EXIT_OK)
}

/// The stored files of a deployed version (the newest unless `version` names one): the main
/// file, then each file it extends, with the content hash checked against them.
pub(crate) fn show(context: &Context, workflow: &str, version: Option<&str>) -> anyhow::Result<i32> {
    let format = context.format.data("workflow show")?;
    let mut engine = open_engine_to_read(context)?;
    let deployments = engine.store().deployments()?;
    let deployment = deployments
        .iter()
        .rev()
        .find(|deployment| {
            deployment.workflow == workflow && version.is_none_or(|version| deployment.version == version)
        })
        .ok_or_else(|| {
            let known: Vec<String> = deployments
                .iter()
                .filter(|deployment| deployment.workflow == workflow)
                .map(|deployment| deployment.version.clone())
                .collect();
            match (version, known.is_empty()) {
                (_, true) => anyhow::anyhow!(
                    "workflow `{workflow}` is not deployed in `{}` (`renewflow workflow list` shows what is)",
                    context.db.display()
                ),
                (Some(version), false) => anyhow::anyhow!(
                    "workflow `{workflow}` has no deployed version `{version}`; deployed: {}",
                    known.join(", ")
                ),
                (None, false) => anyhow::anyhow!("workflow `{workflow}` is not deployed"),
            }
        })?;
    // The files must still give the rules they were deployed with.
    let checked = engine.workflow(deployment.key).map(|_| ()).map_err(|error| error.to_string());
    let files: Vec<Json> = deployment
        .sources
        .iter()
        .map(|file| json!({"name": file.name, "extends": (!file.path.is_empty()).then_some(&file.path), "from": (!file.from.is_empty()).then_some(&file.from), "text": file.text}))
        .collect();
    match format {
        DataFormat::Json => {
            let document = json!({
                "workflow": deployment.workflow, "version": deployment.version,
                "deployed_at": deployment.deployed_at,
                "content_hash": format!("sha256:{}", deployment.content_hash),
                "content_hash_verified": checked.is_ok(),
                "files": files,
            });
            context.output.write(&super::format::json(&document)?)?;
        }
        DataFormat::Csv => {
            let columns = ["name", "extends", "from", "text"];
            context.output.write(&records(format, &columns, &files)?)?;
        }
        DataFormat::Table => {
            let mut text = format!(
                "# {} {} (sha256:{}), deployed {}\n",
                deployment.workflow, deployment.version, deployment.content_hash, deployment.deployed_at
            );
            for file in &deployment.sources {
                if !file.path.is_empty() {
                    let _ = write!(text, "\n# `{}`, extended as `{}` by `{}`\n", file.name, file.path, file.from);
                }
                text.push_str(&file.text);
                if !file.text.ends_with('\n') {
                    text.push('\n');
                }
            }
            context.output.write(&shown(&text))?;
        }
    }
    match checked {
        Ok(()) => Ok(EXIT_OK),
        Err(error) => {
            eprintln!("error: {}", shown(&error));
            Ok(EXIT_FINDINGS)
        }
    }
}
