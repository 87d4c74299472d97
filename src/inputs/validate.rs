//! Geometry checks on boundaries: OGC validity of each area, and overlaps between areas.
//!
//! # Validity
//! Every area's (Multi)Polygon is checked with [`geo::Validation`] (the OGC simple
//! feature rules as geo implements them): no ring crosses or touches itself, holes
//! lie inside their exterior ring and do not cross it or each other, the parts of a
//! MultiPolygon neither overlap nor share an edge. An invalid area is an error,
//! [`Problem::InvalidGeometry`], naming the file, feature, code and what is wrong,
//! **unless the caller asks for a repair** ([`BoundaryOptions::repair`], the CLI's
//! `--repair`). A repair uses [`geo::MakeValid`] (Ledoux et al. 2014, odd-even
//! rule: a bow-tie becomes its two triangles) and is reported as a `Warning` (kind
//! `repaired_geometry`) with what was wrong and the area before and after, so a
//! repaired number is never presented as if the input had been clean.
//!
//! # Overlaps
//! Areas such as DeSO partition the land; two that overlap count the overlap twice
//! wherever shares of area are used. [`overlaps`] finds every pair of areas whose
//! intersection is more than `min_share` of the smaller area's area (candidates by
//! bounding box in an R-tree, then an exact intersection with [`geo::BooleanOps`],
//! pairs in parallel with rayon); [`report_overlaps`] turns them into `Warning`
//! notices (kind `overlapping_areas`) naming both codes. The check costs an exact
//! intersection per pair of neighbours, so the pipeline and `careneed catchments`
//! run it, and the hot paths (`assign`, `interpolate`) do not. Point assignment stays
//! deterministic on overlapping areas (see [`crate::spatial::assign`]).
//!
//! ```
//! use careneed::inputs::boundaries::{parse_boundaries, BoundaryOptions};
//! use careneed::inputs::validate::overlaps;
//! use careneed::Error;
//! // A bow-tie: its boundary crosses itself at (600001, 6700001).
//! let bowtie = br#"{"type":"FeatureCollection","features":[
//!   {"type":"Feature","properties":{"code":"X"},"geometry":{"type":"Polygon","coordinates":
//!     [[[600000,6700000],[600002,6700002],[600002,6700000],[600000,6700002],[600000,6700000]]]}}]}"#;
//! let err = parse_boundaries("bowtie.geojson", bowtie, &BoundaryOptions::default()).unwrap_err();
//! assert!(err.to_string().contains("self-intersection"), "{err}");
//! let repair = BoundaryOptions { repair: true, ..BoundaryOptions::default() };
//! let (fixed, report) = parse_boundaries("bowtie.geojson", bowtie, &repair).unwrap();
//! assert_eq!(fixed.areas[0].geometry.0.len(), 2); // two triangles
//! assert_eq!(report.of_kind("repaired_geometry").count(), 1);
//!
//! // Two 2 m squares overlapping by a 1 m strip: half of either.
//! let pair = br#"{"type":"FeatureCollection","features":[
//!   {"type":"Feature","properties":{"code":"A"},"geometry":{"type":"Polygon","coordinates":
//!     [[[600000,6700000],[600002,6700000],[600002,6700002],[600000,6700002],[600000,6700000]]]}},
//!   {"type":"Feature","properties":{"code":"B"},"geometry":{"type":"Polygon","coordinates":
//!     [[[600001,6700000],[600003,6700000],[600003,6700002],[600001,6700002],[600001,6700000]]]}}]}"#;
//! let (areas, _) = parse_boundaries("pair.geojson", pair, &BoundaryOptions::default()).unwrap();
//! let found = overlaps(&areas, 1e-6);
//! assert_eq!((found[0].a, found[0].b), (0, 1));
//! assert!((found[0].share - 0.5).abs() < 1e-9);
//! # Ok::<(), Error>(())
//! ```
//!
//! [`BoundaryOptions::repair`]: crate::inputs::boundaries::BoundaryOptions::repair
//! [`Problem::InvalidGeometry`]: crate::error::Problem::InvalidGeometry

use crate::error::{Error, Location, Problem};
use crate::inputs::boundaries::{Area, Boundaries};
use crate::report::Report;
use geo::{Area as _, BooleanOps, BoundingRect, MakeValid, Validation};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use serde::{Deserialize, Serialize};

/// Checks every area's geometry (see the module docs); with `repair`, repairs
/// invalid ones in place and reports each repair in `report`, otherwise the first
/// invalid area (in feature order) is an error.
pub(crate) fn check_areas(
    areas: &mut [Area],
    repair: bool,
    report: &mut Report,
    locate: &dyn Fn(usize, &Area) -> Location,
) -> crate::Result<()> {
    let location = |i: usize, area: &Area| locate(i, area).with_field("geometry");
    // The first problem of every invalid area, found in parallel, in feature order.
    let invalid: Vec<(usize, String)> = areas
        .par_iter()
        .enumerate()
        .filter_map(|(i, area)| {
            area.geometry
                .check_validation()
                .err()
                .map(|e| (i, e.to_string()))
        })
        .collect();
    for (i, reason) in invalid {
        let Some(area) = areas.get_mut(i) else {
            continue;
        };
        if !repair {
            return Err(Error::input(
                location(i, area),
                Problem::InvalidGeometry { reason },
            ));
        }
        let before = area.geometry.unsigned_area();
        let fixed = area.geometry.make_valid().map_err(|e| {
            Error::input(
                location(i, area),
                Problem::InvalidGeometry {
                    reason: format!("{reason}, and the repair failed: {e}"),
                },
            )
        })?;
        if fixed.0.is_empty() {
            return Err(Error::input(
                location(i, area),
                Problem::InvalidGeometry {
                    reason: format!("{reason}, and the repair leaves nothing"),
                },
            ));
        }
        let after = fixed.unsigned_area();
        report.warn(
            "repaired_geometry",
            location(i, area),
            format!(
                "{reason}; repaired (odd-even rule) into {} polygon(s), area {before:.6} → {after:.6}",
                fixed.0.len()
            ),
        );
        area.geometry = fixed;
    }
    Ok(())
}

/// The overlap, as a share of the smaller area, below which two areas count as
/// touching rather than overlapping (digitising noise): one millionth.
pub const MIN_OVERLAP_SHARE: f64 = 1e-6;

/// Two areas whose interiors overlap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overlap {
    /// The first area (index in [`Boundaries::areas`]; `a < b`).
    pub a: usize,
    /// The second area.
    pub b: usize,
    /// The area of the overlap, in the boundaries' CRS units squared.
    pub area: f64,
    /// The overlap as a share of the smaller of the two areas.
    pub share: f64,
}

/// Every pair of areas whose overlap exceeds `min_share` of the smaller one's
/// area, sorted by `(a, b)` (see the module docs).
pub fn overlaps(boundaries: &Boundaries, min_share: f64) -> Vec<Overlap> {
    let boxes: Vec<GeomWithData<Rectangle<[f64; 2]>, usize>> = boundaries
        .areas
        .iter()
        .enumerate()
        .filter_map(|(i, area)| {
            let r = area.geometry.bounding_rect()?;
            Some(GeomWithData::new(
                Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                i,
            ))
        })
        .collect();
    let tree = RTree::bulk_load(boxes.clone());
    let areas: Vec<f64> = boundaries
        .areas
        .iter()
        .map(|a| a.geometry.unsigned_area())
        .collect();
    let mut found: Vec<Overlap> = boxes
        .par_iter()
        .flat_map_iter(|item| {
            let a = item.data;
            let envelope = AABB::from_corners(item.geom().lower(), item.geom().upper());
            tree.locate_in_envelope_intersecting(&envelope)
                .filter(move |other| other.data > a)
                .filter_map(|other| {
                    let b = other.data;
                    let (ga, gb) = (&boundaries.areas[a].geometry, &boundaries.areas[b].geometry);
                    let area = ga.intersection(gb).unsigned_area();
                    let smaller = areas[a].min(areas[b]);
                    let share = if smaller > 0.0 { area / smaller } else { 0.0 };
                    (share > min_share).then_some(Overlap { a, b, area, share })
                })
                .collect::<Vec<_>>()
        })
        .collect();
    found.sort_by_key(|o| (o.a, o.b));
    found
}

/// Adds a `Warning` (kind `overlapping_areas`) for each overlap, naming both codes.
pub fn report_overlaps(boundaries: &Boundaries, overlaps: &[Overlap], report: &mut Report) {
    for o in overlaps {
        let (a, b) = (&boundaries.areas[o.a], &boundaries.areas[o.b]);
        report.warn(
            "overlapping_areas",
            Location::file(&boundaries.source)
                .at_feature(a.feature)
                .with_code(&a.code)
                .with_field("geometry"),
            format!(
                "areas {} and {} overlap by {:.1}% of the smaller one; points in the overlap go to {} (smaller code), shares of area count the overlap twice",
                a.code,
                b.code,
                100.0 * o.share,
                if a.code <= b.code { &a.code } else { &b.code }
            ),
        );
    }
}
