//! `Problem`: every refusal the service answers with, as RFC 9457 `application/problem+json`.
//! Each kind of refusal has a stable `type` (`/problems/<slug>`, documented at that path on the
//! server and in `docs/service.md`) and carries the same structured detail the command line
//! shows: active states, allowed actions, the role needed, the guard and the values it saw.

use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value as Json, json};
use utoipa::ToSchema;

use crate::core::case::Rejection;
use crate::engine::{Denial, EngineError, KeyError};
use crate::store::StoreError;

/// The media type of every problem answer.
pub(crate) const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// One refusal, ready to answer.
#[derive(Clone, Debug)]
pub(crate) struct Problem {
    pub(crate) status: StatusCode,
    /// The stable slug of `type`.
    pub(crate) kind: &'static str,
    pub(crate) detail: String,
    /// Members beside the standard ones (`active`, `allowed`, `current_version`, …).
    pub(crate) extra: Map<String, Json>,
    pub(crate) headers: HeaderMap,
}

/// An RFC 9457 problem document: every refusal the service answers with.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Problem)]
pub(crate) struct ProblemDocument {
    /// `/problems/<kind>`: the stable kind of refusal; `GET` it for its meaning.
    #[serde(rename = "type")]
    pub(crate) kind: String,
    /// The kind's title.
    pub(crate) title: &'static str,
    /// The HTTP status.
    pub(crate) status: u16,
    /// What was refused and why, in words.
    pub(crate) detail: String,
    /// Members beside the standard ones, by kind: the active states and the actions allowed, the
    /// role needed, the guard and the values it saw, the current version, ….
    #[serde(flatten)]
    #[schema(ignore)]
    pub(crate) extra: Map<String, Json>,
}

/// Every kind of problem: its slug, status and title. The slug is the `type`'s last segment and
/// never changes once shipped.
pub(crate) const PROBLEM_KINDS: &[(&str, u16, &str)] = &[
    ("unauthorized", 401, "No valid API key"),
    ("grant-missing", 403, "The key's grants do not allow this"),
    ("supervisor-writes", 403, "A supervisor's key does not change cases"),
    ("admin-required", 403, "Only an administrator's key may do this"),
    ("not-found", 404, "No such resource"),
    ("unknown-case", 404, "No such case"),
    ("workflow-not-deployed", 404, "The workflow is not deployed"),
    ("method-not-allowed", 405, "Method not allowed here"),
    ("ambiguous-case", 409, "The case number is used in several workflows"),
    ("finished", 409, "The case is finished"),
    ("backwards", 409, "Dated before the case's last event"),
    ("not-allowed-here", 409, "The action is not allowed in the case's active states"),
    ("role-not-permitted", 409, "The role may not take this action here"),
    ("guard-false", 409, "The action's guard is false"),
    ("clock-not-running", 409, "The clock is not running"),
    ("extension-cap", 409, "The extension has been used as often as allowed"),
    ("clock-breached", 409, "The clock is past its limit"),
    ("number-taken", 409, "The case number is taken"),
    ("version-taken", 409, "The workflow version is deployed with other content"),
    ("key-name-taken", 409, "An unrevoked key has this name"),
    ("key-revoked", 409, "The key was revoked already"),
    ("unknown-key", 404, "No such API key"),
    ("key-invalid", 422, "The key cannot be made as asked"),
    ("webhook-invalid", 422, "The webhook cannot be added as asked"),
    ("unknown-webhook", 404, "No such webhook"),
    ("stale-version", 412, "The case has moved on since the version in If-Match"),
    ("body-too-large", 413, "The request body is too large"),
    ("unsupported-media-type", 415, "The body must be JSON"),
    ("bad-request", 400, "The request is malformed"),
    ("idempotency-key-required", 400, "A write needs an Idempotency-Key header"),
    ("unknown-action", 422, "No such action in the workflow"),
    ("unknown-role", 422, "No such role in the workflow"),
    ("unknown-attribute", 422, "No such attribute in the workflow"),
    ("bad-value", 422, "An attribute value its type refuses"),
    ("unknown-state", 422, "No such state in the deployed workflows"),
    ("bad-case-number", 422, "A case number that cannot be used"),
    ("date-outside-calendar", 422, "A date outside the calendar's data"),
    ("idempotency-key-reused", 422, "The Idempotency-Key was used for another request"),
    ("workflow-invalid", 422, "The workflow has problems"),
    ("calendar-invalid", 422, "The calendar file has problems"),
    ("reason-required", 422, "The calendar file changes covered days without a reason"),
    ("if-match-required", 428, "A write to a case needs If-Match with the case's version"),
    ("request-timeout", 503, "The request took too long"),
    ("busy", 503, "The service is busy; retry"),
    ("shutting-down", 503, "The service is stopping; retry on another instance"),
    ("internal", 500, "The service failed"),
];

impl Problem {
    /// A problem of `kind` (a slug of [`PROBLEM_KINDS`]) saying `detail`.
    pub(crate) fn new(kind: &'static str, detail: impl Into<String>) -> Problem {
        let status = PROBLEM_KINDS
            .iter()
            .find(|(slug, _, _)| *slug == kind)
            .and_then(|(_, status, _)| StatusCode::from_u16(*status).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Problem { status, kind, detail: detail.into(), extra: Map::new(), headers: HeaderMap::new() }
    }

    /// Adds a member beside the standard ones.
    pub(crate) fn with(mut self, name: &str, value: impl Into<Json>) -> Problem {
        self.extra.insert(name.to_owned(), value.into());
        self
    }

    /// Adds a header to the answer.
    pub(crate) fn header(mut self, name: HeaderName, value: &str) -> Problem {
        if let Ok(value) = HeaderValue::from_str(value) {
            self.headers.insert(name, value);
        }
        self
    }

    fn title(&self) -> &'static str {
        PROBLEM_KINDS.iter().find(|(slug, _, _)| *slug == self.kind).map_or("Problem", |(_, _, title)| title)
    }

    /// The problem as its JSON document.
    pub(crate) fn document(&self) -> Json {
        // Through a `Value`, an extra member of a standard name wins, as it always has.
        json!(ProblemDocument {
            kind: format!("/problems/{}", self.kind),
            title: self.title(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            extra: self.extra.clone(),
        })
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.document()).unwrap_or_default();
        let mut response = (self.status, body).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_CONTENT_TYPE));
        response.headers_mut().extend(self.headers);
        response
    }
}

impl From<Denial> for Problem {
    fn from(denial: Denial) -> Problem {
        let detail = denial.to_string();
        match denial {
            Denial::NoGrant { key, workflow } => {
                Problem::new("grant-missing", detail).with("key", key).with("workflow", workflow)
            }
            Denial::RoleNotGranted { key, workflow, role, granted } => Problem::new("grant-missing", detail)
                .with("key", key)
                .with("workflow", workflow)
                .with("role", role)
                .with("granted_roles", granted),
            Denial::SupervisorWrites { key } => Problem::new("supervisor-writes", detail).with("key", key),
            Denial::NotAdmin { key, .. } => Problem::new("admin-required", detail).with("key", key),
        }
    }
}

impl From<Rejection> for Problem {
    fn from(rejection: Rejection) -> Problem {
        let detail = format!("refused: {rejection}");
        match rejection {
            Rejection::Finished { state } => Problem::new("finished", detail).with("state", state),
            Rejection::Backwards { at, last } => {
                Problem::new("backwards", detail).with("at", at.to_rfc3339()).with("last_at", last.to_rfc3339())
            }
            Rejection::UnknownAction { action, suggestion } => {
                Problem::new("unknown-action", detail).with("action", action).with("did_you_mean", suggestion)
            }
            Rejection::UnknownRole { role, suggestion } => {
                Problem::new("unknown-role", detail).with("role", role).with("did_you_mean", suggestion)
            }
            Rejection::UnknownAttribute { attribute, suggestion } => {
                Problem::new("unknown-attribute", detail).with("attribute", attribute).with("did_you_mean", suggestion)
            }
            Rejection::BadValue { attribute, message } => {
                Problem::new("bad-value", detail).with("attribute", attribute).with("reason", message)
            }
            Rejection::NotAllowed { action, active, allowed } => Problem::new("not-allowed-here", detail)
                .with("action", action)
                .with("active", active)
                .with("allowed", allowed),
            Rejection::RoleNotPermitted { action, role, roles } => Problem::new("role-not-permitted", detail)
                .with("action", action)
                .with("role", role)
                .with("roles", roles),
            Rejection::GuardFalse { action, guards, values } => {
                let values: Map<String, Json> = values.into_iter().map(|(name, value)| (name, json!(value))).collect();
                Problem::new("guard-false", detail).with("action", action).with("guards", guards).with("values", values)
            }
            Rejection::ClockNotRunning { clock, status } => {
                Problem::new("clock-not-running", detail).with("clock", clock).with("clock_status", status)
            }
            Rejection::ExtensionCapReached { clock, action, times } => {
                Problem::new("extension-cap", detail).with("clock", clock).with("action", action).with("times", times)
            }
            Rejection::ClockBreached { clock } => Problem::new("clock-breached", detail).with("clock", clock),
            Rejection::DateOutsideCalendar(error) => Problem::new("date-outside-calendar", error.to_string()),
        }
    }
}

impl From<EngineError> for Problem {
    fn from(error: EngineError) -> Problem {
        let detail = error.to_string();
        match error {
            EngineError::Rejected(rejection) => rejection.into(),
            EngineError::Conflict { case, expected, actual } => Problem::new("stale-version", detail)
                .with("case", case)
                .with("expected_version", expected)
                .with("current_version", actual)
                .header(header::ETAG, &format!("\"{actual}\"")),
            EngineError::UnknownCase(case) => Problem::new("unknown-case", detail).with("case", case),
            EngineError::AmbiguousCase { number, workflows } => {
                Problem::new("ambiguous-case", detail).with("number", number).with("workflows", workflows)
            }
            EngineError::UnknownState { state, nearest } => {
                Problem::new("unknown-state", detail).with("state", state).with("did_you_mean", nearest)
            }
            EngineError::BadCaseNumber { .. } => Problem::new("bad-case-number", detail),
            EngineError::NotDeployed { workflow, version } => {
                Problem::new("workflow-not-deployed", detail).with("workflow", workflow).with("version", version)
            }
            EngineError::KeyReused { key, first, now } => Problem::new("idempotency-key-reused", detail)
                .with("key", key)
                .with("first_request", first)
                .with("this_request", now),
            EngineError::Workflow(error) => {
                let problems: Vec<Json> = error
                    .problems()
                    .iter()
                    .map(|problem| {
                        json!({
                            "file": problem.file, "line": problem.line, "column": problem.column,
                            "message": problem.message, "label": problem.label, "help": problem.help,
                        })
                    })
                    .collect();
                Problem::new("workflow-invalid", detail).with("problems", problems)
            }
            EngineError::Calendar(error) => Problem::new("date-outside-calendar", error.to_string()),
            EngineError::CalendarFile(_) => Problem::new("calendar-invalid", detail),
            EngineError::ReasonRequired { .. } => Problem::new("reason-required", detail),
            EngineError::Store(StoreError::NumberTaken { workflow, number }) => {
                Problem::new("number-taken", detail).with("workflow", workflow).with("number", number)
            }
            EngineError::Store(StoreError::NotFound { what: "webhook", name }) => {
                Problem::new("unknown-webhook", detail).with("webhook", name)
            }
            EngineError::Store(StoreError::NotFound { .. }) => Problem::new("not-found", detail),
            EngineError::Store(StoreError::VersionTaken { .. }) => Problem::new("version-taken", detail),
            EngineError::Store(StoreError::Conflict { case, expected, actual }) => {
                EngineError::Conflict { case, expected, actual }.into()
            }
            EngineError::Key(error) => match error {
                KeyError::NameTaken { .. } => Problem::new("key-name-taken", detail),
                KeyError::Revoked { .. } => Problem::new("key-revoked", detail),
                KeyError::UnknownKey { .. } => Problem::new("unknown-key", detail),
                _ => Problem::new("key-invalid", detail),
            },
            EngineError::Webhook(_) => Problem::new("webhook-invalid", detail),
            EngineError::Store(error) if error.is_busy() => Problem::new(
                "busy",
                format!(
                    "another process held the store's write lock for too long ({error}); nothing was written, retry"
                ),
            ),
            EngineError::NoActor
            | EngineError::StaleDerived { .. }
            | EngineError::UnknownCalendar(_)
            | EngineError::History { .. }
            | EngineError::Store(_)
            | EngineError::CalendarData(_)
            | EngineError::PolicyMismatch { .. }
            | EngineError::DeploymentAltered { .. } => {
                tracing::error!(%detail, "request failed");
                Problem::new("internal", detail)
            }
        }
    }
}
