//! Benchmarks of the score stage on the demo county: reading the area table,
//! SCB's CNI, the research variant, and VTI.
//!
//! `cargo bench --bench scores`

use careneed::inputs::table::{TableSpec, parse_table};
use careneed::scores::{cni, vti};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;

fn demo(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/demo")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn scores(c: &mut Criterion) {
    let areas = demo("areas.csv");
    let centres = demo("bvc_vti.csv");
    let (table, _) = parse_table("areas.csv", &areas, &TableSpec::areas()).unwrap();
    let (bvc, _) = parse_table("bvc_vti.csv", &centres, &TableSpec::bvc_vti()).unwrap();

    c.bench_function("read_area_table_172", |b| {
        b.iter(|| parse_table("areas.csv", black_box(&areas), &TableSpec::areas()).unwrap())
    });
    c.bench_function("cni_scb_172", |b| {
        b.iter(|| cni::compute(black_box(&table), &cni::CniSpec::default()).unwrap())
    });
    let research = cni::CniSpec {
        method: cni::Method::Research,
        ..cni::CniSpec::default()
    };
    c.bench_function("research_variant_172", |b| {
        b.iter(|| cni::compute(black_box(&table), &research).unwrap())
    });
    c.bench_function("vti_25", |b| {
        b.iter(|| vti::compute(black_box(&bvc), &vti::VtiSpec::default()).unwrap())
    });
}

criterion_group!(benches, scores);
criterion_main!(benches);
