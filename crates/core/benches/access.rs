//! Access-engine benchmarks at the scale of the access issue: 1,000 personas + purposes × 10
//! policies, 10,000 users, requests over 100,000 distinct assets with 0–3 tags
//! (`steward_core::access::scenario`). Targets: median decision ≤ 0.5 µs, compile ≤ 50 ms.
//!
//! Run: `cargo bench -p steward-core --bench access` (add `-- --quick` for a short run).
//!
//! - `decide/batch` — the per-decision cost as an application sees it: batches of 1,000
//!   requests (consecutive slices of 100,000 requests over 100,000 distinct assets), each batch
//!   freshly built just before it is decided, like a batch parsed from JSON by `decideMany`.
//! - `decide/cold` — one request at a time, cycling through all 100,000 pre-built requests:
//!   each request's strings are cold in the cache, so this adds the harness's own cache misses.
//! - `compile`, `parse_json`, `parse_json_and_compile` — building the engine.
//!
//! Before the criterion groups, each decision of 30 fresh batches is also timed on its own and
//! the median and tail are printed (criterion's figures are means over many decisions).

// Bench code: a failed unwrap is a broken bench.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use steward_core::access::scenario::{generate, requests, ScenarioSize};
use steward_core::access::{AccessConfig, PolicyEngine, Request};

const BATCH: usize = 1_000;

fn access(c: &mut Criterion) {
    let scenario = generate(ScenarioSize::default(), 42);
    let config = &scenario.config;
    let policies: usize = config.personas.iter().map(|p| p.policies.len()).sum::<usize>()
        + config.purposes.iter().map(|p| p.policies.len()).sum::<usize>();
    eprintln!(
        "scenario: {} personas, {} purposes, {policies} policies, {} users, {} distinct assets",
        config.personas.len(),
        config.purposes.len(),
        config.users.len(),
        scenario.assets.len()
    );
    let engine = PolicyEngine::compile(config).unwrap_or_else(|e| panic!("{e}"));
    let all = requests(&scenario, 100_000, 7);
    let decided: Vec<_> = all.iter().filter_map(|r| engine.decide(r).ok()).collect();
    let allowed = decided.iter().filter(|d| d.allowed).count();
    let matched: usize = decided.iter().map(|d| d.policies.len()).sum();
    eprintln!(
        "{} requests: {allowed} allowed, {:.1} matched policies per decision on average",
        all.len(),
        matched as f64 / all.len() as f64
    );
    latency_percentiles(&engine, &all);

    let mut group = c.benchmark_group("access");
    group.measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements(BATCH as u64));
    let mut next = 0usize;
    group.bench_function("decide/batch", |b| {
        b.iter_batched(
            || fresh_batch(&all, &mut next),
            |batch| black_box(engine.decide_many(&batch)),
            BatchSize::LargeInput,
        )
    });
    group.finish();

    // One request at a time; reported per decision.
    let mut group = c.benchmark_group("access");
    group.measurement_time(Duration::from_secs(5));
    let mut i = 0usize;
    group.bench_function("decide/cold", |b| {
        b.iter(|| {
            i = (i + 1) % all.len();
            black_box(engine.decide(black_box(&all[i])))
        })
    });
    group.finish();

    let mut group = c.benchmark_group("access");
    group.measurement_time(Duration::from_secs(5));
    group.sample_size(20);
    group.bench_function("compile", |b| b.iter(|| black_box(PolicyEngine::compile(black_box(config)))));
    let text = serde_json::to_string(config).unwrap_or_default();
    eprintln!("config JSON: {} bytes", text.len());
    group.bench_function("parse_json", |b| b.iter(|| black_box(AccessConfig::from_json_str(black_box(&text)))));
    group.bench_function("parse_json_and_compile", |b| b.iter(|| black_box(PolicyEngine::from_json_str(black_box(&text)))));
    group.finish();
}

/// The next `BATCH` requests, cloned now so their data is as warm as a freshly parsed batch.
fn fresh_batch(all: &[Request], next: &mut usize) -> Vec<Request> {
    let start = *next % all.len();
    *next = start + BATCH;
    all.iter().cycle().skip(start).take(BATCH).cloned().collect()
}

/// Times each decision of 30 fresh batches on its own (timer overhead included).
fn latency_percentiles(engine: &PolicyEngine, all: &[Request]) {
    let mut nanos: Vec<u128> = Vec::with_capacity(30 * BATCH);
    let mut next = 0usize;
    for _ in 0..30 {
        let batch = fresh_batch(all, &mut next);
        for request in &batch {
            let start = Instant::now();
            black_box(engine.decide(black_box(request)).ok());
            nanos.push(start.elapsed().as_nanos());
        }
    }
    nanos.sort_unstable();
    let at = |q: f64| nanos.get(((nanos.len() as f64 - 1.0) * q) as usize).copied().unwrap_or_default();
    let timer = {
        let start = Instant::now();
        for _ in 0..1000 {
            black_box(Instant::now());
        }
        start.elapsed().as_nanos() / 1000
    };
    eprintln!(
        "per-decision latency ({} decisions, fresh batches): p50 {} ns, p90 {} ns, p99 {} ns (timer overhead ≈ {timer} ns)",
        nanos.len(),
        at(0.5),
        at(0.9),
        at(0.99),
    );
}

criterion_group!(benches, access);
criterion_main!(benches);
