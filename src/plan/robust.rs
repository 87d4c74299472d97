//! Robustness: how much a plan's ranking and selection depend on the weights and
//! on noise in the counts, by seeded Monte Carlo.
//!
//! Each draw `d = 0, 1, …, draws − 1` uses its own random stream: ChaCha8
//! ([`rand::rngs::ChaCha8Rng`], from the `chacha20` crate) keyed by
//! `seed_from_u64(seed)` with stream number `d` (`set_stream(d)`). ChaCha's
//! output is defined by the cipher, the same on every platform and in every
//! version, and its 2⁶⁴ streams per key are independent, so the result does not
//! depend on the number of threads or the order rayon runs the draws in, and a
//! seed reproduces it byte for byte (given the same versions of `rand` and
//! `rand_distr`, which may change values only in minor versions, and a maths
//! library that rounds `exp`, `ln` and `powf` the same: the Poisson sampler's
//! acceptance tests use them).
//! A draw perturbs, in this order:
//!
//! * **weights**: every CNI weight and then the three VTI weights are multiplied
//!   by an independent factor uniform in `[1 − s, 1 + s]`
//!   ([`rand_distr::Uniform::new_inclusive`]; `s = weight_spread`, default 0.2,
//!   i.e. ±20 %);
//! * **counts** (when `count_noise`): every CNI count of every area, the first
//!   births and first-in-Sweden births of every area (the estimated births of
//!   estimated areas), and the newborns and the three VTI counts of every centre
//!   are replaced by a Poisson draw with the count as mean, like the cell-key
//!   noise SCB adds to small counts. The draws are exact: [`rand_distr::Poisson`]
//!   (Knuth's multiplication method below a mean of 12, Ahrens and Dieter's
//!   1982 normal-based rejection method, PD, from 12 up). A mean that is zero, negative or not finite gives 0; one
//!   above [`rand_distr::Poisson::MAX_LAMBDA`] (1.8·10¹⁹, where the noise would
//!   be below 10⁻⁹ of it) is kept as it is. VTI numerators are capped at the
//!   centre's newborns (by [`Model::evaluate`]); populations are not perturbed.
//!
//! The draw is then evaluated by the same [`Model`] as the plan, ranked by the
//! same measure and tie rule, and selected by the exact solver with the same
//! lock-ins, lock-outs, minimum CNI and relative VTI (on the draw's values) and
//! wave budgets. Per
//! catchment the result is the 90 % rank interval (the 5th and 95th
//! percentiles of its rank over the draws, nearest-rank method: the
//! `⌈0.05·D⌉`-th and `⌈0.95·D⌉`-th smallest) and `P(selected)`, the share of
//! draws that select it. With areas as units (`plan.units = "areas"`) each draw
//! selects prefixes of areas by the same exact solver
//! ([`select_areas`]) on the draw's figures;
//! `P(selected)` is then the share of draws covering at least one of the
//! catchment's areas, and the mean covered share the mean over the draws of
//! the share of its areas covered (summed as integers, so exact to the seed).
//!
//! The ranks are not kept draw by draw: per catchment the Monte Carlo counts
//! the draws at each rank and the draws that select it, and reads the
//! percentiles off those counts, so memory does not grow with the number of
//! draws (at most [`MAX_DRAWS`]).
//!
//! ```
//! use careneed::plan::robust::{percentile, poisson, stream};
//! // Ten draws, one at each rank 1..=10: the ⌈0.5⌉ = 1st and ⌈9.5⌉ = 10th smallest.
//! let counts = [1; 10];
//! assert_eq!(percentile(&counts, 0.05), 1);
//! assert_eq!(percentile(&counts, 0.95), 10);
//! // Twenty draws: 18 at rank 2, one each at 1 and 3: the 1st and the 19th smallest.
//! assert_eq!(percentile(&[1, 18, 1], 0.05), 1);
//! assert_eq!(percentile(&[1, 18, 1], 0.95), 2);
//! // The mean of many Poisson(4.5) draws is 4.5.
//! let mut rng = stream(7, 0);
//! let mean = (0..20_000).map(|_| poisson(&mut rng, 4.5)).sum::<f64>() / 20_000.0;
//! assert!((mean - 4.5).abs() < 0.05);
//! // Draw 3 of seed 7 is the same stream however it is reached.
//! let a: Vec<f64> = (0..5).map(|_| poisson(&mut stream(7, 3), 40.0)).collect();
//! let b: Vec<f64> = (0..5).map(|_| poisson(&mut stream(7, 3), 40.0)).collect();
//! assert_eq!(a, b);
//! ```

use super::Units;
use super::model::Model;
use super::select::{Candidate, Group, Selection, Solver, select, select_areas};
use crate::error::{Error, Result};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rand_distr::{Distribution, Poisson, Uniform};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The most draws a Monte Carlo may have (`plan.robustness.draws`): enough for
/// percentiles and shares far more precise than the inputs, and a bound on the
/// run time (about 8 s on 2 cores for the demo's 25 catchments).
pub const MAX_DRAWS: usize = 100_000;

/// Monte Carlo settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RobustSpec {
    /// Number of draws (1 to [`MAX_DRAWS`]).
    pub draws: usize,
    /// Seed of the random streams.
    pub seed: u64,
    /// Relative spread of the weights (0.2 = ±20 %).
    pub weight_spread: f64,
    /// Poisson noise on the counts.
    pub count_noise: bool,
}

impl Default for RobustSpec {
    fn default() -> Self {
        RobustSpec {
            draws: 1000,
            seed: 2024,
            weight_spread: 0.2,
            count_noise: true,
        }
    }
}

/// The selection rules a draw applies (the same as the plan's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rules {
    /// Locked in, per catchment.
    pub locked_in: Vec<bool>,
    /// Locked out, per catchment.
    pub locked_out: Vec<bool>,
    /// Minimum catchment CNI (strictly above), when set.
    pub min_cni: Option<f64>,
    /// Minimum relative VTI (strictly above), when set.
    pub min_relative_vti: Option<f64>,
    /// Wave budgets.
    pub budgets: Vec<f64>,
    /// Whole catchments, or areas nearest the BVC first.
    pub units: Units,
}

impl Rules {
    /// Candidates for [`select`] from a draw's figures.
    pub fn candidates(&self, f: &super::model::Figures) -> Vec<Candidate> {
        (0..f.need.len())
            .map(|c| Candidate {
                need: f.need[c],
                cost: f.cost[c],
                locked_in: self.locked_in.get(c).copied().unwrap_or(false),
                allowed: !self.locked_out.get(c).copied().unwrap_or(false)
                    && self
                        .min_cni
                        .is_none_or(|t| f.cni[c].is_some_and(|cni| cni > t))
                    && self
                        .min_relative_vti
                        .is_none_or(|t| f.relative_vti[c].is_some_and(|v| v > t)),
            })
            .collect()
    }

    /// Selects from a draw's figures by these rules: whole catchments with
    /// [`select`], areas with [`select_areas`] (a catchment's lock-in, lock-out
    /// and minimums apply to all its areas).
    pub fn select(
        &self,
        model: &Model,
        f: &super::model::Figures,
        solver: Solver,
        priority: &[usize],
    ) -> Result<Selection> {
        let candidates = self.candidates(f);
        match self.units {
            Units::Catchments => select(&candidates, &self.budgets, solver, priority),
            Units::Areas => {
                let groups: Vec<Group> = model
                    .area_units(f)
                    .into_iter()
                    .zip(&candidates)
                    .map(|((need, cost), c)| Group {
                        need,
                        cost,
                        locked_in: c.locked_in,
                        allowed: c.allowed,
                    })
                    .collect();
                select_areas(&groups, &self.budgets, solver, priority)
            }
        }
    }
}

/// Per catchment (parallel to [`Model::bvc`]): the rank interval and `P(selected)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Robustness {
    /// The settings.
    pub spec: RobustSpec,
    /// 5th percentile of the rank.
    pub rank_low: Vec<usize>,
    /// 95th percentile of the rank.
    pub rank_high: Vec<usize>,
    /// Share of draws selecting the catchment (with areas as units: covering
    /// at least one of its areas).
    pub p_selected: Vec<f64>,
    /// With areas as units: per catchment, the mean over the draws of the share
    /// of its areas covered; `None` with whole catchments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_covered_share: Option<Vec<f64>>,
}

/// The random stream of draw `draw` under `seed`: ChaCha8 keyed by
/// `seed_from_u64(seed)`, stream number `draw` (see the module docs).
pub fn stream(seed: u64, draw: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(draw);
    rng
}

/// A Poisson draw with mean `lambda` ([`rand_distr::Poisson`], exact); 0 when
/// `lambda` is not positive or not finite, `lambda` itself above
/// [`Poisson::MAX_LAMBDA`].
pub fn poisson<R: rand::Rng + ?Sized>(rng: &mut R, lambda: f64) -> f64 {
    if !lambda.is_finite() || lambda <= 0.0 {
        return 0.0;
    }
    match Poisson::new(lambda) {
        Ok(p) => p.sample(rng),
        Err(_) => lambda,
    }
}

/// The nearest-rank percentile `q` of the ranks counted in `counts`
/// (`counts[r]` draws at rank `r + 1`): with `D` draws in all, the rank of the
/// `⌈q·D⌉`-th smallest (at least the first); 0 when nothing is counted.
pub fn percentile(counts: &[u32], q: f64) -> usize {
    let total: u64 = counts.iter().map(|&c| u64::from(c)).sum();
    if total == 0 {
        return 0;
    }
    let k = ((q * total as f64).ceil() as u64).clamp(1, total);
    let mut seen = 0;
    for (r, &c) in counts.iter().enumerate() {
        seen += u64::from(c);
        if seen >= k {
            return r + 1;
        }
    }
    counts.len()
}

/// What the draws of one rayon chunk saw, for `n` catchments: `ranks[c·n + r]`
/// draws put catchment `c` at rank `r + 1`, `selected[c]` draws selected it.
/// Counts add up exactly, so merging chunks in any order gives the same result.
struct Tally {
    n: usize,
    ranks: Vec<u32>,
    selected: Vec<u32>,
    /// Σ areas covered over the draws (areas as units).
    covered: Vec<u64>,
}

impl Tally {
    fn new(n: usize) -> Tally {
        Tally {
            n,
            ranks: vec![0; n * n],
            selected: vec![0; n],
            covered: vec![0; n],
        }
    }

    fn merge(mut self, other: Tally) -> Tally {
        for (a, b) in self.ranks.iter_mut().zip(&other.ranks) {
            *a += b;
        }
        for (a, b) in self.selected.iter_mut().zip(&other.selected) {
            *a += b;
        }
        for (a, b) in self.covered.iter_mut().zip(&other.covered) {
            *a += b;
        }
        self
    }
}

fn perturb(
    model: &Model,
    spec: &RobustSpec,
    factor: &Uniform<f64>,
    draw: u64,
) -> super::model::Draw {
    let mut rng = stream(spec.seed, draw);
    let mut d = model.baseline();
    for w in d.weights.iter_mut().chain(d.vti_weights.iter_mut()) {
        *w *= factor.sample(&mut rng);
    }
    if spec.count_noise {
        for row in &mut d.counts {
            for n in row.iter_mut() {
                *n = poisson(&mut rng, *n);
            }
        }
        for x in d
            .births
            .iter_mut()
            .chain(d.first_births.iter_mut())
            .chain(d.first_in_sweden.iter_mut())
        {
            *x = poisson(&mut rng, *x);
        }
        for c in &mut d.vti_centres {
            for x in c.iter_mut() {
                *x = poisson(&mut rng, *x);
            }
        }
    }
    d
}

/// Runs the Monte Carlo (see the module docs). Memory does not grow with the
/// draws: per catchment a count of draws at each rank (`n²` counters for `n`
/// catchments, one set per rayon chunk) and a count of selections.
pub fn simulate(model: &Model, rules: &Rules, spec: &RobustSpec) -> Result<Robustness> {
    if !(1..=MAX_DRAWS).contains(&spec.draws) {
        return Err(Error::Compute(format!(
            "robustness: plan.robustness.draws must be between 1 and {MAX_DRAWS}, got {}",
            spec.draws
        )));
    }
    let s = spec.weight_spread;
    let factor = Uniform::new_inclusive(1.0 - s, 1.0 + s).map_err(|e| {
        Error::Compute(format!(
            "robustness: weight spread {s} gives no range of factors ({e})"
        ))
    })?;
    let n = model.bvc.len();
    let tally = (0..spec.draws as u64)
        .into_par_iter()
        .try_fold(
            || Tally::new(n),
            |mut t, k| {
                let f = model.evaluate(&perturb(model, spec, &factor, k));
                let order = super::rank::order(&f.measure, &model.bvc);
                let s = rules.select(model, &f, Solver::Exact, &order)?;
                for (r, &c) in order.iter().enumerate() {
                    t.ranks[c * t.n + r] += 1;
                }
                for (hits, wave) in t.selected.iter_mut().zip(&s.wave) {
                    *hits += u32::from(wave.is_some());
                }
                for (sum, &k) in t.covered.iter_mut().zip(s.covered.iter().flatten()) {
                    *sum += k as u64;
                }
                Ok(t)
            },
        )
        .try_reduce(|| Tally::new(n), |a, b| Ok(a.merge(b)))?;
    let mut rank_low = Vec::with_capacity(n);
    let mut rank_high = Vec::with_capacity(n);
    let mut p_selected = Vec::with_capacity(n);
    for (c, &hits) in tally.selected.iter().enumerate() {
        let ranks = &tally.ranks[c * n..(c + 1) * n];
        rank_low.push(percentile(ranks, 0.05));
        rank_high.push(percentile(ranks, 0.95));
        p_selected.push(f64::from(hits) / spec.draws as f64);
    }
    // Integer sums, so the mean does not depend on how rayon split the draws.
    let mean_covered_share = (rules.units == Units::Areas).then(|| {
        tally
            .covered
            .iter()
            .zip(&model.members)
            .map(|(&sum, m)| {
                if m.is_empty() {
                    0.0
                } else {
                    sum as f64 / (spec.draws as f64 * m.len() as f64)
                }
            })
            .collect()
    });
    Ok(Robustness {
        spec: spec.clone(),
        rank_low,
        rank_high,
        p_selected,
        mean_covered_share,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The nearest-rank definition on the sorted draws, as `percentile` was
    /// computed when every draw's rank was kept.
    fn sorted_percentile(sorted: &[usize], q: f64) -> usize {
        if sorted.is_empty() {
            return 0;
        }
        let k = (q * sorted.len() as f64).ceil() as usize;
        sorted[k.clamp(1, sorted.len()) - 1]
    }

    #[test]
    fn histogram_percentile_is_the_nearest_rank_of_the_sorted_draws() {
        use rand::RngExt;
        for draws in [1, 2, 3, 19, 20, 21, 99, 100, 1000] {
            for n in [1, 2, 7, 25] {
                let mut rng = stream(draws as u64, n as u64);
                let mut ranks: Vec<usize> = (0..draws).map(|_| rng.random_range(1..=n)).collect();
                let mut counts = vec![0u32; n];
                for &r in &ranks {
                    counts[r - 1] += 1;
                }
                ranks.sort_unstable();
                for q in [0.0, 0.05, 0.5, 0.95, 1.0] {
                    assert_eq!(
                        percentile(&counts, q),
                        sorted_percentile(&ranks, q),
                        "{draws} draws, {n} ranks, q {q}"
                    );
                }
            }
        }
        assert_eq!(percentile(&[0, 0, 0], 0.05), 0);
    }

    /// Two catchments over two areas, the second with three times the counts.
    fn model() -> Model {
        use crate::plan::programme::Eligibility;
        use crate::plan::rank::{NeedWeight, RankBy};
        Model {
            area_codes: vec!["A".into(), "B".into()],
            population: vec![1000.0, 1000.0],
            weights: vec![2.0],
            counts: vec![vec![100.0], vec![300.0]],
            reference: crate::scores::cni::Reference::FromInput,
            given_cni: None,
            given_unit_cni: None,
            eligibility: Eligibility::estimated(&[60.0, 60.0], 0.4),
            bvc: vec!["a".into(), "b".into()],
            members: vec![vec![(0, 1.0)], vec![(1, 1.0)]],
            vti_centres: vec![],
            vti_of: vec![None, None],
            need_weight: NeedWeight::Cni,
            rank_by: RankBy::NeedReached,
            cost_per_family: 0.01,
        }
    }

    fn rules(locked_in: Vec<bool>, budget: f64) -> Rules {
        Rules {
            locked_out: vec![false; locked_in.len()],
            locked_in,
            min_cni: None,
            min_relative_vti: None,
            budgets: vec![budget],
            units: Units::Catchments,
        }
    }

    #[test]
    fn draws_outside_one_to_the_maximum_are_errors_naming_the_key() {
        let (m, r) = (model(), rules(vec![false, false], 1.0));
        for draws in [0, MAX_DRAWS + 1] {
            let spec = RobustSpec {
                draws,
                ..RobustSpec::default()
            };
            let e = simulate(&m, &r, &spec).unwrap_err().to_string();
            assert!(e.contains("plan.robustness.draws"), "{e}");
        }
    }

    #[test]
    fn stable_ranks_and_lock_ins() {
        // b has three times a's need: rank 1 in every draw. Only a is locked in and
        // the budget is nil, so a is always selected and b never.
        let spec = RobustSpec {
            draws: 500,
            ..RobustSpec::default()
        };
        let r = simulate(&model(), &rules(vec![true, false], 0.0), &spec).unwrap();
        assert_eq!((r.rank_low, r.rank_high), (vec![2, 1], vec![2, 1]));
        assert_eq!(r.p_selected, vec![1.0, 0.0]);
    }
}
