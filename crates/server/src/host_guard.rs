//! The DNS-rebinding guard. A page on `evil.example` can make its own name resolve to 127.0.0.1
//! and then talk to this server as *same origin*: read the sandbox, drive `/forward/` with the
//! tokens a user typed, reset the tenants. The browser still sends `Host: evil.example`, so every
//! request whose authority is not this server's loopback name and port is answered
//! `421 Misdirected Request` before any route sees it. IP literals are safe to accept: no DNS
//! answer can change what they name.
//!
//! The server is also loopback-only unless `--allow-remote` is given (see [`bind_refusal`]):
//! the page, the forwarder and the sandbox's fixed demo tokens are not meant for the network.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use steward_core::catalog::error::ErrorBody;

/// Error code of the 421 answer (in the catalog's error format, like the forwarder's).
pub const MISDIRECTED_CODE: &str = "STEWARD-HOST-421";
/// Error code of the answer to a state-changing request sent by another site's page.
pub const CROSS_SITE_CODE: &str = "STEWARD-ORIGIN-403";

/// Whether a request changes state (anything but GET, HEAD, OPTIONS) and comes from a page of
/// another site. The Host check can't see those: the browser addresses them to this server
/// correctly, and a simple cross-site POST (`POST /sandbox/reset`, a form to `/forward/`) needs
/// no CORS preflight. Such a page's `Origin` is not a loopback one. Requests without `Origin`
/// (the CLI, SDKs, curl) and loopback pages (this one, the wasm test runner on another port)
/// pass.
pub(crate) fn is_cross_site_write(method: &Method, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let foreign_origin = headers.get(header::ORIGIN).is_some_and(|origin| !crate::web::is_loopback_origin(origin));
    let cross_site_fetch = headers.get("sec-fetch-site").is_some_and(|site| site.as_bytes() == b"cross-site");
    foreign_origin || (cross_site_fetch && headers.get(header::ORIGIN).is_none())
}

/// The 403 answer to [`is_cross_site_write`].
pub(crate) fn cross_site_refusal() -> Response {
    let message = "cross-site request refused: a page of another site may not change anything on this server";
    let mut response = (StatusCode::FORBIDDEN, Json(ErrorBody::new(CROSS_SITE_CODE, message))).into_response();
    response.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

/// Why the server will not listen on `ip`, if it will not: a non-loopback address without
/// `allow_remote` (the `--allow-remote` flag).
pub fn bind_refusal(ip: IpAddr, allow_remote: bool) -> Option<String> {
    if allow_remote || ip.to_canonical().is_loopback() {
        return None;
    }
    Some(format!(
        "refusing to listen on {ip}: it is not a loopback address, so the settings page, the forwarder and the sandbox \
         tenants (whose demo tokens are public) would be reachable from the network; use --host 127.0.0.1, or pass \
         --allow-remote if that is really what you want"
    ))
}

/// The warning to print when the server listens on a non-loopback `ip` (with `--allow-remote`).
pub fn remote_warning(ip: IpAddr) -> Option<String> {
    if ip.to_canonical().is_loopback() {
        return None;
    }
    Some(format!(
        "warning: listening on {ip} with --allow-remote: the settings page, the forwarder and the sandbox tenants \
         (with their public demo tokens) are reachable from the network"
    ))
}

/// Which authorities name this server: the loopback names with the port it listens on, and
/// with remote access allowed, the address it is bound to or that a connection arrived on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HostGuard {
    bound: SocketAddr,
    allow_remote: bool,
}

/// The host part of an authority.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HostName {
    /// `localhost`, in any case.
    Localhost,
    /// An IPv4 or bracketed IPv6 literal.
    Ip(IpAddr),
}

impl HostGuard {
    /// A guard for a server listening on `bound` (its real port, after `--port 0`).
    pub(crate) fn new(bound: SocketAddr, allow_remote: bool) -> Self {
        Self { bound, allow_remote }
    }

    /// Whether a request that arrived on the connection's local address `local` names this
    /// server. Every authority it carries must: the URI's (HTTP/2 `:authority`, or an HTTP/1.1
    /// absolute-form target) and the `Host` header; at least one must be there, and at most one
    /// `Host` header (two could be read differently by a proxy in front).
    pub(crate) fn admits(&self, uri: &Uri, headers: &HeaderMap, local: SocketAddr) -> bool {
        let mut hosts = headers.get_all(header::HOST).iter();
        let host = hosts.next();
        if hosts.next().is_some() {
            return false;
        }
        let host = match host.map(HeaderValue::to_str) {
            None => None,
            Some(Ok(host)) => Some(host),
            Some(Err(_)) => return false,
        };
        let authority = uri.authority().map(|a| a.as_str());
        if host.is_none() && authority.is_none() {
            return false;
        }
        [host, authority].into_iter().flatten().all(|a| self.names_this_server(a, local))
    }

    fn names_this_server(&self, authority: &str, local: SocketAddr) -> bool {
        let Some((host, port)) = parse_authority(authority) else { return false };
        if port != self.bound.port() {
            return false;
        }
        match host {
            HostName::Localhost => true,
            HostName::Ip(ip) => {
                let ip = ip.to_canonical();
                if ip == IpAddr::V4(Ipv4Addr::LOCALHOST) || ip == IpAddr::V6(Ipv6Addr::LOCALHOST) {
                    return true;
                }
                // The address this server is bound to or was reached on: only with remote access
                // allowed, unless it is a loopback one (`--host 127.0.0.2`).
                let served = ip == self.bound.ip().to_canonical() || ip == local.ip().to_canonical();
                served && (self.allow_remote || ip.is_loopback())
            }
        }
    }

    /// The `421 Misdirected Request` answer, naming the authorities this server answers to.
    pub(crate) fn misdirected(&self, local: SocketAddr) -> Response {
        let port = self.bound.port();
        let mut expected = vec![format!("127.0.0.1:{port}"), format!("localhost:{port}"), format!("[::1]:{port}")];
        if self.allow_remote {
            for ip in [self.bound.ip().to_canonical(), local.ip().to_canonical()] {
                let named = SocketAddr::new(ip, port).to_string();
                if !ip.is_loopback() && !ip.is_unspecified() && !expected.contains(&named) {
                    expected.push(named);
                }
            }
        }
        let message = format!(
            "misdirected request: this server answers only requests whose Host is {} (a guard against DNS rebinding)",
            expected.join(", ")
        );
        let mut response = (StatusCode::MISDIRECTED_REQUEST, Json(ErrorBody::new(MISDIRECTED_CODE, message))).into_response();
        let headers = response.headers_mut();
        headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox; default-src 'none'"));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}

/// `host[:port]` or `[ipv6][:port]` → host and port (80 when absent: plain http). Only
/// `localhost` and IP literals are returned; any other name, user info, or a malformed port is
/// `None`.
fn parse_authority(authority: &str) -> Option<(HostName, u16)> {
    let (host, rest) = match authority.strip_prefix('[') {
        Some(bracketed) => {
            let (inner, rest) = bracketed.split_once(']')?;
            (HostName::Ip(IpAddr::V6(inner.parse().ok()?)), rest)
        }
        None => {
            let (name, rest) = authority.split_at_checked(authority.find(':').unwrap_or(authority.len()))?;
            let host = if name.eq_ignore_ascii_case("localhost") {
                HostName::Localhost
            } else {
                // Strict dotted-quad only (Rust's parser refuses `127.1`, `0x7f.0.0.1`, `0127.0.0.1`).
                HostName::Ip(IpAddr::V4(name.parse().ok()?))
            };
            (host, rest)
        }
    };
    let port = match rest.strip_prefix(':') {
        None if rest.is_empty() => 80,
        None => return None,
        Some(digits) if !digits.is_empty() && digits.len() <= 5 && digits.bytes().all(|b| b.is_ascii_digit()) => digits.parse().ok()?,
        Some(_) => return None,
    };
    Some((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admits(guard: &HostGuard, host: &str) -> bool {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_str(host).unwrap());
        guard.admits(&Uri::from_static("/"), &headers, guard.bound)
    }

    #[test]
    fn loopback_names_with_the_served_port_are_admitted_in_any_case() {
        let guard = HostGuard::new("127.0.0.1:8080".parse().unwrap(), false);
        for host in ["127.0.0.1:8080", "localhost:8080", "LocalHost:8080", "[::1]:8080", "[0:0:0:0:0:0:0:1]:8080"] {
            assert!(admits(&guard, host), "{host}");
        }
        for host in [
            "evil.example:8080",
            "localhost.evil.example:8080",
            "127.0.0.1.evil.example:8080",
            "127.0.0.1:1",
            "localhost",
            "localhost:",
            "localhost:08080x",
            "localhost.:8080",
            "user@localhost:8080",
            "127.1:8080",
            "[::1]",
            "[::1]x:8080",
            "10.0.0.5:8080",
            "0.0.0.0:8080",
        ] {
            assert!(!admits(&guard, host), "{host}");
        }
    }

    #[test]
    fn port_80_may_be_left_out() {
        let guard = HostGuard::new("127.0.0.1:80".parse().unwrap(), false);
        assert!(admits(&guard, "localhost"));
        assert!(admits(&guard, "127.0.0.1:80"));
    }

    #[test]
    fn every_authority_must_name_this_server_and_one_must_be_there() {
        let guard = HostGuard::new("127.0.0.1:8080".parse().unwrap(), false);
        let mut headers = HeaderMap::new();
        assert!(!guard.admits(&Uri::from_static("/"), &headers, guard.bound), "no Host at all");
        assert!(guard.admits(&Uri::from_static("http://localhost:8080/"), &headers, guard.bound), "HTTP/2 :authority");
        headers.insert(header::HOST, HeaderValue::from_static("localhost:8080"));
        assert!(!guard.admits(&Uri::from_static("http://evil.example:8080/"), &headers, guard.bound), "absolute-form target");
        headers.append(header::HOST, HeaderValue::from_static("localhost:8080"));
        assert!(!guard.admits(&Uri::from_static("/"), &headers, guard.bound), "two Host headers");
    }

    #[test]
    fn with_remote_access_the_served_address_is_admitted_too() {
        let bound: SocketAddr = "192.168.1.5:8080".parse().unwrap();
        assert!(!admits(&HostGuard::new(bound, false), "192.168.1.5:8080"));
        let guard = HostGuard::new(bound, true);
        assert!(admits(&guard, "192.168.1.5:8080"));
        assert!(admits(&guard, "localhost:8080"));
        assert!(!admits(&guard, "my-laptop.lan:8080"), "names can be rebound; only IP literals");
        // Bound to every interface: the address the connection arrived on.
        let any = HostGuard::new("0.0.0.0:8080".parse().unwrap(), true);
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("10.1.2.3:8080"));
        assert!(any.admits(&Uri::from_static("/"), &headers, "10.1.2.3:8080".parse().unwrap()));
        assert!(!any.admits(&Uri::from_static("/"), &headers, "10.9.9.9:8080".parse().unwrap()));
        let mapped: SocketAddr = "[::ffff:10.1.2.3]:8080".parse().unwrap();
        assert!(HostGuard::new("[::]:8080".parse().unwrap(), true).admits(&Uri::from_static("/"), &headers, mapped));
    }

    #[test]
    fn non_loopback_addresses_need_allow_remote() {
        assert!(bind_refusal("127.0.0.1".parse().unwrap(), false).is_none());
        assert!(bind_refusal("::1".parse().unwrap(), false).is_none());
        assert!(bind_refusal("127.0.0.2".parse().unwrap(), false).is_none());
        let refusal = bind_refusal("0.0.0.0".parse().unwrap(), false).unwrap();
        assert!(refusal.contains("--allow-remote"), "{refusal}");
        assert!(bind_refusal("0.0.0.0".parse().unwrap(), true).is_none());
        assert!(remote_warning("0.0.0.0".parse().unwrap()).is_some());
        assert!(remote_warning("127.0.0.1".parse().unwrap()).is_none());
    }
}
