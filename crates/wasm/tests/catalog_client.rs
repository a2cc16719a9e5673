//! The catalog client and its transport against a live `steward-server --sandbox`, in Node and
//! (with `WASM_BINDGEN_USE_BROWSER=1`) headless Chromium; scripts/test.sh starts the server and
//! passes its URL at compile time in `STEWARD_TEST_SERVER`.
//!
//! Retries are driven by the sandbox's per-request fault header. The package offers no way to
//! add a header, so this test binary wraps the global `fetch` (a test-only spy, never shipped):
//! it counts requests and adds `x-sandbox-fault` to the next ones from a queue.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // tests may
#![cfg(target_arch = "wasm32")]

use steward_core::catalog::search::{IndexSearchRequest, Query};
use steward_core::sync::retry::RetryPolicy;
use steward_wasm::catalog_client::CatalogApi;
use steward_wasm::error::ErrorCode;
use steward_wasm::http::{now_ms, sleep};
use steward_wasm::{CatalogClient, StewardError};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::AbortController;

const ADMIN: &str = "sandbox-admin-token";
const GUEST: &str = "sandbox-guest-token";
const WRONG: &str = "wrong-but-secret-token-7f3a9c";
/// Every token a test here sends: none may appear in any error.
const TOKENS: [&str; 3] = [ADMIN, GUEST, WRONG];

#[wasm_bindgen(inline_js = r#"
const state = { calls: 0, faults: [] };
export function spy_on_fetch(faults) {
  if (!globalThis.fetch.stewardSpy) {
    const original = globalThis.fetch;
    const spy = (input, init) => {
      state.calls += 1;
      const fault = state.faults.shift();
      if (fault) {
        const headers = new Headers(init && init.headers);
        headers.set("x-sandbox-fault", fault);
        init = { ...init, headers };
      }
      return original(input, init);
    };
    spy.stewardSpy = true;
    globalThis.fetch = spy;
  }
  state.calls = 0;
  state.faults = faults;
}
export function fetch_calls() { return state.calls; }
"#)]
extern "C" {
    /// Counts requests from now on and faults the next ones, one queued spec each.
    fn spy_on_fetch(faults: Vec<String>);
    fn fetch_calls() -> u32;
}

fn faults(specs: &[&str]) {
    spy_on_fetch(specs.iter().map(|s| (*s).to_owned()).collect());
}

fn server() -> &'static str {
    match option_env!("STEWARD_TEST_SERVER") {
        Some(url) => url,
        None => panic!("scripts/test.sh sets STEWARD_TEST_SERVER to a running sandbox server"),
    }
}

/// Short waits, so the retry tests take milliseconds.
fn quick() -> RetryPolicy {
    RetryPolicy { base_delay_ms: 5, max_delay_ms: 20, ..RetryPolicy::default() }
}

fn api(token: &str, policy: RetryPolicy) -> CatalogApi {
    CatalogApi::new(server(), token, policy).unwrap()
}

/// The error, after checking that neither it nor the JS `Error` it becomes names a token.
fn leak_checked(err: StewardError) -> StewardError {
    let js: JsValue = err.clone().into();
    let error: &js_sys::Error = js.dyn_ref().unwrap();
    let shown = format!("{} {} {:?}", String::from(error.to_string()), err.message, err);
    for token in TOKENS {
        assert!(!shown.contains(token), "{token} leaked into {shown}");
    }
    err
}

fn options(pairs: &[(&str, JsValue)]) -> JsValue {
    let object = js_sys::Object::new();
    for (key, value) in pairs {
        js_sys::Reflect::set(&object, &JsValue::from_str(key), value).unwrap();
    }
    object.into()
}

fn client(base_url: &str, token: &str) -> Result<CatalogClient, StewardError> {
    CatalogClient::new(options(&[("baseUrl", base_url.into()), ("token", token.into())]))
}

fn get(value: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

async fn first_table_guid() -> (String, String) {
    let request = IndexSearchRequest::new(Query::term("__typeName.keyword", "Table"), 0, 1, vec!["qualifiedName".to_owned()]);
    let page = api(ADMIN, quick()).search(&request, None).await.unwrap();
    let hit = &page.hits()[0];
    (hit.guid.clone(), hit.qualified_name().unwrap().to_owned())
}

#[wasm_bindgen_test]
async fn whoami_answers_the_sandbox_admin_with_its_roles() {
    faults(&[]);
    let me = api(ADMIN, quick()).whoami(None).await.unwrap();
    assert_eq!(me.username, "sandbox-admin");
    assert!(me.is_admin(), "{:?}", me.roles);
    assert_eq!(fetch_calls(), 1);

    let js = client(server(), ADMIN).unwrap().whoami(None).await.unwrap();
    assert_eq!(get(&js, "username").as_string().as_deref(), Some("sandbox-admin"));
}

#[wasm_bindgen_test]
async fn a_bad_token_is_catalog_unauthorized_and_not_retried() {
    faults(&[]);
    let err = leak_checked(api(WRONG, quick()).whoami(None).await.unwrap_err());
    assert_eq!((err.code, err.status), (ErrorCode::CatalogUnauthorized, Some(401)));
    assert!(err.message.contains("the token is invalid or expired"), "{}", err.message);
    assert_eq!(fetch_calls(), 1, "a 401 is never retried");

    let js: JsValue = leak_checked(client(server(), WRONG).unwrap().whoami(None).await.unwrap_err()).into();
    assert_eq!(get(&js, "code").as_string().as_deref(), Some("CATALOG_UNAUTHORIZED"));
    assert_eq!(get(&js, "status").as_f64(), Some(401.0));
}

#[wasm_bindgen_test]
async fn a_403_carries_the_catalogs_own_message_and_is_not_retried() {
    let (guid, qualified_name) = first_table_guid().await;
    faults(&[]);
    let err = api(GUEST, quick()).write_business_metadata(&guid, &Default::default(), None).await.unwrap_err();
    let err = leak_checked(err);
    assert_eq!((err.code, err.status), (ErrorCode::CatalogForbidden, Some(403)));
    let catalog_says = format!("sandbox-guest is not authorized to perform update-custom-metadata on {qualified_name}");
    assert!(err.message.contains(&catalog_says), "{}", err.message);
    assert!(err.message.contains("ATLAS-403-00-001"), "{}", err.message);
    assert_eq!(fetch_calls(), 1);
}

#[wasm_bindgen_test]
async fn a_503_is_retried_until_the_catalog_answers() {
    faults(&["503", "500"]);
    let me = api(ADMIN, quick()).whoami(None).await.unwrap();
    assert_eq!(me.username, "sandbox-admin");
    assert_eq!(fetch_calls(), 3);
}

#[wasm_bindgen_test]
async fn a_dropped_connection_is_retried() {
    faults(&["drop"]);
    api(ADMIN, quick()).whoami(None).await.unwrap();
    assert_eq!(fetch_calls(), 2);
}

#[wasm_bindgen_test]
async fn a_429_waits_at_least_its_retry_after() {
    faults(&["rate=1; kinds=429; retry-after=1"]);
    let started = now_ms();
    api(ADMIN, quick()).whoami(None).await.unwrap();
    assert!(now_ms() - started >= 950, "waited only {} ms", now_ms() - started);
    assert_eq!(fetch_calls(), 2);
}

#[wasm_bindgen_test]
async fn retries_stop_after_max_attempts_with_the_last_answer() {
    faults(&["rate=1; kinds=503; retry-after=0"; 5]);
    let err = api(ADMIN, RetryPolicy { max_attempts: 3, ..quick() }).whoami(None).await.unwrap_err();
    let err = leak_checked(err);
    assert_eq!((err.code, err.status), (ErrorCode::CatalogHttp, Some(503)));
    assert!(err.message.contains("Service temporarily unavailable"), "{}", err.message);
    assert_eq!(fetch_calls(), 3);
}

#[wasm_bindgen_test]
async fn a_rate_limit_that_outlasts_the_retries_is_catalog_rate_limited() {
    faults(&["rate=1; kinds=429; retry-after=0"; 2]);
    let err = leak_checked(api(ADMIN, RetryPolicy { max_attempts: 2, ..quick() }).whoami(None).await.unwrap_err());
    assert_eq!((err.code, err.status), (ErrorCode::CatalogRateLimited, Some(429)));
}

#[wasm_bindgen_test]
async fn a_slow_answer_times_out_and_is_retried() {
    faults(&["rate=1; kinds=slow; latency-ms=3000"]);
    let started = now_ms();
    api(ADMIN, RetryPolicy { timeout_ms: 300, ..quick() }).whoami(None).await.unwrap();
    assert_eq!(fetch_calls(), 2);
    assert!(now_ms() - started < 2_500, "the first attempt was not cut at its timeout");
}

#[wasm_bindgen_test]
async fn every_attempt_timing_out_is_catalog_timeout() {
    faults(&["rate=1; kinds=slow; latency-ms=3000"; 2]);
    let err = api(ADMIN, RetryPolicy { timeout_ms: 200, max_attempts: 2, ..quick() }).whoami(None).await.unwrap_err();
    let err = leak_checked(err);
    assert_eq!((err.code, err.status), (ErrorCode::CatalogTimeout, None));
    assert!(err.message.contains("200 ms") && err.message.contains("2 attempts"), "{}", err.message);
}

#[wasm_bindgen_test]
async fn an_unreachable_catalog_is_catalog_unreachable() {
    faults(&[]);
    // Port 9 (discard) is closed on the test machines: the connection is refused.
    let unreachable = CatalogApi::new("http://127.0.0.1:9", WRONG, RetryPolicy { max_attempts: 2, ..quick() }).unwrap();
    let err = leak_checked(unreachable.whoami(None).await.unwrap_err());
    assert_eq!((err.code, err.status), (ErrorCode::CatalogUnreachable, None));
    assert!(err.message.starts_with("GET /api/service/whoami: the catalog could not be reached"), "{}", err.message);
    assert_eq!(fetch_calls(), 2);
}

#[wasm_bindgen_test]
async fn an_aborted_signal_rejects_with_aborted_before_sending() {
    faults(&[]);
    let controller = AbortController::new().unwrap();
    controller.abort();
    let err = leak_checked(api(ADMIN, quick()).whoami(Some(&controller.signal())).await.unwrap_err());
    assert_eq!(err.code, ErrorCode::Aborted);
    assert_eq!(fetch_calls(), 0);

    let js: JsValue = client(server(), ADMIN)
        .unwrap()
        .whoami(Some(options(&[("signal", controller.signal().into())])))
        .await
        .map_err(leak_checked)
        .unwrap_err()
        .into();
    assert_eq!(get(&js, "code").as_string().as_deref(), Some("ABORTED"));
}

/// Aborts `controller` after `ms`.
fn abort_after(controller: &AbortController, ms: u64) {
    let controller = controller.clone();
    wasm_bindgen_futures::spawn_local(async move {
        sleep(ms, None).await.unwrap();
        controller.abort();
    });
}

#[wasm_bindgen_test]
async fn aborting_during_a_request_rejects_at_once() {
    faults(&["rate=1; kinds=slow; latency-ms=3000"]);
    let controller = AbortController::new().unwrap();
    abort_after(&controller, 100);
    let started = now_ms();
    let err = leak_checked(api(ADMIN, quick()).whoami(Some(&controller.signal())).await.unwrap_err());
    assert_eq!(err.code, ErrorCode::Aborted);
    assert!(now_ms() - started < 2_000, "took {} ms", now_ms() - started);
    assert_eq!(fetch_calls(), 1, "an aborted attempt is not retried");
}

#[wasm_bindgen_test]
async fn aborting_during_a_wait_between_retries_rejects_at_once() {
    faults(&["rate=1; kinds=503; retry-after=30"]);
    let controller = AbortController::new().unwrap();
    abort_after(&controller, 200);
    let started = now_ms();
    let err = leak_checked(api(ADMIN, quick()).whoami(Some(&controller.signal())).await.unwrap_err());
    assert_eq!(err.code, ErrorCode::Aborted);
    assert!(now_ms() - started < 5_000, "took {} ms", now_ms() - started);
    assert_eq!(fetch_calls(), 1);
}

#[wasm_bindgen_test]
fn http_to_a_host_other_than_loopback_is_refused() {
    let err = leak_checked(client("http://acme.atlan.com", ADMIN).err().unwrap());
    assert_eq!(err.code, ErrorCode::InvalidUrl);
    assert!(err.message.starts_with("CatalogClient options.baseUrl: http:// is allowed only for loopback hosts"), "{}", err.message);
    assert!(client("https://acme.atlan.com/", ADMIN).is_ok());
    assert!(client("http://localhost:8080/forward/acme.atlan.com/", ADMIN).is_ok());
}

#[wasm_bindgen_test]
fn credentials_in_the_base_url_are_refused_without_echoing_them() {
    let err = leak_checked(client("https://admin:hunter2@acme.atlan.com", ADMIN).err().unwrap());
    assert_eq!(err.code, ErrorCode::InvalidUrl);
    assert!(!err.message.contains("hunter2"), "{}", err.message);
}

#[wasm_bindgen_test]
fn the_base_url_is_normalised() {
    let catalog = client(&format!("{}/", server()), ADMIN).unwrap();
    assert_eq!(catalog.base_url(), server().trim_end_matches('/'));
}

#[wasm_bindgen_test]
fn retry_options_are_read_and_checked_by_name() {
    let with_retry = |retry: &str| {
        CatalogClient::new(options(&[
            ("baseUrl", server().into()),
            ("token", ADMIN.into()),
            ("retry", js_sys::JSON::parse(retry).unwrap()),
        ]))
    };
    assert!(with_retry(r#"{"maxAttempts": 2, "timeoutMs": 5000}"#).is_ok());
    let err = leak_checked(with_retry(r#"{"maxAttempts": 0}"#).err().unwrap());
    assert_eq!(err.code, ErrorCode::InvalidOptions);
    assert!(err.message.starts_with("CatalogClient options.retry.maxAttempts"), "{}", err.message);
    let err = leak_checked(with_retry(r#"{"maxAttempt": 2}"#).err().unwrap());
    assert!(err.message.contains("maxAttempt"), "{}", err.message);
}

#[wasm_bindgen_test]
async fn search_answers_one_page_in_the_wire_shape() {
    let request = js_sys::JSON::parse(
        r#"{"dsl": {"from": 0, "size": 3, "query": {"bool": {"filter": [{"term": {"__typeName.keyword": "Column"}}]}},
            "sort": [{"__guid": {"order": "asc"}}], "track_total_hits": true}, "attributes": ["qualifiedName", "name"]}"#,
    )
    .unwrap();
    let page = client(server(), ADMIN).unwrap().search(request, None).await.unwrap();
    assert!(get(&page, "approximateCount").as_f64().unwrap() > 3.0);
    let entities: js_sys::Array = get(&page, "entities").dyn_into().unwrap();
    assert_eq!(entities.length(), 3);
    assert_eq!(get(&entities.get(0), "typeName").as_string().as_deref(), Some("Column"));

    let err = leak_checked(client(server(), ADMIN).unwrap().search(JsValue::from_str("[1, 2]"), None).await.unwrap_err());
    assert_eq!(err.code, ErrorCode::InvalidRequest);
    assert!(err.message.starts_with("request: "), "{}", err.message);
}

#[wasm_bindgen_test]
async fn a_search_the_catalog_refuses_carries_its_400_and_message() {
    faults(&[]);
    let request = js_sys::JSON::parse(r#"{"dsl": {"size": "ten"}}"#).unwrap();
    let err = leak_checked(client(server(), ADMIN).unwrap().search(request, None).await.unwrap_err());
    assert_eq!((err.code, err.status), (ErrorCode::CatalogHttp, Some(400)));
    assert!(err.message.starts_with("POST /api/meta/search/indexsearch: HTTP 400: "), "{}", err.message);
    assert_eq!(fetch_calls(), 1, "a 400 is never retried");
}

#[wasm_bindgen_test]
async fn typedefs_list_the_tags_by_id_and_display_name() {
    let defs = api(ADMIN, quick()).typedefs(&[], None).await.unwrap();
    assert!(defs.classification_defs.iter().any(|d| d.display_name == "PII" && d.name != "PII"));
    let js = client(server(), ADMIN).unwrap().typedefs(None).await.unwrap();
    let tags: js_sys::Array = get(&js, "classificationDefs").dyn_into().unwrap();
    assert!(tags.length() >= 2);
}

#[wasm_bindgen_test]
async fn get_by_qualified_name_finds_an_asset_and_null_for_an_unknown_one() {
    let (guid, qualified_name) = first_table_guid().await;
    let catalog = api(ADMIN, quick());
    let found = catalog.entity_by_qualified_name("Table", &qualified_name, None).await.unwrap().unwrap();
    assert_eq!(found.entity.guid, guid);
    // Characters that would break the query if sent unencoded.
    let odd = format!("{qualified_name}/A B&attr:qualifiedName=x#?%");
    assert_eq!(catalog.entity_by_qualified_name("Table", &odd, None).await.unwrap(), None);

    let js_client = client(server(), ADMIN).unwrap();
    let js = js_client.get_by_qualified_name("Table".into(), qualified_name.clone(), None).await.unwrap();
    assert_eq!(get(&get(&js, "entity"), "guid").as_string(), Some(guid));
    assert!(js_client.get_by_qualified_name("Table".into(), odd, None).await.unwrap().is_null());
}

#[wasm_bindgen_test]
async fn a_wrong_path_prefix_is_an_error_not_a_missing_asset() {
    let wrong = CatalogApi::new(&format!("{}/not-the-catalog", server()), ADMIN, quick()).unwrap();
    let err = leak_checked(wrong.entity_by_qualified_name("Table", "default/x", None).await.unwrap_err());
    assert_eq!((err.code, err.status), (ErrorCode::CatalogNotFound, Some(404)));
}
