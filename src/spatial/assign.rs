//! Point-in-polygon assignment of points to areas, with a deterministic edge rule.
//!
//! # The edge rule
//!
//! In DE-9IM terms (as geo documents its predicates), every polygon part of an area
//! has an *interior*, a *boundary* (its rings) and an *exterior*; a point in a hole
//! is in the exterior. The *closure* of an area is its interior plus its boundary.
//!
//! 1. A point in the **interior** of an area belongs to that area.
//! 2. A point on the **boundary** of one or more areas (a shared edge, a shared
//!    vertex, the rim of a hole) and in no area's interior belongs to the area with
//!    the **smallest code in byte order** among the areas whose closure contains it.
//! 3. A point in no area's closure is **outside**: [`Assignment::outside`] lists its
//!    input line.
//!
//! So every point gets exactly one area or none: GeoPandas' `within` would drop
//! a point on a shared edge and `intersects` would count it twice. Should areas
//! overlap (invalid for a partition such as DeSO), a point in the interior of
//! several goes, by the same tie-break, to the smallest code among them. A point
//! on the edge between two parts of the same MultiPolygon lies on that area's
//! boundary (rule 2). Non-finite coordinates are outside every area.
//!
//! # Speed
//! [`AreaIndex`] keeps, per polygon part, its edges bucketed into horizontal bands,
//! and a uniform grid over all parts (about 8 cells per edge, at most 2²⁴): a
//! cell no edge touches answers at once (an area's interior, or no area); in
//! other cells the point is tested against the parts that meet the cell, in the
//! edge rule's order (so the first interior ends the search), each against the
//! edges of one band only. The tests are geo's
//! ([`geo::CoordinatePosition`]: the same winding-number rules and robust
//! orientation predicate), so the answers are exactly geo's. [`assign`] runs over
//! chunks of points in parallel ([`rayon`]); the result is in input order and
//! does not depend on the number of threads. [`assign_stream`] reads a points
//! file in blocks and counts as it goes, in bounded memory.
//!
//! # CRS
//! Points and areas must be in the same CRS: check points with
//! [`check_crs`](crate::inputs::points::check_crs) and transform boundaries with
//! [`Boundaries::to_crs`]. [`assign_checked`] refuses points whose declared CRS
//! differs from the index's.
//!
//! ```
//! use careneed::inputs::boundaries::{parse_boundaries, BoundaryOptions};
//! use careneed::inputs::points::parse_points;
//! use careneed::spatial::assign::{assign, AreaIndex};
//! // Two unit squares (metres, SWEREF99 TM) sharing the edge x = 600001.
//! let geojson = br#"{"type":"FeatureCollection","features":[
//!   {"type":"Feature","properties":{"code":"B"},"geometry":{"type":"Polygon","coordinates":
//!     [[[600000,6700000],[600001,6700000],[600001,6700001],[600000,6700001],[600000,6700000]]]}},
//!   {"type":"Feature","properties":{"code":"A"},"geometry":{"type":"Polygon","coordinates":
//!     [[[600001,6700000],[600002,6700000],[600002,6700001],[600001,6700001],[600001,6700000]]]}}]}"#;
//! let (areas, _) = parse_boundaries("squares.geojson", geojson, &BoundaryOptions::default()).unwrap();
//! let csv = b"id,x,y\nin_b,600000.5,6700000.5\nedge,600001,6700000.5\nfar,600009,6700000\n";
//! let (points, _) = parse_points("points.csv", csv, "x", "y").unwrap();
//! let index = AreaIndex::new(&areas);
//! let assignment = assign(&index, &points, &|_done| {});
//! // B is feature 0, A feature 1; the edge point goes to A, the smaller code.
//! assert_eq!(assignment.area, [Some(0), Some(1), None]);
//! assert_eq!(assignment.counts, [1, 1]);
//! assert_eq!(assignment.outside, [4]);
//! assert_eq!(assignment.counts_csv(&areas), b"code,count\nB,1\nA,1\n");
//! ```

use crate::error::{Error, Location, Problem};
use crate::inputs::boundaries::Boundaries;
use crate::inputs::crs::Crs;
use crate::inputs::point_stream::{DEFAULT_BLOCK, StreamedPoints, stream_points_with};
use crate::inputs::points::Points;
use crate::spatial::locate::Locator;
use geo::Coord;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Points per parallel work item (and per progress call).
const CHUNK: usize = 4096;

/// A spatial index over the areas of one [`Boundaries`], answering "which area is
/// this point in?" by the module's edge rule.
///
/// The index holds its own copy of the edges (it does not borrow the
/// boundaries) and is `Send + Sync`.
#[derive(Debug, Clone)]
pub struct AreaIndex {
    crs: Crs,
    source: String,
    /// The number of areas.
    areas: usize,
    locator: Locator,
}

impl AreaIndex {
    /// Builds the index of every polygon part of every area.
    pub fn new(boundaries: &Boundaries) -> Self {
        Self::build(boundaries, true)
    }

    /// [`AreaIndex::new`], with or without the locator's grid.
    fn build(boundaries: &Boundaries, grid: bool) -> Self {
        // The parts in the edge rule's priority order: by the area's code in
        // byte order (ties by area index), then in the area's order.
        let mut order: Vec<usize> = (0..boundaries.areas.len()).collect();
        order.sort_by(|&i, &j| {
            boundaries.areas[i]
                .code
                .as_bytes()
                .cmp(boundaries.areas[j].code.as_bytes())
                .then(i.cmp(&j))
        });
        // Empty polygons hold no point.
        let parts: Vec<_> = order
            .into_iter()
            .flat_map(|a| boundaries.areas[a].geometry.0.iter().map(move |p| (p, a)))
            .filter(|(p, _)| !p.exterior().0.is_empty())
            .collect();
        AreaIndex {
            crs: boundaries.crs,
            source: boundaries.source.clone(),
            areas: boundaries.areas.len(),
            locator: Locator::build(&parts, grid),
        }
    }

    /// The CRS of the indexed areas.
    pub fn crs(&self) -> Crs {
        self.crs
    }

    /// The boundary file the index was built from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The number of areas (including areas without polygons).
    pub fn len(&self) -> usize {
        self.areas
    }

    /// Whether there are no areas.
    pub fn is_empty(&self) -> bool {
        self.areas == 0
    }

    /// The index (in [`Boundaries::areas`]) of the area the point `(x, y)` belongs
    /// to by the module's edge rule, or `None` when it is outside every area or
    /// not finite.
    pub fn locate(&self, x: f64, y: f64) -> Option<usize> {
        self.locator.locate(Coord { x, y })
    }

    /// [`AreaIndex::locate`] for each of `coords`, passed to `f` with the point's
    /// index in `coords`; faster than one call per point on large batches.
    pub fn locate_each(&self, coords: &[[f64; 2]], f: impl FnMut(usize, Option<usize>)) {
        self.locator.locate_each(coords, f);
    }
}

/// Which area each point is in, and the counts per area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// The area (index in [`Boundaries::areas`]) of every point, parallel to
    /// [`Points::coords`]; `None` when outside every area.
    pub area: Vec<Option<usize>>,
    /// Points per area, parallel to [`Boundaries::areas`], zeros included.
    pub counts: Vec<u64>,
    /// The input lines of the points in no area, in input order.
    pub outside: Vec<u64>,
}

impl Assignment {
    /// The counts as CSV (`code,count`, one row per area in boundary order, zeros
    /// included; `\n` line ends; a code holding `,`, `"` or a line break is quoted).
    pub fn counts_csv(&self, boundaries: &Boundaries) -> Vec<u8> {
        let mut out = String::from("code,count\n");
        for (i, area) in boundaries.areas.iter().enumerate() {
            let count = self.counts.get(i).copied().unwrap_or(0);
            let code = &area.code;
            if code.contains([',', '"', '\n', '\r']) {
                out.push('"');
                out.push_str(&code.replace('"', "\"\""));
                out.push('"');
            } else {
                out.push_str(code);
            }
            out.push(',');
            out.push_str(&count.to_string());
            out.push('\n');
        }
        out.into_bytes()
    }

    /// The number of points assigned to some area.
    pub fn assigned(&self) -> u64 {
        self.counts.iter().sum()
    }
}

/// Assigns every point to an area ([`AreaIndex::locate`]), in parallel over chunks
/// of points. The result is in input order. `progress` is called once per chunk
/// (from worker threads, in no particular order) with the number of points that
/// chunk did; the calls add up to the number of points.
///
/// Does not look at CRSs; see [`assign_checked`].
pub fn assign(index: &AreaIndex, points: &Points, progress: &(dyn Fn(u64) + Sync)) -> Assignment {
    let area: Vec<Option<usize>> = points
        .coords
        .par_chunks(CHUNK)
        .flat_map_iter(|chunk| {
            let mut located = vec![None; chunk.len()];
            index.locate_each(chunk, |i, a| located[i] = a);
            progress(chunk.len() as u64);
            located
        })
        .collect();
    let mut counts = vec![0u64; index.len()];
    let mut outside = Vec::new();
    for (i, a) in area.iter().enumerate() {
        match a {
            Some(a) => counts[*a] += 1,
            None => outside.push(points.lines.get(i).copied().unwrap_or(0)),
        }
    }
    Assignment {
        area,
        counts,
        outside,
    }
}

/// [`assign`] without progress, after checking that the points' declared CRS (if
/// any) is the index's; a different one is an error naming both.
pub fn assign_checked(index: &AreaIndex, points: &Points) -> crate::Result<Assignment> {
    if let Some(crs) = points.crs
        && crs != index.crs
    {
        return Err(Error::input(
            Location::file(&points.source),
            Problem::Invalid(format!(
                "the points are in {crs} but the areas ({}) are in {}; transform one of them first",
                index.source, index.crs
            )),
        ));
    }
    Ok(assign(index, points, &|_| {}))
}

/// Per-thread counts, outside lines and the first CRS misfit (line, x, y).
type Tally = (Vec<u64>, Vec<u64>, Option<(u64, f64, f64)>);

/// Counts per area of a points file read as a stream ([`assign_stream`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamAssignment {
    /// Points per area, parallel to [`Boundaries::areas`], zeros included.
    pub counts: Vec<u64>,
    /// The input lines of the accepted points in no area, in line order.
    pub outside: Vec<u64>,
    /// What was read: encoding, delimiter, accepted and rejected points.
    pub points: StreamedPoints,
}

impl StreamAssignment {
    /// The counts as CSV, as [`Assignment::counts_csv`].
    pub fn counts_csv(&self, boundaries: &Boundaries) -> Vec<u8> {
        Assignment {
            area: Vec::new(),
            counts: self.counts.clone(),
            outside: Vec::new(),
        }
        .counts_csv(boundaries)
    }

    /// The number of points assigned to some area.
    pub fn assigned(&self) -> u64 {
        self.counts.iter().sum()
    }
}

/// Reads a points CSV from `reader` as a stream
/// ([`stream_points`](crate::inputs::point_stream::stream_points), blocks of
/// [`DEFAULT_BLOCK`] bytes, parsed in parallel) and counts the points per area of
/// `index` ([`AreaIndex::locate`], in parallel), without holding the file or the
/// points in memory: for files too large for [`read_points`](crate::inputs::points::read_points)
/// and [`assign`].
///
/// `crs` is the points' declared CRS: it must be the index's
/// ([`Problem::Invalid`] otherwise), and every accepted point must fit it
/// ([`Crs::fits`]), else [`Problem::CrsMismatch`] at the first misfit line (as
/// [`check_crs`](crate::inputs::points::check_crs); a reading error earlier or
/// later in the file is reported instead, as the in-memory path does).
/// `progress` is called with the number of points located, batch by batch.
/// The report is the reader's (encoding, delimiter, one `bad_point` warning per
/// rejected point).
pub fn assign_stream<R: std::io::Read>(
    index: &AreaIndex,
    source: &str,
    reader: R,
    x_col: &str,
    y_col: &str,
    crs: Crs,
    progress: &(dyn Fn(u64) + Sync),
) -> crate::Result<(StreamAssignment, crate::report::Report)> {
    if crs != index.crs {
        return Err(Error::input(
            Location::file(source),
            Problem::Invalid(format!(
                "the points are in {crs} but the areas ({}) are in {}; transform one of them first",
                index.source, index.crs
            )),
        ));
    }
    let mut counts = vec![0u64; index.len()];
    let mut outside: Vec<u64> = Vec::new();
    // The first point that does not fit the CRS: line and coordinates.
    let mut misfit: Option<(u64, f64, f64)> = None;
    // Each piece is located where it was parsed; lines relative to a base.
    let work = |coords: &[[f64; 2]], lines: &[u64]| -> Tally {
        let mut counts = vec![0u64; index.len()];
        let mut out = Vec::new();
        let bad = coords
            .iter()
            .zip(lines)
            .find(|&(&[x, y], _)| !crs.fits(x, y))
            .map(|(&[x, y], &line)| (line, x, y));
        for (coords, lines) in coords.chunks(CHUNK).zip(lines.chunks(CHUNK)) {
            index.locate_each(coords, |i, a| match a {
                Some(a) => counts[a] += 1,
                None => out.push(lines[i]),
            });
            progress(coords.len() as u64);
        }
        (counts, out, bad)
    };
    let (points, report) = stream_points_with(
        source,
        reader,
        x_col,
        y_col,
        DEFAULT_BLOCK,
        &work,
        &mut |(local, out, bad): Tally, base| {
            for (a, b) in counts.iter_mut().zip(&local) {
                *a += b;
            }
            outside.extend(out.iter().map(|l| l + base));
            if let Some((line, x, y)) = bad
                && misfit.is_none_or(|m| line + base < m.0)
            {
                misfit = Some((line + base, x, y));
            }
            Ok(())
        },
    )?;
    if let Some((line, x, y)) = misfit {
        let unit = if crs == Crs::Wgs84 {
            "degrees"
        } else {
            "metres"
        };
        let detected = crate::inputs::points::looks_like(x, y);
        return Err(Error::input(
            Location::file(source).at_line(line).with_field(x_col),
            Problem::CrsMismatch {
                declared: format!("{crs} ({unit})"),
                detected,
            },
        ));
    }
    outside.sort_unstable();
    Ok((
        StreamAssignment {
            counts,
            outside,
            points,
        },
        report,
    ))
}

/// The CNI of one child health centre (BVC) from its listed children.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListingCni {
    /// The BVC, as written in the listing (trimmed).
    pub bvc: String,
    /// Children listed at the BVC (accepted points), wherever they live.
    pub children: u64,
    /// Of those, children living in an area that has a CNI.
    pub with_cni: u64,
    /// The mean home-area CNI of the `with_cni` children; `None` when there are none.
    pub mean_cni: Option<f64>,
}

/// The CNI per BVC from a listing of children: each BVC's CNI is the mean of its
/// children's home-area CNI (SCB's per-care-unit method). Children outside every
/// area, or in an area without a CNI in `cni_by_code`, count in
/// [`ListingCni::children`] but not in [`ListingCni::with_cni`]. Sorted by BVC in
/// byte order.
///
/// Errors: `bvc_column` not among [`Points::columns`] ([`Problem::MissingColumn`]);
/// an empty BVC ([`Problem::EmptyCode`], with line and field); an `assignment`
/// not made for these points or these boundaries ([`Error::Compute`]).
pub fn cni_by_listing(
    points: &Points,
    assignment: &Assignment,
    boundaries: &Boundaries,
    cni_by_code: &BTreeMap<String, f64>,
    bvc_column: &str,
) -> crate::Result<Vec<ListingCni>> {
    let column = points.column(bvc_column).ok_or_else(|| {
        Error::input(
            Location::file(&points.source).with_field(bvc_column),
            Problem::MissingColumn {
                column: bvc_column.to_string(),
                available: points.columns.join(", "),
                hint: crate::error::HINT_BVC_FIELD.into(),
            },
        )
    })?;
    if assignment.area.len() != points.len() {
        return Err(Error::Compute(format!(
            "the assignment has {} points but {} has {}",
            assignment.area.len(),
            points.source,
            points.len()
        )));
    }
    // Per BVC: children, and the home-area CNI of each child that has one.
    let mut by_bvc: BTreeMap<&str, (u64, Vec<f64>)> = BTreeMap::new();
    for (i, area) in assignment.area.iter().enumerate() {
        let bvc = points.value(i, column).unwrap_or("").trim();
        if bvc.is_empty() {
            return Err(Error::input(
                Location::file(&points.source)
                    .at_line(points.lines.get(i).copied().unwrap_or(0))
                    .with_field(bvc_column),
                Problem::EmptyCode,
            ));
        }
        let cni = match area {
            Some(a) => {
                let area = boundaries.areas.get(*a).ok_or_else(|| {
                    Error::Compute(format!(
                        "the assignment names area {a} but {} has {} areas",
                        boundaries.source,
                        boundaries.len()
                    ))
                })?;
                cni_by_code.get(&area.code).copied()
            }
            None => None,
        };
        let entry = by_bvc.entry(bvc).or_default();
        entry.0 += 1;
        entry.1.extend(cni);
    }
    Ok(by_bvc
        .into_iter()
        .map(|(bvc, (children, cni))| ListingCni {
            bvc: bvc.to_string(),
            children,
            with_cni: cni.len() as u64,
            // Each child weighs 1: the kernel every CNI aggregation uses.
            mean_cni: crate::scores::cni::weighted_mean(cni.into_iter().map(|c| (1.0, c))),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::boundaries::{Area, CrsSource};
    use geo::coordinate_position::{CoordPos, CoordinatePosition};
    use geo::{MultiPolygon, Polygon, polygon};

    fn unit(code: &str, x0: f64) -> Area {
        Area {
            feature: 0,
            code: code.to_string(),
            properties: serde_json::Map::new(),
            geometry: MultiPolygon(vec![polygon![
                (x: x0, y: 0.0), (x: x0 + 1.0, y: 0.0), (x: x0 + 1.0, y: 1.0), (x: x0, y: 1.0)
            ]]),
        }
    }

    #[test]
    fn edge_rule_uses_byte_order_of_codes() {
        // "Z" < "a" in byte order (not in case-insensitive order).
        let b = Boundaries::new(
            "t".into(),
            Crs::Sweref99Tm,
            CrsSource::Given,
            vec![unit("a", 0.0), unit("Z", 1.0)],
        );
        let index = AreaIndex::new(&b);
        assert_eq!(index.locate(1.0, 0.5), Some(1));
        assert_eq!(index.locate(0.5, 0.5), Some(0));
        assert_eq!(index.locate(0.5, 1.5), None);
        assert_eq!(index.locate(f64::INFINITY, 0.5), None);
    }

    /// The edge rule by brute force over every part with geo.
    fn brute(b: &Boundaries, x: f64, y: f64) -> Option<usize> {
        let c = Coord { x, y };
        let mut best: Option<(bool, &[u8], usize)> = None;
        for (a, area) in b.areas.iter().enumerate() {
            for p in &area.geometry.0 {
                let interior = match p.coordinate_position(&c) {
                    CoordPos::Inside => true,
                    CoordPos::OnBoundary => false,
                    CoordPos::Outside => continue,
                };
                let code = area.code.as_bytes();
                let better = match best {
                    None => true,
                    Some((bi, bc, _)) => (interior && !bi) || (interior == bi && code < bc),
                };
                if better {
                    best = Some((interior, code, a));
                }
            }
        }
        best.map(|(_, _, a)| a)
    }

    use proptest::prelude::*;

    /// A star-shaped ring around (cx, cy) on a 1-unit lattice, closed.
    fn star(cx: f64, cy: f64, radii: &[f64]) -> Vec<(f64, f64)> {
        let n = radii.len();
        let mut ring: Vec<(f64, f64)> = radii
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let t = std::f64::consts::TAU * i as f64 / n as f64;
                ((cx + r * t.cos()).round(), (cy + r * t.sin()).round())
            })
            .collect();
        ring.push(ring[0]);
        ring
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Star polygons on a lattice, overlapping, some with holes, one
        /// MultiPolygon; lattice points hit vertices and edges often.
        #[test]
        fn grid_and_bands_agree_with_geo(
            shapes in proptest::collection::vec(
                (0.0f64..40.0, 0.0f64..40.0,
                 proptest::collection::vec(3.0f64..15.0, 3..40), any::<bool>()),
                1..8),
            points in proptest::collection::vec((-2i32..60, -2i32..60), 200),
        ) {
            let mut areas = Vec::new();
            for (i, (cx, cy, radii, hole)) in shapes.iter().enumerate() {
                let outer = star(*cx, *cy, radii);
                let mut holes = Vec::new();
                if *hole {
                    holes.push(geo::LineString::from(star(*cx, *cy, &[1.5, 1.5, 1.5, 1.5])));
                }
                let polygon = Polygon::new(geo::LineString::from(outer), holes);
                let mut parts = vec![polygon];
                if i == 0 {
                    parts.push(Polygon::new(
                        geo::LineString::from(star(50.0, 50.0, &[4.0, 5.0, 6.0, 4.0, 5.0])),
                        vec![],
                    ));
                }
                areas.push(Area {
                    feature: i,
                    code: format!("{}", (b'a' + (i as u8 * 5) % 8) as char).repeat(1 + i % 2),
                    properties: serde_json::Map::new(),
                    geometry: MultiPolygon(parts),
                });
            }
            let b = Boundaries::new("t".into(), Crs::Sweref99Tm, CrsSource::Given, areas);
            let index = AreaIndex::new(&b);
            prop_assert!(index.locator.has_grid());
            // Without the grid: the R-tree's candidates, tested by bands.
            let treed = AreaIndex::build(&b, false);
            prop_assert!(!treed.locator.has_grid());
            for (x, y) in points {
                for (x, y) in [(f64::from(x), f64::from(y)), (f64::from(x) + 0.37, f64::from(y) + 0.61)] {
                    let want = brute(&b, x, y);
                    prop_assert_eq!(index.locate(x, y), want, "at ({}, {})", x, y);
                    prop_assert_eq!(treed.locate(x, y), want, "at ({}, {}), no grid", x, y);
                }
            }
        }
    }

    #[test]
    fn index_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<AreaIndex>();
    }
}
