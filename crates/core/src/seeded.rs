//! Deterministic pseudo-randomness for generated data: the benchmark scenarios, the masking
//! corpus, and the sandbox's demo data and faults. The same seed gives the same values on every
//! run and platform, so a failing test replays and two benchmarks see the same input. Never for
//! anything secret.
//!
//! One generator for all of them: SplitMix64 (Steele, Lea & Flood, 2014), which
//! `bench/masking.mjs` mirrors to rebuild the criterion corpus in Node.

/// SplitMix64: 64 bits of state, one multiply-xorshift mix per draw.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        // usize is at most 64 bits wide, and the answer is below `n`: both casts are lossless.
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        unit_of(self.next_u64())
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One item of `items`, or `None` when it is empty.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }
}

/// Maps 64 random bits to `[0, 1)` (their top 53, which an `f64` holds exactly).
pub fn unit_of(bits: u64) -> f64 {
    #[allow(clippy::cast_precision_loss)] // 53 bits fit exactly
    let x = (bits >> 11) as f64;
    x / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_replays_and_draws_the_published_sequence() {
        // The first outputs for seed 0, as the reference implementation gives them.
        let mut r = SplitMix64::new(0);
        assert_eq!(r.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(r.next_u64(), 0x6e78_9e6a_a1b9_65f4);
        let a: Vec<u64> = (0..4).map({ let mut r = SplitMix64::new(7); move |_| r.next_u64() }).collect();
        let b: Vec<u64> = (0..4).map({ let mut r = SplitMix64::new(7); move |_| r.next_u64() }).collect();
        assert_eq!(a, b);
    }

    #[test]
    fn draws_stay_in_their_ranges() {
        let mut r = SplitMix64::new(1);
        for _ in 0..1000 {
            assert!((0.0..1.0).contains(&r.unit()));
            assert!(r.below(7) < 7);
        }
        assert_eq!(r.below(0), 0);
        assert_eq!(r.pick::<u8>(&[]), None);
        assert_eq!(r.pick(&[5]), Some(&5));
        assert!(!r.chance(0.0));
        assert!(r.chance(1.0));
    }
}
