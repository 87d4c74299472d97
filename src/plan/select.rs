//! Choosing catchments under a budget: an exact 0/1 knapsack and a greedy
//! baseline, with lock-in, lock-out, a minimum need and rollout waves; or, with
//! areas as units, parts of catchments: each catchment's areas nearest its BVC.
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
//!
//! **Areas as units** ([`select_areas`], `plan.units = "areas"`). Växa tryggt
//! in Region Skåne: “Vissa team har inte haft resurser för att inkludera alla
//! förstföderskor, och då har man gjort urval utifrån exempelvis kortast
//! geografiskt avstånd till BVC” (source `fohm-2022`, p. 15).
//! So a catchment `g` may be covered in part: by its `k` areas nearest the BVC,
//! `k = 0 … n_g` (the plan orders them, see [`Units`](super::Units)). With the areas'
//! needs `v_{g,1…}` and costs `c_{g,1…}`, nearest first, and the prefix sums
//! `V_g(k) = Σ_{j≤k} v_{g,j}`, `C_g(k) = Σ_{j≤k} c_{g,j}`, the problem is:
//! maximise `Σ_g V_g(k_g)` subject to `Σ_g C_g(k_g) ≤ B`, one `k_g` per
//! catchment: a multiple-choice knapsack whose choices are nested prefixes.
//!
//! *Exact solver* ([`prefix_knapsack`]): depth-first branch and bound over the
//! catchments (in order of their best hull slope, see below; ties by index),
//! starting from the greedy baseline's selection as the best found. A prefix
//! whose last area adds no need is never tried (the shorter prefix reaches as
//! much for no more cost), so no covered prefix ends in an area without need.
//! The bound is the LP relaxation of the multiple-choice knapsack (Sinha and
//! Zoltners 1979): each free catchment's upper convex hull of its points
//! `(C_g(k), V_g(k))` from `(0, 0)` is a concave function of the cost it gets,
//! and the relaxation fills the remaining capacity with all hull segments in
//! order of slope (Δneed / Δcost, descending; within a catchment the slopes
//! fall, so its segments come in order), the last one fractionally. Any choice
//! of prefixes lies under the hulls, so the bound holds for every completion of
//! the branch. At each catchment the prefixes that fit are tried in order of
//! their branch's bound (highest first; ties: the longer prefix), and the
//! remaining ones are cut as soon as a bound does not beat the best found;
//! only a strictly better selection replaces the best, so the search is exact
//! for the real-valued costs as given, with the tolerances and the node limit
//! of the 0/1 knapsack, and deterministic. The bound is read off prefix sums of
//! the sorted segments kept per depth (a binary search), or, above a million
//! kept pairs, by scanning the segments. With one area per catchment it solves
//! that 0/1 knapsack.
//!
//! *Greedy baseline* ([`prefix_greedy`]): repeatedly the catchment whose next
//! area (nearest not yet covered) has the most need per cost (ties: the first
//! catchment) takes it if it fits; if not, that catchment is closed (its
//! further areas may not be taken before it). Areas without need at the end of
//! a prefix are then uncovered.
//!
//! Lock-ins cover whole catchments in wave 0; a catchment with one area or more
//! covered is selected and goes into a wave as one candidate costing its
//! prefix, by the wave rule above.
//!
//! ```
//! use careneed::plan::select::{prefix_greedy, prefix_knapsack};
//! // Catchment 0's areas, nearest its BVC first, reach need 4, 1 and 10;
//! // catchment 1's reach 5 and 5. Every area costs 1 FTE; the budget is 3 FTE.
//! let need = vec![vec![4.0, 1.0, 10.0], vec![5.0, 5.0]];
//! let cost = vec![vec![1.0; 3], vec![1.0; 2]];
//! // Prefixes within 3 FTE: (3, 0) reaches 4 + 1 + 10 = 15, (1, 2) 4 + 10 = 14,
//! // (2, 1) 5 + 5 = 10, (0, 2) 10. The optimum covers catchment 0 whole.
//! assert_eq!(prefix_knapsack(&need, &cost, 3.0).unwrap(), [3, 0]);
//! // Greedy by the next area's need per FTE: 5 (catchment 1), 5 (catchment 1),
//! // then 4 (catchment 0): 14, a gap of 1. Area 10 lies behind area 1 (1/FTE).
//! assert_eq!(prefix_greedy(&need, &cost, 3.0), [1, 2]);
//! // The LP bound at the root: hull of catchment 0 is one segment (3, 15),
//! // slope 5; of catchment 1 one segment (2, 10), slope 5: 15 within 3 FTE.
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
    /// With areas as units ([`select_areas`]): per candidate, the number of its
    /// areas covered, nearest first; `None` with whole catchments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub covered: Option<Vec<usize>>,
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
    let locked: Vec<bool> = candidates.iter().map(|c| c.locked_in).collect();
    let mut chosen = vec![false; n];
    if !budgets.is_empty() {
        let pool: Vec<usize> = (0..n)
            .filter(|&i| !candidates[i].locked_in && candidates[i].allowed && need[i] > 0.0)
            .collect();
        let pn: Vec<f64> = pool.iter().map(|&i| need[i]).collect();
        let pc: Vec<f64> = pool.iter().map(|&i| cost[i]).collect();
        let capacity: f64 = budgets.iter().sum();
        let picked = match solver {
            Solver::Exact => knapsack(&pn, &pc, capacity)?,
            Solver::Greedy => greedy(&pn, &pc, capacity),
        };
        for &j in &picked {
            chosen[pool[j]] = true;
        }
    }
    Ok(into_waves(
        solver, budgets, priority, &locked, &chosen, &need, &cost, None,
    ))
}

/// Puts the chosen (not locked-in) candidates into waves in priority order
/// (see the module docs); `need` and `cost` are what each candidate takes.
#[allow(clippy::too_many_arguments)]
fn into_waves(
    solver: Solver,
    budgets: &[f64],
    priority: &[usize],
    locked: &[bool],
    chosen: &[bool],
    need: &[f64],
    cost: &[f64],
    covered: Option<Vec<usize>>,
) -> Selection {
    let n = locked.len();
    let mut wave: Vec<Option<usize>> = vec![None; n];
    let locked: Vec<usize> = (0..n).filter(|&i| locked[i]).collect();
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
        let mut seen = vec![false; n];
        let order = priority
            .iter()
            .copied()
            .filter(|&i| i < n && !std::mem::replace(&mut seen[i], true))
            .chain(0..n)
            .collect::<Vec<_>>();
        let tol = tolerance(total);
        for i in order {
            if !chosen.get(i).copied().unwrap_or(false) || wave[i].is_some() {
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
    Selection {
        solver,
        need: selected().map(|i| need[i]).sum(),
        cost: selected().map(|i| cost[i]).sum(),
        left: (total - new_cost).max(0.0),
        wave,
        running,
        waves,
        covered,
    }
}

/// One catchment for [`select_areas`]: its areas, nearest its BVC first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// Need reached by each area (≥ 0), nearest first.
    pub need: Vec<f64>,
    /// Cost of each area (≥ 0), nearest first.
    pub cost: Vec<f64>,
    /// Already running: all its areas, wave 0, outside the budgets.
    pub locked_in: bool,
    /// May be chosen (not locked out, above the minimum need).
    pub allowed: bool,
}

/// Prefix sums `[0, x₀, x₀ + x₁, …]`.
fn prefix_sums(x: &[f64]) -> Vec<f64> {
    std::iter::once(0.0)
        .chain(x.iter().scan(0.0, |acc, &v| {
            *acc += v;
            Some(*acc)
        }))
        .collect()
}

fn check_groups(need: &[Vec<f64>], cost: &[Vec<f64>], capacity: f64) -> Result<()> {
    if need.len() != cost.len() {
        return Err(Error::Compute(format!(
            "prefix knapsack: {} catchments of needs but {} of costs",
            need.len(),
            cost.len()
        )));
    }
    check(&[], &[], capacity)?;
    for (g, (v, c)) in need.iter().zip(cost).enumerate() {
        check(v, c, 0.0).map_err(|e| Error::Compute(format!("catchment {g}: {e}")))?;
    }
    Ok(())
}

/// The options of one group worth trying: `k = 0` and every `k` whose last
/// area adds need (a prefix ending in areas without need is never better than
/// the shorter one), as `(k, cost, need)` by `k`.
fn options(need: &[f64], cost: &[f64]) -> Vec<(usize, f64, f64)> {
    let (v, c) = (prefix_sums(need), prefix_sums(cost));
    (0..v.len())
        .filter(|&k| k == 0 || v[k] > v[k - 1])
        .map(|k| (k, c[k], v[k]))
        .collect()
}

/// The upper convex hull of a group's options from `(0, 0)`: its segments as
/// `(Δcost, Δneed)`, slopes non-increasing.
fn hull(options: &[(usize, f64, f64)]) -> Vec<(f64, f64)> {
    let mut stack: Vec<(f64, f64)> = Vec::with_capacity(options.len());
    for &(_, c, v) in options {
        while stack.len() >= 2 {
            let (a, b) = (stack[stack.len() - 2], stack[stack.len() - 1]);
            // b lies on or under the line from a to (c, v): drop it.
            if (b.0 - a.0) * (v - a.1) - (b.1 - a.1) * (c - a.0) >= 0.0 {
                stack.pop();
            } else {
                break;
            }
        }
        stack.push((c, v));
    }
    stack
        .windows(2)
        .map(|w| (w[1].0 - w[0].0, w[1].1 - w[0].1))
        .collect()
}

fn slope(dcost: f64, dneed: f64) -> f64 {
    if dcost > 0.0 {
        dneed / dcost
    } else {
        f64::INFINITY
    }
}

/// Above this many (level, segment) pairs the LP bound scans the segments
/// instead of keeping their prefix sums per depth (memory).
const MAX_LEVEL_ENTRIES: usize = 1_000_000;

struct PrefixSearch {
    /// Per group, its options.
    options: Vec<Vec<(usize, f64, f64)>>,
    /// Groups in search order.
    order: Vec<usize>,
    /// Position of each group in `order`.
    position: Vec<usize>,
    /// Every hull segment `(group, Δcost, Δneed)`, by slope descending.
    segments: Vec<(usize, f64, f64)>,
    /// Per depth `d`, the prefix sums `(cost, need)` of the segments of the
    /// groups `order[d..]`, by slope, from `(0, 0)`; `None` when too large.
    levels: Option<Vec<Vec<(f64, f64)>>>,
    tol: f64,
    best: f64,
    best_k: Vec<usize>,
    current: Vec<usize>,
    nodes: u64,
}

impl PrefixSearch {
    /// The LP bound of the groups `order[d..]` with `left` capacity (see the
    /// module docs): the hull segments by slope, the last one fractionally.
    fn bound(&self, d: usize, left: f64) -> f64 {
        if let Some(cum) = self.levels.as_ref().and_then(|l| l.get(d)) {
            // The last prefix within `left` (the first, (0, 0), always is).
            let j = cum.partition_point(|&(c, _)| c <= left).saturating_sub(1);
            let (c0, v0) = cum.get(j).copied().unwrap_or((0.0, 0.0));
            return match cum.get(j + 1) {
                Some(&(c1, v1)) if c1 > c0 => v0 + (v1 - v0) * (left - c0) / (c1 - c0),
                _ => v0,
            };
        }
        let (mut v, mut left) = (0.0, left);
        for &(g, dc, dv) in &self.segments {
            if self.position[g] < d {
                continue;
            }
            if dc <= left {
                left -= dc;
                v += dv;
            } else {
                v += dv * left / dc;
                break;
            }
        }
        v
    }

    fn dfs(&mut self, d: usize, left: f64, value: f64) -> Result<()> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(Error::Compute(format!(
                "prefix knapsack: gave up after {MAX_NODES} branch-and-bound nodes ({} catchments)",
                self.order.len()
            )));
        }
        if value > self.best {
            self.best = value;
            self.best_k = self.current.clone();
        }
        if d == self.order.len() {
            return Ok(());
        }
        let g = self.order[d];
        // The prefixes that fit, with the bound of their branch, best first
        // (ties: the longer prefix).
        let mut kids: Vec<(f64, usize)> = self.options[g]
            .iter()
            .enumerate()
            .filter(|(_, o)| o.1 <= left + self.tol)
            .map(|(i, &(_, c, v))| {
                let rest = (left - c).max(0.0);
                (value + v + self.bound(d + 1, rest + self.tol), i)
            })
            .collect();
        kids.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
        for (bound, i) in kids {
            if bound <= self.best + tolerance(self.best) {
                break;
            }
            let (k, c, v) = self.options[g][i];
            self.current[g] = k;
            self.dfs(d + 1, (left - c).max(0.0), value + v)?;
        }
        self.current[g] = 0;
        Ok(())
    }
}

/// The exact optimum of the prefix knapsack (see the module docs): per group
/// the number of its areas covered, nearest first. `need[g]` and `cost[g]` are
/// group `g`'s areas, nearest first.
pub fn prefix_knapsack(need: &[Vec<f64>], cost: &[Vec<f64>], capacity: f64) -> Result<Vec<usize>> {
    solve_prefixes(need, cost, capacity, MAX_LEVEL_ENTRIES)
}

/// [`prefix_knapsack`] keeping the bound's prefix sums per depth up to
/// `max_level_entries` pairs.
fn solve_prefixes(
    need: &[Vec<f64>],
    cost: &[Vec<f64>],
    capacity: f64,
    max_level_entries: usize,
) -> Result<Vec<usize>> {
    check_groups(need, cost, capacity)?;
    let n = need.len();
    let options: Vec<Vec<(usize, f64, f64)>> =
        need.iter().zip(cost).map(|(v, c)| options(v, c)).collect();
    let hulls: Vec<Vec<(f64, f64)>> = options.iter().map(|o| hull(o)).collect();
    let first_slope = |g: usize| hulls[g].first().map_or(0.0, |&(c, v)| slope(c, v));
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| first_slope(b).total_cmp(&first_slope(a)).then(a.cmp(&b)));
    let mut position = vec![0; n];
    for (d, &g) in order.iter().enumerate() {
        position[g] = d;
    }
    let mut segments: Vec<(usize, f64, f64)> = hulls
        .iter()
        .enumerate()
        .flat_map(|(g, h)| h.iter().map(move |&(c, v)| (g, c, v)))
        .collect();
    // Stable: a group's segments keep their order (their slopes do not rise).
    segments.sort_by(|a, b| {
        slope(b.1, b.2)
            .total_cmp(&slope(a.1, a.2))
            .then(a.0.cmp(&b.0))
    });
    let levels = (n.saturating_mul(segments.len()) <= max_level_entries).then(|| {
        (0..=n)
            .map(|d| {
                let mut acc = (0.0, 0.0);
                std::iter::once(acc)
                    .chain(
                        segments
                            .iter()
                            .filter(|s| position[s.0] >= d)
                            .map(|&(_, c, v)| {
                                acc = (acc.0 + c, acc.1 + v);
                                acc
                            }),
                    )
                    .collect()
            })
            .collect()
    });
    // The greedy baseline is the first incumbent: only a strictly better
    // selection replaces it.
    let start = prefix_greedy(need, cost, capacity);
    let best = need
        .iter()
        .zip(&start)
        .map(|(v, &k)| v.iter().take(k).sum::<f64>())
        .sum();
    let mut search = PrefixSearch {
        options,
        order,
        position,
        segments,
        levels,
        tol: tolerance(capacity),
        best,
        best_k: start,
        current: vec![0; n],
        nodes: 0,
    };
    search.dfs(0, capacity, 0.0)?;
    Ok(search.best_k)
}

/// The greedy baseline of the prefix knapsack (see the module docs): per group
/// the number of its areas covered. Invalid input covers nothing.
pub fn prefix_greedy(need: &[Vec<f64>], cost: &[Vec<f64>], capacity: f64) -> Vec<usize> {
    let n = need.len();
    if check_groups(need, cost, capacity).is_err() {
        return vec![0; n];
    }
    let tol = tolerance(capacity);
    let mut left = capacity;
    let mut k = vec![0; n];
    let mut open: Vec<bool> = need.iter().map(|v| !v.is_empty()).collect();
    loop {
        let mut best: Option<(f64, usize)> = None;
        for g in (0..n).filter(|&g| open[g]) {
            let r = slope(cost[g][k[g]], need[g][k[g]]);
            if best.is_none_or(|(b, _)| r > b) {
                best = Some((r, g));
            }
        }
        let Some((_, g)) = best else { break };
        let c = cost[g][k[g]];
        if c <= left + tol {
            left = (left - c).max(0.0);
            k[g] += 1;
            open[g] = k[g] < need[g].len();
        } else {
            open[g] = false;
        }
    }
    // Areas without need at the end of a prefix reach nothing: uncovered.
    for (g, k) in k.iter_mut().enumerate() {
        while *k > 0 && need[g][*k - 1] <= 0.0 {
            *k -= 1;
        }
    }
    k
}

/// [`select`] with areas as units (`plan.units = "areas"`): each group
/// (catchment) is covered by a prefix of its areas, nearest first, chosen by
/// [`prefix_knapsack`] or [`prefix_greedy`] for the total budget; a locked-in
/// group is covered whole in wave 0, a group not allowed not at all. A group
/// with at least one area covered is selected, and goes into a wave as one
/// candidate costing its prefix. [`Selection::covered`] gives each prefix.
pub fn select_areas(
    groups: &[Group],
    budgets: &[f64],
    solver: Solver,
    priority: &[usize],
) -> Result<Selection> {
    for &b in budgets {
        if !(b.is_finite() && b >= 0.0) {
            return Err(Error::Compute(format!(
                "a wave's budget must be a non-negative number, got {b}"
            )));
        }
    }
    let n = groups.len();
    let need: Vec<Vec<f64>> = groups.iter().map(|g| g.need.clone()).collect();
    let cost: Vec<Vec<f64>> = groups.iter().map(|g| g.cost.clone()).collect();
    check_groups(&need, &cost, 0.0)?;
    let mut covered: Vec<usize> = groups
        .iter()
        .map(|g| if g.locked_in { g.need.len() } else { 0 })
        .collect();
    if !budgets.is_empty() {
        let pool: Vec<usize> = (0..n)
            .filter(|&i| !groups[i].locked_in && groups[i].allowed)
            .collect();
        let pn: Vec<Vec<f64>> = pool.iter().map(|&i| need[i].clone()).collect();
        let pc: Vec<Vec<f64>> = pool.iter().map(|&i| cost[i].clone()).collect();
        let capacity: f64 = budgets.iter().sum();
        let picked = match solver {
            Solver::Exact => prefix_knapsack(&pn, &pc, capacity)?,
            Solver::Greedy => prefix_greedy(&pn, &pc, capacity),
        };
        for (&i, &k) in pool.iter().zip(&picked) {
            covered[i] = k;
        }
    }
    let taken = |x: &[Vec<f64>]| -> Vec<f64> {
        x.iter()
            .zip(&covered)
            .map(|(v, &k)| v.iter().take(k).sum())
            .collect()
    };
    let (tn, tc) = (taken(&need), taken(&cost));
    let locked: Vec<bool> = groups.iter().map(|g| g.locked_in).collect();
    let chosen: Vec<bool> = (0..n).map(|i| !locked[i] && covered[i] > 0).collect();
    Ok(into_waves(
        solver,
        budgets,
        priority,
        &locked,
        &chosen,
        &tn,
        &tc,
        Some(covered),
    ))
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

    /// Every combination of prefixes: the best need within `cap`.
    fn brute_prefixes(need: &[Vec<f64>], cost: &[Vec<f64>], cap: f64) -> f64 {
        let mut best: f64 = 0.0;
        let mut k = vec![0usize; need.len()];
        loop {
            let v: f64 = (0..k.len())
                .map(|g| need[g][..k[g]].iter().sum::<f64>())
                .sum();
            let c: f64 = (0..k.len())
                .map(|g| cost[g][..k[g]].iter().sum::<f64>())
                .sum();
            if c <= cap + 1e-9 {
                best = best.max(v);
            }
            let Some(g) = (0..k.len()).find(|&g| k[g] < need[g].len()) else {
                return best;
            };
            k[g] += 1;
            for x in &mut k[..g] {
                *x = 0;
            }
        }
    }

    #[test]
    fn prefixes_golden_and_singletons() {
        // Catchment 0: areas 2.0 FTE need 1, then 0.5 FTE need 9 (behind it);
        // catchment 1: 1.0 need 3, 1.0 need 2. Budget 2.5.
        // (2, 0) = 10 at 2.5; (0, 2) = 5; (1, 0) + (0, 1)… 1 + 3 = 4 at 3.0: no.
        let need = vec![vec![1.0, 9.0], vec![3.0, 2.0]];
        let cost = vec![vec![2.0, 0.5], vec![1.0, 1.0]];
        assert_eq!(prefix_knapsack(&need, &cost, 2.5).unwrap(), [2, 0]);
        assert_eq!(brute_prefixes(&need, &cost, 2.5), 10.0);
        // Greedy: 3/1 (1), 2/1 (1), then 1/2 (0) does not fit: catchment 0 closed.
        assert_eq!(prefix_greedy(&need, &cost, 2.5), [0, 2]);
        // One area per catchment: the 0/1 knapsack.
        let (v, c) = ([50.0, 80.0, 30.0, 45.0], [0.7, 1.3, 0.45, 0.9]);
        let gv: Vec<Vec<f64>> = v.iter().map(|&x| vec![x]).collect();
        let gc: Vec<Vec<f64>> = c.iter().map(|&x| vec![x]).collect();
        assert_eq!(prefix_knapsack(&gv, &gc, 2.0).unwrap(), [1, 1, 0, 0]);
        assert_eq!(prefix_greedy(&gv, &gc, 2.0), [1, 0, 1, 0]);
        // Trailing areas without need are not covered; free need is.
        let need = vec![vec![5.0, 0.0, 0.0], vec![0.0, 2.0]];
        let cost = vec![vec![1.0, 0.0, 1.0], vec![0.0, 0.0]];
        assert_eq!(prefix_knapsack(&need, &cost, 5.0).unwrap(), [1, 2]);
        assert_eq!(prefix_greedy(&need, &cost, 5.0), [1, 2]);
        assert!(prefix_knapsack(&[vec![-1.0]], &[vec![1.0]], 1.0).is_err());
        assert!(prefix_knapsack(&[vec![1.0]], &[vec![1.0]], f64::NAN).is_err());
        assert_eq!(prefix_greedy(&[vec![1.0]], &[vec![f64::NAN]], 1.0), [0]);
    }

    #[test]
    fn select_areas_lock_ins_and_waves() {
        let g = |need: Vec<f64>, cost: Vec<f64>, locked_in, allowed| Group {
            need,
            cost,
            locked_in,
            allowed,
        };
        let groups = [
            g(vec![1.0, 1.0], vec![3.0, 3.0], true, true),
            g(vec![9.0, 8.0, 1.0], vec![1.0, 1.0, 1.0], false, true),
            g(vec![100.0], vec![0.5], false, false),
        ];
        // Running: catchment 0 whole (6 FTE, wave 0). Budget 1 + 1: two areas of
        // catchment 1 (2 FTE), in wave 1 only if 2 ≤ 1: no, wave 2.
        let s = select_areas(&groups, &[1.0, 1.0], Solver::Exact, &[1, 0, 2]).unwrap();
        assert_eq!(s.covered, Some(vec![2, 2, 0]));
        assert_eq!(s.wave, [Some(0), Some(2), None]);
        assert_eq!(
            (s.need, s.cost, s.running.cost, s.left),
            (19.0, 8.0, 6.0, 0.0)
        );
        let s = select_areas(&groups, &[], Solver::Greedy, &[]).unwrap();
        assert_eq!(s.covered, Some(vec![2, 0, 0]));
    }

    #[test]
    fn both_bounds_are_exact_on_random_instances() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut r = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % 1_000_000) as f64 / 1e6
        };
        for case in 0..400 {
            let groups = 1 + (r() * 4.0) as usize;
            let mut need = Vec::new();
            let mut cost = Vec::new();
            for _ in 0..groups {
                let n = (r() * 5.0) as usize;
                // Some areas without need, some free.
                need.push(
                    (0..n)
                        .map(|_| (r() * 30.0 - 5.0).max(0.0))
                        .collect::<Vec<_>>(),
                );
                cost.push(
                    (0..n)
                        .map(|_| (r() * 2.5 - 0.3).max(0.0))
                        .collect::<Vec<_>>(),
                );
            }
            let cap = r() * 6.0;
            let best = brute_prefixes(&need, &cost, cap);
            for limit in [0, MAX_LEVEL_ENTRIES] {
                let k = solve_prefixes(&need, &cost, cap, limit).unwrap();
                let v: f64 = need
                    .iter()
                    .zip(&k)
                    .map(|(v, &k)| v[..k].iter().sum::<f64>())
                    .sum();
                let c: f64 = cost
                    .iter()
                    .zip(&k)
                    .map(|(c, &k)| c[..k].iter().sum::<f64>())
                    .sum();
                assert!(c <= cap + 1e-9, "case {case}");
                assert!(
                    (v - best).abs() <= 1e-9 * best.max(1.0),
                    "case {case}, limit {limit}: {v} vs {best}"
                );
            }
        }
    }
}
