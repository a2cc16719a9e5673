//! The sandbox catalog's endpoints (API-NOTES.md). Handlers only do HTTP: read the request,
//! call the store (which authorises through the seam), answer in the catalog's format.

mod access_control;
pub mod demo;
mod index;
mod index_search;
pub mod store;
mod writes;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post, MethodRouter};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Serialize;
use steward_core::catalog::entity::{
    self, BulkOptions, BulkRequest, BusinessAttributes, EntityWithExtInfo, PartialUpdateRequest, UNIQUE_QUALIFIED_NAME_PARAM,
};
use steward_core::catalog::error::codes;
use steward_core::catalog::search::{self, IndexSearchRequest};
use steward_core::catalog::typedefs::{self, TypeCategory, TypeDefs};
use steward_core::catalog::whoami;

use super::Sandbox;
pub use store::{ApiError, Catalog};

pub(super) fn router(sandbox: Arc<Sandbox>) -> Router {
    // Every path from core's wire types, the clients' source too; `{…}` are axum's captures.
    let by_guid = format!("{}{{guid}}", entity::GUID_PATH_PREFIX);
    let business_metadata = entity::business_metadata_path("{guid}");
    let by_unique_attribute = format!("{}{{type_name}}", entity::UNIQUE_ATTRIBUTE_PATH_PREFIX);
    let routes: [(&str, MethodRouter<Arc<Sandbox>>); 8] = [
        (typedefs::PATH, get(get_typedefs).post(create_typedefs).put(update_typedefs)),
        (search::PATH, post(index_search)),
        (entity::BULK_PATH, post(bulk)),
        (&by_guid, get(get_by_guid)),
        (&business_metadata, post(write_business_metadata)),
        (&by_unique_attribute, get(get_by_unique_attribute).put(partial_update)),
        (whoami::PATH, get(get_whoami)),
        (whoami::CURRENT_USER_PATH, get(get_whoami)),
    ];
    let mut router = Router::new();
    for (path, methods) in routes {
        // The official Python SDK sends some paths with a trailing slash.
        router = router.route(path, methods.clone()).route(&format!("{path}/"), methods);
    }
    router
        .route("/api/meta/{*rest}", any(unknown_endpoint))
        .route("/api/service/{*rest}", any(unknown_endpoint))
        .with_state(sandbox)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(*self.body)).into_response()
    }
}

fn unauthenticated() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        codes::UNAUTHENTICATED,
        "Authentication failed: the API token is missing, invalid or expired",
    )
}

/// The bearer token of a request (never logged or echoed).
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

/// The user a bearer token acts as.
fn authenticate<'a>(catalog: &'a Catalog, headers: &HeaderMap) -> Result<&'a str, ApiError> {
    bearer(headers).and_then(|t| catalog.user_for_token(t)).ok_or_else(unauthenticated)
}

fn parse_body<T: DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::new(StatusCode::BAD_REQUEST, codes::BAD_REQUEST_BODY, format!("Invalid request body: {e}"))
    })
}

/// Decoded query pairs (keys too: `attr%3AqualifiedName` is `attr:qualifiedName`).
pub(crate) fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.unwrap_or_default().as_bytes()).into_owned().collect()
}

fn answer<T: Serialize>(result: Result<T, ApiError>) -> Response {
    match result {
        Ok(body) => Json(body).into_response(),
        Err(e) => e.into_response(),
    }
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// `GET typedefs?type=classification` (any case, repeated, trailing slash).
async fn get_typedefs(State(sandbox): State<Arc<Sandbox>>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let categories: BTreeSet<TypeCategory> = query_pairs(query.as_deref())
        .iter()
        .filter(|(k, _)| k == "type")
        .filter_map(|(_, v)| TypeCategory::parse(v))
        .collect();
    let catalog = sandbox.catalog();
    answer(authenticate(&catalog, &headers).map(|_| catalog.typedefs(&categories)))
}

/// `POST typedefs` (admin role).
async fn create_typedefs(State(sandbox): State<Arc<Sandbox>>, headers: HeaderMap, body: Bytes) -> Response {
    let result = (|| {
        let mut catalog = sandbox.catalog_mut();
        let user = authenticate(&catalog, &headers)?.to_owned();
        let request: TypeDefs = parse_body(&body)?;
        catalog.create_typedefs(&user, request)
    })();
    sandbox.changed_if(result.is_ok());
    answer(result)
}

/// `PUT typedefs` (admin role).
async fn update_typedefs(State(sandbox): State<Arc<Sandbox>>, headers: HeaderMap, body: Bytes) -> Response {
    let result = (|| {
        let mut catalog = sandbox.catalog_mut();
        let user = authenticate(&catalog, &headers)?.to_owned();
        let request: TypeDefs = parse_body(&body)?;
        catalog.update_typedefs(&user, request)
    })();
    sandbox.changed_if(result.is_ok());
    answer(result)
}

/// `POST indexsearch`.
async fn index_search(State(sandbox): State<Arc<Sandbox>>, headers: HeaderMap, body: Bytes) -> Response {
    let catalog = sandbox.catalog();
    answer(authenticate(&catalog, &headers).and_then(|user| {
        let request: IndexSearchRequest = parse_body(&body).map_err(|mut e| {
            e.body.error_code = codes::INVALID_SEARCH.to_owned();
            e
        })?;
        catalog.search(user, &request)
    }))
}

/// `POST entity/bulk?appendTags=…&replaceBusinessAttributes=…`.
async fn bulk(State(sandbox): State<Arc<Sandbox>>, headers: HeaderMap, RawQuery(query): RawQuery, body: Bytes) -> Response {
    let pairs = query_pairs(query.as_deref());
    let options = BulkOptions::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let result = (|| {
        let mut catalog = sandbox.catalog_mut();
        let user = authenticate(&catalog, &headers)?.to_owned();
        let request: BulkRequest = parse_body(&body)?;
        catalog.bulk(&user, options, request, now_ms())
    })();
    sandbox.changed_if(result.as_ref().is_ok_and(|r| {
        !(r.mutated_entities.create.is_empty() && r.mutated_entities.update.is_empty())
    }));
    answer(result)
}

/// `POST entity/guid/{guid}/businessmetadata?isOverwrite=false` → 204.
async fn write_business_metadata(
    State(sandbox): State<Arc<Sandbox>>,
    Path(guid): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let overwrite = query_pairs(query.as_deref()).iter().any(|(k, v)| k == "isOverwrite" && v.eq_ignore_ascii_case("true"));
    let result = (|| {
        let mut catalog = sandbox.catalog_mut();
        let user = authenticate(&catalog, &headers)?.to_owned();
        let values: BusinessAttributes = parse_body(&body)?;
        catalog.write_business_metadata(&user, &guid, &values, overwrite, now_ms())
    })();
    match result {
        Ok(changed) => {
            sandbox.changed_if(changed);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// `GET entity/guid/{guid}`.
async fn get_by_guid(State(sandbox): State<Arc<Sandbox>>, Path(guid): Path<String>, headers: HeaderMap) -> Response {
    let catalog = sandbox.catalog();
    answer(authenticate(&catalog, &headers).and_then(|user| {
        catalog.get_by_guid(user, &guid).map(|entity| EntityWithExtInfo { entity, referred_entities: Default::default() })
    }))
}

/// `GET entity/uniqueAttribute/type/{type}?attr:qualifiedName=…` (the colon may be encoded;
/// `minExtInfo` and `ignoreRelationships` are accepted and change nothing).
async fn get_by_unique_attribute(
    State(sandbox): State<Arc<Sandbox>>,
    Path(type_name): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let catalog = sandbox.catalog();
    answer(authenticate(&catalog, &headers).and_then(|user| {
        let pairs = query_pairs(query.as_deref());
        let qualified_name = pairs
            .iter()
            .find(|(k, _)| k == UNIQUE_QUALIFIED_NAME_PARAM)
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| ApiError::invalid(format!("missing query parameter {UNIQUE_QUALIFIED_NAME_PARAM}")))?;
        catalog
            .get_by_qualified_name(user, &type_name, qualified_name)
            .map(|entity| EntityWithExtInfo { entity, referred_entities: Default::default() })
    }))
}

/// `PUT entity/uniqueAttribute/type/{type}?attr:qualifiedName=…` with `{"entity": {...}}`.
async fn partial_update(
    State(sandbox): State<Arc<Sandbox>>,
    Path(type_name): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let result = (|| {
        let mut catalog = sandbox.catalog_mut();
        let user = authenticate(&catalog, &headers)?.to_owned();
        let pairs = query_pairs(query.as_deref());
        let qualified_name = pairs
            .iter()
            .find(|(k, _)| k == UNIQUE_QUALIFIED_NAME_PARAM)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| ApiError::invalid(format!("missing query parameter {UNIQUE_QUALIFIED_NAME_PARAM}")))?;
        let request: PartialUpdateRequest = parse_body(&body)?;
        catalog.partial_update(&user, &type_name, &qualified_name, request.entity, now_ms())
    })();
    sandbox.changed_if(result.as_ref().is_ok_and(|r| !r.mutated_entities.partial_update.is_empty()));
    answer(result)
}

/// `GET /api/service/whoami`.
async fn get_whoami(State(sandbox): State<Arc<Sandbox>>, headers: HeaderMap) -> Response {
    let catalog = sandbox.catalog();
    answer(authenticate(&catalog, &headers).map(|user| catalog.whoami(user)))
}

async fn unknown_endpoint(State(sandbox): State<Arc<Sandbox>>, headers: HeaderMap) -> Response {
    let catalog = sandbox.catalog();
    if let Err(e) = authenticate(&catalog, &headers) {
        return e.into_response();
    }
    ApiError::new(StatusCode::NOT_FOUND, codes::RESOURCE_NOT_FOUND, "No such endpoint in the sandbox catalog").into_response()
}
