//! Benchmarks of the plan stage.
//!
//! * `knapsack_{25,100,1000}`: the exact branch and bound on seeded random
//!   instances shaped like plans: families uniform in 5–150, need = families ×
//!   CNI (CNI uniform in 0.6–2.0), cost = families × 0.00819 FTE (Rinkeby
//!   defaults), budget 20 % of the total cost; `greedy_1000` for comparison.
//! * `monte_carlo_demo_1000`: the demo plan's Monte Carlo, 1 000 draws (each a
//!   CNI and VTI evaluation, a ranking and an exact two-wave selection).
//!
//! `cargo bench --bench plan`

use careneed::plan::select::{greedy, knapsack};
use careneed::synth::rng::SplitMix64;
use careneed::{pipeline, scenario::Scenario};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;

fn instance(n: usize) -> (Vec<f64>, Vec<f64>, f64) {
    let mut rng = SplitMix64::new(n as u64);
    let (mut need, mut cost) = (Vec::new(), Vec::new());
    for _ in 0..n {
        let families = rng.range(5.0, 150.0);
        need.push(families * rng.range(0.6, 2.0));
        cost.push(families * 0.00819);
    }
    let budget = cost.iter().sum::<f64>() * 0.2;
    (need, cost, budget)
}

fn selection(c: &mut Criterion) {
    for n in [25, 100, 1000] {
        let (need, cost, budget) = instance(n);
        c.bench_function(&format!("knapsack_{n}"), |b| {
            b.iter(|| knapsack(black_box(&need), black_box(&cost), budget).unwrap())
        });
    }
    let (need, cost, budget) = instance(1000);
    c.bench_function("greedy_1000", |b| {
        b.iter(|| greedy(black_box(&need), black_box(&cost), budget))
    });
}

fn monte_carlo(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo");
    let mut s = Scenario::read(&dir.join("scenario.toml")).unwrap();
    let robustness = s.plan.as_mut().unwrap().robustness.take();
    let run = pipeline::run(&s).unwrap();
    s.plan.as_mut().unwrap().robustness = robustness;
    let spec = s.plan_spec().unwrap().unwrap();
    let births = careneed::inputs::table::read_table(
        &dir.join("births.csv"),
        &careneed::inputs::table::TableSpec::births(),
    )
    .unwrap()
    .0;
    let mut group = c.benchmark_group("plan");
    group.sample_size(10);
    group.bench_function("monte_carlo_demo_1000", |b| {
        let input = careneed::plan::PlanInput {
            source: &s.source,
            table: &run.table,
            cni: &run.cni,
            areas: &run.areas,
            catchments: run.catchments.as_ref().unwrap(),
            vti: run.vti.as_ref(),
            births: Some(&births),
        };
        b.iter(|| careneed::plan::plan(black_box(&input), &spec).unwrap())
    });
    group.finish();
}

criterion_group!(benches, selection, monte_carlo);
criterion_main!(benches);
