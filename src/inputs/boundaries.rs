//! Boundaries: GeoJSON polygons of areas (DeSO, RegSO, kommun), keyed by a code property.
//!
//! # Rules
//! * The file is a GeoJSON **FeatureCollection** (UTF-8; a BOM is stripped, other
//!   bytes are read as Windows-1252 with an `Info` notice). Malformed JSON is
//!   [`Problem::Json`] with the parser's line and column.
//! * Each feature has a **code** in the property [`BoundaryOptions::code_field`]
//!   (`code` by default; SCB's DeSO files use `deso`), matched exactly or else
//!   ignoring case. A string is trimmed; an integer number becomes its decimal string
//!   (an `Info` notice, kind `numeric_code`, warns that leading zeros are lost). A
//!   missing property is [`Problem::Invalid`] listing the properties the feature has;
//!   an empty code is [`Problem::EmptyCode`]; a repeated code
//!   [`Problem::DuplicateCode`] naming the first feature.
//! * The **geometry** is a Polygon or MultiPolygon (anything else, `null` included,
//!   is [`Problem::GeometryType`]). Every ring has at least 4 positions
//!   ([`Problem::TooFewRingPoints`]) and ends where it starts
//!   ([`Problem::RingNotClosed`]); every position has two finite numbers
//!   ([`Problem::BadCoordinate`]; a third, height, is ignored). Ring numbers count
//!   within a polygon: 0 is the exterior, 1… the holes.
//! * **CRS.** An explicit [`BoundaryOptions::crs`] wins ([`CrsSource::Given`]; an
//!   `Info` notice when the file declares another); else the file's legacy `crs`
//!   member, e.g. `{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3006"}}`,
//!   read with [`Crs::parse`](crate::inputs::crs::Crs::parse) ([`CrsSource::Declared`]; an unknown name is
//!   [`Problem::UnsupportedCrs`]); else the CRS every coordinate fits
//!   ([`CrsSource::Detected`], with an `Info` notice of kind `crs`). Coordinates that
//!   fit no single CRS are [`Problem::UnknownCrs`]; coordinates that do not fit a
//!   given or declared CRS are [`Problem::CrsMismatch`]. Both name the first feature
//!   with an offending position. WGS84 coordinates that look like latitude/longitude
//!   order for Sweden get a `Warning` (kind `axis_order`); WGS84 coordinates none of
//!   which lies in Sweden, one of kind `outside_sweden`.
//! * **Validity.** Every polygon must be OGC-valid (no self-intersection, holes
//!   inside their shell, …): an invalid one is [`Problem::InvalidGeometry`] unless
//!   [`BoundaryOptions::repair`] asks for a reported repair; see
//!   [`validate`](crate::inputs::validate).
//!
//! Errors' [`Location`] names the file, the 0-based feature, the code once known, and
//! the field: `geometry` or the code property.
//!
//! ```
//! use careneed::inputs::boundaries::{parse_boundaries, BoundaryOptions, CrsSource};
//! use careneed::inputs::crs::Crs;
//! let geojson = br#"{"type": "FeatureCollection", "features": [
//!   {"type": "Feature", "properties": {"deso": "2180C1010"},
//!    "geometry": {"type": "Polygon", "coordinates":
//!      [[[617000, 6727000], [618000, 6727000], [618000, 6728000], [617000, 6727000]]]}}]}"#;
//! let options = BoundaryOptions { code_field: "deso".into(), ..BoundaryOptions::default() };
//! let (boundaries, report) = parse_boundaries("deso.geojson", geojson, &options).unwrap();
//! assert_eq!(boundaries.crs, Crs::Sweref99Tm);
//! assert_eq!(boundaries.crs_source, CrsSource::Detected);
//! assert_eq!(boundaries.find("2180C1010").unwrap().feature, 0);
//! assert_eq!(report.of_kind("crs").count(), 1);
//! ```

use crate::error::{Error, Location, Problem};
pub use crate::inputs::area::{Area, Boundaries, BoundaryOptions, CrsSource};
use crate::inputs::area::{Named, POLYGONAL, closed_ring, feature_code, json_text};
use crate::inputs::settle::settle_crs;
use crate::inputs::text::{Encoding, decode};
use crate::report::Report;
use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

fn position(value: &Value) -> Result<Coord<f64>, Problem> {
    let bad = || Problem::BadCoordinate {
        value: json_text(value),
    };
    let array = value.as_array().ok_or_else(bad)?;
    match array.as_slice() {
        [x, y, ..] => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) if x.is_finite() && y.is_finite() => Ok(Coord { x, y }),
            _ => Err(bad()),
        },
        _ => Err(bad()),
    }
}

fn ring(value: &Value, index: usize) -> Result<LineString<f64>, Problem> {
    let positions = value.as_array().ok_or_else(|| {
        Problem::Invalid(format!(
            "ring {index} is {}, not an array of positions",
            json_text(value)
        ))
    })?;
    let coords = positions
        .iter()
        .map(position)
        .collect::<Result<Vec<_>, _>>()?;
    closed_ring(coords, index)
}

fn polygon(value: &Value, part: Option<usize>) -> Result<Polygon<f64>, Problem> {
    let what = part.map_or("the polygon".to_string(), |p| format!("polygon {p}"));
    let rings = value.as_array().ok_or_else(|| {
        Problem::Invalid(format!(
            "{what} is {}, not an array of rings",
            json_text(value)
        ))
    })?;
    let mut rings = rings.iter().enumerate().map(|(i, r)| ring(r, i));
    let exterior = rings
        .next()
        .ok_or_else(|| Problem::Invalid(format!("{what} has no rings")))??;
    let holes = rings.collect::<Result<Vec<_>, _>>()?;
    Ok(Polygon::new(exterior, holes))
}

fn geometry(value: Option<&Value>) -> Result<MultiPolygon<f64>, Problem> {
    let wrong = |found: &str| Problem::GeometryType {
        found: found.to_string(),
        expected: POLYGONAL.to_string(),
    };
    let object = match value {
        None | Some(Value::Null) => return Err(wrong("null")),
        Some(Value::Object(o)) => o,
        Some(other) => {
            return Err(Problem::Invalid(format!(
                "geometry is {}, not a GeoJSON geometry object",
                json_text(other)
            )));
        }
    };
    let kind = object
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("(none)");
    let coordinates = || {
        object
            .get("coordinates")
            .ok_or_else(|| Problem::Invalid(format!("the {kind} has no \"coordinates\"")))
    };
    match kind {
        "Polygon" => Ok(MultiPolygon::new(vec![polygon(coordinates()?, None)?])),
        "MultiPolygon" => {
            let parts = coordinates()?.as_array().ok_or_else(|| {
                Problem::Invalid("MultiPolygon coordinates are not an array of polygons".into())
            })?;
            if parts.is_empty() {
                return Err(Problem::Invalid("the MultiPolygon has no polygons".into()));
            }
            let polygons = parts
                .iter()
                .enumerate()
                .map(|(i, p)| polygon(p, Some(i)))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(MultiPolygon::new(polygons))
        }
        other => Err(wrong(other)),
    }
}

/// The CRS the legacy `crs` member declares.
fn declared_crs(member: &Value) -> Result<Named, Problem> {
    let name = member
        .get("properties")
        .and_then(|p| p.get("name"))
        .and_then(Value::as_str);
    match name {
        Some(name) => Named::parse(name),
        None => Err(Problem::UnsupportedCrs(json_text(member))),
    }
}

/// A JSON object's members as raw text (the last of a repeated name wins, as
/// in [`Value`]).
type Members<'a> = BTreeMap<String, &'a RawValue>;

/// The top level read in one pass: its members as raw text, except
/// `features`, read straight as one raw text per feature (the last of a repeated
/// name wins, as in [`Value`]). It fails when `features` is not an array; the
/// two-pass reading then names the problem.
struct Root<'a> {
    members: Members<'a>,
    features: Option<Vec<&'a RawValue>>,
}

impl<'de> Deserialize<'de> for Root<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Root<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a GeoJSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Root<'de>, A::Error> {
                let mut root = Root {
                    members: Members::new(),
                    features: None,
                };
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    if key == "features" {
                        root.features = Some(map.next_value()?);
                    } else {
                        root.members.insert(key.into_owned(), map.next_value()?);
                    }
                }
                Ok(root)
            }
        }
        d.deserialize_map(Visit)
    }
}

/// Member `name` of `members` as a [`Value`] (`None` when absent).
fn member_value(members: &Members, name: &str) -> Option<Value> {
    members
        .get(name)
        .and_then(|raw| serde_json::from_str::<Value>(raw.get()).ok())
}

/// One feature, read on its own: its `type` (when a string), its `properties`
/// and its geometry, or the problem with the geometry.
#[derive(Debug)]
struct RawFeature {
    kind: Option<String>,
    properties: Option<Value>,
    geometry: Result<MultiPolygon<f64>, Problem>,
}

impl RawFeature {
    /// An error when the feature is not a JSON object (or, nested too deeply,
    /// not readable JSON).
    fn read(raw: &RawValue) -> Result<RawFeature, Problem> {
        // The common case in one pass; anything else as below, which names
        // the problems.
        if let Ok(FastFeature(feature)) = serde_json::from_str(raw.get()) {
            return Ok(feature);
        }
        Self::read_by_members(raw)
    }

    /// [`RawFeature::read`] member by member, each read by the general reader
    /// when out of the ordinary.
    fn read_by_members(raw: &RawValue) -> Result<RawFeature, Problem> {
        let members: Members = match serde_json::from_str(raw.get()) {
            Ok(members) => members,
            Err(e) => {
                return Err(match serde_json::from_str::<Value>(raw.get()) {
                    Err(e) => Problem::Json(e.to_string()),
                    Ok(Value::Object(_)) => Problem::Json(e.to_string()),
                    Ok(_) => Problem::Invalid("the feature is not a JSON object".into()),
                });
            }
        };
        let geometry = match members.get("geometry") {
            None => geometry(None),
            Some(raw) => match serde_json::from_str::<FastGeometry>(raw.get()) {
                Ok(g) => Ok(g.0),
                // Anything out of the ordinary: the general reader names the problem.
                Err(_) => match serde_json::from_str::<Value>(raw.get()) {
                    Ok(v) => geometry(Some(&v)),
                    Err(e) => Err(Problem::Json(e.to_string())),
                },
            },
        };
        Ok(RawFeature {
            kind: member_value(&members, "type").and_then(|v| v.as_str().map(str::to_string)),
            properties: member_value(&members, "properties"),
            geometry,
        })
    }
}

/// A feature read in one pass: a string `type`, any `properties` and a
/// well-formed Polygon or MultiPolygon ([`FastGeometry`]), each at most once;
/// other members are skipped. Anything else fails (then the feature is read by
/// members, as [`RawFeature::read`] does, and the problem named).
struct FastFeature(RawFeature);

impl<'de> Deserialize<'de> for FastFeature {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = FastFeature;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a feature")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<FastFeature, A::Error> {
                use serde::de::Error as _;
                let (mut kind, mut properties, mut geometry) = (None, None, None);
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    let again = match key.as_ref() {
                        "type" => kind.replace(map.next_value::<String>()?).is_some(),
                        "properties" => properties.replace(map.next_value::<Value>()?).is_some(),
                        "geometry" => geometry
                            .replace(map.next_value::<FastGeometry>()?.0)
                            .is_some(),
                        _ => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                            false
                        }
                    };
                    if again {
                        return Err(A::Error::custom("a repeated member"));
                    }
                }
                let geometry = geometry.ok_or_else(|| A::Error::custom("no geometry"))?;
                Ok(FastFeature(RawFeature {
                    kind,
                    properties,
                    geometry: Ok(geometry),
                }))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// A well-formed Polygon or MultiPolygon read in one pass, `type` before or
/// after `coordinates`; anything else fails (then [`geometry`] reads it and
/// names the problem).
struct FastGeometry(MultiPolygon<f64>);

impl<'de> Deserialize<'de> for FastGeometry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = FastGeometry;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a Polygon or MultiPolygon")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<FastGeometry, A::Error> {
                use serde::de::Error as _;
                let mut kind: Option<std::borrow::Cow<'de, str>> = None;
                let mut polygons: Option<Vec<Vec<Vec<Position>>>> = None;
                // Coordinates before the type: kept raw until it comes.
                let mut early: Option<&'de RawValue> = None;
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match key.as_ref() {
                        "type" if kind.is_none() => kind = Some(map.next_value()?),
                        "coordinates" if polygons.is_none() && early.is_none() => {
                            match kind.as_deref() {
                                Some("Polygon") => polygons = Some(vec![map.next_value()?]),
                                Some("MultiPolygon") => polygons = Some(map.next_value()?),
                                Some(_) => return Err(A::Error::custom("another type")),
                                None => early = Some(map.next_value()?),
                            }
                        }
                        "type" | "coordinates" => {
                            return Err(A::Error::custom("a repeated member"));
                        }
                        _ => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                let polygons = match (kind.as_deref(), polygons, early) {
                    (_, Some(p), _) => p,
                    (Some("Polygon"), None, Some(raw)) => {
                        vec![serde_json::from_str(raw.get()).map_err(A::Error::custom)?]
                    }
                    (Some("MultiPolygon"), None, Some(raw)) => {
                        serde_json::from_str(raw.get()).map_err(A::Error::custom)?
                    }
                    _ => return Err(A::Error::custom("not a Polygon or MultiPolygon")),
                };
                multi_polygon(polygons)
                    .map(FastGeometry)
                    .ok_or_else(|| A::Error::custom("not well-formed"))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// A position read straight from JSON: two finite numbers, then anything
/// (a height) ignored.
struct Position(Coord<f64>);

impl<'de> Deserialize<'de> for Position {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Position;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a position [x, y]")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Position, A::Error> {
                use serde::de::Error as _;
                let x: f64 = seq
                    .next_element()?
                    .ok_or_else(|| A::Error::custom("no x"))?;
                let y: f64 = seq
                    .next_element()?
                    .ok_or_else(|| A::Error::custom("no y"))?;
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                if !(x.is_finite() && y.is_finite()) {
                    return Err(A::Error::custom("not finite"));
                }
                Ok(Position(Coord { x, y }))
            }
        }
        d.deserialize_seq(Visit)
    }
}

/// Polygons from positions: `None` when there are none, or a ring is not
/// closed or too short ([`closed_ring`]).
fn multi_polygon(polygons: Vec<Vec<Vec<Position>>>) -> Option<MultiPolygon<f64>> {
    if polygons.is_empty() {
        return None;
    }
    let polygons = polygons
        .into_iter()
        .map(|rings| {
            let mut rings = rings
                .into_iter()
                .enumerate()
                .map(|(i, ring)| closed_ring(ring.into_iter().map(|p| p.0).collect(), i).ok());
            let exterior = rings.next()??;
            let holes = rings.collect::<Option<Vec<_>>>()?;
            Some(Polygon::new(exterior, holes))
        })
        .collect::<Option<Vec<_>>>()?;
    Some(MultiPolygon::new(polygons))
}

/// Parses GeoJSON bytes (see the module docs for the rules); `source` names the
/// file in errors and notices.
pub fn parse_boundaries(
    source: &str,
    bytes: &[u8],
    options: &BoundaryOptions,
) -> crate::Result<(Boundaries, Report)> {
    let file = || Location::file(source);
    let mut report = Report::default();
    let (text, encoding) = decode(bytes);
    if text.trim().is_empty() {
        return Err(Error::input(file(), Problem::Empty));
    }
    if encoding == Encoding::Windows1252 {
        report.info(
            "encoding",
            file(),
            "not valid UTF-8 (as GeoJSON must be); read as Windows-1252 (Latin-1)",
        );
    }
    // The top level's members are kept as raw JSON text: the features are then
    // read in parallel, their geometries straight into coordinates.
    let (root, features) = match serde_json::from_str::<Root>(&text) {
        Ok(root) => (root.members, root.features),
        // Not JSON, or `features` not an array: read by members.
        Err(_) => match serde_json::from_str::<Members>(&text) {
            Ok(mut root) => {
                let features = root
                    .remove("features")
                    .map(|raw| serde_json::from_str::<Vec<&RawValue>>(raw.get()).ok());
                (root, features.flatten())
            }
            Err(e) => {
                // Not JSON, or not an object: the general reader says which.
                let problem = match serde_json::from_str::<Value>(&text) {
                    Err(e) => Problem::Json(e.to_string()),
                    Ok(Value::Object(_)) => Problem::Json(e.to_string()),
                    Ok(_) => Problem::Json(
                        "the top level is not an object; expected a FeatureCollection".into(),
                    ),
                };
                return Err(Error::input(file(), problem));
            }
        },
    };
    let member = |name: &str| member_value(&root, name);
    match member("type").as_ref().and_then(Value::as_str) {
        Some("FeatureCollection") => {}
        Some(other) => {
            return Err(Error::input(
                file().with_field("type"),
                Problem::Json(format!(
                    "the top level is a {other:?}; expected a FeatureCollection"
                )),
            ));
        }
        None => {
            return Err(Error::input(
                file().with_field("type"),
                Problem::Json("the top level has no \"type\"; expected a FeatureCollection".into()),
            ));
        }
    }
    let features = match features {
        Some(features) => features,
        None => {
            return Err(Error::input(
                file().with_field("features"),
                Problem::Json("the FeatureCollection has no \"features\" array".into()),
            ));
        }
    };
    if features.is_empty() {
        return Err(Error::input(
            file().with_field("features"),
            Problem::Invalid("the FeatureCollection has no features".into()),
        ));
    }

    // The CRS declared in the file, if any.
    let declared = match member("crs") {
        None | Some(Value::Null) => None,
        Some(member) => match declared_crs(&member) {
            Ok(crs) => Some(crs),
            Err(problem) if options.crs.is_some() || options.crs_epsg.is_some() => {
                report.info(
                    "crs",
                    file().with_field("crs"),
                    format!(
                        "ignored the file's declaration ({problem}): the CRS is set explicitly"
                    ),
                );
                None
            }
            Err(problem) => return Err(Error::input(file().with_field("crs"), problem)),
        },
    };

    let code_field = options.code_field.as_str();
    let mut areas = Vec::with_capacity(features.len());
    let mut first_seen: HashMap<String, usize> = HashMap::with_capacity(features.len());
    let mut numeric_codes = false;
    let features: Vec<Result<RawFeature, Problem>> = features
        .par_iter()
        .map(|raw| RawFeature::read(raw))
        .collect();
    for (i, feature) in features.into_iter().enumerate() {
        let at = file().at_feature(i);
        let feature = feature.map_err(|problem| Error::input(at.clone(), problem))?;
        match feature.kind.as_deref() {
            Some("Feature") => {}
            other => {
                return Err(Error::input(
                    at.with_field("type"),
                    Problem::Invalid(format!(
                        "type is {}, expected \"Feature\"",
                        other.map_or("missing".to_string(), |t| format!("{t:?}"))
                    )),
                ));
            }
        }
        let properties = match feature.properties {
            Some(Value::Object(p)) => p,
            None | Some(Value::Null) => Map::new(),
            Some(other) => {
                return Err(Error::input(
                    at.with_field("properties"),
                    Problem::Invalid(format!(
                        "properties is {}, not an object",
                        json_text(&other)
                    )),
                ));
            }
        };
        let (code, numeric) = feature_code(&properties, code_field)
            .map_err(|p| Error::input(at.clone().with_field(code_field), p))?;
        if code.is_empty() {
            return Err(Error::input(at.with_field(code_field), Problem::EmptyCode));
        }
        numeric_codes |= numeric;
        if let Some(first) = first_seen.get(&code) {
            return Err(Error::input(
                at.with_code(&code).with_field(code_field),
                Problem::DuplicateCode {
                    code,
                    first: format!("feature {first}"),
                },
            ));
        }
        first_seen.insert(code.clone(), i);
        let geometry = feature
            .geometry
            .map_err(|p| Error::input(at.with_code(&code).with_field("geometry"), p))?;
        areas.push(Area {
            feature: i,
            code,
            properties,
            geometry,
        });
    }
    if numeric_codes {
        report.info(
            "numeric_code",
            file().with_field(code_field),
            format!(
                "property \"{code_field}\" holds numbers; they were read as codes in decimal (leading zeros, as in 0114, are lost)"
            ),
        );
    }

    let fields = |area: &Area| {
        file()
            .at_feature(area.feature)
            .with_code(&area.code)
            .with_field("geometry")
    };
    let boundaries = settle_crs(
        source,
        "crs",
        areas,
        declared,
        options,
        &mut report,
        &|_, area| fields(area),
    )?;
    Ok((boundaries, report))
}

/// Whether a path names a GeoPackage (its extension is `.gpkg`, any case).
pub fn is_geopackage(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("gpkg"))
}

/// Reads a boundary file: a GeoPackage when the extension is `.gpkg` (feature `gpkg`,
/// on by default; see [`gpkg`](crate::inputs::gpkg)), GeoJSON otherwise. The path, as
/// displayed, names the file.
pub fn read_boundaries(
    path: &Path,
    options: &BoundaryOptions,
) -> crate::Result<(Boundaries, Report)> {
    if is_geopackage(path) {
        return read_geopackage(path, options);
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    parse_boundaries(&path.display().to_string(), &bytes, options)
}

#[cfg(feature = "gpkg")]
fn read_geopackage(path: &Path, options: &BoundaryOptions) -> crate::Result<(Boundaries, Report)> {
    crate::inputs::gpkg::read_gpkg(path, options)
}

#[cfg(not(feature = "gpkg"))]
fn read_geopackage(path: &Path, _: &BoundaryOptions) -> crate::Result<(Boundaries, Report)> {
    Err(Error::input(
        Location::file(path.display().to_string()),
        Problem::Invalid(
            "GeoPackage boundaries need careneed's `gpkg` feature (on by default; this build has default features off): build with --features gpkg, or convert the file to GeoJSON".into(),
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_pass_features_read_as_by_members() {
        let square = "[[[0,0],[1,0],[1,1],[0,1],[0,0]]]";
        let cases = [
            // (feature, read in one pass?)
            (format!(r#"{{"type":"Feature","properties":{{"code":"a"}},"geometry":{{"type":"Polygon","coordinates":{square}}}}}"#), true),
            (format!(r#"{{"geometry":{{"coordinates":{square},"type":"Polygon","bbox":[0,0,1,1]}},"id":7,"type":"Feature","properties":null}}"#), true),
            (format!(r#"{{"type":"Feature","geometry":{{"type":"MultiPolygon","coordinates":[{square},[[[5,5,9],[6,5,9],[6,6,9],[5,5,9]]]]}}}}"#), true),
            (format!(r#"{{"type":"Feature","properties":{{}},"geometry":{{"type":"Polygon","coordinates":{square}}}}}"#), true),
            (format!(r#"{{"type":"Feature","type":"Other","geometry":{{"type":"Polygon","coordinates":{square}}}}}"#), false),
            (format!(r#"{{"type":"Feature","geometry":{{"type":"Polygon","type":"Point","coordinates":{square}}}}}"#), false),
            (format!(r#"{{"type":7,"geometry":{{"type":"Polygon","coordinates":{square}}}}}"#), false),
            (r#"{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}}"#.to_string(), false),
            (r#"{"type":"Feature","geometry":{"coordinates":[[[0,0],[1,0],[1,1]]],"type":"Polygon"}}"#.to_string(), false),
            (r#"{"type":"Feature","geometry":null}"#.to_string(), false),
            (r#"{"type":"Feature"}"#.to_string(), false),
        ];
        for (text, fast) in cases {
            let raw: &RawValue = serde_json::from_str(&text).unwrap();
            let one_pass = serde_json::from_str::<FastFeature>(raw.get()).ok();
            assert_eq!(one_pass.is_some(), fast, "{text}");
            let by_members = format!("{:?}", RawFeature::read_by_members(raw));
            assert_eq!(format!("{:?}", RawFeature::read(raw)), by_members, "{text}");
            if let Some(FastFeature(f)) = one_pass {
                assert_eq!(format!("{:?}", Ok::<_, Problem>(f)), by_members, "{text}");
            }
        }
    }

    #[test]
    fn find_survives_changes_to_areas() {
        let geojson = br#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"code":"A"},"geometry":{"type":"Polygon","coordinates":[[[17,60],[18,60],[18,61],[17,60]]]}},
          {"type":"Feature","properties":{"code":"B"},"geometry":{"type":"Polygon","coordinates":[[[17,60],[18,60],[18,61],[17,60]]]}}]}"#;
        let (mut b, _) = parse_boundaries("t", geojson, &BoundaryOptions::default()).unwrap();
        assert_eq!(b.find("B").unwrap().feature, 1);
        assert!(b.find("C").is_none());
        b.areas.remove(0);
        assert_eq!(b.find("B").unwrap().feature, 1);
        assert!(b.find("A").is_none());
        let copy = b.clone();
        assert_eq!(copy, b);
    }

    #[test]
    fn float_integral_code_and_holes() {
        let geojson = br#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"code":2180.0},"geometry":{"type":"Polygon","coordinates":[
            [[17,60],[18,60],[18,61],[17,60]], [[17.5,60.1],[17.6,60.1],[17.6,60.2]]]}}]}"#;
        let err = parse_boundaries("t", geojson, &BoundaryOptions::default()).unwrap_err();
        match err {
            Error::Input { location, problem } => {
                assert_eq!(location.code.as_deref(), Some("2180"));
                assert_eq!(problem, Problem::TooFewRingPoints { ring: 1, points: 3 });
            }
            other => panic!("{other:?}"),
        }
    }
}
