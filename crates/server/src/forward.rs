//! `/forward/{host}/{path}`: passes a page's request on to a real tenant (browsers can't call it
//! directly: CORS), only over https and only to hosts on the allow-list (`--allow-host`, by
//! default `*.atlan.com` and `api.hightouch.com`). No cookies either way; redirects are followed
//! only within the same https host; bodies are capped; the token is never logged.
//!
//! A forwarded answer is served from the page's own origin, so it must never run there: its
//! `Content-Type` is neutralised (JSON passes, anything else is `application/octet-stream`) and
//! every answer of this route, the forwarder's own errors included, carries
//! `Content-Security-Policy: sandbox; default-src 'none'`, `Content-Disposition: attachment` and
//! `X-Content-Type-Options: nosniff`.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Json, Router};
use steward_core::catalog::error::{codes, ErrorBody};

/// Largest request body passed on.
pub const MAX_REQUEST_BYTES: usize = 8 * 1024 * 1024;
/// Largest response body passed back.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;
/// The allow-list when none is given.
pub const DEFAULT_ALLOWED_HOSTS: [&str; 2] = ["*.atlan.com", "api.hightouch.com"];
/// Path prefix of forwarded requests.
pub const PREFIX: &str = "/forward/";

/// Request headers passed on (everything else, cookies included, stays behind).
const REQUEST_HEADERS: [HeaderName; 4] = [header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT, header::ACCEPT_LANGUAGE];
/// Response headers passed back as they are (never `set-cookie`; `content-type` is neutralised
/// by [`neutral_content_type`]).
const RESPONSE_HEADERS: [HeaderName; 2] = [header::RETRY_AFTER, header::CACHE_CONTROL];
/// The CSP of every forwarded answer: opened as a document, it is a sandboxed one that may load
/// and run nothing.
pub const FORWARDED_CSP: &str = "sandbox; default-src 'none'";
/// What a forwarded answer that is not JSON is served as.
pub const OPAQUE_CONTENT_TYPE: &str = "application/octet-stream";

/// An allow-list entry: `host`, `*.domain` (any subdomain, not the domain itself), each with an
/// optional `:port` (443 otherwise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPattern {
    wildcard: bool,
    domain: String,
    port: u16,
}

impl FromStr for HostPattern {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lowered = s.trim().to_ascii_lowercase();
        let (wildcard, rest) = match lowered.strip_prefix("*.") {
            Some(rest) => (true, rest),
            None => (false, lowered.as_str()),
        };
        let (host, port) = split_port(rest).map_err(|e| format!("allow-host {s:?}: {e}"))?;
        validate_host(host).map_err(|e| format!("allow-host {s:?}: {e}"))?;
        if wildcard && !host.contains('.') {
            return Err(format!("allow-host {s:?}: a wildcard needs a domain with at least two labels (e.g. *.atlan.com)"));
        }
        Ok(Self { wildcard, domain: host.to_owned(), port: port.unwrap_or(443) })
    }
}

impl fmt::Display for HostPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.wildcard {
            f.write_str("*.")?;
        }
        f.write_str(&self.domain)?;
        if self.port != 443 {
            write!(f, ":{}", self.port)?;
        }
        Ok(())
    }
}

impl HostPattern {
    /// Whether a (lower-case, validated) host and port are covered.
    pub fn matches(&self, host: &str, port: u16) -> bool {
        if port != self.port {
            return false;
        }
        if self.wildcard {
            host.strip_suffix(self.domain.as_str()).is_some_and(|head| head.len() > 1 && head.ends_with('.'))
        } else {
            host == self.domain
        }
    }
}

fn split_port(authority: &str) -> Result<(&str, Option<u16>), String> {
    match authority.rsplit_once(':') {
        Some((host, port)) => {
            let port = port.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| format!("bad port {port:?}"))?;
            Ok((host, Some(port)))
        }
        None => Ok((authority, None)),
    }
}

/// A DNS name: labels of letters, digits and `-`, no empty label, no user info, no IP literal
/// brackets, no percent-encoding.
fn validate_host(host: &str) -> Result<(), String> {
    if host.is_empty() || host.len() > 253 {
        return Err("empty or too long host".to_owned());
    }
    for label in host.split('.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return Err(format!("invalid host {host:?}"));
        }
    }
    Ok(())
}

/// Where a forwarded request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Lower-case host.
    pub host: String,
    /// Port (443 unless given).
    pub port: u16,
    /// Path, starting with `/`.
    pub path: String,
    /// Query, without `?`.
    pub query: Option<String>,
}

impl Target {
    /// Reads `/forward/{host[:port]}/{path}`; only plain hosts and clean paths are accepted.
    pub fn parse(path: &str, query: Option<&str>) -> Result<Self, String> {
        let rest = path.strip_prefix(PREFIX).ok_or_else(|| format!("expected {PREFIX}{{host}}/{{path}}"))?;
        let (authority, tail) = rest.split_once('/').unwrap_or((rest, ""));
        if authority.contains(['@', '%', '[', ']', '\\']) {
            return Err(format!("forward target {authority:?}: only a plain host name is accepted (no user info, IP literal or escapes)"));
        }
        if authority.starts_with("http") && authority.ends_with(':') {
            return Err("forward target: give the host, not a URL (https is implied): /forward/tenant.atlan.com/api/...".to_owned());
        }
        let authority = authority.to_ascii_lowercase();
        let (host, port) = split_port(&authority).map_err(|e| format!("forward target: {e}"))?;
        validate_host(host).map_err(|e| format!("forward target: {e}"))?;
        let clean = tail.split('/').all(|segment| {
            let decoded = segment.to_ascii_lowercase().replace("%2e", ".");
            decoded != "." && decoded != ".." && !segment.to_ascii_lowercase().contains("%2f")
        });
        if !clean {
            return Err("forward target: dot segments and encoded slashes are not accepted in the path".to_owned());
        }
        Ok(Self { host: host.to_owned(), port: port.unwrap_or(443), path: format!("/{tail}"), query: query.map(str::to_owned) })
    }

    /// The https URL.
    pub fn url(&self) -> String {
        let port = if self.port == 443 { String::new() } else { format!(":{}", self.port) };
        let query = self.query.as_deref().map(|q| format!("?{q}")).unwrap_or_default();
        format!("https://{}{port}{}{query}", self.host, self.path)
    }
}

/// The allow-list and the outbound client.
#[derive(Debug, Clone)]
pub struct ForwardConfig {
    /// Hosts requests may go to.
    pub allow_hosts: Vec<HostPattern>,
    /// PEM certificates (each entry one or more) trusted as roots besides the webpki ones (a
    /// private CA; the tests' local https upstream). Empty by default.
    pub extra_root_certificates: Vec<Vec<u8>>,
}

impl Default for ForwardConfig {
    fn default() -> Self {
        Self { allow_hosts: DEFAULT_ALLOWED_HOSTS.iter().filter_map(|h| h.parse().ok()).collect(), extra_root_certificates: Vec::new() }
    }
}

impl ForwardConfig {
    /// Whether the target's host is allowed.
    pub fn allows(&self, target: &Target) -> bool {
        self.allow_hosts.iter().any(|p| p.matches(&target.host, target.port))
    }
}

struct Forwarder {
    config: ForwardConfig,
    client: reqwest::Client,
}

/// `tchar` of RFC 9110: what a media type's names and a plain parameter value are made of.
fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The `Content-Type` a forwarded answer is served with, from the upstream's value(s): a JSON
/// type (`application/json` or `application/*+json`, any case) keeps its type, lower-cased, and
/// its `charset`; anything else — HTML in any spelling, no type, several types, a malformed
/// parameter (a comma would let a browser pick another type from the list) — is
/// `application/octet-stream`.
pub fn neutral_content_type<'a>(values: impl IntoIterator<Item = &'a HeaderValue>) -> HeaderValue {
    let mut values = values.into_iter();
    let json = match (values.next(), values.next()) {
        (Some(only), None) => json_content_type(only),
        _ => None,
    };
    json.unwrap_or(HeaderValue::from_static(OPAQUE_CONTENT_TYPE))
}

fn json_content_type(value: &HeaderValue) -> Option<HeaderValue> {
    let text = value.to_str().ok()?;
    let mut parts = text.split(';');
    let essence = parts.next()?.trim().to_ascii_lowercase();
    let (kind, subtype) = essence.split_once('/')?;
    let suffixed = subtype.strip_suffix("+json").is_some_and(|s| !s.is_empty() && s.bytes().all(is_token));
    if kind != "application" || !(subtype == "json" || suffixed) {
        return None;
    }
    let mut neutral = essence.clone();
    // An empty parameter (`application/json;`) is harmless; any other must be `token=token`.
    for parameter in parts.filter(|p| !p.trim().is_empty()) {
        let (name, value) = parameter.split_once('=')?;
        let value = value.trim();
        let value = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
        if !name.trim().bytes().all(is_token) || value.is_empty() || !value.bytes().all(is_token) {
            return None;
        }
        if name.trim().eq_ignore_ascii_case("charset") {
            neutral = format!("{essence}; charset={value}");
        }
    }
    HeaderValue::from_str(&neutral).ok()
}

/// Makes an answer of `/forward/` inert on the page's origin (see the module doc).
fn confine(mut response: Response) -> Response {
    let content_type = neutral_content_type(response.headers().get_all(header::CONTENT_TYPE));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(FORWARDED_CSP));
    headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

/// The `/forward/` routes.
pub fn router(config: ForwardConfig) -> Result<Router, String> {
    let mut builder = reqwest::Client::builder();
    for pem in &config.extra_root_certificates {
        let bundle = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| format!("forwarding client: extra root certificate: {e}"))?;
        // A PEM without a certificate would otherwise be silently ignored.
        if bundle.is_empty() {
            return Err("forwarding client: extra root certificate: no PEM certificate in it".to_owned());
        }
        for certificate in bundle {
            builder = builder.add_root_certificate(certificate);
        }
    }
    let client = builder
        .use_rustls_tls()
        .https_only(true)
        .redirect(reqwest::redirect::Policy::custom(|attempt| {
            let same_host = attempt.previous().first().is_some_and(|first| {
                first.host_str() == attempt.url().host_str() && first.port_or_known_default() == attempt.url().port_or_known_default()
            });
            if same_host && attempt.url().scheme() == "https" && attempt.previous().len() < 5 {
                attempt.follow()
            } else {
                attempt.stop()
            }
        }))
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(120))
        .user_agent(concat!("steward-server/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("forwarding client: {e}"))?;
    let forwarder = Arc::new(Forwarder { config, client });
    Ok(Router::new().route("/forward/{*rest}", any(forward)).with_state(forwarder))
}

/// A refusal or failure of the forwarder, in the catalog's error format.
struct Refusal(StatusCode, Box<ErrorBody>);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.0, Json(*self.1)).into_response()
    }
}

fn refuse(status: StatusCode, code: &str, message: impl Into<String>) -> Refusal {
    Refusal(status, Box::new(ErrorBody::new(code, message)))
}

async fn forward(State(forwarder): State<Arc<Forwarder>>, request: Request) -> Response {
    confine(forward_unconfined(&forwarder, request).await)
}

async fn forward_unconfined(forwarder: &Forwarder, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let target = match Target::parse(parts.uri.path(), parts.uri.query()) {
        Ok(t) => t,
        Err(message) => return refuse(StatusCode::BAD_REQUEST, "STEWARD-FORWARD-400", message).into_response(),
    };
    if !forwarder.config.allows(&target) {
        let list: Vec<String> = forwarder.config.allow_hosts.iter().map(ToString::to_string).collect();
        return refuse(
            StatusCode::FORBIDDEN,
            "STEWARD-FORWARD-403",
            format!("{} is not on the forwarding allow-list ({}); start the server with --allow-host to add it", target.host, list.join(", ")),
        )
        .into_response();
    }
    let body = match axum::body::to_bytes(body, MAX_REQUEST_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return refuse(StatusCode::PAYLOAD_TOO_LARGE, "STEWARD-FORWARD-413", format!("request body over {MAX_REQUEST_BYTES} bytes"))
                .into_response()
        }
    };
    let response = match send(&forwarder.client, &parts.method, &parts.headers, &target, body).await {
        Ok(response) => response,
        Err(refusal) => refusal.into_response(),
    };
    // Never the query or headers: they may carry secrets.
    eprintln!("steward-server: forward {} https://{}{} -> {}", parts.method, target.host, target.path, response.status().as_u16());
    response
}

async fn send(client: &reqwest::Client, method: &Method, headers: &HeaderMap, target: &Target, body: Bytes) -> Result<Response, Refusal> {
    let method = reqwest::Method::from_bytes(method.as_str().as_bytes())
        .map_err(|_| refuse(StatusCode::METHOD_NOT_ALLOWED, "STEWARD-FORWARD-405", "method not supported"))?;
    let mut outbound = client.request(method, target.url()).body(body.to_vec());
    for name in &REQUEST_HEADERS {
        for value in headers.get_all(name) {
            outbound = outbound.header(name.as_str(), value.as_bytes());
        }
    }
    let upstream = outbound.send().await.map_err(|e| {
        // Without the URL: its query could carry a secret.
        refuse(StatusCode::BAD_GATEWAY, codes::FORWARD_UNREACHABLE, format!("cannot reach {}: {}", target.host, e.without_url()))
    })?;
    if upstream.status().is_redirection() {
        return Err(refuse(
            StatusCode::BAD_GATEWAY,
            codes::FORWARD_UNREACHABLE,
            format!("{} answered a redirect to another host or scheme; not followed", target.host),
        ));
    }
    let status = StatusCode::from_u16(upstream.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut passed = HeaderMap::new();
    for name in &RESPONSE_HEADERS {
        if let Some(value) = upstream.headers().get(name.as_str()).and_then(|v| HeaderValue::from_bytes(v.as_bytes()).ok()) {
            passed.insert(name.clone(), value);
        }
    }
    // Every value, so that `confine` sees when there are several.
    for value in upstream.headers().get_all(header::CONTENT_TYPE.as_str()) {
        if let Ok(value) = HeaderValue::from_bytes(value.as_bytes()) {
            passed.append(header::CONTENT_TYPE, value);
        }
    }
    let mut upstream = upstream;
    let mut bytes: Vec<u8> = Vec::new();
    loop {
        match upstream.chunk().await {
            Ok(Some(chunk)) => {
                if bytes.len() + chunk.len() > MAX_RESPONSE_BYTES {
                    return Err(refuse(StatusCode::BAD_GATEWAY, codes::FORWARD_UNREACHABLE, format!("response over {MAX_RESPONSE_BYTES} bytes")));
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => {
                return Err(refuse(StatusCode::BAD_GATEWAY, codes::FORWARD_UNREACHABLE, format!("reading from {}: {}", target.host, e.without_url())))
            }
        }
    }
    let mut response = (status, Body::from(bytes)).into_response();
    // `extend` would keep only the last of several content types; `confine` must see them all.
    let headers = response.headers_mut();
    let mut current = None;
    for (name, value) in passed {
        if let Some(name) = name {
            headers.remove(&name);
            current = Some(name);
        }
        if let Some(name) = &current {
            headers.append(name.clone(), value);
        }
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(path: &str) -> Result<bool, String> {
        Target::parse(path, None).map(|t| ForwardConfig::default().allows(&t))
    }

    #[test]
    fn the_default_allow_list_covers_atlan_tenants_and_the_hightouch_api_only() {
        assert_eq!(allowed("/forward/acme.atlan.com/api/meta/search/indexsearch"), Ok(true));
        assert_eq!(allowed("/forward/ACME.Atlan.com/api"), Ok(true));
        assert_eq!(allowed("/forward/eu.acme.atlan.com/api"), Ok(true));
        assert_eq!(allowed("/forward/api.hightouch.com/api/v1/sources"), Ok(true));
        assert_eq!(allowed("/forward/atlan.com/api"), Ok(false), "the bare domain is not a tenant");
        assert_eq!(allowed("/forward/evilatlan.com/api"), Ok(false));
        assert_eq!(allowed("/forward/acme.atlan.com.evil.example/api"), Ok(false));
        assert_eq!(allowed("/forward/app.hightouch.com/api"), Ok(false));
        assert_eq!(allowed("/forward/acme.atlan.com:8443/api"), Ok(false), "other ports need their own entry");
        assert_eq!(allowed("/forward/acme.atlan.com:443/api"), Ok(true));
    }

    #[test]
    fn targets_must_be_plain_hosts_with_clean_paths() {
        for bad in [
            "/forward/user@acme.atlan.com/api",
            "/forward/acme.atlan.com%2f@evil.example/api",
            "/forward/[::1]/api",
            "/forward/127.0.0.1%2f/api",
            "/forward/acme..atlan.com/api",
            "/forward/https:/acme.atlan.com/api",
            "/forward/acme.atlan.com/api/../../secret",
            "/forward/acme.atlan.com/api/%2E%2E/x",
            "/forward/acme.atlan.com/api%2Fmeta",
            "/forward//api",
            "/forward/-acme.atlan.com/x",
        ] {
            assert!(Target::parse(bad, None).is_err(), "{bad}");
        }
        let t = Target::parse("/forward/acme.atlan.com/api/meta/entity/uniqueAttribute/type/Table", Some("attr%3AqualifiedName=x")).unwrap();
        assert_eq!(t.url(), "https://acme.atlan.com/api/meta/entity/uniqueAttribute/type/Table?attr%3AqualifiedName=x");
        assert_eq!(Target::parse("/forward/localhost:8443/x", None).unwrap().url(), "https://localhost:8443/x");
    }

    #[test]
    fn only_json_content_types_survive_forwarding() {
        let neutral = |v: &'static str| neutral_content_type([&HeaderValue::from_static(v)]).to_str().unwrap().to_owned();
        assert_eq!(neutral("application/json"), "application/json");
        assert_eq!(neutral("application/json; charset=utf-8"), "application/json; charset=utf-8");
        assert_eq!(neutral("Application/JSON;charset=\"UTF-8\""), "application/json; charset=UTF-8");
        assert_eq!(neutral("application/problem+json"), "application/problem+json");
        assert_eq!(neutral("application/json;"), "application/json");
        assert_eq!(neutral("application/vnd.atlan+json; charset=utf-8; version=2"), "application/vnd.atlan+json; charset=utf-8");
        for bad in [
            "text/html",
            "TEXT/HTML",
            "text/html; charset=utf-8",
            "application/json, text/html",
            "application/json; charset=utf-8, text/html",
            "application/json; charset=\"utf-8, text/html\"",
            "application/json; charset",
            "application/+json",
            "application/xhtml+xml",
            "image/svg+xml",
            "text/javascript",
            "text/json",
            "application/jsonx",
            "multipart/x-mixed-replace; boundary=x",
            "",
        ] {
            assert_eq!(neutral(bad), OPAQUE_CONTENT_TYPE, "{bad}");
        }
        assert_eq!(neutral_content_type([]), OPAQUE_CONTENT_TYPE, "no type at all");
        let two = [HeaderValue::from_static("application/json"), HeaderValue::from_static("text/html")];
        assert_eq!(neutral_content_type(&two), OPAQUE_CONTENT_TYPE, "several types");
    }

    #[test]
    fn allow_host_patterns_are_validated() {
        assert_eq!("*.Atlan.com".parse::<HostPattern>().unwrap().to_string(), "*.atlan.com");
        assert_eq!("localhost:8443".parse::<HostPattern>().unwrap().to_string(), "localhost:8443");
        assert!("*.com".parse::<HostPattern>().is_err());
        assert!("*".parse::<HostPattern>().is_err());
        assert!("https://acme.atlan.com".parse::<HostPattern>().is_err());
        assert!("acme.atlan.com:0".parse::<HostPattern>().is_err());
    }
}
