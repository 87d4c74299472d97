//! One complete run: read a scenario's inputs, join them, compute CNI and VTI,
//! and rank the areas. [`outputs`](crate::outputs) writes the result.
//!
//! ```
//! use careneed::{pipeline, scenario::Scenario};
//! let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo");
//! let run = pipeline::run(&Scenario::read(&dir.join("scenario.toml")).unwrap()).unwrap();
//! assert_eq!(run.areas.len(), 172);
//! let top = &run.areas[run.ranking[0]];
//! assert_eq!(top.rank, Some(1));
//! assert!(top.cni.unwrap() > 1.5);
//! ```

use crate::error::{Error, Location, Result};
use crate::inputs::boundaries::{Boundaries, BoundaryOptions, read_boundaries};
use crate::inputs::join::{Join, join};
use crate::inputs::table::{Table, TableSpec, read_table};
use crate::inputs::validate::check_overlaps;
use crate::plan::Plan;
use crate::report::Report;
use crate::scenario::Scenario;
use crate::scores::cni::{self, CniResult};
use crate::scores::vti::{self, VtiResult};
use crate::spatial::catchments::{self as catch, CatchmentSummary, Catchments};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One area as the outputs show it: the table row joined to its polygon.
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
    /// Research-variant CNI, when computed.
    pub cni_research: Option<f64>,
    /// 1 = highest CNI; `None` without a CNI.
    pub rank: Option<usize>,
    /// Row in [`Run::table`], if the area has one.
    pub row: Option<usize>,
    /// Index in [`Run::boundaries`]' areas, if the area has a polygon.
    pub polygon: Option<usize>,
}

/// Everything a run read, computed and decided.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Run {
    /// The scenario run.
    pub scenario: Scenario,
    /// The area table.
    pub table: Table,
    /// The boundaries, as read (in their own CRS).
    pub boundaries: Option<Boundaries>,
    /// Table ⇄ boundaries match.
    pub join: Option<Join>,
    /// CNI per table row.
    pub cni: CniResult,
    /// VTI per centre, when a BVC table was given.
    pub vti: Option<VtiResult>,
    /// Every area: table rows in table order, then polygons without a row.
    pub areas: Vec<AreaSummary>,
    /// Indices into `areas`, best rank first; areas without CNI last (by code).
    pub ranking: Vec<usize>,
    /// BVC catchments (nearest BVC to each area's population-weighted centroid)
    /// with their summaries, when the scenario gives BVC points and boundaries.
    pub catchments: Option<CatchmentRun>,
    /// The rollout plan, when the scenario has a `[plan]` section.
    pub plan: Option<Plan>,
    /// All notices of the run, inputs first.
    pub report: Report,
}

/// Catchments of a run and their per-BVC figures.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CatchmentRun {
    /// The catchments.
    pub catchments: Catchments,
    /// Population, children 0–5, CNI and VTI per catchment, in catchment order.
    pub summaries: Vec<CatchmentSummary>,
    /// Geocoded children located in each polygon of the boundaries (zeros without children).
    pub children_per_area: Vec<u64>,
}

impl Run {
    /// The input files this run read (outputs must never overwrite them).
    pub fn input_paths(&self) -> Vec<PathBuf> {
        let i = &self.scenario.inputs;
        [
            &i.areas,
            &i.boundaries,
            &i.bvc_table,
            &i.municipalities,
            &i.bvc_points,
            &i.children,
            &i.births,
        ]
        .into_iter()
        .flatten()
        .map(|p| self.scenario.resolve(p))
        .collect()
    }
}

fn municipality_names(
    path: &std::path::Path,
    report: &mut Report,
) -> Result<BTreeMap<String, String>> {
    let spec = TableSpec {
        key: "code".into(),
        key_header: "code".into(),
        labels: vec![("name".into(), "name".into())],
        columns: vec![],
    };
    let (table, r) = read_table(path, &spec)?;
    report.extend(r);
    Ok(table
        .rows
        .iter()
        .filter_map(|row| Some((row.key.clone(), table.label(row, "name")?.to_string())))
        .collect())
}

fn string_property(b: &Boundaries, polygon: usize, key: &str) -> Option<String> {
    b.areas[polygon]
        .properties
        .get(key)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

/// Runs a scenario: reads its inputs, computes CNI (and VTI when a BVC table is
/// given) and ranks the areas. Never prints; everything notable is in
/// [`Run::report`].
pub fn run(scenario: &Scenario) -> Result<Run> {
    let mut report = Report::default();
    let areas_path = scenario
        .inputs
        .areas
        .as_ref()
        .ok_or_else(|| Error::Scenario {
            location: Location::file(scenario.source.clone()).with_field("inputs.areas"),
            message: "the scenario names no area table".into(),
        })?;
    let cni_spec = scenario.cni_spec()?;

    let mut spec = TableSpec::areas();
    for x in &scenario.cni.extra {
        spec.add_count(&x.name, x.column.as_deref().unwrap_or(&x.name), true);
    }
    spec.map_headers(&scenario.columns)?;
    let (table, r) = read_table(&scenario.resolve(areas_path), &spec)?;
    report.extend(r);

    let boundaries = match &scenario.inputs.boundaries {
        Some(p) => {
            let options = BoundaryOptions {
                code_field: scenario
                    .inputs
                    .code_field
                    .clone()
                    .unwrap_or_else(|| "code".into()),
                crs: scenario.crs(),
                repair: scenario.inputs.repair,
                crs_epsg: scenario.crs_epsg(),
                layer: scenario.inputs.layer.clone(),
            };
            let (b, r) = read_boundaries(&scenario.resolve(p), &options)?;
            report.extend(r);
            check_overlaps(&b, &mut report);
            Some(b)
        }
        None => None,
    };
    let joined = boundaries.as_ref().map(|b| join(&table, b, &mut report));

    let municipalities = match &scenario.inputs.municipalities {
        Some(p) => municipality_names(&scenario.resolve(p), &mut report)?,
        None => BTreeMap::new(),
    };

    let cni = cni::compute(&table, &cni_spec)?;
    report.info(
        "reference",
        Location::file(table.source.clone()),
        cni.reference.description.clone(),
    );
    report.extend(cni.report.clone());

    let vti = match &scenario.inputs.bvc_table {
        Some(p) => {
            let (t, r) = read_table(&scenario.resolve(p), &TableSpec::bvc_vti())?;
            report.extend(r);
            let v = vti::compute(&t, &scenario.vti_spec())?;
            report.extend(v.report.clone());
            Some(v)
        }
        None => None,
    };

    // One summary per table row, then per polygon without a row.
    let polygon_of: BTreeMap<usize, usize> = joined
        .as_ref()
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
                    .as_ref()
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
                index: Some(c.index),
                cni: c.cni,
                cni_research: c.research.as_ref().map(|r| r.cni),
                rank: None,
                row: Some(i),
                polygon,
            }
        })
        .collect();
    if let (Some(b), Some(j)) = (&boundaries, &joined) {
        for &p in &j.boundaries_only {
            let code = b.areas[p].code.clone();
            areas.push(AreaSummary {
                municipality_code: code.chars().take(4).collect(),
                code,
                name: string_property(b, p, "name"),
                municipality: None,
                population: None,
                index: None,
                cni: None,
                cni_research: None,
                rank: None,
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
                    .as_ref()
                    .zip(a.polygon)
                    .and_then(|(b, p)| string_property(b, p, "kommunnamn"))
            });
    }

    let ranking = rank(&areas);
    for (r, &i) in ranking.iter().enumerate() {
        if areas[i].cni.is_some() {
            areas[i].rank = Some(r + 1);
        }
    }

    let catchments = match (&boundaries, &scenario.inputs.bvc_points) {
        (Some(b), Some(points)) => Some(catchments_for(
            scenario,
            b,
            points,
            &areas,
            &cni_polygon_values(&areas, b),
            vti.as_ref(),
            &mut report,
        )?),
        _ => None,
    };

    let mut run = Run {
        catchments,
        scenario: scenario.clone(),
        table,
        boundaries,
        join: joined,
        cni,
        vti,
        areas,
        ranking,
        plan: None,
        report,
    };
    if let Some(spec) = scenario.plan_spec()? {
        let births = match &scenario.inputs.births {
            Some(p) => {
                let (t, r) = read_table(&scenario.resolve(p), &TableSpec::births())?;
                run.report.extend(r);
                Some(t)
            }
            None => None,
        };
        let plan = crate::plan::plan(&run, births.as_ref(), &spec)?;
        run.report.extend(plan.report.clone());
        run.plan = Some(plan);
    }
    Ok(run)
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

/// Population and CNI per polygon (index into the boundaries' areas).
fn cni_polygon_values(
    areas: &[AreaSummary],
    b: &Boundaries,
) -> (Vec<Option<f64>>, Vec<Option<f64>>) {
    let mut population = vec![None; b.areas.len()];
    let mut cni = vec![None; b.areas.len()];
    for a in areas {
        if let Some(p) = a.polygon {
            population[p] = a.population;
            cni[p] = a.cni;
        }
    }
    (population, cni)
}

fn catchments_for(
    scenario: &Scenario,
    b: &Boundaries,
    points: &std::path::Path,
    _areas: &[AreaSummary],
    values: &(Vec<Option<f64>>, Vec<Option<f64>>),
    vti: Option<&VtiResult>,
    report: &mut Report,
) -> Result<CatchmentRun> {
    let (bvcs, _, r) = catch::read_bvc_points(&scenario.resolve(points), "bvc")?;
    report.extend(r);
    let children = match &scenario.inputs.children {
        Some(p) => {
            let (mut pts, r) = crate::inputs::points::read_points(&scenario.resolve(p), "x", "y")?;
            report.extend(r);
            pts.declare_crs(b.crs)?;
            Some(pts)
        }
        None => None,
    };
    let (catchments, r) = catch::nearest_bvc(b, &bvcs, children.as_ref())?;
    report.extend(r);
    let per_area: Vec<u64> = match &children {
        Some(pts) => {
            let index = crate::spatial::AreaIndex::new(b);
            let assignment = crate::spatial::assign(&index, pts, &|_| {});
            for line in &assignment.outside {
                report.warn(
                    "outside",
                    Location::file(pts.source.clone()).at_line(*line),
                    "the child's home lies in no area",
                );
            }
            assignment.counts
        }
        None => vec![0; b.areas.len()],
    };
    let summaries = catch::summarise(&catchments, b, &values.0, &values.1, &per_area, vti);
    Ok(CatchmentRun {
        catchments,
        summaries,
        children_per_area: per_area,
    })
}
