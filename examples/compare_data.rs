//! Generates the synthetic Sweden-scale data set of the peer comparison
//! (`benches/compare/run.sh`): seeded and deterministic, byte for byte.
//!
//! * `areas.geojson`: `cols × rows` areas (default 60 × 100 = 6 000) tiling a
//!   Sweden-sized rectangle in SWEREF99 TM, 32 segments per side (128 vertices per
//!   area, ≈770 000 in all), wiggly shared edges written identically on both sides;
//!   columns and rows are denser around towns, as DeSO are.
//! * `catchments.geojson`: `tcols × trows` catchments (default 25 × 40 = 1 000)
//!   tiling the same rectangle, with their own wiggly edges.
//! * `areas.csv`: `code,population,under5` (extensive columns).
//! * `points.csv`: `id,x,y`, `points` points (default 10 000 000): 88 % around
//!   towns, 10 % spread over the rectangle, 1 % outside it, 0.02 % exactly on area
//!   vertices (on a boundary), the rest in towns' outskirts.
//!
//! `cargo run --release --example compare_data -- --out DIR [--points N]
//! [--grid COLS ROWS] [--targets COLS ROWS] [--seed S]`

#![allow(clippy::needless_range_loop)]

use rayon::prelude::*;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

const X0: f64 = 270_000.0;
const X1: f64 = 920_000.0;
const Y0: f64 = 6_130_000.0;
const Y1: f64 = 7_680_000.0;
const SEGMENTS: usize = 32;

/// SplitMix64.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let u = self.f64().max(1e-300);
        let v = self.f64();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
    fn fork(&self, stream: u64) -> Rng {
        let mut r = Rng(self.0 ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next_u64();
        r
    }
}

struct Town {
    x: f64,
    y: f64,
    weight: f64,
    sigma: f64,
}

fn towns(seed: u64) -> Vec<Town> {
    let mut rng = Rng(seed).fork(1);
    let n = 160;
    let mut towns: Vec<Town> = (0..n)
        .map(|i| {
            let x = X0 + 30_000.0 + (X1 - X0 - 60_000.0) * rng.f64();
            // More towns in the south, as in Sweden.
            let y = Y0 + 20_000.0 + (Y1 - Y0 - 40_000.0) * rng.f64().powf(1.8);
            let weight = 1.0 / (i as f64 + 1.0);
            let sigma = 1_200.0 + 9_000.0 * weight.sqrt();
            Town {
                x,
                y,
                weight,
                sigma,
            }
        })
        .collect();
    let total: f64 = towns.iter().map(|t| t.weight).sum();
    for t in &mut towns {
        t.weight /= total;
    }
    towns
}

/// `n + 1` cut positions in `[lo, hi]`, denser where the towns are (quantiles of
/// a density: 35 % uniform, 65 % Gaussian bumps at the towns).
fn cuts(lo: f64, hi: f64, n: usize, centres: &[(f64, f64, f64)]) -> Vec<f64> {
    let steps = 20_000;
    let h = (hi - lo) / steps as f64;
    let mut cdf = vec![0.0; steps + 1];
    for i in 1..=steps {
        let x = lo + (i as f64 - 0.5) * h;
        let bumps: f64 = centres
            .iter()
            .map(|&(c, w, s)| w * (-0.5 * ((x - c) / s).powi(2)).exp() / s)
            .sum();
        cdf[i] = cdf[i - 1] + (0.35 / (hi - lo) + 0.65 * bumps / 2.5066) * h;
    }
    let total = cdf[steps];
    let mut out = Vec::with_capacity(n + 1);
    let mut j = 0;
    for k in 0..=n {
        let target = total * k as f64 / n as f64;
        while j < steps && cdf[j + 1] < target {
            j += 1;
        }
        let x = if k == 0 {
            lo
        } else if k == n {
            hi
        } else {
            let (a, b) = (cdf[j], cdf[j + 1]);
            lo + (j as f64 + if b > a { (target - a) / (b - a) } else { 0.0 }) * h
        };
        out.push(x);
    }
    out
}

/// A tiling of the rectangle by a jittered grid with wiggly edges.
struct Tiling {
    cols: usize,
    rows: usize,
    /// Horizontal edge (i, j): corner (i, j) → (i + 1, j), SEGMENTS + 1 points.
    horizontal: Vec<Vec<[f64; 2]>>,
    /// Vertical edge (i, j): corner (i, j) → (i, j + 1).
    vertical: Vec<Vec<[f64; 2]>>,
}

fn round(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn wiggle(a: [f64; 2], b: [f64; 2], amp: f64, straight: bool, rng: &mut Rng) -> Vec<[f64; 2]> {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len = (dx * dx + dy * dy).sqrt();
    let (nx, ny) = (-dy / len, dx / len);
    let (f1, f2) = (
        1.0 + (rng.f64() * 3.0).floor(),
        3.0 + (rng.f64() * 4.0).floor(),
    );
    let (p1, p2) = (
        rng.f64() * std::f64::consts::TAU,
        rng.f64() * std::f64::consts::TAU,
    );
    let sign = if rng.f64() < 0.5 { -1.0 } else { 1.0 };
    (0..=SEGMENTS)
        .map(|k| {
            let t = k as f64 / SEGMENTS as f64;
            if k == 0 {
                return a;
            }
            if k == SEGMENTS {
                return b;
            }
            let g = if straight {
                0.0
            } else {
                sign * amp
                    * (std::f64::consts::PI * t).sin()
                    * ((std::f64::consts::TAU * f1 * t + p1).sin()
                        + 0.5 * (std::f64::consts::TAU * f2 * t + p2).sin())
                    / 1.5
            };
            [round(a[0] + dx * t + nx * g), round(a[1] + dy * t + ny * g)]
        })
        .collect()
}

impl Tiling {
    fn new(xs: &[f64], ys: &[f64], rng: &mut Rng) -> Tiling {
        let (cols, rows) = (xs.len() - 1, ys.len() - 1);
        let width = |i: usize| xs[(i + 1).min(cols)] - xs[i.min(cols - 1)];
        let height = |j: usize| ys[(j + 1).min(rows)] - ys[j.min(rows - 1)];
        let mut corners = Vec::with_capacity((cols + 1) * (rows + 1));
        for j in 0..=rows {
            for i in 0..=cols {
                let wx = width(i).min(width(i.saturating_sub(1)));
                let wy = height(j).min(height(j.saturating_sub(1)));
                let jx = if i == 0 || i == cols {
                    0.0
                } else {
                    (rng.f64() - 0.5) * 0.36 * wx
                };
                let jy = if j == 0 || j == rows {
                    0.0
                } else {
                    (rng.f64() - 0.5) * 0.36 * wy
                };
                corners.push([round(xs[i] + jx), round(ys[j] + jy)]);
            }
        }
        let c = |i: usize, j: usize| corners[j * (cols + 1) + i];
        let mut horizontal = Vec::with_capacity(cols * (rows + 1));
        for j in 0..=rows {
            for i in 0..cols {
                let amp = 0.09 * width(i).min(height(j)).min(height(j.saturating_sub(1)));
                horizontal.push(wiggle(c(i, j), c(i + 1, j), amp, j == 0 || j == rows, rng));
            }
        }
        let mut vertical = Vec::with_capacity((cols + 1) * rows);
        for j in 0..rows {
            for i in 0..=cols {
                let amp = 0.09 * height(j).min(width(i)).min(width(i.saturating_sub(1)));
                vertical.push(wiggle(c(i, j), c(i, j + 1), amp, i == 0 || i == cols, rng));
            }
        }
        Tiling {
            cols,
            rows,
            horizontal,
            vertical,
        }
    }

    /// The closed counter-clockwise ring of cell (i, j).
    fn ring(&self, i: usize, j: usize) -> Vec<[f64; 2]> {
        let h = |i: usize, j: usize| &self.horizontal[j * self.cols + i];
        let v = |i: usize, j: usize| &self.vertical[j * (self.cols + 1) + i];
        let mut ring = Vec::with_capacity(4 * SEGMENTS + 1);
        ring.extend_from_slice(&h(i, j)[..SEGMENTS]);
        ring.extend_from_slice(&v(i + 1, j)[..SEGMENTS]);
        ring.extend(h(i, j + 1).iter().rev().take(SEGMENTS));
        ring.extend(v(i, j).iter().rev().take(SEGMENTS));
        ring.push(ring[0]);
        ring
    }

    fn geojson(&self, code: &(dyn Fn(usize, usize) -> String + Sync)) -> String {
        let features: Vec<String> = (0..self.rows)
            .into_par_iter()
            .flat_map_iter(|j| {
                (0..self.cols).map(move |i| {
                    let mut f = String::with_capacity(4096);
                    write!(
                        f,
                        r#"{{"type":"Feature","properties":{{"code":"{}"}},"geometry":{{"type":"Polygon","coordinates":[["#,
                        code(i, j)
                    )
                    .unwrap();
                    for (k, p) in self.ring(i, j).iter().enumerate() {
                        if k > 0 {
                            f.push(',');
                        }
                        write!(f, "[{:.2},{:.2}]", p[0], p[1]).unwrap();
                    }
                    f.push_str("]]}}");
                    f
                })
            })
            .collect();
        format!(
            "{{\"type\":\"FeatureCollection\",\"crs\":{{\"type\":\"name\",\"properties\":{{\"name\":\"urn:ogc:def:crs:EPSG::3006\"}}}},\"features\":[\n{}\n]}}\n",
            features.join(",\n")
        )
    }
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut out = PathBuf::from("target/compare-data");
    let (mut points, mut seed) = (10_000_000usize, 20_260_101u64);
    let (mut cols, mut rows, mut tcols, mut trows) = (60usize, 100usize, 25usize, 40usize);
    let num = |v: Option<String>| -> usize { v.and_then(|s| s.parse().ok()).unwrap_or(0) };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--out" => out = PathBuf::from(args.next().unwrap_or_default()),
            "--points" => points = num(args.next()),
            "--seed" => seed = num(args.next()) as u64,
            "--grid" => (cols, rows) = (num(args.next()), num(args.next())),
            "--targets" => (tcols, trows) = (num(args.next()), num(args.next())),
            other => {
                eprintln!("unknown argument {other}");
                std::process::exit(2);
            }
        }
    }
    assert!(
        cols >= 2 && rows >= 2 && tcols >= 1 && trows >= 1,
        "bad grid"
    );
    std::fs::create_dir_all(&out)?;
    let towns = towns(seed);
    let rng = Rng(seed);

    // Areas, denser around towns.
    let bx: Vec<_> = towns
        .iter()
        .map(|t| (t.x, t.weight, 4.0 * t.sigma))
        .collect();
    let by: Vec<_> = towns
        .iter()
        .map(|t| (t.y, t.weight, 4.0 * t.sigma))
        .collect();
    let xs = cuts(X0, X1, cols, &bx);
    let ys = cuts(Y0, Y1, rows, &by);
    let areas = Tiling::new(&xs, &ys, &mut rng.fork(2));
    let area_code = |i: usize, j: usize| format!("{:04}C{:04}", 1000 + j, 1000 + i);
    std::fs::write(out.join("areas.geojson"), areas.geojson(&area_code))?;

    // Catchments, uniform.
    let txs: Vec<f64> = (0..=tcols)
        .map(|i| X0 + (X1 - X0) * i as f64 / tcols as f64)
        .collect();
    let tys: Vec<f64> = (0..=trows)
        .map(|j| Y0 + (Y1 - Y0) * j as f64 / trows as f64)
        .collect();
    let targets = Tiling::new(&txs, &tys, &mut rng.fork(3));
    let target_code = |i: usize, j: usize| format!("BVC{:05}", j * tcols + i);
    std::fs::write(
        out.join("catchments.geojson"),
        targets.geojson(&target_code),
    )?;

    // The area table.
    let mut table = String::from("code,population,under5\n");
    let mut trng = rng.fork(4);
    for j in 0..rows {
        for i in 0..cols {
            let population = 700 + (trng.f64() * 2_300.0) as u64;
            let under5 = (population as f64 * (0.03 + 0.05 * trng.f64())) as u64;
            writeln!(table, "{},{population},{under5}", area_code(i, j)).unwrap();
        }
    }
    std::fs::write(out.join("areas.csv"), table)?;

    // Points, in blocks of 100 000 with their own streams (parallel, deterministic).
    let cum: Vec<f64> = towns
        .iter()
        .scan(0.0, |s, t| {
            *s += t.weight;
            Some(*s)
        })
        .collect();
    let vertex_count = areas.horizontal.len() + areas.vertical.len();
    let block = 100_000;
    let blocks = points.div_ceil(block);
    let texts: Vec<String> = (0..blocks)
        .into_par_iter()
        .map(|b| {
            let mut r = rng.fork(1_000 + b as u64);
            let from = b * block;
            let to = (from + block).min(points);
            let mut s = String::with_capacity((to - from) * 28);
            for id in from..to {
                let u = r.f64();
                let (x, y, exact) = if u < 0.0002 {
                    // Exactly on a vertex of some area's boundary.
                    let e = (r.f64() * vertex_count as f64) as usize;
                    let edge = if e < areas.horizontal.len() {
                        &areas.horizontal[e]
                    } else {
                        &areas.vertical[e - areas.horizontal.len()]
                    };
                    let p = edge[(r.f64() * SEGMENTS as f64) as usize];
                    (p[0], p[1], true)
                } else if u < 0.01 {
                    // Outside the rectangle (at sea, east or south).
                    if r.f64() < 0.5 {
                        (
                            X1 + 1.0 + 60_000.0 * r.f64(),
                            Y0 + (Y1 - Y0) * r.f64(),
                            false,
                        )
                    } else {
                        (
                            X0 + (X1 - X0) * r.f64(),
                            Y0 - 1.0 - 40_000.0 * r.f64(),
                            false,
                        )
                    }
                } else if u < 0.11 {
                    (X0 + (X1 - X0) * r.f64(), Y0 + (Y1 - Y0) * r.f64(), false)
                } else {
                    let v = r.f64();
                    let t = cum.partition_point(|&c| c < v).min(towns.len() - 1);
                    let town = &towns[t];
                    let spread = if r.f64() < 0.9 { 1.0 } else { 3.0 };
                    (
                        town.x + town.sigma * spread * r.normal(),
                        town.y + town.sigma * spread * r.normal(),
                        false,
                    )
                };
                if exact {
                    writeln!(s, "{id},{x:.2},{y:.2}").unwrap();
                } else {
                    writeln!(s, "{id},{x:.1},{y:.1}").unwrap();
                }
            }
            s
        })
        .collect();
    let mut f = std::io::BufWriter::new(std::fs::File::create(out.join("points.csv"))?);
    f.write_all(b"id,x,y\n")?;
    for t in &texts {
        f.write_all(t.as_bytes())?;
    }
    f.flush()?;
    let vertices = cols * rows * 4 * SEGMENTS;
    println!(
        "wrote {}: {} areas ({} vertices), {} catchments, {} points",
        out.display(),
        cols * rows,
        vertices,
        tcols * trows,
        points
    );
    Ok(())
}
