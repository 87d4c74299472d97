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

// mimalloc instead of the system allocator: the many short-lived buffers of the
// parallel readers cost less (page faults and locking in glibc's arenas). The
// library leaves the choice to its users.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
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
    /// Repair invalid (e.g. self-intersecting) polygons instead of refusing them;
    /// every repair is reported.
    #[arg(long, global = true)]
    repair: bool,
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
    /// Run a scenario with a [plan] section: rank catchments, size the programme,
    /// choose where to start under a budget (plan.csv and every other output).
    Plan {
        /// Scenario (TOML) with a [plan] section.
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
        /// Boundaries (GeoJSON, or GeoPackage `.gpkg`) to check the codes against.
        #[arg(long)]
        boundaries: Option<PathBuf>,
        /// Property (GeoJSON) or column (GeoPackage) of the boundaries holding the area code.
        #[arg(long, default_value = "code")]
        code_field: String,
        /// GeoPackage layer of the boundaries (needed when the file has several).
        #[arg(long)]
        layer: Option<String>,
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
        /// Areas (GeoJSON or GeoPackage polygons).
        #[arg(long)]
        areas: PathBuf,
        /// GeoPackage layer of the areas (needed when the file has several).
        #[arg(long)]
        layer: Option<String>,
        /// Points (CSV with x and y columns).
        #[arg(long)]
        points: PathBuf,
        /// CRS of the points, e.g. EPSG:3006 or EPSG:4326 (any EPSG code with the
        /// `proj` feature); default: the areas' CRS.
        #[arg(long)]
        crs: Option<String>,
        /// Property (GeoJSON) or column (GeoPackage) of the areas holding the area code.
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
        /// Source areas (GeoJSON or GeoPackage polygons).
        #[arg(long)]
        from: PathBuf,
        /// GeoPackage layer of the source areas (needed when the file has several).
        #[arg(long)]
        layer: Option<String>,
        /// Property of the source areas holding the code.
        #[arg(long, default_value = "code")]
        code_field: String,
        /// Table of values per source area (CSV with a `code` column).
        #[arg(long)]
        table: PathBuf,
        /// Target zones (GeoJSON or GeoPackage polygons).
        #[arg(long)]
        to: PathBuf,
        /// GeoPackage layer of the target zones (needed when the file has several).
        #[arg(long)]
        to_layer: Option<String>,
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
        /// Areas (GeoJSON or GeoPackage polygons).
        #[arg(long)]
        areas: PathBuf,
        /// GeoPackage layer of the areas (needed when the file has several).
        #[arg(long)]
        layer: Option<String>,
        /// Property (GeoJSON) or column (GeoPackage) of the areas holding the code.
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
    let repair = cli.repair;
    match cli.command {
        Command::Demo { out, data } => {
            let mut scenario = Scenario::read(&demo_dir(data).join("scenario.toml"))?;
            scenario.inputs.repair |= repair;
            full_run(&scenario, &out)
        }
        Command::Run { scenario, out } => {
            let mut scenario = Scenario::read(&scenario)?;
            scenario.inputs.repair |= repair;
            full_run(&scenario, &out)
        }
        Command::Plan { scenario, out } => {
            let mut s = Scenario::read(&scenario)?;
            s.inputs.repair |= repair;
            if s.plan.is_none() {
                return Err(careneed::Error::Scenario {
                    location: careneed::Location::file(scenario.display().to_string())
                        .with_field("plan"),
                    message: "the scenario has no [plan] section".into(),
                });
            }
            full_run(&s, &out)
        }
        Command::Cni {
            table,
            boundaries,
            code_field,
            layer,
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
            s.inputs.repair |= repair;
            // `careneed cni` takes only the scenario's column mapping and weights:
            // its other inputs (relative to the scenario's folder, which is not
            // used here), catchments and plan are left out.
            if layer.is_some() {
                s.inputs.layer = layer;
            }
            s.inputs.bvc_table = None;
            s.inputs.municipalities = None;
            s.inputs.bvc_points = None;
            s.inputs.children = None;
            s.inputs.births = None;
            s.plan = None;
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
            outputs::write_atomic(&out, &outputs::csv::cni(&run.cni, &s.privacy())?)?;
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
            outputs::write_atomic(
                &out,
                &outputs::csv::vti(&result, &outputs::privacy::Privacy::default())?,
            )?;
            for n in report.notices.iter().chain(&result.report.notices) {
                println!("{n}");
            }
            println!("wrote {} ({} centres)", out.display(), result.centres.len());
            Ok(())
        }
        Command::Assign {
            areas,
            layer,
            points,
            crs,
            code_field,
            x,
            y,
            out,
        } => assign(
            &areas,
            &careneed::inputs::boundaries::BoundaryOptions {
                code_field,
                layer,
                repair,
                ..Default::default()
            },
            &points,
            crs.as_deref(),
            &x,
            &y,
            &out,
        ),
        Command::Interpolate {
            from,
            layer,
            code_field,
            table,
            to,
            to_layer,
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
                    repair,
                    layer,
                    ..BoundaryOptions::default()
                },
            )?;
            let (targets, r2) = read_boundaries(
                &to,
                &BoundaryOptions {
                    code_field: to_code_field,
                    repair,
                    layer: to_layer,
                    ..BoundaryOptions::default()
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
            layer,
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
            layer,
            code_field,
            table,
            bvc,
            polygons,
            listings,
            children,
            vti_table,
            out,
            repair,
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
    if let Some(p) = &run.plan {
        print_plan(p);
    }
    for f in files {
        println!("wrote {}", f.display());
    }
    Ok(())
}

/// The plan's assumptions and totals, in a few lines.
fn print_plan(p: &careneed::plan::Plan) {
    let prog = &p.spec.programme;
    println!(
        "plan: preset {}, {} visits, acceptance {}, {:.2} visits per accepting family (completion {}/({}×{}))",
        prog.preset,
        prog.visits,
        prog.acceptance,
        p.visits_per_accepting_family,
        prog.completion.visits,
        prog.completion.families,
        prog.completion.programme_visits
    );
    println!("plan: eligible families: {}", p.eligibility);
    for a in &prog.assumptions {
        println!("plan: assumption: {a}");
    }
    let unit = match p.spec.budget_unit {
        careneed::plan::BudgetUnit::Fte => "FTE",
        careneed::plan::BudgetUnit::Sek => "SEK",
    };
    let eligible: f64 = p.catchments.iter().map(|c| c.eligible_families).sum();
    let fte: f64 = p.catchments.iter().map(|c| c.resources.fte_total).sum();
    println!(
        "plan: {} catchments, {eligible:.0} eligible families a year, {fte:.2} FTE to cover all",
        p.catchments.len()
    );
    if let (Some(e), Some(g)) = (&p.exact, &p.greedy) {
        let count = |s: &careneed::plan::select::Selection| s.wave.iter().flatten().count();
        println!(
            "plan: budget {:?} {unit}: exact selects {} catchments, need {:.1} at {:.3} {unit}; greedy {} catchments, need {:.1} at {:.3} {unit}; gap {:.1} ({:.1}%)",
            p.spec.budgets,
            count(e),
            e.need,
            e.cost,
            count(g),
            g.need,
            g.cost,
            e.need - g.need,
            if e.need > 0.0 {
                (e.need - g.need) / e.need * 100.0
            } else {
                0.0
            }
        );
    }
    if let Some(e) = &p.exact {
        for (k, w) in e.waves.iter().enumerate() {
            let names: Vec<&str> = w
                .chosen
                .iter()
                .map(|&i| p.catchments[i].bvc.as_str())
                .collect();
            println!(
                "plan: wave {}: budget {} {unit} (cumulative {}), adds {} at {:.3} {unit}, need {:.1}",
                k + 1,
                w.budget,
                w.capacity,
                if names.is_empty() {
                    "nothing".to_string()
                } else {
                    names.join(", ")
                },
                w.cost,
                w.need
            );
        }
    }
    if let Some(r) = &p.robustness {
        println!(
            "plan: robustness: {} draws, seed {}, weights ±{}%, Poisson noise on counts: {}",
            r.spec.draws,
            r.spec.seed,
            r.spec.weight_spread * 100.0,
            r.spec.count_noise
        );
    }
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
    options: &careneed::inputs::boundaries::BoundaryOptions,
    points: &Path,
    crs: Option<&str>,
    x: &str,
    y: &str,
    out: &Path,
) -> careneed::Result<()> {
    use careneed::inputs::{boundaries, crs::Crs, points as pts};
    let (b, report) = boundaries::read_boundaries(areas, options)?;
    outputs::check_not_input(out, &[areas.to_path_buf(), points.to_path_buf()])?;
    let crs_error = |name: &str| {
        careneed::Error::input(
            careneed::Location::file("--crs"),
            careneed::Problem::UnsupportedCrs(name.to_string()),
        )
    };
    // A built-in CRS (or none: the areas') streams the points in blocks, never
    // holding the file whole. An EPSG code only PROJ knows (feature `proj`) reads
    // the points into memory and reprojects them to SWEREF99 TM first.
    let builtin = match crs {
        None => Some(b.crs),
        Some(name) => Crs::parse(name),
    };
    // (areas, counts CSV, outside lines, points accepted, points rejected, notices)
    let (b, counts, outside, accepted, rejected, point_report) = match builtin {
        Some(declared) => {
            let b = if declared == b.crs {
                b
            } else {
                b.to_crs(declared)?
            };
            let index = careneed::spatial::AreaIndex::new(&b);
            let file = std::fs::File::open(points).map_err(|e| careneed::Error::io(points, e))?;
            let size = file.metadata().map(|m| m.len()).unwrap_or(0);
            // The bar counts points; a points line is about 25 bytes.
            let bar = Progress::new(size / 25 + 1, "assigning points");
            // A point whose coordinates do not fit the declared CRS is an error.
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
            let counts = result.counts_csv(&b);
            let rejected = result.points.rejected.len() as u64;
            (
                b,
                counts,
                result.outside,
                result.points.accepted,
                rejected,
                point_report,
            )
        }
        None => {
            let name = crs.unwrap_or_default();
            if Crs::epsg_code(name).is_none() {
                return Err(crs_error(name));
            }
            let (mut p, point_report) = pts::read_points(points, x, y)?;
            let declared = p.declare_crs_name(name).map_err(|e| match e {
                careneed::Error::Input {
                    problem: careneed::Problem::UnsupportedCrs(_),
                    ..
                } => crs_error(name),
                other => other,
            })?;
            let b = if declared == b.crs {
                b
            } else {
                b.to_crs(declared)?
            };
            let index = careneed::spatial::AreaIndex::new(&b);
            let bar = Progress::new(p.len() as u64, "assigning points");
            let result = careneed::spatial::assign(&index, &p, &|n| bar.inc(n));
            bar.finish();
            let counts = result.counts_csv(&b);
            let (accepted, rejected) = (p.len() as u64, p.rejected.len() as u64);
            (b, counts, result.outside, accepted, rejected, point_report)
        }
    };
    outputs::write_atomic(out, &counts)?;
    use std::io::Write;
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    let io = |e| careneed::Error::io("stdout", e);
    for n in report.notices.iter().chain(&point_report.notices) {
        writeln!(w, "{n}").map_err(io)?;
    }
    for line in &outside {
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
        accepted + rejected,
        rejected,
        accepted - outside.len() as u64,
        b.areas.len(),
        outside.len()
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
    layer: Option<String>,
    code_field: String,
    table: PathBuf,
    bvc: Option<PathBuf>,
    polygons: Option<PathBuf>,
    listings: Option<PathBuf>,
    children: Option<PathBuf>,
    vti_table: Option<PathBuf>,
    out: PathBuf,
    repair: bool,
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
            repair: a.repair,
            layer: a.layer.clone(),
            ..BoundaryOptions::default()
        },
    )?;
    report.extend(r);
    careneed::inputs::validate::check_overlaps(&b, &mut report);
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
    let vti = match &a.vti_table {
        Some(p) => {
            let (t, _) = read_table(p, &TableSpec::bvc_vti())?;
            Some(careneed::scores::vti::compute(&t, &Default::default())?)
        }
        None => None,
    };
    let (c, r) = if let Some(points) = &a.bvc {
        let (bvcs, _, r) = catch::read_bvc_points(points, "bvc")?;
        report.extend(r);
        catch::nearest_bvc(&b, &bvcs, children.as_ref())?
    } else if let Some(p) = &a.polygons {
        let (polys, r) = read_boundaries(
            p,
            &BoundaryOptions {
                code_field: "bvc".into(),
                repair: a.repair,
                ..BoundaryOptions::default()
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
        // BVCs of the VTI table with no listed child are named, not dropped.
        let known: Vec<&str> = vti
            .iter()
            .flat_map(|v| v.centres.iter().map(|c| c.bvc.as_str()))
            .collect();
        catch::from_listings(&b, c, asg, "bvc", &known)?
    } else {
        return Err(careneed::Error::Compute(
            "give one of --bvc, --polygons or --listings".into(),
        ));
    };
    report.extend(r);
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
            outputs::csv::catchments(
                &summaries,
                &outputs::privacy::Privacy::default(),
                &Default::default(),
            )?,
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
