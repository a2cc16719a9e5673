//! The Hightouch client and key check against a live `steward-server --sandbox`, in Node and
//! (with `WASM_BINDGEN_USE_BROWSER=1`) headless Chromium; scripts/test.sh passes the server's
//! URL at compile time in `STEWARD_TEST_SERVER`. The policy language itself is tested in core.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // tests may
#![cfg(target_arch = "wasm32")]

use steward_core::hightouch::api::{ListEndpoint, PageParams};
use steward_core::sync::retry::RetryPolicy;
use steward_wasm::error::ErrorCode;
use steward_wasm::hightouch::{check_hightouch_key, hightouch_catalog_role, HightouchApi};
use steward_wasm::{HightouchClient, HightouchPolicy, StewardError};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::AbortController;

const READONLY: &str = "sandbox-hightouch-readonly";
const BROAD: &str = "sandbox-hightouch-broad";
const PARTIAL: &str = "sandbox-hightouch-partial";
const WRONG: &str = "wrong-but-secret-hightouch-key-41c2";

fn server() -> &'static str {
    match option_env!("STEWARD_TEST_SERVER") {
        Some(url) => url,
        None => panic!("scripts/test.sh sets STEWARD_TEST_SERVER to a running sandbox server"),
    }
}

fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let object = js_sys::Object::new();
    for (key, value) in pairs {
        js_sys::Reflect::set(&object, &JsValue::from_str(key), value).unwrap();
    }
    object.into()
}

fn get(value: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(value.clone(), |v, key| match key.parse::<u32>() {
        Ok(i) => js_sys::Reflect::get_u32(&v, i).unwrap(),
        Err(_) => js_sys::Reflect::get(&v, &JsValue::from_str(key)).unwrap(),
    })
}

fn client(base_url: &str, key: &str, page_size: u32) -> HightouchClient {
    HightouchClient::new(object(&[("baseUrl", base_url.into()), ("apiKey", key.into()), ("pageSize", page_size.into())])).unwrap()
}

fn json(value: &JsValue) -> String {
    String::from(js_sys::JSON::stringify(value).unwrap())
}

/// Per resource: `resource:readable:count-or-status`.
fn summary(check: &JsValue) -> Vec<String> {
    let resources: js_sys::Array = get(check, "resources").dyn_into().unwrap();
    resources
        .iter()
        .map(|r| {
            let readable = get(&r, "readable").as_bool().unwrap();
            let figure = if readable { get(&r, "count") } else { get(&r, "status") };
            format!("{}:{readable}:{}", get(&r, "resource").as_string().unwrap(), figure.as_f64().unwrap())
        })
        .collect()
}

#[wasm_bindgen_test]
async fn the_read_only_key_reads_every_list_and_previews_the_whole_workspace() {
    let check = check_hightouch_key(&client(server(), READONLY, 100), None).await.unwrap();
    assert_eq!(get(&check, "ok"), JsValue::TRUE);
    assert_eq!(summary(&check), ["source:true:3", "destination:true:5", "model:true:7", "sync:true:9"]);
    let nodes: js_sys::Array = get(&check, "preview.nodes").dyn_into().unwrap();
    assert_eq!(nodes.length(), 3 + 5 + 7 + 9);
    assert_eq!(get(&check, "preview.edges.0.from").as_string().unwrap(), "source:101");
    assert_eq!(get(&check, "preview.dangling.length").as_f64(), Some(0.0));
    assert!(get(&check, "notes.0").as_string().unwrap().contains("cannot prove"));
}

#[wasm_bindgen_test]
async fn a_broad_key_passes_the_key_check_which_is_why_the_role_checker_exists() {
    let check = check_hightouch_key(&client(server(), BROAD, 100), None).await.unwrap();
    assert_eq!(get(&check, "ok"), JsValue::TRUE);
    let role = HightouchPolicy::parse(r#"{"version": "2022-04-26", "policies": [{"effect": "allow", "actions": ["*"], "resource": ["*"]}]}"#.into()).unwrap();
    let verdict = role.check().unwrap();
    assert_eq!(get(&verdict, "ok"), JsValue::FALSE);
    assert_eq!(json(&get(&verdict, "tooBroad")), r#"[{"action":"*","resource":"*"}]"#);
}

#[wasm_bindgen_test]
async fn a_partial_key_is_told_which_lists_its_role_lacks() {
    let check = check_hightouch_key(&client(server(), PARTIAL, 100), None).await.unwrap();
    assert_eq!(get(&check, "ok"), JsValue::FALSE);
    assert_eq!(get(&check, "keyAccepted"), JsValue::TRUE);
    assert_eq!(summary(&check), ["source:true:3", "destination:false:403", "model:true:7", "sync:false:403"]);
    assert_eq!(get(&check, "resources.1.why").as_string().unwrap(), "the key's role lacks read on destination");
}

#[wasm_bindgen_test]
async fn a_wrong_key_is_refused_everywhere_and_never_echoed() {
    let check = check_hightouch_key(&client(server(), WRONG, 100), None).await.unwrap();
    assert_eq!(get(&check, "keyAccepted"), JsValue::FALSE);
    assert!(summary(&check).iter().all(|s| s.ends_with(":false:401")), "{:?}", summary(&check));
    assert!(!json(&check).contains(WRONG));
}

#[wasm_bindgen_test]
async fn small_pages_list_the_same_objects_as_one_page() {
    for list in ListEndpoint::CHECKED {
        let small = HightouchApi::new(server(), READONLY, 2, RetryPolicy::default()).unwrap().list(list, None).await.unwrap();
        let large = HightouchApi::new(server(), READONLY, 1000, RetryPolicy::default()).unwrap().list(list, None).await.unwrap();
        assert_eq!(small, large, "{list:?}");
        assert!(small.len() > 2, "{list:?} needs several pages of 2");
    }
    let page = HightouchApi::new(server(), READONLY, 2, RetryPolicy::default())
        .unwrap()
        .page(ListEndpoint::Syncs, PageParams { limit: 2, offset: 8 }, None)
        .await
        .unwrap();
    assert_eq!((page.data.len(), page.has_more), (1, false));
}

#[wasm_bindgen_test]
async fn the_base_url_may_end_in_api_v1() {
    let with_prefix = client(&format!("{}/api/v1/", server()), READONLY, 100);
    assert_eq!(with_prefix.base_url(), server());
    let sources = with_prefix.list_sources(None).await.unwrap();
    assert_eq!(js_sys::Array::from(&sources).length(), 3);
}

#[wasm_bindgen_test]
async fn an_aborted_signal_rejects_the_key_check_with_aborted() {
    let controller = AbortController::new().unwrap();
    controller.abort();
    let err: StewardError = match check_hightouch_key(&client(server(), READONLY, 100), Some(object(&[("signal", controller.signal().into())]))).await {
        Err(e) => e,
        Ok(v) => panic!("resolved: {}", json(&v)),
    };
    assert_eq!(err.code, ErrorCode::Aborted);
}

#[wasm_bindgen_test]
async fn an_unreachable_workspace_rejects_rather_than_reporting_unreadable_lists() {
    // Port 9 (discard) on loopback: nothing listens there.
    let api = HightouchApi::new("http://127.0.0.1:9", WRONG, 100, RetryPolicy { max_attempts: 1, ..RetryPolicy::default() }).unwrap();
    let err = api.list(ListEndpoint::Sources, None).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::HightouchUnreachable);
    assert!(!err.message.contains(WRONG), "{}", err.message);
}

#[wasm_bindgen_test]
fn bad_options_and_urls_are_located_errors_that_never_quote_the_key() {
    let bad = |pairs: &[(&str, JsValue)]| HightouchClient::new(object(pairs)).err().unwrap();
    let err = bad(&[("baseUrl", "http://api.hightouch.com".into()), ("apiKey", WRONG.into())]);
    assert_eq!(err.code, ErrorCode::InvalidUrl);
    assert!(err.message.starts_with("HightouchClient options.baseUrl: http:// is allowed only"), "{}", err.message);
    let err = bad(&[("baseUrl", server().into()), ("apiKey", WRONG.into()), ("pageSize", 0.into())]);
    assert!(err.message.starts_with("HightouchClient options.pageSize"), "{}", err.message);
    let err = bad(&[("baseUrl", server().into()), ("apiKey", "has space".into())]);
    assert!(err.message.starts_with("HightouchClient options.apiKey:") && !err.message.contains("has space"), "{}", err.message);
}

#[wasm_bindgen_test]
fn the_policy_class_parses_objects_and_text_and_names_problems() {
    let role = HightouchPolicy::parse(hightouch_catalog_role().unwrap()).unwrap();
    assert!(role.allows("read", "sync_templates") && !role.allows("update", "sync"));
    assert_eq!(get(&role.check().unwrap(), "ok"), JsValue::TRUE);
    assert_eq!(json(&role.to_json().unwrap()), json(&hightouch_catalog_role().unwrap()));
    let explained = role.explain("read", "model").unwrap();
    assert_eq!((get(&explained, "statement").as_f64(), get(&explained, "effect").as_string()), (Some(0.0), Some("allow".to_owned())));
    let err = match HightouchPolicy::parse(r#"{"version": "2022-04-26", "policies": [{"effect": "permit", "actions": ["read"], "resource": ["source"]}]}"#.into()) {
        Err(e) => e,
        Ok(_) => panic!("parsed"),
    };
    assert_eq!(err.code, ErrorCode::InvalidPolicy);
    assert_eq!(err.message, r#"policies[0].effect: expected "allow" or "deny", got "permit""#);
    assert!(HightouchPolicy::parse(JsValue::from(3)).is_err());
}
