//! Fault injection for the sandbox APIs, set per server (`--faults SPEC`) or per request
//! (`x-sandbox-fault: SPEC`): a fraction of requests answered 429 with `Retry-After`, 500 or 503,
//! slowed down, or dropped (the connection closes without an answer).
//!
//! SPEC is `rate=0.2; kinds=429,500,503,slow,drop; seed=7; retry-after=1; latency-ms=1000`
//! (every key optional), or just a list of kinds (`503`, `429,drop`), which means `rate=1`.
//! Whether the n-th occurrence of a request (`METHOD path?query`) is faulted depends only on
//! the seed, that request line and n, so a failing test replays, even with other requests
//! interleaved. The occurrences are counted for at most [`MAX_COUNTED_REQUEST_LINES`] distinct
//! request lines, each under a 64-bit hash of it, not its text: a client sending endless
//! distinct URLs can't grow the table. When one more would be needed every count starts again,
//! as after a reset — still the same decisions for the same requests in the same order.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use steward_core::catalog::error::{codes, ErrorBody};

use super::seeded::{hash64, unit_of};
use super::Sandbox;
use crate::http::DropConnection;

/// Distinct request lines whose occurrences are counted at once: 65,536 (about 2 MiB at most).
pub const MAX_COUNTED_REQUEST_LINES: usize = 65_536;

/// The request header that sets faults for one request.
pub const HEADER: HeaderName = HeaderName::from_static("x-sandbox-fault");

/// One kind of fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// 429 with `Retry-After`.
    RateLimited,
    /// 500.
    ServerError,
    /// 503 with `Retry-After`.
    Unavailable,
    /// The real answer, after `latency-ms`.
    Slow,
    /// The connection closes without an answer.
    Drop,
}

impl FaultKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::RateLimited => "429",
            Self::ServerError => "500",
            Self::Unavailable => "503",
            Self::Slow => "slow",
            Self::Drop => "drop",
        }
    }
}

impl FromStr for FaultKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "429" => Ok(Self::RateLimited),
            "500" => Ok(Self::ServerError),
            "503" => Ok(Self::Unavailable),
            "slow" => Ok(Self::Slow),
            "drop" => Ok(Self::Drop),
            other => Err(format!("unknown fault kind {other:?} (expected 429, 500, 503, slow or drop)")),
        }
    }
}

/// Which requests fail, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultPlan {
    /// Fraction of requests faulted, 0–1.
    pub rate: f64,
    /// Kinds to choose from (uniformly).
    pub kinds: Vec<FaultKind>,
    /// Seed of the decisions.
    pub seed: u64,
    /// `Retry-After` of 429 and 503 answers, in seconds.
    pub retry_after_secs: u64,
    /// Delay of `slow` answers.
    pub latency_ms: u64,
}

impl Default for FaultPlan {
    fn default() -> Self {
        Self {
            rate: 0.1,
            kinds: vec![FaultKind::RateLimited, FaultKind::ServerError, FaultKind::Unavailable],
            seed: 1,
            retry_after_secs: 1,
            latency_ms: 1_000,
        }
    }
}

impl FromStr for FaultPlan {
    type Err = String;
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let spec = spec.trim();
        if !spec.contains('=') {
            let kinds = spec.split(',').map(str::parse).collect::<Result<Vec<_>, _>>()?;
            return Ok(Self { rate: 1.0, kinds, ..Self::default() });
        }
        let mut plan = Self::default();
        for part in spec.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part.split_once('=').ok_or_else(|| format!("{part:?}: expected key=value"))?;
            let value = value.trim();
            let number = |what: &str| value.parse::<u64>().map_err(|_| format!("{what}: expected a non-negative integer, got {value:?}"));
            match key.trim() {
                "rate" => {
                    plan.rate = value
                        .parse::<f64>()
                        .ok()
                        .filter(|r| (0.0..=1.0).contains(r))
                        .ok_or_else(|| format!("rate: expected a number from 0 to 1, got {value:?}"))?;
                }
                "kinds" => plan.kinds = value.split(',').map(str::parse).collect::<Result<Vec<_>, _>>()?,
                "seed" => plan.seed = number("seed")?,
                "retry-after" => plan.retry_after_secs = number("retry-after")?,
                "latency-ms" => plan.latency_ms = number("latency-ms")?,
                other => return Err(format!("unknown fault option {other:?} (rate, kinds, seed, retry-after, latency-ms)")),
            }
        }
        if plan.kinds.is_empty() {
            return Err("kinds: empty".to_owned());
        }
        Ok(plan)
    }
}

impl fmt::Display for FaultPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kinds: Vec<&str> = self.kinds.iter().map(|k| k.as_str()).collect();
        write!(
            f,
            "rate={}; kinds={}; seed={}; retry-after={}; latency-ms={}",
            self.rate,
            kinds.join(","),
            self.seed,
            self.retry_after_secs,
            self.latency_ms
        )
    }
}

impl FaultPlan {
    /// The fault (if any) of the `occurrence`-th time `request_line` is seen.
    pub fn decide(&self, request_line: &str, occurrence: u64) -> Option<FaultKind> {
        let h = hash64(&[&self.seed.to_le_bytes(), request_line.as_bytes(), &occurrence.to_le_bytes()]);
        if unit_of(h) >= self.rate {
            return None;
        }
        let index = usize::try_from((h & 0xFFFF) % self.kinds.len().max(1) as u64).unwrap_or(0);
        self.kinds.get(index).copied()
    }
}

/// The server's plan and the occurrence counters.
#[derive(Debug, Default)]
pub struct Faults {
    plan: Option<Arc<FaultPlan>>,
    /// Occurrences by the hash of the request line.
    seen: Mutex<HashMap<u64, u64>>,
}

impl Faults {
    /// Faults with a server-wide plan (or none).
    pub fn new(plan: Option<FaultPlan>) -> Self {
        Self { plan: plan.map(Arc::new), seen: Mutex::new(HashMap::new()) }
    }

    /// Forgets how often each request was seen (a reset replays from the start).
    pub fn reset(&self) {
        self.seen.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }

    /// How many times `request_line` has been seen, this time included.
    fn occurrence(&self, request_line: &str) -> u64 {
        let key = hash64(&[request_line.as_bytes()]);
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        if seen.len() >= MAX_COUNTED_REQUEST_LINES && !seen.contains_key(&key) {
            seen.clear();
        }
        let n = seen.entry(key).or_insert(0);
        *n = n.saturating_add(1);
        *n
    }
}

/// Middleware on the sandbox APIs.
pub async fn inject(State(sandbox): State<Arc<Sandbox>>, request: Request, next: Next) -> Response {
    let hightouch = request.uri().path().starts_with("/api/v1/");
    let plan = match request.headers().get(&HEADER).map(|v| v.to_str().map(str::parse::<FaultPlan>)) {
        None => sandbox.faults.plan.clone(),
        Some(Ok(Ok(plan))) => Some(Arc::new(plan)),
        Some(Ok(Err(message))) => return error(hightouch, StatusCode::BAD_REQUEST, codes::INVALID_PARAMETERS, &format!("x-sandbox-fault: {message}"), None),
        Some(Err(_)) => return error(hightouch, StatusCode::BAD_REQUEST, codes::INVALID_PARAMETERS, "x-sandbox-fault: not text", None),
    };
    let Some(plan) = plan else { return next.run(request).await };
    let request_line = format!("{} {}", request.method(), request.uri().path_and_query().map_or("", |p| p.as_str()));
    let occurrence = sandbox.faults.occurrence(&request_line);
    let Some(kind) = plan.decide(&request_line, occurrence) else { return next.run(request).await };
    let retry_after = Some(plan.retry_after_secs);
    let mut response = match kind {
        FaultKind::RateLimited => error(hightouch, StatusCode::TOO_MANY_REQUESTS, codes::RATE_LIMITED, "Rate limit exceeded (sandbox fault injection)", retry_after),
        FaultKind::ServerError => error(hightouch, StatusCode::INTERNAL_SERVER_ERROR, codes::INTERNAL_ERROR, "Internal server error (sandbox fault injection)", None),
        FaultKind::Unavailable => error(hightouch, StatusCode::SERVICE_UNAVAILABLE, codes::SERVICE_UNAVAILABLE, "Service temporarily unavailable (sandbox fault injection)", retry_after),
        FaultKind::Slow => {
            tokio::time::sleep(Duration::from_millis(plan.latency_ms)).await;
            next.run(request).await
        }
        FaultKind::Drop => {
            let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
            response.extensions_mut().insert(DropConnection);
            response
        }
    };
    response.headers_mut().insert(HEADER, HeaderValue::from_static(kind.as_str()));
    response
}

fn error(hightouch: bool, status: StatusCode, code: &str, message: &str, retry_after: Option<u64>) -> Response {
    let mut response = if hightouch {
        (status, Json(steward_core::hightouch::api::ErrorBody { message: message.to_owned() })).into_response()
    } else {
        (status, Json(ErrorBody::new(code, message))).into_response()
    };
    if let Some(seconds) = retry_after {
        if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_read_in_both_forms_and_bad_ones_are_named() {
        let plan: FaultPlan = "rate=0.25; kinds=429,drop; seed=9; retry-after=2; latency-ms=50".parse().unwrap();
        assert_eq!(plan.kinds, [FaultKind::RateLimited, FaultKind::Drop]);
        assert_eq!((plan.seed, plan.retry_after_secs, plan.latency_ms), (9, 2, 50));
        assert_eq!(plan.to_string().parse::<FaultPlan>().unwrap(), plan);
        let short: FaultPlan = "503".parse().unwrap();
        assert_eq!((short.rate, short.kinds.as_slice()), (1.0, &[FaultKind::Unavailable][..]));
        assert!("rate=2".parse::<FaultPlan>().unwrap_err().starts_with("rate:"));
        assert!("kinds=418".parse::<FaultPlan>().unwrap_err().contains("418"));
        assert!("speed=1".parse::<FaultPlan>().is_err());
    }

    #[test]
    fn occurrence_counts_stay_bounded_over_100000_distinct_request_lines_and_replay_with_the_seed() {
        let plan: FaultPlan = "rate=0.3; kinds=429,500,503,drop; seed=11".parse().unwrap();
        let run = || {
            let faults = Faults::new(Some(plan.clone()));
            let mut decisions = Vec::new();
            let mut largest = 0;
            for i in 0..100_000_u32 {
                // A request retried between the others keeps its own count.
                let line = if i % 7 == 0 { "POST /api/meta/search/indexsearch".to_owned() } else { format!("GET /api/meta/entity/guid/{i}") };
                let n = faults.occurrence(&line);
                decisions.push((n, plan.decide(&line, n)));
                largest = largest.max(faults.seen.lock().unwrap().len());
            }
            (decisions, largest)
        };
        let (first, largest) = run();
        assert!(largest <= MAX_COUNTED_REQUEST_LINES, "{largest}");
        assert_eq!(largest, MAX_COUNTED_REQUEST_LINES, "the table filled before it started again");
        assert_eq!(first, run().0, "same seed, same requests: same decisions");
        let retried: Vec<u64> = first.iter().step_by(7).map(|(n, _)| *n).take(1000).collect();
        assert_eq!(retried, (1..=1000).collect::<Vec<_>>(), "the retried request counts 1, 2, 3, ...");
        assert!(first.iter().any(|(_, d)| d.is_some()) && first.iter().any(|(_, d)| d.is_none()));
    }

    #[test]
    fn decisions_replay_and_follow_the_rate() {
        let plan: FaultPlan = "rate=0.3; kinds=429,500,503; seed=42".parse().unwrap();
        let run = || (1..=1000).map(|n| plan.decide("POST /api/meta/search/indexsearch", n)).collect::<Vec<_>>();
        let first = run();
        assert_eq!(first, run());
        let faulted = first.iter().filter(|d| d.is_some()).count();
        assert!((230..370).contains(&faulted), "{faulted}");
        assert!(first.iter().flatten().any(|k| *k == FaultKind::Unavailable));
        let other_seed: FaultPlan = "rate=0.3; kinds=429,500,503; seed=43".parse().unwrap();
        assert_ne!(first, (1..=1000).map(|n| other_seed.decide("POST /api/meta/search/indexsearch", n)).collect::<Vec<_>>());
    }
}
