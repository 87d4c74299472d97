//! Text: bytes to characters, the delimiter, and raw CSV records with line numbers.
//!
//! # Rules
//! * **Encoding.** Bytes that are valid UTF-8 are read as UTF-8; a leading UTF-8
//!   byte-order mark (what Excel writes) is stripped. Anything else is read as
//!   Windows-1252 (a superset of Latin-1, what SCB's and Excel's older exports use),
//!   so `G\xe4vle` becomes `Gävle`. [`CsvText::encoding`] records which was used and
//!   [`CsvText::note_decisions`] turns a BOM or the fallback into an `Info` notice
//!   (kind `encoding`); when such a file also holds UTF-8 for Latin-1 letters (lines
//!   of both encodings), tables get a `Warning` (kind `mixed_encoding`,
//!   [`CsvText::note_mixed_encoding`]): its UTF-8 text is
//!   garbled. UTF-16 files (Excel's "Unicode text"), Excel workbooks, PDFs and HTML
//!   pages are refused with a message saying what the file is.
//! * **Delimiter.** `,` or `;`, whichever occurs more often outside quotes in the
//!   header line (`;` on a tie). A header with neither, e.g. a tab-separated file, is
//!   [`Problem::WrongDelimiter`]. Excel's separator line, a first line `sep=;` or
//!   `sep=,` (what Excel writes and reads to name the delimiter), names the
//!   delimiter and is skipped, with an `Info` notice (kind `delimiter`); a separator
//!   line naming another character (`sep=|`) is refused.
//! * **Shape.** An empty file (or only a BOM / whitespace) is [`Problem::Empty`]; a
//!   header without data rows is [`Problem::HeaderOnly`]; a row whose field count
//!   differs from the header's is [`Problem::RaggedRow`]. Blank lines, and lines that
//!   hold only delimiters and whitespace (what spreadsheets leave at the end), are
//!   skipped.
//! * **Line numbers** are 1-based physical lines of the file: the header is line 1
//!   (unless blank lines precede it) and a quoted field spanning two lines makes the
//!   next record start two lines further down.
//! * Header names are trimmed; data fields are kept exactly as read (the
//!   [`table`](super::table) module trims them).
//!
//! ```
//! use careneed::inputs::text::{parse_csv, Encoding};
//! let csv = parse_csv("areas.csv", b"code;name\n2180C1010;G\xe4vle\n").unwrap();
//! assert_eq!(csv.delimiter, ';');
//! assert_eq!(csv.encoding, Encoding::Windows1252);
//! assert_eq!(csv.headers, ["code", "name"]);
//! assert_eq!(csv.records[0].line, 2);
//! assert_eq!(csv.records[0].fields, ["2180C1010", "Gävle"]);
//! ```

use crate::error::{Error, Location, Problem};
use crate::report::Report;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;
use std::path::Path;

/// Which encoding a file was decoded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 with a byte-order mark (stripped).
    Utf8Bom,
    /// Windows-1252, the superset of Latin-1 (ISO 8859-1) Windows uses.
    Windows1252,
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 with BOM",
            Encoding::Windows1252 => "Windows-1252 (Latin-1)",
        })
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decodes bytes: UTF-8 (BOM stripped) if valid, else Windows-1252 (SCB exports are
/// often Latin-1: `Gävle` must survive). Never fails: every byte sequence is valid
/// Windows-1252.
///
/// ```
/// use careneed::inputs::text::{decode, Encoding};
/// assert_eq!(decode(b"G\xc3\xa4vle"), ("Gävle".into(), Encoding::Utf8));
/// assert_eq!(decode(b"\xef\xbb\xbfG\xc3\xa4vle"), ("Gävle".into(), Encoding::Utf8Bom));
/// assert_eq!(decode(b"G\xe4vle"), ("Gävle".into(), Encoding::Windows1252));
/// ```
pub fn decode(bytes: &[u8]) -> (Cow<'_, str>, Encoding) {
    let (body, bom) = match bytes.strip_prefix(UTF8_BOM) {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    match std::str::from_utf8(body) {
        Ok(text) if bom => (Cow::Borrowed(text), Encoding::Utf8Bom),
        Ok(text) => (Cow::Borrowed(text), Encoding::Utf8),
        Err(_) => (
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(body)
                .0,
            Encoding::Windows1252,
        ),
    }
}

/// One data record of a CSV file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvRecord {
    /// The 1-based physical line the record starts on (the header is line 1).
    pub line: u64,
    /// The fields as read (quotes removed, whitespace kept).
    pub fields: Vec<String>,
}

/// A decoded CSV file: its header and data records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CsvText {
    /// The file, as given by the caller.
    pub source: String,
    /// The encoding the bytes were decoded from.
    pub encoding: Encoding,
    /// `,` or `;`.
    pub delimiter: char,
    /// The header's column names, trimmed.
    pub headers: Vec<String>,
    /// The 1-based line the header is on (1 unless blank lines precede it).
    pub header_line: u64,
    /// The data records, in file order, blank lines skipped.
    pub records: Vec<CsvRecord>,
    /// Whether the file starts with Excel's separator line (`sep=;`), which named
    /// the delimiter and was skipped.
    #[serde(default)]
    pub excel_sep_line: bool,
    /// Whether a file read as Windows-1252 also holds UTF-8 sequences (`Ã¤` for
    /// `ä`): a file of mixed encodings, whose UTF-8 text is garbled.
    #[serde(default)]
    pub mixed_encoding: bool,
    /// When read from a workbook: the sheet (errors name it and the cell in A1
    /// style instead of the line; lines are the sheet's rows).
    #[serde(default)]
    pub sheet: Option<String>,
    /// When read from a workbook: the 0-based sheet column of the first header.
    #[serde(default)]
    pub first_column: u32,
    /// When read from a workbook: cells whose value is not plain text or a
    /// number, by (row, header index).
    #[serde(skip)]
    pub cell_issues: std::collections::BTreeMap<(u64, usize), CellIssue>,
}

/// A workbook cell that holds something other than text or a number.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CellIssue {
    /// A date or time (as text), refused where a count is expected.
    Date(String),
    /// A boolean (`TRUE`, `FALSE`), refused where a count is expected.
    Bool(String),
    /// An error value such as `#DIV/0!`, refused wherever read.
    ErrorValue(String),
    /// A formula without a cached value (the formula), refused wherever read.
    Uncomputed(String),
    /// An empty cell covered by merged cells (the range, e.g. `A5:A7`), whose value
    /// is in the range's first cell: refused as a key or a count.
    Merged(String),
}

/// A cell's name in A1 style from a 0-based column and a 1-based row: `(2, 14)` → `C14`.
pub fn a1(column: u32, row: u64) -> String {
    let mut letters = Vec::new();
    let mut n = u64::from(column) + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!("{}{row}", String::from_utf8_lossy(&letters))
}

impl CsvText {
    /// Adds the decisions taken while reading to a report: an `Info` notice of kind
    /// `encoding` when a BOM was stripped or the bytes were read as Windows-1252, and
    /// one of kind `delimiter` when the delimiter is `;`.
    pub fn note_decisions(&self, report: &mut Report) {
        match self.encoding {
            Encoding::Utf8 => {}
            Encoding::Utf8Bom => report.info(
                "encoding",
                Location::file(&self.source),
                "read as UTF-8; the byte-order mark at the start was removed",
            ),
            Encoding::Windows1252 => report.info(
                "encoding",
                Location::file(&self.source),
                "not valid UTF-8; read as Windows-1252 (Latin-1), the encoding of older SCB and Excel exports",
            ),
        }
        if self.excel_sep_line {
            report.info(
                "delimiter",
                Location::file(&self.source).at_line(1),
                format!(
                    "the first line, Excel's \"sep={}\", names the delimiter; it is not read as the header",
                    self.delimiter
                ),
            );
        }
        if self.delimiter == ';' {
            report.info(
                "delimiter",
                Location::file(&self.source),
                "fields are separated by ';' (decimal commas such as 12,5 are accepted)",
            );
        }
    }

    /// Adds a `Warning` (kind `mixed_encoding`) when the file mixes UTF-8 and
    /// Windows-1252 text (tables call it; the points readers, which keep only
    /// coordinates, do not).
    pub fn note_mixed_encoding(&self, report: &mut Report) {
        if self.mixed_encoding {
            report.warn(
                "mixed_encoding",
                Location::file(&self.source),
                "the file mixes UTF-8 and Windows-1252 text; read as Windows-1252, so its UTF-8 text (e.g. names) is garbled (\"GÃ¤vle\" for \"Gävle\"); numbers are unaffected. Save it as \"CSV UTF-8\"",
            );
        }
    }

    /// The location of the header line in this file.
    pub fn header_location(&self) -> Location {
        let at = Location::file(&self.source).at_line(self.header_line);
        match &self.sheet {
            Some(sheet) => at.in_sheet(sheet),
            None => at,
        }
    }

    /// The location of a field: the line in a CSV file; the sheet and cell (A1
    /// style, from the header's index) in a workbook.
    pub fn cell_location(&self, line: u64, column: usize) -> Location {
        let at = Location::file(&self.source).at_line(line);
        match &self.sheet {
            Some(sheet) => {
                let column = u32::try_from(column).unwrap_or(u32::MAX - 1);
                at.in_sheet(sheet)
                    .at_cell(a1(self.first_column.saturating_add(column), line))
            }
            None => at,
        }
    }

    /// Whether numbers may have a decimal comma (`12,5`): in `;`-delimited files
    /// and in text cells of a workbook.
    pub fn decimal_comma(&self) -> bool {
        self.delimiter == ';' || self.sheet.is_some()
    }
}

/// Files that are plainly not a text table, told by their first 64 bytes: UTF-16
/// text (Excel's "Unicode text"), an Excel workbook (`.xlsx`, a zip archive, or the
/// older `.xls`), a PDF, an HTML page (a failed download).
pub(crate) fn not_a_text_table(bytes: &[u8]) -> Option<Problem> {
    let head = &bytes[..bytes.len().min(64)];
    let save = "save it as \"CSV UTF-8\" instead";
    let what = if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        "UTF-16 encoded (Excel's \"Unicode text\")"
    } else if head.starts_with(b"PK\x03\x04") {
        "a zip archive, probably an Excel workbook (.xlsx), not a CSV file"
    } else if head.starts_with(b"\xD0\xCF\x11\xE0") {
        "an Excel 97-2003 workbook (.xls), not a CSV file"
    } else if head.starts_with(b"%PDF") {
        "a PDF document, not a CSV file"
    } else {
        let text = head.trim_ascii_start().to_ascii_lowercase();
        if text.starts_with(b"<!doctype html") || text.starts_with(b"<html") {
            return Some(Problem::Invalid(
                "the file is an HTML page, not a CSV file (a download that failed or a login page?)"
                    .into(),
            ));
        }
        return None;
    };
    Some(Problem::Invalid(format!("the file is {what}; {save}")))
}

/// Excel's separator line (`sep=;`, `sep=,`, also quoted or with spaces around):
/// `None` when `line` is not one, else the delimiter it names, or the problem
/// when it names one careneed does not read.
pub(crate) fn excel_sep_line(line: &str) -> Option<Result<u8, Problem>> {
    let line = line.trim();
    let line = line
        .strip_prefix('"')
        .and_then(|l| l.strip_suffix('"'))
        .unwrap_or(line);
    let named = line.get(4..).filter(|_| {
        line.get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("sep="))
    })?;
    let mut chars = named.chars();
    match (chars.next(), chars.next()) {
        (Some(c @ (',' | ';')), None) => Some(Ok(c as u8)),
        (Some(c), None) => Some(Err(Problem::Invalid(format!(
            "the first line, Excel's \"sep={c}\", names the delimiter {c:?}; careneed reads tables delimited by ',' or ';'"
        )))),
        _ => None,
    }
}

/// Whether the bytes hold UTF-8 for a Latin-1 character (`C2`/`C3` then a
/// continuation byte: `ä` is `C3 A4`). Read as Windows-1252 that is `Ã¤` or `Â`
/// and a symbol, which Swedish text never holds; in a file that is not valid
/// UTF-8 it means lines of both encodings.
fn holds_utf8_sequences(bytes: &[u8]) -> bool {
    bytes
        .windows(2)
        .any(|w| matches!(w, [0xC2 | 0xC3, 0x80..=0xBF]))
}

/// Counts `,` and `;` outside double quotes in one line.
fn count_delimiters(line: &str) -> (usize, usize) {
    let mut in_quotes = false;
    let (mut commas, mut semicolons) = (0, 0);
    for c in line.chars() {
        match c {
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => commas += 1,
            ';' if !in_quotes => semicolons += 1,
            _ => {}
        }
    }
    (commas, semicolons)
}

fn is_blank(record: &csv::StringRecord) -> bool {
    record.iter().all(|f| f.trim().is_empty())
}

/// The byte offset where a record really starts: the csv crate's position is
/// where it started reading, before the line terminators (and empty lines) it skips.
fn record_start(bytes: &[u8], position: &csv::Position) -> usize {
    let from = usize::try_from(position.byte())
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    from + bytes[from..]
        .iter()
        .take_while(|b| matches!(b, b'\r' | b'\n'))
        .count()
}

/// Physical line numbers of byte offsets, asked in increasing order. `\r\n`, `\n`
/// and a lone `\r` each end a line. (The csv crate's own `Position::line` counts
/// from where it started reading, so it is off after empty lines and with `\r\n`.)
struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        LineCounter {
            bytes,
            offset: 0,
            line: 1,
        }
    }

    /// The 1-based line of the byte at `offset` (not before the last one asked).
    fn line_at(&mut self, offset: usize) -> u64 {
        let offset = offset.min(self.bytes.len());
        while self.offset < offset {
            match self.bytes[self.offset] {
                b'\n' => self.line += 1,
                b'\r' if self.bytes.get(self.offset + 1) != Some(&b'\n') => self.line += 1,
                _ => {}
            }
            self.offset += 1;
        }
        self.line
    }
}

/// Parses CSV bytes (see the module docs for the rules). `source` names the file in
/// errors.
pub fn parse_csv(source: &str, bytes: &[u8]) -> crate::Result<CsvText> {
    let bytes_in = bytes;
    let file = || Location::file(source);
    if let Some(problem) = not_a_text_table(bytes) {
        return Err(Error::input(file(), problem));
    }
    let (text, encoding) = decode(bytes);
    if text.trim().is_empty() {
        return Err(Error::input(file(), Problem::Empty));
    }

    // The header is the first line that is not blank.
    let bytes = text.as_bytes();
    let mut lines = LineCounter::new(bytes);
    let header_start = text
        .split(['\r', '\n'])
        .scan(0, |offset, segment| {
            let start = *offset;
            *offset += segment.len() + 1;
            Some((start, segment))
        })
        .find(|(_, segment)| !segment.trim().is_empty());
    let (header_offset, header_text) = header_start.unwrap_or((0, ""));
    let sep_line = excel_sep_line(header_text);
    let delimiter = match (sep_line.clone(), count_delimiters(header_text)) {
        (Some(Ok(named)), _) => char::from(named),
        (Some(Err(problem)), _) => {
            return Err(Error::input(
                file().at_line(lines.line_at(header_offset)),
                problem,
            ));
        }
        (None, (0, 0)) => {
            return Err(Error::input(
                file().at_line(lines.line_at(header_offset)),
                Problem::WrongDelimiter {
                    header: header_text.to_string(),
                },
            ));
        }
        (None, (commas, semicolons)) if commas > semicolons => ',',
        (None, _) => ';',
    };
    let mut skip_sep_line = sep_line.is_some();

    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter as u8)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);

    let mut headers: Option<(u64, Vec<String>)> = None;
    let mut records = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let more = reader.read_record(&mut record).map_err(|e| {
            let mut location = file();
            location.line = e.position().map(|p| lines.line_at(record_start(bytes, p)));
            Error::input(location, Problem::Invalid(format!("cannot read CSV: {e}")))
        })?;
        if !more {
            break;
        }
        if is_blank(&record) {
            continue;
        }
        if std::mem::take(&mut skip_sep_line) {
            continue;
        }
        let line = record
            .position()
            .map_or(0, |p| lines.line_at(record_start(bytes, p)));
        match &headers {
            None => {
                let names = record.iter().map(|h| h.trim().to_string()).collect();
                headers = Some((line, names));
            }
            Some((_, names)) => {
                if record.len() != names.len() {
                    return Err(Error::input(
                        file().at_line(line),
                        Problem::RaggedRow {
                            expected: names.len(),
                            found: record.len(),
                        },
                    ));
                }
                records.push(CsvRecord {
                    line,
                    fields: record.iter().map(str::to_string).collect(),
                });
            }
        }
    }

    let Some((header_line, headers)) = headers else {
        return Err(Error::input(file(), Problem::Empty));
    };
    if records.is_empty() {
        return Err(Error::input(
            file().at_line(header_line),
            Problem::HeaderOnly,
        ));
    }
    Ok(CsvText {
        source: source.to_string(),
        encoding,
        delimiter,
        headers,
        header_line,
        records,
        excel_sep_line: sep_line.is_some(),
        mixed_encoding: encoding == Encoding::Windows1252 && holds_utf8_sequences(bytes_in),
        sheet: None,
        first_column: 0,
        cell_issues: Default::default(),
    })
}

/// Reads and parses a CSV file; the path, as displayed, names the file in errors.
pub fn read_csv(path: &Path) -> crate::Result<CsvText> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    parse_csv(&path.display().to_string(), &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(result: crate::Result<CsvText>) -> (Location, Problem) {
        match result {
            Err(Error::Input { location, problem }) => (location, problem),
            other => panic!("expected an input error, got {other:?}"),
        }
    }

    #[test]
    fn quoted_newlines_count_physical_lines() {
        let csv = parse_csv("t.csv", b"code,name\nA,\"two\nlines\"\nB,x\n").unwrap();
        assert_eq!(csv.records[0].line, 2);
        assert_eq!(csv.records[1].line, 4);
        assert_eq!(csv.records[0].fields[1], "two\nlines");
    }

    #[test]
    fn blank_lines_are_skipped_and_crlf_works() {
        let csv = parse_csv("t.csv", b"code;x\r\nA;1\r\n\r\nB;2\r\n;\r\n  \r\n").unwrap();
        assert_eq!(csv.records.len(), 2);
        assert_eq!(csv.records[1].line, 4);
        assert_eq!(csv.records[1].fields, ["B", "2"]);
        let csv = parse_csv("t.csv", b"code,x\nA,1\n\nB,2\n").unwrap();
        assert_eq!(csv.records[1].line, 4);
    }

    #[test]
    fn leading_blank_lines_and_lone_cr() {
        let csv = parse_csv("t.csv", b"\n \r\ncode;x\nA;1\n").unwrap();
        assert_eq!((csv.header_line, csv.records[0].line), (3, 4));
        let csv = parse_csv("t.csv", b"code;x\rA;1\r\rB;2\r").unwrap();
        assert_eq!(csv.records.len(), 2);
        assert_eq!((csv.records[0].line, csv.records[1].line), (2, 4));
        let err = parse_csv("t.csv", b"\n\ncode\tx\nA\t1\n").unwrap_err();
        assert_eq!(err.location().and_then(|l| l.line), Some(3));
    }

    #[test]
    fn delimiter_counts_outside_quotes() {
        let csv = parse_csv("t.csv", b"\"a,b,c\";d\n1;2\n").unwrap();
        assert_eq!(csv.delimiter, ';');
        assert_eq!(csv.headers, ["a,b,c", "d"]);
    }

    #[test]
    fn shapes() {
        assert_eq!(problem(parse_csv("t.csv", b"")).1, Problem::Empty);
        assert_eq!(
            problem(parse_csv("t.csv", b"\xef\xbb\xbf \n")).1,
            Problem::Empty
        );
        let (loc, p) = problem(parse_csv("t.csv", b"a,b\n"));
        assert_eq!((loc.line, p), (Some(1), Problem::HeaderOnly));
        let (loc, p) = problem(parse_csv("t.csv", b"a,b\n1,2\n1,2,3\n"));
        assert_eq!(
            (loc.line, p),
            (
                Some(3),
                Problem::RaggedRow {
                    expected: 2,
                    found: 3
                }
            )
        );
        let (loc, p) = problem(parse_csv("t.csv", b"a\tb\n1\t2\n"));
        assert_eq!(loc.line, Some(1));
        assert!(matches!(p, Problem::WrongDelimiter { header } if header == "a\tb"));
        let (_, p) = problem(parse_csv("t.csv", b"\xff\xfea\x00"));
        assert!(matches!(p, Problem::Invalid(m) if m.contains("UTF-16")));
    }

    #[test]
    fn notices() {
        let csv = parse_csv("t.csv", b"\xef\xbb\xbfcode;n\nA;1\n").unwrap();
        assert_eq!(csv.encoding, Encoding::Utf8Bom);
        assert_eq!(csv.headers[0], "code");
        let mut report = Report::default();
        csv.note_decisions(&mut report);
        assert_eq!(report.of_kind("encoding").count(), 1);
        assert_eq!(report.of_kind("delimiter").count(), 1);
    }
}
