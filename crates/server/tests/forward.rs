//! `/forward/`: only allow-listed hosts, only https. These tests run without the internet, so
//! they check what can be checked offline: every refusal, and that an allowed host is reached
//! over TLS (a local listener sees a TLS ClientHello, never the request in clear). Real answers
//! passed back (content types, cookies stripped) are in `forward_content.rs`, against a local
//! https upstream; same-host redirects are not tested.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::*;
use serde_json::Value;
use steward_server::ForwardConfig;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

async fn post(api: &Api, path: &str, token: &str) -> (u16, Value) {
    let response = api.client.post(format!("{}{path}", api.base)).bearer_auth(token).header("cookie", "session=secret")
        .body("{}").send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn hosts_off_the_allow_list_are_refused_without_echoing_the_token() {
    let api = Api::new(start_with(config()).await);
    for path in ["/forward/evil.example/api/meta/search/indexsearch", "/forward/atlan.com/api", "/forward/evilatlan.com/api",
        "/forward/acme.atlan.com.evil.example/api", "/forward/localhost/api", "/forward/127.0.0.1/api", "/forward/acme.atlan.com:8443/api"] {
        let (status, body) = post(&api, path, "secret-token-123").await;
        assert_eq!(status, 403, "{path}: {body}");
        assert_eq!(body["errorCode"], "STEWARD-FORWARD-403");
        assert!(body["errorMessage"].as_str().unwrap().contains("allow-list"));
        assert!(!body.to_string().contains("secret-token-123"));
    }
}

#[tokio::test]
async fn malformed_targets_are_400() {
    let api = Api::new(start_with(config()).await);
    for path in ["/forward/user@acme.atlan.com/api", "/forward/acme.atlan.com%40evil.example/api", "/forward/https:/acme.atlan.com/api",
        "/forward/acme.atlan.com/api%2Fmeta", "/forward/[::1]/api", "/forward/acme..atlan.com/api"] {
        let (status, body) = post(&api, path, "t").await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["errorCode"], "STEWARD-FORWARD-400");
    }
}

#[tokio::test]
async fn an_allowed_host_is_reached_over_tls_only() {
    let upstream = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = upstream.local_addr().unwrap().port();
    let seen = tokio::spawn(async move {
        let (mut socket, _) = upstream.accept().await.unwrap();
        let mut first = vec![0u8; 512];
        let n = socket.read(&mut first).await.unwrap();
        first.truncate(n);
        first // dropping the socket fails the handshake
    });
    let mut config = config();
    config.forward = ForwardConfig { allow_hosts: vec![format!("localhost:{port}").parse().unwrap()], ..ForwardConfig::default() };
    let api = Api::new(start_with(config).await);
    let (status, body) = post(&api, &format!("/forward/localhost:{port}/api/meta/search/indexsearch"), "secret-token-123").await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["errorCode"], "STEWARD-FORWARD-502");
    assert!(!body.to_string().contains("secret-token-123"));
    let bytes = seen.await.unwrap();
    assert_eq!(bytes.first(), Some(&0x16), "a TLS handshake record");
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains("secret-token-123") && !text.contains("indexsearch"), "nothing in clear");
}

#[tokio::test]
async fn request_bodies_over_the_cap_are_413() {
    let mut config = config();
    config.forward = ForwardConfig { allow_hosts: vec!["localhost:9".parse().unwrap()], ..ForwardConfig::default() };
    let api = Api::new(start_with(config).await);
    let big = vec![b'x'; steward_server::forward::MAX_REQUEST_BYTES + 1];
    let response = api.client.post(format!("{}/forward/localhost:9/api", api.base)).body(big).send().await.unwrap();
    assert_eq!(response.status(), 413);
}
