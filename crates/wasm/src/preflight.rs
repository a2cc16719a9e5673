//! `preflight` and `setupIntegration` (SPEC §5): the permission checks before a run and the
//! seed's persona + policy steps. The rules are core's (`sync::preflight`, `sync::setup`);
//! this module sends the probes and the writes.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use steward_core::access::PolicyEngine;
use steward_core::catalog::entity::{BulkOptions, BulkRequest, EntityHeader};
use steward_core::catalog::search::{IndexSearchRequest, Query};
use steward_core::catalog::typedefs::{TypeCategory, TypeDefs};
use steward_core::sync::inventory::Inventory;
use steward_core::sync::plan::{self, SyncOptions, TagNames};
use steward_core::sync::preflight::{self as core_preflight, Blocked};
use steward_core::sync::quality_set::{self, SetStatus};
use steward_core::sync::setup::{self, SetupRequest, SetupStep};
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use crate::catalog_client::{CatalogApi, CatalogClient};
use crate::error::{ErrorCode, StewardError};
use crate::sync::{parse_inventory, parse_options, to_js, Kind, Run};

#[wasm_bindgen(typescript_custom_section)]
const TS_PREFLIGHT: &str = r#"
/** Options of `preflight`: the sync's options, plus what to check. */
export interface PreflightOptions extends SyncOptions {
  /** The checks follow this mode (tags need read; metadata update-custom-metadata; announcements update). Default "both". */
  mode?: SyncMode;
  /** An access config (SPEC §2) that predicts which writes the catalog would refuse. */
  accessConfig?: AccessConfig | string;
}
/** A local asset the token can't read or write. */
export interface BlockedAsset { assetId: AssetId; asset: string; level: "datastore" | "container" | "field"; qualifiedName: string; actions: string[]; reason: string }
/** What `preflight` answers. */
export interface PreflightReport {
  /** True when every mapped asset can be read and written and something is mapped. */
  ok: boolean;
  /** The user the token acts as. */
  user: string;
  mapped: number; unmapped: number; ambiguous: number;
  cannotRead: BlockedAsset[];
  cannotWrite: BlockedAsset[];
  /** Whether writes were checked (they are when `accessConfig` is given). */
  writesChecked: boolean;
  /** Attributes the custom-metadata set lacks (all twelve when the set is missing); a push needs them. */
  missingSetAttributes: string[];
  /** What a person should do next. */
  advice: string[];
  requests: { searches: number; reads: number; writes: number };
}
/** One step of the setup assistant. */
export interface SetupStep { step: "persona" | "user" | "policy" | "metadata-set"; status: "exists" | "created" | "updated" | "planned" | "manual"; detail: string }
/** What `setupIntegration` answers. */
export interface SetupResult {
  /** Whether the settings are in place now (false for a non-admin token or a dry run). */
  applied: boolean;
  /** The integration token's user. */
  user: string;
  steps: SetupStep[];
  /** For a token that may not make the changes: the exact settings to create by hand. */
  manual?: { persona: { name: string; users: string[]; enabled: boolean };
    policy: { name: string; kind: "metadata"; effect: "allow"; actions: string[]; resources: string[]; catalogActions: string[] };
    steps: string[] };
}
/** Arguments of `setupIntegration`. */
export interface SetupIntegrationArgs {
  /** A client with an admin token. */
  admin: CatalogClient;
  /** A client with the integration's token (its user is read with `whoami`). */
  integration: CatalogClient;
  /** Connection qualified names the integration syncs. */
  connections: string[];
  /** Default "Data Quality Integration". */
  personaName?: string;
  /** Default "Data quality sync". */
  policyName?: string;
  /** The custom-metadata set to create when missing. Default "Data Quality". */
  metadataSet?: string;
  /** Plan only. */
  dryRun?: boolean;
  signal?: AbortSignal;
}
"#;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct PreflightOptions {
    #[serde(default)]
    mode: plan::Mode,
    #[serde(default)]
    access_config: Option<Value>,
    #[serde(flatten)]
    sync: SyncOptions,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PreflightReport {
    ok: bool,
    user: String,
    mapped: usize,
    unmapped: usize,
    ambiguous: usize,
    cannot_read: Vec<Blocked>,
    cannot_write: Vec<Blocked>,
    writes_checked: bool,
    missing_set_attributes: Vec<String>,
    advice: Vec<String>,
    requests: steward_core::sync::report::RequestCounts,
}

/// `preflight` without the JS wrapper's destructuring (see `js/sync.js`).
#[wasm_bindgen(js_name = preflightWith, skip_typescript)]
pub fn preflight_with(catalog: &CatalogClient, inventory: JsValue, options: JsValue, signal: Option<AbortSignal>) -> Result<js_sys::Promise, StewardError> {
    let inventory = parse_inventory(&inventory)?;
    let options: PreflightOptions = parse_options(&options, "options")?;
    options.sync.validate().map_err(|e| StewardError::new(ErrorCode::InvalidOptions, e))?;
    let engine = match &options.access_config {
        None => None,
        Some(config) => {
            let parsed = match config {
                Value::String(text) => PolicyEngine::from_json_str(text),
                other => PolicyEngine::from_value(other),
            };
            Some(parsed.map_err(|e| StewardError::new(ErrorCode::InvalidConfig, format!("options.accessConfig: {e}")))?)
        }
    };
    let api = catalog.api();
    Ok(wasm_bindgen_futures::future_to_promise(async move {
        let run = Run::new(api, options.sync, None, signal);
        let report = preflight(&run, &inventory, options.mode, engine.as_ref()).await?;
        Ok(to_js(&report)?)
    }))
}

async fn preflight(run: &Run, inventory: &Inventory, mode: plan::Mode, engine: Option<&PolicyEngine>) -> Result<PreflightReport, StewardError> {
    run.admit(Kind::Read).await?;
    let me = run.api.whoami(run.signal.as_ref()).await?;
    let defs = run.typedefs().await?;
    let status = quality_set::resolve(&defs.business_metadata_defs, &run.options.metadata_set);
    let missing_set = match &status {
        SetStatus::Ready(_) => Vec::new(),
        other => other.missing_attributes(),
    };
    let set = match status {
        SetStatus::Ready(set) => Some(set),
        _ => None,
    };
    let state = run.read_catalog(inventory, plan::search_attributes(set.as_ref())).await?;
    let mapping = &state.mapping;
    let mut connections = state.connections.clone();
    if !run.options.connections.is_empty() {
        connections.clone_from(&run.options.connections);
    }
    // Searches hide what the token may not read: probe the qualified names the inventory implies.
    let probes = core_preflight::probes(inventory, mapping, &connections);
    let mut cannot_read: Vec<Blocked> = Vec::new();
    let mut refused_schemas: Vec<(usize, String)> = Vec::new();
    for (i, probe) in probes.iter().enumerate() {
        if run.cancelled() {
            break;
        }
        if let Some(reason) = probe.parent.and_then(|p| refused_schemas.iter().find(|(q, _)| *q == p).map(|(_, r)| r.clone())) {
            cannot_read.push(blocked(probe, format!("its schema can't be read: {reason}")));
            continue;
        }
        for type_name in &probe.type_names {
            run.admit(Kind::Read).await?;
            match run.api.entity_by_qualified_name(type_name, &probe.qualified_name, run.signal.as_ref()).await {
                Ok(Some(_)) => {
                    cannot_read.push(blocked(probe, "the catalog has it, but the token's search does not return it".to_owned()));
                    break;
                }
                Ok(None) => {}
                Err(e) if e.code == ErrorCode::CatalogForbidden => {
                    if probe.parent.is_none() {
                        refused_schemas.push((i, e.message.clone()));
                    }
                    cannot_read.push(blocked(probe, e.message));
                    break;
                }
                Err(e) => return Err(e),
            }
        }
    }
    let mut advice = Vec::new();
    if mapping.mapped.is_empty() {
        advice.push(if connections.is_empty() {
            format!(
                "the token ({}) can read no schema of the inventory's connectors: add it to a persona with a metadata policy (read, update, update custom metadata, add and remove tags) on the connection — the setup assistant does this with an admin token",
                me.username
            )
        } else {
            format!("nothing maps: check the inventory's database and schema names against {}", connections.join(", "))
        });
    }
    let actions = core_preflight::write_actions(mode.pulls(), mode.pushes(), mode.pushes() && run.options.announcements);
    let writes: Vec<&str> = actions.iter().copied().filter(|a| *a != "read").collect();
    let cannot_write = match engine {
        Some(engine) => {
            let tags = TagNames::new(&defs.classification_defs);
            let header_of = |guid: &str| -> Option<EntityHeader> { state.headers.get(guid).cloned() };
            core_preflight::predicted_refusals(engine, &me.username, mapping, &header_of, &tags, &writes)
        }
        None => {
            if !writes.is_empty() {
                advice.push("writes were not checked: pass options.accessConfig (the catalog's personas and policies as an access config) to predict them".to_owned());
            }
            Vec::new()
        }
    };
    if !cannot_read.is_empty() {
        advice.push(format!("{} asset(s) can't be read: their tags won't be pulled and nothing will be written to them", cannot_read.len()));
    }
    // The push creates a missing set only with an admin token.
    let set_blocks = mode.pushes() && !missing_set.is_empty() && !me.is_admin();
    if mode.pushes() && !missing_set.is_empty() {
        let who = if me.is_admin() { "the sync creates it (this token is an admin's)" } else { "this token may not create it: ask a catalog admin, or run the setup assistant with an admin token" };
        advice.push(format!(
            "the custom-metadata set \"{}\" lacks {}: {who}",
            run.options.metadata_set,
            missing_set.join(", ")
        ));
    }
    Ok(PreflightReport {
        ok: cannot_read.is_empty() && cannot_write.is_empty() && !mapping.mapped.is_empty() && !set_blocks,
        missing_set_attributes: missing_set,
        user: me.username,
        mapped: mapping.mapped.len(),
        unmapped: mapping.unmapped_local.len(),
        ambiguous: mapping.ambiguous.len(),
        cannot_read,
        cannot_write,
        writes_checked: engine.is_some(),
        advice,
        requests: run.requests.get(),
    })
}

fn blocked(probe: &core_preflight::Probe, reason: String) -> Blocked {
    Blocked {
        asset_id: probe.asset_id.clone(),
        asset: probe.asset.clone(),
        level: probe.level,
        qualified_name: probe.qualified_name.clone(),
        actions: vec!["read".to_owned()],
        reason,
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SetupArgs {
    #[serde(flatten)]
    request: SetupRequest,
    #[serde(default)]
    metadata_set: Option<String>,
    #[serde(default)]
    dry_run: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SetupResult {
    applied: bool,
    user: String,
    steps: Vec<SetupStep>,
    #[serde(skip_serializing_if = "Option::is_none")]
    manual: Option<Value>,
}

/// `setupIntegration` without the JS wrapper's destructuring (see `js/sync.js`).
#[wasm_bindgen(js_name = setupIntegrationWith, skip_typescript)]
pub fn setup_integration_with(admin: &CatalogClient, integration: &CatalogClient, args: JsValue, signal: Option<AbortSignal>) -> Result<js_sys::Promise, StewardError> {
    let text = crate::sync::json_text(&args, "setupIntegration", ErrorCode::InvalidOptions)?;
    let args: SetupArgs = serde_json::from_str(&text).map_err(|e| StewardError::new(ErrorCode::InvalidOptions, format!("setupIntegration: {e}")))?;
    args.request.validate().map_err(|e| StewardError::new(ErrorCode::InvalidOptions, format!("setupIntegration: {e}")))?;
    let (admin, integration) = (admin.api(), integration.api());
    Ok(wasm_bindgen_futures::future_to_promise(async move {
        let result = setup_integration(&admin, &integration, &args, signal.as_ref()).await?;
        Ok(to_js(&result)?)
    }))
}

/// The status of a planned step once it ran: `create` → `created`, `update` → `updated`
/// (`planned` in a dry run); `exists` stays.
fn done_status(planned: &str, dry_run: bool) -> String {
    match planned {
        "exists" => "exists",
        _ if dry_run => "planned",
        "create" => "created",
        _ => "updated",
    }
    .to_owned()
}

async fn search_named(admin: &CatalogApi, type_name: &str, filter: Vec<Query>, signal: Option<&AbortSignal>) -> Result<Vec<EntityHeader>, StewardError> {
    let mut clauses = vec![Query::term("__typeName.keyword", type_name), Query::term("__state", "ACTIVE")];
    clauses.extend(filter);
    let attributes = setup::SEARCH_ATTRIBUTES.iter().map(|s| (*s).to_owned()).collect();
    let request = IndexSearchRequest::new(Query::filter(clauses), 0, 300, attributes);
    Ok(admin.search(&request, signal).await?.entities.unwrap_or_default())
}

async fn setup_integration(admin: &CatalogApi, integration: &CatalogApi, args: &SetupArgs, signal: Option<&AbortSignal>) -> Result<SetupResult, StewardError> {
    let user = integration.whoami(signal).await?.username;
    let me = admin.whoami(signal).await?;
    let request = &args.request;
    if !me.is_admin() {
        return Ok(SetupResult {
            applied: false,
            steps: vec![SetupStep {
                step: "persona",
                status: "manual".into(),
                detail: format!("{} is not a catalog admin: create these settings by hand, or run the assistant with an admin token", me.username),
                entity: None,
            }],
            manual: Some(setup::manual_settings(request, &user)),
            user,
        });
    }
    let mut steps = Vec::new();
    let personas = search_named(admin, "Persona", vec![Query::term("name.keyword", request.persona_name.as_str())], signal).await?;
    let persona = personas.iter().find(|p| p.attributes.get("name").and_then(Value::as_str) == Some(request.persona_name.as_str()));
    let mut persona_guid = persona.map(|p| p.guid.clone());
    for mut step in setup::plan_persona(request, &user, persona) {
        if let (Some(entity), false) = (step.entity.take(), args.dry_run) {
            let answer = admin.bulk(&BulkRequest { entities: vec![entity] }, BulkOptions::default(), signal).await?;
            if persona_guid.is_none() {
                persona_guid = answer.guid_assignments.get("-1").cloned().or_else(|| answer.mutated_entities.create.first().map(|h| h.guid.clone()));
            }
        }
        step.status = done_status(&step.status, args.dry_run);
        steps.push(step);
    }
    let policy_step = match &persona_guid {
        Some(guid) => {
            let policies = search_named(admin, "AuthPolicy", Vec::new(), signal).await?;
            let mut step = setup::plan_policy(request, guid, &policies);
            if let (Some(entity), false) = (step.entity.take(), args.dry_run) {
                admin.bulk(&BulkRequest { entities: vec![entity] }, BulkOptions::default(), signal).await?;
            }
            step.status = done_status(&step.status, args.dry_run);
            step
        }
        None => SetupStep { step: "policy", status: "planned".into(), detail: "after the persona is created".into(), entity: None },
    };
    steps.push(policy_step);
    // The custom-metadata set the push writes: an admin may create it now.
    let set_name = args.metadata_set.clone().unwrap_or_else(|| quality_set::DEFAULT_SET_NAME.to_owned());
    let defs = admin.typedefs(&[TypeCategory::BusinessMetadata], signal).await?;
    let status = quality_set::resolve(&defs.business_metadata_defs, &set_name);
    let set_step = match status {
        SetStatus::Ready(_) => SetupStep { step: "metadata-set", status: "exists".into(), detail: format!("custom-metadata set \"{set_name}\" exists"), entity: None },
        _ if args.dry_run => SetupStep { step: "metadata-set", status: "planned".into(), detail: format!("create custom-metadata set \"{set_name}\""), entity: None },
        SetStatus::Missing(def) => {
            admin.create_typedefs(&TypeDefs { business_metadata_defs: vec![def], ..Default::default() }, signal).await?;
            SetupStep { step: "metadata-set", status: "created".into(), detail: format!("custom-metadata set \"{set_name}\""), entity: None }
        }
        SetStatus::Incomplete { update, missing } => {
            admin.update_typedefs(&TypeDefs { business_metadata_defs: vec![update], ..Default::default() }, signal).await?;
            SetupStep { step: "metadata-set", status: "updated".into(), detail: format!("added {} to \"{set_name}\"", missing.join(", ")), entity: None }
        }
    };
    steps.push(set_step);
    Ok(SetupResult { applied: !args.dry_run, user, steps, manual: None })
}
