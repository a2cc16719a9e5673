//! Access-model exports (SPEC §2, §9): the `PolicyEngine` class and `importCatalogPolicies`.
//! Only conversions live here; every rule is in `steward_core::access`.
//!
//! Values cross the JS boundary as JSON text: the input is turned into text by the engine's own
//! `JSON.stringify` (or taken as is when the caller passes text), parsed in Rust, and the answer
//! goes back through `JSON.parse`. That is two native calls per call, however many requests a
//! `decideMany` batch holds — reading a JS object field by field costs a boundary crossing per
//! field, which would dominate a sub-microsecond decision.
//!
//! Error codes: `INVALID_CONFIG` (the message lists every located problem), `INVALID_REQUEST`
//! (names the request and field at fault, e.g. `requests[3].action: unknown action "reed"`),
//! `INVALID_OPTIONS`, `INVALID_ENTITIES`.

use js_sys::{Reflect, Uint8Array};
use serde::Deserialize;
use steward_core::access::{self as core_access, PreviewRequest, Request};
use steward_core::masking::MaskOptions;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::{ErrorCode, StewardError};

#[wasm_bindgen(typescript_custom_section)]
const ACCESS_TYPES: &'static str = r#"
/** A user's role. */
export type Role = "admin" | "member" | "guest";
/** The four kinds of policy. */
export type PolicyKind = "metadata" | "data" | "glossary" | "domain";
/** What a policy does: `mask` exists only on data policies and grants nothing. */
export type Effect = "allow" | "deny" | "mask";
/** Metadata actions (and `query`, the data action). */
export type MetadataAction = "read" | "update" | "update-custom-metadata" | "add-tags" | "remove-tags" | "add-terms" | "remove-terms" | "create" | "delete";
/** Glossary actions (`read` is granted to everyone). */
export type GlossaryAction = "read" | "create" | "update" | "link-terms" | "delete" | "add-tags" | "remove-tags" | "update-custom-metadata";
/** Domain actions. */
export type DomainAction = "read" | "update-domain" | "create-subdomain" | "update-subdomain" | "create-product" | "update-product" | "delete-product" | "update-custom-metadata-domain" | "update-custom-metadata-subdomain" | "update-custom-metadata-product";
/** Every action name; the asset's type decides which family applies. */
export type AccessAction = MetadataAction | "query" | GlossaryAction | DomainAction | "manage-policies";
/** A policy of a persona (with `resources`) or a purpose (without). */
export interface AccessPolicy {
  name: string; kind: PolicyKind; effect: Effect; actions: AccessAction[];
  /** `*`, `entity:<qualifiedName>`, `glossary:<name>` or `domain:<qualifiedName>`. */
  resources?: string[];
  mask?: MaskType; enabled?: boolean; description?: string;
}
/** The access config (schema: schema/access-config.schema.json). */
export interface AccessConfig {
  $schema?: string; description?: string;
  users?: { name: string; role: Role; groups?: string[]; email?: string; description?: string }[];
  groups?: (string | { name: string; description?: string })[];
  connections?: { qualifiedName: string; name: string; connector: string; description?: string;
    admins?: { users?: string[]; groups?: string[]; roles?: Role[] } }[];
  personas?: { name: string; enabled?: boolean; users?: string[]; groups?: string[]; policies?: AccessPolicy[]; description?: string }[];
  purposes?: { name: string; enabled?: boolean; tags: string[]; allUsers?: boolean; users?: string[]; groups?: string[]; policies?: AccessPolicy[]; description?: string }[];
}
/** The asset of a request; `glossary` is required for glossary types. */
export interface AccessAsset { qualifiedName: string; typeName: string; tags?: string[]; glossary?: string }
/** "May `user` do `action` on `asset`?" */
export interface AccessRequest { user: string; action: AccessAction; asset: AccessAsset }
/** The rule that settled a decision. */
export type DecisionReason = "deny-policy" | "connection-admin" | "persona-grant" | "purpose-grant" | "glossary-default" | "guest-ceiling" | "not-admin" | "implicit-deny";
/** Names one policy. */
export interface PolicyRef { owner: "persona" | "purpose"; ownerName: string; policy: string }
/** A policy that applied to the request. */
export interface MatchedPolicy extends PolicyRef { kind: PolicyKind; effect: Effect; mask?: "SHOW_FIRST_4" | "SHOW_LAST_4" | "HASH" | "NULLIFY" | "REDACT" }
/** A decision without its explanation list (what `decideMany(…, {explain: false})` answers). */
export interface Verdict {
  allowed: boolean; reason: DecisionReason; decidedBy?: PolicyRef;
  mask?: "SHOW_FIRST_4" | "SHOW_LAST_4" | "HASH" | "NULLIFY" | "REDACT";
}
/** A decision and why. `policies` lists every policy that applied, in config order. */
export interface Decision extends Verdict { policies: MatchedPolicy[]; maskedBy?: PolicyRef }
/** `decideMany` with `{explain: false}` answers verdicts (declaration merging with the class). */
export interface PolicyEngine {
  decideMany(requests: AccessRequest[] | string, options: { explain: false }): Verdict[];
}
/** `previewTable`'s argument: a table and its columns' values. */
export interface PreviewTableRequest { user: string; asset: AccessAsset; columns: { name: string; tags?: string[]; values?: (string | number | boolean | null)[] }[] }
/** Per column: the mask applied, why, and the masked values (`null` when the user may not query it). */
export interface PreviewTable {
  columns: { name: string; allowed: boolean; mask: "SHOW_FIRST_4" | "SHOW_LAST_4" | "HASH" | "NULLIFY" | "REDACT" | null;
    reason: DecisionReason; decidedBy?: PolicyRef; maskedBy?: PolicyRef; values: (string | null)[] | null }[];
}
/** Something the import could not translate exactly. */
export interface ImportIssue { location: string; kind: string; message: string }
/** `importCatalogPolicies`' answer: the access config and everything it could not translate. */
export interface ImportResult { config: AccessConfig; issues: ImportIssue[] }
"#;

#[wasm_bindgen]
extern "C" {
    /// The optional `options` of `previewTable`, typed `MaskOptions` (`{key?}`) for TypeScript.
    #[wasm_bindgen(typescript_type = "MaskOptions")]
    pub type PreviewOptionsArg;

    /// The optional `options` of `decideMany`: `{explain?: boolean}`.
    #[wasm_bindgen(typescript_type = "{ explain?: boolean }")]
    pub type DecideOptionsArg;

    /// The optional `tagDefs` of `importCatalogPolicies`: the classification typedefs response
    /// (`{classificationDefs: [...]}`), its list, or JSON text.
    #[wasm_bindgen(typescript_type = "object | object[] | string")]
    pub type TagDefsArg;
}

/// Turns a JS argument into JSON text: text is taken as is, anything else goes through
/// `JSON.stringify`.
fn json_text(value: &JsValue, what: &str, code: ErrorCode) -> Result<String, StewardError> {
    if let Some(text) = value.as_string() {
        return Ok(text);
    }
    if value.is_undefined() || value.is_null() {
        return Err(StewardError::new(code, format!("{what}: expected an object or JSON text, found {value:?}")));
    }
    match js_sys::JSON::stringify(value) {
        Ok(text) => text
            .as_string()
            .ok_or_else(|| StewardError::new(code, format!("{what}: not representable as JSON"))),
        Err(_) => Err(StewardError::new(code, format!("{what}: not representable as JSON (a cycle or a bigint?)"))),
    }
}

/// Hands a serialisable answer to JS through `JSON.parse`.
pub(crate) fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, StewardError> {
    let text = serde_json::to_string(value).map_err(|e| StewardError::new(ErrorCode::Internal, e.to_string()))?;
    js_sys::JSON::parse(&text).map_err(|_| StewardError::new(ErrorCode::Internal, "answer is not valid JSON"))
}

fn request_error(prefix: &str, error: impl std::fmt::Display) -> StewardError {
    StewardError::new(ErrorCode::InvalidRequest, format!("{prefix}{error}"))
}

fn parse_json<'a, T: Deserialize<'a>>(text: &'a str, what: &str) -> Result<T, StewardError> {
    serde_json::from_str(text).map_err(|e| request_error(&format!("{what}: "), e))
}

/// An access config compiled once for fast decisions.
#[wasm_bindgen]
pub struct PolicyEngine {
    inner: core_access::PolicyEngine,
    /// The strings `decideMany` has sent this engine (see `access_batch.rs`).
    strings: core_access::batch::RequestStrings,
}

impl PolicyEngine {
    /// The compiled core engine.
    pub(crate) fn inner(&self) -> &core_access::PolicyEngine {
        &self.inner
    }

    /// The engine and the strings numbered for it.
    pub(crate) fn parts(&mut self) -> (&core_access::PolicyEngine, &mut core_access::batch::RequestStrings) {
        (&self.inner, &mut self.strings)
    }
}

#[wasm_bindgen]
impl PolicyEngine {
    /// Validates and compiles an access config (an object or JSON text). A config with any
    /// problem is refused whole: `INVALID_CONFIG`, with every located problem in the message.
    #[wasm_bindgen(js_name = fromConfig)]
    pub fn from_config(
        #[wasm_bindgen(unchecked_param_type = "AccessConfig | string")] config: JsValue,
    ) -> Result<PolicyEngine, StewardError> {
        let text = json_text(&config, "config", ErrorCode::InvalidConfig)?;
        core_access::PolicyEngine::from_json_str(&text)
            .map(|inner| PolicyEngine { inner, strings: Default::default() })
            .map_err(|e| StewardError::new(ErrorCode::InvalidConfig, e.to_string()))
    }

    /// Decides one request: `{allowed, reason, decidedBy?, policies, mask?, maskedBy?}`.
    #[wasm_bindgen(unchecked_return_type = "Decision")]
    pub fn decide(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AccessRequest | string")] request: JsValue,
    ) -> Result<JsValue, StewardError> {
        let text = json_text(&request, "request", ErrorCode::InvalidRequest)?;
        let request: Request = parse_json(&text, "request")?;
        let decision = self.inner.decide(&request).map_err(|e| request_error("request.", e))?;
        to_js(&decision)
    }

    /// Decides every request of an array (or of JSON text holding one), in order, in one
    /// crossing of the JS boundary each way. A request that cannot be decided fails the batch
    /// with `INVALID_REQUEST` naming it (`requests[3].action: …`).
    ///
    /// `options.explain: false` leaves out `policies` and `maskedBy` (the list of every
    /// matching policy is most of the answer's size, and so of its cost in JS): each decision is
    /// then `{allowed, reason, decidedBy?, mask?}`.
    #[wasm_bindgen(js_name = decideMany, unchecked_return_type = "Decision[]")]
    pub fn decide_many(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AccessRequest[] | string")] requests: JsValue,
        options: Option<DecideOptionsArg>,
    ) -> Result<JsValue, StewardError> {
        let explain = explain_option(options.map(JsValue::from))?;
        let text = json_text(&requests, "requests", ErrorCode::InvalidRequest)?;
        let requests: Vec<Request> = match serde_json::from_str(&text) {
            Ok(requests) => requests,
            Err(e) => return Err(locate_bad_request(&text, e)),
        };
        let decisions = self.inner.decide_many(&requests).map_err(|e| request_error("", e))?;
        if explain {
            to_js(&decisions)
        } else {
            to_js(&decisions.iter().map(Verdict::of).collect::<Vec<_>>())
        }
    }

    /// What a user would see in a table: per column the mask, the reason and the masked values
    /// (`null` when the user may not query the column). `options.key` turns HASH into a keyed
    /// HMAC-SHA-256.
    #[wasm_bindgen(js_name = previewTable, unchecked_return_type = "PreviewTable")]
    pub fn preview_table(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PreviewTableRequest | string")] request: JsValue,
        options: Option<PreviewOptionsArg>,
    ) -> Result<JsValue, StewardError> {
        let text = json_text(&request, "previewTable", ErrorCode::InvalidRequest)?;
        let request: PreviewRequest = parse_json(&text, "previewTable")?;
        let options = mask_options(options.map(JsValue::from))?;
        let preview = self.inner.preview_table(&request, &options).map_err(|e| request_error("previewTable.", e))?;
        to_js(&preview)
    }
}

/// A decision without its list of matching policies (`decideMany(…, {explain: false})`).
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Verdict<'a> {
    allowed: bool,
    reason: core_access::Reason,
    #[serde(skip_serializing_if = "Option::is_none")]
    decided_by: Option<&'a core_access::PolicyRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mask: Option<steward_core::masking::MaskType>,
}

impl<'a> Verdict<'a> {
    fn of(decision: &'a core_access::Decision) -> Self {
        Verdict {
            allowed: decision.allowed,
            reason: decision.reason,
            decided_by: decision.decided_by.as_ref(),
            mask: decision.mask,
        }
    }
}

fn explain_option(options: Option<JsValue>) -> Result<bool, StewardError> {
    let Some(options) = options.filter(|o| !o.is_undefined() && !o.is_null()) else { return Ok(true) };
    let explain = Reflect::get(&options, &JsValue::from_str("explain")).unwrap_or(JsValue::UNDEFINED);
    if explain.is_undefined() {
        return Ok(true);
    }
    explain
        .as_bool()
        .ok_or_else(|| StewardError::new(ErrorCode::InvalidOptions, "options.explain: expected true or false"))
}

/// Finds which request of a batch is malformed, for a message that names it.
fn locate_bad_request(text: &str, error: serde_json::Error) -> StewardError {
    let Ok(items) = serde_json::from_str::<Vec<serde_json::Value>>(text) else {
        return request_error("requests: expected an array of requests: ", error);
    };
    for (i, item) in items.iter().enumerate() {
        if let Err(e) = Request::deserialize(item) {
            return request_error(&format!("requests[{i}]: "), e);
        }
    }
    request_error("requests: ", error)
}

fn mask_options(options: Option<JsValue>) -> Result<MaskOptions, StewardError> {
    let Some(options) = options.filter(|o| !o.is_undefined() && !o.is_null()) else { return Ok(MaskOptions::default()) };
    if !options.is_object() {
        return Err(StewardError::new(ErrorCode::InvalidOptions, "options: expected an object like {key}"));
    }
    let key = Reflect::get(&options, &JsValue::from_str("key")).unwrap_or(JsValue::UNDEFINED);
    if key.is_undefined() || key.is_null() {
        return Ok(MaskOptions::default());
    }
    let bytes = if let Some(text) = key.as_string() {
        text.into_bytes()
    } else if let Some(array) = key.dyn_ref::<Uint8Array>() {
        array.to_vec()
    } else {
        return Err(StewardError::new(ErrorCode::InvalidOptions, "options.key: expected a string or a Uint8Array"));
    };
    if bytes.is_empty() {
        return Err(StewardError::new(ErrorCode::InvalidOptions, "options.key: an empty key is almost certainly a mistake"));
    }
    Ok(MaskOptions { hash_key: Some(bytes) })
}

/// Translates the catalog's Persona / Purpose / AuthPolicy entities (an array, or a search
/// response with `entities`) into an access config; `tagDefs` (the classification typedefs
/// response) resolves purpose tag ids to display names. Returns `{config, issues}`: every
/// approximation or untranslated part is an issue, never silently dropped or widened.
#[wasm_bindgen(js_name = importCatalogPolicies, unchecked_return_type = "ImportResult")]
pub fn import_catalog_policies(
    #[wasm_bindgen(unchecked_param_type = "object[] | { entities: object[] } | string")] entities: JsValue,
    #[wasm_bindgen(js_name = tagDefs)] tag_defs: Option<TagDefsArg>,
) -> Result<JsValue, StewardError> {
    let entities = json_text(&entities, "entities", ErrorCode::InvalidEntities)?;
    let entities: serde_json::Value = serde_json::from_str(&entities)
        .map_err(|e| StewardError::new(ErrorCode::InvalidEntities, format!("entities: not valid JSON: {e}")))?;
    let tag_defs = match tag_defs.map(JsValue::from).filter(|t| !t.is_undefined() && !t.is_null()) {
        None => None,
        Some(defs) => {
            let text = json_text(&defs, "tagDefs", ErrorCode::InvalidEntities)?;
            Some(
                serde_json::from_str::<serde_json::Value>(&text)
                    .map_err(|e| StewardError::new(ErrorCode::InvalidEntities, format!("tagDefs: not valid JSON: {e}")))?,
            )
        }
    };
    to_js(&core_access::import_catalog_policies(&entities, tag_defs.as_ref()))
}
