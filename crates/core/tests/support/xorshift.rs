//! xorshift64*: a tiny generator that gives the same data on every run and platform. Shared by
//! the masking corpus test and the masking bench (`#[path]`-included by both), and mirrored by
//! `bench/masking.mjs`, so all three build the same values from the same seeds.

/// The generator's state.
pub struct Rng(pub u64);

#[allow(dead_code)] // Each includer uses its own subset.
impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A random element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}
