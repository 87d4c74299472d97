//! The need model a plan evaluates: from counts and weights to each catchment's
//! CNI, relative VTI, eligible families, need reached and cost. The plan's own
//! figures are one evaluation with the inputs as read ([`Model::baseline`]); every
//! Monte Carlo draw ([`robust`](super::robust)) is another with perturbed inputs,
//! so both use exactly the same formulas:
//!
//! The formulas are the kernels of [`scores`](crate::scores), called here and
//! nowhere else in the plan:
//!
//! ```text
//! area index  = Σᵢ wᵢ·nᵢ;  area CNI = index / population / R     cni::{weighted_count, area_cni}
//!               (R given, or Σ index / Σ population over areas   cni::reference_ratio
//!               with residents)
//! catchment CNI = Σ share·pop·CNI / Σ share·pop                  cni::weighted_mean
//!               | the CNI delivered for its care unit, as given  (Model::given_unit_cni)
//! vti_b       = (w₁·first + w₂·bcg + w₃·smoking) / newborns     vti::centre_vti (w = 1/3, 1, 1)
//! relative    = (1 + vti_b) / (newborn-weighted mean of 1 + vti  vti::{mean_one_plus_vti, relative_vti}
//!               over all centres)
//! eligible    = Σ share × eligible families of the area
//! need        = Σ share × eligible × area CNI   (need weight `cni`)
//!               (with a CNI per care unit: eligible × the unit's CNI)
//!             | eligible × relative VTI         (`relative_vti`)
//!             | eligible                        (`none`)
//! cost        = eligible × FTE (or SEK) per eligible family
//! ```
//!
//! ```
//! use careneed::plan::model::Model;
//! use careneed::plan::programme::Eligibility;
//! use careneed::plan::rank::{NeedWeight, RankBy};
//! use careneed::scores::cni::Reference;
//! // Two areas, one variable (weight 2), R computed: index 20 and 60, pop 100 and 100,
//! // R = 80/200 = 0.4, CNI 0.5 and 1.5. One catchment holds all of A and half of B.
//! let m = Model {
//!     area_codes: vec!["A".into(), "B".into()],
//!     population: vec![100.0, 100.0],
//!     weights: vec![2.0],
//!     counts: vec![vec![10.0], vec![30.0]],
//!     reference: Reference::FromInput,
//!     given_cni: None,
//!     given_unit_cni: None,
//!     eligibility: Eligibility::estimated(&[50.0, 100.0], 0.4),
//!     bvc: vec!["X".into()],
//!     members: vec![vec![(0, 1.0), (1, 0.5)]],
//!     vti_centres: vec![],
//!     vti_of: vec![None],
//!     need_weight: NeedWeight::Cni,
//!     rank_by: RankBy::NeedReached,
//!     cost_per_family: 0.01,
//! };
//! let f = m.evaluate(&m.baseline());
//! // CNI (100·0.5 + 50·1.5) / 150 = 0.8333; eligible 50/5·0.4 + 0.5·100/5·0.4 = 4 + 4 = 8
//! assert!((f.cni[0].unwrap() - 0.833333).abs() < 1e-6);
//! assert!((f.eligible[0] - 8.0).abs() < 1e-12);
//! // need 4·0.5 + 4·1.5 = 8; cost 0.08 FTE
//! assert!((f.need[0] - 8.0).abs() < 1e-12 && (f.cost[0] - 0.08).abs() < 1e-12);
//! ```

use super::programme::Eligibility;
use super::rank::{NeedWeight, RankBy};
use crate::scores::cni::{self, Reference};
use crate::scores::vti;
use serde::{Deserialize, Serialize};

/// Everything a plan's figures depend on (see the module docs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// Area codes, in area-table order.
    pub area_codes: Vec<String>,
    /// Residents per area.
    pub population: Vec<f64>,
    /// CNI weight per variable.
    pub weights: Vec<f64>,
    /// Counts per area and variable (`counts[area][variable]`).
    pub counts: Vec<Vec<f64>>,
    /// The reference ratio R: given, or computed from each draw's areas.
    pub reference: Reference,
    /// A CNI delivered computed per area, used as given in every draw (the
    /// weights and counts are then empty); `None` when computed from counts.
    #[serde(default)]
    pub given_cni: Option<Vec<Option<f64>>>,
    /// A CNI delivered per care unit, per catchment (parallel to `bvc`), used as
    /// the catchment's CNI and need weight in every draw; `None` when catchment
    /// CNI is the areas' population-weighted mean.
    #[serde(default)]
    pub given_unit_cni: Option<Vec<Option<f64>>>,
    /// Eligible families per area and how they were found.
    pub eligibility: Eligibility,
    /// BVC id of each catchment.
    pub bvc: Vec<String>,
    /// Per catchment, `(area row, share)`.
    pub members: Vec<Vec<(usize, f64)>>,
    /// Every centre of the VTI table: `[newborns, first_born, bcg_indicated, mother_smoking]`.
    pub vti_centres: Vec<[f64; 4]>,
    /// Per catchment, its centre in `vti_centres`.
    pub vti_of: Vec<Option<usize>>,
    /// The need weight.
    pub need_weight: NeedWeight,
    /// The ranking measure.
    pub rank_by: RankBy,
    /// Cost (budget unit: FTE or SEK) per eligible family.
    pub cost_per_family: f64,
}

/// The inputs of one evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draw {
    /// CNI weights.
    pub weights: Vec<f64>,
    /// VTI weights.
    pub vti_weights: [f64; 3],
    /// CNI counts per area and variable.
    pub counts: Vec<Vec<f64>>,
    /// Births per area (estimated births for estimated areas).
    pub births: Vec<f64>,
    /// First births per area.
    pub first_births: Vec<f64>,
    /// First-in-Sweden births per area.
    pub first_in_sweden: Vec<f64>,
    /// VTI counts per centre.
    pub vti_centres: Vec<[f64; 4]>,
}

/// The figures of one evaluation; catchment vectors parallel to [`Model::bvc`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// CNI per area.
    pub area_cni: Vec<Option<f64>>,
    /// Eligible families per area.
    pub area_eligible: Vec<f64>,
    /// The CNI that weights each area's eligible families in the need: its own
    /// CNI, or with a CNI per care unit the share-weighted CNI of the units whose
    /// catchments hold it; 1 when unknown. Summed over areas, `eligible × this`
    /// is the catchments' total need.
    pub area_need_cni: Vec<f64>,
    /// Catchment CNI.
    pub cni: Vec<Option<f64>>,
    /// Catchment relative VTI.
    pub relative_vti: Vec<Option<f64>>,
    /// Eligible families per catchment.
    pub eligible: Vec<f64>,
    /// Need reached per catchment.
    pub need: Vec<f64>,
    /// The ranking measure per catchment.
    pub measure: Vec<Option<f64>>,
    /// Cost per catchment in the budget's unit.
    pub cost: Vec<f64>,
}

impl Model {
    /// The inputs as read.
    pub fn baseline(&self) -> Draw {
        Draw {
            weights: self.weights.clone(),
            vti_weights: vti::WEIGHTS,
            counts: self.counts.clone(),
            births: self.eligibility.births.clone(),
            first_births: self.eligibility.first_births.clone(),
            first_in_sweden: self.eligibility.first_in_sweden.clone(),
            vti_centres: self.vti_centres.clone(),
        }
    }

    /// Evaluates the model on `d` (see the module docs).
    pub fn evaluate(&self, d: &Draw) -> Figures {
        let index: Vec<f64> = d
            .counts
            .iter()
            .map(|c| cni::weighted_count(&d.weights, c.iter().copied()))
            .collect();
        let r = match self.reference {
            Reference::Given(r) => r,
            Reference::FromInput => {
                cni::reference_ratio(&index, &self.population).map_or(0.0, |(r, _)| r)
            }
        };
        let area_cni: Vec<Option<f64>> = match &self.given_cni {
            Some(given) => given.clone(),
            None => index
                .iter()
                .zip(&self.population)
                .map(|(&i, &p)| cni::area_cni(i, p, r))
                .collect(),
        };
        let area_eligible: Vec<f64> = (0..self.area_codes.len())
            .map(|a| {
                self.eligibility.value(
                    a,
                    d.births.get(a).copied().unwrap_or(0.0),
                    d.first_births.get(a).copied().unwrap_or(0.0),
                    d.first_in_sweden.get(a).copied().unwrap_or(0.0),
                )
            })
            .collect();
        // Relative VTI of every centre.
        let vti: Vec<Option<f64>> = d
            .vti_centres
            .iter()
            .map(|&[n, f, b, s]| vti::centre_vti(d.vti_weights, n, [f, b, s]))
            .collect();
        let mean =
            vti::mean_one_plus_vti(d.vti_centres.iter().map(|c| c[0]).zip(vti.iter().copied()))
                .unwrap_or(0.0);
        let n = self.bvc.len();
        let unit = |c: usize| {
            self.given_unit_cni
                .as_ref()
                .and_then(|u| u.get(c).copied().flatten())
        };
        let area_need_cni = match &self.given_unit_cni {
            None => area_cni.iter().map(|c| c.unwrap_or(1.0)).collect(),
            Some(_) => {
                let mut sum = vec![(0.0, 0.0); self.area_codes.len()];
                for (c, members) in self.members.iter().enumerate() {
                    for &(a, share) in members {
                        if let Some(x) = sum.get_mut(a) {
                            x.0 += share * unit(c).unwrap_or(1.0);
                            x.1 += share;
                        }
                    }
                }
                sum.iter()
                    .map(|&(w, s)| if s > 0.0 { w / s } else { 1.0 })
                    .collect()
            }
        };
        let mut f = Figures {
            area_need_cni,
            area_cni,
            area_eligible,
            cni: Vec::with_capacity(n),
            relative_vti: Vec::with_capacity(n),
            eligible: Vec::with_capacity(n),
            need: Vec::with_capacity(n),
            measure: Vec::with_capacity(n),
            cost: Vec::with_capacity(n),
        };
        for c in 0..n {
            let members = self.members.get(c).map(Vec::as_slice).unwrap_or(&[]);
            let (mut eligible, mut need_cni) = (0.0, 0.0);
            for &(a, share) in members {
                let e = share * f.area_eligible.get(a).copied().unwrap_or(0.0);
                eligible += e;
                need_cni += e * self.need_cni(&f.area_cni, c, a);
            }
            let cni = match &self.given_unit_cni {
                Some(_) => unit(c),
                None => cni::weighted_mean(members.iter().filter_map(|&(a, share)| {
                    let cni = f.area_cni.get(a).copied().flatten()?;
                    Some((share * self.population[a], cni))
                })),
            };
            let relative_vti = self
                .vti_of
                .get(c)
                .copied()
                .flatten()
                .and_then(|j| vti.get(j).copied().flatten())
                .filter(|_| mean > 0.0)
                .map(|v| vti::relative_vti(v, mean));
            let need = match self.need_weight {
                NeedWeight::Cni => need_cni,
                NeedWeight::RelativeVti => eligible * relative_vti.unwrap_or(1.0),
                NeedWeight::None => eligible,
            };
            f.measure.push(match self.rank_by {
                RankBy::Cni => cni,
                RankBy::Vti => relative_vti,
                RankBy::NeedReached => Some(need),
            });
            f.cni.push(cni);
            f.relative_vti.push(relative_vti);
            f.eligible.push(eligible);
            f.need.push(need);
            f.cost.push(eligible * self.cost_per_family);
        }
        f
    }
}

impl Model {
    /// The CNI weighting area `a`'s eligible families in catchment `c`: the
    /// care unit's delivered CNI when given, else the area's; 1 when unknown.
    fn need_cni(&self, area_cni: &[Option<f64>], c: usize, a: usize) -> f64 {
        match &self.given_unit_cni {
            Some(u) => u.get(c).copied().flatten(),
            None => area_cni.get(a).copied().flatten(),
        }
        .unwrap_or(1.0)
    }

    /// Per catchment, the need reached and the cost of each of its member
    /// areas, in member order (with areas as units, nearest the BVC first), by
    /// the formulas of the module docs: `share × eligible` weighted by the
    /// area's CNI, the catchment's relative VTI or nothing, and × cost per
    /// family. Over all its areas they add up to the catchment's need and cost.
    pub fn area_units(&self, f: &Figures) -> Vec<(Vec<f64>, Vec<f64>)> {
        self.members
            .iter()
            .enumerate()
            .map(|(c, members)| {
                members
                    .iter()
                    .map(|&(a, share)| {
                        let e = share * f.area_eligible.get(a).copied().unwrap_or(0.0);
                        let need = match self.need_weight {
                            NeedWeight::Cni => e * self.need_cni(&f.area_cni, c, a),
                            NeedWeight::RelativeVti => {
                                e * f.relative_vti.get(c).copied().flatten().unwrap_or(1.0)
                            }
                            NeedWeight::None => e,
                        };
                        (need, e * self.cost_per_family)
                    })
                    .unzip()
            })
            .collect()
    }
}
