//! Static files (the page and the package) with a strict Content-Security-Policy, and CORS for
//! loopback origins (the wasm test runner and local pages run on other loopback ports).

use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::ServerConfig;

/// The page may load only its own scripts, workers, styles and module, and talk only to this
/// server (so data pasted into the masked preview can't leave the browser).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
worker-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub(crate) fn with_static_files(router: Router, config: &ServerConfig) -> Router {
    router
        .nest_service("/dist", ServeDir::new(&config.dist_dir))
        .fallback_service(ServeDir::new(&config.www_dir))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        // The wasm test runner sets COEP, so cross-origin fetches need CORP on the answer.
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("cross-origin-resource-policy"),
            HeaderValue::from_static("cross-origin"),
        ))
        .layer(cors())
}

/// CORS only for pages served from loopback; no credentials (tokens travel in a header).
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(|origin, _| is_loopback_origin(origin)))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE, Method::OPTIONS])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT, crate::sandbox::faults::HEADER])
        .expose_headers([header::RETRY_AFTER, crate::sandbox::faults::HEADER])
}

/// `http://127.0.0.1:PORT`, `http://localhost:PORT` or `http://[::1]:PORT`.
pub(crate) fn is_loopback_origin(origin: &HeaderValue) -> bool {
    let Ok(origin) = origin.to_str() else { return false };
    let Some(rest) = origin.strip_prefix("http://") else { return false };
    let host = match rest.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => rest,
    };
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_origins_get_cors() {
        let ok = |s: &'static str| is_loopback_origin(&HeaderValue::from_static(s));
        assert!(ok("http://127.0.0.1:5173"));
        assert!(ok("http://localhost:8080"));
        assert!(ok("http://[::1]:9000"));
        assert!(!ok("https://evil.example"));
        assert!(!ok("http://127.0.0.1.evil.example:80"));
        assert!(!ok("http://localhost.evil.example"));
    }
}
