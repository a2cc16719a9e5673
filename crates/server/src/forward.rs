//! `/forward/{host}/{path}`: passes a page's request on to a real tenant (browsers can't call it
//! directly: CORS), only over https and only to hosts on the allow-list (`--allow-host`, by
//! default `*.atlan.com` and `api.hightouch.com`). No cookies either way; redirects are followed
//! only within the same https host; bodies are capped; the token is never logged.
//!
//! Bodies pass through memory (a request is sent whole, an answer is read whole before it is
//! confined), so besides each body's cap ([`MAX_REQUEST_BYTES`], [`MAX_RESPONSE_BYTES`]) all
//! forwards together hold at most [`ForwardConfig::buffer_budget`] bytes of bodies
//! ([`BUFFER_BUDGET`], 256 MiB, by default: three forwards at both caps at once, or hundreds of
//! the catalog's usual answers). A forward whose body would take them over is answered
//! `503 STEWARD-FORWARD-503` with `Retry-After: 1`.
//!
//! A forwarded answer is served from the page's own origin, so it must never run there: its
//! `Content-Type` is neutralised (JSON passes, anything else is `application/octet-stream`) and
//! every answer of this route, the forwarder's own errors included, carries
//! `Content-Security-Policy: sandbox; default-src 'none'`, `Content-Disposition: attachment` and
//! `X-Content-Type-Options: nosniff`.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::fmt;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Json, Router};
use hyper::body::{Frame, SizeHint};
use steward_core::catalog::error::{codes, ErrorBody};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Largest request body passed on.
pub const MAX_REQUEST_BYTES: usize = 8 * 1024 * 1024;
/// Largest response body passed back.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;
/// Bytes of request and response bodies all forwards together may hold by default: 256 MiB.
pub const BUFFER_BUDGET: usize = 256 * 1024 * 1024;
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
    /// Bytes of request and response bodies all forwards together may hold ([`BUFFER_BUDGET`]
    /// by default); a forward that would need more is answered 503.
    pub buffer_budget: usize,
}

impl Default for ForwardConfig {
    fn default() -> Self {
        Self {
            allow_hosts: DEFAULT_ALLOWED_HOSTS.iter().filter_map(|h| h.parse().ok()).collect(),
            extra_root_certificates: Vec::new(),
            buffer_budget: BUFFER_BUDGET,
        }
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
    /// One permit per byte of [`ForwardConfig::buffer_budget`].
    budget: Arc<Semaphore>,
}

/// The body bytes one forward holds, taken from the shared budget and given back as they are
/// freed (all of them when this is dropped).
struct Held {
    budget: Arc<Semaphore>,
    permit: Option<OwnedSemaphorePermit>,
}

impl Held {
    fn new(budget: &Arc<Semaphore>) -> Self {
        Self { budget: Arc::clone(budget), permit: None }
    }

    /// Takes `bytes` more; `false` (taking nothing) when the budget has not that many left.
    fn take(&mut self, bytes: usize) -> bool {
        if bytes == 0 {
            return true;
        }
        let Ok(permits) = u32::try_from(bytes) else { return false };
        let Ok(more) = Arc::clone(&self.budget).try_acquire_many_owned(permits) else { return false };
        match &mut self.permit {
            Some(permit) => permit.merge(more),
            None => self.permit = Some(more),
        }
        true
    }

    /// Gives `bytes` back (at most what is held).
    fn give_back(&mut self, bytes: usize) {
        if let Some(permit) = &mut self.permit {
            drop(permit.split(bytes.min(permit.num_permits())));
        }
    }

    /// Gives everything back.
    fn give_back_all(&mut self) {
        self.permit = None;
    }
}

/// A forwarded answer's body: the chunks as they came from the tenant (not copied into one),
/// each counted against the budget until hyper asks for the next one, by which time it has been
/// written out.
struct Chunks {
    chunks: VecDeque<Bytes>,
    remaining: u64,
    last_sent: usize,
    held: Held,
}

impl HttpBody for Chunks {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = &mut *self;
        this.held.give_back(this.last_sent);
        let next = this.chunks.pop_front();
        this.last_sent = next.as_ref().map_or(0, Bytes::len);
        this.remaining = this.remaining.saturating_sub(u64::try_from(this.last_sent).unwrap_or(u64::MAX));
        Poll::Ready(next.map(|chunk| Ok(Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.chunks.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
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
    let budget = Arc::new(Semaphore::new(config.buffer_budget.min(Semaphore::MAX_PERMITS)));
    let forwarder = Arc::new(Forwarder { config, client, budget });
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

/// The 503 of a forward whose body would take the bodies held over `budget` bytes.
fn over_budget(budget: usize, reached_tenant: bool) -> Response {
    let what = if reached_tenant {
        "the tenant's answer does not fit in the memory the forwarder may hold at once; the request did reach the tenant"
    } else {
        "the request body does not fit in the memory the forwarder may hold at once; it was not sent"
    };
    let message = format!("{what} ({budget} bytes of bodies across all forwards); retry shortly");
    let mut response = refuse(StatusCode::SERVICE_UNAVAILABLE, "STEWARD-FORWARD-503", message).into_response();
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// Reads a request body of at most [`MAX_REQUEST_BYTES`] into one buffer (reqwest sends a body
/// whole), counting the buffer's capacity against the budget as it grows: sized from
/// `Content-Length` when there is one, doubling as chunks arrive otherwise.
async fn read_request_body(mut body: Body, held: &mut Held, budget: usize) -> Result<Bytes, Response> {
    let too_large = || refuse(StatusCode::PAYLOAD_TOO_LARGE, "STEWARD-FORWARD-413", format!("request body over {MAX_REQUEST_BYTES} bytes")).into_response();
    let announced = usize::try_from(HttpBody::size_hint(&body).lower()).unwrap_or(usize::MAX);
    if announced > MAX_REQUEST_BYTES {
        return Err(too_large());
    }
    let mut buffer = Vec::new();
    if !make_room(&mut buffer, announced, held) {
        return Err(over_budget(budget, false));
    }
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(|e| refuse(StatusCode::BAD_REQUEST, "STEWARD-FORWARD-400", format!("reading the request body: {e}")).into_response())?;
        // Trailers are not passed on.
        let Ok(chunk) = frame.into_data() else { continue };
        if buffer.len().saturating_add(chunk.len()) > MAX_REQUEST_BYTES {
            return Err(too_large());
        }
        if !make_room(&mut buffer, chunk.len(), held) {
            return Err(over_budget(budget, false));
        }
        buffer.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(buffer))
}

/// Makes room in `buffer` for `additional` more bytes (at least doubling it, within
/// [`MAX_REQUEST_BYTES`]), taking what it grows by from the budget; `false` when the budget has
/// not that much left.
fn make_room(buffer: &mut Vec<u8>, additional: usize, held: &mut Held) -> bool {
    let needed = buffer.len().saturating_add(additional);
    if needed <= buffer.capacity() {
        return true;
    }
    let capacity = buffer.capacity().saturating_mul(2).min(MAX_REQUEST_BYTES).max(needed);
    if !held.take(capacity.saturating_sub(buffer.capacity())) {
        return false;
    }
    buffer.reserve_exact(capacity.saturating_sub(buffer.len()));
    true
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
    let budget = forwarder.config.buffer_budget;
    let mut held = Held::new(&forwarder.budget);
    let response = match read_request_body(body, &mut held, budget).await {
        Ok(body) => match send(&forwarder.client, &parts.method, &parts.headers, &target, body, held, budget).await {
            Ok(response) => response,
            Err(failure) => failure,
        },
        Err(failure) => failure,
    };
    // Never the query or headers: they may carry secrets.
    eprintln!("steward-server: forward {} https://{}{} -> {}", parts.method, target.host, target.path, response.status().as_u16());
    response
}

/// Sends the request and reads the answer; `held` counts the request body until the answer
/// comes, then the answer's chunks as they arrive.
async fn send(
    client: &reqwest::Client,
    method: &Method,
    headers: &HeaderMap,
    target: &Target,
    body: Bytes,
    mut held: Held,
    budget: usize,
) -> Result<Response, Response> {
    let method = reqwest::Method::from_bytes(method.as_str().as_bytes())
        .map_err(|_| refuse(StatusCode::METHOD_NOT_ALLOWED, "STEWARD-FORWARD-405", "method not supported").into_response())?;
    let mut outbound = client.request(method, target.url()).body(body);
    for name in &REQUEST_HEADERS {
        for value in headers.get_all(name) {
            outbound = outbound.header(name.as_str(), value.as_bytes());
        }
    }
    let upstream = outbound.send().await.map_err(|e| {
        // Without the URL: its query could carry a secret.
        refuse(StatusCode::BAD_GATEWAY, codes::FORWARD_UNREACHABLE, format!("cannot reach {}: {}", target.host, e.without_url())).into_response()
    })?;
    // The answer has come: the request body is sent (or abandoned) and no longer held.
    held.give_back_all();
    if upstream.status().is_redirection() {
        return Err(refuse(
            StatusCode::BAD_GATEWAY,
            codes::FORWARD_UNREACHABLE,
            format!("{} answered a redirect to another host or scheme; not followed", target.host),
        )
        .into_response());
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
    let mut chunks = VecDeque::new();
    let mut total = 0usize;
    loop {
        match upstream.chunk().await {
            Ok(Some(chunk)) => {
                total = total.saturating_add(chunk.len());
                if total > MAX_RESPONSE_BYTES {
                    let message = format!("response over {MAX_RESPONSE_BYTES} bytes");
                    return Err(refuse(StatusCode::BAD_GATEWAY, codes::FORWARD_UNREACHABLE, message).into_response());
                }
                if !held.take(chunk.len()) {
                    return Err(over_budget(budget, true));
                }
                chunks.push_back(chunk);
            }
            Ok(None) => break,
            Err(e) => {
                let message = format!("reading from {}: {}", target.host, e.without_url());
                return Err(refuse(StatusCode::BAD_GATEWAY, codes::FORWARD_UNREACHABLE, message).into_response());
            }
        }
    }
    let body = Chunks { chunks, remaining: u64::try_from(total).unwrap_or(u64::MAX), last_sent: 0, held };
    let mut response = (status, Body::new(body)).into_response();
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
    fn a_request_buffer_without_a_length_counts_its_capacity_as_it_doubles() {
        let budget = Arc::new(Semaphore::new(10_000));
        let mut held = Held::new(&budget);
        let mut buffer = Vec::new();
        assert!(make_room(&mut buffer, 1_000, &mut held));
        buffer.extend_from_slice(&[0; 1_000]);
        assert!(make_room(&mut buffer, 10, &mut held));
        assert_eq!((buffer.capacity(), budget.available_permits()), (2_000, 8_000), "doubled, and counted");
        buffer.extend_from_slice(&[0; 1_000]);
        assert!(!make_room(&mut buffer, 9_000, &mut held), "11,000 bytes do not fit in 10,000");
        assert_eq!(budget.available_permits(), 8_000, "a refusal takes nothing");
        held.give_back(500);
        assert_eq!(budget.available_permits(), 8_500);
        drop(held);
        assert_eq!(budget.available_permits(), 10_000, "everything comes back with the forward");
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
