//! The catalog's JSON error body.

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
}

impl ErrorBody {
    /// An error body with a code and a message.
    pub fn new(error_code: impl Into<String>, error_message: impl Into<String>) -> Self {
        Self { error_code: error_code.into(), error_message: error_message.into(), error_cause: None }
    }
}
