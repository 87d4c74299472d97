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
//! draws that select it.
//!
//! ```
//! use careneed::plan::robust::{percentile, poisson, stream};
//! assert_eq!(percentile(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.05), 1);
//! assert_eq!(percentile(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95), 10);
//! // The mean of many Poisson(4.5) draws is 4.5.
//! let mut rng = stream(7, 0);
//! let mean = (0..20_000).map(|_| poisson(&mut rng, 4.5)).sum::<f64>() / 20_000.0;
//! assert!((mean - 4.5).abs() < 0.05);
//! // Draw 3 of seed 7 is the same stream however it is reached.
//! let a: Vec<f64> = (0..5).map(|_| poisson(&mut stream(7, 3), 40.0)).collect();
//! let b: Vec<f64> = (0..5).map(|_| poisson(&mut stream(7, 3), 40.0)).collect();
//! assert_eq!(a, b);
//! ```

use super::model::Model;
use super::select::{Candidate, Solver, select};
use crate::error::{Error, Result};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rand_distr::{Distribution, Poisson, Uniform};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Monte Carlo settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RobustSpec {
    /// Number of draws (≥ 1).
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
    /// Share of draws selecting the catchment.
    pub p_selected: Vec<f64>,
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

/// The nearest-rank percentile `q` of sorted `values` (empty → 0).
pub fn percentile(sorted: &[usize], q: f64) -> usize {
    if sorted.is_empty() {
        return 0;
    }
    let k = (q * sorted.len() as f64).ceil() as usize;
    sorted[k.clamp(1, sorted.len()) - 1]
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
            .first_births
            .iter_mut()
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

/// Runs the Monte Carlo (see the module docs).
pub fn simulate(model: &Model, rules: &Rules, spec: &RobustSpec) -> Result<Robustness> {
    if spec.draws == 0 {
        return Err(Error::Compute("robustness needs at least one draw".into()));
    }
    let s = spec.weight_spread;
    let factor = Uniform::new_inclusive(1.0 - s, 1.0 + s).map_err(|e| {
        Error::Compute(format!(
            "robustness: weight spread {s} gives no range of factors ({e})"
        ))
    })?;
    let n = model.bvc.len();
    let results: Vec<(Vec<usize>, Vec<bool>)> = (0..spec.draws as u64)
        .into_par_iter()
        .map(|k| {
            let f = model.evaluate(&perturb(model, spec, &factor, k));
            let order = super::rank::order(&f.measure, &model.bvc);
            let mut rank = vec![0; order.len()];
            for (r, &i) in order.iter().enumerate() {
                rank[i] = r + 1;
            }
            let s = select(&rules.candidates(&f), &rules.budgets, Solver::Exact, &order)?;
            Ok((rank, s.wave.iter().map(Option::is_some).collect()))
        })
        .collect::<Result<_>>()?;
    let mut rank_low = Vec::with_capacity(n);
    let mut rank_high = Vec::with_capacity(n);
    let mut p_selected = Vec::with_capacity(n);
    for c in 0..n {
        let mut r: Vec<usize> = results.iter().map(|(rank, _)| rank[c]).collect();
        r.sort_unstable();
        rank_low.push(percentile(&r, 0.05));
        rank_high.push(percentile(&r, 0.95));
        let hits = results.iter().filter(|(_, s)| s[c]).count();
        p_selected.push(hits as f64 / spec.draws as f64);
    }
    Ok(Robustness {
        spec: spec.clone(),
        rank_low,
        rank_high,
        p_selected,
    })
}
