//! Feature `proj`: careneed's pure-Rust transforms (proj4rs) against PROJ itself, and
//! inputs in EPSG codes only PROJ knows, reprojected to SWEREF99 TM as they are read.
#![cfg(feature = "proj")]

mod common;

use careneed::inputs::boundaries::{BoundaryOptions, CrsSource, parse_boundaries, read_boundaries};
use careneed::inputs::crs::{Crs, SwerefZone, Transformer};
use careneed::inputs::points::parse_points;
use careneed::inputs::reproject::EpsgTransform;
use careneed::{Error, Problem};

/// Longitude/latitude every half degree across Sweden (and a margin), limited to
/// `lon_range`.
fn grid(lon_range: (f64, f64)) -> Vec<(f64, f64)> {
    let mut points = Vec::new();
    let mut lat = 55.0;
    while lat <= 69.5 {
        let mut lon = lon_range.0;
        while lon <= lon_range.1 + 1e-9 {
            points.push((lon, lat));
            lon += 0.5;
        }
        lat += 0.5;
    }
    points
}

/// The largest difference, in metres, between careneed's and PROJ's transforms of the
/// grid from WGS84 into `crs` and back.
fn worst_difference(crs: Crs, lon_range: (f64, f64)) -> (f64, f64) {
    let ours = Transformer::new(Crs::Wgs84, crs).unwrap();
    let ours_back = Transformer::new(crs, Crs::Wgs84).unwrap();
    let proj = EpsgTransform::new(4326, crs.epsg()).unwrap();
    let proj_back = EpsgTransform::new(crs.epsg(), 4326).unwrap();
    let (mut forward, mut back) = (0.0f64, 0.0f64);
    for (lon, lat) in grid(lon_range) {
        let (e1, n1) = ours.apply(lon, lat).unwrap();
        let (e2, n2) = proj.apply(lon, lat).unwrap();
        forward = forward.max((e1 - e2).hypot(n1 - n2));
        // Back from PROJ's projected position; degrees to metres on the ground.
        let (lon1, lat1) = ours_back.apply(e2, n2).unwrap();
        let (lon2, lat2) = proj_back.apply(e2, n2).unwrap();
        let metres =
            ((lon1 - lon2) * 111_320.0 * lat.to_radians().cos()).hypot((lat1 - lat2) * 110_950.0);
        back = back.max(metres);
    }
    (forward, back)
}

#[test]
fn sweref99_tm_agrees_with_proj_below_a_millimetre() {
    let (forward, back) = worst_difference(Crs::Sweref99Tm, (10.5, 24.5));
    println!("SWEREF99 TM: forward {forward:.2e} m, back {back:.2e} m");
    assert!(forward < 1e-3 && back < 1e-3, "{forward} {back}");
}

/// RT90 agrees with PROJ below a millimetre both ways. Both reverse the 7-parameter
/// Helmert shift as EPSG defines it, by negating its parameters, which is not the
/// exact inverse: the round trip WGS84 → RT90 → WGS84 misses by a few millimetres in
/// both, by the same amount. The test pins both facts.
#[test]
fn rt90_agrees_with_proj_below_a_millimetre_both_ways() {
    let (forward, back) = worst_difference(Crs::Rt90, (10.5, 24.5));
    println!("RT90 2.5 gon V: forward {forward:.2e} m, back {back:.2e} m");
    assert!(back < 1e-3, "{back}");
    assert!(forward < 1e-3, "{forward}");
    let to_rt90 = EpsgTransform::new(4326, 3021).unwrap();
    let from_rt90 = EpsgTransform::new(3021, 4326).unwrap();
    let ours = Transformer::new(Crs::Wgs84, Crs::Rt90).unwrap();
    let ours_back = Transformer::new(Crs::Rt90, Crs::Wgs84).unwrap();
    let (mut proj_trip, mut our_trip) = (0.0f64, 0.0f64);
    for (lon, lat) in grid((10.5, 24.5)) {
        let (e, n) = to_rt90.apply(lon, lat).unwrap();
        let (lon2, lat2) = from_rt90.apply(e, n).unwrap();
        proj_trip = proj_trip.max(((lon2 - lon) * 55_000.0).hypot((lat2 - lat) * 110_950.0));
        let (e, n) = ours.apply(lon, lat).unwrap();
        let (lon2, lat2) = ours_back.apply(e, n).unwrap();
        our_trip = our_trip.max(((lon2 - lon) * 55_000.0).hypot((lat2 - lat) * 110_950.0));
    }
    println!("round trips WGS84 → RT90 → WGS84: PROJ {proj_trip:.2e} m, careneed {our_trip:.2e} m");
    assert!(proj_trip > 1e-3 && proj_trip < 6e-3, "{proj_trip}");
    assert!(
        (our_trip - proj_trip).abs() < 1e-3,
        "{our_trip} vs {proj_trip}"
    );
}

#[test]
fn sweref99_local_zones_agree_with_proj_below_a_millimetre() {
    for zone in SwerefZone::ALL {
        let cm = zone.central_meridian();
        let (forward, back) = worst_difference(Crs::SwerefLocal(zone), (cm - 1.5, cm + 1.5));
        println!("{zone}: forward {forward:.2e} m, back {back:.2e} m");
        assert!(forward < 1e-3 && back < 1e-3, "{zone}: {forward} {back}");
    }
}

type Rings = Vec<Vec<(f64, f64)>>;

/// SWEREF99 TM squares near Gävle and Falun, and the same in `epsg`.
fn squares_in(epsg: u32) -> (Rings, Rings) {
    let to = EpsgTransform::new(3006, epsg).unwrap();
    let sweref: Vec<Vec<(f64, f64)>> = [(617_000.0, 6_727_000.0), (535_000.0, 6_720_000.0)]
        .iter()
        .map(|&(x, y)| common::gpkg::square(x, y, 1000.0))
        .collect();
    let moved = sweref
        .iter()
        .map(|ring| ring.iter().map(|&(x, y)| to.apply(x, y).unwrap()).collect())
        .collect();
    (sweref, moved)
}

fn assert_close(b: &careneed::inputs::boundaries::Boundaries, sweref: &[Vec<(f64, f64)>]) {
    assert_within(b, sweref, 1e-3);
}

fn assert_within(
    b: &careneed::inputs::boundaries::Boundaries,
    sweref: &[Vec<(f64, f64)>],
    metres: f64,
) {
    assert_eq!(b.areas.len(), sweref.len());
    for (area, ring) in b.areas.iter().zip(sweref) {
        for (c, &(x, y)) in area.geometry.0[0].exterior().0.iter().zip(ring) {
            assert!(
                (c.x - x).abs() < metres && (c.y - y).abs() < metres,
                "{c:?} vs ({x}, {y})"
            );
        }
    }
}

/// A FeatureCollection of polygons with `rings`, declaring `crs` when given.
fn collection(rings: &[Vec<(f64, f64)>], crs: Option<&str>) -> String {
    let features: Vec<String> = rings
        .iter()
        .enumerate()
        .map(|(i, ring)| {
            let coords: Vec<String> = ring.iter().map(|(x, y)| format!("[{x},{y}]")).collect();
            format!(
                r#"{{"type":"Feature","properties":{{"code":"A{i}"}},"geometry":{{"type":"Polygon","coordinates":[[{}]]}}}}"#,
                coords.join(",")
            )
        })
        .collect();
    let crs = crs.map_or(String::new(), |name| {
        format!(r#""crs":{{"type":"name","properties":{{"name":"{name}"}}}},"#)
    });
    format!(
        r#"{{"type":"FeatureCollection",{crs}"features":[{}]}}"#,
        features.join(",")
    )
}

#[test]
fn geojson_in_web_mercator_is_reprojected_to_sweref99_tm() {
    let (sweref, mercator) = squares_in(3857);
    let geojson = collection(&mercator, Some("urn:ogc:def:crs:EPSG::3857"));
    let (b, report) =
        parse_boundaries("m.geojson", geojson.as_bytes(), &BoundaryOptions::default()).unwrap();
    assert_eq!(
        (b.crs, b.crs_source),
        (Crs::Sweref99Tm, CrsSource::Declared)
    );
    assert_close(&b, &sweref);
    let notice = report.of_kind("crs").next().unwrap();
    assert!(
        notice
            .message
            .contains("EPSG:3857 (WGS 84 / Pseudo-Mercator)"),
        "{}",
        notice.message
    );

    // Given explicitly instead of declared.
    let undeclared = collection(&mercator, None);
    let options = BoundaryOptions {
        crs_epsg: Some(3857),
        ..BoundaryOptions::default()
    };
    let (b, _) = parse_boundaries("m.geojson", undeclared.as_bytes(), &options).unwrap();
    assert_eq!((b.crs, b.crs_source), (Crs::Sweref99Tm, CrsSource::Given));
    assert_close(&b, &sweref);

    // Web Mercator declared, but the coordinates are SWEREF99 TM: outside Sweden.
    let wrong = collection(&sweref, Some("EPSG:3857"));
    match parse_boundaries("w.geojson", wrong.as_bytes(), &BoundaryOptions::default()) {
        Err(Error::Input {
            location,
            problem: Problem::CrsMismatch { declared, .. },
        }) => {
            assert_eq!(location.feature, Some(0));
            assert!(declared.starts_with("EPSG:3857"), "{declared}");
        }
        other => panic!("{other:?}"),
    }

    // A code neither careneed nor PROJ knows.
    let unknown = collection(&mercator, Some("EPSG:999999"));
    match parse_boundaries("u.geojson", unknown.as_bytes(), &BoundaryOptions::default()) {
        Err(Error::Input {
            problem: Problem::UnsupportedCrs(name),
            ..
        }) => assert_eq!(name, "EPSG:999999"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn declared_rt90_5_gon_v_is_read_through_proj() {
    // EPSG:3022 (RT90 5 gon V) is not built in: without PROJ it is an error
    // (tests/inputs_boundaries.rs); with PROJ it is reprojected.
    let (sweref, rt90_5) = squares_in(3022);
    let geojson = collection(&rt90_5, Some("EPSG:3022"));
    let (b, _) =
        parse_boundaries("r.geojson", geojson.as_bytes(), &BoundaryOptions::default()).unwrap();
    assert_eq!(b.crs, Crs::Sweref99Tm);
    // Through PROJ both ways: its RT90 round trip misses by millimetres (see above).
    assert_within(&b, &sweref, 1e-2);
}

#[test]
fn geopackage_in_utm_33n_is_reprojected() {
    let (sweref, utm) = squares_in(32633);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("utm.gpkg");
    let db = common::gpkg::create(&path, &[(32633, "EPSG", 32633, "WGS 84 / UTM zone 33N")]);
    common::gpkg::add_layer(&db, "zones", 32633, &["code"]);
    for (i, ring) in utm.iter().enumerate() {
        let geom = common::gpkg::blob(
            32633,
            &common::gpkg::polygon_wkb(std::slice::from_ref(ring)),
            None,
            false,
        );
        common::gpkg::insert(&db, "zones", i as i64 + 1, Some(geom), &[&format!("Z{i}")]);
    }
    drop(db);
    let (b, report) = read_boundaries(&path, &BoundaryOptions::default()).unwrap();
    assert_eq!(
        (b.crs, b.crs_source),
        (Crs::Sweref99Tm, CrsSource::Declared)
    );
    assert_close(&b, &sweref);
    assert!(
        report
            .of_kind("crs")
            .any(|n| n.message.contains("UTM zone 33N"))
    );
}

#[test]
fn points_in_web_mercator_are_reprojected() {
    let (sweref, mercator) = squares_in(3857);
    let mut csv = String::from("id,x,y\n");
    for (i, (x, y)) in mercator[0].iter().enumerate() {
        csv.push_str(&format!("{i},{x},{y}\n"));
    }
    let (mut points, _) = parse_points("p.csv", csv.as_bytes(), "x", "y").unwrap();
    assert_eq!(
        points.declare_crs_name("EPSG:3857").unwrap(),
        Crs::Sweref99Tm
    );
    assert_eq!(points.crs, Some(Crs::Sweref99Tm));
    for (p, &(x, y)) in points.coords.iter().zip(&sweref[0]) {
        assert!((p[0] - x).abs() < 1e-3 && (p[1] - y).abs() < 1e-3);
    }
    // SWEREF99 TM coordinates declared as Web Mercator land outside Sweden.
    let (mut wrong, _) = parse_points("w.csv", b"x,y\n617000,6727000\n", "x", "y").unwrap();
    match wrong.declare_epsg(3857) {
        Err(Error::Input {
            location,
            problem: Problem::CrsMismatch { .. },
        }) => {
            assert_eq!(location.line, Some(2));
        }
        other => panic!("{other:?}"),
    }
}
