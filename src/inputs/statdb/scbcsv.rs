//! SCB's CSV export from Statistikdatabasen ("Comma/Semicolon delimited with
//! heading").
//!
//! No specification of this export was found; these rules are what careneed
//! assumes, and each breach is an error naming the file and line:
//! * **Encoding**: UTF-8 (a byte-order mark is stripped) or Windows-1252, as
//!   [`text::decode`](crate::inputs::text::decode) decides.
//! * **Title**: lines before the header holding one field (the table's title, in
//!   quotes) or nothing are skipped; the first is kept as the title.
//! * **Header**: the first line with two or more fields. The delimiter is `,`, `;`
//!   or a tab, whichever occurs most in it outside quotes.
//! * **Columns**: the leading columns are the stub dimensions, named by their
//!   headers (`region`, `ålder`, `kön`), their cells the categories, as labels
//!   (the export carries no codes: a mapping must then name categories by label).
//!   The stub ends at the last column holding, in some row, a cell that is neither
//!   a number nor a missing marker. The other columns are the categories of one
//!   heading dimension: named `Tid` when every heading ends in a year (`2023`,
//!   `Folkmängd 2023`), its category codes then the years; else named `heading`,
//!   codes and labels the headers.
//! * **Rows** must form a full table: every combination of stub categories once.
//!   A line with one field after the data (a footnote) ends the table.
//! * **Values**: numbers (`1234`, `1 234`, and `1234,5` when the delimiter is not
//!   `,`); `..`, `-` and other runs of dots are missing.
//!
//! ```
//! use careneed::inputs::statdb::scbcsv::parse_scb_csv;
//! let csv = "\"Folkmängden efter region, ålder och år\"\n\n\"region\",\"ålder\",\"2023\"\n\
//! \"2180C1010 Gävle\",\"0-4 år\",56\n\"2180C1010 Gävle\",\"5-9 år\",..\n";
//! let cube = parse_scb_csv("pop.csv", csv.as_bytes()).unwrap();
//! assert_eq!(cube.dimensions[2].code, "Tid");
//! assert_eq!(cube.dimensions[2].categories[0].code, "2023");
//! assert_eq!(cube.values, [Some(56.0), None]);
//! ```

use super::{Category, Cube, Dimension, Format, is_missing_marker, parse_number};
use crate::error::{Error, Location, Problem, excerpt};
use crate::inputs::text::{decode, not_a_text_table};
use std::collections::HashMap;

/// Counts `,`, `;` and tabs outside double quotes.
fn delimiters(line: &str) -> [(u8, usize); 3] {
    let mut counts = [(b',', 0), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for c in line.bytes() {
        match c {
            b'"' => quoted = !quoted,
            _ if quoted => {}
            b',' => counts[0].1 += 1,
            b';' => counts[1].1 += 1,
            b'\t' => counts[2].1 += 1,
            _ => {}
        }
    }
    counts
}

/// The year a heading ends in, if any.
fn trailing_year(header: &str) -> Option<&str> {
    let word = header.trim().rsplit(char::is_whitespace).next()?;
    (word.len() == 4 && word.bytes().all(|b| b.is_ascii_digit())).then_some(word)
}

/// Parses SCB's CSV export (see the module docs). `source` names the file in errors.
pub fn parse_scb_csv(source: &str, bytes: &[u8]) -> crate::Result<Cube> {
    let file = || Location::file(source);
    if let Some(problem) = not_a_text_table(bytes) {
        return Err(Error::input(file(), problem));
    }
    let (text, _) = decode(bytes);
    if text.trim().is_empty() {
        return Err(Error::input(file(), Problem::Empty));
    }
    // Title lines, then the header: the first line with a delimiter outside quotes.
    let mut offset = 0;
    let mut header_line = 0u64;
    let mut title = None;
    let mut delimiter = None;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let counts = delimiters(line);
        if let Some(&(d, c)) = counts.iter().max_by_key(|(_, c)| *c)
            && c > 0
        {
            delimiter = Some(d);
            header_line = n as u64 + 1;
            break;
        }
        let t = line.trim().trim_matches('"').trim();
        if title.is_none() && !t.is_empty() {
            title = Some(t.to_string());
        }
        offset += line.len();
    }
    let Some(delimiter) = delimiter else {
        return Err(Error::input(
            file(),
            Problem::Invalid(
                "no header line with ',', ';' or tab-separated columns: not SCB's CSV export"
                    .into(),
            ),
        ));
    };
    let body = &text[offset..];
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(body.as_bytes());
    let mut records = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut headers: Vec<String> = Vec::new();
    loop {
        let more = reader.read_record(&mut record).map_err(|e| {
            let line = e.position().map(|p| header_line - 1 + p.line());
            let mut location = file();
            location.line = line;
            Error::input(location, Problem::Invalid(format!("cannot read CSV: {e}")))
        })?;
        if !more {
            break;
        }
        let line = record.position().map_or(0, |p| header_line - 1 + p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if headers.is_empty() {
            headers = record.iter().map(|h| h.trim().to_string()).collect();
            continue;
        }
        if record.len() == 1 {
            break; // a footnote after the table
        }
        if record.len() != headers.len() {
            return Err(Error::input(
                file().at_line(line),
                Problem::RaggedRow {
                    expected: headers.len(),
                    found: record.len(),
                },
            ));
        }
        records.push((
            line,
            record
                .iter()
                .map(|f| f.trim().to_string())
                .collect::<Vec<_>>(),
        ));
    }
    if records.is_empty() {
        return Err(Error::input(
            file().at_line(header_line),
            Problem::HeaderOnly,
        ));
    }
    let is_value = |f: &str| is_missing_marker(f) || parse_number(f, delimiter != b',').is_some();
    let stub = (0..headers.len())
        .rev()
        .find(|&c| records.iter().any(|(_, r)| !is_value(&r[c])))
        .map_or(0, |c| c + 1);
    if stub == 0 || stub == headers.len() {
        return Err(Error::input(
            file().at_line(header_line),
            Problem::Invalid(format!(
                "cannot tell the dimension columns from the value columns ({} of {} columns hold text)",
                stub,
                headers.len()
            )),
        ));
    }

    // Stub dimensions: categories in order of first appearance.
    let mut dimensions: Vec<Dimension> = headers[..stub]
        .iter()
        .map(|h| Dimension {
            code: h.clone(),
            label: h.clone(),
            categories: Vec::new(),
        })
        .collect();
    let mut positions: Vec<HashMap<String, usize>> = vec![HashMap::new(); stub];
    let mut row_index = Vec::with_capacity(records.len());
    for (_, r) in &records {
        let mut idx = Vec::with_capacity(stub);
        for c in 0..stub {
            let next = positions[c].len();
            let i = *positions[c].entry(r[c].clone()).or_insert_with(|| {
                dimensions[c].categories.push(Category {
                    code: r[c].clone(),
                    label: r[c].clone(),
                });
                next
            });
            idx.push(i);
        }
        row_index.push(idx);
    }
    let heads = &headers[stub..];
    let years: Option<Vec<&str>> = heads.iter().map(|h| trailing_year(h)).collect();
    let heading = match years {
        Some(years) => Dimension {
            code: "Tid".into(),
            label: "år".into(),
            categories: years
                .iter()
                .zip(heads)
                .map(|(y, h)| Category {
                    code: (*y).to_string(),
                    label: h.clone(),
                })
                .collect(),
        },
        None => Dimension {
            code: "heading".into(),
            label: "heading".into(),
            categories: heads
                .iter()
                .map(|h| Category {
                    code: h.clone(),
                    label: h.clone(),
                })
                .collect(),
        },
    };
    let width = heading.categories.len();
    dimensions.push(heading);
    let sizes: Vec<usize> = dimensions.iter().map(|d| d.categories.len()).collect();
    let rows_expected = super::cell_count(sizes[..stub].iter().copied()).unwrap_or(usize::MAX);
    if rows_expected != records.len() {
        return Err(Error::input(
            file().at_line(header_line),
            Problem::Invalid(format!(
                "{} rows do not form a full table of the stub columns' categories ({} = {rows_expected} rows)",
                records.len(),
                super::sizes_text(&sizes[..stub])
            )),
        ));
    }
    let mut values = vec![None; rows_expected * width];
    let mut seen = vec![false; rows_expected];
    for ((line, r), idx) in records.iter().zip(&row_index) {
        let mut flat = 0;
        for (c, &i) in idx.iter().enumerate() {
            flat = flat * sizes[c] + i;
        }
        if std::mem::replace(&mut seen[flat], true) {
            return Err(Error::input(
                file().at_line(*line),
                Problem::Invalid(format!(
                    "the row for {:?} appears twice",
                    excerpt(&r[..stub].join(", "))
                )),
            ));
        }
        for (j, cell) in r[stub..].iter().enumerate() {
            values[flat * width + j] = if is_missing_marker(cell) {
                None
            } else {
                Some(parse_number(cell, delimiter != b',').ok_or_else(|| {
                    Error::input(
                        file().at_line(*line).with_field(headers[stub + j].clone()),
                        Problem::NotANumber {
                            value: excerpt(cell),
                        },
                    )
                })?)
            };
        }
    }
    Ok(Cube {
        source: source.to_string(),
        format: Format::ScbCsv,
        table_id: None,
        title,
        dimensions,
        values,
    })
}
