//! The one error type of the wasm boundary: every failure reaches JS as an `Error` with a
//! stable `code` (one of [`ErrorCode`], exported to TypeScript as `StewardErrorCode`), the HTTP
//! `status` when a server answered, and a message that names the input at fault (never a token).

use std::fmt;

use wasm_bindgen::prelude::*;

/// Every code an error thrown by the package carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// An unknown mask type.
    InvalidMask,
    /// A value that can't be masked (not a string, number, boolean or null).
    InvalidValue,
    /// Options of a call that are not what it accepts.
    InvalidOptions,
    /// CSV text that can't be read.
    InvalidCsv,
    /// A column name that can't be used in SQL.
    InvalidColumn,
    /// An unknown SQL dialect.
    InvalidDialect,
    /// A mask the SQL dialect can't express.
    UnsupportedSql,
    /// An access config with located problems.
    InvalidConfig,
    /// A decision or preview request that can't be read.
    InvalidRequest,
    /// Catalog entities (for import) that can't be read.
    InvalidEntities,
    /// A base URL refused by the URL rules (https only, no credentials, no query).
    InvalidUrl,
    /// A local inventory that can't be read.
    InvalidInventory,
    /// A Hightouch role policy that can't be used (located problems in the message).
    InvalidPolicy,
    /// The local server's `/forward/` refused to pass the request on (a host not on its
    /// allow-list, a body too large): the tenant never saw it.
    ForwardRefused,
    /// The caller's `AbortSignal` fired.
    Aborted,
    /// A sync run failed as a whole.
    SyncFailed,
    /// A bug: an answer the module could not encode.
    Internal,
    /// The catalog refused the token (401).
    CatalogUnauthorized,
    /// The catalog refused the token's user this request (403).
    CatalogForbidden,
    /// The catalog has no such asset, type or endpoint (404).
    CatalogNotFound,
    /// The catalog kept answering 429 after every retry.
    CatalogRateLimited,
    /// Any other HTTP error from the catalog.
    CatalogHttp,
    /// The catalog could not be reached (network error, refused redirect).
    CatalogUnreachable,
    /// The catalog did not answer in time.
    CatalogTimeout,
    /// The catalog answered something that is not the documented shape.
    CatalogBadResponse,
    /// Hightouch refused the API key (401).
    HightouchUnauthorized,
    /// Hightouch refused the key's role this request (403).
    HightouchForbidden,
    /// Hightouch kept answering 429 after every retry.
    HightouchRateLimited,
    /// Any other HTTP error from Hightouch.
    HightouchHttp,
    /// Hightouch could not be reached.
    HightouchUnreachable,
    /// Hightouch did not answer in time.
    HightouchTimeout,
    /// Hightouch answered something that is not the documented shape.
    HightouchBadResponse,
}

/// The codes as TypeScript sees them; `error::tests` holds it equal to [`ErrorCode::ALL`].
pub const TS_STEWARD_ERROR_CODE: &str = r#"
/** The `code` of every `Error` the package throws. */
export type StewardErrorCode =
  | "INVALID_MASK" | "INVALID_VALUE" | "INVALID_OPTIONS" | "INVALID_CSV" | "INVALID_COLUMN"
  | "INVALID_DIALECT" | "UNSUPPORTED_SQL" | "INVALID_CONFIG" | "INVALID_REQUEST"
  | "INVALID_ENTITIES" | "INVALID_URL" | "INVALID_INVENTORY" | "INVALID_POLICY" | "FORWARD_REFUSED" | "ABORTED" | "SYNC_FAILED"
  | "INTERNAL"
  | "CATALOG_UNAUTHORIZED" | "CATALOG_FORBIDDEN" | "CATALOG_NOT_FOUND" | "CATALOG_RATE_LIMITED"
  | "CATALOG_HTTP" | "CATALOG_UNREACHABLE" | "CATALOG_TIMEOUT" | "CATALOG_BAD_RESPONSE"
  | "HIGHTOUCH_UNAUTHORIZED" | "HIGHTOUCH_FORBIDDEN" | "HIGHTOUCH_RATE_LIMITED"
  | "HIGHTOUCH_HTTP" | "HIGHTOUCH_UNREACHABLE" | "HIGHTOUCH_TIMEOUT" | "HIGHTOUCH_BAD_RESPONSE";
"#;

#[wasm_bindgen(typescript_custom_section)]
const TS_STEWARD_ERROR_CODE_SECTION: &str = TS_STEWARD_ERROR_CODE;

impl ErrorCode {
    /// Every code, in declaration order.
    pub const ALL: [ErrorCode; 32] = [
        Self::InvalidMask,
        Self::InvalidValue,
        Self::InvalidOptions,
        Self::InvalidCsv,
        Self::InvalidColumn,
        Self::InvalidDialect,
        Self::UnsupportedSql,
        Self::InvalidConfig,
        Self::InvalidRequest,
        Self::InvalidEntities,
        Self::InvalidUrl,
        Self::InvalidInventory,
        Self::InvalidPolicy,
        Self::ForwardRefused,
        Self::Aborted,
        Self::SyncFailed,
        Self::Internal,
        Self::CatalogUnauthorized,
        Self::CatalogForbidden,
        Self::CatalogNotFound,
        Self::CatalogRateLimited,
        Self::CatalogHttp,
        Self::CatalogUnreachable,
        Self::CatalogTimeout,
        Self::CatalogBadResponse,
        Self::HightouchUnauthorized,
        Self::HightouchForbidden,
        Self::HightouchRateLimited,
        Self::HightouchHttp,
        Self::HightouchUnreachable,
        Self::HightouchTimeout,
        Self::HightouchBadResponse,
    ];

    /// The stable name JS sees in `error.code`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidMask => "INVALID_MASK",
            Self::InvalidValue => "INVALID_VALUE",
            Self::InvalidOptions => "INVALID_OPTIONS",
            Self::InvalidCsv => "INVALID_CSV",
            Self::InvalidColumn => "INVALID_COLUMN",
            Self::InvalidDialect => "INVALID_DIALECT",
            Self::UnsupportedSql => "UNSUPPORTED_SQL",
            Self::InvalidConfig => "INVALID_CONFIG",
            Self::InvalidRequest => "INVALID_REQUEST",
            Self::InvalidEntities => "INVALID_ENTITIES",
            Self::InvalidUrl => "INVALID_URL",
            Self::InvalidInventory => "INVALID_INVENTORY",
            Self::InvalidPolicy => "INVALID_POLICY",
            Self::ForwardRefused => "FORWARD_REFUSED",
            Self::Aborted => "ABORTED",
            Self::SyncFailed => "SYNC_FAILED",
            Self::Internal => "INTERNAL",
            Self::CatalogUnauthorized => "CATALOG_UNAUTHORIZED",
            Self::CatalogForbidden => "CATALOG_FORBIDDEN",
            Self::CatalogNotFound => "CATALOG_NOT_FOUND",
            Self::CatalogRateLimited => "CATALOG_RATE_LIMITED",
            Self::CatalogHttp => "CATALOG_HTTP",
            Self::CatalogUnreachable => "CATALOG_UNREACHABLE",
            Self::CatalogTimeout => "CATALOG_TIMEOUT",
            Self::CatalogBadResponse => "CATALOG_BAD_RESPONSE",
            Self::HightouchUnauthorized => "HIGHTOUCH_UNAUTHORIZED",
            Self::HightouchForbidden => "HIGHTOUCH_FORBIDDEN",
            Self::HightouchRateLimited => "HIGHTOUCH_RATE_LIMITED",
            Self::HightouchHttp => "HIGHTOUCH_HTTP",
            Self::HightouchUnreachable => "HIGHTOUCH_UNREACHABLE",
            Self::HightouchTimeout => "HIGHTOUCH_TIMEOUT",
            Self::HightouchBadResponse => "HIGHTOUCH_BAD_RESPONSE",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// `err.code == "INVALID_MASK"` reads as the JS side does.
impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

/// An error thrown to JavaScript.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct StewardError {
    /// Stable, documented code.
    pub code: ErrorCode,
    /// What went wrong and where.
    pub message: String,
    /// The HTTP status of the answer this error comes from, when a server answered.
    pub status: Option<u16>,
}

impl StewardError {
    /// An error with a stable code and a located message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), status: None }
    }

    /// The same error, from an answer with this HTTP status.
    #[must_use]
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }
}

impl From<StewardError> for JsValue {
    fn from(err: StewardError) -> JsValue {
        let error = js_sys::Error::new(&err.message);
        // Setting a property on a fresh Error object cannot fail; ignore the Results.
        let _ = js_sys::Reflect::set(&error, &JsValue::from_str("code"), &JsValue::from_str(err.code.as_str()));
        if let Some(status) = err.status {
            let _ = js_sys::Reflect::set(&error, &JsValue::from_str("status"), &JsValue::from(status));
        }
        error.into()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    fn typescript_union() -> BTreeSet<&'static str> {
        let (_, union) = TS_STEWARD_ERROR_CODE.split_once('=').unwrap();
        union.trim().trim_end_matches(';').split('|').map(|name| name.trim().trim_matches('"')).filter(|name| !name.is_empty()).collect()
    }

    #[wasm_bindgen_test]
    fn every_code_is_in_the_typescript_union_and_nothing_else() {
        let names: BTreeSet<&str> = ErrorCode::ALL.iter().map(|code| code.as_str()).collect();
        assert_eq!(names.len(), ErrorCode::ALL.len(), "two codes share a name");
        assert_eq!(typescript_union(), names);
    }

    #[wasm_bindgen_test]
    fn codes_are_upper_snake_case() {
        for code in ErrorCode::ALL {
            assert!(code.as_str().bytes().all(|b| b.is_ascii_uppercase() || b == b'_'), "{code}");
        }
    }

    #[wasm_bindgen_test]
    fn an_error_reaches_js_with_its_code_and_status() {
        let js: JsValue = StewardError::new(ErrorCode::CatalogForbidden, "no").with_status(403).into();
        assert!(js.is_instance_of::<js_sys::Error>());
        assert_eq!(js_sys::Reflect::get(&js, &"code".into()).unwrap().as_string().as_deref(), Some("CATALOG_FORBIDDEN"));
        assert_eq!(js_sys::Reflect::get(&js, &"status".into()).unwrap().as_f64(), Some(403.0));
        let js: JsValue = StewardError::new(ErrorCode::InvalidMask, "no").into();
        assert!(js_sys::Reflect::get(&js, &"status".into()).unwrap().is_undefined());
    }
}
