//! Helpers shared by the integration tests.

pub mod geometry;
pub mod gpkg;
