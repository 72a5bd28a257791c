//! The web pages `renewflow serve` answers at `/`, for supervisors (监察) and handlers: server-
//! rendered HTML from templates checked at compile time (`web/templates/`, askama), one
//! stylesheet and one small script (`web/assets/`), all compiled into the binary. They read and
//! write through the same engine, readers, writer and grants as the API; signing in exchanges an
//! API key for a session ([`sessions`]). Every answer carries a strict Content-Security-Policy
//! ([`page::security_headers`]): no inline script or style, so text a user wrote (a case note)
//! can never run.

mod assets;
mod calendar_page;
mod case_page;
mod labels;
mod page;
mod sessions;
mod sign_in;
mod state_diagram;
mod statistics_page;
mod visitor;
mod watch_page;
mod work_page;
mod workflows_page;

use axum::Router;
use axum::middleware;
use axum::response::Response;
use axum::routing::{get, post};

use super::service::Shared;
pub(crate) use sessions::Sessions;
pub(crate) use statistics_page::StatisticsKept;

/// The pages and their assets, each answer with the security headers.
pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route("/", get(sign_in::home))
        .route("/sign-in", get(sign_in::sign_in_form).post(sign_in::sign_in))
        .route("/sign-out", post(sign_in::sign_out))
        .route("/language/{lang}", get(sign_in::switch_language))
        .route("/watch", get(watch_page::watch_page))
        .route("/cases/{case}", get(case_page::case_page))
        .route("/cases/{case}/act", post(work_page::act))
        .route("/work", get(work_page::work_page))
        .route("/calendar", get(calendar_page::calendar_page))
        .route("/statistics", get(statistics_page::statistics_page))
        .route("/statistics.csv", get(statistics_page::statistics_csv))
        .route("/workflows", get(workflows_page::workflows_page))
        .route("/workflows/compare", get(workflows_page::compare_page))
        .route("/workflows/{workflow}/{version}", get(workflows_page::workflow_page))
        .route("/events", get(page_events))
        .route("/assets/{file}", get(assets::asset))
        .layer(middleware::from_fn(page::security_headers))
}

/// `GET /events`: the service's event stream for a signed-in visitor (the watch list follows
/// it), carrying what their key may read.
async fn page_events(
    axum::extract::State(service): axum::extract::State<Shared>,
    visitor: visitor::Visitor,
) -> Response {
    super::events::stream_for(&service, visitor.principal)
}
