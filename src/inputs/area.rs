//! The types every boundary reader fills in: [`Area`], [`Boundaries`] (with its
//! CRS and where it came from) and the reading options, shared by the GeoJSON
//! reader ([`boundaries`](super::boundaries)), the GeoPackage reader and the
//! validity checks, so none of them imports another.

use crate::error::{Error, Location, Problem};
use crate::inputs::crs::{Crs, Transformer};
use geo::MapCoords;
use geo_types::{Coord, LineString, MultiPolygon};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;
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
            "no property \"{code_field}\" ({has}); name it with --code-field or the scenario's [inputs] code_field"
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

    pub(crate) fn describe(&self) -> String {
        match self {
            Named::Builtin(crs) => crs.to_string(),
            Named::Epsg(_, name) => name.clone(),
        }
    }
}

/// A JSON value as short text for a message (at most 60 characters).
pub(crate) fn json_text(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        let short: String = text.chars().take(57).collect();
        format!("{short}...")
    } else {
        text
    }
}
