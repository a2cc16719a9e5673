//! What `/forward/` passes back can never run as the page's origin: against a local https
//! upstream (a test CA in `fixtures/tls`, trusted through `ForwardConfig`), only JSON keeps its
//! content type, and every answer — the upstream's and the forwarder's own errors — is a
//! sandboxed, no-sniff attachment.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::convert::Infallible;

use axum::body::Body;
use axum::http::Response;
use common::*;
use hyper_util::rt::TokioIo;
use steward_server::ForwardConfig;
use tokio::net::TcpListener;

const CA: &[u8] = include_bytes!("fixtures/tls/ca.pem");
const PAGE: &str = "<!doctype html><script>fetch('/sandbox/reset', {method: 'POST'})</script>";

/// The upstream's answer to each path: content types as real (and hostile) servers send them.
fn upstream_answer(path: &str) -> Response<Body> {
    let answer = || Response::builder().header("set-cookie", "session=upstream").header("cache-control", "no-store");
    let typed = |types: &[&str], body: &'static str| {
        types.iter().fold(answer(), |builder, t| builder.header("content-type", *t)).body(Body::from(body)).unwrap()
    };
    match path {
        "/html" => typed(&["text/html"], PAGE),
        "/html-charset" => typed(&["text/html; charset=utf-8"], PAGE),
        "/html-upper" => typed(&["TEXT/HTML"], PAGE),
        "/svg" => typed(&["image/svg+xml"], "<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
        "/none" => typed(&[], PAGE),
        "/json-then-html" => typed(&["application/json, text/html"], PAGE),
        "/two-types" => typed(&["application/json", "text/html"], PAGE),
        "/json" => typed(&["application/json; charset=utf-8"], r#"{"ok":true}"#),
        "/problem" => typed(&["application/problem+json"], r#"{"title":"nope"}"#),
        "/own-headers" => answer()
            .header("content-type", "application/json")
            .header("content-security-policy", "default-src *")
            .header("content-disposition", "inline")
            .header("x-content-type-options", "sniff")
            .body(Body::from("{}"))
            .unwrap(),
        "/error" => Response::builder().status(500).header("content-type", "text/html").body(Body::from(PAGE)).unwrap(),
        _ => Response::builder().status(404).body(Body::empty()).unwrap(),
    }
}

/// An https server for `localhost` on a free port; its port.
async fn start_upstream() -> u16 {
    let acceptor = localhost_tls();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(socket).await else { return };
                let service = hyper::service::service_fn(|request: hyper::Request<hyper::body::Incoming>| async move {
                    Ok::<_, Infallible>(upstream_answer(request.uri().path()))
                });
                let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(tls), service).await;
            });
        }
    });
    port
}

/// A server forwarding to the upstream (and trusting its CA) and to `also` (hosts); its client
/// and the upstream port.
async fn start_forwarding(also: &[String]) -> (Api, u16) {
    let port = start_upstream().await;
    let mut config = config();
    let mut allow_hosts = vec![format!("localhost:{port}").parse().unwrap()];
    allow_hosts.extend(also.iter().map(|h| h.parse().unwrap()));
    config.forward = ForwardConfig { allow_hosts, extra_root_certificates: vec![CA.to_vec()], ..ForwardConfig::default() };
    (Api::new(start_with(config).await), port)
}

/// The content type, CSP, disposition and nosniff of an answer, checking the three fixed ones.
fn assert_confined(response: &reqwest::Response, what: &str) -> String {
    let headers = response.headers();
    assert_eq!(headers["content-security-policy"], "sandbox; default-src 'none'", "{what}");
    assert_eq!(headers.get_all("content-security-policy").iter().count(), 1, "{what}");
    assert_eq!(headers["content-disposition"], "attachment", "{what}");
    assert_eq!(headers["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(headers.get_all("content-type").iter().count(), 1, "{what}");
    headers["content-type"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn forwarded_html_in_any_spelling_or_without_a_type_is_served_as_an_opaque_attachment() {
    let (api, port) = start_forwarding(&[]).await;
    for path in ["/html", "/html-charset", "/html-upper", "/svg", "/none", "/json-then-html", "/two-types"] {
        let response = api.client.get(format!("{}/forward/localhost:{port}{path}", api.base)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(assert_confined(&response, path), "application/octet-stream", "{path}");
        assert!(response.headers().get("set-cookie").is_none(), "{path}: cookies stay behind");
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}: other headers still pass");
        let body = response.text().await.unwrap();
        assert!(body.starts_with('<'), "{path}: the bytes pass unchanged: {body}");
    }
}

#[tokio::test]
async fn forwarded_json_keeps_its_type_and_charset() {
    let (api, port) = start_forwarding(&[]).await;
    for (path, expected) in [("/json", "application/json; charset=utf-8"), ("/problem", "application/problem+json")] {
        let response = api.client.get(format!("{}/forward/localhost:{port}{path}", api.base)).bearer_auth("tenant-token").send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(assert_confined(&response, path), expected);
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(body.is_object(), "{path}");
    }
}

#[tokio::test]
async fn the_upstreams_own_security_headers_are_replaced_and_its_errors_confined_too() {
    let (api, port) = start_forwarding(&[]).await;
    let response = api.client.get(format!("{}/forward/localhost:{port}/own-headers", api.base)).send().await.unwrap();
    assert_eq!(assert_confined(&response, "own-headers"), "application/json");
    let error = api.client.get(format!("{}/forward/localhost:{port}/error", api.base)).send().await.unwrap();
    assert_eq!(error.status(), 500);
    assert_eq!(assert_confined(&error, "error"), "application/octet-stream");
}

#[tokio::test]
async fn the_forwarders_own_errors_are_confined_json() {
    let unreachable = {
        // Nothing listens there once this listener is dropped: 502.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap().port()
    };
    let (api, _) = start_forwarding(&[format!("localhost:{unreachable}")]).await;
    for (path, status) in [
        ("/forward/evil.example/api".to_owned(), 403),
        ("/forward/user@acme.atlan.com/api".to_owned(), 400),
        (format!("/forward/localhost:{unreachable}/api"), 502),
    ] {
        let response = api.client.get(format!("{}{path}", api.base)).send().await.unwrap();
        assert_eq!(response.status(), status, "{path}");
        assert_eq!(assert_confined(&response, &path), "application/json", "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(body["errorCode"].as_str().unwrap().starts_with("STEWARD-FORWARD-"), "{body}");
    }
}

#[tokio::test]
async fn a_bad_extra_root_certificate_is_a_startup_error() {
    let mut config = config();
    config.forward.extra_root_certificates = vec![b"not a certificate".to_vec()];
    let error = steward_server::app(&config, None).unwrap_err();
    assert!(error.contains("extra root certificate"), "{error}");
}
