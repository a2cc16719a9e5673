//! The request budget (SPEC §5 "Network behaviour"): requests start no faster than the user's
//! budget per minute allows (the catalog documents about 1,800 per client), spread evenly so a
//! burst of concurrent requests is paced rather than rejected with 429.

/// Paces request starts.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestBudget {
    interval_ms: f64,
    next_at_ms: f64,
}

impl RequestBudget {
    /// A budget of `per_minute` requests (0: no limit).
    pub fn per_minute(per_minute: u32) -> Self {
        let interval_ms = if per_minute == 0 { 0.0 } else { 60_000.0 / f64::from(per_minute) };
        Self { interval_ms, next_at_ms: 0.0 }
    }

    /// Reserves the next start: how long to wait from `now_ms` before sending.
    pub fn reserve(&mut self, now_ms: f64) -> f64 {
        if self.interval_ms == 0.0 {
            return 0.0;
        }
        let start = self.next_at_ms.max(now_ms);
        self.next_at_ms = start + self.interval_ms;
        start - now_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_spread_evenly_over_the_minute() {
        let mut budget = RequestBudget::per_minute(1_800);
        let waits: Vec<f64> = (0..4).map(|_| budget.reserve(1_000.0)).collect();
        let interval = 60_000.0 / 1_800.0;
        for (i, wait) in waits.iter().enumerate() {
            assert!((wait - interval * i as f64).abs() < 1e-9, "{waits:?}");
        }
        // After a pause, no debt is carried: the next request goes at once.
        assert_eq!(budget.reserve(10_000.0), 0.0);
    }

    #[test]
    fn zero_means_no_limit() {
        let mut budget = RequestBudget::per_minute(0);
        assert_eq!(budget.reserve(5.0), 0.0);
        assert_eq!(budget.reserve(5.0), 0.0);
    }
}
