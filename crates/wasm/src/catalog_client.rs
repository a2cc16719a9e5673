//! The catalog client: talks to an Atlan tenant (or the sandbox) through `fetch`.

use gloo_net::http::Request;
use serde::Deserialize;
use steward_core::catalog::{error::ErrorBody, typedefs};
use wasm_bindgen::prelude::*;

use crate::error::StewardError;

#[wasm_bindgen(typescript_custom_section)]
const TS_CATALOG_CLIENT_OPTIONS: &str = r#"
/** Options of `new CatalogClient(options)`. */
export interface CatalogClientOptions {
    /** The tenant, e.g. `https://acme.atlan.com`, or the sandbox server's URL. */
    baseUrl: string;
    /** An API token; it is only ever sent in the `authorization` header to `baseUrl`. */
    token: string;
}
"#;

/// Options of `new CatalogClient({baseUrl, token})`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClientOptions {
    base_url: String,
    token: String,
}

/// A client for one catalog tenant. The token is kept inside the module: it is only ever sent
/// in the `authorization` header to `baseUrl`, never logged or echoed in errors.
#[wasm_bindgen]
pub struct CatalogClient {
    base_url: String,
    token: String,
}

#[wasm_bindgen]
impl CatalogClient {
    /// `new CatalogClient({baseUrl: "https://tenant.atlan.com", token})`.
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_param_type = "CatalogClientOptions")] options: JsValue) -> Result<CatalogClient, StewardError> {
        let options: ClientOptions = serde_wasm_bindgen::from_value(options).map_err(|e| {
            StewardError::new("INVALID_OPTIONS", format!("CatalogClient options: {e} (expected {{baseUrl, token}})"))
        })?;
        let base_url = options.base_url.trim_end_matches('/').to_owned();
        if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
            return Err(StewardError::new(
                "INVALID_OPTIONS",
                format!("CatalogClient options.baseUrl: expected an http(s) URL, got {base_url:?}"),
            ));
        }
        if options.token.trim().is_empty() {
            return Err(StewardError::new("INVALID_OPTIONS", "CatalogClient options.token: empty"));
        }
        Ok(CatalogClient { base_url, token: options.token })
    }

    /// The base URL requests go to.
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// Checks the URL and token: reads the tag definitions and returns how many there are.
    pub async fn ping(&self) -> Result<u32, StewardError> {
        let url = format!("{}{}?type=classification", self.base_url, typedefs::PATH);
        let response = Request::get(&url)
            .header("authorization", &format!("Bearer {}", self.token))
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| StewardError::new("CATALOG_UNREACHABLE", format!("GET {}: {e}", typedefs::PATH)))?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| StewardError::new("CATALOG_UNREACHABLE", format!("GET {}: {e}", typedefs::PATH)))?;
        if !(200..300).contains(&status) {
            return Err(http_error(status, typedefs::PATH, &body));
        }
        let defs: typedefs::TypeDefs = serde_json::from_str(&body).map_err(|e| {
            StewardError::new("CATALOG_BAD_RESPONSE", format!("GET {}: unexpected response: {e}", typedefs::PATH))
        })?;
        Ok(u32::try_from(defs.classification_defs.len()).unwrap_or(u32::MAX))
    }
}

/// An HTTP error carrying the catalog's own message (the catalog never echoes the token).
fn http_error(status: u16, path: &str, body: &str) -> StewardError {
    let detail = match serde_json::from_str::<ErrorBody>(body) {
        Ok(err) => format!("{} {}", err.error_code, err.error_message),
        Err(_) => String::from("no catalog error body"),
    };
    let code = match status {
        401 => "CATALOG_UNAUTHORIZED",
        403 => "CATALOG_FORBIDDEN",
        404 => "CATALOG_NOT_FOUND",
        429 => "CATALOG_RATE_LIMITED",
        _ => "CATALOG_HTTP",
    };
    StewardError::new(code, format!("{path}: HTTP {status}: {detail}"))
}
