//! `steward-server`: serves the settings page and the built package, forwards page requests to
//! allow-listed real tenants, and hosts the sandbox tenants. It holds no business rule: every
//! decision comes from `steward-core`. It answers only requests addressed to its loopback name
//! and port (`host_guard`), and listens on loopback unless remote access is allowed.

pub mod forward;
pub mod host_guard;
mod http;
pub mod sandbox;
mod web;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;

pub use forward::{ForwardConfig, HostPattern};
pub use http::{ConnectionLimits, HEADER_READ_TIMEOUT, IDLE_TIMEOUT, MAX_CONNECTIONS};
pub use sandbox::{Sandbox, SandboxOptions};

/// What the server serves and how.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Folder of the settings page (`www/`).
    pub www_dir: PathBuf,
    /// Folder of the built npm package (`dist/`), served under `/dist/`.
    pub dist_dir: PathBuf,
    /// The sandbox tenants, when they answer under `/api/...` and `/sandbox/...`.
    pub sandbox: Option<SandboxOptions>,
    /// Forwarding to real tenants.
    pub forward: ForwardConfig,
    /// Whether a non-loopback listener is allowed (`--allow-remote`); its address is then
    /// accepted in `Host` as well as the loopback names.
    pub allow_remote: bool,
    /// Timeouts of each connection and how many are served at once.
    pub connections: ConnectionLimits,
}

impl ServerConfig {
    /// Serves `www` and `dist`, no sandbox, the default forwarding allow-list and connection
    /// limits.
    pub fn new(www_dir: impl Into<PathBuf>, dist_dir: impl Into<PathBuf>) -> Self {
        Self {
            www_dir: www_dir.into(),
            dist_dir: dist_dir.into(),
            sandbox: None,
            forward: ForwardConfig::default(),
            allow_remote: false,
            connections: ConnectionLimits::default(),
        }
    }

    /// The same with sandbox tenants.
    #[must_use]
    pub fn with_sandbox(mut self, options: SandboxOptions) -> Self {
        self.sandbox = Some(options);
        self
    }
}

/// The whole HTTP application around an opened sandbox (if any). The `Host` guard is not part
/// of it: it needs the listener's address, and [`serve_opened`] puts it in front.
pub fn app(config: &ServerConfig, sandbox: Option<Arc<Sandbox>>) -> Result<Router, String> {
    let with_sandbox = sandbox.is_some();
    let mut router = forward::router(config.forward.clone())?
        .route(SERVER_INFO_PATH, axum::routing::get(move || async move { axum::Json(serde_json::json!({ "sandbox": with_sandbox })) }));
    if let Some(sandbox) = sandbox {
        router = router.merge(sandbox::router(sandbox));
    }
    Ok(web::with_static_files(router, config))
}

/// `GET /server-info` → `{"sandbox": bool}`: lets the page know whether the sandbox tenants
/// answer here without probing one of their endpoints (a 404 would show as a console error).
pub const SERVER_INFO_PATH: &str = "/server-info";

/// Opens the sandbox of `config` (loads or creates its state file), if it has one.
pub async fn open_sandbox(config: &ServerConfig) -> std::io::Result<Option<Arc<Sandbox>>> {
    match &config.sandbox {
        Some(options) => Ok(Some(Sandbox::open(options).await.map_err(std::io::Error::other)?)),
        None => Ok(None),
    }
}

/// Opens the sandbox and serves on `listener` until `shutdown` resolves (see [`serve_opened`]).
pub async fn serve(
    listener: TcpListener,
    config: &ServerConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let sandbox = open_sandbox(config).await?;
    serve_opened(listener, config, sandbox, shutdown).await
}

/// Serves on `listener` until `shutdown` resolves, then finishes in-flight requests and saves
/// the sandbox state (with `--state`). Every request must name the listener's address in `Host`
/// (421 otherwise); a non-loopback listener is refused unless `config.allow_remote`.
pub async fn serve_opened(
    listener: TcpListener,
    config: &ServerConfig,
    sandbox: Option<Arc<Sandbox>>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let bound = listener.local_addr()?;
    if let Some(refusal) = host_guard::bind_refusal(bound.ip(), config.allow_remote) {
        return Err(std::io::Error::other(refusal));
    }
    let router = app(config, sandbox.clone()).map_err(std::io::Error::other)?;
    let guard = host_guard::HostGuard::new(bound, config.allow_remote);
    http::run(listener, router, guard, config.connections, shutdown).await;
    if let Some(sandbox) = sandbox {
        sandbox.save().await?;
    }
    Ok(())
}
