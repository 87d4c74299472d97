//! Scores: the Care Need Index per area ([`cni`]) and the Vårdtyngdsindex per BVC ([`vti`]).

pub mod cni;
pub mod vti;
