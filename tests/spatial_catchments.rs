//! Tests of BVC catchments on the demo data and hand-made cases.

use careneed::inputs::boundaries::{
    Area, Boundaries, BoundaryOptions, CrsSource, parse_boundaries, read_boundaries,
};
use careneed::inputs::points::{Points, read_points};
use careneed::spatial::assign::{AreaIndex, assign};
use careneed::spatial::catchments::{
    BvcPoint, Method, from_listings, from_polygons, nearest_bvc, parse_bvc_points, read_bvc_points,
    summarise,
};
use geo::Area as _;
use std::path::Path;

fn demo() -> (Boundaries, Vec<BvcPoint>) {
    let (areas, _) = read_boundaries(
        Path::new("data/demo/deso.geojson"),
        &BoundaryOptions::default(),
    )
    .unwrap();
    let (bvcs, crs, _) = read_bvc_points(Path::new("data/demo/bvc.geojson"), "bvc").unwrap();
    assert_eq!(crs, areas.crs);
    (areas, bvcs)
}

fn children(areas: &Boundaries) -> Points {
    let (mut points, _) = read_points(Path::new("data/demo/children.csv"), "x", "y").unwrap();
    points.declare_crs(areas.crs).unwrap();
    points
}

fn population(areas: &Boundaries) -> Vec<Option<f64>> {
    let mut reader = csv::Reader::from_path("data/demo/areas.csv").unwrap();
    let headers = reader.headers().unwrap().clone();
    let code = headers.iter().position(|h| h == "code").unwrap();
    let pop = headers.iter().position(|h| h == "population").unwrap();
    let mut out = vec![None; areas.len()];
    for row in reader.records() {
        let row = row.unwrap();
        let a = areas.position(&row[code]).unwrap();
        out[a] = Some(row[pop].parse::<f64>().unwrap());
    }
    out
}

#[test]
fn reads_demo_bvcs() {
    let (bvcs, crs, report) = read_bvc_points(Path::new("data/demo/bvc.geojson"), "bvc").unwrap();
    assert_eq!(bvcs.len(), 25);
    assert_eq!(crs.epsg(), 3006);
    assert_eq!(bvcs[0].bvc, "2101-1");
    assert_eq!(bvcs[0].name.as_deref(), Some("BVC Ockelbo"));
    assert_eq!((bvcs[0].x, bvcs[0].y), (593450.0, 6751350.0));
    assert_eq!(report.of_kind("crs").count(), 0);
}

#[test]
fn bvc_errors_name_feature_and_field() {
    let dup = br#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"bvc":"A"},"geometry":{"type":"Point","coordinates":[600000,6700000]}},
      {"type":"Feature","properties":{"bvc":"A"},"geometry":{"type":"Point","coordinates":[600100,6700000]}}]}"#;
    let err = parse_bvc_points("b.geojson", dup, "bvc").unwrap_err();
    let text = err.to_string();
    assert!(text.contains("b.geojson"), "{text}");
    assert!(text.contains("feature 1"), "{text}");
    assert!(text.contains("duplicate"), "{text}");
    let missing = br#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"id":"A"},"geometry":{"type":"Point","coordinates":[600000,6700000]}}]}"#;
    let text = parse_bvc_points("m.geojson", missing, "bvc")
        .unwrap_err()
        .to_string();
    assert!(text.contains("m.geojson") && text.contains("bvc"), "{text}");
}

#[test]
fn nearest_bvc_partitions_the_demo() {
    let (areas, bvcs) = demo();
    assert_eq!(areas.len(), 172);
    let (c, report) = nearest_bvc(&areas, &bvcs, None).unwrap();
    assert_eq!(
        c.method,
        Method::NearestBvc {
            population_weighted: false
        }
    );
    assert_eq!(c.catchments.len(), 25);
    assert!(c.catchments.windows(2).all(|w| w[0].bvc < w[1].bvc));
    assert!(c.uncovered.is_empty());
    let mut seen = vec![0; areas.len()];
    for catchment in &c.catchments {
        for &(a, share) in &catchment.areas {
            assert_eq!(share, 1.0);
            seen[a] += 1;
        }
        let area_sum: f64 = catchment
            .areas
            .iter()
            .map(|&(a, _)| areas.areas[a].geometry.unsigned_area())
            .sum();
        let geometry = catchment
            .geometry
            .as_ref()
            .map_or(0.0, |g| g.unsigned_area());
        assert!(
            (geometry - area_sum).abs() <= catchment.areas.len() as f64,
            "{}: {geometry} vs {area_sum}",
            catchment.bvc
        );
    }
    assert!(seen.iter().all(|&n| n == 1));
    let empty = c.catchments.iter().filter(|c| c.areas.is_empty()).count();
    assert_eq!(report.of_kind("empty_catchment").count(), empty);

    let pop = population(&areas);
    let kids = children(&areas);
    let assignment = assign(&AreaIndex::new(&areas), &kids, &|_| {});
    let cni = vec![Some(1.0); areas.len()];
    let summary = summarise(&c, &areas, &pop, &cni, &assignment.counts, None);
    assert_eq!(summary.len(), 25);
    let total: f64 = summary.iter().map(|s| s.population).sum();
    assert!((total - 286_700.0).abs() < 1e-6, "{total}");
    let total_children: f64 = summary.iter().map(|s| s.children).sum();
    assert_eq!(total_children, assignment.assigned() as f64);
    for s in &summary {
        if s.population > 0.0 {
            assert!((s.cni.unwrap() - 1.0).abs() < 1e-12);
        } else {
            assert_eq!(s.cni, None);
        }
    }

    // Population-weighted centres also cover every area exactly once.
    let (weighted, report) = nearest_bvc(&areas, &bvcs, Some(&kids)).unwrap();
    let childless = assignment.counts.iter().filter(|&&n| n == 0).count();
    assert_eq!(
        report.of_kind("centroid_fallback").count(),
        usize::from(childless > 0)
    );
    assert_eq!(
        weighted.method,
        Method::NearestBvc {
            population_weighted: true
        }
    );
    assert_eq!(weighted.catchments.len(), 25);
    assert!(weighted.uncovered.is_empty());
    assert!(weighted.area_shares(areas.len()).iter().all(|&s| s == 1.0));

    // Written as catchment polygons, they give back whole areas.
    let polygons = Boundaries::new(
        "catchments".into(),
        areas.crs,
        CrsSource::Given,
        c.catchments
            .iter()
            .filter_map(|x| x.geometry.clone().map(|g| (x.bvc.clone(), g)))
            .enumerate()
            .map(|(feature, (code, geometry))| Area {
                feature,
                code,
                properties: Default::default(),
                geometry,
            })
            .collect(),
    );
    let (back, report) = from_polygons(&areas, &polygons).unwrap();
    assert_eq!(back.method, Method::Polygons);
    assert!(back.uncovered.is_empty(), "{:?}", back.uncovered);
    assert_eq!(report.of_kind("overlapping_catchments").count(), 0);
    for (a, s) in back.area_shares(areas.len()).iter().enumerate() {
        assert!((s - 1.0).abs() < 1e-6, "{}: {s}", areas.areas[a].code);
    }
    for x in &back.catchments {
        let original = c.find(&x.bvc).unwrap();
        let whole: Vec<usize> = x
            .areas
            .iter()
            .filter(|&&(_, s)| s > 0.5)
            .map(|&(a, _)| a)
            .collect();
        let expected: Vec<usize> = original.areas.iter().map(|&(a, _)| a).collect();
        assert_eq!(whole, expected, "{}", x.bvc);
    }
}

#[test]
fn listings_shares_sum_to_one() {
    let (areas, _) = demo();
    let kids = children(&areas);
    let assignment = assign(&AreaIndex::new(&areas), &kids, &|_| {});
    let (c, _) = from_listings(&areas, &kids, &assignment, "bvc", &[]).unwrap();
    assert_eq!(c.method, Method::Listings);
    assert!(!c.catchments.is_empty());
    let sums = c.area_shares(areas.len());
    for (a, &n) in assignment.counts.iter().enumerate() {
        if n > 0 {
            assert!(
                (sums[a] - 1.0).abs() < 1e-9,
                "{}: {}",
                areas.areas[a].code,
                sums[a]
            );
        } else {
            assert_eq!(sums[a], 0.0);
            assert!(c.uncovered.contains(&a));
        }
    }
    // Every area with children is in the geometry of exactly one catchment.
    let with_geometry: f64 = c
        .catchments
        .iter()
        .filter_map(|x| x.geometry.as_ref())
        .map(|g| g.unsigned_area())
        .sum();
    let expected: f64 = (0..areas.len())
        .filter(|&a| assignment.counts[a] > 0)
        .map(|a| areas.areas[a].geometry.unsigned_area())
        .sum();
    assert!((with_geometry - expected).abs() <= areas.len() as f64);
    assert!(from_listings(&areas, &kids, &assignment, "nope", &[]).is_err());
}

const SQUARES: &[u8] = br#"{"type":"FeatureCollection","features":[
  {"type":"Feature","properties":{"code":"A"},"geometry":{"type":"Polygon","coordinates":
    [[[600000,6700000],[601000,6700000],[601000,6701000],[600000,6701000],[600000,6700000]]]}},
  {"type":"Feature","properties":{"code":"B"},"geometry":{"type":"Polygon","coordinates":
    [[[601000,6700000],[602000,6700000],[602000,6701000],[601000,6701000],[601000,6700000]]]}},
  {"type":"Feature","properties":{"code":"C"},"geometry":{"type":"Polygon","coordinates":
    [[[602000,6700000],[603000,6700000],[603000,6701000],[602000,6701000],[602000,6700000]]]}}]}"#;

#[test]
fn polygons_leave_an_area_uncovered() {
    let (areas, _) =
        parse_boundaries("squares.geojson", SQUARES, &BoundaryOptions::default()).unwrap();
    // One catchment over A and half of B; C is outside.
    let catchment = br#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"code":"X","name":"BVC X"},"geometry":{"type":"Polygon","coordinates":
        [[[600000,6700000],[601500,6700000],[601500,6701000],[600000,6701000],[600000,6700000]]]}}]}"#;
    let (polygons, _) =
        parse_boundaries("bvc_areas.geojson", catchment, &BoundaryOptions::default()).unwrap();
    let (c, report) = from_polygons(&areas, &polygons).unwrap();
    assert_eq!(c.catchments.len(), 1);
    assert_eq!(c.catchments[0].name.as_deref(), Some("BVC X"));
    assert_eq!(c.catchments[0].areas.len(), 2);
    assert_eq!(c.catchments[0].areas[0].0, 0);
    assert!((c.catchments[0].areas[0].1 - 1.0).abs() < 1e-9);
    assert_eq!(c.catchments[0].areas[1].0, 1);
    assert!((c.catchments[0].areas[1].1 - 0.5).abs() < 1e-9);
    assert_eq!(c.uncovered, [1, 2]);
    let named: Vec<&str> = report
        .of_kind("uncovered_area")
        .map(|n| n.location.code.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(named, ["B", "C"]);
    let pop = [Some(100.0), Some(200.0), Some(50.0)];
    let cni = [Some(1.0), Some(2.0), None];
    let s = summarise(&c, &areas, &pop, &cni, &[4, 10, 3], None);
    assert_eq!(s[0].population, 200.0);
    assert_eq!(s[0].children, 9.0);
    assert!((s[0].cni.unwrap() - 1.5).abs() < 1e-9);
    assert_eq!(s[0].areas, 2);
}

#[test]
fn bvc_without_area_warns() {
    let (areas, _) =
        parse_boundaries("squares.geojson", SQUARES, &BoundaryOptions::default()).unwrap();
    let bvcs = vec![
        BvcPoint {
            bvc: "near".into(),
            name: None,
            x: 601500.0,
            y: 6700500.0,
        },
        BvcPoint {
            bvc: "far".into(),
            name: Some("BVC Far".into()),
            x: 650000.0,
            y: 6750000.0,
        },
    ];
    let (c, report) = nearest_bvc(&areas, &bvcs, None).unwrap();
    let far = c.find("far").unwrap();
    assert!(far.areas.is_empty());
    assert_eq!(far.geometry, None);
    assert_eq!(
        c.find("near").unwrap().areas,
        [(0, 1.0), (1, 1.0), (2, 1.0)]
    );
    let warnings: Vec<_> = report.of_kind("empty_catchment").collect();
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].location.code.as_deref(), Some("far"));
    assert!(warnings[0].message.contains("far"));
    // Points in another CRS are refused.
    let wgs = [BvcPoint {
        bvc: "w".into(),
        name: None,
        x: 17.0,
        y: 60.0,
    }];
    assert!(nearest_bvc(&areas, &wgs, None).is_err());
}

#[test]
fn bvc_without_children_is_named_and_kept_empty() {
    let (areas, _) = demo();
    let kids = children(&areas);
    let assignment = assign(&AreaIndex::new(&areas), &kids, &|_| {});
    let listed = from_listings(&areas, &kids, &assignment, "bvc", &[])
        .unwrap()
        .0;
    let first = listed.catchments[0].bvc.clone();
    let (c, report) =
        from_listings(&areas, &kids, &assignment, "bvc", &[&first, "BVC-NEW"]).unwrap();
    assert_eq!(c.catchments.len(), listed.catchments.len() + 1);
    let new = c.find("BVC-NEW").unwrap();
    assert!(new.areas.is_empty() && new.geometry.is_none());
    let notices: Vec<_> = report.of_kind("bvc_without_children").collect();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].location.code.as_deref(), Some("BVC-NEW"));
    assert!(
        notices[0]
            .message
            .contains("BVC BVC-NEW has no listed child")
    );
    // Its summary says 0 children and no CNI rather than leaving it out.
    let pop = population(&areas);
    let cni = vec![Some(1.0); areas.len()];
    let summaries = summarise(&c, &areas, &pop, &cni, &assignment.counts, None);
    let s = summaries.iter().find(|s| s.bvc == "BVC-NEW").unwrap();
    assert_eq!(
        (s.children, s.population, s.cni, s.areas),
        (0.0, 0.0, None, 0)
    );
}
