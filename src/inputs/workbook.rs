//! Workbooks: a sheet of an Excel (`.xlsx`, `.xlsm`, `.xls`) or OpenDocument
//! (`.ods`) workbook read as a table (feature `excel`, on by default; read with
//! the [calamine](https://docs.rs/calamine) crate).
//!
//! The sheet becomes the same [`CsvText`] a CSV file does (headers and rows of
//! text, lines being the sheet's rows), so [`table_from_csv`](super::table::table_from_csv)
//! applies every rule of a CSV table; errors name the file, the sheet and the cell
//! in A1 style: `areas.xlsx, sheet "DeSO", cell C14 (code 0114A0010), field "under5": negative count -3`.
//!
//! # Rules
//! * **Which files.** A file is a workbook when its first bytes say so (a ZIP
//!   archive: `.xlsx`, `.xlsm`, `.ods`; an OLE compound file: `.xls`), whatever its
//!   name; a file named `.xlsx`, `.xls`, `.xlsm` or `.ods` that holds text is read as
//!   CSV with a `Warning` (kind `format`), since some sites deliver CSV or HTML
//!   under those names.
//! * **Sheet.** A table path may end in `#` and a sheet's name (`areas.xlsx#DeSO`,
//!   matched exactly, else ignoring case and surrounding spaces). Without one, the
//!   workbook's only worksheet is read (or its only visible one, with an `Info`
//!   notice, kind `sheet`); several and none named is an error listing the sheet
//!   names.
//! * **Header.** The header row is the first row holding the key's header (e.g.
//!   `code`, after the scenario's `[columns]` mapping); without one, the first row
//!   holding most of the table's known headers, else the first non-empty row. Title
//!   rows above the header, as SCB's and the regions' workbooks have them, are
//!   skipped with an `Info` notice (kind `header_row`) quoting them. Columns left
//!   of the header's first named cell and right of its last are not read; empty rows are skipped. Rows
//!   after the table holding a single cell of text that is no key (with a space or
//!   punctuation: footnotes such as `Källa: SCB`) are skipped with an `Info` notice
//!   (kind `footnote_rows`) quoting them.
//! * **Merged cells.** Merged cells in the header row are an error naming the
//!   range (one header per column is needed; unmerge them). A merged cell in the
//!   data holds its value in its first cell only; an empty key or count in the
//!   others says so. (calamine reports merged ranges of `.xlsx` and `.xls`; in
//!   `.ods` the covered cells are simply empty.)
//! * **Cells.** A number cell is read as the number it holds (its shortest exact
//!   decimal form); a text cell like a CSV field (`1 234`, `1,5`: decimal commas are
//!   accepted in text cells). `..`, SCB's suppression marker, is
//!   [`Problem::Withheld`], as in a CSV file. A date or a boolean where a count is
//!   expected, an error value (`#DIV/0!`) and a formula without a cached value
//!   anywhere are errors naming the cell. A formula with a cached value is read as
//!   that value (what Excel showed when the file was last saved), with an `Info`
//!   notice (kind `formulas`) counting them; careneed does not recalculate.
//! * **Not readable.** An encrypted (password-protected) workbook, which Excel
//!   saves as an OLE container holding `EncryptedPackage`, is refused: save an
//!   unprotected copy. So are an empty file, a damaged workbook and an OLE file that
//!   is not a workbook, each naming the file. A panic inside the reader becomes an
//!   error as well, and nothing is printed.
//!
//! ```
//! use careneed::inputs::table::{TableSpec, parse_table};
//! // A file named .xlsx that holds text is read as CSV, with a warning.
//! let text = "code,births,first_births\n2180C1010,14,6\n";
//! let (table, report) = parse_table("births.xlsx", text.as_bytes(), &TableSpec::births()).unwrap();
//! assert_eq!(table.rows[0].key, "2180C1010");
//! assert_eq!(report.of_kind("format").count(), 1);
//! // A damaged workbook is an error naming the file, never a panic.
//! let e = parse_table("births.xlsx", b"PK\x03\x04damaged", &TableSpec::births()).unwrap_err();
//! assert!(e.to_string().starts_with("births.xlsx: not a readable workbook"), "{e}");
//! // An encrypted workbook is an OLE container holding "EncryptedPackage".
//! let mut ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
//! ole.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
//! let e = parse_table("births.xlsx", &ole, &TableSpec::births()).unwrap_err();
//! assert!(e.to_string().contains("password-protected"), "{e}");
//! ```
//!
//! Reading a sheet by name (`no_run`: it needs the file):
//! ```no_run
//! use careneed::inputs::table::{TableSpec, read_table};
//! let (table, report) =
//!     read_table("Folkmängd per DeSO.xlsx#DeSO 2024".as_ref(), &TableSpec::areas()).unwrap();
//! for notice in &report.notices {
//!     println!("{}", notice.message); // e.g. the title rows skipped above the header
//! }
//! ```

use crate::error::{Error, Location, Problem, excerpt};
use crate::inputs::table::TableSpec;
use crate::inputs::text::{CellIssue, CsvRecord, CsvText, Encoding, a1};
use crate::report::Report;
use calamine::{
    Data, Dimensions, Ods, OdsError, Range, Reader, SheetType, SheetVisible, Sheets, Xls, XlsError,
    Xlsx,
};
use std::collections::BTreeMap;
use std::io::Cursor;

/// The OLE / Compound File Binary signature (`.xls`, and encrypted `.xlsx`).
pub(crate) const CFB_SIGNATURE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
/// A ZIP archive's first bytes (`.xlsx`, `.ods`).
pub(crate) const ZIP_SIGNATURE: &[u8] = b"PK\x03\x04";

/// The most cells careneed reads from a sheet (cells holding something, and the
/// cells its rows span from the first column).
const MAX_CELLS: u64 = 20_000_000;

/// What a file is, by its first bytes and its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A ZIP archive or OLE container: read as a workbook.
    Workbook,
    /// Named as a workbook (`.xlsx`, `.xls`, `.xlsm`, `.ods`) but not one by content.
    NamedOnly,
    /// Neither: a text table.
    Text,
}

/// Whether a file is a workbook, told by its first bytes, else by its extension (any case).
pub(crate) fn kind(name: &str, bytes: &[u8]) -> Kind {
    if bytes.starts_with(ZIP_SIGNATURE) || bytes.starts_with(CFB_SIGNATURE) {
        return Kind::Workbook;
    }
    let extension = std::path::Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match extension.as_deref() {
        Some("xlsx" | "xlsm" | "xls" | "ods") => Kind::NamedOnly,
        _ => Kind::Text,
    }
}

/// The extension of a file's name, for messages (`.xlsx`), or empty.
pub(crate) fn extension(name: &str) -> String {
    std::path::Path::new(name)
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default()
}

/// Reads a sheet of a workbook as text: `sheet` by name, or the only one; the
/// header is found by `spec`'s headers (see the module docs). Notices (the sheet
/// chosen, title rows skipped, formulas) go to `report`.
pub fn sheet_text(
    source: &str,
    bytes: &[u8],
    sheet: Option<&str>,
    spec: &TableSpec,
    report: &mut Report,
) -> crate::Result<CsvText> {
    // calamine reads untrusted bytes: a panic in it becomes an error naming the file.
    crate::inputs::validate::quietly(std::panic::AssertUnwindSafe(|| {
        read_sheet(source, bytes, sheet, spec, report)
    }))
    .unwrap_or_else(|_| {
        Err(Error::input(
            Location::file(source),
            Problem::Invalid("not a readable workbook (the reader failed on it)".into()),
        ))
    })
}

/// The advice for an encrypted workbook.
const ENCRYPTED: &str = "the workbook is encrypted (password-protected) and careneed cannot read it: open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password, leave it empty) and save an unprotected copy";

/// Whether an OLE container holds an encrypted Office document: its directory
/// names the streams `EncryptedPackage` or `EncryptionInfo` (UTF-16LE).
fn encrypted_ooxml(bytes: &[u8]) -> bool {
    let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    let (package, info) = (utf16("EncryptedPackage"), utf16("EncryptionInfo"));
    bytes
        .windows(package.len())
        .any(|w| w == package.as_slice() || w.starts_with(&info))
}

fn open<'a>(source: &str, bytes: &'a [u8]) -> crate::Result<Sheets<Cursor<&'a [u8]>>> {
    let unreadable = |what: String| Error::input(Location::file(source), Problem::Invalid(what));
    let cursor = Cursor::new(bytes);
    if bytes.is_empty() {
        return Err(Error::input(Location::file(source), Problem::Empty));
    }
    if bytes.starts_with(CFB_SIGNATURE) {
        if encrypted_ooxml(bytes) {
            return Err(unreadable(ENCRYPTED.into()));
        }
        return calamine::open_workbook_from_rs::<Xls<_>, _>(cursor)
            .map(Sheets::Xls)
            .map_err(|e| match e {
                XlsError::Password => unreadable(ENCRYPTED.into()),
                e => unreadable(format!(
                    "not a readable workbook: an OLE (Compound File) container that is not a readable Excel 97-2003 workbook ({}); open it in Excel and save it as .xlsx or CSV UTF-8",
                    excerpt(&e.to_string())
                )),
            });
    }
    if !bytes.starts_with(ZIP_SIGNATURE) {
        return Err(unreadable(
            "not a workbook: neither a ZIP archive (.xlsx, .ods) nor an OLE file (.xls); a sheet can be named (after '#') only in a workbook".into(),
        ));
    }
    let head = &bytes[..bytes.len().min(256)];
    let ods = source.to_ascii_lowercase().ends_with(".ods")
        || head
            .windows(b"opendocument.spreadsheet".len())
            .any(|w| w == b"opendocument.spreadsheet");
    let result = if ods {
        calamine::open_workbook_from_rs::<Ods<_>, _>(cursor)
            .map(Sheets::Ods)
            .map_err(|e| match e {
                OdsError::Password => None,
                e => Some(e.to_string()),
            })
    } else {
        calamine::open_workbook_from_rs::<Xlsx<_>, _>(cursor)
            .map(Sheets::Xlsx)
            .map_err(|e| Some(e.to_string()))
    };
    result.map_err(|e| match e {
        None => unreadable(ENCRYPTED.into()),
        Some(e) => unreadable(format!(
            "not a readable workbook: a ZIP archive that is not a readable {} ({}); open it in Excel or LibreOffice and save it again as .xlsx or CSV UTF-8",
            if ods {
                "OpenDocument spreadsheet"
            } else {
                "Excel workbook"
            },
            excerpt(&e)
        )),
    })
}

fn empty_sheet() -> Problem {
    Problem::Invalid("the sheet is empty (no cell holds a value)".into())
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("\"{}\"", excerpt(n)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn choose_sheet(
    source: &str,
    book: &Sheets<Cursor<&[u8]>>,
    wanted: Option<&str>,
    report: &mut Report,
) -> crate::Result<String> {
    let sheets: Vec<_> = book
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .collect();
    let names: Vec<String> = sheets.iter().map(|s| s.name.clone()).collect();
    let file = || Location::file(source);
    if let Some(wanted) = wanted {
        let trimmed = wanted.trim();
        return names
            .iter()
            .find(|n| *n == wanted || n.trim() == trimmed)
            .or_else(|| {
                names
                    .iter()
                    .find(|n| n.trim().to_lowercase() == trimmed.to_lowercase())
            })
            .cloned()
            .ok_or_else(|| {
                Error::input(
                    file(),
                    Problem::Invalid(format!(
                        "the workbook has no sheet named \"{}\"; its sheets: {}",
                        excerpt(wanted),
                        quoted(&names)
                    )),
                )
            });
    }
    match sheets.as_slice() {
        [] => Err(Error::input(
            file(),
            Problem::Invalid("the workbook has no worksheet".into()),
        )),
        [only] => Ok(only.name.clone()),
        several => {
            let visible: Vec<_> = several
                .iter()
                .filter(|s| s.visible == SheetVisible::Visible)
                .collect();
            if let [only] = visible.as_slice() {
                let hidden: Vec<String> = several
                    .iter()
                    .filter(|s| s.name != only.name)
                    .map(|s| s.name.clone())
                    .collect();
                report.info(
                    "sheet",
                    file().in_sheet(&only.name),
                    format!(
                        "read the only visible sheet, \"{}\" (hidden: {})",
                        only.name,
                        quoted(&hidden)
                    ),
                );
                return Ok(only.name.clone());
            }
            let file_name = std::path::Path::new(source)
                .file_name()
                .map_or_else(|| source.to_string(), |n| n.to_string_lossy().into_owned());
            Err(Error::input(
                file(),
                Problem::Invalid(format!(
                    "the workbook has {} sheets ({}); name the one to read after a '#', as in \"{}#{}\"",
                    several.len(),
                    quoted(&names),
                    excerpt(&file_name),
                    excerpt(&names[0])
                )),
            ))
        }
    }
}

/// A date as `YYYY-MM-DD` (with the time when it has one).
fn date_text(date: &calamine::ExcelDateTime) -> String {
    if date.is_duration() {
        return format!("a duration of {} days", date.as_f64());
    }
    let (y, mo, d, h, mi, s, _) = date.to_ymd_hms_milli();
    if (h, mi, s) == (0, 0, 0) {
        format!("{y:04}-{mo:02}-{d:02}")
    } else {
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    }
}

/// A cell's text and what is wrong with it, if anything.
fn cell_text(value: Option<&Data>, formula: Option<&String>) -> (String, Option<CellIssue>) {
    let value = value.unwrap_or(&Data::Empty);
    let formula = formula.filter(|f| !f.trim().is_empty());
    match value {
        Data::Empty => match formula {
            Some(f) => (String::new(), Some(CellIssue::Uncomputed(format!("={f}")))),
            None => (String::new(), None),
        },
        Data::String(s) if s.is_empty() && formula.is_some() => (
            String::new(),
            formula.map(|f| CellIssue::Uncomputed(format!("={f}"))),
        ),
        Data::String(s) => (s.clone(), None),
        // Rust prints the shortest decimal that reads back as the same f64.
        Data::Float(f) => (format!("{f}"), None),
        Data::Int(i) => (i.to_string(), None),
        Data::Bool(b) => {
            let text = if *b { "TRUE" } else { "FALSE" };
            (text.to_string(), Some(CellIssue::Bool(text.to_string())))
        }
        Data::DateTime(d) => {
            let text = date_text(d);
            (text.clone(), Some(CellIssue::Date(text)))
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => {
            (s.clone(), Some(CellIssue::Date(excerpt(s))))
        }
        Data::Error(e) => {
            let text = e.to_string();
            (text.clone(), Some(CellIssue::ErrorValue(text)))
        }
    }
}

/// A range in A1 style: `C3:D4`, or `C3` for one cell.
fn range_a1(d: &Dimensions) -> String {
    let start = a1(d.start.1, u64::from(d.start.0) + 1);
    if d.start == d.end {
        start
    } else {
        format!("{start}:{}", a1(d.end.1, u64::from(d.end.0) + 1))
    }
}

/// The sheet's merged ranges (`.xlsx` and `.xls`; none known for `.ods`).
fn merged_ranges(book: &mut Sheets<Cursor<&[u8]>>, name: &str) -> Vec<Dimensions> {
    let ranges = match book {
        Sheets::Xlsx(x) => x.worksheet_merge_cells(name).and_then(Result::ok),
        Sheets::Xls(x) => x.worksheet_merge_cells(name),
        _ => None,
    };
    ranges
        .unwrap_or_default()
        .into_iter()
        .filter(|d| d.start != d.end && d.start.0 <= d.end.0 && d.start.1 <= d.end.1)
        .collect()
}

/// A row of the sheet: its 1-based number, cell texts and issues (from the used
/// range's first column).
struct SheetRow {
    line: u64,
    texts: Vec<String>,
    issues: Vec<Option<CellIssue>>,
}

impl SheetRow {
    fn filled(&self, width: usize) -> usize {
        self.texts
            .iter()
            .take(width)
            .zip(&self.issues)
            .filter(|(t, i)| !t.trim().is_empty() || i.is_some())
            .count()
    }
    /// A single cell of text that is no key (it holds a space or punctuation):
    /// `Källa: SCB`, `.. = uppgift saknas`.
    fn is_footnote(&self, width: usize) -> bool {
        let code_like = |t: &str| {
            t.chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        };
        self.filled(width) == 1
            && self.issues.iter().all(Option::is_none)
            && self
                .texts
                .iter()
                .map(|t| t.trim())
                .find(|t| !t.is_empty())
                .is_some_and(|t| !code_like(t))
    }
    /// The row's cells as one short quote, for notices.
    fn quote(&self) -> String {
        let text: Vec<&str> = self
            .texts
            .iter()
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
            .collect();
        format!("\"{}\"", excerpt(&text.join(" ")))
    }
}

/// Quotes up to three rows, e.g. `row 1 "Folkmängd per DeSO", row 2 "2024"`.
fn quote_rows(rows: &[SheetRow]) -> String {
    let mut quoted: Vec<String> = rows
        .iter()
        .take(3)
        .map(|r| format!("row {} {}", r.line, r.quote()))
        .collect();
    if rows.len() > 3 {
        quoted.push(format!("and {} more", rows.len() - 3));
    }
    quoted.join(", ")
}

/// A sheet's cells that hold something, by (row, column), 0-based: the value and
/// the formula (either may be absent).
type Cells = BTreeMap<(u32, u32), (Option<Data>, Option<String>)>;

/// Reads a sheet's cells sparsely. An `.xlsx` sheet is streamed cell by cell, so a
/// stray cell far away (`XFD1048576`) costs one cell, not the rectangle up to it;
/// `.xls` (at most 65 536 × 256 cells) and `.ods` are read through calamine's range.
fn sheet_cells(
    book: &mut Sheets<Cursor<&[u8]>>,
    name: &str,
    at: &dyn Fn() -> Location,
) -> crate::Result<Cells> {
    let cannot = |e: String| {
        Error::input(
            at(),
            Problem::Invalid(format!("cannot read the sheet: {}", excerpt(&e))),
        )
    };
    let too_many = || {
        Error::input(
            at(),
            Problem::Invalid(format!(
                "the sheet has more than {MAX_CELLS} cells; careneed reads sheets of at most that"
            )),
        )
    };
    let mut cells = Cells::new();
    match book {
        Sheets::Xlsx(x) => {
            let mut reader = x
                .worksheet_cells_reader(name)
                .map_err(|e| cannot(e.to_string()))?;
            while let Some(cell) = reader.next_cell().map_err(|e| cannot(e.to_string()))? {
                let value = Data::from(cell.get_value().clone());
                if value != Data::Empty {
                    cells.insert(cell.get_position(), (Some(value), None));
                    if cells.len() as u64 > MAX_CELLS {
                        return Err(too_many());
                    }
                }
            }
            drop(reader);
            // Formulas, to tell a formula never computed (no cached value) from an
            // empty cell. A sheet whose formulas cannot be read has none read.
            if let Ok(mut reader) = x.worksheet_cells_reader(name) {
                while let Ok(Some(cell)) = reader.next_formula() {
                    if !cell.get_value().trim().is_empty() {
                        cells.entry(cell.get_position()).or_default().1 =
                            Some(cell.get_value().clone());
                        if cells.len() as u64 > MAX_CELLS {
                            return Err(too_many());
                        }
                    }
                }
            }
        }
        book => {
            let values: Range<Data> = book
                .worksheet_range(name)
                .map_err(|e| cannot(e.to_string()))?;
            let formulas: Range<String> = book.worksheet_formula(name).unwrap_or_default();
            let absolute = |start: Option<(u32, u32)>, r: usize, c: usize| {
                let (r0, c0) = start.unwrap_or_default();
                let r = u32::try_from(r).unwrap_or(u32::MAX);
                let c = u32::try_from(c).unwrap_or(u32::MAX);
                (r0.saturating_add(r), c0.saturating_add(c))
            };
            for (r, c, value) in values.used_cells() {
                cells.insert(absolute(values.start(), r, c), (Some(value.clone()), None));
            }
            for (r, c, formula) in formulas.used_cells() {
                if !formula.trim().is_empty() {
                    cells.entry(absolute(formulas.start(), r, c)).or_default().1 =
                        Some(formula.clone());
                }
            }
            if cells.len() as u64 > MAX_CELLS {
                return Err(too_many());
            }
        }
    }
    Ok(cells)
}

fn read_sheet(
    source: &str,
    bytes: &[u8],
    wanted: Option<&str>,
    spec: &TableSpec,
    report: &mut Report,
) -> crate::Result<CsvText> {
    let mut book = open(source, bytes)?;
    let name = choose_sheet(source, &book, wanted, report)?;
    let at = || Location::file(source).in_sheet(&name);
    let cells = sheet_cells(&mut book, &name, &at)?;
    let merged = merged_ranges(&mut book, &name);
    let Some(min_column) = cells.keys().map(|&(_, c)| c).min() else {
        return Err(Error::input(at(), empty_sheet()));
    };

    // Cells covered by a merged range (not its first cell), by (row, column), and
    // the text of each range's first cell.
    let mut covered: BTreeMap<(u32, u32), String> = BTreeMap::new();
    let mut merged_text: BTreeMap<(u32, u32), String> = BTreeMap::new();
    for d in &merged {
        let first = cells
            .get(&d.start)
            .map_or_else(String::new, |(v, _)| cell_text(v.as_ref(), None).0);
        merged_text.insert(d.start, first);
        let size = (u64::from(d.end.0.saturating_sub(d.start.0)) + 1)
            * (u64::from(d.end.1.saturating_sub(d.start.1)) + 1);
        if size > 10_000 {
            continue; // a merged block that large is decoration, not data
        }
        for r in d.start.0..=d.end.0 {
            for c in d.start.1..=d.end.1 {
                if (r, c) != d.start && c >= min_column {
                    covered.insert((r, c), range_a1(d));
                }
            }
        }
    }

    // Rows (from the first column holding anything), blank rows skipped.
    let mut rows: Vec<SheetRow> = Vec::new();
    let mut formula_cells = 0usize;
    let mut spanned = 0u64;
    let mut cells = cells.into_iter().peekable();
    while let Some(&((r, _), _)) = cells.peek() {
        let mut in_row = Vec::new();
        while let Some(cell) = cells.next_if(|((row, _), _)| *row == r) {
            in_row.push(cell);
        }
        let last_covered = covered
            .range((r, 0)..=(r, u32::MAX))
            .next_back()
            .map(|(k, _)| k.1);
        let last = in_row
            .iter()
            .map(|((_, c), _)| *c)
            .chain(last_covered)
            .max()
            .unwrap_or(min_column);
        let width = usize::try_from(last.saturating_sub(min_column)).unwrap_or(usize::MAX - 1) + 1;
        spanned = spanned.saturating_add(width as u64);
        if spanned > MAX_CELLS {
            return Err(Error::input(
                at(),
                Problem::Invalid(format!(
                    "the sheet's rows span more than {MAX_CELLS} cells (a cell far right of the table?); careneed reads sheets of at most that"
                )),
            ));
        }
        let mut texts = vec![String::new(); width];
        let mut issues: Vec<Option<CellIssue>> = vec![None; width];
        for ((_, c), (value, formula)) in in_row {
            let i = (c - min_column) as usize;
            let (text, issue) = cell_text(value.as_ref(), formula.as_ref());
            if formula.is_some() && issue.is_none() {
                formula_cells += 1;
            }
            texts[i] = text;
            issues[i] = issue;
        }
        for (&(_, c), range) in covered.range((r, 0)..=(r, u32::MAX)) {
            let i = (c - min_column) as usize;
            if issues[i].is_none() && texts[i].trim().is_empty() {
                issues[i] = Some(CellIssue::Merged(range.clone()));
            }
        }
        let row = SheetRow {
            line: u64::from(r) + 1,
            texts,
            issues,
        };
        // Covered cells alone do not make a row.
        let blank = row.texts.iter().all(|t| t.trim().is_empty())
            && row
                .issues
                .iter()
                .all(|i| matches!(i, None | Some(CellIssue::Merged(_))));
        if !blank {
            rows.push(row);
        }
    }
    if rows.is_empty() {
        return Err(Error::input(at(), empty_sheet()));
    }

    // The header: the first row holding the key's header; else the first row
    // holding most known headers; else the first row.
    let key = spec.key_header.trim().to_lowercase();
    let known: Vec<String> = std::iter::once(spec.key_header.as_str())
        .chain(spec.labels.iter().map(|(_, h)| h.as_str()))
        .chain(spec.columns.iter().map(|c| c.header.as_str()))
        .map(|h| h.trim().to_lowercase())
        .collect();
    let lowered = |row: &SheetRow| -> Vec<String> {
        row.texts.iter().map(|t| t.trim().to_lowercase()).collect()
    };
    let header_index = rows
        .iter()
        .position(|row| lowered(row).contains(&key))
        .or_else(|| {
            let counts: Vec<usize> = rows
                .iter()
                .map(|row| lowered(row).iter().filter(|t| known.contains(t)).count())
                .collect();
            let most = *counts.iter().max()?;
            (most > 0).then(|| counts.iter().position(|&c| c == most))?
        })
        .unwrap_or(0);
    let mut rows = rows.into_iter();
    let titles: Vec<SheetRow> = rows.by_ref().take(header_index).collect();
    let Some(header) = rows.next() else {
        return Err(Error::input(at(), empty_sheet()));
    };
    let header_line = header.line;
    let width = header
        .texts
        .iter()
        .rposition(|t| !t.trim().is_empty())
        .map_or(0, |i| i + 1);

    // Columns left of the header's first named cell are not read either.
    let lead = header
        .texts
        .iter()
        .position(|t| !t.trim().is_empty())
        .unwrap_or(0)
        .min(width);

    // Merged cells in the header row (within the table's columns) are refused.
    let row0 = u32::try_from(header_line - 1).unwrap_or(u32::MAX);
    let last_column = min_column.saturating_add(u32::try_from(width).unwrap_or(u32::MAX));
    let first_column = min_column.saturating_add(u32::try_from(lead).unwrap_or(0));
    if let Some(d) = merged.iter().find(|d| {
        d.start.0 <= row0 && row0 <= d.end.0 && d.start.1 < last_column && d.end.1 >= first_column
    }) {
        let first = merged_text.get(&d.start).cloned().unwrap_or_default();
        return Err(Error::input(
            at().at_line(u64::from(d.start.0) + 1)
                .at_cell(a1(d.start.1, u64::from(d.start.0) + 1)),
            Problem::Invalid(format!(
                "the header row {header_line} has merged cells {} (\"{}\"); careneed needs one header per column, in one row: unmerge them and give each column its own header",
                range_a1(d),
                excerpt(first.trim())
            )),
        ));
    }
    if !titles.is_empty() {
        report.info(
            "header_row",
            at().at_line(header_line),
            format!(
                "the header is row {header_line}; {} title row(s) above it were skipped: {}",
                titles.len(),
                quote_rows(&titles)
            ),
        );
    }
    let headers: Vec<String> = header.texts[lead..width]
        .iter()
        .map(|h| h.trim().to_string())
        .collect();

    // Data rows; a trailing block of rows with a single cell is footnotes.
    let mut data: Vec<SheetRow> = rows.filter(|r| r.filled(width) > 0).collect();
    // (`filled` counts from the used range's first column, so cells left of the
    // header count too: a footnote there is still one cell.)
    let footnotes = data
        .iter()
        .rev()
        .take_while(|r| r.is_footnote(width))
        .count();
    // A table whose rows all hold one cell is no table of counts; leave it to the rules.
    let footnotes = if footnotes == data.len() {
        0
    } else {
        footnotes
    };
    let notes = data.split_off(data.len() - footnotes);
    if !notes.is_empty() {
        report.info(
            "footnote_rows",
            at().at_line(notes[0].line),
            format!(
                "{} row(s) below the table with a single cell were skipped as footnotes: {}",
                notes.len(),
                quote_rows(&notes)
            ),
        );
    }
    if formula_cells > 0 {
        report.info(
            "formulas",
            at(),
            format!(
                "{formula_cells} cell(s) hold formulas; read as their values when the workbook was last saved (careneed does not recalculate)"
            ),
        );
    }

    let mut records = Vec::with_capacity(data.len());
    let mut cell_issues = BTreeMap::new();
    for row in data {
        let issues = row.issues.into_iter().take(width).skip(lead);
        for (i, issue) in issues.enumerate() {
            if let Some(issue) = issue {
                cell_issues.insert((row.line, i), issue);
            }
        }
        records.push(CsvRecord {
            line: row.line,
            fields: row.texts.into_iter().take(width).skip(lead).collect(),
        });
    }
    if records.is_empty() {
        return Err(Error::input(at().at_line(header_line), Problem::HeaderOnly));
    }
    Ok(CsvText {
        source: source.to_string(),
        encoding: Encoding::Utf8,
        delimiter: ',',
        headers,
        header_line,
        records,
        excel_sep_line: false,
        mixed_encoding: false,
        sheet: Some(name),
        first_column,
        cell_issues,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workbook_detection() {
        assert_eq!(kind("a.XLSX", b""), Kind::NamedOnly);
        assert_eq!(kind("a.Ods", b"code"), Kind::NamedOnly);
        assert_eq!(kind("a.csv", b"PK\x03\x04rest"), Kind::Workbook);
        assert_eq!(kind("a.csv", CFB_SIGNATURE), Kind::Workbook);
        assert_eq!(kind("a.csv", b"code,population\n"), Kind::Text);
    }

    #[test]
    fn junk_is_refused_without_panic() {
        let mut report = Report::default();
        for bytes in [
            &b"PK\x03\x04junk"[..],
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1junk",
            b"",
            b"code,population\n",
        ] {
            let e =
                sheet_text("t.xlsx", bytes, None, &TableSpec::areas(), &mut report).unwrap_err();
            assert!(e.to_string().starts_with("t.xlsx: "), "{e}");
        }
    }

    #[test]
    fn ranges_in_a1_style() {
        let d = Dimensions {
            start: (2, 2),
            end: (3, 3),
        };
        assert_eq!(range_a1(&d), "C3:D4");
        assert_eq!(a1(0, 1), "A1");
        assert_eq!(a1(25, 7), "Z7");
        assert_eq!(a1(26, 7), "AA7");
        assert_eq!(a1(701, 2), "ZZ2");
        assert_eq!(a1(702, 2), "AAA2");
        assert_eq!(a1(u32::MAX, 1), "MWLQKWV1");
    }
}
