//! The service's OpenAPI 3.1 document, generated from the code: each handler's
//! `#[utoipa::path]` gives its route, parameters, body and answers; the schemas are the types
//! the answers are serialised from. Served at `GET /openapi.json`, printed by the hidden
//! `renewflow openapi`, and committed as `docs/openapi.json` (a test keeps the three equal).
//!
//! Each handler names the problems it can answer itself in an `x-problems` list; [`Finish`]
//! adds the ones every route of its kind can answer (a key, a body, query parameters, the time
//! limit), turns them into one `application/problem+json` answer per status with the kinds and
//! their titles from [`PROBLEM_KINDS`], and drops the list. It also sets the limits from the
//! constants that enforce them.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::LazyLock;

use serde_json::Value as Json;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ContentBuilder, HeaderBuilder, Ref, RefOr, ResponseBuilder, Schema, Type, schema::SchemaType};
use utoipa::{Modify, OpenApi};

use super::limits::{BULK_PAIRS_MAX, IDEMPOTENCY_KEY_CHARS_MAX, PAGE_ROWS_DEFAULT, PAGE_ROWS_MAX};
use super::problem::{PROBLEM_CONTENT_TYPE, PROBLEM_KINDS, ProblemDocument};
use super::{admin, calendars, case_reads, case_writes, events, keys, routes, warnings, watch, workflows};

/// The name of the bearer security scheme.
const BEARER: &str = "bearer";

/// The extension in which a handler lists the problems it answers itself.
const PROBLEMS_EXTENSION: &str = "x-problems";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "renewflow",
        description = "Statutory, time-limited approval workflows counted in working days on a real \
            China-mainland calendar, as an HTTP/JSON service for case-handling software.\n\n\
            Every refusal is an RFC 9457 problem (`application/problem+json`) whose `type` names its \
            kind (`/problems/<kind>`); an unknown path answers `not-found` (404) and a method a path \
            does not take answers `method-not-allowed` (405). Writes to a case carry `If-Match` with \
            the case version (its `ETag`) and every write carries an `Idempotency-Key`.",
    ),
    servers((url = "/", description = "The server that serves this document")),
    paths(
        routes::healthz,
        routes::openapi_json,
        routes::problem_page,
        workflows::deploy,
        workflows::list,
        workflows::show_newest,
        workflows::show,
        case_reads::list,
        case_writes::open_case,
        case_reads::show,
        case_reads::available,
        case_writes::act,
        case_writes::note,
        case_writes::set_attributes,
        case_reads::timing,
        case_reads::history,
        watch::watch,
        calendars::list,
        calendars::check,
        calendars::between,
        calendars::bulk_between,
        calendars::add,
        calendars::year,
        calendars::install,
        warnings::warnings,
        events::events,
        warnings::webhooks,
        warnings::add_webhook,
        warnings::remove_webhook,
        warnings::deliveries,
        keys::list,
        keys::create,
        keys::revoke,
        admin::verify,
        admin::check,
    ),
    components(schemas(ProblemDocument)),
    modifiers(&Finish),
    tags(
        (name = "cases", description = "Open cases, act on them, read their timing and history; the watch list"),
        (name = "workflows", description = "Deploy workflows and read the deployed versions"),
        (name = "calendars", description = "Working days, periods and years; calendar files"),
        (name = "supervision", description = "Warnings (电子监察), webhooks and the event stream"),
        (name = "keys", description = "API keys (administrators)"),
        (name = "store", description = "The store's hash chains and derived data (administrators)"),
        (name = "service", description = "Health, this document, the problem types"),
    ),
)]
struct ServiceApi;

/// The document.
pub(crate) fn document() -> utoipa::openapi::OpenApi {
    ServiceApi::openapi()
}

/// The document as pretty JSON with a final newline, as `docs/openapi.json` holds it; built once.
pub(crate) fn document_json() -> String {
    static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
        let mut text = serde_json::to_string_pretty(&document()).unwrap_or_default();
        text.push('\n');
        text
    });
    DOCUMENT.clone()
}

/// What the derive cannot say: the version, the security scheme, the problems of every route
/// and the limits.
struct Finish;

impl Modify for Finish {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        env!("CARGO_PKG_VERSION").clone_into(&mut openapi.info.version);
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut bearer = Http::new(HttpAuthScheme::Bearer);
        bearer.description = Some(
            "An API key, as `Authorization: Bearer TOKEN`. A request without a valid key is refused \
             with 401 before anything is read."
                .to_owned(),
        );
        components.add_security_scheme(BEARER, SecurityScheme::Http(bearer));
        if let Some(RefOr::T(Schema::Object(bulk))) = components.schemas.get_mut("BulkBody")
            && let Some(RefOr::T(Schema::Array(pairs))) = bulk.properties.get_mut("pairs")
        {
            pairs.max_items = Some(BULK_PAIRS_MAX);
        }
        for item in openapi.paths.paths.values_mut() {
            for operation in [&mut item.get, &mut item.post].into_iter().flatten() {
                add_problems(operation);
                set_limits(operation);
            }
        }
    }
}

/// The problems `operation` can answer: those its handler lists, and those of its kind.
fn problems_of(operation: &mut Operation) -> Vec<&'static str> {
    let listed = operation.extensions.as_mut().and_then(|extensions| extensions.remove(PROBLEMS_EXTENSION));
    if operation.extensions.as_ref().is_some_and(|extensions| extensions.is_empty()) {
        operation.extensions = None;
    }
    let mut kinds: Vec<&'static str> = Vec::new();
    let mut add = |kind: &str| {
        let known = PROBLEM_KINDS.iter().find(|(slug, _, _)| *slug == kind).map(|(slug, _, _)| *slug);
        let known = known.unwrap_or_else(|| panic!("`{kind}` is not a problem kind; see PROBLEM_KINDS"));
        if !kinds.contains(&known) {
            kinds.push(known);
        }
    };
    let keyed = operation.security.as_ref().is_some_and(|security| !security.is_empty());
    if keyed {
        add("unauthorized");
    }
    let queried = operation.parameters.iter().flatten().any(|parameter| match parameter {
        RefOr::T(parameter) => parameter.parameter_in == ParameterIn::Query,
        RefOr::Ref(_) => false,
    });
    if queried {
        add("bad-request");
    }
    if operation.request_body.is_some() {
        for kind in ["bad-request", "body-too-large", "unsupported-media-type"] {
            add(kind);
        }
    }
    for kind in listed.iter().filter_map(Json::as_array).flatten().filter_map(Json::as_str) {
        add(kind);
    }
    add("request-timeout");
    if keyed {
        // The key is looked up on a reader, which can fail.
        add("internal");
    }
    kinds
}

/// One `application/problem+json` answer per status `operation` can be refused with.
fn add_problems(operation: &mut Operation) {
    let mut by_status: BTreeMap<u16, Vec<(&str, &str)>> = BTreeMap::new();
    for kind in problems_of(operation) {
        if let Some((slug, status, title)) = PROBLEM_KINDS.iter().find(|(slug, _, _)| *slug == kind) {
            by_status.entry(*status).or_default().push((slug, title));
        }
    }
    for (status, kinds) in by_status {
        let mut listed = String::new();
        for (slug, title) in &kinds {
            let _ = write!(listed, "\n- `{slug}`: {title}");
        }
        let mut response =
            ResponseBuilder::new().description(format!("Refused, as a problem of type:{listed}")).content(
                PROBLEM_CONTENT_TYPE,
                ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
            );
        if kinds.iter().any(|(slug, _)| *slug == "unauthorized") {
            response = response.header(
                "WWW-Authenticate",
                HeaderBuilder::new().schema(Some(string())).description(Some("`Bearer realm=\"renewflow\"`")).build(),
            );
        }
        if kinds.iter().any(|(slug, _)| *slug == "stale-version") {
            response = response.header(
                "ETag",
                HeaderBuilder::new()
                    .schema(Some(string()))
                    .description(Some("The case's current version, quoted"))
                    .build(),
            );
        }
        operation.responses.responses.insert(status.to_string(), RefOr::T(response.build()));
    }
}

fn string() -> Schema {
    Schema::Object(utoipa::openapi::ObjectBuilder::new().schema_type(SchemaType::new(Type::String)).build())
}

/// The limits the service enforces, from the constants that enforce them.
fn set_limits(operation: &mut Operation) {
    for parameter in operation.parameters.iter_mut().flatten() {
        let RefOr::T(parameter) = parameter else { continue };
        let Some(RefOr::T(Schema::Object(schema))) = parameter.schema.as_mut() else { continue };
        match (&parameter.parameter_in, parameter.name.as_str()) {
            (ParameterIn::Query, "limit") => {
                schema.minimum = Some(1.into());
                schema.maximum = Some(PAGE_ROWS_MAX.into());
                schema.default = Some(PAGE_ROWS_DEFAULT.into());
            }
            (ParameterIn::Header, "Idempotency-Key") => {
                schema.min_length = Some(1);
                schema.max_length = Some(IDEMPOTENCY_KEY_CHARS_MAX);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The `(method, path)` pairs the router declares, read from routes.rs: each `.route(...)`
    /// call sits on one line, its methods as `get(…)`, `.post(…)` and so on.
    fn routed() -> BTreeSet<(String, String)> {
        let mut routes = BTreeSet::new();
        for line in include_str!("routes.rs").lines() {
            let Some((_, rest)) = line.split_once(".route(\"") else { continue };
            let Some((path, handlers)) = rest.split_once('"') else { continue };
            for method in ["get", "post", "put", "delete", "patch"] {
                let called = handlers.match_indices(&format!("{method}(")).any(|(at, _)| {
                    !handlers[..at].ends_with(|character: char| character.is_alphanumeric() || character == '_')
                });
                if called {
                    routes.insert((method.to_owned(), path.to_owned()));
                }
            }
        }
        routes
    }

    fn documented() -> BTreeSet<(String, String)> {
        let document = serde_json::to_value(document()).unwrap();
        let mut operations = BTreeSet::new();
        for (path, item) in document["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                operations.insert((method.clone(), path.clone()));
            }
        }
        operations
    }

    #[test]
    fn every_route_is_documented_and_every_documented_operation_routed() {
        let routed = routed();
        assert!(routed.len() > 20, "routes.rs no longer reads as expected: {routed:?}");
        assert_eq!(documented(), routed, "annotate the handler with #[utoipa::path] and list it in `ServiceApi`");
    }

    #[test]
    fn every_operation_but_the_public_ones_needs_a_key_and_says_it_can_be_refused_for_it() {
        let document = serde_json::to_value(document()).unwrap();
        let mut public = Vec::new();
        let mut operation_ids = BTreeSet::new();
        for (path, item) in document["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                assert!(operation_ids.insert(operation["operationId"].as_str().unwrap().to_owned()), "{path}");
                assert!(operation.get("extensions").is_none() && operation.get(PROBLEMS_EXTENSION).is_none());
                match operation.get("security") {
                    None => public.push(path.as_str()),
                    Some(security) => {
                        assert_eq!(security, &serde_json::json!([{BEARER: []}]), "{method} {path}");
                        let unauthorized = &operation["responses"]["401"]["content"][PROBLEM_CONTENT_TYPE];
                        assert!(unauthorized.is_object(), "{method} {path}");
                    }
                }
            }
        }
        assert_eq!(public, ["/healthz", "/openapi.json", "/problems/{kind}"]);
    }

    #[test]
    fn the_version_is_the_crates() {
        let document = serde_json::to_value(document()).unwrap();
        assert_eq!(document["openapi"], "3.1.0");
        assert_eq!(document["info"]["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(document["servers"][0]["url"], "/");
    }
}
