//! Shared helpers of the integration tests: a server on a free loopback port, spoken to over
//! real HTTP.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;

use serde_json::Value;
use steward_server::{serve, SandboxOptions, ServerConfig};
use tokio::net::TcpListener;

pub const ADMIN: &str = "sandbox-admin-token";
pub const INTEGRATION: &str = "sandbox-integration-token";
pub const GUEST: &str = "sandbox-guest-token";
pub const RESTRICTED: &str = "sandbox-restricted-token";
pub const UNCONFIGURED: &str = "sandbox-unconfigured-token";
pub const CONNECTION: &str = "default/snowflake/1700000000";
pub const POSTGRES: &str = "default/postgres/1700000100";
pub const SALES: &str = "default/snowflake/1700000000/SALES_DB/SALES";
pub const PII: &str = "cTrLMeBjKNeRV7HzBSL11u";
pub const CONFIDENTIAL: &str = "Kq3wZ8bYd1Xg2nP5sT7vLm";
pub const FINANCE: &str = "f8RbN2xQp0LcV6tYh3JwEa";
pub const SENSITIVE: &str = "Zt5mH1dPq7WsK9cXa2VnLb";

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn config() -> ServerConfig {
    ServerConfig::new(repo_root().join("www"), repo_root().join("dist"))
}

/// Starts the server in-process on 127.0.0.1:0 and returns its base URL.
pub async fn start_with(config: ServerConfig) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { serve(listener, &config, std::future::pending()).await.unwrap() });
    format!("http://{addr}")
}

/// A server with the default demo sandbox.
pub async fn start_sandbox() -> Api {
    Api::new(start_with(config().with_sandbox(SandboxOptions::default())).await)
}

/// A base URL and a client.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub client: reqwest::Client,
}

/// Status and JSON body (`Null` when the body is empty or not JSON).
pub type Answer = (u16, Value);

impl Api {
    pub fn new(base: String) -> Self {
        Self { base, client: reqwest::Client::new() }
    }

    async fn answer(response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        Self::answer(self.client.get(format!("{}{path}", self.base)).bearer_auth(token).send().await.unwrap()).await
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Answer {
        Self::answer(self.client.post(format!("{}{path}", self.base)).bearer_auth(token).json(body).send().await.unwrap()).await
    }

    pub async fn put(&self, path: &str, token: &str, body: &Value) -> Answer {
        Self::answer(self.client.put(format!("{}{path}", self.base)).bearer_auth(token).json(body).send().await.unwrap()).await
    }

    /// An index search with a query, page and attributes.
    pub async fn search(&self, token: &str, query: Value, from: u64, size: u64, attributes: &[&str]) -> Answer {
        let body = serde_json::json!({"dsl": {"from": from, "size": size, "query": query,
            "sort": [{"__guid": {"order": "asc"}}], "track_total_hits": true}, "attributes": attributes});
        self.post("/api/meta/search/indexsearch", token, &body).await
    }

    /// The one asset with this qualified name, as the admin sees it.
    pub async fn asset(&self, qualified_name: &str, attributes: &[&str]) -> Value {
        let (status, body) = self.search(ADMIN, serde_json::json!({"term": {"qualifiedName": qualified_name}}), 0, 2, attributes).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["approximateCount"], 1, "{qualified_name}: {body}");
        body["entities"][0].clone()
    }

    /// `GET entity/guid/{guid}` as the admin.
    pub async fn entity(&self, guid: &str) -> Value {
        let (status, body) = self.get(&format!("/api/meta/entity/guid/{guid}"), ADMIN).await;
        assert_eq!(status, 200, "{body}");
        body["entity"].clone()
    }

    /// The `Data Quality` set and the id of one of its attributes by display name.
    pub async fn quality_attribute(&self, display: &str) -> (String, String) {
        let (_, defs) = self.get("/api/meta/types/typedefs?type=business_metadata", ADMIN).await;
        let set = defs["businessMetadataDefs"].as_array().unwrap().iter().find(|s| s["displayName"] == "Data Quality").unwrap();
        let attribute = set["attributeDefs"].as_array().unwrap().iter().find(|a| a["displayName"] == display).unwrap();
        (set["name"].as_str().unwrap().to_owned(), attribute["name"].as_str().unwrap().to_owned())
    }
}

/// A TLS acceptor for `localhost` with the test-only certificate (`fixtures/tls/`), for a local
/// https upstream of `/forward/` (whose client trusts `fixtures/tls/ca.pem`).
pub fn localhost_tls() -> tokio_rustls::TlsAcceptor {
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use tokio_rustls::rustls::{self, crypto::ring};
    let certificates: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(include_bytes!("../fixtures/tls/localhost.pem")).collect::<Result<_, _>>().unwrap();
    let key = PrivateKeyDer::from_pem_slice(include_bytes!("../fixtures/tls/localhost.key")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certificates, key)
        .unwrap();
    tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config))
}
