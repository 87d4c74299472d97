//! Scores: the Care Need Index per area ([`cni`]), the Vårdtyngdsindex per BVC
//! ([`vti`]), and every area joined to its polygon with its score ([`areas`]).
//!
//! The formulas live here, once each, as small kernels ([`cni::weighted_count`],
//! [`cni::reference_ratio`], [`cni::area_cni`], [`cni::weighted_mean`],
//! [`vti::centre_vti`], [`vti::mean_one_plus_vti`]): the pipeline, every command and
//! every Monte Carlo draw of a plan call them.

pub mod areas;
pub mod cni;
pub mod vti;
