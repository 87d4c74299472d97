//! The join: table rows matched to boundary features by code.
//!
//! # Rules
//! * Codes match exactly (both sides are trimmed when read; case matters, as in
//!   SCB's codes).
//! * Nothing is dropped silently: every table row without a polygon gets a `Warning`
//!   notice of kind `table_only` (located at the table's file, line and code), and
//!   every polygon without a row one of kind `boundaries_only` (located at the
//!   boundary file, feature and code).
//! * When codes are left over on both sides and the table and the boundaries are in
//!   different DeSO versions (2018 and 2025, see [`codes`]), one more
//!   `Warning` of kind `deso_version` names each side's version and the fix.
//! * [`Join::pairs`] follow the table's order; [`Join::table_only`] the table's and
//!   [`Join::boundaries_only`] the boundary file's.
//!
//! ```
//! use careneed::inputs::{boundaries, join, table};
//! use careneed::Report;
//! let csv = b"bvc,newborns,first_born,bcg_indicated,mother_smoking\nA,10,4,1,0\nB,8,3,0,1\n";
//! let (table, _) = table::parse_table("bvc.csv", csv, &table::TableSpec::bvc_vti()).unwrap();
//! let geojson = br#"{"type":"FeatureCollection","features":[{"type":"Feature",
//!   "properties":{"code":"A"},
//!   "geometry":{"type":"Polygon","coordinates":[[[17,60],[18,60],[18,61],[17,60]]]}}]}"#;
//! let options = boundaries::BoundaryOptions::default();
//! let (areas, _) = boundaries::parse_boundaries("bvc.geojson", geojson, &options).unwrap();
//! let mut report = Report::default();
//! let joined = join::join(&table, &areas, &mut report);
//! assert_eq!(joined.pairs, [(0, 0)]);
//! assert_eq!(joined.table_only, [1]);
//! assert_eq!(report.of_kind("table_only").count(), 1);
//! ```

use crate::error::Location;
use crate::inputs::boundaries::Boundaries;
use crate::inputs::codes;
use crate::inputs::table::Table;
use crate::report::Report;
use serde::{Deserialize, Serialize};

/// The result of matching a table to boundaries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Join {
    /// (row index in the table, area index in the boundaries), in table order.
    pub pairs: Vec<(usize, usize)>,
    /// Indices of table rows without a polygon, in table order.
    pub table_only: Vec<usize>,
    /// Indices of areas without a table row, in boundary file order.
    pub boundaries_only: Vec<usize>,
}

/// Matches table rows to boundary areas by exact code, adding a `Warning` notice for
/// each row or area left without a partner (see the module docs).
pub fn join(table: &Table, boundaries: &Boundaries, report: &mut Report) -> Join {
    let mut result = Join::default();
    let mut matched = vec![false; boundaries.areas.len()];
    for (r, row) in table.rows.iter().enumerate() {
        match boundaries.position(&row.key) {
            Some(a) => {
                matched[a] = true;
                result.pairs.push((r, a));
            }
            None => {
                result.table_only.push(r);
                report.warn(
                    "table_only",
                    table.row_location(row).with_code(&row.key),
                    format!(
                        "code {} has no polygon in {}; it is left out of maps",
                        row.key, boundaries.source
                    ),
                );
            }
        }
    }
    for (a, area) in boundaries.areas.iter().enumerate() {
        if !matched[a] {
            result.boundaries_only.push(a);
            report.warn(
                "boundaries_only",
                Location::file(&boundaries.source)
                    .at_feature(area.feature)
                    .with_code(&area.code),
                format!(
                    "code {} has no row in {}; the area has no data",
                    area.code, table.source
                ),
            );
        }
    }
    if !result.table_only.is_empty() || !result.boundaries_only.is_empty() {
        let t = codes::versions(table.rows.iter().map(|r| r.key.as_str()));
        let b = codes::versions(boundaries.areas.iter().map(|a| a.code.as_str()));
        if let Some(message) = codes::mismatch(&table.source, &t, &boundaries.source, &b) {
            report.warn("deso_version", table.location(), message);
        }
    }
    result
}
