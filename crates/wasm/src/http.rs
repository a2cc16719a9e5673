//! The one transport of the network clients (catalog and Hightouch): the global `fetch` with the
//! token in the `authorization` header, redirects refused, a timeout per attempt, retries as the
//! core [`RetryPolicy`] decides, and the caller's `AbortSignal` honoured during requests and
//! during the waits between them.
//!
//! The token lives here and nowhere else. It only goes into one header of requests to a base
//! URL that passed [`Transport::new`]'s rules (https, or http on a loopback host; no credentials,
//! query or fragment), and every message built from text we don't control (a fetch error, an
//! answer body) has it scrubbed out before it can reach an error.
//!
//! `web_sys` is used directly rather than gloo-net: gloo-net's `Headers::set` throws the JS
//! error itself (Node's message quotes the header value, i.e. the token) and its `send` panics
//! on a rejection that is not an `Error`.

use std::fmt;
use std::rc::Rc;

use serde::de::DeserializeOwned;
use steward_core::catalog::error::{codes, ErrorBody as CatalogErrorBody};
use steward_core::hightouch::api::ErrorBody as HightouchErrorBody;
use steward_core::sync::retry::{Outcome, RetryDecision, RetryPolicy};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, Headers, RequestCredentials, RequestInit, RequestRedirect, Response};

use crate::error::{ErrorCode, StewardError};

#[wasm_bindgen(typescript_custom_section)]
const TS_TRANSPORT: &str = r#"
/** How a client retries: 429, 5xx, network errors and timeouts, with exponential backoff and
 * full jitter, waiting at least `Retry-After`; never 400, 401, 403, 404, 409 or another 4xx. */
export interface RetryPolicy {
    /** Attempts in all, the first included (default 6). */
    maxAttempts: number;
    /** Backoff ceiling before the first retry, doubled for each next one (default 500 ms). */
    baseDelayMs: number;
    /** Largest backoff ceiling (default 5000 ms). */
    maxDelayMs: number;
    /** No retry starts this long after the first attempt (default 60000 ms). */
    maxTotalMs: number;
    /** How long one attempt may take before it counts as timed out (default 30000 ms). */
    timeoutMs: number;
}

/** Options of one network call. */
export interface RequestOptions {
    /** Cancels the call, during a request or a wait between retries; it rejects with `ABORTED`. */
    signal?: AbortSignal;
}
"#;

#[wasm_bindgen]
extern "C" {
    // The globals, not `window`'s: the same in browsers, workers and Node ≥ 18.
    #[wasm_bindgen(catch, js_name = fetch)]
    fn global_fetch(url: &str, init: &RequestInit) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &js_sys::Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// Which API a transport talks to: picks the error-code family and the names in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// An Atlan tenant (or the sandbox catalog).
    Catalog,
    /// The Hightouch REST API (or the sandbox workspace).
    Hightouch,
}

impl Service {
    /// How messages name the service.
    fn name(self) -> &'static str {
        match self {
            Self::Catalog => "the catalog",
            Self::Hightouch => "Hightouch",
        }
    }

    /// The option that holds the secret.
    fn secret_option(self) -> &'static str {
        match self {
            Self::Catalog => "token",
            Self::Hightouch => "apiKey",
        }
    }

    /// The code of an HTTP error answer.
    fn status_code(self, status: u16) -> ErrorCode {
        match (self, status) {
            (Self::Catalog, 401) => ErrorCode::CatalogUnauthorized,
            (Self::Catalog, 403) => ErrorCode::CatalogForbidden,
            (Self::Catalog, 404) => ErrorCode::CatalogNotFound,
            (Self::Catalog, 429) => ErrorCode::CatalogRateLimited,
            (Self::Catalog, _) => ErrorCode::CatalogHttp,
            (Self::Hightouch, 401) => ErrorCode::HightouchUnauthorized,
            (Self::Hightouch, 403) => ErrorCode::HightouchForbidden,
            (Self::Hightouch, 429) => ErrorCode::HightouchRateLimited,
            (Self::Hightouch, _) => ErrorCode::HightouchHttp,
        }
    }

    fn unreachable(self) -> ErrorCode {
        match self {
            Self::Catalog => ErrorCode::CatalogUnreachable,
            Self::Hightouch => ErrorCode::HightouchUnreachable,
        }
    }

    fn timeout(self) -> ErrorCode {
        match self {
            Self::Catalog => ErrorCode::CatalogTimeout,
            Self::Hightouch => ErrorCode::HightouchTimeout,
        }
    }

    fn bad_response(self) -> ErrorCode {
        match self {
            Self::Catalog => ErrorCode::CatalogBadResponse,
            Self::Hightouch => ErrorCode::HightouchBadResponse,
        }
    }
}

/// An HTTP method the clients use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `DELETE`.
    Delete,
}

impl Method {
    /// The method as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Delete => "DELETE",
        }
    }
}

/// The secret, kept out of `Debug` and scrubbed from foreign text.
#[derive(Clone)]
struct Token(Rc<str>);

impl Token {
    /// `text` with every occurrence of the token replaced.
    fn scrub(&self, text: &str) -> String {
        text.replace(&*self.0, "[token]")
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token([redacted])")
    }
}

/// Sends requests to one base URL with one token, retrying per one policy.
pub struct Transport {
    service: Service,
    base_url: String,
    token: Token,
    policy: RetryPolicy,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("service", &self.service)
            .field("base_url", &self.base_url)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

/// How an attempt failed to bring an answer.
enum Failure {
    Aborted,
    Timeout,
    Network(String),
}

/// An answer and its `Retry-After`.
struct Answer {
    reply: Reply,
    retry_after: Option<String>,
}

impl Transport {
    /// A transport to `base_url` (checked: `INVALID_URL`) with `token` (`INVALID_OPTIONS` when
    /// empty or not sendable in a header) and `policy` (`INVALID_OPTIONS` when unusable).
    pub fn new(service: Service, base_url: &str, token: &str, policy: RetryPolicy) -> Result<Self, StewardError> {
        let base_url = check_base_url(base_url).map_err(|e| StewardError::new(ErrorCode::InvalidUrl, format!("baseUrl: {e}")))?;
        let token = check_token(token)
            .map_err(|e| StewardError::new(ErrorCode::InvalidOptions, format!("{}: {e}", service.secret_option())))?;
        policy.check().map_err(|e| StewardError::new(ErrorCode::InvalidOptions, format!("retry.{e}")))?;
        Ok(Self { service, base_url, token: Token(Rc::from(token)), policy })
    }

    /// The checked base URL (lower-case scheme and host, no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The service this transport talks to.
    pub fn service(&self) -> Service {
        self.service
    }

    /// Sends `method path_and_query` (with a JSON `body`) with retries per the policy.
    ///
    /// Returns the final answer for any HTTP status, 2xx or not; `Err` only when no answer
    /// came: `*_UNREACHABLE` (network, refused redirect), `*_TIMEOUT` (every attempt timed out)
    /// or `ABORTED` (the caller's `signal` fired).
    pub async fn send(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<String>,
        signal: Option<&AbortSignal>,
    ) -> Result<Reply, StewardError> {
        let what = format!("{} {path_and_query}", method.as_str());
        let url = format!("{}{path_and_query}", self.base_url);
        let started = now_ms();
        let mut attempts: u32 = 0;
        loop {
            if is_aborted(signal) {
                return Err(aborted(&what));
            }
            attempts = attempts.saturating_add(1);
            let (outcome, retry_after, result) = match self.attempt(method, &url, body.as_deref(), signal).await {
                Ok(answer) => (Outcome::Status(answer.reply.status), answer.retry_after, Ok(answer.reply)),
                Err(Failure::Aborted) => return Err(aborted(&what)),
                Err(Failure::Timeout) => (Outcome::Timeout, None, Err(self.timed_out(&what, attempts))),
                Err(Failure::Network(detail)) => (Outcome::Network, None, Err(self.unreachable(&what, attempts, &detail))),
            };
            let now = now_ms();
            match self.policy.decide(attempts, outcome, retry_after.as_deref(), now.saturating_sub(started), now, jitter()) {
                RetryDecision::Stop => return result,
                RetryDecision::Retry { after_ms } => sleep(after_ms, signal).await.map_err(|_| aborted(&what))?,
            }
        }
    }

    /// One attempt under its own `AbortController`, fired by the timeout or the caller's signal.
    async fn attempt(&self, method: Method, url: &str, body: Option<&str>, signal: Option<&AbortSignal>) -> Result<Answer, Failure> {
        let controller = AbortController::new().map_err(|e| Failure::Network(self.describe(&e)))?;
        let abort = abort_function(&controller).map_err(|e| Failure::Network(self.describe(&e)))?;
        let timer = set_timeout(&abort, timer_ms(self.policy.timeout_ms));
        if let Some(signal) = signal {
            // Failing to listen only loses early cancellation: the signal is checked again
            // before every attempt and wait.
            let _ = signal.add_event_listener_with_callback("abort", &abort);
        }
        let own_signal = controller.signal();
        let result = self.exchange(method, url, body, &own_signal).await;
        clear_timeout(&timer);
        if let Some(signal) = signal {
            let _ = signal.remove_event_listener_with_callback("abort", &abort);
        }
        result.map_err(|error| {
            if is_aborted(signal) {
                Failure::Aborted
            } else if own_signal.aborted() {
                Failure::Timeout
            } else {
                Failure::Network(self.describe(&error))
            }
        })
    }

    /// The fetch itself, body read included (a timeout or abort may also end the read).
    async fn exchange(&self, method: Method, url: &str, body: Option<&str>, signal: &AbortSignal) -> Result<Answer, JsValue> {
        let init = RequestInit::new();
        init.set_method(method.as_str());
        let headers = Headers::new()?;
        headers.set("authorization", &format!("Bearer {}", self.token.0))?;
        headers.set("accept", "application/json")?;
        if let Some(body) = body {
            headers.set("content-type", "application/json")?;
            init.set_body(&JsValue::from_str(body));
        }
        init.set_headers(&headers);
        init.set_redirect(RequestRedirect::Error);
        init.set_credentials(RequestCredentials::Omit);
        init.set_signal(Some(signal));
        let response: Response = JsFuture::from(global_fetch(url, &init)?).await?.dyn_into()?;
        let status = response.status();
        let retry_after = response.headers().get("retry-after").ok().flatten();
        let text = JsFuture::from(response.text()?).await?;
        let reply = Reply { status, body: text.as_string().unwrap_or_default(), service: self.service, token: self.token.clone() };
        Ok(Answer { reply, retry_after })
    }

    /// A JS error as text for a message: its message and, as Node's fetch puts the reason
    /// there, its cause's; the token scrubbed out, then shortened.
    fn describe(&self, error: &JsValue) -> String {
        let text = match error.dyn_ref::<js_sys::Error>() {
            Some(error) => {
                let mut text = String::from(error.message());
                if let Some(cause) = error.cause().dyn_ref::<js_sys::Error>() {
                    text = format!("{text} ({})", String::from(cause.message()));
                }
                text
            }
            None => error.as_string().unwrap_or_else(|| "no reason given".to_owned()),
        };
        shorten(&self.token.scrub(&text), 300)
    }

    fn unreachable(&self, what: &str, attempts: u32, detail: &str) -> StewardError {
        let message = format!("{what}: {} could not be reached at {} ({}): {detail}", self.service.name(), self.base_url, tries(attempts));
        StewardError::new(self.service.unreachable(), self.token.scrub(&message))
    }

    fn timed_out(&self, what: &str, attempts: u32) -> StewardError {
        let message = format!("{what}: {} did not answer within {} ms ({})", self.service.name(), self.policy.timeout_ms, tries(attempts));
        StewardError::new(self.service.timeout(), message)
    }
}

fn tries(attempts: u32) -> String {
    if attempts == 1 {
        "1 attempt".to_owned()
    } else {
        format!("{attempts} attempts")
    }
}

fn aborted(what: &str) -> StewardError {
    StewardError::new(ErrorCode::Aborted, format!("{what}: aborted by options.signal"))
}

fn is_aborted(signal: Option<&AbortSignal>) -> bool {
    signal.is_some_and(AbortSignal::aborted)
}

/// `controller.abort` bound to `controller` with an `undefined` reason, so an event passed
/// to it as a listener does not become the reason.
fn abort_function(controller: &AbortController) -> Result<js_sys::Function, JsValue> {
    let abort: js_sys::Function = js_sys::Reflect::get(controller, &JsValue::from_str("abort"))?.dyn_into()?;
    Ok(abort.bind1(controller, &JsValue::UNDEFINED).unchecked_into())
}

/// A delay `setTimeout` takes as given (it fires at once past 2^31 - 1 ms).
fn timer_ms(ms: u64) -> f64 {
    ms.min(i32::MAX as u64) as f64
}

/// At most `max` characters.
fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", text.get(..at).unwrap_or_default()),
        None => text.to_owned(),
    }
}

/// A final answer.
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The body as text (empty for 204).
    pub body: String,
    service: Service,
    token: Token,
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reply").field("status", &self.status).field("service", &self.service).finish_non_exhaustive()
    }
}

impl Reply {
    /// Whether the status is 2xx.
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body read as `T`; `*_BAD_RESPONSE` naming `what` when it isn't one.
    pub fn json<T: DeserializeOwned>(&self, what: &str) -> Result<T, StewardError> {
        read_json(&self.body).map_err(|e| {
            let message = format!("{what}: {} answered HTTP {} with an unexpected body: {e}", self.service.name(), self.status);
            StewardError::new(self.service.bad_response(), shorten(&self.token.scrub(&message), 1_000)).with_status(self.status)
        })
    }

    /// The body as `JSON.parse` reads it, for answers handed to JS as they came;
    /// `*_BAD_RESPONSE` naming `what` when it is not JSON.
    pub fn js(&self, what: &str) -> Result<JsValue, StewardError> {
        js_sys::JSON::parse(&self.body).map_err(|_| {
            let message = format!("{what}: {} answered HTTP {} with a body that is not JSON", self.service.name(), self.status);
            StewardError::new(self.service.bad_response(), message).with_status(self.status)
        })
    }

    /// This answer as an error of the service's family, carrying the status and the service's
    /// own message (the catalog's `errorMessage` verbatim, with its `errorCode`).
    pub fn error(&self, what: &str) -> StewardError {
        if let Some(forwarder) = self.forwarder_error(what) {
            return forwarder;
        }
        let meaning = match self.status {
            401 => Some(match self.service {
                Service::Catalog => "the token is invalid or expired",
                Service::Hightouch => "the API key is invalid or expired",
            }),
            _ => None,
        };
        let detail = self.detail();
        let message = match (meaning, detail) {
            (Some(meaning), Some(detail)) => format!("{what}: HTTP {}: {meaning} ({detail})", self.status),
            (Some(meaning), None) => format!("{what}: HTTP {}: {meaning}", self.status),
            (None, Some(detail)) => format!("{what}: HTTP {}: {detail}", self.status),
            (None, None) => format!("{what}: HTTP {}: {} gave no error details", self.status, self.service.name()),
        };
        StewardError::new(self.service.status_code(self.status), self.token.scrub(&message)).with_status(self.status)
    }

    /// An answer `steward-server`'s `/forward/` made itself (its codes, in the catalog's error
    /// format): the tenant never answered, so it is not the service's 403 or 5xx.
    /// `*_UNREACHABLE` when it could not reach the tenant, else `FORWARD_REFUSED`.
    fn forwarder_error(&self, what: &str) -> Option<StewardError> {
        let body = read_json::<CatalogErrorBody>(&self.body).ok().filter(|b| b.error_code.starts_with(codes::FORWARD_PREFIX))?;
        let (code, message) = if body.error_code == codes::FORWARD_UNREACHABLE {
            (self.service.unreachable(), format!("{what}: {} could not be reached through the local server's /forward/: {}", self.service.name(), body.error_message))
        } else {
            (ErrorCode::ForwardRefused, format!("{what}: the local server's /forward/ refused the request: {} ({})", body.error_message, body.error_code))
        };
        Some(StewardError::new(code, self.token.scrub(&shorten(&message, 1_000))).with_status(self.status))
    }

    /// The service's own error text, when the body is its error shape.
    fn detail(&self) -> Option<String> {
        let detail = match self.service {
            Service::Catalog => read_json::<CatalogErrorBody>(&self.body)
                .ok()
                .map(|body| format!("{} ({})", body.error_message, body.error_code)),
            Service::Hightouch => read_json::<HightouchErrorBody>(&self.body).ok().map(|body| body.message),
        };
        detail.map(|text| shorten(&text, 1_000))
    }

    /// The catalog's `errorCode` (`ATLAS-404-00-009`), when the body is its error shape.
    pub fn catalog_error_code(&self) -> Option<String> {
        read_json::<CatalogErrorBody>(&self.body).ok().map(|body| body.error_code)
    }
}

/// Reads JSON text as `T` through a [`serde_json::Value`]. The answers, error bodies and
/// options the wasm crate reads all go this way, so each of their types is compiled for one
/// deserializer (`&Value`) rather than also for the text parser (about 7 KB less gzipped). A
/// shape error then names no line and column; a syntax error still does.
pub(crate) fn read_json<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    serde_json::from_str::<serde_json::Value>(text).and_then(|value| T::deserialize(&value))
}

/// `retry?: Partial<RetryPolicy>`: the defaults, with the fields given.
pub(crate) fn retry_policy(retry: &JsValue, client: &str) -> Result<RetryPolicy, StewardError> {
    if retry.is_undefined() || retry.is_null() {
        return Ok(RetryPolicy::default());
    }
    let invalid = |message: String| StewardError::new(ErrorCode::InvalidOptions, format!("{client} options.retry: {message}"));
    if !retry.is_object() {
        return Err(invalid("expected an object like {maxAttempts, timeoutMs}".to_owned()));
    }
    let text = js_sys::JSON::stringify(retry).ok().and_then(|t| t.as_string()).ok_or_else(|| invalid("not representable as JSON".to_owned()))?;
    read_json(&text).map_err(|e| invalid(e.to_string()))
}

/// `options.signal` of `{signal?: AbortSignal}`.
pub(crate) fn signal_option(options: Option<JsValue>) -> Result<Option<AbortSignal>, StewardError> {
    let Some(options) = options.filter(|o| !o.is_undefined() && !o.is_null()) else { return Ok(None) };
    if !options.is_object() {
        return Err(StewardError::new(ErrorCode::InvalidOptions, "options: expected an object like {signal}"));
    }
    let signal = js_sys::Reflect::get(&options, &JsValue::from_str("signal"))
        .map_err(|_| StewardError::new(ErrorCode::InvalidOptions, "options.signal: unreadable"))?;
    if signal.is_undefined() || signal.is_null() {
        return Ok(None);
    }
    signal
        .dyn_into::<AbortSignal>()
        .map(Some)
        .map_err(|_| StewardError::new(ErrorCode::InvalidOptions, "options.signal: expected an AbortSignal"))
}

/// Waits `ms` milliseconds (global `setTimeout`: browsers, workers, Node ≥ 18); `ABORTED` as
/// soon as `signal` fires, or at once if it already has.
pub async fn sleep(ms: u64, signal: Option<&AbortSignal>) -> Result<(), StewardError> {
    let aborted = || StewardError::new(ErrorCode::Aborted, "aborted by options.signal");
    if is_aborted(signal) {
        return Err(aborted());
    }
    let mut settle = None;
    let promise = js_sys::Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
    let Some((resolve, reject)) = settle else {
        // The executor runs synchronously inside `new Promise`; this can't happen.
        return Ok(());
    };
    let timer = set_timeout(&resolve, timer_ms(ms));
    if let Some(signal) = signal {
        let _ = signal.add_event_listener_with_callback("abort", &reject);
    }
    let result = JsFuture::from(promise).await;
    clear_timeout(&timer);
    if let Some(signal) = signal {
        let _ = signal.remove_event_listener_with_callback("abort", &reject);
    }
    result.map(drop).map_err(|_| aborted())
}

/// The wall clock in milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    // `as` saturates: a clock before 1970 reads 0.
    js_sys::Date::now() as u64
}

/// A random number in `[0, 1)` for the retry jitter.
pub fn jitter() -> f64 {
    js_sys::Math::random()
}

/// The token as sent: surrounding whitespace trimmed; only visible ASCII, which a header
/// carries as is (the message never quotes it).
fn check_token(token: &str) -> Result<&str, &'static str> {
    let token = token.trim();
    if token.is_empty() {
        return Err("empty");
    }
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("contains a space, a control or a non-ASCII character, which an HTTP header can't carry");
    }
    Ok(token)
}

/// Checks a base URL and returns it with a lower-case scheme and host and no trailing slash.
///
/// `https://HOST[:PORT][/PREFIX]`, or `http://` when HOST is a loopback host; no user name or
/// password, query or fragment. The messages never quote the URL (it may hold a secret), only
/// the host.
fn check_base_url(raw: &str) -> Result<String, String> {
    let url = raw.trim();
    if url.is_empty() {
        return Err("empty; expected https://HOST".to_owned());
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("contains spaces or control characters".to_owned());
    }
    if url.contains('\\') {
        // Browsers read `\` as `/`, which would move the host.
        return Err("contains a backslash".to_owned());
    }
    let (scheme, rest) = url.split_once("://").ok_or("expected https://HOST (or http:// for a loopback host)")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err("expected https:// (or http:// for a loopback host)".to_owned());
    }
    if rest.contains('?') || rest.contains('#') {
        return Err("must not have a query (?) or a fragment (#)".to_owned());
    }
    let (authority, path) = match rest.split_once('/') {
        Some((authority, path)) => (authority, format!("/{path}")),
        None => (rest, String::new()),
    };
    if authority.contains('@') {
        return Err("must not hold a user name or password (user@host); the secret goes in its own option".to_owned());
    }
    let (host, port) = split_host_port(authority)?;
    let host = host.to_ascii_lowercase();
    if scheme == "http" && !is_loopback(&host) {
        return Err(format!("http:// is allowed only for loopback hosts (127.0.0.1, localhost, [::1]); use https://{host}"));
    }
    check_path(&path)?;
    let port = port.map(|p| format!(":{p}")).unwrap_or_default();
    Ok(format!("{scheme}://{host}{port}{}", path.trim_end_matches('/')))
}

/// `host[:port]` or `[v6][:port]`, each part checked.
fn split_host_port(authority: &str) -> Result<(&str, Option<u16>), String> {
    let (host, port) = if authority.starts_with('[') {
        let end = authority.find(']').ok_or("an IPv6 host lacks its closing ]")?;
        let (host, after) = authority.split_at(end + 1);
        let inner = host.trim_start_matches('[').trim_end_matches(']');
        if inner.is_empty() || !inner.bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.') {
            return Err("an IPv6 host holds characters other than hex digits, : and .".to_owned());
        }
        match after.strip_prefix(':') {
            Some(port) => (host, Some(port)),
            None if after.is_empty() => (host, None),
            None => return Err("unexpected text after the IPv6 host".to_owned()),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if !host.starts_with('[') {
        check_host_name(host)?;
    }
    let port = match port {
        None => None,
        Some(port) => Some(
            port.parse::<u16>()
                .ok()
                .filter(|p| *p != 0 && port.bytes().all(|b| b.is_ascii_digit()))
                .ok_or("the port must be a number from 1 to 65535")?,
        ),
    };
    Ok((host, port))
}

/// A DNS name or IPv4 address: ASCII letters, digits, `-` and `_`, in non-empty dot-separated
/// labels (an internationalised name in its `xn--` form).
fn check_host_name(host: &str) -> Result<(), String> {
    if host.is_empty() {
        return Err("no host".to_owned());
    }
    if !host.is_ascii() {
        return Err("the host must be ASCII (write an internationalised name in its xn-- form)".to_owned());
    }
    if !host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.') {
        return Err("the host holds characters other than letters, digits, - and .".to_owned());
    }
    if host.split('.').any(str::is_empty) {
        return Err("the host has an empty label (..)".to_owned());
    }
    Ok(())
}

/// The prefix path may not climb (`..`, also percent-encoded): the token stays under it.
fn check_path(path: &str) -> Result<(), String> {
    let climbs = path.split('/').any(|segment| {
        let decoded = segment.to_ascii_lowercase().replace("%2e", ".");
        decoded == "." || decoded == ".."
    });
    if climbs {
        return Err("the path must not hold . or .. segments".to_owned());
    }
    Ok(())
}

/// `localhost`, `[::1]` or 127.0.0.0/8 written as four plain decimal numbers (other spellings,
/// which URL parsers read in octal or hex, don't count).
fn is_loopback(host: &str) -> bool {
    host == "localhost" || host == "[::1]" || ipv4(host).is_some_and(|[first, ..]| first == 127)
}

fn ipv4(host: &str) -> Option<[u8; 4]> {
    let mut octets = [0u8; 4];
    let mut parts = host.split('.');
    for octet in &mut octets {
        let part = parts.next()?;
        let plain = !part.is_empty() && part.len() <= 3 && part.bytes().all(|b| b.is_ascii_digit()) && (part == "0" || !part.starts_with('0'));
        if !plain {
            return None;
        }
        *octet = part.parse().ok()?;
    }
    parts.next().is_none().then_some(octets)
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    fn ok(url: &str) -> String {
        check_base_url(url).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    fn refused(url: &str) -> String {
        check_base_url(url).expect_err(url)
    }

    #[wasm_bindgen_test]
    fn https_urls_are_accepted_and_trailing_slashes_trimmed() {
        assert_eq!(ok("https://acme.atlan.com/"), "https://acme.atlan.com");
        assert_eq!(ok("  HTTPS://Acme.Atlan.com:8443  "), "https://acme.atlan.com:8443");
        assert_eq!(ok("https://api.hightouch.com/api/v1//"), "https://api.hightouch.com/api/v1");
        assert_eq!(ok("https://[2001:db8::1]:443/x"), "https://[2001:db8::1]:443/x");
    }

    #[wasm_bindgen_test]
    fn http_is_accepted_only_for_loopback_hosts() {
        assert_eq!(ok("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(ok("http://127.10.20.30"), "http://127.10.20.30");
        assert_eq!(ok("http://LOCALHOST:3000/"), "http://localhost:3000");
        assert_eq!(ok("http://[::1]:9000"), "http://[::1]:9000");
        for url in [
            "http://acme.atlan.com",
            "http://10.0.0.1",
            "http://127.0.0.1.nip.io",
            "http://localhost.evil.example",
            "http://0177.0.0.1",
            "http://127.1",
            "http://0x7f.0.0.1",
            "http://2130706433",
            "http://[::ffff:127.0.0.1]",
        ] {
            assert!(refused(url).starts_with("http:// is allowed only"), "{url}");
        }
    }

    #[wasm_bindgen_test]
    fn a_path_prefix_is_kept() {
        assert_eq!(ok("http://127.0.0.1:8080/forward/acme.atlan.com/"), "http://127.0.0.1:8080/forward/acme.atlan.com");
    }

    #[wasm_bindgen_test]
    fn credentials_in_the_url_are_refused_without_echoing_them() {
        for url in ["https://user:hunter2@acme.atlan.com", "https://hunter2@acme.atlan.com/", "http://u:hunter2@127.0.0.1"] {
            let message = refused(url);
            assert!(message.contains("user name or password"), "{message}");
            assert!(!message.contains("hunter2"), "{message}");
        }
    }

    #[wasm_bindgen_test]
    fn queries_fragments_and_other_schemes_are_refused() {
        assert!(refused("https://acme.atlan.com/?token=hunter2").contains("query"));
        assert!(!refused("https://acme.atlan.com/?token=hunter2").contains("hunter2"));
        assert!(refused("https://acme.atlan.com#x").contains("fragment"));
        for url in ["ftp://acme.atlan.com", "acme.atlan.com", "//acme.atlan.com", "javascript://x", ""] {
            refused(url);
        }
    }

    #[wasm_bindgen_test]
    fn hosts_that_parsers_read_differently_are_refused() {
        for url in [
            "https://evil.example\\@acme.atlan.com",
            "https://acme.atlan.com%2eevil.example",
            "https://ac me.atlan.com",
            "https://acme..atlan.com",
            "https://:443",
            "https://acme.atlan.com:",
            "https://acme.atlan.com:0",
            "https://acme.atlan.com:65536",
            "https://acme.atlan.com:+80",
            "https://[::1",
            "https://[::1]x",
            "https://bücher.example",
            "http://127.0.0.1:8080/forward/../evil",
            "http://127.0.0.1:8080/forward/%2E%2e/evil",
        ] {
            refused(url);
        }
    }

    #[wasm_bindgen_test]
    fn tokens_must_be_sendable_in_a_header() {
        assert_eq!(check_token("  abc.DEF-123_=  "), Ok("abc.DEF-123_="));
        for bad in ["", "   ", "ab c", "ab\nc", "abç"] {
            assert!(check_token(bad).is_err(), "{bad:?}");
        }
    }

    #[wasm_bindgen_test]
    fn a_bad_token_is_refused_without_quoting_it() {
        let err = Transport::new(Service::Catalog, "https://acme.atlan.com", "sec ret", RetryPolicy::default()).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidOptions);
        assert!(err.message.starts_with("token:") && !err.message.contains("sec ret"), "{}", err.message);
        let err = Transport::new(Service::Hightouch, "https://api.hightouch.com", "", RetryPolicy::default()).unwrap_err();
        assert!(err.message.starts_with("apiKey:"), "{}", err.message);
    }

    fn reply(service: Service, status: u16, body: &str) -> Reply {
        Reply { status, body: body.to_owned(), service, token: Token(Rc::from("s3cr3t-token")) }
    }

    #[wasm_bindgen_test]
    fn catalog_statuses_map_to_codes_with_the_status() {
        for (status, code) in [
            (400, ErrorCode::CatalogHttp),
            (401, ErrorCode::CatalogUnauthorized),
            (403, ErrorCode::CatalogForbidden),
            (404, ErrorCode::CatalogNotFound),
            (409, ErrorCode::CatalogHttp),
            (429, ErrorCode::CatalogRateLimited),
            (503, ErrorCode::CatalogHttp),
        ] {
            let err = reply(Service::Catalog, status, "").error("GET /x");
            assert_eq!((err.code, err.status), (code, Some(status)));
            assert!(err.message.starts_with(&format!("GET /x: HTTP {status}")), "{}", err.message);
        }
    }

    #[wasm_bindgen_test]
    fn hightouch_statuses_map_to_their_own_family() {
        let codes: Vec<ErrorCode> = [401, 403, 404, 429, 500].iter().map(|s| reply(Service::Hightouch, *s, "").error("GET /api/v1/syncs").code).collect();
        assert_eq!(
            codes,
            [
                ErrorCode::HightouchUnauthorized,
                ErrorCode::HightouchForbidden,
                ErrorCode::HightouchHttp,
                ErrorCode::HightouchRateLimited,
                ErrorCode::HightouchHttp
            ]
        );
        let err = reply(Service::Hightouch, 403, r#"{"message": "Your role lacks read on syncs"}"#).error("GET /api/v1/syncs");
        assert!(err.message.ends_with("Your role lacks read on syncs"), "{}", err.message);
    }

    #[wasm_bindgen_test]
    fn a_catalog_error_keeps_the_catalogs_message_verbatim() {
        let body = r#"{"errorCode": "ATLAS-403-00-001", "errorMessage": "guest is not authorized to perform update-custom-metadata on Table default/x"}"#;
        let err = reply(Service::Catalog, 403, body).error("POST /api/meta/entity/guid/g/businessmetadata");
        assert_eq!(
            err.message,
            "POST /api/meta/entity/guid/g/businessmetadata: HTTP 403: guest is not authorized to perform update-custom-metadata on Table default/x (ATLAS-403-00-001)"
        );
    }

    #[wasm_bindgen_test]
    fn an_answer_of_the_local_forwarder_is_not_taken_for_the_services() {
        let refused = reply(Service::Hightouch, 403, r#"{"errorCode": "STEWARD-FORWARD-403", "errorMessage": "evil.example is not on the forwarding allow-list"}"#);
        let err = refused.error("GET /api/v1/sources");
        assert_eq!((err.code, err.status), (ErrorCode::ForwardRefused, Some(403)));
        assert!(err.message.contains("/forward/ refused the request: evil.example is not on the forwarding allow-list"), "{}", err.message);
        let unreachable = reply(Service::Catalog, 502, r#"{"errorCode": "STEWARD-FORWARD-502", "errorMessage": "cannot reach acme.atlan.com: dns error"}"#);
        assert_eq!(unreachable.error("GET /w").code, ErrorCode::CatalogUnreachable);
        // The tenant's own 403 stays the service's.
        assert_eq!(reply(Service::Catalog, 403, r#"{"errorCode": "ATLAS-403-00-001", "errorMessage": "no"}"#).error("GET /w").code, ErrorCode::CatalogForbidden);
    }

    #[wasm_bindgen_test]
    fn a_401_says_the_token_is_invalid_or_expired() {
        let err = reply(Service::Catalog, 401, r#"{"errorCode": "ATLAS-401-00-001", "errorMessage": "Authentication failed"}"#).error("GET /w");
        assert_eq!(err.message, "GET /w: HTTP 401: the token is invalid or expired (Authentication failed (ATLAS-401-00-001))");
    }

    #[wasm_bindgen_test]
    fn the_token_is_scrubbed_from_answers_that_echo_it() {
        let echoing = reply(Service::Catalog, 400, r#"{"errorCode": "X", "errorMessage": "bad header Bearer s3cr3t-token"}"#);
        assert!(!echoing.error("GET /x").message.contains("s3cr3t-token"));
        let not_json = reply(Service::Catalog, 200, r#"{"id": s3cr3t-token}"#);
        let err = not_json.json::<serde_json::Value>("GET /x").unwrap_err();
        assert_eq!((err.code, err.status), (ErrorCode::CatalogBadResponse, Some(200)));
        assert!(!err.message.contains("s3cr3t-token"), "{}", err.message);
    }

    #[wasm_bindgen_test]
    fn an_unexpected_body_is_a_bad_response_naming_what_was_read() {
        let err = reply(Service::Hightouch, 200, "<html>").json::<serde_json::Value>("GET /api/v1/models").unwrap_err();
        assert_eq!(err.code, ErrorCode::HightouchBadResponse);
        assert!(err.message.starts_with("GET /api/v1/models: Hightouch answered HTTP 200"), "{}", err.message);
    }

    #[wasm_bindgen_test]
    fn an_answer_handed_to_js_must_be_json() {
        let js = reply(Service::Catalog, 200, r#"{"a": [1]}"#).js("GET /x").unwrap();
        assert!(js.is_object());
        let err = reply(Service::Catalog, 200, "<html>").js("GET /x").unwrap_err();
        assert_eq!((err.code, err.status), (ErrorCode::CatalogBadResponse, Some(200)));
    }

    #[wasm_bindgen_test]
    fn long_texts_are_shortened_on_a_character_boundary() {
        assert_eq!(shorten("ééé", 2), "éé…");
        assert_eq!(shorten("abc", 3), "abc");
    }

    #[wasm_bindgen_test]
    async fn sleep_waits_and_an_aborted_signal_ends_it() {
        let started = now_ms();
        sleep(20, None).await.unwrap();
        assert!(now_ms() - started >= 15);
        let controller = AbortController::new().unwrap();
        controller.abort();
        let err = sleep(60_000, Some(&controller.signal())).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::Aborted);
    }

    #[wasm_bindgen_test]
    async fn a_signal_fired_during_a_sleep_ends_it_at_once() {
        let controller = AbortController::new().unwrap();
        let abort = abort_function(&controller).unwrap();
        set_timeout(&abort, 10.0);
        let started = now_ms();
        let err = sleep(60_000, Some(&controller.signal())).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::Aborted);
        assert!(now_ms() - started < 5_000);
    }
}
