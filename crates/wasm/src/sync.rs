//! The sync run (SPEC §5, §9 `runSync`, `mapAssets`): the network loop around core's pure plan.
//! It reads the catalog (type definitions, then the schemas and every table, view and column
//! of the mapped schemas, pages fetched concurrently), maps, plans with
//! `steward_core::sync::plan`, and sends the writes in bulk batches. Every rule lives in core;
//! this module only sequences requests, paces them, counts them and reports progress.
//!
//! Cancel: the caller's signal stops new requests; writes already sent are awaited (a write
//! is never cut off half-way), and the run resolves with `cancelled: true`.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};

use futures_util::future::LocalBoxFuture;
use futures_util::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use steward_core::catalog::entity::{BulkOptions, BulkRequest, EntityHeader};
use steward_core::catalog::search::IndexSearchRequest;
use steward_core::catalog::typedefs::{TypeCategory, TypeDefs};
use steward_core::mapping::{map_assets, CatalogAsset, MappingOptions, MappingReport};
use steward_core::sync::budget::RequestBudget;
use steward_core::sync::inventory::Inventory;
use steward_core::sync::plan::{
    self, AssetWrite, LogAction, LogEntry, LogResult, Mode, SyncOptions, TagNames,
};
use steward_core::sync::quality_set::{self, ResolvedSet, SetStatus};
use steward_core::sync::queries::{self, Scope};
use steward_core::sync::report::{RequestCounts, SyncReport};
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use crate::catalog_client::{CatalogApi, CatalogClient};
use crate::error::{ErrorCode, StewardError};
use crate::http::{now_ms, sleep};

#[wasm_bindgen(typescript_custom_section)]
const TS_SYNC: &str = r#"
/** A local asset id: the data-quality tool's own, number or string. */
export type AssetId = number | string;
/** Quality results of one asset (every field optional). */
export interface QualityResults {
  score?: number;
  dimensions?: { completeness?: number; coverage?: number; conformity?: number; consistency?: number;
    precision?: number; timeliness?: number; volume?: number; accuracy?: number };
  checks?: number; anomalies?: number; url?: string;
}
/** A column of the local inventory. */
export interface InventoryField { id: AssetId; name: string; fieldType?: string; tags?: string[]; externalTags?: string[]; quality?: QualityResults }
/** A table or view of the local inventory. */
export interface InventoryContainer { id: AssetId; name: string; containerType?: string; tags?: string[]; externalTags?: string[]; quality?: QualityResults; fields?: InventoryField[] }
/** A datastore (one database schema) of the local inventory. */
export interface InventoryDatastore { id: AssetId; name: string; connector?: string; database?: string; schema?: string; tags?: string[]; externalTags?: string[]; quality?: QualityResults; containers?: InventoryContainer[] }
/** The local inventory (schema: schema/inventory.schema.json). */
export interface Inventory { datastores: InventoryDatastore[] }
/** Sync modes. */
export type SyncMode = "pull" | "push" | "both";
/** Options of a sync run; every one optional. */
export interface SyncOptions {
  /** Plan and report, send no write. Default false. */
  dryRun?: boolean;
  /** Raise a warning announcement on assets with active anomalies, remove ours at zero. Default true. */
  announcements?: boolean;
  /** Turn a local tag named like a catalog tag into the external tag. Default false. */
  overwriteTags?: boolean;
  /** Pull propagated tags too. Default false. */
  includePropagated?: boolean;
  /** Display name of the custom-metadata set. Default "Data Quality". */
  metadataSet?: string;
  /** Catalog connections (qualified names) to map into; default: every connection of each datastore's connector. */
  connections?: string[];
  /** Entities per bulk write, 1–20. Default 20. */
  batchSize?: number;
  /** Requests in flight at once, 1–16. Default 4. */
  concurrency?: number;
  /** Request budget per minute (0: no limit). Default 1800, the catalog's documented budget per client. */
  requestsPerMinute?: number;
  /** Results per search page. Default 300. */
  pageSize?: number;
}
/** Progress of a run. */
export interface SyncProgress { phase: "typedefs" | "search" | "map" | "pull" | "push" | "done"; done: number; total: number }
/** One line of the sync log. */
export interface SyncLogEntry {
  assetId?: AssetId; asset?: string; qualifiedName?: string;
  action: "map" | "tags" | "metadata" | "announcement" | "typedefs" | "search";
  result: "mapped" | "unmapped" | "ambiguous" | "updated" | "unchanged" | "written" | "planned" | "set" | "cleared" | "kept" | "skipped" | "error" | "created";
  message: string;
}
/** A write the sync sends (or would send, in a dry run). */
export interface PlannedWrite {
  assetId: AssetId; asset: string; guid: string; typeName: string; qualifiedName: string; name: string;
  changes: { attribute: string; from: unknown; to: unknown }[];
  announcement?: { kind: "set"; title: string; message: string } | { kind: "clear" };
}
/** The report of `runSync`. */
export interface SyncReport {
  mode: SyncMode; dryRun: boolean; cancelled: boolean;
  counts: { mapped: number; unmapped: number; ambiguous: number; tagsAdded: number; tagsRemoved: number;
    metadataWritten: number; metadataUnchanged: number; announcementsSet: number; announcementsCleared: number;
    announcementsKept: number; errors: number };
  requests: { searches: number; reads: number; writes: number };
  /** Every local asset's external tags after the run, by local id. */
  externalTags: Record<string, string[]>;
  /** External tags no asset carries any more. */
  droppedTags: string[];
  /** The inventory with the pulled external tags applied (pull and both). */
  inventory?: Inventory;
  plannedWrites: PlannedWrite[];
  log: SyncLogEntry[];
  durationMs: number;
}
/** What `mapAssets` answers. */
export interface MappingReport {
  mapped: { localId: AssetId; level: "datastore" | "container" | "field"; localPath: string; guid: string; typeName: string; qualifiedName: string; name: string; exactCase: boolean }[];
  unmappedLocal: { localId: AssetId; level: "datastore" | "container" | "field"; localPath: string; reason: string }[];
  unmappedCatalog: { guid: string; typeName: string; qualifiedName: string; reason: string }[];
  ambiguous: { localId: AssetId; level: "datastore" | "container" | "field"; localPath: string; candidates: string[]; reason: string }[];
}
/** A catalog asset for `mapAssets`: flat, or as a search answers it. */
export type CatalogAssetInput =
  | { typeName: string; guid: string; qualifiedName: string; name: string; status?: "ACTIVE" | "DELETED" | "PURGED" }
  | { typeName: string; guid: string; status?: "ACTIVE" | "DELETED" | "PURGED"; attributes: { qualifiedName: string; name: string } };
"#;

/// The clock in ms, as the budget and durations count it.
#[allow(clippy::cast_precision_loss)] // epoch ms fit f64 exactly
fn elapsed_clock() -> f64 {
    now_ms() as f64
}

/// A JS value as JSON text: text is taken as is, anything else goes through `JSON.stringify`.
pub(crate) fn json_text(value: &JsValue, what: &str, code: ErrorCode) -> Result<String, StewardError> {
    if let Some(text) = value.as_string() {
        return Ok(text);
    }
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| StewardError::new(code, format!("{what}: expected an object or JSON text")))
}

/// A serialisable value as a JS value (through `JSON.parse`, one crossing).
pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, StewardError> {
    let text = serde_json::to_string(value)
        .map_err(|e| StewardError::new(ErrorCode::SyncFailed, format!("cannot encode the answer: {e}")))?;
    js_sys::JSON::parse(&text).map_err(|_| StewardError::new(ErrorCode::SyncFailed, "cannot decode the answer"))
}

pub(crate) fn parse_inventory(value: &JsValue) -> Result<Inventory, StewardError> {
    let text = json_text(value, "inventory", ErrorCode::InvalidInventory)?;
    Inventory::from_json(&text).map_err(|e| {
        // Paths below the root read `inventory.datastores[2].name`; the root is `inventory` itself.
        let at = if e.path == "inventory" { String::new() } else { "inventory.".to_owned() };
        StewardError::new(ErrorCode::InvalidInventory, format!("{at}{e}"))
    })
}

pub(crate) fn parse_options<T: for<'de> Deserialize<'de> + Default>(value: &JsValue, what: &str) -> Result<T, StewardError> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    let text = json_text(value, what, ErrorCode::InvalidOptions)?;
    let value: Value = serde_json::from_str(&text).map_err(|e| StewardError::new(ErrorCode::InvalidOptions, format!("{what}: {e}")))?;
    T::deserialize(&value).map_err(|e| StewardError::new(ErrorCode::InvalidOptions, locate_option::<T>(&value, what, &e.to_string())))
}

/// Names the option at fault: the first key that fails on its own (every option is optional).
fn locate_option<T: for<'de> Deserialize<'de>>(value: &Value, what: &str, message: &str) -> String {
    if let Some(object) = value.as_object() {
        for (key, v) in object {
            // By insert: `Map::from_iter` would add a sort to the module (~3 KB gzipped).
            let mut alone = serde_json::Map::new();
            alone.insert(key.clone(), v.clone());
            let alone = Value::Object(alone);
            if let Err(e) = T::deserialize(&alone) {
                return format!("{what}.{key}: {e}");
            }
        }
    }
    format!("{what}: {message}")
}

/// `mapAssets(inventory, catalogAssets, options?)` (SPEC §5 "Mapping").
#[wasm_bindgen(js_name = mapAssets, unchecked_return_type = "MappingReport")]
pub fn map_assets_js(
    #[wasm_bindgen(unchecked_param_type = "Inventory | string")] inventory: JsValue,
    #[wasm_bindgen(js_name = catalogAssets, unchecked_param_type = "CatalogAssetInput[] | string")] catalog_assets: JsValue,
    #[wasm_bindgen(unchecked_param_type = "{ connections?: string[] }")] options: JsValue,
) -> Result<JsValue, StewardError> {
    let inventory = parse_inventory(&inventory)?;
    let text = json_text(&catalog_assets, "catalogAssets", ErrorCode::InvalidOptions)?;
    let list: Vec<Value> = serde_json::from_str(&text)
        .map_err(|e| StewardError::new(ErrorCode::InvalidOptions, format!("catalogAssets: expected an array of assets ({e})")))?;
    let assets = list
        .iter()
        .enumerate()
        .map(|(i, v)| CatalogAsset::deserialize(v).map_err(|e| StewardError::new(ErrorCode::InvalidOptions, format!("catalogAssets[{i}]: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let options: MappingOptions = parse_options(&options, "options")?;
    to_js(&map_assets(&inventory, &assets, &options))
}

/// What a run holds per asset at its peak (search answers, plan, log, report), in bytes.
const MEMORY_PER_ASSET: usize = 6 * 1024;
/// The most [`reserve_memory`] asks for.
const MAX_RESERVE: usize = 1 << 30;

/// Grows the module's memory once, to about what a run of this size will use, instead of in
/// the allocator's 64 KiB steps: in Node every `memory.grow` of a growing module starts a
/// garbage collection for external memory, which made up half of a 72,000-asset sync. The
/// block is freed at once and the allocator hands it out again.
fn reserve_memory(assets: usize) {
    let block: Vec<u8> = Vec::with_capacity(assets.saturating_mul(MEMORY_PER_ASSET).min(MAX_RESERVE));
    // Keeps the allocation from being optimised away.
    std::hint::black_box(&block);
}

/// Arguments of `runSync` that cross as one JSON value.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RunArgs {
    #[serde(default)]
    mode: Mode,
    #[serde(default)]
    options: SyncOptions,
}

/// `runSync` without the JS wrapper's destructuring: `js/sync.js` passes the client, the
/// inventory, `{mode, options}`, the progress callback and the signal.
#[wasm_bindgen(js_name = runSyncWith, skip_typescript)]
pub fn run_sync_with(
    catalog: &CatalogClient,
    inventory: JsValue,
    args: JsValue,
    on_progress: Option<js_sys::Function>,
    signal: Option<AbortSignal>,
) -> Result<js_sys::Promise, StewardError> {
    let inventory = parse_inventory(&inventory)?;
    let args: RunArgs = parse_options(&args, "runSync")?;
    args.options.validate().map_err(|e| StewardError::new(ErrorCode::InvalidOptions, e))?;
    let api = catalog.api();
    reserve_memory(inventory.asset_count());
    Ok(wasm_bindgen_futures::future_to_promise(async move {
        let run = Run::new(api, args.options, on_progress, signal);
        let report = run.sync(inventory, args.mode).await?;
        Ok(to_js(&report)?)
    }))
}

/// One run: the client, the options, the pacing and the counters.
pub(crate) struct Run {
    pub(crate) api: CatalogApi,
    pub(crate) options: SyncOptions,
    on_progress: Option<js_sys::Function>,
    pub(crate) signal: Option<AbortSignal>,
    budget: RefCell<RequestBudget>,
    pub(crate) requests: Cell<RequestCounts>,
    started: f64,
}

/// What the catalog holds for the run: the mapping and each mapped asset's search answer.
pub(crate) struct CatalogState {
    pub(crate) mapping: MappingReport,
    pub(crate) headers: HashMap<String, EntityHeader>,
    /// Connections the schemas came from.
    pub(crate) connections: Vec<String>,
}

#[derive(Clone, Copy)]
pub(crate) enum Kind {
    Search,
    Read,
    Write,
}

impl Run {
    pub(crate) fn new(api: CatalogApi, options: SyncOptions, on_progress: Option<js_sys::Function>, signal: Option<AbortSignal>) -> Self {
        let budget = RefCell::new(RequestBudget::per_minute(options.requests_per_minute));
        Self { api, options, on_progress, signal, budget, requests: Cell::new(RequestCounts::default()), started: elapsed_clock() }
    }

    pub(crate) fn cancelled(&self) -> bool {
        self.signal.as_ref().is_some_and(AbortSignal::aborted)
    }

    fn progress(&self, phase: &str, done: usize, total: usize) {
        let Some(callback) = &self.on_progress else { return };
        let event = js_sys::Object::new();
        // Setting fields of a fresh object cannot fail; a throwing callback must not stop the run.
        let _ = js_sys::Reflect::set(&event, &"phase".into(), &phase.into());
        let _ = js_sys::Reflect::set(&event, &"done".into(), &JsValue::from(done as f64));
        let _ = js_sys::Reflect::set(&event, &"total".into(), &JsValue::from(total as f64));
        let _ = callback.call1(&JsValue::UNDEFINED, &event);
    }

    /// Waits for the budget, then counts the request.
    pub(crate) async fn admit(&self, kind: Kind) -> Result<(), StewardError> {
        let wait = self.budget.borrow_mut().reserve(elapsed_clock());
        if wait > 0.0 {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // a wait of a few seconds
            sleep(wait.ceil() as u64, self.signal.as_ref()).await?;
        }
        let mut counts = self.requests.get();
        match kind {
            Kind::Search => counts.searches += 1,
            Kind::Read => counts.reads += 1,
            Kind::Write => counts.writes += 1,
        }
        self.requests.set(counts);
        Ok(())
    }

    pub(crate) async fn search(&self, request: &IndexSearchRequest) -> Result<Vec<EntityHeader>, StewardError> {
        self.admit(Kind::Search).await?;
        let page = self.api.search(request, self.signal.as_ref()).await?;
        Ok(page.entities.unwrap_or_default())
    }

    /// Every hit of `request`: the first page tells the total; the other pages go concurrently
    /// by offset, or one after another by creation time past the index's result window.
    pub(crate) async fn search_all(&self, request: IndexSearchRequest, phase: &str) -> Result<Vec<EntityHeader>, StewardError> {
        let size = request.dsl.size;
        self.admit(Kind::Search).await?;
        let first = self.api.search(&request, self.signal.as_ref()).await?;
        let total = first.approximate_count;
        let mut hits = first.entities.unwrap_or_default();
        if !queries::fits_window(total, size) {
            return self.search_by_creation_time(request, phase).await;
        }
        let froms = queries::offset_pages(total, size);
        let pages = froms.len() + 1;
        self.progress(phase, 1, pages);
        let done = Cell::new(1);
        let mut results = stream::iter(froms.into_iter().map(|from| {
            let mut page = request.clone();
            page.dsl.from = from;
            let done = &done;
            async move {
                let found = self.search(&page).await;
                done.set(done.get() + 1);
                self.progress(phase, done.get(), pages);
                found
            }
        }))
        .buffered(self.options.concurrency);
        while let Some(page) = results.next().await {
            hits.extend(page?);
        }
        Ok(hits)
    }

    async fn search_by_creation_time(&self, request: IndexSearchRequest, phase: &str) -> Result<Vec<EntityHeader>, StewardError> {
        let base = request.dsl.query.clone();
        let mut page_request = queries::by_creation_time(request);
        let mut hits: Vec<EntityHeader> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        loop {
            let page = self.search(&page_request).await?;
            let full = u64::try_from(page.len()).unwrap_or(u64::MAX) >= page_request.dsl.size;
            let last = page.last().and_then(|h| h.create_time);
            let before = hits.len();
            for header in page {
                if seen.insert(header.guid.clone()) {
                    hits.push(header);
                }
            }
            self.progress(phase, hits.len(), hits.len());
            match last {
                Some(last) if full && hits.len() > before => page_request = queries::created_since(&page_request, &base, last),
                Some(_) if full => {
                    return Err(StewardError::new(
                        ErrorCode::SyncFailed,
                        "search: more assets share one creation time than a page holds; raise options.pageSize",
                    ))
                }
                _ => return Ok(hits),
            }
        }
    }

    /// Reads what the sync needs: schemas of the scope, then every table, view and column of
    /// the mapped schemas, with `attributes`; maps the inventory onto them.
    pub(crate) async fn read_catalog(&self, inventory: &Inventory, attributes: Vec<String>) -> Result<CatalogState, StewardError> {
        let scope = Scope::of(inventory, &self.options.connections);
        let schemas = self.search_all(queries::schemas(&scope, self.options.page_size, attributes.clone()), "search").await?;
        let as_assets = |headers: &[EntityHeader]| headers.iter().filter_map(CatalogAsset::from_header).collect::<Vec<_>>();
        let mapping_options = MappingOptions { connections: self.options.connections.clone() };
        let schema_assets = as_assets(&schemas);
        let first = map_assets(inventory, &schema_assets, &mapping_options);
        let mut schema_names: Vec<String> =
            first.mapped.iter().filter(|m| m.type_name == "Schema").map(|m| m.qualified_name.clone()).collect();
        schema_names.sort();
        schema_names.dedup();
        let mut headers: Vec<EntityHeader> = schemas;
        if !schema_names.is_empty() && !self.cancelled() {
            let request = queries::assets_of_schemas(&schema_names, self.options.page_size, attributes);
            headers.extend(self.search_all(request, "search").await?);
        }
        let mut connections: Vec<String> = schema_assets
            .iter()
            .map(|a| a.qualified_name.splitn(4, '/').take(3).collect::<Vec<_>>().join("/"))
            .collect();
        connections.sort();
        connections.dedup();
        self.progress("map", 0, 1);
        let assets = as_assets(&headers);
        let mapping = map_assets(inventory, &assets, &mapping_options);
        self.progress("map", 1, 1);
        let headers = headers.into_iter().map(|h| (h.guid.clone(), h)).collect();
        Ok(CatalogState { mapping, headers, connections })
    }

    pub(crate) async fn typedefs(&self) -> Result<TypeDefs, StewardError> {
        self.admit(Kind::Read).await?;
        self.api.typedefs(&[TypeCategory::Classification, TypeCategory::BusinessMetadata], self.signal.as_ref()).await
    }

    async fn sync(&self, inventory: Inventory, mode: Mode) -> Result<SyncReport, StewardError> {
        let mut report = SyncReport { mode, dry_run: self.options.dry_run, ..SyncReport::default() };
        match self.sync_into(&mut report, inventory, mode).await {
            Ok(()) => {}
            Err(e) if e.code == ErrorCode::Aborted => report.cancelled = true,
            Err(e) => return Err(e),
        }
        report.cancelled |= self.cancelled();
        report.requests = self.requests.get();
        report.duration_ms = elapsed_clock() - self.started;
        self.progress("done", 1, 1);
        Ok(report)
    }

    async fn sync_into(&self, report: &mut SyncReport, mut inventory: Inventory, mode: Mode) -> Result<(), StewardError> {
        self.progress("typedefs", 0, 1);
        let mut defs = self.typedefs().await?;
        let set = if mode.pushes() { self.quality_set(report, &defs).await? } else { None };
        let state = self.read_catalog(&inventory, plan::search_attributes(set.as_ref())).await?;
        let mapping = &state.mapping;
        report.counts.mapped = mapping.mapped.len();
        report.counts.unmapped = mapping.unmapped_local.len();
        report.counts.ambiguous = mapping.ambiguous.len();
        report.extend_log(plan::mapping_log(mapping));
        if self.cancelled() {
            return Ok(());
        }
        if mode.pulls() {
            self.progress("pull", 0, mapping.mapped.len());
            let mut tags = TagNames::new(&defs.classification_defs);
            let mut pull = plan::plan_pull(&inventory, mapping, &state.headers, &tags, &self.options);
            if !pull.unknown_tag_ids.is_empty() {
                // A tag created since the definitions were read: refresh them once.
                defs = self.typedefs().await?;
                tags = TagNames::new(&defs.classification_defs);
                pull = plan::plan_pull(&inventory, mapping, &state.headers, &tags, &self.options);
            }
            report.counts.tags_added = pull.added();
            report.counts.tags_removed = pull.removed();
            report.dropped_tags = plan::apply_pull(&mut inventory, &pull);
            report.external_tags = plan::external_tags_by_id(&inventory);
            report.extend_log(pull.log);
            self.progress("pull", mapping.mapped.len(), mapping.mapped.len());
        }
        if mode.pushes() {
            // Without the set (missing, and the token may not create it: logged above) the
            // announcements still go out.
            let push = plan::plan_push(&inventory, mapping, &state.headers, set.as_ref(), &self.options);
            report.counts.metadata_unchanged = push.metadata_unchanged;
            report.counts.announcements_kept = push.announcements_kept;
            report.extend_log(push.log);
            let set_id = set.as_ref().map_or("", |s| s.set_id.as_str());
            self.send_writes(report, push.writes, set_id).await;
        }
        if mode.pulls() {
            report.inventory = Some(inventory);
        }
        Ok(())
    }

    /// Finds the custom-metadata set, creating it or adding attributes when it must and may.
    /// `None` (with the error logged) when the push can't go on.
    async fn quality_set(&self, report: &mut SyncReport, defs: &TypeDefs) -> Result<Option<ResolvedSet>, StewardError> {
        let name = &self.options.metadata_set;
        let status = quality_set::resolve(&defs.business_metadata_defs, name);
        let (request, verb, missing) = match &status {
            SetStatus::Ready(set) => return Ok(Some(set.clone())),
            SetStatus::Missing(def) => {
                (TypeDefs { business_metadata_defs: vec![def.clone()], ..TypeDefs::default() }, "create", status.missing_attributes())
            }
            SetStatus::Incomplete { update, missing } => {
                (TypeDefs { business_metadata_defs: vec![update.clone()], ..TypeDefs::default() }, "update", missing.clone())
            }
        };
        let what = format!("custom-metadata set \"{name}\" ({} {})", if verb == "create" { "attributes" } else { "missing attributes" }, missing.join(", "));
        if self.options.dry_run {
            report.extend_log([LogEntry::general(LogAction::Typedefs, LogResult::Planned, format!("would {verb} the {what}"))]);
            return Ok(Some(planned_set(name)));
        }
        self.admit(Kind::Write).await?;
        let sent = if verb == "create" {
            self.api.create_typedefs(&request, self.signal.as_ref()).await
        } else {
            self.api.update_typedefs(&request, self.signal.as_ref()).await
        };
        match sent {
            Ok(answer) => {
                let defs = if answer.business_metadata_defs.iter().any(|d| &d.display_name == name) { answer } else { self.typedefs().await? };
                match quality_set::resolve(&defs.business_metadata_defs, name) {
                    SetStatus::Ready(set) => {
                        let result = if verb == "create" { LogResult::Created } else { LogResult::Written };
                        report.extend_log([LogEntry::general(LogAction::Typedefs, result, format!("{verb}d the {what}"))]);
                        Ok(Some(set))
                    }
                    _ => {
                        report.extend_log([LogEntry::general(LogAction::Typedefs, LogResult::Error, format!("the catalog accepted the {what} but does not list it"))]);
                        Ok(None)
                    }
                }
            }
            Err(e) if e.code == ErrorCode::Aborted => Err(e),
            Err(e) => {
                let types: Vec<String> = quality_set::ATTRIBUTES
                    .iter()
                    .filter(|(d, ..)| missing.iter().any(|m| m == d))
                    .map(|(d, t, _)| format!("{d} ({t})"))
                    .collect();
                report.extend_log([LogEntry::general(
                    LogAction::Typedefs,
                    LogResult::Error,
                    format!(
                        "the {what} is needed and this token may not {verb} it ({}): ask a catalog admin to {verb} the set \"{name}\" with {}, or run the setup assistant with an admin token; metadata was not pushed",
                        e.message,
                        types.join(", ")
                    ),
                )]);
                Ok(None)
            }
        }
    }

    /// Sends the writes in bulk batches, concurrently; a refused batch is split until the
    /// asset at fault fails alone.
    async fn send_writes(&self, report: &mut SyncReport, writes: Vec<AssetWrite>, set_id: &str) {
        let total = writes.len();
        self.progress("push", 0, total);
        if self.options.dry_run {
            for w in &writes {
                report.extend_log(write_log(w, LogResult::Planned, "would write"));
            }
            report.planned_writes = writes;
            self.progress("push", total, total);
            return;
        }
        let done = Cell::new(0);
        let batches: Vec<&[AssetWrite]> = writes.chunks(self.options.batch_size).collect();
        let mut results = stream::iter(batches.into_iter().map(|batch| {
            let done = &done;
            async move {
                let outcomes = if self.cancelled() { vec![Sent::Not; batch.len()] } else { self.write_batch(batch, set_id).await };
                done.set(done.get() + batch.len());
                self.progress("push", done.get(), total);
                (batch, outcomes)
            }
        }))
        .buffer_unordered(self.options.concurrency);
        let mut written = Vec::new();
        while let Some((batch, outcomes)) = results.next().await {
            for (w, outcome) in batch.iter().zip(outcomes) {
                match outcome {
                    Sent::Written => {
                        if !w.changes.is_empty() {
                            report.counts.metadata_written += 1;
                        }
                        match &w.announcement {
                            Some(plan::AnnouncementChange::Set { .. }) => report.counts.announcements_set += 1,
                            Some(plan::AnnouncementChange::Clear) => report.counts.announcements_cleared += 1,
                            None => {}
                        }
                        report.extend_log(write_log(w, LogResult::Written, "wrote"));
                        written.push(w.clone());
                    }
                    Sent::Failed(message) => {
                        // One failed asset counts one error, whatever its write carried.
                        report.counts.errors += 1;
                        report.log.extend(write_log(w, LogResult::Error, &message));
                    }
                    Sent::Not => report.extend_log(write_log(w, LogResult::Skipped, "not sent: the run was cancelled; the next run writes it")),
                }
            }
        }
        report.planned_writes = written;
    }

    /// One bulk request; on refusal, halves until each failure is one asset's.
    fn write_batch<'a>(&'a self, batch: &'a [AssetWrite], set_id: &'a str) -> LocalBoxFuture<'a, Vec<Sent>> {
        Box::pin(async move {
            if self.admit(Kind::Write).await.is_err() {
                // Only cancelling interrupts the wait for the budget: nothing was sent.
                return vec![Sent::Not; batch.len()];
            }
            let request = BulkRequest { entities: batch.iter().map(|w| w.to_bulk_entity(set_id)).collect() };
            let options = BulkOptions { replace_business_attributes: true, ..BulkOptions::default() };
            // Not the caller's signal: a write already sent is awaited, never cut off.
            match self.api.bulk(&request, options, None).await {
                Ok(_) => vec![Sent::Written; batch.len()],
                Err(e) if batch.len() > 1 && splittable(&e) => {
                    let (left, right) = batch.split_at(batch.len() / 2);
                    let mut results = self.write_batch(left, set_id).await;
                    results.extend(self.write_batch(right, set_id).await);
                    results
                }
                Err(e) => vec![Sent::Failed(e.message); batch.len()],
            }
        })
    }
}

/// What became of one asset's write.
#[derive(Clone)]
enum Sent {
    Written,
    Failed(String),
    /// Cancelled before it was sent.
    Not,
}

/// Whether a refused batch may be one asset's fault (not the token's, not the network's).
fn splittable(e: &StewardError) -> bool {
    e.status.is_some_and(|s| (400..500).contains(&s) && s != 401 && s != 429)
}

/// The log entries of one asset's write: one per action (custom metadata, announcement).
fn write_log(w: &AssetWrite, result: LogResult, verb: &str) -> Vec<LogEntry> {
    let entry = |action, result, message: String| LogEntry {
        asset_id: Some(w.asset_id.clone()),
        asset: Some(w.asset.clone()),
        qualified_name: Some(w.qualified_name.clone()),
        action,
        result,
        message,
    };
    let done = matches!(result, LogResult::Written | LogResult::Planned);
    let mut entries = Vec::new();
    if !w.changes.is_empty() {
        let names: Vec<&str> = w.changes.iter().map(|c| c.attribute.as_str()).collect();
        let message = if done { format!("{verb} {}", names.join(", ")) } else { verb.to_owned() };
        entries.push(entry(LogAction::Metadata, result, message));
    }
    if let Some(change) = &w.announcement {
        let (set_result, what) = match change {
            plan::AnnouncementChange::Set { title, .. } => (LogResult::Set, format!("announcement \"{title}\"")),
            plan::AnnouncementChange::Clear => (LogResult::Cleared, "removed our announcement (no active anomalies)".to_owned()),
        };
        let result = if result == LogResult::Written { set_result } else { result };
        let message = if done { format!("{verb} {what}") } else { verb.to_owned() };
        entries.push(entry(LogAction::Announcement, result, message));
    }
    entries
}

/// The set a dry run plans with when it does not exist yet: ids are the display names, and
/// the catalog holds no value.
fn planned_set(name: &str) -> ResolvedSet {
    ResolvedSet {
        set_id: name.to_owned(),
        display_name: name.to_owned(),
        attributes: quality_set::ATTRIBUTES.iter().map(|(display, _, measure)| (*measure, (*display).to_owned())).collect(),
    }
}
