//! A case as shown: its row, workflow version, active states and attributes, and the import
//! that created it, if one did.

use serde::Serialize;
use serde_json::{Value as Json, json};
use utoipa::ToSchema;

use crate::engine::CaseView;
use crate::store::ImportMark;

/// One case, as `case show` and `GET /v1/cases/{case}` show it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Case)]
pub(crate) struct CaseShown {
    /// The case id (a UUID v7).
    id: String,
    /// The case number, unique within its workflow.
    number: String,
    /// The workflow id.
    workflow: String,
    /// The workflow version the case runs under.
    version: String,
    /// The content hash of that version's rules, `sha256:<hex>`.
    content_hash: String,
    /// The number of events: the case version, which `If-Match` names.
    events: u64,
    /// When the case was opened (RFC 3339).
    opened_at: String,
    /// When its last event happened (RFC 3339).
    last_at: String,
    /// The date it finished, if it has.
    finished_on: Option<String>,
    /// The active states.
    #[schema(value_type = Option<Vec<String>>)]
    active: Option<Json>,
    /// The attribute values, by name.
    #[schema(value_type = Option<Object>)]
    attributes: Option<Json>,
    /// The import that created the case, if one did.
    imported: Option<ImportedShown>,
}

/// The import a case came from.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CaseImport)]
pub(crate) struct ImportedShown {
    /// The import's number in the store.
    import: i64,
    /// The log file imported.
    log: String,
    /// When it was imported (RFC 3339).
    imported_at: String,
    /// The audit findings the case was imported with (empty: none).
    with_findings: Vec<String>,
}

impl CaseShown {
    pub(crate) fn of(view: &CaseView, mark: Option<&ImportMark>) -> CaseShown {
        let configuration: Json = serde_json::from_str(&view.row.configuration).unwrap_or(Json::Null);
        CaseShown {
            id: view.row.id.clone(),
            number: view.row.number.clone(),
            workflow: view.row.workflow.clone(),
            version: view.workflow.version().to_owned(),
            content_hash: format!("sha256:{}", view.workflow.content_hash_hex()),
            events: view.row.version,
            opened_at: view.row.opened_at.clone(),
            last_at: view.row.last_at.clone(),
            finished_on: view.row.finished_on.clone(),
            active: configuration.get("active").cloned(),
            attributes: configuration.get("attributes").cloned(),
            imported: mark.map(|mark| ImportedShown {
                import: mark.import,
                log: mark.log.clone(),
                imported_at: mark.imported_at.clone(),
                with_findings: mark.findings.clone(),
            }),
        }
    }
}

/// One case, as [`CaseShown`] shows it.
pub(crate) fn case_json(view: &CaseView, mark: Option<&ImportMark>) -> Json {
    json!(CaseShown::of(view, mark))
}

/// A case as listed: its row and the version of its workflow.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ListedCase)]
pub(crate) struct ListedShown {
    /// The case id; `after` takes it to page on.
    id: String,
    number: String,
    workflow: String,
    /// The workflow version the case runs under.
    version: String,
    /// The number of events: the case version.
    events: u64,
    /// When the case was opened (RFC 3339).
    opened_at: String,
    /// When its last event happened (RFC 3339).
    last_at: String,
    /// The date it finished, if it has.
    finished_on: Option<String>,
    /// The active states.
    #[schema(value_type = Option<Vec<String>>)]
    active: Option<Json>,
}

impl ListedShown {
    pub(crate) fn of(listed: &crate::store::ListedCase) -> ListedShown {
        let case = &listed.case;
        let configuration: Json = serde_json::from_str(&case.configuration).unwrap_or(Json::Null);
        ListedShown {
            id: case.id.clone(),
            number: case.number.clone(),
            workflow: case.workflow.clone(),
            version: listed.workflow_version.clone(),
            events: case.version,
            opened_at: case.opened_at.clone(),
            last_at: case.last_at.clone(),
            finished_on: case.finished_on.clone(),
            active: configuration.get("active").cloned(),
        }
    }
}

/// A case as listed, as [`ListedShown`] shows it.
pub(crate) fn listed_json(listed: &crate::store::ListedCase) -> Json {
    json!(ListedShown::of(listed))
}
