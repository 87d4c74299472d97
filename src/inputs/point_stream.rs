//! Streaming points: reads a points CSV in blocks, parses each block in parallel
//! ([`rayon`]) and hands the accepted coordinates to the caller batch by batch, so
//! a file of any size is read in bounded memory (a few blocks).
//!
//! # Rules
//! The same as [`parse_points`](super::points::parse_points) and
//! [`parse_csv`](super::text::parse_csv), line for line: UTF-8 with or without
//! BOM, else Windows-1252 (decided over the **whole** file, reported at the end);
//! `,` or `;` from the header line (`;` allows decimal commas); quoted fields,
//! also spanning lines; blank lines (only whitespace and delimiters) skipped;
//! physical 1-based line numbers (`\n`, `\r\n` and a lone `\r` end a line); a
//! ragged row, an empty file, a header without rows, a missing `x` or `y` column
//! are errors naming file and line; a bad coordinate (empty, non-numeric,
//! non-finite) rejects that point with a `bad_point` warning and its line in
//! [`StreamedPoints::rejected`]. Only the `x` and `y` columns are kept.
//!
//! # How
//! A block is cut after its last complete line. A block without a `"` is split at
//! line ends into one piece per thread and the pieces are parsed in parallel; a
//! block holding a `"` is read sequentially by the `csv` crate's parser, so quoted
//! fields (also spanning blocks) are read exactly as the in-memory reader does.
//! Whether a coordinate, or a line of only whitespace, is read the same way
//! depends on the encoding only when it holds non-ASCII bytes (e.g. a no-break
//! space); such lines are kept raw and read once the whole file's encoding is
//! known, and their points come in the last batch. All other batches are in file
//! order.
//!
//! One difference from the in-memory reader: if the header holds non-ASCII
//! bytes that are valid UTF-8 but a later line is not (a file of mixed
//! encodings), and the header read as Windows-1252 puts `x` or `y` in another
//! column, the file is refused ([`Problem::Invalid`]) instead of being read with
//! garbled column names.
//!
//! ```
//! use careneed::inputs::point_stream::stream_points;
//! let csv = "id;x;y\na;617000,5;6728000\nb;;6728000\n";
//! let mut coords = Vec::new();
//! let (summary, report) = stream_points("children.csv", csv.as_bytes(), "x", "y", 1 << 20,
//!     &mut |batch| { coords.extend(batch.coords); Ok(()) }).unwrap();
//! assert_eq!(coords, [[617000.5, 6728000.0]]);
//! assert_eq!(summary.accepted, 1);
//! assert_eq!(summary.rejected, [(3, "empty x coordinate".to_string())]);
//! assert_eq!(report.of_kind("bad_point").count(), 1);
//! ```

use crate::error::{Error, Location, Problem};
use crate::inputs::points::parse_coordinate;
use crate::inputs::text::Encoding;
use crate::report::Report;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::io::Read;

/// The default block size of [`stream_points`]: 8 MiB.
pub const DEFAULT_BLOCK: usize = 8 << 20;

/// Accepted points of one batch, in file order (see the module docs for the one
/// exception).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PointBatch {
    /// `[x, y]` of every accepted point.
    pub coords: Vec<[f64; 2]>,
    /// The 1-based line of every accepted point (parallel to `coords`).
    pub lines: Vec<u64>,
}

/// What [`stream_points`] read, besides the points it handed over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamedPoints {
    /// The file, as given by the caller.
    pub source: String,
    /// The encoding of the whole file.
    pub encoding: Encoding,
    /// `,` or `;`.
    pub delimiter: char,
    /// The 1-based line of the header.
    pub header_line: u64,
    /// The header's column names, trimmed.
    pub columns: Vec<String>,
    /// The x column's name.
    pub x_column: String,
    /// The y column's name.
    pub y_column: String,
    /// The number of accepted points.
    pub accepted: u64,
    /// Rejected points: line and reason, in line order.
    pub rejected: Vec<(u64, String)>,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

fn is_ws(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ')
}

/// Line ends in `bytes`: `\n`, and `\r` not followed by `\n` (a `\r` at the end
/// counts: callers never cut between `\r` and `\n`).
fn count_lines(bytes: &[u8]) -> u64 {
    let lf = memchr::memchr_iter(b'\n', bytes).count();
    let lone_cr = memchr::memchr_iter(b'\r', bytes)
        .filter(|&i| bytes.get(i + 1) != Some(&b'\n'))
        .count();
    (lf + lone_cr) as u64
}

fn decode_field(bytes: &[u8], utf8: bool) -> Cow<'_, str> {
    if utf8 && let Ok(text) = std::str::from_utf8(bytes) {
        return Cow::Borrowed(text);
    }
    encoding_rs::WINDOWS_1252
        .decode_without_bom_handling(bytes)
        .0
}

/// How the blankness of a line's fields is known.
#[derive(PartialEq)]
enum Blank {
    Yes,
    No,
    /// Only whitespace, delimiters and non-ASCII bytes: depends on the encoding.
    Depends,
}

fn blankness<'a>(fields: impl Iterator<Item = &'a [u8]>) -> Blank {
    let mut non_ascii = false;
    for f in fields {
        for &b in f {
            if b >= 0x80 {
                non_ascii = true;
            } else if !is_ws(b) {
                return Blank::No;
            }
        }
    }
    if non_ascii {
        Blank::Depends
    } else {
        Blank::Yes
    }
}

/// The column layout the data lines are read with.
#[derive(Clone, Copy)]
struct Layout {
    columns: usize,
    x: usize,
    y: usize,
    semicolon: bool,
}

/// One parsed piece (or sequentially read block); lines are relative to its start.
#[derive(Default)]
struct Piece {
    coords: Vec<[f64; 2]>,
    lines: Vec<u64>,
    rejected: Vec<(u64, &'static str, String)>,
    /// Lines whose reading depends on the encoding: line and raw fields.
    pending: Vec<(u64, Vec<Vec<u8>>)>,
    /// The first error: line and problem.
    error: Option<(u64, Problem)>,
    /// Line ends in the piece.
    line_ends: u64,
    /// Non-blank data lines.
    records: u64,
    /// Accepted points (once `coords` has been handed on).
    accepted: u64,
    utf8: bool,
}

impl Piece {
    /// Reads one record's fields (ASCII decisions; see [`Blank::Depends`]).
    fn record(&mut self, fields: &[&[u8]], line: u64, layout: Layout) {
        // The common case first: two plain numbers (so ASCII, not blank).
        if fields.len() == layout.columns
            && let Some(x) = fast_number(fields[layout.x], layout.semicolon)
            && let Some(y) = fast_number(fields[layout.y], layout.semicolon)
        {
            self.records += 1;
            self.coords.push([x, y]);
            self.lines.push(line);
            return;
        }
        if fields.len() != layout.columns {
            match blankness(fields.iter().copied()) {
                Blank::Yes => {}
                Blank::Depends => self.pending.push((line, to_owned(fields))),
                Blank::No => {
                    self.records += 1;
                    if self.error.is_none() {
                        self.error = Some((
                            line,
                            Problem::RaggedRow {
                                expected: layout.columns,
                                found: fields.len(),
                            },
                        ));
                    }
                }
            }
            return;
        }
        let (xf, yf) = (fields[layout.x], fields[layout.y]);
        if !xf.is_ascii() || !yf.is_ascii() {
            self.pending.push((line, to_owned(fields)));
            return;
        }
        if xf.iter().all(|&b| is_ws(b)) && yf.iter().all(|&b| is_ws(b)) {
            match blankness(fields.iter().copied()) {
                Blank::Yes => return,
                Blank::Depends => {
                    self.pending.push((line, to_owned(fields)));
                    return;
                }
                Blank::No => {}
            }
        }
        self.records += 1;
        // ASCII, so valid UTF-8.
        let text = |f: &[u8]| String::from_utf8_lossy(f).into_owned();
        let x = std::str::from_utf8(xf)
            .map_err(|_| text(xf))
            .and_then(|t| parse_coordinate(t, layout.semicolon));
        let y = std::str::from_utf8(yf)
            .map_err(|_| text(yf))
            .and_then(|t| parse_coordinate(t, layout.semicolon));
        match (x, y) {
            (Ok(x), Ok(y)) => {
                self.coords.push([x, y]);
                self.lines.push(line);
            }
            (Err(why), _) => self.rejected.push((line, "x", why)),
            (_, Err(why)) => self.rejected.push((line, "y", why)),
        }
    }
}

thread_local! {
    /// A thread's buffers for the points of the pieces it parses.
    static SPARE: std::cell::RefCell<(Vec<[f64; 2]>, Vec<u64>)> = const {
        std::cell::RefCell::new((Vec::new(), Vec::new()))
    };
}

/// Powers of ten exactly representable as `f64`.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// The common case of a coordinate, `[-+]digits[.digits]` (`,` for `.` when
/// `semicolon`) with at most 15 digits, surrounded by whitespace: the mantissa
/// and the power of ten are exact, so one division is correctly rounded and the
/// value is bit for bit what `str::parse::<f64>` gives. `None` for anything
/// else (then the general parser decides).
fn fast_number(field: &[u8], semicolon: bool) -> Option<f64> {
    let mut s = field;
    if s.first().is_some_and(|&b| is_ws(b)) {
        while let [b, rest @ ..] = s
            && is_ws(*b)
        {
            s = rest;
        }
    }
    if s.last().is_some_and(|&b| is_ws(b)) {
        while let [rest @ .., b] = s
            && is_ws(*b)
        {
            s = rest;
        }
    }
    let negative = match s.split_first() {
        Some((b'-', rest)) => {
            s = rest;
            true
        }
        Some((b'+', rest)) => {
            s = rest;
            false
        }
        _ => false,
    };
    // At most 15 digits and a point.
    if s.len() > 16 {
        return None;
    }
    let mut mantissa = 0u64;
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        mantissa = mantissa * 10 + u64::from(d);
        i += 1;
    }
    let whole = i;
    let mut decimals = 0;
    if let Some(&b) = s.get(i) {
        if b != b'.' && !(semicolon && b == b',') {
            return None;
        }
        i += 1;
        let from = i;
        while let Some(&b) = s.get(i) {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            mantissa = mantissa * 10 + u64::from(d);
            i += 1;
        }
        decimals = i - from;
    }
    if whole + decimals == 0 || whole + decimals > 15 {
        return None;
    }
    let value = mantissa as f64 / POW10[decimals];
    Some(if negative { -value } else { value })
}

fn to_owned(fields: &[&[u8]]) -> Vec<Vec<u8>> {
    fields.iter().map(|f| f.to_vec()).collect()
}

/// Parses a piece without `"`: records end at `\n`, `\r\n` or `\r`.
/// The points go into the buffers `coords` and `lines`, cleared first.
fn parse_plain(
    bytes: &[u8],
    delimiter: u8,
    layout: Layout,
    mut coords: Vec<[f64; 2]>,
    mut lines: Vec<u64>,
) -> Piece {
    coords.clear();
    lines.clear();
    coords.reserve(bytes.len() / 24);
    lines.reserve(bytes.len() / 24);
    let mut piece = Piece {
        coords,
        lines,
        utf8: std::str::from_utf8(bytes).is_ok(),
        ..Piece::default()
    };
    let mut fields: Vec<&[u8]> = Vec::with_capacity(layout.columns + 1);
    let mut pos = 0;
    let mut line = 0u64;
    while pos < bytes.len() {
        let rest = &bytes[pos..];
        let end = memchr::memchr2(b'\n', b'\r', rest).unwrap_or(rest.len());
        let record = &rest[..end];
        if !record.is_empty() {
            fields.clear();
            fields.extend(record.split(|&b| b == delimiter));
            piece.record(&fields, line, layout);
        }
        pos += end;
        if pos < bytes.len() {
            pos += if bytes[pos] == b'\r' && bytes.get(pos + 1) == Some(&b'\n') {
                2
            } else {
                1
            };
            line += 1;
        }
    }
    piece.line_ends = line;
    piece
}

/// Splits `bytes` (which ends after a line end, or at the end of the file) into
/// about `n` pieces, each ending after a `\n`.
fn split_at_lines(bytes: &[u8], n: usize) -> Vec<&[u8]> {
    let mut pieces = Vec::with_capacity(n);
    let target = bytes.len().div_ceil(n.max(1)).max(1);
    let mut start = 0;
    while start < bytes.len() {
        let want = (start + target).min(bytes.len());
        let end = if want >= bytes.len() {
            bytes.len()
        } else {
            match memchr::memchr(b'\n', &bytes[want..]) {
                Some(i) => want + i + 1,
                None => bytes.len(),
            }
        };
        pieces.push(&bytes[start..end]);
        start = end;
    }
    pieces
}

/// The end of the last complete line of `bytes` that is not the start of a
/// `\r\n`: after its last `\n`, or after a `\r` followed by another byte.
fn cut(bytes: &[u8]) -> Option<usize> {
    if let Some(i) = memchr::memrchr(b'\n', bytes) {
        return Some(i + 1);
    }
    memchr::memrchr(b'\r', &bytes[..bytes.len().saturating_sub(1)]).map(|i| i + 1)
}

/// Where a record really starts: past the line ends the parser skipped.
fn skip_line_ends(bytes: &[u8], from: usize) -> usize {
    from + bytes[from..]
        .iter()
        .take_while(|b| matches!(b, b'\r' | b'\n'))
        .count()
}

/// One record read by the `csv` crate's parser.
enum Quoted {
    /// A record: its start offset (past the line ends skipped before it) and its
    /// end offset (past its line end); its fields are [`QuotedReader::fields`].
    Record { start: usize, end: usize },
    /// The input ends inside a record, or before any: more input is needed.
    NeedMore,
    /// The end of the input (only when the input is final).
    End,
}

/// A sequential reader of quoted CSV over a byte slice.
struct QuotedReader {
    core: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    count: usize,
}

impl QuotedReader {
    fn new(delimiter: u8) -> Self {
        QuotedReader {
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            out: vec![0; 4096],
            ends: vec![0; 64],
            count: 0,
        }
    }

    /// Reads the next record of `bytes[from..]`; `last` says whether the input
    /// is final. On `NeedMore` the reader is reset: read again from `from` with
    /// more input.
    fn next(&mut self, bytes: &[u8], from: usize, last: bool) -> Quoted {
        use csv_core::ReadRecordResult as R;
        let start = skip_line_ends(bytes, from);
        let (mut pos, mut nout, mut nend) = (from, 0, 0);
        loop {
            let input = &bytes[pos..];
            if input.is_empty() && !last {
                self.core.reset();
                return Quoted::NeedMore;
            }
            let (result, nin, o, e) =
                self.core
                    .read_record(input, &mut self.out[nout..], &mut self.ends[nend..]);
            pos += nin;
            nout += o;
            nend += e;
            match result {
                R::InputEmpty => {}
                R::OutputFull => {
                    let n = self.out.len();
                    self.out.resize(n * 2, 0);
                }
                R::OutputEndsFull => {
                    let n = self.ends.len();
                    self.ends.resize(n * 2, 0);
                }
                R::Record => {
                    self.count = nend;
                    // Keep a `\r\n` together.
                    if pos > 0 && bytes[pos - 1] == b'\r' && bytes.get(pos) == Some(&b'\n') {
                        pos += 1;
                    }
                    return Quoted::Record { start, end: pos };
                }
                R::End => return Quoted::End,
            }
        }
    }

    /// The fields of the record just read.
    fn fields(&self) -> Vec<&[u8]> {
        let mut fields = Vec::with_capacity(self.count);
        let mut prev = 0;
        for &e in &self.ends[..self.count] {
            fields.push(&self.out[prev..e]);
            prev = e;
        }
        fields
    }
}

/// The header, as read by [`read_header`].
struct Header {
    delimiter: u8,
    /// Whether Excel's separator line (`sep=;`) came first and was skipped.
    sep_line: bool,
    line: u64,
    names: Vec<String>,
    /// The offset of the first byte after the header record.
    end: usize,
}

enum HeaderRead {
    Found(Header),
    NeedMore,
    Failed(Error),
}

/// Reads the header from the start of `bytes` (BOM stripped) as `parse_csv`
/// does: the delimiter from the first non-blank segment, the header as the first
/// non-blank record.
fn read_header(source: &str, bytes: &[u8], utf8: bool, last: bool) -> HeaderRead {
    let file = || Location::file(source);
    // The first non-blank segment (split at \r and \n).
    let mut offset = 0;
    let mut segment = None;
    while offset <= bytes.len() {
        let rest = &bytes[offset..];
        let len = memchr::memchr2(b'\n', b'\r', rest);
        if len.is_none() && !last {
            return HeaderRead::NeedMore;
        }
        let len = len.unwrap_or(rest.len());
        let text = decode_field(&rest[..len], utf8);
        if !text.trim().is_empty() {
            segment = Some((offset, text.into_owned()));
            break;
        }
        if len == rest.len() {
            break;
        }
        offset += len + 1;
    }
    let Some((segment_offset, segment)) = segment else {
        return if last {
            HeaderRead::Failed(Error::input(file(), Problem::Empty))
        } else {
            HeaderRead::NeedMore
        };
    };
    let sep_line = match crate::inputs::text::excel_sep_line(&segment) {
        Some(Ok(named)) => Some(named),
        Some(Err(problem)) => {
            return HeaderRead::Failed(Error::input(
                file().at_line(1 + count_lines(&bytes[..segment_offset])),
                problem,
            ));
        }
        None => None,
    };
    let (mut commas, mut semicolons, mut quoted) = (0, 0, false);
    for c in segment.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => commas += 1,
            ';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    let delimiter = match (sep_line, commas, semicolons) {
        (Some(named), _, _) => named,
        (None, 0, 0) => {
            return HeaderRead::Failed(Error::input(
                file().at_line(1 + count_lines(&bytes[..segment_offset])),
                Problem::WrongDelimiter { header: segment },
            ));
        }
        (None, c, s) if c > s => b',',
        (None, ..) => b';',
    };
    // The first non-blank record.
    let mut reader = QuotedReader::new(delimiter);
    let mut from = 0;
    let mut skip_sep_line = sep_line.is_some();
    loop {
        match reader.next(bytes, from, last) {
            Quoted::NeedMore => return HeaderRead::NeedMore,
            Quoted::End => return HeaderRead::Failed(Error::input(file(), Problem::Empty)),
            Quoted::Record { start, end } => {
                let names: Vec<String> = reader
                    .fields()
                    .iter()
                    .map(|f| decode_field(f, utf8).trim().to_string())
                    .collect();
                from = end;
                if names.iter().all(String::is_empty) || std::mem::take(&mut skip_sep_line) {
                    continue;
                }
                return HeaderRead::Found(Header {
                    delimiter,
                    sep_line: sep_line.is_some(),
                    line: 1 + count_lines(&bytes[..start]),
                    names,
                    end,
                });
            }
        }
    }
}

fn find(names: &[String], name: &str, source: &str, line: u64) -> crate::Result<usize> {
    names.iter().position(|h| h == name).ok_or_else(|| {
        Error::input(
            Location::file(source).at_line(line).with_field(name),
            Problem::MissingColumn {
                column: name.to_string(),
                available: names.join(", "),
                hint: crate::error::HINT_XY.into(),
            },
        )
    })
}

/// Fills `buf` from `reader` up to `want` bytes; returns whether the input ended.
fn fill<R: Read>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    want: usize,
    source: &str,
) -> crate::Result<bool> {
    if buf.len() >= want {
        return Ok(false);
    }
    let ask = (want - buf.len()) as u64;
    // `read_to_end` appends into spare capacity without zeroing it first.
    let got = reader
        .by_ref()
        .take(ask)
        .read_to_end(buf)
        .map_err(|e| Error::io(source, e))?;
    Ok((got as u64) < ask)
}

/// Reads a points CSV from `reader` in blocks of about `block` bytes (see the
/// module docs for the rules) and calls `on_batch` with the accepted points of
/// each block. `source` names the file in errors and notices. An error from
/// `on_batch` stops the reading and is returned.
///
/// The report holds the reading decisions (kind `encoding` and `delimiter`, as
/// [`CsvText::note_decisions`](super::text::CsvText::note_decisions)) and one
/// `bad_point` warning per rejected point, in line order.
pub fn stream_points<R: Read>(
    source: &str,
    reader: R,
    x_col: &str,
    y_col: &str,
    block: usize,
    on_batch: &mut dyn FnMut(PointBatch) -> crate::Result<()>,
) -> crate::Result<(StreamedPoints, Report)> {
    stream_points_with(
        source,
        reader,
        x_col,
        y_col,
        block,
        &|coords, lines| PointBatch {
            coords: coords.to_vec(),
            lines: lines.to_vec(),
        },
        &mut |mut batch, base| {
            for line in &mut batch.lines {
                *line += base;
            }
            on_batch(batch)
        },
    )
}

/// [`stream_points`] with the work on the points done where they are parsed: each
/// piece's accepted points (see the module docs) go to `work`, on the thread
/// that parsed them, right after; its results come to `merge` in file order
/// (the late points last), on the calling thread.
///
/// `work` gets the coordinates and their lines *relative to a base*; `merge` gets
/// the work's result and that base (a point's 1-based line is its line plus the
/// base). `work` may also see the points of a block that then turns out to hold
/// an error; their results are not merged, and the error is returned.
pub(crate) fn stream_points_with<R, T, W>(
    source: &str,
    mut reader: R,
    x_col: &str,
    y_col: &str,
    block: usize,
    work: &W,
    merge: &mut dyn FnMut(T, u64) -> crate::Result<()>,
) -> crate::Result<(StreamedPoints, Report)>
where
    R: Read,
    T: Send,
    W: Fn(&[[f64; 2]], &[u64]) -> T + Sync,
{
    let block = block.max(64);
    let file = || Location::file(source);
    let mut buf: Vec<u8> = Vec::with_capacity(block + 1024);

    // The header.
    let mut eof = fill(&mut reader, &mut buf, block, source)?;
    if let Some(problem) = crate::inputs::text::not_a_text_table(&buf) {
        return Err(Error::input(file(), problem));
    }
    let bom = buf.starts_with(UTF8_BOM);
    if bom {
        buf.drain(..UTF8_BOM.len());
    }
    let header = loop {
        // The header is read as UTF-8 if the bytes so far are (a multi-byte
        // character cut at the block's end does not count).
        let tentative = match std::str::from_utf8(&buf) {
            Ok(_) => true,
            Err(e) => e.error_len().is_none(),
        };
        match read_header(source, &buf, tentative, eof) {
            HeaderRead::Found(h) => break (h, tentative),
            HeaderRead::Failed(e) => return Err(e),
            HeaderRead::NeedMore if eof => return Err(Error::input(file(), Problem::Empty)),
            HeaderRead::NeedMore => {
                let want = buf.len() + block.max(buf.len()); // doubling: a long line is read in O(n)
                eof = fill(&mut reader, &mut buf, want, source)?;
            }
        }
    };
    let (header, header_utf8) = header;
    let header_bytes = buf[..header.end].to_vec();
    let mut utf8 = std::str::from_utf8(&header_bytes).is_ok();
    let xi = find(&header.names, x_col, source, header.line)?;
    let yi = find(&header.names, y_col, source, header.line)?;
    let layout = Layout {
        columns: header.names.len(),
        x: xi,
        y: yi,
        semicolon: header.delimiter == b';',
    };
    let mut line_base = 1 + count_lines(&header_bytes);
    let mut pos = header.end;
    let mut skip_lf = header_bytes.last() == Some(&b'\r');

    let threads = rayon::current_num_threads().max(1);
    let mut accepted = 0u64;
    let mut records = 0u64;
    let mut rejected: Vec<(u64, &'static str, String)> = Vec::new();
    let mut pending: Vec<(u64, Vec<Vec<u8>>)> = Vec::new();
    let mut error: Option<(u64, Problem)> = None;
    let mut quoted = QuotedReader::new(header.delimiter);
    let mut want = block;

    loop {
        if skip_lf {
            if pos >= buf.len() && !eof {
                buf.clear();
                pos = 0;
                eof = fill(&mut reader, &mut buf, want, source)?;
            }
            if buf.get(pos) == Some(&b'\n') {
                pos += 1;
            }
            skip_lf = false;
        }
        buf.drain(..pos);
        pos = 0;
        if !eof {
            eof = fill(&mut reader, &mut buf, want, source)?;
        }
        if buf.is_empty() {
            break;
        }
        // Results of `work`, with their bases, for `merge` unless an error comes.
        let mut done: Vec<(T, u64)> = Vec::new();
        let mut block_accepted = 0u64;
        if memchr::memchr(b'"', &buf).is_none() {
            let end = if eof { Some(buf.len()) } else { cut(&buf) };
            let Some(end) = end else {
                // A line longer than the block: read more.
                want = buf.len() + block.max(buf.len()); // doubling: a long line is read in O(n)
                continue;
            };
            want = block;
            let pieces: Vec<(Piece, T)> = split_at_lines(&buf[..end], threads * 2)
                .into_par_iter()
                .map(|p| {
                    // Each thread reuses its buffers from piece to piece: fresh
                    // ones would be fresh pages for the kernel to clear each time.
                    let (coords, lines) = SPARE.with_borrow_mut(std::mem::take);
                    let mut piece = parse_plain(p, header.delimiter, layout, coords, lines);
                    let result = work(&piece.coords, &piece.lines);
                    piece.accepted = piece.coords.len() as u64;
                    let buffers = (
                        std::mem::take(&mut piece.coords),
                        std::mem::take(&mut piece.lines),
                    );
                    SPARE.set(buffers);
                    (piece, result)
                })
                .collect();
            let mut base = line_base;
            for (p, result) in pieces {
                utf8 &= p.utf8;
                if error.is_none()
                    && let Some((line, problem)) = p.error
                {
                    error = Some((base + line, problem));
                }
                records += p.records;
                block_accepted += p.accepted;
                done.push((result, base));
                rejected.extend(p.rejected.into_iter().map(|(l, c, w)| (l + base, c, w)));
                pending.extend(p.pending.into_iter().map(|(l, f)| (l + base, f)));
                base += p.line_ends;
            }
            line_base = base;
            skip_lf = end > 0 && buf[end - 1] == b'\r';
            pos = end;
        } else {
            // Sequentially, record by record.
            let mut piece = Piece::default();
            let mut from = 0;
            let mut lines_to = 0;
            let mut line = line_base;
            let mut more = false;
            loop {
                match quoted.next(&buf, from, eof) {
                    Quoted::NeedMore => {
                        more = true;
                        break;
                    }
                    Quoted::End => break,
                    Quoted::Record { start, end } => {
                        line += count_lines(&buf[lines_to..start]);
                        lines_to = start;
                        let fields = quoted.fields();
                        piece.record(&fields, line, layout);
                        from = end;
                    }
                }
            }
            if more && from == 0 {
                // One record longer than the block: read more.
                want = buf.len() + block.max(buf.len()); // doubling: a long line is read in O(n)
                continue;
            }
            want = block;
            let end = if more { from } else { buf.len() };
            line += count_lines(&buf[lines_to..end]);
            utf8 &= std::str::from_utf8(&buf[..end]).is_ok();
            if error.is_none() {
                error = piece.error;
            }
            records += piece.records;
            block_accepted += piece.coords.len() as u64;
            done.push((work(&piece.coords, &piece.lines), 0));
            rejected.extend(piece.rejected);
            pending.extend(piece.pending);
            line_base = line;
            skip_lf = end > 0 && buf[end - 1] == b'\r';
            pos = end;
        }
        if error.is_some() && pending.is_empty() {
            break;
        }
        if error.is_none() && block_accepted > 0 {
            accepted += block_accepted;
            for (result, base) in done {
                merge(result, base)?;
            }
        }
        if error.is_some() {
            // Read on only to learn the encoding for the pending lines.
            buf.drain(..pos);
            while utf8 && !eof {
                let n0 = buf.len();
                eof = fill(&mut reader, &mut buf, n0 + block, source)?;
                match std::str::from_utf8(&buf) {
                    Ok(_) => buf.clear(),
                    Err(e) if e.error_len().is_none() && !eof => {
                        buf.drain(..e.valid_up_to());
                    }
                    Err(_) => utf8 = false,
                }
            }
            break;
        }
        if eof && pos >= buf.len() {
            break;
        }
    }
    let encoding = match (utf8, bom) {
        (true, true) => Encoding::Utf8Bom,
        (true, false) => Encoding::Utf8,
        (false, _) => Encoding::Windows1252,
    };

    // The lines whose reading depended on the encoding.
    let mut late = PointBatch::default();
    for (line, fields) in pending {
        let text: Vec<Cow<str>> = fields.iter().map(|f| decode_field(f, utf8)).collect();
        if text.iter().all(|t| t.trim().is_empty()) {
            continue;
        }
        records += 1;
        if text.len() != layout.columns {
            if error.as_ref().is_none_or(|(l, _)| line < *l) {
                error = Some((
                    line,
                    Problem::RaggedRow {
                        expected: layout.columns,
                        found: text.len(),
                    },
                ));
            }
            continue;
        }
        let x = parse_coordinate(&text[layout.x], layout.semicolon);
        let y = parse_coordinate(&text[layout.y], layout.semicolon);
        match (x, y) {
            (Ok(x), Ok(y)) => {
                late.coords.push([x, y]);
                late.lines.push(line);
            }
            (Err(why), _) => rejected.push((line, "x", why)),
            (_, Err(why)) => rejected.push((line, "y", why)),
        }
    }
    if let Some((line, problem)) = error {
        return Err(Error::input(file().at_line(line), problem));
    }
    if records == 0 {
        return Err(Error::input(
            file().at_line(header.line),
            Problem::HeaderOnly,
        ));
    }

    // A header read as UTF-8 in a file that is not.
    let mut names = header.names.clone();
    if header_utf8 && !utf8 && !header_bytes.is_ascii() {
        if let HeaderRead::Found(h) = read_header(source, &header_bytes, false, true) {
            let (x2, y2) = (
                find(&h.names, x_col, source, h.line)?,
                find(&h.names, y_col, source, h.line)?,
            );
            if (x2, y2) != (xi, yi) || h.names.len() != layout.columns {
                return Err(Error::input(
                    file().at_line(h.line),
                    Problem::Invalid(
                        "the header reads differently as Windows-1252 than as UTF-8 and the file is not UTF-8 throughout; save it as \"CSV UTF-8\"".into(),
                    ),
                ));
            }
            names = h.names;
        }
    }
    if !late.coords.is_empty() {
        accepted += late.coords.len() as u64;
        merge(work(&late.coords, &late.lines), 0)?;
    }

    let mut report = Report::default();
    match encoding {
        Encoding::Utf8 => {}
        Encoding::Utf8Bom => report.info(
            "encoding",
            file(),
            "read as UTF-8; the byte-order mark at the start was removed",
        ),
        Encoding::Windows1252 => report.info(
            "encoding",
            file(),
            "not valid UTF-8; read as Windows-1252 (Latin-1), the encoding of older SCB and Excel exports",
        ),
    }
    if header.sep_line {
        report.info(
            "delimiter",
            file().at_line(1),
            format!(
                "the first line, Excel's \"sep={}\", names the delimiter; it is not read as the header",
                char::from(header.delimiter)
            ),
        );
    }
    if header.delimiter == b';' {
        report.info(
            "delimiter",
            file(),
            "fields are separated by ';' (decimal commas such as 12,5 are accepted)",
        );
    }
    rejected.sort_by_key(|r| r.0);
    let rejected: Vec<(u64, String)> = rejected
        .into_iter()
        .map(|(line, column, why)| {
            let name = if column == "x" { x_col } else { y_col };
            let reason = format!("{why} {name} coordinate");
            report.warn(
                "bad_point",
                file().at_line(line).with_field(name),
                format!("{reason}; the point is left out"),
            );
            (line, reason)
        })
        .collect();
    Ok((
        StreamedPoints {
            source: source.to_string(),
            encoding,
            delimiter: header.delimiter as char,
            header_line: header.line,
            columns: names,
            x_column: x_col.to_string(),
            y_column: y_col.to_string(),
            accepted,
            rejected,
        },
        report,
    ))
}

#[cfg(test)]
mod tests {
    use super::fast_number;
    use proptest::prelude::*;

    #[test]
    fn fast_number_takes_the_common_forms() {
        assert_eq!(fast_number(b"554730.2", false), Some(554730.2));
        assert_eq!(fast_number(b" -17.25 ", false), Some(-17.25));
        assert_eq!(fast_number(b"617000,5", true), Some(617000.5));
        assert_eq!(fast_number(b"617000,5", false), None);
        assert_eq!(fast_number(b"1e3", false), None);
        assert_eq!(fast_number(b"1234567890123456", false), None);
        assert_eq!(fast_number(b".", false), None);
    }

    proptest! {
        /// Whatever the fast path takes, it reads bit for bit as `str::parse`.
        #[test]
        fn fast_number_is_str_parse(
            s in "[ \t]{0,2}[-+]?[0-9]{0,17}([.,][0-9]{0,17})?[., 0-9e]{0,2}",
            semicolon in any::<bool>(),
        ) {
            if let Some(v) = fast_number(s.as_bytes(), semicolon) {
                let text = if semicolon { s.trim().replacen(',', ".", 1) } else { s.trim().to_string() };
                let want: f64 = text.parse().map_err(|e| TestCaseError::fail(format!("{s:?}: {e}")))?;
                prop_assert_eq!(v.to_bits(), want.to_bits(), "{:?}", s);
            }
        }
    }
}
