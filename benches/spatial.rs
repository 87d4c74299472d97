//! Benchmarks of the spatial stage: building the area index and assigning points.
//!
//! * `assign_demo`: the demo's 16 866 children → 172 synthetic areas.
//! * `interpolate_demo_to_municipalities`: area-weighted interpolation of two
//!   extensive columns, 172 areas → 10 municipalities.
//! * `catchments_nearest_bvc_demo`: 172 areas → 25 BVC catchments by the nearest BVC
//!   to each area's population-weighted centroid, with the dissolve.
//! * `assign_dalarna`: 100 000 seeded points in the bounding box of the real Dalarna
//!   DeSO polygons (175 areas, SCB's full resolution) from `../shared/data/real`;
//!   skipped with a message when that file is absent.
//!
//! `cargo bench --bench spatial`

use careneed::inputs::boundaries::{BoundaryOptions, read_boundaries};
use careneed::inputs::points::{Points, read_points};
use careneed::spatial::{AreaIndex, assign};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;

fn demo(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo");
    let (areas, _) =
        read_boundaries(&dir.join("deso.geojson"), &BoundaryOptions::default()).unwrap();
    let (points, _) = read_points(&dir.join("children.csv"), "x", "y").unwrap();
    c.bench_function("index_demo_172", |b| {
        b.iter(|| AreaIndex::new(black_box(&areas)))
    });
    let index = AreaIndex::new(&areas);
    c.bench_function("assign_demo_16866", |b| {
        b.iter(|| assign(&index, black_box(&points), &|_| {}))
    });
}

fn dalarna(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/real/deso2018_dalarna_sweref99tm.geojson");
    if !path.exists() {
        eprintln!("skipped assign_dalarna: {} not found", path.display());
        return;
    }
    let options = BoundaryOptions {
        code_field: "deso".into(),
        ..BoundaryOptions::default()
    };
    let (areas, _) = read_boundaries(&path, &options).unwrap();
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for a in &areas.areas {
        for p in &a.geometry.0 {
            for c in p.exterior().0.iter() {
                x0 = x0.min(c.x);
                y0 = y0.min(c.y);
                x1 = x1.max(c.x);
                y1 = y1.max(c.y);
            }
        }
    }
    // Seeded uniform points (SplitMix64) in the bounding box.
    let mut state = 2024u64;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut csv = String::from("x,y\n");
    for _ in 0..100_000 {
        csv.push_str(&format!(
            "{},{}\n",
            x0 + next() * (x1 - x0),
            y0 + next() * (y1 - y0)
        ));
    }
    let (points, _): (Points, _) =
        careneed::inputs::points::parse_points("bench.csv", csv.as_bytes(), "x", "y").unwrap();
    let index = AreaIndex::new(&areas);
    c.bench_function("assign_dalarna_100k", |b| {
        b.iter(|| assign(&index, black_box(&points), &|_| {}))
    });
}

fn interpolation_and_catchments(c: &mut Criterion) {
    use careneed::inputs::table::{TableSpec, read_table};
    use careneed::spatial::catchments::{nearest_bvc, read_bvc_points};
    use careneed::spatial::interpolate::{InterpolateSpec, interpolate};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo");
    let (areas, _) =
        read_boundaries(&dir.join("deso.geojson"), &BoundaryOptions::default()).unwrap();
    let options = BoundaryOptions {
        code_field: "kommunkod".into(),
        ..BoundaryOptions::default()
    };
    let (municipalities, _) =
        read_boundaries(&dir.join("municipalities.geojson"), &options).unwrap();
    let (table, _) = read_table(&dir.join("areas.csv"), &TableSpec::areas()).unwrap();
    let spec = InterpolateSpec::new(&["population", "under5"], &[]);
    c.bench_function("interpolate_demo_to_municipalities", |b| {
        b.iter(|| interpolate(black_box(&areas), &table, &municipalities, &spec, None).unwrap())
    });
    let (bvcs, _, _) = read_bvc_points(&dir.join("bvc.geojson"), "bvc").unwrap();
    let (mut children, _) = read_points(&dir.join("children.csv"), "x", "y").unwrap();
    children.declare_crs(areas.crs).unwrap();
    c.bench_function("catchments_nearest_bvc_demo", |b| {
        b.iter(|| nearest_bvc(black_box(&areas), &bvcs, Some(&children)).unwrap())
    });
}

criterion_group!(benches, demo, interpolation_and_catchments, dalarna);
criterion_main!(benches);
