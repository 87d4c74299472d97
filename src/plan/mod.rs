//! Plan: where extended home visits should start, how many families that
//! reaches, and what staff it needs. The stage after [`spatial`](crate::spatial)
//! and before [`outputs`](crate::outputs):
//!
//! | module | what |
//! |---|---|
//! | [`programme`] | eligible families (births table or estimate), presets, visits → hours → FTE → SEK |
//! | [`barnsakert`] | BarnSäkert's home visits: a competing demand on the same staff |
//! | [`model`](mod@model) | counts and weights → catchment CNI, VTI, eligible families, need reached, cost |
//! | [`rank`] | ranking by CNI, VTI or need reached, with a tie rule; per-municipality summary |
//! | [`select`](mod@select) | exact knapsack and greedy baseline under an FTE or SEK budget, lock-in/out, minimum CNI, waves; with `plan.units = "areas"` a catchment's areas nearest its BVC ([`Units`]) |
//! | [`robust`] | seeded Monte Carlo: 90 % rank interval and P(selected) per catchment |
//!
//! [`plan`] runs them on a [`PlanInput`]: the pieces of a run it needs (the area
//! table, its CNI, the areas, the catchments, the VTI, the births), borrowed and
//! typed. [`pipeline::run`](crate::pipeline::run) calls it when the scenario has
//! a `[plan]` section.
//!
//! ```
//! use careneed::{pipeline, scenario::Scenario};
//! let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo");
//! let mut s = Scenario::read(&dir.join("scenario.toml")).unwrap();
//! s.plan.as_mut().unwrap().robustness = None; // skip the Monte Carlo here
//! let run = pipeline::run(&s).unwrap();
//! let plan = run.plan.as_ref().unwrap();
//! // Eligible families from the births table: first births + first in Sweden.
//! let births: f64 = plan.catchments.iter().map(|c| c.eligible_families).sum();
//! assert!(births > 400.0 && births < 1500.0);
//! // The exact optimum never reaches less need than greedy, within the budget.
//! let (exact, greedy) = (plan.exact.as_ref().unwrap(), plan.greedy.as_ref().unwrap());
//! assert!(exact.need >= greedy.need);
//! // The running pilot (wave 0) is already staffed: the budgets buy the rest.
//! assert!(exact.cost - exact.running.cost <= plan.spec.budgets.iter().sum::<f64>() + 1e-9);
//! ```

pub mod barnsakert;
pub mod model;
pub mod programme;
pub mod rank;
pub mod robust;
pub mod select;

use crate::error::{Error, Location, Result};
use crate::inputs::table::Table;
use crate::report::Report;
use crate::scores::areas::AreaSummary;
use crate::scores::cni::CniResult;
use crate::scores::vti::VtiResult;
use crate::sources::{Basis, Parameter};
use crate::spatial::catchments::CatchmentRun;
use model::Model;
use programme::{Eligibility, Programme, Resources};
use rank::{MunicipalitySummary, NeedWeight, RankBy, ranks};
use robust::{RobustSpec, Robustness, Rules};
use select::{Selection, Solver};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The unit of a budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetUnit {
    /// Full-time equivalents (all professions together).
    #[default]
    Fte,
    /// Swedish kronor a year (needs a salary for every profession).
    Sek,
}

/// The units a plan selects (`plan.units`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Units {
    /// Whole catchments.
    #[default]
    Catchments,
    /// Areas within catchments, nearest the BVC first: a catchment may be
    /// covered in part (see [`select`](mod@select)). Needs catchments built from
    /// BVC points.
    Areas,
}

/// What a plan computes, with every default filled in (from a scenario's
/// `[plan]` section by [`Scenario::plan_spec`](crate::scenario::Scenario::plan_spec)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanSpec {
    /// The programme (preset plus overrides).
    pub programme: Programme,
    /// The ranking measure.
    pub rank_by: RankBy,
    /// The need weight.
    pub need_weight: NeedWeight,
    /// The budgets' unit.
    pub budget_unit: BudgetUnit,
    /// What is selected: whole catchments or their areas nearest the BVC.
    #[serde(default)]
    pub units: Units,
    /// One budget per rollout wave; empty: no selection beyond lock-ins.
    pub budgets: Vec<f64>,
    /// Only catchments with CNI strictly above this may be chosen.
    pub min_cni: Option<f64>,
    /// Only catchments with relative VTI strictly above this may be chosen.
    pub min_relative_vti: Option<f64>,
    /// BVC ids already running the programme.
    pub lock_in: Vec<String>,
    /// BVC ids never to choose.
    pub lock_out: Vec<String>,
    /// Only catchments in these municipalities (codes) take part; all when `None`.
    pub municipalities: Option<Vec<String>>,
    /// Municipalities (codes) that do not take part.
    pub municipalities_out: Vec<String>,
    /// CNI thresholds of the municipality summary.
    pub thresholds: Vec<f64>,
    /// First-born share for areas without births data.
    pub first_born_share: f64,
    /// Monte Carlo settings; `None` skips it.
    pub robustness: Option<RobustSpec>,
    /// BarnSäkert as a competing demand (`[plan.barnsakert]`); `None` leaves it out.
    pub barnsakert: Option<barnsakert::BarnSakert>,
    /// The basis of the plan's own settings (`rank_by`, `need_weight`,
    /// `thresholds`, `first_born_share`, `robustness`, …); the scenario marks
    /// what it set. The programme's figures carry their own
    /// ([`Programme::basis`]).
    pub basis: BTreeMap<String, Basis>,
}

impl PlanSpec {
    /// A plan with a preset and every other setting at its default.
    pub fn new(programme: Programme) -> Self {
        PlanSpec {
            programme,
            rank_by: RankBy::default(),
            need_weight: NeedWeight::default(),
            budget_unit: BudgetUnit::Fte,
            units: Units::Catchments,
            budgets: Vec::new(),
            min_cni: None,
            min_relative_vti: None,
            lock_in: Vec::new(),
            lock_out: Vec::new(),
            municipalities: None,
            municipalities_out: Vec::new(),
            thresholds: vec![1.0],
            first_born_share: programme::DEFAULT_FIRST_BORN_SHARE,
            robustness: None,
            barnsakert: None,
            basis: default_basis(),
        }
    }

    /// Every setting of the plan, the programme's first, with its basis.
    pub fn parameters(&self) -> Vec<Parameter> {
        let b = |k: &str| {
            self.basis
                .get(k)
                .cloned()
                .unwrap_or_else(|| Basis::Scenario(format!("plan.{k}")))
        };
        let list = |v: &[String]| format!("[{}]", v.join(", "));
        let mut v = self.programme.parameters();
        v.extend([
            Parameter::new("plan.rank_by", json_name(&self.rank_by), b("rank_by")),
            Parameter::new(
                "plan.need_weight",
                json_name(&self.need_weight),
                b("need_weight"),
            ),
            Parameter::new(
                "plan.thresholds",
                format!("{:?}", self.thresholds),
                b("thresholds"),
            ),
            Parameter::new(
                "plan.first_born_share",
                self.first_born_share,
                b("first_born_share"),
            ),
        ]);
        if self.units == Units::Areas {
            v.push(Parameter::new("plan.units", "areas", b("units")));
        }
        if !self.budgets.is_empty() {
            v.push(Parameter::new(
                "plan.budgets",
                format!("{:?} {}", self.budgets, json_name(&self.budget_unit)),
                b("budgets"),
            ));
        }
        for (k, x) in [
            ("min_cni", self.min_cni),
            ("min_relative_vti", self.min_relative_vti),
        ] {
            if let Some(x) = x {
                v.push(Parameter::new(format!("plan.{k}"), x, b(k)));
            }
        }
        for (k, x) in [("lock_in", &self.lock_in), ("lock_out", &self.lock_out)] {
            if !x.is_empty() {
                v.push(Parameter::new(format!("plan.{k}"), list(x), b(k)));
            }
        }
        if let Some(m) = &self.municipalities {
            v.push(Parameter::new(
                "plan.municipalities",
                list(m),
                b("municipalities"),
            ));
        }
        if !self.municipalities_out.is_empty() {
            v.push(Parameter::new(
                "plan.municipalities_out",
                list(&self.municipalities_out),
                b("municipalities_out"),
            ));
        }
        if let Some(b) = &self.barnsakert {
            v.extend(b.parameters());
        }
        if let Some(r) = &self.robustness {
            v.extend([
                Parameter::new("plan.robustness.draws", r.draws, b("robustness.draws")),
                Parameter::new("plan.robustness.seed", r.seed, b("robustness.seed")),
                Parameter::new(
                    "plan.robustness.weight_spread",
                    r.weight_spread,
                    b("robustness.weight_spread"),
                ),
                Parameter::new(
                    "plan.robustness.count_noise",
                    r.count_noise,
                    b("robustness.count_noise"),
                ),
            ]);
        }
        v
    }
}

/// A serde enum's name as in the scenario (`need_reached`).
fn json_name<T: Serialize>(x: &T) -> String {
    serde_json::to_value(x)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The basis of every plan setting at its default (see [`PlanSpec::basis`]).
fn default_basis() -> BTreeMap<String, Basis> {
    let a = |t: &str| Basis::assume(t);
    [
        (
            "rank_by",
            a("catchments are ranked by need reached (eligible families × the area's CNI, summed over the catchment): careneed's choice, no source ranks catchments"),
        ),
        (
            "need_weight",
            a("need = eligible families weighted by their area's CNI; the sources target areas “med ett högt CNI” (fohm-2022, p. 13) but give no weighting"),
        ),
        (
            "thresholds",
            a("the municipality summary counts catchments with CNI above 1.0, the reference average by the CNI's definition; no source sets a threshold"),
        ),
        (
            "first_born_share",
            a("without a births table, 42 % of births are first births (set plan.first_born_share)"),
        ),
        (
            "units",
            Basis::cite(
                "fohm-2022",
                "p. 15 (Växa tryggt, Region Skåne)",
                "Vissa team har inte haft resurser för att inkludera alla förstföderskor, och då har man gjort urval utifrån exempelvis kortast geografiskt avstånd till BVC",
            ),
        ),
        ("robustness.draws", a("1 000 Monte Carlo draws")),
        ("robustness.seed", a("seed 2024, so reruns are identical")),
        (
            "robustness.weight_spread",
            a("every weight varies by ±20 % (uniform): how uncertain the weights are is not published"),
        ),
        (
            "robustness.count_noise",
            a("Poisson noise on every count stands for the noise SCB adds to small counts"),
        ),
    ]
    .into_iter()
    .map(|(k, b)| (k.to_string(), b))
    .collect()
}

/// One catchment's plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatchmentPlan {
    /// BVC id.
    pub bvc: String,
    /// BVC name.
    pub name: Option<String>,
    /// Municipality holding most of the catchment's population.
    pub municipality_code: Option<String>,
    /// Its name.
    pub municipality: Option<String>,
    /// 1 = most need by the ranking measure.
    pub rank: usize,
    /// The ranking measure.
    pub measure: Option<f64>,
    /// Population-weighted CNI.
    pub cni: Option<f64>,
    /// Relative VTI of the BVC.
    pub relative_vti: Option<f64>,
    /// Eligible families a year.
    pub eligible_families: f64,
    /// Where they come from: `births` (the births table), `estimated` (under-fives
    /// × first-born share, an assumption) or `mixed`.
    pub eligibility: String,
    /// Need reached.
    pub need: f64,
    /// Visits, hours, FTE and cost.
    pub resources: Resources,
    /// Cost in the budget's unit.
    pub cost: f64,
    /// Locked in.
    pub locked_in: bool,
    /// Locked out.
    pub locked_out: bool,
    /// Its municipality takes part (`plan.municipalities`, `plan.municipalities_out`).
    pub municipality_taking_part: bool,
    /// Why the exact selection chose it or not; `None` without a selection.
    pub reason: Option<Reason>,
    /// BarnSäkert's demand here, when `[plan.barnsakert]` is given.
    pub barnsakert: Option<barnsakert::Demand>,
    /// May be chosen: not locked out and above the minimum CNI and relative VTI.
    pub allowed: bool,
    /// Wave of the exact selection (0: running), `None` when not selected.
    pub phase: Option<usize>,
    /// Wave of the greedy selection.
    pub greedy_phase: Option<usize>,
    /// 90 % rank interval over the Monte Carlo draws.
    pub rank_interval: Option<(usize, usize)>,
    /// Share of Monte Carlo draws that select it (with areas as units: that
    /// cover at least one of its areas).
    pub p_selected: Option<f64>,
    /// Its areas (in the area table).
    pub areas_total: usize,
    /// Areas the exact selection covers, nearest the BVC first (all or none
    /// with whole catchments); `None` without a selection.
    pub areas_covered: Option<usize>,
    /// Eligible families a year in the covered areas.
    pub covered_eligible_families: Option<f64>,
    /// What the programme needs for them (FTE, cost).
    pub covered_resources: Option<Resources>,
    /// With areas as units: the mean share of its areas the Monte Carlo draws cover.
    pub mean_covered_share: Option<f64>,
}

/// Why the exact selection chose a catchment, or did not. With areas as units a
/// catchment with any area covered is chosen ([`Reason::Wave`]), and one that
/// does not fit is described by its nearest area ([`Reason::DoesNotFit`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Reason {
    /// Already running (locked in): wave 0.
    Running,
    /// Chosen, in this wave.
    Wave {
        /// 1-based.
        wave: usize,
    },
    /// Locked out (`plan.lock_out`).
    LockedOut,
    /// Its municipality does not take part.
    MunicipalityOut,
    /// Its CNI is not above `plan.min_cni`.
    BelowMinCni {
        /// The threshold.
        min: f64,
    },
    /// Its BVC's relative VTI is not above `plan.min_relative_vti`.
    BelowMinRelativeVti {
        /// The threshold.
        min: f64,
    },
    /// It reaches no need (no eligible families).
    NoNeed,
    /// No budget was given.
    NoBudget,
    /// It does not fit the budget left after the last wave; taking it instead of
    /// chosen ones reaches less need in total.
    DoesNotFit {
        /// The last wave.
        wave: usize,
        /// Its cost (with areas as units: its nearest area's), in the budget's unit.
        cost: f64,
        /// The budget left after the last wave.
        left: f64,
        /// Its need per unit of cost.
        need_per_cost: f64,
        /// The lowest need per unit of cost among the chosen (not running).
        lowest_chosen: Option<f64>,
    },
}

#[allow(clippy::too_many_arguments)]
fn reason(
    c: usize,
    f: &model::Figures,
    spec: &PlanSpec,
    candidates: &[select::Candidate],
    exact: Option<&Selection>,
    municipality_out: bool,
    locked_out: bool,
    nearest_area: Option<(f64, f64)>,
) -> Option<Reason> {
    let s = exact?;
    let x = candidates.get(c)?;
    Some(match s.wave.get(c).copied().flatten() {
        Some(0) => Reason::Running,
        Some(w) => Reason::Wave { wave: w },
        None if municipality_out => Reason::MunicipalityOut,
        None if locked_out => Reason::LockedOut,
        None if x.allowed && x.need > 0.0 && spec.budgets.is_empty() => Reason::NoBudget,
        None if x.allowed && x.need > 0.0 => {
            let ratio = |i: usize| {
                let k = &candidates[i];
                if k.cost > 0.0 {
                    k.need / k.cost
                } else {
                    f64::INFINITY
                }
            };
            let lowest_chosen = (0..candidates.len())
                .filter(|&i| s.wave[i].is_some_and(|w| w > 0))
                .map(ratio)
                .fold(None, |m: Option<f64>, r| Some(m.map_or(r, |m| m.min(r))));
            match nearest_area {
                // Areas as units: not even its nearest area was worth its cost.
                Some((need, cost)) => Reason::DoesNotFit {
                    wave: spec.budgets.len(),
                    cost,
                    left: s.left,
                    need_per_cost: if cost > 0.0 {
                        need / cost
                    } else {
                        f64::INFINITY
                    },
                    lowest_chosen: None,
                },
                None => Reason::DoesNotFit {
                    wave: spec.budgets.len(),
                    cost: x.cost,
                    left: s.left,
                    need_per_cost: ratio(c),
                    lowest_chosen,
                },
            }
        }
        None if x.need <= 0.0 && x.allowed => Reason::NoNeed,
        None => match (spec.min_cni, spec.min_relative_vti) {
            (Some(t), _) if f.cni[c].is_none_or(|v| v <= t) => Reason::BelowMinCni { min: t },
            (_, Some(t)) if f.relative_vti[c].is_none_or(|v| v <= t) => {
                Reason::BelowMinRelativeVti { min: t }
            }
            _ => Reason::LockedOut,
        },
    })
}

/// One area's need, ranked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaPlan {
    /// Area code.
    pub code: String,
    /// 1 = most need: by eligible × CNI when ranking by need reached, else by CNI.
    pub rank: usize,
    /// CNI.
    pub cni: Option<f64>,
    /// Eligible families a year.
    pub eligible_families: f64,
    /// Eligible × CNI.
    pub need: f64,
    /// With areas as units: its catchment's BVC id.
    pub bvc: Option<String>,
    /// With areas as units: its place by distance from its BVC (1 = nearest).
    pub distance_rank: Option<usize>,
    /// With areas as units and a selection: whether the exact selection covers it.
    pub covered: Option<bool>,
}

/// A complete plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The settings.
    pub spec: PlanSpec,
    /// How eligible families were found (printed with the outputs).
    pub eligibility: String,
    /// Visits an accepting family receives on average.
    pub visits_per_accepting_family: f64,
    /// Per catchment, in catchment (BVC id) order.
    pub catchments: Vec<CatchmentPlan>,
    /// Indices into `catchments`, rank 1 first.
    pub order: Vec<usize>,
    /// Areas, rank 1 first.
    pub areas: Vec<AreaPlan>,
    /// Per municipality, by code.
    pub municipalities: Vec<MunicipalitySummary>,
    /// The exact selection, when budgets or lock-ins are given.
    pub exact: Option<Selection>,
    /// The greedy baseline.
    pub greedy: Option<Selection>,
    /// `exact.need − greedy.need`.
    pub gap: Option<f64>,
    /// The Monte Carlo, when asked for.
    pub robustness: Option<Robustness>,
    /// BarnSäkert's demand over every catchment, when `[plan.barnsakert]` is given.
    pub barnsakert: Option<barnsakert::Demand>,
    /// The budgets the selection used: the spec's, less BarnSäkert's FTE from
    /// the first wave when `in_budget`.
    pub budgets: Vec<f64>,
    /// Notices: assumptions, lock-ins over budget.
    pub report: Report,
}

/// What a plan is computed from: the pieces of a run, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct PlanInput<'a> {
    /// The settings file (scenario) the plan comes from, named in errors and notices.
    pub source: &'a str,
    /// The area table.
    pub table: &'a Table,
    /// Its CNI, row by row.
    pub cni: &'a CniResult,
    /// Every area, table rows first ([`crate::scores::areas::summarise`]).
    pub areas: &'a [AreaSummary],
    /// The catchments and their summaries.
    pub catchments: &'a CatchmentRun,
    /// VTI per centre, when a BVC table was given.
    pub vti: Option<&'a VtiResult>,
    /// The births table, when there is one.
    pub births: Option<&'a Table>,
}

fn scenario_err(source: &str, key: &str, message: String) -> Error {
    Error::Scenario {
        location: Location::file(source.to_string()).with_field(key),
        message,
    }
}

/// Eligible families per row of the area table under the programme's rule
/// ([`programme::Eligible`]), from the births table when given.
pub fn eligibility(
    input: &PlanInput,
    rule: programme::Eligible,
    first_born_share: f64,
    report: &mut Report,
) -> Result<Eligibility> {
    use programme::Eligible;
    let table = input.table;
    // Without an under5 column (weighted 0 and left out) only a births table
    // gives eligible families; an area left to estimate is an error below.
    let under5 = table.column("under5");
    let under: Vec<f64> = table
        .rows
        .iter()
        .map(|r| under5.map_or(0.0, |c| r.values[c]))
        .collect();
    let no_estimate = |rows: &[String]| {
        scenario_err(
            input.source,
            "inputs.births",
            format!(
                "{}: the area table has no under5 column, so the eligible families of {} area(s) without a births row cannot be estimated ({}); give them a births row, or give the under5 column",
                table.source,
                rows.len(),
                rows.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
            ),
        )
    };
    let mut e = Eligibility::estimated_for(rule, &under, first_born_share);
    let Some(b) = input.births else {
        if under5.is_none() {
            return Err(no_estimate(
                &table.rows.iter().map(|r| r.key.clone()).collect::<Vec<_>>(),
            ));
        }
        report.info(
            "eligibility",
            Location::file(input.source.to_string()).with_field("inputs.births"),
            format!("{}: {}", rule.describe(), e.source),
        );
        return Ok(e);
    };
    let all = b.require("births")?;
    let fb = b.require("first_births")?;
    let fis = b.column("first_in_sweden");
    let mut missing = Vec::new();
    for (i, row) in table.rows.iter().enumerate() {
        match b.row(&row.key) {
            Some(r) => {
                e.births[i] = r.values[all];
                e.first_births[i] = r.values[fb];
                e.first_in_sweden[i] = fis.map_or(0.0, |c| r.values[c]);
                e.estimated[i] = false;
                e.per_row[i] = e.value(i, e.births[i], e.first_births[i], e.first_in_sweden[i]);
            }
            None => missing.push(row.key.clone()),
        }
    }
    e.source = match rule {
        Eligible::FirstTimeOrFirstInSweden if fis.is_some() => format!(
            "{}: eligible families = first_births + first_in_sweden (first-time parents, plus parents whose earlier children were born abroad and who now have their first child born in Sweden)",
            b.source
        ),
        Eligible::FirstTimeOrFirstInSweden => format!(
            "{}: eligible families = first_births (the table has no first_in_sweden column, so parents having their first child born in Sweden after earlier children abroad are not counted)",
            b.source
        ),
        Eligible::FirstTimeMothers => format!(
            "{}: eligible families = first_births (first-time mothers)",
            b.source
        ),
        Eligible::AllFamilies | Eligible::AllNewborns => format!(
            "{}: eligible families = births ({})",
            b.source,
            rule.describe()
        ),
    };
    if !missing.is_empty() && under5.is_none() {
        return Err(no_estimate(&missing));
    }
    if !missing.is_empty() {
        let how = if rule.first_only() {
            format!("under-fives / 5 × {first_born_share}")
        } else {
            "under-fives / 5".to_string()
        };
        e.source.push_str(&format!(
            "; {} area(s) without a births row estimated as {how} (assumption)",
            missing.len()
        ));
        report.warn(
            "births_missing",
            Location::file(b.source.clone()),
            format!(
                "{} area(s) have no births row; their eligible families are estimated: {}",
                missing.len(),
                missing.join(", ")
            ),
        );
    }
    let rule_text = e
        .source
        .strip_prefix(&format!("{}: ", b.source))
        .unwrap_or(&e.source)
        .to_string();
    report.info("eligibility", Location::file(b.source.clone()), rule_text);
    Ok(e)
}

/// Builds the [`Model`] of a plan's input.
pub fn model(input: &PlanInput, eligibility: Eligibility, spec: &PlanSpec) -> Result<Model> {
    let c = input.catchments;
    let table = input.table;
    let pop = table.require("population")?;
    let cols = input
        .cni
        .variables
        .iter()
        .map(|v| table.require(&v.name))
        .collect::<Result<Vec<_>>>()?;
    // polygon → table row
    let row_of: BTreeMap<usize, usize> = input
        .areas
        .iter()
        .filter_map(|a| Some((a.polygon?, a.row?)))
        .collect();
    let members = c
        .catchments
        .catchments
        .iter()
        .map(|k| {
            if spec.units == Units::Areas && k.distances.len() != k.areas.len() {
                return Err(scenario_err(
                    input.source,
                    "plan.units",
                    format!(
                        "areas as units are taken nearest the BVC first, so they need catchments built from BVC points (inputs.bvc_points); BVC {:?} has no point",
                        k.bvc
                    ),
                ));
            }
            let mut m: Vec<(usize, f64, f64)> = k
                .areas
                .iter()
                .enumerate()
                .filter_map(|(i, &(p, share))| {
                    Some((
                        *row_of.get(&p)?,
                        share,
                        k.distances.get(i).copied().unwrap_or(0.0),
                    ))
                })
                .collect();
            if spec.units == Units::Areas {
                // Nearest the BVC first; ties by area code.
                m.sort_by(|a, b| {
                    a.2.total_cmp(&b.2)
                        .then_with(|| table.rows[a.0].key.cmp(&table.rows[b.0].key))
                });
            }
            Ok(m.into_iter().map(|(a, share, _)| (a, share)).collect())
        })
        .collect::<Result<Vec<_>>>()?;
    let (vti_centres, vti_of) = match input.vti {
        Some(v) => {
            let t = &v.centres;
            let centres = t
                .iter()
                .map(|x| [x.newborns, x.first_born, x.bcg_indicated, x.mother_smoking])
                .collect();
            let of = c
                .catchments
                .catchments
                .iter()
                .map(|k| t.iter().position(|x| x.bvc == k.bvc))
                .collect();
            (centres, of)
        }
        None => (Vec::new(), vec![None; c.catchments.catchments.len()]),
    };
    let per_family = match spec.budget_unit {
        BudgetUnit::Fte => spec.programme.fte_per_family(),
        BudgetUnit::Sek => spec.programme.resources(1.0).cost_sek.ok_or_else(|| {
            scenario_err(
                input.source,
                "plan.salaries",
                format!(
                    "a budget in SEK needs a salary for every profession: {}",
                    spec.programme
                        .staff
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?,
    };
    Ok(Model {
        area_codes: table.rows.iter().map(|r| r.key.clone()).collect(),
        population: table.rows.iter().map(|r| r.values[pop]).collect(),
        weights: input.cni.variables.iter().map(|v| v.weight).collect(),
        counts: table
            .rows
            .iter()
            .map(|r| cols.iter().map(|&c| r.values[c]).collect())
            .collect(),
        reference: input.cni.reference.setting(),
        given_cni: input
            .cni
            .is_delivered()
            .then(|| input.cni.areas.iter().map(|a| a.cni).collect()),
        given_unit_cni: c.unit_cni.as_ref().map(|u| u.values.clone()),
        eligibility,
        bvc: c
            .catchments
            .catchments
            .iter()
            .map(|k| k.bvc.clone())
            .collect(),
        members,
        vti_centres,
        vti_of,
        need_weight: spec.need_weight,
        rank_by: spec.rank_by,
        cost_per_family: per_family,
    })
}

/// Computes the plan (see the module docs).
pub fn plan(input: &PlanInput, spec: &PlanSpec) -> Result<Plan> {
    let mut report = Report::default();
    let elig = eligibility(
        input,
        spec.programme.eligible,
        spec.first_born_share,
        &mut report,
    )?;
    let source = elig.source.clone();
    let m = model(input, elig, spec)?;
    let f = m.evaluate(&m.baseline());
    let n = m.bvc.len();
    let ids: BTreeSet<&str> = m.bvc.iter().map(String::as_str).collect();
    for (key, list) in [
        ("plan.lock_in", &spec.lock_in),
        ("plan.lock_out", &spec.lock_out),
    ] {
        if let Some(bad) = list.iter().find(|b| !ids.contains(b.as_str())) {
            return Err(scenario_err(
                input.source,
                key,
                format!("no catchment has BVC id {bad:?}"),
            ));
        }
    }
    // Municipality of each catchment: the one holding most of its population.
    let summaries = &input.catchments.summaries;
    let muni_name: BTreeMap<&str, Option<&str>> = input
        .areas
        .iter()
        .map(|a| (a.municipality_code.as_str(), a.municipality.as_deref()))
        .collect();
    let catchment_muni: Vec<Option<String>> = m
        .members
        .iter()
        .map(|mem| {
            let mut pop: BTreeMap<&str, f64> = BTreeMap::new();
            for &(a, share) in mem {
                *pop.entry(&input.areas[a].municipality_code).or_default() +=
                    share * m.population[a];
            }
            pop.into_iter()
                .fold(None::<(&str, f64)>, |best, (k, p)| match best {
                    Some((_, bp)) if bp >= p => best,
                    _ => Some((k, p)),
                })
                .map(|(k, _)| k.to_string())
        })
        .collect();

    // Municipalities opted in or out (the programme depends on their interest).
    let known: BTreeSet<&str> = input
        .areas
        .iter()
        .map(|a| a.municipality_code.as_str())
        .collect();
    for (key, list) in [
        (
            "plan.municipalities",
            spec.municipalities.as_deref().unwrap_or(&[]),
        ),
        (
            "plan.municipalities_out",
            spec.municipalities_out.as_slice(),
        ),
    ] {
        if let Some(bad) = list.iter().find(|k| !known.contains(k.as_str())) {
            return Err(scenario_err(
                input.source,
                key,
                format!("no area lies in municipality {bad:?}"),
            ));
        }
    }
    let taking_part = |code: Option<&str>| {
        code.is_none_or(|k| {
            !spec.municipalities_out.iter().any(|x| x == k)
                && spec
                    .municipalities
                    .as_ref()
                    .is_none_or(|list| list.iter().any(|x| x == k))
        })
    };
    let opted_out: Vec<bool> = catchment_muni
        .iter()
        .map(|k| !taking_part(k.as_deref()))
        .collect();
    for (c, out) in opted_out.iter().enumerate() {
        if *out && spec.lock_in.contains(&m.bvc[c]) {
            return Err(scenario_err(
                input.source,
                "plan.lock_in",
                format!(
                    "BVC {:?} is locked in, but its municipality does not take part",
                    m.bvc[c]
                ),
            ));
        }
    }
    // BarnSäkert: every family with a newborn is screened.
    let bs_demand: Option<Vec<barnsakert::Demand>> = spec.barnsakert.as_ref().map(|b| {
        m.members
            .iter()
            .map(|mem| {
                let births: f64 = mem
                    .iter()
                    .map(|&(a, share)| share * m.eligibility.births.get(a).copied().unwrap_or(0.0))
                    .sum();
                b.demand(births)
            })
            .collect()
    });
    let bs_total = bs_demand.as_ref().map(|d| {
        d.iter()
            .fold(barnsakert::Demand::default(), |acc, x| acc + *x)
    });
    let mut budgets = spec.budgets.clone();
    if let (Some(b), Some(t)) = (&spec.barnsakert, bs_total)
        && b.in_budget
    {
        if spec.budget_unit != BudgetUnit::Fte {
            return Err(scenario_err(
                input.source,
                "plan.barnsakert.in_budget",
                "BarnSäkert can be taken from a budget in FTE only".into(),
            ));
        }
        if let Some(first) = budgets.first_mut() {
            let fte = t.nurse_fte + t.social_fte;
            report.info(
                "barnsakert",
                Location::file(input.source.to_string()).with_field("plan.barnsakert.in_budget"),
                format!(
                    "BarnSäkert's home visits take {fte:.3} FTE of wave 1's {first} FTE before the programme is chosen"
                ),
            );
            *first = (*first - fte).max(0.0);
        }
    }
    let rules = Rules {
        locked_in: m.bvc.iter().map(|b| spec.lock_in.contains(b)).collect(),
        locked_out: m
            .bvc
            .iter()
            .zip(&opted_out)
            .map(|(b, &out)| out || spec.lock_out.contains(b))
            .collect(),
        min_cni: spec.min_cni,
        min_relative_vti: spec.min_relative_vti,
        budgets: budgets.clone(),
        units: spec.units,
    };
    let candidates = rules.candidates(&f);
    let rank = ranks(&f.measure, &m.bvc);
    let order = rank::order(&f.measure, &m.bvc);
    let any_selection = !spec.budgets.is_empty() || !spec.lock_in.is_empty();
    let (exact, greedy) = if any_selection {
        (
            Some(rules.select(&m, &f, Solver::Exact, &order)?),
            Some(rules.select(&m, &f, Solver::Greedy, &order)?),
        )
    } else {
        (None, None)
    };
    let robustness = match &spec.robustness {
        Some(r) => Some(robust::simulate(&m, &rules, r)?),
        None => None,
    };

    // Per catchment, the areas the exact selection covers (nearest first with
    // areas as units; all or none with whole catchments).
    let covered: Option<Vec<usize>> = exact.as_ref().map(|s| match &s.covered {
        Some(k) => k.clone(),
        None => (0..n)
            .map(|c| {
                if s.wave[c].is_some() {
                    m.members[c].len()
                } else {
                    0
                }
            })
            .collect(),
    });
    // With areas as units, each catchment's nearest area: (need, cost).
    let nearest_area: Vec<Option<(f64, f64)>> = match spec.units {
        Units::Catchments => vec![None; n],
        Units::Areas => m
            .area_units(&f)
            .into_iter()
            .map(|(v, c)| v.first().copied().zip(c.first().copied()))
            .collect(),
    };
    let catchments: Vec<CatchmentPlan> = (0..n)
        .map(|c| {
            let resources = spec.programme.resources(f.eligible[c]);
            let areas_covered = covered.as_ref().map(|k| k[c]);
            let covered_eligible = areas_covered.map(|k| {
                if k == m.members[c].len() {
                    f.eligible[c]
                } else {
                    m.members[c]
                        .iter()
                        .take(k)
                        .map(|&(a, share)| share * f.area_eligible[a])
                        .sum()
                }
            });
            let muni = catchment_muni[c].clone();
            let estimated: BTreeSet<bool> = m.members[c]
                .iter()
                .filter(|&&(_, share)| share > 0.0)
                .map(|&(a, _)| m.eligibility.estimated[a])
                .collect();
            let eligibility = match (estimated.contains(&false), estimated.contains(&true)) {
                (true, true) => "mixed",
                (false, true) => "estimated",
                _ => "births",
            };
            CatchmentPlan {
                bvc: m.bvc[c].clone(),
                name: summaries.get(c).and_then(|s| s.name.clone()),
                municipality: muni
                    .as_deref()
                    .and_then(|k| muni_name.get(k).copied().flatten())
                    .map(str::to_string),
                municipality_code: muni,
                rank: rank[c],
                measure: f.measure[c],
                cni: f.cni[c],
                relative_vti: f.relative_vti[c],
                eligible_families: f.eligible[c],
                eligibility: eligibility.to_string(),
                need: f.need[c],
                resources,
                cost: f.cost[c],
                locked_in: rules.locked_in[c],
                locked_out: spec.lock_out.contains(&m.bvc[c]),
                municipality_taking_part: !opted_out[c],
                barnsakert: bs_demand.as_ref().and_then(|d| d.get(c).copied()),
                reason: reason(
                    c,
                    &f,
                    spec,
                    &candidates,
                    exact.as_ref(),
                    opted_out[c],
                    spec.lock_out.contains(&m.bvc[c]),
                    nearest_area[c],
                ),
                allowed: candidates[c].allowed,
                phase: exact.as_ref().and_then(|s| s.wave[c]),
                greedy_phase: greedy.as_ref().and_then(|s| s.wave[c]),
                rank_interval: robustness.as_ref().map(|r| (r.rank_low[c], r.rank_high[c])),
                p_selected: robustness.as_ref().map(|r| r.p_selected[c]),
                areas_total: m.members[c].len(),
                areas_covered,
                covered_eligible_families: covered_eligible,
                covered_resources: covered_eligible.map(|e| spec.programme.resources(e)),
                mean_covered_share: robustness
                    .as_ref()
                    .and_then(|r| r.mean_covered_share.as_ref())
                    .map(|v| v[c]),
            }
        })
        .collect();

    // Areas, ranked.
    let area_measure: Vec<Option<f64>> = (0..m.area_codes.len())
        .map(|a| match spec.rank_by {
            RankBy::NeedReached => f.area_cni[a].map(|c| c * f.area_eligible[a]),
            RankBy::Cni | RankBy::Vti => f.area_cni[a],
        })
        .collect();
    // With areas as units: each area's catchment, place by distance, covered.
    let mut by_distance: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    if spec.units == Units::Areas {
        for (c, mem) in m.members.iter().enumerate() {
            for (i, &(a, _)) in mem.iter().enumerate() {
                by_distance.entry(a).or_insert((c, i));
            }
        }
    }
    let areas: Vec<AreaPlan> = rank::order(&area_measure, &m.area_codes)
        .into_iter()
        .enumerate()
        .map(|(r, a)| {
            let place = by_distance.get(&a).copied();
            AreaPlan {
                code: m.area_codes[a].clone(),
                rank: r + 1,
                cni: f.area_cni[a],
                eligible_families: f.area_eligible[a],
                need: f.area_eligible[a] * f.area_cni[a].unwrap_or(1.0),
                bvc: place.map(|(c, _)| m.bvc[c].clone()),
                distance_rank: place.map(|(_, i)| i + 1),
                covered: place.and_then(|(c, i)| covered.as_ref().map(|k| i < k[c])),
            }
        })
        .collect();

    // Municipalities.
    // Nothing selected yet: 0 FTE, and 0 SEK when the employer's staff all have salaries.
    let unit_resources = spec.programme.resources(1.0);
    let zero_share = |e: programme::Employer| programme::EmployerShare {
        cost_sek: unit_resources
            .by_employer
            .get(&e)
            .map_or(Some(0.0), |s| s.cost_sek.map(|_| 0.0)),
        ..Default::default()
    };
    let children_per_polygon = &input.catchments.children_per_area;
    let mut munis: BTreeMap<String, MunicipalitySummary> = BTreeMap::new();
    // Per municipality, (residents, CNI) of its areas with a CNI.
    let mut cni_of: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    for a in input.areas.iter() {
        let Some(row) = a.row else { continue };
        let entry =
            munis
                .entry(a.municipality_code.clone())
                .or_insert_with(|| MunicipalitySummary {
                    code: a.municipality_code.clone(),
                    name: a.municipality.clone(),
                    population: 0.0,
                    children: 0.0,
                    eligible_families: 0.0,
                    cni: None,
                    catchments: 0,
                    catchments_above: vec![0; spec.thresholds.len()],
                    need: 0.0,
                    taking_part: taking_part(Some(&a.municipality_code)),
                    selected: 0,
                    selected_eligible: 0.0,
                    region: zero_share(programme::Employer::Region),
                    municipality: zero_share(programme::Employer::Municipality),
                });
        entry.population += m.population[row];
        entry.eligible_families += f.area_eligible[row];
        entry.need += f.area_eligible[row] * f.area_need_cni[row];
        entry.children += a
            .polygon
            .and_then(|p| children_per_polygon.get(p))
            .copied()
            .unwrap_or(0) as f64;
        if let Some(cni) = f.area_cni[row] {
            cni_of
                .entry(a.municipality_code.clone())
                .or_default()
                .push((m.population[row], cni));
        }
    }
    for (k, pairs) in cni_of {
        if let Some(s) = munis.get_mut(&k) {
            s.cni = crate::scores::cni::weighted_mean(pairs);
        }
    }
    for (c, muni) in catchment_muni.iter().enumerate() {
        if let Some(s) = muni.as_ref().and_then(|k| munis.get_mut(k)) {
            s.catchments += 1;
            if let (Some(_), Some(r)) = (catchments[c].phase, &catchments[c].covered_resources) {
                s.selected += 1;
                s.selected_eligible += r.eligible_families;
                for (employer, share) in &r.by_employer {
                    let to = match employer {
                        programme::Employer::Region => &mut s.region,
                        programme::Employer::Municipality => &mut s.municipality,
                    };
                    to.hours += share.hours;
                    to.fte += share.fte;
                    // Every catchment has the same programme, so a cost is
                    // known for all of them or for none.
                    to.cost_sek = share.cost_sek.map(|x| to.cost_sek.unwrap_or(0.0) + x);
                }
            }
            for (t, count) in spec.thresholds.iter().zip(s.catchments_above.iter_mut()) {
                if f.cni[c].is_some_and(|x| x > *t) {
                    *count += 1;
                }
            }
        }
    }

    let gap = exact
        .as_ref()
        .zip(greedy.as_ref())
        .map(|(e, g)| e.need - g.need);
    Ok(Plan {
        spec: spec.clone(),
        eligibility: source,
        visits_per_accepting_family: spec.programme.visits_per_accepting_family(),
        catchments,
        order,
        areas,
        municipalities: munis.into_values().collect(),
        exact,
        greedy,
        gap,
        robustness,
        barnsakert: bs_total,
        budgets,
        report,
    })
}
