//! PX files (PC-Axis), as described in Statistics Sweden's "PX-file format
//! specification" (2013): what Statistikdatabasen saves as "PX-file".
//!
//! # Rules
//! * A file is a sequence of `KEYWORD[lang]("subkey")=value;` entries. Values are
//!   quoted strings, lists of them separated by `,` (a string continued on the next
//!   line is written as two adjacent quoted strings, and joined), or bare words and
//!   numbers. Entries with a language (`VALUES[en]("region")`) are skipped: the
//!   default language is read.
//! * **Code page.** `CODEPAGE` names the encoding. careneed reads `utf-8`,
//!   `iso-8859-1` and `windows-1252` (with their usual aliases, e.g. `latin1`,
//!   `cp1252`). Any other code page is an error naming the file, the line and the
//!   code page: the labels would be decoded wrongly otherwise. A file without
//!   `CODEPAGE` is read as UTF-8 when it is valid UTF-8, else as Windows-1252 (a
//!   superset of ISO-8859-1, the specification's default). A byte-order mark means
//!   UTF-8; a file declaring `utf-8` that is not valid UTF-8 is an error.
//! * **Dimensions** are the `STUB` variables then the `HEADING` variables, in that
//!   order; `DATA` holds the values row-major, the last heading variable fastest.
//!   Each variable's categories are its `VALUES` (labels) and `CODES` (codes; the
//!   labels when absent); the dimension's code is its `VARIABLECODE` when given,
//!   else its name. `MATRIX` is the table's id, `TITLE` its title.
//! * **Data** are numbers separated by white space (or commas), and the quoted
//!   markers `"."` … `"......"` and `"-"`, all read as missing. The number of values
//!   must be the product of the variables' value counts, else an error naming the
//!   file, the line of `DATA` and the sizes.
//!
//! ```
//! use careneed::inputs::statdb::px::parse_px;
//! let px = b"CHARSET=\"ANSI\";\nCODEPAGE=\"iso-8859-1\";\nMATRIX=\"Pop\";\n\
//! STUB=\"region\";\nHEADING=\"\xe5r\";\nVALUES(\"region\")=\"2180C1010\",\"2180C1020\";\n\
//! VALUES(\"\xe5r\")=\"2023\";\nDATA=\n12 \"..\";\n";
//! let cube = parse_px("pop.px", px).unwrap();
//! assert_eq!(cube.dimensions[1].code, "år");
//! assert_eq!(cube.values, [Some(12.0), None]);
//! ```

use super::{Category, Cube, Dimension, Format, check_shape, is_missing_marker};
use crate::error::{Error, Location, Problem, excerpt};
use std::borrow::Cow;
use std::collections::HashMap;

fn at(source: &str, line: u64, field: &str, message: impl Into<String>) -> Error {
    Error::input(
        Location::file(source).at_line(line).with_field(field),
        Problem::Invalid(message.into()),
    )
}

/// The 1-based line of a byte offset.
fn line_of(bytes: &[u8], offset: usize) -> u64 {
    1 + bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
}

/// The encodings careneed reads PX files in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CodePage {
    Utf8,
    Windows1252,
}

/// The `CODEPAGE` entry's value and byte offset, read from the raw bytes (the
/// keyword and its quoted value are ASCII in every code page careneed reads).
fn declared_codepage(bytes: &[u8]) -> Option<(String, usize)> {
    let key = b"CODEPAGE=";
    let mut from = 0;
    while let Some(pos) = bytes[from..].windows(key.len()).position(|w| w == key) {
        let start = from + pos;
        let at_line_start = start == 0 || matches!(bytes[start - 1], b'\n' | b'\r' | b';');
        if at_line_start {
            let rest = &bytes[start + key.len()..];
            let end = rest.iter().position(|&b| b == b';').unwrap_or(rest.len());
            let value = String::from_utf8_lossy(&rest[..end])
                .trim()
                .trim_matches('"')
                .trim()
                .to_string();
            return Some((value, start));
        }
        from = start + 1;
    }
    None
}

fn decode<'a>(source: &str, bytes: &'a [u8]) -> crate::Result<Cow<'a, str>> {
    if let Some(body) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(body).map(Cow::Borrowed).map_err(|e| {
            at(
                source,
                line_of(body, e.valid_up_to()),
                "CODEPAGE",
                "the file starts with a UTF-8 byte-order mark but is not valid UTF-8",
            )
        });
    }
    let page = match declared_codepage(bytes) {
        None => None,
        Some((name, offset)) => {
            let line = line_of(bytes, offset);
            let normal = name.to_ascii_lowercase().replace('_', "-");
            Some((
                match normal.as_str() {
                    "utf-8" | "utf8" => CodePage::Utf8,
                    "iso-8859-1" | "iso8859-1" | "latin1" | "latin-1" | "iso-latin-1"
                    | "windows-1252" | "cp1252" | "1252" | "ansi" => CodePage::Windows1252,
                    _ => {
                        return Err(at(
                            source,
                            line,
                            "CODEPAGE",
                            format!(
                                "code page {:?} is not one careneed reads (utf-8, iso-8859-1, windows-1252); save the table again from Statistikdatabasen, or convert it to UTF-8 and set CODEPAGE=\"utf-8\"",
                                excerpt(&name)
                            ),
                        ));
                    }
                },
                line,
            ))
        }
    };
    match page {
        Some((CodePage::Utf8, line)) => std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|e| {
            at(
                source,
                line_of(bytes, e.valid_up_to()),
                "CODEPAGE",
                format!(
                    "CODEPAGE (line {line}) says utf-8 but the bytes are not valid UTF-8 (the file is probably iso-8859-1)"
                ),
            )
        }),
        Some((CodePage::Windows1252, _)) => {
            Ok(encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0)
        }
        None => Ok(crate::inputs::text::decode(bytes).0),
    }
}

/// One `KEY=value;` entry.
struct Entry {
    keyword: String,
    language: Option<String>,
    subkey: Option<String>,
    value: String,
    line: u64,
}

/// Splits the text into entries, honouring quotes.
fn entries(source: &str, text: &str) -> crate::Result<Vec<Entry>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let start = i;
        let line = line_of(bytes, start);
        // The key runs to '=' outside quotes.
        let mut quoted = false;
        while i < bytes.len() && (quoted || bytes[i] != b'=') {
            if bytes[i] == b'"' {
                quoted = !quoted;
            }
            if !quoted && bytes[i] == b';' {
                return Err(at(
                    source,
                    line,
                    "keyword",
                    format!("entry {:?} has no '='", excerpt(&text[start..i])),
                ));
            }
            i += 1;
        }
        if i >= bytes.len() {
            return Err(at(
                source,
                line,
                "keyword",
                format!(
                    "entry {:?} has no '=' before the end of the file",
                    excerpt(text[start..].trim())
                ),
            ));
        }
        let key = text[start..i].trim();
        i += 1;
        let value_start = i;
        let mut quoted = false;
        while i < bytes.len() && (quoted || bytes[i] != b';') {
            if bytes[i] == b'"' {
                quoted = !quoted;
            }
            i += 1;
        }
        if i >= bytes.len() {
            return Err(at(
                source,
                line,
                key,
                "the entry is not closed by ';' before the end of the file",
            ));
        }
        let value = text[value_start..i].to_string();
        i += 1;
        let (name, rest) = key.split_at(key.find(['[', '(']).unwrap_or(key.len()));
        let language = rest
            .strip_prefix('[')
            .and_then(|r| r.split_once(']'))
            .map(|(l, _)| l.to_string());
        let subkey = rest
            .find("(\"")
            .and_then(|p| rest[p + 2..].rsplit_once("\")").map(|(s, _)| s.to_string()));
        out.push(Entry {
            keyword: name.trim().to_ascii_uppercase(),
            language,
            subkey,
            value,
            line,
        });
    }
    Ok(out)
}

/// A value as a list of strings: quoted strings separated by ',' (adjacent quoted
/// strings are one string continued); a bare value is one item.
fn strings(value: &str) -> Vec<String> {
    let v = value.trim();
    if !v.starts_with('"') {
        return vec![v.to_string()];
    }
    let mut items = Vec::new();
    let mut current: Option<String> = None;
    let mut chars = v.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                let mut s = String::new();
                for c in chars.by_ref() {
                    if c == '"' {
                        break;
                    }
                    s.push(c);
                }
                match current.as_mut() {
                    Some(cur) => cur.push_str(&s),
                    None => current = Some(s),
                }
            }
            ',' => items.extend(current.take()),
            _ => {}
        }
    }
    items.extend(current);
    items
}

/// Parses a PX file (see the module docs). `source` names the file in errors.
pub fn parse_px(source: &str, bytes: &[u8]) -> crate::Result<Cube> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::input(Location::file(source), Problem::Empty));
    }
    let text = decode(source, bytes)?;
    let entries = entries(source, &text)?;
    let mut stub = Vec::new();
    let mut heading = Vec::new();
    let mut values: HashMap<String, (Vec<String>, u64)> = HashMap::new();
    let mut codes: HashMap<String, (Vec<String>, u64)> = HashMap::new();
    let mut variable_codes: HashMap<String, String> = HashMap::new();
    let (mut matrix, mut title, mut data) = (None, None, None);
    for e in entries.into_iter().filter(|e| e.language.is_none()) {
        match (e.keyword.as_str(), e.subkey) {
            ("STUB", _) => stub = strings(&e.value),
            ("HEADING", _) => heading = strings(&e.value),
            ("VALUES", Some(var)) => {
                values.insert(var, (strings(&e.value), e.line));
            }
            ("CODES", Some(var)) => {
                codes.insert(var, (strings(&e.value), e.line));
            }
            ("VARIABLECODE", Some(var)) => {
                variable_codes.insert(var, strings(&e.value).concat());
            }
            ("MATRIX", _) => matrix = Some(strings(&e.value).concat()),
            ("TITLE", _) => title = Some(strings(&e.value).concat()),
            ("DATA", _) => data = Some((e.value, e.line)),
            _ => {}
        }
    }
    if stub.is_empty() && heading.is_empty() {
        return Err(at(
            source,
            1,
            "STUB",
            "the file has neither STUB nor HEADING: not a PX file?",
        ));
    }
    let Some((data, data_line)) = data else {
        return Err(Error::input(
            Location::file(source).with_field("DATA"),
            Problem::Invalid("the file has no DATA".into()),
        ));
    };
    let mut dimensions = Vec::new();
    for var in stub.iter().chain(&heading) {
        let Some((labels, line)) = values.get(var) else {
            return Err(Error::input(
                Location::file(source).with_field(format!("VALUES(\"{var}\")")),
                Problem::Invalid(format!(
                    "variable {var:?} is in STUB or HEADING but has no VALUES"
                )),
            ));
        };
        let codes = match codes.get(var) {
            Some((c, cline)) if c.len() != labels.len() => {
                return Err(at(
                    source,
                    *cline,
                    &format!("CODES(\"{var}\")"),
                    format!(
                        "variable {var:?} has {} CODES but {} VALUES (line {line})",
                        c.len(),
                        labels.len()
                    ),
                ));
            }
            Some((c, _)) => c.clone(),
            None => labels.clone(),
        };
        dimensions.push(Dimension {
            code: variable_codes
                .get(var)
                .cloned()
                .unwrap_or_else(|| var.clone()),
            label: var.clone(),
            categories: codes
                .into_iter()
                .zip(labels)
                .map(|(code, label)| Category {
                    code,
                    label: label.clone(),
                })
                .collect(),
        });
    }
    let mut cells = Vec::new();
    for token in data
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
    {
        let t = token.trim_matches('"');
        if is_missing_marker(t) {
            cells.push(None);
        } else {
            let v = super::parse_number(t, false).ok_or_else(|| {
                at(
                    source,
                    data_line,
                    "DATA",
                    format!(
                        "value {} of DATA, {:?}, is not a number",
                        cells.len() + 1,
                        excerpt(token)
                    ),
                )
            })?;
            cells.push(Some(v));
        }
    }
    let sizes: Vec<usize> = dimensions.iter().map(|d| d.categories.len()).collect();
    check_shape(
        Location::file(source).at_line(data_line).with_field("DATA"),
        "values in DATA",
        &sizes,
        cells.len(),
    )?;
    Ok(Cube {
        source: source.to_string(),
        format: Format::Px,
        table_id: matrix,
        title,
        dimensions,
        values: cells,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continued_strings_and_lists() {
        assert_eq!(strings(r#""a","b""#), ["a", "b"]);
        assert_eq!(strings("\"long \"\n\"title\""), ["long title"]);
        assert_eq!(strings("YES"), ["YES"]);
    }

    #[test]
    fn unknown_codepage_names_file_line_and_page() {
        let err = parse_px(
            "t.px",
            b"CHARSET=\"ANSI\";\nCODEPAGE=\"ibm437\";\nSTUB=\"a\";\n",
        )
        .unwrap_err();
        let loc = err.location().unwrap();
        assert_eq!(
            (loc.line, loc.field.as_deref()),
            (Some(2), Some("CODEPAGE"))
        );
        assert!(err.to_string().contains("\"ibm437\""), "{err}");
    }

    #[test]
    fn utf8_declared_but_latin1_bytes() {
        let err = parse_px("t.px", b"CODEPAGE=\"utf-8\";\nSTUB=\"\xe5r\";\n").unwrap_err();
        assert!(err.to_string().contains("not valid UTF-8"), "{err}");
    }
}
