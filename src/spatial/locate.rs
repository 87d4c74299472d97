//! The exact point-in-polygon machinery behind [`AreaIndex`](super::AreaIndex):
//! per-part edge bands and a uniform grid of cells over all parts.
//!
//! * **Edge bands.** Each polygon part's edges are bucketed into horizontal bands;
//!   a point is tested against the edges of its band only, by the same winding
//!   number rules and robust orientation test geo's
//!   [`CoordinatePosition`](geo::CoordinatePosition) uses (so the answers are
//!   geo's: interior, boundary or outside, exactly).
//! * **Grid.** A uniform grid over the parts' bounding box. A cell that no edge
//!   touches lies wholly in one part's interior or in no part; it stores that
//!   answer, found by a scanline through the cell centres with geo's crossing
//!   rules. Other cells store the parts with an edge in them and the parts whose
//!   interior holds their centre (a part whose closure meets a cell has one or
//!   the other), to be tested exactly. Cells are found by one monotone map per axis, used both to mark the
//!   cells an edge's box spans and to find a point's cell, so a cell marked free of
//!   edges has no edge point mapped to it.

use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::{Coord, Polygon};
use rayon::prelude::*;
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

/// Rings per part handled by the band test; parts with more use geo.
const MAX_RINGS: usize = 16;
/// Edges per band, on average.
const EDGES_PER_BAND: usize = 4;
/// Cells per edge, for the grid's size.
const CELLS_PER_EDGE: usize = 8;
/// The largest grid.
const MAX_CELLS: usize = 1 << 24;

const OUTSIDE: u32 = u32::MAX;
const MIXED: u32 = 1 << 31;

#[derive(Debug, Clone, Copy)]
struct Edge {
    a: Coord<f64>,
    b: Coord<f64>,
    ring: u32,
}

/// One polygon part and its edge bands.
#[derive(Debug, Clone)]
struct Part {
    /// The area the part belongs to.
    area: u32,
    min: Coord<f64>,
    max: Coord<f64>,
    rings: usize,
    bands: usize,
    inv_band: f64,
    /// Per band, the start of its edges in `band_edges` (and one more, the end).
    band_starts: Box<[u32]>,
    /// The edges of each band, band by band (read in sequence).
    band_edges: Box<[Edge]>,
    /// The polygon itself when it has more than [`MAX_RINGS`] rings (geo tests it).
    complex: Option<Box<Polygon<f64>>>,
}

/// The edges of a polygon, ring by ring (exterior first).
fn edges_of(polygon: &Polygon<f64>) -> impl Iterator<Item = Edge> + '_ {
    std::iter::once(polygon.exterior())
        .chain(polygon.interiors())
        .enumerate()
        .flat_map(|(r, ring)| {
            ring.lines().map(move |line| Edge {
                a: line.start,
                b: line.end,
                ring: r as u32,
            })
        })
}

impl Part {
    /// One part prepared on its own (its edges are read from the polygon, not
    /// copied, until they are laid out by band).
    fn new(polygon: &Polygon<f64>) -> Part {
        let rings = std::iter::once(polygon.exterior()).chain(polygon.interiors());
        let (mut min, mut max) = (
            Coord {
                x: f64::INFINITY,
                y: f64::INFINITY,
            },
            Coord {
                x: f64::NEG_INFINITY,
                y: f64::NEG_INFINITY,
            },
        );
        let (mut edges, mut count) = (0, 0);
        for ring in rings {
            count += 1;
            edges += ring.lines().len();
            for c in &ring.0 {
                min.x = min.x.min(c.x);
                min.y = min.y.min(c.y);
                max.x = max.x.max(c.x);
                max.y = max.y.max(c.y);
            }
        }
        let bands = (edges / EDGES_PER_BAND).max(1);
        let height = max.y - min.y;
        let inv_band = if height > 0.0 && height.is_finite() {
            bands as f64 / height
        } else {
            0.0
        };
        let mut part = Part {
            area: 0,
            min,
            max,
            rings: count,
            bands,
            inv_band,
            band_starts: Box::default(),
            band_edges: Box::default(),
            complex: (count > MAX_RINGS).then(|| Box::new(polygon.clone())),
        };
        // Count, then fill, the edges of each band.
        let span = |e: &Edge| (part.band(e.a.y.min(e.b.y)), part.band(e.a.y.max(e.b.y)));
        let mut band_starts = vec![0u32; bands + 1];
        for e in edges_of(polygon) {
            let (lo, hi) = span(&e);
            for n in &mut band_starts[lo + 1..=hi + 1] {
                *n += 1;
            }
        }
        for b in 1..=bands {
            band_starts[b] += band_starts[b - 1];
        }
        let mut band_edges = vec![
            Edge {
                a: Coord::zero(),
                b: Coord::zero(),
                ring: 0
            };
            band_starts[bands] as usize
        ];
        let mut cursor = band_starts.clone();
        for e in edges_of(polygon) {
            let (lo, hi) = span(&e);
            for c in &mut cursor[lo..=hi] {
                band_edges[*c as usize] = e;
                *c += 1;
            }
        }
        part.band_starts = band_starts.into_boxed_slice();
        part.band_edges = band_edges.into_boxed_slice();
        part
    }
}

/// Exact point-in-part tests and a grid of cells.
///
/// The parts are in priority order (the edge rule's): a point belongs to the
/// area of the first part whose interior holds it, else of the first part whose
/// boundary holds it.
#[derive(Debug, Clone)]
pub(crate) struct Locator {
    parts: Vec<Part>,
    /// The parts' bounding boxes (data: the part), for the candidates of a point
    /// when there is no grid.
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, u32>>,
    grid: Option<Grid>,
}

#[derive(Debug, Clone)]
struct Grid {
    x0: f64,
    y0: f64,
    inv: f64,
    nx: usize,
    ny: usize,
    min: Coord<f64>,
    max: Coord<f64>,
    /// `OUTSIDE`, an area (interior), or `MIXED | i` (candidates `i`).
    cells: Vec<u32>,
    cand_starts: Vec<u32>,
    cands: Vec<u32>,
}

impl Grid {
    // `as usize` truncates towards zero and saturates (negatives and NaN to 0):
    // the floor for the non-negative values that matter, and monotone.
    fn cx(&self, x: f64) -> usize {
        (((x - self.x0) * self.inv) as usize).min(self.nx - 1)
    }
    fn cy(&self, y: f64) -> usize {
        (((y - self.y0) * self.inv) as usize).min(self.ny - 1)
    }

    /// Pushes the cells the box of each piece of edge `e` spans (a long edge in
    /// pieces of about two cells, interior pieces widened a little against
    /// rounding) to `cells`.
    fn edge_cells(&self, e: &Edge, size: f64, cells: &mut Vec<u32>) {
        let len = ((e.b.x - e.a.x).abs() + (e.b.y - e.a.y).abs()) * self.inv;
        let pieces = (len / 2.0).ceil().clamp(1.0, 1e6) as usize;
        for k in 0..pieces {
            let t0 = k as f64 / pieces as f64;
            let t1 = (k + 1) as f64 / pieces as f64;
            let p0 = if k == 0 { e.a } else { e.a + (e.b - e.a) * t0 };
            let p1 = if k + 1 == pieces {
                e.b
            } else {
                e.a + (e.b - e.a) * t1
            };
            let pad = if pieces > 1 { size * 1e-6 } else { 0.0 };
            let (x0, x1) = (self.cx(p0.x.min(p1.x) - pad), self.cx(p0.x.max(p1.x) + pad));
            let (y0, y1) = (self.cy(p0.y.min(p1.y) - pad), self.cy(p0.y.max(p1.y) + pad));
            for y in y0..=y1 {
                cells.extend((y * self.nx + x0..=y * self.nx + x1).map(|c| c as u32));
            }
        }
    }

    /// The cell value at `c`: `OUTSIDE` beyond the grid (NaN included).
    fn value(&self, c: Coord<f64>) -> u32 {
        if !(self.min.x <= c.x && c.x <= self.max.x && self.min.y <= c.y && c.y <= self.max.y) {
            return OUTSIDE;
        }
        self.cells[self.cy(c.y) * self.nx + self.cx(c.x)]
    }

    /// What a cell value means (see [`Locator::cell`]).
    fn resolve(&self, v: u32) -> Result<&[u32], Option<usize>> {
        if v == OUTSIDE {
            Err(None)
        } else if v & MIXED == 0 {
            Err(Some(v as usize))
        } else {
            let i = (v & !MIXED) as usize;
            Ok(&self.cands[self.cand_starts[i] as usize..self.cand_starts[i + 1] as usize])
        }
    }
}

/// `orient2d(e.a, e.b, c)` for a point `c` within the edge's span of y: by
/// comparison alone when the edge is not horizontal and `c` lies wholly west or
/// east of it (then `c` is strictly on one side: exact, as the robust test is),
/// else by the robust test.
fn side(e: &Edge, c: Coord<f64>) -> Orientation {
    if e.a.y != e.b.y {
        let up = e.a.y < e.b.y;
        if c.x < e.a.x && c.x < e.b.x {
            // West is the left of an upward edge.
            return if up {
                Orientation::CounterClockwise
            } else {
                Orientation::Clockwise
            };
        }
        if c.x > e.a.x && c.x > e.b.x {
            return if up {
                Orientation::Clockwise
            } else {
                Orientation::CounterClockwise
            };
        }
    }
    RobustKernel::orient2d(e.a, e.b, c)
}

fn in_between(v: f64, a: f64, b: f64) -> bool {
    if a < b {
        a <= v && v <= b
    } else {
        b <= v && v <= a
    }
}

impl Locator {
    /// Builds the locator over `parts` (polygon, area index; polygons not
    /// empty), given in priority order (see [`Locator`]), with or without the
    /// grid. The parts are prepared in parallel, each keeping its own bands.
    pub(crate) fn build(parts: &[(&Polygon<f64>, usize)], grid: bool) -> Locator {
        let prepared: Vec<Part> = parts
            .par_iter()
            .map(|&(p, area)| Part {
                area: area as u32,
                ..Part::new(p)
            })
            .collect();
        let boxes = prepared
            .iter()
            .enumerate()
            .map(|(p, part)| {
                let corners = ([part.min.x, part.min.y], [part.max.x, part.max.y]);
                GeomWithData::new(Rectangle::from_corners(corners.0, corners.1), p as u32)
            })
            .collect();
        let mut out = Locator {
            parts: prepared,
            tree: RTree::bulk_load(boxes),
            grid: None,
        };
        if grid {
            let polygons: Vec<&Polygon<f64>> = parts.iter().map(|&(p, _)| p).collect();
            out.grid = out.build_grid(&polygons);
        }
        out
    }

    /// The area of `c` among the candidate parts `candidates` (ascending part
    /// indices, so in priority order): the first whose interior holds `c`, else
    /// the first whose boundary does.
    pub(crate) fn settle(&self, candidates: &[u32], c: Coord<f64>) -> Option<usize> {
        let mut boundary = None;
        for &p in candidates {
            match self.position(p as usize, c) {
                CoordPos::Inside => return Some(self.parts[p as usize].area as usize),
                CoordPos::OnBoundary if boundary.is_none() => boundary = Some(p as usize),
                _ => {}
            }
        }
        boundary.map(|p| self.parts[p].area as usize)
    }

    /// Where `c` lies relative to part `p`, exactly as geo's
    /// `CoordinatePosition` for the polygon.
    pub(crate) fn position(&self, p: usize, c: Coord<f64>) -> CoordPos {
        let part = &self.parts[p];
        if !(part.min.x <= c.x && c.x <= part.max.x && part.min.y <= c.y && c.y <= part.max.y) {
            return CoordPos::Outside;
        }
        if let Some(polygon) = &part.complex {
            return polygon.coordinate_position(&c);
        }
        let band = part.band(c.y);
        let (from, to) = (
            part.band_starts[band] as usize,
            part.band_starts[band + 1] as usize,
        );
        let mut winding = [0i32; MAX_RINGS];
        let mut boundary = [false; MAX_RINGS];
        for e in &part.band_edges[from..to] {
            let r = e.ring as usize;
            if e.a.y <= c.y {
                if e.b.y >= c.y {
                    let o = side(e, c);
                    if o == Orientation::CounterClockwise && e.b.y != c.y {
                        winding[r] += 1;
                    } else if o == Orientation::Collinear && in_between(c.x, e.a.x, e.b.x) {
                        boundary[r] = true;
                    }
                }
            } else if e.b.y <= c.y {
                let o = side(e, c);
                if o == Orientation::Clockwise {
                    winding[r] -= 1;
                } else if o == Orientation::Collinear && in_between(c.x, e.a.x, e.b.x) {
                    boundary[r] = true;
                }
            }
        }
        // geo's rules for a polygon: the exterior first, then the holes in order.
        if boundary[0] {
            return CoordPos::OnBoundary;
        }
        if winding[0] == 0 {
            return CoordPos::Outside;
        }
        for r in 1..part.rings {
            if boundary[r] {
                return CoordPos::OnBoundary;
            }
            if winding[r] != 0 {
                return CoordPos::Outside;
            }
        }
        CoordPos::Inside
    }

    /// The area of `c`: from the grid cell, then the exact tests of its
    /// candidates ([`Locator::settle`]); without a grid, the candidates are the
    /// parts whose bounding box holds `c` (the R-tree). `None` outside every
    /// part, or when `c` is not finite.
    pub(crate) fn locate(&self, c: Coord<f64>) -> Option<usize> {
        match &self.grid {
            // A non-finite point is outside the grid.
            Some(g) => self.settle_cell(g.resolve(g.value(c)), c),
            None if !(c.x.is_finite() && c.y.is_finite()) => None,
            None => {
                let mut candidates: Vec<u32> = self
                    .tree
                    .locate_all_at_point(&[c.x, c.y])
                    .map(|r| r.data)
                    .collect();
                candidates.sort_unstable();
                self.settle(&candidates, c)
            }
        }
    }

    /// The area of `c` from what its grid cell says ([`Grid::resolve`]).
    fn settle_cell(&self, cell: Result<&[u32], Option<usize>>, c: Coord<f64>) -> Option<usize> {
        match cell {
            Err(known) => known,
            Ok(candidates) => self.settle(candidates, c),
        }
    }

    /// [`Locator::locate`] for each of `coords`, passed to `f` with the point's
    /// index.
    ///
    /// Most of the time goes in waiting for memory: the grid is tens of MB and
    /// the edges more, so a point's loads miss the caches. The points are taken
    /// in blocks, and each step of the lookup is done for the whole block before
    /// the next step: the grid cells, then the first candidate of each mixed
    /// cell, then that part's band of edges. The loads of one step are
    /// independent of each other, so they overlap rather than wait in turn; the
    /// exact tests then find their data in the cache.
    pub(crate) fn locate_each(&self, coords: &[[f64; 2]], mut f: impl FnMut(usize, Option<usize>)) {
        const BLOCK: usize = 64;
        const NONE: u32 = u32::MAX;
        let Some(g) = &self.grid else {
            for (i, &[x, y]) in coords.iter().enumerate() {
                f(i, self.locate(Coord { x, y }));
            }
            return;
        };
        let mut values = [OUTSIDE; BLOCK];
        let mut first = [NONE; BLOCK];
        let mut touched = [0.0f64; BLOCK];
        for (b, block) in coords.chunks(BLOCK).enumerate() {
            for (v, &[x, y]) in values.iter_mut().zip(block) {
                *v = g.value(Coord { x, y });
            }
            for (p, &v) in first.iter_mut().zip(&values[..block.len()]) {
                *p = match g.resolve(v) {
                    Ok(candidates) => candidates.first().copied().unwrap_or(NONE),
                    Err(_) => NONE,
                };
            }
            for ((t, &p), &[_, y]) in touched.iter_mut().zip(&first).zip(block) {
                if p == NONE {
                    continue;
                }
                let part = &self.parts[p as usize];
                // Read only to bring the band's first edges into the cache.
                *t = part
                    .band_starts
                    .get(part.band(y))
                    .and_then(|&from| part.band_edges.get(from as usize))
                    .map_or(0.0, |e| e.a.y);
            }
            std::hint::black_box(touched);
            for (k, (&v, &[x, y])) in values.iter().zip(block).enumerate() {
                f(
                    b * BLOCK + k,
                    self.settle_cell(g.resolve(v), Coord { x, y }),
                );
            }
        }
    }

    /// Whether there is a grid (otherwise the R-tree gives the candidates).
    #[cfg(test)]
    pub(crate) fn has_grid(&self) -> bool {
        self.grid.is_some()
    }

    /// The grid over the parts (`polygons[p]`: part `p`'s polygon).
    fn build_grid(&self, polygons: &[&Polygon<f64>]) -> Option<Grid> {
        let finite = |c: &Coord<f64>| c.x.is_finite() && c.y.is_finite();
        if self.parts.is_empty() || !self.parts.iter().all(|p| finite(&p.min) && finite(&p.max)) {
            return None;
        }
        let min = Coord {
            x: self
                .parts
                .iter()
                .map(|p| p.min.x)
                .fold(f64::INFINITY, f64::min),
            y: self
                .parts
                .iter()
                .map(|p| p.min.y)
                .fold(f64::INFINITY, f64::min),
        };
        let max = Coord {
            x: self
                .parts
                .iter()
                .map(|p| p.max.x)
                .fold(f64::NEG_INFINITY, f64::max),
            y: self
                .parts
                .iter()
                .map(|p| p.max.y)
                .fold(f64::NEG_INFINITY, f64::max),
        };
        let (w, h) = (max.x - min.x, max.y - min.y);
        if !(w > 0.0 && h > 0.0) {
            return None;
        }
        let edges: usize = polygons.iter().map(|p| edges_of(p).count()).sum();
        let target = (edges * CELLS_PER_EDGE).clamp(64, MAX_CELLS) as f64;
        let size = (w * h / target).sqrt();
        let inv = 1.0 / size;
        let nx = ((w * inv).floor() as usize + 1).max(1);
        let ny = ((h * inv).floor() as usize + 1).max(1);
        if nx.saturating_mul(ny) > 2 * MAX_CELLS {
            return None;
        }
        let mut g = Grid {
            x0: min.x,
            y0: min.y,
            inv,
            nx,
            ny,
            min,
            max,
            cells: vec![OUTSIDE; nx * ny],
            cand_starts: Vec::new(),
            cands: Vec::new(),
        };
        // 1. Cells an edge's box spans (long edges in pieces) are mixed; per part
        //    in parallel, the cells its edges touch.
        let mut touched: Vec<Vec<u32>> = polygons
            .par_iter()
            .map(|polygon| {
                let mut cells = Vec::new();
                for e in edges_of(polygon) {
                    g.edge_cells(&e, size, &mut cells);
                }
                cells.sort_unstable();
                cells.dedup();
                cells
            })
            .collect();
        let mut mixed = vec![false; nx * ny];
        for cells in &touched {
            for &c in cells {
                mixed[c as usize] = true;
            }
        }
        // 2. Other cells: the part whose interior holds the cell's centre, by a
        //    scanline through the centres per part (geo's crossing rules).
        let runs: Vec<Vec<(usize, usize, usize)>> = self
            .parts
            .par_iter()
            .enumerate()
            .map(|(p, part)| interior_runs(edges_of(polygons[p]), part, &g))
            .collect();
        for (p, list) in runs.iter().enumerate() {
            let area = self.parts[p].area;
            for &(row, from, to) in list {
                let span = row * nx + from..row * nx + to;
                for (m, cell) in mixed[span.clone()].iter_mut().zip(&mut g.cells[span]) {
                    if *m {
                        continue;
                    }
                    if *cell == OUTSIDE {
                        *cell = area;
                    } else if *cell != area {
                        // Overlapping parts of different areas: test exactly.
                        *m = true;
                    }
                }
            }
        }
        // 3. Mixed cells: the parts with an edge in them (step 1) and the parts
        //    whose interior holds their centre (a part whose closure meets a cell
        //    has one or the other).
        touched.par_iter_mut().zip(&runs).for_each(|(cells, list)| {
            let before = cells.len();
            for &(row, from, to) in list {
                let start = row * nx + from;
                for (k, &m) in mixed[start..row * nx + to].iter().enumerate() {
                    if m {
                        cells.push((start + k) as u32);
                    }
                }
            }
            if cells.len() > before {
                cells.sort_unstable();
                cells.dedup();
            }
        });
        // The candidates of each mixed cell, by counting: first the count per
        //    cell (in the cell's own slot), then the cells numbered in order, then
        //    the parts scattered in part order (so each cell's are ascending).
        for (m, cell) in mixed.iter().zip(&mut g.cells) {
            if *m {
                *cell = 0;
            }
        }
        for cells in &touched {
            for &c in cells {
                g.cells[c as usize] += 1;
            }
        }
        let mut next = 0u32;
        let mut total = 0u32;
        for (m, cell) in mixed.iter().zip(&mut g.cells) {
            if !*m {
                continue;
            }
            // A mixed cell without candidates (an edge of a part of no extent)
            // is outside every part's closure.
            if *cell == 0 {
                *cell = OUTSIDE;
                continue;
            }
            if next >= MIXED - 1 {
                return None;
            }
            g.cand_starts.push(total);
            total += *cell;
            *cell = MIXED | next;
            next += 1;
        }
        g.cand_starts.push(total);
        let mut cursor = g.cand_starts.clone();
        g.cands = vec![0; total as usize];
        for (p, cells) in touched.iter().enumerate() {
            for &c in cells {
                let id = (g.cells[c as usize] & !MIXED) as usize;
                g.cands[cursor[id] as usize] = p as u32;
                cursor[id] += 1;
            }
        }
        Some(g)
    }
}

/// Runs `(row, from, to)` of cells whose centres lie in the interior of `part`
/// (with edges `edges`; geo's rules: inside the exterior, in no hole; crossings
/// as its winding number counts them).
fn interior_runs(
    edges: impl Iterator<Item = Edge>,
    part: &Part,
    g: &Grid,
) -> Vec<(usize, usize, usize)> {
    let size = 1.0 / g.inv;
    let (r0, r1) = (g.cy(part.min.y), g.cy(part.max.y));
    let mut events: Vec<(usize, f64, usize, i32)> = Vec::new();
    for e in edges {
        let (lo, hi) = (e.a.y.min(e.b.y), e.a.y.max(e.b.y));
        if lo == hi {
            continue;
        }
        for row in g.cy(lo)..=g.cy(hi) {
            let yc = g.y0 + (row as f64 + 0.5) * size;
            // Upward: start ≤ y < end; downward: end ≤ y < start.
            let dir = if e.a.y <= yc && yc < e.b.y {
                1
            } else if e.b.y <= yc && yc < e.a.y {
                -1
            } else {
                continue;
            };
            let x = e.a.x + (yc - e.a.y) * (e.b.x - e.a.x) / (e.b.y - e.a.y);
            events.push((row, x, e.ring as usize, dir));
        }
    }
    events.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
    let mut runs = Vec::new();
    let mut i = 0;
    while i < events.len() {
        let row = events[i].0;
        if row < r0 || row > r1 {
            i += 1;
            continue;
        }
        // Right to left: the winding number of a point counts the
        // crossings to its right.
        let mut winding = vec![0i32; part.rings.max(1)];
        let mut right = f64::INFINITY;
        while i < events.len() && events[i].0 == row {
            let (_, x, ring, dir) = events[i];
            // The span (x, right): state before applying this crossing.
            let inside = winding[0] != 0 && winding[1..].iter().all(|&w| w == 0);
            if inside {
                push_run(&mut runs, g, row, x, right);
            }
            winding[ring] += dir;
            right = x;
            i += 1;
        }
    }
    runs
}

/// Cells of `row` whose centres lie strictly between `left` and `right`.
fn push_run(runs: &mut Vec<(usize, usize, usize)>, g: &Grid, row: usize, left: f64, right: f64) {
    // Centre of column c: x0 + (c + 0.5) size.
    let first = ((left - g.x0) * g.inv - 0.5).floor() + 1.0;
    let last = ((right - g.x0) * g.inv - 0.5).ceil() - 1.0;
    let first = first.max(0.0) as usize;
    let last = last.min(g.nx as f64 - 1.0);
    if last < 0.0 {
        return;
    }
    let last = last as usize;
    if first <= last {
        runs.push((row, first, last + 1));
    }
}

impl Part {
    fn band(&self, y: f64) -> usize {
        // Truncation: the floor for y ≥ min.y, 0 below; monotone.
        (((y - self.min.y) * self.inv_band) as usize).min(self.bands - 1)
    }
}
