//! Workflows: deploy one from its YAML and its `extends` files sent in the request (never read
//! from the server's disk), list the deployed versions, show one with its files and content
//! hash.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value as Json, json};

use super::answer::{json_answer, ok};
use super::caller::Caller;
use super::problem::Problem;
use super::request::{JsonBody, instant_or};
use super::service::Shared;
use crate::core::workflow::SourceReader;
use crate::store::Store as _;

/// `POST /v1/workflows`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeployBody {
    /// The main file's name, shown in diagnostics (`licence.yaml`).
    file: String,
    source: String,
    /// The files `extends` names, by the path as written there.
    #[serde(default)]
    extends: BTreeMap<String, String>,
    at: Option<String>,
}

/// The files of a deployment request, by the path `extends` writes.
struct SentFiles(BTreeMap<String, String>);

impl SourceReader for SentFiles {
    fn read(&mut self, path: &str, _from: &str) -> Result<(String, String), String> {
        self.0.get(path).map(|text| (path.to_owned(), text.clone())).ok_or_else(|| {
            format!("`{path}` was not sent; put its text under `extends` in the request, keyed by `{path}`")
        })
    }
}

pub(crate) async fn deploy(
    State(service): State<Shared>,
    caller: Caller,
    JsonBody(body): JsonBody<DeployBody>,
) -> Result<Response, Problem> {
    caller.check_admin("deploying a workflow")?;
    let at = instant_or(body.at.as_deref(), service.now())?;
    let deployed = service
        .writer
        .run_alone(move |engine| engine.deploy(&body.file, &body.source, &mut SentFiles(body.extends), at))
        .await??;
    let status = if deployed.new { StatusCode::CREATED } else { StatusCode::OK };
    Ok(json_answer(status, &json!(deployed)))
}

pub(crate) async fn list(State(service): State<Shared>, caller: Caller) -> Result<Response, Problem> {
    let rows = service
        .readers
        .run(move |engine| {
            let counts = engine.store().deployment_cases().map_err(crate::engine::EngineError::from)?;
            let deployments = engine.store().deployments().map_err(crate::engine::EngineError::from)?;
            Ok(deployments
                .iter()
                .filter(|deployment| caller.may_read(&deployment.workflow))
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
                .collect::<Vec<Json>>())
        })
        .await?;
    Ok(ok(&json!({"workflows": rows})))
}

pub(crate) async fn show_newest(
    State(service): State<Shared>,
    Path(workflow): Path<String>,
    caller: Caller,
) -> Result<Response, Problem> {
    show_version(service, caller, workflow, None).await
}

pub(crate) async fn show(
    State(service): State<Shared>,
    Path((workflow, version)): Path<(String, String)>,
    caller: Caller,
) -> Result<Response, Problem> {
    show_version(service, caller, workflow, Some(version)).await
}

async fn show_version(
    service: Shared,
    caller: Caller,
    workflow: String,
    version: Option<String>,
) -> Result<Response, Problem> {
    caller.check_read(&workflow)?;
    let shown = service
        .readers
        .run(move |engine| {
            let deployments = engine.store().deployments().map_err(crate::engine::EngineError::from)?;
            let deployment = deployments
                .iter()
                .rev()
                .find(|deployment| {
                    deployment.workflow == workflow && version.as_ref().is_none_or(|version| &deployment.version == version)
                })
                .ok_or_else(|| crate::engine::EngineError::NotDeployed { workflow: workflow.clone(), version: version.clone() })?;
            // The files must still give the rules they were deployed with.
            let verified = engine.workflow(deployment.key).map_err(|error| error.to_string());
            let files: Vec<Json> = deployment
                .sources
                .iter()
                .map(|file| json!({"name": file.name, "extends": (!file.path.is_empty()).then_some(&file.path), "from": (!file.from.is_empty()).then_some(&file.from), "text": file.text}))
                .collect();
            Ok(json!({
                "workflow": deployment.workflow, "version": deployment.version,
                "deployed_at": deployment.deployed_at,
                "content_hash": format!("sha256:{}", deployment.content_hash),
                "content_hash_verified": verified.is_ok(),
                "content_hash_problem": verified.err(),
                "files": files,
            }))
        })
        .await?;
    Ok(ok(&shown))
}
