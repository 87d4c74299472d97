//! BarnSäkert: a competing demand on the same staff.
//!
//! Region Gävleborg introduces BarnSäkert at every BVC in 2022/2023: parents
//! fill in a form when the child is 6–8 weeks old, and "Vid utfall kan
//! familjen erbjudas: Samtal på BVC med eller utan socialtjänst, hembesök med
//! eller utan socialtjänst, …" (the interpellation answer, paragraph 2). Its
//! home visits fall on the same BVC nurses and social services staff as an
//! extended programme. The sources give no figures, so every one of them is an
//! assumption, labelled so in every output; `[plan.barnsakert]` sets them.
//!
//! Per catchment, with `births` its births a year (all families are screened):
//!
//! ```text
//! positive      = births × positive_share
//! visits        = positive × visits_per_family
//! nurse_fte     = visits × (minutes_per_visit + travel_minutes) / 60 / hours_per_fte          (region)
//! social_fte    = visits × social_services_share × (minutes_per_visit + travel_minutes) / 60 / hours_per_fte   (municipality)
//! ```
//!
//! With `in_budget = true` the county's total is taken from the first wave's
//! FTE budget before the programme is chosen (BarnSäkert runs at every BVC
//! whatever the plan).
//!
//! ```
//! use careneed::plan::barnsakert::BarnSakert;
//! let b = BarnSakert::default();
//! // 100 births, 10 % positive, 2 visits each, half with social services, 2 h each.
//! let d = b.demand(100.0);
//! assert!((d.visits - 20.0).abs() < 1e-12);
//! assert!((d.nurse_fte - 40.0 / 1600.0).abs() < 1e-12);
//! assert!((d.social_fte - 20.0 / 1600.0).abs() < 1e-12);
//! ```

use crate::sources::{Basis, Parameter};
use serde::{Deserialize, Serialize};

/// BarnSäkert's figures, each an assumption (see the module docs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BarnSakert {
    /// Share of screened families with a positive screen that leads to home visits.
    pub positive_share: f64,
    /// Home visits per such family.
    pub visits_per_family: f64,
    /// Share of those visits made together with social services.
    pub social_services_share: f64,
    /// Minutes per visit in the home.
    pub minutes_per_visit: f64,
    /// Travel minutes per visit.
    pub travel_minutes: f64,
    /// Working hours per FTE-year.
    pub hours_per_fte: f64,
    /// Take the county's BarnSäkert FTE from the first wave's budget.
    pub in_budget: bool,
    /// Which figures the scenario set (the others are careneed's defaults).
    pub set_in_scenario: Vec<String>,
}

impl Default for BarnSakert {
    fn default() -> Self {
        BarnSakert {
            positive_share: 0.1,
            visits_per_family: 2.0,
            social_services_share: 0.5,
            minutes_per_visit: 90.0,
            travel_minutes: 30.0,
            hours_per_fte: 1600.0,
            in_budget: false,
            set_in_scenario: Vec::new(),
        }
    }
}

/// BarnSäkert's demand for a number of births.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Demand {
    /// Births a year (all screened).
    pub births: f64,
    /// Families with a positive screen.
    pub positive: f64,
    /// Home visits a year.
    pub visits: f64,
    /// BVC nurse FTE (region).
    pub nurse_fte: f64,
    /// Social services FTE (municipality).
    pub social_fte: f64,
}

impl std::ops::Add for Demand {
    type Output = Demand;

    /// The sum of two demands.
    fn add(self, o: Demand) -> Demand {
        Demand {
            births: self.births + o.births,
            positive: self.positive + o.positive,
            visits: self.visits + o.visits,
            nurse_fte: self.nurse_fte + o.nurse_fte,
            social_fte: self.social_fte + o.social_fte,
        }
    }
}

impl BarnSakert {
    /// The demand of `births` births a year (see the module docs).
    pub fn demand(&self, births: f64) -> Demand {
        let positive = births * self.positive_share;
        let visits = positive * self.visits_per_family;
        let hours = visits * (self.minutes_per_visit + self.travel_minutes) / 60.0;
        Demand {
            births,
            positive,
            visits,
            nurse_fte: hours / self.hours_per_fte,
            social_fte: hours * self.social_services_share / self.hours_per_fte,
        }
    }

    /// Every figure with its basis: the programme from the interpellation
    /// answer, each number an assumption (no source gives one).
    pub fn parameters(&self) -> Vec<Parameter> {
        let label = |key: &str, default_text: &str| {
            if self.set_in_scenario.iter().any(|k| k == key) {
                Basis::assume(format!(
                    "BarnSäkert {key}: set in the scenario (plan.barnsakert.{key}); no source gives a figure"
                ))
            } else {
                Basis::assume(format!(
                    "BarnSäkert {key}: {default_text}; no source gives a figure"
                ))
            }
        };
        vec![
            Parameter::new(
                "plan.barnsakert",
                "screening at every BVC; a positive screen can lead to home visits with or without social services",
                Basis::cite(
                    "gavleborg-interpellation",
                    "answer, paragraph 2",
                    "införs under 2022/2023 ”BarnSäkert” på alla BVC-mottagningar … Vid utfall kan familjen erbjudas: … hembesök med eller utan socialtjänst",
                ),
            ),
            Parameter::new(
                "plan.barnsakert.positive_share",
                self.positive_share,
                label(
                    "positive_share",
                    "10 % of screened families get home visits",
                ),
            ),
            Parameter::new(
                "plan.barnsakert.visits_per_family",
                self.visits_per_family,
                label("visits_per_family", "2 home visits per such family"),
            ),
            Parameter::new(
                "plan.barnsakert.social_services_share",
                self.social_services_share,
                label(
                    "social_services_share",
                    "half the visits with social services",
                ),
            ),
            Parameter::new(
                "plan.barnsakert.minutes",
                format!(
                    "{} + {} travel",
                    self.minutes_per_visit, self.travel_minutes
                ),
                label(
                    "minutes_per_visit",
                    "90 minutes a visit and 30 travel minutes, as the programme's",
                ),
            ),
            Parameter::new(
                "plan.barnsakert.in_budget",
                self.in_budget,
                if self.set_in_scenario.iter().any(|k| k == "in_budget") {
                    Basis::Scenario("plan.barnsakert.in_budget".into())
                } else {
                    Basis::assume(
                        "BarnSäkert's staff is reported beside the plan, not taken from its budget (set plan.barnsakert.in_budget)",
                    )
                },
            ),
        ]
    }
}
