//! Point-in-polygon assignment: the edge rule, holes, MultiPolygons, bad points,
//! CRS checks, and the bundled demo against a brute-force check.

mod common;

use careneed::inputs::boundaries::{BoundaryOptions, parse_boundaries, read_boundaries};
use careneed::inputs::crs::Crs;
use careneed::inputs::points::{check_crs, parse_points, read_points};
use careneed::spatial::{AreaIndex, assign, assign_checked, cni_by_listing};
use careneed::{Error, Problem};
use geo::{Contains, Point};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

const E: f64 = 600_000.0;
const N: f64 = 6_700_000.0;

/// A SWEREF99 TM square [x0, x0 + 1] × [y0, y0 + 1] (offset by E, N), as GeoJSON coordinates.
fn square(x0: f64, y0: f64) -> String {
    let (x0, y0) = (E + x0, N + y0);
    format!(
        "[[{x0},{y0}],[{x1},{y0}],[{x1},{y1}],[{x0},{y1}],[{x0},{y0}]]",
        x1 = x0 + 1.0,
        y1 = y0 + 1.0
    )
}

use common::geojson::{collection, feature};

fn points_csv(rows: &[(f64, f64)]) -> Vec<u8> {
    let mut csv = String::from("id,x,y\n");
    for (i, (x, y)) in rows.iter().enumerate() {
        csv.push_str(&format!("p{i},{},{}\n", E + x, N + y));
    }
    csv.into_bytes()
}

/// Square "B" at [0,1]² (feature 0) and square "A" at [1,2]×[0,1] (feature 1).
fn two_squares() -> careneed::inputs::boundaries::Boundaries {
    let geojson = collection(&[
        feature(
            "B",
            &format!(
                r#"{{"type":"Polygon","coordinates":[{}]}}"#,
                square(0.0, 0.0)
            ),
        ),
        feature(
            "A",
            &format!(
                r#"{{"type":"Polygon","coordinates":[{}]}}"#,
                square(1.0, 0.0)
            ),
        ),
    ]);
    parse_boundaries("squares.geojson", &geojson, &BoundaryOptions::default())
        .unwrap()
        .0
}

#[test]
fn shared_edge_and_vertex_go_to_the_smaller_code() {
    let areas = two_squares();
    let index = AreaIndex::new(&areas);
    assert_eq!(index.crs(), Crs::Sweref99Tm);
    let rows = [
        (0.5, 0.5),    // line 2: interior of B
        (1.5, 0.5),    // line 3: interior of A
        (1.0, 0.5),    // line 4: shared edge → A (smaller code)
        (1.0, 0.0),    // line 5: shared vertex → A
        (1.0, 1.0),    // line 6: shared vertex → A
        (0.0, 0.5),    // line 7: B's outer edge, only B's closure → B
        (0.0, 0.0),    // line 8: B's corner → B
        (2.0, 1.0),    // line 9: A's corner → A
        (5.0, 5.0),    // line 10: outside
        (-0.001, 0.5), // line 11: just outside
    ];
    let (points, report) = parse_points("p.csv", &points_csv(&rows), "x", "y").unwrap();
    assert_eq!(report.warnings(), 0);
    let done = AtomicU64::new(0);
    let assignment = assign(&index, &points, &|n| {
        done.fetch_add(n, Ordering::Relaxed);
    });
    assert_eq!(done.load(Ordering::Relaxed), rows.len() as u64);
    assert_eq!(
        assignment.area,
        [
            Some(0),
            Some(1),
            Some(1),
            Some(1),
            Some(1),
            Some(0),
            Some(0),
            Some(1),
            None,
            None
        ]
    );
    assert_eq!(assignment.counts, [3, 5]);
    assert_eq!(assignment.outside, [10, 11]);
    assert_eq!(assignment.assigned(), 8);
    assert_eq!(
        String::from_utf8(assignment.counts_csv(&areas)).unwrap(),
        "code,count\nB,3\nA,5\n"
    );
    // locate agrees.
    assert_eq!(index.locate(E + 1.0, N + 0.25), Some(1));
    assert_eq!(index.locate(f64::NAN, N), None);
}

#[test]
fn byte_order_not_file_order_decides() {
    // Swap the codes: now the left square has the smaller code.
    let geojson = collection(&[
        feature(
            "2180C1010",
            &format!(
                r#"{{"type":"Polygon","coordinates":[{}]}}"#,
                square(0.0, 0.0)
            ),
        ),
        feature(
            "2180C1020",
            &format!(
                r#"{{"type":"Polygon","coordinates":[{}]}}"#,
                square(1.0, 0.0)
            ),
        ),
    ]);
    let (areas, _) = parse_boundaries("s.geojson", &geojson, &BoundaryOptions::default()).unwrap();
    let index = AreaIndex::new(&areas);
    assert_eq!(index.locate(E + 1.0, N + 0.5), Some(0));
    assert_eq!(index.locate(E + 1.0, N + 1.0), Some(0));
}

#[test]
fn a_point_in_a_hole_is_outside() {
    // A 4×4 square with a 2×2 hole in the middle; "Z" fills the hole.
    let outer = format!(
        "[[{e},{n}],[{e4},{n}],[{e4},{n4}],[{e},{n4}],[{e},{n}]]",
        e = E,
        n = N,
        e4 = E + 4.0,
        n4 = N + 4.0
    );
    let hole = format!(
        "[[{e1},{n1}],[{e1},{n3}],[{e3},{n3}],[{e3},{n1}],[{e1},{n1}]]",
        e1 = E + 1.0,
        n1 = N + 1.0,
        e3 = E + 3.0,
        n3 = N + 3.0
    );
    let ring = feature(
        "R",
        &format!(r#"{{"type":"Polygon","coordinates":[{outer},{hole}]}}"#),
    );
    let (areas, _) = parse_boundaries(
        "ring.geojson",
        &collection(std::slice::from_ref(&ring)),
        &BoundaryOptions::default(),
    )
    .unwrap();
    let index = AreaIndex::new(&areas);
    let rows = [(2.0, 2.0), (0.5, 0.5), (1.0, 2.0)];
    let (points, _) = parse_points("p.csv", &points_csv(&rows), "x", "y").unwrap();
    let assignment = assign(&index, &points, &|_| {});
    // In the hole: outside; in the ring: R; on the hole's rim: R's closure.
    assert_eq!(assignment.area, [None, Some(0), Some(0)]);
    assert_eq!(assignment.outside, [2]);
    assert_eq!(assignment.counts, [2]);

    // With "Z" filling the hole, the hole point is Z's, the rim point goes to R (R < Z).
    let filler = feature(
        "Z",
        &format!(r#"{{"type":"Polygon","coordinates":[{hole}]}}"#),
    );
    let (areas, _) = parse_boundaries(
        "ring.geojson",
        &collection(&[ring, filler]),
        &BoundaryOptions::default(),
    )
    .unwrap();
    let assignment = assign(&AreaIndex::new(&areas), &points, &|_| {});
    assert_eq!(assignment.area, [Some(1), Some(0), Some(0)]);
    assert!(assignment.outside.is_empty());
}

#[test]
fn multipolygon_parts_count_for_one_area() {
    let geojson = collection(&[
        feature(
            "M",
            &format!(
                r#"{{"type":"MultiPolygon","coordinates":[[{}],[{}]]}}"#,
                square(0.0, 0.0),
                square(10.0, 10.0)
            ),
        ),
        feature(
            "K",
            &format!(
                r#"{{"type":"Polygon","coordinates":[{}]}}"#,
                square(5.0, 5.0)
            ),
        ),
    ]);
    let (areas, _) = parse_boundaries("m.geojson", &geojson, &BoundaryOptions::default()).unwrap();
    let rows = [
        (0.5, 0.5),
        (10.5, 10.5),
        (5.5, 5.5),
        (7.0, 7.0),
        (11.0, 11.0),
    ];
    let (points, _) = parse_points("p.csv", &points_csv(&rows), "x", "y").unwrap();
    let assignment = assign(&AreaIndex::new(&areas), &points, &|_| {});
    assert_eq!(assignment.area, [Some(0), Some(0), Some(1), None, Some(0)]);
    assert_eq!(assignment.counts, [3, 1]);
    assert_eq!(assignment.outside, [5]);
}

#[test]
fn bad_coordinates_are_reported_with_their_line() {
    let csv = b"id,x,y\na,617000,6728000\nb,,6728000\nc,NaN,6728000\nd,617000,inf\ne,617000,abc\nf,617001,6728001\n";
    let (points, report) = parse_points("kids.csv", csv, "x", "y").unwrap();
    assert_eq!(points.lines, [2, 7]);
    assert_eq!(
        points.coords,
        [[617000.0, 6728000.0], [617001.0, 6728001.0]]
    );
    let lines: Vec<u64> = points.rejected.iter().map(|r| r.0).collect();
    assert_eq!(lines, [3, 4, 5, 6]);
    assert_eq!(points.rejected[0].1, "empty x coordinate");
    assert!(points.rejected[1].1.contains("non-finite"));
    assert!(points.rejected[3].1.contains("non-numeric"));
    let notices: Vec<_> = report.of_kind("bad_point").collect();
    assert_eq!(notices.len(), 4);
    assert_eq!(notices[0].location.file, "kids.csv");
    assert_eq!(notices[0].location.line, Some(3));
    assert_eq!(notices[0].location.field.as_deref(), Some("x"));
    assert_eq!(notices[2].location.line, Some(5));
    assert_eq!(notices[2].location.field.as_deref(), Some("y"));
    assert_eq!(report.warnings(), 4);
}

#[test]
fn semicolon_files_take_decimal_commas() {
    let csv = "id;x;y\na;617000,5;6728000,25\n".as_bytes();
    let (points, _) = parse_points("kids.csv", csv, "x", "y").unwrap();
    assert_eq!(points.coords, [[617000.5, 6728000.25]]);
}

#[test]
fn a_missing_coordinate_column_is_an_error() {
    let err = parse_points("kids.csv", b"id,x,northing\na,1,2\n", "x", "y").unwrap_err();
    match err {
        Error::Input { location, problem } => {
            assert_eq!(location.file, "kids.csv");
            assert_eq!(location.line, Some(1));
            assert_eq!(location.field.as_deref(), Some("y"));
            assert!(matches!(problem, Problem::MissingColumn { ref column, .. } if column == "y"));
        }
        other => panic!("expected an input error, got {other:?}"),
    }
}

#[test]
fn degrees_declared_as_sweref_is_an_error() {
    let csv = b"id,lon,lat\na,617000,6728000\nb,17.14,60.67\n";
    let (mut points, _) = parse_points("kids.csv", csv, "lon", "lat").unwrap();
    let err = check_crs(&points, Crs::Sweref99Tm).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("line 3")
            && message.contains("degrees")
            && message.contains("SWEREF99 TM"),
        "{message}"
    );
    match &err {
        Error::Input { location, problem } => {
            assert_eq!(location.line, Some(3));
            assert_eq!(location.field.as_deref(), Some("lon"));
            assert!(matches!(problem, Problem::CrsMismatch { .. }));
        }
        other => panic!("expected an input error, got {other:?}"),
    }
    assert!(points.declare_crs(Crs::Sweref99Tm).is_err());
    assert_eq!(points.crs, None);
    // Metres declared as degrees fail at line 2.
    let err = check_crs(&points, Crs::Wgs84).unwrap_err();
    assert_eq!(err.location().and_then(|l| l.line), Some(2));
}

#[test]
fn assign_checked_refuses_points_in_another_crs() {
    let areas = two_squares();
    let index = AreaIndex::new(&areas);
    let (mut points, _) = parse_points("p.csv", b"x,y\n17.1,60.6\n", "x", "y").unwrap();
    points.declare_crs(Crs::Wgs84).unwrap();
    let err = assign_checked(&index, &points).unwrap_err();
    assert!(err.to_string().contains("WGS84"), "{err}");
    let (mut points, _) = parse_points("p.csv", &points_csv(&[(0.5, 0.5)]), "x", "y").unwrap();
    points.declare_crs(Crs::Sweref99Tm).unwrap();
    assert_eq!(assign_checked(&index, &points).unwrap().counts, [1, 0]);
}

#[test]
fn demo_children_all_assigned_and_brute_force_agrees() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo");
    let (areas, _) =
        read_boundaries(&demo.join("deso.geojson"), &BoundaryOptions::default()).unwrap();
    let (mut children, report) = read_points(&demo.join("children.csv"), "x", "y").unwrap();
    assert_eq!(report.warnings(), 0);
    assert!(children.rejected.is_empty());
    assert_eq!(children.columns, ["child_id", "age", "bvc"]);
    children.declare_crs(Crs::Sweref99Tm).unwrap();
    let total = children.len() as u64;
    assert_eq!(total, 16_866);

    let index = AreaIndex::new(&areas);
    let done = AtomicU64::new(0);
    let assignment = assign(&index, &children, &|n| {
        done.fetch_add(n, Ordering::Relaxed);
    });
    assert_eq!(done.load(Ordering::Relaxed), total);
    assert_eq!(assignment.outside, Vec::<u64>::new());
    assert_eq!(assignment.counts.len(), areas.len());
    assert_eq!(assignment.counts.iter().sum::<u64>(), total);
    assert_eq!(assign_checked(&index, &children).unwrap(), assignment);

    // Brute force: every polygon, geo::Contains (interior). Demo children are never
    // on an edge, so exactly one area contains each.
    for (i, &[x, y]) in children.coords.iter().enumerate() {
        let p = Point::new(x, y);
        let containing: Vec<usize> = areas
            .areas
            .iter()
            .enumerate()
            .filter(|(_, a)| a.geometry.contains(&p))
            .map(|(a, _)| a)
            .collect();
        assert_eq!(containing.len(), 1, "line {}", children.lines[i]);
        assert_eq!(
            assignment.area[i],
            Some(containing[0]),
            "line {}",
            children.lines[i]
        );
    }

    let csv = String::from_utf8(assignment.counts_csv(&areas)).unwrap();
    assert_eq!(csv.lines().count(), areas.len() + 1);
    assert!(csv.starts_with("code,count\n"));

    // CNI per BVC from the listing: a made-up CNI per area, one area without.
    let mut cni: BTreeMap<String, f64> = areas
        .areas
        .iter()
        .enumerate()
        .map(|(i, a)| (a.code.clone(), 0.5 + i as f64 / 100.0))
        .collect();
    let busiest = (0..areas.len())
        .max_by_key(|&a| assignment.counts[a])
        .unwrap();
    cni.remove(&areas.areas[busiest].code);
    let listing = cni_by_listing(&children, &assignment, &areas, &cni, "bvc").unwrap();
    assert_eq!(listing.len(), 25);
    assert_eq!(listing.iter().map(|l| l.children).sum::<u64>(), total);
    assert_eq!(
        listing.iter().map(|l| l.with_cni).sum::<u64>(),
        total - assignment.counts[busiest]
    );
    assert!(listing.windows(2).all(|w| w[0].bvc < w[1].bvc));
    // Recompute one BVC by hand.
    let bvc_col = children.column("bvc").unwrap();
    let first = &listing[0];
    let values: Vec<f64> = (0..children.len())
        .filter(|&i| children.value(i, bvc_col) == Some(first.bvc.as_str()))
        .filter_map(|i| {
            cni.get(&areas.areas[assignment.area[i].unwrap()].code)
                .copied()
        })
        .collect();
    assert_eq!(first.with_cni, values.len() as u64);
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    assert!((first.mean_cni.unwrap() - mean).abs() < 1e-12);

    let err = cni_by_listing(&children, &assignment, &areas, &cni, "clinic").unwrap_err();
    assert!(matches!(
        err,
        Error::Input {
            problem: Problem::MissingColumn { .. },
            ..
        }
    ));
}

#[test]
fn listing_counts_children_outside_but_not_with_cni() {
    let areas = two_squares();
    let csv = format!(
        "x,y,bvc\n{},{},V1\n{},{},V1\n{},{},V2\n",
        E + 0.5,
        N + 0.5,
        E + 9.0,
        N + 9.0,
        E + 1.5,
        N + 0.5
    );
    let (points, _) = parse_points("l.csv", csv.as_bytes(), "x", "y").unwrap();
    let assignment = assign(&AreaIndex::new(&areas), &points, &|_| {});
    let cni = BTreeMap::from([("B".to_string(), 1.5)]);
    let listing = cni_by_listing(&points, &assignment, &areas, &cni, "bvc").unwrap();
    assert_eq!(listing.len(), 2);
    assert_eq!(
        (
            listing[0].bvc.as_str(),
            listing[0].children,
            listing[0].with_cni,
            listing[0].mean_cni
        ),
        ("V1", 2, 1, Some(1.5))
    );
    assert_eq!(
        (
            listing[1].bvc.as_str(),
            listing[1].children,
            listing[1].with_cni,
            listing[1].mean_cni
        ),
        ("V2", 1, 0, None)
    );
}
