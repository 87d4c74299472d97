//! Properties (proptest) of the scores, the spatial steps and the plan:
//!
//! * CNI (SCB's method) is monotone in each positively weighted count: raising one
//!   area's count never lowers its CNI, and (with R computed from the input) never
//!   raises another area's.
//! * Results do not depend on input row order: CNI (both methods), VTI, point
//!   assignment counts, interpolation.
//! * Extensive totals are conserved through areal interpolation and through
//!   aggregation of areas to catchments, when the targets cover the sources.
//! * Every point lands in at most one area, and it is the area the edge rule
//!   names (brute force over geo's predicates), also on shared edges and vertices.
//! * The plan never exceeds its budget: unequal wave budgets, lock-ins and
//!   lock-outs, both solvers, whole catchments or areas as units (tests/plan.rs
//!   has the optimality properties).
//!
//! Case counts are modest (`PROPTEST_CASES` raises them).

mod common;

use careneed::inputs::points::parse_points;
use careneed::inputs::table::{TableSpec, parse_table};
use careneed::plan::select::{Candidate, Group, Solver, select, select_areas};
use careneed::scores::{cni, vti};
use careneed::spatial::assign::{AreaIndex, assign};
use careneed::spatial::catchments::{from_polygons, summarise};
use careneed::spatial::interpolate::{InterpolateSpec, interpolate};
use common::geometry::{boundaries, grid, table};
use geo::{Contains, Intersects, Point};
use proptest::prelude::*;
use std::collections::BTreeMap;

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance * (1.0 + a.abs().max(b.abs()))
}

/// SCB's seven variables, in the library's order (the rows below hold seven
/// shares, one per variable).
fn variables() -> Vec<String> {
    let names: Vec<String> = cni::default_variables()
        .into_iter()
        .map(|v| v.name)
        .collect();
    assert_eq!(names.len(), 7);
    names
}

/// Area rows: population 1…5000 and each count a share of it.
fn area_rows() -> impl Strategy<Value = Vec<(u32, [f64; 7])>> {
    prop::collection::vec((1u32..5000, prop::array::uniform7(0.0..1.0f64)), 2..10)
}

fn areas_csv(rows: &[(u32, [f64; 7])], order: &[usize]) -> String {
    // The research variant's denominators, all the population (within every bound).
    let mut csv = format!(
        "code,population,{},pop_65plus,pop_16_64,pop_25_64\n",
        variables().join(",")
    );
    for &i in order {
        let (pop, shares) = &rows[i];
        let counts: Vec<String> = shares
            .iter()
            .map(|s| (s * f64::from(*pop)).floor().to_string())
            .collect();
        csv.push_str(&format!(
            "A{i:03},{pop},{},{pop},{pop},{pop}\n",
            counts.join(",")
        ));
    }
    csv
}

fn cni_by_code(csv: &str, spec: &cni::CniSpec) -> BTreeMap<String, (Option<f64>, Option<f64>)> {
    let (t, _) = parse_table("areas.csv", csv.as_bytes(), &TableSpec::areas()).unwrap();
    let r = cni::compute(&t, spec).unwrap();
    r.areas
        .iter()
        .map(|a| {
            (
                a.code.clone(),
                (a.cni, a.research.as_ref().map(|x| x.shifted)),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn cni_is_monotone_in_every_positively_weighted_count(
        rows in area_rows(),
        pick in any::<prop::sample::Index>(),
        variable in 0usize..7,
        raise in 1u32..2000,
    ) {
        let i = pick.index(rows.len());
        let order: Vec<usize> = (0..rows.len()).collect();
        let before = areas_csv(&rows, &order);
        // Raise one count, up to the population.
        let mut raised = rows.clone();
        let pop = f64::from(raised[i].0);
        let count = (raised[i].1[variable] * pop).floor();
        raised[i].1[variable] = ((count + f64::from(raise)).min(pop) + 0.5) / pop;
        let after = areas_csv(&raised, &order);
        let weight = cni::default_variables()
            .iter()
            .find(|v| v.name == variables()[variable])
            .unwrap()
            .weight;
        prop_assert!(weight > 0.0);
        for reference in [cni::Reference::FromInput, cni::Reference::Given(2.0)] {
            let spec = cni::CniSpec { reference: reference.clone(), ..cni::CniSpec::default() };
            let (b, a) = (cni_by_code(&before, &spec), cni_by_code(&after, &spec));
            let code = format!("A{i:03}");
            let (cb, ca) = (b[&code].0.unwrap(), a[&code].0.unwrap());
            prop_assert!(ca >= cb - 1e-12 * cb, "{code}: {cb} -> {ca} ({reference:?})");
            if reference == cni::Reference::FromInput {
                for (other, (x, _)) in &b {
                    if *other != code {
                        let (x, y) = (x.unwrap(), a[other].0.unwrap());
                        prop_assert!(y <= x + 1e-12 * x, "{other}: {x} -> {y}");
                    }
                }
            }
        }
    }

    #[test]
    fn cni_does_not_depend_on_row_order(
        rows in area_rows(),
        seed in any::<u64>(),
    ) {
        let order: Vec<usize> = (0..rows.len()).collect();
        let mut shuffled = order.clone();
        shuffle(&mut shuffled, seed);
        for method in [cni::Method::Scb, cni::Method::Research] {
            let spec = cni::CniSpec { method, ..cni::CniSpec::default() };
            let a = cni_by_code(&areas_csv(&rows, &order), &spec);
            let b = cni_by_code(&areas_csv(&rows, &shuffled), &spec);
            prop_assert_eq!(a.len(), b.len());
            for (code, (scb, research)) in &a {
                let (scb2, research2) = b[code];
                prop_assert_eq!(scb.is_some(), scb2.is_some());
                if let (Some(x), Some(y)) = (scb, scb2) {
                    prop_assert!(close(*x, y, 1e-12), "{code}: {x} vs {y}");
                }
                prop_assert_eq!(research.is_some(), research2.is_some());
                if let (Some(x), Some(y)) = (research, research2) {
                    prop_assert!(close(*x, y, 1e-9), "{code}: {x} vs {y}");
                }
            }
        }
    }

    #[test]
    fn vti_does_not_depend_on_row_order(
        centres in prop::collection::vec((1u32..500, prop::array::uniform3(0.0..1.0f64)), 1..12),
        seed in any::<u64>(),
    ) {
        let csv = |order: &[usize]| {
            let mut csv = "bvc,newborns,first_born,bcg_indicated,mother_smoking\n".to_string();
            for &i in order {
                let (n, s) = &centres[i];
                let f = |x: f64| (x * f64::from(*n)).floor();
                csv.push_str(&format!("B{i},{n},{},{},{}\n", f(s[0]), f(s[1]), f(s[2])));
            }
            csv
        };
        let order: Vec<usize> = (0..centres.len()).collect();
        let mut shuffled = order.clone();
        shuffle(&mut shuffled, seed);
        let run = |order: &[usize]| {
            let (t, _) = parse_table("bvc.csv", csv(order).as_bytes(), &TableSpec::bvc_vti()).unwrap();
            let r = vti::compute(&t, &vti::VtiSpec::default()).unwrap();
            r.centres
                .iter()
                .map(|c| (c.bvc.clone(), (c.vti, c.weighted_newborns)))
                .collect::<BTreeMap<_, _>>()
        };
        let (a, b) = (run(&order), run(&shuffled));
        prop_assert_eq!(a.len(), b.len());
        for (bvc, (v, w)) in &a {
            let (v2, w2) = b[bvc];
            prop_assert!(close(*w, w2, 1e-12));
            prop_assert_eq!(v.is_some(), v2.is_some());
            if let (Some(x), Some(y)) = (v, v2) {
                prop_assert!(close(*x, y, 1e-12), "{bvc}: {x} vs {y}");
            }
        }
    }
}

/// A deterministic Fisher–Yates shuffle.
fn shuffle<T>(v: &mut [T], mut seed: u64) {
    for i in (1..v.len()).rev() {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let j = ((seed >> 33) % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
}

/// Cut positions of a grid over [0, 1000] m (plus an offset into SWEREF99 TM).
fn cuts() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::btree_set(1u32..1000, 0..4).prop_map(|inner| {
        std::iter::once(0)
            .chain(inner)
            .chain(std::iter::once(1000))
            .map(f64::from)
            .collect()
    })
}

const X0: f64 = 600_000.0;
const Y0: f64 = 6_700_000.0;

fn shift(cuts: &[f64], by: f64) -> Vec<f64> {
    cuts.iter().map(|c| c + by).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn interpolation_conserves_totals_and_ignores_row_order(
        (sx, sy, tx, ty) in (cuts(), cuts(), cuts(), cuts()),
        values in prop::collection::vec((0u32..10_000, 0u32..100), 25),
        seed in any::<u64>(),
    ) {
        let sources = grid("sources", "s", &shift(&sx, X0), &shift(&sy, Y0));
        let targets = grid("targets", "t", &shift(&tx, X0), &shift(&ty, Y0));
        let rows: Vec<(String, Vec<f64>)> = sources
            .areas
            .iter()
            .zip(&values)
            .map(|(a, (p, c))| (a.code.clone(), vec![f64::from(*p), f64::from(*c)]))
            .collect();
        let spec = InterpolateSpec::new(&["pop", "children"], &[]);
        let out = interpolate(&sources, &table("v.csv", &["pop", "children"], &rows), &targets, &spec, None).unwrap();
        for (k, total) in [(0, rows.iter().map(|r| r.1[0]).sum::<f64>()), (1, rows.iter().map(|r| r.1[1]).sum())] {
            let sum: f64 = out.values.iter().map(|v| v[k].unwrap()).sum();
            prop_assert!(close(sum, total, 1e-9), "column {k}: {sum} vs {total}");
            prop_assert!(out.values.iter().all(|v| v[k].unwrap() >= 0.0));
        }
        // Sources and table rows in another order: the same values per target.
        let mut order: Vec<usize> = (0..rows.len()).collect();
        shuffle(&mut order, seed);
        let sources2 = boundaries("sources", order.iter().map(|&i| sources.areas[i].clone()).collect());
        let rows2: Vec<(String, Vec<f64>)> = order.iter().rev().map(|&i| rows[i].clone()).collect();
        let out2 = interpolate(&sources2, &table("v.csv", &["pop", "children"], &rows2), &targets, &spec, None).unwrap();
        prop_assert_eq!(&out.targets, &out2.targets);
        for (a, b) in out.values.iter().zip(&out2.values) {
            for (x, y) in a.iter().zip(b) {
                prop_assert!(close(x.unwrap(), y.unwrap(), 1e-9), "{x:?} vs {y:?}");
            }
        }
    }

    #[test]
    fn aggregation_to_catchments_conserves_totals(
        (ax, ay, cx, cy) in (cuts(), cuts(), cuts(), cuts()),
        values in prop::collection::vec((0u32..10_000, 0u64..100, 0.5..2.0f64), 25),
    ) {
        let areas = grid("areas", "a", &shift(&ax, X0), &shift(&ay, Y0));
        let polygons = grid("catchments", "bvc", &shift(&cx, X0), &shift(&cy, Y0));
        let (c, _) = from_polygons(&areas, &polygons).unwrap();
        let n = areas.len();
        let population: Vec<Option<f64>> = values[..n].iter().map(|v| Some(f64::from(v.0))).collect();
        let children: Vec<u64> = values[..n].iter().map(|v| v.1).collect();
        let cni: Vec<Option<f64>> = values[..n].iter().map(|v| Some(v.2)).collect();
        let summary = summarise(&c, &areas, &population, &cni, &children, None);
        let total_pop: f64 = population.iter().flatten().sum();
        let total_children: f64 = children.iter().map(|&c| c as f64).sum();
        let pop: f64 = summary.iter().map(|s| s.population).sum();
        let kids: f64 = summary.iter().map(|s| s.children).sum();
        prop_assert!(close(pop, total_pop, 1e-9), "{pop} vs {total_pop}");
        prop_assert!(close(kids, total_children, 1e-9), "{kids} vs {total_children}");
        // The population-weighted CNI is conserved too.
        let weighted: f64 = summary.iter().filter_map(|s| s.cni.map(|x| x * s.population)).sum();
        let expected: f64 = population.iter().zip(&cni).map(|(p, c)| p.unwrap() * c.unwrap()).sum();
        prop_assert!(close(weighted, expected, 1e-9), "{weighted} vs {expected}");
    }

    #[test]
    fn every_point_lands_in_at_most_one_area_by_the_edge_rule(
        (xs, ys) in (cuts(), cuts()),
        codes_seed in any::<u64>(),
        points in prop::collection::vec((0usize..8, -2i32..1003, 0usize..8, -2i32..1003), 1..60),
        seed in any::<u64>(),
    ) {
        // Areas with codes in shuffled order, so the smallest code is not the first.
        let mut areas = grid("areas", "a", &shift(&xs, X0), &shift(&ys, Y0));
        let mut codes: Vec<usize> = (0..areas.len()).collect();
        shuffle(&mut codes, codes_seed);
        for (a, c) in areas.areas.iter_mut().zip(&codes) {
            a.code = format!("c{c:02}");
        }
        let areas = boundaries("areas", areas.areas);
        // Points on cut lines (shared edges, vertices), or anywhere, or just outside.
        let pick = |k: usize, free: i32, cuts: &[f64]| if k < cuts.len() { cuts[k] } else { f64::from(free) };
        let coords: Vec<(f64, f64)> = points
            .iter()
            .map(|&(kx, fx, ky, fy)| (X0 + pick(kx, fx, &xs), Y0 + pick(ky, fy, &ys)))
            .collect();
        let mut csv = "x,y\n".to_string();
        for (x, y) in &coords {
            csv.push_str(&format!("{x},{y}\n"));
        }
        let (p, _) = parse_points("p.csv", csv.as_bytes(), "x", "y").unwrap();
        let index = AreaIndex::new(&areas);
        let result = assign(&index, &p, &|_| {});
        for (k, &(x, y)) in coords.iter().enumerate() {
            let point = Point::new(x, y);
            let inside: Vec<usize> = (0..areas.len()).filter(|&i| areas.areas[i].geometry.contains(&point)).collect();
            let closure: Vec<usize> = (0..areas.len()).filter(|&i| areas.areas[i].geometry.intersects(&point)).collect();
            prop_assert!(inside.len() <= 1, "({x}, {y}) inside {inside:?}");
            let expected = if inside.is_empty() {
                closure.iter().copied().min_by(|&a, &b| areas.areas[a].code.cmp(&areas.areas[b].code))
            } else {
                inside.first().copied()
            };
            prop_assert_eq!(result.area[k], expected, "({}, {})", x, y);
        }
        let assigned = result.area.iter().flatten().count() as u64;
        prop_assert_eq!(result.counts.iter().sum::<u64>(), assigned);
        prop_assert_eq!(assigned + result.outside.len() as u64, coords.len() as u64);
        // The same points in another order: the same counts.
        let mut order: Vec<usize> = (0..coords.len()).collect();
        shuffle(&mut order, seed);
        let mut csv = "x,y\n".to_string();
        for &k in &order {
            csv.push_str(&format!("{},{}\n", coords[k].0, coords[k].1));
        }
        let (p2, _) = parse_points("p.csv", csv.as_bytes(), "x", "y").unwrap();
        let result2 = assign(&index, &p2, &|_| {});
        prop_assert_eq!(&result.counts, &result2.counts);
        for (j, &k) in order.iter().enumerate() {
            prop_assert_eq!(result2.area[j], result.area[k]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn the_plan_never_exceeds_its_budget(
        c in prop::collection::vec(
            (0.0..100.0f64, 0.0..3.0f64, prop::bool::weighted(0.15), prop::bool::weighted(0.8)),
            1..12,
        ),
        budgets in prop::collection::vec(0.0..4.0f64, 1..5),
        seed in any::<u64>(),
    ) {
        let candidates: Vec<Candidate> = c
            .iter()
            .map(|&(need, cost, locked_in, allowed)| Candidate { need, cost, locked_in, allowed })
            .collect();
        let mut priority: Vec<usize> = (0..candidates.len()).collect();
        shuffle(&mut priority, seed);
        let locked: f64 = candidates.iter().filter(|x| x.locked_in).map(|x| x.cost).sum();
        let total: f64 = budgets.iter().sum();
        let slack = 1e-9 * total.max(1.0);
        for solver in [Solver::Exact, Solver::Greedy] {
            let s = select(&candidates, &budgets, solver, &priority).unwrap();
            // Lock-ins are wave 0 (running, outside the budgets); locked-out
            // and zero-need candidates are never chosen.
            for (i, x) in candidates.iter().enumerate() {
                if x.locked_in {
                    prop_assert_eq!(s.wave[i], Some(0));
                } else if !x.allowed || x.need <= 0.0 {
                    prop_assert_eq!(s.wave[i], None);
                }
            }
            // The total, and every cumulative budget, holds for the new waves.
            let cost: f64 = (0..candidates.len()).filter(|&i| s.wave[i].is_some()).map(|i| candidates[i].cost).sum();
            prop_assert!(close(cost, s.cost, 1e-12));
            prop_assert!(close(s.running.cost, locked, 1e-12));
            prop_assert!(cost - locked <= total + slack, "{cost} - {locked} > {total}");
            let (mut spent, mut capacity) = (0.0, 0.0);
            for (k, w) in s.waves.iter().enumerate() {
                spent += w.cost;
                capacity += budgets[k];
                prop_assert!(close(w.capacity, capacity, 1e-12));
                prop_assert!(spent <= capacity + slack, "wave {}: {spent} > {capacity}", k + 1);
            }
            prop_assert!(close(s.left, (total - spent).max(0.0), 1e-9));
        }
    }

    #[test]
    fn areas_as_units_never_exceed_the_budget(
        g in prop::collection::vec(
            (
                prop::collection::vec((0.0..50.0f64, 0.0..2.0f64), 0..5),
                prop::bool::weighted(0.15),
                prop::bool::weighted(0.8),
            ),
            1..6,
        ),
        budgets in prop::collection::vec(0.0..4.0f64, 1..4),
        seed in any::<u64>(),
    ) {
        let groups: Vec<Group> = g
            .iter()
            .map(|(areas, locked_in, allowed)| Group {
                need: areas.iter().map(|a| a.0).collect(),
                cost: areas.iter().map(|a| a.1).collect(),
                locked_in: *locked_in,
                allowed: *allowed,
            })
            .collect();
        let mut priority: Vec<usize> = (0..groups.len()).collect();
        shuffle(&mut priority, seed);
        let total: f64 = budgets.iter().sum();
        let slack = 1e-9 * total.max(1.0);
        for solver in [Solver::Exact, Solver::Greedy] {
            let s = select_areas(&groups, &budgets, solver, &priority).unwrap();
            let k = s.covered.clone().unwrap();
            let prefix = |x: &[f64], k: usize| x[..k].iter().sum::<f64>();
            let mut new_cost = 0.0;
            for (i, x) in groups.iter().enumerate() {
                if x.locked_in {
                    // A running catchment is covered whole, in wave 0.
                    prop_assert_eq!((s.wave[i], k[i]), (Some(0), x.need.len()));
                } else if !x.allowed {
                    prop_assert_eq!((s.wave[i], k[i]), (None, 0));
                } else {
                    prop_assert_eq!(s.wave[i].is_some(), k[i] > 0);
                    new_cost += prefix(&x.cost, k[i]);
                }
            }
            prop_assert!(new_cost <= total + slack, "{new_cost} > {total}");
            let (mut spent, mut capacity) = (0.0, 0.0);
            for (w, b) in s.waves.iter().zip(&budgets) {
                spent += w.cost;
                capacity += b;
                prop_assert!(spent <= capacity + slack, "{spent} > {capacity}");
            }
            prop_assert!(close(spent, new_cost, 1e-12));
        }
    }
}
