//! `careneed import`: Statistikdatabasen tables (JSON-stat 2.0, PX, SCB's CSV
//! export), hand-written in `tests/fixtures/statdb/` from the format
//! specifications, assembled by a mapping into the area table. Every expected
//! value below is summed by hand from the fixtures.

use careneed::inputs::statdb::mapping::{Mapping, Status, assemble, import_dir};
use careneed::inputs::statdb::{Format, read_cube};
use careneed::inputs::table::{TableSpec, parse_table};
use careneed::{Error, Problem};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/statdb")
}

fn mapping(name: &str) -> Mapping {
    Mapping::read(&fixtures().join(name)).unwrap()
}

/// The fixture mapping over the four fixture tables (JSON-stat ×2, PX in
/// ISO-8859-1, CSV in Windows-1252): every value as summed by hand.
#[test]
fn fixture_mapping_gives_hand_computed_values() {
    let imported = import_dir(&mapping("mapping.toml"), &fixtures()).unwrap();
    assert_eq!(
        imported.columns,
        [
            "population",
            "under5",
            "foreign_born",
            "single_parents",
            "low_education",
            "pop_65plus",
            "pop_25_64"
        ]
    );
    let codes: Vec<&str> = imported.rows.iter().map(|r| r.code.as_str()).collect();
    // 2180 (the kommun) is not a DeSO; 2181A0010_DeSO2025 loses its suffix.
    assert_eq!(codes, ["2180C1010", "2180C1020", "2181A0010"]);
    let v = |code, var| imported.value(code, var);
    // population: 0-4, 5-9 and 65-69, men + women.
    assert_eq!(
        v("2180C1010", "population"),
        Some(31.0 + 29.0 + 40.0 + 38.0 + 60.0 + 66.0)
    );
    assert_eq!(v("2180C1020", "population"), Some(172.0));
    assert_eq!(v("2181A0010", "population"), Some(97.0));
    assert_eq!(v("2180C1010", "under5"), Some(60.0));
    assert_eq!(v("2180C1020", "under5"), Some(27.0));
    assert_eq!(v("2181A0010", "under5"), Some(15.0));
    assert_eq!(v("2180C1010", "pop_65plus"), Some(126.0));
    // CSV (labels, Windows-1252): born in "övriga världen", men + women.
    assert_eq!(v("2180C1010", "foreign_born"), Some(42.0));
    assert_eq!(v("2180C1020", "foreign_born"), Some(22.0));
    assert_eq!(v("2181A0010", "foreign_born"), Some(11.0));
    // JSON-stat with a sparse value object; 2181A0010's ESMB is `..`: missing, not 0.
    assert_eq!(v("2180C1010", "single_parents"), Some(9.0));
    assert_eq!(v("2180C1020", "single_parents"), Some(4.0));
    assert_eq!(v("2181A0010", "single_parents"), None);
    // PX in ISO-8859-1: förgymnasial (21), and all five levels.
    assert_eq!(v("2180C1010", "low_education"), Some(20.0));
    assert_eq!(v("2180C1010", "pop_25_64"), Some(140.0));
    assert_eq!(v("2181A0010", "pop_25_64"), Some(51.0));

    assert_eq!(
        imported.to_csv().unwrap(),
        "code,population,under5,foreign_born,single_parents,low_education,pop_65plus,pop_25_64\n\
         2180C1010,264,60,42,9,20,126,140\n\
         2180C1020,172,27,22,4,15,104,80\n\
         2181A0010,97,15,11,,10,63,51\n"
    );
    let suppressed: Vec<_> = imported.report.of_kind("suppressed").collect();
    assert_eq!(suppressed.len(), 1, "{:?}", imported.report.notices);
    assert!(suppressed[0].message.contains("2181A0010"));
    assert!(suppressed[0].location.file.ends_with("HushallDesoTyp.json"));
    assert_eq!(imported.report.of_kind("not_an_area").count(), 1);
}

/// The coverage report: which table and year, proxy or not, missing and why.
#[test]
fn coverage_says_source_proxy_and_missing() {
    let imported = import_dir(&mapping("mapping.toml"), &fixtures()).unwrap();
    let c = &imported.coverage;
    assert_eq!(c.areas, 3);
    assert_eq!(
        c.variables.len(),
        11,
        "one entry per column of the area table"
    );
    let by = |name: &str| c.variables.iter().find(|v| v.variable == name).unwrap();
    let pop = by("population");
    assert_eq!(pop.status, Status::Sourced);
    assert_eq!(pop.table.as_deref(), Some("FolkmDesoAldKon"));
    assert_eq!(pop.year.as_deref(), Some("2023"));
    assert_eq!(
        pop.table_id.as_deref(),
        Some("TAB6574"),
        "from the file's extension.px.tableid"
    );
    assert_eq!(
        pop.categories.as_deref(),
        Some("Alder = -4 + 5-9 + 65-69; Kon = 1 + 2")
    );
    assert!(!pop.verified);
    let fb = by("foreign_born");
    assert_eq!(fb.status, Status::Proxy);
    assert_eq!(fb.proxy_for.as_deref(), Some("born in the CNI's regions"));
    assert_eq!(
        by("low_education").table_id.as_deref(),
        Some("UtbSUNBefDesoRegso"),
        "PX MATRIX"
    );
    let sp = by("single_parents");
    assert_eq!((sp.areas, sp.suppressed, sp.absent), (2, 1, 0));
    let ea = by("elderly_alone");
    assert_eq!(ea.status, Status::Missing);
    assert_eq!(ea.note.as_deref(), Some("no table in the fixture"));
    assert_eq!(by("movers").note.as_deref(), Some("not in the mapping"));

    let md = c.to_markdown();
    assert!(
        md.contains("| foreign_born | proxy for: born in the CNI's regions | FolkmDesoLandKon |"),
        "{md}"
    );
    assert!(md.contains("| movers | missing |"), "{md}");
    let summary = c.summary().join("\n");
    assert!(summary.contains("PROXY"), "{summary}");
    assert!(
        summary.contains("MISSING: no table in the fixture"),
        "{summary}"
    );
}

/// The same table, hand-written in JSON-stat, PX (UTF-8) and SCB's CSV export
/// (UTF-8 with BOM, labels only), gives the identical area table; and the mapping
/// by codes gives the same values as the mapping by labels.
#[test]
fn same_data_in_three_formats_gives_identical_tables() {
    let m = mapping("mapping_labels.toml");
    let files = [
        fixtures().join("FolkmDesoAldKon.json"),
        fixtures().join("formats/FolkmDesoAldKon.px"),
        fixtures().join("formats/FolkmDesoAldKon.csv"),
    ];
    let mut csvs = Vec::new();
    for (file, format) in files
        .iter()
        .zip([Format::JsonStat, Format::Px, Format::ScbCsv])
    {
        let cube = read_cube(file).unwrap();
        assert_eq!(cube.format, format);
        let cubes = BTreeMap::from([("FolkmDesoAldKon".to_string(), cube)]);
        csvs.push(assemble(&m, &cubes).unwrap().to_csv().unwrap());
    }
    let expected = "code,population,under5,pop_65plus\n\
                    2180C1010,264,60,126\n\
                    2180C1020,172,27,104\n\
                    2181A0010,97,15,63\n";
    assert_eq!(csvs[0], expected);
    assert_eq!(csvs[1], expected);
    assert_eq!(csvs[2], expected);

    let by_code = import_dir(&mapping("mapping.toml"), &fixtures()).unwrap();
    for code in ["2180C1010", "2180C1020", "2181A0010"] {
        let cubes =
            BTreeMap::from([("FolkmDesoAldKon".to_string(), read_cube(&files[0]).unwrap())]);
        let by_label = assemble(&m, &cubes).unwrap();
        for var in ["population", "under5", "pop_65plus"] {
            assert_eq!(
                by_code.value(code, var),
                by_label.value(code, var),
                "{code} {var}"
            );
        }
    }
}

/// The PX reader: ISO-8859-1 labels decoded, codes and VARIABLECODE used, the
/// `[en]` entries skipped, STUB before HEADING.
#[test]
fn px_reads_latin1_codes_and_order() {
    let cube = read_cube(&fixtures().join("UtbSUNBefDesoRegso.px")).unwrap();
    let dims: Vec<(&str, &str, usize)> = cube
        .dimensions
        .iter()
        .map(|d| (d.code.as_str(), d.label.as_str(), d.categories.len()))
        .collect();
    assert_eq!(
        dims,
        [
            ("Region", "region", 3),
            ("UtbildningsNiva", "utbildningsnivå", 5),
            ("Tid", "år", 1)
        ]
    );
    assert_eq!(
        cube.dimensions[1].categories[0].label,
        "förgymnasial utbildning"
    );
    assert_eq!(
        cube.dimensions[1].categories[2].label,
        "eftergymnasial utbildning, mindre än 3 år"
    );
    assert_eq!(cube.dimensions[1].categories[4].code, "US");
    assert_eq!(cube.value(&[1, 1, 0]), Some(40.0));
    assert_eq!(
        cube.title
            .as_deref()
            .map(|t| t.starts_with("Befolkning 25-64 år")),
        Some(true)
    );
}

/// The imported table is what `careneed cni --table` reads; a suppressed value is
/// an empty field, which the area table refuses, naming line and column: never a 0.
#[test]
fn imported_csv_is_an_area_table_and_a_suppressed_value_stays_visible() {
    let imported = import_dir(&mapping("mapping.toml"), &fixtures()).unwrap();
    let csv = imported.to_csv().unwrap();
    let mut spec = TableSpec::areas();
    for c in &mut spec.columns {
        if !imported.columns.contains(&c.name) {
            c.required = false;
        }
    }
    let err = parse_table("areas.csv", csv.as_bytes(), &spec).unwrap_err();
    match &err {
        Error::Input { location, problem } => {
            assert_eq!(location.line, Some(4));
            assert_eq!(location.field.as_deref(), Some("single_parents"));
            assert!(matches!(problem, Problem::NotANumber { value } if value.is_empty()));
        }
        other => panic!("{other:?}"),
    }
    // Without the suppressed row the table reads, with the values imported.
    let kept: String = csv
        .lines()
        .filter(|l| !l.starts_with("2181A0010"))
        .map(|l| format!("{l}\n"))
        .collect();
    let (table, _) = parse_table("areas.csv", kept.as_bytes(), &spec).unwrap();
    let row = table.row("2180C1020").unwrap();
    assert_eq!(table.value(row, "under5"), Some(27.0));
    assert_eq!(table.value(row, "pop_25_64"), Some(80.0));
}

/// The shipped mapping parses; each table says where its id and codes were
/// found, and none claims to be verified (they were not checked against SCB).
#[test]
fn shipped_mapping_is_documented_and_labelled_unverified() {
    let m = Mapping::shipped().unwrap();
    assert_eq!(m.tables.len(), 5);
    for (key, t) in &m.tables {
        assert!(!t.verified, "{key} claims to be verified");
        assert!(
            t.found.as_deref().is_some_and(|f| f.len() > 40),
            "{key}: say where it was found"
        );
        assert!(
            t.id.as_deref().is_some_and(|i| i.starts_with("TAB")),
            "{key}"
        );
        assert!(
            t.path.as_deref().is_some_and(|p| p.ends_with(key.as_str())),
            "{key}"
        );
    }
    for var in ["elderly_alone", "movers", "unemployed"] {
        assert!(m.variables[var].missing.is_some(), "{var}");
    }
    assert!(m.variables["foreign_born"].proxy_for.is_some());
    assert!(m.variables["single_parents"].proxy_for.is_some());
    let text = careneed::inputs::statdb::mapping::SHIPPED_DESO;
    assert!(text.contains("unverified") || text.contains("verified = false"));
}

/// An unknown dimension code in the mapping: the error names the mapping file, the
/// variable's key and the code, and lists the codes the table has.
#[test]
fn unknown_code_in_mapping_names_file_key_code_and_lists_codes() {
    let text = std::fs::read_to_string(fixtures().join("mapping.toml"))
        .unwrap()
        .replace(
            r#"sum = { Alder = ["-4"], Kon"#,
            r#"sum = { Alder = ["0-4"], Kon"#,
        );
    let m = Mapping::parse("my_mapping.toml", &text).unwrap();
    let err = import_dir(&m, &fixtures()).unwrap_err();
    let message = err.to_string();
    assert_eq!(
        err.location().and_then(|l| l.field.as_deref()),
        Some("variables.under5.sum.Alder")
    );
    for word in [
        "my_mapping.toml",
        "\"0-4\"",
        "FolkmDesoAldKon.json",
        "\"-4\" (0-4 år)",
        "\"65-69\"",
    ] {
        assert!(message.contains(word), "lacks {word}: {message}");
    }
}

/// A mapping that does not say which category of a many-valued dimension to take
/// is refused (the sum would otherwise silently add men, women and totals).
#[test]
fn an_unsummed_dimension_is_refused() {
    let text = std::fs::read_to_string(fixtures().join("mapping.toml"))
        .unwrap()
        .replace(
            r#"sum = { Alder = ["-4"], Kon = ["1", "2"] }"#,
            r#"sum = { Alder = ["-4"] }"#,
        );
    let m = Mapping::parse("m.toml", &text).unwrap();
    let message = import_dir(&m, &fixtures()).unwrap_err().to_string();
    assert!(message.contains("dimension \"Kon\""), "{message}");
    assert!(message.contains("sum.Kon"), "{message}");
}

/// `careneed import` writes the table and its coverage (JSON and Markdown) beside
/// it, and prints the coverage.
#[test]
fn cli_import_writes_table_and_coverage() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("areas.csv");
    let output = Command::new(env!("CARGO_BIN_EXE_careneed"))
        .args(["import", "--input"])
        .arg(fixtures())
        .arg("--mapping")
        .arg(fixtures().join("mapping.toml"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("3 areas"), "{stdout}");
    assert!(
        stdout.contains("foreign_born    PROXY from FolkmDesoLandKon"),
        "{stdout}"
    );
    assert!(stdout.contains("elderly_alone   MISSING"), "{stdout}");
    assert!(
        stderr.contains("warning:") && stderr.contains("suppressed"),
        "{stderr}"
    );
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(csv.starts_with("code,population,under5,"), "{csv}");
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("areas.coverage.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["areas"], 3);
    assert_eq!(json["variables"][2]["variable"], "foreign_born");
    assert_eq!(json["variables"][2]["status"], "proxy");
    let md = std::fs::read_to_string(dir.path().join("areas.coverage.md")).unwrap();
    assert!(md.contains("| elderly_alone | missing |"), "{md}");
}
