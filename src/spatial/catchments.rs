//! BVC catchments: which areas (DeSO) each child health centre (BVC) serves, as
//! shares of areas, built one of three ways into the same [`Catchments`] type.
//!
//! * [`Method::Polygons`] ([`from_polygons`]): catchment polygons are given (a
//!   [`Boundaries`] whose code is the BVC id). An area's share in a catchment is
//!   the area of their intersection over the area's area; shares below `1e-6`
//!   are dropped as slivers. Areas whose shares sum below `0.999` are listed in
//!   [`Catchments::uncovered`] with a `Warning` (kind `uncovered_area`); areas
//!   whose shares sum above `1.001` get a `Warning` (kind `overlapping_catchments`).
//! * [`Method::NearestBvc`] ([`nearest_bvc`]): every area goes whole (share 1) to
//!   the BVC nearest its centre: the polygon centroid, or, when a population
//!   point layer is given, the mean of the points located in the area (areas
//!   without points fall back to the centroid, with an `Info` notice). The
//!   geometry is the dissolved union of the catchment's areas.
//! * [`Method::Listings`] ([`from_listings`]): a BVC's share of an area is the
//!   number of the area's children listed at that BVC over the area's listed
//!   children; the geometry is the union of the areas where the BVC has the most
//!   listed children (ties go to the smaller BVC id). A BVC known from elsewhere
//!   (e.g. the VTI table) with no listed child gets an empty catchment and a
//!   `Warning` (kind `bvc_without_children`) naming it.
//!
//! [`summarise`] turns catchments into population, children and a
//! population-weighted CNI per BVC, with the BVC's VTI when given.
//!
//! ```
//! use careneed::inputs::boundaries::{parse_boundaries, BoundaryOptions};
//! use careneed::spatial::catchments::{nearest_bvc, BvcPoint, Method};
//! // Two unit squares in SWEREF99 TM, one BVC near each.
//! let geojson = br#"{"type":"FeatureCollection","features":[
//!   {"type":"Feature","properties":{"code":"A"},"geometry":{"type":"Polygon","coordinates":
//!     [[[600000,6700000],[600001,6700000],[600001,6700001],[600000,6700001],[600000,6700000]]]}},
//!   {"type":"Feature","properties":{"code":"B"},"geometry":{"type":"Polygon","coordinates":
//!     [[[600001,6700000],[600002,6700000],[600002,6700001],[600001,6700001],[600001,6700000]]]}}]}"#;
//! let (areas, _) = parse_boundaries("squares.geojson", geojson, &BoundaryOptions::default()).unwrap();
//! let bvcs = vec![
//!     BvcPoint { bvc: "west".into(), name: None, x: 600000.2, y: 6700000.5 },
//!     BvcPoint { bvc: "east".into(), name: None, x: 600001.8, y: 6700000.5 },
//! ];
//! let (catchments, report) = nearest_bvc(&areas, &bvcs, None).unwrap();
//! assert!(matches!(catchments.method, Method::NearestBvc { population_weighted: false }));
//! assert_eq!(catchments.catchments[0].bvc, "east");
//! assert_eq!(catchments.catchments[0].areas, [(1, 1.0)]);
//! assert_eq!(catchments.catchments[1].areas, [(0, 1.0)]);
//! assert!(catchments.uncovered.is_empty());
//! assert_eq!(report.warnings(), 0);
//! ```

use crate::error::{Error, Location, Problem};
use crate::inputs::boundaries::Boundaries;
use crate::inputs::crs::{self, Crs};
use crate::inputs::points::{Points, check_crs};
use crate::report::Report;
use crate::scores::cni;
use crate::scores::vti::VtiResult;
use crate::spatial::assign::{AreaIndex, Assignment, assign};
use geo::{Area as _, BoundingRect, Centroid, MultiPolygon, unary_union};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, RTreeObject};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Shares below this are slivers and dropped ([`from_polygons`]).
const SLIVER: f64 = 1e-6;

/// A child health centre (BVC) located by a point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BvcPoint {
    /// The BVC identifier.
    pub bvc: String,
    /// Its name, when the file has one.
    pub name: Option<String>,
    /// Easting or longitude.
    pub x: f64,
    /// Northing or latitude.
    pub y: f64,
}

/// The areas one BVC serves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catchment {
    /// The BVC identifier.
    pub bvc: String,
    /// The BVC's name, when known.
    pub name: Option<String>,
    /// `(area index in Boundaries::areas, share of the area)`, by area index;
    /// the share is 1.0 for whole areas.
    pub areas: Vec<(usize, f64)>,
    /// The catchment's polygon(s); `None` when it has no area.
    pub geometry: Option<MultiPolygon<f64>>,
    /// Built from BVC points ([`nearest_bvc`]): per area, parallel to `areas`,
    /// the straight-line distance from the BVC point to the area's centre (the
    /// one it was assigned by: population-weighted when population points were
    /// given, else the polygon centroid), in the CRS's units (metres in
    /// SWEREF99 TM). Empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub distances: Vec<f64>,
}

/// How catchments were built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Method {
    /// From catchment polygons ([`from_polygons`]).
    Polygons,
    /// Each area to the nearest BVC ([`nearest_bvc`]).
    NearestBvc {
        /// Whether area centres are the mean of population points.
        population_weighted: bool,
    },
    /// From where children are listed ([`from_listings`]).
    Listings,
}

/// The catchments of all BVCs, built by one [`Method`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catchments {
    /// How they were built.
    pub method: Method,
    /// One per BVC, sorted by BVC id.
    pub catchments: Vec<Catchment>,
    /// Indices of areas in no catchment (in [`from_polygons`]: covered less
    /// than 0.999), ascending.
    pub uncovered: Vec<usize>,
}

impl Catchments {
    /// The catchment of a BVC.
    pub fn find(&self, bvc: &str) -> Option<&Catchment> {
        self.catchments
            .binary_search_by(|c| c.bvc.as_str().cmp(bvc))
            .ok()
            .map(|i| &self.catchments[i])
    }

    /// The sum of shares of every area (parallel to the boundaries' areas).
    pub fn area_shares(&self, areas: usize) -> Vec<f64> {
        let mut sums = vec![0.0; areas];
        for c in &self.catchments {
            for &(a, share) in &c.areas {
                if let Some(s) = sums.get_mut(a) {
                    *s += share;
                }
            }
        }
        sums
    }
}

/// Catchments of a run and their per-BVC figures.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CatchmentRun {
    /// The catchments.
    pub catchments: Catchments,
    /// Population, children 0–5, CNI and VTI per catchment, in catchment order.
    pub summaries: Vec<CatchmentSummary>,
    /// Geocoded children located in each polygon of the boundaries (zeros without children).
    pub children_per_area: Vec<u64>,
    /// A CNI delivered per care unit, when given ([`apply_unit_cni`]): the
    /// summaries' CNI is then the unit's, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_cni: Option<UnitCni>,
}

/// A CNI delivered per care unit (SCB computes it from the unit's listed
/// patients), matched to the catchments by BVC id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitCni {
    /// The table it came from.
    pub source: String,
    /// Per catchment (in catchment order), the unit's CNI; `None` when the table
    /// has no row for the catchment's BVC.
    pub values: Vec<Option<f64>>,
}

/// Gives each catchment its care unit's delivered CNI from `table` (key `bvc`,
/// column `cni`, see [`crate::inputs::table::TableSpec::unit_cni`]): the
/// summaries' CNI is replaced, so every output and the plan use it as given.
/// Nothing is dropped silently: a catchment without a row keeps no CNI and gets
/// a `Warning` (kind `unit_cni_missing`), a row without a catchment a `Warning`
/// (kind `unit_cni_unmatched`) at its file, line and id. A CNI that is not a
/// positive finite number is an error naming the file, line, id and field.
///
/// ```
/// use careneed::inputs::table::{parse_table, TableSpec};
/// use careneed::spatial::catchments::{apply_unit_cni, Catchment, CatchmentRun, Catchments, CatchmentSummary, Method};
/// let (t, _) = parse_table("vc.csv", b"bvc,cni\nX,1.8\nZ,0.9\n".as_slice(), &TableSpec::unit_cni()).unwrap();
/// let summary = |bvc: &str| CatchmentSummary { bvc: bvc.into(), name: None, population: 100.0, children: 0.0, cni: Some(1.0), vti: None, relative_vti: None, areas: 1 };
/// let catchment = |bvc: &str| Catchment { bvc: bvc.into(), name: None, areas: vec![(0, 1.0)], geometry: None, distances: vec![] };
/// let mut run = CatchmentRun {
///     catchments: Catchments { method: Method::Polygons, catchments: vec![catchment("X"), catchment("Y")], uncovered: vec![] },
///     summaries: vec![summary("X"), summary("Y")],
///     children_per_area: vec![0],
///     unit_cni: None,
/// };
/// let mut report = careneed::Report::default();
/// apply_unit_cni(&mut run, &t, &mut report).unwrap();
/// assert_eq!(run.summaries[0].cni, Some(1.8));
/// assert_eq!(run.summaries[1].cni, None);
/// assert_eq!(report.of_kind("unit_cni_missing").count(), 1);
/// assert_eq!(report.of_kind("unit_cni_unmatched").count(), 1);
/// ```
pub fn apply_unit_cni(
    run: &mut CatchmentRun,
    table: &crate::inputs::table::Table,
    report: &mut Report,
) -> crate::Result<()> {
    let col = table.require("cni")?;
    let mut by_id: HashMap<&str, (f64, &crate::inputs::table::Row)> = HashMap::new();
    for row in &table.rows {
        let v = row.values[col];
        if !(v.is_finite() && v > 0.0) {
            return Err(crate::Error::input(
                table
                    .row_location(row)
                    .with_code(row.key.clone())
                    .with_field("cni"),
                crate::error::Problem::Invalid(format!(
                    "a delivered CNI must be a positive number, got {}",
                    crate::error::number(v)
                )),
            ));
        }
        by_id.insert(row.key.as_str(), (v, row));
    }
    let mut values = Vec::with_capacity(run.summaries.len());
    for s in &mut run.summaries {
        let v = by_id.get(s.bvc.as_str()).map(|x| x.0);
        if v.is_none() {
            report.warn(
                "unit_cni_missing",
                table.location().with_code(s.bvc.clone()),
                format!(
                    "catchment {} has no row in {}, so it has no CNI",
                    crate::error::excerpt(&s.bvc),
                    table.source
                ),
            );
        }
        s.cni = v;
        values.push(v);
    }
    for row in &table.rows {
        if !run.summaries.iter().any(|s| s.bvc == row.key) {
            report.warn(
                "unit_cni_unmatched",
                table.row_location(row).with_code(row.key.clone()),
                "no catchment has this care unit's id; its CNI is not used",
            );
        }
    }
    report.info(
        "unit_cni",
        table.location().with_field("cni"),
        "the catchments take the CNI delivered per care unit as given (SCB's reference), not the population-weighted CNI of their areas",
    );
    run.unit_cni = Some(UnitCni {
        source: table.source.clone(),
        values,
    });
    Ok(())
}

/// Population, children and need per catchment ([`summarise`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatchmentSummary {
    /// The BVC identifier.
    pub bvc: String,
    /// The BVC's name (from the catchment, else from the VTI table).
    pub name: Option<String>,
    /// Σ share × area population (areas with a known population).
    pub population: f64,
    /// Σ share × children per area.
    pub children: f64,
    /// Σ share·pop·cni / Σ share·pop over areas with both; `None` without population.
    pub cni: Option<f64>,
    /// The BVC's VTI, when a VTI result is given and has it.
    pub vti: Option<f64>,
    /// The BVC's relative VTI, when a VTI result is given and has it.
    pub relative_vti: Option<f64>,
    /// The number of areas with a share in the catchment.
    pub areas: usize,
}

fn invalid(location: Location, message: impl Into<String>) -> Error {
    Error::input(location, Problem::Invalid(message.into()))
}

/// Parses BVC points from GeoJSON bytes: a FeatureCollection of Point features
/// whose property `id_field` is the BVC id (a string, or an integer number) and
/// whose optional property `name` is its name. The CRS is the legacy `crs` member
/// when present, else detected from the coordinates (an `Info` notice). Errors name
/// the file, the 0-based feature and the field; a repeated id is
/// [`Problem::DuplicateCode`].
pub fn parse_bvc_points(
    source: &str,
    bytes: &[u8],
    id_field: &str,
) -> crate::Result<(Vec<BvcPoint>, Crs, Report)> {
    let file = || Location::file(source);
    let mut report = Report::default();
    let text = std::str::from_utf8(bytes)
        .map_err(|e| Error::input(file(), Problem::Json(format!("not UTF-8: {e}"))))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(Error::input(file(), Problem::Empty));
    }
    let root: Value = serde_json::from_str(text)
        .map_err(|e| Error::input(file(), Problem::Json(e.to_string())))?;
    if root.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(Error::input(
            file().with_field("type"),
            Problem::Json("expected a FeatureCollection".into()),
        ));
    }
    let Some(features) = root.get("features").and_then(Value::as_array) else {
        return Err(Error::input(
            file().with_field("features"),
            Problem::Json("the FeatureCollection has no \"features\" array".into()),
        ));
    };
    if features.is_empty() {
        return Err(invalid(
            file().with_field("features"),
            "the FeatureCollection has no features",
        ));
    }
    let declared = match root.get("crs") {
        None | Some(Value::Null) => None,
        Some(member) => {
            let name = member
                .get("properties")
                .and_then(|p| p.get("name"))
                .and_then(Value::as_str);
            match name.and_then(Crs::parse) {
                Some(crs) => Some(crs),
                None => {
                    return Err(Error::input(
                        file().with_field("crs"),
                        Problem::UnsupportedCrs(
                            name.map_or_else(|| member.to_string(), String::from),
                        ),
                    ));
                }
            }
        }
    };
    let mut points: Vec<BvcPoint> = Vec::with_capacity(features.len());
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    for (i, feature) in features.iter().enumerate() {
        let at = || file().at_feature(i);
        let properties = feature.get("properties");
        let id = match properties.and_then(|p| p.get(id_field)) {
            Some(Value::String(s)) => s.trim().to_string(),
            Some(Value::Number(n)) if n.is_i64() || n.is_u64() => n.to_string(),
            Some(other) => {
                return Err(invalid(
                    at().with_field(id_field),
                    format!("the BVC id is {other}, not a string"),
                ));
            }
            None => {
                return Err(invalid(
                    at().with_field(id_field),
                    format!("the feature has no property {id_field:?}"),
                ));
            }
        };
        if id.is_empty() {
            return Err(Error::input(at().with_field(id_field), Problem::EmptyCode));
        }
        if let Some(&first) = first_seen.get(&id) {
            return Err(Error::input(
                at().with_code(&id).with_field(id_field),
                Problem::DuplicateCode {
                    code: id,
                    first: format!("feature {first}"),
                },
            ));
        }
        let name = match properties.and_then(|p| p.get("name")) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
            _ => None,
        };
        let geometry = feature.get("geometry");
        let kind = geometry
            .and_then(|g| g.get("type"))
            .and_then(Value::as_str)
            .unwrap_or("null");
        if kind != "Point" {
            return Err(Error::input(
                at().with_code(&id).with_field("geometry"),
                Problem::GeometryType {
                    found: kind.to_string(),
                    expected: "Point".into(),
                },
            ));
        }
        let coords = geometry
            .and_then(|g| g.get("coordinates"))
            .and_then(Value::as_array);
        let xy = coords.and_then(|c| Some((c.first()?.as_f64()?, c.get(1)?.as_f64()?)));
        let Some((x, y)) = xy.filter(|(x, y)| x.is_finite() && y.is_finite()) else {
            return Err(Error::input(
                at().with_code(&id).with_field("geometry"),
                Problem::BadCoordinate {
                    value: coords.map_or_else(|| "missing".to_string(), |c| format!("{c:?}")),
                },
            ));
        };
        first_seen.insert(id.clone(), i);
        points.push(BvcPoint {
            bvc: id,
            name,
            x,
            y,
        });
    }
    let crs = match declared {
        Some(crs) => {
            if let Some((i, p)) = points.iter().enumerate().find(|(_, p)| !crs.fits(p.x, p.y)) {
                return Err(Error::input(
                    file()
                        .at_feature(i)
                        .with_code(&p.bvc)
                        .with_field("geometry"),
                    Problem::CrsMismatch {
                        declared: crs.to_string(),
                        detected: format!("({}, {})", p.x, p.y),
                    },
                ));
            }
            crs
        }
        None => {
            let crs = crs::detect(points.iter().map(|p| (p.x, p.y)))
                .map_err(|(x, y)| Error::input(file(), Problem::UnknownCrs { x, y }))?;
            report.info(
                "crs",
                file(),
                format!("no CRS declared; the coordinates fit {crs}"),
            );
            crs
        }
    };
    Ok((points, crs, report))
}

/// Reads BVC points from a GeoJSON file ([`parse_bvc_points`]); the path, as
/// displayed, names the file.
pub fn read_bvc_points(path: &Path, id_field: &str) -> crate::Result<(Vec<BvcPoint>, Crs, Report)> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    parse_bvc_points(&path.display().to_string(), &bytes, id_field)
}

/// The dissolved union of some areas' polygons; `None` when there are none.
fn dissolve(
    boundaries: &Boundaries,
    areas: impl IntoIterator<Item = usize>,
) -> Option<MultiPolygon<f64>> {
    let parts: Vec<&MultiPolygon<f64>> = areas
        .into_iter()
        .filter_map(|a| boundaries.areas.get(a))
        .map(|a| &a.geometry)
        .filter(|g| !g.0.is_empty())
        .collect();
    if parts.is_empty() {
        return None;
    }
    Some(unary_union(parts))
}

/// Builds catchments by giving every area whole to the BVC nearest its centre
/// (see the module docs). `bvcs` must be in the boundaries' CRS, as must
/// `population` (declared, or checked here). Every BVC gets a catchment; one
/// with no area gets `geometry: None` and a `Warning` (kind `empty_catchment`).
/// Areas without polygons are uncovered. BVC ids must be unique.
pub fn nearest_bvc(
    boundaries: &Boundaries,
    bvcs: &[BvcPoint],
    population: Option<&Points>,
) -> crate::Result<(Catchments, Report)> {
    let mut report = Report::default();
    let source = || Location::file(&boundaries.source);
    if bvcs.is_empty() {
        return Err(Error::Compute(
            "nearest-BVC catchments need at least one BVC".into(),
        ));
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, p) in bvcs.iter().enumerate() {
        if let Some(first) = seen.insert(p.bvc.as_str(), i) {
            return Err(Error::input(
                Location::file("BVC points").with_code(&p.bvc),
                Problem::DuplicateCode {
                    code: p.bvc.clone(),
                    first: format!("point {first}"),
                },
            ));
        }
        if !(p.x.is_finite() && p.y.is_finite() && boundaries.crs.fits(p.x, p.y)) {
            return Err(Error::input(
                Location::file("BVC points").with_code(&p.bvc),
                Problem::CrsMismatch {
                    declared: boundaries.crs.to_string(),
                    detected: format!("({}, {})", p.x, p.y),
                },
            ));
        }
    }
    // The centre of every area.
    let mut centres: Vec<Option<[f64; 2]>> = boundaries
        .areas
        .iter()
        .map(|a| a.geometry.centroid().map(|p| [p.x(), p.y()]))
        .collect();
    if let Some(points) = population {
        match points.crs {
            Some(crs) if crs != boundaries.crs => {
                return Err(Error::input(
                    Location::file(&points.source),
                    Problem::CrsMismatch {
                        declared: crs.to_string(),
                        detected: format!("the boundaries' {}", boundaries.crs),
                    },
                ));
            }
            Some(_) => {}
            None => check_crs(points, boundaries.crs)?,
        }
        let assignment = assign(&AreaIndex::new(boundaries), points, &|_| {});
        let mut sums = vec![[0.0f64; 2]; boundaries.len()];
        for (&[x, y], area) in points.coords.iter().zip(&assignment.area) {
            if let Some(s) = area.and_then(|a| sums.get_mut(a)) {
                s[0] += x;
                s[1] += y;
            }
        }
        let mut fallback = Vec::new();
        for (a, centre) in centres.iter_mut().enumerate() {
            let n = assignment.counts.get(a).copied().unwrap_or(0);
            if n > 0 {
                *centre = Some([sums[a][0] / n as f64, sums[a][1] / n as f64]);
            } else if centre.is_some() {
                fallback.push(boundaries.areas[a].code.as_str());
            }
        }
        if !fallback.is_empty() {
            report.info(
                "centroid_fallback",
                Location::file(&points.source),
                format!(
                    "{} area(s) hold no population point and use their polygon centroid: {}",
                    fallback.len(),
                    fallback.join(", ")
                ),
            );
        }
    }
    let tree = RTree::bulk_load(
        bvcs.iter()
            .enumerate()
            .map(|(i, p)| GeomWithData::new([p.x, p.y], i))
            .collect(),
    );
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); bvcs.len()];
    let mut uncovered = Vec::new();
    for (a, centre) in centres.iter().enumerate() {
        // Among equally near BVCs, the smallest id.
        let nearest = centre.and_then(|c| {
            let mut best: Option<(f64, usize)> = None;
            for (candidate, d2) in tree.nearest_neighbor_iter_with_distance_2(&c) {
                match best {
                    Some((bd, _)) if d2 > bd => break,
                    Some((_, b)) if bvcs[b].bvc <= bvcs[candidate.data].bvc => {}
                    _ => best = Some((d2, candidate.data)),
                }
            }
            best.map(|(_, b)| b)
        });
        match nearest {
            Some(b) => members[b].push(a),
            None => uncovered.push(a),
        }
    }
    for &a in &uncovered {
        report.warn(
            "uncovered_area",
            source().with_code(&boundaries.areas[a].code),
            "the area has no polygon, so no centre, and is in no catchment",
        );
    }
    let mut catchments: Vec<Catchment> = bvcs
        .iter()
        .zip(members)
        .map(|(p, areas)| Catchment {
            bvc: p.bvc.clone(),
            name: p.name.clone(),
            geometry: dissolve(boundaries, areas.iter().copied()),
            distances: areas
                .iter()
                .map(|&a| centres[a].map_or(f64::INFINITY, |[x, y]| (x - p.x).hypot(y - p.y)))
                .collect(),
            areas: areas.into_iter().map(|a| (a, 1.0)).collect(),
        })
        .collect();
    catchments.sort_by(|a, b| a.bvc.cmp(&b.bvc));
    for c in catchments.iter().filter(|c| c.areas.is_empty()) {
        report.warn(
            "empty_catchment",
            Location::file("BVC points").with_code(&c.bvc),
            format!(
                "BVC {} is the nearest BVC of no area; its catchment is empty",
                c.bvc
            ),
        );
    }
    Ok((
        Catchments {
            method: Method::NearestBvc {
                population_weighted: population.is_some(),
            },
            catchments,
            uncovered,
        },
        report,
    ))
}

fn rectangle(g: &MultiPolygon<f64>) -> Option<Rectangle<[f64; 2]>> {
    g.bounding_rect()
        .map(|r| Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]))
}

/// Builds catchments from catchment polygons: `catchments` is a [`Boundaries`]
/// whose code is the BVC id, in the same CRS as `boundaries` (see the module docs
/// for shares, slivers, uncovered and overlapping areas). The geometry of each
/// catchment is its polygon as given.
pub fn from_polygons(
    boundaries: &Boundaries,
    catchments: &Boundaries,
) -> crate::Result<(Catchments, Report)> {
    if catchments.crs != boundaries.crs {
        return Err(Error::input(
            Location::file(&catchments.source),
            Problem::CrsMismatch {
                declared: catchments.crs.to_string(),
                detected: format!("the boundaries' {}", boundaries.crs),
            },
        ));
    }
    let mut report = Report::default();
    let tree = RTree::bulk_load(
        catchments
            .areas
            .iter()
            .enumerate()
            .filter_map(|(i, c)| rectangle(&c.geometry).map(|r| GeomWithData::new(r, i)))
            .collect(),
    );
    let mut shares: Vec<Vec<(usize, f64)>> = vec![Vec::new(); catchments.len()];
    let mut sums = vec![0.0; boundaries.len()];
    for (a, area) in boundaries.areas.iter().enumerate() {
        let whole = area.geometry.unsigned_area();
        let Some(rect) = rectangle(&area.geometry) else {
            continue;
        };
        if whole <= 0.0 {
            continue;
        }
        let mut candidates: Vec<usize> = tree
            .locate_in_envelope_intersecting(&rect.envelope())
            .map(|c| c.data)
            .collect();
        candidates.sort_unstable();
        for c in candidates {
            let overlap =
                crate::inputs::validate::intersection_area(&area.geometry, &catchments.areas[c].geometry)
                    .ok_or_else(|| {
                        Error::input(
                            Location::file(&catchments.source)
                                .at_feature(catchments.areas[c].feature)
                                .with_code(&catchments.areas[c].code)
                                .with_field("geometry"),
                            Problem::Invalid(format!(
                                "cannot intersect this catchment with area {} of {}: geo's boolean operations failed on the pair; check both polygons",
                                area.code, boundaries.source
                            )),
                        )
                    })?;
            let share = (overlap / whole).min(1.0);
            if share >= SLIVER {
                shares[c].push((a, share));
                sums[a] += share;
            }
        }
    }
    let mut uncovered = Vec::new();
    for (a, &sum) in sums.iter().enumerate() {
        let code = &boundaries.areas[a].code;
        if sum < 0.999 {
            uncovered.push(a);
            report.warn(
                "uncovered_area",
                Location::file(&boundaries.source).with_code(code),
                format!(
                    "area {code} is {:.1}% covered by catchment polygons and counts as uncovered",
                    sum * 100.0
                ),
            );
        } else if sum > 1.001 {
            report.warn(
                "overlapping_catchments",
                Location::file(&boundaries.source).with_code(code),
                format!(
                    "area {code} is covered {:.1}% by overlapping catchment polygons",
                    sum * 100.0
                ),
            );
        }
    }
    let mut out: Vec<Catchment> = catchments
        .areas
        .iter()
        .zip(shares)
        .map(|(c, areas)| Catchment {
            bvc: c.code.clone(),
            name: c
                .properties
                .get("name")
                .and_then(Value::as_str)
                .map(String::from),
            areas,
            geometry: (!c.geometry.0.is_empty()).then(|| c.geometry.clone()),
            distances: Vec::new(),
        })
        .collect();
    out.sort_by(|a, b| a.bvc.cmp(&b.bvc));
    for c in out.iter().filter(|c| c.areas.is_empty()) {
        report.warn(
            "empty_catchment",
            Location::file(&catchments.source).with_code(&c.bvc),
            format!("catchment {} overlaps no area", c.bvc),
        );
    }
    Ok((
        Catchments {
            method: Method::Polygons,
            catchments: out,
            uncovered,
        },
        report,
    ))
}

/// Builds catchments from where children are listed: `assignment` is
/// `children` assigned to `boundaries`' areas, `bvc_column` the column of
/// `children` holding the BVC id (see the module docs). Children with an empty
/// BVC are left out (one `Warning`, kind `unlisted_children`); areas with no
/// listed child are uncovered (an `Info` notice, kind `uncovered_area`).
/// Every BVC in `known` (e.g. the ids of a VTI table; may be empty) that has no
/// listed child gets an empty catchment (no areas, no geometry) and a `Warning`
/// (kind `bvc_without_children`), so it is never silently missing.
pub fn from_listings(
    boundaries: &Boundaries,
    children: &Points,
    assignment: &Assignment,
    bvc_column: &str,
    known: &[&str],
) -> crate::Result<(Catchments, Report)> {
    let column = children.column(bvc_column).ok_or_else(|| {
        Error::input(
            Location::file(&children.source).with_field(bvc_column),
            Problem::MissingColumn {
                column: bvc_column.to_string(),
                available: children.columns.join(", "),
                hint: crate::error::HINT_BVC_FIELD.into(),
            },
        )
    })?;
    if assignment.area.len() != children.len() {
        return Err(Error::Compute(format!(
            "the assignment has {} points but {} has {}",
            assignment.area.len(),
            children.source,
            children.len()
        )));
    }
    let mut report = Report::default();
    // bvc -> area -> children
    let mut listed: BTreeMap<&str, BTreeMap<usize, u64>> = BTreeMap::new();
    let mut per_area = vec![0u64; boundaries.len()];
    let mut unlisted = 0u64;
    for (i, area) in assignment.area.iter().enumerate() {
        let Some(a) = *area else { continue };
        if a >= boundaries.len() {
            return Err(Error::Compute(format!(
                "the assignment names area {a}, but the boundaries have {}",
                boundaries.len()
            )));
        }
        let bvc = children.value(i, column).map(str::trim).unwrap_or("");
        if bvc.is_empty() {
            unlisted += 1;
            continue;
        }
        *listed.entry(bvc).or_default().entry(a).or_default() += 1;
        per_area[a] += 1;
    }
    if unlisted > 0 {
        report.warn(
            "unlisted_children",
            Location::file(&children.source).with_field(bvc_column),
            format!("{unlisted} child(ren) in some area have no BVC and are left out"),
        );
    }
    // The BVC with the most listed children in each area (ties: smaller id, the
    // first met in BTreeMap order).
    let mut top: Vec<Option<(&str, u64)>> = vec![None; boundaries.len()];
    for (&bvc, areas) in &listed {
        for (&a, &n) in areas {
            if top[a].is_none_or(|(_, best)| n > best) {
                top[a] = Some((bvc, n));
            }
        }
    }
    for &bvc in known {
        if !listed.contains_key(bvc) {
            report.warn(
                "bvc_without_children",
                Location::file(&children.source)
                    .with_code(bvc)
                    .with_field(bvc_column),
                format!("BVC {bvc} has no listed child in any area; its catchment is empty"),
            );
            listed.insert(bvc, BTreeMap::new());
        }
    }
    let catchments = listed
        .iter()
        .map(|(&bvc, areas)| Catchment {
            bvc: bvc.to_string(),
            name: None,
            areas: areas
                .iter()
                .map(|(&a, &n)| (a, n as f64 / per_area[a] as f64))
                .collect(),
            geometry: dissolve(
                boundaries,
                (0..boundaries.len()).filter(|&a| top[a].is_some_and(|(b, _)| b == bvc)),
            ),
            distances: Vec::new(),
        })
        .collect();
    let uncovered: Vec<usize> = (0..boundaries.len())
        .filter(|&a| per_area[a] == 0)
        .collect();
    if !uncovered.is_empty() {
        report.info(
            "uncovered_area",
            Location::file(&boundaries.source),
            format!(
                "{} area(s) have no listed child and are in no catchment",
                uncovered.len()
            ),
        );
    }
    Ok((
        Catchments {
            method: Method::Listings,
            catchments,
            uncovered,
        },
        report,
    ))
}

/// Population, children and population-weighted CNI per catchment (see
/// [`CatchmentSummary`]). The slices are parallel to `boundaries.areas`; a
/// missing entry counts as unknown (or 0 children); shares of area indices
/// beyond `boundaries` are ignored. VTI is looked up by BVC id in
/// `vti`.
pub fn summarise(
    c: &Catchments,
    boundaries: &Boundaries,
    area_population: &[Option<f64>],
    area_cni: &[Option<f64>],
    area_children: &[u64],
    vti: Option<&VtiResult>,
) -> Vec<CatchmentSummary> {
    c.catchments
        .iter()
        .map(|catchment| {
            let members: Vec<(f64, Option<f64>, Option<f64>)> = catchment
                .areas
                .iter()
                .filter(|&&(a, _)| a < boundaries.len())
                .map(|&(a, share)| {
                    (
                        share,
                        area_population.get(a).copied().flatten(),
                        area_cni.get(a).copied().flatten(),
                    )
                })
                .collect();
            let population: f64 = members
                .iter()
                .filter_map(|&(share, pop, _)| Some(share * pop?))
                .sum();
            let children: f64 = catchment
                .areas
                .iter()
                .filter(|&&(a, _)| a < boundaries.len())
                .map(|&(a, share)| share * area_children.get(a).copied().unwrap_or(0) as f64)
                .sum();
            let cni = cni::weighted_mean(
                members
                    .iter()
                    .filter_map(|&(share, pop, cni)| Some((share * pop?, cni?))),
            );
            let centre = vti.and_then(|v| v.centres.iter().find(|x| x.bvc == catchment.bvc));
            CatchmentSummary {
                bvc: catchment.bvc.clone(),
                name: catchment
                    .name
                    .clone()
                    .or_else(|| centre.and_then(|x| x.name.clone())),
                population,
                children,
                cni,
                vti: centre.and_then(|x| x.vti),
                relative_vti: centre.and_then(|x| x.relative_vti),
                areas: catchment.areas.len(),
            }
        })
        .collect()
}
