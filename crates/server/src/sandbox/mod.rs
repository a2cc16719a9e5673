//! Sandbox tenants (SPEC §6): a local catalog and a local Hightouch workspace that speak the real
//! wire formats, with demo data, fixed demo credentials (README), a matching local inventory,
//! sample rows, fault injection, an optional state file, and helpers without a token: the
//! inventory, samples, the live access config and a reset to the demo.

pub mod authorize;
pub mod catalog;
pub mod demo;
pub mod faults;
pub mod hightouch;
pub mod inventory;
pub mod sample;
mod seeded;
pub mod state;

use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use steward_core::catalog::error::codes;
use tokio::sync::Notify;

use catalog::demo::DemoOptions;
use catalog::{ApiError, Catalog};
use faults::{FaultPlan, Faults};
use hightouch::Workspace;
use inventory::Inventory;
use state::StateFile;

/// How the sandbox starts.
#[derive(Debug, Clone, Default)]
pub struct SandboxOptions {
    /// Demo data (used when there is no state file yet).
    pub demo: DemoOptions,
    /// Server-wide fault injection.
    pub faults: Option<FaultPlan>,
    /// Where the tenants are loaded from and saved to.
    pub state_file: Option<PathBuf>,
}

/// Both tenants, the inventory and the sandbox's own machinery.
#[derive(Debug)]
pub struct Sandbox {
    catalog: RwLock<Catalog>,
    hightouch: RwLock<Workspace>,
    inventory: RwLock<Inventory>,
    /// What a reset restores.
    demo: DemoOptions,
    faults: Faults,
    state_file: Option<PathBuf>,
    changes: Notify,
    /// One save at a time, so that an older snapshot never replaces a newer one.
    saving: tokio::sync::Mutex<()>,
    /// The state file's lock, held as long as the sandbox lives (see [`state::lock`]).
    _lock: Option<state::StateLock>,
}

impl Sandbox {
    /// The demo tenants.
    pub fn demo_state(options: DemoOptions) -> Result<StateFile, String> {
        Ok(StateFile {
            format: state::FORMAT.to_owned(),
            catalog: catalog::demo::state(options)?,
            hightouch: hightouch::demo_state(),
            inventory: inventory::demo(&demo::snowflake(options.scale)),
        })
    }

    /// Tenants from a state, saved to `state_file` if given (without locking it: [`Self::open`]
    /// does).
    pub fn from_state(state: StateFile, faults: Option<FaultPlan>, state_file: Option<PathBuf>) -> Result<Self, String> {
        Ok(Self {
            catalog: RwLock::new(Catalog::from_state(state.catalog)?),
            hightouch: RwLock::new(Workspace::from_state(state.hightouch)?),
            inventory: RwLock::new(state.inventory),
            demo: DemoOptions::default(),
            faults: Faults::new(faults),
            state_file,
            changes: Notify::new(),
            saving: tokio::sync::Mutex::new(()),
            _lock: None,
        })
    }

    /// Locks the state file (a second server on it is refused), loads it (or builds the demo
    /// and writes it), and starts saving changes.
    pub async fn open(options: &SandboxOptions) -> Result<Arc<Self>, String> {
        // Before anything else touches the file or its temporaries: they may be another server's.
        let lock = options.state_file.as_deref().map(state::lock).transpose()?;
        let loaded = match &options.state_file {
            Some(path) => {
                state::remove_stale_temporaries(path);
                state::load(path)?
            }
            None => None,
        };
        let fresh = loaded.is_none();
        let state = match loaded {
            Some(state) => state,
            None => Self::demo_state(options.demo)?,
        };
        let sandbox =
            Arc::new(Self { demo: options.demo, _lock: lock, ..Self::from_state(state, options.faults.clone(), options.state_file.clone())? });
        if sandbox.state_file.is_some() {
            if fresh {
                sandbox.save().await.map_err(|e| format!("cannot write the state file: {e}"))?;
            }
            tokio::spawn(save_changes(Arc::clone(&sandbox)));
        }
        Ok(sandbox)
    }

    /// Reads the catalog.
    pub fn catalog(&self) -> RwLockReadGuard<'_, Catalog> {
        self.catalog.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Changes the catalog.
    pub fn catalog_mut(&self) -> RwLockWriteGuard<'_, Catalog> {
        self.catalog.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads the Hightouch workspace.
    pub fn hightouch(&self) -> RwLockReadGuard<'_, Workspace> {
        self.hightouch.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// The local inventory.
    pub fn inventory(&self) -> RwLockReadGuard<'_, Inventory> {
        self.inventory.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Restores the demo tenants the server started from (the same demo options, whether or not
    /// a state file was loaded): catalog, Hightouch workspace and inventory; fault counters start
    /// again. With a state file, the restored state is saved before this returns.
    pub async fn reset(&self) -> Result<(), String> {
        let options = self.demo;
        let (catalog, hightouch, inventory) = tokio::task::spawn_blocking(move || -> Result<_, String> {
            let state = Self::demo_state(options)?;
            Ok((Catalog::from_state(state.catalog)?, Workspace::from_state(state.hightouch)?, state.inventory))
        })
        .await
        .map_err(|e| e.to_string())??;
        let old = {
            // All three at once (in the order a snapshot reads them): no save sees a mix.
            let mut current_catalog = self.catalog_mut();
            let mut current_hightouch = self.hightouch.write().unwrap_or_else(PoisonError::into_inner);
            let mut current_inventory = self.inventory.write().unwrap_or_else(PoisonError::into_inner);
            (
                std::mem::replace(&mut *current_catalog, catalog),
                std::mem::replace(&mut *current_hightouch, hightouch),
                std::mem::replace(&mut *current_inventory, inventory),
            )
        };
        // Freeing a large tenant takes a while: not under the locks, not on the request's thread.
        tokio::task::spawn_blocking(move || drop(old));
        self.faults.reset();
        self.save().await.map_err(|e| format!("cannot save the reset state: {e}"))
    }

    /// Records that the tenants changed (the state file is saved soon after).
    pub fn changed_if(&self, changed: bool) {
        if changed && self.state_file.is_some() {
            self.changes.notify_one();
        }
    }

    /// The tenants as a state file.
    pub fn snapshot(&self) -> StateFile {
        StateFile {
            format: state::FORMAT.to_owned(),
            catalog: self.catalog().to_state(),
            hightouch: self.hightouch().state().clone(),
            inventory: self.inventory().clone(),
        }
    }

    /// Saves the state file now (no-op without one).
    pub async fn save(&self) -> std::io::Result<()> {
        let Some(path) = self.state_file.clone() else { return Ok(()) };
        let _one_at_a_time = self.saving.lock().await;
        let bytes = serde_json::to_vec(&self.snapshot()).map_err(std::io::Error::other)?;
        tokio::task::spawn_blocking(move || state::save_atomic(&path, &bytes)).await.map_err(std::io::Error::other)?
    }
}

/// Saves after each burst of changes (changes during a save are picked up by the next one).
async fn save_changes(sandbox: Arc<Sandbox>) {
    loop {
        sandbox.changes.notified().await;
        if let Err(e) = sandbox.save().await {
            eprintln!("steward-server: saving the sandbox state failed: {e}");
        }
    }
}

/// Routes of the sandbox tenants (faults apply to the tenant APIs, not to `/sandbox/*`).
pub fn router(sandbox: Arc<Sandbox>) -> Router {
    let apis = catalog::router(Arc::clone(&sandbox))
        .merge(hightouch::router(Arc::clone(&sandbox)))
        .layer(axum::middleware::from_fn_with_state(Arc::clone(&sandbox), faults::inject));
    let helpers = Router::new()
        .route("/sandbox/inventory", get(get_inventory))
        .route("/sandbox/sample", get(get_sample))
        .route("/sandbox/access-config", get(get_access_config))
        .route("/sandbox/reset", post(reset))
        .with_state(sandbox);
    apis.merge(helpers)
}

/// `GET /sandbox/inventory`.
async fn get_inventory(State(sandbox): State<Arc<Sandbox>>) -> Response {
    Json(&*sandbox.inventory()).into_response()
}

/// `GET /sandbox/access-config`: the access config (SPEC §2) the catalog tenant authorises with
/// now, personas and policies written through the API included.
async fn get_access_config(State(sandbox): State<Arc<Sandbox>>) -> Response {
    let config = sandbox.catalog().access().config().clone();
    Json(config).into_response()
}

/// `POST /sandbox/reset` → 204: the demo tenants again.
async fn reset(State(sandbox): State<Arc<Sandbox>>) -> Response {
    match sandbox.reset().await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, codes::INTERNAL_ERROR, e).into_response(),
    }
}

/// `GET /sandbox/sample?qualifiedName=…[&rows=N][&format=csv]`.
async fn get_sample(State(sandbox): State<Arc<Sandbox>>, RawQuery(query): RawQuery) -> Response {
    let pairs = catalog::query_pairs(query.as_deref());
    let param = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let Some(qualified_name) = param("qualifiedName") else {
        return ApiError::invalid("missing query parameter qualifiedName").into_response();
    };
    let rows = match param("rows").map(str::parse::<usize>) {
        None => sample::DEFAULT_ROWS,
        Some(Ok(n)) if (1..=sample::MAX_ROWS).contains(&n) => n,
        Some(_) => return ApiError::invalid(format!("rows: expected an integer from 1 to {}", sample::MAX_ROWS)).into_response(),
    };
    let catalog = sandbox.catalog();
    let Some(table) = catalog.entity_by_qualified_name(qualified_name).filter(|e| matches!(e.type_name.as_str(), "Table" | "View" | "MaterialisedView")) else {
        return ApiError::new(StatusCode::NOT_FOUND, codes::UNIQUE_ATTRIBUTE_NOT_FOUND, format!("no table or view {qualified_name}"))
            .into_response();
    };
    let columns = catalog
        .columns_of(qualified_name)
        .into_iter()
        .map(|c| {
            let data_type = c.attributes.get("dataType").and_then(serde_json::Value::as_str).unwrap_or("VARCHAR").to_owned();
            (c.name().to_owned(), data_type, catalog.tag_names(c))
        })
        .collect();
    let columns = sample::rows(qualified_name, columns, rows);
    if param("format") == Some("csv") {
        return ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], sample::to_csv(&columns)).into_response();
    }
    Json(serde_json::json!({
        "qualifiedName": qualified_name,
        "typeName": table.type_name,
        "name": table.name(),
        "tags": catalog.tag_names(table),
        "rows": rows,
        "columns": columns,
    }))
    .into_response()
}
