//! People: area counts from a latent deprivation/age structure, child health
//! centres, geocoded children, the VTI table and births.

use super::geometry::Layout;
use super::rng::{SplitMix64, exp};
use super::{AreaKind, SynthArea, SynthBvc, SynthChild, SynthConfig};
use crate::error::Error;
use geo::{Contains, Point};

fn compute(e: impl std::fmt::Display) -> Error {
    Error::Compute(format!("synthetic county: {e}"))
}

/// Splits `total` into `n` integers within `lo..=hi`, lognormally varied.
fn split_population(
    total: u32,
    n: usize,
    lo: f64,
    hi: f64,
    rng: &mut SplitMix64,
) -> Result<Vec<u32>, Error> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let avg = f64::from(total) / n as f64;
    if avg < lo || avg > hi {
        return Err(compute(format!(
            "{total} people in {n} areas is outside {lo}–{hi} per area"
        )));
    }
    let u: Vec<f64> = (0..n).map(|_| exp(0.3 * rng.normal())).collect();
    let su: f64 = u.iter().sum();
    let mut p: Vec<f64> = u.iter().map(|x| f64::from(total) * x / su).collect();
    for _ in 0..100 {
        let mut free = 0.0;
        let mut fixed = 0.0;
        for x in p.iter_mut() {
            *x = x.clamp(lo, hi);
        }
        for &x in &p {
            if x > lo && x < hi {
                free += x;
            } else {
                fixed += x;
            }
        }
        let want = f64::from(total) - fixed;
        if free <= 0.0 || (want - free).abs() < 1e-6 {
            break;
        }
        let f = want / free;
        for x in p.iter_mut() {
            if *x > lo && *x < hi {
                *x *= f;
            }
        }
    }
    // Largest remainder to hit the total exactly.
    let mut out: Vec<u32> = p.iter().map(|x| x.floor() as u32).collect();
    let mut rest: Vec<(f64, usize)> = p
        .iter()
        .enumerate()
        .map(|(i, x)| (x - x.floor(), i))
        .collect();
    rest.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let short = total.saturating_sub(out.iter().sum::<u32>()) as usize;
    for &(_, i) in rest.iter().cycle().take(short) {
        out[i] += 1;
    }
    Ok(out)
}

fn count(pop: u32, rate: f64) -> u32 {
    ((f64::from(pop) * rate).round() as u32).min(pop)
}

/// Latent structure and counts of every area, in layout (code) order.
pub(crate) fn areas(
    config: &SynthConfig,
    layout: &Layout,
    root: &SplitMix64,
) -> Result<Vec<SynthArea>, Error> {
    let mut rng = root.fork(20);
    let n_munis = config.municipalities.len();
    let mut pops = vec![0u32; layout.areas.len()];
    for m in 0..n_munis {
        let idx: Vec<usize> = (0..layout.areas.len())
            .filter(|&a| layout.areas[a].muni == m)
            .collect();
        let split = split_population(
            config.municipalities[m].population,
            idx.len(),
            720.0,
            2680.0,
            &mut rng,
        )?;
        for (&a, p) in idx.iter().zip(split) {
            pops[a] = p;
        }
    }
    let mut out = Vec::with_capacity(layout.areas.len());
    for (a, def) in layout.areas.iter().enumerate() {
        let spec = &config.municipalities[def.muni];
        let pop = pops[a];
        let rural = match def.kind {
            AreaKind::Rural => 1.0,
            AreaKind::Locality => 0.5,
            AreaKind::MainTown => 0.0,
        };
        let d = if def.deprived {
            2.35 + 0.45 * rng.f64()
        } else {
            match def.kind {
                AreaKind::MainTown => (0.55 * rng.normal() - 0.1).clamp(-1.4, 1.3),
                AreaKind::Locality => (0.4 * rng.normal()).clamp(-1.0, 1.0),
                AreaKind::Rural => (0.35 * rng.normal() + 0.1).clamp(-0.8, 1.0),
            }
        };
        let age = (0.5 * rng.normal()).clamp(-1.2, 1.2);
        let jit = |rng: &mut SplitMix64, s: f64| 1.0 + s * rng.normal().clamp(-2.5, 2.5);

        let u5 = ((0.049 + 0.006 * d - 0.004 * rural - 0.004 * age) * jit(&mut rng, 0.06))
            .clamp(0.04, 0.08);
        let p65 = ((0.22 + 0.07 * rural - 0.025 * d + 0.045 * age) * jit(&mut rng, 0.05))
            .clamp(0.15, 0.35);
        let alone_share = (0.30 + 0.04 * d + 0.06 * rural).clamp(0.2, 0.5);
        let ea = (p65 * alone_share * jit(&mut rng, 0.05)).clamp(0.03, 0.15);
        let fb_base = match def.kind {
            AreaKind::MainTown => 0.085,
            AreaKind::Locality => 0.06,
            AreaKind::Rural => 0.045,
        };
        let fb = (fb_base * exp(0.58 * d) * jit(&mut rng, 0.1)).clamp(0.02, 0.45);
        let sp = ((0.025 + 0.009 * d) * jit(&mut rng, 0.08)).clamp(0.015, 0.05);
        let mv =
            ((0.11 + 0.03 * d - 0.02 * rural - 0.01 * age) * jit(&mut rng, 0.08)).clamp(0.06, 0.20);
        let un = ((0.031 + 0.016 * d + 0.004 * rural) * jit(&mut rng, 0.08)).clamp(0.015, 0.08);
        let le = ((0.075 + 0.022 * d + 0.035 * rural) * jit(&mut rng, 0.08)).clamp(0.04, 0.15);
        let p1664 = (1.0 - p65 - 3.3 * u5).clamp(0.55, 0.65);
        let p2564 = (p1664 * 0.805 * jit(&mut rng, 0.015)).clamp(0.45, 0.52);

        let pop_65plus = count(pop, p65);
        let pop_16_64 = count(pop, p1664);
        let pop_25_64 = count(pop, p2564).min(pop_16_64);
        let under5 = count(pop, u5);
        if u64::from(pop_65plus) + u64::from(pop_16_64) + u64::from(under5) > u64::from(pop) {
            return Err(compute(format!(
                "area {}: age groups exceed the population",
                def.code
            )));
        }
        out.push(SynthArea {
            code: def.code.clone(),
            name: def.name.clone(),
            kommunkod: spec.code.clone(),
            kommunnamn: spec.name.clone(),
            kind: def.kind,
            deprivation: d,
            population: pop,
            under5,
            foreign_born: count(pop, fb),
            elderly_alone: count(pop, ea).min(pop_65plus),
            single_parents: count(pop, sp),
            movers: count(pop, mv),
            unemployed: count(pop, un).min(pop_16_64),
            low_education: count(pop, le).min(pop_25_64),
            pop_65plus,
            pop_16_64,
            pop_25_64,
            births: 0,
            first_births: 0,
            first_in_sweden: 0,
            polygon: layout.area_polys[a].clone(),
        });
    }
    Ok(out)
}

/// Places the child health centres: in their town, at a deprived area when
/// asked, otherwise spread out (the first at the area nearest the town centre).
pub(crate) fn bvcs(config: &SynthConfig, layout: &Layout) -> Result<Vec<SynthBvc>, Error> {
    let mut used = vec![false; layout.areas.len()];
    let mut placed: Vec<(f64, f64, usize, usize)> = Vec::new(); // x, y, muni, town
    let mut numbers = vec![0usize; config.municipalities.len()];
    let mut out = Vec::new();
    for spec in &config.bvcs {
        let m = config
            .municipalities
            .iter()
            .position(|mm| mm.code == spec.municipality)
            .ok_or_else(|| {
                compute(format!(
                    "{}: no municipality {}",
                    spec.name, spec.municipality
                ))
            })?;
        let t = layout.towns[m]
            .iter()
            .position(|t| t.name == spec.locality)
            .ok_or_else(|| compute(format!("{}: no locality {}", spec.name, spec.locality)))?;
        let town = &layout.towns[m][t];
        let cands: Vec<usize> = (0..layout.areas.len())
            .filter(|&a| layout.areas[a].muni == m && layout.areas[a].town == Some(t) && !used[a])
            .collect();
        let point = |a: usize| layout.grid.centre(layout.interior[a]);
        let d2 =
            |p: (f64, f64), q: (f64, f64)| (p.0 - q.0) * (p.0 - q.0) + (p.1 - q.1) * (p.1 - q.1);
        let others: Vec<(f64, f64)> = placed
            .iter()
            .filter(|p| p.2 == m && p.3 == t)
            .map(|p| (p.0, p.1))
            .collect();
        let pick = if spec.deprived && cands.iter().any(|&a| layout.areas[a].deprived) {
            cands
                .iter()
                .copied()
                .filter(|&a| layout.areas[a].deprived)
                .min_by(|&a, &b| {
                    let far = |x: usize| {
                        -others
                            .iter()
                            .map(|&o| d2(point(x), o))
                            .fold(f64::MAX, f64::min)
                    };
                    far(a).total_cmp(&far(b)).then(a.cmp(&b))
                })
        } else if others.is_empty() {
            cands.iter().copied().min_by(|&a, &b| {
                d2(point(a), (town.x, town.y)).total_cmp(&d2(point(b), (town.x, town.y)))
            })
        } else {
            cands.iter().copied().max_by(|&a, &b| {
                let near = |x: usize| {
                    others
                        .iter()
                        .map(|&o| d2(point(x), o))
                        .fold(f64::MAX, f64::min)
                };
                near(a).total_cmp(&near(b)).then(b.cmp(&a))
            })
        };
        let a = pick
            .ok_or_else(|| compute(format!("{}: no free area in {}", spec.name, spec.locality)))?;
        used[a] = true;
        let (x, y) = point(a);
        placed.push((x, y, m, t));
        numbers[m] += 1;
        out.push(SynthBvc {
            id: format!("{}-{}", spec.municipality, numbers[m]),
            name: spec.name.clone(),
            kommunkod: spec.municipality.clone(),
            x,
            y,
            area: layout.areas[a].code.clone(),
            newborns: 0,
            first_born: 0,
            bcg_indicated: 0,
            mother_smoking: 0,
        });
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// A newborn and its flag probabilities.
struct Baby {
    bvc: usize,
    area: usize,
    child: usize,
    first: f64,
    in_sweden: f64,
    bcg: f64,
    smoking: f64,
}

/// Children 0–5 with homes, listed centres, and the newborn flags that feed the
/// VTI and births tables (which this fills in on `areas` and `bvcs`).
pub(crate) fn children(
    config: &SynthConfig,
    layout: &Layout,
    areas: &mut [SynthArea],
    bvcs: &mut [SynthBvc],
    root: &SplitMix64,
) -> Result<Vec<SynthChild>, Error> {
    let mut rng = root.fork(30);
    let grid = &layout.grid;
    let cell = grid.cell as f64;
    let mut out = Vec::new();
    let mut babies: Vec<Baby> = Vec::new();
    // Local habits per centre's catchment: first-born and smoking rates differ a
    // little beyond what the areas explain.
    let habit: Vec<(f64, f64)> = bvcs
        .iter()
        .map(|_| (rng.range(-0.03, 0.03), rng.range(-0.012, 0.012)))
        .collect();
    for (a, area) in areas.iter_mut().enumerate() {
        let cells = &layout.area_cells[a];
        let poly = &area.polygon;
        let n = (f64::from(area.under5) * config.children_per_under5 * exp(0.05 * rng.normal()))
            .round() as usize;
        // Where people live: around the area's deepest point in towns, around a
        // few villages in the countryside, and a scatter everywhere.
        let deep: Vec<usize> = {
            let best = cells.iter().map(|&c| layout.dist[c]).max().unwrap_or(1);
            let want = (best / 2).max(2).min(best);
            cells
                .iter()
                .copied()
                .filter(|&c| layout.dist[c] >= want)
                .collect()
        };
        let centres: Vec<usize> = match area.kind {
            AreaKind::Rural => (0..5).map(|_| deep[rng.below(deep.len())]).collect(),
            _ => vec![layout.interior[a]],
        };
        let spread = match area.kind {
            AreaKind::Rural => 700.0,
            _ => 0.45 * (cells.len() as f64).sqrt() * cell,
        };
        let fb_share = f64::from(area.foreign_born) / f64::from(area.population.max(1));
        let mut newborns = Vec::new();
        for _ in 0..n {
            let mut home = None;
            for attempt in 0..400 {
                let (x, y) = if attempt % 5 == 4 {
                    // scatter: anywhere in the area
                    let (cx, cy) = grid.centre(cells[rng.below(cells.len())]);
                    (
                        cx + rng.range(-0.45, 0.45) * cell,
                        cy + rng.range(-0.45, 0.45) * cell,
                    )
                } else {
                    let (cx, cy) = grid.centre(centres[rng.below(centres.len())]);
                    (cx + spread * rng.normal(), cy + spread * rng.normal())
                };
                let (x, y) = (x.round(), y.round());
                if grid.cell_at(x, y).map(|c| grid.labels[c]) != Some(a as u32) {
                    continue;
                }
                if poly.contains(&Point::new(x, y)) {
                    home = Some((x, y));
                    break;
                }
            }
            let (x, y) = match home {
                Some(h) => h,
                None => {
                    let (x, y) = grid.centre(layout.interior[a]);
                    if !poly.contains(&Point::new(x, y)) {
                        return Err(compute(format!("no home found inside area {}", area.code)));
                    }
                    (x, y)
                }
            };
            let age = rng.below(6) as u8;
            // Listed at the nearest centre, or the second nearest.
            let mut near: Vec<(f64, usize)> = bvcs
                .iter()
                .enumerate()
                .map(|(k, b)| ((b.x - x) * (b.x - x) + (b.y - y) * (b.y - y), k))
                .collect();
            near.sort_by(|p, q| p.0.total_cmp(&q.0).then(p.1.cmp(&q.1)));
            let k = if near.len() > 1 && !rng.chance(config.nearest_bvc_share) {
                near[1].1
            } else {
                near.first()
                    .map(|p| p.1)
                    .ok_or_else(|| compute("no child health centres"))?
            };
            if age == 0 {
                newborns.push((out.len(), k));
            }
            out.push(SynthChild {
                id: String::new(),
                x: x as i64,
                y: y as i64,
                age,
                bvc: bvcs[k].id.clone(),
                area: area.code.clone(),
            });
        }
        let d = area.deprivation;
        for &(child, k) in &newborns {
            babies.push(Baby {
                bvc: k,
                area: a,
                child,
                first: (0.435 - 0.02 * d + habit[k].0).clamp(0.38, 0.48),
                // Of the children who are not first-born.
                in_sweden: (0.05 + 0.55 * fb_share).min(0.35),
                bcg: (0.01 + 0.72 * fb_share).clamp(0.02, 0.35),
                smoking: (0.045 + 0.03 * d + habit[k].1).clamp(0.02, 0.12),
            });
        }
    }
    // Newborn flags by systematic sampling along the newborns ordered by centre
    // and area: every centre's and area's counts stay within about one of their
    // expectation, without dice deciding a small centre's share.
    babies.sort_by_key(|b| (b.bvc, b.area, b.child));
    let mut flags = vec![[false; 4]; babies.len()];
    let mut acc = [rng.f64(), rng.f64(), rng.f64(), rng.f64()];
    let mut take = |slot: usize, p: f64| {
        let before = acc[slot].floor();
        acc[slot] += p;
        acc[slot].floor() > before
    };
    for (b, f) in babies.iter().zip(flags.iter_mut()) {
        f[0] = take(0, b.first);
        f[1] = !f[0] && take(1, b.in_sweden);
        f[2] = take(2, b.bcg);
        f[3] = take(3, b.smoking);
    }
    for (b, f) in babies.iter().zip(&flags) {
        let area = &mut areas[b.area];
        area.births += 1;
        area.first_births += u32::from(f[0]);
        area.first_in_sweden += u32::from(f[1]);
        let c = &mut bvcs[b.bvc];
        c.newborns += 1;
        c.first_born += u32::from(f[0]);
        c.bcg_indicated += u32::from(f[2]);
        c.mother_smoking += u32::from(f[3]);
    }
    for (i, c) in out.iter_mut().enumerate() {
        c.id = format!("c{:06}", i + 1);
    }
    Ok(out)
}
