//! The sandbox catalog's endpoints (API-NOTES.md).

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use steward_core::catalog::error::ErrorBody;
use steward_core::catalog::typedefs::{self, TypeDefs};

use super::{SandboxUser, Tenant};

pub(super) fn router(tenant: Arc<Tenant>) -> Router {
    Router::new()
        .route(typedefs::PATH, get(get_typedefs))
        // The official Python SDK sends a trailing slash.
        .route(&format!("{}/", typedefs::PATH), get(get_typedefs))
        .with_state(tenant)
}

/// An error the sandbox catalog answers, in the catalog's JSON format.
#[derive(Debug)]
enum CatalogError {
    /// Missing, unknown or expired token.
    Unauthorized,
}

impl IntoResponse for CatalogError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            CatalogError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                ErrorBody::new(
                    "ATLAS-401-00-001",
                    "Authentication failed: the API token is missing, invalid or expired",
                ),
            ),
        };
        (status, Json(body)).into_response()
    }
}

/// The user a bearer token acts as. The token itself is never logged or echoed.
fn authenticate<'a>(tenant: &'a Tenant, headers: &HeaderMap) -> Result<&'a SandboxUser, CatalogError> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    token.and_then(|t| tenant.tokens.get(t)).ok_or(CatalogError::Unauthorized)
}

/// `GET /api/meta/types/typedefs?type=classification` (any case, repeated, trailing slash).
async fn get_typedefs(State(tenant): State<Arc<Tenant>>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    if let Err(denied) = authenticate(&tenant, &headers) {
        return denied.into_response();
    }
    let types: Vec<String> = query
        .unwrap_or_default()
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .filter(|(key, _)| *key == "type")
        .map(|(_, value)| value.to_ascii_lowercase())
        .collect();
    let wants = |t: &str| types.is_empty() || types.iter().any(|x| x == t);
    let mut defs = TypeDefs::default();
    if wants("classification") {
        defs.classification_defs = tenant.tags.clone();
    }
    // Always answer struct definitions: the SDK reads an empty list as an expired token.
    defs.struct_defs = tenant.structs.clone();
    Json(defs).into_response()
}
