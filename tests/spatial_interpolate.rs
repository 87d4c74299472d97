//! Areal interpolation: exact sums on two squares, split weights, intensive means,
//! unallocated shares, missing values, slivers, population weighting and the demo.

use careneed::inputs::boundaries::{Area, Boundaries, BoundaryOptions, CrsSource, read_boundaries};
use careneed::inputs::crs::Crs;
use careneed::inputs::points::parse_points;
use careneed::inputs::table::{ColumnSpec, TableSpec, parse_table, read_table};
use careneed::spatial::interpolate::{
    InterpolateSpec, Interpolated, Missing, Weighting, interpolate,
};
use careneed::{Error, Problem};
use geo::{LineString, MultiPolygon, Polygon};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
}

fn area(code: &str, ring: &[(f64, f64)]) -> Area {
    Area {
        feature: 0,
        code: code.to_string(),
        properties: serde_json::Map::new(),
        geometry: MultiPolygon(vec![Polygon::new(LineString::from(ring.to_vec()), vec![])]),
    }
}

/// The rectangle [x0, x1] × [y0, y1].
fn rect(code: &str, x0: f64, x1: f64, y0: f64, y1: f64) -> Area {
    area(code, &[(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)])
}

fn boundaries(name: &str, areas: Vec<Area>) -> Boundaries {
    Boundaries::new(name.into(), Crs::Sweref99Tm, CrsSource::Given, areas)
}

/// Sources A = [0,1]², B = [1,2]×[0,1].
fn squares() -> Boundaries {
    boundaries(
        "sources",
        vec![rect("A", 0.0, 1.0, 0.0, 1.0), rect("B", 1.0, 2.0, 0.0, 1.0)],
    )
}

/// A table with `pop` (extensive) and `rate` (intensive).
fn table(csv: &str) -> careneed::inputs::table::Table {
    let column = |name: &str, required| ColumnSpec {
        name: name.into(),
        header: name.into(),
        required,
        at_most: vec![],
    };
    let spec = TableSpec {
        key: "code".into(),
        key_header: "code".into(),
        labels: vec![],
        columns: vec![column("pop", true), column("rate", false)],
    };
    parse_table("values.csv", csv.as_bytes(), &spec).unwrap().0
}

const VALUES: &str = "code,pop,rate\nA,10,1\nB,30,3\n";

fn value(out: &Interpolated, target: &str, column: &str) -> Option<f64> {
    let t = out.targets.iter().position(|c| c == target).unwrap();
    let c = out.columns.iter().position(|c| c == column).unwrap();
    out.values[t][c]
}

#[test]
fn one_target_covering_both_squares() {
    let targets = boundaries("targets", vec![rect("T", 0.0, 2.0, 0.0, 1.0)]);
    let spec = InterpolateSpec::new(&["pop"], &["rate"]);
    let out = interpolate(&squares(), &table(VALUES), &targets, &spec, None).unwrap();
    assert_eq!(out.columns, ["pop", "rate"]);
    assert_eq!(value(&out, "T", "pop"), Some(40.0));
    assert!(close(value(&out, "T", "rate").unwrap(), 2.0));
    assert_eq!(out.totals_in, [40.0]);
    assert_eq!(out.totals_out, [40.0]);
    assert!(out.unallocated.is_empty());
    assert_eq!(out.weighting, Weighting::Area);
    assert_eq!(out.missing, Missing::Error);
    assert_eq!(out.report.of_kind("missing").count(), 1);
    assert_eq!(out.to_csv(), b"code,pop,rate\nT,40,2\n");
}

#[test]
fn split_one_quarter_three_quarters() {
    // L covers the left half of A (1/4 of the union), R the rest.
    let targets = boundaries(
        "targets",
        vec![rect("L", 0.0, 0.5, 0.0, 1.0), rect("R", 0.5, 2.0, 0.0, 1.0)],
    );
    let spec = InterpolateSpec::new(&["pop"], &["rate"]);
    let out = interpolate(&squares(), &table(VALUES), &targets, &spec, None).unwrap();
    assert!(close(value(&out, "L", "pop").unwrap(), 5.0));
    assert!(close(value(&out, "R", "pop").unwrap(), 35.0));
    assert!(close(value(&out, "L", "rate").unwrap(), 1.0));
    // (0.5 · 1 + 1 · 3) / 1.5
    assert!(close(value(&out, "R", "rate").unwrap(), 7.0 / 3.0));
    assert!(close(out.totals_out[0], 40.0));
    assert!(out.unallocated.is_empty());
}

#[test]
fn source_half_outside_every_target() {
    let targets = boundaries("targets", vec![rect("T", 0.5, 2.0, 0.0, 1.0)]);
    let spec = InterpolateSpec::new(&["pop"], &["rate"]);
    let out = interpolate(&squares(), &table(VALUES), &targets, &spec, None).unwrap();
    assert_eq!(out.unallocated.len(), 1);
    assert_eq!(out.unallocated[0].0, "A");
    assert!(close(out.unallocated[0].1, 0.5));
    assert_eq!(out.totals_in, [40.0]);
    assert!(close(out.totals_out[0], 40.0 - 5.0));
    assert!(close(value(&out, "T", "pop").unwrap(), 35.0));
    assert!(close(value(&out, "T", "rate").unwrap(), 7.0 / 3.0));
    assert_eq!(out.report.of_kind("unallocated").count(), 1);
}

#[test]
fn missing_values_error_skip_zero() {
    let targets = boundaries("targets", vec![rect("T", 0.0, 2.0, 0.0, 1.0)]);
    let only_a = table("code,pop,rate\nA,10,1\n");
    let spec = |missing| InterpolateSpec {
        missing,
        ..InterpolateSpec::new(&["pop"], &["rate"])
    };

    let err = interpolate(&squares(), &only_a, &targets, &spec(Missing::Error), None).unwrap_err();
    match &err {
        Error::Input { location, .. } => {
            assert_eq!(location.code.as_deref(), Some("B"));
            assert_eq!(location.field.as_deref(), Some("pop"));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("B"), "{err}");

    let out = interpolate(&squares(), &only_a, &targets, &spec(Missing::Skip), None).unwrap();
    assert_eq!(out.missing, Missing::Skip);
    assert_eq!(value(&out, "T", "pop"), Some(10.0));
    assert!(close(value(&out, "T", "rate").unwrap(), 1.0));
    assert_eq!(out.totals_in, [10.0]);
    assert_eq!(out.totals_out, [10.0]);
    assert_eq!(out.report.of_kind("missing_value").count(), 2);

    let out = interpolate(&squares(), &only_a, &targets, &spec(Missing::Zero), None).unwrap();
    assert_eq!(out.missing, Missing::Zero);
    assert_eq!(value(&out, "T", "pop"), Some(10.0));
    assert!(close(value(&out, "T", "rate").unwrap(), 0.5));
    assert_eq!(out.report.of_kind("missing_value").count(), 2);

    // A NaN value is missing too.
    let mut nan = table(VALUES);
    nan.rows[0].values[0] = f64::NAN;
    let err = interpolate(&squares(), &nan, &targets, &spec(Missing::Error), None).unwrap_err();
    assert_eq!(
        err.location().and_then(|l| l.code.as_deref()),
        Some("A"),
        "{err}"
    );
    let out = interpolate(&squares(), &nan, &targets, &spec(Missing::Skip), None).unwrap();
    assert_eq!(value(&out, "T", "pop"), Some(30.0));
}

#[test]
fn missing_column_is_named() {
    let targets = boundaries("targets", vec![rect("T", 0.0, 2.0, 0.0, 1.0)]);
    let spec = InterpolateSpec::new(&["pop"], &["nope"]);
    let err = interpolate(&squares(), &table(VALUES), &targets, &spec, None).unwrap_err();
    match err {
        Error::Input { problem, .. } => assert_eq!(
            problem,
            Problem::MissingColumn {
                column: "nope".into(),
                available: "pop, rate".into(),
                hint: "; --extensive and --intensive name columns of --table".into()
            }
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn sliver_piece_is_dropped() {
    let sources = boundaries("sources", vec![rect("A", 0.0, 1.0, 0.0, 1.0)]);
    let e = 1e-6;
    // T2 is a 1e-6 square in A's corner (a 1e-12 share of A); T1 is the rest.
    let targets = boundaries(
        "targets",
        vec![
            area(
                "T1",
                &[
                    (e, 0.0),
                    (1.0, 0.0),
                    (1.0, 1.0),
                    (0.0, 1.0),
                    (0.0, e),
                    (e, e),
                    (e, 0.0),
                ],
            ),
            rect("T2", 0.0, e, 0.0, e),
        ],
    );
    let values = table("code,pop,rate\nA,10,1\n");
    let spec = InterpolateSpec::new(&["pop"], &["rate"]);
    let out = interpolate(&sources, &values, &targets, &spec, None).unwrap();
    assert!(close(value(&out, "T1", "pop").unwrap(), 10.0));
    assert_eq!(value(&out, "T2", "pop"), None);
    assert_eq!(value(&out, "T2", "rate"), None);
    assert!(out.unallocated.is_empty());
    assert!(close(out.totals_out[0], 10.0));
    assert_eq!(
        out.to_csv(),
        format!("code,pop,rate\nT1,{},1\nT2,,\n", out.values[0][0].unwrap()).as_bytes()
    );

    // Without the tolerance the piece is kept.
    let spec = InterpolateSpec {
        sliver: 0.0,
        ..spec
    };
    let out = interpolate(&sources, &values, &targets, &spec, None).unwrap();
    let tiny = value(&out, "T2", "pop").unwrap();
    assert!(tiny > 0.0 && tiny < 1e-9, "{tiny}");
    assert!(close(out.totals_out[0], 10.0));
}

#[test]
fn population_weighting_uses_points() {
    let targets = boundaries(
        "targets",
        vec![rect("L", 0.0, 0.5, 0.0, 1.0), rect("R", 0.5, 2.0, 0.0, 1.0)],
    );
    // Three of A's four points are in L; B has none (area fallback).
    let csv = b"x,y\n0.25,0.5\n0.1,0.1\n0.4,0.9\n0.75,0.5\n5,5\n";
    let (points, _) = parse_points("points.csv", csv, "x", "y").unwrap();
    let spec = InterpolateSpec {
        weighting: Weighting::Population,
        ..InterpolateSpec::new(&["pop"], &["rate"])
    };
    let out = interpolate(&squares(), &table(VALUES), &targets, &spec, Some(&points)).unwrap();
    assert_eq!(out.weighting, Weighting::Population);
    assert!(close(value(&out, "L", "pop").unwrap(), 7.5));
    assert!(close(value(&out, "R", "pop").unwrap(), 2.5 + 30.0));
    // Intensive values stay area-weighted.
    assert!(close(value(&out, "R", "rate").unwrap(), 7.0 / 3.0));
    assert!(close(out.totals_out[0], 40.0));
    let fallback: Vec<_> = out.report.of_kind("population_fallback").collect();
    assert_eq!(fallback.len(), 1);
    assert_eq!(fallback[0].location.code.as_deref(), Some("B"));

    // Population weighting needs points.
    assert!(interpolate(&squares(), &table(VALUES), &targets, &spec, None).is_err());
}

#[test]
fn demo_population_per_municipality() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo");
    let (deso, _) =
        read_boundaries(&demo.join("deso.geojson"), &BoundaryOptions::default()).unwrap();
    let (areas, _) = read_table(&demo.join("areas.csv"), &TableSpec::areas()).unwrap();
    let options = BoundaryOptions {
        code_field: "kommunkod".into(),
        ..BoundaryOptions::default()
    };
    let (municipalities, _) =
        read_boundaries(&demo.join("municipalities.geojson"), &options).unwrap();
    let spec = InterpolateSpec::new(&["population", "under5"], &[]);

    let start = Instant::now();
    let out = interpolate(&deso, &areas, &municipalities, &spec, None).unwrap();
    eprintln!(
        "demo interpolation: {} DeSO → {} municipalities in {:?}",
        deso.len(),
        municipalities.len(),
        start.elapsed()
    );

    // Expected: the sum of each municipality's areas, by the DeSO's kommunkod.
    let mut expected: BTreeMap<String, f64> = BTreeMap::new();
    for a in &deso.areas {
        let kommun = a.properties["kommunkod"].as_str().unwrap().to_string();
        let row = areas.row(&a.code).unwrap();
        *expected.entry(kommun).or_insert(0.0) += areas.value(row, "population").unwrap();
    }
    assert_eq!(expected.len(), municipalities.len());
    let rel = |a: f64, b: f64| (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0);
    for (code, want) in &expected {
        let got = value(&out, code, "population").unwrap();
        assert!(rel(got, *want), "{code}: {got} vs {want}");
    }
    assert!(out.unallocated.is_empty(), "{:?}", out.unallocated);
    assert_eq!(out.report.warnings(), 0, "{:?}", out.report);
    // The same result on a second run (deterministic order).
    let again = interpolate(&deso, &areas, &municipalities, &spec, None).unwrap();
    assert_eq!(again, out);
    for (i, o) in out.totals_in.iter().zip(&out.totals_out) {
        assert!(rel(*i, *o), "{i} vs {o}");
    }
}
