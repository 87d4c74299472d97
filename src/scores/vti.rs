//! Vårdtyngdsindex (VTI): the workload of a child health centre (BVC), and the
//! nurse time its newborns need by the published staffing norm.
//!
//! # VTI
//! VTI weighs three shares of a centre's newborns (Folkhälsomyndigheten and
//! Socialstyrelsen 2022, *Förkortningar och begrepp*: “Väger in andelen
//! förstagångsföräldrar, andelen barn som rekommenderas vaccin för tuberkulos
//! och andelen barn vars mammor röker”). The weights `1/3, 1, 1` ([`WEIGHTS`])
//! are not in the sources careneed cites: they are an assumption, stated as
//! such in [`VtiSpec::parameters`].
//!
//! ```text
//! p_first = first_born / newborns        (first-born children)
//! p_bcg   = bcg_indicated / newborns     (children indicated for BCG vaccine)
//! p_smoke = mother_smoking / newborns    (children whose mothers smoke)
//! vti               = p_first / 3 + p_bcg + p_smoke
//! vt_children       = vti × newborns               (extra notional children)
//! weighted_newborns = newborns + vt_children
//! relative_vti      = (1 + vti) / mean(1 + vti)    (newborn-weighted mean; 1.0 = average)
//! ```
//!
//! # The staffing norm
//! Norrbotten's child health unit (Nilsson 2012, slide 2) states the norm: “I
//! ett normalområde med ca 60 nyfödda per år behöver BVC-sjuksköterskan 40
//! arbetstimmar per vecka för att fullfölja uppgifterna inom barnhälsovården”,
//! and “I ett område med ökad vårdtyngd bör barnantalet reduceras”. The 60 are
//! newborns of a *normal* area, one of average care load, so by default
//! ([`Norm::Relative`]) a centre's newborns count by its relative VTI:
//!
//! ```text
//! nurse_fte        = newborns × relative_vti / 60   (Σ nurse_fte = Σ newborns / 60)
//! nurse_hours/week = nurse_fte × 40
//! ```
//!
//! The newborn-weighted mean of the input centres stands for the normal area
//! (an assumption: the slide does not say how a normal area's load is measured).
//! The county's total is then exactly its newborns / 60, shared out by care load.
//! The other reading ([`Norm::CareWeighted`], scenario `[vti] norm =
//! "care_weighted"`) counts 60 *care-weighted* newborns per nurse,
//! `nurse_fte = weighted_newborns / 60`, which adds every centre's extra load
//! on top of the norm: the total is newborns / 60 × the mean of `1 + vti`.
//! The result names the norm used ([`VtiResult::norm`]) and a note quoting the
//! slide reaches every output.
//!
//! # Small centres
//! The same slide: “bör BVC-sjuksköterskan eftersträva att arbeta minst 50 % av
//! heltid och ha ansvar för minst 25 nyfödda per år. BVC-sjuksköterskan, som i
//! sitt område på en glesbygdsenhet har färre än 25 nyfödda barn per år, kan ha
//! svårt att upprätthålla sin kompetens”. A centre is flagged `few_newborns`
//! when its newborns are fewer than 25 (even one nurse would have fewer), and
//! `below_half_time` when the norm gives it less than 0.5 of a full-time nurse
//! (a nurse there would work under 50 % of full time).
//!
//! # Current staffing
//! With an optional column `nurse_fte` (the centre's nurse FTE now), each centre
//! gets `current_nurse_fte` and `gap_fte = nurse_fte (norm) − current_nurse_fte`:
//! positive means fewer nurses than the norm asks for.
//!
//! ```
//! use careneed::inputs::table::{parse_table, TableSpec};
//! use careneed::scores::vti::{compute, Norm, VtiSpec};
//! let csv = b"bvc,newborns,first_born,bcg_indicated,mother_smoking,nurse_fte
//! A,120,48,12,6,1.5
//! B,20,10,0,2,0.5
//! ";
//! let (table, _) = parse_table("bvc.csv", csv, &TableSpec::bvc_vti()).unwrap();
//! let result = compute(&table, &VtiSpec::default()).unwrap();
//! let a = &result.centres[0];
//! // 48/120/3 + 12/120 + 6/120 = 0.1333 + 0.1 + 0.05
//! assert!((a.vti.unwrap() - 0.283333).abs() < 1e-6);
//! assert!((a.weighted_newborns - 154.0).abs() < 1e-9);
//! assert_eq!(result.norm, Norm::Relative);
//! // The relative norm shares out exactly 140 / 60 FTE.
//! let total: f64 = result.centres.iter().map(|c| c.nurse_fte).sum();
//! assert!((total - 140.0 / 60.0).abs() < 1e-12);
//! assert!((a.gap_fte.unwrap() - (a.nurse_fte - 1.5)).abs() < 1e-12);
//! let b = &result.centres[1];
//! assert!(!a.few_newborns && b.few_newborns && b.below_half_time);
//! ```

use crate::error::{Error, Result};
use crate::inputs::table::Table;
use crate::report::Report;
use crate::sources::{Basis, Parameter};
use serde::{Deserialize, Serialize};

/// The weights of the three shares: `p_first / 3 + p_bcg + p_smoke`. Not in
/// the sources careneed cites (an assumption; see [`VtiSpec::parameters`]).
pub const WEIGHTS: [f64; 3] = [1.0 / 3.0, 1.0, 1.0];

/// The staffing norm's source: its id in [`crate::sources::SOURCES`] and place.
const NORM_SOURCE: (&str, &str) = (
    "norrbotten-bhv-2012",
    "slide 2 “Veckoarbetstid för sjuksköterskor och läkare inom BHV i Norrbotten 2011”",
);

/// The slide's words on the norm, quoted in the note every run carries.
pub const NORM_QUOTE: &str = "I ett normalområde med ca 60 nyfödda per år behöver BVC-sjuksköterskan 40 arbetstimmar per vecka för att fullfölja uppgifterna inom barnhälsovården";

/// The slide's words on areas of higher care load.
pub const LOAD_QUOTE: &str = "I ett område med ökad vårdtyngd bör barnantalet reduceras";

/// A centre's VTI from its counts, `Σₖ wₖ·countₖ / newborns` (first-born, BCG
/// indicated, smoking mother; each count capped at the newborns); `None` without
/// newborns. The one place VTI is formed: [`compute`] and every Monte Carlo
/// draw of a plan call it.
///
/// ```
/// use careneed::scores::vti::{centre_vti, WEIGHTS};
/// // 48/120/3 + 12/120 + 6/120
/// let v = centre_vti(WEIGHTS, 120.0, [48.0, 12.0, 6.0]).unwrap();
/// assert!((v - 0.283333).abs() < 1e-6);
/// assert_eq!(centre_vti(WEIGHTS, 0.0, [0.0; 3]), None);
/// ```
pub fn centre_vti(weights: [f64; 3], newborns: f64, counts: [f64; 3]) -> Option<f64> {
    (newborns > 0.0).then(|| {
        weights
            .iter()
            .zip(counts)
            .map(|(w, c)| w * c.min(newborns))
            .sum::<f64>()
            / newborns
    })
}

/// The newborn-weighted mean of `1 + vti` over centres `(newborns, vti)`, the
/// denominator of the relative VTI; centres without a VTI are left out. `None`
/// when no centre has newborns.
pub fn mean_one_plus_vti(centres: impl IntoIterator<Item = (f64, Option<f64>)>) -> Option<f64> {
    crate::scores::cni::weighted_mean(
        centres
            .into_iter()
            .filter_map(|(n, v)| v.map(|v| (n, 1.0 + v))),
    )
}

/// A centre's relative VTI, `(1 + vti) / mean` ([`mean_one_plus_vti`]).
pub fn relative_vti(vti: f64, mean: f64) -> f64 {
    (1.0 + vti) / mean
}

/// How the staffing norm's “ca 60 nyfödda per år” per full-time nurse counts a
/// centre's newborns (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Norm {
    /// 60 newborns of an area of average care load: `newborns × relative_vti /
    /// 60`; the total is the centres' newborns / 60.
    #[default]
    Relative,
    /// 60 care-weighted newborns: `weighted_newborns / 60`.
    CareWeighted,
}

impl Norm {
    /// The name the scenario uses (`relative`, `care_weighted`).
    pub fn name(self) -> &'static str {
        match self {
            Norm::Relative => "relative",
            Norm::CareWeighted => "care_weighted",
        }
    }

    /// The formula in words, with `per_fte` newborns per full-time nurse.
    pub fn formula(self, per_fte: f64) -> String {
        match self {
            Norm::Relative => format!("nurse_fte = newborns × relative_vti / {per_fte}"),
            Norm::CareWeighted => format!("nurse_fte = weighted_newborns / {per_fte}"),
        }
    }

    /// A centre's nurse FTE by this norm, from its newborns, `1 + vti` and the
    /// newborn-weighted mean of `1 + vti`: `newborns × (1 + vti) / mean / per_fte`
    /// or `newborns × (1 + vti) / per_fte`. Without a VTI (no newborns) the
    /// centre counts at `1 + vti = 1`, and so at 0 FTE when it has no newborns.
    pub fn nurse_fte(self, newborns: f64, vti: Option<f64>, mean: f64, per_fte: f64) -> f64 {
        let load = 1.0 + vti.unwrap_or(0.0);
        match self {
            Norm::Relative => newborns * load / mean / per_fte,
            Norm::CareWeighted => newborns * load / per_fte,
        }
    }
}

/// The norms behind the VTI figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VtiSpec {
    /// Newborns one full-time nurse can take (60), counted as [`VtiSpec::norm`] says.
    pub newborns_per_fte: f64,
    /// Hours a week of one full-time nurse (40).
    pub hours_per_fte: f64,
    /// Fewer newborns a year than this flags a centre `few_newborns` (25).
    pub min_newborns_per_nurse: f64,
    /// A norm below this share of one full-time nurse flags a centre
    /// `below_half_time` (0.5).
    pub min_fte_share: f64,
    /// How newborns count towards the norm.
    #[serde(default)]
    pub norm: Norm,
    /// The scenario keys that set a value (`vti.newborns_per_fte`, …): their
    /// basis is the scenario rather than the source.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set_in_scenario: Vec<String>,
}

impl Default for VtiSpec {
    fn default() -> Self {
        VtiSpec {
            newborns_per_fte: 60.0,
            hours_per_fte: 40.0,
            min_newborns_per_nurse: 25.0,
            min_fte_share: 0.5,
            norm: Norm::Relative,
            set_in_scenario: Vec::new(),
        }
    }
}

impl VtiSpec {
    /// Every figure and rule of the VTI and the staffing norm, with its basis: the
    /// cited source, an assumption, or the scenario key that set it.
    ///
    /// ```
    /// use careneed::scores::vti::VtiSpec;
    /// let mut spec = VtiSpec::default();
    /// let p = spec.parameters();
    /// let fte = p.iter().find(|p| p.name == "vti.newborns_per_fte").unwrap();
    /// assert_eq!(fte.basis.source_ids(), ["norrbotten-bhv-2012"]);
    /// assert!(p.iter().find(|p| p.name == "vti.weights").unwrap().basis.is_assumption());
    /// spec.set_in_scenario.push("vti.newborns_per_fte".into());
    /// let p = spec.parameters();
    /// assert_eq!(p.iter().find(|p| p.name == "vti.newborns_per_fte").unwrap().basis.source_ids(), ["scenario"]);
    /// ```
    pub fn parameters(&self) -> Vec<Parameter> {
        let (id, at) = NORM_SOURCE;
        let basis = |key: &str, quote: &str| {
            if self.set_in_scenario.iter().any(|k| k == key) {
                Basis::Scenario(key.to_string())
            } else {
                Basis::cite(id, at, quote)
            }
        };
        let n = |x: f64| x.to_string();
        let mut out = vec![
            Parameter::new(
                "vti.variables",
                "first-born share, BCG-indicated share, share with a smoking mother",
                Basis::cite(
                    "fohm-2022",
                    "Förkortningar och begrepp, VTI",
                    "Väger in andelen förstagångsföräldrar, andelen barn som rekommenderas vaccin för tuberkulos och andelen barn vars mammor röker",
                ),
            ),
            Parameter::new(
                "vti.weights",
                "1/3, 1, 1 (vti = p_first / 3 + p_bcg + p_smoke)",
                Basis::assume(
                    "the VTI weights 1/3 (first-born), 1 (BCG indicated), 1 (smoking mother) are not given by the cited sources, which name the three shares only; careneed's earlier documentation attributed them to Rikshandboken barnhälsovård without a place, which has not been checked",
                ),
            ),
            Parameter::new(
                "vti.newborns_per_fte",
                n(self.newborns_per_fte),
                basis("vti.newborns_per_fte", NORM_QUOTE),
            ),
            Parameter::new(
                "vti.hours_per_fte",
                n(self.hours_per_fte),
                basis("vti.hours_per_fte", NORM_QUOTE),
            ),
            Parameter::new(
                "vti.norm",
                format!(
                    "{} ({})",
                    self.norm.name(),
                    self.norm.formula(self.newborns_per_fte)
                ),
                if self.set_in_scenario.iter().any(|k| k == "vti.norm") {
                    Basis::Scenario("vti.norm".into())
                } else {
                    Basis::cite(id, at, &format!("{NORM_QUOTE} … {LOAD_QUOTE}"))
                },
            ),
        ];
        if self.norm == Norm::Relative {
            out.push(Parameter::new(
                "vti.normal_area",
                "the newborn-weighted mean of (1 + vti) over the input centres",
                Basis::assume(
                    "the staffing norm's normal area (normalområde) has the average care load of the centres in the input table",
                ),
            ));
        }
        out.push(Parameter::new(
            "vti.min_newborns_per_nurse",
            n(self.min_newborns_per_nurse),
            basis(
                "vti.min_newborns_per_nurse",
                "ha ansvar för minst 25 nyfödda per år",
            ),
        ));
        out.push(Parameter::new(
            "vti.min_fte_share",
            n(self.min_fte_share),
            basis(
                "vti.min_fte_share",
                "bör BVC-sjuksköterskan eftersträva att arbeta minst 50 % av heltid",
            ),
        ));
        out
    }
}

/// VTI of one centre.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CentreVti {
    /// BVC identifier.
    pub bvc: String,
    /// Name, when the table has one.
    pub name: Option<String>,
    /// Newborns a year.
    pub newborns: f64,
    /// First-born children.
    pub first_born: f64,
    /// Children indicated for BCG vaccine.
    pub bcg_indicated: f64,
    /// Children whose mothers smoke.
    pub mother_smoking: f64,
    /// First-born share; `None` without newborns.
    pub p_first: Option<f64>,
    /// BCG-indicated share.
    pub p_bcg: Option<f64>,
    /// Share with a smoking mother.
    pub p_smoke: Option<f64>,
    /// `p_first/3 + p_bcg + p_smoke`.
    pub vti: Option<f64>,
    /// `vti × newborns`.
    pub vt_children: f64,
    /// `newborns + vt_children`.
    pub weighted_newborns: f64,
    /// `(1 + vti)` over the newborn-weighted mean of `(1 + vti)`.
    pub relative_vti: Option<f64>,
    /// Full-time nurses by the staffing norm ([`VtiResult::norm`]).
    pub nurse_fte: f64,
    /// Nurse hours a week.
    pub nurse_hours_per_week: f64,
    /// Fewer newborns than a nurse should have (`min_newborns_per_nurse`).
    pub few_newborns: bool,
    /// The norm gives less than `min_fte_share` of a full-time nurse.
    pub below_half_time: bool,
    /// The centre's nurse FTE now, from the table's `nurse_fte` column.
    pub current_nurse_fte: Option<f64>,
    /// `nurse_fte − current_nurse_fte`: positive = fewer nurses than the norm.
    pub gap_fte: Option<f64>,
}

/// VTI for every centre, in table order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VtiResult {
    /// Norms used.
    pub spec: VtiSpec,
    /// The staffing norm used (the same as `spec.norm`).
    pub norm: Norm,
    /// Newborn-weighted mean of `1 + vti` over all centres.
    pub mean_one_plus_vti: f64,
    /// One per row.
    pub centres: Vec<CentreVti>,
    /// The norm used (a note quoting the source), centres without newborns and
    /// flagged centres.
    pub report: Report,
}

/// Computes VTI, weighted newborns and nurse time for every centre of `table`
/// (read with [`TableSpec::bvc_vti`](crate::inputs::table::TableSpec::bvc_vti)).
pub fn compute(table: &Table, spec: &VtiSpec) -> Result<VtiResult> {
    if !(spec.newborns_per_fte > 0.0 && spec.hours_per_fte > 0.0) {
        return Err(Error::Compute(
            "the VTI staffing norm needs positive newborns per FTE and hours per FTE".into(),
        ));
    }
    let [n, f, b, s] =
        ["newborns", "first_born", "bcg_indicated", "mother_smoking"].map(|c| table.require(c));
    let (n, f, b, s) = (n?, f?, b?, s?);
    let current = table.column("nurse_fte");
    let mut report = Report::default();
    report.info(
        "vti_norm",
        table.location(),
        match spec.norm {
            Norm::Relative => format!(
                "nurse time by the relative norm, {} (newborns counted at the centre's care load relative to the average centre; the centres' total is their newborns / {}); norrbotten-bhv-2012, slide 2: “{NORM_QUOTE}”; “{LOAD_QUOTE}”",
                Norm::Relative.formula(spec.newborns_per_fte),
                spec.newborns_per_fte,
            ),
            Norm::CareWeighted => format!(
                "nurse time by the care-weighted norm, {} (scenario [vti] norm = \"care_weighted\": every centre's extra care load is added on top of the norm); norrbotten-bhv-2012, slide 2: “{NORM_QUOTE}”",
                Norm::CareWeighted.formula(spec.newborns_per_fte),
            ),
        },
    );
    let mut centres: Vec<CentreVti> = table
        .rows
        .iter()
        .map(|row| {
            let newborns = row.values[n];
            let counts = [row.values[f], row.values[b], row.values[s]];
            let share = |c: f64| (newborns > 0.0).then(|| c / newborns);
            let (p_first, p_bcg, p_smoke) = (share(counts[0]), share(counts[1]), share(counts[2]));
            let vti = centre_vti(WEIGHTS, newborns, counts);
            let vt_children = vti.unwrap_or(0.0) * newborns;
            let weighted_newborns = newborns + vt_children;
            let location = table
                .row_location(row)
                .with_code(row.key.clone())
                .with_field("newborns");
            if newborns <= 0.0 {
                report.warn(
                    "no_newborns",
                    location.clone(),
                    "the centre has no newborns, so it has no VTI",
                );
            }
            let few_newborns = newborns < spec.min_newborns_per_nurse;
            if few_newborns {
                report.warn(
                    "few_newborns",
                    location,
                    // The count itself is not quoted: it may be below the
                    // privacy threshold, and notices reach every output.
                    format!(
                        "fewer than {} newborns a year: a nurse here would have fewer than that",
                        spec.min_newborns_per_nurse
                    ),
                );
            }
            CentreVti {
                bvc: row.key.clone(),
                name: table.label(row, "name").map(str::to_string),
                newborns,
                first_born: counts[0],
                bcg_indicated: counts[1],
                mother_smoking: counts[2],
                p_first,
                p_bcg,
                p_smoke,
                vti,
                vt_children,
                weighted_newborns,
                relative_vti: None,
                nurse_fte: 0.0,
                nurse_hours_per_week: 0.0,
                few_newborns,
                below_half_time: false,
                current_nurse_fte: current.and_then(|i| row.values.get(i).copied()),
                gap_fte: None,
            }
        })
        .collect();
    let mean = mean_one_plus_vti(centres.iter().map(|c| (c.newborns, c.vti))).ok_or_else(|| {
        Error::Compute(format!(
            "{}: no centre has newborns, so no VTI can be computed",
            table.source
        ))
    })?;
    // The relative VTI, and with it the relative norm, is known only now.
    for (c, row) in centres.iter_mut().zip(&table.rows) {
        c.relative_vti = c.vti.map(|v| relative_vti(v, mean));
        c.nurse_fte = spec
            .norm
            .nurse_fte(c.newborns, c.vti, mean, spec.newborns_per_fte);
        c.nurse_hours_per_week = c.nurse_fte * spec.hours_per_fte;
        c.gap_fte = c.current_nurse_fte.map(|x| c.nurse_fte - x);
        c.below_half_time = c.newborns > 0.0 && c.nurse_fte < spec.min_fte_share;
        if c.below_half_time {
            report.warn(
                "below_half_time",
                table.row_location(row)
                    .with_code(row.key.clone())
                    .with_field("newborns"),
                // No figure: the FTE follows from the newborns.
                format!(
                    "the staffing norm gives the centre less than {} of a full-time nurse: a nurse here would work under {} % of full time",
                    spec.min_fte_share,
                    spec.min_fte_share * 100.0
                ),
            );
        }
    }
    Ok(VtiResult {
        spec: spec.clone(),
        norm: spec.norm,
        mean_one_plus_vti: mean,
        centres,
        report,
    })
}
