//! Robustness: how much a plan's ranking and selection depend on the weights and
//! on noise in the counts, by seeded Monte Carlo.
//!
//! Each draw `d = 0, 1, …, draws − 1` uses its own random stream, SplitMix64
//! seeded with `seed` and forked by `d` ([`crate::synth::rng`]: portable
//! arithmetic only), so the result does not depend on the number of threads or
//! the order rayon runs the draws in, and a seed reproduces it byte for byte.
//! A draw perturbs:
//!
//! * **weights**: every CNI weight and the three VTI weights are multiplied by an
//!   independent factor uniform in `[1 − s, 1 + s]` (`s = weight_spread`,
//!   default 0.2, i.e. ±20 %);
//! * **counts** (when `count_noise`): every CNI count of every area, the first
//!   births and first-in-Sweden births of every area (the estimated births of
//!   estimated areas), and the newborns and the three VTI counts of every centre
//!   are replaced by a Poisson draw with the count as mean, like the cell-key
//!   noise SCB adds to small counts. Poisson draws below a mean of 30 use Knuth's
//!   multiplication method; from 30 up, the normal approximation
//!   `max(0, round(λ + √λ·z))`. VTI numerators are capped at the centre's
//!   newborns; populations are not perturbed.
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
//! use careneed::plan::robust::{percentile, poisson};
//! use careneed::synth::rng::SplitMix64;
//! assert_eq!(percentile(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.05), 1);
//! assert_eq!(percentile(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95), 10);
//! // The mean of many Poisson(4.5) draws is 4.5.
//! let mut rng = SplitMix64::new(7);
//! let mean = (0..20_000).map(|_| poisson(&mut rng, 4.5)).sum::<f64>() / 20_000.0;
//! assert!((mean - 4.5).abs() < 0.05);
//! ```

use super::model::Model;
use super::select::{Candidate, Solver, select};
use crate::error::{Error, Result};
use crate::synth::rng::{SplitMix64, exp};
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

/// A Poisson draw with mean `lambda` (see the module docs); 0 for `lambda ≤ 0`.
pub fn poisson(rng: &mut SplitMix64, lambda: f64) -> f64 {
    if !lambda.is_finite() || lambda <= 0.0 {
        return 0.0;
    }
    if lambda < 30.0 {
        let limit = exp(-lambda);
        let mut k = 0.0;
        let mut p = rng.f64();
        while p > limit {
            k += 1.0;
            p *= rng.f64();
        }
        k
    } else {
        (lambda + lambda.sqrt() * rng.normal()).round().max(0.0)
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

fn perturb(model: &Model, spec: &RobustSpec, draw: u64) -> super::model::Draw {
    let mut rng = SplitMix64::new(spec.seed).fork(draw);
    let s = spec.weight_spread;
    let mut d = model.baseline();
    for w in d.weights.iter_mut().chain(d.vti_weights.iter_mut()) {
        *w *= rng.range(1.0 - s, 1.0 + s);
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
    let n = model.bvc.len();
    let results: Vec<(Vec<usize>, Vec<bool>)> = (0..spec.draws as u64)
        .into_par_iter()
        .map(|k| {
            let f = model.evaluate(&perturb(model, spec, k));
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
