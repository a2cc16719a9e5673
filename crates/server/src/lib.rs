//! `steward-server`: serves the settings page and the built package, and hosts the sandbox
//! tenants. It holds no business rule: every decision comes from `steward-core`.

pub mod sandbox;
mod web;

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::Router;
use tokio::net::TcpListener;

/// What the server serves and how.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Folder of the settings page (`www/`).
    pub www_dir: PathBuf,
    /// Folder of the built npm package (`dist/`), served under `/dist/`.
    pub dist_dir: PathBuf,
    /// Whether the sandbox tenants answer under `/api/...`.
    pub sandbox: bool,
}

/// The whole HTTP application.
pub fn app(config: &ServerConfig) -> Router {
    let mut router = Router::new();
    if config.sandbox {
        router = router.merge(sandbox::router(sandbox::Tenant::demo()));
    }
    web::with_static_files(router, config)
}

/// Serves `app` on `listener` until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: TcpListener,
    config: &ServerConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(config).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
