//! The command-line tool, run as a user would: real processes, real files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn careneed(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_careneed"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run careneed")
}

fn demo(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/demo")
        .join(file)
}

/// A scenario that turns small-count suppression off, for tests of counting
/// itself (the privacy tests cover the threshold).
fn no_privacy(dir: &std::path::Path) -> String {
    let path = dir.join("no_privacy.toml");
    std::fs::write(&path, "[privacy]\nmin_count = 0\n").unwrap();
    path.to_str().unwrap().to_string()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn demo_writes_areas_and_ranking() {
    let dir = tempfile::tempdir().unwrap();
    let out = careneed(&["demo", "--out", dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("computed from the 172 input areas"),
        "{stdout}"
    );
    assert!(
        stdout.contains("172 matched to polygons, 0 table-only, 0 polygon-only"),
        "{stdout}"
    );

    let geo: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("areas.geojson")).unwrap()).unwrap();
    let features = geo["features"].as_array().unwrap();
    assert_eq!(features.len(), 172);
    assert!(geo.get("crs").is_none());
    for f in features {
        let p = &f["properties"];
        assert!(p["code"].as_str().unwrap().len() == 9);
        assert!(p["name"].is_string() && p["municipality"].is_string());
        assert!(p["population"].as_f64().unwrap() >= 700.0);
        assert!(p["cni"].as_f64().unwrap() > 0.3);
    }
    let first = &features[0]["properties"];
    assert_eq!(first["rank"], 1);

    let mut rdr = csv::Reader::from_path(dir.path().join("ranking.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 172);
    assert_eq!(&rows[0][0], "1");
    assert_eq!(&rows[0][1], first["code"].as_str().unwrap());
    let cni: Vec<f64> = rows.iter().map(|r| r[7].parse().unwrap()).collect();
    assert!(cni.windows(2).all(|w| w[0] >= w[1]));
    for f in ["cni.csv", "vti.csv", "run_report.json"] {
        assert!(dir.path().join(f).exists(), "{f} missing");
    }
}

#[test]
fn cni_error_names_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("bad.csv");
    std::fs::write(
        &table,
        "code,population,under5,foreign_born,elderly_alone,single_parents,movers,unemployed,low_education\n\
         2180C1010,1000,50,100,40,20,80,30,90\n\
         2180C1020,1000,-3,100,40,20,80,30,90\n",
    )
    .unwrap();
    let out = careneed(&[
        "cni",
        "--table",
        table.to_str().unwrap(),
        "--out",
        dir.path().join("cni.csv").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("bad.csv") && err.contains("line 3") && err.contains("under5"),
        "{err}"
    );
    assert!(err.contains("negative"), "{err}");
    assert!(!dir.path().join("cni.csv").exists());
}

#[test]
fn cni_lists_codes_missing_from_the_boundaries() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("two.csv");
    std::fs::write(
        &table,
        "code,population,under5,foreign_born,elderly_alone,single_parents,movers,unemployed,low_education\n\
         2180C1010,1000,50,100,40,20,80,30,90\n\
         2180C9999,1000,60,300,40,20,80,30,90\n",
    )
    .unwrap();
    let csv_out = dir.path().join("cni.csv");
    let out = careneed(&[
        "cni",
        "--table",
        table.to_str().unwrap(),
        "--boundaries",
        demo("deso.geojson").to_str().unwrap(),
        "--reference",
        "2.47615",
        "--out",
        csv_out.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Notices go to stderr, always.
    let stdout = text(&out.stderr);
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("2180C9999") && l.contains("line 3")),
        "{stdout}"
    );
    // The 171 polygons without a row are listed too, each by code.
    assert_eq!(
        stdout
            .lines()
            .filter(|l| l.contains("deso.geojson, feature"))
            .count(),
        171
    );
    assert!(text(&out.stdout).contains("R = 2.47615, given"));
    // Both table rows are still scored.
    let written = std::fs::read_to_string(&csv_out).unwrap();
    assert_eq!(written.lines().count(), 3);
    assert!(written.starts_with("code,name,population,index,cni\n"));
}

#[test]
fn the_research_variant_adds_columns() {
    let dir = tempfile::tempdir().unwrap();
    let csv_out = dir.path().join("cni.csv");
    let out = careneed(&[
        "cni",
        "--table",
        demo("areas.csv").to_str().unwrap(),
        "--method",
        "research",
        "--transform",
        "log",
        "--out",
        csv_out.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(&csv_out).unwrap();
    let header = written.lines().next().unwrap();
    assert!(header.starts_with(
        "code,name,population,index,cni,research_score,research_shifted,z_elderly_alone"
    ));
    assert_eq!(written.lines().count(), 173);
}

#[test]
fn vti_writes_one_row_per_centre() {
    let dir = tempfile::tempdir().unwrap();
    let csv_out = dir.path().join("vti.csv");
    let out = careneed(&[
        "vti",
        "--table",
        demo("bvc_vti.csv").to_str().unwrap(),
        "--out",
        csv_out.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(&csv_out).unwrap();
    assert_eq!(written.lines().count(), 26);
}

#[test]
fn never_overwrites_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("areas.csv");
    std::fs::copy(demo("areas.csv"), &table).unwrap();
    let before = std::fs::read(&table).unwrap();
    let out = careneed(&[
        "cni",
        "--table",
        table.to_str().unwrap(),
        "--out",
        table.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("refusing to overwrite an input"));
    assert_eq!(std::fs::read(&table).unwrap(), before);
}

#[test]
fn misspelt_scenario_key_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("s.toml");
    std::fs::write(&s, "[inputs]\nareas = \"a.csv\"\n\n[cni]\nrefrence = 2.4\n").unwrap();
    let out = careneed(&[
        "run",
        "--scenario",
        s.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("s.toml") && err.contains("line 5") && err.contains("refrence"),
        "{err}"
    );
}

#[test]
fn assign_counts_every_area_and_lists_outside_points() {
    let dir = tempfile::tempdir().unwrap();
    let points = dir.path().join("p.csv");
    // Two children of the demo (metres) and one point far outside the county.
    let children = std::fs::read_to_string(demo("children.csv")).unwrap();
    let mut lines = children.lines();
    let header = lines.next().unwrap();
    let body: Vec<&str> = lines.take(2).collect();
    std::fs::write(
        &points,
        format!(
            "{header}\n{}\n{}\nc9,500000,6500000,1,2180-1\n",
            body[0], body[1]
        ),
    )
    .unwrap();
    let out_csv = dir.path().join("counts.csv");
    let out = careneed(&[
        "assign",
        "--areas",
        demo("deso.geojson").to_str().unwrap(),
        "--points",
        points.to_str().unwrap(),
        "--out",
        out_csv.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("p.csv, line 4: the point lies in no area"),
        "{stderr}"
    );
    // Counts of 1 are withheld at the default threshold, and so is their total:
    // the points read and assigned would give it back.
    assert!(
        stdout.contains("0 rejected, 1 outside every area; the points read and assigned to the 172 areas are withheld"),
        "{stdout}"
    );
    assert!(!stdout.contains("points read,"), "{stdout}");
    let counts = std::fs::read_to_string(&out_csv).unwrap();
    assert!(counts.lines().any(|l| l.ends_with(",..")), "{counts}");
    assert!(
        !counts
            .lines()
            .any(|l| l.ends_with(",1") || l.ends_with(",2")),
        "{counts}"
    );
    let scenario = no_privacy(dir.path());
    let out = careneed(&[
        "assign",
        "--areas",
        demo("deso.geojson").to_str().unwrap(),
        "--points",
        points.to_str().unwrap(),
        "--scenario",
        &scenario,
        "--out",
        out_csv.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("3 points read, 0 rejected, 2 assigned to 172 areas, 1 outside"),
        "{stdout}"
    );
    let counts = std::fs::read_to_string(&out_csv).unwrap();
    assert_eq!(counts.lines().count(), 173);
    let total: u64 = counts
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(total, 2);
}

#[test]
fn assign_refuses_degrees_declared_as_metres() {
    let dir = tempfile::tempdir().unwrap();
    let points = dir.path().join("p.csv");
    std::fs::write(&points, "x,y\n17.14,60.67\n").unwrap();
    let out = careneed(&[
        "assign",
        "--areas",
        demo("deso.geojson").to_str().unwrap(),
        "--points",
        points.to_str().unwrap(),
        "--crs",
        "EPSG:3006",
        "--out",
        dir.path().join("c.csv").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("p.csv") && err.contains("line 2") && err.contains("degrees"),
        "{err}"
    );
}

#[test]
fn assign_points_in_wgs84_against_sweref_areas() {
    let dir = tempfile::tempdir().unwrap();
    let points = dir.path().join("p.csv");
    // Gävle's seat in degrees: inside a Gävle area.
    std::fs::write(&points, "lon,lat\n17.141,60.675\n").unwrap();
    let out_csv = dir.path().join("counts.csv");
    let scenario = no_privacy(dir.path());
    let out = careneed(&[
        "assign",
        "--areas",
        demo("deso.geojson").to_str().unwrap(),
        "--points",
        points.to_str().unwrap(),
        "--scenario",
        &scenario,
        "--crs",
        "EPSG:4326",
        "--x",
        "lon",
        "--y",
        "lat",
        "--out",
        out_csv.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let counts = std::fs::read_to_string(&out_csv).unwrap();
    let hit: Vec<&str> = counts.lines().filter(|l| l.ends_with(",1")).collect();
    assert_eq!(hit.len(), 1, "{counts}");
    assert!(hit[0].starts_with("2180"), "{hit:?}");
}

#[test]
fn interpolate_areas_to_municipalities_conserves_totals() {
    let dir = tempfile::tempdir().unwrap();
    let out_csv = dir.path().join("mun.csv");
    let out = careneed(&[
        "interpolate",
        "--from",
        demo("deso.geojson").to_str().unwrap(),
        "--table",
        demo("areas.csv").to_str().unwrap(),
        "--to",
        demo("municipalities.geojson").to_str().unwrap(),
        "--to-code-field",
        "kommunkod",
        "--extensive",
        "population,under5",
        "--out",
        out_csv.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("population: total in 286700, total out 286700"),
        "{stdout}"
    );
    let written = std::fs::read_to_string(&out_csv).unwrap();
    assert!(written.starts_with("code,population,under5\n"));
    assert!(written.contains("\n2180,103000,"), "{written}");
    assert_eq!(written.lines().count(), 11);
}

#[test]
fn catchments_three_ways_cover_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let (areas, table) = (demo("deso.geojson"), demo("areas.csv"));
    let by_bvc = dir.path().join("bvc");
    let out = careneed(&[
        "catchments",
        "--areas",
        areas.to_str().unwrap(),
        "--table",
        table.to_str().unwrap(),
        "--bvc",
        demo("bvc.geojson").to_str().unwrap(),
        "--children",
        demo("children.csv").to_str().unwrap(),
        "--vti-table",
        demo("bvc_vti.csv").to_str().unwrap(),
        "--out",
        by_bvc.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("25 catchments, 0 areas uncovered"),
        "{}",
        text(&out.stdout)
    );
    let rows = std::fs::read_to_string(by_bvc.join("catchments.csv")).unwrap();
    let (mut pop, mut kids) = (0.0, 0.0);
    for l in rows.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        pop += f[3].parse::<f64>().unwrap();
        kids += f[4].parse::<f64>().unwrap();
        assert!(!f[6].is_empty(), "VTI missing: {l}");
    }
    assert_eq!(pop, 286_700.0);
    assert_eq!(kids, 16_866.0);

    // The polygons just written (WGS84) as given catchments: every area covered once.
    let by_poly = dir.path().join("poly");
    let out = careneed(&[
        "catchments",
        "--areas",
        areas.to_str().unwrap(),
        "--table",
        table.to_str().unwrap(),
        "--polygons",
        by_bvc.join("catchments.geojson").to_str().unwrap(),
        "--out",
        by_poly.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("25 catchments, 0 areas uncovered"),
        "{}",
        text(&out.stdout)
    );

    let by_list = dir.path().join("list");
    let out = careneed(&[
        "catchments",
        "--areas",
        areas.to_str().unwrap(),
        "--table",
        table.to_str().unwrap(),
        "--listings",
        demo("children.csv").to_str().unwrap(),
        "--out",
        by_list.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rows = std::fs::read_to_string(by_list.join("catchments.csv")).unwrap();
    let kids: f64 = rows
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(4).unwrap().parse::<f64>().unwrap())
        .sum();
    assert!((kids - 16_866.0).abs() < 1e-6, "{kids}");
}

#[test]
fn invalid_polygon_is_refused_unless_repair_is_asked() {
    let dir = tempfile::tempdir().unwrap();
    let areas = dir.path().join("bowtie.geojson");
    std::fs::write(
        &areas,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"2180C1010"},
        "geometry":{"type":"Polygon","coordinates":[[[617000,6727000],[617100,6727100],[617100,6727000],[617000,6727100],[617000,6727000]]]}}]}"#,
    )
    .unwrap();
    let points = dir.path().join("p.csv");
    std::fs::write(&points, "x,y\n617090,6727050\n617050,6727020\n").unwrap();
    let out_csv = dir.path().join("counts.csv");
    let scenario = no_privacy(dir.path());
    let args = |repair: bool| {
        let mut a = vec![
            "assign",
            "--areas",
            areas.to_str().unwrap(),
            "--points",
            points.to_str().unwrap(),
            "--scenario",
            &scenario,
            "--out",
            out_csv.to_str().unwrap(),
        ];
        if repair {
            a.push("--repair");
        }
        careneed(&a)
    };
    let refused = args(false);
    assert!(!refused.status.success());
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains(
            "bowtie.geojson, feature 0 (code 2180C1010), field \"geometry\": invalid geometry"
        ) && stderr.contains("--repair"),
        "{stderr}"
    );
    assert!(!out_csv.exists());

    let repaired = args(true);
    assert!(repaired.status.success(), "{}", text(&repaired.stderr));
    let stderr = text(&repaired.stderr);
    assert!(
        stderr.contains("repaired (odd-even rule) into 2 polygon(s)"),
        "{stderr}"
    );
    // (617090, 6727050) is in the right triangle; (617050, 6727020) in neither.
    assert_eq!(
        std::fs::read_to_string(&out_csv).unwrap(),
        "code,count\n2180C1010,1\n"
    );
}

#[test]
fn plan_runs_twice_byte_identical() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let scenario = demo("scenario.toml");
    for dir in [&a, &b] {
        let out = careneed(&[
            "plan",
            "--scenario",
            scenario.to_str().unwrap(),
            "--out",
            dir.path().to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        assert!(stdout.contains("plan: eligible families:"), "{stdout}");
        assert!(stdout.contains("gap"), "{stdout}");
    }
    let mut names: Vec<String> = std::fs::read_dir(a.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for f in [
        "plan.csv",
        "plan_municipalities.csv",
        "plan_areas.csv",
        "catchments.geojson",
    ] {
        assert!(names.iter().any(|n| n == f), "{f} missing: {names:?}");
    }
    for n in &names {
        assert_eq!(
            std::fs::read(a.path().join(n)).unwrap(),
            std::fs::read(b.path().join(n)).unwrap(),
            "{n} differs between two runs"
        );
    }
    // plan.csv: ranks 1..n, and the selected keep to the budget (1 + 1 FTE).
    let mut rdr = csv::Reader::from_path(a.path().join("plan.csv")).unwrap();
    let header = rdr.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 25);
    // Ranks 1..k for the rows whose measure is shown, then the withheld rows
    // without a rank.
    let ranked = rows
        .iter()
        .take_while(|r| !r[col("rank")].is_empty())
        .count();
    assert!(ranked > 20, "{ranked}");
    for (i, r) in rows.iter().enumerate() {
        if i < ranked {
            assert_eq!(r[col("rank")], (i + 1).to_string());
        } else {
            assert_eq!(&r[col("rank")], "");
            assert_eq!(&r[col("measure")], "..");
        }
    }
    // The running pilot (Bollnäs) is wave 0, outside the budgets.
    let running: Vec<&csv::StringRecord> =
        rows.iter().filter(|r| &r[col("phase")] == "0").collect();
    assert_eq!(running.len(), 1);
    assert_eq!(&running[0][col("bvc")], "2183-1");
    assert_eq!(&running[0][col("reason")], "running (locked in): wave 0");
    let fte: f64 = rows
        .iter()
        .filter(|r| &r[col("selected")] == "true" && &r[col("phase")] != "0")
        .map(|r| r[col("fte")].parse::<f64>().unwrap())
        .sum();
    assert!(fte > 0.0 && fte <= 2.0 + 0.01, "{fte}");
    // Every row says why it was chosen or not.
    for r in &rows {
        assert!(!r[col("reason")].is_empty(), "{:?}", r);
    }
    let geo: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.path().join("catchments.geojson")).unwrap())
            .unwrap();
    for f in geo["features"].as_array().unwrap() {
        let p = &f["properties"];
        for key in [
            "plan_rank",
            "need",
            "eligible_families",
            "visits",
            "fte",
            "selected",
            "rank_low",
            "rank_high",
            "p_selected",
        ] {
            // Families below the privacy threshold are withheld (null), with
            // everything derived from them, and the feature says so.
            // A withheld measure has no rank, and so no rank interval.
            let withheld = [
                "need",
                "eligible_families",
                "visits",
                "fte",
                "plan_rank",
                "rank_low",
                "rank_high",
            ]
            .contains(&key)
                && p["suppressed"] == true;
            assert!(
                withheld || !p[key].is_null(),
                "{key} missing on {}",
                p["bvc"]
            );
        }
    }
}

#[test]
fn plan_needs_a_plan_section() {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("s.toml");
    std::fs::write(&s, "[inputs]\nareas = \"a.csv\"\n").unwrap();
    let out = careneed(&[
        "plan",
        "--scenario",
        s.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no [plan] section"));
}

#[test]
fn cni_with_the_demo_scenario_ignores_its_plan() {
    // Regression: `careneed cni --scenario data/demo/scenario.toml` failed: the
    // scenario's municipalities.csv was looked up in the current folder, and its
    // [plan] needs catchments the CNI-only run does not build.
    let dir = tempfile::tempdir().unwrap();
    let csv_out = dir.path().join("cni.csv");
    let out = careneed(&[
        "cni",
        "--table",
        demo("areas.csv").to_str().unwrap(),
        "--scenario",
        demo("scenario.toml").to_str().unwrap(),
        "--out",
        csv_out.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(&csv_out).unwrap().lines().count(),
        173
    );
}

#[cfg(feature = "gpkg")]
mod common;

/// The real Dalarna DeSO GeoPackage and care units, when present.
#[cfg(feature = "gpkg")]
fn real(file: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/real")
        .join(file);
    if path.exists() {
        Some(path)
    } else {
        println!("skipped: {} not found", path.display());
        None
    }
}

/// The 40 Dalarna care units fall in the 175 DeSO of the real GeoPackage, whether
/// read in SWEREF99 TM or in RT90 (the areas are then transformed to RT90; 6 units
/// have no RT90 coordinates), and, with PROJ, in ETRS89 degrees (EPSG:4258,
/// reprojected to SWEREF99 TM).
#[cfg(feature = "gpkg")]
#[test]
fn assign_real_care_units_to_real_geopackage_deso() {
    let (Some(deso), Some(units)) = (
        real("deso2018_dalarna_sweref99tm.gpkg"),
        real("dalarna_utbudspunkter_vardcentraler.csv"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let all = "40 points read, 0 rejected, 40 assigned to 175 areas, 0 outside";
    let mut runs = vec![
        ("sweref99tm_e", "sweref99tm_n", "EPSG:3006", all),
        // RT90's "x" is the northing; 6 units have no RT90 coordinates.
        (
            "ykoord_rt90",
            "xkoord_rt90",
            "EPSG:3021",
            "40 points read, 6 rejected, 34 assigned to 175 areas, 0 outside",
        ),
    ];
    if cfg!(feature = "proj") {
        runs.push(("lon", "lat", "EPSG:4258", all));
    }
    // Without suppression, so that the totals are printed.
    let scenario = no_privacy(dir.path());
    for (x, y, crs, expected) in runs {
        let out_csv = dir.path().join("counts.csv");
        let out = careneed(&[
            "assign",
            "--scenario",
            &scenario,
            "--areas",
            deso.to_str().unwrap(),
            "--layer",
            "deso_dalarna",
            "--code-field",
            "deso",
            "--points",
            units.to_str().unwrap(),
            "--x",
            x,
            "--y",
            y,
            "--crs",
            crs,
            "--out",
            out_csv.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{crs}: {}", text(&out.stderr));
        let stdout = text(&out.stdout);
        assert!(stdout.contains(expected), "{crs}: {stdout}");
    }
}

#[cfg(not(feature = "proj"))]
#[test]
fn an_epsg_code_only_proj_knows_says_how_to_get_it() {
    let dir = tempfile::tempdir().unwrap();
    let points = dir.path().join("p.csv");
    std::fs::write(&points, "x,y\n1908160,8546780\n").unwrap();
    let out = careneed(&[
        "assign",
        "--areas",
        demo("deso.geojson").to_str().unwrap(),
        "--points",
        points.to_str().unwrap(),
        "--crs",
        "EPSG:3857",
        "--out",
        dir.path().join("c.csv").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("--crs: unsupported CRS \"EPSG:3857\"") && err.contains("--features proj"),
        "{err}"
    );
}

#[cfg(feature = "gpkg")]
#[test]
fn a_geopackage_with_two_layers_needs_layer() {
    use common::gpkg::{add_layer, blob, create, insert, polygon_wkb, square};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("two.gpkg");
    let db = create(&path, &[]);
    for layer in ["deso", "regso"] {
        add_layer(&db, layer, 3006, &["code"]);
        let geom = blob(
            3006,
            &polygon_wkb(&[square(617_000.0, 6_727_000.0, 1000.0)]),
            None,
            false,
        );
        insert(&db, layer, 1, Some(geom), &[&format!("{layer}1")]);
    }
    drop(db);
    let points = dir.path().join("p.csv");
    std::fs::write(&points, "x,y\n617500,6727500\n").unwrap();
    let scenario = no_privacy(dir.path());
    let run = |layer: Option<&str>| {
        let mut args = vec![
            "assign",
            "--areas",
            path.to_str().unwrap(),
            "--points",
            points.to_str().unwrap(),
            "--scenario",
            &scenario,
            "--out",
        ];
        let out_csv = dir.path().join("c.csv");
        let out_csv = out_csv.to_str().unwrap().to_string();
        args.push(&out_csv);
        if let Some(l) = layer {
            args.extend(["--layer", l]);
        }
        (
            careneed(&args),
            std::fs::read_to_string(dir.path().join("c.csv")).ok(),
        )
    };
    let (out, _) = run(None);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains(
            "two.gpkg, field \"layer\": the GeoPackage has 2 feature layers (deso, regso)"
        ),
        "{err}"
    );
    let (out, counts) = run(Some("regso"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(counts.unwrap(), "code,count\nregso1,1\n");
}

/// Issue 11: `careneed catchments` and `careneed run` compute catchments by the
/// same code path: for the same scenario, catchments.csv is byte for byte the
/// same (with the scenario's weights, reference and privacy threshold).
#[test]
fn catchments_and_run_agree_for_the_same_scenario() {
    let dir = tempfile::tempdir().unwrap();
    // Non-default weights and a given R: `catchments` must use them too.
    let scenario = std::fs::read_to_string(demo("scenario.toml")).unwrap();
    assert!(
        scenario.contains("\n[cni]\n"),
        "the demo scenario has a [cni] section"
    );
    let scenario = scenario.replacen("\n[cni]\n", "\n[cni]\nreference = 2.3\n", 1)
        + "\n[cni.weights]\nmovers = 1.0\nunder5 = 6.0\n";
    for f in std::fs::read_dir(demo("")).unwrap() {
        let p = f.unwrap().path();
        if p.is_file() {
            std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
        }
    }
    let path = dir.path().join("scenario.toml");
    std::fs::write(&path, scenario).unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let out = careneed(&[
        "catchments",
        "--scenario",
        path.to_str().unwrap(),
        "--out",
        a.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = careneed(&[
        "run",
        "--scenario",
        path.to_str().unwrap(),
        "--out",
        b.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (x, y) = (
        std::fs::read_to_string(a.join("catchments.csv")).unwrap(),
        std::fs::read_to_string(b.join("catchments.csv")).unwrap(),
    );
    assert_eq!(x, y);
    // And the weights took effect: not the default-weight catchments.
    let default = careneed(&[
        "catchments",
        "--scenario",
        demo("scenario.toml").to_str().unwrap(),
        "--out",
        dir.path().join("c").to_str().unwrap(),
    ]);
    assert!(default.status.success(), "{}", text(&default.stderr));
    assert_ne!(
        x,
        std::fs::read_to_string(dir.path().join("c/catchments.csv")).unwrap()
    );
}

/// `-` reads a table from stdin and writes a single-file output to stdout; the
/// summary then goes to stderr, and `--quiet` leaves only the data.
#[test]
fn pipes_read_stdin_and_write_stdout_and_quiet_prints_nothing_else() {
    use std::io::Write;
    use std::process::Stdio;
    let table = std::fs::read(demo("areas.csv")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cni.csv");
    let by_file = careneed(&[
        "cni",
        "--table",
        demo("areas.csv").to_str().unwrap(),
        "--out",
        file.to_str().unwrap(),
    ]);
    assert!(by_file.status.success(), "{}", text(&by_file.stderr));
    for quiet in [false, true] {
        let mut args = vec!["cni", "--table", "-", "--out", "-"];
        if quiet {
            args.push("--quiet");
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_careneed"))
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&table).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        // stdout is exactly the file's bytes.
        assert_eq!(out.stdout, std::fs::read(&file).unwrap());
        let stderr = text(&out.stderr);
        if quiet {
            assert_eq!(stderr, "");
        } else {
            assert!(stderr.contains("wrote stdout (172 areas)"), "{stderr}");
        }
    }
    // Errors still print with --quiet, and name stdin.
    let mut child = Command::new(env!("CARGO_BIN_EXE_careneed"))
        .args(["cni", "--table", "-", "--out", "-", "-q"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"code,population\nA,-1\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr).starts_with("careneed: error: stdin"),
        "{}",
        text(&out.stderr)
    );
}
