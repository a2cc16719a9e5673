//! The retry policy (SPEC §5 "Network behaviour"), one for every client: what to do after an
//! attempt, decided from its outcome alone so the network loop in the wasm crate holds no rule.
//!
//! The rules, in the order [`RetryPolicy::decide`] applies them:
//! 1. Only transient failures are retried: 429, 500, 502, 503, 504, a network error, a timeout.
//!    Every other answer is final — 2xx, and 400, 401, 403, 404, 409 and any other 4xx, which
//!    the same request would only meet again.
//! 2. At most `max_attempts` attempts in all.
//! 3. The wait before retry `n` is exponential backoff with full jitter,
//!    `jitter × min(max_delay, base × 2^(n-1))`, so clients that failed together spread out.
//! 4. A `Retry-After` from the server is a floor on that wait (capped at `max_total_ms`).
//! 5. No retry starts at or past `max_total_ms` after the first attempt: stop instead (so a
//!    `Retry-After` longer than what is left of the time ends the retries at once).

use serde::Deserialize;

/// How requests are retried. Every field has a default, so `{"maxAttempts": 3}` is a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (6).
    pub max_attempts: u32,
    /// Backoff before the first retry, before jitter (500 ms).
    pub base_delay_ms: u64,
    /// Largest backoff before jitter (5,000 ms).
    pub max_delay_ms: u64,
    /// No retry starts this long or longer after the first attempt (60,000 ms).
    pub max_total_ms: u64,
    /// How long one attempt may take before it counts as timed out (30,000 ms).
    pub timeout_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { max_attempts: 6, base_delay_ms: 500, max_delay_ms: 5_000, max_total_ms: 60_000, timeout_ms: 30_000 }
    }
}

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// An answer with this HTTP status.
    Status(u16),
    /// No answer: the connection failed or was dropped.
    Network,
    /// No answer within the policy's `timeout_ms`.
    Timeout,
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    /// Send the request again after this many milliseconds.
    Retry {
        /// The wait, in milliseconds.
        after_ms: u64,
    },
    /// Keep this outcome: it is final, or the attempts or the time are used up.
    Stop,
}

impl RetryPolicy {
    /// Decides after attempt number `attempts_done` (1 for the first) ended with `outcome`.
    ///
    /// `retry_after` is the answer's `Retry-After` header, `elapsed_ms` the time since the first
    /// attempt started, `now_ms` the wall clock (for a `Retry-After` date) and `jitter` a random
    /// number in `[0, 1)` (values outside are clamped).
    pub fn decide(
        &self,
        attempts_done: u32,
        outcome: Outcome,
        retry_after: Option<&str>,
        elapsed_ms: u64,
        now_ms: u64,
        jitter: f64,
    ) -> RetryDecision {
        if !is_transient(outcome) || attempts_done >= self.max_attempts {
            return RetryDecision::Stop;
        }
        let backoff = full_jitter(self.backoff_ceiling(attempts_done), jitter);
        let floor = retry_after.and_then(|value| parse_retry_after(value, now_ms)).map_or(0, |ms| ms.min(self.max_total_ms));
        let after_ms = backoff.max(floor);
        if elapsed_ms.saturating_add(after_ms) >= self.max_total_ms {
            return RetryDecision::Stop;
        }
        RetryDecision::Retry { after_ms }
    }

    /// `min(max_delay, base × 2^(n-1))` for retry `n`.
    fn backoff_ceiling(&self, retry: u32) -> u64 {
        let factor = 2u64.saturating_pow(retry.saturating_sub(1));
        self.base_delay_ms.saturating_mul(factor).min(self.max_delay_ms)
    }

    /// Why this policy can't be used, naming the field (`maxAttempts`, `timeoutMs`).
    pub fn check(&self) -> Result<(), String> {
        if self.max_attempts == 0 {
            return Err("maxAttempts: expected at least 1 (the first attempt counts)".to_owned());
        }
        if self.timeout_ms == 0 {
            return Err("timeoutMs: expected at least 1".to_owned());
        }
        Ok(())
    }
}

/// Rule 1: the outcomes a later attempt may not meet again.
fn is_transient(outcome: Outcome) -> bool {
    match outcome {
        Outcome::Status(status) => matches!(status, 429 | 500 | 502 | 503 | 504),
        Outcome::Network | Outcome::Timeout => true,
    }
}

/// Rule 3: a uniformly random wait in `[0, ceiling)`.
fn full_jitter(ceiling: u64, jitter: f64) -> u64 {
    let jitter = if jitter.is_finite() { jitter.clamp(0.0, 1.0) } else { 0.0 };
    // `as` saturates on float → int; the product is never above `ceiling`.
    ((ceiling as f64) * jitter) as u64
}

/// A `Retry-After` value in milliseconds from `now_ms`: delta-seconds (`120`) or an HTTP-date
/// in any of the three forms HTTP allows; a date in the past is 0. `None` when unreadable.
pub fn parse_retry_after(value: &str, now_ms: u64) -> Option<u64> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // A delta too large for u64 is still a (very long) wait.
        return Some(value.parse::<u64>().unwrap_or(u64::MAX).saturating_mul(1_000));
    }
    http_date_ms(value).map(|at| at.saturating_sub(now_ms))
}

/// Milliseconds since the Unix epoch of an HTTP-date (RFC 9110 §5.6.7):
/// `Sun, 06 Nov 1994 08:49:37 GMT`, `Sunday, 06-Nov-94 08:49:37 GMT` or `Sun Nov  6 08:49:37 1994`.
fn http_date_ms(value: &str) -> Option<u64> {
    let (day, month, year, time) = match value.split_once(", ") {
        Some((_weekday, rest)) => {
            let parts: Vec<&str> = rest.split(' ').collect();
            match parts.as_slice() {
                [day, month, year, time, "GMT"] => (*day, *month, year.parse::<i64>().ok()?, *time),
                [date, time, "GMT"] => {
                    let mut fields = date.split('-');
                    let (day, month, yy) = (fields.next()?, fields.next()?, fields.next()?);
                    if fields.next().is_some() || yy.len() != 2 {
                        return None;
                    }
                    // RFC 850's two-digit year: read as the closest century (RFC 9110 allows it).
                    let yy = yy.parse::<i64>().ok()?;
                    (day, month, if yy < 70 { 2000 + yy } else { 1900 + yy }, *time)
                }
                _ => return None,
            }
        }
        None => match value.split_whitespace().collect::<Vec<_>>().as_slice() {
            [_weekday, month, day, time, year] => (*day, *month, year.parse::<i64>().ok()?, *time),
            _ => return None,
        },
    };
    let day = number_in(day, 1, 31)?;
    let month = month_number(month)?;
    let mut clock = time.split(':');
    let hour = number_in(clock.next()?, 0, 23)?;
    let minute = number_in(clock.next()?, 0, 59)?;
    let second = number_in(clock.next()?, 0, 60)?;
    if clock.next().is_some() || !(1..=9999).contains(&year) {
        return None;
    }
    let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second;
    // A date before the epoch is in the past: no wait.
    Some(u64::try_from(seconds).unwrap_or(0).saturating_mul(1_000))
}

fn number_in(text: &str, low: i64, high: i64) -> Option<i64> {
    if text.is_empty() || text.len() > 2 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<i64>().ok().filter(|n| (low..=high).contains(n))
}

fn month_number(name: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    MONTHS.iter().position(|m| *m == name).and_then(|i| i64::try_from(i + 1).ok())
}

/// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_700_000_000_000;

    fn policy() -> RetryPolicy {
        RetryPolicy::default()
    }

    /// The decision after attempt `n` with the largest jitter short of 1.
    fn after(n: u32, outcome: Outcome) -> RetryDecision {
        policy().decide(n, outcome, None, 0, NOW, 0.999_999)
    }

    fn wait(decision: RetryDecision) -> u64 {
        match decision {
            RetryDecision::Retry { after_ms } => after_ms,
            RetryDecision::Stop => panic!("expected a retry"),
        }
    }

    #[test]
    fn the_defaults_are_the_documented_ones() {
        let p = policy();
        assert_eq!((p.max_attempts, p.base_delay_ms, p.max_delay_ms, p.max_total_ms, p.timeout_ms), (6, 500, 5_000, 60_000, 30_000));
    }

    #[test]
    fn rate_limits_server_errors_network_errors_and_timeouts_are_retried() {
        for outcome in [429, 500, 502, 503, 504].map(Outcome::Status).into_iter().chain([Outcome::Network, Outcome::Timeout]) {
            assert!(matches!(after(1, outcome), RetryDecision::Retry { .. }), "{outcome:?}");
        }
    }

    #[test]
    fn a_401_is_never_retried() {
        assert_eq!(after(1, Outcome::Status(401)), RetryDecision::Stop);
    }

    #[test]
    fn a_403_is_never_retried() {
        assert_eq!(after(1, Outcome::Status(403)), RetryDecision::Stop);
    }

    #[test]
    fn other_client_errors_are_never_retried() {
        for status in [400, 404, 405, 408, 409, 410, 413, 422, 451] {
            assert_eq!(after(1, Outcome::Status(status)), RetryDecision::Stop, "{status}");
        }
    }

    #[test]
    fn successes_and_other_server_errors_stop() {
        for status in [200, 201, 204, 301, 501, 505] {
            assert_eq!(after(1, Outcome::Status(status)), RetryDecision::Stop, "{status}");
        }
    }

    #[test]
    fn attempts_are_bounded() {
        assert!(matches!(after(5, Outcome::Status(503)), RetryDecision::Retry { .. }));
        assert_eq!(after(6, Outcome::Status(503)), RetryDecision::Stop);
        let once = RetryPolicy { max_attempts: 1, ..policy() };
        assert_eq!(once.decide(1, Outcome::Network, None, 0, NOW, 0.5), RetryDecision::Stop);
    }

    #[test]
    fn backoff_doubles_up_to_the_maximum_delay() {
        let ceilings: Vec<u64> = (1..=6).map(|n| policy().backoff_ceiling(n)).collect();
        assert_eq!(ceilings, [500, 1_000, 2_000, 4_000, 5_000, 5_000]);
        assert_eq!(policy().backoff_ceiling(u32::MAX), 5_000);
    }

    #[test]
    fn jitter_is_full_from_zero_to_the_backoff() {
        let at = |jitter| wait(policy().decide(3, Outcome::Status(500), None, 0, NOW, jitter));
        assert_eq!(at(0.0), 0);
        assert_eq!(at(0.5), 1_000);
        assert_eq!(at(0.999_999), 1_999);
        // Out-of-range jitter is clamped rather than trusted.
        assert_eq!(at(-3.0), 0);
        assert_eq!(at(7.0), 2_000);
        assert_eq!(at(f64::NAN), 0);
    }

    #[test]
    fn retry_after_is_honoured_over_a_shorter_backoff() {
        let decision = policy().decide(1, Outcome::Status(429), Some("3"), 0, NOW, 0.5);
        assert_eq!(decision, RetryDecision::Retry { after_ms: 3_000 });
    }

    #[test]
    fn a_longer_backoff_wins_over_a_shorter_retry_after() {
        let decision = policy().decide(4, Outcome::Status(503), Some("1"), 0, NOW, 0.75);
        assert_eq!(decision, RetryDecision::Retry { after_ms: 3_000 });
    }

    #[test]
    fn retry_after_as_an_http_date_is_honoured() {
        // NOW is 2023-11-14 22:13:20 UTC.
        let decision = policy().decide(1, Outcome::Status(503), Some("Tue, 14 Nov 2023 22:13:30 GMT"), 0, NOW, 0.0);
        assert_eq!(decision, RetryDecision::Retry { after_ms: 10_000 });
    }

    #[test]
    fn an_unreadable_retry_after_falls_back_to_backoff() {
        let decision = policy().decide(1, Outcome::Status(429), Some("soon"), 0, NOW, 0.5);
        assert_eq!(decision, RetryDecision::Retry { after_ms: 250 });
    }

    #[test]
    fn a_retry_after_beyond_the_total_budget_stops() {
        assert_eq!(policy().decide(1, Outcome::Status(429), Some("3600"), 0, NOW, 0.5), RetryDecision::Stop);
    }

    #[test]
    fn a_retry_after_within_the_budget_is_waited_in_full() {
        assert_eq!(policy().decide(1, Outcome::Status(429), Some("59"), 0, NOW, 0.5), RetryDecision::Retry { after_ms: 59_000 });
        assert_eq!(policy().decide(1, Outcome::Status(429), Some("60"), 0, NOW, 0.5), RetryDecision::Stop);
    }

    #[test]
    fn no_retry_starts_past_the_total_time() {
        assert_eq!(policy().decide(2, Outcome::Status(503), None, 59_500, NOW, 0.75), RetryDecision::Stop);
        assert!(matches!(policy().decide(2, Outcome::Status(503), None, 59_000, NOW, 0.75), RetryDecision::Retry { .. }));
        assert_eq!(policy().decide(1, Outcome::Timeout, None, 60_001, NOW, 0.0), RetryDecision::Stop);
    }

    #[test]
    fn retry_after_reads_delta_seconds() {
        assert_eq!(parse_retry_after("120", NOW), Some(120_000));
        assert_eq!(parse_retry_after(" 0 ", NOW), Some(0));
        assert_eq!(parse_retry_after("99999999999999999999999", NOW), Some(u64::MAX));
        for bad in ["", "-1", "1.5", "+3", "3s", "0x10"] {
            assert_eq!(parse_retry_after(bad, NOW), None, "{bad:?}");
        }
    }

    #[test]
    fn retry_after_reads_the_three_http_date_forms() {
        let epoch_784111777 = 784_111_777_000;
        for form in ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"] {
            assert_eq!(parse_retry_after(form, epoch_784111777 - 5_000), Some(5_000), "{form}");
        }
    }

    #[test]
    fn a_retry_after_date_in_the_past_means_no_wait() {
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", NOW), Some(0));
    }

    #[test]
    fn malformed_http_dates_are_unreadable() {
        for bad in [
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
            "Sun Nov 6 08:49:37",
        ] {
            assert_eq!(parse_retry_after(bad, NOW), None, "{bad}");
        }
    }

    #[test]
    fn dates_count_days_like_the_gregorian_calendar() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2024, 2, 29), 19_782);
    }

    #[test]
    fn policies_read_camel_case_json_with_defaults() {
        let p: RetryPolicy = serde_json::from_str(r#"{"maxAttempts": 2, "timeoutMs": 1000}"#).unwrap();
        assert_eq!(p, RetryPolicy { max_attempts: 2, timeout_ms: 1_000, ..policy() });
        assert!(serde_json::from_str::<RetryPolicy>(r#"{"maxAttempt": 2}"#).unwrap_err().to_string().contains("maxAttempt"));
    }

    #[test]
    fn a_policy_without_attempts_or_time_is_refused_by_name() {
        assert!(RetryPolicy { max_attempts: 0, ..policy() }.check().unwrap_err().starts_with("maxAttempts"));
        assert!(RetryPolicy { timeout_ms: 0, ..policy() }.check().unwrap_err().starts_with("timeoutMs"));
        assert_eq!(policy().check(), Ok(()));
    }
}
