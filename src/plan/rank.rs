//! Ranking catchments (and areas) by need, and the per-municipality summary.
//!
//! **Measures** ([`RankBy`]): a catchment's population-weighted CNI, its relative
//! VTI, or the expected need reached by a programme there,
//!
//! ```text
//! need reached = Σ over the catchment's areas of share × eligible families × need weight
//! ```
//!
//! with the area's CNI as need weight by default ([`NeedWeight`]).
//!
//! **Tie rule** ([`ranks`]): higher measure first; equal measures (bit-equal
//! `f64`) go to the smaller identifier in byte order; items without a measure
//! (or a non-finite one) come last, by identifier. Ranks are 1..n with no gaps
//! and no shared ranks, so a ranking is the same on every run and platform.
//!
//! ```
//! use careneed::plan::rank::ranks;
//! let ids = ["2180-2", "2180-1", "2104-1", "2101-1"];
//! let need = [Some(40.0), Some(40.0), None, Some(55.5)];
//! // 55.5 first; the tie at 40 goes to 2180-1; no measure last.
//! assert_eq!(ranks(&need, &ids), [3, 2, 4, 1]);
//! ```

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// What catchments are ranked by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RankBy {
    /// Population-weighted CNI of the catchment.
    Cni,
    /// Relative VTI of the catchment's BVC.
    Vti,
    /// Eligible families × need weight, summed over the catchment's areas.
    #[default]
    NeedReached,
}

/// The weight that turns eligible families into need reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NeedWeight {
    /// Each area's CNI (an area without a CNI weighs 1, the reference average).
    #[default]
    Cni,
    /// The catchment BVC's relative VTI (1 when the BVC has none).
    RelativeVti,
    /// 1: need reached is the number of eligible families.
    None,
}

fn cmp(a: Option<f64>, b: Option<f64>) -> Ordering {
    match (a.filter(|x| x.is_finite()), b.filter(|x| x.is_finite())) {
        (Some(p), Some(q)) => q.total_cmp(&p),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// Indices of `measures`, best first, by the module's tie rule.
pub fn order<S: AsRef<str>>(measures: &[Option<f64>], ids: &[S]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..measures.len()).collect();
    order.sort_by(|&a, &b| {
        cmp(measures[a], measures[b]).then_with(|| {
            let (x, y) = (ids.get(a).map(AsRef::as_ref), ids.get(b).map(AsRef::as_ref));
            x.cmp(&y).then(a.cmp(&b))
        })
    });
    order
}

/// The 1-based rank of every item (parallel to `measures`), by the module's tie rule.
pub fn ranks<S: AsRef<str>>(measures: &[Option<f64>], ids: &[S]) -> Vec<usize> {
    let mut rank = vec![0; measures.len()];
    for (r, i) in order(measures, ids).into_iter().enumerate() {
        rank[i] = r + 1;
    }
    rank
}

/// One municipality's figures for the planner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MunicipalitySummary {
    /// Municipality code.
    pub code: String,
    /// Its name, when known.
    pub name: Option<String>,
    /// Residents.
    pub population: f64,
    /// Children 0–5 (geocoded children located in its areas).
    pub children: f64,
    /// Eligible families a year.
    pub eligible_families: f64,
    /// Population-weighted CNI of its areas.
    pub cni: Option<f64>,
    /// Catchments assigned to it (the municipality holding most of the catchment's population).
    pub catchments: usize,
    /// Per threshold (in [`thresholds`](crate::plan::PlanSpec::thresholds) order): its
    /// catchments with CNI strictly above it.
    pub catchments_above: Vec<usize>,
    /// Need of its areas: Σ eligible families × the area's CNI.
    pub need: f64,
    /// It takes part in the programme (`plan.municipalities`, `plan.municipalities_out`).
    pub taking_part: bool,
    /// Its catchments the exact selection chose (running included).
    pub selected: usize,
    /// Eligible families a year in those catchments.
    pub selected_eligible: f64,
    /// Extra staff of those catchments the region employs (nurses, midwives, dental staff).
    pub region: crate::plan::programme::EmployerShare,
    /// Extra staff of those catchments the municipality employs (social services).
    pub municipality: crate::plan::programme::EmployerShare,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_nan_and_none() {
        let ids = ["b", "a", "c", "d"];
        let m = [Some(1.0), Some(1.0), Some(f64::NAN), None];
        assert_eq!(ranks(&m, &ids), [2, 1, 3, 4]);
        assert_eq!(ranks::<&str>(&[], &[]), Vec::<usize>::new());
    }
}
