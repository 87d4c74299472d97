//! GeoPackage boundaries: the real SCB DeSO file against its GeoJSON twin, and small
//! GeoPackages written here for every rule (layers, code column, geometry, CRS).
#![cfg(feature = "gpkg")]

mod common;

use careneed::inputs::boundaries::{BoundaryOptions, CrsSource, read_boundaries};
use careneed::inputs::crs::Crs;
use careneed::{Error, Location, Problem};
use common::gpkg::{
    add_layer, blob, create, insert, multipolygon_wkb, point_wkb, polygon_wkb, square,
};
use geo::Area as _;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn input_error(result: careneed::Result<impl Sized>) -> (Location, Problem) {
    match result {
        Err(Error::Input { location, problem }) => (location, problem),
        Err(other) => panic!("expected an input error, got {other:?}"),
        Ok(_) => panic!("expected an input error, got Ok"),
    }
}

fn code(field: &str) -> BoundaryOptions {
    BoundaryOptions {
        code_field: field.into(),
        ..BoundaryOptions::default()
    }
}

/// A square polygon blob in SWEREF99 TM near Gävle, offset by `i` km.
fn sweref_square(i: usize) -> Vec<u8> {
    let x = 617_000.0 + 1000.0 * i as f64;
    blob(
        3006,
        &polygon_wkb(&[square(x, 6_727_000.0, 500.0)]),
        None,
        false,
    )
}

/// A GeoPackage in a fresh temporary folder with one layer `deso` (fid, geom, deso,
/// name) holding the given geometries, codes A, B, C, ….
fn one_layer(srs_id: i64, geoms: Vec<Option<Vec<u8>>>) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deso.gpkg");
    let db = create(&path, &[]);
    add_layer(&db, "deso", srs_id, &["deso", "name"]);
    for (i, g) in geoms.into_iter().enumerate() {
        let code = ((b'A' + i as u8) as char).to_string();
        insert(&db, "deso", 10 + i as i64, g, &[&code, "n"]);
    }
    (dir, path)
}

#[test]
fn real_dalarna_deso_matches_its_geojson_twin() {
    let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/real");
    let gpkg = real.join("deso2018_dalarna_sweref99tm.gpkg");
    let geojson = real.join("deso2018_dalarna_sweref99tm.geojson");
    if !gpkg.exists() || !geojson.exists() {
        println!(
            "skipped: the real Dalarna DeSO files are not at {} (see ../shared/data/real/README.md)",
            real.display()
        );
        return;
    }
    let (g, report) = read_boundaries(&gpkg, &code("deso")).unwrap();
    let (j, _) = read_boundaries(&geojson, &code("deso")).unwrap();
    assert_eq!(g.areas.len(), 175);
    assert_eq!(
        (g.crs, g.crs_source),
        (Crs::Sweref99Tm, CrsSource::Declared)
    );
    assert!(report.notices.is_empty(), "{:?}", report.notices);
    let areas = |b: &careneed::inputs::boundaries::Boundaries| {
        b.areas
            .iter()
            .map(|a| (a.code.clone(), a.geometry.unsigned_area()))
            .collect::<BTreeMap<_, _>>()
    };
    let (ga, ja) = (areas(&g), areas(&j));
    assert_eq!(ga.keys().collect::<Vec<_>>(), ja.keys().collect::<Vec<_>>());
    for (code, a) in &ga {
        let b = ja[code];
        assert!((a - b).abs() <= 1e-6 * b, "{code}: {a} vs {b}");
    }
    let total: f64 = ga.values().sum();
    assert!((total / 1e6 - 30_377.0).abs() < 1.0, "{total}");
    // Other columns are properties; the primary key and geometry are not.
    let area = g.find("2021A0010").unwrap();
    assert_eq!(area.properties["kommunnamn"], "Vansbro");
    assert!(!area.properties.contains_key("fid") && !area.properties.contains_key("geom"));
    // The only layer is chosen without a name, and by its name too.
    let options = BoundaryOptions {
        layer: Some("deso_dalarna".into()),
        ..code("deso")
    };
    assert_eq!(read_boundaries(&gpkg, &options).unwrap().0, g);
}

#[test]
fn several_layers_need_a_name_and_unknown_names_list_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("two.gpkg");
    let db = create(&path, &[]);
    add_layer(&db, "deso", 3006, &["code"]);
    add_layer(&db, "regso", 3006, &["code"]);
    insert(&db, "deso", 1, Some(sweref_square(0)), &["2180C1010"]);
    insert(&db, "regso", 1, Some(sweref_square(0)), &["2180R001"]);
    drop(db);

    let (loc, problem) = input_error(read_boundaries(&path, &BoundaryOptions::default()));
    assert_eq!(loc.field.as_deref(), Some("layer"));
    let message = problem.to_string();
    assert!(
        message.contains("2 feature layers (deso, regso)"),
        "{message}"
    );
    assert!(message.contains("--layer"), "{message}");

    let options = BoundaryOptions {
        layer: Some("kommun".into()),
        ..BoundaryOptions::default()
    };
    let (loc, problem) = input_error(read_boundaries(&path, &options));
    assert_eq!(loc.field.as_deref(), Some("layer"));
    assert_eq!(
        problem.to_string(),
        "no feature layer \"kommun\"; the file has: deso, regso"
    );

    for name in ["regso", "REGSO"] {
        let options = BoundaryOptions {
            layer: Some(name.into()),
            ..BoundaryOptions::default()
        };
        let (b, _) = read_boundaries(&path, &options).unwrap();
        assert_eq!(b.areas[0].code, "2180R001");
    }
}

#[test]
fn a_point_geometry_names_the_fid() {
    let point = blob(3006, &point_wkb(617_000.0, 6_727_000.0), None, false);
    let (_dir, path) = one_layer(3006, vec![Some(sweref_square(0)), Some(point)]);
    let (loc, problem) = input_error(read_boundaries(&path, &code("deso")));
    assert_eq!(loc.fid, Some(11));
    assert_eq!(loc.code.as_deref(), Some("B"));
    assert_eq!(loc.field.as_deref(), Some("geom"));
    assert_eq!(
        problem,
        Problem::GeometryType {
            found: "Point".into(),
            expected: "Polygon or MultiPolygon".into()
        }
    );
    let message = Error::input(loc, problem).to_string();
    assert!(
        message.contains("deso.gpkg, fid 11 (code B), field \"geom\": geometry type Point"),
        "{message}"
    );
}

#[test]
fn a_missing_code_column_lists_the_columns() {
    let (_dir, path) = one_layer(3006, vec![Some(sweref_square(0))]);
    let (loc, problem) = input_error(read_boundaries(&path, &code("kod")));
    assert_eq!(loc.field.as_deref(), Some("kod"));
    assert_eq!(loc.fid, None);
    assert_eq!(
        problem,
        Problem::MissingColumn {
            column: "kod".into(),
            available: "deso, name".into(),
            hint: "; name the code column with --code-field or the scenario's [inputs] code_field"
                .into()
        }
    );
    // The default `code` is missing too; a differently cased name is found.
    assert!(read_boundaries(&path, &BoundaryOptions::default()).is_err());
    assert_eq!(read_boundaries(&path, &code("DESO")).unwrap().0.len(), 1);
}

#[test]
fn an_empty_geometry_is_an_error() {
    let empty_polygon = blob(3006, &polygon_wkb(&[]), None, true);
    let empty_multi = blob(3006, &multipolygon_wkb(&[]), None, true);
    for (geom, what) in [
        (empty_polygon, "the Polygon is empty"),
        (empty_multi, "the MultiPolygon is empty"),
    ] {
        let (_dir, path) = one_layer(3006, vec![Some(sweref_square(0)), Some(geom)]);
        let (loc, problem) = input_error(read_boundaries(&path, &code("deso")));
        assert_eq!((loc.fid, loc.code.as_deref()), (Some(11), Some("B")));
        assert!(
            matches!(&problem, Problem::Invalid(m) if m.starts_with(what)),
            "{problem}"
        );
    }
    // SQL NULL is no geometry at all.
    let (_dir, path) = one_layer(3006, vec![None]);
    let (loc, problem) = input_error(read_boundaries(&path, &code("deso")));
    assert_eq!(loc.fid, Some(10));
    assert!(matches!(problem, Problem::GeometryType { ref found, .. } if found == "null"));
}

#[test]
fn rings_follow_the_geojson_rules() {
    let x = 617_000.0;
    let y = 6_727_000.0;
    let cases: Vec<(Vec<(f64, f64)>, Problem)> = vec![
        (
            vec![(x, y), (x + 1.0, y), (x, y)],
            Problem::TooFewRingPoints { ring: 0, points: 3 },
        ),
        (
            vec![(x, y), (x + 1.0, y), (x + 1.0, y + 1.0), (x, y + 1.0)],
            Problem::RingNotClosed { ring: 0 },
        ),
        (
            vec![(x, y), (f64::NAN, y), (x + 1.0, y + 1.0), (x, y)],
            Problem::BadCoordinate {
                value: format!("(NaN, {y})"),
            },
        ),
    ];
    for (ring, expected) in cases {
        let geom = blob(3006, &polygon_wkb(&[ring]), None, false);
        let (_dir, path) = one_layer(3006, vec![Some(geom)]);
        let (loc, problem) = input_error(read_boundaries(&path, &code("deso")));
        assert_eq!(loc.fid, Some(10));
        assert_eq!(problem, expected);
    }
    // A hole is ring 1 of its polygon.
    let geom = blob(
        3006,
        &polygon_wkb(&[
            square(x, y, 100.0),
            vec![(x + 1.0, y + 1.0), (x + 2.0, y + 1.0), (x + 1.0, y + 1.0)],
        ]),
        None,
        false,
    );
    let (_dir, path) = one_layer(3006, vec![Some(geom)]);
    let (_, problem) = input_error(read_boundaries(&path, &code("deso")));
    assert_eq!(problem, Problem::TooFewRingPoints { ring: 1, points: 3 });
}

#[test]
fn multipolygons_with_an_envelope_and_properties() {
    let multi = multipolygon_wkb(&[
        vec![square(617_000.0, 6_727_000.0, 100.0)],
        vec![square(618_000.0, 6_727_000.0, 200.0)],
    ]);
    let geom = blob(
        3006,
        &multi,
        Some([617_000.0, 618_200.0, 6_727_000.0, 6_727_200.0]),
        false,
    );
    let (_dir, path) = one_layer(3006, vec![Some(geom), Some(sweref_square(3))]);
    let (b, report) = read_boundaries(&path, &code("deso")).unwrap();
    assert!(report.notices.is_empty(), "{:?}", report.notices);
    assert_eq!(b.areas.len(), 2);
    let a = &b.areas[0];
    assert_eq!((a.feature, a.code.as_str()), (0, "A"));
    assert_eq!(a.geometry.0.len(), 2);
    assert!((a.geometry.unsigned_area() - 50_000.0).abs() < 1e-6);
    assert_eq!(a.properties["name"], "n");
    assert_eq!(b.areas[1].feature, 1);
}

#[test]
fn codes_repeated_empty_or_numeric() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.gpkg");
    let db = create(&path, &[]);
    db.execute_batch(
        "CREATE TABLE k (fid INTEGER PRIMARY KEY, geom BLOB, kommunkod INTEGER, pop REAL, pic BLOB);
         INSERT INTO gpkg_contents (table_name, data_type, srs_id) VALUES ('k', 'features', 3006);
         INSERT INTO gpkg_geometry_columns VALUES ('k', 'geom', 'POLYGON', 3006, 0, 0);",
    )
    .unwrap();
    for (fid, kod) in [(1, 2180), (2, 2181)] {
        db.execute(
            "INSERT INTO k VALUES (?1, ?2, ?3, 12.5, x'00')",
            rusqlite::params![fid, sweref_square(fid as usize), kod],
        )
        .unwrap();
    }
    let (b, report) = read_boundaries(&path, &code("kommunkod")).unwrap();
    assert_eq!(b.areas[1].code, "2181");
    assert_eq!(b.areas[1].properties["pop"], 12.5);
    assert!(!b.areas[1].properties.contains_key("pic"));
    assert_eq!(report.of_kind("numeric_code").count(), 1);
    assert_eq!(report.of_kind("blob_columns").count(), 1);

    db.execute(
        "INSERT INTO k VALUES (7, ?1, 2180, 1, NULL)",
        [sweref_square(5)],
    )
    .unwrap();
    let (loc, problem) = input_error(read_boundaries(&path, &code("kommunkod")));
    assert_eq!(loc.fid, Some(7));
    assert_eq!(
        problem,
        Problem::DuplicateCode {
            code: "2180".into(),
            first: "fid 1".into()
        }
    );
    db.execute("UPDATE k SET kommunkod = NULL WHERE fid = 7", [])
        .unwrap();
    let (loc, problem) = input_error(read_boundaries(&path, &code("kommunkod")));
    assert_eq!((loc.fid, problem), (Some(7), Problem::EmptyCode));
}

#[test]
fn crs_from_srs_id_with_the_geojson_rules() {
    // Declared WGS84, but the coordinates are metres.
    let (_dir, path) = one_layer(4326, vec![Some(sweref_square(0))]);
    let (loc, problem) = input_error(read_boundaries(&path, &code("deso")));
    assert_eq!(loc.fid, Some(10));
    assert!(matches!(problem, Problem::CrsMismatch { .. }), "{problem}");
    // An explicit setting overrides the declaration.
    let options = BoundaryOptions {
        crs: Some(Crs::Sweref99Tm),
        ..code("deso")
    };
    let (b, report) = read_boundaries(&path, &options).unwrap();
    assert_eq!((b.crs, b.crs_source), (Crs::Sweref99Tm, CrsSource::Given));
    assert_eq!(report.of_kind("crs").count(), 1);
    // The undefined systems declare nothing: detected.
    for srs in [-1, 0] {
        let (_dir, path) = one_layer(srs, vec![Some(sweref_square(0))]);
        let (b, _) = read_boundaries(&path, &code("deso")).unwrap();
        assert_eq!(
            (b.crs, b.crs_source),
            (Crs::Sweref99Tm, CrsSource::Detected)
        );
    }
    // Degrees, declared WGS84.
    let wgs = blob(4326, &polygon_wkb(&[square(17.1, 60.6, 0.01)]), None, false);
    let (_dir, path) = one_layer(4326, vec![Some(wgs)]);
    let (b, _) = read_boundaries(&path, &code("deso")).unwrap();
    assert_eq!((b.crs, b.crs_source), (Crs::Wgs84, CrsSource::Declared));
}

#[test]
fn unsupported_organisation_and_missing_srs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("esri.gpkg");
    let db = create(&path, &[(102100, "ESRI", 102100, "WGS 84 / Web Mercator")]);
    add_layer(&db, "deso", 102100, &["deso"]);
    insert(&db, "deso", 1, Some(sweref_square(0)), &["A"]);
    let (loc, problem) = input_error(read_boundaries(&path, &code("deso")));
    assert_eq!(loc.field.as_deref(), Some("srs_id"));
    assert_eq!(
        problem,
        Problem::UnsupportedCrs("ESRI:102100 (WGS 84 / Web Mercator)".into())
    );
    db.execute("UPDATE gpkg_geometry_columns SET srs_id = 9999", [])
        .unwrap();
    let (_, problem) = input_error(read_boundaries(&path, &code("deso")));
    assert!(problem.to_string().contains("srs_id 9999"), "{problem}");
}

#[cfg(not(feature = "proj"))]
#[test]
fn an_epsg_code_only_proj_knows_needs_the_feature() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mercator.gpkg");
    let db = create(&path, &[(3857, "EPSG", 3857, "WGS 84 / Pseudo-Mercator")]);
    add_layer(&db, "deso", 3857, &["deso"]);
    insert(&db, "deso", 1, Some(sweref_square(0)), &["A"]);
    let (loc, problem) = input_error(read_boundaries(&path, &code("deso")));
    assert_eq!(loc.field.as_deref(), Some("srs_id"));
    assert_eq!(problem, Problem::UnsupportedCrs("EPSG:3857".into()));
    assert!(problem.to_string().contains("--features proj"), "{problem}");
}

#[test]
fn not_a_geopackage() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deso.gpkg");
    std::fs::write(&path, "this is not SQLite").unwrap();
    let (loc, problem) = input_error(read_boundaries(&path, &code("deso")));
    assert_eq!(loc.file, path.display().to_string());
    assert!(matches!(problem, Problem::Invalid(_)), "{problem}");
    // An SQLite file without the GeoPackage tables.
    std::fs::remove_file(&path).unwrap();
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE t (a INTEGER);")
        .unwrap();
    let (_, problem) = input_error(read_boundaries(&path, &code("deso")));
    assert!(
        problem.to_string().contains("not a GeoPackage"),
        "{problem}"
    );
    // A missing file is an I/O error.
    let missing = dir.path().join("missing.gpkg");
    assert!(matches!(
        read_boundaries(&missing, &code("deso")),
        Err(Error::Io { .. })
    ));
}

#[test]
fn z_values_are_ignored() {
    // ISO WKB Polygon Z (type 1003): x, y, z per position.
    let mut wkb = vec![1u8];
    wkb.extend(1003u32.to_le_bytes());
    wkb.extend(1u32.to_le_bytes());
    let ring = square(617_000.0, 6_727_000.0, 100.0);
    wkb.extend((ring.len() as u32).to_le_bytes());
    for (x, y) in &ring {
        for v in [*x, *y, 42.0] {
            wkb.extend(v.to_le_bytes());
        }
    }
    let (_dir, path) = one_layer(3006, vec![Some(blob(3006, &wkb, None, false))]);
    let (b, _) = read_boundaries(&path, &code("deso")).unwrap();
    let exterior = b.areas[0].geometry.0[0].exterior();
    assert_eq!(exterior.0.len(), 5);
    assert!((b.areas[0].geometry.unsigned_area() - 10_000.0).abs() < 1e-6);
}
