//! The sandbox Hightouch workspace: `GET /api/v1/sources|destinations|models|syncs` and
//! `/api/v1/syncs/{id}/runs`, paged with `limit`/`offset`. Each API key is bound to a role policy
//! document, evaluated by core on every request through [`super::authorize`].

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use steward_core::hightouch::api::{
    Connector, Destination, ErrorBody, ListEndpoint, Model, PageParams, Source, Sync, SyncRun,
};
use steward_core::hightouch::policy::{self, RolePolicy};

use super::authorize::authorize_hightouch;
use super::catalog::{bearer, query_pairs};
use super::Sandbox;

/// The demo Hightouch keys: key → (name, role policy document).
pub fn demo_keys() -> Vec<ApiKey> {
    vec![
        ApiKey {
            key: "sandbox-hightouch-readonly".into(),
            name: "Atlan Integration (atlan_role, read-only as in the setup guide)".into(),
            role: policy::catalog_role().to_json(),
        },
        ApiKey {
            key: "sandbox-hightouch-broad".into(),
            name: "Legacy admin key (over-broad role)".into(),
            role: json!({"version": policy::VERSION, "policies": [{"effect": "allow", "actions": ["*"], "resource": ["*"]}]}),
        },
        ApiKey {
            key: "sandbox-hightouch-partial".into(),
            name: "Reporting key (no destinations or syncs)".into(),
            role: json!({"version": policy::VERSION, "policies": [
                {"effect": "allow", "actions": ["read"], "resource": ["workspace", "source", "model"]}]}),
        },
    ]
}

/// An API key and the role policy it is bound to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKey {
    /// The key (a bearer token).
    pub key: String,
    /// What it is for.
    pub name: String,
    /// Role policy document (SPEC §4).
    pub role: Value,
}

/// The serialised workspace (part of the `--state` file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceState {
    /// Workspace id.
    pub id: String,
    /// Workspace name.
    pub name: String,
    /// API keys.
    pub keys: Vec<ApiKey>,
    /// Sources.
    pub sources: Vec<Source>,
    /// Destinations.
    pub destinations: Vec<Destination>,
    /// Models.
    pub models: Vec<Model>,
    /// Syncs.
    pub syncs: Vec<Sync>,
    /// Sync runs, newest first per sync.
    pub runs: Vec<SyncRun>,
}

/// A workspace with its keys' policies parsed once.
#[derive(Debug, Clone)]
pub struct Workspace {
    state: WorkspaceState,
    roles: HashMap<String, RolePolicy>,
}

impl Workspace {
    /// Builds a workspace; a key whose role does not parse is an error naming the key's name.
    pub fn from_state(state: WorkspaceState) -> Result<Self, String> {
        let mut roles = HashMap::new();
        for key in &state.keys {
            let role = RolePolicy::from_json(&key.role).map_err(|e| format!("Hightouch key {:?}: {e}", key.name))?;
            roles.insert(key.key.clone(), role);
        }
        Ok(Self { state, roles })
    }

    /// The serialised form.
    pub fn state(&self) -> &WorkspaceState {
        &self.state
    }
}

fn timestamp(day: u64, hour: u64) -> String {
    // Demo times: May–June 2024 (day 0 = 1 May).
    let (month, day_of_month) = if day < 31 { (5, day + 1) } else { (6, (day - 31) % 30 + 1) };
    format!("2024-{month:02}-{day_of_month:02}T{:02}:{:02}:00Z", hour % 24, (day * 7 + hour) % 60)
}

/// Sources or destinations named `(name, type)`, numbered from `first_id`; `times(i)` answers the
/// i-th one's creation and update times.
fn connectors(workspace_id: &str, first_id: usize, specs: &[(&str, &str)], times: impl Fn(u64) -> (String, String)) -> Vec<Connector> {
    specs
        .iter()
        .enumerate()
        .map(|(i, (name, kind))| {
            let (created_at, updated_at) = times(i as u64);
            Connector {
                id: format!("{}", first_id + i),
                name: (*name).to_owned(),
                slug: slug(name),
                workspace_id: workspace_id.to_owned(),
                created_at,
                updated_at,
                kind: (*kind).to_owned(),
            }
        })
        .collect()
}

/// A name as a slug: lowercase, words joined by `-`.
fn slug(name: &str) -> String {
    name.to_lowercase().replace([' ', '(', ')'], "-").replace("--", "-").trim_matches('-').to_owned()
}

/// The demo workspace.
pub fn demo_state() -> WorkspaceState {
    let workspace_id = "48210".to_owned();
    let sources = connectors(&workspace_id, 101, &[("Snowflake demo", "snowflake"), ("App Postgres", "postgres"), ("Events BigQuery", "bigquery")], |i| {
        (timestamp(i, 9), timestamp(i + 10, 9))
    });
    let destinations = connectors(
        &workspace_id,
        201,
        &[("Salesforce", "salesforce"), ("HubSpot", "hubspot"), ("Braze", "braze"), ("Google Ads", "google-ads"), ("Slack alerts", "slack")],
        |i| (timestamp(i + 1, 10), timestamp(i + 12, 10)),
    );
    let model_specs = [
        ("Active customers", 101, "table", "CUSTOMER_ID"),
        ("High value customers", 101, "raw_sql", "CUSTOMER_ID"),
        ("Churn risk", 101, "dbt", "CUSTOMER_ID"),
        ("Leads to nurture", 101, "raw_sql", "LEAD_ID"),
        ("Web sessions", 103, "raw_sql", "SESSION_ID"),
        ("Product catalog", 101, "table", "PRODUCT_ID"),
        ("App users", 102, "table", "USER_ID"),
    ];
    let models: Vec<Model> = model_specs
        .iter()
        .enumerate()
        .map(|(i, (name, source, query_type, key))| Model {
            id: format!("{}", 301 + i),
            name: (*name).to_owned(),
            slug: slug(name),
            workspace_id: workspace_id.clone(),
            created_at: timestamp(i as u64 + 2, 11),
            updated_at: timestamp(i as u64 + 14, 11),
            source_id: source.to_string(),
            query_type: (*query_type).to_owned(),
            primary_key: (*key).to_owned(),
        })
        .collect();
    let sync_specs = [
        (301, 201, "success", false),
        (302, 201, "success", false),
        (302, 202, "warning", false),
        (303, 203, "failed", false),
        (304, 202, "success", false),
        (305, 204, "success", false),
        (306, 201, "disabled", true),
        (307, 203, "success", false),
        (301, 205, "pending", false),
    ];
    let mut runs = Vec::new();
    let syncs: Vec<Sync> = sync_specs
        .iter()
        .enumerate()
        .map(|(i, (model, destination, status, disabled))| {
            let id = format!("{}", 401 + i);
            let model_name = models.iter().find(|m| m.id == model.to_string()).map_or("model", |m| m.name.as_str());
            let destination_name = destinations.iter().find(|d| d.id == destination.to_string()).map_or("destination", |d| d.name.as_str());
            let name = format!("{model_name} → {destination_name}");
            let run_count = if *status == "pending" { 0 } else { 3 + (i % 4) as u64 };
            for r in 0..run_count {
                let day = 40 + r * 2 + i as u64 % 2;
                let failed = *status == "failed" && r == 0;
                runs.push(SyncRun {
                    id: format!("{}{:02}", 5000 + i, r),
                    sync_id: id.clone(),
                    created_at: timestamp(day, 6),
                    started_at: timestamp(day, 6),
                    finished_at: Some(timestamp(day, 7)),
                    status: if failed { "failed".into() } else if *status == "warning" && r == 0 { "warning".into() } else { "success".into() },
                    planned_rows: 100 + (i as u64 * 37 + r * 11) % 900,
                    error: failed.then(|| "Destination rejected 12 rows: INVALID_EMAIL_ADDRESS".to_owned()),
                });
            }
            Sync {
                id,
                name,
                slug: format!("sync-{}", 401 + i),
                workspace_id: workspace_id.clone(),
                created_at: timestamp(i as u64 + 3, 12),
                updated_at: timestamp(i as u64 + 20, 12),
                model_id: model.to_string(),
                destination_id: destination.to_string(),
                status: (*status).to_owned(),
                schedule: Some(json!({"type": "interval", "schedule": {"interval": {"quantity": 1 + i % 6, "unit": "hour"}}})),
                last_run_at: (run_count > 0).then(|| timestamp(40 + (run_count - 1) * 2 + i as u64 % 2, 6)),
                disabled: *disabled,
            }
        })
        .collect();
    runs.sort_by(|a, b| a.sync_id.cmp(&b.sync_id).then(b.started_at.cmp(&a.started_at)));
    WorkspaceState {
        id: workspace_id,
        name: "sandbox-workspace".into(),
        keys: demo_keys(),
        sources,
        destinations,
        models,
        syncs,
        runs,
    }
}

pub(super) fn router(sandbox: Arc<Sandbox>) -> Router {
    Router::new()
        .route(&ListEndpoint::Sources.path(None), get(sources))
        .route(&ListEndpoint::Destinations.path(None), get(destinations))
        .route(&ListEndpoint::Models.path(None), get(models))
        .route(&ListEndpoint::Syncs.path(None), get(syncs))
        .route(&ListEndpoint::SyncRuns.path(Some("{id}")), get(runs))
        .route(&format!("{}/{{*rest}}", steward_core::hightouch::api::PREFIX), axum::routing::any(unknown_endpoint))
        .with_state(sandbox)
}

/// A Hightouch error answer.
struct Refusal(StatusCode, String);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.0, Json(ErrorBody { message: self.1 })).into_response()
    }
}

fn error(status: StatusCode, message: impl Into<String>) -> Refusal {
    Refusal(status, message.into())
}

/// Authenticates the key; whether its role allows the endpoint is asked of core through the
/// sandbox's one authorisation seam.
fn authorize(workspace: &Workspace, headers: &HeaderMap, endpoint: ListEndpoint) -> Result<(), Refusal> {
    let role = bearer(headers)
        .and_then(|key| workspace.roles.get(key))
        .ok_or_else(|| error(StatusCode::UNAUTHORIZED, "Unauthorized: the API key is missing or invalid"))?;
    authorize_hightouch(role, endpoint).map_err(|denied| error(StatusCode::FORBIDDEN, denied.message()))
}

fn page_params(query: Option<&str>) -> Result<PageParams, Refusal> {
    let pairs = query_pairs(query);
    PageParams::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).map_err(|m| error(StatusCode::BAD_REQUEST, m))
}

type Shared = State<Arc<Sandbox>>;

async fn sources(sandbox: Shared, headers: HeaderMap, query: RawQuery) -> Response {
    list(sandbox, headers, query, ListEndpoint::Sources)
}

async fn destinations(sandbox: Shared, headers: HeaderMap, query: RawQuery) -> Response {
    list(sandbox, headers, query, ListEndpoint::Destinations)
}

async fn models(sandbox: Shared, headers: HeaderMap, query: RawQuery) -> Response {
    list(sandbox, headers, query, ListEndpoint::Models)
}

async fn syncs(sandbox: Shared, headers: HeaderMap, query: RawQuery) -> Response {
    list(sandbox, headers, query, ListEndpoint::Syncs)
}

fn list(State(sandbox): Shared, headers: HeaderMap, RawQuery(query): RawQuery, endpoint: ListEndpoint) -> Response {
    let workspace = sandbox.hightouch();
    if let Err(denied) = authorize(&workspace, &headers, endpoint) {
        return denied.into_response();
    }
    let params = match page_params(query.as_deref()) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let s = &workspace.state;
    match endpoint {
        ListEndpoint::Sources => Json(params.page(&s.sources)).into_response(),
        ListEndpoint::Destinations => Json(params.page(&s.destinations)).into_response(),
        ListEndpoint::Models => Json(params.page(&s.models)).into_response(),
        // Runs are listed per sync, by `runs` below.
        ListEndpoint::Syncs | ListEndpoint::SyncRuns => Json(params.page(&s.syncs)).into_response(),
    }
}

async fn runs(State(sandbox): State<Arc<Sandbox>>, Path(id): Path<String>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let workspace = sandbox.hightouch();
    if let Err(denied) = authorize(&workspace, &headers, ListEndpoint::SyncRuns) {
        return denied.into_response();
    }
    if !workspace.state.syncs.iter().any(|s| s.id == id) {
        return error(StatusCode::NOT_FOUND, format!("Sync {id} not found")).into_response();
    }
    let params = match page_params(query.as_deref()) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let runs: Vec<SyncRun> = workspace.state.runs.iter().filter(|r| r.sync_id == id).cloned().collect();
    Json(params.page(&runs)).into_response()
}

async fn unknown_endpoint() -> Response {
    error(StatusCode::NOT_FOUND, "Not found").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_keys_parse_and_the_readonly_key_has_the_seed_role() {
        let workspace = Workspace::from_state(demo_state()).unwrap();
        let readonly = &workspace.roles["sandbox-hightouch-readonly"];
        assert!(readonly.check_catalog_role().ok);
        assert!(!workspace.roles["sandbox-hightouch-broad"].check_catalog_role().ok);
        assert!(!workspace.roles["sandbox-hightouch-partial"].allows_named("read", "destination"));
        assert!(workspace.state.syncs.len() >= 5 && workspace.state.runs.len() >= 10);
        assert_eq!(demo_state(), demo_state());
    }
}
