//! Every area as the later stages see it: a table row joined to its polygon,
//! with its CNI, name and municipality ([`summarise`]).
//!
//! Areas come in table order, then the polygons without a table row (in the
//! boundary file's order), so an area's index is stable across a run.
//!
//! ```
//! use careneed::inputs::table::{parse_table, TableSpec};
//! use careneed::scores::{areas, cni};
//! let csv = b"code,population,under5,foreign_born,elderly_alone,single_parents,movers,unemployed,low_education
//! 2180C1010,1000,60,100,40,20,80,30,70
//! 2180A0010,500,20,10,30,5,20,10,40
//! ";
//! let (table, _) = parse_table("areas.csv", csv, &TableSpec::areas()).unwrap();
//! let result = cni::compute(&table, &cni::CniSpec::default()).unwrap();
//! let summary = areas::summarise(&table, &result, None, None, &Default::default());
//! assert_eq!(summary.len(), 2);
//! assert_eq!(summary[0].municipality_code, "2180");
//! assert_eq!(summary[1].cni, result.areas[1].cni);
//! // Highest CNI first.
//! let order = areas::rank(&summary);
//! assert!(summary[order[0]].cni >= summary[order[1]].cni);
//! ```

use crate::inputs::boundaries::Boundaries;
use crate::inputs::join::Join;
use crate::inputs::table::Table;
use crate::scores::cni::CniResult;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One area: the table row joined to its polygon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaSummary {
    /// Area code.
    pub code: String,
    /// Name from the table or the boundaries, when either has one.
    pub name: Option<String>,
    /// Municipality code (the code's first four characters for DeSO codes).
    pub municipality_code: String,
    /// Municipality name, when known.
    pub municipality: Option<String>,
    /// Residents (`None` for a polygon without a table row).
    pub population: Option<f64>,
    /// SCB weighted count.
    pub index: Option<f64>,
    /// SCB CNI.
    pub cni: Option<f64>,
    /// The research variant's shifted score, `100 + Σ wᵢ·zᵢ`, when computed
    /// (an interval scale; see [`crate::scores::cni`]).
    pub research_shifted: Option<f64>,
    /// Row in the area table, if the area has one.
    pub row: Option<usize>,
    /// Index in the boundaries' areas, if the area has a polygon.
    pub polygon: Option<usize>,
}

fn string_property(b: &Boundaries, polygon: usize, key: &str) -> Option<String> {
    b.areas
        .get(polygon)?
        .properties
        .get(key)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

/// Every area of a run: one per table row (with its CNI from `cni`, computed
/// on `table`), then one per polygon without a row. Names come from the table's
/// `name` column, else the polygon's `name` property; municipality names from
/// `municipalities` (code → name), else the polygon's `kommunnamn` property.
pub fn summarise(
    table: &Table,
    cni: &CniResult,
    boundaries: Option<&Boundaries>,
    join: Option<&Join>,
    municipalities: &BTreeMap<String, String>,
) -> Vec<AreaSummary> {
    let polygon_of: BTreeMap<usize, usize> = join
        .map(|j| j.pairs.iter().copied().collect())
        .unwrap_or_default();
    let mut areas: Vec<AreaSummary> = table
        .rows
        .iter()
        .zip(&cni.areas)
        .enumerate()
        .map(|(i, (row, c))| {
            let polygon = polygon_of.get(&i).copied();
            let from_polygon = |key: &str| {
                boundaries
                    .zip(polygon)
                    .and_then(|(b, p)| string_property(b, p, key))
            };
            AreaSummary {
                code: row.key.clone(),
                name: table
                    .label(row, "name")
                    .map(str::to_string)
                    .or_else(|| from_polygon("name")),
                municipality_code: row.key.chars().take(4).collect(),
                municipality: None,
                population: Some(c.population),
                // NaN when the CNI was delivered computed: no index is known.
                index: c.index.is_finite().then_some(c.index),
                cni: c.cni,
                research_shifted: c.research.as_ref().map(|r| r.shifted),
                row: Some(i),
                polygon,
            }
        })
        .collect();
    if let (Some(b), Some(j)) = (boundaries, join) {
        for &p in &j.boundaries_only {
            let Some(area) = b.areas.get(p) else { continue };
            areas.push(AreaSummary {
                municipality_code: area.code.chars().take(4).collect(),
                code: area.code.clone(),
                name: string_property(b, p, "name"),
                municipality: None,
                population: None,
                index: None,
                cni: None,
                research_shifted: None,
                row: None,
                polygon: Some(p),
            });
        }
    }
    for a in &mut areas {
        a.municipality = municipalities
            .get(&a.municipality_code)
            .cloned()
            .or_else(|| {
                boundaries
                    .zip(a.polygon)
                    .and_then(|(b, p)| string_property(b, p, "kommunnamn"))
            });
    }
    areas
}

/// Orders areas by CNI, highest first. Ties go to the lower code (byte order),
/// so a ranking is the same on every run; areas without a CNI come last, by code.
pub fn rank(areas: &[AreaSummary]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..areas.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&areas[a], &areas[b]);
        match (x.cni, y.cni) {
            (Some(p), Some(q)) => q.total_cmp(&p).then_with(|| x.code.cmp(&y.code)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => x.code.cmp(&y.code),
        }
    });
    order
}

/// Population and CNI per polygon (parallel to the boundaries' areas; `None`
/// for a polygon without a table row).
pub fn per_polygon(areas: &[AreaSummary], polygons: usize) -> (Vec<Option<f64>>, Vec<Option<f64>>) {
    let mut population = vec![None; polygons];
    let mut cni = vec![None; polygons];
    for a in areas {
        if let Some(p) = a.polygon.filter(|&p| p < polygons) {
            population[p] = a.population;
            cni[p] = a.cni;
        }
    }
    (population, cni)
}
