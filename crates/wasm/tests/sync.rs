//! The sync run (`runSync`, `preflight`) end to end through the real `fetch`, against a live
//! `steward-server --sandbox`, in Node and (with `WASM_BINDGEN_USE_BROWSER=1`) headless
//! Chromium; scripts/test.sh starts the server and passes its URL at compile time in
//! `STEWARD_TEST_SERVER`.
//!
//! The server is shared by both runs and by the other test files, so every test that depends
//! on the catalog's state starts with `POST /sandbox/reset` (tests of one binary run one after
//! another). The inventory is the sandbox's own (`GET /sandbox/inventory`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // tests may
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::{json, Value};
use steward_wasm::preflight::preflight_with;
use steward_wasm::sync::run_sync_with;
use steward_wasm::{CatalogClient, StewardError};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

const INTEGRATION: &str = "sandbox-integration-token";
const RESTRICTED: &str = "sandbox-restricted-token";
const GUEST: &str = "sandbox-guest-token";
const WRONG: &str = "wrong-but-secret-token-5d1e8b";
/// Every token a test here sends: none may appear in an error or a report.
const TOKENS: [&str; 4] = [INTEGRATION, RESTRICTED, GUEST, WRONG];

fn server() -> &'static str {
    match option_env!("STEWARD_TEST_SERVER") {
        Some(url) => url.trim_end_matches('/'),
        None => panic!("scripts/test.sh sets STEWARD_TEST_SERVER to a running sandbox server"),
    }
}

/// `method {server}{path}` through the global `fetch` (Node ≥ 18 and browsers alike).
async fn http(method: &str, path: &str) -> web_sys::Response {
    let global = js_sys::global();
    let fetch: js_sys::Function = js_sys::Reflect::get(&global, &"fetch".into()).unwrap().dyn_into().unwrap();
    let init = js_sys::Object::new();
    js_sys::Reflect::set(&init, &"method".into(), &method.into()).unwrap();
    let url = format!("{}{path}", server());
    let promise: js_sys::Promise = fetch.call2(&global, &url.into(), &init).unwrap().dyn_into().unwrap();
    JsFuture::from(promise).await.unwrap().dyn_into().unwrap()
}

/// `POST /sandbox/reset`: the demo tenants again.
async fn reset() {
    let response = http("POST", "/sandbox/reset").await;
    assert_eq!(response.status(), 204, "POST /sandbox/reset");
}

/// `GET /sandbox/inventory`, as the JS object it parses to.
async fn inventory() -> JsValue {
    let response = http("GET", "/sandbox/inventory").await;
    assert_eq!(response.status(), 200, "GET /sandbox/inventory");
    JsFuture::from(response.json().unwrap()).await.unwrap()
}

/// A JS value as JSON (for assertions) and its text (for leak checks).
fn json(value: &JsValue) -> (Value, String) {
    let text = js_sys::JSON::stringify(value).unwrap().as_string().unwrap();
    (serde_json::from_str(&text).unwrap(), text)
}

fn js(value: &Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap()
}

fn get(value: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

fn client(token: &str) -> CatalogClient {
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"baseUrl".into(), &server().into()).unwrap();
    js_sys::Reflect::set(&options, &"token".into(), &token.into()).unwrap();
    CatalogClient::new(options.into()).unwrap()
}

/// Fails when `text` names a token.
fn assert_no_token(text: &str, what: &str) {
    for token in TOKENS {
        assert!(!text.contains(token), "{token} leaked into {what}: {text}");
    }
}

/// A rejection (a JS `Error` with `code`), after checking no part of it names a token.
fn leak_checked_rejection(error: &JsValue) -> (String, String) {
    let shown: String = error.dyn_ref::<js_sys::Error>().expect("rejects with an Error").to_string().into();
    let message = get(error, "message").as_string().unwrap_or_default();
    let own = js_sys::JSON::stringify(error).ok().and_then(|s| s.as_string()).unwrap_or_default();
    assert_no_token(&format!("{shown} | {message} | {own}"), "an error");
    (get(error, "code").as_string().unwrap_or_default(), message)
}

fn leak_checked_error(err: StewardError) -> StewardError {
    let error: JsValue = err.clone().into();
    leak_checked_rejection(&error);
    assert_no_token(&format!("{} {err:?}", err.message), "an error");
    err
}

/// The report of `runSync(catalog, inventory, args)`, checked for tokens; `Err` is the
/// rejection's code and message, likewise checked.
async fn run_sync(token: &str, inventory: &JsValue, args: Value, progress: Option<&js_sys::Function>) -> Result<(JsValue, Value), (String, String)> {
    let promise = run_sync_with(&client(token), inventory.clone(), js(&args), progress.cloned(), None).map_err(leak_checked_error).unwrap();
    match JsFuture::from(promise).await {
        Ok(report) => {
            let (value, text) = json(&report);
            assert_no_token(&text, "a sync report");
            Ok((report, value))
        }
        Err(error) => Err(leak_checked_rejection(&error)),
    }
}

async fn preflight(token: &str, inventory: &JsValue, options: Value) -> Value {
    let promise = preflight_with(&client(token), inventory.clone(), js(&options), None).map_err(leak_checked_error).unwrap();
    let report = JsFuture::from(promise).await.map_err(|e| leak_checked_rejection(&e)).unwrap();
    let (value, text) = json(&report);
    assert_no_token(&text, "a preflight report");
    value
}

/// The local id (as the report's keys spell it) of `datastore`'s `container`'s `field`.
fn field_id(inventory: &Value, datastore: &str, container: &str, field: &str) -> String {
    let named = |list: &Value, name: &str| -> Value {
        list.as_array().unwrap().iter().find(|v| v["name"] == name).cloned().unwrap_or_else(|| panic!("no {name} in the inventory"))
    };
    let store = named(&inventory["datastores"], datastore);
    let table = named(&store["containers"], container);
    match &named(&table["fields"], field)["id"] {
        Value::String(id) => id.clone(),
        id => id.to_string(),
    }
}

fn strings(value: &Value) -> Vec<&str> {
    value.as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

fn count(report: &Value, path: &str) -> u64 {
    report.pointer(path).and_then(Value::as_u64).unwrap_or_else(|| panic!("no number at {path}"))
}

/// A progress callback that records the phases it sees.
fn phase_recorder() -> (js_sys::Function, Rc<RefCell<Vec<String>>>) {
    let phases = Rc::new(RefCell::new(Vec::new()));
    let seen = Rc::clone(&phases);
    let callback = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let phase = get(&event, "phase").as_string().unwrap_or_default();
        let mut seen = seen.borrow_mut();
        if seen.last() != Some(&phase) {
            seen.push(phase);
        }
    });
    (callback.into_js_value().unchecked_into(), phases)
}

#[wasm_bindgen_test]
async fn a_two_way_sync_pulls_tags_and_pushes_then_a_second_run_changes_nothing() {
    reset().await;
    let inventory = inventory().await;
    let first_name = field_id(&json(&inventory).0, "SALES_DB.SALES", "CUSTOMERS", "FIRST_NAME");
    let (progress, phases) = phase_recorder();

    let args = json!({"mode": "both", "options": {"requestsPerMinute": 0}});
    let (report, first) = run_sync(INTEGRATION, &inventory, args.clone(), Some(&progress)).await.unwrap();
    assert_eq!((first["mode"].as_str(), first["dryRun"].as_bool(), first["cancelled"].as_bool()), (Some("both"), Some(false), Some(false)));
    assert!(count(&first, "/counts/mapped") > 1000, "{}", first["counts"]);
    assert_eq!(count(&first, "/counts/errors"), 0, "{:?}", first["log"].as_array().unwrap().iter().filter(|e| e["result"] == "error").take(5).collect::<Vec<_>>());
    assert!(count(&first, "/requests/writes") > 0, "{}", first["requests"]);
    assert!(count(&first, "/counts/tagsAdded") > 0, "{}", first["counts"]);
    assert!(strings(&first["externalTags"][&first_name]).contains(&"PII"), "FIRST_NAME ({first_name}): {}", first["externalTags"][&first_name]);
    let pulled = field_id(&first["inventory"], "SALES_DB.SALES", "CUSTOMERS", "FIRST_NAME");
    assert_eq!(pulled, first_name);
    assert_eq!(phases.borrow().first().map(String::as_str), Some("typedefs"), "{:?}", phases.borrow());
    assert_eq!(phases.borrow().last().map(String::as_str), Some("done"), "{:?}", phases.borrow());
    assert!(["search", "map", "pull", "push"].iter().all(|p| phases.borrow().iter().any(|s| s == p)), "{:?}", phases.borrow());

    // The pulled inventory, synced again: the catalog already holds everything.
    let (_, second) = run_sync(INTEGRATION, &get(&report, "inventory"), args, None).await.unwrap();
    assert_eq!(count(&second, "/requests/writes"), 0, "{}", second["plannedWrites"]);
    assert_eq!(count(&second, "/counts/tagsAdded"), 0, "{}", second["counts"]);
    assert_eq!(count(&second, "/counts/tagsRemoved"), 0, "{}", second["counts"]);
    assert_eq!(count(&second, "/counts/errors"), 0, "{}", second["counts"]);
    assert_eq!(count(&second, "/counts/mapped"), count(&first, "/counts/mapped"));
    assert_eq!(second["externalTags"], first["externalTags"]);
    assert!(second["plannedWrites"].as_array().unwrap().is_empty());
}

#[wasm_bindgen_test]
async fn a_dry_run_sends_no_write_and_lists_the_planned_writes() {
    reset().await;
    let inventory = inventory().await;
    let args = json!({"mode": "both", "options": {"requestsPerMinute": 0, "dryRun": true}});
    let (_, report) = run_sync(INTEGRATION, &inventory, args.clone(), None).await.unwrap();
    assert_eq!(report["dryRun"].as_bool(), Some(true));
    assert_eq!(count(&report, "/requests/writes"), 0, "{}", report["requests"]);
    assert_eq!(count(&report, "/counts/errors"), 0, "{}", report["counts"]);
    let planned = report["plannedWrites"].as_array().unwrap();
    assert!(!planned.is_empty());
    for write in planned {
        assert!(write["guid"].as_str().is_some_and(|g| !g.is_empty()), "{write}");
        assert!(write["qualifiedName"].as_str().is_some_and(|q| q.starts_with("default/")), "{write}");
        assert!(!write["changes"].as_array().unwrap().is_empty() || write.get("announcement").is_some(), "{write}");
    }
    assert!(report["log"].as_array().unwrap().iter().any(|e| e["result"] == "planned"));

    // Nothing reached the catalog: a second dry run plans the very same writes.
    let (_, again) = run_sync(INTEGRATION, &inventory, args, None).await.unwrap();
    assert_eq!(again["plannedWrites"], report["plannedWrites"]);
}

#[wasm_bindgen_test]
async fn preflight_with_the_restricted_token_names_only_assets_under_finance_hr() {
    reset().await;
    let inventory = inventory().await;
    let report = preflight(RESTRICTED, &inventory, json!({"requestsPerMinute": 0})).await;
    assert_eq!(report["ok"].as_bool(), Some(false), "{report}");
    assert_eq!(report["user"].as_str(), Some("service-account-apikey-restricted"));
    assert_eq!(count(&report, "/requests/writes"), 0);
    let cannot_read = report["cannotRead"].as_array().unwrap();
    assert!(!cannot_read.is_empty(), "{report}");
    for blocked in cannot_read {
        let asset = blocked["asset"].as_str().unwrap();
        assert!(asset == "FINANCE_DB.HR" || asset.starts_with("FINANCE_DB.HR."), "{blocked}");
        assert!(blocked["qualifiedName"].as_str().unwrap().contains("/FINANCE_DB/HR"), "{blocked}");
    }
    assert!(cannot_read.iter().any(|b| b["asset"] == "FINANCE_DB.HR"), "the schema itself is named");

    // The integration's own persona reads everything the inventory maps.
    let report = preflight(INTEGRATION, &inventory, json!({"requestsPerMinute": 0})).await;
    assert!(report["cannotRead"].as_array().unwrap().is_empty(), "{report}");
    assert!(count(&report, "/mapped") > 1000);
}

#[wasm_bindgen_test]
async fn refused_writes_and_a_bad_token_never_reveal_the_token() {
    reset().await;
    // Only SALES_DB.SALES.CUSTOMERS: the guest may read it but not write its metadata.
    let (mut local, _) = json(&inventory().await);
    let datastores = local["datastores"].as_array_mut().unwrap();
    datastores.retain(|d| d["name"] == "SALES_DB.SALES");
    datastores[0]["containers"].as_array_mut().unwrap().retain(|c| c["name"] == "CUSTOMERS");
    let small = js(&local);

    let (_, report) = run_sync(GUEST, &small, json!({"mode": "push", "options": {"requestsPerMinute": 0}}), None).await.unwrap();
    let errors: Vec<&str> = report["log"].as_array().unwrap().iter().filter(|e| e["result"] == "error").filter_map(|e| e["message"].as_str()).collect();
    assert!(!errors.is_empty() && count(&report, "/counts/errors") > 0, "{report}");
    assert!(errors.iter().any(|m| m.contains("sandbox-guest")), "the catalog's refusal is kept: {errors:?}");

    let (code, message) = run_sync(WRONG, &small, json!({"mode": "both"}), None).await.unwrap_err();
    assert_eq!(code, "CATALOG_UNAUTHORIZED", "{message}");
    assert!(message.contains("401"), "{message}");

    // Checked before any request: a bad option, then a bad inventory.
    let err = leak_checked_error(run_sync_with(&client(WRONG), small.clone(), js(&json!({"options": {"batchSize": 0}})), None, None).unwrap_err());
    assert_eq!(err.code, "INVALID_OPTIONS");
    assert!(err.message.contains("batchSize"), "{}", err.message);
    let err = leak_checked_error(run_sync_with(&client(WRONG), js(&json!({"datastores": 3})), JsValue::UNDEFINED, None, None).unwrap_err());
    assert_eq!(err.code, "INVALID_INVENTORY");
}
