//! Inputs: area tables, per-BVC tables, boundaries, and the join between them.
//!
//! * [`text`] decodes bytes (UTF-8 with or without BOM, Windows-1252/Latin-1) and
//!   detects the delimiter (`,` or `;`).
//! * [`table`] reads the area table (one row per DeSO) into counts by variable,
//!   from CSV or, with the feature `excel` (on by default), a sheet of an `.xlsx`,
//!   `.xls` or `.ods` workbook (`workbook`).
//! * [`boundaries`] reads GeoJSON polygons and detects their CRS ([`crs`]);
//!   [`gpkg`] reads GeoPackage layers (feature `gpkg`, on by default);
//!   `reproject` brings any EPSG code to SWEREF99 TM through PROJ (feature `proj`).
//! * [`points`] reads located points (x, y columns) and checks them against a CRS.
//! * [`validate`] checks polygon validity (repairing on request) and finds
//!   overlapping areas.
//! * [`codes`] knows DeSO and RegSO codes, both DeSO versions (2018, 2025) and
//!   SCB's keys between DeSO and RegSO, shipped as data.
//! * [`join`] matches table rows to boundary features by code and reports both
//!   kinds of mismatch.
//! * [`statdb`] reads Statistikdatabasen's tables (JSON-stat 2.0, PX, SCB's CSV
//!   export) and builds the area table from them by a mapping file.

pub mod area;
pub mod boundaries;
pub mod codes;
pub mod crs;
#[cfg(feature = "gpkg")]
pub mod gpkg;
pub mod join;
pub mod point_stream;
pub mod points;
#[cfg(feature = "proj")]
pub mod reproject;
mod settle;
pub mod statdb;
pub mod table;
pub mod text;
pub mod validate;
#[cfg(feature = "excel")]
pub mod workbook;

/// The path that names standard input (and, for a single-file output, standard output).
pub const STDIN: &str = "-";

/// An input's bytes and the name messages use for it: the file's contents, or
/// standard input's when the path is `-` (named `stdin`).
///
/// ```
/// let (bytes, name) = careneed::inputs::read_input(std::path::Path::new("Cargo.toml")).unwrap();
/// assert!(!bytes.is_empty() && name == "Cargo.toml");
/// ```
pub fn read_input(path: &std::path::Path) -> crate::Result<(Vec<u8>, String)> {
    use std::io::Read;
    if path.as_os_str() == STDIN {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|e| crate::Error::io(path, e))?;
        return Ok((bytes, "stdin".to_string()));
    }
    let bytes = std::fs::read(path).map_err(|e| crate::Error::io(path, e))?;
    Ok((bytes, path.display().to_string()))
}
