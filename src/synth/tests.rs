//! Tests of the generated demo county (generated once per test binary).

use super::raster::{self, LabelGrid, OUTSIDE};
use super::rng::{NoiseField, SplitMix64};
use super::trace::{self, TileOptions};
use super::*;
use geo::{Area, BooleanOps, BoundingRect, Contains, Point, Validation};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

fn demo() -> &'static SynthRegion {
    static R: OnceLock<SynthRegion> = OnceLock::new();
    R.get_or_init(|| generate(&SynthConfig::gavleborg()).unwrap())
}

fn vertices(p: &Polygon<f64>) -> usize {
    p.exterior().0.len() - 1 + p.interiors().iter().map(|r| r.0.len() - 1).sum::<usize>()
}

/// SCB's CNI for every area (reference: all areas).
fn cni(r: &SynthRegion) -> Vec<f64> {
    let idx: Vec<f64> = r
        .areas
        .iter()
        .map(|a| {
            6.15 * f64::from(a.elderly_alone)
                + 5.72 * f64::from(a.foreign_born)
                + 5.13 * f64::from(a.unemployed)
                + 4.19 * f64::from(a.single_parents)
                + 4.19 * f64::from(a.movers)
                + 3.97 * f64::from(a.low_education)
                + 3.23 * f64::from(a.under5)
        })
        .collect();
    let pop: f64 = r.areas.iter().map(|a| f64::from(a.population)).sum();
    let reference = idx.iter().sum::<f64>() / pop;
    idx.iter()
        .zip(&r.areas)
        .map(|(i, a)| i / f64::from(a.population) / reference)
        .collect()
}

#[test]
fn deterministic_bytes() {
    let again = generate(&SynthConfig::gavleborg()).unwrap();
    let a = demo().files().unwrap();
    let b = again.files().unwrap();
    assert_eq!(a.len(), 8);
    for ((na, ba), (nb, bb)) in a.iter().zip(&b) {
        assert_eq!(na, nb);
        assert!(ba == bb, "{na} differs between runs");
    }
    // write() writes exactly these bytes.
    let dir = tempfile::tempdir().unwrap();
    let paths = again.write(&dir.path().join("demo")).unwrap();
    assert_eq!(paths.len(), 8);
    for ((name, bytes), path) in a.iter().zip(&paths) {
        assert_eq!(path.file_name().unwrap().to_str().unwrap(), *name);
        assert!(std::fs::read(path).unwrap() == *bytes, "{name}");
    }
}

#[test]
fn codes_names_and_counts_per_municipality() {
    let r = demo();
    let cfg = SynthConfig::gavleborg();
    assert_eq!(r.areas.len(), 172);
    assert_eq!(r.municipalities.len(), 10);
    let codes: Vec<&str> = r.areas.iter().map(|a| a.code.as_str()).collect();
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(codes, sorted, "area codes unique and sorted");
    for a in &r.areas {
        let c = a.code.as_bytes();
        assert_eq!(c.len(), 9, "{}", a.code);
        assert_eq!(&a.code[..4], a.kommunkod);
        let letter = match a.kind {
            AreaKind::Rural => b'A',
            AreaKind::Locality => b'B',
            AreaKind::MainTown => b'C',
        };
        assert_eq!(c[4], letter, "{}", a.code);
        assert!(c[5..].iter().all(u8::is_ascii_digit), "{}", a.code);
        assert!(!a.name.is_empty());
    }
    assert!(r.areas.iter().any(|a| a.name == "Gävle centralort 12"));
    assert!(r.areas.iter().any(|a| a.name == "Valbo 2"));
    assert!(r.areas.iter().any(|a| a.name == "Ockelbo landsbygd 1"));
    let expected: BTreeMap<&str, usize> = [
        ("2180", 54),
        ("2181", 25),
        ("2184", 24),
        ("2183", 17),
        ("2182", 16),
        ("2161", 13),
        ("2121", 7),
        ("2132", 7),
        ("2104", 5),
        ("2101", 4),
    ]
    .into_iter()
    .collect();
    for m in &cfg.municipalities {
        let n = r.areas.iter().filter(|a| a.kommunkod == m.code).count();
        assert_eq!(n, expected[m.code.as_str()], "{}", m.name);
    }
    let muni_codes: Vec<&str> = r.municipalities.iter().map(|m| m.code.as_str()).collect();
    assert!(muni_codes.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn polygons_are_valid_oriented_and_sized() {
    let r = demo();
    let check = |what: &str, p: &Polygon<f64>| {
        assert!(p.is_valid(), "{what}: {:?}", p.validation_errors());
        assert!(p.exterior().is_closed());
        assert!(p.exterior().0.len() >= 4);
        let ext = Polygon::new(p.exterior().clone(), vec![]);
        assert!(
            ext.signed_area() > 0.0,
            "{what}: exterior not counter-clockwise"
        );
        for h in p.interiors() {
            assert!(h.is_closed());
            assert!(
                Polygon::new(h.clone(), vec![]).signed_area() < 0.0,
                "{what}: hole not clockwise"
            );
        }
        for c in p
            .exterior()
            .0
            .iter()
            .chain(p.interiors().iter().flat_map(|h| h.0.iter()))
        {
            assert_eq!(c.x.fract(), 0.0);
            assert_eq!(c.y.fract(), 0.0);
            assert!(crate::inputs::crs::Crs::Sweref99Tm.fits(c.x, c.y));
        }
    };
    for a in &r.areas {
        check(&a.code, &a.polygon);
        let v = vertices(&a.polygon);
        assert!((50..=2000).contains(&v), "{}: {v} vertices", a.code);
        let km2 = a.polygon.unsigned_area() / 1e6;
        match a.kind {
            AreaKind::MainTown | AreaKind::Locality => {
                assert!((0.3..=3.5).contains(&km2), "{}: {km2} km²", a.code)
            }
            AreaKind::Rural => assert!(km2 > 20.0, "{}: {km2} km²", a.code),
        }
    }
    for m in &r.municipalities {
        check(&m.code, &m.polygon);
    }
    check("county", &r.county);
    assert!(
        r.areas.iter().any(|a| !a.polygon.interiors().is_empty()),
        "some area has a hole"
    );
}

#[test]
fn areas_tile_municipalities_and_county() {
    let r = demo();
    let county = r.county.unsigned_area();
    let n = r.areas.len() as f64;
    let sum_areas: f64 = r.areas.iter().map(|a| a.polygon.unsigned_area()).sum();
    assert!((sum_areas - county).abs() < n, "{sum_areas} vs {county}");
    let sum_munis: f64 = r
        .municipalities
        .iter()
        .map(|m| m.polygon.unsigned_area())
        .sum();
    assert!((sum_munis - county).abs() < 10.0);
    // The county is about the size of Gävleborg (18 200 km²).
    assert!(
        (16_000.0..20_500.0).contains(&(county / 1e6)),
        "{}",
        county / 1e6
    );
    for m in &r.municipalities {
        let mine: Vec<&SynthArea> = r.areas.iter().filter(|a| a.kommunkod == m.code).collect();
        let s: f64 = mine.iter().map(|a| a.polygon.unsigned_area()).sum();
        assert!(
            (s - m.polygon.unsigned_area()).abs() < mine.len() as f64,
            "{}: areas {s} vs municipality {}",
            m.code,
            m.polygon.unsigned_area()
        );
        // Every area lies in its municipality: an interior point of the area is
        // inside the municipality polygon.
        for a in &mine {
            let p = geo::InteriorPoint::interior_point(&a.polygon).unwrap();
            assert!(m.polygon.contains(&p), "{} outside {}", a.code, m.code);
        }
    }
    // No two areas overlap: intersections of neighbours (by bounding box) are empty.
    let boxes: Vec<geo::Rect<f64>> = r
        .areas
        .iter()
        .map(|a| a.polygon.bounding_rect().unwrap())
        .collect();
    let mut pairs = 0;
    for i in 0..r.areas.len() {
        for j in i + 1..r.areas.len() {
            let (a, b) = (boxes[i], boxes[j]);
            if a.max().x < b.min().x
                || b.max().x < a.min().x
                || a.max().y < b.min().y
                || b.max().y < a.min().y
            {
                continue;
            }
            pairs += 1;
            let overlap = r.areas[i]
                .polygon
                .intersection(&r.areas[j].polygon)
                .unsigned_area();
            assert!(
                overlap < 1.0,
                "{} and {} overlap by {overlap} m²",
                r.areas[i].code,
                r.areas[j].code
            );
        }
    }
    assert!(pairs > 300, "{pairs}");
}

#[test]
fn seats_lie_in_their_municipality_at_their_coordinates() {
    let r = demo();
    let t = crate::inputs::crs::Transformer::new(
        crate::inputs::crs::Crs::Wgs84,
        crate::inputs::crs::Crs::Sweref99Tm,
    )
    .unwrap();
    for m in &r.municipalities {
        let (x, y) = t.apply(m.lon, m.lat).unwrap();
        assert_eq!((x, y), (m.seat_x, m.seat_y));
        assert!(
            m.polygon.contains(&Point::new(x, y)),
            "{} seat outside",
            m.name
        );
        for other in r.municipalities.iter().filter(|o| o.code != m.code) {
            assert!(!other.polygon.contains(&Point::new(x, y)));
        }
    }
    let gavle = r.municipalities.iter().find(|m| m.code == "2180").unwrap();
    assert!(
        (gavle.seat_x - 617_000.0).abs() < 1_500.0 && (gavle.seat_y - 6_727_000.0).abs() < 1_500.0
    );
}

#[test]
fn populations_and_denominators() {
    let r = demo();
    let cfg = SynthConfig::gavleborg();
    let total: u64 = r.areas.iter().map(|a| u64::from(a.population)).sum();
    assert!((277_420..=294_580).contains(&total), "{total}");
    for m in &r.municipalities {
        let spec = cfg
            .municipalities
            .iter()
            .find(|s| s.code == m.code)
            .unwrap();
        let s: u32 = r
            .areas
            .iter()
            .filter(|a| a.kommunkod == m.code)
            .map(|a| a.population)
            .sum();
        assert_eq!(s, m.population);
        assert_eq!(s, spec.population);
    }
    for a in &r.areas {
        let p = a.population;
        assert!((700..=2700).contains(&p), "{}: {p}", a.code);
        for (name, v) in [
            ("under5", a.under5),
            ("foreign_born", a.foreign_born),
            ("elderly_alone", a.elderly_alone),
            ("single_parents", a.single_parents),
            ("movers", a.movers),
            ("unemployed", a.unemployed),
            ("low_education", a.low_education),
            ("pop_65plus", a.pop_65plus),
            ("pop_16_64", a.pop_16_64),
            ("pop_25_64", a.pop_25_64),
        ] {
            assert!(v <= p, "{} {name}", a.code);
        }
        assert!(a.elderly_alone <= a.pop_65plus, "{}", a.code);
        assert!(a.unemployed <= a.pop_16_64, "{}", a.code);
        assert!(a.low_education <= a.pop_25_64, "{}", a.code);
        assert!(a.pop_25_64 <= a.pop_16_64, "{}", a.code);
        let share = |v: u32| f64::from(v) / f64::from(p);
        let within = |v: u32, lo: f64, hi: f64| (lo - 0.002..=hi + 0.002).contains(&share(v));
        assert!(within(a.under5, 0.04, 0.08), "{} under5", a.code);
        assert!(
            within(a.foreign_born, 0.02, 0.45),
            "{} foreign_born",
            a.code
        );
        assert!(
            within(a.elderly_alone, 0.03, 0.15),
            "{} elderly_alone",
            a.code
        );
        assert!(
            within(a.single_parents, 0.015, 0.05),
            "{} single_parents",
            a.code
        );
        assert!(within(a.movers, 0.06, 0.20), "{} movers", a.code);
        assert!(within(a.unemployed, 0.015, 0.08), "{} unemployed", a.code);
        assert!(
            within(a.low_education, 0.04, 0.15),
            "{} low_education",
            a.code
        );
        assert!(within(a.pop_65plus, 0.15, 0.35), "{} pop_65plus", a.code);
        assert!(within(a.pop_16_64, 0.55, 0.65), "{} pop_16_64", a.code);
        assert!(within(a.pop_25_64, 0.45, 0.52), "{} pop_25_64", a.code);
    }
    // Rural areas are older and less educated than main-town areas.
    let mean = |kind: AreaKind, f: &dyn Fn(&SynthArea) -> u32| {
        let v: Vec<f64> = r
            .areas
            .iter()
            .filter(|a| a.kind == kind)
            .map(|a| f64::from(f(a)) / f64::from(a.population))
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    assert!(
        mean(AreaKind::Rural, &|a| a.elderly_alone)
            > mean(AreaKind::MainTown, &|a| a.elderly_alone)
    );
    assert!(
        mean(AreaKind::Rural, &|a| a.low_education)
            > mean(AreaKind::MainTown, &|a| a.low_education)
    );
}

#[test]
fn cni_spreads_and_deprived_estates_stand_out() {
    let r = demo();
    let c = cni(r);
    let min = c.iter().copied().fold(f64::MAX, f64::min);
    let max = c.iter().copied().fold(f64::MIN, f64::max);
    assert!(min < 0.75, "{min}");
    assert!(max > 1.8, "{max}");
    assert!(c.iter().all(|v| (0.5..=2.5).contains(v)), "{min}..{max}");
    // The clearly deprived areas are urban and in the larger towns.
    let high: Vec<&SynthArea> = r
        .areas
        .iter()
        .zip(&c)
        .filter(|(_, v)| **v > 1.6)
        .map(|(a, _)| a)
        .collect();
    assert!((8..=30).contains(&high.len()), "{}", high.len());
    assert!(high.iter().all(|a| a.kind == AreaKind::MainTown));
    assert!(high.iter().filter(|a| a.kommunkod == "2180").count() >= 3);
}

#[test]
fn bvcs_are_placed_in_their_municipality() {
    let r = demo();
    assert_eq!(r.bvcs.len(), 25);
    let mut per: BTreeMap<&str, usize> = BTreeMap::new();
    for b in &r.bvcs {
        *per.entry(b.kommunkod.as_str()).or_default() += 1;
        let m = r
            .municipalities
            .iter()
            .find(|m| m.code == b.kommunkod)
            .unwrap();
        assert!(
            m.polygon.contains(&Point::new(b.x, b.y)),
            "{} outside {}",
            b.name,
            m.name
        );
        let a = r.areas.iter().find(|a| a.code == b.area).unwrap();
        assert!(a.polygon.contains(&Point::new(b.x, b.y)));
        assert_ne!(a.kind, AreaKind::Rural, "{} in the countryside", b.name);
        let (code, n) = b.id.split_once('-').unwrap();
        assert_eq!(code, b.kommunkod);
        assert!(n.parse::<u32>().unwrap() >= 1);
        assert_eq!(b.x.fract(), 0.0);
        assert!(b.name.starts_with("BVC "));
    }
    let want: BTreeMap<&str, usize> = [
        ("2180", 9),
        ("2181", 3),
        ("2184", 3),
        ("2183", 2),
        ("2182", 2),
        ("2161", 2),
        ("2121", 1),
        ("2132", 1),
        ("2104", 1),
        ("2101", 1),
    ]
    .into_iter()
    .collect();
    assert_eq!(per, want);
    let ids: Vec<&str> = r.bvcs.iter().map(|b| b.id.as_str()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
    assert!(ids.contains(&"2180-9") && ids.contains(&"2101-1"));
}

#[test]
fn children_live_inside_their_area_and_list_nearby() {
    let r = demo();
    let n = r.children.len();
    assert!((15_300..=18_700).contains(&n), "{n} children");
    let areas: BTreeMap<&str, &SynthArea> = r.areas.iter().map(|a| (a.code.as_str(), a)).collect();
    let bvcs: BTreeMap<&str, &SynthBvc> = r.bvcs.iter().map(|b| (b.id.as_str(), b)).collect();
    let mut nearest = 0usize;
    let mut per_area: BTreeMap<&str, usize> = BTreeMap::new();
    let mut ages = [0usize; 6];
    for (i, c) in r.children.iter().enumerate() {
        assert_eq!(c.id, format!("c{:06}", i + 1));
        let a = areas[c.area.as_str()];
        let p = Point::new(c.x as f64, c.y as f64);
        assert!(a.polygon.contains(&p), "{} outside {}", c.id, c.area);
        assert!(c.age <= 5);
        ages[c.age as usize] += 1;
        *per_area.entry(c.area.as_str()).or_default() += 1;
        let listed = bvcs[c.bvc.as_str()];
        let d = |b: &SynthBvc| (b.x - p.x()).powi(2) + (b.y - p.y()).powi(2);
        let closer = r.bvcs.iter().filter(|b| d(b) < d(listed)).count();
        assert!(
            closer <= 1,
            "{} listed at its {}th nearest centre",
            c.id,
            closer + 1
        );
        nearest += usize::from(closer == 0);
    }
    let share = nearest as f64 / n as f64;
    assert!((0.82..=0.88).contains(&share), "{share}");
    assert!(ages.iter().all(|&k| k > n / 8), "{ages:?}");
    // About 6/5 children per child under five in every area.
    for a in &r.areas {
        let k = per_area.get(a.code.as_str()).copied().unwrap_or(0) as f64;
        let want = 1.2 * f64::from(a.under5);
        assert!(
            (k - want).abs() <= 0.2 * want + 3.0,
            "{}: {k} children, {} under five",
            a.code,
            a.under5
        );
    }
    // Homes cluster: children are nearer each other than random points would be
    // (at least: not uniformly spread over the big rural areas).
    let rural: Vec<&SynthChild> = r
        .children
        .iter()
        .filter(|c| areas[c.area.as_str()].kind == AreaKind::Rural)
        .collect();
    assert!(rural.len() > 1000);
}

#[test]
fn vti_and_births_agree_with_the_children() {
    let r = demo();
    let mut newborns: BTreeMap<&str, u32> = BTreeMap::new();
    let mut births: BTreeMap<&str, u32> = BTreeMap::new();
    for c in r.children.iter().filter(|c| c.age == 0) {
        *newborns.entry(c.bvc.as_str()).or_default() += 1;
        *births.entry(c.area.as_str()).or_default() += 1;
    }
    let mut fb = 0;
    let mut nb = 0;
    for b in &r.bvcs {
        assert_eq!(
            b.newborns,
            newborns.get(b.id.as_str()).copied().unwrap_or(0),
            "{}",
            b.id
        );
        assert!(b.newborns >= 20, "{} has {} newborns", b.id, b.newborns);
        assert!(
            b.first_born <= b.newborns
                && b.bcg_indicated <= b.newborns
                && b.mother_smoking <= b.newborns
        );
        let s = |v: u32| f64::from(v) / f64::from(b.newborns);
        assert!(
            (0.33..=0.53).contains(&s(b.first_born)),
            "{} first-born {}",
            b.id,
            s(b.first_born)
        );
        assert!(
            (0.01..=0.36).contains(&s(b.bcg_indicated)),
            "{} bcg {}",
            b.id,
            s(b.bcg_indicated)
        );
        assert!(
            (0.01..=0.13).contains(&s(b.mother_smoking)),
            "{} smoking {}",
            b.id,
            s(b.mother_smoking)
        );
        fb += b.first_born;
        nb += b.newborns;
    }
    let share = f64::from(fb) / f64::from(nb);
    assert!((0.38..=0.48).contains(&share), "{share}");
    let mut fis = 0;
    for a in &r.areas {
        assert_eq!(
            a.births,
            births.get(a.code.as_str()).copied().unwrap_or(0),
            "{}",
            a.code
        );
        assert!(a.first_births + a.first_in_sweden <= a.births, "{}", a.code);
        fis += a.first_in_sweden;
    }
    assert!(fis > 50);
    assert_eq!(r.areas.iter().map(|a| a.first_births).sum::<u32>(), fb);
    // BCG indications follow the foreign-born share of the catchment.
    let fb_share: f64 = {
        let dep: Vec<&SynthArea> = r.areas.iter().filter(|a| a.deprivation > 2.0).collect();
        dep.iter()
            .map(|a| f64::from(a.foreign_born) / f64::from(a.population))
            .sum::<f64>()
            / dep.len() as f64
    };
    assert!(fb_share > 0.3, "{fb_share}");
}

#[test]
fn files_have_the_documented_shape() {
    let r = demo();
    let files: BTreeMap<&str, Vec<u8>> = r.files().unwrap().into_iter().collect();
    let text = |name: &str| String::from_utf8(files[name].clone()).unwrap();
    for (name, bytes) in &files {
        assert!(!bytes.contains(&b'\r'), "{name}");
        assert_eq!(bytes.last(), Some(&b'\n'), "{name}");
    }
    let header = |name: &str| text(name).lines().next().unwrap().to_string();
    assert_eq!(
        header("municipalities.csv"),
        "code,name,seat,lat,lon,population"
    );
    assert_eq!(
        header("areas.csv"),
        "code,name,population,under5,foreign_born,elderly_alone,single_parents,movers,unemployed,\
         low_education,pop_65plus,pop_16_64,pop_25_64"
    );
    assert_eq!(
        header("bvc_vti.csv"),
        "bvc,name,newborns,first_born,bcg_indicated,mother_smoking"
    );
    assert_eq!(header("children.csv"), "child_id,x,y,age,bvc");
    assert_eq!(
        header("births.csv"),
        "code,births,first_births,first_in_sweden"
    );
    assert_eq!(text("areas.csv").lines().count(), 173);
    assert_eq!(text("births.csv").lines().count(), 173);
    assert_eq!(text("bvc_vti.csv").lines().count(), 26);
    assert_eq!(text("municipalities.csv").lines().count(), 11);
    assert_eq!(text("children.csv").lines().count(), r.children.len() + 1);
    assert!(text("municipalities.csv").contains("\n2180,Gävle,Gävle,60.675,17.141,103000\n"));
    for (name, n, kind) in [
        ("deso.geojson", 172, "Polygon"),
        ("municipalities.geojson", 10, "Polygon"),
        ("bvc.geojson", 25, "Point"),
    ] {
        let t = text(name);
        assert_eq!(t.lines().count(), n + 2, "{name}: one feature per line");
        let v: serde_json::Value = serde_json::from_str(&t).unwrap();
        assert_eq!(v["crs"]["properties"]["name"], "urn:ogc:def:crs:EPSG::3006");
        let features = v["features"].as_array().unwrap();
        assert_eq!(features.len(), n);
        for f in features {
            assert_eq!(f["geometry"]["type"], kind);
        }
        // Readable by the geojson crate.
        let gj: geojson::GeoJson = t.parse().unwrap();
        assert!(matches!(gj, geojson::GeoJson::FeatureCollection(_)));
    }
    let v: serde_json::Value = serde_json::from_str(&text("deso.geojson")).unwrap();
    let props = &v["features"][0]["properties"];
    for key in ["code", "name", "kommunkod", "kommunnamn"] {
        assert!(props[key].is_string(), "{key}");
    }
    let codes: Vec<&str> = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["code"].as_str().unwrap())
        .collect();
    assert!(codes.windows(2).all(|w| w[0] < w[1]));
    let v: serde_json::Value = serde_json::from_str(&text("bvc.geojson")).unwrap();
    for key in ["bvc", "name", "kommunkod"] {
        assert!(v["features"][0]["properties"][key].is_string(), "{key}");
    }
    // Areas file is compact.
    assert!(files["deso.geojson"].len() < 4_000_000);
}

/// The tiler on random hierarchies: noisy Voronoi labels in random parents,
/// cleaned, traced and checked.
#[test]
fn tiler_handles_random_grids() {
    for seed in 0..6u64 {
        let mut rng = SplitMix64::new(seed);
        let (nx, ny, cell) = (90usize, 70usize, 50i64);
        let mut g = LabelGrid::new(500_000, 6_700_000, cell, nx, ny);
        let n_labels = 14;
        let sites: Vec<(f64, f64)> = (0..n_labels)
            .map(|_| (rng.range(0.0, nx as f64), rng.range(0.0, ny as f64)))
            .collect();
        let parent: Vec<u32> = (0..n_labels).map(|k| (k % 3) as u32).collect();
        let noise = NoiseField::new(seed, 20.0, 4, 0.6, (0.0, 0.0, 0.0, 0.0));
        for j in 0..ny {
            for i in 0..nx {
                let (x, y) = (i as f64, j as f64);
                let r = ((x - 45.0) / 40.0).powi(2) + ((y - 35.0) / 30.0).powi(2);
                if r + 0.3 * noise.eval(x * 3.0, y * 3.0) > 1.0 {
                    continue;
                }
                let best = (0..n_labels)
                    .min_by(|&a, &b| {
                        let da = (sites[a].0 - x).hypot(sites[a].1 - y)
                            + 6.0 * noise.eval(x + 100.0 * a as f64, y);
                        let db = (sites[b].0 - x).hypot(sites[b].1 - y)
                            + 6.0 * noise.eval(x + 100.0 * b as f64, y);
                        da.total_cmp(&db)
                    })
                    .unwrap();
                g.labels[j * nx + i] = best as u32;
            }
        }
        let mut mask: Vec<bool> = g.labels.iter().map(|&l| l != OUTSIDE).collect();
        raster::clean_mask(&mut mask, nx, ny);
        for (l, m) in g.labels.iter_mut().zip(&mask) {
            if !*m {
                *l = OUTSIDE;
            } else if *l == OUTSIDE {
                *l = 0;
            }
        }
        // Parents first (as municipalities), then labels within parents.
        let mut top = g.clone();
        for l in top.labels.iter_mut().filter(|l| **l != OUTSIDE) {
            *l = parent[*l as usize];
        }
        raster::clean(&mut top, &[0, 0, 0], &[]).unwrap();
        for (l, t) in g.labels.iter_mut().zip(&top.labels) {
            if *t != OUTSIDE && parent.get(*l as usize) != Some(t) {
                *l = *t; // labels 0, 1, 2 have parents 0, 1, 2
            }
        }
        raster::clean(&mut g, &parent, &[]).unwrap();
        let opts = TileOptions {
            smoothing: 3,
            tolerance_factor: 0.002,
            min_tolerance: 0.5,
            max_tolerance: 20.0,
        };
        let t = trace::tile(&g, std::slice::from_ref(&parent), &opts).unwrap();
        let mut total = 0.0;
        let mut by_parent = [0.0f64; 3];
        let mut seen = BTreeSet::new();
        for (l, mp) in t.regions.iter().enumerate() {
            let Some(mp) = mp else { continue };
            seen.insert(l);
            assert_eq!(mp.0.len(), 1, "seed {seed} label {l}");
            assert!(
                mp.is_valid(),
                "seed {seed} label {l}: {:?}",
                mp.validation_errors()
            );
            total += mp.unsigned_area();
            by_parent[parent[l] as usize] += mp.unsigned_area();
        }
        let mut group_total = 0.0;
        for (k, mp) in t.groups[0].iter().enumerate() {
            let Some(mp) = mp else { continue };
            assert!(mp.is_valid(), "seed {seed} group {k}");
            assert!((mp.unsigned_area() - by_parent[k]).abs() < 1e-3);
            group_total += mp.unsigned_area();
        }
        assert!((total - group_total).abs() < 1e-3);
        let cells =
            g.labels.iter().filter(|&&l| l != OUTSIDE).count() as f64 * (cell * cell) as f64;
        assert!(
            (total - cells).abs() / cells < 0.05,
            "seed {seed}: {total} vs {cells}"
        );
        for i in 0..t.regions.len() {
            for j in i + 1..t.regions.len() {
                if let (Some(a), Some(b)) = (&t.regions[i], &t.regions[j]) {
                    assert!(
                        a.intersection(b).unsigned_area() < 1e-3,
                        "seed {seed}: {i} and {j} overlap"
                    );
                }
            }
        }
        assert!(seen.len() >= 8);
    }
}

/// Writes the demo to /tmp/synth_out and prints what the brief asks to report
/// (`cargo test --release synth::tests::report -- --ignored --nocapture`).
#[test]
#[ignore]
fn report() {
    let t = std::time::Instant::now();
    let r = generate(&SynthConfig::gavleborg()).unwrap();
    println!("generate: {:?}", t.elapsed());
    println!("{:?}", r.tile_stats);
    let paths = r.write(std::path::Path::new("/tmp/synth_out")).unwrap();
    for p in &paths {
        println!(
            "{:>10} {}",
            std::fs::metadata(p).unwrap().len(),
            p.display()
        );
    }
    let cfg = SynthConfig::gavleborg();
    let total = r.county.unsigned_area();
    let land: f64 = cfg.municipalities.iter().map(|m| m.land_km2).sum();
    println!("county {:.0} km²", total / 1e6);
    for m in &r.municipalities {
        let spec = cfg
            .municipalities
            .iter()
            .find(|s| s.code == m.code)
            .unwrap();
        println!(
            "{} {:12} {:6.0} km² (target {:6.0}) pop {:6} vertices {}",
            m.code,
            m.name,
            m.polygon.unsigned_area() / 1e6,
            spec.land_km2 / land * total / 1e6,
            m.population,
            vertices(&m.polygon)
        );
    }
    let all: Vec<usize> = r.areas.iter().map(|a| vertices(&a.polygon)).collect();
    println!(
        "area vertices: total {} min {} max {} mean {:.0}",
        all.iter().sum::<usize>(),
        all.iter().min().unwrap(),
        all.iter().max().unwrap(),
        all.iter().sum::<usize>() as f64 / all.len() as f64
    );
    for kind in [AreaKind::Rural, AreaKind::Locality, AreaKind::MainTown] {
        let v: Vec<&SynthArea> = r.areas.iter().filter(|a| a.kind == kind).collect();
        let km: Vec<f64> = v.iter().map(|a| a.polygon.unsigned_area() / 1e6).collect();
        let vc: Vec<usize> = v.iter().map(|a| vertices(&a.polygon)).collect();
        println!(
            "{kind:?}: n {} km² {:.2}..{:.2} vertices {}..{} mean {:.0}",
            v.len(),
            km.iter().copied().fold(f64::MAX, f64::min),
            km.iter().copied().fold(0.0, f64::max),
            vc.iter().min().unwrap(),
            vc.iter().max().unwrap(),
            vc.iter().sum::<usize>() as f64 / vc.len() as f64
        );
    }
    let c = cni(&r);
    let mut s = c.clone();
    s.sort_by(f64::total_cmp);
    println!("CNI {:.3}..{:.3}", s[0], s[s.len() - 1]);
    println!(
        "population {} children {}",
        r.areas.iter().map(|a| a.population).sum::<u32>(),
        r.children.len()
    );
    for b in &r.bvcs {
        println!(
            "{} {:24} newborns {:3} first {:3} bcg {:3} smoking {:3}",
            b.id, b.name, b.newborns, b.first_born, b.bcg_indicated, b.mother_smoking
        );
    }
}
