//! The hostile-input corpus (`tests/hostile/`): files a busy person might feed
//! careneed (the wrong file, the wrong year, Excel's idea of a CSV, broken
//! polygons, …), each with its expected outcome in `tests/hostile/cases.toml`: a
//! specific error (variant, location, words of the message) or a reported repair
//! (notice kinds, rows kept, points rejected). Every error must name its file and
//! stay short; no file in the corpus may be left without a case. Inputs too big to
//! commit (a 100 MB line, deeply nested JSON) are generated here into a temp dir.
//! A few cases also run through the CLI: exit status not 0, no panic, a clear
//! message.
//!
//! Regression tests for bugs the corpus and the fuzzers found follow the runner.

use careneed::inputs::boundaries::{BoundaryOptions, parse_boundaries, read_boundaries};
use careneed::inputs::crs::Crs;
use careneed::inputs::point_stream::stream_points;
use careneed::inputs::points::{parse_points, read_points};
use careneed::inputs::table::{TableSpec, read_table};
use careneed::scenario::Scenario;
use careneed::scores::cni;
use careneed::{Error, Report};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile")
}

#[derive(Debug, Deserialize)]
struct Manifest {
    case: Vec<Case>,
}

/// One case of `cases.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// The file, relative to `tests/hostile`.
    file: String,
    /// What it is fed to: `areas`, `bvc`, `births` (table readers), `areas_cni`
    /// (area table, then SCB's CNI), `boundaries`, `boundaries_repair`, `points`,
    /// `points_sweref`, `points_wgs84` (points, then the CRS declared), `scenario`
    /// (read, then its CNI and plan specs), `statdb_table` (a Statistikdatabasen
    /// table: JSON-stat, PX or SCB's CSV export, by extension), `statdb_mapping` (an
    /// import mapping, applied to the tables in `tests/fixtures/statdb`).
    api: String,
    /// What the case is about.
    why: String,
    /// The expected error: a [`careneed::Problem`] variant, or `Scenario`, `Io`,
    /// `Compute`. Absent: the input must be read (with the notices below).
    error: Option<String>,
    line: Option<u64>,
    /// The sheet and cell (A1 style) of an error in a workbook.
    sheet: Option<String>,
    cell: Option<String>,
    feature: Option<usize>,
    field: Option<String>,
    /// Words the error's message (or, when reading succeeds, some notice) holds.
    #[serde(default)]
    message: Vec<String>,
    /// Rows read (tables) or points accepted (points).
    rows: Option<usize>,
    /// The lines of rejected points.
    #[serde(default)]
    rejected: Vec<u64>,
    /// Notice kinds the report must hold.
    #[serde(default)]
    notices: Vec<String>,
    /// Also run through the CLI with these arguments (`{file}` is the case's file,
    /// `{out}` a temp output file): exit status not 0 when `error` is set.
    #[serde(default)]
    cli: Vec<String>,
    /// The CLI must fail although the library reads the file (e.g. an empty
    /// scenario, or one naming a missing file), its message holding these words.
    #[serde(default)]
    cli_fails_with: Vec<String>,
}

#[derive(Debug)]
struct Read {
    rows: usize,
    rejected: Vec<u64>,
    report: Report,
}

fn run(api: &str, path: &Path) -> Result<Read, Error> {
    let table = |spec: TableSpec| {
        read_table(path, &spec).map(|(t, report)| Read {
            rows: t.rows.len(),
            rejected: Vec::new(),
            report,
        })
    };
    let boundaries = |repair: bool| {
        let options = BoundaryOptions {
            repair,
            ..BoundaryOptions::default()
        };
        read_boundaries(path, &options).map(|(b, report)| Read {
            rows: b.areas.len(),
            rejected: Vec::new(),
            report,
        })
    };
    let points = |crs: Option<Crs>| {
        let (mut p, report) = read_points(path, "x", "y")?;
        if let Some(crs) = crs {
            p.declare_crs(crs)?;
        }
        Ok(Read {
            rows: p.coords.len(),
            rejected: p.rejected.iter().map(|r| r.0).collect(),
            report,
        })
    };
    match api {
        "areas" => table(TableSpec::areas()),
        "bvc" => table(TableSpec::bvc_vti()),
        "births" => table(TableSpec::births()),
        "areas_cni" => {
            let (t, mut report) = read_table(path, &TableSpec::areas())?;
            let result = cni::compute(&t, &cni::CniSpec::default())?;
            report.extend(result.report.clone());
            Ok(Read {
                rows: result.areas.iter().filter(|a| a.cni.is_some()).count(),
                rejected: Vec::new(),
                report,
            })
        }
        "boundaries" => boundaries(false),
        "boundaries_repair" => boundaries(true),
        "points" => points(None),
        "points_sweref" => points(Some(Crs::Sweref99Tm)),
        "points_wgs84" => points(Some(Crs::Wgs84)),
        "scenario" => {
            let s = Scenario::read(path)?;
            s.cni_spec()?;
            s.plan_spec()?;
            Ok(Read {
                rows: 0,
                rejected: Vec::new(),
                report: Report::default(),
            })
        }
        "statdb_table" => {
            let cube = careneed::inputs::statdb::read_cube(path)?;
            Ok(Read {
                rows: cube.values.len(),
                rejected: Vec::new(),
                report: Report::default(),
            })
        }
        "statdb_mapping" => {
            use careneed::inputs::statdb::mapping::{Mapping, import_dir};
            let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/statdb");
            let imported = import_dir(&Mapping::read(path)?, &fixtures)?;
            Ok(Read {
                rows: imported.rows.len(),
                rejected: Vec::new(),
                report: imported.report,
            })
        }
        other => panic!("unknown api {other:?}"),
    }
}

/// The error's kind: the [`careneed::Problem`] variant of an input error, else the
/// [`Error`] variant.
fn kind(error: &Error) -> String {
    match error {
        Error::Input { problem, .. } => format!("{problem:?}")
            .split(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or_default()
            .to_string(),
        Error::Scenario { .. } => "Scenario".into(),
        Error::Io { .. } => "Io".into(),
        Error::Compute(_) => "Compute".into(),
        other => format!("{other:?}"),
    }
}

fn check(case: &Case) -> Result<(), String> {
    let path = corpus().join(&case.file);
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let outcome =
        std::panic::catch_unwind(|| run(&case.api, &path)).map_err(|_| "panicked".to_string())?;
    match (&case.error, outcome) {
        (Some(expected), Err(e)) => {
            let message = e.to_string();
            let got = kind(&e);
            if &got != expected {
                return Err(format!("expected {expected}, got {got}: {message}"));
            }
            if !message.contains(&name) {
                return Err(format!("the message does not name the file: {message}"));
            }
            if message.len() > 600 {
                return Err(format!("the message is {} bytes long", message.len()));
            }
            let location = e.location().cloned().unwrap_or_default();
            if case.line.is_some() && location.line != case.line {
                return Err(format!(
                    "line {:?}, expected {:?}: {message}",
                    location.line, case.line
                ));
            }
            if case.sheet.is_some() && location.sheet != case.sheet {
                return Err(format!(
                    "sheet {:?}, expected {:?}: {message}",
                    location.sheet, case.sheet
                ));
            }
            if case.cell.is_some() && location.cell != case.cell {
                return Err(format!(
                    "cell {:?}, expected {:?}: {message}",
                    location.cell, case.cell
                ));
            }
            if case.feature.is_some() && location.feature != case.feature {
                return Err(format!(
                    "feature {:?}, expected {:?}: {message}",
                    location.feature, case.feature
                ));
            }
            if case.field.is_some() && location.field != case.field {
                return Err(format!(
                    "field {:?}, expected {:?}: {message}",
                    location.field, case.field
                ));
            }
            for word in &case.message {
                if !message.contains(word.as_str()) {
                    return Err(format!("the message lacks {word:?}: {message}"));
                }
            }
            Ok(())
        }
        (Some(expected), Ok(read)) => {
            Err(format!("expected {expected}, but it was read: {read:?}"))
        }
        (None, Err(e)) => Err(format!("expected to be read, got {}: {e}", kind(&e))),
        (None, Ok(read)) => {
            if case.rows.is_some_and(|rows| rows != read.rows) {
                return Err(format!("{} rows, expected {:?}", read.rows, case.rows));
            }
            if read.rejected != case.rejected {
                return Err(format!(
                    "rejected lines {:?}, expected {:?}",
                    read.rejected, case.rejected
                ));
            }
            for kind in &case.notices {
                if read.report.of_kind(kind).next().is_none() {
                    return Err(format!("no {kind:?} notice: {:?}", read.report.notices));
                }
            }
            for word in &case.message {
                if !read
                    .report
                    .notices
                    .iter()
                    .any(|n| n.message.contains(word.as_str()))
                {
                    return Err(format!(
                        "no notice says {word:?}: {:?}",
                        read.report.notices
                    ));
                }
            }
            Ok(())
        }
    }
}

fn manifest() -> Manifest {
    let text = std::fs::read_to_string(corpus().join("cases.toml")).unwrap();
    toml::from_str(&text).unwrap()
}

#[test]
fn every_case_has_its_expected_outcome() {
    let manifest = manifest();
    let failures: Vec<String> = manifest
        .case
        .iter()
        .filter_map(|case| {
            check(case)
                .err()
                .map(|e| format!("{} ({}): {e}", case.file, case.api))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n{}",
        failures.len(),
        manifest.case.len(),
        failures.join("\n")
    );
}

#[test]
fn every_file_has_a_case_and_there_are_enough() {
    let manifest = manifest();
    let cased: BTreeSet<&str> = manifest.case.iter().map(|c| c.file.as_str()).collect();
    let mut files = BTreeSet::new();
    for kind in ["tables", "boundaries", "points", "scenarios", "statdb"] {
        for entry in std::fs::read_dir(corpus().join(kind)).unwrap() {
            files.insert(format!(
                "{kind}/{}",
                entry.unwrap().file_name().to_string_lossy()
            ));
        }
    }
    let uncased: Vec<&String> = files
        .iter()
        .filter(|f| !cased.contains(f.as_str()))
        .collect();
    assert!(uncased.is_empty(), "files without a case: {uncased:?}");
    let missing: Vec<&&str> = cased.iter().filter(|f| !files.contains(**f)).collect();
    assert!(missing.is_empty(), "cases without a file: {missing:?}");
    assert!(files.len() >= 40, "{} files", files.len());
    for case in &manifest.case {
        assert!(!case.why.trim().is_empty(), "{}: say why", case.file);
    }
}

#[test]
fn cli_cases_fail_clearly_without_panicking() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let mut ran = 0;
    for case in manifest().case.iter().filter(|c| !c.cli.is_empty()) {
        let path = corpus().join(&case.file);
        let args: Vec<String> = case
            .cli
            .iter()
            .map(|a| {
                a.replace("{file}", &path.display().to_string())
                    .replace("{out}", &out.display().to_string())
            })
            .collect();
        let output = Command::new(env!("CARGO_BIN_EXE_careneed"))
            .args(&args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{}: {stderr}", case.file);
        assert!(
            !stderr.contains("RUST_BACKTRACE"),
            "{}: {stderr}",
            case.file
        );
        if case.error.is_some() || !case.cli_fails_with.is_empty() {
            assert!(!output.status.success(), "{}: exit 0", case.file);
            assert_eq!(output.status.code(), Some(1), "{}: {stderr}", case.file);
            if case.error.is_some() {
                let name = path.file_name().unwrap().to_string_lossy();
                assert!(stderr.contains(name.as_ref()), "{}: {stderr}", case.file);
            }
            let words = if case.error.is_some() {
                &case.message
            } else {
                &case.cli_fails_with
            };
            for word in words {
                assert!(
                    stderr.contains(word.as_str()),
                    "{}: lacks {word:?}: {stderr}",
                    case.file
                );
            }
        } else {
            assert!(output.status.success(), "{}: {stderr}", case.file);
        }
        ran += 1;
    }
    assert!(ran >= 5, "{ran} CLI cases");
}

// ------------------------------------------------------------------ values

fn value(table: &careneed::inputs::table::Table, code: &str, column: &str) -> f64 {
    table.value(table.row(code).unwrap(), column).unwrap()
}

/// Swedish Excel writes `12 345` (no-break space), `1 234,5`, `1 000` (narrow
/// no-break space): read as the numbers they are, in UTF-8 and in Windows-1252.
#[test]
fn swedish_numbers_are_read_exactly() {
    let (t, _) = read_table(
        &corpus().join("tables/swedish_numbers.csv"),
        &TableSpec::areas(),
    )
    .unwrap();
    assert_eq!(value(&t, "2180C1010", "population"), 12345.0);
    assert_eq!(value(&t, "2180C1010", "under5"), 1234.5);
    assert_eq!(value(&t, "2180C1020", "population"), 1000.0);
    let (t, _) = read_table(
        &corpus().join("tables/swedish_numbers_latin1.csv"),
        &TableSpec::areas(),
    )
    .unwrap();
    assert_eq!(value(&t, "2180C1010", "population"), 12345.0);
    assert_eq!(value(&t, "2180C1010", "under5"), 1234.5);
    let (t, _) = read_table(
        &corpus().join("tables/excel_sep_line.csv"),
        &TableSpec::areas(),
    )
    .unwrap();
    assert_eq!(t.delimiter, ';');
    assert_eq!(t.rows[0].line, 3);
    assert_eq!(value(&t, "2180C1020", "population"), 1234.0);
    assert_eq!(value(&t, "2180C1020", "under5"), 50.5);
    let (p, _) = read_points(&corpus().join("points/decimal_comma.csv"), "x", "y").unwrap();
    assert_eq!(p.coords, [[617000.5, 6727500.25], [617000.0, 6727500.0]]);
}

/// The zero-population area has no CNI; the others have the CNI computed without it.
#[test]
fn zero_population_area_is_left_out_of_the_reference() {
    let (t, _) = read_table(
        &corpus().join("tables/zero_population_area.csv"),
        &TableSpec::areas(),
    )
    .unwrap();
    let r = cni::compute(&t, &cni::CniSpec::default()).unwrap();
    assert_eq!(r.areas[1].cni, None);
    // The population-weighted mean CNI over the areas with residents is 1.
    let (sum, pop) = r
        .areas
        .iter()
        .filter_map(|a| a.cni.map(|c| (c * a.population, a.population)))
        .fold((0.0, 0.0), |(s, p), (c, q)| (s + c, p + q));
    assert!((sum / pop - 1.0).abs() < 1e-12, "{}", sum / pop);
}

/// Both points readers agree on every points file of the corpus: the same points,
/// lines and rejections, or both refuse the file.
#[test]
fn streamed_and_in_memory_points_agree_on_the_corpus() {
    for entry in std::fs::read_dir(corpus().join("points")).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let memory = parse_points("p.csv", &bytes, "x", "y");
        for block in [64, 1 << 20] {
            let mut coords = Vec::new();
            let streamed = stream_points("p.csv", bytes.as_slice(), "x", "y", block, &mut |b| {
                coords.extend(b.coords);
                Ok(())
            });
            match (&memory, streamed) {
                (Ok((p, _)), Ok((s, _))) => {
                    assert_eq!(p.coords, coords, "{}", path.display());
                    assert_eq!(p.rejected, s.rejected, "{}", path.display());
                }
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{}", path.display()),
                (a, b) => panic!("{}: {a:?} vs {b:?}", path.display()),
            }
        }
    }
}

// ------------------------------------------------------------------ generated

/// A 100 MB line: a count of 100 million digits (infinite as a float) is refused
/// with a short message naming line and field; as a coordinate, the point is
/// rejected with a short reason, by both points readers.
#[test]
fn a_100_mb_line() {
    let dir = tempfile::tempdir().unwrap();
    let digits = "9".repeat(100 << 20);
    let mut table = String::with_capacity(digits.len() + 200);
    table.push_str("code,population,under5,foreign_born,elderly_alone,single_parents,movers,unemployed,low_education\n");
    table.push_str("2180C1010,");
    table.push_str(&digits);
    table.push_str(",1,1,1,1,1,1,1\n");
    let path = dir.path().join("long_line.csv");
    std::fs::write(&path, &table).unwrap();
    drop(table);
    let e = read_table(&path, &TableSpec::areas()).unwrap_err();
    assert_eq!(kind(&e), "NotFinite");
    let message = e.to_string();
    assert!(message.len() < 300, "{} bytes", message.len());
    assert!(
        message.contains("long_line.csv, line 2") && message.contains("\"population\""),
        "{message}"
    );

    let mut points = String::with_capacity(digits.len() + 100);
    points.push_str("id,x,y\na,");
    points.push_str(&digits);
    points.push_str(",6727500\nb,617000,6727500\n");
    drop(digits);
    let (p, report) = parse_points("long_points.csv", points.as_bytes(), "x", "y").unwrap();
    assert_eq!(p.coords, [[617000.0, 6727500.0]]);
    assert_eq!(p.rejected.len(), 1);
    assert_eq!(p.rejected[0].0, 2);
    assert!(p.rejected[0].1.len() < 100, "{}", p.rejected[0].1.len());
    assert!(report.notices.iter().all(|n| n.message.len() < 200));
    let mut coords = Vec::new();
    let (s, _) = stream_points(
        "long_points.csv",
        points.as_bytes(),
        "x",
        "y",
        1 << 16,
        &mut |b| {
            coords.extend(b.coords);
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(coords, p.coords);
    assert_eq!(s.rejected, p.rejected);
}

/// Deeply nested JSON and TOML (100 000 levels) are refused with an error, not a
/// stack overflow.
#[test]
fn deeply_nested_input() {
    let depth = 100_000;
    let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    for json in [
        nested.clone(),
        format!(r#"{{"type":"FeatureCollection","features":[{nested}]}}"#),
        format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"code":"A"}},"geometry":{{"type":"Polygon","coordinates":{nested}}}}}]}}"#
        ),
    ] {
        let e = parse_boundaries(
            "nested.geojson",
            json.as_bytes(),
            &BoundaryOptions::default(),
        )
        .unwrap_err();
        assert_eq!(kind(&e), "Json", "{e}");
        assert!(e.to_string().contains("recursion limit"), "{e}");
    }
    for toml in [
        format!("name = {nested}\n"),
        format!("[inputs]\nareas = {nested}\n"),
    ] {
        let e = Scenario::parse("nested.toml", &toml).unwrap_err();
        assert_eq!(kind(&e), "Scenario", "{e}");
        assert!(e.to_string().contains("nested.toml"), "{e}");
    }
}

// ------------------------------------------------------------------ regressions

/// Regression: geo 0.33's validator panics ("topology position conflict") on some
/// invalid MultiPolygons. careneed caught the panic, but the default panic hook had
/// already printed geo's message to stderr, and the library must never print. Run
/// in a child process (this test binary, filtered to the child test) so that its
/// stderr can be read: nothing about geo's panic, while a panic elsewhere (another
/// thread) still reaches the hook.
#[test]
fn geo_validator_panic_is_silent() {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "geo_validator_panic_child",
            "--nocapture",
            "--include-ignored",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "{stdout}");
    assert!(
        !stderr.contains("topology") && !stderr.contains("geo-0"),
        "{stderr}"
    );
    assert!(stderr.contains("deliberate panic elsewhere"), "{stderr}");
}

#[test]
#[ignore = "run by geo_validator_panic_is_silent in a child process"]
fn geo_validator_panic_child() {
    let text =
        std::fs::read_to_string(corpus().join("boundaries/geo_validator_panic.geojson")).unwrap();
    let collection: serde_json::Value = serde_json::from_str(&text).unwrap();
    let feature = &collection["features"][0];
    // 64 copies, so rayon checks them on every worker thread.
    let features: Vec<serde_json::Value> = (0..64)
        .map(|i| {
            let mut f = feature.clone();
            f["properties"]["code"] = format!("2180C{i:04}").into();
            f
        })
        .collect();
    let bytes = serde_json::json!({"type": "FeatureCollection", "features": features}).to_string();
    let e = parse_boundaries(
        "panic.geojson",
        bytes.as_bytes(),
        &BoundaryOptions::default(),
    )
    .unwrap_err();
    assert_eq!(kind(&e), "InvalidGeometry");
    assert!(e.to_string().contains("topology conflict"), "{e}");
    let repair = BoundaryOptions {
        repair: true,
        ..BoundaryOptions::default()
    };
    let (b, report) = parse_boundaries("panic.geojson", bytes.as_bytes(), &repair).unwrap();
    assert_eq!(b.areas.len(), 64);
    assert_eq!(report.of_kind("repaired_geometry").count(), 64);
    let elsewhere = std::thread::spawn(|| panic!("deliberate panic elsewhere"));
    assert!(elsewhere.join().is_err());
}

/// Windows-1252 files are not taken for mixed encodings (Ö before a no-break
/// space is `D6 A0`, valid UTF-8 for U+05A0, and must not count).
#[test]
fn plain_windows_1252_is_not_mixed() {
    for file in ["tables/latin1.csv", "tables/swedish_numbers_latin1.csv"] {
        let (_, report) = read_table(&corpus().join(file), &TableSpec::areas()).unwrap();
        assert_eq!(report.of_kind("encoding").count(), 1, "{file}");
        assert_eq!(report.of_kind("mixed_encoding").count(), 0, "{file}");
    }
    let csv = b"code;name;population;under5;foreign_born;elderly_alone;single_parents;movers;unemployed;low_education\n2180C1010;\xd6\xa0G\xe4vle;1;0;0;0;0;0;0;0\n";
    let (t, report) =
        careneed::inputs::table::parse_table("ö.csv", csv, &TableSpec::areas()).unwrap();
    assert_eq!(t.label(&t.rows[0], "name"), Some("Ö\u{a0}Gävle"));
    assert_eq!(report.of_kind("mixed_encoding").count(), 0);
}

/// Regression (found by the `spatial_ops` fuzzer, crash-b5ad892c): this
/// MultiPolygon, repaired, made geo's boolean operations (i_overlay 4.5.2) fail an
/// internal assertion (`extract_ogc.rs:121`, a debug assertion: builds with debug
/// assertions panicked) when interpolating from the area onto itself and when
/// building catchments from the areas themselves. Identical geometries now need no
/// overlay, and a failing overlay is caught and reported as an error.
#[test]
fn fuzz_repaired_overlay_panic() {
    use careneed::spatial::catchments::from_polygons;
    use careneed::spatial::interpolate::{InterpolateSpec, interpolate};
    use geo::Validation;
    let repair = BoundaryOptions {
        repair: true,
        ..BoundaryOptions::default()
    };
    let path = corpus().join("boundaries/fuzz_repaired_overlay_panic.geojson");
    let (areas, report) = read_boundaries(&path, &repair).unwrap();
    assert_eq!(report.of_kind("repaired_geometry").count(), 1);
    assert!(areas.areas[0].geometry.is_valid());
    let code = areas.areas[0].code.clone();
    let spec = TableSpec {
        key: "code".into(),
        key_header: "code".into(),
        labels: vec![],
        columns: vec![careneed::inputs::table::ColumnSpec {
            name: "n".into(),
            header: "n".into(),
            required: true,
            at_most: vec![],
        }],
    };
    let csv = format!("code,n\n{code},100\n");
    let (table, _) = careneed::inputs::table::parse_table("n.csv", csv.as_bytes(), &spec).unwrap();
    let out = interpolate(
        &areas,
        &table,
        &areas,
        &InterpolateSpec::new(&["n"], &[]),
        None,
    )
    .unwrap();
    assert_eq!(out.values, [[Some(100.0)]]);
    let (c, _) = from_polygons(&areas, &areas).unwrap();
    assert_eq!(c.catchments[0].areas, [(0, 1.0)]);
    assert!(careneed::inputs::validate::overlaps(&areas, 1e-6).is_empty());
}
