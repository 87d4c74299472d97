//! GeoJSON outputs following RFC 7946: WGS84 longitude/latitude, exterior rings
//! counter-clockwise and holes clockwise, at most 6 decimals (≈ 0.1 m), no `crs`
//! member, numeric feature ids.
//!
//! Every feature carries its map class and simplestyle-spec colours, so the file
//! renders coloured on geojson.io and GitHub as is: `class` (1-based, `null`
//! without a value), `class_label`, `fill`, `fill-opacity`, `stroke`,
//! `stroke-width`. The classification (variable, scheme, breaks, colours,
//! labels, counts) is the FeatureCollection's foreign member `classification`
//! (RFC 7946 §6.1). Values withheld by the [`release`](crate::release) are
//! `null`, with `suppressed: true` on the feature.

use crate::error::{Error, Location, Problem, Result};
use crate::inputs::crs::Crs;
use crate::outputs::map::Classes;
use crate::release::{Cell, Release};
use geo::MapCoords;
use geo::orient::{Direction, Orient};
use serde_json::{Map, Value, json};

fn num(x: Option<f64>, decimals: i32) -> Value {
    let scale = 10f64.powi(decimals);
    x.map(|x| json!((x * scale).round() / scale))
        .unwrap_or(Value::Null)
}

/// A released value: the rounded number when shown, `null` otherwise.
fn cell(c: Cell, decimals: i32) -> Value {
    num(c.shown(), decimals)
}

/// Prepares a polygon in WGS84 for output: right-hand rule, rounded to 6
/// decimals (≈ 0.1 m), the precision RFC 7946 §11.2 suggests.
///
/// Rounding moves vertices, and on real boundaries it can make a valid polygon
/// cross or touch itself: 7 of Dalarna's 175 DeSO did at 6 decimals (`cargo test
/// --test geometry_validity real_dalarna_deso_stay -- --nocapture`). So the
/// rounded polygon is checked (OGC validity, geo's `Validation`), and when a
/// valid polygon became invalid, it is rounded to 7, 8, … decimals instead, up
/// to 12, and left unrounded beyond. Every output polygon is then valid whenever
/// its input was, within 0.5e-6 degrees of it, and reads back into careneed.
///
/// ```
/// use careneed::outputs::geojson::rfc7946;
/// use geo::{polygon, MultiPolygon, Validation};
/// // A narrow waist: the bottom vertex and the notch above it are 3e-7 degrees
/// // apart, and collapse onto one point at 6 decimals (the ring touches itself).
/// let p = polygon![(x: 15.0, y: 60.0), (x: 15.001, y: 60.0000001), (x: 15.002, y: 60.0),
///                  (x: 15.002, y: 60.001), (x: 15.001, y: 60.0000004), (x: 15.0, y: 60.001)];
/// let mp = MultiPolygon(vec![p]);
/// assert!(mp.is_valid());
/// let six = geo::MapCoords::map_coords(&mp, |c: geo::Coord<f64>| geo::coord! {
///     x: (c.x * 1e6).round() / 1e6, y: (c.y * 1e6).round() / 1e6 });
/// assert!(!six.is_valid());
/// assert!(rfc7946(&mp).is_valid());
/// ```
pub fn rfc7946(mp: &geo::MultiPolygon<f64>) -> geo::MultiPolygon<f64> {
    use geo::Validation;
    let oriented = mp.orient(Direction::Default);
    let round = |decimals: i32| {
        let scale = 10f64.powi(decimals);
        oriented.map_coords(|c| {
            geo::coord! {
                x: (c.x * scale).round() / scale,
                y: (c.y * scale).round() / scale,
            }
        })
    };
    let six = round(6);
    if six.is_valid() || !oriented.is_valid() {
        return six;
    }
    (7..=12)
        .map(round)
        .find(|r| r.is_valid())
        .unwrap_or(oriented)
}

fn feature_collection(features: &[Value], name: &str, classes: &Classes) -> Result<Vec<u8>> {
    // One feature per line: small diffs, easy to stream.
    let classification = serde_json::to_string(&classes.to_json())
        .map_err(|e| Error::input(Location::file(name), Problem::Json(e.to_string())))?;
    let mut out = format!(
        "{{\"type\":\"FeatureCollection\",\"classification\":{classification},\"features\":[\n"
    );
    for (i, f) in features.iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        out.push_str(&serde_json::to_string(f).map_err(|e| {
            Error::input(
                Location::file(name).at_feature(i),
                Problem::Json(e.to_string()),
            )
        })?);
    }
    out.push_str("\n]}\n");
    Ok(out.into_bytes())
}

/// Inserts a feature's style (see the module docs) into its properties.
pub fn insert_style(props: &mut Map<String, Value>, classes: &Classes, i: usize) {
    let s = classes.style(i);
    props.insert("class".into(), json!(s.class));
    props.insert("class_label".into(), json!(s.label));
    props.insert("fill".into(), json!(s.fill));
    props.insert("fill-opacity".into(), json!(s.fill_opacity));
    props.insert("stroke".into(), json!(s.stroke));
    props.insert("stroke-width".into(), json!(1));
}

/// `catchments.geojson`: one feature per catchment with a geometry, in WGS84,
/// with the catchment's figures and, when there is a plan, the fields of
/// `plan.csv`: `plan_rank`, `need`, `eligible_families`, `visits`, `fte`,
/// `selected`, `phase`, `rank_low`, `rank_high`, `p_selected`; styled by
/// `classes` (one per catchment).
pub fn catchments(r: &Release, classes: &Classes) -> Result<Vec<u8>> {
    let (Some(c), Some(b)) = (r.catchment_geometry, r.boundaries) else {
        return Err(Error::Compute("no catchments to write".into()));
    };
    let t = crate::inputs::crs::Transformer::new(b.crs, Crs::Wgs84)
        .map_err(|e| Error::Compute(e.to_string()))?;
    let mut features = Vec::new();
    for (i, (catchment, s)) in c.catchments.iter().zip(&r.catchments).enumerate() {
        let Some(g) = &catchment.geometry else {
            continue;
        };
        let wgs = g
            .try_map_coords(|p| t.apply(p.x, p.y).map(|(x, y)| geo::coord! { x: x, y: y }))
            .map_err(|e| Error::Compute(e.to_string()))?;
        let suppressed = crate::release::Row::cells(s)
            .iter()
            .any(|(_, c)| c.is_withheld());
        let mut properties = json!({
            "bvc": s.bvc,
            "name": s.name,
            "areas": s.areas,
            "population": cell(s.population, 1),
            "children": cell(s.children, 1),
            "cni": cell(s.cni, 4),
            "vti": cell(s.vti, 4),
            "relative_vti": cell(s.relative_vti, 4),
        });
        if let Some(map) = properties.as_object_mut() {
            insert_style(map, classes, i);
            map.insert("suppressed".into(), json!(suppressed));
        }
        if let (Some(x), Some(map)) = (&s.plan, properties.as_object_mut()) {
            let (low, high) = x.rank_interval.unzip();
            for (k, v) in [
                ("plan_rank", json!(x.rank)),
                ("need", cell(x.need, 2)),
                ("eligible_families", cell(x.eligible_families, 2)),
                ("visits", cell(x.visits, 1)),
                ("fte", cell(x.fte, 3)),
                ("selected", json!(x.phase.is_some())),
                ("phase", json!(x.phase)),
                ("rank_low", json!(low)),
                ("rank_high", json!(high)),
                ("p_selected", cell(x.p_selected, 3)),
            ] {
                map.insert(k.into(), v);
            }
        }
        features.push(json!({
            "type": "Feature",
            "id": features.len() + 1,
            "geometry": geojson::Geometry::from(&rfc7946(&wgs)),
            "properties": properties,
        }));
    }
    feature_collection(&features, "catchments.geojson", classes)
}

/// `areas.geojson`: every area with a polygon, in release order (ranked first),
/// with its scores, styled by `classes` (one per [`Release::areas`] entry).
pub fn areas(r: &Release, classes: &Classes) -> Result<Vec<u8>> {
    let Some(b) = r.boundaries else {
        return Err(Error::Compute("no boundaries to write".into()));
    };
    let wgs = b.to_crs(Crs::Wgs84)?;
    let mut features = Vec::new();
    let mut id = 0u64;
    for &i in &r.area_order {
        let a = &r.areas[i];
        let Some(p) = a.polygon else { continue };
        id += 1;
        let area = &wgs.areas[p];
        let geometry = geojson::Geometry::from(&rfc7946(&area.geometry));
        let hidden = crate::release::Row::cells(a)
            .iter()
            .any(|(_, c)| c.is_withheld());
        let mut props = Map::new();
        props.insert("code".into(), json!(a.code));
        props.insert("name".into(), json!(a.name));
        props.insert("municipality_code".into(), json!(a.municipality_code));
        props.insert("municipality".into(), json!(a.municipality));
        props.insert("population".into(), cell(a.population, 2));
        props.insert("index".into(), cell(a.index, 2));
        props.insert("cni".into(), cell(a.cni, 4));
        if r.research() {
            props.insert("research_shifted".into(), cell(a.research_shifted, 4));
        }
        props.insert("suppressed".into(), json!(hidden));
        insert_style(&mut props, classes, i);
        props.insert("rank".into(), json!(a.rank));
        if !a.in_table {
            props.insert("note".into(), json!("no row in the area table"));
        }
        features.push(json!({
            "type": "Feature",
            "id": id,
            "geometry": geometry,
            "properties": props,
        }));
    }
    feature_collection(&features, "areas.geojson", classes)
}
