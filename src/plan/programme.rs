//! The programme: who is eligible, how many visits a family gets, and the staff
//! that takes.
//!
//! **Eligible families per area per year** follow the Rinkeby/Göteborg rule:
//! first-time parents, plus parents who had earlier children abroad and now have
//! their first child born in Sweden.
//! From a births table (`code, births, first_births, first_in_sweden`):
//!
//! ```text
//! eligible = first_births + first_in_sweden
//! ```
//!
//! where `first_births` counts births that are the mother's first child and
//! `first_in_sweden` counts births that are *not* a first child but the family's
//! first child born in Sweden (the two are disjoint; the table checks each is at
//! most `births`). Without the `first_in_sweden` column the rule's second half
//! cannot be applied and `eligible = first_births` (a notice says so). Without a
//! births table, or for an area missing from it, births are estimated as one
//! yearly cohort of the under-fives and a first-born share is applied:
//!
//! ```text
//! eligible ≈ under5 / 5 × first_born_share      (default share 0.42)
//! ```
//!
//! an assumption every output states ([`Eligibility::source`]).
//!
//! **Visits and staff.** A [`Programme`] has `visits` planned visits per family
//! and, per profession, the number of those visits the profession attends.
//! A share `acceptance` of eligible families accept (default 0.83, Göteborg
//! 2019–21; reported range 0.65–0.98). Accepting families do not all complete:
//! the [`Completion`] profile (Göteborg: 2 227 visits made in 564 families of a
//! 6-visit programme, 180 of them completed all six) gives the share of planned
//! visits made, `2227 / (564 × 6) = 0.658`, so a family accepting a `v`-visit
//! programme receives `0.658 × v` visits on average. In steady state (one
//! yearly cohort in, one out) per year:
//!
//! ```text
//! visits       = eligible × acceptance × visits_per_accepting_family
//! visits_p     = visits × attends_p / planned visits          (profession p)
//! hours_p      = visits_p × (minutes_per_visit + travel_minutes) / 60
//! fte_p        = hours_p / hours_per_fte                       (default 1 600 h a year)
//! cost         = Σ_p fte_p × salary_p                          (when salaries are given)
//! ```
//!
//! ```
//! use careneed::plan::programme::Programme;
//! let p = Programme::preset("rinkeby").unwrap();
//! // 100 eligible families: 83 accept, each receives 6 × 2227/3384 visits.
//! let r = p.resources(100.0);
//! assert!((r.visits - 327.732).abs() < 0.001);
//! // nurse and parent supporter at every visit, 90 + 30 minutes, 1 600 h a year
//! assert!((r.fte["nurse"] - 0.40967).abs() < 1e-5);
//! assert!((r.fte_total - 0.8193).abs() < 1e-4);
//! ```

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The preset names, in the order the docs list them.
pub const PRESETS: [&str; 5] = ["rinkeby", "goteborg", "vaxa-tryggt", "orebro", "torvalla"];

/// Default acceptance (Göteborg 2019–21).
pub const DEFAULT_ACCEPTANCE: f64 = 0.83;

/// Default salaries, SEK per FTE-year with overheads, of every profession a
/// preset uses. **Illustrative, an assumption: no source gives them.** A
/// scenario's `[plan.salaries]` replaces any of them; every plan that uses one
/// says so among its assumptions ([`salary_assumption`]).
pub const ILLUSTRATIVE_SALARIES: [(&str, f64); 4] = [
    ("nurse", 720_000.0),
    ("parent_supporter", 560_000.0),
    ("midwife", 760_000.0),
    ("dental_nurse", 520_000.0),
];

/// The assumption line naming the illustrative default salaries still in use
/// (those of `staff` not in `given`), `None` when every salary was given.
pub fn salary_assumption<'a>(
    staff: impl IntoIterator<Item = &'a String>,
    given: &BTreeMap<String, f64>,
) -> Option<String> {
    let defaults: Vec<String> = staff
        .into_iter()
        .filter(|p| !given.contains_key(*p))
        .filter_map(|p| {
            ILLUSTRATIVE_SALARIES
                .iter()
                .find(|(name, _)| name == p)
                .map(|(name, sek)| format!("{name} {sek:.0}"))
        })
        .collect();
    (!defaults.is_empty()).then(|| {
        format!(
            "{SALARY_ASSUMPTION}: {} SEK per FTE-year with overheads (no source; set [plan.salaries])",
            defaults.join(", ")
        )
    })
}

/// The start of the salary assumption line (see [`salary_assumption`]).
pub const SALARY_ASSUMPTION: &str = "illustrative default salaries";
/// Default share of births that are a first child (used only without a births table).
pub const DEFAULT_FIRST_BORN_SHARE: f64 = 0.42;

/// How completely accepting families receive the programme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Completion {
    /// Visits made in the observed programme.
    pub visits: f64,
    /// Families that accepted.
    pub families: f64,
    /// Families that received every planned visit.
    pub completed_all: f64,
    /// Planned visits of the observed programme.
    pub programme_visits: f64,
}

impl Completion {
    /// Göteborg 2019–21: 2 227 visits in 564 families of a 6-visit programme,
    /// 180 completed all six.
    pub fn goteborg() -> Self {
        Completion {
            visits: 2227.0,
            families: 564.0,
            completed_all: 180.0,
            programme_visits: 6.0,
        }
    }

    /// The share of planned visits made: `visits / (families × programme_visits)`.
    pub fn visit_share(&self) -> f64 {
        self.visits / (self.families * self.programme_visits)
    }

    /// The share of families that completed every visit.
    pub fn completed_share(&self) -> f64 {
        self.completed_all / self.families
    }
}

/// A home-visiting programme and the figures that turn families into staff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Programme {
    /// The preset it started from (or `custom`).
    pub preset: String,
    /// Planned visits per family.
    pub visits: f64,
    /// Child's age in months at each visit, when the preset fixes them.
    pub months: Vec<f64>,
    /// Per profession, the number of the planned visits it attends.
    pub staff: BTreeMap<String, f64>,
    /// Minutes per visit in the home (each profession present).
    pub minutes_per_visit: f64,
    /// Travel minutes per visit (each profession present).
    pub travel_minutes: f64,
    /// Working hours a year of one full-time employee.
    pub hours_per_fte: f64,
    /// Share of eligible families that accept.
    pub acceptance: f64,
    /// The completion profile.
    pub completion: Completion,
    /// SEK per FTE-year per profession (salary with overheads); empty = no cost.
    pub salaries: BTreeMap<String, f64>,
    /// Which figures of the preset are assumptions rather than published.
    pub assumptions: Vec<String>,
}

/// Visits, hours, FTE and cost for a number of eligible families.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resources {
    /// Eligible families a year.
    pub eligible_families: f64,
    /// `eligible × acceptance`.
    pub accepting_families: f64,
    /// Visits a year.
    pub visits: f64,
    /// Staff hours a year per profession.
    pub hours: BTreeMap<String, f64>,
    /// FTE per profession.
    pub fte: BTreeMap<String, f64>,
    /// Σ FTE.
    pub fte_total: f64,
    /// SEK a year, when every profession has a salary.
    pub cost_sek: Option<f64>,
}

fn staff(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
    pairs.iter().map(|&(k, v)| (k.to_string(), v)).collect()
}

impl Programme {
    /// A preset by name ([`PRESETS`]); `None` for an unknown name. Defaults
    /// common to all: 90 minutes per visit, 30 travel minutes, 1 600 hours per
    /// FTE, acceptance 0.83, the Göteborg completion profile, no salaries.
    ///
    /// | preset | visits | months | staff |
    /// |---|---|---|---|
    /// | `rinkeby` | 6 | 0–15 | nurse + parent supporter at every visit |
    /// | `goteborg` | 6 | 0, 2, 4, 8, 12, 15 | nurse + parent supporter at every visit (assumed, as Rinkeby) |
    /// | `vaxa-tryggt` | 6 | – | nurse 6, parent supporter 4, midwife 1, dental nurse 1 |
    /// | `orebro` | 5 | – | nurse + parent supporter at every visit (assumed) |
    /// | `torvalla` | 4 | 0, 2, 8, 15 | nurse + parent supporter at every visit (assumed) |
    pub fn preset(name: &str) -> Option<Programme> {
        let both = |v: f64| staff(&[("nurse", v), ("parent_supporter", v)]);
        let common = [
            "90 minutes per visit and 30 travel minutes (set minutes_per_visit, travel_minutes)"
                .to_string(),
            "1 600 working hours per FTE-year (set hours_per_fte)".to_string(),
        ];
        let (visits, months, staff, mut assumptions): (f64, Vec<f64>, _, Vec<String>) = match name {
            "rinkeby" => (6.0, vec![], both(6.0), vec![]),
            "goteborg" => (
                6.0,
                vec![0.0, 2.0, 4.0, 8.0, 12.0, 15.0],
                both(6.0),
                vec!["staff as Rinkeby: nurse and parent supporter at every visit".into()],
            ),
            "vaxa-tryggt" => (
                6.0,
                vec![],
                staff(&[
                    ("nurse", 6.0),
                    ("parent_supporter", 4.0),
                    ("midwife", 1.0),
                    ("dental_nurse", 1.0),
                ]),
                vec![],
            ),
            "orebro" => (
                5.0,
                vec![],
                both(5.0),
                vec!["staff: nurse and parent supporter at every visit".into()],
            ),
            "torvalla" => (
                4.0,
                vec![0.0, 2.0, 8.0, 15.0],
                both(4.0),
                vec!["staff: nurse and parent supporter at every visit".into()],
            ),
            _ => return None,
        };
        assumptions.extend(common);
        let salaries: BTreeMap<String, f64> = staff
            .keys()
            .filter_map(|p| {
                ILLUSTRATIVE_SALARIES
                    .iter()
                    .find(|(name, _)| name == p)
                    .map(|&(name, sek)| (name.to_string(), sek))
            })
            .collect();
        assumptions.extend(salary_assumption(staff.keys(), &BTreeMap::new()));
        Some(Programme {
            preset: name.to_string(),
            visits,
            months,
            staff,
            minutes_per_visit: 90.0,
            travel_minutes: 30.0,
            hours_per_fte: 1600.0,
            acceptance: DEFAULT_ACCEPTANCE,
            completion: Completion::goteborg(),
            salaries,
            assumptions,
        })
    }

    /// Visits an accepting family receives on average: `visits × visit_share`.
    pub fn visits_per_accepting_family(&self) -> f64 {
        self.visits * self.completion.visit_share()
    }

    /// FTE per eligible family (linear: every figure scales with families).
    pub fn fte_per_family(&self) -> f64 {
        self.resources(1.0).fte_total
    }

    /// Visits, hours, FTE and cost for `eligible` families a year (see the module docs).
    pub fn resources(&self, eligible: f64) -> Resources {
        let accepting = eligible * self.acceptance;
        let visits = accepting * self.visits_per_accepting_family();
        let minutes = self.minutes_per_visit + self.travel_minutes;
        let mut hours = BTreeMap::new();
        let mut fte = BTreeMap::new();
        for (p, &attends) in &self.staff {
            let share = if self.visits > 0.0 {
                attends / self.visits
            } else {
                0.0
            };
            let h = visits * share * minutes / 60.0;
            hours.insert(p.clone(), h);
            fte.insert(p.clone(), h / self.hours_per_fte);
        }
        let fte_total = fte.values().sum();
        let cost_sek = (!self.salaries.is_empty())
            .then(|| {
                fte.iter()
                    .map(|(p, f)| self.salaries.get(p).map(|s| f * s))
                    .sum::<Option<f64>>()
            })
            .flatten();
        Resources {
            eligible_families: eligible,
            accepting_families: accepting,
            visits,
            hours,
            fte,
            fte_total,
            cost_sek,
        }
    }
}

/// Where eligible families came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Eligibility {
    /// Eligible families a year per area, parallel to the area table's rows.
    pub per_row: Vec<f64>,
    /// The rule used, in one sentence (printed with the outputs).
    pub source: String,
    /// First births per row (births table) or estimated births (fallback), for the noise model.
    pub first_births: Vec<f64>,
    /// First-in-Sweden births per row (0 when unknown).
    pub first_in_sweden: Vec<f64>,
    /// `true` for rows estimated from under-fives.
    pub estimated: Vec<bool>,
    /// The first-born share applied to estimated rows.
    pub first_born_share: f64,
}

impl Eligibility {
    /// Estimated for every row: `under5 / 5 × share`.
    pub fn estimated(under5: &[f64], share: f64) -> Self {
        Eligibility {
            per_row: under5.iter().map(|u| u / 5.0 * share).collect(),
            source: format!(
                "estimated: no births table, so eligible families = under-fives / 5 (one yearly cohort) × a first-born share of {share} (assumption)"
            ),
            first_births: under5.iter().map(|u| u / 5.0).collect(),
            first_in_sweden: vec![0.0; under5.len()],
            estimated: vec![true; under5.len()],
            first_born_share: share,
        }
    }

    /// Eligible families for one row from (possibly perturbed) components.
    pub fn value(&self, row: usize, first_births: f64, first_in_sweden: f64) -> f64 {
        if self.estimated.get(row).copied().unwrap_or(false) {
            first_births * self.first_born_share
        } else {
            first_births + first_in_sweden
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_exists_and_goteborg_completion_is_as_published() {
        for p in PRESETS {
            let programme = Programme::preset(p).unwrap();
            assert!(programme.staff.values().all(|&v| v <= programme.visits));
        }
        assert!(Programme::preset("stockholm").is_none());
        let c = Completion::goteborg();
        assert!((c.visit_share() - 2227.0 / 3384.0).abs() < 1e-12);
        assert!((c.completed_share() - 180.0 / 564.0).abs() < 1e-12);
        assert_eq!(Programme::preset("torvalla").unwrap().visits, 4.0);
        assert_eq!(Programme::preset("orebro").unwrap().visits, 5.0);
    }

    #[test]
    fn vaxa_tryggt_staff_hours_by_hand() {
        let p = Programme::preset("vaxa-tryggt").unwrap();
        let r = p.resources(10.0);
        // 8.3 accepting × 6 × 0.65809 = 32.773 visits; midwife at 1 of 6.
        let visits = 10.0 * 0.83 * 6.0 * 2227.0 / 3384.0;
        assert!((r.visits - visits).abs() < 1e-9);
        assert!((r.hours["midwife"] - visits / 6.0 * 2.0).abs() < 1e-9);
        assert!((r.hours["parent_supporter"] - visits * 4.0 / 6.0 * 2.0).abs() < 1e-9);
        // Every profession has an illustrative default salary, labelled.
        let want: f64 = ILLUSTRATIVE_SALARIES
            .iter()
            .map(|&(name, sek)| r.fte[name] * sek)
            .sum();
        assert!((r.cost_sek.unwrap() - want).abs() < 1e-6);
        assert!(
            p.assumptions
                .iter()
                .any(|a| a.starts_with(SALARY_ASSUMPTION) && a.contains("dental_nurse 520000"))
        );
    }

    #[test]
    fn cost_needs_every_salary() {
        let mut p = Programme::preset("rinkeby").unwrap();
        p.salaries.clear();
        p.salaries.insert("nurse".into(), 800_000.0);
        assert_eq!(p.resources(10.0).cost_sek, None);
        p.salaries.insert("parent_supporter".into(), 600_000.0);
        let r = p.resources(10.0);
        let want = r.fte["nurse"] * 800_000.0 + r.fte["parent_supporter"] * 600_000.0;
        assert!((r.cost_sek.unwrap() - want).abs() < 1e-6);
    }
}
