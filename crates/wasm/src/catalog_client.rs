//! The catalog client: talks to an Atlan tenant (or the sandbox) through the shared
//! [`Transport`], in the wire types of `steward_core::catalog`.
//!
//! [`CatalogApi`] is the Rust side the sync runner calls, in typed requests and answers.
//! [`CatalogClient`] is the JS class over the same transport; its reads hand the catalog's JSON
//! to JS as it came (a search is sent as given), so a caller sees every field and query form the
//! tenant supports, not only the subset Steward's wire types model.

use std::rc::Rc;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use steward_core::catalog::entity::{
    self, BulkOptions, BulkRequest, BusinessAttributes, EntityMutationResponse, EntityWithExtInfo,
};
use steward_core::catalog::error::codes;
use steward_core::catalog::search::{self, IndexSearchRequest, IndexSearchResponse};
use steward_core::catalog::typedefs::{self, TypeCategory, TypeDefs};
use steward_core::catalog::whoami::{self, WhoAmI};
use steward_core::sync::retry::RetryPolicy;
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use crate::error::{ErrorCode, StewardError};
use crate::http::{retry_policy, signal_option, Method, Reply, Service, Transport};

#[wasm_bindgen(typescript_custom_section)]
const TS_CATALOG_CLIENT: &str = r#"
/** Options of `new CatalogClient(options)`. */
export interface CatalogClientOptions {
    /** The tenant, e.g. `https://acme.atlan.com`: https, or http on a loopback host (the
     * sandbox, or the server's `/forward/HOST` prefix); no user name, password or query. */
    baseUrl: string;
    /** An API token; it is only ever sent in the `authorization` header to `baseUrl`. */
    token: string;
    /** Changes to the default retry policy. */
    retry?: Partial<RetryPolicy>;
}

/** The user a token acts as (`GET /api/service/whoami`), as the catalog answers it. */
export interface CatalogUser {
    id: string;
    /** `service-account-apikey-<uuid>` for an API token. */
    username: string;
    email?: string;
    firstName?: string;
    lastName?: string;
    enabled?: boolean;
    /** `$admin`, `$member`, `$guest`, `$api-token-default-access`. */
    roles: string[];
    [key: string]: unknown;
}

/** A search (`POST /api/meta/search/indexsearch`), one page; sent as given. */
export interface IndexSearchRequest {
    dsl: {
        from?: number;
        size?: number;
        query?: object;
        post_filter?: object;
        sort?: object[];
        track_total_hits?: boolean;
        [key: string]: unknown;
    };
    /** Attributes to return; custom metadata as `<setId>.<attrId>`. */
    attributes?: string[];
    relationAttributes?: string[];
    excludeClassifications?: boolean;
    excludeMeanings?: boolean;
    [key: string]: unknown;
}

/** A tag on an asset: `typeName` is the tag's id; another asset's `entityGuid` means propagated. */
export interface CatalogClassification {
    typeName: string;
    entityGuid?: string;
    entityStatus?: "ACTIVE" | "DELETED" | "PURGED";
    propagate?: boolean;
    removePropagationsOnEntityDelete?: boolean;
    restrictPropagationThroughLineage?: boolean;
    restrictPropagationThroughHierarchy?: boolean;
}

/** One search hit, as the catalog answers it. */
export interface CatalogEntityHeader {
    typeName: string;
    guid: string;
    status?: "ACTIVE" | "DELETED" | "PURGED";
    displayText?: string;
    attributes: Record<string, unknown>;
    /** Tag ids, direct and propagated. */
    classificationNames?: string[];
    classifications?: CatalogClassification[];
    meaningNames?: string[];
    labels?: string[];
    createdBy?: string;
    updatedBy?: string;
    createTime?: number;
    updateTime?: number;
    [key: string]: unknown;
}

/** One page of hits; `entities` is absent when the page is empty (paging ends there). */
export interface IndexSearchResponse {
    queryType?: string;
    /** Hits on all pages. */
    approximateCount: number;
    entities?: CatalogEntityHeader[];
    [key: string]: unknown;
}

/** An attribute of a custom-metadata set; option values are strings (`isArchived: "true"`). */
export interface CatalogAttributeDef {
    name: string;
    displayName?: string;
    typeName: string;
    cardinality?: string;
    isOptional?: boolean;
    description?: string;
    options?: Record<string, string>;
    [key: string]: unknown;
}

/** Tag and custom-metadata definitions (`GET /api/meta/types/typedefs`): ids in `name`,
 * what users see in `displayName`. */
export interface CatalogTypeDefs {
    classificationDefs: { name: string; displayName: string; guid?: string; description?: string; options?: Record<string, string>; [key: string]: unknown }[];
    businessMetadataDefs: { name: string; displayName: string; guid?: string; description?: string; attributeDefs: CatalogAttributeDef[]; options?: Record<string, string>; [key: string]: unknown }[];
    [key: string]: unknown;
}

/** One asset with its custom metadata (`businessAttributes[setId][attrId]`), as the catalog
 * answers it. */
export interface CatalogEntityWithExtInfo {
    entity: {
        typeName: string;
        guid: string;
        status?: "ACTIVE" | "DELETED" | "PURGED";
        attributes: Record<string, unknown>;
        businessAttributes?: Record<string, Record<string, unknown>>;
        classifications?: CatalogClassification[];
        meaningNames?: string[];
        labels?: string[];
        createdBy?: string;
        updatedBy?: string;
        createTime?: number;
        updateTime?: number;
        version?: number;
        [key: string]: unknown;
    };
    referredEntities?: Record<string, unknown>;
}
"#;

/// Options of `new CatalogClient({baseUrl, token, retry?})`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClientOptions {
    base_url: String,
    token: String,
    /// Read as JSON so that a misspelt field is refused (serde-wasm-bindgen only looks up the
    /// fields it knows).
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    retry: JsValue,
}

/// The catalog's REST API in Rust types, for the sync runner; cheap to clone (one shared
/// transport).
#[derive(Clone, Debug)]
pub struct CatalogApi {
    transport: Rc<Transport>,
}

impl CatalogApi {
    /// An API for `base_url` with `token` (see [`Transport::new`] for the checks).
    pub fn new(base_url: &str, token: &str, policy: RetryPolicy) -> Result<Self, StewardError> {
        Ok(Self { transport: Rc::new(Transport::new(Service::Catalog, base_url, token, policy)?) })
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        self.transport.base_url()
    }

    /// The user the token acts as, with its roles.
    pub async fn whoami(&self, signal: Option<&AbortSignal>) -> Result<WhoAmI, StewardError> {
        self.call(Method::Get, whoami::PATH, None, signal).await
    }

    /// One page of an index search.
    pub async fn search(&self, request: &IndexSearchRequest, signal: Option<&AbortSignal>) -> Result<IndexSearchResponse, StewardError> {
        self.call(Method::Post, search::PATH, Some(to_json(request)?), signal).await
    }

    /// The type definitions of these categories (all of them when empty).
    pub async fn typedefs(&self, categories: &[TypeCategory], signal: Option<&AbortSignal>) -> Result<TypeDefs, StewardError> {
        self.call(Method::Get, &Self::typedefs_path(categories), None, signal).await
    }

    /// Creates type definitions (an admin's token); answers what was created.
    pub async fn create_typedefs(&self, defs: &TypeDefs, signal: Option<&AbortSignal>) -> Result<TypeDefs, StewardError> {
        self.call(Method::Post, typedefs::PATH, Some(to_json(defs)?), signal).await
    }

    /// Updates type definitions (an admin's token); answers what was updated.
    pub async fn update_typedefs(&self, defs: &TypeDefs, signal: Option<&AbortSignal>) -> Result<TypeDefs, StewardError> {
        self.call(Method::Put, typedefs::PATH, Some(to_json(defs)?), signal).await
    }

    /// Creates or updates assets in one request. An unknown qualified name creates an asset:
    /// callers check existence first.
    pub async fn bulk(
        &self,
        request: &BulkRequest,
        options: BulkOptions,
        signal: Option<&AbortSignal>,
    ) -> Result<EntityMutationResponse, StewardError> {
        let path = format!("{}?{}", entity::BULK_PATH, options.to_query());
        self.call(Method::Post, &path, Some(to_json(request)?), signal).await
    }

    /// Merges custom-metadata values into one asset (`null` removes a value).
    pub async fn write_business_metadata(
        &self,
        guid: &str,
        values: &BusinessAttributes,
        signal: Option<&AbortSignal>,
    ) -> Result<(), StewardError> {
        let path = format!("{}?isOverwrite=false", entity::business_metadata_path(&encode(guid)));
        // 204: no body to read.
        self.ok_reply(Method::Post, &path, Some(to_json(values)?), signal).await.map(drop)
    }

    /// The asset of this type and qualified name, with its custom metadata; `None` when the
    /// catalog has none.
    pub async fn entity_by_qualified_name(
        &self,
        type_name: &str,
        qualified_name: &str,
        signal: Option<&AbortSignal>,
    ) -> Result<Option<EntityWithExtInfo>, StewardError> {
        match self.entity_reply(type_name, qualified_name, signal).await? {
            Some((reply, what)) => reply.json(&what).map(Some),
            None => Ok(None),
        }
    }

    /// The 2xx answer for one asset (and what to call it in messages), `None` for an unknown one.
    async fn entity_reply(
        &self,
        type_name: &str,
        qualified_name: &str,
        signal: Option<&AbortSignal>,
    ) -> Result<Option<(Reply, String)>, StewardError> {
        let path = format!(
            "{}{}?{}={}&minExtInfo=true&ignoreRelationships=true",
            entity::UNIQUE_ATTRIBUTE_PATH_PREFIX,
            encode(type_name),
            entity::UNIQUE_QUALIFIED_NAME_PARAM,
            encode(qualified_name)
        );
        let what = format!("GET {}{type_name} ({qualified_name})", entity::UNIQUE_ATTRIBUTE_PATH_PREFIX);
        let reply = self.transport.send(Method::Get, &path, None, signal).await?;
        // A 404 in the catalog's own error shape is an unknown asset; one without it, or saying
        // the endpoint itself is unknown, is a wrong base URL and must not read as "no asset".
        let unknown_asset = reply.catalog_error_code().is_some_and(|code| code != codes::RESOURCE_NOT_FOUND);
        if reply.status == 404 && unknown_asset {
            return Ok(None);
        }
        if !reply.ok() {
            return Err(reply.error(&what));
        }
        Ok(Some((reply, what)))
    }

    /// Sends a request and hands back its 2xx answer (and the request, for messages); any
    /// other status is an error of the catalog family carrying it.
    async fn ok_reply(&self, method: Method, path: &str, body: Option<String>, signal: Option<&AbortSignal>) -> Result<(Reply, String), StewardError> {
        let what = format!("{} {path}", method.as_str());
        let reply = self.transport.send(method, path, body, signal).await?;
        if !reply.ok() {
            return Err(reply.error(&what));
        }
        Ok((reply, what))
    }

    /// Sends a request and reads its 2xx answer as `T`.
    async fn call<T: DeserializeOwned>(&self, method: Method, path: &str, body: Option<String>, signal: Option<&AbortSignal>) -> Result<T, StewardError> {
        let (reply, what) = self.ok_reply(method, path, body, signal).await?;
        reply.json(&what)
    }

    /// The path of a typedefs read of these categories (all of them when empty).
    fn typedefs_path(categories: &[TypeCategory]) -> String {
        let query: Vec<String> = categories.iter().map(|c| format!("type={}", c.as_str())).collect();
        if query.is_empty() {
            typedefs::PATH.to_owned()
        } else {
            format!("{}?{}", typedefs::PATH, query.join("&"))
        }
    }
}

/// A request body; only a map with non-string keys could fail, which the wire types have not.
fn to_json<T: Serialize>(value: &T) -> Result<String, StewardError> {
    serde_json::to_string(value).map_err(|e| StewardError::new(ErrorCode::Internal, format!("cannot encode the request: {e}")))
}

/// A path segment or query value, percent-encoded as `encodeURIComponent` does.
fn encode(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

/// A client for one catalog tenant. The token is kept inside the module: it is only ever sent
/// in the `authorization` header to `baseUrl`, never logged or echoed in errors.
#[wasm_bindgen]
pub struct CatalogClient {
    api: CatalogApi,
}

#[wasm_bindgen]
impl CatalogClient {
    /// `new CatalogClient({baseUrl: "https://tenant.atlan.com", token, retry?})`.
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_param_type = "CatalogClientOptions")] options: JsValue) -> Result<CatalogClient, StewardError> {
        let options: ClientOptions = serde_wasm_bindgen::from_value(options).map_err(|e| {
            StewardError::new(ErrorCode::InvalidOptions, format!("CatalogClient options: {e} (expected {{baseUrl, token, retry?}})"))
        })?;
        let api = CatalogApi::new(&options.base_url, &options.token, retry_policy(&options.retry, "CatalogClient")?)
            .map_err(|e| StewardError { message: format!("CatalogClient options.{}", e.message), ..e })?;
        Ok(CatalogClient { api })
    }

    /// The base URL requests go to.
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.api.base_url().to_owned()
    }

    /// Checks the URL and token: reads the tag definitions and returns how many there are.
    pub async fn ping(&self) -> Result<u32, StewardError> {
        let defs = self.api.typedefs(&[TypeCategory::Classification], None).await?;
        Ok(u32::try_from(defs.classification_defs.len()).unwrap_or(u32::MAX))
    }

    /// The user the token acts as, with its roles.
    #[wasm_bindgen(unchecked_return_type = "CatalogUser")]
    pub async fn whoami(&self, #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] options: Option<JsValue>) -> Result<JsValue, StewardError> {
        let signal = signal_option(options)?;
        let (reply, what) = self.api.ok_reply(Method::Get, whoami::PATH, None, signal.as_ref()).await?;
        reply.js(&what)
    }

    /// One page of an index search, in the catalog's own request and response shapes: the
    /// request goes as given (the catalog judges it), the answer comes back as it came.
    #[wasm_bindgen(unchecked_return_type = "IndexSearchResponse")]
    pub async fn search(
        &self,
        #[wasm_bindgen(unchecked_param_type = "IndexSearchRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, StewardError> {
        let body = object_json(&request, "request")?;
        let signal = signal_option(options)?;
        let (reply, what) = self.api.ok_reply(Method::Post, search::PATH, Some(body), signal.as_ref()).await?;
        reply.js(&what)
    }

    /// The tag and custom-metadata definitions.
    #[wasm_bindgen(unchecked_return_type = "CatalogTypeDefs")]
    pub async fn typedefs(&self, #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] options: Option<JsValue>) -> Result<JsValue, StewardError> {
        let signal = signal_option(options)?;
        let path = CatalogApi::typedefs_path(&[TypeCategory::Classification, TypeCategory::BusinessMetadata]);
        let (reply, what) = self.api.ok_reply(Method::Get, &path, None, signal.as_ref()).await?;
        reply.js(&what)
    }

    /// The asset of this type and qualified name with its custom metadata, or `null`.
    #[wasm_bindgen(js_name = getByQualifiedName, unchecked_return_type = "CatalogEntityWithExtInfo | null")]
    pub async fn get_by_qualified_name(
        &self,
        #[wasm_bindgen(js_name = typeName)] type_name: String,
        #[wasm_bindgen(js_name = qualifiedName)] qualified_name: String,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, StewardError> {
        let signal = signal_option(options)?;
        match self.api.entity_reply(&type_name, &qualified_name, signal.as_ref()).await? {
            Some((reply, what)) => reply.js(&what),
            None => Ok(JsValue::NULL),
        }
    }
}

impl CatalogClient {
    /// The Rust API behind this client, sharing its transport (for the sync runner).
    #[doc(hidden)]
    pub fn api(&self) -> CatalogApi {
        self.api.clone()
    }
}

/// A JS object (or JSON text of one) as JSON text; `INVALID_REQUEST` naming `what`.
fn object_json(value: &JsValue, what: &str) -> Result<String, StewardError> {
    let invalid = |message: &str| StewardError::new(ErrorCode::InvalidRequest, format!("{what}: {message}"));
    let object = match value.as_string() {
        Some(text) => js_sys::JSON::parse(&text).map_err(|_| invalid("not valid JSON"))?,
        None => value.clone(),
    };
    if !object.is_object() || js_sys::Array::is_array(&object) {
        return Err(invalid("expected an object like {dsl, attributes} (or its JSON text)"));
    }
    js_sys::JSON::stringify(&object)
        .ok()
        .and_then(|text| text.as_string())
        .ok_or_else(|| invalid("not representable as JSON (a cycle or a bigint?)"))
}
