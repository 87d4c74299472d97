//! Inputs: area tables, per-BVC tables, boundaries, and the join between them.
//!
//! * [`text`] decodes bytes (UTF-8 with or without BOM, Windows-1252/Latin-1) and
//!   detects the delimiter (`,` or `;`).
//! * [`table`] reads the area table (one row per DeSO) into counts by variable.
//! * [`boundaries`] reads GeoJSON polygons and detects their CRS ([`crs`]).
//! * [`points`] reads located points (x, y columns) and checks them against a CRS.
//! * [`join`] matches table rows to boundary features by code and reports both
//!   kinds of mismatch.

pub mod boundaries;
pub mod crs;
pub mod join;
pub mod point_stream;
pub mod points;
pub mod table;
pub mod text;
