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
//! deterministic on overlapping areas (see [`crate::spatial::assign()`]).
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
use crate::inputs::area::{Area, Boundaries};
use crate::report::Report;
use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::{
    Area as _, BooleanOps, BoundingRect, Intersects, Line, MakeValid, MultiPolygon, Polygon,
    Validation,
};
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
    // geo's check compares every pair of edges of a ring; `plainly_valid` first
    // proves most areas valid in O(n log n), and geo decides the rest.
    let invalid: Vec<(usize, String)> = areas
        .par_iter()
        .enumerate()
        .filter(|(_, area)| !plainly_valid(&area.geometry))
        .filter_map(|(i, area)| geo_check(&area.geometry).map(|reason| (i, reason)))
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

/// geo's full validity check: the first problem, or `None` when valid. On some
/// invalid inputs geo's topology code panics ("topology position conflict")
/// instead of answering; that is caught and reported as invalid, silently (see
/// [`quietly`]).
fn geo_check(geometry: &MultiPolygon<f64>) -> Option<String> {
    match quietly(|| geometry.check_validation()) {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(e.to_string()),
        Err(_) => Some(
            "geo's validity check hit a topology conflict (rings that cross or overlap)".into(),
        ),
    }
}

/// The area of `a ∩ b` by [`geo::BooleanOps`], or `None` when it cannot be
/// computed. i_overlay (geo's boolean operations) fails an internal assertion on
/// some valid inputs (found by fuzzing: a repaired MultiPolygon intersected with
/// itself; builds with debug assertions panic, others go on). So: identical
/// geometries need no overlay (`a ∩ a = a`); a panic is caught silently
/// ([`quietly`]) and the operation retried with the operands swapped; `None` when
/// that fails too, for the caller to report.
pub(crate) fn intersection_area(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> Option<f64> {
    if a == b {
        return Some(a.unsigned_area());
    }
    quietly(|| a.intersection(b).unsigned_area())
        .or_else(|_| quietly(|| b.intersection(a).unsigned_area()))
        .ok()
}

thread_local! {
    /// Whether a panic on this thread is one [`quietly`] catches.
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, catching a panic without printing it: the library never prints.
///
/// The panic hook is process-global and runs before unwinding; by default it
/// prints the message to stderr (and a fuzzer's hook aborts). So, once per process,
/// careneed wraps the hook installed at that time in one that stays silent for
/// panics on a thread that is inside `quietly`, and passes every other panic to
/// the wrapped hook unchanged. The flag is thread-local, so a panic elsewhere
/// (another rayon worker, the caller's threads) still reaches the hook, and
/// parallel checks need no lock. A hook the application installs later replaces
/// careneed's (then a caught panic's message is printed again, nothing else
/// changes). Chosen over predicting which invalid inputs make geo panic, which
/// depends on geo's internals.
pub(crate) fn quietly<T>(f: impl FnOnce() -> T + std::panic::UnwindSafe) -> std::thread::Result<T> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    let was = QUIET.with(|q| q.replace(true));
    let result = std::panic::catch_unwind(f);
    QUIET.with(|q| q.set(was));
    result
}

/// A sufficient test of OGC validity, in O(n log n): no two edges of any rings of
/// the (multi)polygon meet, except consecutive edges of a ring at their shared
/// vertex (so every ring is simple and no two rings touch); every hole lies inside
/// its shell and outside the other holes; no part lies inside another. `true`
/// proves the geometry valid; `false` means "ask geo's full check", which may still
/// find it valid (e.g. rings touching at one point, which OGC allows).
fn plainly_valid(geometry: &MultiPolygon<f64>) -> bool {
    // (edge, ring id, index in the ring, edges in the ring)
    let mut edges: Vec<(Line<f64>, usize, usize, usize)> = Vec::new();
    let mut ring_id = 0;
    for polygon in &geometry.0 {
        for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
            let n = ring.0.len().saturating_sub(1);
            if n < 3 {
                return false;
            }
            for (k, line) in ring.lines().enumerate() {
                edges.push((line, ring_id, k, n));
            }
            ring_id += 1;
        }
    }
    // Sort and sweep: edges by their least x; a pair is tested when their boxes
    // overlap (the active edges are those whose box reaches the current x).
    let lo_x = |l: &Line<f64>| l.start.x.min(l.end.x);
    let hi_x = |l: &Line<f64>| l.start.x.max(l.end.x);
    if edges.iter().any(|(l, ..)| {
        !(l.start.x.is_finite()
            && l.start.y.is_finite()
            && l.end.x.is_finite()
            && l.end.y.is_finite())
    }) {
        return false;
    }
    let mut order: Vec<u32> = (0..edges.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| {
        lo_x(&edges[a as usize].0).total_cmp(&lo_x(&edges[b as usize].0))
    });
    let mut active: Vec<u32> = Vec::new();
    for &g in &order {
        let g = g as usize;
        let line = edges[g].0;
        let (x0, y0, y1) = (
            lo_x(&line),
            line.start.y.min(line.end.y),
            line.start.y.max(line.end.y),
        );
        active.retain(|&f| hi_x(&edges[f as usize].0) >= x0);
        for &h in &active {
            let o = edges[h as usize].0;
            if o.start.y.max(o.end.y) < y0 || o.start.y.min(o.end.y) > y1 {
                continue;
            }
            let (e, f) = if g < h as usize {
                (g, h as usize)
            } else {
                (h as usize, g)
            };
            if edges_conflict(&edges[e], &edges[f]) {
                return false;
            }
        }
        active.push(g as u32);
    }
    // No boundaries meet: rings are nested or apart. Test one vertex of each.
    for polygon in &geometry.0 {
        let shell = Polygon::new(polygon.exterior().clone(), vec![]);
        for (h, hole) in polygon.interiors().iter().enumerate() {
            let Some(&v) = hole.0.first() else {
                return false;
            };
            if shell.coordinate_position(&v) != CoordPos::Inside {
                return false;
            }
            for (g, other) in polygon.interiors().iter().enumerate() {
                if g != h
                    && Polygon::new(other.clone(), vec![]).coordinate_position(&v)
                        == CoordPos::Inside
                {
                    return false;
                }
            }
        }
    }
    for (a, pa) in geometry.0.iter().enumerate() {
        for (b, pb) in geometry.0.iter().enumerate() {
            if a != b
                && let Some(&v) = pb.exterior().0.first()
                && pa.coordinate_position(&v) != CoordPos::Outside
            {
                return false;
            }
        }
    }
    true
}

/// Whether two edges of `plainly_valid`'s list (`e` before `f`; (edge, ring id,
/// index in the ring, edges in the ring)) meet other than as consecutive edges of
/// a ring at their shared vertex.
fn edges_conflict(
    e: &(Line<f64>, usize, usize, usize),
    f: &(Line<f64>, usize, usize, usize),
) -> bool {
    let &(line, ring, k, n) = e;
    let &(o, o_ring, o_k, _) = f;
    let adjacent = o_ring == ring && (o_k == k + 1 || (k == 0 && o_k + 1 == n));
    if !adjacent {
        return line.intersects(&o);
    }
    // They share one vertex; they must not fold back along each other.
    let (shared, far_e, far_f) = if o_k == k + 1 {
        (line.end, line.start, o.end)
    } else {
        (line.start, line.end, o.start)
    };
    let turn = RobustKernel::orient2d(far_e, shared, far_f);
    if turn == Orientation::Collinear {
        let back = (far_e.x - shared.x) * (far_f.x - shared.x)
            + (far_e.y - shared.y) * (far_f.y - shared.y);
        return back >= 0.0;
    }
    false
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
    /// The area of the overlap, in the boundaries' CRS units squared; NaN when
    /// geo's boolean operations failed on the pair (reported as such).
    pub area: f64,
    /// The overlap as a share of the smaller of the two areas (NaN likewise).
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
                    let Some(area) = intersection_area(ga, gb) else {
                        // Reported as an overlap that could not be measured.
                        return Some(Overlap {
                            a,
                            b,
                            area: f64::NAN,
                            share: f64::NAN,
                        });
                    };
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

/// Finds the areas that overlap by more than [`MIN_OVERLAP_SHARE`] of the
/// smaller one ([`overlaps`]) and reports each ([`report_overlaps`]): the check
/// every run makes after reading boundaries.
pub fn check_overlaps(boundaries: &Boundaries, report: &mut Report) {
    report_overlaps(boundaries, &overlaps(boundaries, MIN_OVERLAP_SHARE), report);
}

/// Adds a `Warning` (kind `overlapping_areas`) for each overlap, naming both codes.
pub fn report_overlaps(boundaries: &Boundaries, overlaps: &[Overlap], report: &mut Report) {
    for o in overlaps {
        let (a, b) = (&boundaries.areas[o.a], &boundaries.areas[o.b]);
        let message = if o.share.is_nan() {
            format!(
                "whether areas {} and {} overlap could not be computed (geo's boolean operations failed on them); check both polygons",
                a.code, b.code
            )
        } else {
            format!(
                "areas {} and {} overlap by {:.1}% of the smaller one; points in the overlap go to {} (smaller code), shares of area count the overlap twice",
                a.code,
                b.code,
                100.0 * o.share,
                if a.code <= b.code { &a.code } else { &b.code }
            )
        };
        report.warn(
            "overlapping_areas",
            Location::file(&boundaries.source)
                .at_feature(a.feature)
                .with_code(&a.code)
                .with_field("geometry"),
            message,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Coord, LineString};

    fn ring(points: &[(i32, i32)]) -> LineString<f64> {
        let mut coords: Vec<Coord<f64>> = points
            .iter()
            .map(|&(x, y)| Coord {
                x: f64::from(x),
                y: f64::from(y),
            })
            .collect();
        coords.push(coords[0]);
        LineString::new(coords)
    }

    /// `plainly_valid` is only ever a proof: on thousands of random (often
    /// invalid: crossing, touching, collinear, spiked) polygons on a small integer
    /// grid, whenever it says valid, geo's full check agrees.
    #[test]
    fn plainly_valid_never_passes_an_invalid_polygon() {
        let mut state = 2180u64;
        let mut next = |m: i32| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) % m as u64) as i32
        };
        let (mut proven, mut valid) = (0, 0);
        for _ in 0..20_000 {
            let mut parts = Vec::new();
            for _ in 0..1 + next(2) {
                let n = 3 + next(5) as usize;
                let pts: Vec<(i32, i32)> = (0..n).map(|_| (next(7), next(7))).collect();
                let holes = if next(3) == 0 {
                    let m = 3 + next(2) as usize;
                    vec![ring(
                        &(0..m).map(|_| (next(7), next(7))).collect::<Vec<_>>(),
                    )]
                } else {
                    vec![]
                };
                parts.push(Polygon::new(ring(&pts), holes));
            }
            let g = MultiPolygon(parts);
            let is_valid = geo_check(&g).is_none();
            if plainly_valid(&g) {
                proven += 1;
                assert!(is_valid, "{g:?}: {:?}", geo_check(&g));
            }
            valid += usize::from(is_valid);
        }
        // It proves most of the valid ones (the fast path is worth having).
        assert!(proven * 2 > valid, "proven {proven} of {valid} valid");
    }

    #[test]
    fn plainly_valid_accepts_plain_shapes() {
        let square = ring(&[(0, 0), (10, 0), (10, 10), (0, 10)]);
        let hole = ring(&[(4, 4), (6, 4), (6, 6), (4, 6)]);
        let far = ring(&[(20, 0), (30, 0), (30, 10), (20, 10)]);
        let island = ring(&[(45, 45), (55, 45), (55, 55), (45, 55)]);
        let lake = ring(&[(42, 42), (58, 42), (58, 58), (42, 58)]);
        let big = ring(&[(40, 40), (60, 40), (60, 60), (40, 60)]);
        let g = MultiPolygon(vec![
            Polygon::new(square, vec![hole]),
            Polygon::new(far, vec![]),
            Polygon::new(big, vec![lake]),
            Polygon::new(island, vec![]),
        ]);
        assert!(g.is_valid());
        assert!(plainly_valid(&g));
        // A collinear vertex is fine; a spike is not.
        assert!(plainly_valid(&MultiPolygon(vec![Polygon::new(
            ring(&[(0, 0), (5, 0), (10, 0), (10, 10)]),
            vec![]
        )])));
        assert!(!plainly_valid(&MultiPolygon(vec![Polygon::new(
            ring(&[(0, 0), (10, 0), (5, 0), (5, 10)]),
            vec![]
        )])));
    }
}
