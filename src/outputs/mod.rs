//! Outputs: the files a run writes.
//!
//! | file | what |
//! |---|---|
//! | `areas.geojson` | one feature per area (RFC 7946: WGS84, right-hand rings, 6 decimals) with `code`, `name`, `municipality`, `population`, `index`, `cni`, `rank` |
//! | `ranking.csv` | areas by CNI, highest first |
//! | `cni.csv` | CNI per table row, in table order, with the research columns when computed |
//! | `catchments.geojson`, `catchments.csv` | BVC catchments with population, children 0–5, CNI and VTI |
//! | `plan.csv` | the rollout plan per catchment: rank, need, eligible families, visits, FTE, selected, wave, rank interval, P(selected) (with a `[plan]` section) |
//! | `plan_municipalities.csv`, `plan_areas.csv` | the plan per municipality, and areas ranked by need |
//! | `vti.csv` | VTI, weighted newborns and nurse time per BVC (when a BVC table is given) |
//! | `map.svg`, `map.png` | the catchment map: classes, selected catchments outlined, municipality borders, legend, scale bar (PNG with feature `png`) |
//! | `report.html` | one self-contained page: map, legend, ranking, municipalities, plan, method, parameters, sources, what was withheld |
//! | `run_report.json` | the reference used, the map classes, what was withheld, every notice (encodings, mismatches, areas without CNI) |
//!
//! Every file is written atomically (to a temporary file in the same folder, then
//! renamed), and a run refuses to write over one of its own inputs.
//!
//! Counts below `[privacy] min_count` are withheld in every file ([`privacy`]).
//! GeoJSON features carry their map class and simplestyle colours ([`map`]).
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
pub mod privacy;
pub mod svg;

use crate::error::{Error, Result};
use crate::pipeline::Run;
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

/// Writes every output of `run` into `dir` (created if needed); returns the paths.
pub fn write_all(run: &Run, dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let inputs = run.input_paths();
    let privacy = run.scenario.privacy();
    let spec = run.scenario.map_spec()?;
    // VTI figures of centres with withheld newborns leave every output (`..`
    // in the CSV tables).
    let hidden_centres = privacy::hidden_centres(run, &privacy);
    let masked = privacy::mask_centres(run, &hidden_centres);
    let run = masked.as_ref().unwrap_or(run);
    let mut files: Vec<(PathBuf, Vec<u8>)> = vec![
        (dir.join("ranking.csv"), csv::ranking(run, &privacy)?),
        (dir.join("cni.csv"), csv::cni(&run.cni, &privacy)?),
    ];
    if run.boundaries.is_some() {
        let classes = map::area_classes(run, &spec, &privacy);
        files.push((
            dir.join("areas.geojson"),
            geojson::areas(run, &classes, &privacy)?,
        ));
    }
    if let Some(v) = &run.vti {
        files.push((dir.join("vti.csv"), csv::vti(v, &privacy)?));
    }
    if let (Some(c), Some(b)) = (&run.catchments, &run.boundaries) {
        let classes = map::catchment_classes(run, &spec, &privacy);
        files.push((
            dir.join("catchments.geojson"),
            geojson::catchments_with_plan(
                &c.catchments,
                &c.summaries,
                run.plan.as_ref(),
                b.crs,
                &classes,
                &privacy,
            )?,
        ));
        files.push((
            dir.join("catchments.csv"),
            csv::catchments(&c.summaries, &privacy, &hidden_centres)?,
        ));
    }
    if let Some(p) = &run.plan {
        files.push((
            dir.join("plan.csv"),
            csv::plan(p, &privacy, &hidden_centres)?,
        ));
        files.push((
            dir.join("plan_municipalities.csv"),
            csv::plan_municipalities(p, &privacy)?,
        ));
        files.push((dir.join("plan_areas.csv"), csv::plan_areas(p, &privacy)?));
    }
    let map_svg = map::catchment_map(run, &spec, &privacy, MAP_WIDTH)?.map(|m| svg::render(&m));
    if let Some(svg) = &map_svg {
        files.push((dir.join("map.svg"), svg.as_bytes().to_vec()));
        #[cfg(feature = "png")]
        files.push((dir.join("map.png"), png::svg_to_png(svg, 2.0)?));
    }
    files.push((
        dir.join("report.html"),
        html::report(run, &spec, &privacy, map_svg.as_deref())?.into_bytes(),
    ));
    files.push((dir.join("run_report.json"), report_json(run)?));
    for (path, _) in &files {
        check_not_input(path, &inputs)?;
    }
    for (path, bytes) in &files {
        write_atomic(path, bytes)?;
    }
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

/// Width of `map.svg` in pixels (`map.png` is drawn at twice that).
pub const MAP_WIDTH: f64 = 720.0;

/// `run_report.json`: what was read, which reference was used, the map classes,
/// what was withheld, every notice.
pub fn report_json(run: &Run) -> Result<Vec<u8>> {
    let privacy = run.scenario.privacy();
    let spec = run.scenario.map_spec()?;
    let value = serde_json::json!({
        "scenario": run.scenario.name,
        "inputs": run.input_paths(),
        "areas_in_table": run.table.rows.len(),
        "areas_in_boundaries": run.boundaries.as_ref().map(|b| b.areas.len()),
        "boundaries_crs": run.boundaries.as_ref().map(|b| b.crs.to_string()),
        "matched": run.join.as_ref().map(|j| j.pairs.len()),
        "table_only": run.join.as_ref().map(|j| j.table_only.iter().map(|&i| run.table.rows[i].key.clone()).collect::<Vec<_>>()),
        "boundaries_only": run.join.as_ref().zip(run.boundaries.as_ref()).map(|(j, b)| j.boundaries_only.iter().map(|&i| b.areas[i].code.clone()).collect::<Vec<_>>()),
        "cni": {
            "variables": run.cni.variables,
            "reference": run.cni.reference,
            "research_reference": run.cni.research_reference,
            "transform": run.cni.transform,
        },
        "vti": run.vti.as_ref().map(|v| serde_json::json!({"spec": v.spec, "mean_one_plus_vti": v.mean_one_plus_vti})),
        "plan": run.plan.as_ref().map(|p| plan_json(p, &privacy)),
        "map": {
            "areas": run.boundaries.as_ref().map(|_| map::area_classes(run, &spec, &privacy).to_json()),
            "catchments": run.catchments.as_ref().map(|_| map::catchment_classes(run, &spec, &privacy).to_json()),
        },
        "privacy": {
            "min_count": privacy.min_count,
            "rule": "counts c with 0 < c < min_count are withheld with every figure derived from them; zero is shown",
            "marker": privacy::MARKER,
            "suppressed": privacy::summary(run, &privacy),
        },
        "notices": run.report.notices,
    });
    let mut bytes = serde_json::to_vec_pretty(&value).map_err(|e| Error::Compute(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The plan's settings and totals for `run_report.json`. A total that includes a
/// catchment whose families are withheld is `null`,
/// with `suppressed: true`.
pub fn plan_json(p: &crate::plan::Plan, privacy: &privacy::Privacy) -> serde_json::Value {
    let totals = |s: &crate::plan::select::Selection| {
        let hidden = privacy::selection_hidden(privacy, p, s);
        let waves: Vec<serde_json::Value> = s
            .waves
            .iter()
            .map(|w| {
                let h = privacy::total_hidden(privacy, p, w.chosen.iter().copied());
                serde_json::json!({
                    "budget": w.budget,
                    "capacity": w.capacity,
                    "cost": if h { None } else { Some(w.cost) },
                    "need": if h { None } else { Some(w.need) },
                    "chosen": w.chosen.iter().filter_map(|&i| p.catchments.get(i).map(|c| &c.bvc)).collect::<Vec<_>>(),
                    "suppressed": h,
                })
            })
            .collect();
        serde_json::json!({
            "need": if hidden { None } else { Some(s.need) },
            "cost": if hidden { None } else { Some(s.cost) },
            "selected": s.wave.iter().filter(|w| w.is_some()).count(),
            "waves": waves,
            "suppressed": hidden,
        })
    };
    serde_json::json!({
        "programme": p.spec.programme,
        "visits_per_accepting_family": p.visits_per_accepting_family,
        "eligibility": p.eligibility,
        "rank_by": p.spec.rank_by,
        "need_weight": p.spec.need_weight,
        "budget_unit": p.spec.budget_unit,
        "budgets": p.spec.budgets,
        "min_cni": p.spec.min_cni,
        "min_relative_vti": p.spec.min_relative_vti,
        "lock_in": p.spec.lock_in,
        "lock_out": p.spec.lock_out,
        "exact": p.exact.as_ref().map(totals),
        "greedy": p.greedy.as_ref().map(totals),
        "gap": p.gap,
        "robustness": p.robustness.as_ref().map(|r| &r.spec),
    })
}
