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

/// Without the cargo feature `fetch`, `careneed import --fetch` says how to get it.
#[cfg(not(feature = "fetch"))]
#[test]
fn cli_import_fetch_without_the_feature_says_how_to_get_it() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_careneed"))
        .args(["import", "--fetch", "--input"])
        .arg(dir.path())
        .arg("--mapping")
        .arg(fixtures().join("fetch_mapping.toml"))
        .arg("--out")
        .arg(dir.path().join("areas.csv"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("--features fetch"), "{stderr}");
}

/// `careneed import --fetch` (feature `fetch`) against a local HTTP server on
/// 127.0.0.1 that serves the fixture tables of this folder as a PxWeb API v2
/// would (metadata and data as JSON-stat 2.0). No internet is used; nothing here
/// was checked against SCB's live service.
#[cfg(feature = "fetch")]
mod fetch {
    use super::*;
    use careneed::inputs::statdb::Cube;
    use careneed::inputs::statdb::fetch::{
        Clock, FetchOptions, FetchReport, UreqTransport, fetch_tables,
    };
    use careneed::inputs::statdb::jsonstat::to_jsonstat;
    use careneed::inputs::statdb::mapping::import_files;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    /// One request as the server saw it.
    #[derive(Debug, Clone)]
    struct Request {
        method: String,
        target: String,
        body: String,
    }

    struct Server {
        api: String,
        log: Arc<Mutex<Vec<Request>>>,
    }

    impl Server {
        fn requests(&self) -> Vec<Request> {
            self.log.lock().unwrap().clone()
        }
    }

    /// The fixture table served under each PxWeb id (those of fetch_mapping.toml).
    fn tables() -> BTreeMap<String, Cube> {
        [
            ("TAB6574", "FolkmDesoAldKon.json"),
            ("TAB6568", "HushallDesoTyp.json"),
            ("TAB5956", "UtbSUNBefDesoRegso.px"),
            ("TAB6572", "FolkmDesoLandKon.csv"),
        ]
        .into_iter()
        .map(|(id, file)| (id.to_string(), read_cube(&fixtures().join(file)).unwrap()))
        .collect()
    }

    /// Serves `GET /api/v2/tables/{id}/metadata` and `POST /api/v2/tables/{id}/data`
    /// (a `{"selection": [...]}` body) from the fixtures; id `NOTJSON` answers an
    /// HTML page, an unknown id 404. The first `too_many` data calls are answered
    /// 429 with `Retry-After: 3`.
    fn serve(too_many: usize) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let api = format!("http://{}/api/v2/", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&log);
        let tables = tables();
        std::thread::spawn(move || {
            let mut refused = 0;
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let Some(request) = read_request(&stream) else {
                    continue;
                };
                seen.lock().unwrap().push(request.clone());
                let (status, extra, body) = answer(&tables, &request, &mut refused, too_many);
                let mut stream = stream;
                let head = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: application/json; charset=utf-8\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(body.as_bytes());
            }
        });
        Server { api, log }
    }

    fn read_request(stream: &TcpStream) -> Option<Request> {
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let mut parts = line.split_whitespace();
        let method = parts.next()?.to_string();
        let target = parts.next()?.to_string();
        let mut length = 0usize;
        loop {
            let mut header = String::new();
            reader.read_line(&mut header).ok()?;
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().ok()?;
            }
        }
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body).ok()?;
        Some(Request {
            method,
            target,
            body: String::from_utf8(body).ok()?,
        })
    }

    fn answer(
        tables: &BTreeMap<String, Cube>,
        request: &Request,
        refused: &mut usize,
        too_many: usize,
    ) -> (&'static str, String, String) {
        let path = request.target.split('?').next().unwrap_or("");
        let rest = path.strip_prefix("/api/v2/tables/").unwrap_or("");
        let (id, what) = rest.split_once('/').unwrap_or((rest, ""));
        if id == "NOTJSON" {
            return ("200 OK", String::new(), "<html>Service busy</html>".into());
        }
        let Some(cube) = tables.get(id) else {
            return (
                "404 Not Found",
                String::new(),
                format!(r#"{{"type":"Not found","title":"No table {id}"}}"#),
            );
        };
        match (request.method.as_str(), what) {
            ("GET", "metadata") => {
                let mut meta = to_jsonstat(cube);
                meta["value"] = serde_json::json!([]);
                ("200 OK", String::new(), meta.to_string())
            }
            ("POST", "data") => {
                if *refused < too_many {
                    *refused += 1;
                    return (
                        "429 Too Many Requests",
                        "Retry-After: 3\r\n".into(),
                        r#"{"title":"Too many requests"}"#.into(),
                    );
                }
                let body: serde_json::Value = serde_json::from_str(&request.body).unwrap();
                let pick: Vec<Vec<usize>> = cube
                    .dimensions
                    .iter()
                    .map(|d| {
                        let item = body["selection"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .find(|s| s["variableCode"] == d.code.as_str());
                        match item {
                            Some(s) => s["valueCodes"]
                                .as_array()
                                .unwrap()
                                .iter()
                                .map(|c| {
                                    let c = c.as_str().unwrap();
                                    d.categories.iter().position(|x| x.code == c).unwrap()
                                })
                                .collect(),
                            None => (0..d.categories.len()).collect(),
                        }
                    })
                    .collect();
                (
                    "200 OK",
                    String::new(),
                    to_jsonstat(&cube.dice(&pick)).to_string(),
                )
            }
            _ => ("405 Method Not Allowed", String::new(), "{}".into()),
        }
    }

    /// A clock that only moves when slept on, recording the sleeps.
    #[derive(Default)]
    struct FakeClock {
        now: Duration,
        sleeps: Vec<Duration>,
    }
    impl Clock for FakeClock {
        fn now(&self) -> Duration {
            self.now
        }
        fn sleep(&mut self, d: Duration) {
            self.sleeps.push(d);
            self.now += d;
        }
    }

    fn fetch(
        server_api: &str,
        mapping: &Mapping,
        dir: &Path,
        cell_limit: usize,
        clock: &mut FakeClock,
    ) -> careneed::Result<FetchReport> {
        let options = FetchOptions {
            api: server_api.to_string(),
            cell_limit,
            ..FetchOptions::default()
        };
        let mut transport = UreqTransport::new(Duration::from_secs(10));
        let mut lines = Vec::new();
        let report = fetch_tables(mapping, dir, &options, &mut transport, clock, &mut |l| {
            lines.push(l.to_string())
        });
        if report.is_ok() {
            assert!(lines.iter().any(|l| l.contains("wrote")), "{lines:?}");
        }
        report
    }

    fn cells_in_body(body: &str) -> usize {
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        body["selection"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["valueCodes"].as_array().unwrap().len())
            .product()
    }

    /// Each mapped table in two calls (metadata, data) with `lang=sv` and
    /// `outputFormat=json-stat2`; the selection is the DeSO codes (not the kommun
    /// 2180), the year and the summed categories; the imported table equals the
    /// import of the fixture files themselves.
    #[test]
    fn fetch_downloads_the_mapped_tables_and_imports_them() {
        let server = serve(0);
        let dir = tempfile::tempdir().unwrap();
        let m = mapping("fetch_mapping.toml");
        let mut clock = FakeClock::default();
        let report = fetch(&server.api, &m, dir.path(), 100_000, &mut clock).unwrap();
        assert_eq!(report.calls, 8);
        assert!(clock.sleeps.is_empty(), "{:?}", clock.sleeps);
        let requests = server.requests();
        assert_eq!(requests.len(), 8);
        for r in &requests {
            assert!(
                r.target.ends_with("?lang=sv&outputFormat=json-stat2"),
                "{}",
                r.target
            );
        }
        let gets: Vec<&str> = requests
            .iter()
            .filter(|r| r.method == "GET")
            .map(|r| r.target.as_str())
            .collect();
        assert_eq!(gets.len(), 4);
        assert!(gets.contains(&"/api/v2/tables/TAB6574/metadata?lang=sv&outputFormat=json-stat2"));
        let data = requests
            .iter()
            .find(|r| r.method == "POST" && r.target.starts_with("/api/v2/tables/TAB6574/data"))
            .unwrap();
        let body: serde_json::Value = serde_json::from_str(&data.body).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"selection": [
                {"variableCode": "Region", "valueCodes": ["2180C1010", "2180C1020", "2181A0010"]},
                {"variableCode": "Alder", "valueCodes": ["-4", "5-9", "65-69"]},
                {"variableCode": "Kon", "valueCodes": ["1", "2"]},
                {"variableCode": "Tid", "valueCodes": ["2023"]},
            ]})
        );
        // The CSV export's label-only table: the mapping's labels are sent as codes.
        let csv = requests
            .iter()
            .find(|r| r.method == "POST" && r.target.starts_with("/api/v2/tables/TAB6572/data"))
            .unwrap();
        assert!(csv.body.contains("födda i övriga världen"), "{}", csv.body);

        let files = report.files();
        assert_eq!(files.len(), 4);
        assert_eq!(
            files["FolkmDesoAldKon"],
            dir.path().join("FolkmDesoAldKon.json")
        );
        let fetched = import_files(&m, &files).unwrap();
        let direct = import_dir(&mapping("mapping.toml"), &fixtures()).unwrap();
        assert_eq!(fetched.columns, direct.columns);
        assert_eq!(fetched.rows, direct.rows);
        // And the folder now imports without --fetch, too.
        assert_eq!(import_dir(&m, dir.path()).unwrap().rows, direct.rows);
    }

    /// With a cell limit of 10, every data call asks for at most 10 cells; the
    /// tables merged from the parts equal those fetched in one call each, and
    /// more than 10 calls wait out SCB's window (10 calls per 10 s).
    #[test]
    fn fetch_splits_above_the_cell_limit_and_merges() {
        let m = mapping("fetch_mapping.toml");
        let whole_dir = tempfile::tempdir().unwrap();
        let whole_server = serve(0);
        let whole = fetch(
            &whole_server.api,
            &m,
            whole_dir.path(),
            100_000,
            &mut FakeClock::default(),
        )
        .unwrap();

        let server = serve(0);
        let dir = tempfile::tempdir().unwrap();
        let mut clock = FakeClock::default();
        let split = fetch(&server.api, &m, dir.path(), 10, &mut clock).unwrap();
        let posts: Vec<Request> = server
            .requests()
            .into_iter()
            .filter(|r| r.method == "POST")
            .collect();
        assert!(posts.len() > 4, "{}", posts.len());
        for p in &posts {
            assert!(cells_in_body(&p.body) <= 10, "{}", p.body);
        }
        let parts: usize = split.tables.iter().map(|t| t.data_calls).sum();
        assert_eq!(parts, posts.len());
        assert!(split.tables.iter().any(|t| t.data_calls >= 3), "{split:?}");
        for (a, b) in whole.tables.iter().zip(&split.tables) {
            assert_eq!(a.key, b.key);
            assert_eq!(a.cells, b.cells);
            let (a, b) = (read_cube(&a.file).unwrap(), read_cube(&b.file).unwrap());
            assert_eq!(a.dimensions, b.dimensions, "{}", b.source);
            assert_eq!(a.values, b.values, "{}", b.source);
        }
        // The fake clock never moves by itself: all calls come at once, so the
        // 11th, 21st, … wait 10 s each.
        let calls = server.requests().len();
        assert_eq!(split.calls, calls);
        assert_eq!(clock.sleeps.len(), (calls - 1) / 10, "{:?}", clock.sleeps);
        assert!(clock.sleeps.iter().all(|&s| s == Duration::from_secs(10)));
        let fetched = import_files(&m, &split.files()).unwrap();
        let direct = import_dir(&mapping("mapping.toml"), &fixtures()).unwrap();
        assert_eq!(fetched.rows, direct.rows);
    }

    /// An answer 429 is waited out (its `Retry-After`) and retried; after the
    /// retries, an error naming the table, its id, the URL and SCB's limits.
    #[test]
    fn fetch_waits_on_429_and_gives_up_with_a_clear_error() {
        let server = serve(1);
        let dir = tempfile::tempdir().unwrap();
        let m = mapping("fetch_mapping.toml");
        let mut clock = FakeClock::default();
        let report = fetch(&server.api, &m, dir.path(), 100_000, &mut clock).unwrap();
        assert_eq!(report.calls, 9);
        assert_eq!(clock.sleeps, [Duration::from_secs(3)]);

        let server = serve(usize::MAX);
        let mut clock = FakeClock::default();
        let err = fetch(&server.api, &m, dir.path(), 100_000, &mut clock)
            .unwrap_err()
            .to_string();
        assert!(err.contains("FolkmDesoAldKon (TAB6574)"), "{err}");
        assert!(err.contains("HTTP 429 after 3 attempts"), "{err}");
        assert!(
            err.contains(&format!("{}tables/TAB6574/data?lang=sv", server.api)),
            "{err}"
        );
        assert!(err.contains("scb.se"), "{err}");
        assert_eq!(clock.sleeps, [Duration::from_secs(3); 2]);
    }

    fn with_id(id: &str) -> Mapping {
        let text = std::fs::read_to_string(fixtures().join("fetch_mapping.toml"))
            .unwrap()
            .replace("TAB6574", id);
        Mapping::parse("fetch_mapping.toml", &text).unwrap()
    }

    /// HTTP errors, answers that are not JSON, no answer, and a table without id:
    /// each a clear error naming the table key, its id and the URL (or the key).
    #[test]
    fn fetch_errors_name_the_table_and_the_url() {
        let server = serve(0);
        let dir = tempfile::tempdir().unwrap();
        let mut clock = FakeClock::default();
        let err = fetch(
            &server.api,
            &with_id("TAB404"),
            dir.path(),
            100_000,
            &mut clock,
        )
        .unwrap_err();
        assert!(matches!(err, Error::Fetch { .. }), "{err:?}");
        let err = err.to_string();
        assert!(err.contains("FolkmDesoAldKon (TAB404)"), "{err}");
        assert!(err.contains("/tables/TAB404/metadata?lang=sv"), "{err}");
        assert!(err.contains("HTTP 404"), "{err}");

        let err = fetch(
            &server.api,
            &with_id("NOTJSON"),
            dir.path(),
            100_000,
            &mut clock,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("FolkmDesoAldKon (NOTJSON)"), "{err}");
        assert!(err.contains("not JSON-stat"), "{err}");

        // A port nobody listens on.
        let closed = TcpListener::bind("127.0.0.1:0").unwrap();
        let api = format!("http://{}/api/v2", closed.local_addr().unwrap());
        drop(closed);
        let err = fetch(&api, &with_id("TAB6574"), dir.path(), 100_000, &mut clock)
            .unwrap_err()
            .to_string();
        assert!(err.contains("FolkmDesoAldKon (TAB6574)"), "{err}");
        assert!(
            err.contains(&format!("{api}/tables/TAB6574/metadata")),
            "{err}"
        );
        assert!(err.contains("no answer"), "{err}");

        // The fixture mapping without ids: nothing is called.
        let before = server.requests().len();
        let err = fetch(
            &server.api,
            &mapping("mapping.toml"),
            dir.path(),
            100_000,
            &mut clock,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("mapping.toml") && err.contains("tables.FolkmDesoAldKon.id"),
            "{err}"
        );
        assert_eq!(server.requests().len(), before);
    }

    /// A server that accepts the connection but never answers: the call's timeout
    /// ends it, with an error naming the table, its id and the URL.
    #[test]
    fn fetch_times_out_with_a_clear_error() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let api = format!("http://{}/api/v2/", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming() {
                held.push(stream); // kept open, never answered
            }
        });
        let dir = tempfile::tempdir().unwrap();
        let options = FetchOptions {
            api: api.clone(),
            ..FetchOptions::default()
        };
        let mut transport = UreqTransport::new(Duration::from_millis(300));
        let started = std::time::Instant::now();
        let err = fetch_tables(
            &mapping("fetch_mapping.toml"),
            dir.path(),
            &options,
            &mut transport,
            &mut FakeClock::default(),
            &mut |_| {},
        )
        .unwrap_err()
        .to_string();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(err.contains("FolkmDesoAldKon (TAB6574)"), "{err}");
        assert!(
            err.contains(&format!("{api}tables/TAB6574/metadata")),
            "{err}"
        );
        assert!(
            err.contains("no answer") && err.to_lowercase().contains("timeout"),
            "{err}"
        );
    }

    /// A category the table's metadata lacks is refused before any data call,
    /// naming the mapping's key and listing the table's codes.
    #[test]
    fn fetch_refuses_a_category_the_metadata_lacks() {
        let server = serve(0);
        let dir = tempfile::tempdir().unwrap();
        let text = std::fs::read_to_string(fixtures().join("fetch_mapping.toml"))
            .unwrap()
            .replace(r#"Alder = ["-4"]"#, r#"Alder = ["0-3"]"#);
        let m = Mapping::parse("fetch_mapping.toml", &text).unwrap();
        let err = fetch(
            &server.api,
            &m,
            dir.path(),
            100_000,
            &mut FakeClock::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("variables.under5.sum.Alder"), "{err}");
        assert!(
            err.contains("\"0-3\"") && err.contains("\"65-69\""),
            "{err}"
        );
        assert!(server.requests().iter().all(|r| r.method == "GET"));
    }

    /// `careneed import --fetch --api URL --cell-limit N`: progress on stderr, the
    /// tables in --input, the area table and its coverage written.
    #[test]
    fn cli_import_fetch_downloads_and_imports() {
        let server = serve(0);
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("tables");
        let out = dir.path().join("areas.csv");
        let output = Command::new(env!("CARGO_BIN_EXE_careneed"))
            .args([
                "import",
                "--fetch",
                "--api",
                &server.api,
                "--cell-limit",
                "50",
            ])
            .arg("--input")
            .arg(&input)
            .arg("--mapping")
            .arg(fixtures().join("fetch_mapping.toml"))
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        assert!(
            stderr.contains("fetching 4 tables from http://127.0.0.1"),
            "{stderr}"
        );
        assert!(
            stderr.contains("FolkmDesoAldKon (TAB6574): wrote"),
            "{stderr}"
        );
        assert!(stdout.contains("3 areas"), "{stdout}");
        assert!(input.join("HushallDesoTyp.json").is_file());
        let csv = std::fs::read_to_string(&out).unwrap();
        assert!(csv.starts_with("code,population,under5,"), "{csv}");
    }
}
