//! The server over real HTTP on a free loopback port.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // tests may

mod common;

use common::{config, start_with};
use steward_server::SandboxOptions;

/// Starts the server in-process on 127.0.0.1:0 and returns its base URL.
async fn start(sandbox: bool) -> String {
    let config = if sandbox { config().with_sandbox(SandboxOptions::default()) } else { config() };
    start_with(config).await
}

const TYPEDEFS: &str = "/api/meta/types/typedefs";

#[tokio::test]
async fn typedefs_answer_tags_in_the_catalog_shape_for_a_valid_token() {
    let base = start(true).await;
    let response = reqwest::Client::new()
        .get(format!("{base}{TYPEDEFS}?type=classification"))
        .bearer_auth("sandbox-admin-token")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    let tags = body["classificationDefs"].as_array().unwrap();
    assert!(tags.len() >= 2);
    assert!(tags.iter().any(|t| t["displayName"] == "PII" && t["name"] != "PII"));
    // The official SDK treats an empty structDefs list as an expired token.
    assert!(!body["structDefs"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn typedefs_accept_the_python_sdk_form_of_the_request() {
    let base = start(true).await;
    let response = reqwest::Client::new()
        .get(format!("{base}{TYPEDEFS}/?type=CLASSIFICATION&type=STRUCT"))
        .bearer_auth("sandbox-integration-token")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(!body["classificationDefs"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_missing_or_unknown_token_gets_401_in_the_catalog_error_format() {
    let base = start(true).await;
    let client = reqwest::Client::new();
    for request in [
        client.get(format!("{base}{TYPEDEFS}")),
        client.get(format!("{base}{TYPEDEFS}")).bearer_auth("not-a-token"),
    ] {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["errorCode"], "ATLAS-401-00-001");
        assert!(body["errorMessage"].as_str().unwrap().contains("token"));
        assert!(!body.to_string().contains("not-a-token"), "the token must never be echoed");
    }
}

#[tokio::test]
async fn without_sandbox_there_is_no_catalog() {
    let base = start(false).await;
    let response = reqwest::Client::new()
        .get(format!("{base}{TYPEDEFS}"))
        .bearer_auth("sandbox-admin-token")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn server_info_says_whether_the_sandbox_answers_here() {
    for sandbox in [true, false] {
        let base = start(sandbox).await;
        let info: serde_json::Value = reqwest::get(format!("{base}/server-info")).await.unwrap().json().await.unwrap();
        assert_eq!(info, serde_json::json!({ "sandbox": sandbox }));
    }
}

#[tokio::test]
async fn loopback_origins_get_cors_and_others_do_not() {
    let base = start(true).await;
    let client = reqwest::Client::new();
    let preflight = client
        .request(reqwest::Method::OPTIONS, format!("{base}{TYPEDEFS}"))
        .header("origin", "http://127.0.0.1:5555")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.headers()["access-control-allow-origin"], "http://127.0.0.1:5555");
    let with_fault = client
        .request(reqwest::Method::OPTIONS, format!("{base}{TYPEDEFS}"))
        .header("origin", "http://127.0.0.1:5555")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization,x-sandbox-fault")
        .send()
        .await
        .unwrap();
    let allowed = with_fault.headers()["access-control-allow-headers"].to_str().unwrap().to_owned();
    assert!(allowed.contains("x-sandbox-fault"), "a page's tests may inject faults: {allowed}");
    let foreign = client
        .get(format!("{base}{TYPEDEFS}"))
        .header("origin", "https://evil.example")
        .bearer_auth("sandbox-admin-token")
        .send()
        .await
        .unwrap();
    assert!(foreign.headers().get("access-control-allow-origin").is_none());
    assert_eq!(foreign.headers()["cross-origin-resource-policy"], "cross-origin");
}

#[tokio::test]
async fn the_page_is_served_with_a_strict_content_security_policy() {
    let base = start(true).await;
    let response = reqwest::get(format!("{base}/")).await.unwrap();
    assert_eq!(response.status(), 200);
    let csp = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("default-src 'none'"));
    assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'"));
    assert!(!csp.contains("unsafe-inline"));
    let html = response.text().await.unwrap();
    assert!(html.contains("Steward"));
}
