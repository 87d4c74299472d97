//! Workbook tables (`.xlsx`, `.xls`, `.ods`; feature `excel`): the same table gives
//! the same numbers and the same CNI as its CSV; errors name the file, the sheet
//! and the cell in A1 style.
//!
//! Workbooks are written here with rust_xlsxwriter. The hostile workbooks in
//! `tests/hostile/tables` are written by [`write_hostile_workbooks`] (ignored; run
//! it with `cargo test --test inputs_workbook -- --ignored` to regenerate them),
//! except three that need other tools, made by `tests/hostile/make_workbooks.py`:
//! `workbook_legacy.xls` (xlwt), `workbook_areas.ods` (a hand-made OpenDocument
//! ZIP) and `workbook_password.xlsx` (encrypted by msoffcrypto-tool).
#![cfg(feature = "excel")]

use careneed::inputs::table::{TableSpec, parse_table, read_table};
use careneed::scores::cni::{self, CniSpec};
use careneed::{Error, Location, Problem};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
use std::path::{Path, PathBuf};

/// One cell to write.
#[derive(Clone, Debug)]
enum W {
    S(String),
    N(f64),
    B(bool),
    /// A date (year, month, day), formatted as one.
    D(u16, u8, u8),
    /// A formula and its cached result (empty: none).
    F(String, String),
    Blank,
}

fn s(text: &str) -> W {
    W::S(text.to_string())
}

/// A sheet: its name, its rows (from `origin`), merged ranges and whether hidden.
struct Sheet {
    name: String,
    origin: (u32, u16),
    rows: Vec<Vec<W>>,
    merged: Vec<(u32, u16, u32, u16, String)>,
    hidden: bool,
}

impl Sheet {
    fn new(name: &str, rows: Vec<Vec<W>>) -> Self {
        Sheet {
            name: name.into(),
            origin: (0, 0),
            rows,
            merged: Vec::new(),
            hidden: false,
        }
    }
}

fn workbook(sheets: &[Sheet]) -> Vec<u8> {
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for sheet in sheets {
        let ws = book.add_worksheet();
        ws.set_name(&sheet.name).unwrap();
        // A formula without a result is saved with an empty one (`<v></v>`), as
        // by a program that cannot calculate; rust_xlsxwriter's default is 0.
        ws.set_formula_result_default("");
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = sheet.origin.0 + r as u32;
            for (c, cell) in row.iter().enumerate() {
                let c = sheet.origin.1 + c as u16;
                match cell {
                    W::S(t) => ws.write_string(r, c, t).map(|_| ()),
                    W::N(n) => ws.write_number(r, c, *n).map(|_| ()),
                    W::B(b) => ws.write_boolean(r, c, *b).map(|_| ()),
                    W::D(y, m, d) => ws
                        .write_datetime_with_format(
                            r,
                            c,
                            ExcelDateTime::from_ymd(*y, *m, *d).unwrap(),
                            &date,
                        )
                        .map(|_| ()),
                    W::F(f, result) => ws
                        .write_formula(r, c, Formula::new(f).set_result(result))
                        .map(|_| ()),
                    W::Blank => Ok(()),
                }
                .unwrap();
            }
        }
        for (r1, c1, r2, c2, text) in &sheet.merged {
            ws.merge_range(*r1, *c1, *r2, *c2, text, &Format::new())
                .unwrap();
        }
        if sheet.hidden {
            ws.set_hidden(true);
        }
    }
    book.save_to_buffer().unwrap()
}

const HEADER: [&str; 10] = [
    "code",
    "name",
    "population",
    "under5",
    "foreign_born",
    "elderly_alone",
    "single_parents",
    "movers",
    "unemployed",
    "low_education",
];

/// A CSV area table as sheet rows: the header as text; codes and names as text,
/// counts as number cells.
fn csv_rows(csv: &str) -> Vec<Vec<W>> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let text_columns = ["code", "name", "bvc"];
    let mut rows = vec![header.iter().map(|h| s(h)).collect::<Vec<_>>()];
    for line in lines {
        rows.push(
            line.split(',')
                .zip(&header)
                .map(|(v, h)| {
                    if text_columns.contains(h) {
                        if v.is_empty() { W::Blank } else { s(v) }
                    } else {
                        W::N(v.parse().unwrap())
                    }
                })
                .collect(),
        );
    }
    rows
}

/// Two areas in the layout of SCB's workbooks: a merged title over the table, a
/// subtitle, a blank row, the header in row 4 from column B, two footnotes.
fn scb_layout(rows: Vec<Vec<W>>) -> Sheet {
    let mut all = vec![
        vec![W::Blank],
        vec![W::Blank, s("Gävle kommun, 31 december 2024")],
        vec![],
    ];
    let n = rows.len() as u32;
    all.extend(
        rows.into_iter()
            .map(|r| std::iter::once(W::Blank).chain(r).collect()),
    );
    all.push(vec![]);
    all.push(vec![W::Blank, s("Källa: SCB, befolkningsstatistik")]);
    all.push(vec![W::Blank, s(".. = uppgift saknas")]);
    let mut sheet = Sheet::new("DeSO", all);
    sheet.merged.push((
        0,
        1,
        0,
        10,
        "Folkmängd och CNI-variabler per DeSO".to_string(),
    ));
    let _ = n;
    sheet
}

fn two_areas() -> Vec<Vec<W>> {
    csv_rows(&format!(
        "{}\n2180C1010,Gävle centrum,1200,60,300,40,25,150,30,80\n2180C1020,,900,45,100,20,10,90,12,40\n",
        HEADER.join(",")
    ))
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile/tables")
}

fn input_error<T: std::fmt::Debug>(result: careneed::Result<T>) -> (Location, Problem, String) {
    match result {
        Err(e @ Error::Input { .. }) => {
            let message = e.to_string();
            match e {
                Error::Input { location, problem } => (location, problem, message),
                _ => unreachable!(),
            }
        }
        other => panic!("expected an input error, got {other:?}"),
    }
}

/// The demo county's area table (`data/demo/areas.csv`) as a workbook in SCB's
/// layout gives exactly the CNI of the CSV: every area, bit for bit.
#[test]
fn xlsx_area_table_gives_exactly_the_cni_of_its_csv() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo/areas.csv");
    let csv = std::fs::read_to_string(&path).unwrap();
    let (from_csv, _) = parse_table("areas.csv", csv.as_bytes(), &TableSpec::areas()).unwrap();
    let bytes = workbook(&[scb_layout(csv_rows(&csv))]);
    let (from_xlsx, report) = parse_table("areas.xlsx", &bytes, &TableSpec::areas()).unwrap();
    assert_eq!(from_xlsx.rows.len(), from_csv.rows.len());
    assert!(from_csv.rows.len() > 50, "{}", from_csv.rows.len());
    for (a, b) in from_csv.rows.iter().zip(&from_xlsx.rows) {
        assert_eq!(
            (&a.key, &a.labels, &a.values),
            (&b.key, &b.labels, &b.values)
        );
    }
    assert_eq!(from_xlsx.columns, from_csv.columns);
    assert_eq!(report.of_kind("header_row").count(), 1);
    assert_eq!(report.of_kind("footnote_rows").count(), 1);

    let spec = CniSpec::default();
    let a = cni::compute(&from_csv, &spec).unwrap();
    let b = cni::compute(&from_xlsx, &spec).unwrap();
    assert_eq!(a.reference.value.to_bits(), b.reference.value.to_bits());
    for (x, y) in a.areas.iter().zip(&b.areas) {
        assert_eq!(x.code, y.code);
        assert_eq!(
            x.cni.map(f64::to_bits),
            y.cni.map(f64::to_bits),
            "{}",
            x.code
        );
        assert_eq!(x.index.to_bits(), y.index.to_bits(), "{}", x.code);
    }
}

/// SCB's layout: the header found in row 4 below the title rows, read from column
/// B; both skipped parts reported, quoting what was skipped.
#[test]
fn header_row_is_found_below_title_rows() {
    let bytes = workbook(&[scb_layout(two_areas())]);
    let (t, report) = parse_table("areas.xlsx", &bytes, &TableSpec::areas()).unwrap();
    assert_eq!(t.rows.len(), 2);
    assert_eq!(t.rows[0].line, 5);
    assert_eq!(t.value(&t.rows[1], "population"), Some(900.0));
    assert_eq!(t.label(&t.rows[0], "name"), Some("Gävle centrum"));
    assert_eq!(t.label(&t.rows[1], "name"), None);
    let header = report.of_kind("header_row").next().unwrap();
    assert_eq!(
        header.location.to_string(),
        "areas.xlsx, sheet \"DeSO\", row 4"
    );
    assert_eq!(
        header.message,
        "the header is row 4; 2 title row(s) above it were skipped: row 1 \"Folkmängd och CNI-variabler per DeSO\", row 2 \"Gävle kommun, 31 december 2024\""
    );
    let notes = report.of_kind("footnote_rows").next().unwrap();
    assert!(
        notes
            .message
            .contains("row 8 \"Källa: SCB, befolkningsstatistik\", row 9 \".. = uppgift saknas\""),
        "{}",
        notes.message
    );
    assert_eq!(report.of_kind("ignored_columns").count(), 0);
}

/// Errors name the file, the sheet and the cell (A1 style, counted from the
/// sheet's column A even when the table starts in column B).
#[test]
fn errors_name_file_sheet_and_cell() {
    let cases: Vec<(usize, W, &str)> = vec![
        (
            3,
            W::N(-3.0),
            "areas.xlsx, sheet \"DeSO\", cell E6 (code 2180C1020), field \"under5\": negative count -3",
        ),
        (
            3,
            s(".."),
            "areas.xlsx, sheet \"DeSO\", cell E6 (code 2180C1020), field \"under5\": the value is withheld (`..`, SCB's mark for a value not published)",
        ),
        (
            2,
            W::D(2024, 1, 15),
            "areas.xlsx, sheet \"DeSO\", cell D6 (code 2180C1020), field \"population\": a date (2024-01-15), expected a count",
        ),
        (
            4,
            W::B(true),
            "areas.xlsx, sheet \"DeSO\", cell F6 (code 2180C1020), field \"foreign_born\": a boolean (TRUE), expected a count",
        ),
        (
            9,
            W::F("=1/0".into(), "#DIV/0!".into()),
            "areas.xlsx, sheet \"DeSO\", cell K6 (code 2180C1020), field \"low_education\": an error value (#DIV/0!), not a number",
        ),
        (
            9,
            W::F("=J6/2".into(), String::new()),
            "areas.xlsx, sheet \"DeSO\", cell K6 (code 2180C1020), field \"low_education\": a formula (=J6/2) without a cached value",
        ),
        (
            3,
            s("many"),
            "areas.xlsx, sheet \"DeSO\", cell E6 (code 2180C1020), field \"under5\": \"many\" is not a number",
        ),
        (
            3,
            W::N(901.0),
            "areas.xlsx, sheet \"DeSO\", cell E6 (code 2180C1020), field \"under5\": 901 exceeds its denominator \"population\" = 900",
        ),
        (
            0,
            s("2180C1010"),
            "areas.xlsx, sheet \"DeSO\", cell B6 (code 2180C1010), field \"code\": duplicate code \"2180C1010\" (first seen at row 5)",
        ),
    ];
    for (column, cell, expected) in cases {
        let mut rows = two_areas();
        rows[2][column] = cell.clone();
        let bytes = workbook(&[scb_layout(rows)]);
        let (location, _, message) =
            input_error(parse_table("areas.xlsx", &bytes, &TableSpec::areas()));
        assert!(message.starts_with(expected), "{cell:?}: {message}");
        assert_eq!(location.sheet.as_deref(), Some("DeSO"));
        assert_eq!(location.line, Some(6));
    }
}

/// Number cells are numbers; text cells follow the CSV rules (Swedish grouping
/// and decimal comma); a formula's cached value is read, with a notice.
#[test]
fn numbers_text_numbers_and_formulas() {
    let mut rows = two_areas();
    rows[1][2] = s("1\u{a0}200"); // population as text with a no-break space
    rows[1][3] = s("60,0");
    rows[2][2] = W::F("=400+500".into(), "900".into());
    rows[2][3] = W::N(45.5);
    let bytes = workbook(&[Sheet::new("Blad1", rows)]);
    let (t, report) = parse_table("areas.xlsx", &bytes, &TableSpec::areas()).unwrap();
    assert_eq!(t.value(&t.rows[0], "population"), Some(1200.0));
    assert_eq!(t.value(&t.rows[0], "under5"), Some(60.0));
    assert_eq!(t.value(&t.rows[1], "population"), Some(900.0));
    assert_eq!(t.value(&t.rows[1], "under5"), Some(45.5));
    let formulas = report.of_kind("formulas").next().unwrap();
    assert!(
        formulas.message.starts_with("1 cell(s) hold formulas"),
        "{}",
        formulas.message
    );
    assert_eq!(report.of_kind("header_row").count(), 0);
}

/// A sheet is chosen by name after `#`, else the only (visible) one; several
/// without a choice is an error listing them.
#[test]
fn sheet_by_name_or_the_only_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("areas.xlsx");
    let info = Sheet::new("Om tabellen", vec![vec![s("Källa: SCB")]]);
    std::fs::write(
        &path,
        workbook(&[info, Sheet::new("DeSO 2024", two_areas())]),
    )
    .unwrap();
    let e = read_table(&path, &TableSpec::areas())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!(
            "{}: the workbook has 2 sheets (\"Om tabellen\", \"DeSO 2024\"); name the one to read after a '#', as in \"areas.xlsx#Om tabellen\"",
            path.display()
        )
    );
    for name in ["DeSO 2024", "deso 2024"] {
        let with_sheet = PathBuf::from(format!("{}#{name}", path.display()));
        let (t, _) = read_table(&with_sheet, &TableSpec::areas()).unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.source, path.display().to_string());
    }
    let missing = PathBuf::from(format!("{}#RegSO", path.display()));
    let e = read_table(&missing, &TableSpec::areas())
        .unwrap_err()
        .to_string();
    assert!(
        e.ends_with(
            "the workbook has no sheet named \"RegSO\"; its sheets: \"Om tabellen\", \"DeSO 2024\""
        ),
        "{e}"
    );
    assert_eq!(
        careneed::inputs::table::table_file(&missing),
        path,
        "the file of a path with a sheet"
    );

    // The only visible sheet, with a notice.
    let mut hidden = Sheet::new("Om tabellen", vec![vec![s("Källa: SCB")]]);
    hidden.hidden = true;
    let bytes = workbook(&[Sheet::new("DeSO", two_areas()), hidden]);
    let (t, report) = parse_table("areas.xlsx", &bytes, &TableSpec::areas()).unwrap();
    assert_eq!(t.rows.len(), 2);
    assert_eq!(
        report.of_kind("sheet").next().unwrap().message,
        "read the only visible sheet, \"DeSO\" (hidden: \"Om tabellen\")"
    );
}

/// The header row is found by the scenario's column mapping too.
#[test]
fn mapped_headers_and_births_and_bvc_tables() {
    let rows = vec![
        vec![s("Födda per DeSO 2024")],
        vec![s("DeSO"), s("Födda"), s("Förstfödda")],
        vec![s("2180C1010"), W::N(14.0), W::N(6.0)],
    ];
    let bytes = workbook(&[Sheet::new("Födda", rows)]);
    let mut spec = TableSpec::births();
    spec.map_headers(
        &[
            ("code", "deso"),
            ("births", "Födda"),
            ("first_births", "Förstfödda"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect(),
    )
    .unwrap();
    let (t, report) = parse_table("births.xlsx", &bytes, &spec).unwrap();
    assert_eq!(t.value(&t.rows[0], "first_births"), Some(6.0));
    assert_eq!(report.of_kind("header_row").count(), 1);
    assert_eq!(report.of_kind("column").count(), 1); // "DeSO" for "deso"

    let rows = vec![
        vec![
            s("bvc"),
            s("newborns"),
            s("first_born"),
            s("bcg_indicated"),
            s("mother_smoking"),
        ],
        vec![s("Norr"), W::N(100.0), W::N(40.0), W::N(10.0), W::N(101.0)],
    ];
    let bytes = workbook(&[Sheet::new("VTI", rows)]);
    let (_, _, message) = input_error(parse_table("bvc.xlsx", &bytes, &TableSpec::bvc_vti()));
    assert_eq!(
        message,
        "bvc.xlsx, sheet \"VTI\", cell E2 (code Norr), field \"mother_smoking\": 101 exceeds its denominator \"newborns\" = 100"
    );
}

/// A missing column lists the header row's columns, not the title's.
#[test]
fn missing_column_lists_the_header_row() {
    let mut rows = two_areas();
    for row in &mut rows {
        row.truncate(9);
    }
    let bytes = workbook(&[scb_layout(rows)]);
    let (location, problem, _) =
        input_error(parse_table("areas.xlsx", &bytes, &TableSpec::areas()));
    assert!(
        matches!(problem, Problem::MissingColumn { ref column, .. } if column == "low_education")
    );
    assert_eq!(location.line, Some(4));
    assert!(format!("{problem}").contains("(the header has: code, name, population"));
}

/// Merged cells: in the header row an error naming the range; a key left empty
/// under merged cells says so.
#[test]
fn merged_cells() {
    let mut sheet = Sheet::new("DeSO", two_areas());
    sheet.merged.push((0, 8, 0, 9, "unemployed".into()));
    let (location, _, message) = input_error(parse_table(
        "m.xlsx",
        &workbook(&[sheet]),
        &TableSpec::areas(),
    ));
    assert_eq!(location.cell.as_deref(), Some("I1"));
    assert!(
        message.starts_with("m.xlsx, sheet \"DeSO\", cell I1: the header row 1 has merged cells I1:J1 (\"unemployed\")"),
        "{message}"
    );

    let mut rows = two_areas();
    rows[2][0] = W::Blank;
    let mut sheet = Sheet::new("DeSO", rows);
    sheet.merged.push((1, 0, 2, 0, "2180C1010".into()));
    let (_, _, message) = input_error(parse_table(
        "m.xlsx",
        &workbook(&[sheet]),
        &TableSpec::areas(),
    ));
    assert!(
        message.starts_with("m.xlsx, sheet \"DeSO\", cell A3, field \"code\": empty: the cell is part of merged cells A2:A3"),
        "{message}"
    );
}

/// Empty workbooks and sheets, a header without rows, files that only look like
/// workbooks: errors naming the file, never a panic.
#[test]
fn empty_and_damaged_workbooks() {
    let empty = workbook(&[Sheet::new("Blad1", vec![])]);
    let (_, problem, message) = input_error(parse_table("e.xlsx", &empty, &TableSpec::areas()));
    assert!(matches!(problem, Problem::Invalid(_)));
    assert_eq!(
        message,
        "e.xlsx, sheet \"Blad1\": the sheet is empty (no cell holds a value)"
    );
    let header_only = workbook(&[Sheet::new(
        "Blad1",
        vec![HEADER.iter().map(|h| s(h)).collect()],
    )]);
    let (_, problem, _) = input_error(parse_table("h.xlsx", &header_only, &TableSpec::areas()));
    assert_eq!(problem, Problem::HeaderOnly);
    let (_, problem, _) = input_error(parse_table("z.xlsx", b"", &TableSpec::areas()));
    assert_eq!(problem, Problem::Empty);
    // Every prefix of a real workbook: an error or (never) a table, no panic.
    let good = workbook(&[Sheet::new("DeSO", two_areas())]);
    for cut in (0..good.len()).step_by(97) {
        let e = parse_table("cut.xlsx", &good[..cut], &TableSpec::areas()).unwrap_err();
        assert!(e.to_string().starts_with("cut.xlsx"), "{e}");
    }
}

/// A file named .xlsx that holds text is read as CSV, with a warning; a workbook
/// named .csv is read as a workbook, with a notice.
#[test]
fn content_decides_over_name() {
    let csv = format!(
        "{}\n2180C1010,A,1200,60,300,40,25,150,30,80\n",
        HEADER.join(",")
    );
    let (t, report) = parse_table("areas.xlsx", csv.as_bytes(), &TableSpec::areas()).unwrap();
    assert_eq!(t.rows.len(), 1);
    assert_eq!(
        report.of_kind("format").next().unwrap().message,
        "named .xlsx but not a workbook: read as a CSV text table"
    );
    let bytes = workbook(&[Sheet::new("DeSO", two_areas())]);
    let (t, report) = parse_table("areas.csv", &bytes, &TableSpec::areas()).unwrap();
    assert_eq!(t.rows.len(), 2);
    assert_eq!(report.of_kind("format").count(), 1);
}

/// The `.xls` and `.ods` fixtures (the two areas of [`two_areas`]) read as the CSV.
#[test]
fn xls_and_ods_read_as_the_csv() {
    let csv = format!(
        "{}\n2180C1010,Gävle centrum,1200,60,300,40,25,150,30,80\n2180C1020,,900,45,100,20,10,90,12,40\n",
        HEADER.join(",")
    );
    let (expected, _) = parse_table("areas.csv", csv.as_bytes(), &TableSpec::areas()).unwrap();
    for file in ["workbook_legacy.xls", "workbook_areas.ods"] {
        let (t, report) = read_table(&corpus().join(file), &TableSpec::areas()).unwrap();
        for (a, b) in expected.rows.iter().zip(&t.rows) {
            assert_eq!(
                (&a.key, &a.labels, &a.values),
                (&b.key, &b.labels, &b.values),
                "{file}"
            );
        }
        assert_eq!(t.rows.len(), 2, "{file}");
        assert_eq!(report.of_kind("header_row").count(), 1, "{file}");
    }
    let (_, _, message) = input_error(read_table(
        &corpus().join("workbook_areas.ods"),
        &TableSpec::bvc_vti(),
    ));
    assert!(
        message.contains("workbook_areas.ods, sheet \"DeSO\""),
        "{message}"
    );
}

/// A stray value far from the table (`XFD1048576`) costs one cell, not the
/// rectangle up to it, and is not read (it is right of the header).
#[test]
fn stray_far_cell_costs_one_cell() {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    for (r, row) in two_areas().iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            match cell {
                W::S(t) => ws.write_string(r as u32, c as u16, t).map(|_| ()),
                W::N(n) => ws.write_number(r as u32, c as u16, *n).map(|_| ()),
                _ => Ok(()),
            }
            .unwrap();
        }
    }
    ws.write_number(1_048_575, 16_383, 1.0).unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let (t, _) = parse_table("far.xlsx", &bytes, &TableSpec::areas()).unwrap();
    assert_eq!(t.rows.len(), 2);
}

/// The demo run with its three tables as sheets of one workbook
/// (`tables.xlsx#DeSO`, `#BVC`, `#Födda` in the scenario) writes the same CNI,
/// VTI and plan as with the CSV files.
#[test]
fn the_demo_run_reads_its_tables_from_sheets() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo");
    let dir = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(&demo).unwrap() {
        let p = f.unwrap().path();
        if p.is_file() {
            std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
        }
    }
    let sheet = |name: &str, file: &str| {
        let csv = std::fs::read_to_string(demo.join(file)).unwrap();
        Sheet::new(name, csv_rows(&csv))
    };
    let mut sheets = vec![
        sheet("DeSO", "areas.csv"),
        sheet("BVC", "bvc_vti.csv"),
        sheet("Födda", "births.csv"),
    ];
    for s in &mut sheets {
        s.rows.insert(0, vec![W::S(format!("Tabell: {}", s.name))]);
        s.rows.insert(1, vec![]);
    }
    std::fs::write(dir.path().join("tables.xlsx"), workbook(&sheets)).unwrap();
    let scenario = std::fs::read_to_string(demo.join("scenario.toml")).unwrap();
    let workbook_scenario = scenario
        .replacen("areas = \"areas.csv\"", "areas = \"tables.xlsx#DeSO\"", 1)
        .replacen(
            "bvc_table = \"bvc_vti.csv\"",
            "bvc_table = \"tables.xlsx#BVC\"",
            1,
        )
        .replacen(
            "births = \"births.csv\"",
            "births = \"tables.xlsx#Födda\"",
            1,
        );
    assert_eq!(workbook_scenario.matches("tables.xlsx#").count(), 3);
    std::fs::write(dir.path().join("workbook.toml"), workbook_scenario).unwrap();
    let run = |scenario: &str, out: &str| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_careneed"))
            .args(["run", "--scenario", scenario, "--out", out])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    run("scenario.toml", "csv");
    run("workbook.toml", "xlsx");
    for file in ["cni.csv", "vti.csv", "plan.csv", "catchments.csv"] {
        let a = std::fs::read_to_string(dir.path().join("csv").join(file)).unwrap();
        let b = std::fs::read_to_string(dir.path().join("xlsx").join(file)).unwrap();
        assert!(a == b, "{file} differs");
    }
    let report = std::fs::read_to_string(dir.path().join("xlsx/run_report.json")).unwrap();
    assert!(report.contains("header_row"), "the title rows are reported");
}

// ------------------------------------------------------------------ fixtures

/// Writes the hostile workbooks of `tests/hostile/tables` (see the module docs).
#[test]
#[ignore = "regenerates committed fixtures"]
fn write_hostile_workbooks() {
    let write = |name: &str, sheets: &[Sheet]| {
        std::fs::write(corpus().join(name), workbook(sheets)).unwrap();
    };
    let with = |column: usize, cell: W| {
        let mut rows = two_areas();
        rows[2][column] = cell;
        scb_layout(rows)
    };
    write("workbook_title_rows.xlsx", &[scb_layout(two_areas())]);
    write("workbook_suppressed.xlsx", &[with(3, s(".."))]);
    write("workbook_negative.xlsx", &[with(3, W::N(-3.0))]);
    write("workbook_date_in_count.xlsx", &[with(2, W::D(2024, 1, 15))]);
    write("workbook_bool_in_count.xlsx", &[with(4, W::B(false))]);
    write(
        "workbook_formula_uncached.xlsx",
        &[with(9, W::F("=J6/2".into(), String::new()))],
    );
    write(
        "workbook_formula_error.xlsx",
        &[with(9, W::F("=1/0".into(), "#DIV/0!".into()))],
    );
    write(
        "workbook_formulas_cached.xlsx",
        &[with(2, W::F("=400+500".into(), "900".into()))],
    );
    let mut merged = Sheet::new("DeSO", two_areas());
    merged.merged.push((0, 8, 0, 9, "unemployed".into()));
    write("workbook_merged_header.xlsx", &[merged]);
    write(
        "workbook_several_sheets.xlsx",
        &[
            Sheet::new("Om tabellen", vec![vec![s("Källa: SCB")]]),
            Sheet::new("DeSO", two_areas()),
            Sheet::new("RegSO", two_areas()),
        ],
    );
    write("workbook_empty.xlsx", &[Sheet::new("Blad1", vec![])]);
    let csv = format!(
        "{}\n2180C1010,A,1200,60,300,40,25,150,30,80\n",
        HEADER.join(",")
    );
    std::fs::write(corpus().join("workbook_text_named.xlsx"), csv).unwrap();
}
