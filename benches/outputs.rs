//! Benchmarks of the output stage: map classes (exact Fisher–Jenks is `O(k·n²)`)
//! at DeSO scale for Sweden (≈ 6 000 areas).
//!
//! `cargo bench --bench outputs`

use careneed::outputs::classify::{Scheme, classify};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

/// 6 000 CNI-like values (log-normal-ish around 1), seeded.
fn values(n: usize) -> Vec<f64> {
    let mut state = 2180u64;
    (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let u = ((state >> 11) as f64) / (1u64 << 53) as f64;
            (0.5 * (u - 0.5) * 2.0).exp()
        })
        .collect()
}

fn classes(c: &mut Criterion) {
    let v = values(6_000);
    let mut group = c.benchmark_group("classify_6000");
    group.sample_size(10);
    group.bench_function("fisher_jenks_k9", |b| {
        b.iter(|| classify(black_box(&v), &Scheme::FisherJenks, 9, "YlOrRd").unwrap())
    });
    group.bench_function("quantiles_k9", |b| {
        b.iter(|| classify(black_box(&v), &Scheme::Quantiles, 9, "YlOrRd").unwrap())
    });
    group.finish();
}

criterion_group!(benches, classes);
criterion_main!(benches);
