//! From a labelled grid to polygons that tile it exactly: [`tile`].
//!
//! 1. **Arcs.** Every grid edge between two cells of different labels is a
//!    boundary edge. Grid corners where three or four boundary edges meet are
//!    *nodes*; boundary edges are chained into *arcs* from node to node (or into
//!    closed loops without a node). Each arc knows the label on its left and on
//!    its right.
//! 2. **Shape.** Each arc is smoothed and simplified **once**: a moving average
//!    along the arc straightens the staircase (endpoints fixed, the window
//!    shrinking towards them; closed loops wrap around), two rounds of Chaikin
//!    corner cutting round it off, coordinates are rounded to whole metres, and
//!    Douglas–Peucker (endpoints kept) thins it with a tolerance that grows with
//!    the size of the smaller region beside the arc. Because both neighbours
//!    later use this one polyline they share exactly the same vertices.
//! 3. **Check.** All segments of all arcs are tested against each other with
//!    exact integer orientation tests (bucketed): arcs may only meet at shared
//!    nodes, and never overlap, touch or cross; every ring must keep the sign of
//!    its area and at least three vertices; every hole must stay inside an
//!    exterior of its region (which catches an arc sweeping over a whole small
//!    ring). Arcs involved in a problem fall back to gentler shaping (a shorter
//!    average and smaller tolerance, then corner cutting only, finally the raw
//!    staircase, which is valid by construction) until no problem is left.
//! 4. **Rings.** For each label (and each group of labels, e.g. municipalities)
//!    the arcs with it on exactly one side are oriented to have it on the left
//!    and chained at nodes into rings: counter-clockwise exteriors, clockwise
//!    holes (RFC 7946 order).
//!
//! The grid must be clean ([`super::raster::clean`]): a pinch shows up as an
//! error here.

use super::raster::{LabelGrid, OUTSIDE};
use crate::error::Error;
use geo::{Coord, LineString, MultiPolygon, Polygon};

/// How arcs are shaped.
#[derive(Debug, Clone, PartialEq)]
pub struct TileOptions {
    /// Half-width, in grid steps, of the moving average that straightens the
    /// staircase along each arc before one round of Chaikin corner cutting
    /// (0 = corner cutting only).
    pub smoothing: u32,
    /// Douglas–Peucker tolerance as a fraction of √(area of the smaller region
    /// beside the arc), in metres per metre.
    pub tolerance_factor: f64,
    /// Smallest tolerance, metres.
    pub min_tolerance: f64,
    /// Largest tolerance, metres (capped at 0.4 cell whatever is set here).
    pub max_tolerance: f64,
}

impl Default for TileOptions {
    fn default() -> Self {
        TileOptions {
            smoothing: 3,
            tolerance_factor: 0.002,
            min_tolerance: 1.0,
            max_tolerance: 20.0,
        }
    }
}

/// What [`tile`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TileStats {
    /// Arcs traced.
    pub arcs: usize,
    /// Arcs by the shaping level finally used (0 = as asked, 3 = staircase).
    pub levels: [usize; 4],
    /// Check rounds.
    pub rounds: usize,
}

/// The polygons of a [`tile`] run, in SWEREF99 TM-style metres (the grid's).
#[derive(Debug, Clone)]
pub struct Tiling {
    /// One entry per label `0..grid.label_count()`; `None` if unused.
    pub regions: Vec<Option<MultiPolygon<f64>>>,
    /// Per grouping, one entry per group id.
    pub groups: Vec<Vec<Option<MultiPolygon<f64>>>>,
    /// Counters.
    pub stats: TileStats,
}

type P = (i64, i64);

#[derive(Debug, Clone)]
struct Arc {
    /// Lattice points (grid corners), unit steps.
    lattice: Vec<P>,
    left: u32,
    right: u32,
    /// A loop without nodes (first == last, the start is not a node).
    closed: bool,
}

const E: u8 = 0;
const N: u8 = 1;
const W: u8 = 2;

fn step(d: u8) -> (i64, i64) {
    match d {
        E => (1, 0),
        N => (0, 1),
        W => (-1, 0),
        _ => (0, -1),
    }
}

struct Tracer<'a> {
    g: &'a LabelGrid,
    h_seen: Vec<bool>,
    v_seen: Vec<bool>,
}

impl Tracer<'_> {
    fn lab(&self, i: i64, j: i64) -> u32 {
        self.g.get(i, j)
    }

    /// Labels (left, right) of the edge leaving corner (x, y) in direction d.
    fn sides(&self, x: i64, y: i64, d: u8) -> (u32, u32) {
        match d {
            E => (self.lab(x, y), self.lab(x, y - 1)),
            N => (self.lab(x - 1, y), self.lab(x, y)),
            W => (self.lab(x - 1, y - 1), self.lab(x - 1, y)),
            _ => (self.lab(x, y - 1), self.lab(x - 1, y - 1)),
        }
    }

    fn is_boundary(&self, x: i64, y: i64, d: u8) -> bool {
        let (l, r) = self.sides(x, y, d);
        l != r
    }

    fn degree(&self, x: i64, y: i64) -> usize {
        (0..4u8).filter(|&d| self.is_boundary(x, y, d)).count()
    }

    fn seen(&mut self, x: i64, y: i64, d: u8) -> &mut bool {
        let nx = self.g.nx as i64;
        match d {
            E => &mut self.h_seen[(y * nx + x) as usize],
            W => &mut self.h_seen[(y * nx + x - 1) as usize],
            N => &mut self.v_seen[(y * (nx + 1) + x) as usize],
            _ => &mut self.v_seen[((y - 1) * (nx + 1) + x) as usize],
        }
    }

    fn walk(&mut self, x: i64, y: i64, d0: u8, closed: bool) -> Result<Arc, Error> {
        let (left, right) = self.sides(x, y, d0);
        let mut pts = vec![(x, y)];
        let (mut cx, mut cy, mut d) = (x, y, d0);
        loop {
            *self.seen(cx, cy, d) = true;
            let (dx, dy) = step(d);
            cx += dx;
            cy += dy;
            pts.push((cx, cy));
            if (closed && (cx, cy) == (x, y)) || (!closed && self.degree(cx, cy) != 2) {
                break;
            }
            let back = (d + 2) % 4;
            let next = (0..4u8).find(|&nd| nd != back && self.is_boundary(cx, cy, nd));
            match next {
                Some(nd) => d = nd,
                None => {
                    return Err(Error::Compute(format!(
                        "synthetic tiling: boundary ends at grid corner ({cx}, {cy})"
                    )));
                }
            }
            if pts.len() > 4 * (self.g.nx + 1) * (self.g.ny + 1) {
                return Err(Error::Compute("synthetic tiling: runaway boundary".into()));
            }
        }
        Ok(Arc {
            lattice: pts,
            left,
            right,
            closed,
        })
    }
}

fn trace_arcs(g: &LabelGrid) -> Result<Vec<Arc>, Error> {
    let (nx, ny) = (g.nx as i64, g.ny as i64);
    let mut t = Tracer {
        g,
        h_seen: vec![false; g.nx * (g.ny + 1)],
        v_seen: vec![false; (g.nx + 1) * g.ny],
    };
    let mut arcs = Vec::new();
    for y in 0..=ny {
        for x in 0..=nx {
            if t.degree(x, y) < 3 {
                continue;
            }
            for d in 0..4u8 {
                if t.is_boundary(x, y, d) && !*t.seen(x, y, d) {
                    arcs.push(t.walk(x, y, d, false)?);
                }
            }
        }
    }
    // Loops without nodes: start at their first horizontal edge in scan order,
    // heading east.
    for y in 0..=ny {
        for x in 0..nx {
            if t.is_boundary(x, y, E) && !*t.seen(x, y, E) {
                arcs.push(t.walk(x, y, E, true)?);
            }
        }
    }
    Ok(arcs)
}

/// Removes the interior points of straight runs.
fn corners(pts: &[P]) -> Vec<P> {
    let mut out: Vec<P> = Vec::with_capacity(pts.len());
    for &p in pts {
        if out.len() >= 2 {
            let a = out[out.len() - 2];
            let b = out[out.len() - 1];
            if orient(a, b, p) == 0 && dot((b.0 - a.0, b.1 - a.1), (p.0 - b.0, p.1 - b.1)) > 0 {
                out.pop();
            }
        }
        out.push(p);
    }
    out
}

fn chaikin(pts: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let n = pts.len();
    if n < 3 {
        return pts.to_vec();
    }
    let mut out = Vec::with_capacity(2 * n);
    out.push(pts[0]);
    for i in 0..n - 1 {
        let (p, q) = (pts[i], pts[i + 1]);
        if i > 0 {
            out.push((0.75 * p.0 + 0.25 * q.0, 0.75 * p.1 + 0.25 * q.1));
        }
        if i < n - 2 {
            out.push((0.25 * p.0 + 0.75 * q.0, 0.25 * p.1 + 0.75 * q.1));
        }
    }
    out.push(pts[n - 1]);
    out
}

fn seg_dist2(p: P, a: P, b: P) -> f64 {
    let (px, py) = (p.0 as f64, p.1 as f64);
    let (ax, ay) = (a.0 as f64, a.1 as f64);
    let (dx, dy) = ((b.0 - a.0) as f64, (b.1 - a.1) as f64);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((px - ax) * dx + (py - ay) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (ex, ey) = (ax + t * dx - px, ay + t * dy - py);
    ex * ex + ey * ey
}

/// Douglas–Peucker keeping both endpoints.
fn douglas_peucker(pts: &[P], tol: f64) -> Vec<P> {
    let n = pts.len();
    if n < 3 {
        return pts.to_vec();
    }
    let tol2 = tol * tol;
    let mut keep = vec![false; n];
    keep[0] = true;
    keep[n - 1] = true;
    let mut stack = vec![(0usize, n - 1)];
    while let Some((a, b)) = stack.pop() {
        if b <= a + 1 {
            continue;
        }
        let mut best = (0.0f64, a);
        for (k, &p) in pts.iter().enumerate().take(b).skip(a + 1) {
            let d = seg_dist2(p, pts[a], pts[b]);
            if d > best.0 {
                best = (d, k);
            }
        }
        // A closed loop (a == b in position) always keeps its farthest point.
        if best.0 > tol2 || (pts[a] == pts[b] && best.1 > a) {
            keep[best.1] = true;
            stack.push((a, best.1));
            stack.push((best.1, b));
        }
    }
    pts.iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(p, _)| *p)
        .collect()
}

/// Shaping levels: (moving-average half-window, Chaikin rounds, tolerance
/// multiplier).
fn level_params(level: usize, window: u32) -> (usize, u32, f64) {
    match level {
        0 => (window as usize, 2, 1.0),
        1 => ((window as usize).min(1), 1, 0.25),
        2 => (0, 1, 0.0),
        _ => (0, 0, 0.0),
    }
}

/// Moving average along the polyline over `2k + 1` points; open arcs keep their
/// endpoints (the window shrinks towards them), closed loops wrap around.
fn moving_average(pts: &[(f64, f64)], k: usize, closed: bool) -> Vec<(f64, f64)> {
    let n = pts.len();
    if k == 0 || n < 4 {
        return pts.to_vec();
    }
    let mut out = Vec::with_capacity(n);
    if closed {
        let m = n - 1;
        let k = k.min((m - 1) / 2);
        for i in 0..m {
            let (mut sx, mut sy) = (0.0, 0.0);
            for d in 0..=2 * k {
                let (x, y) = pts[(i + m + d - k) % m];
                sx += x;
                sy += y;
            }
            let c = (2 * k + 1) as f64;
            out.push((sx / c, sy / c));
        }
        out.push(out[0]);
    } else {
        for i in 0..n {
            let h = k.min(i).min(n - 1 - i);
            let (mut sx, mut sy) = (0.0, 0.0);
            for &(x, y) in &pts[i - h..=i + h] {
                sx += x;
                sy += y;
            }
            let c = (2 * h + 1) as f64;
            out.push((sx / c, sy / c));
        }
    }
    out
}

fn shape(arc: &Arc, cell: i64, level: usize, opts: &TileOptions, tol: f64) -> Vec<P> {
    let (window, rounds, mult) = level_params(level, opts.smoothing);
    if window == 0 && rounds == 0 {
        return corners(
            &arc.lattice
                .iter()
                .map(|&(x, y)| (x * cell, y * cell))
                .collect::<Vec<_>>(),
        );
    }
    let pts: Vec<(f64, f64)> = arc
        .lattice
        .iter()
        .map(|&(x, y)| ((x * cell) as f64, (y * cell) as f64))
        .collect();
    let mut pts = moving_average(&pts, window, arc.closed);
    for _ in 0..rounds {
        pts = chaikin(&pts);
    }
    let mut rounded: Vec<P> = Vec::with_capacity(pts.len());
    for (x, y) in pts {
        let p = (x.round() as i64, y.round() as i64);
        if rounded.last() != Some(&p) {
            rounded.push(p);
        }
    }
    let simplified = douglas_peucker(&rounded, tol * mult);
    corners(&simplified)
}

fn orient(a: P, b: P, c: P) -> i64 {
    let v = i128::from(b.0 - a.0) * i128::from(c.1 - a.1)
        - i128::from(b.1 - a.1) * i128::from(c.0 - a.0);
    v.signum() as i64
}

fn dot(u: P, v: P) -> i64 {
    u.0 * v.0 + u.1 * v.1
}

fn within_box(a: P, b: P, p: P) -> bool {
    p.0 >= a.0.min(b.0) && p.0 <= a.0.max(b.0) && p.1 >= a.1.min(b.1) && p.1 <= a.1.max(b.1)
}

/// Whether closed segments ab and cd share any point.
fn segments_meet(a: P, b: P, c: P, d: P) -> bool {
    let o1 = orient(a, b, c);
    let o2 = orient(a, b, d);
    let o3 = orient(c, d, a);
    let o4 = orient(c, d, b);
    if o1 * o2 < 0 && o3 * o4 < 0 {
        return true;
    }
    (o1 == 0 && within_box(a, b, c))
        || (o2 == 0 && within_box(a, b, d))
        || (o3 == 0 && within_box(c, d, a))
        || (o4 == 0 && within_box(c, d, b))
}

#[derive(Clone, Copy)]
struct Seg {
    a: P,
    b: P,
    arc: u32,
    idx: u32,
}

/// Arcs whose current shapes break validity.
fn find_conflicts(shapes: &[Vec<P>], arcs: &[Arc], bucket: i64) -> Vec<bool> {
    let mut segs = Vec::new();
    for (ai, s) in shapes.iter().enumerate() {
        for (k, w) in s.windows(2).enumerate() {
            segs.push(Seg {
                a: w[0],
                b: w[1],
                arc: ai as u32,
                idx: k as u32,
            });
        }
    }
    let key = |bx: i64, by: i64| ((bx as u64) << 32) | (by as u64 & 0xFFFF_FFFF);
    let cellof = |v: i64| v.div_euclid(bucket);
    let mut entries: Vec<(u64, u32)> = Vec::new();
    for (si, s) in segs.iter().enumerate() {
        let (x0, x1) = (cellof(s.a.0.min(s.b.0)), cellof(s.a.0.max(s.b.0)));
        let (y0, y1) = (cellof(s.a.1.min(s.b.1)), cellof(s.a.1.max(s.b.1)));
        for bx in x0..=x1 {
            for by in y0..=y1 {
                entries.push((key(bx, by), si as u32));
            }
        }
    }
    entries.sort_unstable();
    let mut bad = vec![false; arcs.len()];
    let is_end = |arc: u32, p: P| {
        let s = &shapes[arc as usize];
        !arcs[arc as usize].closed && (s.first() == Some(&p) || s.last() == Some(&p))
    };
    let mut start = 0;
    while start < entries.len() {
        let mut end = start;
        while end < entries.len() && entries[end].0 == entries[start].0 {
            end += 1;
        }
        let here = entries[start].0;
        for i in start..end {
            let s = segs[entries[i].1 as usize];
            for e in &entries[i + 1..end] {
                let t = segs[e.1 as usize];
                // Check each pair once: in the bucket holding the low corner of
                // the overlap of their boxes.
                let ox = s.a.0.min(s.b.0).max(t.a.0.min(t.b.0));
                let oy = s.a.1.min(s.b.1).max(t.a.1.min(t.b.1));
                if ox > s.a.0.max(s.b.0).min(t.a.0.max(t.b.0))
                    || oy > s.a.1.max(s.b.1).min(t.a.1.max(t.b.1))
                {
                    continue;
                }
                if key(cellof(ox), cellof(oy)) != here {
                    continue;
                }
                if !pair_ok(&s, &t, shapes, arcs, &is_end) {
                    bad[s.arc as usize] = true;
                    bad[t.arc as usize] = true;
                }
            }
        }
        start = end;
    }
    bad
}

fn pair_ok(
    s: &Seg,
    t: &Seg,
    shapes: &[Vec<P>],
    arcs: &[Arc],
    is_end: &dyn Fn(u32, P) -> bool,
) -> bool {
    let adjacent = s.arc == t.arc && {
        let n = shapes[s.arc as usize].len() as u32 - 1;
        let (i, j) = (s.idx.min(t.idx), s.idx.max(t.idx));
        j == i + 1 || (arcs[s.arc as usize].closed && i == 0 && j + 1 == n)
    };
    if !adjacent && !segments_meet(s.a, s.b, t.a, t.b) {
        return true;
    }
    let a_shared = s.a == t.a || s.a == t.b;
    let b_shared = s.b == t.a || s.b == t.b;
    if a_shared == b_shared {
        return false; // crossing or touching without a shared end, or identical
    }
    let p = if a_shared { s.a } else { s.b };
    let u = if s.a == p { s.b } else { s.a };
    let w = if t.a == p { t.b } else { t.a };
    let (du, dw) = ((u.0 - p.0, u.1 - p.1), (w.0 - p.0, w.1 - p.1));
    if orient(p, u, w) == 0 && dot(du, dw) > 0 {
        return false; // overlapping
    }
    adjacent || (is_end(s.arc, p) && is_end(t.arc, p))
}

/// Twice the signed area contribution of a polyline (shoelace terms).
fn shoelace(pts: &[P]) -> i128 {
    pts.windows(2)
        .map(|w| i128::from(w[0].0) * i128::from(w[1].1) - i128::from(w[1].0) * i128::from(w[0].1))
        .sum()
}

/// Rings of one region: sequences of (arc, reversed).
type Ring = Vec<(usize, bool)>;

/// For each group 0..n_groups, its rings, given the group on each side of every arc.
fn assemble(
    arcs: &[Arc],
    side: &dyn Fn(u32) -> u32,
    n_groups: usize,
) -> Result<Vec<Vec<Ring>>, Error> {
    // Oriented arcs per group, with the group on the left.
    let mut per: Vec<Vec<(usize, bool)>> = vec![Vec::new(); n_groups];
    for (ai, a) in arcs.iter().enumerate() {
        let (gl, gr) = (side(a.left), side(a.right));
        if gl == gr {
            continue;
        }
        if gl != OUTSIDE {
            if let Some(v) = per.get_mut(gl as usize) {
                v.push((ai, false));
            }
        }
        if gr != OUTSIDE {
            if let Some(v) = per.get_mut(gr as usize) {
                v.push((ai, true));
            }
        }
    }
    let ends = |(ai, rev): (usize, bool)| {
        let l = &arcs[ai].lattice;
        let (first, last) = (l[0], l[l.len() - 1]);
        if rev { (last, first) } else { (first, last) }
    };
    let mut out = Vec::with_capacity(n_groups);
    for (g, list) in per.iter().enumerate() {
        let mut by_start: Vec<(P, usize)> = list
            .iter()
            .enumerate()
            .map(|(k, &oa)| (ends(oa).0, k))
            .collect();
        by_start.sort_unstable();
        let mut used = vec![false; list.len()];
        let mut rings = Vec::new();
        for k0 in 0..list.len() {
            if used[k0] {
                continue;
            }
            used[k0] = true;
            let (start, mut at) = ends(list[k0]);
            let mut ring = vec![list[k0]];
            while at != start {
                let lo = by_start.partition_point(|e| e.0 < at);
                let cands: Vec<usize> = by_start[lo..]
                    .iter()
                    .take_while(|e| e.0 == at)
                    .map(|e| e.1)
                    .filter(|&k| !used[k])
                    .collect();
                if cands.len() != 1 {
                    return Err(Error::Compute(format!(
                        "synthetic tiling: region {g} meets itself at grid corner {at:?} \
                         ({} ways on); clean the grid first",
                        cands.len()
                    )));
                }
                used[cands[0]] = true;
                ring.push(list[cands[0]]);
                at = ends(list[cands[0]]).1;
            }
            rings.push(ring);
        }
        out.push(rings);
    }
    Ok(out)
}

fn ring_sign(ring: &Ring, parts: &[Vec<P>], area: &[i128]) -> (i128, usize) {
    let mut sum = 0;
    let mut points = 0;
    for &(ai, rev) in ring {
        sum += if rev { -area[ai] } else { area[ai] };
        points += parts[ai].len() - 1;
    }
    (sum, points)
}

/// Traces, shapes and checks the boundaries of every label in `grid` (see the
/// module docs) and returns one [`MultiPolygon`] per label, and per group for each
/// grouping in `groupings` (`groupings[k][label]` = group id, or [`OUTSIDE`] to
/// leave the label out of that grouping). Coordinates are the grid's metres;
/// vertices are whole metres.
///
/// Every label and group comes out with counter-clockwise exteriors and
/// clockwise holes; neighbours share vertices exactly, so the polygons of a
/// grouping's members add up to the group's polygon.
///
/// # Errors
/// [`Error::Compute`] if the grid is not clean (a pinch), or if shaping cannot
/// be made valid (should not happen: the staircase is always valid).
pub fn tile(
    grid: &LabelGrid,
    groupings: &[Vec<u32>],
    options: &TileOptions,
) -> Result<Tiling, Error> {
    super::raster::check_size(grid)?;
    let arcs = trace_arcs(grid)?;
    let counts = grid.counts();
    let cell = grid.cell;
    let area_of = |l: u32| {
        if l == OUTSIDE {
            f64::INFINITY
        } else {
            counts.get(l as usize).copied().unwrap_or(0) as f64 * (cell * cell) as f64
        }
    };
    // A tolerance below 0.4 cell keeps Douglas–Peucker from flattening whole
    // one-cell features; the check below catches anything else.
    let max_tol = options.max_tolerance.min(0.4 * cell as f64);
    let tolerances: Vec<f64> = arcs
        .iter()
        .map(|a| {
            let small = area_of(a.left).min(area_of(a.right));
            (options.tolerance_factor * small.sqrt())
                .clamp(options.min_tolerance.min(max_tol), max_tol)
        })
        .collect();
    let n_labels = grid.label_count();
    let mut levels = vec![0usize; arcs.len()];
    let mut shapes: Vec<Vec<P>> = arcs
        .iter()
        .zip(&tolerances)
        .map(|(a, &t)| shape(a, cell, 0, options, t))
        .collect();

    // Ring topology: labels, then each grouping.
    let mut topo = vec![assemble(&arcs, &|l| l, n_labels)?];
    for grouping in groupings {
        let n = grouping
            .iter()
            .filter(|&&g| g != OUTSIDE)
            .map(|&g| g as usize + 1)
            .max()
            .unwrap_or(0);
        topo.push(assemble(
            &arcs,
            &|l| {
                if l == OUTSIDE {
                    OUTSIDE
                } else {
                    grouping.get(l as usize).copied().unwrap_or(OUTSIDE)
                }
            },
            n,
        )?);
    }
    let lattice_area: Vec<i128> = arcs.iter().map(|a| shoelace(&a.lattice)).collect();
    let lattice_pts: Vec<Vec<P>> = arcs.iter().map(|a| a.lattice.clone()).collect();

    let bucket = (4 * cell).max(1);
    let mut stats = TileStats {
        arcs: arcs.len(),
        ..TileStats::default()
    };
    loop {
        stats.rounds += 1;
        let mut bad = find_conflicts(&shapes, &arcs, bucket);
        let shaped_area: Vec<i128> = shapes.iter().map(|s| shoelace(s)).collect();
        for level in &topo {
            for rings in level {
                for ring in rings {
                    let (want, _) = ring_sign(ring, &lattice_pts, &lattice_area);
                    let (got, points) = ring_sign(ring, &shapes, &shaped_area);
                    if want.signum() != got.signum() || points < 3 {
                        for &(ai, _) in ring {
                            bad[ai] = true;
                        }
                    }
                }
            }
        }
        // Holes must stay inside their exterior: an arc that swept over a whole
        // ring without crossing it would show up here.
        for level in &topo {
            for rings in level {
                let signs: Vec<i128> = rings
                    .iter()
                    .map(|r| ring_sign(r, &lattice_pts, &lattice_area).0)
                    .collect();
                let ext: Vec<usize> = (0..rings.len()).filter(|&k| signs[k] > 0).collect();
                if ext.len() == rings.len() {
                    continue;
                }
                let outers: Vec<Vec<P>> = ext
                    .iter()
                    .map(|&k| ring_coords(&rings[k], &shapes))
                    .collect();
                for (k, ring) in rings.iter().enumerate() {
                    if signs[k] >= 0 {
                        continue;
                    }
                    let inner = ring_coords(ring, &shapes);
                    let inside = inner
                        .first()
                        .is_some_and(|&p| outers.iter().any(|o| point_in_ring(p, o)));
                    if !inside {
                        for &(ai, _) in ring.iter().chain(ext.iter().flat_map(|&e| &rings[e])) {
                            bad[ai] = true;
                        }
                    }
                }
            }
        }
        let mut any = false;
        for (ai, b) in bad.iter().enumerate() {
            if *b {
                any = true;
                if levels[ai] >= 3 {
                    return Err(Error::Compute(format!(
                        "synthetic tiling: arc {ai} is invalid even as a staircase"
                    )));
                }
                levels[ai] += 1;
                shapes[ai] = shape(&arcs[ai], cell, levels[ai], options, tolerances[ai]);
            }
        }
        if !any {
            break;
        }
        if stats.rounds > 10 {
            return Err(Error::Compute(
                "synthetic tiling: shaping did not converge".into(),
            ));
        }
    }
    for &l in &levels {
        stats.levels[l.min(3)] += 1;
    }

    let (ox, oy) = (grid.x0, grid.y0);
    let build = |rings: &[Ring]| -> Option<MultiPolygon<f64>> {
        if rings.is_empty() {
            return None;
        }
        let mut exteriors: Vec<(Vec<P>, i128)> = Vec::new();
        let mut holes: Vec<Vec<P>> = Vec::new();
        for ring in rings {
            let pts = ring_coords(ring, &shapes);
            let a = shoelace(&pts);
            if a > 0 {
                exteriors.push((pts, a));
            } else {
                holes.push(pts);
            }
        }
        let to_ls = |pts: &[P]| {
            LineString::new(
                pts.iter()
                    .map(|&(x, y)| Coord {
                        x: (x + ox) as f64,
                        y: (y + oy) as f64,
                    })
                    .collect(),
            )
        };
        let mut parts: Vec<(Vec<P>, Vec<Vec<P>>)> = exteriors
            .iter()
            .map(|(e, _)| (e.clone(), Vec::new()))
            .collect();
        for h in holes {
            // The smallest exterior containing the hole's first vertex.
            let target = if parts.len() == 1 {
                Some(0)
            } else {
                exteriors
                    .iter()
                    .enumerate()
                    .filter(|(_, (e, _))| point_in_ring(h[0], e))
                    .min_by(|a, b| a.1.1.cmp(&b.1.1))
                    .map(|(k, _)| k)
            };
            if let Some(k) = target {
                parts[k].1.push(h);
            }
        }
        Some(MultiPolygon::new(
            parts
                .iter()
                .map(|(e, hs)| Polygon::new(to_ls(e), hs.iter().map(|h| to_ls(h)).collect()))
                .collect(),
        ))
    };
    let mut topo = topo.into_iter();
    let regions = topo
        .next()
        .map(|t| t.iter().map(|r| build(r)).collect())
        .unwrap_or_default();
    let groups = topo.map(|t| t.iter().map(|r| build(r)).collect()).collect();
    Ok(Tiling {
        regions,
        groups,
        stats,
    })
}

/// The closed coordinate ring of a ring of arcs.
fn ring_coords(ring: &Ring, shapes: &[Vec<P>]) -> Vec<P> {
    let mut pts: Vec<P> = Vec::new();
    for &(ai, rev) in ring {
        let s = &shapes[ai];
        let mut push = |p: P| {
            if pts.last() != Some(&p) {
                pts.push(p);
            }
        };
        if rev {
            s.iter().rev().for_each(|&p| push(p));
        } else {
            s.iter().for_each(|&p| push(p));
        }
    }
    pts
}

/// Even–odd test of a point against a closed ring (the point is not on it).
fn point_in_ring(p: P, ring: &[P]) -> bool {
    let mut inside = false;
    for w in ring.windows(2) {
        let (a, b) = (w[0], w[1]);
        if (a.1 > p.1) != (b.1 > p.1) {
            // x of the crossing > p.x  ⇔  sign test in exact arithmetic
            let lhs = i128::from(p.0 - a.0) * i128::from(b.1 - a.1);
            let rhs = i128::from(b.0 - a.0) * i128::from(p.1 - a.1);
            if (b.1 > a.1 && lhs < rhs) || (b.1 < a.1 && lhs > rhs) {
                inside = !inside;
            }
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::raster::clean;
    use geo::{Area, Validation};

    fn grid(rows: &[&str], cell: i64) -> LabelGrid {
        let ny = rows.len();
        let nx = rows[0].len();
        let mut g = LabelGrid::new(1000, 2000, cell, nx, ny);
        for (r, row) in rows.iter().enumerate() {
            let j = ny - 1 - r;
            for (i, ch) in row.chars().enumerate() {
                g.labels[j * nx + i] = match ch {
                    '.' => OUTSIDE,
                    c => c as u32 - 'a' as u32,
                };
            }
        }
        g
    }

    #[test]
    fn tiles_small_grid_exactly() {
        let g = grid(
            &[
                "..........", //
                ".aaaabbbb.", //
                ".acaabbbb.", //
                ".aaaabddb.", //
                ".eeeebddb.", //
                ".eeeebbbb.", //
                "..........",
            ],
            100,
        );
        let t = tile(&g, &[vec![0, 0, 0, 1, 1]], &TileOptions::default()).unwrap();
        let mut total = 0.0;
        for (l, r) in t.regions.iter().enumerate() {
            let mp = r.as_ref().unwrap();
            assert!(mp.is_valid(), "label {l}: {:?}", mp.validation_errors());
            assert_eq!(mp.0.len(), 1);
            total += mp.unsigned_area();
        }
        let g0 = t.groups[0][0].as_ref().unwrap().unsigned_area();
        let g1 = t.groups[0][1].as_ref().unwrap().unsigned_area();
        assert!((total - g0 - g1).abs() < 1e-6);
        // b has d as a hole.
        assert_eq!(t.regions[1].as_ref().unwrap().0[0].interiors().len(), 1);
        // Exteriors counter-clockwise.
        for r in t.regions.iter().flatten() {
            assert!(r.0[0].signed_area() > 0.0);
        }
    }

    #[test]
    fn staircase_fallback_keeps_narrow_corridors_valid() {
        let mut g = grid(
            &[
                "..........", //
                ".aaaaaaaa.", //
                ".abababaa.", //
                ".abababaa.", //
                ".bbbbbbbb.", //
                "..........",
            ],
            10,
        );
        clean(&mut g, &[0, 0], &[]).unwrap();
        let opts = TileOptions {
            smoothing: 3,
            tolerance_factor: 1.0,
            min_tolerance: 8.0,
            max_tolerance: 8.0,
        };
        let t = tile(&g, &[], &opts).unwrap();
        for r in t.regions.iter().flatten() {
            assert!(r.is_valid(), "{:?}", r.validation_errors());
        }
    }

    #[test]
    fn conflicts_are_found() {
        let arc = |closed| Arc {
            lattice: vec![(0, 0), (1, 0)],
            left: 0,
            right: 1,
            closed,
        };
        let arcs = vec![arc(false), arc(false), arc(false)];
        // 0 and 1 share the node (0,0) only: fine. 2 crosses 0.
        let shapes = vec![
            vec![(0, 0), (10, 10), (20, 0)],
            vec![(0, 0), (-10, 10), (-20, 0)],
            vec![(5, 20), (5, -20)],
        ];
        assert_eq!(find_conflicts(&shapes, &arcs, 40), vec![true, false, true]);
        // Touching an interior vertex is a conflict too.
        let shapes = vec![
            vec![(0, 0), (10, 10), (20, 0)],
            vec![(0, 0), (-10, 10), (-20, 0)],
            vec![(10, 10), (10, 30)],
        ];
        assert_eq!(find_conflicts(&shapes, &arcs, 7), vec![true, false, true]);
        // A spike within one arc.
        let shapes = vec![
            vec![(0, 0), (10, 0), (5, 0), (5, 5)],
            vec![(100, 100), (90, 90)],
        ];
        assert_eq!(find_conflicts(&shapes, &arcs[..2], 40), vec![true, false]);
    }

    #[test]
    fn pinch_is_an_error() {
        let g = grid(&["....", ".ab.", ".ba.", "...."], 10);
        assert!(tile(&g, &[], &TileOptions::default()).is_err());
    }

    #[test]
    fn douglas_peucker_keeps_loops() {
        let ring = vec![(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)];
        let s = douglas_peucker(&ring, 100.0);
        assert!(s.len() >= 3);
        assert_eq!(s[0], s[s.len() - 1]);
    }
}
