//! The wasm boundary in a real JS engine: Node by default, headless Chromium with
//! `WASM_BINDGEN_USE_BROWSER=1` (scripts/test.sh runs both).
//!
//! The fetch tests need a running `steward-server --sandbox`; scripts/test.sh starts one and
//! passes its URL at compile time in `STEWARD_TEST_SERVER`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // tests may
#![cfg(target_arch = "wasm32")]

use steward_wasm::masking::mask;
use steward_wasm::{CatalogClient, StewardError};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

fn server() -> &'static str {
    match option_env!("STEWARD_TEST_SERVER") {
        Some(url) => url,
        None => panic!("scripts/test.sh sets STEWARD_TEST_SERVER to a running sandbox server"),
    }
}

fn client(base_url: &str, token: &str) -> Result<CatalogClient, StewardError> {
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"baseUrl".into(), &base_url.into()).unwrap();
    js_sys::Reflect::set(&options, &"token".into(), &token.into()).unwrap();
    CatalogClient::new(options.into())
}

#[wasm_bindgen_test]
fn redact_masks_letters_and_digits() {
    assert_eq!(mask("1234 Street Name".into(), "REDACT".into(), None).unwrap().as_string().as_deref(), Some("0000 Xxxxxx Xxxx"));
}

#[wasm_bindgen_test]
fn an_unknown_mask_is_an_error_with_a_stable_code() {
    let err = mask("x".into(), "reed".into(), None).unwrap_err();
    assert_eq!(err.code, "INVALID_MASK");
    let js: JsValue = err.into();
    assert!(js.is_instance_of::<js_sys::Error>());
    let code = js_sys::Reflect::get(&js, &"code".into()).unwrap();
    assert_eq!(code.as_string().as_deref(), Some("INVALID_MASK"));
}

#[wasm_bindgen_test]
async fn ping_counts_the_sandbox_tag_definitions_through_fetch() {
    let catalog = client(server(), "sandbox-admin-token").unwrap();
    let tags = catalog.ping().await.unwrap();
    assert!(tags >= 2, "the sandbox has at least PII and Confidential, got {tags}");
}

#[wasm_bindgen_test]
async fn ping_with_a_bad_token_fails_without_revealing_it() {
    let catalog = client(server(), "secret-but-wrong-token").unwrap();
    let err = catalog.ping().await.unwrap_err();
    assert_eq!(err.code, "CATALOG_UNAUTHORIZED");
    assert!(err.message.contains("401"), "{}", err.message);
    assert!(!err.message.contains("secret-but-wrong-token"));
}

#[wasm_bindgen_test]
fn client_options_are_checked_and_named() {
    let err = client("ftp://example.com", "t").err().unwrap();
    assert_eq!(err.code, "INVALID_URL");
    assert!(err.message.contains("baseUrl"), "{}", err.message);
    let err = client("https://example.com", " ").err().unwrap();
    assert!(err.message.contains("token"), "{}", err.message);
}
