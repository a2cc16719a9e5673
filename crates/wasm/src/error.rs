//! The one error type of the wasm boundary: every failure reaches JS as an `Error` with a
//! stable `code` and a message that names the input at fault (never a token).

use wasm_bindgen::JsValue;

/// An error thrown to JavaScript.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct StewardError {
    /// Stable, documented code such as `INVALID_MASK` or `CATALOG_HTTP`.
    pub code: &'static str,
    /// What went wrong and where.
    pub message: String,
}

impl StewardError {
    /// An error with a stable code and a located message.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

impl From<StewardError> for JsValue {
    fn from(err: StewardError) -> JsValue {
        let error = js_sys::Error::new(&err.message);
        // Setting a property on a fresh Error object cannot fail; ignore the Result.
        let _ = js_sys::Reflect::set(&error, &JsValue::from_str("code"), &JsValue::from_str(err.code));
        error.into()
    }
}
