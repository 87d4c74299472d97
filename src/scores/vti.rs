//! Vårdtyngdsindex (VTI): the workload of a child health centre (BVC).
//!
//! Swedish child health care weights each centre's newborns by three shares that
//! predict extra nurse time (Rikshandboken barnhälsovård; the staffing norm of
//! 60 care-weighted newborns per full-time nurse):
//!
//! ```text
//! p_first = first_born / newborns        (first-born children)
//! p_bcg   = bcg_indicated / newborns     (children indicated for BCG vaccine)
//! p_smoke = mother_smoking / newborns    (children whose mothers smoke)
//! vti               = p_first / 3 + p_bcg + p_smoke
//! vt_children       = vti × newborns               (extra notional children)
//! weighted_newborns = newborns + vt_children
//! relative_vti      = (1 + vti) / mean(1 + vti)    (newborn-weighted mean; 1.0 = average)
//! nurse_fte         = weighted_newborns / 60
//! nurse_hours/week  = nurse_fte × 40               (60 weighted newborns ≈ 40 h/week)
//! ```
//!
//! A centre is flagged (`few_newborns`) when a nurse there would have fewer than
//! 25 newborns a year: the centre's whole intake is below 25, so even a single
//! nurse cannot keep up the routine that competence needs.
//!
//! ```
//! use careneed::inputs::table::{parse_table, TableSpec};
//! use careneed::scores::vti::{compute, VtiSpec};
//! let csv = b"bvc,newborns,first_born,bcg_indicated,mother_smoking
//! A,120,48,12,6
//! B,20,10,0,2
//! ";
//! let (table, _) = parse_table("bvc.csv", csv, &TableSpec::bvc_vti()).unwrap();
//! let result = compute(&table, &VtiSpec::default()).unwrap();
//! let a = &result.centres[0];
//! // 48/120/3 + 12/120 + 6/120 = 0.1333 + 0.1 + 0.05
//! assert!((a.vti.unwrap() - 0.283333).abs() < 1e-6);
//! assert!((a.weighted_newborns - 154.0).abs() < 1e-9);
//! assert!(!a.few_newborns && result.centres[1].few_newborns);
//! ```

use crate::error::{Error, Location, Result};
use crate::inputs::table::Table;
use crate::report::Report;
use serde::{Deserialize, Serialize};

/// The norms behind the VTI figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VtiSpec {
    /// Care-weighted newborns one full-time nurse can take (60).
    pub newborns_per_fte: f64,
    /// Hours a week of one full-time nurse (40).
    pub hours_per_fte: f64,
    /// Fewer newborns a year than this flags a centre (25).
    pub min_newborns_per_nurse: f64,
}

impl Default for VtiSpec {
    fn default() -> Self {
        VtiSpec {
            newborns_per_fte: 60.0,
            hours_per_fte: 40.0,
            min_newborns_per_nurse: 25.0,
        }
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
    /// Full-time nurses by the staffing norm.
    pub nurse_fte: f64,
    /// Nurse hours a week.
    pub nurse_hours_per_week: f64,
    /// Fewer newborns than a nurse needs.
    pub few_newborns: bool,
}

/// VTI for every centre, in table order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VtiResult {
    /// Norms used.
    pub spec: VtiSpec,
    /// Newborn-weighted mean of `1 + vti` over all centres.
    pub mean_one_plus_vti: f64,
    /// One per row.
    pub centres: Vec<CentreVti>,
    /// Centres without newborns and flagged centres.
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
    let mut report = Report::default();
    let mut centres: Vec<CentreVti> = table
        .rows
        .iter()
        .map(|row| {
            let newborns = row.values[n];
            let share = |c: usize| (newborns > 0.0).then(|| row.values[c] / newborns);
            let (p_first, p_bcg, p_smoke) = (share(f), share(b), share(s));
            let vti = match (p_first, p_bcg, p_smoke) {
                (Some(a), Some(b), Some(c)) => Some(a / 3.0 + b + c),
                _ => None,
            };
            let vt_children = vti.unwrap_or(0.0) * newborns;
            let weighted_newborns = newborns + vt_children;
            let nurse_fte = weighted_newborns / spec.newborns_per_fte;
            let location = Location::file(table.source.clone())
                .at_line(row.line)
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
                    format!(
                        "{newborns} newborns a year: a nurse here would have fewer than {}",
                        spec.min_newborns_per_nurse
                    ),
                );
            }
            CentreVti {
                bvc: row.key.clone(),
                name: table.label(row, "name").map(str::to_string),
                newborns,
                p_first,
                p_bcg,
                p_smoke,
                vti,
                vt_children,
                weighted_newborns,
                relative_vti: None,
                nurse_fte,
                nurse_hours_per_week: nurse_fte * spec.hours_per_fte,
                few_newborns,
            }
        })
        .collect();
    let total_newborns: f64 = centres.iter().map(|c| c.newborns).sum();
    let total_weighted: f64 = centres.iter().map(|c| c.weighted_newborns).sum();
    let mean = if total_newborns > 0.0 {
        total_weighted / total_newborns
    } else {
        return Err(Error::Compute(format!(
            "{}: no centre has newborns, so no VTI can be computed",
            table.source
        )));
    };
    for c in &mut centres {
        c.relative_vti = c.vti.map(|v| (1.0 + v) / mean);
    }
    Ok(VtiResult {
        spec: spec.clone(),
        mean_one_plus_vti: mean,
        centres,
        report,
    })
}
