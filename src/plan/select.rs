//! Choosing catchments under a budget: an exact 0/1 knapsack and a greedy
//! baseline, with lock-in, lock-out, a minimum need and rollout waves.
//!
//! **Problem.** Each candidate `i` has a need reached `vᵢ ≥ 0` and a cost `cᵢ ≥ 0`
//! (FTE or SEK, real numbers). Maximise `Σ vᵢ xᵢ` subject to `Σ cᵢ xᵢ ≤ B`,
//! `xᵢ ∈ {0, 1}`.
//!
//! **Exact solver** ([`knapsack`]): depth-first branch and bound (Horowitz–Sahni)
//! over the candidates sorted by `vᵢ / cᵢ` (descending; ties by index), taking
//! an item before leaving it out, pruning a branch when its Dantzig bound (the
//! LP relaxation: fill the remaining capacity in ratio order, the last item
//! fractionally) cannot beat the best selection found. The LP relaxation is an
//! upper bound of every 0/1 completion of the branch, so no better selection is
//! ever discarded: the result is optimal for the real-valued costs as given.
//! We chose this over dynamic programming on a cost grid because rounding
//! fractional FTE to a grid changes the problem (rounding costs down can exceed
//! the budget, rounding up can miss the optimum). Floating point: a cost fits
//! when it exceeds the remaining capacity by at most `1e-9 × max(1, B)`, and a
//! branch is pruned when its bound exceeds the best by at most
//! `1e-9 × max(1, best)`, so the optimum is exact up to that relative `1e-9`.
//! Items with `vᵢ = 0` are never chosen; items with `cᵢ = 0` and `vᵢ > 0`
//! always. Among equally good selections the first found in the fixed search
//! order wins, so results are deterministic. The search stops with an error
//! after 50 million nodes (never reached by county-sized inputs; worst cases
//! are exponential).
//!
//! **Greedy baseline** ([`greedy`]): candidates by `vᵢ / cᵢ` descending (ties by
//! index), each taken when it still fits. Its shortfall against the exact
//! optimum is the *gap* every plan reports.
//!
//! **Constraints and waves** ([`select`]): locked-in candidates (a running
//! pilot) are wave 0: selected whatever their cost, already staffed, so their
//! cost does not count against the budgets of the new waves. Locked-out candidates and candidates below the minimum
//! need (`allowed == false`) are never chosen. With waves `1..k` of budgets
//! `B₁…Bₖ`, the solver chooses the final set for the total budget `ΣBⱼ`, so the exact selection is optimal for the whole rollout and
//! never reaches less need than greedy. The chosen candidates are then put into
//! waves in priority order (the ranking: rank 1 first), each into the earliest
//! wave `w` such that every cumulative budget from `w` on still holds:
//! `cost(waves 1..j) ≤ B₁ + … + Bⱼ` for all `j ≥ w`. Unspent budget thus
//! carries over to later waves, and every candidate finds a wave because the
//! whole set fits the total.
//!
//! ```
//! use careneed::plan::select::{greedy, knapsack};
//! // Need 60, 100, 120 at cost 1, 2, 3 FTE; budget 5 FTE.
//! let (need, cost) = ([60.0, 100.0, 120.0], [1.0, 2.0, 3.0]);
//! let reached = |chosen: &[usize]| chosen.iter().map(|&i| need[i]).sum::<f64>();
//! // Greedy by need per FTE takes 60 (60/FTE) and 100 (50/FTE); 120 no longer fits.
//! let g = greedy(&need, &cost, 5.0);
//! assert_eq!((g.as_slice(), reached(&g)), ([0, 1].as_slice(), 160.0));
//! // The optimum is 100 + 120 = 220 at exactly 5 FTE: a gap of 60 (27 %).
//! let k = knapsack(&need, &cost, 5.0).unwrap();
//! assert_eq!((k.as_slice(), reached(&k)), ([1, 2].as_slice(), 220.0));
//! assert_eq!(reached(&k) - reached(&g), 60.0);
//! ```

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// The node budget of [`knapsack`].
pub const MAX_NODES: u64 = 50_000_000;

/// Which solver chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Solver {
    /// [`knapsack`].
    Exact,
    /// [`greedy`].
    Greedy,
}

/// One candidate for [`select`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// Need reached (≥ 0).
    pub need: f64,
    /// Cost in the budget's unit (≥ 0).
    pub cost: f64,
    /// Already running: selected in wave 0, outside the budgets.
    pub locked_in: bool,
    /// May be chosen (not locked out, above the minimum need).
    pub allowed: bool,
}

/// One rollout wave of a [`Selection`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Wave {
    /// The wave's own budget.
    pub budget: f64,
    /// The cumulative budget: this wave's budget plus all earlier waves'. The
    /// cost of waves 1 to this one stays within it (unless lock-ins alone exceed it).
    pub capacity: f64,
    /// Cost of the candidates it added.
    pub cost: f64,
    /// Need reached by the candidates it added.
    pub need: f64,
    /// Indices of the candidates it added, ascending.
    pub chosen: Vec<usize>,
}

/// The result of [`select`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Selection {
    /// The solver used.
    pub solver: Solver,
    /// The wave of each candidate (0: running, locked in; 1.. the new waves),
    /// `None` when not selected.
    pub wave: Vec<Option<usize>>,
    /// Wave 0: the running (locked-in) candidates, outside the budgets (budget 0).
    pub running: Wave,
    /// The new waves 1..k.
    pub waves: Vec<Wave>,
    /// Σ need of the selected, running included.
    pub need: f64,
    /// Σ cost of the selected, running included.
    pub cost: f64,
    /// The total budget left after the last wave (Σ budgets − cost of waves 1..k).
    pub left: f64,
}

fn ratio_order(need: &[f64], cost: &[f64], items: &[usize]) -> Vec<usize> {
    let mut order = items.to_vec();
    let ratio = |i: usize| {
        if cost[i] > 0.0 {
            need[i] / cost[i]
        } else {
            f64::INFINITY
        }
    };
    order.sort_by(|&a, &b| ratio(b).total_cmp(&ratio(a)).then(a.cmp(&b)));
    order
}

fn check(need: &[f64], cost: &[f64], capacity: f64) -> Result<()> {
    if need.len() != cost.len() {
        return Err(Error::Compute(format!(
            "knapsack: {} needs but {} costs",
            need.len(),
            cost.len()
        )));
    }
    if !(capacity.is_finite() && capacity >= 0.0) {
        return Err(Error::Compute(format!(
            "knapsack: the budget must be a non-negative number, got {capacity}"
        )));
    }
    for (i, (&v, &c)) in need.iter().zip(cost).enumerate() {
        if !(v.is_finite() && v >= 0.0 && c.is_finite() && c >= 0.0) {
            return Err(Error::Compute(format!(
                "knapsack: candidate {i} has need {v} and cost {c}; both must be non-negative numbers"
            )));
        }
    }
    Ok(())
}

fn tolerance(x: f64) -> f64 {
    1e-9 * x.abs().max(1.0)
}

/// Greedy by need per unit cost (see the module docs); indices ascending.
/// Invalid input (negative or non-finite values) selects nothing.
pub fn greedy(need: &[f64], cost: &[f64], capacity: f64) -> Vec<usize> {
    if check(need, cost, capacity).is_err() {
        return Vec::new();
    }
    let items: Vec<usize> = (0..need.len()).filter(|&i| need[i] > 0.0).collect();
    let tol = tolerance(capacity);
    let mut left = capacity;
    let mut chosen: Vec<usize> = Vec::new();
    for i in ratio_order(need, cost, &items) {
        if cost[i] <= left + tol {
            left = (left - cost[i]).max(0.0);
            chosen.push(i);
        }
    }
    chosen.sort_unstable();
    chosen
}

struct Search<'a> {
    need: &'a [f64],
    cost: &'a [f64],
    order: Vec<usize>,
    tol: f64,
    best: f64,
    best_set: Vec<usize>,
    current: Vec<usize>,
    nodes: u64,
}

impl Search<'_> {
    /// The Dantzig bound of the branch at depth `d` with `left` capacity.
    fn bound(&self, d: usize, left: f64, value: f64) -> f64 {
        let mut v = value;
        let mut left = left;
        for &i in &self.order[d..] {
            if self.cost[i] <= left {
                left -= self.cost[i];
                v += self.need[i];
            } else {
                v += self.need[i] * left / self.cost[i];
                break;
            }
        }
        v
    }

    fn dfs(&mut self, d: usize, left: f64, value: f64) -> Result<()> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(Error::Compute(format!(
                "knapsack: gave up after {MAX_NODES} branch-and-bound nodes ({} candidates)",
                self.order.len()
            )));
        }
        if value > self.best {
            self.best = value;
            self.best_set = self.current.clone();
        }
        if d == self.order.len() {
            return Ok(());
        }
        if self.bound(d, left + self.tol, value) <= self.best + tolerance(self.best) {
            return Ok(());
        }
        let i = self.order[d];
        if self.cost[i] <= left + self.tol {
            self.current.push(i);
            self.dfs(d + 1, (left - self.cost[i]).max(0.0), value + self.need[i])?;
            self.current.pop();
        }
        self.dfs(d + 1, left, value)
    }
}

/// The exact 0/1 knapsack optimum (see the module docs); indices ascending.
pub fn knapsack(need: &[f64], cost: &[f64], capacity: f64) -> Result<Vec<usize>> {
    check(need, cost, capacity)?;
    let items: Vec<usize> = (0..need.len()).filter(|&i| need[i] > 0.0).collect();
    let mut search = Search {
        need,
        cost,
        order: ratio_order(need, cost, &items),
        tol: tolerance(capacity),
        best: 0.0,
        best_set: Vec::new(),
        current: Vec::new(),
        nodes: 0,
    };
    search.dfs(0, capacity, 0.0)?;
    let mut chosen = search.best_set;
    chosen.sort_unstable();
    Ok(chosen)
}

/// Selects candidates over rollout waves with one budget each (see the module
/// docs); `priority` lists candidate indices in the order waves are filled
/// (rank 1 first; candidates missing from it come last, by index). With no
/// budgets only the lock-ins are selected.
pub fn select(
    candidates: &[Candidate],
    budgets: &[f64],
    solver: Solver,
    priority: &[usize],
) -> Result<Selection> {
    let need: Vec<f64> = candidates.iter().map(|c| c.need).collect();
    let cost: Vec<f64> = candidates.iter().map(|c| c.cost).collect();
    check(&need, &cost, 0.0)?;
    for &b in budgets {
        if !(b.is_finite() && b >= 0.0) {
            return Err(Error::Compute(format!(
                "a wave's budget must be a non-negative number, got {b}"
            )));
        }
    }
    let n = candidates.len();
    let mut wave: Vec<Option<usize>> = vec![None; n];
    let locked: Vec<usize> = (0..n).filter(|&i| candidates[i].locked_in).collect();
    // Cumulative budgets C_k and the cost of waves 1..=k so far.
    let cumulative: Vec<f64> = budgets
        .iter()
        .scan(0.0, |acc, &b| {
            *acc += b;
            Some(*acc)
        })
        .collect();
    let total = cumulative.last().copied().unwrap_or(0.0);
    let mut spent: Vec<f64> = vec![0.0; budgets.len()];
    for &i in &locked {
        wave[i] = Some(0);
    }
    if !budgets.is_empty() {
        let pool: Vec<usize> = (0..n)
            .filter(|&i| !candidates[i].locked_in && candidates[i].allowed && need[i] > 0.0)
            .collect();
        let pn: Vec<f64> = pool.iter().map(|&i| need[i]).collect();
        let pc: Vec<f64> = pool.iter().map(|&i| cost[i]).collect();
        let capacity = total;
        let picked = match solver {
            Solver::Exact => knapsack(&pn, &pc, capacity)?,
            Solver::Greedy => greedy(&pn, &pc, capacity),
        };
        let mut chosen = vec![false; n];
        for &j in &picked {
            chosen[pool[j]] = true;
        }
        let mut seen = vec![false; n];
        let order = priority
            .iter()
            .copied()
            .filter(|&i| i < n && !std::mem::replace(&mut seen[i], true))
            .chain(0..n)
            .collect::<Vec<_>>();
        let tol = tolerance(total);
        for i in order {
            if !chosen[i] || wave[i].is_some() {
                continue;
            }
            let k = (0..budgets.len())
                .find(|&k| (k..budgets.len()).all(|j| spent[j] + cost[i] <= cumulative[j] + tol))
                .unwrap_or(budgets.len() - 1);
            for s in &mut spent[k..] {
                *s += cost[i];
            }
            wave[i] = Some(k + 1);
        }
    }
    let running = Wave {
        budget: 0.0,
        capacity: 0.0,
        cost: locked.iter().map(|&i| cost[i]).sum(),
        need: locked.iter().map(|&i| need[i]).sum(),
        chosen: locked.clone(),
    };
    let waves: Vec<Wave> = (0..budgets.len())
        .map(|k| {
            let chosen: Vec<usize> = (0..n).filter(|&i| wave[i] == Some(k + 1)).collect();
            Wave {
                budget: budgets.get(k).copied().unwrap_or(0.0),
                capacity: cumulative.get(k).copied().unwrap_or(0.0),
                cost: chosen.iter().map(|&i| cost[i]).sum(),
                need: chosen.iter().map(|&i| need[i]).sum(),
                chosen,
            }
        })
        .collect();
    let selected = || (0..n).filter(|&i| wave[i].is_some());
    let new_cost: f64 = waves.iter().map(|w| w.cost).sum();
    Ok(Selection {
        solver,
        need: selected().map(|i| need[i]).sum(),
        cost: selected().map(|i| cost[i]).sum(),
        left: (total - new_cost).max(0.0),
        wave,
        running,
        waves,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brute(need: &[f64], cost: &[f64], cap: f64) -> f64 {
        let n = need.len();
        (0u32..1 << n)
            .filter_map(|m| {
                let (mut v, mut c) = (0.0, 0.0);
                for i in 0..n {
                    if m >> i & 1 == 1 {
                        v += need[i];
                        c += cost[i];
                    }
                }
                (c <= cap + 1e-9).then_some(v)
            })
            .fold(0.0, f64::max)
    }

    #[test]
    fn golden_fractional_fte() {
        // Costs 0.7, 1.3, 0.45, 0.9 FTE; budget 2.0.
        // Subsets within 2.0: {0,1}=2.0 → 50+80=130; {1,2}=1.75 → 80+30=110;
        // {0,2}=1.15 → 80; {2,3}=1.35 → 75; {0,3}=1.6 → 95; {0,2,3}=2.05 too much.
        let need = [50.0, 80.0, 30.0, 45.0];
        let cost = [0.7, 1.3, 0.45, 0.9];
        assert_eq!(knapsack(&need, &cost, 2.0).unwrap(), [0, 1]);
        // Greedy by ratio: 71.4 (0), 66.7 (2), 61.5 (1), 50 (3): 0, 2, then 1 does
        // not fit (2.45), 3 does not (2.05): 80 against 130, a gap of 50.
        assert_eq!(greedy(&need, &cost, 2.0), [0, 2]);
        assert_eq!(brute(&need, &cost, 2.0), 130.0);
    }

    #[test]
    fn zero_budget_and_free_items() {
        assert!(knapsack(&[5.0], &[1.0], 0.0).unwrap().is_empty());
        assert_eq!(knapsack(&[5.0, 0.0], &[0.0, 0.0], 0.0).unwrap(), [0]);
        assert!(knapsack(&[1.0], &[1.0], -1.0).is_err());
        assert!(knapsack(&[f64::NAN], &[1.0], 1.0).is_err());
    }

    #[test]
    fn waves_carry_unspent_budget() {
        let c = |need, cost| Candidate {
            need,
            cost,
            locked_in: false,
            allowed: true,
        };
        let cands = [c(10.0, 1.5), c(9.0, 1.0), c(8.0, 1.0), c(1.0, 5.0)];
        // Total budget 2.6: {0, 1} (2.5 FTE, need 19) beats {1, 2} (2.0, need 17).
        // In priority order 0 first: 1.5 > 1.2 does not fit wave 1, so wave 2;
        // then 1 (1.0) fits wave 1, and waves 1..2 cost 2.5 ≤ 2.6.
        let s = select(&cands, &[1.2, 1.4], Solver::Exact, &[0, 1, 2, 3]).unwrap();
        assert_eq!(s.wave, [Some(2), Some(1), None, None]);
        assert!((s.waves[1].capacity - 2.6).abs() < 1e-12);
        assert_eq!(s.need, 19.0);
        // Greedy over 2.6: ratios 9, 8, 6.7: takes 1 and 2 (2.0), 0 no longer fits.
        let g = select(&cands, &[1.2, 1.4], Solver::Greedy, &[0, 1, 2, 3]).unwrap();
        assert_eq!(g.wave, [None, Some(1), Some(2), None]);
        assert_eq!(g.need, 17.0);
    }

    #[test]
    fn lock_in_and_lock_out() {
        let cands = [
            Candidate {
                need: 1.0,
                cost: 3.0,
                locked_in: true,
                allowed: true,
            },
            Candidate {
                need: 100.0,
                cost: 1.0,
                locked_in: false,
                allowed: false,
            },
            Candidate {
                need: 5.0,
                cost: 1.0,
                locked_in: false,
                allowed: true,
            },
        ];
        // The running pilot is wave 0 and costs the new waves nothing.
        let s = select(&cands, &[1.0], Solver::Exact, &[]).unwrap();
        assert_eq!(s.wave, [Some(0), None, Some(1)]);
        assert_eq!((s.running.cost, s.waves[0].cost, s.cost), (3.0, 1.0, 4.0));
        assert_eq!(s.left, 0.0);
        let s = select(&cands, &[0.5], Solver::Greedy, &[]).unwrap();
        assert_eq!(s.wave, [Some(0), None, None]);
        assert_eq!(s.left, 0.5);
    }
}
