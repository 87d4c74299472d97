//! GeoJSON outputs following RFC 7946: WGS84 longitude/latitude, exterior rings
//! counter-clockwise and holes clockwise, at most 6 decimals (≈ 0.1 m), no `crs`
//! member, numeric feature ids.

use crate::error::{Error, Location, Problem, Result};
use crate::inputs::crs::Crs;
use crate::pipeline::Run;
use geo::MapCoords;
use geo::orient::{Direction, Orient};
use serde_json::{Map, Value, json};

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn num(x: Option<f64>, decimals: i32) -> Value {
    let scale = 10f64.powi(decimals);
    x.map(|x| json!((x * scale).round() / scale))
        .unwrap_or(Value::Null)
}

/// Prepares a polygon in WGS84 for output: right-hand rule, 6 decimals.
pub fn rfc7946(mp: &geo::MultiPolygon<f64>) -> geo::MultiPolygon<f64> {
    mp.orient(Direction::Default)
        .map_coords(|c| geo::coord! { x: round6(c.x), y: round6(c.y) })
}

fn feature_collection(features: &[Value], name: &str) -> Result<Vec<u8>> {
    // One feature per line: small diffs, easy to stream.
    let mut out = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
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

/// `catchments.geojson`: one feature per BVC catchment with a geometry, in WGS84.
pub fn catchments(
    c: &crate::spatial::catchments::Catchments,
    summaries: &[crate::spatial::catchments::CatchmentSummary],
    crs: Crs,
) -> Result<Vec<u8>> {
    catchments_with_plan(c, summaries, None, crs)
}

/// `catchments.geojson` with, when a plan is given, the fields of `plan.csv` on
/// each feature: `plan_rank`, `need`, `eligible_families`, `visits`, `fte`,
/// `selected`, `phase`, `rank_low`, `rank_high`, `p_selected`.
pub fn catchments_with_plan(
    c: &crate::spatial::catchments::Catchments,
    summaries: &[crate::spatial::catchments::CatchmentSummary],
    plan: Option<&crate::plan::Plan>,
    crs: Crs,
) -> Result<Vec<u8>> {
    let t = crate::inputs::crs::Transformer::new(crs, Crs::Wgs84)
        .map_err(|e| Error::Compute(e.to_string()))?;
    let mut features = Vec::new();
    for (catchment, s) in c.catchments.iter().zip(summaries) {
        let Some(g) = &catchment.geometry else {
            continue;
        };
        let wgs = g
            .try_map_coords(|p| t.apply(p.x, p.y).map(|(x, y)| geo::coord! { x: x, y: y }))
            .map_err(|e| Error::Compute(e.to_string()))?;
        let mut properties = json!({
            "bvc": s.bvc,
            "name": s.name,
            "areas": s.areas,
            "population": num(Some(s.population), 1),
            "children": num(Some(s.children), 1),
            "cni": num(s.cni, 4),
            "vti": num(s.vti, 4),
            "relative_vti": num(s.relative_vti, 4),
        });
        let planned = plan.and_then(|p| p.catchments.iter().find(|x| x.bvc == s.bvc));
        if let (Some(x), Some(map)) = (planned, properties.as_object_mut()) {
            let (low, high) = x.rank_interval.unzip();
            for (k, v) in [
                ("plan_rank", json!(x.rank)),
                ("need", num(Some(x.need), 2)),
                ("eligible_families", num(Some(x.eligible_families), 2)),
                ("visits", num(Some(x.resources.visits), 1)),
                ("fte", num(Some(x.resources.fte_total), 3)),
                ("selected", json!(x.phase.is_some())),
                ("phase", json!(x.phase)),
                ("rank_low", json!(low)),
                ("rank_high", json!(high)),
                ("p_selected", num(x.p_selected, 3)),
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
    feature_collection(&features, "catchments.geojson")
}

/// `areas.geojson`: every area with a polygon, with its scores.
pub fn areas(run: &Run) -> Result<Vec<u8>> {
    let Some(b) = &run.boundaries else {
        return Err(Error::Compute("no boundaries to write".into()));
    };
    let wgs = b.to_crs(Crs::Wgs84)?;
    let mut features = Vec::new();
    let mut id = 0u64;
    for &i in &run.ranking {
        let a = &run.areas[i];
        let Some(p) = a.polygon else { continue };
        id += 1;
        let area = &wgs.areas[p];
        let geometry = geojson::Geometry::from(&rfc7946(&area.geometry));
        let mut props = Map::new();
        props.insert("code".into(), json!(a.code));
        props.insert("name".into(), json!(a.name));
        props.insert("municipality_code".into(), json!(a.municipality_code));
        props.insert("municipality".into(), json!(a.municipality));
        props.insert("population".into(), num(a.population, 2));
        props.insert("index".into(), num(a.index, 2));
        props.insert("cni".into(), num(a.cni, 4));
        if !run.cni.research_reference.is_empty() {
            props.insert("cni_research".into(), num(a.cni_research, 4));
        }
        props.insert("rank".into(), json!(a.rank));
        if a.row.is_none() {
            props.insert("note".into(), json!("no row in the area table"));
        }
        features.push(json!({
            "type": "Feature",
            "id": id,
            "geometry": geometry,
            "properties": props,
        }));
    }
    feature_collection(&features, "areas.geojson")
}
