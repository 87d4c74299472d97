//! The county's geometry: a raster of municipalities and areas, tiled into
//! polygons.
//!
//! Steps and fixed shape parameters (metres; noise amplitudes are maxima,
//! fractal noise rarely comes near them):
//!
//! 1. **County.** The outline is densified to 200 m and bent by a domain warp of
//!    4 km (wavelengths 20 km … 0.16 km), rasterised (even–odd, cell centres),
//!    and cleaned to one piece without holes; 1 km around every town is land.
//! 2. **Municipalities.** Each municipality's *skeleton* — disks around its towns
//!    (radius √(areas × land per area / π), at least 700 m) and meandering
//!    roads from the seat to its other localities — is fixed. The rest grows
//!    from the skeletons by multi-source Dijkstra over the cost surface
//!    `exp(1.4 · noise)` (30 km … 0.23 km), each municipality with a head start
//!    tuned on a 5× coarser grid (50 rounds, step halved on overshoot) until the
//!    land shares match the configured land areas. The smooth fronts are then
//!    resampled through a 2.5 km warp (8 km … 0.25 km) to make borders wiggle,
//!    and the raster is cleaned (skeleton cells protected).
//! 3. **Towns.** A town takes the municipality's cells nearest its centre in a
//!    warp measured in town radii (1.4 radii; 1.5 … 0.1 radii), as many as
//!    `areas × land per area`. Town seeds start on a sunflower spiral and are
//!    Lloyd-relaxed; cells go to the nearest seed (weights ±20 %) through a
//!    350 m warp (2 km … 0.25 km). In main towns, the deprived estates are drawn
//!    among the three quarters of areas farthest from the centre.
//! 4. **Countryside.** The remaining cells are split among the rural seeds
//!    (farthest-point start, 12 Lloyd rounds, weights ±15 %) through a 9 km warp
//!    (24 km … 0.38 km).
//! 5. Areas are cleaned within their municipality and tiled ([`super::trace`]).

use super::raster::{self, LabelGrid, OUTSIDE};
use super::rng::{self, NoiseField, SplitMix64, Warp};
use super::trace::{self, TileStats};
use super::{AreaKind, SynthConfig};
use crate::error::Error;
use crate::inputs::crs::{Crs, Transformer};
use geo::Polygon;

/// One settlement: a municipality's main town (C areas) or another locality (B).
#[derive(Debug, Clone)]
pub(crate) struct Town {
    pub name: String,
    pub x: f64,
    pub y: f64,
    pub areas: usize,
    pub main: bool,
    /// Zone radius, metres.
    pub radius: f64,
}

/// One area before people are added.
#[derive(Debug, Clone)]
pub(crate) struct AreaDef {
    pub code: String,
    pub name: String,
    /// Index into the config's municipalities.
    pub muni: usize,
    pub kind: AreaKind,
    /// Index into `Layout::towns[muni]` for B and C areas.
    pub town: Option<usize>,
    pub deprived: bool,
}

/// The finished geometry.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// Area labels (index into `areas`).
    pub grid: LabelGrid,
    /// Areas sorted by code.
    pub areas: Vec<AreaDef>,
    /// Polygon per area (SWEREF99 TM).
    pub area_polys: Vec<Polygon<f64>>,
    /// The county: the union of everything.
    pub county_poly: Polygon<f64>,
    /// Polygon per municipality, config order.
    pub muni_polys: Vec<Polygon<f64>>,
    /// Seat per municipality (SWEREF99 TM), config order.
    pub seats: Vec<(f64, f64)>,
    /// Towns per municipality, main town first.
    pub towns: Vec<Vec<Town>>,
    /// Cells of each area.
    pub area_cells: Vec<Vec<usize>>,
    /// Chessboard distance of each cell to its area's edge, in cells.
    pub dist: Vec<u32>,
    /// Per area, the cell deepest inside it.
    pub interior: Vec<usize>,
    /// Tiling counters.
    pub stats: TileStats,
}

fn compute(e: impl std::fmt::Display) -> Error {
    Error::Compute(format!("synthetic county: {e}"))
}

fn dist(a: (f64, f64), b: (f64, f64)) -> f64 {
    ((a.0 - b.0) * (a.0 - b.0) + (a.1 - b.1) * (a.1 - b.1)).sqrt()
}

/// Cells whose centres lie inside the (possibly self-intersecting) ring, by the
/// even–odd rule, one scanline per row.
fn rasterise(ring: &[(f64, f64)], grid: &LabelGrid) -> Vec<bool> {
    let cell = grid.cell as f64;
    let mut mask = vec![false; grid.nx * grid.ny];
    let mut xs = Vec::new();
    for j in 0..grid.ny {
        let yc = grid.y0 as f64 + (j as f64 + 0.5) * cell;
        xs.clear();
        for k in 0..ring.len() {
            let a = ring[k];
            let b = ring[(k + 1) % ring.len()];
            if (a.1 > yc) != (b.1 > yc) {
                xs.push(a.0 + (yc - a.1) * (b.0 - a.0) / (b.1 - a.1));
            }
        }
        xs.sort_by(f64::total_cmp);
        for pair in xs.chunks_exact(2) {
            let from = ((pair[0] - grid.x0 as f64) / cell - 0.5).ceil().max(0.0) as usize;
            let to = ((pair[1] - grid.x0 as f64) / cell - 0.5).ceil().max(0.0) as usize;
            for i in from..to.min(grid.nx) {
                mask[j * grid.nx + i] = true;
            }
        }
    }
    mask
}

fn disk_cells(grid: &LabelGrid, c: (f64, f64), r: f64) -> Vec<usize> {
    let cell = grid.cell as f64;
    let i0 = ((c.0 - r - grid.x0 as f64) / cell).floor().max(0.0) as usize;
    let j0 = ((c.1 - r - grid.y0 as f64) / cell).floor().max(0.0) as usize;
    let i1 = (((c.0 + r - grid.x0 as f64) / cell).ceil().max(0.0) as usize).min(grid.nx);
    let j1 = (((c.1 + r - grid.y0 as f64) / cell).ceil().max(0.0) as usize).min(grid.ny);
    let mut out = Vec::new();
    for j in j0..j1 {
        for i in i0..i1 {
            let idx = j * grid.nx + i;
            if dist(grid.centre(idx), c) <= r {
                out.push(idx);
            }
        }
    }
    out
}

/// Farthest-point start and Lloyd iterations: `k` well-spread sites over `pts`.
fn spread_sites(
    pts: &[(f64, f64)],
    k: usize,
    first: (f64, f64),
    iterations: usize,
) -> Vec<(f64, f64)> {
    if pts.is_empty() || k == 0 {
        return Vec::new();
    }
    let mut sites = Vec::with_capacity(k);
    let mut nearest: Vec<f64> = pts.iter().map(|&p| dist(p, first)).collect();
    for _ in 0..k {
        let (best, _) =
            nearest.iter().enumerate().fold(
                (0, f64::MIN),
                |acc, (i, &d)| if d > acc.1 { (i, d) } else { acc },
            );
        let s = pts[best];
        sites.push(s);
        for (n, &p) in nearest.iter_mut().zip(pts) {
            *n = n.min(dist(p, s));
        }
    }
    lloyd(pts, &mut sites, iterations);
    sites
}

fn lloyd(pts: &[(f64, f64)], sites: &mut [(f64, f64)], iterations: usize) {
    for _ in 0..iterations {
        let mut sum = vec![(0.0, 0.0, 0usize); sites.len()];
        for &p in pts {
            let k = nearest_site(p, sites);
            sum[k].0 += p.0;
            sum[k].1 += p.1;
            sum[k].2 += 1;
        }
        for (s, &(x, y, n)) in sites.iter_mut().zip(&sum) {
            if n > 0 {
                *s = (x / n as f64, y / n as f64);
            }
        }
    }
}

fn nearest_site(p: (f64, f64), sites: &[(f64, f64)]) -> usize {
    let mut best = (0, f64::MAX);
    for (k, &s) in sites.iter().enumerate() {
        let d = (p.0 - s.0) * (p.0 - s.0) + (p.1 - s.1) * (p.1 - s.1);
        if d < best.1 {
            best = (k, d);
        }
    }
    best.0
}

/// Index of the smallest `d(p, site)/weight`.
fn weighted_nearest(p: (f64, f64), sites: &[(f64, f64)], weights: &[f64]) -> usize {
    let mut best = (0, f64::MAX);
    for (k, (&s, &w)) in sites.iter().zip(weights).enumerate() {
        let d = dist(p, s) / w;
        if d < best.1 {
            best = (k, d);
        }
    }
    best.0
}

/// Builds the whole geometry.
pub(crate) fn build(config: &SynthConfig, root: &SplitMix64) -> Result<Layout, Error> {
    let n_munis = config.municipalities.len();
    if n_munis == 0 || config.outline.len() < 3 {
        return Err(compute(
            "needs at least one municipality and a 3-point outline",
        ));
    }
    if config.cell_size < 10 {
        return Err(compute("cell_size must be at least 10 m"));
    }
    let tf = Transformer::new(Crs::Wgs84, Crs::Sweref99Tm).map_err(compute)?;
    let proj = |lon: f64, lat: f64| tf.apply(lon, lat).map_err(compute);
    let cell = config.cell_size;
    let cellf = cell as f64;
    let cell_km2 = cellf * cellf / 1e6;

    // Towns and seats.
    let mut seats = Vec::with_capacity(n_munis);
    let mut towns: Vec<Vec<Town>> = Vec::with_capacity(n_munis);
    for m in &config.municipalities {
        let seat = proj(m.lon, m.lat)?;
        seats.push(seat);
        let mut t = vec![Town {
            name: m.seat.clone(),
            x: seat.0,
            y: seat.1,
            areas: m.town_areas,
            main: true,
            radius: (m.town_areas as f64 * config.town_area_km2 * 1e6 / std::f64::consts::PI)
                .sqrt(),
        }];
        for l in &m.localities {
            let p = proj(l.lon, l.lat)?;
            t.push(Town {
                name: l.name.clone(),
                x: p.0,
                y: p.1,
                areas: l.areas,
                main: false,
                radius: (l.areas as f64 * config.locality_area_km2 * 1e6 / std::f64::consts::PI)
                    .sqrt(),
            });
        }
        if m.town_areas + m.localities.iter().map(|l| l.areas).sum::<usize>() + m.rural_areas == 0 {
            return Err(compute(format!("municipality {} has no areas", m.code)));
        }
        towns.push(t);
    }

    // The county outline, densified and bent.
    let ring: Vec<(f64, f64)> = config
        .outline
        .iter()
        .map(|&(lon, lat)| proj(lon, lat))
        .collect::<Result<_, _>>()?;
    let (mut minx, mut miny, mut maxx, mut maxy) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &(x, y) in &ring {
        minx = minx.min(x);
        miny = miny.min(y);
        maxx = maxx.max(x);
        maxy = maxy.max(y);
    }
    let coast_amp = 4000.0;
    let margin = coast_amp + 4.0 * cellf;
    let bbox = (minx - margin, miny - margin, maxx + margin, maxy + margin);
    let x0 = (bbox.0 / cellf).floor() as i64 * cell;
    let y0 = (bbox.1 / cellf).floor() as i64 * cell;
    let nx = ((bbox.2 - x0 as f64) / cellf).ceil() as usize;
    let ny = ((bbox.3 - y0 as f64) / cellf).ceil() as usize;
    let mut grid = LabelGrid::new(x0, y0, cell, nx, ny);

    let coast = Warp::new(root.fork(1).next_u64(), coast_amp, 20_000.0, 7, 0.7, bbox);
    let mut dense = Vec::new();
    for k in 0..ring.len() {
        let (a, b) = (ring[k], ring[(k + 1) % ring.len()]);
        let steps = (dist(a, b) / 200.0).ceil().max(1.0) as usize;
        for s in 0..steps {
            let t = s as f64 / steps as f64;
            dense.push(coast.apply(a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1)));
        }
    }
    let mut mask = rasterise(&dense, &grid);
    for (m, ts) in towns.iter().enumerate() {
        for c in std::iter::once(seats[m]).chain(ts.iter().map(|t| (t.x, t.y))) {
            for idx in disk_cells(&grid, c, 1000.0) {
                mask[idx] = true;
            }
        }
    }
    raster::clean_mask(&mut mask, nx, ny);
    let inside: Vec<usize> = (0..mask.len()).filter(|&i| mask[i]).collect();

    // Municipalities: region growing over a noisy cost surface from each
    // municipality's skeleton (disks around its towns and straight lines from the
    // seat to its other localities; these cells never change hands, so every
    // municipality is connected), with head starts tuned towards the real land
    // shares on a coarse copy of the grid.
    let cost_noise = NoiseField::new(root.fork(2).next_u64(), 30_000.0, 8, 0.7, bbox);
    let beta = 1.4;
    let cost_at = |x: f64, y: f64| rng::exp(beta * cost_noise.eval(x, y)) as f32;
    let road = NoiseField::new(root.fork(7).next_u64(), 20_000.0, 4, 0.5, bbox);
    let mut owner = vec![OUTSIDE; nx * ny];
    let mut fixed: Vec<usize> = Vec::new();
    for (m, ts) in towns.iter().enumerate() {
        let mut cells = Vec::new();
        for t in ts {
            cells.extend(disk_cells(&grid, (t.x, t.y), t.radius.max(700.0)));
        }
        for t in ts.iter().skip(1) {
            // A meandering road: the straight line bent sideways by noise that
            // vanishes at both ends.
            let (a, b) = (seats[m], (t.x, t.y));
            let len = dist(a, b);
            let (ux, uy) = ((b.0 - a.0) / len.max(1.0), (b.1 - a.1) / len.max(1.0));
            let steps = (len / 500.0).ceil().max(1.0) as usize;
            let mut prev = a;
            for k in 1..=steps {
                let t = k as f64 / steps as f64;
                let side = 0.25
                    * len
                    * rng::sin_cos(std::f64::consts::PI * t).0
                    * road.eval(a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1));
                let p = (
                    a.0 + t * (b.0 - a.0) - uy * side,
                    a.1 + t * (b.1 - a.1) + ux * side,
                );
                cells.extend(raster::line_cells(&grid, prev, p));
                prev = p;
            }
        }
        for c in cells {
            if !mask[c] {
                continue;
            }
            if owner[c] != OUTSIDE && owner[c] != m as u32 {
                return Err(compute(format!(
                    "the towns of {} and {} are too close",
                    config.municipalities[owner[c] as usize].name, config.municipalities[m].name
                )));
            }
            if owner[c] == OUTSIDE {
                owner[c] = m as u32;
                fixed.push(c);
            }
        }
    }
    fixed.sort_unstable();
    let cost: Vec<f32> = (0..nx * ny)
        .map(|idx| {
            if mask[idx] {
                let (x, y) = grid.centre(idx);
                cost_at(x, y)
            } else {
                1.0
            }
        })
        .collect();
    let total_land: f64 = config
        .municipalities
        .iter()
        .map(|m| m.land_km2.max(1.0))
        .sum();
    let target: Vec<f64> = config
        .municipalities
        .iter()
        .map(|m| m.land_km2.max(1.0) / total_land * inside.len() as f64 * cellf * cellf)
        .collect();
    let heads = {
        // Coarse copy: f×f cells per coarse cell, sampled at its centre.
        let f = 5usize;
        let (cnx, cny) = (nx.div_ceil(f), ny.div_ceil(f));
        let mut coarse = LabelGrid::new(x0, y0, cell * f as i64, cnx, cny);
        let fine_of = |ci: usize| {
            let (i, j) = ((ci % cnx) * f + f / 2, (ci / cnx) * f + f / 2);
            (i.min(nx - 1), j.min(ny - 1))
        };
        let cdomain: Vec<bool> = (0..cnx * cny)
            .map(|ci| {
                let (i, j) = fine_of(ci);
                mask[j * nx + i]
            })
            .collect();
        let ccost: Vec<f32> = (0..cnx * cny)
            .map(|ci| {
                let (x, y) = coarse.centre(ci);
                cost_at(x, y)
            })
            .collect();
        let mut cfixed: Vec<(usize, u32)> = fixed
            .iter()
            .map(|&c| ((c / nx / f) * cnx + (c % nx) / f, owner[c]))
            .collect();
        cfixed.sort_unstable();
        cfixed.dedup_by_key(|e| e.0);
        let area_per = (cellf * f as f64) * (cellf * f as f64);
        let mut heads = vec![0.0f64; n_munis];
        let mut gain = vec![0.6f64; n_munis];
        let mut last_err = vec![0.0f64; n_munis];
        for _ in 0..50 {
            let top = heads.iter().copied().fold(f64::MIN, f64::max);
            let sources: Vec<(usize, u32, f64)> = cfixed
                .iter()
                .map(|&(c, m)| (c, m, top - heads[m as usize]))
                .collect();
            coarse.labels.iter_mut().for_each(|l| *l = OUTSIDE);
            raster::grow(&mut coarse, &cdomain, &sources, &ccost)?;
            let mut got = vec![0.0f64; n_munis];
            for &l in &coarse.labels {
                if l != OUTSIDE {
                    got[l as usize] += area_per;
                }
            }
            // Step halves whenever a municipality overshoots (neighbours compete).
            for m in 0..n_munis {
                let err = target[m].sqrt() - got[m].sqrt();
                if err * last_err[m] < 0.0 {
                    gain[m] *= 0.5;
                } else {
                    gain[m] = (gain[m] * 1.2).min(1.0);
                }
                last_err[m] = err;
                heads[m] += (gain[m] * err).clamp(-3000.0, 3000.0);
            }
        }
        heads
    };
    let top = heads.iter().copied().fold(f64::MIN, f64::max);
    let sources: Vec<(usize, u32, f64)> = fixed
        .iter()
        .map(|&c| (c, owner[c], top - heads[owner[c] as usize]))
        .collect();
    raster::grow(&mut grid, &mask, &sources, &cost)?;
    if inside.iter().any(|&idx| grid.labels[idx] == OUTSIDE) {
        return Err(compute(
            "part of the county was not reached by any municipality",
        ));
    }
    // Region growing gives smooth borders; resampling through a fine warp makes
    // them wiggle like real ones.
    let fine = Warp::new(root.fork(8).next_u64(), 2500.0, 8000.0, 6, 0.7, bbox);
    let before = grid.labels.clone();
    for &idx in &inside {
        let (x, y) = grid.centre(idx);
        let (wx, wy) = fine.apply(x, y);
        if let Some(src) = grid.cell_at(wx, wy) {
            if before[src] != OUTSIDE {
                grid.labels[idx] = before[src];
            }
        }
    }
    for &c in &fixed {
        grid.labels[c] = owner[c];
    }
    let protected = fixed.clone();
    let mut centre_cells = Vec::new();
    for (m, ts) in towns.iter().enumerate() {
        for t in ts {
            let c = grid
                .cell_at(t.x, t.y)
                .ok_or_else(|| compute(format!("{} is outside the grid", t.name)))?;
            centre_cells.push((c, m, t.name.clone()));
        }
    }
    raster::clean(&mut grid, &vec![0; n_munis], &protected)?;
    for (c, m, name) in &centre_cells {
        if grid.labels[*c] != *m as u32 {
            return Err(compute(format!(
                "{name} ended up outside municipality {}",
                config.municipalities[*m].code
            )));
        }
    }

    // Areas.
    let mut muni_cells: Vec<Vec<usize>> = vec![Vec::new(); n_munis];
    for &idx in &inside {
        muni_cells[grid.labels[idx] as usize].push(idx);
    }
    let mut order: Vec<usize> = (0..n_munis).collect();
    order.sort_by(|&a, &b| {
        config.municipalities[a]
            .code
            .cmp(&config.municipalities[b].code)
    });
    // Town outlines: a warp in units of the town's radius, so that every town is
    // about as irregular whatever its size.
    let zw = Warp::new(
        root.fork(3).next_u64(),
        1.4,
        1.5,
        5,
        0.6,
        (0.0, 0.0, 0.0, 0.0),
    );
    let uw = Warp::new(root.fork(4).next_u64(), 350.0, 2000.0, 4, 0.65, bbox);
    let rw = Warp::new(root.fork(5).next_u64(), 9000.0, 24_000.0, 7, 0.65, bbox);
    let mut areas: Vec<AreaDef> = Vec::new();
    let mut area_muni: Vec<u32> = Vec::new();
    let mut area_rng = root.fork(6);
    for &m in &order {
        let spec = &config.municipalities[m];
        let cells = &muni_cells[m];
        let ts = &towns[m];
        let mut zone: Vec<Option<usize>> = vec![None; cells.len()];
        // Town zones: the cells nearest (warped) to each town centre, relative to
        // the town's radius, as many as the town's target land area.
        let mut cands: Vec<Vec<(f64, usize)>> = vec![Vec::new(); ts.len()];
        for (k, &idx) in cells.iter().enumerate() {
            let c = grid.centre(idx);
            let mut best: Option<(f64, usize)> = None;
            for (t, town) in ts.iter().enumerate() {
                if town.areas == 0 {
                    continue;
                }
                let r = town.radius.max(cellf);
                if spec.rural_areas > 0 && dist(c, (town.x, town.y)) > 3.0 * r + 500.0 {
                    continue;
                }
                // Each town samples its own patch of the unit-scale noise.
                let off = (31.7 * (m * 16 + t) as f64, 17.3 * (m * 16 + t) as f64);
                let q = ((c.0 - town.x) / r + off.0, (c.1 - town.y) / r + off.1);
                let s = dist(zw.apply(q.0, q.1), off);
                if best.is_none_or(|b| s < b.0) {
                    best = Some((s, t));
                }
            }
            if let Some((s, t)) = best {
                if spec.rural_areas == 0 || s < 3.0 {
                    cands[t].push((s, k));
                }
            }
        }
        for (t, list) in cands.iter_mut().enumerate() {
            list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let town = &ts[t];
            let want = if spec.rural_areas == 0 {
                list.len()
            } else {
                let km2 = if town.main {
                    config.town_area_km2
                } else {
                    config.locality_area_km2
                };
                ((town.areas as f64 * km2 / cell_km2).round() as usize).max(4 * town.areas)
            };
            for &(_, k) in list.iter().take(want) {
                zone[k] = Some(t);
            }
        }
        let first_label = areas.len() as u32;
        let mut labels_here: Vec<u32> = vec![OUTSIDE; cells.len()];
        // Rural areas (A) first: codes sort A < B < C.
        let rural_k: Vec<usize> = (0..cells.len()).filter(|&k| zone[k].is_none()).collect();
        if spec.rural_areas > 0 {
            if rural_k.len() < 10 * spec.rural_areas {
                return Err(compute(format!(
                    "municipality {} has too little land left for its rural areas",
                    spec.code
                )));
            }
            let stride = rural_k.len() / 20_000 + 1;
            let pts: Vec<(f64, f64)> = rural_k
                .iter()
                .step_by(stride)
                .map(|&k| grid.centre(cells[k]))
                .collect();
            let seeds = spread_sites(&pts, spec.rural_areas, seats[m], 12);
            let w: Vec<f64> = (0..seeds.len())
                .map(|_| rng::exp(0.15 * area_rng.normal()))
                .collect();
            for &k in &rural_k {
                let c = grid.centre(cells[k]);
                let s = weighted_nearest(rw.apply(c.0, c.1), &seeds, &w);
                labels_here[k] = first_label + s as u32;
            }
            for s in 0..seeds.len() {
                areas.push(AreaDef {
                    code: format!("{}A{:04}", spec.code, 10 * (s + 1)),
                    name: format!("{} landsbygd {}", spec.name, s + 1),
                    muni: m,
                    kind: AreaKind::Rural,
                    town: None,
                    deprived: false,
                });
            }
        }
        // Towns: B localities, then the main town (C).
        let mut town_order: Vec<usize> = (1..ts.len()).collect();
        town_order.push(0);
        let mut b_count = 0;
        for &t in &town_order {
            let town = &ts[t];
            if town.areas == 0 {
                continue;
            }
            let zk: Vec<usize> = (0..cells.len()).filter(|&k| zone[k] == Some(t)).collect();
            if zk.len() < 4 * town.areas {
                return Err(compute(format!("{} got too little land", town.name)));
            }
            let pts: Vec<(f64, f64)> = zk.iter().map(|&k| grid.centre(cells[k])).collect();
            // Sunflower start, snapped to zone cells, then Lloyd.
            let theta0 = area_rng.range(0.0, std::f64::consts::TAU);
            let mut seeds: Vec<(f64, f64)> = (0..town.areas)
                .map(|i| {
                    let r = 0.85 * town.radius * ((i as f64 + 0.5) / town.areas as f64).sqrt();
                    let th = theta0 + i as f64 * 2.399_963_229_728_653;
                    let (sin, cos) = rng::sin_cos(th);
                    let p = (town.x + r * cos, town.y + r * sin);
                    pts[nearest_site(p, &pts)]
                })
                .collect();
            if town.areas == 1 {
                seeds = vec![(town.x, town.y)];
            } else {
                lloyd(&pts, &mut seeds, 8);
            }
            let w: Vec<f64> = (0..seeds.len())
                .map(|_| rng::exp(0.2 * area_rng.normal()))
                .collect();
            let base = areas.len() as u32;
            for &k in &zk {
                let c = grid.centre(cells[k]);
                let s = weighted_nearest(uw.apply(c.0, c.1), &seeds, &w);
                labels_here[k] = base + s as u32;
            }
            // Deprived estates: away from the very centre.
            let mut deprived = vec![false; seeds.len()];
            if town.main && spec.deprived_areas > 0 {
                let mut by_dist: Vec<usize> = (0..seeds.len()).collect();
                by_dist.sort_by(|&a, &b| {
                    dist(seeds[a], (town.x, town.y)).total_cmp(&dist(seeds[b], (town.x, town.y)))
                });
                let mut outer: Vec<usize> = by_dist[seeds.len() / 4..].to_vec();
                area_rng.shuffle(&mut outer);
                for &s in outer.iter().take(spec.deprived_areas) {
                    deprived[s] = true;
                }
            }
            for (s, &is_deprived) in deprived.iter().enumerate() {
                let (code, name) = if town.main {
                    (
                        format!("{}C{:04}", spec.code, 1000 + 10 * (s + 1)),
                        format!("{} centralort {}", town.name, s + 1),
                    )
                } else {
                    b_count += 1;
                    (
                        format!("{}B{:04}", spec.code, 2000 + 10 * b_count),
                        if town.areas > 1 {
                            format!("{} {}", town.name, s + 1)
                        } else {
                            town.name.clone()
                        },
                    )
                };
                areas.push(AreaDef {
                    code,
                    name,
                    muni: m,
                    kind: if town.main {
                        AreaKind::MainTown
                    } else {
                        AreaKind::Locality
                    },
                    town: Some(t),
                    deprived: is_deprived,
                });
            }
        }
        // Cells not claimed (a town with no areas and no rural areas): nearest label.
        for (k, &idx) in cells.iter().enumerate() {
            let l = labels_here[k];
            grid.labels[idx] = if l == OUTSIDE { first_label } else { l };
        }
        let expected = spec.town_areas
            + spec.localities.iter().map(|l| l.areas).sum::<usize>()
            + spec.rural_areas;
        let made = areas.len() - first_label as usize;
        if made != expected {
            return Err(compute(format!(
                "municipality {}: made {made} areas, expected {expected}",
                spec.code
            )));
        }
        area_muni.extend(std::iter::repeat_n(m as u32, made));
    }
    // Areas were made in municipality-code order, each municipality's in code
    // order (A, B, C): the list is sorted by code.
    if areas.windows(2).any(|w| w[0].code >= w[1].code) {
        return Err(compute("area codes are not unique and sorted"));
    }
    raster::clean(&mut grid, &area_muni, &[])?;
    let counts = grid.counts();
    let mut area_cells: Vec<Vec<usize>> = vec![Vec::new(); areas.len()];
    for &idx in &inside {
        let l = grid.labels[idx];
        if l != OUTSIDE {
            area_cells[l as usize].push(idx);
        }
    }
    for (a, def) in areas.iter().enumerate() {
        if counts.get(a).copied().unwrap_or(0) < 10 {
            return Err(compute(format!("area {} is too small", def.code)));
        }
    }
    let dist_map = raster::boundary_distance(&grid);
    let interior: Vec<usize> = area_cells
        .iter()
        .map(|cs| {
            cs.iter()
                .copied()
                .fold((0usize, 0u32), |acc, c| {
                    if dist_map[c] > acc.1 {
                        (c, dist_map[c])
                    } else {
                        acc
                    }
                })
                .0
        })
        .collect();

    let tiling = trace::tile(
        &grid,
        &[area_muni.clone(), vec![0; areas.len()]],
        &config.tile,
    )?;
    let single = |mp: Option<&geo::MultiPolygon<f64>>, what: &str| -> Result<Polygon<f64>, Error> {
        match mp {
            Some(mp) if mp.0.len() == 1 => Ok(mp.0[0].clone()),
            _ => Err(compute(format!("{what} is not a single polygon"))),
        }
    };
    let area_polys = areas
        .iter()
        .enumerate()
        .map(|(a, def)| single(tiling.regions.get(a).and_then(Option::as_ref), &def.code))
        .collect::<Result<Vec<_>, _>>()?;
    let muni_polys = config
        .municipalities
        .iter()
        .enumerate()
        .map(|(m, spec)| {
            single(
                tiling
                    .groups
                    .first()
                    .and_then(|g| g.get(m))
                    .and_then(Option::as_ref),
                &spec.code,
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let county_poly = single(
        tiling
            .groups
            .get(1)
            .and_then(|g| g.first())
            .and_then(Option::as_ref),
        "the county",
    )?;
    Ok(Layout {
        county_poly,
        grid,
        areas,
        area_polys,
        muni_polys,
        seats,
        towns,
        area_cells,
        dist: dist_map,
        interior,
        stats: tiling.stats,
    })
}
