//! The catalog's JSON error body and the error codes the catalog (a fork of Apache Atlas) answers.

use serde::{Deserialize, Serialize};

/// `{"errorCode": "ATLAS-404-00-005", "errorMessage": "..."}` as the catalog answers errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// Stable code such as `ATLAS-401-00-001`.
    pub error_code: String,
    /// Human-readable message.
    pub error_message: String,
    /// Optional cause text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_cause: Option<String>,
    /// Optional list of detailed causes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub causes: Vec<ErrorCause>,
    /// Optional id of this occurrence, for support requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_id: Option<String>,
}

/// One entry of `causes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorCause {
    /// Kind of the cause, e.g. `BadRequestException`.
    #[serde(default)]
    pub error_type: String,
    /// What went wrong.
    #[serde(default)]
    pub error_message: String,
    /// Where: a field path or a class name.
    #[serde(default)]
    pub location: String,
}

impl ErrorBody {
    /// An error body with a code and a message.
    pub fn new(error_code: impl Into<String>, error_message: impl Into<String>) -> Self {
        Self {
            error_code: error_code.into(),
            error_message: error_message.into(),
            error_cause: None,
            causes: Vec::new(),
            error_id: None,
        }
    }

    /// The same body with an `errorCause`.
    #[must_use]
    pub fn with_cause(mut self, cause: impl Into<String>) -> Self {
        self.error_cause = Some(cause.into());
        self
    }

    /// The HTTP status the code encodes (`ATLAS-404-…` → 404), if it encodes one.
    pub fn status(&self) -> Option<u16> {
        self.error_code.split('-').nth(1).and_then(|s| s.parse().ok())
    }
}

/// Error codes the catalog answers, with the status each goes with.
pub mod codes {
    /// 400: a parameter or the body is invalid.
    pub const INVALID_PARAMETERS: &str = "ATLAS-400-00-001";
    /// 400: the JSON body could not be read.
    pub const BAD_REQUEST_BODY: &str = "ATLAS-400-00-002";
    /// 400: a custom-metadata value does not fit its attribute definition.
    pub const INVALID_CUSTOM_METADATA: &str = "ATLAS-400-00-09E";
    /// 400: an unknown custom-metadata set or attribute.
    pub const UNKNOWN_CUSTOM_METADATA: &str = "ATLAS-400-00-09D";
    /// 400: the search request is invalid.
    pub const INVALID_SEARCH: &str = "ATLAS-400-00-103";
    /// 401: missing, unknown or expired token.
    pub const UNAUTHENTICATED: &str = "ATLAS-401-00-001";
    /// 403: the token's user may not do this.
    pub const UNAUTHORIZED_ACCESS: &str = "ATLAS-403-00-001";
    /// 404: an unknown type (or tag) name.
    pub const TYPE_NAME_NOT_FOUND: &str = "ATLAS-404-00-001";
    /// 404: no entity has this guid.
    pub const GUID_NOT_FOUND: &str = "ATLAS-404-00-005";
    /// 404: no entity has this unique attribute.
    pub const UNIQUE_ATTRIBUTE_NOT_FOUND: &str = "ATLAS-404-00-009";
    /// 404: no route.
    pub const RESOURCE_NOT_FOUND: &str = "ATLAS-404-00-000";
    /// 409: a type with this name exists.
    pub const TYPE_ALREADY_EXISTS: &str = "ATLAS-409-00-001";
    /// 409: a policy with this name exists in the persona or purpose.
    pub const DUPLICATE_POLICY: &str = "ATLAS-409-00-017";
    /// 429: rate limited; `Retry-After` says when to come back.
    pub const RATE_LIMITED: &str = "ATLAS-429-00-001";
    /// 500: internal error.
    pub const INTERNAL_ERROR: &str = "ATLAS-500-00-001";
    /// 503: temporarily unavailable.
    pub const SERVICE_UNAVAILABLE: &str = "ATLAS-503-00-001";
    /// Prefix of the codes `steward-server`'s `/forward/` answers itself (in this error format)
    /// when it refuses or fails to pass a request on — not the tenant's answer.
    pub const FORWARD_PREFIX: &str = "STEWARD-FORWARD-";
    /// `/forward/` could not reach the tenant (502).
    pub const FORWARD_UNREACHABLE: &str = "STEWARD-FORWARD-502";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_api_notes_error_example_with_causes() {
        let json = r#"{"errorCode": "ATLAS-404-00-005", "errorMessage": "Given instance guid abc is invalid/not found",
            "errorCause": "not found", "causes": [{"errorType": "AtlasBaseException",
            "errorMessage": "guid abc", "location": "EntityREST"}], "errorId": "e-1"}"#;
        let body: ErrorBody = serde_json::from_str(json).unwrap();
        assert_eq!(body.status(), Some(404));
        assert_eq!(body.causes[0].location, "EntityREST");
        assert_eq!(body.error_id.as_deref(), Some("e-1"));
    }

    #[test]
    fn a_minimal_body_serialises_without_optional_keys() {
        let body = ErrorBody::new(codes::UNAUTHENTICATED, "bad token");
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json, serde_json::json!({"errorCode": "ATLAS-401-00-001", "errorMessage": "bad token"}));
    }
}
