//! The Care Need Index (CNI) per area.
//!
//! # SCB's method
//! SCB computes CNI as a weighted count of residents in seven groups relative to the
//! population, divided by the same ratio for a reference population (usually the
//! nation):
//!
//! ```text
//! index = Σᵢ wᵢ·nᵢ        cni = (index / population) / R
//! R     = Σ index / Σ population   over the reference population
//! ```
//!
//! | variable | group counted (nᵢ) | weight wᵢ |
//! |---|---|---|
//! | `elderly_alone` | aged over 65 and living alone | 6.15 |
//! | `foreign_born` | born in Eastern Europe, Asia, Africa or South America | 5.72 |
//! | `unemployed` | unemployed, aged 16–64 | 5.13 |
//! | `single_parents` | single parents with children under 18 | 4.19 |
//! | `movers` | moved into the area during the year | 4.19 |
//! | `low_education` | aged 25–64 with at most compulsory school | 3.97 |
//! | `under5` | children under 5 | 3.23 |
//!
//! `R` is either given (e.g. the national value for the year) or computed from all
//! input areas with residents; the result states which ([`ReferenceUsed`]).
//! CNI 1.0 is the reference average; 1.5 means 50 % more weighted need per resident.
//! Areas with no residents have no CNI and are reported.
//!
//! SCB's published example (R = 2.47615) is a golden test of this module:
//!
//! ```
//! use careneed::inputs::table::{parse_table, TableSpec};
//! use careneed::scores::cni::{compute, CniSpec, Reference};
//! let csv = b"code,population,under5,foreign_born,elderly_alone,single_parents,movers,unemployed,low_education
//! Enhet 1,5912,595,1391,484,167,385,981,632
//! Enhet 2,2407,293,330,215,80,240,300,210
//! ";
//! let (table, _) = parse_table("example.csv", csv, &TableSpec::areas()).unwrap();
//! let spec = CniSpec { reference: Reference::Given(2.47615), ..CniSpec::default() };
//! let result = compute(&table, &spec).unwrap();
//! assert!((result.areas[0].index - 22709.42).abs() < 0.005);
//! assert!((result.areas[0].cni.unwrap() - 1.5513).abs() < 0.00005);
//! assert!((result.areas[1].cni.unwrap() - 1.3204).abs() < 0.00005);
//! ```
//!
//! # Research variant
//! The research lineage (Jarman's UPA score; Sundquist K, Malmström M, Johansson
//! S-E, Sundquist J, "Care Need Index, a useful tool for the distribution of
//! primary health care resources", *J Epidemiol Community Health*
//! 2003;57(5):347–352, doi:10.1136/jech.57.5.347, PMID 12700218) standardises
//! each variable before weighting, so that a variable's weight is not confounded
//! with its prevalence:
//!
//! 1. proportion `pᵢ = nᵢ / dᵢ` with the variable's own denominator: `elderly_alone /
//!    pop_65plus`, `unemployed / pop_16_64`, `low_education / pop_25_64`, every other
//!    variable / `population`;
//! 2. transform `tᵢ = asin(√pᵢ)` (arcsine-square-root, default) or `tᵢ = ln(100·pᵢ + 1)`
//!    (Jarman's `ln(V + 1)` of the percentage);
//! 3. z-score against the input areas: `zᵢ = (tᵢ − μᵢ) / σᵢ`, where μᵢ and σᵢ are
//!    the population-weighted mean and standard deviation of tᵢ over the input
//!    areas (the result lists them);
//! 4. `research_score = Σ wᵢ·zᵢ`, Jarman's weighted sum of standardised variables.
//!    Its population-weighted mean over the input areas is 0 (the reference
//!    average). It is an **interval scale**: differences compare, ratios do not
//!    (an area at 20 does not have twice the need of one at 10), and a score is
//!    relative to the input areas, not to the nation;
//! 5. `research_shifted = 100 + research_score` ([`RESEARCH_SHIFT`]): the same
//!    interval scale moved so that the reference average is 100, in the manner of
//!    Sundquist et al. 2003, whose abstract says “The CNI scale was transformed
//!    into a positive scale to avoid negative values” and reports decile means
//!    “from 61 (most affluent neighbourhoods) to 140 (most deprived)”. The paper's
//!    formula for that transformation was not available to careneed: adding 100
//!    to the weighted z-sum is an **assumption** (with SCB's weights, Σ wᵢ =
//!    32.58, it gives decile means of that order). A shift keeps the scale an
//!    interval scale: 140 / 61 is not a ratio of need. The shift does not
//!    guarantee a positive value (an area below −100 stays negative; a warning
//!    says so).
//!
//! [`CniSpec::research_parameters`] lists these steps with their basis.
//!
//! ```
//! use careneed::inputs::table::{parse_table, TableSpec};
//! use careneed::scores::cni::{compute, CniSpec, Method, Variable};
//! // One variable, two areas of equal size: the z-scores are −1 and +1.
//! let csv = b"code,population,under5,foreign_born,elderly_alone,single_parents,movers,unemployed,low_education
//! A,100,0,0,0,0,0,0,0
//! B,100,50,0,0,0,0,0,0
//! ";
//! let (table, _) = parse_table("a.csv", csv, &TableSpec::areas()).unwrap();
//! let spec = CniSpec {
//!     variables: vec![Variable::new("under5", 3.0, "population")],
//!     method: Method::Research,
//!     ..CniSpec::default()
//! };
//! let r = compute(&table, &spec).unwrap();
//! let [a, b] = [&r.areas[0], &r.areas[1]].map(|x| x.research.as_ref().unwrap());
//! assert!((a.score + 3.0).abs() < 1e-12 && (b.score - 3.0).abs() < 1e-12);
//! assert!((a.shifted - 97.0).abs() < 1e-12 && (b.shifted - 103.0).abs() < 1e-12);
//! ```

use crate::error::{Error, Result};
use crate::inputs::table::Table;
use crate::report::Report;
use crate::sources::{Basis, Parameter};
use serde::{Deserialize, Serialize};

/// What the research variant adds to the weighted z-sum: `research_shifted =
/// RESEARCH_SHIFT + research_score`, so that the reference average is 100. An
/// assumption (see the module docs): Sundquist et al. 2003 put their CNI on a
/// positive scale whose decile means run 61–140, without a formula careneed
/// could check.
pub const RESEARCH_SHIFT: f64 = 100.0;

/// One weighted variable of the index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variable {
    /// Canonical column name in the area table, e.g. `under5`.
    pub name: String,
    /// Weight wᵢ.
    pub weight: f64,
    /// Column the research variant divides by (`population` for most).
    pub denominator: String,
}

impl Variable {
    /// A variable with a weight and a denominator.
    pub fn new(name: &str, weight: f64, denominator: &str) -> Self {
        Variable {
            name: name.to_string(),
            weight,
            denominator: denominator.to_string(),
        }
    }
}

/// SCB's seven variables with their published weights and research denominators.
pub fn default_variables() -> Vec<Variable> {
    vec![
        Variable::new("elderly_alone", 6.15, "pop_65plus"),
        Variable::new("foreign_born", 5.72, "population"),
        Variable::new("unemployed", 5.13, "pop_16_64"),
        Variable::new("single_parents", 4.19, "population"),
        Variable::new("movers", 4.19, "population"),
        Variable::new("low_education", 3.97, "pop_25_64"),
        Variable::new("under5", 3.23, "population"),
    ]
}

/// Where the reference ratio R (SCB) or the reference means (research) come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reference {
    /// R given by the user, e.g. the national value for the year.
    Given(f64),
    /// Computed from all input areas with residents.
    FromInput,
}

/// The transform of the research variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    /// `asin(√p)`.
    #[default]
    Arcsine,
    /// `ln(100·p + 1)`.
    Log,
}

/// Which CNI to compute. SCB's index is always computed; `Research` adds the
/// standardised variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// SCB's method only.
    #[default]
    Scb,
    /// SCB's method and the research variant.
    Research,
}

/// What to compute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CniSpec {
    /// The weighted variables.
    pub variables: Vec<Variable>,
    /// Reference for SCB's R.
    pub reference: Reference,
    /// SCB only, or SCB + research.
    pub method: Method,
    /// Transform of the research variant.
    pub transform: Transform,
    /// The scenario keys that set a value (`cni.transform`, …): their basis is
    /// the scenario.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set_in_scenario: Vec<String>,
}

impl Default for CniSpec {
    fn default() -> Self {
        CniSpec {
            variables: default_variables(),
            reference: Reference::FromInput,
            method: Method::Scb,
            transform: Transform::Arcsine,
            set_in_scenario: Vec::new(),
        }
    }
}

/// Where Jarman's method is written out: its id in [`crate::sources::SOURCES`] and place.
const JARMAN: (&str, &str) = ("jarman-avon", "Jarman 8 Score, method of calculation");
/// Sundquist et al. 2003 and the place quoted.
const SUNDQUIST: (&str, &str) = ("sundquist-2003", "Abstract (Design; Main results)");

impl CniSpec {
    /// The steps of the research variant, each with its basis: the transform,
    /// the standardisation, the weighted z-sum and the shift (see the module
    /// docs). Empty unless the research variant is computed.
    ///
    /// ```
    /// use careneed::scores::cni::{CniSpec, Method};
    /// assert!(CniSpec::default().research_parameters().is_empty());
    /// let spec = CniSpec { method: Method::Research, ..CniSpec::default() };
    /// let p = spec.research_parameters();
    /// let shift = p.iter().find(|p| p.name == "cni.research.shift").unwrap();
    /// assert!(shift.basis.is_assumption());
    /// assert_eq!(shift.value, "research_shifted = 100 + research_score");
    /// ```
    pub fn research_parameters(&self) -> Vec<Parameter> {
        if self.method != Method::Research {
            return Vec::new();
        }
        let transform = match self.transform {
            Transform::Arcsine => "arcsine: tᵢ = asin(√pᵢ)",
            Transform::Log => "log: tᵢ = ln(100·pᵢ + 1)",
        };
        let transform_basis = if self.set_in_scenario.iter().any(|k| k == "cni.transform") {
            Basis::Scenario("cni.transform".into())
        } else {
            match self.transform {
                Transform::Log => Basis::cite(
                    JARMAN.0,
                    JARMAN.1,
                    "All variables are 'normalised' by transforming them with LN(V+1)",
                ),
                Transform::Arcsine => Basis::assume(
                    "the research variant's default transform is the arcsine-square-root asin(√p), a variance-stabilising transform of proportions; the cited sources do not give it (Jarman's method uses ln(V + 1) of the percentage, transform = \"log\")",
                ),
            }
        };
        vec![
            Parameter::new("cni.research.transform", transform, transform_basis),
            Parameter::new(
                "cni.research.standardisation",
                "zᵢ = (tᵢ − μᵢ) / σᵢ over the input areas, μᵢ and σᵢ their population-weighted mean and SD (the weighting is careneed's choice; the quoted step does not say)",
                Basis::cite(
                    JARMAN.0,
                    JARMAN.1,
                    "The variables are standardised by subtracting the mean and dividing by the standard deviation",
                ),
            ),
            Parameter::new(
                "cni.research.score",
                "research_score = Σ wᵢ·zᵢ (0 = the input areas' population-weighted average; an interval scale)",
                Basis::cite(
                    JARMAN.0,
                    JARMAN.1,
                    "calculating a weighted sum of the standardised variables",
                ),
            ),
            Parameter::new(
                "cni.research.positive_scale",
                "Sundquist et al. 2003 put the CNI on a positive scale",
                Basis::cite(
                    SUNDQUIST.0,
                    SUNDQUIST.1,
                    "The CNI scale was transformed into a positive scale to avoid negative values",
                ),
            ),
            Parameter::new(
                "cni.research.shift",
                format!("research_shifted = {RESEARCH_SHIFT} + research_score"),
                Basis::assume(
                    "the research variant's positive scale adds 100 to the weighted z-sum (research_shifted = 100 + research_score, 100 = the input areas' average); Sundquist et al. 2003 transformed their CNI into a positive scale with decile means from 61 to 140, but their formula was not available, so this shift is careneed's, not theirs; the result is an interval scale (differences compare, ratios do not)",
                ),
            ),
        ]
    }
}

/// Where the reference ratio R that was used came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceSource {
    /// Given by the user (e.g. the national value for the year).
    Given,
    /// Computed from the input areas with residents ([`reference_ratio`]).
    Computed {
        /// The number of areas it was computed from.
        areas: usize,
    },
    /// The CNI was delivered computed (SCB's commissioned delivery,
    /// [`delivered`]): its reference is SCB's, and careneed recomputes nothing.
    Delivered,
}

/// The reference ratio actually used, and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReferenceUsed {
    /// R.
    pub value: f64,
    /// Given or computed.
    pub source: ReferenceSource,
}

impl ReferenceUsed {
    /// Whether R was given rather than computed.
    pub fn is_given(&self) -> bool {
        self.source == ReferenceSource::Given
    }

    /// One sentence for outputs, e.g. "R = 2.47615, given".
    pub fn description(&self) -> String {
        match self.source {
            ReferenceSource::Delivered => "CNI as delivered (the area table's cni column): computed by SCB against SCB's reference, used as given; careneed recomputes neither the CNI nor R".to_string(),
            ReferenceSource::Given => format!("R = {}, given", self.value),
            ReferenceSource::Computed { areas } => format!(
                "R = {:.5}, computed from the {areas} input areas with residents (Σ index / Σ population)",
                self.value
            ),
        }
    }

    /// The setting that reproduces this reference in another computation:
    /// [`Reference::Given`] when R was given, [`Reference::FromInput`] when it was
    /// computed (a Monte Carlo draw computes it again from its own counts).
    pub fn setting(&self) -> Reference {
        match self.source {
            ReferenceSource::Given => Reference::Given(self.value),
            ReferenceSource::Computed { .. } | ReferenceSource::Delivered => Reference::FromInput,
        }
    }
}

/// The weighted count of one area, `Σᵢ wᵢ·nᵢ` (weights and counts in the same
/// variable order). The one place this sum is formed: [`compute`] and every
/// Monte Carlo draw of a plan call it.
///
/// ```
/// use careneed::scores::cni::weighted_count;
/// assert_eq!(weighted_count(&[2.0, 0.5], [10.0, 4.0]), 22.0);
/// ```
pub fn weighted_count(weights: &[f64], counts: impl IntoIterator<Item = f64>) -> f64 {
    weights.iter().zip(counts).map(|(w, n)| w * n).sum()
}

/// SCB's reference ratio computed from the areas themselves: `R = Σ index /
/// Σ population` over the areas with residents, and the number of those areas.
/// `None` when no area has residents or the weighted counts sum to zero or less.
///
/// ```
/// use careneed::scores::cni::reference_ratio;
/// // The empty third area is left out.
/// let (r, n) = reference_ratio(&[20.0, 60.0, 5.0], &[100.0, 100.0, 0.0]).unwrap();
/// assert_eq!((r, n), (0.4, 2));
/// ```
pub fn reference_ratio(index: &[f64], population: &[f64]) -> Option<(f64, usize)> {
    let (i, p, n) = index
        .iter()
        .zip(population)
        .filter(|&(_, &p)| p > 0.0)
        .fold((0.0, 0.0, 0usize), |(i, q, n), (x, p)| {
            (i + x, q + p, n + 1)
        });
    (p > 0.0 && i > 0.0).then(|| (i / p, n))
}

/// An area's CNI, `index / population / R`; `None` without residents.
pub fn area_cni(index: f64, population: f64, r: f64) -> Option<f64> {
    (population > 0.0 && r > 0.0).then(|| index / population / r)
}

/// The weighted mean `Σ w·v / Σ w` of `(w, v)` pairs; `None` when the weights
/// sum to zero or less. The one aggregation of CNI into larger units: a
/// catchment's CNI (`w` = share × residents of each member area), a
/// municipality's (`w` = residents), a BVC's from its listed children (`w` = 1
/// per child, at the child's home-area CNI).
///
/// ```
/// use careneed::scores::cni::weighted_mean;
/// // 100 residents at CNI 0.5 and half of an area of 100 at 1.5.
/// let cni = weighted_mean([(100.0, 0.5), (0.5 * 100.0, 1.5)]).unwrap();
/// assert!((cni - 0.833333).abs() < 1e-6);
/// assert_eq!(weighted_mean(std::iter::empty()), None);
/// ```
pub fn weighted_mean(pairs: impl IntoIterator<Item = (f64, f64)>) -> Option<f64> {
    let (num, den) = pairs
        .into_iter()
        .fold((0.0, 0.0), |(a, b), (w, v)| (a + w * v, b + w));
    (den > 0.0).then(|| num / den)
}

/// Research-variant results for one area (interval scales, see the module docs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResearchScore {
    /// z-score per variable, in [`CniResult::variables`] order.
    pub z: Vec<f64>,
    /// `Σ wᵢ·zᵢ`, the research score: 0 = the input areas' population-weighted
    /// average.
    pub score: f64,
    /// `RESEARCH_SHIFT + score` (100 = the average; an assumption, see
    /// [`RESEARCH_SHIFT`]).
    pub shifted: f64,
}

/// CNI of one area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaCni {
    /// Area code.
    pub code: String,
    /// Residents.
    pub population: f64,
    /// `Σ wᵢ·nᵢ`.
    pub index: f64,
    /// SCB's CNI; `None` when the area has no residents.
    pub cni: Option<f64>,
    /// Research variant, when asked for and defined.
    pub research: Option<ResearchScore>,
}

/// Population-weighted reference statistics of one research variable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResearchReference {
    /// Variable name.
    pub variable: String,
    /// Mean of the transformed proportion.
    pub mean: f64,
    /// Standard deviation of the transformed proportion.
    pub sd: f64,
}

/// CNI for every row of an area table, in table order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CniResult {
    /// The variables and weights used.
    pub variables: Vec<Variable>,
    /// SCB's reference ratio.
    pub reference: ReferenceUsed,
    /// Reference means/SDs of the research variant (empty for SCB only).
    pub research_reference: Vec<ResearchReference>,
    /// Transform used by the research variant.
    pub transform: Option<Transform>,
    /// The scenario keys that set a value ([`CniSpec::set_in_scenario`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set_in_scenario: Vec<String>,
    /// One entry per table row.
    pub areas: Vec<AreaCni>,
    /// Areas without a CNI, and other decisions.
    pub report: Report,
}

/// Computes CNI for every row of `table`.
///
/// Errors: a variable or denominator column missing from the table; a given R
/// that is not positive; a reference population with no residents.
pub fn compute(table: &Table, spec: &CniSpec) -> Result<CniResult> {
    let mut report = Report::default();
    if spec.variables.is_empty() {
        return Err(Error::Compute("the CNI has no variables".into()));
    }
    for v in &spec.variables {
        if !v.weight.is_finite() {
            return Err(Error::Compute(format!(
                "weight of {} is not a finite number",
                v.name
            )));
        }
    }
    let pop_col = table.require("population")?;
    let var_cols = spec
        .variables
        .iter()
        .map(|v| table.require(&v.name))
        .collect::<Result<Vec<_>>>()?;
    let weights: Vec<f64> = spec.variables.iter().map(|v| v.weight).collect();

    let mut areas: Vec<AreaCni> = table
        .rows
        .iter()
        .map(|row| AreaCni {
            code: row.key.clone(),
            population: row.values[pop_col],
            index: weighted_count(&weights, var_cols.iter().map(|&c| row.values[c])),
            cni: None,
            research: None,
        })
        .collect();

    let reference = match spec.reference {
        Reference::Given(r) => {
            if !(r.is_finite() && r > 0.0) {
                return Err(Error::Compute(format!(
                    "the reference ratio R must be a positive number, got {r}"
                )));
            }
            ReferenceUsed {
                value: r,
                source: ReferenceSource::Given,
            }
        }
        Reference::FromInput => {
            let index: Vec<f64> = areas.iter().map(|a| a.index).collect();
            let population: Vec<f64> = areas.iter().map(|a| a.population).collect();
            let (value, n) = reference_ratio(&index, &population).ok_or_else(|| {
                Error::Compute(format!(
                    "{}: cannot compute the reference ratio R: the areas have no residents or no weighted counts",
                    table.source
                ))
            })?;
            ReferenceUsed {
                value,
                source: ReferenceSource::Computed { areas: n },
            }
        }
    };

    for (area, row) in areas.iter_mut().zip(&table.rows) {
        area.cni = area_cni(area.index, area.population, reference.value);
        if area.cni.is_none() {
            report.warn(
                "no_population",
                table
                    .row_location(row)
                    .with_code(row.key.clone())
                    .with_field("population"),
                "the area has no residents, so it has no CNI",
            );
        }
    }

    let mut research_reference = Vec::new();
    if spec.method == Method::Research {
        research_reference = research(table, spec, pop_col, &var_cols, &mut areas, &mut report)?;
    }

    Ok(CniResult {
        variables: spec.variables.clone(),
        reference,
        research_reference,
        transform: (spec.method == Method::Research).then_some(spec.transform),
        set_in_scenario: spec.set_in_scenario.clone(),
        areas,
        report,
    })
}

/// A CNI delivered computed, per area: the area table's `cni` column (with
/// `population`), used as given. No variable is needed, nothing is
/// recomputed, and the reference is SCB's ([`ReferenceSource::Delivered`]);
/// the index is not known (NaN). A CNI that is not a positive number is an
/// error naming file, line and field; an area without residents has none.
///
/// ```
/// use careneed::inputs::table::{parse_table, TableSpec};
/// use careneed::scores::cni::{delivered, ReferenceSource};
/// let mut spec = TableSpec::areas();
/// spec.deliver_cni();
/// let (t, _) = parse_table("cni.csv", b"code,population,cni\n2180C1010,1200,1.5513\n".as_slice(), &spec).unwrap();
/// let r = delivered(&t).unwrap();
/// assert_eq!(r.areas[0].cni, Some(1.5513));
/// assert_eq!(r.reference.source, ReferenceSource::Delivered);
/// ```
pub fn delivered(table: &Table) -> Result<CniResult> {
    let mut report = Report::default();
    let pop = table.require("population")?;
    let col = table.require("cni")?;
    let mut areas = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let population = row.values[pop];
        let value = row.values[col];
        let at = || {
            table
                .row_location(row)
                .with_code(row.key.clone())
                .with_field("cni")
        };
        if !(value.is_finite() && value > 0.0) {
            return Err(Error::Compute(format!(
                "{}: a delivered CNI must be a positive number, got {value}",
                at()
            )));
        }
        let cni = (population > 0.0).then_some(value);
        if cni.is_none() {
            report.warn(
                "no_population",
                at().with_field("population"),
                "the area has no residents, so its delivered CNI is not used",
            );
        }
        areas.push(AreaCni {
            code: row.key.clone(),
            population,
            index: f64::NAN,
            cni,
            research: None,
        });
    }
    report.info(
        "delivered_cni",
        table.location().with_field("cni"),
        "the area table carries a computed CNI: it is used as given (SCB's reference); the CNI variables are not needed and not recomputed",
    );
    Ok(CniResult {
        variables: Vec::new(),
        reference: ReferenceUsed {
            value: f64::NAN,
            source: ReferenceSource::Delivered,
        },
        research_reference: Vec::new(),
        transform: None,
        set_in_scenario: Vec::new(),
        areas,
        report,
    })
}

/// How far a delivered CNI may be from the one computed from the same table's
/// variables: half a unit in the second decimal (SCB's deliveries are commonly
/// rounded to two decimals), plus rounding slack. An assumption.
pub const DELIVERED_TOLERANCE: f64 = 0.005 + 1e-9;

/// Checks a table that carries both a `cni` column and the CNI variables: each
/// area's delivered CNI must agree with the `computed` one within
/// [`DELIVERED_TOLERANCE`]. The first area that does not is an error naming the
/// file, line, code and field, both values and the fix. Returns the largest
/// difference found. Areas without a CNI on either side are not compared.
///
/// ```
/// use careneed::inputs::table::{parse_table, TableSpec};
/// use careneed::scores::cni::{check_delivered, compute, CniSpec, Variable};
/// let mut spec = TableSpec::areas();
/// spec.deliver_cni();
/// let csv = "code,population,under5,cni\nA,100,10,0.5\nB,100,30,1.6\n";
/// let (t, _) = parse_table("t.csv", csv.as_bytes(), &spec).unwrap();
/// let spec = CniSpec { variables: vec![Variable::new("under5", 1.0, "population")], ..CniSpec::default() };
/// let computed = compute(&t, &spec).unwrap(); // 0.5 and 1.5
/// let err = check_delivered(&t, &computed).unwrap_err().to_string();
/// assert!(err.starts_with("t.csv, line 3 (code B), field \"cni\""), "{err}");
/// assert!(err.contains("1.6 disagrees with 1.5"), "{err}");
/// ```
pub fn check_delivered(table: &Table, computed: &CniResult) -> Result<f64> {
    let col = table.require("cni")?;
    let mut largest: f64 = 0.0;
    for (row, area) in table.rows.iter().zip(&computed.areas) {
        let given = row.values[col];
        let Some(value) = area.cni else { continue };
        let gap = (given - value).abs();
        if gap.is_nan() || gap > DELIVERED_TOLERANCE {
            return Err(Error::input(
                table
                    .row_location(row)
                    .with_code(row.key.clone())
                    .with_field("cni"),
                crate::error::Problem::Invalid(format!(
                    "the table's cni {} disagrees with {value:.4} computed from its variables ({}); \
                     keep one: drop the cni column to compute the index, or the variables to use \
                     it as delivered; if it was delivered with SCB's national R, give that R as \
                     [cni] reference (careneed cni --reference)",
                    crate::error::number(given),
                    computed.reference.description()
                )),
            ));
        }
        largest = largest.max(gap);
    }
    Ok(largest)
}

impl CniResult {
    /// Whether the CNI was delivered computed ([`delivered`]).
    pub fn is_delivered(&self) -> bool {
        self.reference.source == ReferenceSource::Delivered
    }

    /// The research variant's steps with their basis
    /// ([`CniSpec::research_parameters`]); empty when it was not computed.
    pub fn research_parameters(&self) -> Vec<Parameter> {
        match self.transform {
            Some(transform) => CniSpec {
                variables: self.variables.clone(),
                method: Method::Research,
                transform,
                set_in_scenario: self.set_in_scenario.clone(),
                ..CniSpec::default()
            }
            .research_parameters(),
            None => Vec::new(),
        }
    }
}

fn transform(t: Transform, p: f64) -> f64 {
    match t {
        Transform::Arcsine => p.clamp(0.0, 1.0).sqrt().asin(),
        Transform::Log => (100.0 * p + 1.0).ln(),
    }
}

fn research(
    table: &Table,
    spec: &CniSpec,
    pop_col: usize,
    var_cols: &[usize],
    areas: &mut [AreaCni],
    report: &mut Report,
) -> Result<Vec<ResearchReference>> {
    let den_cols = spec
        .variables
        .iter()
        .map(|v| table.require(&v.denominator))
        .collect::<Result<Vec<_>>>()?;
    // Transformed proportions per area; None where a denominator is zero.
    let transformed: Vec<Option<Vec<f64>>> = table
        .rows
        .iter()
        .map(|row| {
            var_cols
                .iter()
                .zip(&den_cols)
                .map(|(&c, &d)| {
                    let den = row.values[d];
                    (den > 0.0).then(|| transform(spec.transform, row.values[c] / den))
                })
                .collect()
        })
        .collect();
    for (row, t) in table.rows.iter().zip(&transformed) {
        if t.is_none() && row.values[pop_col] > 0.0 {
            report.warn(
                "no_denominator",
                table.row_location(row).with_code(row.key.clone()),
                "a denominator of the research variant is zero, so the area has no research CNI",
            );
        }
    }
    let mut refs = Vec::with_capacity(spec.variables.len());
    for (i, v) in spec.variables.iter().enumerate() {
        let (mut w, mut sum) = (0.0, 0.0);
        for (row, t) in table.rows.iter().zip(&transformed) {
            if let Some(t) = t {
                w += row.values[pop_col];
                sum += row.values[pop_col] * t[i];
            }
        }
        if w <= 0.0 {
            return Err(Error::Compute(
                "research CNI: no area has residents and non-zero denominators".into(),
            ));
        }
        let mean = sum / w;
        let var = table
            .rows
            .iter()
            .zip(&transformed)
            .filter_map(|(row, t)| {
                t.as_ref()
                    .map(|t| row.values[pop_col] * (t[i] - mean).powi(2))
            })
            .sum::<f64>()
            / w;
        let sd = var.sqrt();
        if sd <= 0.0 {
            return Err(Error::Compute(format!(
                "research CNI: variable {} has the same proportion in every area, so it cannot be standardised",
                v.name
            )));
        }
        refs.push(ResearchReference {
            variable: v.name.clone(),
            mean,
            sd,
        });
    }
    let mut not_positive = 0usize;
    for (area, t) in areas.iter_mut().zip(&transformed) {
        if let Some(t) = t {
            let z: Vec<f64> = t
                .iter()
                .zip(&refs)
                .map(|(t, r)| (t - r.mean) / r.sd)
                .collect();
            let score: f64 = z
                .iter()
                .zip(&spec.variables)
                .map(|(z, v)| v.weight * z)
                .sum();
            let shifted = RESEARCH_SHIFT + score;
            if shifted <= 0.0 {
                not_positive += 1;
            }
            area.research = Some(ResearchScore { z, score, shifted });
        }
    }
    if not_positive > 0 {
        // No value and no area named: the count of areas says nothing about a person.
        report.warn(
            "research_shift_not_positive",
            table.location(),
            format!(
                "the research score is below −{RESEARCH_SHIFT} in {not_positive} of the areas, so the shifted research score is not positive there"
            ),
        );
    }
    Ok(refs)
}
