//! Outputs: the files a run writes.
//!
//! | file | what |
//! |---|---|
//! | `areas.geojson` | one feature per area (RFC 7946: WGS84, right-hand rings, 6 decimals) with `code`, `name`, `municipality`, `population`, `index`, `cni`, `rank` (and `research_shifted` with the research variant) |
//! | `ranking.csv` | areas by CNI, highest first |
//! | `cni.csv` | CNI per table row, in table order, with the research columns when computed |
//! | `catchments.geojson`, `catchments.csv` | BVC catchments with population, children 0–5, CNI and VTI |
//! | `plan.csv` | the rollout plan per catchment: rank, need, eligible families, visits, FTE, selected, wave, rank interval, P(selected) (with a `[plan]` section) |
//! | `plan_municipalities.csv`, `plan_areas.csv` | the plan per municipality, and areas ranked by need |
//! | `vti.csv` | VTI, weighted newborns, nurse time by the staffing norm, the small-centre flags and, with a `nurse_fte` column, the gap to current staffing per BVC (when a BVC table is given) |
//! | `map.svg`, `map.png` | the catchment map: classes, selected catchments outlined, municipality borders, legend, scale bar (PNG with feature `png`) |
//! | `report.html` | one self-contained page: map, legend, ranking, municipalities, centres (VTI and the staffing norm), plan, method, parameters, sources, what was withheld |
//! | `run_report.json` | the reference used, the VTI's staffing norm and parameters with their basis, the map classes, what was withheld, every notice (encodings, mismatches, areas without CNI) |
//!
//! Every file is written atomically (to a temporary file in the same folder, then
//! renamed), and a run refuses to write over one of its own inputs.
//!
//! Every file is rendered from a [`Release`]: the writers here never see an
//! unreleased number, so counts below `[privacy] min_count`, and what follows
//! from them, are withheld in every file alike ([`crate::release`]). GeoJSON
//! features carry their map class and simplestyle colours ([`map`]).
//!
//! Building blocks for maps: [`classify`] (map classes and ColorBrewer colours),
//! [`map`] (the run's classes and catchment map), [`svg`] (north-up SVG maps),
//! [`html`] (the report) and, with feature `png`, `png` (SVG → PNG).

pub mod classify;
pub mod csv;
pub mod geojson;
pub mod html;
pub mod map;
#[cfg(feature = "png")]
pub mod png;
pub mod svg;

use crate::error::{Error, Result};
use crate::release::{MARKER, Release};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically: a crash leaves either the old file or the
/// new one, never half of one. The bytes go to a temporary file in the same
/// folder (named after the process and a counter, so concurrent writers never
/// share one), which is synced and renamed over `path`; on Unix the folder is
/// synced too, so the rename itself survives a power cut. On failure the
/// temporary file is removed and `path` is untouched.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let tmp = dir.join(format!(".{name}.{}-{n}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        #[cfg(unix)]
        std::fs::File::open(dir)?.sync_all()?;
        Ok(())
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// Refuses `out` when it is one of `inputs` (compared after resolving the paths).
pub fn check_not_input(out: &Path, inputs: &[PathBuf]) -> Result<()> {
    let canon = |p: &Path| std::fs::canonicalize(p).ok();
    if let Some(o) = canon(out) {
        if inputs.iter().any(|i| canon(i).as_ref() == Some(&o)) {
            return Err(Error::io(
                out,
                std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "refusing to overwrite an input file",
                ),
            ));
        }
    }
    Ok(())
}

/// Writes every output of a release into `dir` (created if needed), refusing to
/// write over one of `inputs`; returns the paths.
pub fn write_all(r: &Release, spec: &map::MapSpec, dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let inputs = &r.meta.input_paths;
    let mut files: Vec<(PathBuf, Vec<u8>)> = vec![
        (dir.join("ranking.csv"), csv::ranking(r)?),
        (dir.join("cni.csv"), csv::cni(r)?),
    ];
    if r.boundaries.is_some() {
        let classes = map::area_classes(r, spec);
        files.push((dir.join("areas.geojson"), geojson::areas(r, &classes)?));
    }
    if r.vti.is_some() {
        files.push((dir.join("vti.csv"), csv::vti(r)?));
    }
    if r.catchment_geometry.is_some() && r.boundaries.is_some() {
        let classes = map::catchment_classes(r, spec);
        files.push((
            dir.join("catchments.geojson"),
            geojson::catchments(r, &classes)?,
        ));
        files.push((dir.join("catchments.csv"), csv::catchments(r)?));
    }
    if r.plan.is_some() {
        files.push((dir.join("plan.csv"), csv::plan(r)?));
        files.push((
            dir.join("plan_municipalities.csv"),
            csv::plan_municipalities(r)?,
        ));
        files.push((dir.join("plan_areas.csv"), csv::plan_areas(r)?));
    }
    let map_svg = map::catchment_map(r, spec, MAP_WIDTH)?.map(|m| svg::render(&m));
    if let Some(svg) = &map_svg {
        files.push((dir.join("map.svg"), svg.as_bytes().to_vec()));
        #[cfg(feature = "png")]
        files.push((dir.join("map.png"), png::svg_to_png(svg, 2.0)?));
    }
    files.push((
        dir.join("report.html"),
        html::report(r, spec, map_svg.as_deref())?.into_bytes(),
    ));
    files.push((dir.join("run_report.json"), report_json(r, spec)?));
    for (path, _) in &files {
        check_not_input(path, inputs)?;
    }
    for (path, bytes) in &files {
        write_atomic(path, bytes)?;
    }
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

/// Width of `map.svg` in pixels (`map.png` is drawn at twice that).
pub const MAP_WIDTH: f64 = 720.0;

/// A released value in JSON: the number when shown, `null` otherwise.
fn json_cell(c: crate::release::Cell) -> serde_json::Value {
    c.shown()
        .map_or(serde_json::Value::Null, |v| serde_json::json!(v))
}

/// `run_report.json`: what was read, which reference was used, the map classes,
/// what was withheld, every notice.
pub fn report_json(r: &Release, spec: &map::MapSpec) -> Result<Vec<u8>> {
    let m = &r.meta;
    let (sources, assumptions) = sources_json(&m.parameters);
    let value = serde_json::json!({
        "scenario": m.name,
        "inputs": m.input_paths,
        "areas_in_table": m.areas_in_table,
        "areas_in_boundaries": m.areas_in_boundaries,
        "boundaries_crs": m.boundaries_crs,
        "matched": m.matched,
        "table_only": r.boundaries.map(|_| &m.table_only),
        "boundaries_only": r.boundaries.map(|_| &m.boundaries_only),
        "cni": r.cni.map(|c| serde_json::json!({
            "variables": c.variables,
            "reference": {
                "value": c.reference.value,
                "source": c.reference.source,
                "description": c.reference.description(),
            },
            "research_reference": c.research_reference,
            "transform": c.transform,
            "research": research_json(c),
        })),
        "vti": r.vti.map(vti_json),
        "plan": r.plan.as_ref().map(plan_json),
        "map": {
            "areas": r.boundaries.map(|_| map::area_classes(r, spec).to_json()),
            "catchments": r.catchment_geometry.map(|_| map::catchment_classes(r, spec).to_json()),
        },
        "privacy": {
            "min_count": r.privacy.min_count,
            "rule": "counts c with 0 < c < min_count are withheld with every figure derived from them from which they could be recomputed (shares, z-scores, CNI of a small area, VTI of a small centre, need, totals); withheld figures get no rank; zero is shown",
            "marker": MARKER,
            "suppressed": r.withheld(),
        },
        "notices": r.notices,
        "sources": sources,
        "assumptions": assumptions,
        "parameters": m.parameters.iter().map(|p| {
            let mut v = serde_json::json!({"name": p.name, "value": p.value});
            match &p.basis {
                crate::sources::Basis::Source { source, at, quote } => {
                    v["source"] = serde_json::json!(source);
                    v["at"] = serde_json::json!(at);
                    v["quote"] = serde_json::json!(quote);
                }
                crate::sources::Basis::Scenario(key) => {
                    v["source"] = serde_json::json!("scenario");
                    v["at"] = serde_json::json!(key);
                }
                crate::sources::Basis::Assumption(text) => {
                    let id = assumptions.iter().position(|a| a["text"] == *text).map(|i| i + 1);
                    v["assumption"] = serde_json::json!(id.map(|i| format!("A{i}")));
                }
            }
            v
        }).collect::<Vec<_>>(),
    });
    let mut bytes = serde_json::to_vec_pretty(&value).map_err(|e| Error::Compute(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The sources (`{id, title, at}`) and assumptions (`{id: "A1", text}`) the
/// parameters point to, each once.
fn sources_json(
    parameters: &[crate::sources::Parameter],
) -> (Vec<serde_json::Value>, Vec<serde_json::Value>) {
    let (sources, assumptions) = crate::sources::used(parameters);
    (
        sources.iter().map(|s| serde_json::json!(s)).collect(),
        assumptions
            .iter()
            .enumerate()
            .map(|(i, t)| serde_json::json!({"id": format!("A{}", i + 1), "text": t}))
            .collect(),
    )
}

/// The research variant's definition for `run_report.json` (`null` without
/// it): the two published scores, the shift and its label, every step with its
/// basis.
pub fn research_json(c: &crate::scores::cni::CniResult) -> serde_json::Value {
    if c.research_reference.is_empty() {
        return serde_json::Value::Null;
    }
    serde_json::json!({
        "research_score": "Σ wᵢ·zᵢ: 0 = the input areas' population-weighted average; an interval scale",
        "research_shifted": format!("{} + research_score: 100 = the average; an interval scale", crate::scores::cni::RESEARCH_SHIFT),
        "shift": crate::scores::cni::RESEARCH_SHIFT,
        "shift_is_assumption": true,
        "scale": "interval (differences compare; ratios do not)",
        "parameters": c.research_parameters(),
    })
}

/// The VTI's settings for `run_report.json`: the norms, the staffing norm used
/// with its formula and basis, every parameter with its basis, the mean of
/// `1 + vti` (no count).
pub fn vti_json(v: &crate::scores::vti::VtiResult) -> serde_json::Value {
    let parameters = v.spec.parameters();
    let basis = parameters
        .iter()
        .find(|p| p.name == "vti.norm")
        .map(|p| p.basis.clone());
    serde_json::json!({
        "spec": v.spec,
        "norm": {
            "value": v.norm,
            "formula": v.norm.formula(v.spec.newborns_per_fte),
            "basis": basis,
        },
        "parameters": parameters,
        "mean_one_plus_vti": v.mean_one_plus_vti,
    })
}

/// The plan's settings and totals for `run_report.json`. A total that includes a
/// catchment whose families are withheld is `null`, with `suppressed: true`.
pub fn plan_json(p: &crate::release::ReleasedPlan) -> serde_json::Value {
    let totals = |s: &crate::release::ReleasedSelection| {
        let waves: Vec<serde_json::Value> = s
            .waves
            .iter()
            .map(|w| {
                serde_json::json!({
                    "budget": w.budget,
                    "capacity": w.capacity,
                    "cost": json_cell(w.cost),
                    "need": json_cell(w.need),
                    "chosen": w.chosen.iter().map(|(bvc, _)| bvc).collect::<Vec<_>>(),
                    "suppressed": w.need.is_withheld(),
                })
            })
            .collect();
        serde_json::json!({
            "need": json_cell(s.need),
            "cost": json_cell(s.cost),
            "selected": s.selected,
            "running": {
                "cost": json_cell(s.running.cost),
                "need": json_cell(s.running.need),
                "chosen": s.running.chosen.iter().map(|(bvc, _)| bvc).collect::<Vec<_>>(),
            },
            "waves": waves,
            "left": json_cell(s.left),
            "suppressed": s.need.is_withheld(),
        })
    };
    serde_json::json!({
        "programme": p.spec.programme,
        "visits_per_accepting_family": p.visits_per_accepting_family,
        "eligibility": p.eligibility,
        "rank_by": p.spec.rank_by,
        "need_weight": p.spec.need_weight,
        "budget_unit": p.spec.budget_unit,
        "units": p.spec.units,
        "budgets": p.spec.budgets,
        "min_cni": p.spec.min_cni,
        "min_relative_vti": p.spec.min_relative_vti,
        "lock_in": p.spec.lock_in,
        "lock_out": p.spec.lock_out,
        "exact": p.exact.as_ref().map(totals),
        "greedy": p.greedy.as_ref().map(totals),
        "gap": json_cell(p.gap),
        "robustness": p.spec.robustness,
        "budgets_used": p.budgets,
        "barnsakert": p.barnsakert.map(|(visits, nurse, social)| serde_json::json!({
            "settings": p.spec.barnsakert,
            "visits": json_cell(visits),
            "nurse_fte": json_cell(nurse),
            "social_services_fte": json_cell(social),
            "suppressed": visits.is_withheld(),
        })),
    })
}
