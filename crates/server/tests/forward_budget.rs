//! `/forward/` holds bodies in memory, so all forwards together stay within a budget of bytes:
//! against a local https upstream (the test CA of `fixtures/tls`), a forward whose request or
//! answer would take the bodies held over it is answered 503 in the forwarder's error format,
//! and the bytes come back once a forward is done.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Body;
use axum::http::Response;
use common::*;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use steward_server::ForwardConfig;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, Notify};

const CA: &[u8] = include_bytes!("fixtures/tls/ca.pem");
const BUDGET: usize = 1024 * 1024;
const LARGE: usize = 700 * 1024;

/// How the upstream answers: `POST /held` reads the body, says so on `arrived` and answers once
/// `release` is notified; `POST /size` answers how many bytes it got; `GET /bytes/N` answers N
/// bytes.
struct Upstream {
    arrived: mpsc::UnboundedSender<usize>,
    release: Notify,
}

async fn answer(upstream: &Upstream, request: hyper::Request<hyper::body::Incoming>) -> Response<Body> {
    let path = request.uri().path().to_owned();
    let body = axum::body::to_bytes(Body::new(request.into_body()), usize::MAX).await.unwrap();
    let json = |value: Value| Response::builder().header("content-type", "application/json").body(Body::from(value.to_string())).unwrap();
    match path.as_str() {
        "/held" => {
            upstream.arrived.send(body.len()).unwrap();
            upstream.release.notified().await;
            json(serde_json::json!({"bytes": body.len()}))
        }
        "/size" => json(serde_json::json!({"bytes": body.len()})),
        _ => match path.strip_prefix("/bytes/").and_then(|n| n.parse::<usize>().ok()) {
            Some(n) => Response::builder().body(Body::from(vec![b'x'; n])).unwrap(),
            None => Response::builder().status(404).body(Body::empty()).unwrap(),
        },
    }
}

/// An https server for `localhost` on a free port; its port, and the upstream's controls.
async fn start_upstream() -> (u16, Arc<Upstream>, mpsc::UnboundedReceiver<usize>) {
    let acceptor = localhost_tls();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (arrived, arrivals) = mpsc::unbounded_channel();
    let upstream = Arc::new(Upstream { arrived, release: Notify::new() });
    let serving = Arc::clone(&upstream);
    tokio::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            let acceptor = acceptor.clone();
            let upstream = Arc::clone(&serving);
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(socket).await else { return };
                let service = hyper::service::service_fn(move |request| {
                    let upstream = Arc::clone(&upstream);
                    async move { Ok::<_, Infallible>(answer(&upstream, request).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(tls), service).await;
            });
        }
    });
    (port, upstream, arrivals)
}

/// A server forwarding to the upstream with a budget of [`BUDGET`] bytes.
async fn start_forwarding() -> (Api, String, Arc<Upstream>, mpsc::UnboundedReceiver<usize>) {
    let (port, upstream, arrivals) = start_upstream().await;
    let mut config = config();
    config.forward = ForwardConfig {
        allow_hosts: vec![format!("localhost:{port}").parse().unwrap()],
        extra_root_certificates: vec![CA.to_vec()],
        buffer_budget: BUDGET,
    };
    let api = Api::new(start_with(config).await);
    let forward = format!("{}/forward/localhost:{port}", api.base);
    (api, forward, upstream, arrivals)
}

async fn post(api: &Api, url: &str, bytes: usize) -> reqwest::Response {
    api.client.post(url).header("content-type", "application/octet-stream").body(vec![b'y'; bytes]).send().await.unwrap()
}

/// Status, `Retry-After` and JSON body of a forwarder's refusal, checking that it is confined.
async fn refusal(response: reqwest::Response) -> (u16, String, Value) {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    assert_eq!(headers["content-security-policy"], "sandbox; default-src 'none'");
    assert_eq!(headers["content-disposition"], "attachment");
    let retry_after = headers.get("retry-after").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, retry_after, response.json().await.unwrap())
}

#[tokio::test]
async fn a_request_body_that_would_take_the_forwards_over_the_budget_is_503_and_the_bytes_come_back_after() {
    let (api, forward, upstream, mut arrivals) = start_forwarding().await;
    let held = tokio::spawn({
        let (api, url) = (api.clone(), format!("{forward}/held"));
        async move { post(&api, &url, LARGE).await }
    });
    assert_eq!(arrivals.recv().await, Some(LARGE), "the first forward reached the upstream and waits there");

    let (status, retry_after, body) = refusal(post(&api, &format!("{forward}/size"), LARGE).await).await;
    assert_eq!((status, retry_after.as_str()), (503, "1"), "{body}");
    assert_eq!(body["errorCode"], "STEWARD-FORWARD-503");
    let message = body["errorMessage"].as_str().unwrap();
    assert!(message.contains("was not sent") && message.contains(&BUDGET.to_string()), "{message}");
    assert!(arrivals.try_recv().is_err(), "the refused request never reached the upstream");

    // What is left of the budget still serves smaller bodies.
    let small = post(&api, &format!("{forward}/size"), 64 * 1024).await;
    assert_eq!(small.status(), 200);
    assert_eq!(small.json::<Value>().await.unwrap()["bytes"], 64 * 1024);

    upstream.release.notify_one();
    let first = held.await.unwrap();
    assert_eq!(first.status(), 200);
    assert_eq!(first.json::<Value>().await.unwrap()["bytes"], LARGE);
    let again = post(&api, &format!("{forward}/size"), LARGE).await;
    assert_eq!(again.status(), 200, "the first forward's bytes came back");
    assert_eq!(again.json::<Value>().await.unwrap()["bytes"], LARGE);
}

#[tokio::test]
async fn an_answer_over_the_budget_is_503_saying_the_request_reached_the_tenant() {
    let (api, forward, _upstream, _arrivals) = start_forwarding().await;
    let response = api.client.get(format!("{forward}/bytes/{}", BUDGET + 1)).send().await.unwrap();
    let (status, retry_after, body) = refusal(response).await;
    assert_eq!((status, retry_after.as_str()), (503, "1"), "{body}");
    assert_eq!(body["errorCode"], "STEWARD-FORWARD-503");
    assert!(body["errorMessage"].as_str().unwrap().contains("did reach the tenant"), "{body}");
    // Within the budget, the answer passes whole, and as often as asked.
    for _ in 0..3 {
        let response = api.client.get(format!("{forward}/bytes/{LARGE}")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.bytes().await.unwrap().len(), LARGE);
    }
}

#[tokio::test]
async fn the_default_budget_holds_three_forwards_at_both_caps() {
    let budget = ForwardConfig::default().buffer_budget;
    assert_eq!(budget, steward_server::forward::BUFFER_BUDGET);
    assert!(budget >= 3 * (steward_server::forward::MAX_REQUEST_BYTES + steward_server::forward::MAX_RESPONSE_BYTES));
    assert!(budget <= 512 * 1024 * 1024);
}
