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
//!   read with [`Crs::parse`] ([`CrsSource::Declared`]; an unknown name is
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
use crate::inputs::crs::{self, Crs, Transformer};
use crate::inputs::text::{Encoding, decode};
use crate::report::Report;
use geo::MapCoords;
use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::OnceLock;

/// Where [`Boundaries::crs`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrsSource {
    /// The caller's explicit setting ([`BoundaryOptions::crs`]).
    Given,
    /// The file's legacy `crs` member.
    Declared,
    /// Detected from the coordinate range.
    Detected,
}

/// How to read a boundary file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BoundaryOptions {
    /// The property (GeoJSON) or column (GeoPackage) holding the area code: `code` by
    /// default; SCB's DeSO files use `deso`.
    pub code_field: String,
    /// An explicit CRS; overrides the file's declaration.
    pub crs: Option<Crs>,
    /// Repair invalid polygons (reported) instead of refusing them; see
    /// [`validate`](crate::inputs::validate).
    pub repair: bool,
    /// An explicit CRS by EPSG code, for codes [`Crs`] does not cover (e.g. 3857):
    /// with feature `proj` the coordinates are reprojected to SWEREF99 TM as they are
    /// read; without it this is [`Problem::UnsupportedCrs`]. A code [`Crs`] covers acts
    /// as [`BoundaryOptions::crs`], which wins when both are set.
    pub crs_epsg: Option<u32>,
    /// The GeoPackage layer to read; may be left out when the file has only one
    /// feature layer. Ignored for GeoJSON.
    pub layer: Option<String>,
}

impl Default for BoundaryOptions {
    fn default() -> Self {
        BoundaryOptions {
            code_field: "code".to_string(),
            crs: None,
            repair: false,
            crs_epsg: None,
            layer: None,
        }
    }
}

/// One area: a feature of the boundary file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Area {
    /// The 0-based index of the feature in the file.
    pub feature: usize,
    /// The area code (trimmed).
    pub code: String,
    /// All the feature's properties, the code's included.
    pub properties: Map<String, Value>,
    /// The polygon(s), in [`Boundaries::crs`].
    pub geometry: MultiPolygon<f64>,
}

/// The areas of one boundary file, in file order, with their CRS.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Boundaries {
    /// The file, as given by the caller.
    pub source: String,
    /// The CRS of every coordinate in [`Boundaries::areas`].
    pub crs: Crs,
    /// How the CRS was determined (for a [`Boundaries::to_crs`] copy: how the
    /// original's was).
    pub crs_source: CrsSource,
    /// The areas, in file order.
    pub areas: Vec<Area>,
    /// Code → index in `areas`, built on first use.
    #[serde(skip)]
    index: OnceLock<HashMap<String, usize>>,
}

impl PartialEq for Boundaries {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
            && self.crs == other.crs
            && self.crs_source == other.crs_source
            && self.areas == other.areas
    }
}

impl Boundaries {
    /// Boundaries from parts (the lookup index is built on first use).
    pub fn new(source: String, crs: Crs, crs_source: CrsSource, areas: Vec<Area>) -> Self {
        Boundaries {
            source,
            crs,
            crs_source,
            areas,
            index: OnceLock::new(),
        }
    }

    fn build_index(areas: &[Area]) -> HashMap<String, usize> {
        let mut index = HashMap::with_capacity(areas.len());
        for (i, area) in areas.iter().enumerate() {
            index.entry(area.code.clone()).or_insert(i);
        }
        index
    }

    /// The index in [`Boundaries::areas`] of the area with this code.
    pub fn position(&self, code: &str) -> Option<usize> {
        let index = self.index.get_or_init(|| Self::build_index(&self.areas));
        match index.get(code) {
            Some(&i) if self.areas.get(i).is_some_and(|a| a.code == code) => Some(i),
            // `areas` is public and may have changed since the index was built.
            _ if index.len() != self.areas.len() || index.get(code).is_some() => {
                self.areas.iter().position(|a| a.code == code)
            }
            _ => None,
        }
    }

    /// The area with this code (a hash lookup).
    pub fn find(&self, code: &str) -> Option<&Area> {
        self.position(code).map(|i| &self.areas[i])
    }

    /// The number of areas.
    pub fn len(&self) -> usize {
        self.areas.len()
    }

    /// Whether there are no areas (never true for parsed boundaries).
    pub fn is_empty(&self) -> bool {
        self.areas.is_empty()
    }

    /// A copy with every coordinate transformed to `crs`; errors name the feature.
    pub fn to_crs(&self, crs: Crs) -> crate::Result<Boundaries> {
        if crs == self.crs {
            return Ok(self.clone());
        }
        let transformer = Transformer::new(self.crs, crs).map_err(|e| {
            Error::input(
                Location::file(&self.source),
                Problem::Invalid(e.to_string()),
            )
        })?;
        let t = &transformer;
        let mut areas = Vec::with_capacity(self.areas.len());
        for area in &self.areas {
            let geometry = area
                .geometry
                .try_map_coords(|c: Coord<f64>| {
                    let (x, y) = t.apply(c.x, c.y).map_err(|e| e.to_string())?;
                    if x.is_finite() && y.is_finite() {
                        Ok(Coord { x, y })
                    } else {
                        Err(format!(
                            "cannot transform ({}, {}) from {} to {crs}: the result is not finite",
                            c.x, c.y, self.crs
                        ))
                    }
                })
                .map_err(|message| {
                    Error::input(
                        Location::file(&self.source)
                            .at_feature(area.feature)
                            .with_code(&area.code)
                            .with_field("geometry"),
                        Problem::Invalid(message),
                    )
                })?;
            areas.push(Area {
                geometry,
                ..area.clone()
            });
        }
        Ok(Boundaries::new(
            self.source.clone(),
            crs,
            self.crs_source,
            areas,
        ))
    }
}

pub(crate) const POLYGONAL: &str = "Polygon or MultiPolygon";

fn json_text(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        let short: String = text.chars().take(57).collect();
        format!("{short}...")
    } else {
        text
    }
}

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

/// A polygon ring from its positions: at least 4 ([`Problem::TooFewRingPoints`]),
/// the last equal to the first ([`Problem::RingNotClosed`]). `index` counts within
/// the polygon: 0 is the exterior, 1… the holes.
pub(crate) fn closed_ring(
    coords: Vec<Coord<f64>>,
    index: usize,
) -> Result<LineString<f64>, Problem> {
    if coords.len() < 4 {
        return Err(Problem::TooFewRingPoints {
            ring: index,
            points: coords.len(),
        });
    }
    if coords.first() != coords.last() {
        return Err(Problem::RingNotClosed { ring: index });
    }
    Ok(LineString::new(coords))
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

/// The area code of a feature: (code, whether it was a number).
pub(crate) fn feature_code(
    properties: &Map<String, Value>,
    code_field: &str,
) -> Result<(String, bool), Problem> {
    let value = properties.get(code_field).or_else(|| {
        let lower = code_field.to_lowercase();
        let mut matching = properties.iter().filter(|(k, _)| k.to_lowercase() == lower);
        match (matching.next(), matching.next()) {
            (Some((_, v)), None) => Some(v),
            _ => None,
        }
    });
    let Some(value) = value else {
        let names: Vec<&str> = properties.keys().map(String::as_str).collect();
        let has = if names.is_empty() {
            "the feature has no properties".to_string()
        } else {
            format!("the feature has: {}", names.join(", "))
        };
        return Err(Problem::Invalid(format!(
            "no property \"{code_field}\" ({has}); set the boundaries' code field"
        )));
    };
    match value {
        Value::String(s) => Ok((s.trim().to_string(), false)),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                Ok((u.to_string(), true))
            } else if let Some(i) = n.as_i64() {
                Ok((i.to_string(), true))
            } else {
                match n.as_f64() {
                    Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                        Ok((format!("{f:.0}"), true))
                    }
                    _ => Err(Problem::Invalid(format!(
                        "property \"{code_field}\" is {n}, not a code (a text or an integer)"
                    ))),
                }
            }
        }
        Value::Null => Err(Problem::EmptyCode),
        other => Err(Problem::Invalid(format!(
            "property \"{code_field}\" is {}, not a code (a text or an integer)",
            json_text(other)
        ))),
    }
}

/// A CRS as a file declares it or a caller sets it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Named {
    /// One careneed knows natively.
    Builtin(Crs),
    /// Another EPSG code, with its name as written: reprojected to SWEREF99 TM through
    /// PROJ with feature `proj`, else [`Problem::UnsupportedCrs`].
    Epsg(u32, String),
}

impl Named {
    /// The CRS a name spells: [`Crs::parse`], else any EPSG code.
    pub(crate) fn parse(name: &str) -> Result<Named, Problem> {
        match (Crs::parse(name), Crs::epsg_code(name)) {
            (Some(crs), _) => Ok(Named::Builtin(crs)),
            (None, Some(code)) => Ok(Named::Epsg(code, name.trim().to_string())),
            (None, None) => Err(Problem::UnsupportedCrs(name.to_string())),
        }
    }

    fn describe(&self) -> String {
        match self {
            Named::Builtin(crs) => crs.to_string(),
            Named::Epsg(_, name) => name.clone(),
        }
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

fn positions(area: &Area) -> impl Iterator<Item = (f64, f64)> + '_ {
    area.geometry.0.iter().flat_map(|p| {
        std::iter::once(p.exterior())
            .chain(p.interiors())
            .flat_map(|r| r.0.iter().map(|c| (c.x, c.y)))
    })
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

/// Decides the CRS of freshly read areas (given, declared or detected; see the module
/// docs), checks that every coordinate fits it, and reprojects a CRS careneed does not
/// know natively to SWEREF99 TM (feature `proj`). `crs_field` names the file's
/// declaration in errors (`crs`, `srs_id`); `locate` gives an area's location (its
/// index and the area) with the geometry field.
pub(crate) fn settle_crs(
    source: &str,
    crs_field: &str,
    mut areas: Vec<Area>,
    declared: Option<Named>,
    options: &BoundaryOptions,
    report: &mut Report,
    locate: &dyn Fn(usize, &Area) -> Location,
) -> crate::Result<Boundaries> {
    let file = || Location::file(source);
    let area_at = |areas: &[Area], i: usize| locate(i, &areas[i]);
    let given = match (options.crs, options.crs_epsg) {
        (Some(crs), _) => Some(Named::Builtin(crs)),
        (None, Some(code)) => Some(match Crs::from_epsg(code) {
            Some(crs) => Named::Builtin(crs),
            None => Named::Epsg(code, format!("EPSG:{code}")),
        }),
        (None, None) => None,
    };
    if let (Some(given), Some(declared)) = (&given, &declared)
        && given != declared
    {
        report.info(
            "crs",
            file().with_field(crs_field),
            format!(
                "the file declares {}; using {} as set explicitly",
                declared.describe(),
                given.describe()
            ),
        );
    }
    let (named, crs_source) = match (given, declared) {
        (Some(given), _) => (Some(given), CrsSource::Given),
        (None, Some(declared)) => (Some(declared), CrsSource::Declared),
        (None, None) => (None, CrsSource::Detected),
    };
    let where_named = || match crs_source {
        CrsSource::Given => file(),
        _ => file().with_field(crs_field),
    };

    let current = Cell::new(0usize);
    let detected = crs::detect(areas.iter().enumerate().flat_map(|(i, a)| {
        let current = &current;
        positions(a).inspect(move |_| current.set(i))
    }));
    let misfit_area = current.get();
    let describe_detected = |detected: &Result<Crs, (f64, f64)>| match detected {
        Ok(found) => found.to_string(),
        Err((x, y)) => format!("neither WGS84 nor SWEREF99 TM (e.g. ({x}, {y}))"),
    };

    let (crs, declared_text) = match named {
        Some(Named::Builtin(crs)) => (crs, crs.to_string()),
        Some(Named::Epsg(code, name)) => {
            let text = reproject_areas(source, code, &name, &mut areas, report, &where_named)
                .map_err(|(i, problem)| match i {
                    Some(i) => Error::input(area_at(&areas, i), problem),
                    None => Error::input(where_named(), problem),
                })?;
            (Crs::Sweref99Tm, text)
        }
        None => match detected {
            Ok(crs) => {
                report.info(
                    "crs",
                    file(),
                    format!("no CRS declared; the coordinates are {crs}"),
                );
                (crs, crs.to_string())
            }
            Err((x, y)) => {
                return Err(Error::input(
                    area_at(&areas, misfit_area),
                    Problem::UnknownCrs { x, y },
                ));
            }
        },
    };
    if crs_source != CrsSource::Detected {
        let misfit = areas
            .iter()
            .position(|a| positions(a).any(|(x, y)| !crs.fits(x, y)));
        if let Some(i) = misfit {
            return Err(Error::input(
                area_at(&areas, i),
                Problem::CrsMismatch {
                    declared: declared_text,
                    detected: describe_detected(&detected),
                },
            ));
        }
    }
    if crs == Crs::Wgs84 {
        let swapped = areas
            .iter()
            .flat_map(positions)
            .all(|(x, y)| (54.0..=70.0).contains(&x) && (10.0..=25.0).contains(&y));
        if swapped {
            report.warn(
                "axis_order",
                file(),
                "the coordinates look like latitude, longitude for Sweden; GeoJSON wants longitude first",
            );
        }
        let in_sweden =
            |(x, y): (f64, f64)| (10.0..=25.0).contains(&x) && (55.0..=70.0).contains(&y);
        if !swapped && !areas.iter().flat_map(positions).any(in_sweden) {
            report.warn(
                "outside_sweden",
                file(),
                "no coordinate lies in Sweden (longitude 10–25°, latitude 55–70°): is this the right file?",
            );
        }
    }
    crate::inputs::validate::check_areas(&mut areas, options.repair, report, locate)?;
    Ok(Boundaries::new(source.to_string(), crs, crs_source, areas))
}

/// Reprojects every area from `EPSG:code` to SWEREF99 TM through PROJ; returns the
/// text naming the source CRS. An error names the area (by index) when one is at fault.
#[cfg(feature = "proj")]
fn reproject_areas(
    _source: &str,
    code: u32,
    name: &str,
    areas: &mut [Area],
    report: &mut Report,
    where_named: &dyn Fn() -> Location,
) -> Result<String, (Option<usize>, Problem)> {
    let to = crate::inputs::reproject::EpsgTransform::new(code, Crs::Sweref99Tm.epsg())
        .map_err(|_| (None, Problem::UnsupportedCrs(name.to_string())))?;
    for (i, area) in areas.iter_mut().enumerate() {
        area.geometry = area
            .geometry
            .try_map_coords(|c: Coord<f64>| {
                to.apply(c.x, c.y)
                    .map(|(x, y)| Coord { x, y })
                    .map_err(Problem::Invalid)
            })
            .map_err(|p| (Some(i), p))?;
    }
    let text = format!("EPSG:{code} ({})", to.source_name());
    report.info(
        "crs",
        where_named(),
        format!("reprojected from {text} to {} with PROJ", Crs::Sweref99Tm),
    );
    Ok(text)
}

/// Without PROJ a CRS careneed does not know natively is an error.
#[cfg(not(feature = "proj"))]
fn reproject_areas(
    _source: &str,
    _code: u32,
    name: &str,
    _areas: &mut [Area],
    _report: &mut Report,
    _where_named: &dyn Fn() -> Location,
) -> Result<String, (Option<usize>, Problem)> {
    Err((None, Problem::UnsupportedCrs(name.to_string())))
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
