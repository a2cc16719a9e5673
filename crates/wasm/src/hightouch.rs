//! Hightouch in the package (SPEC §4): the role policy (`HightouchPolicy`), the catalog's
//! read-only role, the setup checklist, and the client with its key check. The rules are in
//! `steward_core::hightouch`; the client shares the catalog client's [`Transport`] (retries,
//! timeout, abort, URL and token rules).

use std::rc::Rc;

use serde::Deserialize;
use steward_core::hightouch::api::{ListEndpoint, Page, PageParams, MAX_LIMIT, PREFIX};
use steward_core::hightouch::crawl::{self, Listing};
use steward_core::hightouch::policy::{self, Action, Resource, RolePolicy};
use steward_core::hightouch::setup;
use steward_core::sync::retry::RetryPolicy;
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use crate::error::{ErrorCode, StewardError};
use crate::http::{retry_policy, signal_option, Method, Service, Transport};
use crate::access::to_js;

#[wasm_bindgen(typescript_custom_section)]
const TS_HIGHTOUCH: &str = r#"
/** A statement's effect in a Hightouch role policy (not the access model's `Effect`). */
export type HightouchEffect = "allow" | "deny";
/** A Hightouch role-policy document (SPEC §4). */
export interface HightouchRoleDocument {
    version: "2022-04-26";
    policies: {
        effect: HightouchEffect;
        actions: string[];
        resource: string[] | string;
        conditions?: unknown;
    }[];
}
/** A located problem in a role policy, e.g. `{path: "policies[0].actions[1]", message: "unknown action \"reed\": did you mean \"read\"?"}`. */
export interface HightouchPolicyProblem {
    path: string;
    message: string;
}
/** Why `explain` decided: the deciding statement (its index in `policies` and effect), or none
 * when nothing allowed it (denied by default). */
export interface HightouchExplanation {
    allowed: boolean;
    statement?: number;
    effect?: HightouchEffect;
    message: string;
}
/** An action on a resource. */
export interface HightouchGrant {
    action: string;
    resource: string;
}
/** The least-privilege verdict: read on the six resources the catalog needs, nothing more. */
export interface HightouchRoleCheck {
    ok: boolean;
    /** Resources the catalog needs `read` on but does not get. */
    missing: string[];
    /** Grants beyond that (a conditional allow counts: conditions are not evaluated). */
    tooBroad: HightouchGrant[];
    warnings: HightouchPolicyProblem[];
}
/** A step of the seed's setup checklist and how Steward can verify it. */
export interface HightouchSetupStep {
    id: "role" | "group" | "system-user" | "role-assignment" | "api-key";
    title: string;
    instructions: string[];
    /** `manual`: Hightouch's API can't show it; never shown as verified. */
    verification: "role-check" | "key-check" | "manual";
    howVerified: string;
}
/** Options of `new HightouchClient(options)`. */
export interface HightouchClientOptions {
    /** `https://api.hightouch.com` or `https://api.hightouch.com/api/v1` (http only on a loopback host). */
    baseUrl: string;
    /** The API key; only ever sent in the `authorization` header to `baseUrl`. */
    apiKey: string;
    /** Objects per page, 1–1000 (default 100). */
    pageSize?: number;
    retry?: Partial<RetryPolicy>;
}
/** A list the key check reads. */
export type HightouchList = "sources" | "destinations" | "models" | "syncs";
/** An object as Hightouch answers it (`id`, `name`, `slug`, `workspaceId`, `createdAt`, `updatedAt`;
 * models have `sourceId`, syncs `modelId`, `destinationId`, `status`, `schedule`, `lastRunAt`). */
export interface HightouchObject {
    id: string;
    name?: string;
    slug?: string;
    [key: string]: unknown;
}
/** One page of a list. */
export interface HightouchPage {
    data: HightouchObject[];
    hasMore: boolean;
}
/** What the key could do on one resource. */
export interface HightouchResourceAccess {
    resource: "source" | "destination" | "model" | "sync";
    endpoint: string;
    readable: boolean;
    count?: number;
    status?: number;
    why: string;
    detail?: string;
}
/** What the catalog's crawler would import, source → model → sync → destination. Nodes the
 * lists referred to but did not hold are kept with `missing: true` and listed in `dangling`. */
export interface HightouchCrawlPreview {
    nodes: { id: string; kind: "source" | "model" | "sync" | "destination"; name: string; missing?: true }[];
    edges: { from: string; to: string }[];
    dangling: { from: string; to: string; reason: string }[];
}
/** The key check. It cannot prove the role is read-only: see `notes`. */
export interface HightouchKeyCheck {
    ok: boolean;
    keyAccepted: boolean;
    resources: HightouchResourceAccess[];
    preview: HightouchCrawlPreview;
    notes: string[];
}
"#;

/// A parsed Hightouch role policy.
#[wasm_bindgen]
pub struct HightouchPolicy {
    policy: RolePolicy,
}

#[wasm_bindgen]
impl HightouchPolicy {
    /// `HightouchPolicy.parse(textOrObject)`: `INVALID_POLICY` with every located problem.
    pub fn parse(#[wasm_bindgen(unchecked_param_type = "HightouchRoleDocument | string")] input: JsValue) -> Result<HightouchPolicy, StewardError> {
        let text = match input.as_string() {
            Some(text) => text,
            None if input.is_object() => js_sys::JSON::stringify(&input)
                .ok()
                .and_then(|t| t.as_string())
                .ok_or_else(|| StewardError::new(ErrorCode::InvalidPolicy, "(root): not representable as JSON (a cycle or a bigint?)"))?,
            None => return Err(StewardError::new(ErrorCode::InvalidPolicy, "(root): expected a role policy object or its JSON text")),
        };
        let policy = RolePolicy::parse(&text).map_err(|e| {
            let problems: Vec<String> = e.problems.iter().map(ToString::to_string).collect();
            StewardError::new(ErrorCode::InvalidPolicy, problems.join("; "))
        })?;
        Ok(HightouchPolicy { policy })
    }

    /// Whether `action` is allowed on `resource` (deny wins; denied by default).
    pub fn allows(&self, action: &str, resource: &str) -> bool {
        self.policy.allows(&Action::parse(action), &Resource::parse(resource))
    }

    /// `allows` with the deciding statement.
    #[wasm_bindgen(unchecked_return_type = "HightouchExplanation")]
    pub fn explain(&self, action: &str, resource: &str) -> Result<JsValue, StewardError> {
        to_js(&self.policy.explain(&Action::parse(action), &Resource::parse(resource)))
    }

    /// The least-privilege check against the catalog's needs.
    #[wasm_bindgen(unchecked_return_type = "HightouchRoleCheck")]
    pub fn check(&self) -> Result<JsValue, StewardError> {
        to_js(&self.policy.check_catalog_role())
    }

    /// Located warnings: unknown names (with the closest known one), unknown keys, conditions,
    /// duplicate statements, an empty list.
    #[wasm_bindgen(getter, unchecked_return_type = "HightouchPolicyProblem[]")]
    pub fn warnings(&self) -> Result<JsValue, StewardError> {
        to_js(&self.policy.warnings)
    }

    /// The document (`JSON.stringify(policy)` writes it), keys in the seed's order.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "HightouchRoleDocument")]
    pub fn to_json(&self) -> Result<JsValue, StewardError> {
        to_js(&self.policy)
    }
}

/// The read-only role the catalog needs, exactly as the setup guide writes it.
#[wasm_bindgen(js_name = hightouchCatalogRole, unchecked_return_type = "HightouchRoleDocument")]
pub fn hightouch_catalog_role() -> Result<JsValue, StewardError> {
    to_js(&policy::catalog_role())
}

/// The setup guide's checklist, each step with how Steward can verify it.
#[wasm_bindgen(js_name = hightouchSetupSteps, unchecked_return_type = "HightouchSetupStep[]")]
pub fn hightouch_setup_steps() -> Result<JsValue, StewardError> {
    to_js(&setup::setup_steps())
}

/// Options of `new HightouchClient({baseUrl, apiKey, pageSize?, retry?})`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClientOptions {
    base_url: String,
    api_key: String,
    #[serde(default)]
    page_size: Option<f64>,
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    retry: JsValue,
}

/// The Hightouch REST API in Rust terms; cheap to clone (one shared transport).
#[derive(Clone, Debug)]
pub struct HightouchApi {
    transport: Rc<Transport>,
    page_size: u32,
}

impl HightouchApi {
    /// An API for `base_url` (with or without the `/api/v1` suffix) and `api_key`.
    pub fn new(base_url: &str, api_key: &str, page_size: u32, policy: RetryPolicy) -> Result<Self, StewardError> {
        let trimmed = base_url.trim().trim_end_matches('/');
        let root = trimmed.strip_suffix(PREFIX).unwrap_or(trimmed);
        Ok(Self { transport: Rc::new(Transport::new(Service::Hightouch, root, api_key, policy)?), page_size })
    }

    /// One page of a list.
    pub async fn page(&self, endpoint: ListEndpoint, params: PageParams, signal: Option<&AbortSignal>) -> Result<Page<serde_json::Value>, StewardError> {
        let path = format!("{}?{}", endpoint.path(None), params.to_query());
        let what = format!("GET {path}");
        let reply = self.transport.send(Method::Get, &path, None, signal).await?;
        if !reply.ok() {
            return Err(reply.error(&what));
        }
        reply.json(&what)
    }

    /// Every object of a list, page after page.
    pub async fn list(&self, endpoint: ListEndpoint, signal: Option<&AbortSignal>) -> Result<Vec<serde_json::Value>, StewardError> {
        let mut params = PageParams { limit: self.page_size, offset: 0 };
        let mut all = Vec::new();
        loop {
            let page = self.page(endpoint, params, signal).await?;
            let got = page.data.len();
            all.extend(page.data);
            if !page.has_more {
                return Ok(all);
            }
            if got == 0 {
                // More promised but nothing given: asking again would never end.
                let message = format!("GET {}: Hightouch answered an empty page with hasMore: true at offset {}", endpoint.path(None), params.offset);
                return Err(StewardError::new(ErrorCode::HightouchBadResponse, message));
            }
            params = params.next();
        }
    }
}

/// A client for one Hightouch workspace. The API key stays inside the module: it is only ever
/// sent in the `authorization` header to `baseUrl`, never logged or echoed in errors.
#[wasm_bindgen]
pub struct HightouchClient {
    api: HightouchApi,
}

#[wasm_bindgen]
impl HightouchClient {
    /// `new HightouchClient({baseUrl, apiKey, pageSize?, retry?})`.
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_param_type = "HightouchClientOptions")] options: JsValue) -> Result<HightouchClient, StewardError> {
        let options: ClientOptions = serde_wasm_bindgen::from_value(options).map_err(|e| {
            StewardError::new(ErrorCode::InvalidOptions, format!("HightouchClient options: {e} (expected {{baseUrl, apiKey, pageSize?, retry?}})"))
        })?;
        let page_size = match options.page_size {
            None => steward_core::hightouch::api::DEFAULT_LIMIT,
            Some(n) if n.fract() == 0.0 && (1.0..=f64::from(MAX_LIMIT)).contains(&n) => n as u32,
            Some(n) => {
                return Err(StewardError::new(ErrorCode::InvalidOptions, format!("HightouchClient options.pageSize: expected an integer from 1 to {MAX_LIMIT}, got {n}")))
            }
        };
        let api = HightouchApi::new(&options.base_url, &options.api_key, page_size, retry_policy(&options.retry, "HightouchClient")?)
            .map_err(|e| StewardError { message: format!("HightouchClient options.{}", e.message), ..e })?;
        Ok(HightouchClient { api })
    }

    /// The base URL requests go to (without `/api/v1`).
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.api.transport.base_url().to_owned()
    }

    /// Objects per page.
    #[wasm_bindgen(getter, js_name = pageSize)]
    pub fn page_size(&self) -> u32 {
        self.api.page_size
    }

    /// Every source.
    #[wasm_bindgen(js_name = listSources, unchecked_return_type = "HightouchObject[]")]
    pub async fn list_sources(&self, #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] options: Option<JsValue>) -> Result<JsValue, StewardError> {
        self.list_js(ListEndpoint::Sources, options).await
    }

    /// Every destination.
    #[wasm_bindgen(js_name = listDestinations, unchecked_return_type = "HightouchObject[]")]
    pub async fn list_destinations(&self, #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] options: Option<JsValue>) -> Result<JsValue, StewardError> {
        self.list_js(ListEndpoint::Destinations, options).await
    }

    /// Every model.
    #[wasm_bindgen(js_name = listModels, unchecked_return_type = "HightouchObject[]")]
    pub async fn list_models(&self, #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] options: Option<JsValue>) -> Result<JsValue, StewardError> {
        self.list_js(ListEndpoint::Models, options).await
    }

    /// Every sync.
    #[wasm_bindgen(js_name = listSyncs, unchecked_return_type = "HightouchObject[]")]
    pub async fn list_syncs(&self, #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] options: Option<JsValue>) -> Result<JsValue, StewardError> {
        self.list_js(ListEndpoint::Syncs, options).await
    }

    /// One page of a list: `{data, hasMore}` as Hightouch answers it.
    #[wasm_bindgen(unchecked_return_type = "HightouchPage")]
    pub async fn page(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HightouchList")] list: String,
        #[wasm_bindgen(unchecked_optional_param_type = "{ limit?: number; offset?: number; signal?: AbortSignal }")] options: Option<JsValue>,
    ) -> Result<JsValue, StewardError> {
        let endpoint = list_endpoint(&list)?;
        let params = page_params(options.as_ref(), self.api.page_size)?;
        let signal = signal_option(options)?;
        to_js(&self.api.page(endpoint, params, signal.as_ref()).await?)
    }

    async fn list_js(&self, endpoint: ListEndpoint, options: Option<JsValue>) -> Result<JsValue, StewardError> {
        let signal = signal_option(options)?;
        to_js(&self.api.list(endpoint, signal.as_ref()).await?)
    }
}

/// `"sources"` … as an endpoint; `INVALID_OPTIONS` naming the four.
fn list_endpoint(name: &str) -> Result<ListEndpoint, StewardError> {
    ListEndpoint::CHECKED
        .into_iter()
        .find(|e| e.segment() == name)
        .ok_or_else(|| StewardError::new(ErrorCode::InvalidOptions, format!("list: expected \"sources\", \"destinations\", \"models\" or \"syncs\", got {name:?}")))
}

/// `{limit?, offset?}` of `page()`.
fn page_params(options: Option<&JsValue>, page_size: u32) -> Result<PageParams, StewardError> {
    let mut params = PageParams { limit: page_size, offset: 0 };
    let Some(options) = options.filter(|o| o.is_object()) else { return Ok(params) };
    let number = |key: &str| js_sys::Reflect::get(options, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined());
    let invalid = |key: &str, expected: &str| StewardError::new(ErrorCode::InvalidOptions, format!("options.{key}: expected {expected}"));
    if let Some(limit) = number("limit") {
        let n = limit.as_f64().filter(|n| n.fract() == 0.0 && (1.0..=f64::from(MAX_LIMIT)).contains(n)).ok_or_else(|| invalid("limit", "an integer from 1 to 1000"))?;
        params.limit = n as u32;
    }
    if let Some(offset) = number("offset") {
        let n = offset.as_f64().filter(|n| n.fract() == 0.0 && *n >= 0.0 && *n <= 9_007_199_254_740_991.0).ok_or_else(|| invalid("offset", "a non-negative integer"))?;
        params.offset = n as u64;
    }
    Ok(params)
}

/// `checkHightouchKey(client, {signal}?)`: per list readable or not (and why) with its count,
/// plus the crawl preview. No answer at all (unreachable, timeout, abort) rejects.
#[wasm_bindgen(js_name = checkHightouchKey, unchecked_return_type = "HightouchKeyCheck")]
pub async fn check_hightouch_key(
    client: &HightouchClient,
    #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] options: Option<JsValue>,
) -> Result<JsValue, StewardError> {
    let signal = signal_option(options)?;
    let mut listings = Vec::with_capacity(4);
    for endpoint in ListEndpoint::CHECKED {
        let listing = match client.api.list(endpoint, signal.as_ref()).await {
            Ok(objects) => Listing::Read(objects),
            // An HTTP error answer is a finding; no answer (or one we can't read) is a failure.
            Err(StewardError {
                status: Some(status),
                message,
                code: ErrorCode::HightouchUnauthorized | ErrorCode::HightouchForbidden | ErrorCode::HightouchRateLimited | ErrorCode::HightouchHttp,
            }) => Listing::Refused { status, message },
            Err(other) => return Err(other),
        };
        listings.push(listing);
    }
    match listings.as_slice() {
        [sources, destinations, models, syncs] => to_js(&crawl::key_check(sources, destinations, models, syncs)),
        _ => Err(StewardError::new(ErrorCode::Internal, "the key check read fewer than four lists")),
    }
}
