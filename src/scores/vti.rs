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

/// The published weights of the three shares: `p_first / 3 + p_bcg + p_smoke`.
pub const WEIGHTS: [f64; 3] = [1.0 / 3.0, 1.0, 1.0];

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
            let counts = [row.values[f], row.values[b], row.values[s]];
            let share = |c: f64| (newborns > 0.0).then(|| c / newborns);
            let (p_first, p_bcg, p_smoke) = (share(counts[0]), share(counts[1]), share(counts[2]));
            let vti = centre_vti(WEIGHTS, newborns, counts);
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
                nurse_fte,
                nurse_hours_per_week: nurse_fte * spec.hours_per_fte,
                few_newborns,
            }
        })
        .collect();
    let mean = mean_one_plus_vti(centres.iter().map(|c| (c.newborns, c.vti))).ok_or_else(|| {
        Error::Compute(format!(
            "{}: no centre has newborns, so no VTI can be computed",
            table.source
        ))
    })?;
    for c in &mut centres {
        c.relative_vti = c.vti.map(|v| relative_vti(v, mean));
    }
    Ok(VtiResult {
        spec: spec.clone(),
        mean_one_plus_vti: mean,
        centres,
        report,
    })
}
