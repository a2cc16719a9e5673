//! Fault injection per request (`x-sandbox-fault`) and per server (`--faults`), seeded so a
//! failing run replays.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;
use steward_server::SandboxOptions;

const TYPEDEFS: &str = "/api/meta/types/typedefs?type=classification";

async fn with_fault(api: &Api, path: &str, token: &str, fault: &str) -> Result<reqwest::Response, reqwest::Error> {
    api.client.get(format!("{}{path}", api.base)).bearer_auth(token).header("x-sandbox-fault", fault).send().await
}

#[tokio::test]
async fn a_request_can_ask_for_429_with_retry_after_in_each_tenants_format() {
    let api = start_sandbox().await;
    let response = with_fault(&api, TYPEDEFS, ADMIN, "rate=1; kinds=429; retry-after=3").await.unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "3");
    assert_eq!(response.headers()["x-sandbox-fault"], "429");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errorCode"], "ATLAS-429-00-001");
    let response = with_fault(&api, "/api/v1/sources", "sandbox-hightouch-readonly", "429").await.unwrap();
    assert_eq!(response.status(), 429);
    let body: Value = response.json().await.unwrap();
    assert!(body["message"].is_string());
}

#[tokio::test]
async fn a_request_can_ask_for_500_and_503() {
    let api = start_sandbox().await;
    let response = with_fault(&api, TYPEDEFS, ADMIN, "500").await.unwrap();
    assert_eq!(response.status(), 500);
    let response = with_fault(&api, TYPEDEFS, ADMIN, "503").await.unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "1");
    // Faults come before authentication, as a gateway's would.
    assert_eq!(with_fault(&api, TYPEDEFS, "bad-token", "503").await.unwrap().status(), 503);
}

#[tokio::test]
async fn a_slow_answer_arrives_late_and_complete() {
    let api = start_sandbox().await;
    let started = Instant::now();
    let response = with_fault(&api, TYPEDEFS, ADMIN, "kinds=slow; rate=1; latency-ms=400").await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert_eq!(response.headers()["x-sandbox-fault"], "slow");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["classificationDefs"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn a_dropped_connection_answers_nothing() {
    let api = start_sandbox().await;
    let error = with_fault(&api, TYPEDEFS, ADMIN, "drop").await.unwrap_err();
    assert!(error.is_request() || error.is_connect(), "{error:?}");
    assert!(!error.to_string().contains(ADMIN));
    // The server goes on serving.
    assert_eq!(api.get(TYPEDEFS, ADMIN).await.0, 200);
}

#[tokio::test]
async fn a_bad_fault_header_is_400_and_sandbox_helpers_are_never_faulted() {
    let api = start_sandbox().await;
    let response = with_fault(&api, TYPEDEFS, ADMIN, "kinds=418").await.unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert!(body["errorMessage"].as_str().unwrap().contains("418"));
    let response = api.client.get(format!("{}/sandbox/inventory", api.base)).header("x-sandbox-fault", "500").send().await.unwrap();
    assert_eq!(response.status(), 200);
}

async fn statuses(seed: u64) -> Vec<u16> {
    let options = SandboxOptions { faults: Some(format!("rate=0.4; kinds=429,500,503; seed={seed}").parse().unwrap()), ..SandboxOptions::default() };
    let api = Api::new(start_with(config().with_sandbox(options)).await);
    let mut out = Vec::new();
    for _ in 0..40 {
        out.push(api.client.get(format!("{}{TYPEDEFS}", api.base)).bearer_auth(ADMIN).send().await.unwrap().status().as_u16());
    }
    out
}

#[tokio::test]
async fn server_wide_faults_follow_the_rate_and_replay_with_the_same_seed() {
    let first = statuses(7).await;
    assert_eq!(first, statuses(7).await, "same seed, same faults");
    assert_ne!(first, statuses(8).await);
    let faulted = first.iter().filter(|s| **s != 200).count();
    assert!((6..=26).contains(&faulted), "{faulted} of 40 at rate 0.4: {first:?}");
    assert!(first.iter().all(|s| [200, 429, 500, 503].contains(s)));
}
