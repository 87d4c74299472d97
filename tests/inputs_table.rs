//! Area, BVC and births tables: every rule's error names the file, line and field.

use careneed::inputs::table::{TableSpec, parse_table, read_table};
use careneed::inputs::text::{Encoding, parse_csv};
use careneed::report::Level;
use careneed::{Error, Location, Problem};
use std::collections::BTreeMap;
use std::path::Path;

const HEADER: &str = "code,name,population,under5,foreign_born,elderly_alone,single_parents,movers,unemployed,low_education";

fn areas(body: &str) -> Vec<u8> {
    format!("{HEADER}\n{body}").into_bytes()
}

fn input_error(result: careneed::Result<impl std::fmt::Debug>) -> (Location, Problem) {
    match result {
        Err(Error::Input { location, problem }) => (location, problem),
        other => panic!("expected an input error, got {other:?}"),
    }
}

#[test]
fn reads_a_valid_area_table() {
    let bytes = areas(
        "2180C1010,Gävle centrum,1200,60,300,40,25,150,30,80\n2180C1020,,900,45,100,20,10,90,12,40\n",
    );
    let (table, report) = parse_table("areas.csv", &bytes, &TableSpec::areas()).unwrap();
    assert_eq!(table.len(), 2);
    assert_eq!(table.delimiter, ',');
    assert_eq!(table.encoding, Encoding::Utf8);
    assert_eq!(
        table.columns,
        [
            "population",
            "under5",
            "foreign_born",
            "elderly_alone",
            "single_parents",
            "movers",
            "unemployed",
            "low_education"
        ]
    );
    let first = &table.rows[0];
    assert_eq!((first.line, first.key.as_str()), (2, "2180C1010"));
    assert_eq!(table.value(first, "under5"), Some(60.0));
    assert_eq!(table.value(first, "pop_65plus"), None);
    assert_eq!(table.label(first, "name"), Some("Gävle centrum"));
    assert_eq!(table.label(&table.rows[1], "name"), None);
    assert!(report.notices.is_empty(), "{:?}", report.notices);
}

#[test]
fn missing_column_lists_the_header() {
    let bytes = b"code,population,under5\n2180C1010,1200,60\n";
    let (loc, problem) = input_error(parse_table("areas.csv", bytes, &TableSpec::areas()));
    assert_eq!(loc.file, "areas.csv");
    assert_eq!(loc.line, Some(1));
    assert_eq!(loc.field.as_deref(), Some("foreign_born"));
    assert_eq!(
        problem,
        Problem::MissingColumn {
            column: "foreign_born".into(),
            available: "code, population, under5".into(),
            hint: "; if the file names it otherwise, map it in the scenario: [columns] foreign_born = \"<your header>\"".into()
        }
    );
    // The message lists the file's header and names the scenario key that maps it.
    assert_eq!(
        problem.to_string(),
        "missing column \"foreign_born\" (the header has: code, population, under5); if the file names it otherwise, map it in the scenario: [columns] foreign_born = \"<your header>\""
    );
}

#[test]
fn missing_key_column() {
    let bytes = b"deso,births,first_births\n2180C1010,10,4\n";
    let (loc, problem) = input_error(parse_table("b.csv", bytes, &TableSpec::births()));
    assert_eq!(loc.field.as_deref(), Some("code"));
    assert!(matches!(problem, Problem::MissingColumn { column, .. } if column == "code"));
}

#[test]
fn non_numeric_count_names_line_code_and_column() {
    let bytes =
        areas("2180C1010,A,1200,60,300,40,25,150,30,80\n2180C1020,B,900,many,100,20,10,90,12,40\n");
    let (loc, problem) = input_error(parse_table("areas.csv", &bytes, &TableSpec::areas()));
    assert_eq!(loc.line, Some(3));
    assert_eq!(loc.code.as_deref(), Some("2180C1020"));
    assert_eq!(loc.field.as_deref(), Some("under5"));
    assert_eq!(
        problem,
        Problem::NotANumber {
            value: "many".into()
        }
    );
}

#[test]
fn scb_suppression_marker_is_withheld_and_empty_field_not_a_number() {
    let bytes = areas("2180C1010,A,1200,..,300,40,25,150,30,80\n");
    let result = parse_table("areas.csv", &bytes, &TableSpec::areas());
    let message = result.as_ref().unwrap_err().to_string();
    assert!(
        message.starts_with(
            "areas.csv, line 2 (code 2180C1010), field \"under5\": the value is withheld (`..`"
        ),
        "{message}"
    );
    let (loc, problem) = input_error(result);
    assert_eq!((loc.line, loc.field.as_deref()), (Some(2), Some("under5")));
    assert_eq!(problem, Problem::Withheld);

    let bytes = areas("2180C1010,A,1200,60,300,40,25,150,, 80\n");
    let (loc, problem) = input_error(parse_table("areas.csv", &bytes, &TableSpec::areas()));
    assert_eq!(loc.field.as_deref(), Some("unemployed"));
    assert_eq!(problem, Problem::NotANumber { value: "".into() });
}

#[test]
fn negative_count() {
    let bytes = areas("2180C1010,A,1200,60,300,40,-3,150,30,80\n");
    let (loc, problem) = input_error(parse_table("areas.csv", &bytes, &TableSpec::areas()));
    assert_eq!(loc.line, Some(2));
    assert_eq!(loc.code.as_deref(), Some("2180C1010"));
    assert_eq!(loc.field.as_deref(), Some("single_parents"));
    assert_eq!(problem, Problem::Negative { value: -3.0 });
}

#[test]
fn not_finite_count() {
    let bytes = areas("2180C1010,A,1200,60,300,NaN,25,150,30,80\n");
    let (loc, problem) = input_error(parse_table("areas.csv", &bytes, &TableSpec::areas()));
    assert_eq!(loc.field.as_deref(), Some("elderly_alone"));
    assert_eq!(
        problem,
        Problem::NotFinite {
            value: "NaN".into()
        }
    );
}

#[test]
fn under5_larger_than_population() {
    let bytes = areas("2180C1010,A,1200,60,300,40,25,150,30,80\n2180C1020,B,50,60,10,2,1,9,1,4\n");
    let (loc, problem) = input_error(parse_table("areas.csv", &bytes, &TableSpec::areas()));
    assert_eq!(loc.line, Some(3));
    assert_eq!(loc.code.as_deref(), Some("2180C1020"));
    assert_eq!(loc.field.as_deref(), Some("under5"));
    assert_eq!(
        problem,
        Problem::ExceedsDenominator {
            value: 60.0,
            denominator: "population".into(),
            denominator_value: 50.0
        }
    );
}

#[test]
fn elderly_alone_larger_than_pop_65plus() {
    let bytes = format!(
        "{HEADER},pop_65plus,pop_16_64,pop_25_64\n2180C1010,A,1200,60,300,40,25,150,30,80,35,700,600\n"
    );
    let (loc, problem) = input_error(parse_table(
        "areas.csv",
        bytes.as_bytes(),
        &TableSpec::areas(),
    ));
    assert_eq!(
        (loc.line, loc.field.as_deref()),
        (Some(2), Some("elderly_alone"))
    );
    assert_eq!(
        problem,
        Problem::ExceedsDenominator {
            value: 40.0,
            denominator: "pop_65plus".into(),
            denominator_value: 35.0
        }
    );
}

#[test]
fn pop_25_64_larger_than_pop_16_64() {
    let bytes = format!(
        "{HEADER},pop_65plus,pop_16_64,pop_25_64\n2180C1010,A,1200,60,300,40,25,150,30,80,350,600,700\n"
    );
    let (loc, problem) = input_error(parse_table(
        "areas.csv",
        bytes.as_bytes(),
        &TableSpec::areas(),
    ));
    assert_eq!(loc.field.as_deref(), Some("pop_25_64"));
    assert!(
        matches!(problem, Problem::ExceedsDenominator { denominator, .. } if denominator == "pop_16_64")
    );
}

#[test]
fn optional_columns_are_read_when_present() {
    let bytes = format!("{HEADER},pop_65plus\n2180C1010,A,1200,60,300,40,25,150,30,80,350\n");
    let (table, _) = parse_table("areas.csv", bytes.as_bytes(), &TableSpec::areas()).unwrap();
    assert_eq!(table.value(&table.rows[0], "pop_65plus"), Some(350.0));
    assert_eq!(table.column("pop_16_64"), None);
}

#[test]
fn bvc_count_larger_than_newborns() {
    let bytes = "bvc,name,newborns,first_born,bcg_indicated,mother_smoking\nBVC1,Brynäs,100,40,5,3\nBVC2,Sätra,20,21,1,1\n".as_bytes();
    let (loc, problem) = input_error(parse_table("bvc.csv", bytes, &TableSpec::bvc_vti()));
    assert_eq!(loc.line, Some(3));
    assert_eq!(loc.code.as_deref(), Some("BVC2"));
    assert_eq!(loc.field.as_deref(), Some("first_born"));
    assert!(
        matches!(problem, Problem::ExceedsDenominator { denominator, .. } if denominator == "newborns")
    );
}

#[test]
fn duplicate_code_names_the_first_line() {
    let bytes = areas(
        "2180C1010,A,1200,60,300,40,25,150,30,80\n2180C1020,B,900,45,100,20,10,90,12,40\n 2180C1010 ,C,900,45,100,20,10,90,12,40\n",
    );
    let (loc, problem) = input_error(parse_table("areas.csv", &bytes, &TableSpec::areas()));
    assert_eq!(loc.line, Some(4));
    assert_eq!(loc.code.as_deref(), Some("2180C1010"));
    assert_eq!(loc.field.as_deref(), Some("code"));
    assert_eq!(
        problem,
        Problem::DuplicateCode {
            code: "2180C1010".into(),
            first: "line 2".into()
        }
    );
}

#[test]
fn empty_code() {
    let bytes = areas("2180C1010,A,1200,60,300,40,25,150,30,80\n  ,B,900,45,100,20,10,90,12,40\n");
    let (loc, problem) = input_error(parse_table("areas.csv", &bytes, &TableSpec::areas()));
    assert_eq!((loc.line, loc.field.as_deref()), (Some(3), Some("code")));
    assert_eq!(problem, Problem::EmptyCode);
}

#[test]
fn empty_file() {
    for bytes in [&b""[..], b"\xef\xbb\xbf", b"  \n\r\n\t\n"] {
        let (loc, problem) = input_error(parse_table("areas.csv", bytes, &TableSpec::areas()));
        assert_eq!(loc, Location::file("areas.csv"));
        assert_eq!(problem, Problem::Empty);
    }
}

#[test]
fn header_only() {
    let bytes = format!("{HEADER}\n\n");
    let (loc, problem) = input_error(parse_table(
        "areas.csv",
        bytes.as_bytes(),
        &TableSpec::areas(),
    ));
    assert_eq!(loc.line, Some(1));
    assert_eq!(problem, Problem::HeaderOnly);
}

#[test]
fn tab_separated_is_the_wrong_delimiter() {
    let bytes = HEADER.replace(',', "\t") + "\n2180C1010\tA\t1200\t60\t300\t40\t25\t150\t30\t80\n";
    let (loc, problem) = input_error(parse_table(
        "areas.tsv",
        bytes.as_bytes(),
        &TableSpec::areas(),
    ));
    assert_eq!(loc.file, "areas.tsv");
    assert_eq!(loc.line, Some(1));
    assert!(
        matches!(&problem, Problem::WrongDelimiter { header } if header.starts_with("code\tname")),
        "{problem:?}"
    );
}

#[test]
fn utf8_bom_is_stripped_and_noted() {
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend(areas("2180C1010,A,1200,60,300,40,25,150,30,80\n"));
    let (table, report) = parse_table("areas.csv", &bytes, &TableSpec::areas()).unwrap();
    assert_eq!(table.encoding, Encoding::Utf8Bom);
    assert_eq!(table.rows[0].key, "2180C1010");
    let notice = report.of_kind("encoding").next().unwrap();
    assert_eq!(notice.level, Level::Info);
    assert_eq!(notice.location.file, "areas.csv");
}

#[test]
fn windows_1252_is_decoded_and_noted() {
    let mut bytes = HEADER.replace(',', ";").into_bytes();
    bytes.extend(b"\n2180C1010;G\xe4vle S\xf6der;1200;60;300;40;25;150;30;80\n");
    let (table, report) = parse_table("areas.csv", &bytes, &TableSpec::areas()).unwrap();
    assert_eq!(table.encoding, Encoding::Windows1252);
    assert_eq!(table.label(&table.rows[0], "name"), Some("Gävle Söder"));
    assert_eq!(report.of_kind("encoding").count(), 1);
    assert!(
        report
            .of_kind("encoding")
            .all(|n| n.message.contains("Windows-1252"))
    );
}

#[test]
fn semicolon_with_decimal_comma() {
    let bytes = HEADER.replace(',', ";")
        + "\n2180C1010;\"Gävle; centrum\";1200,5;60;300,25;40;25;150;30;80\n";
    let (table, report) = parse_table("areas.csv", bytes.as_bytes(), &TableSpec::areas()).unwrap();
    assert_eq!(table.delimiter, ';');
    let row = &table.rows[0];
    assert_eq!(table.value(row, "population"), Some(1200.5));
    assert_eq!(table.value(row, "foreign_born"), Some(300.25));
    assert_eq!(table.label(row, "name"), Some("Gävle; centrum"));
    let notice = report.of_kind("delimiter").next().unwrap();
    assert_eq!(notice.level, Level::Info);
}

#[test]
fn decimal_comma_is_refused_in_comma_files() {
    let bytes = areas("2180C1010,A,\"1200,5\",60,300,40,25,150,30,80\n");
    let (loc, problem) = input_error(parse_table("areas.csv", &bytes, &TableSpec::areas()));
    assert_eq!(loc.field.as_deref(), Some("population"));
    assert_eq!(
        problem,
        Problem::NotANumber {
            value: "1200,5".into()
        }
    );
}

#[test]
fn ragged_row() {
    let bytes =
        areas("2180C1010,A,1200,60,300,40,25,150,30,80\n2180C1020,B,900,45,100,20,10,90,12\n");
    let (loc, problem) = input_error(parse_table("areas.csv", &bytes, &TableSpec::areas()));
    assert_eq!(loc.line, Some(3));
    assert_eq!(
        problem,
        Problem::RaggedRow {
            expected: 10,
            found: 9
        }
    );
}

#[test]
fn trailing_blank_lines_are_ignored() {
    let bytes = areas("2180C1010,A,1200,60,300,40,25,150,30,80\n\n,,,,,,,,,\n   \n");
    let (table, _) = parse_table("areas.csv", &bytes, &TableSpec::areas()).unwrap();
    assert_eq!(table.len(), 1);
}

#[test]
fn quoted_newline_keeps_line_numbers_physical() {
    let bytes = areas(
        "2180C1010,\"two\nlines\",1200,60,300,40,25,150,30,80\n2180C1020,B,900,45,100,20,10,90,12,x\n",
    );
    let (loc, _) = input_error(parse_table("areas.csv", &bytes, &TableSpec::areas()));
    assert_eq!(loc.line, Some(4));
    let csv = parse_csv("areas.csv", &bytes).unwrap();
    assert_eq!(csv.records[1].line, 4);
}

#[test]
fn swedish_headers_through_a_column_mapping() {
    let mapping: BTreeMap<String, String> = [
        ("code", "deso"),
        ("name", "Namn"),
        ("population", "Folkmängd"),
        ("under5", "Barn 0-4 år"),
        ("foreign_born", "Utrikes födda"),
        ("elderly_alone", "Ensamboende 65+"),
        ("single_parents", "Ensamstående föräldrar"),
        ("movers", "Inflyttade"),
        ("unemployed", "Arbetslösa"),
        ("low_education", "Kort utbildning"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let mut spec = TableSpec::areas();
    spec.map_headers(&mapping).unwrap();
    let csv = "DESO;Namn;Folkmängd;Barn 0-4 år;Utrikes födda;Ensamboende 65+;Ensamstående föräldrar;Inflyttade;Arbetslösa;Kort utbildning;Övrigt\n\
               2180C1010;Gävle;1200;60;300;40;25;150;30;80;x\n";
    let (table, report) = parse_table("scb.csv", csv.as_bytes(), &spec).unwrap();
    assert_eq!(table.key, "code");
    assert_eq!(table.rows[0].key, "2180C1010");
    assert_eq!(table.value(&table.rows[0], "population"), Some(1200.0));
    assert_eq!(table.label(&table.rows[0], "name"), Some("Gävle"));
    // "DESO" matched "deso" ignoring case, and the extra column is ignored.
    assert_eq!(report.of_kind("column").count(), 1);
    assert!(
        report
            .of_kind("ignored_columns")
            .any(|n| n.message.contains("Övrigt"))
    );

    // An error names the header as written in the file.
    let bad = csv.replace("1200;60", "1200;-60");
    let (loc, problem) = input_error(parse_table("scb.csv", bad.as_bytes(), &spec));
    assert_eq!(loc.field.as_deref(), Some("Barn 0-4 år"));
    assert_eq!(problem, Problem::Negative { value: -60.0 });
}

#[test]
fn misspelt_canonical_name_in_mapping() {
    let mapping: BTreeMap<String, String> = [("populaton".to_string(), "Folkmängd".to_string())]
        .into_iter()
        .collect();
    let mut spec = TableSpec::areas();
    let before = spec.clone();
    match spec.map_headers(&mapping) {
        Err(Error::Scenario { location, message }) => {
            assert_eq!(location.file, "scenario");
            assert_eq!(location.field.as_deref(), Some("columns.populaton"));
            assert!(message.contains("did you mean \"population\""), "{message}");
        }
        other => panic!("expected a scenario error, got {other:?}"),
    }
    assert_eq!(spec, before);
}

#[test]
fn custom_count_column() {
    let mut spec = TableSpec::areas();
    spec.add_count("low_income", "Låg inkomst", true);
    let bytes = areas("2180C1010,A,1200,60,300,40,25,150,30,80\n")
        .into_iter()
        .collect::<Vec<u8>>();
    let (loc, problem) = input_error(parse_table("areas.csv", &bytes, &spec));
    assert_eq!(loc.field.as_deref(), Some("Låg inkomst"));
    assert!(matches!(problem, Problem::MissingColumn { .. }));

    let csv = format!("{HEADER},Låg inkomst\n2180C1010,A,1200,60,300,40,25,150,30,80,1300\n");
    let (loc, problem) = input_error(parse_table("areas.csv", csv.as_bytes(), &spec));
    assert_eq!(loc.field.as_deref(), Some("Låg inkomst"));
    assert!(
        matches!(problem, Problem::ExceedsDenominator { denominator, .. } if denominator == "population")
    );
}

#[test]
fn births_with_optional_column() {
    let bytes = b"code,births,first_births,first_in_sweden\n2180C1010,14,6,2\n2180C1020,10,4,11\n";
    let (loc, problem) = input_error(parse_table("births.csv", bytes, &TableSpec::births()));
    assert_eq!(
        (loc.line, loc.field.as_deref()),
        (Some(3), Some("first_in_sweden"))
    );
    assert!(matches!(problem, Problem::ExceedsDenominator { .. }));
}

#[test]
fn reads_a_fixture_file() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/inputs/areas_latin1.csv");
    let (table, report) = read_table(&path, &TableSpec::areas()).unwrap();
    assert_eq!(table.source, path.display().to_string());
    assert_eq!(table.len(), 3);
    assert_eq!(table.label(&table.rows[1], "name"), Some("Gävle Sätra"));
    assert_eq!(table.value(&table.rows[2], "population"), Some(812.5));
    assert_eq!(table.rows[2].line, 4);
    assert_eq!(report.of_kind("encoding").count(), 1);
    assert_eq!(report.of_kind("delimiter").count(), 1);
}

#[test]
fn missing_file_is_an_io_error() {
    let path = Path::new("tests/fixtures/inputs/no_such_file.csv");
    match read_table(path, &TableSpec::areas()) {
        Err(Error::Io { path: p, .. }) => assert_eq!(p, path),
        other => panic!("expected an io error, got {other:?}"),
    }
}
