//! Typed tables: the area table (one row per DeSO), the per-BVC VTI table, and births.
//!
//! A [`TableSpec`] names the key column, optional text columns (labels) and the count
//! columns with their bounds; [`parse_table`] reads a CSV (see [`text`](super::text)
//! for encodings and delimiters) against it into a [`Table`] of numbers.
//!
//! # Rules
//! Every violation is an [`Error::Input`] whose [`Location`] names the file, the line,
//! the code (when known) and the column as written in the file.
//! * **Headers** match exactly after trimming, else ignoring case (an `Info` notice,
//!   kind `column`, records that). A missing required column is
//!   [`Problem::MissingColumn`], listing the header's columns; a header that matches
//!   two columns is ambiguous and refused. Columns the spec does not know are ignored
//!   (an `Info` notice, kind `ignored_columns`, lists them).
//! * **Key**: trimmed; empty is [`Problem::EmptyCode`], a repeat is
//!   [`Problem::DuplicateCode`] naming the first line. When most area codes are
//!   DeSO codes (`0114A0010`), each that is not gets a `Warning` (kind
//!   `malformed_code`), e.g. `114A0010`, whose leading zero Excel dropped.
//! * **Numbers**: trimmed; `1234` and `1234.5`, and in `;`-delimited files also the
//!   decimal comma `1234,5`. Digits grouped by threes with a space, a no-break
//!   space or a narrow no-break space (`1 234 567`, `1 234,5`: how Swedish Excel
//!   writes numbers) are read without the spaces; spaces anywhere else (`12 34`)
//!   are not a number. A negative count is [`Problem::Negative`], `NaN` or `inf`
//!   [`Problem::NotFinite`], SCB's `..` suppression marker [`Problem::Withheld`]
//!   (careneed does not impute it), anything else, including an empty field,
//!   [`Problem::NotANumber`].
//! * **Bounds**: a count larger than a column it is part of on the same row (for
//!   example `under5` > `population`) is [`Problem::ExceedsDenominator`]. A bound
//!   whose column is optional and absent is not checked.
//! * **Report**: `Info` notices for a stripped BOM or Windows-1252 decoding (kind
//!   `encoding`) and for the `;` delimiter (kind `delimiter`). Rows keep file order.
//!
//! ```
//! use careneed::inputs::table::{parse_table, TableSpec};
//! let csv = "deso;Folkmängd;births;first_births\n2180C1010;1200;14;6,0\n";
//! let mut spec = TableSpec::births();
//! spec.map_headers(&[("code".to_string(), "deso".to_string())].into_iter().collect()).unwrap();
//! let (table, report) = parse_table("births.csv", csv.as_bytes(), &spec).unwrap();
//! assert_eq!(table.rows[0].key, "2180C1010");
//! assert_eq!(table.value(&table.rows[0], "first_births"), Some(6.0));
//! assert_eq!(report.of_kind("delimiter").count(), 1);
//! ```

use crate::error::{Error, Location, Problem, excerpt};
use crate::inputs::text::{CellIssue, CsvText, Encoding, parse_csv};
use crate::report::Report;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// One numeric (count) column of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnSpec {
    /// The canonical name, e.g. `population`.
    pub name: String,
    /// The header in the file (the canonical name unless mapped).
    pub header: String,
    /// Whether the column must be present.
    pub required: bool,
    /// Canonical names of columns this count may not exceed on the same row.
    pub at_most: Vec<String>,
}

impl ColumnSpec {
    fn new(name: &str, required: bool, at_most: &[&str]) -> Self {
        ColumnSpec {
            name: name.to_string(),
            header: name.to_string(),
            required,
            at_most: at_most.iter().map(|s| s.to_string()).collect(),
        }
    }
}

/// What a table must contain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSpec {
    /// The canonical name of the key column (`code` or `bvc`).
    pub key: String,
    /// The key column's header in the file.
    pub key_header: String,
    /// Optional text columns as (canonical name, header in the file).
    pub labels: Vec<(String, String)>,
    /// The numeric columns, in the order [`Table::columns`] lists them.
    pub columns: Vec<ColumnSpec>,
}

impl TableSpec {
    /// The area table: key `code`; label `name` (optional); required counts
    /// `population`, `under5`, `foreign_born`, `elderly_alone`, `single_parents`,
    /// `movers`, `unemployed`, `low_education`; optional `pop_65plus`, `pop_16_64`,
    /// `pop_25_64`. Bounds: every count ≤ `population`; `elderly_alone` ≤
    /// `pop_65plus`, `unemployed` ≤ `pop_16_64`, `low_education` ≤ `pop_25_64` (when
    /// those columns are present); `pop_25_64` ≤ `pop_16_64`.
    pub fn areas() -> Self {
        const P: &str = "population";
        TableSpec {
            key: "code".into(),
            key_header: "code".into(),
            labels: vec![("name".into(), "name".into())],
            columns: vec![
                ColumnSpec::new(P, true, &[]),
                ColumnSpec::new("under5", true, &[P]),
                ColumnSpec::new("foreign_born", true, &[P]),
                ColumnSpec::new("elderly_alone", true, &[P, "pop_65plus"]),
                ColumnSpec::new("single_parents", true, &[P]),
                ColumnSpec::new("movers", true, &[P]),
                ColumnSpec::new("unemployed", true, &[P, "pop_16_64"]),
                ColumnSpec::new("low_education", true, &[P, "pop_25_64"]),
                ColumnSpec::new("pop_65plus", false, &[P]),
                ColumnSpec::new("pop_16_64", false, &[P]),
                ColumnSpec::new("pop_25_64", false, &[P, "pop_16_64"]),
            ],
        }
    }

    /// Makes the area table accept a delivered CNI: an optional `cni` column,
    /// and every CNI variable optional (the variables of a computed CNI are
    /// checked by [`crate::scores::cni::compute`] when there is no `cni` column).
    pub fn deliver_cni(&mut self) {
        const VARIABLES: [&str; 7] = [
            "under5",
            "foreign_born",
            "elderly_alone",
            "single_parents",
            "movers",
            "unemployed",
            "low_education",
        ];
        for c in &mut self.columns {
            if VARIABLES.contains(&c.name.as_str()) {
                c.required = false;
            }
        }
        self.accept_cni();
    }

    /// Adds an optional `cni` column (a delivered index, not a count: no bound by
    /// the population), so that a table with both a `cni` column and the variables
    /// reads the `cni` column instead of ignoring it.
    pub fn accept_cni(&mut self) {
        if !self.columns.iter().any(|c| c.name == "cni") {
            self.columns.push(ColumnSpec::new("cni", false, &[]));
        }
    }

    /// The per-BVC table: key `bvc`; label `name` optional; required `newborns`,
    /// `first_born`, `bcg_indicated`, `mother_smoking`, each ≤ `newborns`;
    /// optional `nurse_fte` (the centre's nurse FTE now, compared with the
    /// staffing norm).
    pub fn bvc_vti() -> Self {
        const N: &str = "newborns";
        TableSpec {
            key: "bvc".into(),
            key_header: "bvc".into(),
            labels: vec![("name".into(), "name".into())],
            columns: vec![
                ColumnSpec::new(N, true, &[]),
                ColumnSpec::new("first_born", true, &[N]),
                ColumnSpec::new("bcg_indicated", true, &[N]),
                ColumnSpec::new("mother_smoking", true, &[N]),
                ColumnSpec::new("nurse_fte", false, &[]),
            ],
        }
    }

    /// A CNI delivered per care unit (SCB's commissioned delivery for a BVC or
    /// vårdcentral, computed from the unit's listed patients): key `bvc`; label
    /// `name` optional; required `cni`; optional `population` (the listed).
    pub fn unit_cni() -> Self {
        TableSpec {
            key: "bvc".into(),
            key_header: "bvc".into(),
            labels: vec![("name".into(), "name".into())],
            columns: vec![
                ColumnSpec::new("cni", true, &[]),
                ColumnSpec::new("population", false, &[]),
            ],
        }
    }

    /// Births per area: key `code`; required `births`, `first_births`; optional
    /// `first_in_sweden`; `first_births` ≤ `births`, `first_in_sweden` ≤ `births`.
    pub fn births() -> Self {
        const B: &str = "births";
        TableSpec {
            key: "code".into(),
            key_header: "code".into(),
            labels: Vec::new(),
            columns: vec![
                ColumnSpec::new(B, true, &[]),
                ColumnSpec::new("first_births", true, &[B]),
                ColumnSpec::new("first_in_sweden", false, &[B]),
            ],
        }
    }

    /// Every canonical name this spec knows: key, labels, columns.
    pub fn names(&self) -> Vec<&str> {
        std::iter::once(self.key.as_str())
            .chain(self.labels.iter().map(|(n, _)| n.as_str()))
            .chain(self.columns.iter().map(|c| c.name.as_str()))
            .collect()
    }

    /// Applies a column mapping canonical name → header in the user's file (from a
    /// scenario's `[columns]` table, e.g. `population` → `Folkmängd`, `code` →
    /// `deso`). A canonical name the spec does not know is an [`Error::Scenario`]
    /// naming the key (file `scenario`, field `columns.<name>`), with a suggestion
    /// when the name is close to a known one. Nothing is changed on error.
    pub fn map_headers(&mut self, mapping: &BTreeMap<String, String>) -> crate::Result<()> {
        let known = self.names();
        if let Some(name) = mapping.keys().find(|k| !known.contains(&k.as_str())) {
            let suggestion = known
                .iter()
                .map(|k| (edit_distance(&name.to_lowercase(), k), *k))
                .filter(|(d, _)| *d <= 2)
                .min()
                .map(|(_, k)| format!("did you mean \"{k}\"? "))
                .unwrap_or_default();
            return Err(Error::Scenario {
                location: Location::file("scenario").with_field(format!("columns.{name}")),
                message: format!(
                    "unknown column \"{name}\"; {suggestion}known columns: {}",
                    known.join(", ")
                ),
            });
        }
        for (name, header) in mapping {
            let header = header.trim().to_string();
            if *name == self.key {
                self.key_header = header;
            } else if let Some(label) = self.labels.iter_mut().find(|(n, _)| n == name) {
                label.1 = header;
            } else if let Some(column) = self.columns.iter_mut().find(|c| c.name == *name) {
                column.header = header;
            }
        }
        Ok(())
    }

    /// Adds a (custom) count column, e.g. for a scenario's extra CNI variable; bounded
    /// by `population` when the spec has one. A column of that name already in the spec
    /// takes the new header and `required` flag instead.
    pub fn add_count(&mut self, name: &str, header: &str, required: bool) {
        if let Some(column) = self.columns.iter_mut().find(|c| c.name == name) {
            column.header = header.to_string();
            column.required = required;
            return;
        }
        let bounded = name != "population" && self.columns.iter().any(|c| c.name == "population");
        self.columns.push(ColumnSpec {
            name: name.to_string(),
            header: header.to_string(),
            required,
            at_most: if bounded {
                vec!["population".to_string()]
            } else {
                Vec::new()
            },
        });
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitute.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// One data row of a [`Table`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The 1-based line in the file (in a workbook, the row of the sheet).
    pub line: u64,
    /// The key (area code or BVC id), trimmed.
    pub key: String,
    /// Text columns, parallel to [`Table::labels`]; `None` when the field is empty.
    pub labels: Vec<Option<String>>,
    /// Numbers, parallel to [`Table::columns`].
    pub values: Vec<f64>,
}

/// A validated table of counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// The file, as given by the caller.
    pub source: String,
    /// The sheet, when read from a workbook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// The encoding the file was decoded from.
    pub encoding: Encoding,
    /// `,` or `;`.
    pub delimiter: char,
    /// The canonical name of the key column.
    pub key: String,
    /// Canonical names of the numeric columns present, in spec order.
    pub columns: Vec<String>,
    /// Canonical names of the text columns present, in spec order.
    pub labels: Vec<String>,
    /// The rows, in file order.
    pub rows: Vec<Row>,
}

impl Table {
    /// The table's location: its file, and its sheet when read from a workbook.
    pub fn location(&self) -> Location {
        let at = Location::file(self.source.clone());
        match &self.sheet {
            Some(sheet) => at.in_sheet(sheet.clone()),
            None => at,
        }
    }

    /// A row's location: its line in a CSV file, its sheet and row in a workbook.
    pub fn row_location(&self, row: &Row) -> Location {
        self.location().at_line(row.line)
    }

    /// The index of a numeric column, or a `MissingColumn` error naming the file and column.
    pub fn require(&self, name: &str) -> crate::Result<usize> {
        self.column(name).ok_or_else(|| {
            Error::input(
                self.location().with_field(name),
                Problem::MissingColumn {
                    column: name.to_string(),
                    available: self.columns.join(", "),
                    hint: String::new(),
                },
            )
        })
    }

    /// Index of a numeric column by canonical name.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }
    /// A row's value in a numeric column; `None` when the table lacks the column.
    pub fn value(&self, row: &Row, name: &str) -> Option<f64> {
        self.column(name).and_then(|i| row.values.get(i).copied())
    }
    /// A row's text in a label column; `None` when absent or empty.
    pub fn label<'a>(&self, row: &'a Row, name: &str) -> Option<&'a str> {
        let i = self.labels.iter().position(|l| l == name)?;
        row.labels.get(i)?.as_deref()
    }
    /// The row with this key (a linear search).
    pub fn row(&self, key: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.key == key)
    }
    /// The number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }
    /// Whether the table has no rows (never true for a parsed table).
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
    /// The table as CSV (UTF-8, `,`, canonical headers: key, labels, counts), so
    /// that it reads back with the same spec. Numbers are written as Rust prints
    /// them, which reads back to the same `f64`.
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let header = std::iter::once(self.key.as_str())
            .chain(self.labels.iter().map(String::as_str))
            .chain(self.columns.iter().map(String::as_str));
        // Writing to a Vec cannot fail.
        let _ = w.write_record(header);
        for row in &self.rows {
            let fields = std::iter::once(row.key.clone())
                .chain(row.labels.iter().map(|l| l.clone().unwrap_or_default()))
                .chain(row.values.iter().map(|v| v.to_string()));
            let _ = w.write_record(fields);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}

/// The separators Swedish exports put between groups of three digits: a space, a
/// no-break space (U+00A0) and a narrow no-break space (U+202F).
const GROUP_SEPARATORS: [char; 3] = [' ', '\u{a0}', '\u{202f}'];

/// `1 234 567,5` → `1234567,5` when the integer part is grouped by threes with
/// [`GROUP_SEPARATORS`]; anything else unchanged (and later refused when it holds
/// a separator).
pub(crate) fn ungroup(text: &str) -> Cow<'_, str> {
    if !text.contains(GROUP_SEPARATORS) {
        return Cow::Borrowed(text);
    }
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let sign = &text[..text.len() - body.len()];
    let int_end = body.find(['.', ',']).unwrap_or(body.len());
    let (int, fraction) = body.split_at(int_end);
    let digits = |g: &str| g.bytes().all(|b| b.is_ascii_digit());
    let mut groups = int.split(GROUP_SEPARATORS);
    let first_ok = groups
        .next()
        .is_some_and(|g| (1..=3).contains(&g.len()) && digits(g));
    let rest_ok = groups.all(|g| g.len() == 3 && digits(g));
    if first_ok && rest_ok && !fraction.contains(GROUP_SEPARATORS) {
        Cow::Owned(format!(
            "{sign}{}{fraction}",
            int.replace(GROUP_SEPARATORS, "")
        ))
    } else {
        Cow::Borrowed(text)
    }
}

/// Parses one number by the rules in the module docs.
fn parse_number(text: &str, decimal_comma: bool) -> Result<f64, Problem> {
    let trimmed = text.trim();
    let not_a_number = || Problem::NotANumber {
        value: excerpt(trimmed),
    };
    let lower = trimmed.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if matches!(unsigned, "nan" | "inf" | "infinity") {
        return Err(Problem::NotFinite {
            value: excerpt(trimmed),
        });
    }
    if trimmed == ".." {
        return Err(Problem::Withheld);
    }
    let ungrouped = ungroup(trimmed);
    let trimmed_ungrouped: &str = &ungrouped;
    let normal: Cow<str> =
        if decimal_comma && trimmed_ungrouped.contains(',') && !trimmed_ungrouped.contains('.') {
            Cow::Owned(trimmed_ungrouped.replacen(',', ".", 1))
        } else {
            Cow::Borrowed(trimmed_ungrouped)
        };
    // Digits, at most one point, an optional sign: no exponents, hex or separators.
    let body = normal.strip_prefix(['+', '-']).unwrap_or(&normal);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    let points = body.chars().filter(|c| *c == '.').count();
    if digits == 0 || points > 1 || digits + points != body.len() {
        return Err(not_a_number());
    }
    let value: f64 = normal.parse().map_err(|_| not_a_number())?;
    if !value.is_finite() {
        return Err(Problem::NotFinite {
            value: excerpt(trimmed),
        });
    }
    if value < 0.0 {
        return Err(Problem::Negative { value });
    }
    Ok(value + 0.0) // -0 → 0
}

/// Finds a header: exact after trimming, else ignoring case. `Ok(None)` when absent;
/// an error when it matches more than one column.
fn find_header(
    csv: &CsvText,
    wanted: &str,
    report: &mut Report,
    canonical: &str,
) -> crate::Result<Option<usize>> {
    let wanted = wanted.trim();
    let exact: Vec<usize> = (0..csv.headers.len())
        .filter(|&i| csv.headers[i] == wanted)
        .collect();
    let found = if exact.is_empty() {
        let lower = wanted.to_lowercase();
        (0..csv.headers.len())
            .filter(|&i| csv.headers[i].to_lowercase() == lower)
            .collect()
    } else {
        exact
    };
    match found.as_slice() {
        [] => Ok(None),
        [i] => {
            if csv.headers[*i] != wanted {
                report.info(
                    "column",
                    csv.cell_location(csv.header_line, *i).with_field(&csv.headers[*i]),
                    format!(
                        "header \"{}\" taken as column \"{canonical}\" (expected \"{wanted}\"; case ignored)",
                        csv.headers[*i]
                    ),
                );
            }
            Ok(Some(*i))
        }
        several => Err(Error::input(
            csv.header_location().with_field(wanted),
            Problem::Invalid(format!(
                "the header has {} columns named \"{wanted}\" (columns {}); rename or remove all but one",
                several.len(),
                several
                    .iter()
                    .map(|i| (i + 1).to_string())
                    .collect::<Vec<_>>()
                    .join(" and ")
            )),
        )),
    }
}

/// A required column not in the header: the error lists the header and names
/// the scenario key that maps a header of the file to the canonical `name`.
fn missing(csv: &CsvText, header: &str, name: &str) -> Error {
    Error::input(
        csv.header_location().with_field(header),
        Problem::MissingColumn {
            column: header.to_string(),
            available: csv.headers.join(", "),
            hint: format!(
                "; if the file names it otherwise, map it in the scenario: [columns] {name} = \"<your header>\""
            ),
        },
    )
}

/// Reads a decoded CSV against a spec (see the module docs for the rules).
pub fn table_from_csv(csv: &CsvText, spec: &TableSpec) -> crate::Result<(Table, Report)> {
    let mut report = Report::default();
    csv.note_decisions(&mut report);
    csv.note_mixed_encoding(&mut report);

    let key_index = find_header(csv, &spec.key_header, &mut report, &spec.key)?
        .ok_or_else(|| missing(csv, &spec.key_header, &spec.key))?;
    let mut used = vec![key_index];

    let mut labels = Vec::new();
    for (name, header) in &spec.labels {
        if let Some(i) = find_header(csv, header, &mut report, name)? {
            labels.push((name.clone(), i));
            used.push(i);
        }
    }
    // (canonical, index in the file, header in the file)
    let mut columns: Vec<(&ColumnSpec, usize)> = Vec::new();
    for column in &spec.columns {
        match find_header(csv, &column.header, &mut report, &column.name)? {
            Some(i) => {
                columns.push((column, i));
                used.push(i);
            }
            None if column.required => return Err(missing(csv, &column.header, &column.name)),
            None => {}
        }
    }
    let ignored: Vec<&str> = (0..csv.headers.len())
        .filter(|i| !used.contains(i))
        .map(|i| csv.headers[i].as_str())
        .collect();
    if !ignored.is_empty() {
        report.info(
            "ignored_columns",
            csv.header_location(),
            format!("columns not used: {}", ignored.join(", ")),
        );
    }
    // Bounds as (count position, bound position) within `columns`.
    let position = |name: &str| columns.iter().position(|(c, _)| c.name == name);
    let bounds: Vec<(usize, usize)> = columns
        .iter()
        .enumerate()
        .flat_map(|(k, (c, _))| {
            c.at_most
                .iter()
                .filter_map(|b| position(b))
                .filter(move |&b| b != k)
                .map(move |b| (k, b))
        })
        .collect();

    let decimal_comma = csv.decimal_comma();
    let mut first_seen: HashMap<String, u64> = HashMap::with_capacity(csv.records.len());
    let mut rows = Vec::with_capacity(csv.records.len());
    for record in &csv.records {
        let line = record.line;
        let at = |i: usize| csv.cell_location(line, i);
        let field = |i: usize| record.fields.get(i).map_or("", String::as_str);
        // A workbook's cells that hold no usable value: a formula never computed
        // and an error value (wherever read); a date or boolean (where a count is
        // expected); an empty cell under merged cells (as a key or a count).
        let issue = |i: usize, count: bool| {
            let problem = match csv.cell_issues.get(&(line, i))? {
                CellIssue::Uncomputed(formula) => format!(
                    "a formula ({}) without a cached value; open the workbook in Excel or LibreOffice, let it calculate, and save it",
                    excerpt(formula)
                ),
                CellIssue::ErrorValue(e) => format!(
                    "an error value ({}), not a number; correct the formula in the workbook",
                    excerpt(e)
                ),
                CellIssue::Date(date) if count => {
                    format!("a date ({date}), expected a count; is the column formatted as a date?")
                }
                CellIssue::Bool(b) if count => {
                    format!("a boolean ({b}), expected a count")
                }
                CellIssue::Merged(range) if count || i == key_index => format!(
                    "empty: the cell is part of merged cells {range}, whose value is in their first cell only; unmerge them and fill in every cell"
                ),
                _ => return None,
            };
            Some(Problem::Invalid(problem))
        };
        if let Some(problem) = issue(key_index, false) {
            return Err(Error::input(
                at(key_index).with_field(&csv.headers[key_index]),
                problem,
            ));
        }
        let key = field(key_index).trim().to_string();
        if key.is_empty() {
            return Err(Error::input(
                at(key_index).with_field(&csv.headers[key_index]),
                Problem::EmptyCode,
            ));
        }
        if let Some(first) = first_seen.get(&key) {
            let first = match &csv.sheet {
                Some(_) => format!("row {first}"),
                None => format!("line {first}"),
            };
            return Err(Error::input(
                at(key_index)
                    .with_code(&key)
                    .with_field(&csv.headers[key_index]),
                Problem::DuplicateCode { code: key, first },
            ));
        }
        first_seen.insert(key.clone(), record.line);
        let at = |i: usize| at(i).with_code(&key).with_field(&csv.headers[i]);

        let mut values = Vec::with_capacity(columns.len());
        for (_, i) in &columns {
            if let Some(problem) = issue(*i, true) {
                return Err(Error::input(at(*i), problem));
            }
            let value =
                parse_number(field(*i), decimal_comma).map_err(|p| Error::input(at(*i), p))?;
            values.push(value);
        }
        for (_, i) in &labels {
            if let Some(problem) = issue(*i, false) {
                return Err(Error::input(at(*i), problem));
            }
        }
        for &(k, b) in &bounds {
            if values[k] > values[b] {
                return Err(Error::input(
                    at(columns[k].1),
                    Problem::ExceedsDenominator {
                        value: values[k],
                        denominator: csv.headers[columns[b].1].clone(),
                        denominator_value: values[b],
                    },
                ));
            }
        }
        let row_labels = labels
            .iter()
            .map(|(_, i)| {
                let text = field(*i).trim();
                (!text.is_empty()).then(|| text.to_string())
            })
            .collect();
        rows.push(Row {
            line: record.line,
            key,
            labels: row_labels,
            values,
        });
    }

    if spec.key == "code" {
        note_malformed_codes(&rows, csv, key_index, &mut report);
    }

    let table = Table {
        source: csv.source.clone(),
        sheet: csv.sheet.clone(),
        encoding: csv.encoding,
        delimiter: csv.delimiter,
        key: spec.key.clone(),
        columns: columns.iter().map(|(c, _)| c.name.clone()).collect(),
        labels: labels.into_iter().map(|(n, _)| n).collect(),
        rows,
    };
    Ok((table, report))
}

/// Whether a code has the form of a DeSO code: the 4-digit municipality code, `A`,
/// `B` or `C`, 4 digits (`0114A0010`).
fn looks_like_deso(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 9
        && b[..4].iter().all(u8::is_ascii_digit)
        && matches!(b[4], b'A' | b'B' | b'C')
        && b[5..].iter().all(u8::is_ascii_digit)
}

/// When most codes are DeSO codes, warns (kind `malformed_code`) about each that is
/// not, e.g. `114A0010`, whose leading zero Excel dropped.
fn note_malformed_codes(rows: &[Row], csv: &CsvText, key_index: usize, report: &mut Report) {
    let header = csv.headers[key_index].as_str();
    let deso = rows.iter().filter(|r| looks_like_deso(&r.key)).count();
    if deso * 2 <= rows.len() || deso == rows.len() {
        return;
    }
    for row in rows.iter().filter(|r| !looks_like_deso(&r.key)) {
        let zero = format!("0{}", row.key);
        let hint = if looks_like_deso(&zero) {
            format!("; a leading zero lost (Excel drops them)? {zero} would be one")
        } else {
            String::new()
        };
        report.warn(
            "malformed_code",
            csv.cell_location(row.line, key_index)
                .with_code(&row.key)
                .with_field(header),
            format!(
                "code {:?} is not a DeSO code (4-digit municipality, A/B/C, 4 digits, as 0114A0010) like the others{hint}; it will match no DeSO boundary",
                excerpt(&row.key)
            ),
        );
    }
}

/// Parses a table from bytes; `source` names the file in errors and notices. With
/// the feature `excel`, bytes that are a workbook (a ZIP or OLE file, or `source`
/// ending in `.xlsx`, `.xlsm`, `.xls`, `.ods`) are read as one: its only sheet.
pub fn parse_table(source: &str, bytes: &[u8], spec: &TableSpec) -> crate::Result<(Table, Report)> {
    #[cfg(feature = "excel")]
    {
        use crate::inputs::workbook::{Kind, extension, kind};
        match kind(source, bytes) {
            Kind::Workbook => return parse_workbook_table(source, bytes, None, spec),
            Kind::NamedOnly => {
                let (table, mut report) = table_from_csv(&parse_csv(source, bytes)?, spec)?;
                report.warn(
                    "format",
                    Location::file(source),
                    format!(
                        "named {} but not a workbook: read as a CSV text table",
                        extension(source)
                    ),
                );
                return Ok((table, report));
            }
            Kind::Text => {}
        }
    }
    table_from_csv(&parse_csv(source, bytes)?, spec)
}

/// Parses a table from a sheet of a workbook (`.xlsx`, `.xls`, `.ods`): the sheet
/// by name, or the only one. See [`workbook`](crate::inputs::workbook) for the rules.
#[cfg(feature = "excel")]
pub fn parse_workbook_table(
    source: &str,
    bytes: &[u8],
    sheet: Option<&str>,
    spec: &TableSpec,
) -> crate::Result<(Table, Report)> {
    let mut report = Report::default();
    let text = crate::inputs::workbook::sheet_text(source, bytes, sheet, spec, &mut report)?;
    let (table, r) = table_from_csv(&text, spec)?;
    report.extend(r);
    if crate::inputs::workbook::kind(source, b"") == crate::inputs::workbook::Kind::Text {
        report.info(
            "format",
            Location::file(source),
            "a workbook, by its content, though not named as one (.xlsx, .xls, .ods): read as one",
        );
    }
    Ok((table, report))
}

/// The file a table path names: `areas.xlsx` for `areas.xlsx#DeSO` (see
/// [`read_table`]); any other path as it is.
pub fn table_file(path: &Path) -> std::path::PathBuf {
    split_sheet(path).0
}

/// A table path's file and sheet: `areas.xlsx#DeSO` names the sheet `DeSO` of
/// `areas.xlsx` (split at the first `#` before which the file exists, unless the
/// whole path names a file).
fn split_sheet(path: &Path) -> (std::path::PathBuf, Option<String>) {
    let whole = || (path.to_path_buf(), None);
    if path.exists() {
        return whole();
    }
    let Some(text) = path.to_str() else {
        return whole();
    };
    text.match_indices('#')
        .map(|(i, _)| (&text[..i], &text[i + 1..]))
        .find(|(file, _)| Path::new(file).is_file())
        .map_or_else(whole, |(file, sheet)| {
            (file.into(), Some(sheet.to_string()))
        })
}

/// Reads a table from a file; the path, as displayed, names the file. A CSV file,
/// or with the feature `excel` a workbook (`.xlsx`, `.xls`, `.ods`, by extension
/// or content), its sheet named after a `#` (`areas.xlsx#DeSO`) or its only one.
pub fn read_table(path: &Path, spec: &TableSpec) -> crate::Result<(Table, Report)> {
    let (file, sheet) = split_sheet(path);
    let (bytes, source) = super::read_input(&file)?;
    match sheet {
        #[cfg(feature = "excel")]
        Some(sheet) => parse_workbook_table(&source, &bytes, Some(&sheet), spec),
        #[cfg(not(feature = "excel"))]
        Some(sheet) => Err(Error::input(
            Location::file(source).in_sheet(sheet),
            Problem::Invalid(
                "a sheet of a workbook: careneed was built without the feature `excel`; save the sheet as CSV UTF-8".into(),
            ),
        )),
        None => parse_table(&source, &bytes, spec),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(parse_number(" 1234 ", false), Ok(1234.0));
        assert_eq!(parse_number("1234.5", false), Ok(1234.5));
        assert_eq!(parse_number("1234,5", true), Ok(1234.5));
        assert_eq!(parse_number("-0", false), Ok(0.0));
        assert!(matches!(
            parse_number("1234,5", false),
            Err(Problem::NotANumber { .. })
        ));
        assert!(matches!(
            parse_number("1,234.5", true),
            Err(Problem::NotANumber { .. })
        ));
        assert_eq!(
            parse_number("-3", false),
            Err(Problem::Negative { value: -3.0 })
        );
        for s in ["NaN", "inf", "-Infinity"] {
            assert!(
                matches!(parse_number(s, false), Err(Problem::NotFinite { .. })),
                "{s}"
            );
        }
        assert_eq!(parse_number("12 000", false), Ok(12000.0));
        assert_eq!(parse_number("1\u{a0}234\u{a0}567,5", true), Ok(1234567.5));
        assert_eq!(parse_number("1\u{202f}234", true), Ok(1234.0));
        for s in [
            "",
            "...",
            "1e3",
            "12 00",
            "1 2345",
            "1234 567",
            " 1 23",
            "0x10",
            ".",
            "-",
            "1.2.3",
            "abc",
            "1 234,5 6",
        ] {
            assert!(
                matches!(parse_number(s, true), Err(Problem::NotANumber { .. })),
                "{s}"
            );
        }
    }

    #[test]
    fn scb_suppression_marker_is_withheld() {
        for s in ["..", " .. "] {
            assert_eq!(parse_number(s, true), Err(Problem::Withheld), "{s}");
            assert_eq!(parse_number(s, false), Err(Problem::Withheld), "{s}");
        }
    }

    #[test]
    fn edit_distance_works() {
        assert_eq!(edit_distance("populaton", "population"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn custom_count_is_bounded_by_population() {
        let mut spec = TableSpec::areas();
        spec.add_count("disability", "Funktionsnedsättning", true);
        let c = spec.columns.last().unwrap();
        assert_eq!(c.at_most, ["population"]);
        let mut births = TableSpec::births();
        births.add_count("twins", "twins", false);
        assert!(births.columns.last().unwrap().at_most.is_empty());
    }

    #[test]
    fn duplicate_header_is_refused() {
        let err = parse_table(
            "t.csv",
            b"bvc,newborns,newborns,first_born,bcg_indicated,mother_smoking\nA,1,1,1,1,1\n",
            &TableSpec::bvc_vti(),
        )
        .unwrap_err();
        assert!(matches!(
            err,
            Error::Input {
                problem: Problem::Invalid(_),
                ..
            }
        ));
    }
}
