//! Masking throughput per mask on 1,000,000 values (SPEC §3; targets from issue 4: ≥ 1 GB/s for
//! REDACT and SHOW_* on ASCII, ≥ 5 M short values/s for HASH).
//!
//! ```sh
//! cargo bench -p steward-core --bench masking
//! # quicker: cargo bench -p steward-core --bench masking -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! Groups: `packed/*` is the column API on UTF-8 (one buffer per column), `strings/*` returns
//! one `String` per cell, `utf16/mixed` is the kernel the wasm module runs on a non-ASCII
//! column (the UTF-16 code units JS holds, joined); `*/ascii` and `*/mixed` are the data sets
//! (mixed: a third ASCII, the rest Latin-1, Greek, Cyrillic, Arabic, CJK, emoji, combining
//! marks, and nulls); bytes/s counts UTF-8 input bytes, `values/*` reports values/s.

// Bench code: a failed unwrap is a broken bench.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use steward_core::masking::{
    mask_column, mask_column_packed, mask_joined_utf16, MaskOptions, MaskType, Masker, NULL_CELL,
};

const COUNT: usize = 1_000_000;

use steward_core::seeded::SplitMix64;

const ASCII: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .-_@+";
const SCRIPTS: &[&str] = &[
    "ÀÁÂÄÆÇÈÉÊËÌÍÎÏÑÒÓÔÖØÙÚÛÜßàáâäæçèéêëìíîïñòóôöøùúûüÿ",
    "ΑΒΓΔΕΖΗΘαβγδεζηθАБВГДЕЖЗабвгдежз",
    "ابتثجحخد٠١٢٣٤٥٦٧٨٩",
    "東京都港区芝公園中文字漢語日本語あいうえおアイウエオ한국어",
    "😀😃😄👍🏽❤️✨🔥\u{200d}",
    "e\u{301}a\u{308}o\u{303}",
];

/// Values of 1 to 64 characters: ASCII only, or a mix of scripts with 2% nulls.
fn values(mixed: bool, seed: u64) -> Vec<Option<String>> {
    let ascii: Vec<char> = ASCII.chars().collect();
    let scripts: Vec<Vec<char>> = SCRIPTS.iter().map(|s| s.chars().collect()).collect();
    let mut rng = SplitMix64::new(seed);
    (0..COUNT)
        .map(|_| {
            if mixed && rng.below(50) == 0 {
                return None;
            }
            let length = 1 + rng.below(64);
            let pool = if !mixed || rng.below(3) == 0 {
                &ascii
            } else {
                &scripts[rng.below(scripts.len())]
            };
            Some((0..length).map(|_| pool[rng.below(pool.len())]).collect())
        })
        .collect()
}

/// Short ASCII values (8–16 characters: ids, phone numbers, emails' local parts) for HASH.
fn short_values() -> Vec<Option<String>> {
    let ascii: Vec<char> = ASCII.chars().collect();
    let mut rng = SplitMix64::new(0xabcd);
    (0..COUNT)
        .map(|_| {
            Some(
                (0..8 + rng.below(9))
                    .map(|_| ascii[rng.below(ascii.len())])
                    .collect(),
            )
        })
        .collect()
}

fn input_bytes(values: &[Option<String>]) -> u64 {
    values.iter().flatten().map(|v| v.len() as u64).sum()
}

fn bench_masks(c: &mut Criterion) {
    let options = MaskOptions::default();
    for (name, data) in [
        ("ascii", values(false, 0x5eed)),
        ("mixed", values(true, 0xfeed)),
    ] {
        let refs: Vec<Option<&str>> = data.iter().map(Option::as_deref).collect();

        let mut packed = c.benchmark_group(format!("packed/{name}"));
        packed.throughput(Throughput::Bytes(input_bytes(&data)));
        packed.sample_size(10);
        for mask in MaskType::ALL {
            packed.bench_with_input(BenchmarkId::from_parameter(mask), &refs, |b, refs| {
                b.iter(|| black_box(mask_column_packed(refs, mask, &options)));
            });
        }
        packed.finish();

        let mut strings = c.benchmark_group(format!("strings/{name}"));
        strings.throughput(Throughput::Bytes(input_bytes(&data)));
        strings.sample_size(10);
        for mask in MaskType::ALL {
            strings.bench_with_input(BenchmarkId::from_parameter(mask), &refs, |b, refs| {
                b.iter(|| black_box(mask_column(refs, mask, &options)));
            });
        }
        strings.finish();

        let mut per_value = c.benchmark_group(format!("values/{name}"));
        per_value.throughput(Throughput::Elements(data.len() as u64));
        per_value.sample_size(10);
        for mask in MaskType::ALL {
            per_value.bench_with_input(BenchmarkId::from_parameter(mask), &refs, |b, refs| {
                b.iter(|| black_box(mask_column_packed(refs, mask, &options)));
            });
        }
        per_value.finish();
    }
}

/// The kernel `node bench/masking.mjs --only kernel` runs in wasm on the mixed corpus, natively,
/// so native and wasm can also be compared on the same input (the `packed` groups start from
/// UTF-8).
fn bench_utf16(c: &mut Criterion) {
    let data = values(true, 0xfeed);
    let units: Vec<u16> = data.iter().flatten().flat_map(|v| v.encode_utf16()).collect();
    let lengths: Vec<u32> = data
        .iter()
        .map(|v| v.as_ref().map_or(NULL_CELL, |v| v.encode_utf16().count() as u32))
        .collect();
    let mut group = c.benchmark_group("utf16/mixed");
    group.throughput(Throughput::Bytes(input_bytes(&data)));
    group.sample_size(10);
    for mask in MaskType::ALL {
        let masker = Masker::new(mask, &MaskOptions::default());
        group.bench_function(BenchmarkId::from_parameter(mask), |b| {
            b.iter_batched_ref(
                || lengths.clone(),
                |lengths| black_box(mask_joined_utf16(&units, lengths, &masker)),
                BatchSize::LargeInput,
            );
        });
    }
    group.finish();
}

fn bench_hash_short(c: &mut Criterion) {
    let data = short_values();
    let refs: Vec<Option<&str>> = data.iter().map(Option::as_deref).collect();
    let mut group = c.benchmark_group("values/hash-short");
    group.throughput(Throughput::Elements(data.len() as u64));
    group.sample_size(10);
    let keyed = MaskOptions {
        hash_key: Some(b"a secret key".to_vec()),
    };
    for (name, options) in [("HASH", MaskOptions::default()), ("HASH keyed", keyed)] {
        group.bench_with_input(BenchmarkId::from_parameter(name), &refs, |b, refs| {
            b.iter(|| black_box(mask_column_packed(refs, MaskType::Hash, &options)));
        });
    }
    group.finish();
}

criterion_group!(benches, bench_masks, bench_utf16, bench_hash_short);
criterion_main!(benches);
