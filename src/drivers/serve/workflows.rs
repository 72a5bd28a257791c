//! Workflows: deploy one from its YAML and its `extends` files sent in the request (never read
//! from the server's disk), list the deployed versions, show one with its files and content
//! hash.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa::ToSchema;

use super::answer::{json_answer, ok};
use super::caller::Caller;
use super::documents::{DeployedShown, WorkflowFileShown, WorkflowListShown, WorkflowListed, WorkflowShown};
use super::problem::Problem;
use super::request::{JsonBody, instant_or};
use super::service::Shared;
use crate::core::workflow::SourceReader;
use crate::store::Store as _;

/// `POST /v1/workflows`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeployBody {
    /// The main file's name, shown in diagnostics (`licence.yaml`).
    file: String,
    /// The main file's YAML.
    source: String,
    /// The files `extends` names, by the path as written there (their text); never read from the
    /// server's disk.
    #[serde(default)]
    extends: BTreeMap<String, String>,
    /// When it was deployed (RFC 3339 with its offset); default now.
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

/// Deploy a workflow
///
/// Deploys a workflow version from its YAML and the files its `extends` names, all sent in the
/// request (administrators). Deploying the same content again changes nothing (200).
#[utoipa::path(
    post, path = "/v1/workflows", operation_id = "deploy_workflow", tag = "workflows",
    request_body = DeployBody,
    responses(
        (status = 201, description = "The version deployed", body = DeployedShown),
        (status = 200, description = "The same content was deployed before; nothing changed", body = DeployedShown),
    ),
    security(("bearer" = [])),
    extensions(("x-problems" = json!(["admin-required", "workflow-invalid", "version-taken", "busy", "shutting-down"]))),
)]
pub(crate) async fn deploy(
    State(service): State<Shared>,
    caller: Caller,
    JsonBody(body): JsonBody<DeployBody>,
) -> Result<Response, Problem> {
    caller.check_admin("deploying a workflow")?;
    let at = instant_or(body.at.as_deref(), || service.now())?;
    let deployed = service
        .writer
        .run_alone(move |engine| engine.deploy(&body.file, &body.source, &mut SentFiles(body.extends), at))
        .await??;
    let status = if deployed.new { StatusCode::CREATED } else { StatusCode::OK };
    Ok(json_answer(status, &DeployedShown::from(deployed)))
}

/// List deployed workflows
///
/// The deployed versions of the workflows the key reads, with their case counts.
#[utoipa::path(
    get, path = "/v1/workflows", operation_id = "list_workflows", tag = "workflows",
    responses((status = 200, description = "The deployed versions", body = WorkflowListShown)),
    security(("bearer" = [])),
)]
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
                    WorkflowListed {
                        workflow: deployment.workflow.clone(),
                        version: deployment.version.clone(),
                        deployed_at: deployment.deployed_at.clone(),
                        open_cases: cases.map_or(0, |cases| cases.open),
                        finished_cases: cases.map_or(0, |cases| cases.finished),
                        content_hash: format!("sha256:{}", deployment.content_hash),
                        file: deployment.sources.first().map(|file| file.name.clone()),
                    }
                })
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(ok(&WorkflowListShown { workflows: rows }))
}

/// Show a workflow
///
/// The newest deployed version of a workflow, with its files and whether they still give its
/// content hash.
#[utoipa::path(
    get, path = "/v1/workflows/{workflow}", operation_id = "show_workflow", tag = "workflows",
    params(("workflow" = String, Path, description = "The workflow id")),
    responses((status = 200, description = "The newest version", body = WorkflowShown)),
    security(("bearer" = [])),
    extensions(("x-problems" = json!(["grant-missing", "workflow-not-deployed"]))),
)]
pub(crate) async fn show_newest(
    State(service): State<Shared>,
    Path(workflow): Path<String>,
    caller: Caller,
) -> Result<Response, Problem> {
    show_version(service, caller, workflow, None).await
}

/// Show a workflow version
///
/// One deployed version of a workflow, with its files and whether they still give its content
/// hash.
#[utoipa::path(
    get, path = "/v1/workflows/{workflow}/versions/{version}", operation_id = "show_workflow_version", tag = "workflows",
    params(("workflow" = String, Path, description = "The workflow id"), ("version" = String, Path, description = "The version, as the workflow file names it")),
    responses((status = 200, description = "The version", body = WorkflowShown)),
    security(("bearer" = [])),
    extensions(("x-problems" = json!(["grant-missing", "workflow-not-deployed"]))),
)]
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
                    deployment.workflow == workflow
                        && version.as_ref().is_none_or(|version| &deployment.version == version)
                })
                .ok_or_else(|| crate::engine::EngineError::NotDeployed {
                    workflow: workflow.clone(),
                    version: version.clone(),
                })?;
            // The files must still give the rules they were deployed with.
            let verified = engine.workflow(deployment.key).map_err(|error| error.to_string());
            let files = deployment
                .sources
                .iter()
                .map(|file| WorkflowFileShown {
                    name: file.name.clone(),
                    extends: (!file.path.is_empty()).then(|| file.path.clone()),
                    from: (!file.from.is_empty()).then(|| file.from.clone()),
                    text: file.text.clone(),
                })
                .collect();
            Ok(WorkflowShown {
                workflow: deployment.workflow.clone(),
                version: deployment.version.clone(),
                deployed_at: deployment.deployed_at.clone(),
                content_hash: format!("sha256:{}", deployment.content_hash),
                content_hash_verified: verified.is_ok(),
                content_hash_problem: verified.err(),
                files,
            })
        })
        .await?;
    Ok(ok(&shown))
}
