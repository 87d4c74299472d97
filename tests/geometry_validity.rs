//! Bad geometry in boundary files (issue 3's "bad input" list): self-intersecting
//! polygons (refused, or repaired and reported on request), holes outside their
//! shell, empty geometries, and overlapping areas.

mod common;

use careneed::inputs::boundaries::{BoundaryOptions, parse_boundaries};
use careneed::inputs::validate::{overlaps, report_overlaps};
use careneed::report::Level;
use careneed::{Problem, Report};
use common::geojson::{collection, dalarna_deso, feature, input_error};
use geo::Area;

/// A closed ring through the given corners, offset into SWEREF99 TM near Gävle.
fn ring(corners: &[(f64, f64)]) -> String {
    let mut positions: Vec<String> = corners
        .iter()
        .map(|(x, y)| format!("[{},{}]", 617_000.0 + x, 6_727_000.0 + y))
        .collect();
    positions.push(positions[0].clone());
    format!("[{}]", positions.join(","))
}

fn polygon(rings: &[&[(f64, f64)]]) -> String {
    let rings: Vec<String> = rings.iter().map(|r| ring(r)).collect();
    format!(
        r#"{{"type":"Polygon","coordinates":[{}]}}"#,
        rings.join(",")
    )
}

const SQUARE: &[(f64, f64)] = &[(0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0)];
/// Crosses itself at (50, 50): two triangles of 2 500 m² each.
const BOWTIE: &[(f64, f64)] = &[(0.0, 0.0), (100.0, 100.0), (100.0, 0.0), (0.0, 100.0)];

#[test]
fn self_intersecting_polygon_is_refused_naming_feature_and_code() {
    let bytes = collection(&[
        feature("2180C1010", &polygon(&[SQUARE])),
        feature("2180C1020", &polygon(&[BOWTIE])),
    ]);
    let result = parse_boundaries("deso.geojson", &bytes, &BoundaryOptions::default());
    let (location, problem) = input_error(result);
    assert_eq!(location.file, "deso.geojson");
    assert_eq!(location.feature, Some(1));
    assert_eq!(location.code.as_deref(), Some("2180C1020"));
    assert_eq!(location.field.as_deref(), Some("geometry"));
    let Problem::InvalidGeometry { reason } = &problem else {
        panic!("{problem:?}")
    };
    assert!(reason.contains("self-intersection"), "{reason}");
    assert!(problem.to_string().contains("--repair"), "{problem}");
}

#[test]
fn self_intersecting_polygon_is_repaired_and_reported_on_request() {
    let bytes = collection(&[
        feature("2180C1010", &polygon(&[SQUARE])),
        feature("2180C1020", &polygon(&[BOWTIE])),
    ]);
    let options = BoundaryOptions {
        repair: true,
        ..BoundaryOptions::default()
    };
    let (b, report) = parse_boundaries("deso.geojson", &bytes, &options).unwrap();
    let fixed = &b.find("2180C1020").unwrap().geometry;
    assert_eq!(fixed.0.len(), 2, "a bow-tie repairs into its two triangles");
    assert!((fixed.unsigned_area() - 5_000.0).abs() < 1e-6);
    // The valid square is untouched.
    assert!((b.areas[0].geometry.unsigned_area() - 10_000.0).abs() < 1e-9);
    let notices: Vec<_> = report.of_kind("repaired_geometry").collect();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].level, Level::Warning);
    assert_eq!(notices[0].location.code.as_deref(), Some("2180C1020"));
    assert!(notices[0].message.contains("5000.000000"), "{}", notices[0]);
}

#[test]
fn hole_outside_its_shell_is_invalid() {
    let hole: &[(f64, f64)] = &[
        (200.0, 200.0),
        (210.0, 200.0),
        (210.0, 210.0),
        (200.0, 210.0),
    ];
    let bytes = collection(&[feature("A", &polygon(&[SQUARE, hole]))]);
    let (location, problem) = input_error(parse_boundaries(
        "holes.geojson",
        &bytes,
        &BoundaryOptions::default(),
    ));
    assert_eq!(location.code.as_deref(), Some("A"));
    let Problem::InvalidGeometry { reason } = problem else {
        panic!()
    };
    assert!(reason.contains("interior ring"), "{reason}");
}

#[test]
fn a_valid_hole_is_kept() {
    let hole: &[(f64, f64)] = &[(40.0, 40.0), (60.0, 40.0), (60.0, 60.0), (40.0, 60.0)];
    let bytes = collection(&[feature("A", &polygon(&[SQUARE, hole]))]);
    let (b, report) =
        parse_boundaries("holes.geojson", &bytes, &BoundaryOptions::default()).unwrap();
    assert!((b.areas[0].geometry.unsigned_area() - 9_600.0).abs() < 1e-9);
    assert_eq!(report.warnings(), 0);
}

#[test]
fn multipolygon_parts_sharing_an_edge_are_invalid() {
    let right: Vec<(f64, f64)> = SQUARE.iter().map(|&(x, y)| (x + 100.0, y)).collect();
    let multi = format!(
        r#"{{"type":"MultiPolygon","coordinates":[[{}],[{}]]}}"#,
        ring(SQUARE),
        ring(&right)
    );
    let bytes = collection(&[feature("A", &multi)]);
    let (_, problem) = input_error(parse_boundaries(
        "multi.geojson",
        &bytes,
        &BoundaryOptions::default(),
    ));
    assert!(
        matches!(problem, Problem::InvalidGeometry { .. }),
        "{problem:?}"
    );
}

#[test]
fn empty_geometries_are_errors() {
    for (geometry, expected) in [
        (r#"{"type":"Polygon","coordinates":[]}"#, "has no rings"),
        (r#"{"type":"MultiPolygon","coordinates":[]}"#, "no polygons"),
        (r#"{"type":"Polygon","coordinates":[[]]}"#, "0 positions"),
        (
            r#"{"type":"GeometryCollection","geometries":[]}"#,
            "GeometryCollection",
        ),
    ] {
        let bytes = collection(&[feature("A", geometry)]);
        let (location, problem) = input_error(parse_boundaries(
            "empty.geojson",
            &bytes,
            &BoundaryOptions::default(),
        ));
        assert_eq!(location.feature, Some(0), "{geometry}");
        assert_eq!(location.field.as_deref(), Some("geometry"), "{geometry}");
        assert!(
            problem.to_string().contains(expected),
            "{geometry}: {problem}"
        );
    }
}

#[test]
fn overlapping_areas_are_found_and_named() {
    let shifted: Vec<(f64, f64)> = SQUARE.iter().map(|&(x, y)| (x + 75.0, y)).collect();
    let far: Vec<(f64, f64)> = SQUARE.iter().map(|&(x, y)| (x + 1000.0, y)).collect();
    let neighbour: Vec<(f64, f64)> = SQUARE.iter().map(|&(x, y)| (x, y + 100.0)).collect();
    let bytes = collection(&[
        feature("B", &polygon(&[SQUARE])),
        feature("A", &polygon(&[&shifted])),
        feature("C", &polygon(&[&far])),
        feature("D", &polygon(&[&neighbour])), // shares an edge with B only
    ]);
    let (b, _) = parse_boundaries("o.geojson", &bytes, &BoundaryOptions::default()).unwrap();
    let found = overlaps(&b, 1e-6);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].a, found[0].b), (0, 1));
    assert!((found[0].area - 2_500.0).abs() < 1e-6);
    assert!((found[0].share - 0.25).abs() < 1e-9);
    let mut report = Report::default();
    report_overlaps(&b, &found, &mut report);
    let notices: Vec<_> = report.of_kind("overlapping_areas").collect();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].level, Level::Warning);
    assert!(
        notices[0]
            .message
            .contains("areas B and A overlap by 25.0%")
            && notices[0].message.contains("go to A"),
        "{}",
        notices[0]
    );
}

#[test]
fn real_dalarna_deso_are_valid_and_do_not_overlap() {
    let Some((b, report)) = dalarna_deso() else {
        return;
    };
    assert_eq!(report.of_kind("repaired_geometry").count(), 0);
    // SCB's DeSO tile the county; neighbours share edges, digitised to 1 mm.
    let found = overlaps(&b, 1e-6);
    assert!(found.is_empty(), "{:?}", &found[..found.len().min(5)]);
}

/// Output geometry (issue 14, item 1): every real Dalarna DeSO, reprojected to
/// WGS84 and rounded for RFC 7946, is still valid under OGC simple features
/// (geo's validation), as the source polygons are.
#[test]
fn real_dalarna_deso_stay_valid_after_reprojection_and_rounding() {
    use careneed::inputs::crs::Crs;
    use careneed::outputs::geojson::rfc7946;
    use geo::Validation;
    let Some((b, _)) = dalarna_deso() else { return };
    let wgs = b.to_crs(Crs::Wgs84).unwrap();
    let mut naive_invalid = 0;
    for area in &wgs.areas {
        let naive = geo::MapCoords::map_coords(&area.geometry, |c| {
            geo::coord! {
                x: (c.x * 1e6).round() / 1e6,
                y: (c.y * 1e6).round() / 1e6,
            }
        });
        naive_invalid += usize::from(!naive.is_valid());
        let out = rfc7946(&area.geometry);
        assert!(
            out.is_valid(),
            "{}: {:?}",
            area.code,
            out.validation_errors()
        );
        // Within 1e-6 degrees (≈ 0.1 m) or finer of the source.
        for (a, b) in geo::CoordsIter::coords_iter(&out).zip(geo::CoordsIter::coords_iter(
            &geo::orient::Orient::orient(&area.geometry, geo::orient::Direction::Default),
        )) {
            assert!((a.x - b.x).abs() <= 5e-7 && (a.y - b.y).abs() <= 5e-7);
        }
    }
    println!(
        "rounded to 6 decimals alone, {naive_invalid} of {} areas were invalid",
        wgs.areas.len()
    );
}
