//! Boundaries (GeoJSON), CRS detection, and the join to a table.

mod common;

use careneed::inputs::boundaries::{
    Boundaries, BoundaryOptions, CrsSource, parse_boundaries, read_boundaries,
};
use careneed::inputs::crs::Crs;
use careneed::inputs::join::join;
use careneed::inputs::table::{TableSpec, parse_table};
use careneed::report::Level;
use careneed::{Location, Problem, Report};
use std::path::Path;

/// A closed square ring of side `d` with its lower-left corner at (x, y).
fn square(x: f64, y: f64, d: f64) -> String {
    format!(
        "[[{x},{y}],[{},{y}],[{},{}],[{x},{}],[{x},{y}]]",
        x + d,
        x + d,
        y + d,
        y + d
    )
}

fn feature(code: &str, geometry: &str) -> String {
    format!(
        r#"{{"type":"Feature","properties":{{"code":"{code}","name":"n"}},"geometry":{geometry}}}"#
    )
}

fn polygon(ring: &str) -> String {
    format!(r#"{{"type":"Polygon","coordinates":[{ring}]}}"#)
}

fn collection(features: &[String], crs: Option<&str>) -> Vec<u8> {
    common::geojson::collection_in(features, crs)
}

/// Three SWEREF99 TM squares near Gävle.
fn sweref(crs: Option<&str>) -> Vec<u8> {
    collection(
        &[
            feature(
                "2180C1010",
                &polygon(&square(617_000.0, 6_727_000.0, 500.0)),
            ),
            feature(
                "2180C1020",
                &polygon(&square(617_500.0, 6_727_000.0, 500.0)),
            ),
            feature(
                "2180C1030",
                &polygon(&square(618_000.0, 6_727_000.0, 500.0)),
            ),
        ],
        crs,
    )
}

fn parse(bytes: &[u8]) -> careneed::Result<(Boundaries, Report)> {
    parse_boundaries("deso.geojson", bytes, &BoundaryOptions::default())
}

use common::geojson::input_error;

#[test]
fn declared_sweref_is_read() {
    let (b, report) = parse(&sweref(Some("urn:ogc:def:crs:EPSG::3006"))).unwrap();
    assert_eq!(b.crs, Crs::Sweref99Tm);
    assert_eq!(b.crs_source, CrsSource::Declared);
    assert_eq!(b.areas.len(), 3);
    let area = b.find("2180C1020").unwrap();
    assert_eq!(area.feature, 1);
    assert_eq!(area.properties["name"], "n");
    assert_eq!(area.geometry.0.len(), 1);
    assert_eq!(area.geometry.0[0].exterior().0.len(), 5);
    assert!(b.find("2180C9999").is_none());
    assert!(report.notices.is_empty(), "{:?}", report.notices);
}

#[test]
fn undeclared_crs_is_detected_and_noted() {
    let (b, report) = parse(&sweref(None)).unwrap();
    assert_eq!(
        (b.crs, b.crs_source),
        (Crs::Sweref99Tm, CrsSource::Detected)
    );
    let notice = report.of_kind("crs").next().unwrap();
    assert_eq!(notice.level, Level::Info);
    assert!(notice.message.contains("SWEREF99 TM"));

    let wgs = collection(&[feature("A", &polygon(&square(17.1, 60.6, 0.01)))], None);
    let (b, _) = parse(&wgs).unwrap();
    assert_eq!((b.crs, b.crs_source), (Crs::Wgs84, CrsSource::Detected));
}

#[test]
fn not_json() {
    let (loc, problem) = input_error(parse(
        b"{\"type\": \"FeatureCollection\",\n \"features\": [,]}",
    ));
    assert_eq!(loc, Location::file("deso.geojson"));
    assert!(
        matches!(&problem, Problem::Json(m) if m.contains("line 2")),
        "{problem:?}"
    );
}

#[test]
fn not_a_feature_collection() {
    let single = feature("A", &polygon(&square(17.1, 60.6, 0.01)));
    let (loc, problem) = input_error(parse(single.as_bytes()));
    assert_eq!(loc.field.as_deref(), Some("type"));
    assert!(
        matches!(&problem, Problem::Json(m) if m.contains("\"Feature\"")),
        "{problem:?}"
    );
}

#[test]
fn empty_boundary_file() {
    let (loc, problem) = input_error(parse(b"  \n"));
    assert_eq!(
        (loc, problem),
        (Location::file("deso.geojson"), Problem::Empty)
    );
}

#[test]
fn ring_with_too_few_positions() {
    let bad = polygon("[[617000,6727000],[617500,6727000],[617000,6727000]]");
    let bytes = collection(
        &[
            feature(
                "2180C1010",
                &polygon(&square(617_000.0, 6_727_000.0, 500.0)),
            ),
            feature("2180C1020", &bad),
        ],
        None,
    );
    let (loc, problem) = input_error(parse(&bytes));
    assert_eq!(loc.feature, Some(1));
    assert_eq!(loc.code.as_deref(), Some("2180C1020"));
    assert_eq!(loc.field.as_deref(), Some("geometry"));
    assert_eq!(problem, Problem::TooFewRingPoints { ring: 0, points: 3 });
}

#[test]
fn ring_not_closed() {
    let open = polygon(
        "[[617000,6727000],[617500,6727000],[617500,6727500],[617000,6727500],[617000,6727001]]",
    );
    let bytes = collection(&[feature("2180C1010", &open)], None);
    let (loc, problem) = input_error(parse(&bytes));
    assert_eq!(loc.feature, Some(0));
    assert_eq!(loc.code.as_deref(), Some("2180C1010"));
    assert_eq!(loc.field.as_deref(), Some("geometry"));
    assert_eq!(problem, Problem::RingNotClosed { ring: 0 });
}

#[test]
fn hole_not_closed_names_the_ring() {
    let geometry = format!(
        r#"{{"type":"Polygon","coordinates":[{},[[617100,6727100],[617200,6727100],[617200,6727200],[617100,6727200]]]}}"#,
        square(617_000.0, 6_727_000.0, 500.0)
    );
    let (loc, problem) = input_error(parse(&collection(&[feature("A", &geometry)], None)));
    assert_eq!(loc.field.as_deref(), Some("geometry"));
    assert_eq!(problem, Problem::RingNotClosed { ring: 1 });
}

#[test]
fn bad_coordinate() {
    let geometry = polygon(r#"[[617000,6727000],[617500,"x"],[617500,6727500],[617000,6727000]]"#);
    let (loc, problem) = input_error(parse(&collection(&[feature("A", &geometry)], None)));
    assert_eq!(
        (loc.feature, loc.field.as_deref()),
        (Some(0), Some("geometry"))
    );
    assert_eq!(
        problem,
        Problem::BadCoordinate {
            value: r#"[617500,"x"]"#.into()
        }
    );
}

#[test]
fn coordinates_that_fit_no_crs() {
    let bytes = collection(
        &[
            feature("A", &polygon(&square(617_000.0, 6_727_000.0, 500.0))),
            feature(
                "B",
                &polygon(&square(617_000.0, 6_727_000.0, 500.0).replace("6727000", "9727000")),
            ),
        ],
        None,
    );
    let (loc, problem) = input_error(parse(&bytes));
    assert_eq!(loc.feature, Some(1));
    assert_eq!(loc.code.as_deref(), Some("B"));
    assert_eq!(loc.field.as_deref(), Some("geometry"));
    assert_eq!(
        problem,
        Problem::UnknownCrs {
            x: 617_000.0,
            y: 9_727_000.0
        }
    );
}

#[test]
fn declared_sweref_with_degree_coordinates() {
    let bytes = collection(
        &[feature("A", &polygon(&square(17.1, 60.6, 0.01)))],
        Some("urn:ogc:def:crs:EPSG::3006"),
    );
    let (loc, problem) = input_error(parse(&bytes));
    assert_eq!(
        (loc.feature, loc.field.as_deref()),
        (Some(0), Some("geometry"))
    );
    assert_eq!(loc.code.as_deref(), Some("A"));
    assert_eq!(
        problem,
        Problem::CrsMismatch {
            declared: Crs::Sweref99Tm.to_string(),
            detected: Crs::Wgs84.to_string()
        }
    );
}

/// Without PROJ, a code careneed does not know is an error that says how to get PROJ
/// (with it, `tests/crs_proj.rs` reads EPSG:3022).
#[cfg(not(feature = "proj"))]
#[test]
fn unsupported_declared_crs() {
    let (loc, problem) = input_error(parse(&sweref(Some("EPSG:3022"))));
    assert_eq!(loc.field.as_deref(), Some("crs"));
    assert_eq!(problem, Problem::UnsupportedCrs("EPSG:3022".into()));
    assert!(problem.to_string().contains("--features proj"), "{problem}");
}

#[test]
fn a_crs_name_that_is_no_epsg_code_is_unsupported() {
    let (loc, problem) = input_error(parse(&sweref(Some("RT90 5 gon V"))));
    assert_eq!(loc.field.as_deref(), Some("crs"));
    assert_eq!(problem, Problem::UnsupportedCrs("RT90 5 gon V".into()));
}

#[test]
fn explicit_crs_overrides_the_file() {
    // The file wrongly declares WGS84; the caller knows better.
    let bytes = sweref(Some("urn:ogc:def:crs:OGC:1.3:CRS84"));
    let (loc, problem) = input_error(parse(&bytes));
    assert_eq!(loc.feature, Some(0));
    assert!(matches!(problem, Problem::CrsMismatch { .. }));

    let options = BoundaryOptions {
        crs: Some(Crs::Sweref99Tm),
        ..BoundaryOptions::default()
    };
    let (b, report) = parse_boundaries("deso.geojson", &bytes, &options).unwrap();
    assert_eq!((b.crs, b.crs_source), (Crs::Sweref99Tm, CrsSource::Given));
    assert_eq!(report.of_kind("crs").count(), 1);

    // An explicit setting the coordinates contradict is still an error.
    let options = BoundaryOptions {
        crs: Some(Crs::Wgs84),
        ..BoundaryOptions::default()
    };
    let (loc, problem) = input_error(parse_boundaries("deso.geojson", &sweref(None), &options));
    assert_eq!(loc.feature, Some(0));
    assert_eq!(
        problem,
        Problem::CrsMismatch {
            declared: Crs::Wgs84.to_string(),
            detected: Crs::Sweref99Tm.to_string()
        }
    );
}

#[test]
fn null_geometry() {
    let bytes = collection(
        &[
            feature("A", &polygon(&square(17.1, 60.6, 0.01))),
            feature("B", "null"),
        ],
        None,
    );
    let (loc, problem) = input_error(parse(&bytes));
    assert_eq!(loc.feature, Some(1));
    assert_eq!(loc.code.as_deref(), Some("B"));
    assert_eq!(loc.field.as_deref(), Some("geometry"));
    assert_eq!(
        problem,
        Problem::GeometryType {
            found: "null".into(),
            expected: "Polygon or MultiPolygon".into()
        }
    );
}

#[test]
fn point_geometry() {
    let bytes = collection(
        &[feature(
            "A",
            r#"{"type":"Point","coordinates":[17.1,60.6]}"#,
        )],
        None,
    );
    let (loc, problem) = input_error(parse(&bytes));
    assert_eq!(
        (loc.feature, loc.field.as_deref()),
        (Some(0), Some("geometry"))
    );
    assert!(matches!(problem, Problem::GeometryType { found, .. } if found == "Point"));
}

#[test]
fn multipolygon_is_accepted() {
    let multi = format!(
        r#"{{"type":"MultiPolygon","coordinates":[[{}],[{}]]}}"#,
        square(17.1, 60.6, 0.01),
        square(17.2, 60.6, 0.01)
    );
    let bytes = collection(&[feature("A", &multi)], None);
    let (b, _) = parse(&bytes).unwrap();
    assert_eq!(b.areas[0].geometry.0.len(), 2);
}

/// The fast reader (typed coordinates) and the general one give the same areas:
/// heights ignored, members in any order, foreign members and integers accepted,
/// escaped strings and a repeated member (the last wins) handled.
#[test]
fn odd_but_valid_geojson_reads_the_same_coordinates() {
    let plain = sweref(None);
    let odd = br#"{"features":[
      {"geometry":{"coordinates":[[[617000,6727000,12.5],[617500,6727000,0],[617500.0,6727500],[617000,6727500],[617000,6727000]]],"bbox":[0,0,1,1],"type":"Polygon"},
       "id":7,"properties":{"name":"n","code":"2180C1010"},"type":"Feature"},
      {"type":"Feature","properties":{"code":"2180\u0043\u0031020"},"geometry":{"type":"Point","coordinates":[0,0]},
       "geometry":{"type":"MultiPolygon","coordinates":[[[[617500,6727000],[618000,6727000],[618000,6727500],[617500,6727500],[617500,6727000]]]]}},
      {"type":"Feature","properties":{"code":"2180C1030"},"geometry":{"type":"Polygon","coordinates":[[[618000,6727000],[618500,6727000],[618500,6727500],[618000,6727500],[618000,6727000]]]}}
    ],"type":"FeatureCollection"}"#;
    let (a, _) = parse(&plain).unwrap();
    let (b, _) = parse(odd).unwrap();
    let codes = |x: &Boundaries| x.areas.iter().map(|a| a.code.clone()).collect::<Vec<_>>();
    assert_eq!(codes(&a), codes(&b));
    for (x, y) in a.areas.iter().zip(&b.areas) {
        assert_eq!(x.geometry, y.geometry, "{}", x.code);
    }
}

#[test]
fn numeric_code_property() {
    let bytes = format!(
        r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"kommunkod":2180}},"geometry":{}}}]}}"#,
        polygon(&square(17.1, 60.6, 0.01))
    );
    let options = BoundaryOptions {
        code_field: "kommunkod".into(),
        ..BoundaryOptions::default()
    };
    let (b, report) = parse_boundaries("k.geojson", bytes.as_bytes(), &options).unwrap();
    assert_eq!(b.areas[0].code, "2180");
    assert!(b.find("2180").is_some());
    assert_eq!(report.of_kind("numeric_code").count(), 1);
}

#[test]
fn missing_code_property_lists_the_properties() {
    let bytes = sweref(None);
    let options = BoundaryOptions {
        code_field: "deso".into(),
        ..BoundaryOptions::default()
    };
    let (loc, problem) = input_error(parse_boundaries("deso.geojson", &bytes, &options));
    assert_eq!(loc.feature, Some(0));
    assert_eq!(loc.field.as_deref(), Some("deso"));
    assert!(
        matches!(&problem, Problem::Invalid(m) if m.contains("no property \"deso\"") && m.contains("code, name")),
        "{problem:?}"
    );
}

#[test]
fn duplicate_and_empty_codes() {
    let bytes = collection(
        &[
            feature("A", &polygon(&square(17.1, 60.6, 0.01))),
            feature("B", &polygon(&square(17.2, 60.6, 0.01))),
            feature("A", &polygon(&square(17.3, 60.6, 0.01))),
        ],
        None,
    );
    let (loc, problem) = input_error(parse(&bytes));
    assert_eq!(loc.feature, Some(2));
    assert_eq!(loc.code.as_deref(), Some("A"));
    assert_eq!(loc.field.as_deref(), Some("code"));
    assert_eq!(
        problem,
        Problem::DuplicateCode {
            code: "A".into(),
            first: "feature 0".into()
        }
    );

    let bytes = collection(&[feature(" ", &polygon(&square(17.1, 60.6, 0.01)))], None);
    let (loc, problem) = input_error(parse(&bytes));
    assert_eq!((loc.feature, loc.field.as_deref()), (Some(0), Some("code")));
    assert_eq!(problem, Problem::EmptyCode);
}

#[test]
fn to_crs_round_trip() {
    let (b, _) = parse(&sweref(Some("EPSG:3006"))).unwrap();
    let wgs = b.to_crs(Crs::Wgs84).unwrap();
    assert_eq!(wgs.crs, Crs::Wgs84);
    let c = wgs.areas[0].geometry.0[0].exterior().0[0];
    assert!(
        (17.0..17.3).contains(&c.x) && (60.6..60.75).contains(&c.y),
        "{c:?}"
    );
    assert_eq!(wgs.find("2180C1030").unwrap().feature, 2);
    let back = wgs.to_crs(Crs::Sweref99Tm).unwrap();
    for (a, z) in b.areas.iter().zip(&back.areas) {
        assert_eq!(a.code, z.code);
        for (p, q) in a.geometry.0[0]
            .exterior()
            .0
            .iter()
            .zip(&z.geometry.0[0].exterior().0)
        {
            assert!(
                (p.x - q.x).abs() < 1e-3 && (p.y - q.y).abs() < 1e-3,
                "{p:?} {q:?}"
            );
        }
    }
    // A transformed copy is itself a valid input in the new CRS.
    assert_eq!(b.to_crs(Crs::Sweref99Tm).unwrap(), b);
}

#[test]
fn join_reports_both_kinds_of_mismatch() {
    let (b, _) = parse(&sweref(None)).unwrap();
    let csv = "code,births,first_births\n2180C1030,10,4\n2180C9999,8,3\n2180C1010,7,2\n";
    let (table, _) = parse_table("births.csv", csv.as_bytes(), &TableSpec::births()).unwrap();
    let mut report = Report::default();
    let joined = join(&table, &b, &mut report);
    assert_eq!(joined.pairs, [(0, 2), (2, 0)]);
    assert_eq!(joined.table_only, [1]);
    assert_eq!(joined.boundaries_only, [1]);

    let table_only: Vec<_> = report.of_kind("table_only").collect();
    assert_eq!(table_only.len(), 1);
    assert_eq!(table_only[0].level, Level::Warning);
    assert_eq!(
        table_only[0].location,
        Location::file("births.csv")
            .at_line(3)
            .with_code("2180C9999")
    );
    let boundaries_only: Vec<_> = report.of_kind("boundaries_only").collect();
    assert_eq!(boundaries_only.len(), 1);
    assert_eq!(boundaries_only[0].level, Level::Warning);
    assert_eq!(
        boundaries_only[0].location,
        Location::file("deso.geojson")
            .at_feature(1)
            .with_code("2180C1020")
    );
}

#[test]
fn reads_a_fixture_file() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/inputs/two_areas_wgs84.geojson");
    let (b, report) = read_boundaries(&path, &BoundaryOptions::default()).unwrap();
    assert_eq!(b.source, path.display().to_string());
    assert_eq!((b.crs, b.crs_source), (Crs::Wgs84, CrsSource::Declared));
    assert_eq!(b.areas.len(), 2);
    assert_eq!(b.find("2180C1020").unwrap().properties["name"], "Sätra");
    assert!(report.notices.is_empty());
}

#[test]
fn real_dalarna_deso() {
    let Some((b, report)) = common::geojson::dalarna_deso() else {
        return;
    };
    assert_eq!(b.areas.len(), 175);
    assert_eq!(
        (b.crs, b.crs_source),
        (Crs::Sweref99Tm, CrsSource::Declared)
    );
    assert!(report.notices.is_empty(), "{:?}", report.notices);
    let area = b.find("2021A0010").unwrap();
    assert_eq!(area.feature, 0);
    assert_eq!(area.properties["kommunnamn"], "Vansbro");
    assert!(
        b.areas
            .iter()
            .all(|a| a.code.len() == 9 && a.code.starts_with("20"))
    );
    let wgs = b.to_crs(Crs::Wgs84).unwrap();
    let c = wgs.areas[0].geometry.0[0].exterior().0[0];
    assert!(
        (12.0..17.0).contains(&c.x) && (59.5..62.5).contains(&c.y),
        "{c:?}"
    );
}

/// Without the `gpkg` feature (`default-features = false`), a GeoPackage is an error
/// that says which feature reads it. Run with
/// `cargo test --no-default-features --test inputs_boundaries`.
#[cfg(not(feature = "gpkg"))]
#[test]
fn a_geopackage_needs_the_gpkg_feature() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deso.gpkg");
    std::fs::write(&path, b"SQLite format 3\0").unwrap();
    let (loc, problem) = input_error(read_boundaries(&path, &BoundaryOptions::default()));
    assert_eq!(loc.file, path.display().to_string());
    assert!(problem.to_string().contains("`gpkg` feature"), "{problem}");
}
