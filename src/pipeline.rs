//! The stages composed: read a scenario's inputs, join them, compute CNI and
//! VTI, build the catchments and the plan ([`run`]); [`Run::release`] gives the
//! one released view every output is rendered from, and [`Run::write`] writes
//! them all. The single-purpose commands go through the same stages:
//! [`vti_table`], [`assign_points`], [`interpolate`].
//!
//! ```
//! use careneed::{pipeline, scenario::Scenario};
//! let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo");
//! let run = pipeline::run(&Scenario::read(&dir.join("scenario.toml")).unwrap()).unwrap();
//! assert_eq!(run.areas.len(), 172);
//! let top = &run.areas[run.ranking[0]];
//! // Ranks are assigned after release (a withheld CNI gets none).
//! assert_eq!(run.release().areas[run.ranking[0]].rank, Some(1));
//! assert!(top.cni.unwrap() > 1.5);
//! ```

use crate::error::{Error, Location, Result};
use crate::inputs::boundaries::{Boundaries, BoundaryOptions, read_boundaries};
use crate::inputs::join::{Join, join};
use crate::inputs::table::{Table, TableSpec, read_table};
use crate::inputs::validate::check_overlaps;
use crate::plan::Plan;
use crate::release::{Meta, Release, ReleaseInput};
use crate::report::Report;
use crate::scenario::Scenario;
use crate::scores::areas;
use crate::scores::cni::{self, CniResult};
use crate::scores::vti::{self, VtiResult};
use crate::sources::{Basis, Parameter};
use crate::spatial::catchments as catch;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

pub use crate::scores::areas::AreaSummary;
pub use crate::spatial::catchments::CatchmentRun;

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

impl Run {
    /// The input files this run read, by role, as the scenario names them.
    pub fn inputs(&self) -> Vec<(String, PathBuf)> {
        let i = &self.scenario.inputs;
        [
            ("areas", &i.areas),
            ("boundaries", &i.boundaries),
            ("BVC table (VTI)", &i.bvc_table),
            ("municipalities", &i.municipalities),
            ("BVC points", &i.bvc_points),
            ("catchment polygons", &i.catchment_polygons),
            ("listings (counted per area only)", &i.listings),
            ("geocoded children (counted per area only)", &i.children),
            ("births", &i.births),
            ("CNI per care unit", &i.unit_cni),
        ]
        .into_iter()
        .filter_map(|(name, p)| Some((name.to_string(), p.clone()?)))
        .collect()
    }

    /// The input files this run read, resolved (outputs must never overwrite them).
    pub fn input_paths(&self) -> Vec<PathBuf> {
        self.inputs()
            .into_iter()
            .map(|(_, p)| crate::inputs::table::table_file(&self.scenario.resolve(&p)))
            .collect()
    }

    /// Every method and parameter of the run with its basis: a source, an
    /// assumption, or the scenario key that set it ([`crate::sources`]).
    pub fn parameters(&self) -> Vec<Parameter> {
        let sc = &self.scenario;
        if self.cni.is_delivered() {
            let mut v = vec![Parameter::new(
                "cni",
                "as delivered in the area table's cni column, SCB's reference",
                Basis::Scenario("inputs.areas: the table's cni column".into()),
            )];
            v.extend(self.later_parameters());
            return v;
        }
        let mut v = vec![Parameter::new(
            "cni.variables",
            self.cni
                .variables
                .iter()
                .map(|x| x.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            Basis::cite(
                "fohm-2022",
                "“Förkortningar och begrepp”, CNI",
                "väger in andelen personer inom ett geografiskt område som har låg utbildning, är utlandsfödda, arbetslösa, ensamstående föräldrar, nyinflyttade, under 5 år och ensamboende över 65 år",
            ),
        )];
        for x in &self.cni.variables {
            let basis = if sc.cni.weights.contains_key(&x.name) {
                Basis::Scenario(format!("cni.weights.{}", x.name))
            } else if sc.cni.extra.iter().any(|e| e.name == x.name) {
                Basis::Scenario("cni.extra".into())
            } else {
                Basis::cite(
                    "scb-cni",
                    "the published weights, reproduced by SCB's worked example in tests/golden.rs",
                    "index 22 709.42 / CNI 1.5513",
                )
            };
            v.push(Parameter::new(
                format!("cni.weights.{}", x.name),
                x.weight,
                basis,
            ));
        }
        v.push(Parameter::new(
            "cni.reference",
            self.cni.reference.value,
            if self.cni.reference.is_given() {
                Basis::Scenario("cni.reference".into())
            } else {
                Basis::assume(
                    "the reference ratio R is computed from the areas read (their CNI averages 1.0), not SCB's national R: give cni.reference for the national value",
                )
            },
        ));
        if self.table.column("cni").is_some() {
            // The table's cni column was checked against the computed CNI.
            v.push(Parameter::new(
                "cni.delivered_tolerance",
                cni::DELIVERED_TOLERANCE,
                Basis::assume(
                    "a cni column beside the variables must agree with the computed CNI within half a unit in the second decimal, as SCB's deliveries are commonly rounded",
                ),
            ));
        }
        v.extend(self.later_parameters());
        v
    }

    /// The parameters after the CNI's: the research variant's, the VTI's, the
    /// plan's and the privacy threshold.
    fn later_parameters(&self) -> Vec<Parameter> {
        let sc = &self.scenario;
        let mut v = self.cni.research_parameters();
        if let Some(u) = self.catchments.as_ref().and_then(|c| c.unit_cni.as_ref()) {
            v.push(Parameter::new(
                "catchment.cni",
                format!(
                    "as delivered per care unit in {}, SCB's reference; not the areas' population-weighted CNI",
                    u.source
                ),
                Basis::Scenario("inputs.unit_cni".into()),
            ));
        }
        if let Some(x) = &self.vti {
            v.extend(x.spec.parameters());
        }
        if let Some(p) = &self.plan {
            v.extend(p.spec.parameters());
        }
        v.push(Parameter::new(
            "privacy.min_count",
            sc.privacy().min_count,
            if sc.privacy.min_count.is_some() {
                Basis::Scenario("privacy.min_count".into())
            } else {
                Basis::assume(
                    "counts from 1 to 4 are withheld (threshold 5), careneed's default; set privacy.min_count to the rule of the data's owner",
                )
            },
        ));
        v
    }

    /// What the run was and read, for the release.
    pub fn meta(&self) -> Meta {
        let scenario_text = toml::to_string(&self.scenario)
            .or_else(|_| serde_json::to_string_pretty(&self.scenario))
            .unwrap_or_default();
        Meta {
            name: self.scenario.name.clone(),
            scenario: self.scenario.source.clone(),
            scenario_text,
            inputs: self.inputs(),
            input_paths: self.input_paths(),
            areas_in_table: self.table.rows.len(),
            areas_in_boundaries: self.boundaries.as_ref().map(|b| b.areas.len()),
            boundaries_crs: self.boundaries.as_ref().map(|b| b.crs.to_string()),
            parameters: self.parameters(),
            matched: self.join.as_ref().map(|j| j.pairs.len()),
            table_only: self
                .join
                .iter()
                .flat_map(|j| &j.table_only)
                .filter_map(|&i| self.table.rows.get(i).map(|r| r.key.clone()))
                .collect(),
            boundaries_only: self
                .join
                .as_ref()
                .zip(self.boundaries.as_ref())
                .map(|(j, b)| {
                    j.boundaries_only
                        .iter()
                        .filter_map(|&i| b.areas.get(i).map(|a| a.code.clone()))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// Releases the run and writes every output into `dir` with the scenario's
    /// map settings ([`crate::outputs::write_all`]); returns the paths.
    pub fn write(&self, dir: &std::path::Path) -> Result<Vec<PathBuf>> {
        crate::outputs::write_all(&self.release(), &self.scenario.map_spec()?, dir)
    }

    /// The run released under the scenario's privacy threshold: the one view
    /// every output is rendered from ([`crate::release`]).
    pub fn release(&self) -> Release<'_> {
        crate::release::release(
            ReleaseInput {
                meta: self.meta(),
                table: Some(&self.table),
                cni: Some(&self.cni),
                areas: &self.areas,
                boundaries: self.boundaries.as_ref(),
                vti: self.vti.as_ref(),
                catchments: self.catchments.as_ref(),
                plan: self.plan.as_ref(),
                notices: &self.report.notices,
            },
            self.scenario.privacy(),
        )
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
    // A variable the scenario weights 0 is not needed: its column is optional.
    for c in &mut spec.columns {
        let canonical = cni::default_variables().iter().any(|v| v.name == c.name);
        if canonical && !cni_spec.variables.iter().any(|v| v.name == c.name) {
            c.required = false;
        }
    }
    for x in &scenario.cni.extra {
        spec.add_count(&x.name, x.column.as_deref().unwrap_or(&x.name), true);
    }
    spec.accept_cni();
    spec.map_headers(&scenario.columns)?;
    // A table without the variables may carry a delivered CNI (a `cni`
    // column, SCB's commissioned delivery): read it so, or report the
    // variable missing as before.
    let path = scenario.resolve(areas_path);
    let (table, r) = match read_table(&path, &spec) {
        Ok(x) => x,
        Err(
            e @ Error::Input {
                problem: crate::error::Problem::MissingColumn { .. },
                ..
            },
        ) => {
            let mut delivered = spec.clone();
            delivered.deliver_cni();
            match read_table(&path, &delivered) {
                Ok(x) if x.0.column("cni").is_some() => x,
                _ => return Err(e),
            }
        }
        Err(e) => return Err(e),
    };
    report.extend(r);
    crate::inputs::codes::note_versions(&table, &mut report);

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

    let has_variables = cni_spec
        .variables
        .iter()
        .filter(|v| v.weight != 0.0)
        .all(|v| table.column(&v.name).is_some());
    let cni = if table.column("cni").is_some() && has_variables {
        // Both a delivered CNI and the variables: they must agree.
        let computed = cni::compute(&table, &cni_spec)?;
        let gap = cni::check_delivered(&table, &computed)?;
        report.info(
            "delivered_cni",
            Location::file(table.source.clone()).with_field("cni"),
            format!(
                "the table's cni column agrees with the CNI computed from its variables (largest difference {gap:.4}); the computed CNI is used"
            ),
        );
        computed
    } else if table.column("cni").is_some() {
        let delivered = cni::delivered(&table)?;
        if cni_spec.method == cni::Method::Research {
            report.warn(
                "research_without_variables",
                Location::file(scenario.source.clone()).with_field("cni.method"),
                "the research variant needs the CNI variables, and the area table carries a delivered CNI instead: it is not computed",
            );
        }
        delivered
    } else {
        cni::compute(&table, &cni_spec)?
    };
    report.info("reference", table.location(), cni.reference.description());
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

    let areas = areas::summarise(
        &table,
        &cni,
        boundaries.as_ref(),
        joined.as_ref(),
        &municipalities,
    );
    let ranking = areas::rank(&areas);

    let catchments = match &boundaries {
        Some(b) => catchments_for(
            scenario,
            b,
            &areas::per_polygon(&areas, b.areas.len()),
            vti.as_ref(),
            &mut report,
        )?,
        None => None,
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
        let Some(catchments) = &run.catchments else {
            return Err(Error::Scenario {
                location: Location::file(scenario.source.clone()).with_field("plan"),
                message: "a plan needs catchments: give inputs.boundaries and one of inputs.bvc_points, inputs.catchment_polygons or inputs.listings"
                    .into(),
            });
        };
        let input = crate::plan::PlanInput {
            source: &scenario.source,
            table: &run.table,
            cni: &run.cni,
            areas: &run.areas,
            catchments,
            vti: run.vti.as_ref(),
            births: births.as_ref(),
        };
        let plan = crate::plan::plan(&input, &spec)?;
        run.report.extend(plan.report.clone());
        run.plan = Some(plan);
    }
    Ok(run)
}

/// The catchments of a scenario, built the way it names: `inputs.bvc_points`
/// (each area to the nearest BVC), `inputs.catchment_polygons` (the areas'
/// shares in given polygons) or `inputs.listings` (where children are listed).
fn catchments_for(
    scenario: &Scenario,
    b: &Boundaries,
    values: &(Vec<Option<f64>>, Vec<Option<f64>>),
    vti: Option<&VtiResult>,
    report: &mut Report,
) -> Result<Option<CatchmentRun>> {
    let i = &scenario.inputs;
    let named: Vec<&str> = [
        ("inputs.bvc_points", i.bvc_points.is_some()),
        ("inputs.catchment_polygons", i.catchment_polygons.is_some()),
        ("inputs.listings", i.listings.is_some()),
    ]
    .into_iter()
    .filter_map(|(k, on)| on.then_some(k))
    .collect();
    if named.len() > 1 {
        return Err(Error::Scenario {
            location: Location::file(scenario.source.clone()).with_field(named[1]),
            message: format!(
                "give one way to build catchments, not {}",
                named.join(" and ")
            ),
        });
    }
    let bvc_field = i.bvc_field.clone().unwrap_or_else(|| "bvc".into());
    let read_points =
        |p: &std::path::Path, report: &mut Report| -> Result<crate::inputs::points::Points> {
            let (mut pts, r) = crate::inputs::points::read_points(&scenario.resolve(p), "x", "y")?;
            report.extend(r);
            pts.declare_crs(b.crs)?;
            Ok(pts)
        };
    let children = match &i.children {
        Some(p) => Some(read_points(p, report)?),
        None => None,
    };
    let listings = match &i.listings {
        Some(p) => Some(read_points(p, report)?),
        None => None,
    };
    // Children are counted from the geocoded children, else from the listings.
    let counted = children.as_ref().or(listings.as_ref());
    let index = counted.map(|_| crate::spatial::AreaIndex::new(b));
    let assignment = counted
        .zip(index.as_ref())
        .map(|(pts, index)| crate::spatial::assign(index, pts, &|_| {}));
    if let (Some(pts), Some(a)) = (counted, &assignment) {
        for line in &a.outside {
            report.warn(
                "outside",
                Location::file(pts.source.clone()).at_line(*line),
                "the child's home lies in no area",
            );
        }
    }
    let (catchments, r) = if let Some(points) = &i.bvc_points {
        let (bvcs, _, r) = catch::read_bvc_points(&scenario.resolve(points), &bvc_field)?;
        report.extend(r);
        catch::nearest_bvc(b, &bvcs, children.as_ref())?
    } else if let Some(p) = &i.catchment_polygons {
        let options = BoundaryOptions {
            code_field: bvc_field.clone(),
            repair: i.repair,
            ..BoundaryOptions::default()
        };
        let (polys, r) = read_boundaries(&scenario.resolve(p), &options)?;
        report.extend(r);
        let polys = if polys.crs == b.crs {
            polys
        } else {
            polys.to_crs(b.crs)?
        };
        catch::from_polygons(b, &polys)?
    } else if let (Some(l), Some(a)) = (&listings, &assignment) {
        // The listings are the counted points when no geocoded children are
        // given; otherwise assign them on their own.
        let own;
        let a = if children.is_some() {
            own = crate::spatial::assign(&crate::spatial::AreaIndex::new(b), l, &|_| {});
            &own
        } else {
            a
        };
        // BVCs of the VTI table with no listed child are named, not dropped.
        let known: Vec<&str> = vti
            .iter()
            .flat_map(|v| v.centres.iter().map(|c| c.bvc.as_str()))
            .collect();
        catch::from_listings(b, l, a, &bvc_field, &known)?
    } else {
        return Ok(None);
    };
    report.extend(r);
    if matches!(catchments.method, catch::Method::Listings) {
        // The other methods name each uncovered area in their notices.
        for &u in &catchments.uncovered {
            if let Some(area) = b.areas.get(u) {
                report.warn(
                    "uncovered_area",
                    Location::file(b.source.clone())
                        .at_feature(area.feature)
                        .with_code(area.code.clone()),
                    "the area has no listed children, so it is in no catchment",
                );
            }
        }
    }
    let per_area = assignment
        .map(|a| a.counts)
        .unwrap_or_else(|| vec![0; b.areas.len()]);
    let summaries = catch::summarise(&catchments, b, &values.0, &values.1, &per_area, vti);
    let mut run = CatchmentRun {
        catchments,
        summaries,
        children_per_area: per_area,
        unit_cni: None,
    };
    if let Some(p) = &i.unit_cni {
        let (t, r) = read_table(&scenario.resolve(p), &TableSpec::unit_cni())?;
        report.extend(r);
        catch::apply_unit_cni(&mut run, &t, report)?;
    }
    Ok(Some(run))
}

/// `careneed vti`: the VTI of a per-BVC table, with a scenario's norms.
#[derive(Debug, Clone)]
pub struct VtiRun {
    /// The table read.
    pub table: PathBuf,
    /// VTI per centre.
    pub result: VtiResult,
    /// Notices of reading and computing.
    pub report: Report,
}

/// Reads a per-BVC table and computes its VTI with the scenario's norms.
pub fn vti_table(scenario: &Scenario, table: &std::path::Path) -> Result<VtiRun> {
    let (t, mut report) = read_table(table, &TableSpec::bvc_vti())?;
    let result = vti::compute(&t, &scenario.vti_spec())?;
    report.extend(result.report.clone());
    Ok(VtiRun {
        table: table.to_path_buf(),
        result,
        report,
    })
}

impl VtiRun {
    /// The centres released under `privacy`.
    pub fn release(&self, scenario: &Scenario) -> Release<'_> {
        let meta = Meta {
            name: scenario.name.clone(),
            scenario: scenario.source.clone(),
            inputs: vec![("BVC table (VTI)".into(), self.table.clone())],
            input_paths: vec![crate::inputs::table::table_file(&self.table)],
            ..Meta::default()
        };
        crate::release::release_centres(
            meta,
            &self.result,
            &self.report.notices,
            scenario.privacy(),
        )
    }
}

/// `careneed assign`: points counted per area.
#[derive(Debug, Clone)]
pub struct AssignRun {
    /// The areas, in the points' CRS.
    pub boundaries: Boundaries,
    /// Points per area (parallel to the areas).
    pub counts: Vec<u64>,
    /// Lines of the points outside every area.
    pub outside: Vec<u64>,
    /// Points read and accepted.
    pub accepted: u64,
    /// Points rejected (bad coordinates, each a notice).
    pub rejected: u64,
    /// Notices of reading the areas and the points.
    pub report: Report,
}

/// Counts the points of a CSV file (`x`, `y` columns) per area. With a
/// built-in CRS (or none: the areas') the points are streamed in blocks, never
/// held whole; an EPSG code only PROJ knows (feature `proj`) reads them into
/// memory and reprojects them to SWEREF99 TM first. `progress` is called with
/// the number of points done.
pub fn assign_points(
    areas: &std::path::Path,
    options: &BoundaryOptions,
    points: &std::path::Path,
    crs: Option<&str>,
    (x, y): (&str, &str),
    progress: &(dyn Fn(u64) + Sync),
) -> Result<AssignRun> {
    use crate::inputs::crs::Crs;
    let (b, mut report) = read_boundaries(areas, options)?;
    let crs_error = |name: &str| {
        Error::input(
            Location::file("--crs"),
            crate::error::Problem::UnsupportedCrs(name.to_string()),
        )
    };
    let builtin = match crs {
        None => Some(b.crs),
        Some(name) => Crs::parse(name),
    };
    match builtin {
        Some(declared) => {
            let b = if declared == b.crs {
                b
            } else {
                b.to_crs(declared)?
            };
            let index = crate::spatial::AreaIndex::new(&b);
            // Standard input (`-`) is streamed like a file.
            let (file, name): (Box<dyn std::io::Read>, String) =
                if points.as_os_str() == crate::inputs::STDIN {
                    (Box::new(std::io::stdin().lock()), "stdin".into())
                } else {
                    let f = std::fs::File::open(points).map_err(|e| Error::io(points, e))?;
                    (Box::new(f), points.display().to_string())
                };
            // A point whose coordinates do not fit the declared CRS is an error.
            let (result, r) =
                crate::spatial::assign_stream(&index, &name, file, x, y, declared, progress)?;
            report.extend(r);
            Ok(AssignRun {
                boundaries: b,
                counts: result.counts,
                outside: result.outside,
                accepted: result.points.accepted,
                rejected: result.points.rejected.len() as u64,
                report,
            })
        }
        None => {
            let name = crs.unwrap_or_default();
            if Crs::epsg_code(name).is_none() {
                return Err(crs_error(name));
            }
            let (mut p, r) = crate::inputs::points::read_points(points, x, y)?;
            report.extend(r);
            let declared = p.declare_crs_name(name).map_err(|e| match e {
                Error::Input {
                    problem: crate::error::Problem::UnsupportedCrs(_),
                    ..
                } => crs_error(name),
                other => other,
            })?;
            let b = if declared == b.crs {
                b
            } else {
                b.to_crs(declared)?
            };
            let index = crate::spatial::AreaIndex::new(&b);
            let result = crate::spatial::assign(&index, &p, progress);
            Ok(AssignRun {
                boundaries: b,
                counts: result.counts,
                outside: result.outside,
                accepted: p.len() as u64,
                rejected: p.rejected.len() as u64,
                report,
            })
        }
    }
}

impl AssignRun {
    /// Points per area, released: a count of people per area like any other.
    pub fn release(
        &self,
        privacy: crate::release::privacy::Privacy,
    ) -> crate::release::ReleasedTable {
        crate::release::release_table(
            privacy,
            self.boundaries
                .areas
                .iter()
                .map(|a| a.code.clone())
                .collect(),
            vec!["count".into()],
            &(0..self.boundaries.areas.len())
                .map(|i| vec![Some(self.counts.get(i).copied().unwrap_or(0) as f64)])
                .collect::<Vec<_>>(),
            &[true],
        )
    }
}

/// What `careneed interpolate` moves where.
#[derive(Debug, Clone)]
pub struct InterpolateRequest {
    /// Source areas and how to read them.
    pub from: (PathBuf, BoundaryOptions),
    /// Target zones and how to read them.
    pub to: (PathBuf, BoundaryOptions),
    /// Table of values per source area (a `code` column).
    pub table: PathBuf,
    /// Population points (CSV x,y in the sources' CRS) for population weighting.
    pub population: Option<PathBuf>,
    /// Extensive columns (counts), intensive columns, weighting, missing values.
    pub spec: crate::spatial::interpolate::InterpolateSpec,
}

/// `careneed interpolate`: values moved from areas to zones.
#[derive(Debug, Clone)]
pub struct InterpolateRun {
    /// The values per target.
    pub result: crate::spatial::interpolate::Interpolated,
    /// The number of extensive columns (the first ones of the result).
    pub extensive: usize,
    /// Notices of reading and interpolating.
    pub report: Report,
}

/// Reads the sources, targets, table and population points of `request` and
/// interpolates (population-weighted when points are given).
pub fn interpolate(request: &InterpolateRequest) -> Result<InterpolateRun> {
    use crate::inputs::table::ColumnSpec;
    use crate::spatial::interpolate::Weighting;
    let (sources, mut report) = read_boundaries(&request.from.0, &request.from.1)?;
    let (targets, r) = read_boundaries(&request.to.0, &request.to.1)?;
    report.extend(r);
    let spec = &request.spec;
    let table_spec = TableSpec {
        key: "code".into(),
        key_header: "code".into(),
        labels: vec![],
        columns: spec
            .extensive
            .iter()
            .chain(&spec.intensive)
            .map(|c| ColumnSpec {
                name: c.clone(),
                header: c.clone(),
                required: true,
                at_most: vec![],
            })
            .collect(),
    };
    let (values, r) = read_table(&request.table, &table_spec)?;
    report.extend(r);
    let points = match &request.population {
        Some(p) => {
            let (mut pts, r) = crate::inputs::points::read_points(p, "x", "y")?;
            report.extend(r);
            pts.declare_crs(sources.crs)?;
            Some(pts)
        }
        None => None,
    };
    let spec = crate::spatial::interpolate::InterpolateSpec {
        weighting: if points.is_some() {
            Weighting::Population
        } else {
            Weighting::Area
        },
        ..spec.clone()
    };
    let result = crate::spatial::interpolate::interpolate(
        &sources,
        &values,
        &targets,
        &spec,
        points.as_ref(),
    )?;
    report.extend(result.report.clone());
    Ok(InterpolateRun {
        extensive: spec.extensive.len(),
        result,
        report,
    })
}

impl InterpolateRun {
    /// The values released: the extensive columns are counts of people.
    pub fn release(
        &self,
        privacy: crate::release::privacy::Privacy,
    ) -> crate::release::ReleasedTable {
        let counts: Vec<bool> = (0..self.result.columns.len())
            .map(|c| c < self.extensive)
            .collect();
        crate::release::release_table(
            privacy,
            self.result.targets.clone(),
            self.result.columns.clone(),
            &self.result.values,
            &counts,
        )
    }
}
