//! Small-count suppression: no output shows a count of people below a threshold,
//! nor a figure derived from such a count.
//!
//! # The rule
//! * A **count** (residents, children 0–5, newborns, eligible or accepting
//!   families) is *small* when `0 < count < min_count` (default 5, set with
//!   `[privacy] min_count` in the scenario; `0` turns suppression off). Counts
//!   may be fractional (families estimated from shares): 4.2 is small too.
//! * **Zero is shown.** An empty area or centre discloses nothing about a
//!   person, and SCB's and Socialstyrelsen's tables likewise suppress small
//!   non-zero counts, not zeros.
//! * A small count is replaced by a marker: [`MARKER`] (`..`, SCB's sign for
//!   "too uncertain / withheld") in CSV and HTML, `null` in GeoJSON with the
//!   feature property `suppressed: true`.
//! * Every figure **derived** from a withheld count of that row is withheld too:
//!   an area's CNI and research scores with its residents; a centre's shares,
//!   VTI and nurse time with its newborns; a catchment's need reached, visits,
//!   FTE and cost with its eligible families; a centre's VTI and relative VTI
//!   wherever they appear (left empty in the catchment and plan tables, which
//!   take them from the centre).
//! * Suppressed values never enter a map classification, so class breaks do not
//!   reveal them.
//! * No output holds a child-level record or coordinate: children are only ever
//!   counted per area or catchment.
//!
//! Not done (stated so a publisher knows): numerators of shown shares (e.g. 3
//! smoking mothers behind a share of 3.7 % of 82 newborns) are not suppressed,
//! and there is no secondary (complementary) suppression against differencing
//! of totals.
//!
//! ```
//! use careneed::outputs::privacy::Privacy;
//! let p = Privacy::default();
//! assert!(p.hides(Some(4.0)) && p.hides(Some(0.5)));
//! assert!(!p.hides(Some(0.0)) && !p.hides(Some(5.0)) && !p.hides(None));
//! assert_eq!(p.cell(Some(3.0), 0), "..");
//! assert_eq!(p.cell(Some(12.0), 0), "12");
//! ```

use serde::{Deserialize, Serialize};

/// The marker written in place of a withheld value in CSV and HTML.
pub const MARKER: &str = "..";

/// The suppression threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Privacy {
    /// Counts `c` with `0 < c < min_count` are withheld (5 by default).
    pub min_count: f64,
}

impl Default for Privacy {
    fn default() -> Self {
        Privacy { min_count: 5.0 }
    }
}

impl Privacy {
    /// Whether a count is withheld: `0 < count < min_count`. `None` (no count) is
    /// not withheld; it has nothing to hide.
    pub fn hides(&self, count: Option<f64>) -> bool {
        count.is_some_and(|c| c > 0.0 && c < self.min_count)
    }

    /// Whether any of `counts` is withheld.
    pub fn hides_any(&self, counts: &[Option<f64>]) -> bool {
        counts.iter().any(|&c| self.hides(c))
    }

    /// A count as a CSV/HTML cell: the marker when withheld, otherwise the number
    /// with at most `decimals` decimals.
    pub fn cell(&self, count: Option<f64>, decimals: usize) -> String {
        if self.hides(count) {
            MARKER.into()
        } else {
            count
                .map(|c| super::csv::number(c, decimals))
                .unwrap_or_default()
        }
    }
}

/// What one output withheld: `rows` rows (areas, centres, catchments), each with
/// `fields` replaced by the marker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suppression {
    /// The output file, e.g. `plan_areas.csv`.
    pub output: String,
    /// What a row is (`areas`, `centres`, `catchments`, `municipalities`).
    pub unit: String,
    /// Rows with at least one withheld value.
    pub rows: usize,
    /// The fields withheld in those rows.
    pub fields: Vec<String>,
}

/// Which rows of each output of `run` are withheld under `privacy`, output by
/// output (only outputs that withhold something are listed). The writers apply
/// the same rules; this is the summary `report.html` and `run_report.json` show.
pub fn summary(run: &crate::pipeline::Run, privacy: &Privacy) -> Vec<Suppression> {
    let mut out = Vec::new();
    let mut push = |output: &str, unit: &str, rows: usize, fields: &[&str]| {
        if rows > 0 {
            out.push(Suppression {
                output: output.into(),
                unit: unit.into(),
                rows,
                fields: fields.iter().map(|s| s.to_string()).collect(),
            });
        }
    };
    let areas = run
        .areas
        .iter()
        .filter(|a| privacy.hides(a.population))
        .count();
    let area_fields = ["population", "index", "cni", "cni_research"];
    push("ranking.csv", "areas", areas, &area_fields);
    push("cni.csv", "areas", areas, &area_fields);
    if run.boundaries.is_some() {
        let with_polygon = run
            .areas
            .iter()
            .filter(|a| a.polygon.is_some() && privacy.hides(a.population))
            .count();
        push("areas.geojson", "areas", with_polygon, &area_fields);
    }
    if let Some(v) = &run.vti {
        let n = v
            .centres
            .iter()
            .filter(|c| privacy.hides(Some(c.newborns)))
            .count();
        push("vti.csv", "centres", n, &VTI_FIELDS);
        if run.catchments.is_some() {
            let fields = ["vti", "relative_vti"];
            push("catchments.csv", "catchments", n, &fields);
            push("catchments.geojson", "catchments", n, &fields);
        }
        if run.plan.is_some() {
            push("plan.csv", "catchments", n, &["relative_vti"]);
        }
    }
    // Planned catchments whose families are withheld.
    let planned = run.plan.as_ref().map_or(0, |p| {
        p.catchments
            .iter()
            .filter(|x| plan_hidden(privacy, x))
            .count()
    });
    if let Some(c) = &run.catchments {
        let n = c
            .summaries
            .iter()
            .filter(|s| privacy.hides_any(&[Some(s.population), Some(s.children)]))
            .count();
        push("catchments.csv", "catchments", n, &CATCHMENT_FIELDS);
        push("catchments.geojson", "catchments", n, &CATCHMENT_FIELDS);
        push(
            "catchments.geojson",
            "catchments",
            planned,
            &["eligible_families", "need", "visits", "fte"],
        );
    }
    if let Some(p) = &run.plan {
        push("plan.csv", "catchments", planned, &PLAN_FIELDS);
        let m = p
            .municipalities
            .iter()
            .filter(|m| {
                privacy.hides_any(&[
                    Some(m.population),
                    Some(m.children),
                    Some(m.eligible_families),
                ])
            })
            .count();
        push(
            "plan_municipalities.csv",
            "municipalities",
            m,
            &["population", "children", "eligible_families", "cni"],
        );
        let a = p
            .areas
            .iter()
            .filter(|a| privacy.hides(Some(a.eligible_families)))
            .count();
        push("plan_areas.csv", "areas", a, &["eligible_families", "need"]);
    }
    out
}

/// BVC ids of the centres whose newborns are withheld (their VTI figures are
/// withheld wherever they appear).
pub fn hidden_centres(
    run: &crate::pipeline::Run,
    privacy: &Privacy,
) -> std::collections::BTreeSet<String> {
    run.vti
        .iter()
        .flat_map(|v| &v.centres)
        .filter(|c| privacy.hides(Some(c.newborns)))
        .map(|c| c.bvc.clone())
        .collect()
}

/// A copy of `run` with the VTI and relative VTI of the centres in `hidden`
/// ([`hidden_centres`]) removed from the catchments and the plan (and the
/// plan's measure when it ranks by VTI), so every writer leaves them out;
/// `None` when no centre is withheld. (With `need_weight = "relative_vti"`,
/// such a catchment's need still carries its relative VTI.)
pub(crate) fn mask_centres(
    run: &crate::pipeline::Run,
    hidden: &std::collections::BTreeSet<String>,
) -> Option<crate::pipeline::Run> {
    if hidden.is_empty() {
        return None;
    }
    let mut masked = run.clone();
    if let Some(c) = &mut masked.catchments {
        for s in c.summaries.iter_mut().filter(|s| hidden.contains(&s.bvc)) {
            s.vti = None;
            s.relative_vti = None;
        }
    }
    if let Some(p) = &mut masked.plan {
        let by_vti = p.spec.rank_by == crate::plan::rank::RankBy::Vti;
        for c in p.catchments.iter_mut().filter(|c| hidden.contains(&c.bvc)) {
            c.relative_vti = None;
            if by_vti {
                c.measure = None;
            }
        }
    }
    Some(masked)
}

/// Fields of `vti.csv` withheld with a centre's newborns.
pub const VTI_FIELDS: [&str; 10] = [
    "newborns",
    "p_first",
    "p_bcg",
    "p_smoke",
    "vti",
    "vt_children",
    "weighted_newborns",
    "relative_vti",
    "nurse_fte",
    "nurse_hours_per_week",
];

/// Fields of a catchment withheld with its residents or children.
pub const CATCHMENT_FIELDS: [&str; 3] = ["population", "children", "cni"];

/// Fields of a planned catchment withheld with its eligible or accepting families.
pub const PLAN_FIELDS: [&str; 7] = [
    "measure",
    "eligible_families",
    "need",
    "accepting_families",
    "visits",
    "fte",
    "cost_sek",
];

/// Whether a total over `chosen` catchments of `plan` (a wave, a selection) must
/// be withheld: it includes a catchment whose families are withheld, so it would
/// reveal them (alone, or by difference with the shown ones).
pub(crate) fn total_hidden(
    privacy: &Privacy,
    plan: &crate::plan::Plan,
    chosen: impl IntoIterator<Item = usize>,
) -> bool {
    chosen.into_iter().any(|i| {
        plan.catchments
            .get(i)
            .is_some_and(|c| plan_hidden(privacy, c))
    })
}

/// Whether a selection's totals must be withheld ([`total_hidden`] over every
/// catchment it selects).
pub(crate) fn selection_hidden(
    privacy: &Privacy,
    plan: &crate::plan::Plan,
    selection: &crate::plan::select::Selection,
) -> bool {
    let chosen = selection
        .wave
        .iter()
        .enumerate()
        .filter(|(_, w)| w.is_some())
        .map(|(i, _)| i);
    total_hidden(privacy, plan, chosen)
}

/// Whether a planned catchment's families (eligible or accepting) are withheld.
pub fn plan_hidden(privacy: &Privacy, c: &crate::plan::CatchmentPlan) -> bool {
    privacy.hides_any(&[
        Some(c.eligible_families),
        Some(c.resources.accepting_families),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_is_exclusive_and_zero_is_shown() {
        let p = Privacy { min_count: 3.0 };
        assert_eq!(p.cell(Some(2.99), 2), MARKER);
        assert_eq!(p.cell(Some(3.0), 2), "3");
        assert_eq!(p.cell(Some(0.0), 2), "0");
        assert_eq!(p.cell(None, 2), "");
        let off = Privacy { min_count: 0.0 };
        assert!(!off.hides(Some(1.0)));
    }
}
