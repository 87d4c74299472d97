//! `careneed`: the command-line shell over the careneed library. It parses
//! arguments, calls the library, prints what the library reports, and exits
//! non-zero with one clear message when something is wrong.

use careneed::outputs;
use careneed::pipeline::{self, Run};
use careneed::report::Level;
use careneed::scenario::Scenario;
use careneed::scores::cni::{Method, Transform};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "careneed",
    version,
    about = "Care Need Index, Vårdtyngdsindex and rollout planning for Swedish child health care"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole pipeline on the bundled synthetic demo county (data/demo).
    Demo {
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Folder with the demo data and its scenario.toml.
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// Run the whole pipeline on a scenario file.
    Run {
        /// Scenario (TOML).
        #[arg(long)]
        scenario: PathBuf,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
    },
    /// Compute CNI per area from an area table.
    Cni {
        /// Area table (CSV, `,` or `;`, UTF-8 or Latin-1).
        #[arg(long)]
        table: PathBuf,
        /// Boundaries (GeoJSON) to check the codes against.
        #[arg(long)]
        boundaries: Option<PathBuf>,
        /// Property of the boundaries holding the area code.
        #[arg(long, default_value = "code")]
        code_field: String,
        /// Reference ratio R (e.g. the national value); computed from the table when absent.
        #[arg(long)]
        reference: Option<f64>,
        /// SCB's method, or SCB's plus the research variant.
        #[arg(long, value_enum, default_value_t = MethodArg::Scb)]
        method: MethodArg,
        /// Transform of the research variant.
        #[arg(long, value_enum, default_value_t = TransformArg::Arcsine)]
        transform: TransformArg,
        /// Scenario with a column mapping and weights.
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// Output CSV.
        #[arg(long)]
        out: PathBuf,
    },
    /// Compute VTI, weighted newborns and nurse time per BVC.
    Vti {
        /// Per-BVC table: bvc, newborns, first_born, bcg_indicated, mother_smoking.
        #[arg(long)]
        table: PathBuf,
        /// Output CSV.
        #[arg(long)]
        out: PathBuf,
    },
    /// Assign geocoded points (CSV with x, y columns) to areas and count them per area.
    Assign {
        /// Areas (GeoJSON polygons).
        #[arg(long)]
        areas: PathBuf,
        /// Points (CSV with x and y columns).
        #[arg(long)]
        points: PathBuf,
        /// CRS of the points, e.g. EPSG:3006 or EPSG:4326; default: the areas' CRS.
        #[arg(long)]
        crs: Option<String>,
        /// Property of the areas holding the area code.
        #[arg(long, default_value = "code")]
        code_field: String,
        /// Column of the points' x (easting or longitude).
        #[arg(long, default_value = "x")]
        x: String,
        /// Column of the points' y (northing or latitude).
        #[arg(long, default_value = "y")]
        y: String,
        /// Output CSV: code,count for every area, zeros included.
        #[arg(long)]
        out: PathBuf,
    },
    /// Move values from areas to other zones (area- or population-weighted).
    Interpolate {
        /// Source areas (GeoJSON polygons).
        #[arg(long)]
        from: PathBuf,
        /// Property of the source areas holding the code.
        #[arg(long, default_value = "code")]
        code_field: String,
        /// Table of values per source area (CSV with a `code` column).
        #[arg(long)]
        table: PathBuf,
        /// Target zones (GeoJSON polygons).
        #[arg(long)]
        to: PathBuf,
        /// Property of the target zones holding their code.
        #[arg(long, default_value = "code")]
        to_code_field: String,
        /// Extensive columns (counts: sums are conserved), comma separated.
        #[arg(long, value_delimiter = ',')]
        extensive: Vec<String>,
        /// Intensive columns (rates: area-weighted means), comma separated.
        #[arg(long, value_delimiter = ',')]
        intensive: Vec<String>,
        /// Population points (CSV x,y in the areas' CRS) for population weighting.
        #[arg(long)]
        population: Option<PathBuf>,
        /// What to do with a missing value: error, skip or zero.
        #[arg(long, value_enum, default_value_t = MissingArg::Error)]
        missing: MissingArg,
        /// Output CSV (target code column first).
        #[arg(long)]
        out: PathBuf,
    },
    /// BVC catchments with population, children 0–5, CNI and VTI, built from BVC
    /// points (nearest BVC), given catchment polygons, or listings.
    Catchments {
        /// Areas (GeoJSON polygons).
        #[arg(long)]
        areas: PathBuf,
        /// Property of the areas holding the code.
        #[arg(long, default_value = "code")]
        code_field: String,
        /// Area table (CSV) for population and CNI.
        #[arg(long)]
        table: PathBuf,
        /// BVC points (GeoJSON, property `bvc`): each area goes to the nearest BVC.
        #[arg(long, group = "method")]
        bvc: Option<PathBuf>,
        /// Catchment polygons (GeoJSON, property `bvc` holds the BVC id).
        #[arg(long, group = "method")]
        polygons: Option<PathBuf>,
        /// Children listed at BVCs (CSV x,y,…,bvc in the areas' CRS).
        #[arg(long, group = "method")]
        listings: Option<PathBuf>,
        /// Geocoded children (CSV x,y) for counts and population-weighted centroids.
        #[arg(long)]
        children: Option<PathBuf>,
        /// Per-BVC VTI table, to add VTI per catchment.
        #[arg(long)]
        vti_table: Option<PathBuf>,
        /// Output folder: catchments.geojson and catchments.csv.
        #[arg(long)]
        out: PathBuf,
    },
    /// Regenerate the synthetic demo county (byte for byte).
    Synth {
        /// Output folder (the bundled data lives in data/demo).
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum MethodArg {
    Scb,
    Research,
}

#[derive(Clone, Copy, ValueEnum)]
enum MissingArg {
    Error,
    Skip,
    Zero,
}

#[derive(Clone, Copy, ValueEnum)]
enum TransformArg {
    Arcsine,
    Log,
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("careneed: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn demo_dir(given: Option<PathBuf>) -> PathBuf {
    given.unwrap_or_else(|| {
        let local = PathBuf::from("data/demo");
        if local.join("scenario.toml").exists() {
            local
        } else {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo")
        }
    })
}

fn run(cli: Cli) -> careneed::Result<()> {
    match cli.command {
        Command::Demo { out, data } => {
            let scenario = Scenario::read(&demo_dir(data).join("scenario.toml"))?;
            full_run(&scenario, &out)
        }
        Command::Run { scenario, out } => full_run(&Scenario::read(&scenario)?, &out),
        Command::Cni {
            table,
            boundaries,
            code_field,
            reference,
            method,
            transform,
            scenario,
            out,
        } => {
            let mut s = match scenario {
                Some(p) => Scenario::read(&p)?,
                None => Scenario::default(),
            };
            s.base = PathBuf::new();
            s.inputs.areas = Some(table);
            s.inputs.boundaries = boundaries;
            s.inputs.code_field = Some(code_field);
            s.inputs.bvc_table = None;
            if reference.is_some() {
                s.cni.reference = reference;
            }
            s.cni.method = Some(match method {
                MethodArg::Scb => Method::Scb,
                MethodArg::Research => Method::Research,
            });
            s.cni.transform = Some(match transform {
                TransformArg::Arcsine => Transform::Arcsine,
                TransformArg::Log => Transform::Log,
            });
            let run = pipeline::run(&s)?;
            outputs::check_not_input(&out, &run.input_paths())?;
            outputs::write_atomic(&out, &outputs::csv::cni(&run.cni)?)?;
            print_notices(&run);
            println!("{}", run.cni.reference.description);
            println!("wrote {} ({} areas)", out.display(), run.cni.areas.len());
            Ok(())
        }
        Command::Vti { table, out } => {
            let (t, report) = careneed::inputs::table::read_table(
                &table,
                &careneed::inputs::table::TableSpec::bvc_vti(),
            )?;
            let result = careneed::scores::vti::compute(&t, &Default::default())?;
            outputs::check_not_input(&out, &[table])?;
            outputs::write_atomic(&out, &outputs::csv::vti(&result)?)?;
            for n in report.notices.iter().chain(&result.report.notices) {
                println!("{n}");
            }
            println!("wrote {} ({} centres)", out.display(), result.centres.len());
            Ok(())
        }
        Command::Assign {
            areas,
            points,
            crs,
            code_field,
            x,
            y,
            out,
        } => assign(&areas, &points, crs.as_deref(), &code_field, &x, &y, &out),
        Command::Interpolate {
            from,
            code_field,
            table,
            to,
            to_code_field,
            extensive,
            intensive,
            population,
            missing,
            out,
        } => {
            use careneed::inputs::boundaries::{BoundaryOptions, read_boundaries};
            use careneed::inputs::table::{ColumnSpec, TableSpec, read_table};
            use careneed::spatial::interpolate::{self, InterpolateSpec, Missing, Weighting};
            let (sources, r1) = read_boundaries(
                &from,
                &BoundaryOptions {
                    code_field,
                    crs: None,
                },
            )?;
            let (targets, r2) = read_boundaries(
                &to,
                &BoundaryOptions {
                    code_field: to_code_field,
                    crs: None,
                },
            )?;
            let spec = TableSpec {
                key: "code".into(),
                key_header: "code".into(),
                labels: vec![],
                columns: extensive
                    .iter()
                    .chain(&intensive)
                    .map(|c| ColumnSpec {
                        name: c.clone(),
                        header: c.clone(),
                        required: true,
                        at_most: vec![],
                    })
                    .collect(),
            };
            let (values, r3) = read_table(&table, &spec)?;
            let points = match &population {
                Some(p) => {
                    let (mut pts, _) = careneed::inputs::points::read_points(p, "x", "y")?;
                    pts.declare_crs(sources.crs)?;
                    Some(pts)
                }
                None => None,
            };
            let ispec = InterpolateSpec {
                weighting: if points.is_some() {
                    Weighting::Population
                } else {
                    Weighting::Area
                },
                missing: match missing {
                    MissingArg::Error => Missing::Error,
                    MissingArg::Skip => Missing::Skip,
                    MissingArg::Zero => Missing::Zero,
                },
                ..InterpolateSpec::new(
                    &extensive.iter().map(String::as_str).collect::<Vec<_>>(),
                    &intensive.iter().map(String::as_str).collect::<Vec<_>>(),
                )
            };
            let result =
                interpolate::interpolate(&sources, &values, &targets, &ispec, points.as_ref())?;
            let mut inputs = vec![from.clone(), table.clone(), to.clone()];
            inputs.extend(population);
            outputs::check_not_input(&out, &inputs)?;
            outputs::write_atomic(&out, &result.to_csv())?;
            for n in r1
                .notices
                .iter()
                .chain(&r2.notices)
                .chain(&r3.notices)
                .chain(&result.report.notices)
            {
                println!("{n}");
            }
            for ((c, i), o) in result
                .columns
                .iter()
                .zip(&result.totals_in)
                .zip(&result.totals_out)
            {
                println!("{c}: total in {i}, total out {o}");
            }
            println!("wrote {} ({} zones)", out.display(), result.targets.len());
            Ok(())
        }
        Command::Catchments {
            areas,
            code_field,
            table,
            bvc,
            polygons,
            listings,
            children,
            vti_table,
            out,
        } => catchments(CatchmentArgs {
            areas,
            code_field,
            table,
            bvc,
            polygons,
            listings,
            children,
            vti_table,
            out,
        }),
        Command::Synth { out } => {
            let region = careneed::synth::generate(&careneed::synth::SynthConfig::gavleborg())?;
            for p in region.write(&out)? {
                println!("wrote {}", p.display());
            }
            Ok(())
        }
    }
}

fn full_run(scenario: &Scenario, out: &Path) -> careneed::Result<()> {
    let run = pipeline::run(scenario)?;
    let files = outputs::write_all(&run, out)?;
    print_notices(&run);
    println!("{}", run.cni.reference.description);
    let with_cni = run.areas.iter().filter(|a| a.cni.is_some()).count();
    println!(
        "{} areas in the table, {} with a CNI{}",
        run.table.rows.len(),
        with_cni,
        run.join
            .as_ref()
            .map(|j| format!(
                "; {} matched to polygons, {} table-only, {} polygon-only",
                j.pairs.len(),
                j.table_only.len(),
                j.boundaries_only.len()
            ))
            .unwrap_or_default()
    );
    for f in files {
        println!("wrote {}", f.display());
    }
    Ok(())
}

/// Prints warnings (all of them: each is an area a planner must know about) and
/// informational notes.
fn print_notices(run: &Run) {
    for n in &run.report.notices {
        match n.level {
            Level::Warning => println!("{n}"),
            Level::Info if n.kind != "reference" => println!("{n}"),
            Level::Info => {}
        }
    }
}

fn assign(
    areas: &Path,
    points: &Path,
    crs: Option<&str>,
    code_field: &str,
    x: &str,
    y: &str,
    out: &Path,
) -> careneed::Result<()> {
    use careneed::inputs::{boundaries, crs::Crs};
    let options = boundaries::BoundaryOptions {
        code_field: code_field.to_string(),
        crs: None,
    };
    let (b, report) = boundaries::read_boundaries(areas, &options)?;
    let declared = match crs {
        Some(name) => Crs::parse(name).ok_or_else(|| {
            careneed::Error::input(
                careneed::Location::file("--crs"),
                careneed::Problem::UnsupportedCrs(name.to_string()),
            )
        })?,
        None => b.crs,
    };
    let b = if declared == b.crs {
        b
    } else {
        b.to_crs(declared)?
    };
    outputs::check_not_input(out, &[areas.to_path_buf(), points.to_path_buf()])?;
    let index = careneed::spatial::AreaIndex::new(&b);
    let file = std::fs::File::open(points).map_err(|e| careneed::Error::io(points, e))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    // The bar counts points; a points line is about 25 bytes.
    let bar = Progress::new(size / 25 + 1, "assigning points");
    // The points are read in blocks and never held in memory whole; a point
    // whose coordinates do not fit the declared CRS is an error.
    let (result, point_report) = careneed::spatial::assign_stream(
        &index,
        &points.display().to_string(),
        file,
        x,
        y,
        declared,
        &|n| bar.inc(n),
    )?;
    bar.finish();
    outputs::write_atomic(out, &result.counts_csv(&b))?;
    use std::io::Write;
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    let io = |e| careneed::Error::io("stdout", e);
    for n in report.notices.iter().chain(&point_report.notices) {
        writeln!(w, "{n}").map_err(io)?;
    }
    for line in &result.outside {
        writeln!(
            w,
            "warning: {}, line {line}: the point lies in no area",
            points.display()
        )
        .map_err(io)?;
    }
    writeln!(
        w,
        "{} points read, {} rejected, {} assigned to {} areas, {} outside every area",
        result.points.accepted + result.points.rejected.len() as u64,
        result.points.rejected.len(),
        result.assigned(),
        b.areas.len(),
        result.outside.len()
    )
    .map_err(io)?;
    writeln!(w, "wrote {}", out.display()).map_err(io)?;
    w.flush().map_err(io)?;
    Ok(())
}

/// A progress bar on stderr that appears only on a terminal and only once a step
/// has run for more than a second.
struct Progress {
    bar: indicatif::ProgressBar,
    start: std::time::Instant,
    shown: std::sync::atomic::AtomicBool,
}

impl Progress {
    fn new(len: u64, message: &'static str) -> Self {
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(len),
            indicatif::ProgressDrawTarget::hidden(),
        )
        .with_message(message);
        Progress {
            bar,
            start: std::time::Instant::now(),
            shown: std::sync::atomic::AtomicBool::new(false),
        }
    }

    fn inc(&self, n: u64) {
        self.bar.inc(n);
        use std::io::IsTerminal;
        if self.start.elapsed().as_secs_f64() > 1.0
            && std::io::stderr().is_terminal()
            && !self.shown.swap(true, std::sync::atomic::Ordering::Relaxed)
        {
            self.bar
                .set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

struct CatchmentArgs {
    areas: PathBuf,
    code_field: String,
    table: PathBuf,
    bvc: Option<PathBuf>,
    polygons: Option<PathBuf>,
    listings: Option<PathBuf>,
    children: Option<PathBuf>,
    vti_table: Option<PathBuf>,
    out: PathBuf,
}

fn catchments(a: CatchmentArgs) -> careneed::Result<()> {
    use careneed::inputs::boundaries::{BoundaryOptions, read_boundaries};
    use careneed::inputs::table::{TableSpec, read_table};
    use careneed::spatial::catchments as catch;
    let mut report = careneed::Report::default();
    let (b, r) = read_boundaries(
        &a.areas,
        &BoundaryOptions {
            code_field: a.code_field.clone(),
            crs: None,
        },
    )?;
    report.extend(r);
    let (table, r) = read_table(&a.table, &TableSpec::areas())?;
    report.extend(r);
    let joined = careneed::inputs::join::join(&table, &b, &mut report);
    let cni = careneed::scores::cni::compute(&table, &Default::default())?;
    report.extend(cni.report.clone());
    let mut population = vec![None; b.areas.len()];
    let mut area_cni = vec![None; b.areas.len()];
    for &(row, poly) in &joined.pairs {
        population[poly] = Some(cni.areas[row].population);
        area_cni[poly] = cni.areas[row].cni;
    }
    let read_children = |p: &Path| -> careneed::Result<careneed::inputs::points::Points> {
        let (mut pts, _) = careneed::inputs::points::read_points(p, "x", "y")?;
        pts.declare_crs(b.crs)?;
        Ok(pts)
    };
    let children = match a.children.as_deref().or(a.listings.as_deref()) {
        Some(p) => Some(read_children(p)?),
        None => None,
    };
    let index = careneed::spatial::AreaIndex::new(&b);
    let assignment = children
        .as_ref()
        .map(|c| careneed::spatial::assign(&index, c, &|_| {}));
    let (c, r) = if let Some(points) = &a.bvc {
        let (bvcs, _, r) = catch::read_bvc_points(points, "bvc")?;
        report.extend(r);
        catch::nearest_bvc(&b, &bvcs, children.as_ref())?
    } else if let Some(p) = &a.polygons {
        let (polys, r) = read_boundaries(
            p,
            &BoundaryOptions {
                code_field: "bvc".into(),
                crs: None,
            },
        )?;
        report.extend(r);
        let polys = if polys.crs == b.crs {
            polys
        } else {
            polys.to_crs(b.crs)?
        };
        catch::from_polygons(&b, &polys)?
    } else if let (Some(c), Some(asg)) = (&children, &assignment) {
        catch::from_listings(&b, c, asg, "bvc")?
    } else {
        return Err(careneed::Error::Compute(
            "give one of --bvc, --polygons or --listings".into(),
        ));
    };
    report.extend(r);
    let vti = match &a.vti_table {
        Some(p) => {
            let (t, _) = read_table(p, &TableSpec::bvc_vti())?;
            Some(careneed::scores::vti::compute(&t, &Default::default())?)
        }
        None => None,
    };
    let per_area = assignment
        .map(|x| x.counts)
        .unwrap_or_else(|| vec![0; b.areas.len()]);
    let summaries = catch::summarise(&c, &b, &population, &area_cni, &per_area, vti.as_ref());
    std::fs::create_dir_all(&a.out).map_err(|e| careneed::Error::io(&a.out, e))?;
    let files = [
        (
            a.out.join("catchments.geojson"),
            outputs::geojson::catchments(&c, &summaries, b.crs)?,
        ),
        (
            a.out.join("catchments.csv"),
            outputs::csv::catchments(&summaries)?,
        ),
    ];
    let inputs: Vec<PathBuf> = [
        Some(a.areas.clone()),
        Some(a.table.clone()),
        a.bvc.clone(),
        a.polygons.clone(),
        a.listings.clone(),
        a.children.clone(),
        a.vti_table.clone(),
    ]
    .into_iter()
    .flatten()
    .collect();
    for (path, bytes) in &files {
        outputs::check_not_input(path, &inputs)?;
        outputs::write_atomic(path, bytes)?;
    }
    for n in &report.notices {
        println!("{n}");
    }
    if matches!(c.method, catch::Method::Listings) {
        // The other methods name each uncovered area in their notices.
        for &u in &c.uncovered {
            println!(
                "warning: area {} has no listed children, so it is in no catchment",
                b.areas[u].code
            );
        }
    }
    println!(
        "{} catchments, {} areas uncovered",
        c.catchments.len(),
        c.uncovered.len()
    );
    for (path, _) in &files {
        println!("wrote {}", path.display());
    }
    Ok(())
}
