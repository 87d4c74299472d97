//! Statistikdatabasen: SCB's tables read from JSON-stat 2.0, PX and SCB's CSV
//! export, and assembled into the canonical area table by a mapping file.
//!
//! Every reader gives a [`Cube`]: the table's dimensions (each with its categories'
//! codes and labels) and its values in row-major order, the last dimension varying
//! fastest; a suppressed or missing cell is `None`. [`mapping`] then says, per
//! canonical variable of the area table (`under5`, `foreign_born`, …), which table
//! and which categories are summed, and [`mapping::assemble`] builds the table and
//! its coverage report (which variable came from which table and year, which are
//! proxies and for what, which are missing).
//!
//! | format | reader | specification |
//! |---|---|---|
//! | JSON-stat 2.0 dataset (what the PxWeb API v2 returns with `outputFormat=json-stat2`) | [`jsonstat`] | JSON-stat 2.0, <https://json-stat.org/format/> |
//! | PX (PC-Axis) | [`px`] | Statistics Sweden, "PX-file format specification" (2013) |
//! | SCB's CSV export ("comma/semicolon delimited with heading") | [`scbcsv`] | no specification found; see the module's rules |
//!
//! [`read_cube`] picks the reader by the file's extension (`.json`, `.px`, `.csv`).
//!
//! ```
//! use careneed::inputs::statdb::jsonstat::parse_jsonstat;
//! let json = br#"{"version":"2.0","class":"dataset","id":["Region","Tid"],"size":[2,1],
//!   "dimension":{"Region":{"category":{"index":["2180C1010","2180C1020"]}},
//!                "Tid":{"category":{"index":["2023"]}}},
//!   "value":[12,null]}"#;
//! let cube = parse_jsonstat("pop.json", json).unwrap();
//! assert_eq!(cube.dimensions[0].categories[1].code, "2180C1020");
//! assert_eq!(cube.values, [Some(12.0), None]);
//! ```

pub mod fetch;
pub mod jsonstat;
pub mod mapping;
pub mod px;
pub mod scbcsv;

use crate::error::{Error, Location, Problem};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Which format a cube was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// JSON-stat 2.0 (or a JSON-stat 1.x bundle holding one dataset).
    JsonStat,
    /// A PX file.
    Px,
    /// SCB's CSV export.
    ScbCsv,
}

/// One category (value) of a dimension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    /// The code (`-4`, `1+2`, `2180C1010`); the label when the format has no codes.
    pub code: String,
    /// The label (`0-4 år`); the code when the format has no labels.
    pub label: String,
}

/// One dimension (variable) of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dimension {
    /// The code (`Alder`); for SCB's CSV export, the column header.
    pub code: String,
    /// The label (`ålder`).
    pub label: String,
    /// The categories, in the table's order.
    pub categories: Vec<Category>,
}

impl Dimension {
    /// Whether `name` names this dimension: its code or label, ignoring case.
    pub fn is_named(&self, name: &str) -> bool {
        let name = name.trim();
        self.code.eq_ignore_ascii_case(name)
            || self.label.eq_ignore_ascii_case(name)
            || self.code.to_lowercase() == name.to_lowercase()
            || self.label.to_lowercase() == name.to_lowercase()
    }

    /// The index of the category whose code, else label, is `value` (trimmed).
    pub fn category(&self, value: &str) -> Option<usize> {
        let value = value.trim();
        self.categories
            .iter()
            .position(|c| c.code == value)
            .or_else(|| self.categories.iter().position(|c| c.label == value))
    }

    /// The categories' codes, comma separated, at most 30 (for messages).
    pub fn codes_for_message(&self) -> String {
        let mut text: Vec<String> = self
            .categories
            .iter()
            .take(30)
            .map(|c| {
                if c.label == c.code {
                    format!("{:?}", c.code)
                } else {
                    format!("{:?} ({})", c.code, c.label)
                }
            })
            .collect();
        if self.categories.len() > 30 {
            text.push(format!("… {} in all", self.categories.len()));
        }
        text.join(", ")
    }
}

/// A statistical table: dimensions and values, row-major (last dimension fastest).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cube {
    /// The file, as given by the caller.
    pub source: String,
    /// The format it was read from.
    pub format: Format,
    /// The table's id when the file states one (PX `MATRIX`, JSON-stat `extension.px.tableid`).
    pub table_id: Option<String>,
    /// The table's title or label, when the file states one.
    pub title: Option<String>,
    /// The dimensions, in the order of the values.
    pub dimensions: Vec<Dimension>,
    /// One value per cell; `None` for a suppressed or missing value (`..`, `null`).
    pub values: Vec<Option<f64>>,
}

impl Cube {
    /// The number of cells the dimensions call for, or `None` on overflow.
    pub fn cells(&self) -> Option<usize> {
        cell_count(self.dimensions.iter().map(|d| d.categories.len()))
    }

    /// The value at one category index per dimension.
    pub fn value(&self, index: &[usize]) -> Option<f64> {
        let mut flat = 0usize;
        for (d, &i) in self.dimensions.iter().zip(index) {
            flat = flat * d.categories.len() + i;
        }
        self.values.get(flat).copied().flatten()
    }

    /// The index of the dimension called `name` (code or label, ignoring case).
    pub fn dimension(&self, name: &str) -> Option<usize> {
        self.dimensions.iter().position(|d| d.is_named(name))
    }

    /// The sub-cube of the categories picked per dimension (indices, in the order
    /// given), as the PxWeb API answers a selection. `pick` has one entry per
    /// dimension; an index out of range is left out.
    ///
    /// ```
    /// use careneed::inputs::statdb::jsonstat::parse_jsonstat;
    /// let json = br#"{"version":"2.0","class":"dataset","id":["Region","Kon"],"size":[2,2],
    ///   "dimension":{"Region":{"category":{"index":["2180C1010","2180C1020"]}},
    ///                "Kon":{"category":{"index":["1","2"]}}},
    ///   "value":[1,2,3,4]}"#;
    /// let cube = parse_jsonstat("t.json", json).unwrap();
    /// let part = cube.dice(&[vec![1], vec![1, 0]]);
    /// assert_eq!(part.values, [Some(4.0), Some(3.0)]);
    /// assert_eq!(part.dimensions[0].categories[0].code, "2180C1020");
    /// ```
    pub fn dice(&self, pick: &[Vec<usize>]) -> Cube {
        let pick: Vec<Vec<usize>> = self
            .dimensions
            .iter()
            .zip(pick)
            .map(|(d, p)| {
                p.iter()
                    .copied()
                    .filter(|&i| i < d.categories.len())
                    .collect()
            })
            .collect();
        let pick = pick.as_slice();
        let dimensions: Vec<Dimension> = self
            .dimensions
            .iter()
            .zip(pick)
            .map(|(d, p)| Dimension {
                code: d.code.clone(),
                label: d.label.clone(),
                categories: p
                    .iter()
                    .filter_map(|&i| d.categories.get(i).cloned())
                    .collect(),
            })
            .collect();
        let sizes: Vec<usize> = pick.iter().map(Vec::len).collect();
        let mut values = Vec::with_capacity(cell_count(sizes.iter().copied()).unwrap_or(0));
        for_each_index(&sizes, |at| {
            let index: Vec<usize> = at.iter().zip(pick).map(|(&i, p)| p[i]).collect();
            values.push(self.value(&index));
        });
        Cube {
            source: self.source.clone(),
            format: self.format,
            table_id: self.table_id.clone(),
            title: self.title.clone(),
            dimensions,
            values,
        }
    }
}

/// Calls `f` with every index of a cube of `sizes`, in row-major order (the last
/// dimension fastest). No call when a size is 0.
pub(crate) fn for_each_index(sizes: &[usize], mut f: impl FnMut(&[usize])) {
    if sizes.contains(&0) {
        return;
    }
    let mut at = vec![0usize; sizes.len()];
    loop {
        f(&at);
        let mut d = sizes.len();
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            at[d] += 1;
            if at[d] < sizes[d] {
                break;
            }
            at[d] = 0;
        }
    }
}

/// The product of the sizes, `None` on overflow.
pub(crate) fn cell_count(sizes: impl IntoIterator<Item = usize>) -> Option<usize> {
    sizes.into_iter().try_fold(1usize, |n, s| n.checked_mul(s))
}

/// The sizes as `2 × 3 × 2 = 12` for messages.
pub(crate) fn sizes_text(sizes: &[usize]) -> String {
    let product = cell_count(sizes.iter().copied())
        .map_or_else(|| "more than usize::MAX".to_string(), |n| n.to_string());
    let factors: Vec<String> = sizes.iter().map(usize::to_string).collect();
    format!("{} = {product}", factors.join(" × "))
}

/// SCB's and PX's markers of a missing or suppressed value: `.`, `..`, `...`,
/// `....`, `.....`, `......` and `-`. careneed reads every one as missing (never as
/// zero): a missing count is reported, never replaced.
pub fn is_missing_marker(text: &str) -> bool {
    let t = text.trim();
    t == "-" || (!t.is_empty() && t.len() <= 6 && t.bytes().all(|b| b == b'.'))
}

/// A number in a text cell: `1234`, `1234.5`, `1 234` (digits grouped by spaces
/// or no-break spaces), and `1234,5` when `decimal_comma`. `None` when it is not one.
pub(crate) fn parse_number(text: &str, decimal_comma: bool) -> Option<f64> {
    let t = text.trim();
    let grouped: String = t
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    if grouped.len() != t.len() {
        // Spaces only as thousands separators: groups of three after the first.
        let groups: Vec<&str> = t.split([' ', '\u{a0}', '\u{202f}']).collect();
        let ok = groups.iter().skip(1).enumerate().all(|(i, g)| {
            let g = if i + 2 == groups.len() {
                g.split([',', '.']).next().unwrap_or(g)
            } else {
                g
            };
            g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit())
        });
        if !ok {
            return None;
        }
    }
    let normal = if decimal_comma {
        grouped.replace(',', ".")
    } else {
        grouped
    };
    if normal.is_empty()
        || !normal
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
    {
        return None;
    }
    normal.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The area level of a table's region codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// DeSO: `KKKK[A|B|C]NNNN`, e.g. `2180C1010`.
    Deso,
    /// RegSO: `KKKKRNNN`, e.g. `2180R001`.
    Regso,
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Level::Deso => "DeSO",
            Level::Regso => "RegSO",
        })
    }
}

impl Level {
    /// Whether `code` is an area code of this level.
    pub fn matches(self, code: &str) -> bool {
        let b = code.as_bytes();
        match self {
            Level::Deso => {
                b.len() == 9
                    && b[..4].iter().all(u8::is_ascii_digit)
                    && matches!(b[4], b'A' | b'B' | b'C')
                    && b[5..].iter().all(u8::is_ascii_digit)
            }
            Level::Regso => {
                b.len() == 8
                    && b[..4].iter().all(u8::is_ascii_digit)
                    && b[4] == b'R'
                    && b[5..].iter().all(u8::is_ascii_digit)
            }
        }
    }
}

/// The area code and name in a region category, when it is an area of `level`.
/// SCB's DeSO 2025 tables suffix codes with the classification
/// (`2180C1010_DeSO2025`); CSV exports write `2180C1010 Gävle`. The suffix is
/// dropped; the first word is the code and the rest, if any, the name (else the
/// label, when it differs from the code).
pub fn area_code(category: &Category, level: Level) -> Option<(String, Option<String>)> {
    let first = |s: &str| -> Option<(String, Option<String>)> {
        let s = s.trim();
        let (word, rest) = s.split_once(char::is_whitespace).unwrap_or((s, ""));
        let code = word.split('_').next().unwrap_or(word);
        level.matches(code).then(|| {
            let rest = rest.trim();
            (
                code.to_string(),
                (!rest.is_empty()).then(|| rest.to_string()),
            )
        })
    };
    let (code, name) = first(&category.code).or_else(|| first(&category.label))?;
    let name = name.or_else(|| {
        let label = category.label.trim();
        let stripped = label
            .strip_prefix(category.code.trim())
            .unwrap_or(label)
            .trim();
        (!stripped.is_empty() && !level.matches(stripped.split('_').next().unwrap_or("")))
            .then(|| stripped.to_string())
    });
    Some((code, name))
}

/// Reads a table file, choosing the reader by extension: `.json` (JSON-stat),
/// `.px` (PX), `.csv` (SCB's CSV export). Another extension is an error naming the file.
pub fn read_cube(path: &Path) -> crate::Result<Cube> {
    let (bytes, source) = crate::inputs::read_input(path)?;
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "json" => jsonstat::parse_jsonstat(&source, &bytes),
        "px" => px::parse_px(&source, &bytes),
        "csv" | "txt" => scbcsv::parse_scb_csv(&source, &bytes),
        _ => Err(Error::input(
            Location::file(source),
            Problem::Invalid(format!(
                "unknown table format {ext:?}: careneed import reads JSON-stat (.json), PX (.px) and SCB's CSV export (.csv)"
            )),
        )),
    }
}

/// Checks that the values fill the dimensions exactly: an error naming the file,
/// the field and the sizes otherwise.
pub(crate) fn check_shape(
    location: Location,
    what: &str,
    sizes: &[usize],
    found: usize,
) -> crate::Result<()> {
    match cell_count(sizes.iter().copied()) {
        Some(n) if n == found => Ok(()),
        _ => Err(Error::input(
            location,
            Problem::Invalid(format!(
                "{found} {what}, but the dimensions' sizes {} call for {}",
                sizes_text(sizes),
                cell_count(sizes.iter().copied())
                    .map_or_else(|| "more".to_string(), |n| n.to_string())
            )),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_markers() {
        assert_eq!(parse_number("1 234", false), Some(1234.0));
        assert_eq!(parse_number("1\u{a0}234,5", true), Some(1234.5));
        assert_eq!(parse_number("12 34", false), None);
        assert_eq!(parse_number("12,5", false), None);
        assert_eq!(parse_number("abc", false), None);
        assert!(is_missing_marker(".."));
        assert!(is_missing_marker("-"));
        assert!(!is_missing_marker("-1"));
    }

    #[test]
    fn area_codes() {
        let c = |code: &str, label: &str| Category {
            code: code.into(),
            label: label.into(),
        };
        assert_eq!(
            area_code(&c("2180C1010_DeSO2025", "2180C1010_DeSO2025"), Level::Deso),
            Some(("2180C1010".into(), None))
        );
        assert_eq!(
            area_code(&c("2180C1010 Gävle", "2180C1010 Gävle"), Level::Deso),
            Some(("2180C1010".into(), Some("Gävle".into())))
        );
        assert_eq!(area_code(&c("2180", "Gävle"), Level::Deso), None);
        assert_eq!(
            area_code(&c("2180R001", "Gävle (Centrum)"), Level::Regso),
            Some(("2180R001".into(), Some("Gävle (Centrum)".into())))
        );
    }
}
