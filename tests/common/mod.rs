//! Helpers shared by the integration tests.

pub mod geojson;
pub mod geometry;
pub mod gpkg;
