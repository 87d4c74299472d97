//! `careneed`: the command-line shell over the careneed library. It parses
//! arguments, calls the library, prints what the library reports, and exits
//! non-zero with one clear message when something is wrong.

use careneed::outputs;
use careneed::pipeline;
use careneed::report::Level;
use careneed::scenario::Scenario;
use careneed::scores::cni::{Method, Transform};
use clap::{Parser, Subcommand, ValueEnum};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

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
    /// Print nothing but errors (no notices, no summary).
    #[arg(short, long, global = true)]
    quiet: bool,
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
        /// Area table: CSV (`,` or `;`, UTF-8 or Latin-1) or a sheet of an Excel or
        /// OpenDocument workbook (.xlsx, .xls, .ods); `areas.xlsx#DeSO` names the
        /// sheet, else the workbook's only one is read.
        #[arg(long)]
        table: PathBuf,
        /// Boundaries (GeoJSON, or GeoPackage `.gpkg`) to check the codes against.
        #[arg(long)]
        boundaries: Option<PathBuf>,
        /// Property (GeoJSON) or column (GeoPackage) of the boundaries holding the
        /// area code (default: the scenario's, else `code`).
        #[arg(long)]
        code_field: Option<String>,
        /// GeoPackage layer of the boundaries (needed when the file has several).
        #[arg(long)]
        layer: Option<String>,
        /// Reference ratio R (e.g. the national value); computed from the table when absent.
        #[arg(long)]
        reference: Option<f64>,
        /// SCB's method, or SCB's plus the research variant (default: the
        /// scenario's, else scb).
        #[arg(long, value_enum)]
        method: Option<MethodArg>,
        /// Transform of the research variant (default: the scenario's, else arcsine).
        #[arg(long, value_enum)]
        transform: Option<TransformArg>,
        /// Scenario with a column mapping and weights.
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// Output CSV.
        #[arg(long)]
        out: PathBuf,
    },
    /// Translate an area table between DeSO and RegSO with SCB's keys (shipped):
    /// sum DeSO counts to RegSO, or spread RegSO counts to DeSO by population.
    Translate {
        /// Area table (code, population, optionally name, the CNI variables, other counts).
        #[arg(long)]
        table: PathBuf,
        /// The level to translate to.
        #[arg(long, value_enum)]
        to: TargetArg,
        /// DeSO version of the key (2018: RegSO 2020; 2025: RegSO 2025). To RegSO,
        /// default: the version the codes show; to DeSO it must be given.
        #[arg(long, value_parser = ["2018", "2025"])]
        version: Option<String>,
        /// DeSO populations for spreading to DeSO (a table with code and population);
        /// without it, the DeSO of a RegSO get equal shares (an assumption, noted).
        #[arg(long)]
        population: Option<PathBuf>,
        /// Output CSV.
        #[arg(long)]
        out: PathBuf,
    },
    /// Compute VTI, weighted newborns and nurse time by the staffing norm per BVC.
    Vti {
        /// Per-BVC table: bvc, newborns, first_born, bcg_indicated, mother_smoking,
        /// optionally nurse_fte (default: the scenario's inputs.bvc_table); CSV or
        /// .xlsx/.xls/.ods (`file.xlsx#Sheet` names the sheet).
        #[arg(long)]
        table: Option<PathBuf>,
        /// Scenario with the VTI norms and the privacy threshold.
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// Output CSV.
        #[arg(long)]
        out: PathBuf,
    },
    /// Assign geocoded points (CSV with x, y columns) to areas and count them per area.
    Assign {
        /// Areas (GeoJSON or GeoPackage polygons; default: the scenario's inputs.boundaries).
        #[arg(long)]
        areas: Option<PathBuf>,
        /// GeoPackage layer of the areas (needed when the file has several).
        #[arg(long)]
        layer: Option<String>,
        /// Points (CSV with x and y columns; default: the scenario's inputs.children).
        #[arg(long)]
        points: Option<PathBuf>,
        /// Scenario with the boundaries' settings and the privacy threshold.
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// CRS of the points, e.g. EPSG:3006 or EPSG:4326 (any EPSG code with the
        /// `proj` feature); default: the areas' CRS.
        #[arg(long)]
        crs: Option<String>,
        /// Property (GeoJSON) or column (GeoPackage) of the areas holding the area
        /// code (default: the scenario's, else `code`).
        #[arg(long)]
        code_field: Option<String>,
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
        /// Property (GeoJSON) or column (GeoPackage) of the source areas holding the
        /// code (default: the scenario's, else `code`).
        #[arg(long)]
        code_field: Option<String>,
        /// Table of values per source area with a `code` column: CSV or
        /// .xlsx/.xls/.ods (`file.xlsx#Sheet` names the sheet).
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
        /// Scenario with the privacy threshold.
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// Output CSV (target code column first).
        #[arg(long)]
        out: PathBuf,
    },
    /// BVC catchments with population, children 0–5, CNI and VTI, built from BVC
    /// points (nearest BVC), given catchment polygons, or listings: the same
    /// computation as `run`, from a scenario, flags, or a scenario with flags
    /// overriding its inputs.
    Catchments {
        /// Scenario: inputs, column mapping, weights, reference and privacy.
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// Areas (GeoJSON or GeoPackage polygons).
        #[arg(long)]
        areas: Option<PathBuf>,
        /// GeoPackage layer of the areas (needed when the file has several).
        #[arg(long)]
        layer: Option<String>,
        /// Property (GeoJSON) or column (GeoPackage) of the areas holding the code.
        #[arg(long)]
        code_field: Option<String>,
        /// Area table for population and CNI: CSV or .xlsx/.xls/.ods
        /// (`file.xlsx#Sheet` names the sheet).
        #[arg(long)]
        table: Option<PathBuf>,
        /// BVC points (GeoJSON, property `bvc`): each area goes to the nearest BVC.
        #[arg(long, group = "method")]
        bvc: Option<PathBuf>,
        /// Catchment polygons (GeoJSON, property `bvc` holds the BVC id).
        #[arg(long, group = "method")]
        polygons: Option<PathBuf>,
        /// Children listed at BVCs (CSV x,y,…,bvc in the areas' CRS).
        #[arg(long, group = "method")]
        listings: Option<PathBuf>,
        /// Property or column holding the BVC id in the points, polygons or listings.
        #[arg(long)]
        bvc_field: Option<String>,
        /// Geocoded children (CSV x,y) for counts and population-weighted centroids.
        #[arg(long)]
        children: Option<PathBuf>,
        /// Per-BVC VTI table (CSV or .xlsx/.xls/.ods), to add VTI per catchment.
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
    /// Build the area table from Statistikdatabasen tables (JSON-stat 2.0, PX or
    /// SCB's CSV export) by a mapping file; writes the table and, beside it, its
    /// coverage report (<out stem>.coverage.json and .md).
    Import {
        /// Folder with the tables: each table's `file` in the mapping, else
        /// `<key>.json`, `<key>.px` or `<key>.csv`.
        #[arg(long)]
        input: PathBuf,
        /// Mapping (TOML); default: the shipped mapping for SCB's DeSO tables
        /// (data/statdb/scb_deso.toml, its codes unverified).
        #[arg(long)]
        mapping: Option<PathBuf>,
        /// Output area table (CSV, UTF-8, `,`), e.g. areas.csv.
        #[arg(long)]
        out: PathBuf,
        /// First download the mapped tables from the PxWeb API v2 into --input as
        /// `<key>.json` (JSON-stat 2.0), replacing earlier downloads; needs the
        /// tables' `id` in the mapping and a careneed built with the cargo feature
        /// `fetch`. Keeps SCB's limits: 10 calls per 10 s, --cell-limit values per call.
        #[arg(long)]
        fetch: bool,
        /// The PxWeb API v2 base URL for --fetch.
        #[arg(long, default_value = "https://statistikdatabasen.scb.se/api/v2/")]
        api: String,
        /// The most values (cells) one --fetch call asks for; larger selections
        /// are split (SCB's limit: 100 000).
        #[arg(long, default_value_t = 100_000)]
        cell_limit: usize,
        /// The timeout of one --fetch call, in seconds.
        #[arg(long, default_value_t = 120)]
        timeout: u64,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum TargetArg {
    /// Sum DeSO to RegSO.
    Regso,
    /// Spread RegSO to DeSO.
    Deso,
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

/// Where the CLI's text goes: data to stdout, notices to stderr, always; the
/// summary to stdout, or to stderr when stdout carries data (`--out -`); nothing
/// but errors with `--quiet`.
struct Out {
    quiet: bool,
    data_on_stdout: AtomicBool,
    terminal: bool,
}

static OUT: OnceLock<Out> = OnceLock::new();

fn out() -> &'static Out {
    OUT.get_or_init(|| Out {
        quiet: false,
        data_on_stdout: AtomicBool::new(false),
        terminal: false,
    })
}

/// A summary line (see [`Out`]).
fn say_line(args: std::fmt::Arguments) {
    let o = out();
    if o.quiet {
    } else if o.data_on_stdout.load(Ordering::Relaxed) {
        eprintln!("{args}");
    } else {
        println!("{args}");
    }
}

macro_rules! say {
    ($($t:tt)*) => { say_line(format_args!($($t)*)) };
}

/// A progress line: to stderr, unless `--quiet`.
#[allow(unused_macros)]
macro_rules! note {
    ($($t:tt)*) => {
        if !out().quiet {
            eprintln!($($t)*);
        }
    };
}

/// On a terminal, notices of one kind shown before the rest are counted.
const NOTICES_PER_KIND: usize = 10;

/// Prints notices to stderr: every one, or on a terminal the first
/// [`NOTICES_PER_KIND`] of each kind and then how many more, and where they are
/// listed (`listed`: e.g. "listed in run_report.json").
fn print_notice_lines<'a>(notices: impl IntoIterator<Item = (&'a str, String)>, listed: &str) {
    let o = out();
    if o.quiet {
        return;
    }
    use std::io::Write;
    // Buffered: a run may list millions of points outside every area.
    let mut w = std::io::BufWriter::new(std::io::stderr().lock());
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (kind, text) in notices {
        let n = seen.entry(kind).or_default();
        *n += 1;
        if !o.terminal || *n <= NOTICES_PER_KIND {
            // A closed stderr is no reason to fail the run.
            let _ = writeln!(w, "{text}");
        }
    }
    let _ = w.flush();
    drop(w);
    if o.terminal {
        for (kind, n) in seen {
            if n > NOTICES_PER_KIND {
                eprintln!(
                    "and {} more {kind} notices{}",
                    n - NOTICES_PER_KIND,
                    if listed.is_empty() {
                        String::new()
                    } else {
                        format!(", {listed}")
                    }
                );
            }
        }
    }
}

/// Writes a single-file output: to stdout for `-`, else atomically to the file
/// (refusing an input's path).
fn write_output(path: &Path, bytes: &[u8], inputs: &[PathBuf]) -> careneed::Result<()> {
    use std::io::Write;
    if path.as_os_str() == careneed::inputs::STDIN {
        let mut stdout = std::io::stdout().lock();
        return stdout
            .write_all(bytes)
            .and_then(|()| stdout.flush())
            .map_err(|e| careneed::Error::io("stdout", e));
    }
    outputs::check_not_input(path, inputs)?;
    outputs::write_atomic(path, bytes)
}

/// How an output path is named in the summary.
fn shown(path: &Path) -> String {
    if path.as_os_str() == careneed::inputs::STDIN {
        "stdout".into()
    } else {
        path.display().to_string()
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = OUT.set(Out {
        quiet: cli.quiet,
        data_on_stdout: AtomicBool::new(false),
        terminal: std::io::stderr().is_terminal(),
    });
    match run(cli) {
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

/// The scenario file, or an empty scenario (flags give its inputs).
fn scenario_or_default(path: Option<&Path>) -> careneed::Result<Scenario> {
    match path {
        Some(p) => Scenario::read(p),
        None => Ok(Scenario::default()),
    }
}

/// A path given on the command line, made absolute so that it is read from the
/// current folder even inside a scenario (whose own paths are relative to it).
fn from_cwd(path: PathBuf) -> PathBuf {
    if path.as_os_str() == careneed::inputs::STDIN {
        return path;
    }
    std::path::absolute(&path).unwrap_or(path)
}

fn run(cli: Cli) -> careneed::Result<()> {
    let repair = cli.repair;
    // A single-file output on stdout: the summary goes to stderr.
    let on_stdout = match &cli.command {
        Command::Cni { out, .. }
        | Command::Vti { out, .. }
        | Command::Assign { out, .. }
        | Command::Interpolate { out, .. }
        | Command::Translate { out, .. } => out.as_os_str() == careneed::inputs::STDIN,
        _ => false,
    };
    out().data_on_stdout.store(on_stdout, Ordering::Relaxed);
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
            let mut s = scenario_or_default(scenario.as_deref())?;
            s.inputs.areas = Some(from_cwd(table));
            s.inputs.boundaries = boundaries.map(from_cwd);
            if code_field.is_some() {
                s.inputs.code_field = code_field;
            }
            s.inputs.repair |= repair;
            // `careneed cni` takes the scenario's column mapping, weights,
            // reference and privacy threshold: its other inputs, catchments and
            // plan are left out.
            if layer.is_some() {
                s.inputs.layer = layer;
            }
            s.inputs.bvc_table = None;
            s.inputs.municipalities = None;
            s.inputs.bvc_points = None;
            s.inputs.catchment_polygons = None;
            s.inputs.listings = None;
            s.inputs.children = None;
            s.inputs.births = None;
            s.plan = None;
            if reference.is_some() {
                s.cni.reference = reference;
            }
            // A flag wins; otherwise the scenario's setting stands.
            if let Some(m) = method {
                s.cni.method = Some(match m {
                    MethodArg::Scb => Method::Scb,
                    MethodArg::Research => Method::Research,
                });
            }
            if let Some(t) = transform {
                s.cni.transform = Some(match t {
                    TransformArg::Arcsine => Transform::Arcsine,
                    TransformArg::Log => Transform::Log,
                });
            }
            let run = pipeline::run(&s)?;
            let released = run.release();
            write_output(&out, &outputs::csv::cni(&released)?, &run.input_paths())?;
            print_notices(&released, "");
            say!("{}", run.cni.reference.description());
            say!("wrote {} ({} areas)", shown(&out), run.cni.areas.len());
            Ok(())
        }
        Command::Translate {
            table,
            to,
            version,
            population,
            out,
        } => {
            use careneed::inputs::codes::{self, DesoVersion, Target};
            use careneed::inputs::table::{TableSpec, read_table};
            let mut spec = TableSpec::areas();
            spec.deliver_cni();
            let (t, mut notices) = read_table(&table, &spec)?;
            let pops = match &population {
                Some(p) => {
                    let (pt, r) = read_table(p, &spec)?;
                    notices.extend(r);
                    Some(codes::populations(&pt)?)
                }
                None => None,
            };
            // clap admits only 2018 and 2025.
            let version = version.as_deref().and_then(DesoVersion::from_year);
            let target = match to {
                TargetArg::Regso => Target::Regso,
                TargetArg::Deso => Target::Deso,
            };
            let (result, _, r) = codes::translate(&t, target, version, pops.as_ref())?;
            notices.extend(r);
            let mut inputs = vec![table.clone()];
            inputs.extend(population.clone());
            write_output(&out, result.to_csv().as_bytes(), &inputs)?;
            print_notice_lines(
                notices
                    .notices
                    .iter()
                    .filter(|n| {
                        n.kind == "translate" || n.kind == "spread_equal" || n.level != Level::Info
                    })
                    .map(|n| (n.kind.as_str(), n.to_string())),
                "",
            );
            say!("wrote {} ({} rows)", shown(&out), result.rows.len());
            Ok(())
        }
        Command::Vti {
            table,
            scenario,
            out,
        } => {
            let s = scenario_or_default(scenario.as_deref())?;
            let table = match table {
                Some(t) => from_cwd(t),
                None => s
                    .inputs
                    .bvc_table
                    .as_ref()
                    .map(|p| s.resolve(p))
                    .ok_or_else(|| careneed::Error::Scenario {
                        location: careneed::Location::file(s.source.clone())
                            .with_field("inputs.bvc_table"),
                        message: "give --table or a scenario with inputs.bvc_table".into(),
                    })?,
            };
            let vti = pipeline::vti_table(&s, &table)?;
            let released = vti.release(&s);
            write_output(&out, &outputs::csv::vti(&released)?, &[table])?;
            print_notices(&released, "");
            say!(
                "wrote {} ({} centres)",
                shown(&out),
                vti.result.centres.len()
            );
            Ok(())
        }
        Command::Assign {
            areas,
            layer,
            points,
            scenario,
            crs,
            code_field,
            x,
            y,
            out,
        } => {
            let s = scenario_or_default(scenario.as_deref())?;
            let missing = |key: &str, flag: &str| careneed::Error::Scenario {
                location: careneed::Location::file(s.source.clone()).with_field(key),
                message: format!("give {flag} or a scenario with {key}"),
            };
            let areas = match areas {
                Some(a) => from_cwd(a),
                None => s
                    .inputs
                    .boundaries
                    .as_ref()
                    .map(|p| s.resolve(p))
                    .ok_or_else(|| missing("inputs.boundaries", "--areas"))?,
            };
            let points = match points {
                Some(p) => from_cwd(p),
                None => s
                    .inputs
                    .children
                    .as_ref()
                    .map(|p| s.resolve(p))
                    .ok_or_else(|| missing("inputs.children", "--points"))?,
            };
            let options = careneed::inputs::boundaries::BoundaryOptions {
                code_field: code_field
                    .or_else(|| s.inputs.code_field.clone())
                    .unwrap_or_else(|| "code".into()),
                layer: layer.or_else(|| s.inputs.layer.clone()),
                repair: repair || s.inputs.repair,
                ..Default::default()
            };
            outputs::check_not_input(&out, &[areas.clone(), points.clone()])?;
            // The bar counts points; a points line is about 25 bytes.
            let size = std::fs::metadata(&points).map(|m| m.len()).unwrap_or(0);
            let bar = Progress::new(size / 25 + 1, "assigning points");
            let run = pipeline::assign_points(
                &areas,
                &options,
                &points,
                crs.as_deref(),
                (&x, &y),
                &|n| bar.inc(n),
            )?;
            bar.finish();
            let released = run.release(s.privacy());
            write_output(
                &out,
                &outputs::csv::released_table(&released, "code")?,
                &[areas.clone(), points.clone()],
            )?;
            let withheld = released.totals.iter().any(|t| t.is_withheld());
            print_assign(&run, withheld, &points, &out)
        }
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
            scenario,
            out,
        } => {
            use careneed::inputs::boundaries::BoundaryOptions;
            use careneed::spatial::interpolate::{InterpolateSpec, Missing};
            let s = scenario_or_default(scenario.as_deref())?;
            let repair = repair || s.inputs.repair;
            let options = |code_field, layer| BoundaryOptions {
                code_field,
                repair,
                layer,
                ..BoundaryOptions::default()
            };
            let mut inputs = vec![from.clone(), table.clone(), to.clone()];
            inputs.extend(population.clone());
            let code_field = code_field
                .or_else(|| s.inputs.code_field.clone())
                .unwrap_or_else(|| "code".into());
            let request = pipeline::InterpolateRequest {
                from: (from, options(code_field, layer)),
                to: (to, options(to_code_field, to_layer)),
                table,
                population,
                spec: InterpolateSpec {
                    missing: match missing {
                        MissingArg::Error => Missing::Error,
                        MissingArg::Skip => Missing::Skip,
                        MissingArg::Zero => Missing::Zero,
                    },
                    ..InterpolateSpec::new(
                        &extensive.iter().map(String::as_str).collect::<Vec<_>>(),
                        &intensive.iter().map(String::as_str).collect::<Vec<_>>(),
                    )
                },
            };
            let run = pipeline::interpolate(&request)?;
            let released = run.release(s.privacy());
            write_output(
                &out,
                &outputs::csv::released_table(&released, "code")?,
                &inputs,
            )?;
            print_notice_lines(
                run.report
                    .notices
                    .iter()
                    .map(|n| (n.kind.as_str(), n.to_string())),
                "",
            );
            for ((c, i), o) in run
                .result
                .columns
                .iter()
                .zip(&run.result.totals_in)
                .zip(&released.totals)
            {
                // The total in is withheld with the total out: the two are
                // equal when every source is covered, so either would give a
                // withheld count back by difference from the shown ones.
                match o {
                    careneed::release::Cell::Shown(o) => {
                        say!("{c}: total in {i}, total out {o}")
                    }
                    _ => say!(
                        "{c}: total in and total out withheld (the output includes a withheld count)"
                    ),
                }
            }
            say!("wrote {} ({} zones)", shown(&out), run.result.targets.len());
            Ok(())
        }
        Command::Catchments {
            scenario,
            areas,
            layer,
            code_field,
            table,
            bvc,
            polygons,
            listings,
            bvc_field,
            children,
            vti_table,
            out,
        } => {
            let mut s = scenario_or_default(scenario.as_deref())?;
            let i = &mut s.inputs;
            i.repair |= repair;
            let set = |slot: &mut Option<PathBuf>, flag: Option<PathBuf>| {
                if let Some(p) = flag {
                    *slot = Some(from_cwd(p));
                }
            };
            set(&mut i.boundaries, areas);
            set(&mut i.areas, table);
            set(&mut i.children, children);
            set(&mut i.bvc_table, vti_table);
            if bvc.is_some() || polygons.is_some() || listings.is_some() {
                i.bvc_points = None;
                i.catchment_polygons = None;
                i.listings = None;
                set(&mut i.bvc_points, bvc);
                set(&mut i.catchment_polygons, polygons);
                set(&mut i.listings, listings);
            }
            if code_field.is_some() {
                i.code_field = code_field;
            }
            if layer.is_some() {
                i.layer = layer;
            }
            if bvc_field.is_some() {
                i.bvc_field = bvc_field;
            }
            // The catchments do not depend on the plan: leave it out.
            s.plan = None;
            if s.inputs.boundaries.is_none() {
                return Err(careneed::Error::Scenario {
                    location: careneed::Location::file(s.source.clone())
                        .with_field("inputs.boundaries"),
                    message: "give --areas or a scenario with inputs.boundaries".into(),
                });
            }
            let run = pipeline::run(&s)?;
            let released = run.release();
            if released.catchment_geometry.is_none() {
                return Err(careneed::Error::Scenario {
                    location: careneed::Location::file(s.source.clone())
                        .with_field("inputs.bvc_points"),
                    message: "give one of --bvc, --polygons or --listings (or a scenario with inputs.bvc_points, inputs.catchment_polygons or inputs.listings)".into(),
                });
            }
            let spec = s.map_spec()?;
            std::fs::create_dir_all(&out).map_err(|e| careneed::Error::io(&out, e))?;
            let classes = outputs::map::catchment_classes(&released, &spec);
            let files = [
                (
                    out.join("catchments.geojson"),
                    outputs::geojson::catchments(&released, &classes)?,
                ),
                (
                    out.join("catchments.csv"),
                    outputs::csv::catchments(&released)?,
                ),
            ];
            let inputs = run.input_paths();
            for (path, bytes) in &files {
                outputs::check_not_input(path, &inputs)?;
                outputs::write_atomic(path, bytes)?;
            }
            print_notices(&released, "");
            let uncovered = run
                .catchments
                .as_ref()
                .map_or(0, |c| c.catchments.uncovered.len());
            say!(
                "{} catchments, {uncovered} areas uncovered",
                released.catchments.len()
            );
            for (path, _) in &files {
                say!("wrote {}", path.display());
            }
            Ok(())
        }
        Command::Synth { out } => {
            let region = careneed::synth::generate(&careneed::synth::SynthConfig::gavleborg())?;
            for p in region.write(&out)? {
                say!("wrote {}", p.display());
            }
            Ok(())
        }
        Command::Import {
            input,
            mapping,
            out,
            fetch,
            api,
            cell_limit,
            timeout,
        } => {
            use careneed::inputs::statdb::mapping::{Mapping, import_dir};
            let mapping = match mapping {
                Some(p) => Mapping::read(&p)?,
                None => Mapping::shipped()?,
            };
            let imported = if fetch {
                fetch_and_import(&mapping, &input, api, cell_limit, timeout)?
            } else {
                import_dir(&mapping, &input)?
            };
            print_notice_lines(
                imported
                    .report
                    .notices
                    .iter()
                    .map(|n| (n.kind.as_str(), n.to_string())),
                "",
            );
            say!(
                "{} areas; coverage by variable (mapping {}):",
                imported.rows.len(),
                mapping.source
            );
            for line in imported.coverage.summary() {
                say!("  {line}");
            }
            for p in imported.write(&out)? {
                say!("wrote {}", p.display());
            }
            Ok(())
        }
    }
}

/// `careneed import --fetch`: downloads the tables, then imports those files.
#[cfg(feature = "fetch")]
fn fetch_and_import(
    mapping: &careneed::inputs::statdb::mapping::Mapping,
    input: &Path,
    api: String,
    cell_limit: usize,
    timeout: u64,
) -> careneed::Result<careneed::inputs::statdb::mapping::Imported> {
    use careneed::inputs::statdb::fetch::{FetchOptions, SystemClock, UreqTransport, fetch_tables};
    let options = FetchOptions {
        api,
        cell_limit,
        ..FetchOptions::default()
    };
    note!(
        "fetching {} tables from {} (at most {} calls per {} s, {} values per call)",
        mapping.used_tables().len(),
        options.api,
        options.max_calls,
        options.window.as_secs(),
        options.cell_limit
    );
    let mut transport = UreqTransport::new(std::time::Duration::from_secs(timeout.max(1)));
    let mut clock = SystemClock::new();
    let report = fetch_tables(
        mapping,
        input,
        &options,
        &mut transport,
        &mut clock,
        &mut |line| note!("{line}"),
    )?;
    note!(
        "fetched {} tables in {} calls ({:.1} s waiting for the rate limit)",
        report.tables.len(),
        report.calls,
        report.waited.as_secs_f64()
    );
    careneed::inputs::statdb::mapping::import_files(mapping, &report.files())
}

/// Without the feature `fetch`: an error saying how to get it.
#[cfg(not(feature = "fetch"))]
fn fetch_and_import(
    _: &careneed::inputs::statdb::mapping::Mapping,
    _: &Path,
    _: String,
    _: usize,
    _: u64,
) -> careneed::Result<careneed::inputs::statdb::mapping::Imported> {
    Err(careneed::Error::Compute(
        "this careneed was built without the cargo feature `fetch`: install it with \
         `cargo install careneed --features fetch` (or run `cargo run --features fetch -- import --fetch …`), \
         or download the tables by hand and run careneed import without --fetch"
            .into(),
    ))
}

fn full_run(scenario: &Scenario, out: &Path) -> careneed::Result<()> {
    let run = pipeline::run(scenario)?;
    let released = run.release();
    let files = outputs::write_all(&released, &scenario.map_spec()?, out)?;
    print_notices(&released, "listed in run_report.json");
    say!("{}", run.cni.reference.description());
    let with_cni = run.areas.iter().filter(|a| a.cni.is_some()).count();
    say!(
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
    if let Some(p) = &released.plan {
        print_plan(p, released.catchments.len());
    }
    for f in files {
        say!("wrote {}", f.display());
    }
    Ok(())
}

/// A released value as text: the number, the marker when withheld.
fn text(c: careneed::release::Cell, decimals: usize) -> String {
    match c {
        careneed::release::Cell::Shown(x) => format!("{x:.decimals$}"),
        careneed::release::Cell::Withheld => careneed::release::MARKER.into(),
        careneed::release::Cell::Missing => "-".into(),
    }
}

/// The plan's assumptions and totals, in a few lines.
fn print_plan(p: &careneed::release::ReleasedPlan, catchments: usize) {
    let prog = &p.spec.programme;
    say!(
        "plan: preset {}, {} visits, acceptance {}, {:.2} visits per accepting family (completion {}/({}×{}))",
        prog.preset,
        prog.visits,
        prog.acceptance,
        p.visits_per_accepting_family,
        prog.completion.visits,
        prog.completion.families,
        prog.completion.programme_visits
    );
    say!("plan: eligible families: {}", p.eligibility);
    say!(
        "plan: staff and cost are the extra over the basic programme's {} home visits (subtracted from the nurse's)",
        prog.basic_home_visits
    );
    for a in &prog.assumptions() {
        say!("plan: assumption: {a}");
    }
    let unit = match p.spec.budget_unit {
        careneed::plan::BudgetUnit::Fte => "FTE",
        careneed::plan::BudgetUnit::Sek => "SEK",
    };
    say!(
        "plan: {catchments} catchments, {} eligible families a year, {} FTE to cover all",
        text(p.total_eligible, 0),
        text(p.total_fte, 2)
    );
    if let (Some(e), Some(g)) = (&p.exact, &p.greedy) {
        let gap = match (p.gap, e.need) {
            (careneed::release::Cell::Shown(gap), careneed::release::Cell::Shown(n)) if n > 0.0 => {
                format!("{gap:.1} ({:.1}%)", gap / n * 100.0)
            }
            (gap, _) => text(gap, 1),
        };
        say!(
            "plan: budget {:?} {unit}: exact selects {} catchments, need {} at {} {unit}; greedy {} catchments, need {} at {} {unit}; gap {gap}",
            p.spec.budgets,
            e.selected,
            text(e.need, 1),
            text(e.cost, 3),
            g.selected,
            text(g.need, 1),
            text(g.cost, 3),
        );
    }
    if let Some(e) = &p.exact {
        if !e.running.chosen.is_empty() {
            let names: Vec<&str> = e.running.chosen.iter().map(|(b, _)| b.as_str()).collect();
            say!(
                "plan: wave 0 (running, locked in, outside the budgets): {} at {} {unit}, need {}",
                names.join(", "),
                text(e.running.cost, 3),
                text(e.running.need, 1)
            );
        }
        for (k, w) in e.waves.iter().enumerate() {
            let names: Vec<&str> = w.chosen.iter().map(|(bvc, _)| bvc.as_str()).collect();
            say!(
                "plan: wave {}: budget {} {unit} (cumulative {}), adds {} at {} {unit}, need {}",
                k + 1,
                w.budget,
                w.capacity,
                if names.is_empty() {
                    "nothing".to_string()
                } else {
                    names.join(", ")
                },
                text(w.cost, 3),
                text(w.need, 1)
            );
        }
    }
    if let (Some(b), Some((visits, nurse, social))) = (&p.spec.barnsakert, p.barnsakert) {
        say!(
            "plan: BarnSäkert, a competing demand on the same staff: {} home visits a year, {} nurse FTE (region), {} social services FTE (municipality); {} (assumptions: {} positive, {} visits each, {} with social services)",
            text(visits, 0),
            text(nurse, 2),
            text(social, 2),
            if b.in_budget {
                "taken from wave 1's budget"
            } else {
                "reported beside the plan"
            },
            b.positive_share,
            b.visits_per_family,
            b.social_services_share
        );
    }
    if let Some(r) = &p.spec.robustness {
        say!(
            "plan: robustness: {} draws, seed {}, weights ±{}%, Poisson noise on counts: {}",
            r.draws,
            r.seed,
            r.weight_spread * 100.0,
            r.count_noise
        );
    }
}

/// Prints warnings (all of them: each is an area a planner must know about) and
/// informational notes, as released.
fn print_notices(r: &careneed::release::Release, listed: &str) {
    print_notice_lines(
        r.notices
            .iter()
            .filter(|n| !(n.level == Level::Info && n.kind == "reference"))
            .map(|n| (n.kind.as_str(), n.to_string())),
        listed,
    );
}

/// What `careneed assign` prints: the notices, each point outside every area
/// (file and line), the totals.
fn print_assign(
    run: &pipeline::AssignRun,
    withheld: bool,
    points: &Path,
    out: &Path,
) -> careneed::Result<()> {
    let points_name = if points.as_os_str() == careneed::inputs::STDIN {
        "stdin".to_string()
    } else {
        points.display().to_string()
    };
    print_notice_lines(
        run.report
            .notices
            .iter()
            .map(|n| (n.kind.as_str(), n.to_string()))
            .chain(run.outside.iter().map(|line| {
                (
                    "outside",
                    format!("warning: {points_name}, line {line}: the point lies in no area"),
                )
            })),
        "",
    );
    if withheld {
        // The points assigned are the total of the counts, and follow from the
        // points read less those rejected and outside: with a count withheld,
        // neither is printed (they would give it back by difference).
        say!(
            "{} rejected, {} outside every area; the points read and assigned to the {} areas are withheld (their total includes a withheld count)",
            run.rejected,
            run.outside.len(),
            run.boundaries.areas.len()
        );
    } else {
        say!(
            "{} points read, {} rejected, {} assigned to {} areas, {} outside every area",
            run.accepted + run.rejected,
            run.rejected,
            run.accepted - run.outside.len() as u64,
            run.boundaries.areas.len(),
            run.outside.len()
        );
    }
    say!("wrote {}", shown(out));
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
