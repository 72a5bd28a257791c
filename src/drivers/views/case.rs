//! A case as shown: its row, workflow version, active states and attributes, and the import
//! that created it, if one did.

use serde_json::{Value as Json, json};

use crate::engine::CaseView;
use crate::store::ImportMark;

/// One case, as `case show` and `GET /v1/cases/{case}` show it.
pub(crate) fn case_json(view: &CaseView, mark: Option<&ImportMark>) -> Json {
    let configuration: Json = serde_json::from_str(&view.row.configuration).unwrap_or(Json::Null);
    json!({
        "id": view.row.id, "number": view.row.number, "workflow": view.row.workflow,
        "version": view.workflow.version(), "content_hash": format!("sha256:{}", view.workflow.content_hash_hex()),
        "events": view.row.version, "opened_at": view.row.opened_at, "last_at": view.row.last_at,
        "finished_on": view.row.finished_on, "active": configuration.get("active").cloned(),
        "attributes": configuration.get("attributes").cloned(),
        "imported": mark.map(|mark| json!({
            "import": mark.import, "log": mark.log, "imported_at": mark.imported_at,
            "with_findings": mark.findings,
        })),
    })
}

/// A case as listed: its row and the version of its workflow.
pub(crate) fn listed_json(listed: &crate::store::ListedCase) -> Json {
    let case = &listed.case;
    let configuration: Json = serde_json::from_str(&case.configuration).unwrap_or(Json::Null);
    json!({
        "id": case.id, "number": case.number, "workflow": case.workflow,
        "version": listed.workflow_version, "events": case.version,
        "opened_at": case.opened_at, "last_at": case.last_at, "finished_on": case.finished_on,
        "active": configuration.get("active").cloned(),
    })
}
