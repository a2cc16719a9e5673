//! The DNS-rebinding guard over real HTTP: every route answers only requests whose `Host` (or
//! HTTP/2 `:authority`) is this server's loopback name and port; anything else is 421.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::net::SocketAddr;

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Paths that reach each kind of route: the page, the catalog API, a sandbox helper, the forwarder.
const PATHS: [&str; 4] = ["/", "/api/meta/types/typedefs", "/sandbox/inventory", "/forward/evil.example/api"];

fn addr(api: &Api) -> SocketAddr {
    api.base.trim_start_matches("http://").parse().unwrap()
}

/// Sends `GET path` over a plain socket with exactly these header lines; the status and body.
async fn raw_get(addr: SocketAddr, path: &str, headers: &[String]) -> (u16, String) {
    raw_request(addr, "GET", path, headers).await
}

/// Sends `METHOD path` (no body) over a plain socket with these header lines and the admin's
/// token; the status and body.
async fn raw_request(addr: SocketAddr, method: &str, path: &str, headers: &[String]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: 0\r\nAuthorization: Bearer {ADMIN}\r\n");
    for line in headers {
        head.push_str(line);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = answer.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}

async fn with_host(addr: SocketAddr, path: &str, host: &str) -> (u16, String) {
    raw_get(addr, path, &[format!("Host: {host}")]).await
}

#[tokio::test]
async fn loopback_hosts_with_the_served_port_are_answered_on_every_route() {
    let api = start_sandbox().await;
    let addr = addr(&api);
    let port = addr.port();
    for host in [format!("127.0.0.1:{port}"), format!("localhost:{port}"), format!("LOCALHOST:{port}"), format!("[::1]:{port}")] {
        for path in PATHS {
            let (status, body) = with_host(addr, path, &host).await;
            assert_ne!(status, 421, "{host} {path}: {body}");
        }
        assert_eq!(with_host(addr, "/", &host).await.0, 200, "{host}");
        assert_eq!(with_host(addr, "/api/meta/types/typedefs", &host).await.0, 200, "{host}");
        assert_eq!(with_host(addr, "/sandbox/inventory", &host).await.0, 200, "{host}");
        assert_eq!(with_host(addr, "/forward/evil.example/api", &host).await.0, 403, "{host}: off the allow-list, but not misdirected");
    }
}

#[tokio::test]
async fn a_foreign_host_header_is_misdirected() {
    let api = start_sandbox().await;
    let addr = addr(&api);
    let port = addr.port();
    for host in [
        "evil.example".to_owned(),
        format!("evil.example:{port}"),
        "127.0.0.1:1".to_owned(),
        format!("localhost.evil.example:{port}"),
        format!("127.0.0.1.evil.example:{port}"),
        format!("localhost:{}", port.wrapping_add(1)),
        "localhost".to_owned(),
        format!("0.0.0.0:{port}"),
    ] {
        for path in PATHS {
            let (status, body) = with_host(addr, path, &host).await;
            assert_eq!(status, 421, "{host} {path}: {body}");
            let body: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!(body["errorCode"], "STEWARD-HOST-421");
            let message = body["errorMessage"].as_str().unwrap();
            assert!(message.contains(&format!("127.0.0.1:{port}")) && message.contains(&format!("localhost:{port}")), "{message}");
        }
    }
}

#[tokio::test]
async fn a_request_without_host_or_with_two_is_misdirected() {
    let api = start_sandbox().await;
    let addr = addr(&api);
    let good = format!("Host: {addr}");
    for path in PATHS {
        assert_eq!(raw_get(addr, path, &[]).await.0, 421, "{path}: no Host");
        assert_eq!(raw_get(addr, path, &[good.clone(), good.clone()]).await.0, 421, "{path}: two Hosts");
    }
    // An absolute-form target names the server too (HTTP/1.1 says it wins over Host).
    let (status, _) = raw_get(addr, &format!("http://evil.example:{}/sandbox/inventory", addr.port()), std::slice::from_ref(&good)).await;
    assert_eq!(status, 421);
}

#[tokio::test]
async fn a_rebound_name_is_misdirected_over_http1_and_http2() {
    // What a DNS-rebinding page does: its own name now resolves to this server.
    let api = start_sandbox().await;
    let addr = addr(&api);
    for http2 in [false, true] {
        let mut client = reqwest::Client::builder().resolve("evil.example", addr).resolve("localhost", addr);
        if http2 {
            client = client.http2_prior_knowledge();
        }
        let client = client.build().unwrap();
        for path in PATHS {
            let foreign = client.get(format!("http://evil.example:{}{path}", addr.port())).bearer_auth(ADMIN).send().await.unwrap();
            assert_eq!(foreign.status(), 421, "http2={http2} {path}");
            assert_eq!(foreign.headers()["x-content-type-options"], "nosniff");
            let own = client.get(format!("http://localhost:{}{path}", addr.port())).bearer_auth(ADMIN).send().await.unwrap();
            assert_ne!(own.status(), 421, "http2={http2} {path}");
        }
        // CORS preflights are refused too: no route, the CORS layer included, sees the request.
        let preflight = client
            .request(reqwest::Method::OPTIONS, format!("http://evil.example:{}/sandbox/reset", addr.port()))
            .header("origin", format!("http://evil.example:{}", addr.port()))
            .header("access-control-request-method", "POST")
            .send()
            .await
            .unwrap();
        assert_eq!(preflight.status(), 421);
        assert!(preflight.headers().get("access-control-allow-origin").is_none());
    }
}

#[tokio::test]
async fn a_misdirected_reset_changes_nothing() {
    let api = start_sandbox().await;
    let addr = addr(&api);
    let persona = serde_json::json!({"entities": [{"typeName": "Persona", "attributes": {"qualifiedName": "Kept", "name": "Kept",
        "personaUsers": [], "personaGroups": []}}]});
    assert_eq!(api.post("/api/meta/entity/bulk", ADMIN, &persona).await.0, 200);
    let client = reqwest::Client::builder().resolve("evil.example", addr).build().unwrap();
    let response = client.post(format!("http://evil.example:{}/sandbox/reset", addr.port())).send().await.unwrap();
    assert_eq!(response.status(), 421);
    assert_eq!(response.headers()["content-type"], "application/json");
    let config: serde_json::Value = api.client.get(format!("{}/sandbox/access-config", api.base)).send().await.unwrap().json().await.unwrap();
    assert!(config["personas"].as_array().unwrap().iter().any(|p| p["name"] == "Kept"), "the tenants were not reset");
}

/// `POST /sandbox/reset` with these extra header lines; the status and body.
async fn reset_with(api: &Api, headers: &[&str]) -> (u16, String) {
    let addr = addr(api);
    let mut lines = vec![format!("Host: {addr}")];
    lines.extend(headers.iter().map(|h| (*h).to_owned()));
    raw_request(addr, "POST", "/sandbox/reset", &lines).await
}

#[tokio::test]
async fn a_page_of_another_site_may_not_change_anything() {
    let api = start_sandbox().await;
    let (status, body) = reset_with(&api, &["Origin: https://evil.example"]).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("STEWARD-ORIGIN-403"), "{body}");
    let (status, _) = reset_with(&api, &["Sec-Fetch-Site: cross-site"]).await;
    assert_eq!(status, 403, "a cross-site fetch without Origin");
    // The page itself, another loopback page (the wasm test runner) and tools without Origin may.
    let own = format!("Origin: {}", api.base);
    for headers in [vec![own.as_str(), "Sec-Fetch-Site: same-origin"], vec!["Origin: http://127.0.0.1:5173"], vec![]] {
        let (status, body) = reset_with(&api, &headers).await;
        assert_eq!(status, 204, "{headers:?}: {body}");
    }
    // Reads stay open to any origin (CORS decides what a page may see).
    let (status, _) = raw_get(addr(&api), "/sandbox/inventory", &[format!("Host: {}", addr(&api)), "Origin: https://evil.example".to_owned()]).await;
    assert_eq!(status, 200);
}
