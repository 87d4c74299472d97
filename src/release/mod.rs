//! Release: the one step between the computed results and every output. It turns
//! the results of a run into rows of [`Cell`]s, each already shown, withheld or
//! missing, so that no writer ever sees an unreleased number: the CSV, GeoJSON,
//! HTML, SVG and PNG writers, `run_report.json` and what the CLI prints all
//! render a [`Release`].
//!
//! # The rule
//! A count of people below the threshold ([`privacy::Privacy`]: `0 < count <
//! min_count`) is withheld, and so is every value computed from it alone or from
//! which it can be recomputed with other published values:
//!
//! * **areas**: residents below the threshold withhold the area's residents,
//!   weighted count, CNI, research score and z-scores;
//! * **shares and z-scores**: a research z-score whose count or denominator is
//!   small is withheld, and with it every z-score of the area (one withheld
//!   z-score would follow from the others and the research score); a centre's
//!   first-born, BCG or smoking count below the threshold withholds its three
//!   shares together (one would follow from the others and the VTI);
//! * **centres**: newborns below the threshold withhold every figure of the
//!   centre (shares, VTI, weighted newborns, relative VTI, nurse time by the
//!   norm and its gap to the current nurse FTE), in `vti.csv`, `report.html`
//!   and wherever the centre's VTI appears (catchments, plan, map); the current
//!   nurse FTE, an input not derived from newborns, and the flags
//!   `few_newborns` and `below_half_time` are shown;
//! * **catchments**: residents or children below the threshold withhold
//!   residents, children and CNI; eligible or accepting families below the
//!   threshold withhold the plan's families, need, visits, FTE and cost; a need
//!   that carries a withheld CNI or relative VTI (through the need weight) is
//!   withheld with it; an area of the plan (`plan_areas.csv`) likewise
//!   withholds its families and need when its eligible or accepting families
//!   are below the threshold; with areas as units, a catchment's covered
//!   families and FTE are withheld with its families, and when the covered or
//!   the uncovered eligible or accepting families (the latter by difference
//!   from the whole) are below the threshold;
//! * **municipalities**: residents, children or eligible families below the
//!   threshold withhold the row's figures and CNI;
//! * **totals** (a wave, a selection, the county) that include a withheld row are
//!   withheld, since they would give it back by difference;
//! * **ranks** are assigned here, after release: rows whose ranking measure is
//!   withheld come after the ranked ones, without a rank (a rank between two
//!   shown values would bracket the withheld one), and so without a rank interval;
//! * **notices** quote no value from a person-level file (they name the file and
//!   line; the readers write them so), and no small count.
//!
//! The withheld summary ([`Release::withheld`]) is counted from the released
//! rows themselves, not kept by hand.
//!
//! Not done (stated so a publisher knows): there is no secondary suppression
//! against differencing *across* tables (a municipality's residents against its
//! areas' residents, for instance).

pub mod privacy;

use crate::inputs::boundaries::Boundaries;
use crate::inputs::table::Table;
use crate::plan::Reason;
use crate::plan::programme::Employer;
use crate::plan::rank::{NeedWeight, RankBy};
use crate::plan::select::Selection;
use crate::plan::{Plan, PlanSpec};
use crate::report::Notice;
use crate::scores::areas::AreaSummary;
use crate::scores::cni::CniResult;
use crate::scores::vti::VtiResult;
use crate::spatial::catchments::{CatchmentRun, Catchments};
use privacy::Privacy;
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// The marker written in place of a withheld value in CSV, HTML and text (SCB's
/// sign for "too uncertain / withheld").
pub const MARKER: &str = "..";

/// One released value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cell {
    /// Shown as it is.
    Shown(f64),
    /// Withheld for privacy: written as [`MARKER`] (CSV, HTML, text) or `null`
    /// with `suppressed: true` (GeoJSON, JSON).
    Withheld,
    /// Not computed (no residents, no centre, …): an empty field or `null`.
    Missing,
}

impl Cell {
    /// `value`, withheld when `withheld`; missing when there is no value (a
    /// missing value has nothing to hide).
    pub fn new(value: Option<f64>, withheld: bool) -> Cell {
        match value {
            None => Cell::Missing,
            Some(_) if withheld => Cell::Withheld,
            Some(v) => Cell::Shown(v),
        }
    }

    /// The value when shown.
    pub fn shown(self) -> Option<f64> {
        match self {
            Cell::Shown(v) => Some(v),
            _ => None,
        }
    }

    /// Whether the value is withheld.
    pub fn is_withheld(self) -> bool {
        self == Cell::Withheld
    }
}

/// A released row: its fields by name, for the withheld summary.
pub trait Row {
    /// `(field, cell)` of every released number of the row.
    fn cells(&self) -> Vec<(&'static str, Cell)>;
}

/// What the run was and read: the settings and counts of rows, nothing about a person.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Meta {
    /// The scenario's name.
    pub name: Option<String>,
    /// The scenario file.
    pub scenario: String,
    /// The scenario as TOML, for the report.
    pub scenario_text: String,
    /// The input files, named by role (`areas`, `boundaries`, …), as the
    /// scenario writes them.
    pub inputs: Vec<(String, PathBuf)>,
    /// The same files, resolved (outputs never overwrite them).
    pub input_paths: Vec<PathBuf>,
    /// Rows of the area table.
    pub areas_in_table: usize,
    /// Polygons in the boundaries.
    pub areas_in_boundaries: Option<usize>,
    /// The boundaries' CRS.
    pub boundaries_crs: Option<String>,
    /// Table rows matched to a polygon.
    pub matched: Option<usize>,
    /// Codes of table rows without a polygon.
    pub table_only: Vec<String>,
    /// Codes of polygons without a table row.
    pub boundaries_only: Vec<String>,
    /// Every method and parameter with its basis ([`crate::sources`]).
    pub parameters: Vec<crate::sources::Parameter>,
}

/// One area, released.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleasedArea {
    /// Area code.
    pub code: String,
    /// Name, when known.
    pub name: Option<String>,
    /// Municipality code.
    pub municipality_code: String,
    /// Municipality name, when known.
    pub municipality: Option<String>,
    /// Residents.
    pub population: Cell,
    /// SCB's weighted count.
    pub index: Cell,
    /// SCB's CNI.
    pub cni: Cell,
    /// Research score `Σ wᵢ·zᵢ` (0 = the input areas' average).
    pub research_score: Cell,
    /// Research score shifted, `100 + Σ wᵢ·zᵢ`.
    pub research_shifted: Cell,
    /// Research z-scores, in the CNI variables' order (empty without the research variant).
    pub z: Vec<Cell>,
    /// 1 = highest shown CNI; `None` when the CNI is withheld or missing.
    pub rank: Option<usize>,
    /// Whether the area has a row in the area table.
    pub in_table: bool,
    /// Index in the boundaries' areas, when it has a polygon.
    pub polygon: Option<usize>,
}

impl Row for ReleasedArea {
    fn cells(&self) -> Vec<(&'static str, Cell)> {
        let mut v = vec![
            ("population", self.population),
            ("index", self.index),
            ("cni", self.cni),
            ("research_score", self.research_score),
            ("research_shifted", self.research_shifted),
        ];
        v.extend(self.z.iter().map(|&z| ("z", z)));
        v
    }
}

/// One centre's VTI, released.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleasedCentre {
    /// BVC id.
    pub bvc: String,
    /// Name, when known.
    pub name: Option<String>,
    /// Newborns a year.
    pub newborns: Cell,
    /// First-born share.
    pub p_first: Cell,
    /// BCG-indicated share.
    pub p_bcg: Cell,
    /// Share with a smoking mother.
    pub p_smoke: Cell,
    /// VTI.
    pub vti: Cell,
    /// `vti × newborns`.
    pub vt_children: Cell,
    /// `newborns + vt_children`.
    pub weighted_newborns: Cell,
    /// Relative VTI.
    pub relative_vti: Cell,
    /// Nurse FTE by the staffing norm.
    pub nurse_fte: Cell,
    /// Nurse hours a week.
    pub nurse_hours_per_week: Cell,
    /// Fewer newborns than a nurse needs (a flag, not a count).
    pub few_newborns: bool,
    /// The norm gives less than half a full-time nurse (a flag, not a count).
    pub below_half_time: bool,
    /// The centre's nurse FTE now (the table's `nurse_fte`; not derived from
    /// newborns, so always shown).
    pub current_nurse_fte: Cell,
    /// Norm − current nurse FTE (withheld with the norm).
    pub gap_fte: Cell,
}

impl Row for ReleasedCentre {
    fn cells(&self) -> Vec<(&'static str, Cell)> {
        vec![
            ("newborns", self.newborns),
            ("p_first", self.p_first),
            ("p_bcg", self.p_bcg),
            ("p_smoke", self.p_smoke),
            ("vti", self.vti),
            ("vt_children", self.vt_children),
            ("weighted_newborns", self.weighted_newborns),
            ("relative_vti", self.relative_vti),
            ("nurse_fte", self.nurse_fte),
            ("nurse_hours_per_week", self.nurse_hours_per_week),
            ("current_nurse_fte", self.current_nurse_fte),
            ("gap_fte", self.gap_fte),
        ]
    }
}

/// A catchment's plan, released.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleasedPlanned {
    /// 1 = most need by the ranking measure, among the rows whose measure is
    /// shown; `None` when it is withheld.
    pub rank: Option<usize>,
    /// Municipality holding most of the catchment's residents.
    pub municipality_code: Option<String>,
    /// Its name.
    pub municipality: Option<String>,
    /// The ranking measure.
    pub measure: Cell,
    /// Eligible families a year.
    pub eligible_families: Cell,
    /// Where they come from (`births`, `estimated`, `mixed`).
    pub eligibility: String,
    /// Need reached.
    pub need: Cell,
    /// Accepting families.
    pub accepting_families: Cell,
    /// Visits a year, the basic programme's included (gross).
    pub visits: Cell,
    /// Visits a year beyond the basic programme's home visits.
    pub extra_visits: Cell,
    /// Σ extra FTE.
    pub fte: Cell,
    /// Extra FTE the region employs.
    pub fte_region: Cell,
    /// Extra FTE the municipality employs.
    pub fte_municipality: Cell,
    /// The region's SEK a year.
    pub cost_region_sek: Cell,
    /// The municipality's SEK a year.
    pub cost_municipality_sek: Cell,
    /// FTE per profession, in the programme's staff order.
    pub fte_by_profession: Vec<Cell>,
    /// SEK a year.
    pub cost_sek: Cell,
    /// Locked in.
    pub locked_in: bool,
    /// Locked out.
    pub locked_out: bool,
    /// May be chosen.
    pub allowed: bool,
    /// Its municipality takes part.
    pub municipality_taking_part: bool,
    /// BarnSäkert's home visits a year here (with `[plan.barnsakert]`).
    pub barnsakert_visits: Cell,
    /// BarnSäkert's BVC nurse FTE here.
    pub barnsakert_nurse_fte: Cell,
    /// BarnSäkert's social services FTE here.
    pub barnsakert_social_fte: Cell,
    /// Why the exact selection chose it or not, in words (figures that would
    /// reveal a withheld count left out); empty without a selection.
    pub reason: String,
    /// Wave of the exact selection (0: running).
    pub phase: Option<usize>,
    /// Wave of the greedy selection.
    pub greedy_phase: Option<usize>,
    /// 90 % rank interval over the Monte Carlo draws; `None` when the rank is withheld.
    pub rank_interval: Option<(usize, usize)>,
    /// Share of draws selecting it.
    pub p_selected: Cell,
    /// Its areas (in the area table).
    pub areas_total: usize,
    /// Areas the exact selection covers; `None` without a selection.
    pub areas_covered: Option<usize>,
    /// Eligible families a year in the covered areas.
    pub covered_eligible_families: Cell,
    /// Extra FTE for them.
    pub covered_fte: Cell,
    /// With areas as units: the mean share of its areas the Monte Carlo draws cover.
    pub mean_covered_share: Cell,
}

/// One catchment, released: its summary and, with a plan, its plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleasedCatchment {
    /// BVC id.
    pub bvc: String,
    /// Name, when known.
    pub name: Option<String>,
    /// Areas with a share in it.
    pub areas: usize,
    /// Residents.
    pub population: Cell,
    /// Children 0–5.
    pub children: Cell,
    /// CNI: the one value every output shows for the catchment.
    pub cni: Cell,
    /// The centre's VTI.
    pub vti: Cell,
    /// The centre's relative VTI.
    pub relative_vti: Cell,
    /// The plan's figures, when there is a plan.
    pub plan: Option<ReleasedPlanned>,
}

impl Row for ReleasedCatchment {
    fn cells(&self) -> Vec<(&'static str, Cell)> {
        let mut v = vec![
            ("population", self.population),
            ("children", self.children),
            ("cni", self.cni),
            ("vti", self.vti),
            ("relative_vti", self.relative_vti),
        ];
        if let Some(p) = &self.plan {
            v.extend([
                ("measure", p.measure),
                ("eligible_families", p.eligible_families),
                ("need", p.need),
                ("accepting_families", p.accepting_families),
                ("visits", p.visits),
                ("extra_visits", p.extra_visits),
                ("fte", p.fte),
                ("fte_region", p.fte_region),
                ("fte_municipality", p.fte_municipality),
                ("cost_region_sek", p.cost_region_sek),
                ("cost_municipality_sek", p.cost_municipality_sek),
                ("barnsakert_visits", p.barnsakert_visits),
                ("barnsakert_nurse_fte", p.barnsakert_nurse_fte),
                ("barnsakert_social_fte", p.barnsakert_social_fte),
                ("cost_sek", p.cost_sek),
                ("p_selected", p.p_selected),
                ("covered_eligible_families", p.covered_eligible_families),
                ("covered_fte", p.covered_fte),
                ("mean_covered_share", p.mean_covered_share),
            ]);
            v.extend(p.fte_by_profession.iter().map(|&c| ("fte", c)));
        }
        v
    }
}

/// One municipality of the plan, released.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleasedMunicipality {
    /// Code.
    pub code: String,
    /// Name.
    pub name: Option<String>,
    /// Residents.
    pub population: Cell,
    /// Children 0–5.
    pub children: Cell,
    /// Eligible families a year.
    pub eligible_families: Cell,
    /// Residents-weighted CNI.
    pub cni: Cell,
    /// Catchments assigned to it.
    pub catchments: usize,
    /// Per threshold, its catchments whose shown CNI is above it (withheld
    /// CNIs are not counted: the count would bracket them).
    pub catchments_above: Vec<usize>,
    /// Need of its areas: Σ eligible × CNI.
    pub need: Cell,
    /// It takes part in the programme.
    pub taking_part: bool,
    /// Its catchments the exact selection chose (running included).
    pub selected: usize,
    /// Eligible families a year in those catchments.
    pub selected_eligible: Cell,
    /// The region's extra FTE in those catchments.
    pub region_fte: Cell,
    /// The region's SEK a year.
    pub region_sek: Cell,
    /// The municipality's extra FTE in those catchments.
    pub municipality_fte: Cell,
    /// The municipality's SEK a year.
    pub municipality_sek: Cell,
}

impl Row for ReleasedMunicipality {
    fn cells(&self) -> Vec<(&'static str, Cell)> {
        vec![
            ("population", self.population),
            ("children", self.children),
            ("eligible_families", self.eligible_families),
            ("cni", self.cni),
            ("need", self.need),
            ("selected_eligible", self.selected_eligible),
            ("region_fte", self.region_fte),
            ("region_sek", self.region_sek),
            ("municipality_fte", self.municipality_fte),
            ("municipality_sek", self.municipality_sek),
        ]
    }
}

/// One area of the plan's area ranking, released.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleasedPlanArea {
    /// Area code.
    pub code: String,
    /// Rank among the rows whose measure is shown.
    pub rank: Option<usize>,
    /// CNI (the same value as the area's).
    pub cni: Cell,
    /// Eligible families a year.
    pub eligible_families: Cell,
    /// Eligible × CNI.
    pub need: Cell,
    /// With areas as units: its catchment's BVC id.
    pub bvc: Option<String>,
    /// With areas as units: its place by distance from its BVC (1 = nearest).
    pub distance_rank: Option<usize>,
    /// With areas as units and a selection: covered by the exact selection.
    pub covered: Option<bool>,
}

impl Row for ReleasedPlanArea {
    fn cells(&self) -> Vec<(&'static str, Cell)> {
        vec![
            ("cni", self.cni),
            ("eligible_families", self.eligible_families),
            ("need", self.need),
        ]
    }
}

/// One wave of a selection, released.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleasedWave {
    /// The wave's budget.
    pub budget: f64,
    /// The cumulative budget.
    pub capacity: f64,
    /// The catchments it adds: `(bvc, name)`.
    pub chosen: Vec<(String, Option<String>)>,
    /// Its cost (withheld when it includes a withheld catchment).
    pub cost: Cell,
    /// Its need reached.
    pub need: Cell,
}

/// A selection's totals, released.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleasedSelection {
    /// Catchments selected.
    pub selected: usize,
    /// Σ need.
    pub need: Cell,
    /// Σ cost.
    pub cost: Cell,
    /// Wave 0: the running catchments (locked in), outside the budgets.
    pub running: ReleasedWave,
    /// The new waves.
    pub waves: Vec<ReleasedWave>,
    /// The budget left after the last wave.
    pub left: Cell,
}

/// The plan, released.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleasedPlan {
    /// The settings (no counts).
    pub spec: PlanSpec,
    /// How eligible families were found.
    pub eligibility: String,
    /// Visits per accepting family.
    pub visits_per_accepting_family: f64,
    /// Indices into [`Release::catchments`], ranked rows first (by rank), then
    /// the rows whose rank is withheld (by BVC id).
    pub order: Vec<usize>,
    /// Per municipality, by code.
    pub municipalities: Vec<ReleasedMunicipality>,
    /// Areas, ranked rows first.
    pub areas: Vec<ReleasedPlanArea>,
    /// The exact selection.
    pub exact: Option<ReleasedSelection>,
    /// The greedy baseline.
    pub greedy: Option<ReleasedSelection>,
    /// `exact.need − greedy.need`.
    pub gap: Cell,
    /// Eligible families a year over every catchment.
    pub total_eligible: Cell,
    /// FTE to cover every catchment.
    pub total_fte: Cell,
    /// BarnSäkert over every catchment: `(visits, nurse FTE, social services
    /// FTE)`, withheld with any catchment's; `None` without `[plan.barnsakert]`.
    pub barnsakert: Option<(Cell, Cell, Cell)>,
    /// The budgets the selection used (less BarnSäkert's when `in_budget`).
    pub budgets: Vec<f64>,
}

/// What one output withheld, counted from the released rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suppression {
    /// The table, e.g. `plan_areas.csv`.
    pub output: String,
    /// What a row is (`areas`, `centres`, `catchments`, `municipalities`).
    pub unit: String,
    /// Rows with at least one withheld value.
    pub rows: usize,
    /// The fields withheld in those rows.
    pub fields: Vec<String>,
}

/// Everything a run's outputs may show.
#[derive(Debug, Clone, Serialize)]
pub struct Release<'a> {
    /// The threshold applied.
    pub privacy: Privacy,
    /// What the run was and read.
    pub meta: Meta,
    /// The CNI settings and reference (weights, R, research means and SDs: no
    /// counts); `None` in a release of centres only.
    #[serde(skip)]
    pub cni: Option<&'a CniResult>,
    /// The VTI norms and mean, when a BVC table was given.
    #[serde(skip)]
    pub vti: Option<&'a VtiResult>,
    /// Every area, table rows first (as [`AreaSummary`]s).
    pub areas: Vec<ReleasedArea>,
    /// Indices into `areas`: ranked areas by rank, then the others by code.
    pub area_order: Vec<usize>,
    /// Every centre of the VTI table, in table order.
    pub centres: Vec<ReleasedCentre>,
    /// Every catchment, in BVC id order.
    pub catchments: Vec<ReleasedCatchment>,
    /// The plan.
    pub plan: Option<ReleasedPlan>,
    /// The boundaries (geometry and codes only are read from them).
    #[serde(skip)]
    pub boundaries: Option<&'a Boundaries>,
    /// The catchments' geometry.
    #[serde(skip)]
    pub catchment_geometry: Option<&'a Catchments>,
    /// The notices of the run.
    pub notices: Vec<Notice>,
}

/// The pieces of a run a release is made from.
#[derive(Debug, Clone)]
pub struct ReleaseInput<'a> {
    /// What the run was and read.
    pub meta: Meta,
    /// The area table (`None`: a release of centres only).
    pub table: Option<&'a Table>,
    /// Its CNI.
    pub cni: Option<&'a CniResult>,
    /// Every area.
    pub areas: &'a [AreaSummary],
    /// The boundaries.
    pub boundaries: Option<&'a Boundaries>,
    /// The VTI.
    pub vti: Option<&'a VtiResult>,
    /// The catchments.
    pub catchments: Option<&'a CatchmentRun>,
    /// The plan.
    pub plan: Option<&'a Plan>,
    /// The notices.
    pub notices: &'a [Notice],
}

/// Ranks `measures` (already ordered best first by `order`): consecutive ranks
/// to the rows whose measure is not withheld, `None` to the others; returns the
/// ranks and the release order (ranked rows, then the rest in `rest` order).
fn release_ranks(
    order: &[usize],
    withheld: impl Fn(usize) -> bool,
    unranked: impl Fn(usize) -> bool,
    rest_key: impl Fn(usize) -> String,
    n: usize,
) -> (Vec<Option<usize>>, Vec<usize>) {
    let mut ranks = vec![None; n];
    let mut ranked = Vec::new();
    let mut rest = Vec::new();
    for &i in order {
        if withheld(i) || unranked(i) {
            rest.push(i);
        } else {
            ranks[i] = Some(ranked.len() + 1);
            ranked.push(i);
        }
    }
    rest.sort_by_key(|&i| rest_key(i));
    ranked.extend(rest);
    (ranks, ranked)
}

/// Releases the results of a run under `privacy` (see the module docs for the rule).
pub fn release(input: ReleaseInput<'_>, privacy: Privacy) -> Release<'_> {
    let p = privacy;
    let (table, cni) = (input.table, input.cni);
    let research = cni.is_some_and(|c| !c.research_reference.is_empty());
    let variables = cni.map(|c| c.variables.as_slice()).unwrap_or_default();

    // Areas.
    let var_cols: Vec<Option<usize>> = variables
        .iter()
        .map(|v| table.and_then(|t| t.column(&v.name)))
        .collect();
    let den_cols: Vec<Option<usize>> = variables
        .iter()
        .map(|v| table.and_then(|t| t.column(&v.denominator)))
        .collect();
    let mut areas: Vec<ReleasedArea> = input
        .areas
        .iter()
        .map(|a| {
            let small_area = p.hides(a.population);
            let row = a.row.and_then(|r| table?.rows.get(r));
            let computed = a.row.and_then(|r| cni?.areas.get(r));
            let score = computed.and_then(|c| c.research.as_ref());
            // A small count or denominator behind any z-score withholds them all.
            let small_share = row.is_some_and(|row| {
                var_cols
                    .iter()
                    .chain(&den_cols)
                    .flatten()
                    .any(|&c| p.hides(row.values.get(c).copied()))
            });
            let z = if research {
                (0..variables.len())
                    .map(|i| {
                        Cell::new(
                            score.and_then(|s| s.z.get(i).copied()),
                            small_area || small_share,
                        )
                    })
                    .collect()
            } else {
                Vec::new()
            };
            ReleasedArea {
                code: a.code.clone(),
                name: a.name.clone(),
                municipality_code: a.municipality_code.clone(),
                municipality: a.municipality.clone(),
                population: Cell::new(a.population, small_area),
                index: Cell::new(a.index, small_area),
                cni: Cell::new(a.cni, small_area),
                research_score: Cell::new(score.map(|s| s.score), small_area),
                research_shifted: Cell::new(a.research_shifted, small_area),
                z,
                rank: None,
                in_table: a.row.is_some(),
                polygon: a.polygon,
            }
        })
        .collect();
    let by_cni = crate::scores::areas::rank(input.areas);
    let (ranks, area_order) = release_ranks(
        &by_cni,
        |i| areas[i].cni.is_withheld(),
        |i| areas[i].cni == Cell::Missing,
        |i| areas[i].code.clone(),
        areas.len(),
    );
    for (a, r) in areas.iter_mut().zip(ranks) {
        a.rank = r;
    }

    // Centres.
    let mut hidden_centres = BTreeSet::new();
    let centres: Vec<ReleasedCentre> = input
        .vti
        .map(|v| {
            v.centres
                .iter()
                .map(|c| {
                    let small = p.hides(Some(c.newborns));
                    if small {
                        hidden_centres.insert(c.bvc.clone());
                    }
                    let shares = small
                        || p.hides_any(&[
                            Some(c.first_born),
                            Some(c.bcg_indicated),
                            Some(c.mother_smoking),
                        ]);
                    ReleasedCentre {
                        bvc: c.bvc.clone(),
                        name: c.name.clone(),
                        newborns: Cell::new(Some(c.newborns), small),
                        p_first: Cell::new(c.p_first, shares),
                        p_bcg: Cell::new(c.p_bcg, shares),
                        p_smoke: Cell::new(c.p_smoke, shares),
                        vti: Cell::new(c.vti, small),
                        vt_children: Cell::new(Some(c.vt_children), small),
                        weighted_newborns: Cell::new(Some(c.weighted_newborns), small),
                        relative_vti: Cell::new(c.relative_vti, small),
                        nurse_fte: Cell::new(Some(c.nurse_fte), small),
                        nurse_hours_per_week: Cell::new(Some(c.nurse_hours_per_week), small),
                        few_newborns: c.few_newborns,
                        below_half_time: c.below_half_time,
                        current_nurse_fte: Cell::new(c.current_nurse_fte, false),
                        gap_fte: Cell::new(c.gap_fte, small),
                    }
                })
                .collect()
        })
        .unwrap_or_default();

    // Catchments, with the plan's figures.
    let plan = input.plan;
    let mut catchments: Vec<ReleasedCatchment> = input
        .catchments
        .map(|c| {
            c.summaries
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let small = p.hides_any(&[Some(s.population), Some(s.children)]);
                    let centre_hidden = hidden_centres.contains(&s.bvc);
                    let planned = plan.and_then(|pl| {
                        pl.catchments
                            .get(i)
                            .filter(|x| x.bvc == s.bvc)
                            .map(|x| (pl, x))
                    });
                    ReleasedCatchment {
                        bvc: s.bvc.clone(),
                        name: s.name.clone(),
                        areas: s.areas,
                        population: Cell::new(Some(s.population), small),
                        children: Cell::new(Some(s.children), small),
                        cni: Cell::new(s.cni, small),
                        vti: Cell::new(s.vti, centre_hidden),
                        relative_vti: Cell::new(s.relative_vti, centre_hidden),
                        plan: planned.map(|(pl, x)| {
                            let r = &x.resources;
                            let families = p.hides_any(&[
                                Some(x.eligible_families),
                                Some(r.accepting_families),
                            ]);
                            let need_hidden = families
                                || match pl.spec.need_weight {
                                    NeedWeight::Cni => small,
                                    NeedWeight::RelativeVti => centre_hidden,
                                    NeedWeight::None => false,
                                };
                            // The covered part and, by difference, the rest.
                            let covered_hidden = families
                                || x.covered_resources.as_ref().is_some_and(|c| {
                                    p.hides_any(&[
                                        Some(c.eligible_families),
                                        Some(c.accepting_families),
                                        Some(x.eligible_families - c.eligible_families),
                                        Some(r.accepting_families - c.accepting_families),
                                    ])
                                });
                            let measure_hidden = match pl.spec.rank_by {
                                RankBy::Cni => small,
                                RankBy::Vti => centre_hidden,
                                RankBy::NeedReached => need_hidden,
                            };
                            ReleasedPlanned {
                                rank: None,
                                municipality_code: x.municipality_code.clone(),
                                municipality: x.municipality.clone(),
                                measure: Cell::new(x.measure, measure_hidden),
                                eligible_families: Cell::new(Some(x.eligible_families), families),
                                eligibility: x.eligibility.clone(),
                                need: Cell::new(Some(x.need), need_hidden),
                                accepting_families: Cell::new(Some(r.accepting_families), families),
                                visits: Cell::new(Some(r.visits), families),
                                extra_visits: Cell::new(Some(r.extra_visits), families),
                                fte: Cell::new(Some(r.fte_total), families),
                                fte_region: employer_cell(r, Employer::Region, false, families),
                                fte_municipality: employer_cell(
                                    r,
                                    Employer::Municipality,
                                    false,
                                    families,
                                ),
                                cost_region_sek: employer_cell(r, Employer::Region, true, families),
                                cost_municipality_sek: employer_cell(
                                    r,
                                    Employer::Municipality,
                                    true,
                                    families,
                                ),
                                fte_by_profession: pl
                                    .spec
                                    .programme
                                    .staff
                                    .keys()
                                    .map(|k| {
                                        Cell::new(
                                            Some(r.fte.get(k).copied().unwrap_or(0.0)),
                                            families,
                                        )
                                    })
                                    .collect(),
                                cost_sek: Cell::new(r.cost_sek, families),
                                locked_in: x.locked_in,
                                locked_out: x.locked_out,
                                allowed: x.allowed,
                                municipality_taking_part: x.municipality_taking_part,
                                barnsakert_visits: bs_cell(x, &p, |d| d.visits),
                                barnsakert_nurse_fte: bs_cell(x, &p, |d| d.nurse_fte),
                                barnsakert_social_fte: bs_cell(x, &p, |d| d.social_fte),
                                reason: String::new(),
                                phase: x.phase,
                                greedy_phase: x.greedy_phase,
                                rank_interval: x.rank_interval,
                                p_selected: Cell::new(x.p_selected, false),
                                areas_total: x.areas_total,
                                areas_covered: x.areas_covered,
                                covered_eligible_families: Cell::new(
                                    x.covered_eligible_families,
                                    covered_hidden,
                                ),
                                covered_fte: Cell::new(
                                    x.covered_resources.as_ref().map(|r| r.fte_total),
                                    covered_hidden,
                                ),
                                mean_covered_share: Cell::new(x.mean_covered_share, false),
                            }
                        }),
                    }
                })
                .collect()
        })
        .unwrap_or_default();

    let released_plan = plan.map(|pl| {
        // Ranks among the shown measures, in the plan's order.
        let measure_withheld = |i: usize| {
            catchments
                .get(i)
                .and_then(|c| c.plan.as_ref())
                .is_none_or(|x| x.measure.is_withheld())
        };
        let (ranks, order) = release_ranks(
            &pl.order,
            measure_withheld,
            |_| false,
            |i| catchments.get(i).map(|c| c.bvc.clone()).unwrap_or_default(),
            catchments.len(),
        );
        for (c, r) in catchments.iter_mut().zip(ranks) {
            if let Some(x) = &mut c.plan {
                x.rank = r;
                if r.is_none() {
                    x.rank_interval = None;
                }
            }
        }
        let withheld_rows: BTreeSet<usize> = catchments
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.plan
                    .as_ref()
                    .is_some_and(|x| x.need.is_withheld() || x.fte.is_withheld())
            })
            .map(|(i, _)| i)
            .collect();
        let total = |chosen: Vec<usize>| chosen.iter().any(|i| withheld_rows.contains(i));
        let selection = |s: &Selection| {
            let hidden = total(
                s.wave
                    .iter()
                    .enumerate()
                    .filter(|(_, w)| w.is_some())
                    .map(|(i, _)| i)
                    .collect(),
            );
            let wave = |w: &crate::plan::select::Wave| {
                let h = total(w.chosen.clone());
                ReleasedWave {
                    budget: w.budget,
                    capacity: w.capacity,
                    chosen: w
                        .chosen
                        .iter()
                        .filter_map(|&i| pl.catchments.get(i))
                        .map(|c| (c.bvc.clone(), c.name.clone()))
                        .collect(),
                    cost: Cell::new(Some(w.cost), h),
                    need: Cell::new(Some(w.need), h),
                }
            };
            ReleasedSelection {
                selected: s.wave.iter().flatten().count(),
                need: Cell::new(Some(s.need), hidden),
                cost: Cell::new(Some(s.cost), hidden),
                running: wave(&s.running),
                waves: s.waves.iter().map(wave).collect(),
                left: Cell::new(Some(s.left), hidden),
            }
        };
        let exact = pl.exact.as_ref().map(selection);
        let greedy = pl.greedy.as_ref().map(selection);
        // Why each catchment was chosen or not, with only figures that are shown.
        let unit = match pl.spec.budget_unit {
            crate::plan::BudgetUnit::Fte => "FTE",
            crate::plan::BudgetUnit::Sek => "SEK",
        };
        let left = exact.as_ref().map_or(Cell::Missing, |e| e.left);
        let chosen_hidden = exact.as_ref().is_some_and(|e| e.need.is_withheld());
        let areas_as_units = pl.spec.units == crate::plan::Units::Areas;
        for (c, x) in catchments.iter_mut().zip(&pl.catchments) {
            if let (Some(r), Some(why)) = (c.plan.as_mut(), &x.reason) {
                // With areas as units a catchment left out is described by its
                // nearest area's cost, withheld with that area's families.
                let nearest_hidden = areas_as_units
                    && pl
                        .areas
                        .iter()
                        .find(|a| {
                            a.bvc.as_deref() == Some(x.bvc.as_str()) && a.distance_rank == Some(1)
                        })
                        .is_none_or(|a| {
                            p.hides_any(&[
                                Some(a.eligible_families),
                                Some(a.eligible_families * pl.spec.programme.acceptance),
                            ])
                        });
                r.reason = reason_text(
                    why,
                    unit,
                    left,
                    r.fte.is_withheld() || r.need.is_withheld() || nearest_hidden,
                    chosen_hidden,
                );
                if let (true, Reason::Wave { .. }, Some(k)) = (areas_as_units, why, x.areas_covered)
                {
                    if k < x.areas_total {
                        r.reason.push_str(&format!(
                            " (its {k} area(s) nearest the BVC, of {})",
                            x.areas_total
                        ));
                    }
                }
            }
        }
        let gap_hidden = exact.as_ref().is_some_and(|e| e.need.is_withheld())
            || greedy.as_ref().is_some_and(|g| g.need.is_withheld());
        let all_hidden = !withheld_rows.is_empty();
        let municipalities = pl
            .municipalities
            .iter()
            .map(|m| {
                let h = p.hides_any(&[
                    Some(m.population),
                    Some(m.children),
                    Some(m.eligible_families),
                ]);
                let above = pl
                    .spec
                    .thresholds
                    .iter()
                    .map(|t| {
                        catchments
                            .iter()
                            .filter(|c| {
                                c.plan.as_ref().and_then(|x| x.municipality_code.as_deref())
                                    == Some(m.code.as_str())
                            })
                            .filter(|c| c.cni.shown().is_some_and(|v| v > *t))
                            .count()
                    })
                    .collect();
                // The selected catchments' figures: withheld with any of them.
                let sh = h
                    || catchments.iter().enumerate().any(|(i, c)| {
                        withheld_rows.contains(&i)
                            && c.plan.as_ref().is_some_and(|x| {
                                x.phase.is_some()
                                    && x.municipality_code.as_deref() == Some(m.code.as_str())
                            })
                    });
                ReleasedMunicipality {
                    code: m.code.clone(),
                    name: m.name.clone(),
                    population: Cell::new(Some(m.population), h),
                    children: Cell::new(Some(m.children), h),
                    eligible_families: Cell::new(Some(m.eligible_families), h),
                    cni: Cell::new(m.cni, h),
                    catchments: m.catchments,
                    catchments_above: above,
                    need: Cell::new(Some(m.need), h),
                    taking_part: m.taking_part,
                    selected: m.selected,
                    selected_eligible: Cell::new(Some(m.selected_eligible), sh),
                    region_fte: Cell::new(Some(m.region.fte), sh),
                    region_sek: Cell::new(m.region.cost_sek, sh),
                    municipality_fte: Cell::new(Some(m.municipality.fte), sh),
                    municipality_sek: Cell::new(m.municipality.cost_sek, sh),
                }
            })
            .collect();
        // Areas of the plan, in the plan's order; the CNI is the area's own released cell.
        let area_cell = |code: &str| {
            areas
                .iter()
                .find(|a| a.code == code && a.in_table)
                .map_or(Cell::Missing, |a| a.cni)
        };
        let mut plan_areas: Vec<ReleasedPlanArea> = pl
            .areas
            .iter()
            .map(|a| {
                let cni = area_cell(&a.code);
                // As for a catchment: eligible or accepting families (eligible ×
                // the published acceptance) below the threshold. A catchment of
                // one area would otherwise show, in plan_areas.csv, the families
                // and need it withholds in plan.csv.
                let families = p.hides_any(&[
                    Some(a.eligible_families),
                    Some(a.eligible_families * pl.spec.programme.acceptance),
                ]);
                ReleasedPlanArea {
                    code: a.code.clone(),
                    rank: None,
                    cni,
                    eligible_families: Cell::new(Some(a.eligible_families), families),
                    need: Cell::new(Some(a.need), families || cni.is_withheld()),
                    bvc: a.bvc.clone(),
                    distance_rank: a.distance_rank,
                    covered: a.covered,
                }
            })
            .collect();
        let measure_hidden = |a: &ReleasedPlanArea| match pl.spec.rank_by {
            RankBy::NeedReached => a.need.is_withheld() || a.cni.is_withheld(),
            RankBy::Cni | RankBy::Vti => a.cni.is_withheld(),
        };
        let n = plan_areas.len();
        let (ranks, order_a) = release_ranks(
            &(0..n).collect::<Vec<_>>(),
            |i| measure_hidden(&plan_areas[i]),
            |_| false,
            |i| plan_areas[i].code.clone(),
            n,
        );
        for (a, r) in plan_areas.iter_mut().zip(ranks) {
            a.rank = r;
        }
        let plan_areas = order_a.into_iter().map(|i| plan_areas[i].clone()).collect();
        ReleasedPlan {
            spec: pl.spec.clone(),
            eligibility: pl.eligibility.clone(),
            visits_per_accepting_family: pl.visits_per_accepting_family,
            order,
            municipalities,
            areas: plan_areas,
            gap: Cell::new(pl.gap, gap_hidden),
            total_eligible: Cell::new(
                Some(pl.catchments.iter().map(|c| c.eligible_families).sum()),
                all_hidden,
            ),
            total_fte: Cell::new(
                Some(pl.catchments.iter().map(|c| c.resources.fte_total).sum()),
                all_hidden,
            ),
            barnsakert: pl.barnsakert.map(|t| {
                let hidden = catchments.iter().any(|c| {
                    c.plan
                        .as_ref()
                        .is_some_and(|x| x.barnsakert_visits.is_withheld())
                });
                (
                    Cell::new(Some(t.visits), hidden),
                    Cell::new(Some(t.nurse_fte), hidden),
                    Cell::new(Some(t.social_fte), hidden),
                )
            }),
            budgets: pl.budgets.clone(),
            exact,
            greedy,
        }
    });

    Release {
        privacy,
        meta: input.meta,
        cni,
        vti: input.vti,
        areas,
        area_order,
        centres,
        catchments,
        plan: released_plan,
        boundaries: input.boundaries,
        catchment_geometry: input.catchments.map(|c| &c.catchments),
        notices: input.notices.to_vec(),
    }
}

/// A plain table of values per key (a code), released: `assign`'s points per
/// area, `interpolate`'s values per target zone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleasedTable {
    /// The key of each row.
    pub keys: Vec<String>,
    /// The column names.
    pub columns: Vec<String>,
    /// `rows[row][column]`.
    pub rows: Vec<Vec<Cell>>,
    /// Per column, its total over the rows: withheld when the column holds a
    /// withheld count (the total would give it back by difference), missing for
    /// columns that are not counts.
    pub totals: Vec<Cell>,
}

/// Releases a table whose columns marked in `counts` hold counts of people:
/// a count below the threshold is withheld, and so is the total of its column;
/// the other columns (rates, means) are shown as they are.
///
/// ```
/// use careneed::release::{release_table, Cell, privacy::Privacy};
/// let t = release_table(
///     Privacy::default(),
///     vec!["A".into(), "B".into()],
///     vec!["children".into(), "rate".into()],
///     &[vec![Some(3.0), Some(0.5)], vec![Some(40.0), None]],
///     &[true, false],
/// );
/// assert_eq!(t.rows[0], [Cell::Withheld, Cell::Shown(0.5)]);
/// assert_eq!(t.rows[1], [Cell::Shown(40.0), Cell::Missing]);
/// assert_eq!(t.totals, [Cell::Withheld, Cell::Missing]);
/// ```
pub fn release_table(
    privacy: Privacy,
    keys: Vec<String>,
    columns: Vec<String>,
    values: &[Vec<Option<f64>>],
    counts: &[bool],
) -> ReleasedTable {
    let is_count = |c: usize| counts.get(c).copied().unwrap_or(false);
    let rows: Vec<Vec<Cell>> = values
        .iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .map(|(c, &v)| Cell::new(v, is_count(c) && privacy.hides(v)))
                .collect()
        })
        .collect();
    let totals = (0..columns.len())
        .map(|c| {
            if !is_count(c) {
                return Cell::Missing;
            }
            let withheld = rows
                .iter()
                .any(|r| r.get(c).is_some_and(|x| x.is_withheld()));
            let sum = values
                .iter()
                .filter_map(|r| r.get(c).copied().flatten())
                .sum();
            Cell::new(Some(sum), withheld)
        })
        .collect();
    ReleasedTable {
        keys,
        columns,
        rows,
        totals,
    }
}

/// A release of centres only (`careneed vti`): the VTI table, its notices.
pub fn release_centres<'a>(
    meta: Meta,
    vti: &'a VtiResult,
    notices: &'a [Notice],
    privacy: Privacy,
) -> Release<'a> {
    release(
        ReleaseInput {
            meta,
            table: None,
            cni: None,
            areas: &[],
            boundaries: None,
            vti: Some(vti),
            catchments: None,
            plan: None,
            notices,
        },
        privacy,
    )
}

impl Release<'_> {
    /// Whether the research variant was computed.
    pub fn research(&self) -> bool {
        self.cni.is_some_and(|c| !c.research_reference.is_empty())
    }

    /// What each output withheld, counted from the released rows (only outputs
    /// that withhold something are listed).
    pub fn withheld(&self) -> Vec<Suppression> {
        /// The rows with a withheld cell among the output's `shown` fields
        /// (empty: all of the row's fields).
        fn count_shown<'r, R: Row + 'r>(
            output: &str,
            unit: &str,
            rows: impl IntoIterator<Item = &'r R>,
            shown: &[&str],
        ) -> Option<Suppression> {
            let mut n = 0;
            let mut fields: Vec<String> = Vec::new();
            for r in rows {
                let withheld: Vec<&str> = r
                    .cells()
                    .into_iter()
                    .filter(|(f, c)| c.is_withheld() && (shown.is_empty() || shown.contains(f)))
                    .map(|(f, _)| f)
                    .collect();
                if !withheld.is_empty() {
                    n += 1;
                }
                for f in withheld {
                    if !fields.iter().any(|x| x == f) {
                        fields.push(f.to_string());
                    }
                }
            }
            (n > 0).then(|| Suppression {
                output: output.into(),
                unit: unit.into(),
                rows: n,
                fields,
            })
        }
        fn count<'r, R: Row + 'r>(
            output: &str,
            unit: &str,
            rows: impl IntoIterator<Item = &'r R>,
        ) -> Option<Suppression> {
            count_shown(output, unit, rows, &[])
        }
        // ranking.csv and areas.geojson show the shifted research score, not
        // the research score itself or the z-scores.
        const AREA_FIELDS: [&str; 4] = ["population", "index", "cni", "research_shifted"];
        let table_areas = self.areas.iter().filter(|a| a.in_table);
        let mut out = vec![
            count_shown("ranking.csv", "areas", &self.areas, &AREA_FIELDS),
            count("cni.csv", "areas", table_areas),
        ];
        if self.cni.is_none() {
            out.clear();
        }
        if self.boundaries.is_some() {
            out.push(count_shown(
                "areas.geojson",
                "areas",
                self.areas.iter().filter(|a| a.polygon.is_some()),
                &AREA_FIELDS,
            ));
        }
        out.push(count("vti.csv", "centres", &self.centres));
        out.push(count(
            "catchments.csv, catchments.geojson, plan.csv",
            "catchments",
            &self.catchments,
        ));
        if let Some(pl) = &self.plan {
            out.push(count(
                "plan_municipalities.csv",
                "municipalities",
                &pl.municipalities,
            ));
            out.push(count("plan_areas.csv", "areas", &pl.areas));
        }
        out.into_iter().flatten().collect()
    }
}

/// One BarnSäkert figure of a catchment: withheld when its births are a small
/// count; missing without BarnSäkert.
fn bs_cell(
    x: &crate::plan::CatchmentPlan,
    p: &Privacy,
    f: impl Fn(&crate::plan::barnsakert::Demand) -> f64,
) -> Cell {
    match &x.barnsakert {
        None => Cell::Missing,
        // The screened-positive families are births × an assumed share, an
        // estimate, not a count of people: the births are the count behind it.
        Some(d) => Cell::new(Some(f(d)), p.hides_any(&[Some(d.births)])),
    }
}

/// A catchment's extra FTE (or SEK) for one employer.
fn employer_cell(
    r: &crate::plan::programme::Resources,
    employer: Employer,
    sek: bool,
    hidden: bool,
) -> Cell {
    let share = r.by_employer.get(&employer);
    let v = if sek {
        share.map_or(Some(0.0), |s| s.cost_sek)
    } else {
        Some(share.map_or(0.0, |s| s.fte))
    };
    Cell::new(v, hidden)
}

/// A [`Reason`] in words. `own_hidden`: the catchment's cost and need are
/// withheld, so neither is quoted; `chosen_hidden`: the selection's totals are
/// withheld, so neither the budget left nor the chosen ones' need per cost is.
pub fn reason_text(
    why: &Reason,
    unit: &str,
    left: Cell,
    own_hidden: bool,
    chosen_hidden: bool,
) -> String {
    let n = |x: f64| {
        if unit == "SEK" {
            format!("{x:.0}")
        } else {
            format!("{x:.2}")
        }
    };
    match why {
        Reason::Running => "running (locked in): wave 0".into(),
        Reason::Wave { wave } => format!("chosen: wave {wave}"),
        Reason::LockedOut => "locked out (plan.lock_out)".into(),
        Reason::MunicipalityOut => "its municipality does not take part".into(),
        Reason::BelowMinCni { min } => format!("CNI not above plan.min_cni = {min}"),
        Reason::BelowMinRelativeVti { min } => {
            format!("relative VTI not above plan.min_relative_vti = {min}")
        }
        Reason::NoNeed => "no need reached (no eligible families)".into(),
        Reason::NoBudget => "no budget given".into(),
        Reason::DoesNotFit {
            wave,
            cost,
            need_per_cost,
            lowest_chosen,
            ..
        } => {
            let left = match left.shown() {
                Some(l) if !chosen_hidden => format!("the {} {unit} left", n(l)),
                _ => "the budget left".into(),
            };
            let needs = if own_hidden {
                String::new()
            } else {
                format!(" (it needs {} {unit})", n(*cost))
            };
            let ratio = match lowest_chosen {
                Some(l) if !own_hidden && !chosen_hidden && need_per_cost < l => format!(
                    "; its need per {unit} ({:.3}) is lower than that of every catchment chosen (lowest {:.3})",
                    need_per_cost, l
                ),
                _ => "; taking it in place of chosen ones reaches less need in total".into(),
            };
            format!("does not fit {left} after wave {wave}{needs}{ratio}")
        }
    }
}
