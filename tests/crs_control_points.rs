//! Control points for the Swedish coordinate reference systems: SWEREF99 TM, the
//! twelve SWEREF99 local zones and RT90 2.5 gon V.

use careneed::inputs::crs::{Crs, SwerefZone, Transformer};

/// Several places spread over Sweden, as (longitude, latitude) in degrees.
const PLACES: [(&str, f64, f64); 8] = [
    ("Smygehuk", 13.359, 55.337),
    ("Göteborg", 11.9746, 57.7089),
    ("Visby", 18.2948, 57.6348),
    ("Stockholm", 18.0686, 59.3293),
    ("Gävle", 17.141, 60.675),
    ("Östersund", 14.6357, 63.1792),
    ("Luleå", 22.1547, 65.5848),
    ("Treriksröset", 20.5480, 69.0600),
];

/// Meridian arc length from the equator to 60° on GRS80 (a = 6 378 137 m,
/// 1/f = 298.257222101), by numerical integration. SWEREF99 TM's northing at
/// 15° E, 60° N is 0.9996 times this: 6 651 411.190 m.
const GRS80_ARC_60: f64 = 6_654_072.819;

/// (a) SWEREF99 TM ⇄ WGS84 round trips back to within 1e-9°.
#[test]
fn sweref99_tm_round_trips() {
    let to = Transformer::new(Crs::Wgs84, Crs::Sweref99Tm).unwrap();
    let back = Transformer::new(Crs::Sweref99Tm, Crs::Wgs84).unwrap();
    for (name, lon, lat) in PLACES {
        let (e, n) = to.apply(lon, lat).unwrap();
        assert!(Crs::Sweref99Tm.fits(e, n), "{name}: ({e}, {n})");
        let (lon2, lat2) = back.apply(e, n).unwrap();
        assert!(
            (lon2 - lon).abs() < 1e-9 && (lat2 - lat).abs() < 1e-9,
            "{name}: ({lon2}, {lat2})"
        );
    }
    // The central meridian at 60° N: easting 500 000 m, northing 0.9996·M(60°).
    let (e, n) = to.apply(15.0, 60.0).unwrap();
    assert!((e - 500_000.0).abs() < 1e-3, "{e}");
    assert!((n - 0.9996 * GRS80_ARC_60).abs() < 1e-2, "{n}");
    assert!((n - 6_651_411.190).abs() < 1e-2, "{n}");
}

/// (b) Every local zone: its central meridian at 60° N maps to easting 150 000 m and
/// (scale 1) northing M(60°) on GRS80; round trips come back to within 1e-9°.
#[test]
fn local_zones_central_meridian_at_60n() {
    let meridians = [
        12.0, 13.5, 15.0, 16.5, 18.0, 14.25, 15.75, 17.25, 18.75, 20.25, 21.75, 23.25,
    ];
    for (zone, meridian) in SwerefZone::ALL.into_iter().zip(meridians) {
        assert_eq!(zone.central_meridian(), meridian);
        let crs = Crs::SwerefLocal(zone);
        let to = Transformer::new(Crs::Wgs84, crs).unwrap();
        let back = Transformer::new(crs, Crs::Wgs84).unwrap();
        let (e, n) = to.apply(meridian, 60.0).unwrap();
        assert!((e - 150_000.0).abs() < 1e-3, "{zone}: {e}");
        assert!((n - GRS80_ARC_60).abs() < 1e-2, "{zone}: {n}");
        assert!(crs.fits(e, n));
        // Off the meridian, and back.
        for (dlon, lat) in [(-1.0, 56.0), (0.75, 62.5), (1.2, 67.0)] {
            let (e, n) = to.apply(meridian + dlon, lat).unwrap();
            let (lon2, lat2) = back.apply(e, n).unwrap();
            assert!(
                (lon2 - meridian - dlon).abs() < 1e-9 && (lat2 - lat).abs() < 1e-9,
                "{zone}: ({lon2}, {lat2})"
            );
        }
    }
}

/// A local zone and SWEREF99 TM agree on the ground: moving a point TM → zone → TM
/// returns it to within a millimetre, and SWEREF99 15 00, which shares TM's central
/// meridian, has northing = TM northing / 0.9996 there.
#[test]
fn local_zone_and_tm_agree() {
    let zone = Crs::parse("SWEREF99 16 30").unwrap();
    let tm_to_zone = Transformer::new(Crs::Sweref99Tm, zone).unwrap();
    let zone_to_tm = Transformer::new(zone, Crs::Sweref99Tm).unwrap();
    let wgs_to_tm = Transformer::new(Crs::Wgs84, Crs::Sweref99Tm).unwrap();
    let wgs_to_zone = Transformer::new(Crs::Wgs84, Crs::parse("SWEREF99 15 00").unwrap()).unwrap();
    let (e, n) = (617_000.0, 6_727_000.0);
    let (ze, zn) = tm_to_zone.apply(e, n).unwrap();
    let (e2, n2) = zone_to_tm.apply(ze, zn).unwrap();
    assert!(
        (e2 - e).abs() < 1e-3 && (n2 - n).abs() < 1e-3,
        "({e2}, {n2})"
    );
    for lat in [56.0, 60.0, 64.0] {
        let (_, tm_n) = wgs_to_tm.apply(15.0, lat).unwrap();
        let (z_e, z_n) = wgs_to_zone.apply(15.0, lat).unwrap();
        assert!((z_e - 150_000.0).abs() < 1e-3, "{z_e}");
        assert!((z_n - tm_n / 0.9996).abs() < 1e-3, "{lat}: {z_n} vs {tm_n}");
    }
}

/// Lantmäteriet's direct projection from SWEREF 99 to RT90 2.5 gon V (published as
/// EPSG:3847 "SWEREF99 / RT90 2.5 gon V emulation"): a Gauss–Krüger projection on
/// GRS80 with central meridian 15°48′22.624306″ E, scale 1.00000561024, false
/// easting 1 500 064.274 m and false northing −667.711 m. It approximates RT90 to
/// about a decimetre; the 7-parameter datum shift careneed uses should agree to
/// within a metre. (Sibling zones of the same family, e.g. EPSG:3846 "SWEREF99 /
/// RT90 5 gon V emulation" with scale 1.0000058, false easting 1 500 044.695 m,
/// false northing −667.130 m, are listed on proj-forge.com/EPSG-3846.html.)
fn rt90_lantmateriet(lon: f64, lat: f64) -> (f64, f64) {
    let emulation = proj4rs::Proj::from_proj_string(
        "+proj=tmerc +lat_0=0 +lon_0=15.806284529 +k=1.00000561024 +x_0=1500064.274 \
         +y_0=-667.711 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs",
    )
    .unwrap();
    let wgs84 = proj4rs::Proj::from_proj_string("+proj=longlat +datum=WGS84 +no_defs").unwrap();
    let mut p = (lon.to_radians(), lat.to_radians(), 0.0);
    proj4rs::transform::transform(&wgs84, &emulation, &mut p).unwrap();
    (p.0, p.1)
}

/// (c) RT90 2.5 gon V: round trips to within 6 mm (EPSG reverses the datum shift by
/// negating its parameters, which is not the exact inverse; PROJ does the same), and
/// agreement with Lantmäteriet's direct projection to within a metre all over Sweden.
#[test]
fn rt90_round_trips_and_matches_lantmateriet() {
    let to = Transformer::new(Crs::Wgs84, Crs::Rt90).unwrap();
    let back = Transformer::new(Crs::Rt90, Crs::Wgs84).unwrap();
    for (name, lon, lat) in PLACES {
        let (e, n) = to.apply(lon, lat).unwrap();
        assert!(Crs::Rt90.fits(e, n), "{name}: ({e}, {n})");
        let (le, ln) = rt90_lantmateriet(lon, lat);
        assert!(
            (e - le).abs() < 1.0 && (n - ln).abs() < 1.0,
            "{name}: ({e}, {n}) vs Lantmäteriet ({le}, {ln})"
        );
        // WGS84 → RT90 → WGS84 and RT90 → WGS84 → RT90 come back to within 6 mm
        // (1e-7° ≈ 11 mm of latitude, so the degrees are checked at 6e-8°).
        let (lon2, lat2) = back.apply(e, n).unwrap();
        assert!(
            (lon2 - lon).abs() < 1.2e-7 && (lat2 - lat).abs() < 6e-8,
            "{name}: ({lon2}, {lat2})"
        );
        let (e2, n2) = to.apply(lon2, lat2).unwrap();
        assert!(
            (e2 - e).abs() < 6e-3 && (n2 - n).abs() < 6e-3,
            "{name}: ({e2}, {n2}) vs ({e}, {n})"
        );
    }
    // RT90's central meridian, 2.5 gon west of the old Stockholm observatory, is
    // 15.8082777778° E *in RT90's own (Bessel) coordinates*; the datum shift moves it
    // about 7″ in longitude, so the same WGS84 longitude lands ≈ 175 m east of the
    // false easting 1 500 000 m (the RT90-datum meridian itself gives exactly 1 500 000
    // m; see the unit test in src/inputs/crs.rs).
    let (e, n) = to.apply(15.808_277_777_8, 60.0).unwrap();
    let (le, ln) = rt90_lantmateriet(15.808_277_777_8, 60.0);
    assert!((e - le).abs() < 1.0 && (n - ln).abs() < 1.0, "({e}, {n})");
    assert!((e - 1_500_175.5).abs() < 1.0, "{e}");
}

/// RT90 and SWEREF99 TM through each other: TM → RT90 → TM comes back to 6 mm.
#[test]
fn rt90_to_sweref99_tm_and_back() {
    let to = Transformer::new(Crs::Sweref99Tm, Crs::Rt90).unwrap();
    let back = Transformer::new(Crs::Rt90, Crs::Sweref99Tm).unwrap();
    let (e, n) = (617_000.0, 6_727_000.0);
    let (re, rn) = to.apply(e, n).unwrap();
    assert!(Crs::Rt90.fits(re, rn));
    let (e2, n2) = back.apply(re, rn).unwrap();
    assert!(
        (e2 - e).abs() < 6e-3 && (n2 - n).abs() < 6e-3,
        "({e2}, {n2})"
    );
}

#[test]
fn names_codes_and_detection() {
    assert_eq!(Crs::parse("EPSG:3021"), Some(Crs::Rt90));
    assert_eq!(Crs::parse("RT90"), Some(Crs::Rt90));
    assert_eq!(
        Crs::parse("urn:ogc:def:crs:EPSG::3010"),
        Crs::parse("SWEREF99 16 30")
    );
    assert_eq!(
        Crs::parse("SWEREF99 16 30").map(|c| c.to_string()),
        Some("SWEREF99 16 30 (EPSG:3010)".to_string())
    );
    for code in 3007..=3018 {
        let crs = Crs::from_epsg(code).unwrap();
        assert_eq!(crs.epsg(), code);
        assert!(matches!(crs, Crs::SwerefLocal(_)));
    }
    // Detection still only knows WGS84 and SWEREF99 TM.
    assert_eq!(
        careneed::inputs::crs::detect([(157_000.0, 6_730_000.0)]),
        Ok(Crs::Sweref99Tm)
    );
    assert!(careneed::inputs::crs::detect([(1_573_000.0, 6_730_000.0)]).is_err());
}
