//! Boundaries and tables built in memory: rectangles, grids of rectangles, tables
//! of named count columns.
#![allow(dead_code)]

use careneed::inputs::boundaries::{Area, Boundaries, CrsSource};
use careneed::inputs::crs::Crs;
use careneed::inputs::table::{ColumnSpec, Table, TableSpec, parse_table};
use geo::{LineString, MultiPolygon, Polygon};

/// The rectangle [x0, x1] × [y0, y1] as an area (feature 0).
pub fn rect(code: &str, x0: f64, x1: f64, y0: f64, y1: f64) -> Area {
    Area {
        feature: 0,
        code: code.to_string(),
        properties: serde_json::Map::new(),
        geometry: MultiPolygon(vec![Polygon::new(
            LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
            vec![],
        )]),
    }
}

/// Boundaries in SWEREF99 TM from areas (features numbered in order).
pub fn boundaries(name: &str, mut areas: Vec<Area>) -> Boundaries {
    for (i, a) in areas.iter_mut().enumerate() {
        a.feature = i;
    }
    Boundaries::new(name.into(), Crs::Sweref99Tm, CrsSource::Given, areas)
}

/// The grid of rectangles between consecutive `xs` and consecutive `ys` (both
/// ascending), row by row, coded `{prefix}{row}-{column}`.
pub fn grid(name: &str, prefix: &str, xs: &[f64], ys: &[f64]) -> Boundaries {
    let mut areas = Vec::new();
    for (r, y) in ys.windows(2).enumerate() {
        for (c, x) in xs.windows(2).enumerate() {
            areas.push(rect(&format!("{prefix}{r}-{c}"), x[0], x[1], y[0], y[1]));
        }
    }
    boundaries(name, areas)
}

/// A table keyed by `code` with these count columns (no bounds), from rows of
/// (code, values).
pub fn table(name: &str, columns: &[&str], rows: &[(String, Vec<f64>)]) -> Table {
    let spec = TableSpec {
        key: "code".into(),
        key_header: "code".into(),
        labels: vec![],
        columns: columns
            .iter()
            .map(|c| ColumnSpec {
                name: c.to_string(),
                header: c.to_string(),
                required: true,
                at_most: vec![],
            })
            .collect(),
    };
    let mut csv = format!("code,{}\n", columns.join(","));
    for (code, values) in rows {
        let values: Vec<String> = values.iter().map(|v| format!("{v}")).collect();
        csv.push_str(&format!("{code},{}\n", values.join(",")));
    }
    parse_table(name, csv.as_bytes(), &spec).unwrap().0
}
