//! The mapping file: which Statistikdatabasen table, year and categories make each
//! variable of the area table, and the assembly of the table with its coverage
//! report.
//!
//! # The mapping (TOML)
//! ```toml
//! level = "deso"                      # or "regso": which region codes are areas
//!
//! [tables.FolkmDesoAldKon]            # a key the variables refer to
//! id = "TAB6574"                      # PxWeb API v2 table id (for --fetch)
//! path = "BE/BE0101/BE0101Y/FolkmDesoAldKon"
//! file = "FolkmDesoAldKon.px"         # in the input folder; default: the key + .json, .px or .csv
//! region = "Region"                   # the region dimension (default "Region")
//! time = "Tid"                        # the time dimension (default "Tid")
//! year = 2023
//! found = "where the id and codes were found"
//! verified = false                    # true only when checked against SCB's own metadata
//!
//! [variables.under5]
//! table = "FolkmDesoAldKon"
//! sum = { Alder = ["-4"], Kon = ["1+2"] }   # dimension → categories summed
//!
//! [variables.foreign_born]
//! table = "FolkmDesoLandKon"
//! sum = { Fodelseregion = ["öv"], Kon = ["1+2"] }
//! proxy_for = "what the CNI variable really is"
//!
//! [variables.movers]
//! missing = "why no table is mapped"
//! ```
//! Dimensions and categories are named by code, else by label (SCB's CSV export
//! carries only labels). A dimension of the table that is neither the region, the
//! time, nor in `sum` must have one category. The variables are the area table's
//! columns ([`TableSpec::areas`]); `population` must be mapped, since its table
//! gives the areas.
//!
//! # Rules
//! Every error names the mapping file and key (`variables.under5.sum.Alder`), and
//! the table file: an unknown dimension or category code lists those the table has.
//! * A value is the sum over every combination of the listed categories; a cell that
//!   is missing or suppressed (`..`) makes the area's value missing: the area table
//!   gets an empty field and the report a `Warning` (kind `suppressed`), never a zero.
//! * The areas are the region categories of the `population` table that are DeSO (or
//!   RegSO) codes; other regions (kommun, län, riket) are skipped with an `Info`
//!   notice. SCB's `_DeSO2025` suffix is dropped. An area another table lacks gets
//!   an empty field and a `Warning` (kind `area_missing`).
//! * The coverage report ([`Coverage`]) says per variable: the table, its id and
//!   year, the categories summed, whether it is a proxy and for what, whether its
//!   id and codes are verified, or that it is missing and why.

use super::{Cube, Level, area_code};
use crate::error::{Error, Location, Problem};
use crate::inputs::table::TableSpec;
use crate::report::Report;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The mapping for SCB's DeSO tables shipped with careneed (`data/statdb/scb_deso.toml`).
pub const SHIPPED_DESO: &str = include_str!("../../../data/statdb/scb_deso.toml");

fn string_or_int<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum S {
        S(String),
        I(i64),
    }
    Ok(match S::deserialize(d)? {
        S::S(s) => s,
        S::I(i) => i.to_string(),
    })
}

fn default_region() -> String {
    "Region".into()
}
fn default_time() -> String {
    "Tid".into()
}

/// One source table of the mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSource {
    /// The PxWeb API v2 table id (`TAB6574`).
    #[serde(default)]
    pub id: Option<String>,
    /// The path in Statistikdatabasen (`BE/BE0101/BE0101Y/FolkmDesoAldKon`).
    #[serde(default)]
    pub path: Option<String>,
    /// The file in the input folder; default: the key with `.json`, `.px` or `.csv`.
    #[serde(default)]
    pub file: Option<String>,
    /// The region dimension.
    #[serde(default = "default_region")]
    pub region: String,
    /// The time dimension.
    #[serde(default = "default_time")]
    pub time: String,
    /// The year (a category of the time dimension).
    #[serde(deserialize_with = "string_or_int")]
    pub year: String,
    /// Where the id and the codes were found.
    #[serde(default)]
    pub found: Option<String>,
    /// Whether the id and codes were checked against SCB's own metadata.
    #[serde(default)]
    pub verified: bool,
}

/// How one variable of the area table is made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariableSource {
    /// The table key (absent when `missing`).
    #[serde(default)]
    pub table: Option<String>,
    /// Dimension → the categories summed.
    #[serde(default)]
    pub sum: BTreeMap<String, Vec<String>>,
    /// When the table's count is a proxy: what the CNI variable really is.
    #[serde(default)]
    pub proxy_for: Option<String>,
    /// A note for the coverage report.
    #[serde(default)]
    pub note: Option<String>,
    /// Why no table is mapped.
    #[serde(default)]
    pub missing: Option<String>,
}

/// A mapping file (see the module docs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Which region codes are areas.
    pub level: Level,
    /// What the mapping is for.
    #[serde(default)]
    pub description: Option<String>,
    /// The source tables by key.
    #[serde(default)]
    pub tables: BTreeMap<String, TableSource>,
    /// The variables by canonical name.
    #[serde(default)]
    pub variables: BTreeMap<String, VariableSource>,
    /// The mapping file, as given by the caller.
    #[serde(skip)]
    pub source: String,
}

fn mapping_error(source: &str, field: &str, message: impl Into<String>) -> Error {
    Error::input(
        Location::file(source).with_field(field),
        Problem::Invalid(message.into()),
    )
}

/// The area table's columns, in order.
fn canonical() -> Vec<String> {
    TableSpec::areas()
        .columns
        .into_iter()
        .map(|c| c.name)
        .collect()
}

impl Mapping {
    /// Parses and checks a mapping; `source` names the file in errors.
    pub fn parse(source: &str, text: &str) -> crate::Result<Mapping> {
        let mut m: Mapping = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| 1 + text[..s.start.min(text.len())].matches('\n').count() as u64);
            let mut location = Location::file(source);
            location.line = line;
            Error::input(location, Problem::Invalid(e.message().to_string()))
        })?;
        m.source = source.to_string();
        let known = canonical();
        for (name, v) in &m.variables {
            let field = format!("variables.{name}");
            if !known.contains(name) {
                return Err(mapping_error(
                    source,
                    &field,
                    format!(
                        "unknown variable {name:?}; the area table's variables: {}",
                        known.join(", ")
                    ),
                ));
            }
            match (&v.table, &v.missing) {
                (Some(t), None) if !m.tables.contains_key(t) => {
                    return Err(mapping_error(
                        source,
                        &format!("{field}.table"),
                        format!(
                            "table {t:?} is not in [tables] (it has: {})",
                            m.tables.keys().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    ));
                }
                (Some(_), None) => {}
                (None, Some(_)) if v.sum.is_empty() && v.proxy_for.is_none() => {}
                (None, Some(_)) => {
                    return Err(mapping_error(
                        source,
                        &field,
                        "a missing variable has no sum or proxy_for",
                    ));
                }
                _ => {
                    return Err(mapping_error(
                        source,
                        &field,
                        "give either table (with sum) or missing (why no table is mapped)",
                    ));
                }
            }
        }
        if m.variables
            .get("population")
            .and_then(|v| v.table.as_ref())
            .is_none()
        {
            return Err(mapping_error(
                source,
                "variables.population",
                "population must be mapped to a table: its table gives the areas",
            ));
        }
        Ok(m)
    }

    /// Reads and checks a mapping file.
    pub fn read(path: &Path) -> crate::Result<Mapping> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Mapping::parse(&path.display().to_string(), &text)
    }

    /// The mapping for SCB's DeSO tables shipped with careneed.
    pub fn shipped() -> crate::Result<Mapping> {
        Mapping::parse("data/statdb/scb_deso.toml", SHIPPED_DESO)
    }

    /// The keys of the tables some variable uses.
    pub fn used_tables(&self) -> BTreeSet<&str> {
        self.variables
            .values()
            .filter_map(|v| v.table.as_deref())
            .collect()
    }

    /// The file of each used table in `dir`: its `file`, else the first of
    /// `<key>.json`, `<key>.px`, `<key>.csv` that exists.
    pub fn files_in(&self, dir: &Path) -> crate::Result<BTreeMap<String, PathBuf>> {
        let mut files = BTreeMap::new();
        for key in self.used_tables() {
            let table = &self.tables[key];
            let candidates: Vec<PathBuf> = match &table.file {
                Some(f) => vec![dir.join(f)],
                None => ["json", "px", "csv"]
                    .iter()
                    .map(|e| dir.join(format!("{key}.{e}")))
                    .collect(),
            };
            let Some(found) = candidates.iter().find(|p| p.is_file()) else {
                let names: Vec<String> =
                    candidates.iter().map(|p| p.display().to_string()).collect();
                return Err(mapping_error(
                    &self.source,
                    &format!("tables.{key}"),
                    format!("no file for table {key:?}: looked for {}", names.join(", ")),
                ));
            };
            files.insert(key.to_string(), found.clone());
        }
        Ok(files)
    }
}

/// Whether a variable came from a table, from a table as a proxy, or is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// From the table, as the CNI defines it.
    Sourced,
    /// From the table, but a proxy for the CNI's variable.
    Proxy,
    /// Not mapped: the column is left out.
    Missing,
}

/// The coverage of one variable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariableCoverage {
    /// The canonical variable.
    pub variable: String,
    /// Sourced, proxy or missing.
    pub status: Status,
    /// The table key.
    pub table: Option<String>,
    /// The table's PxWeb id (from the mapping, else the file).
    pub table_id: Option<String>,
    /// The file read.
    pub file: Option<String>,
    /// The year.
    pub year: Option<String>,
    /// The categories summed, as `Alder = -4; Kon = 1+2`.
    pub categories: Option<String>,
    /// What the proxy stands for.
    pub proxy_for: Option<String>,
    /// The mapping's note, or why it is missing.
    pub note: Option<String>,
    /// Whether the table id and codes are verified against SCB's metadata.
    pub verified: bool,
    /// Where the id and codes were found.
    pub found: Option<String>,
    /// Areas with a value.
    pub areas: usize,
    /// Areas whose value is suppressed or missing in the table.
    pub suppressed: usize,
    /// Areas the table lacks.
    pub absent: usize,
}

impl VariableCoverage {
    /// A variable the import could not fill, with why.
    fn missing(variable: &str, note: Option<String>) -> Self {
        VariableCoverage {
            variable: variable.to_string(),
            status: Status::Missing,
            table: None,
            table_id: None,
            file: None,
            year: None,
            categories: None,
            proxy_for: None,
            note,
            verified: false,
            found: None,
            areas: 0,
            suppressed: 0,
            absent: 0,
        }
    }
}

/// What an import covered: one entry per variable of the area table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// The mapping file.
    pub mapping: String,
    /// The area level.
    pub level: Level,
    /// The number of areas.
    pub areas: usize,
    /// Every variable of the area table, in column order.
    pub variables: Vec<VariableCoverage>,
}

impl Coverage {
    /// One line per variable, for the CLI to print.
    pub fn summary(&self) -> Vec<String> {
        self.variables
            .iter()
            .map(|v| {
                let from = || {
                    format!(
                        "{} ({}{}), year {}{}",
                        v.table.as_deref().unwrap_or("?"),
                        v.file.as_deref().unwrap_or("?"),
                        v.table_id
                            .as_deref()
                            .map(|i| format!(", {i}"))
                            .unwrap_or_default(),
                        v.year.as_deref().unwrap_or("?"),
                        if v.verified { "" } else { ", codes unverified" }
                    )
                };
                let gaps = if v.suppressed + v.absent > 0 {
                    format!("; {} areas suppressed, {} absent", v.suppressed, v.absent)
                } else {
                    String::new()
                };
                match v.status {
                    Status::Sourced => format!("{:<15} from {}{gaps}", v.variable, from()),
                    Status::Proxy => format!(
                        "{:<15} PROXY from {}{gaps}; stands in for: {}",
                        v.variable,
                        from(),
                        v.proxy_for.as_deref().unwrap_or("")
                    ),
                    Status::Missing => format!(
                        "{:<15} MISSING: {}",
                        v.variable,
                        v.note.as_deref().unwrap_or("not in the mapping")
                    ),
                }
            })
            .collect()
    }

    /// The report as Markdown.
    pub fn to_markdown(&self) -> String {
        let mut md = format!(
            "# Coverage of the imported area table\n\nMapping: `{}`. Areas ({}): {}.\n\n\
             | variable | status | table | id | year | categories summed | verified | areas | suppressed | absent | note |\n\
             |---|---|---|---|---|---|---|---|---|---|---|\n",
            self.mapping, self.level, self.areas
        );
        let cell = |s: &Option<String>| s.as_deref().unwrap_or("").replace('|', "\\|");
        for v in &self.variables {
            let status = match v.status {
                Status::Sourced => "sourced".to_string(),
                Status::Proxy => format!("proxy for: {}", cell(&v.proxy_for)),
                Status::Missing => "missing".to_string(),
            };
            md.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                v.variable,
                status,
                cell(&v.table),
                cell(&v.table_id),
                cell(&v.year),
                cell(&v.categories),
                if v.status == Status::Missing {
                    ""
                } else if v.verified {
                    "yes"
                } else {
                    "no"
                },
                v.areas,
                v.suppressed,
                v.absent,
                cell(&v.note),
            ));
        }
        md.push_str("\nA missing variable has no column: give it weight 0 in `[cni.weights]`.\n");
        md
    }
}

/// One row of the imported area table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaRow {
    /// The area code.
    pub code: String,
    /// The area's name, when a table gives one.
    pub name: Option<String>,
    /// Values parallel to [`Imported::columns`]; `None` when suppressed or absent.
    pub values: Vec<Option<f64>>,
}

/// An imported area table with its coverage and notices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Imported {
    /// The variables present, in the area table's column order.
    pub columns: Vec<String>,
    /// The areas, sorted by code.
    pub rows: Vec<AreaRow>,
    /// What came from where.
    pub coverage: Coverage,
    /// Notices: skipped regions, suppressed values, absent areas.
    pub report: Report,
}

impl Imported {
    /// The value of a variable in an area.
    pub fn value(&self, code: &str, variable: &str) -> Option<f64> {
        let i = self.columns.iter().position(|c| c == variable)?;
        self.rows.iter().find(|r| r.code == code)?.values[i]
    }

    /// The area table as CSV (UTF-8, `,`): `code`, `name` when any area has one,
    /// then the variables; a missing value is an empty field.
    pub fn to_csv(&self) -> crate::Result<String> {
        let named = self.rows.iter().any(|r| r.name.is_some());
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec!["code".to_string()];
        if named {
            header.push("name".into());
        }
        header.extend(self.columns.iter().cloned());
        let io = |e: csv::Error| Error::Compute(format!("cannot write the area table: {e}"));
        w.write_record(&header).map_err(io)?;
        for r in &self.rows {
            let mut rec = vec![r.code.clone()];
            if named {
                rec.push(r.name.clone().unwrap_or_default());
            }
            rec.extend(
                r.values
                    .iter()
                    .map(|v| v.map(|x| x.to_string()).unwrap_or_default()),
            );
            w.write_record(&rec).map_err(io)?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| Error::Compute(format!("cannot write the area table: {e}")))?;
        String::from_utf8(bytes).map_err(|e| Error::Compute(e.to_string()))
    }

    /// Writes the area table to `csv_path`, and its coverage beside it as
    /// `<stem>.coverage.json` and `<stem>.coverage.md`. Returns the three paths.
    pub fn write(&self, csv_path: &Path) -> crate::Result<[PathBuf; 3]> {
        let stem = csv_path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_else(|| "areas".into());
        let dir = csv_path.parent().unwrap_or(Path::new(""));
        let json = dir.join(format!("{stem}.coverage.json"));
        let md = dir.join(format!("{stem}.coverage.md"));
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let write = |p: &Path, text: &str| std::fs::write(p, text).map_err(|e| Error::io(p, e));
        write(csv_path, &self.to_csv()?)?;
        let coverage = serde_json::to_string_pretty(&self.coverage)
            .map_err(|e| Error::Compute(e.to_string()))?;
        write(&json, &(coverage + "\n"))?;
        write(&md, &self.coverage.to_markdown())?;
        Ok([csv_path.to_path_buf(), json, md])
    }
}

/// One variable's values by area code, with names, from its table.
struct Extracted {
    values: BTreeMap<String, Option<f64>>,
    names: BTreeMap<String, String>,
    categories: String,
}

fn extract(
    mapping: &Mapping,
    var: &str,
    v: &VariableSource,
    cube: &Cube,
    report: &mut Report,
) -> crate::Result<Extracted> {
    let key = v.table.as_deref().unwrap_or_default();
    let table = &mapping.tables[key];
    let src = &mapping.source;
    let dims_list = || {
        cube.dimensions
            .iter()
            .map(|d| {
                if d.code == d.label {
                    format!("{:?}", d.code)
                } else {
                    format!("{:?} ({})", d.code, d.label)
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let region = cube.dimension(&table.region).ok_or_else(|| {
        mapping_error(
            src,
            &format!("tables.{key}.region"),
            format!(
                "table {key:?} ({}) has no dimension {:?}; its dimensions: {}",
                cube.source,
                table.region,
                dims_list()
            ),
        )
    })?;
    let time = cube.dimension(&table.time);
    let mut choice: Vec<Option<Vec<usize>>> = vec![None; cube.dimensions.len()];
    if let Some(t) = time {
        let d = &cube.dimensions[t];
        let i = d.category(&table.year).ok_or_else(|| {
            mapping_error(
                src,
                &format!("tables.{key}.year"),
                format!(
                    "year {:?} is not in table {key:?} ({}), dimension {:?}; it has: {}",
                    table.year,
                    cube.source,
                    d.code,
                    d.codes_for_message()
                ),
            )
        })?;
        choice[t] = Some(vec![i]);
    } else {
        report.info(
            "no_time_dimension",
            Location::file(&cube.source),
            format!(
                "table {key:?} has no dimension {:?}; its year is taken from the mapping ({})",
                table.time, table.year
            ),
        );
    }
    let mut described = Vec::new();
    for (dim, wanted) in &v.sum {
        let field = format!("variables.{var}.sum.{dim}");
        let d = cube.dimension(dim).ok_or_else(|| {
            mapping_error(
                src,
                &field,
                format!(
                    "unknown dimension {dim:?} in table {key:?} ({}); its dimensions: {}",
                    cube.source,
                    dims_list()
                ),
            )
        })?;
        if d == region || Some(d) == time {
            return Err(mapping_error(
                src,
                &field,
                format!("{dim:?} is the table's region or time dimension; it cannot be summed"),
            ));
        }
        if wanted.is_empty() {
            return Err(mapping_error(
                src,
                &field,
                "the list of categories is empty",
            ));
        }
        let dimension = &cube.dimensions[d];
        let mut idx = Vec::new();
        for code in wanted {
            let i = dimension.category(code).ok_or_else(|| {
                mapping_error(
                    src,
                    &field,
                    format!(
                        "unknown code {code:?} in dimension {:?} of table {key:?} ({}); the table has: {}",
                        dimension.code,
                        cube.source,
                        dimension.codes_for_message()
                    ),
                )
            })?;
            if !idx.contains(&i) {
                idx.push(i);
            }
        }
        described.push(format!("{dim} = {}", wanted.join(" + ")));
        choice[d] = Some(idx);
    }
    for (d, c) in choice.iter_mut().enumerate() {
        if d == region || c.is_some() {
            continue;
        }
        let dimension = &cube.dimensions[d];
        if dimension.categories.len() == 1 {
            *c = Some(vec![0]);
        } else {
            return Err(mapping_error(
                src,
                &format!("variables.{var}.sum"),
                format!(
                    "dimension {:?} of table {key:?} ({}) has {} categories; say which to sum (sum.{} = [...]); it has: {}",
                    dimension.code,
                    cube.source,
                    dimension.categories.len(),
                    dimension.code,
                    dimension.codes_for_message()
                ),
            ));
        }
    }
    let mut values: BTreeMap<String, Option<f64>> = BTreeMap::new();
    let mut from: BTreeMap<String, String> = BTreeMap::new();
    let mut names = BTreeMap::new();
    let mut skipped = 0usize;
    for (ri, category) in cube.dimensions[region].categories.iter().enumerate() {
        let Some((code, name)) = area_code(category, mapping.level) else {
            skipped += 1;
            continue;
        };
        // Sum over every combination of the chosen categories.
        let mut total = Some(0.0);
        let mut index = vec![0usize; cube.dimensions.len()];
        let lists: Vec<&[usize]> = choice
            .iter()
            .enumerate()
            .map(|(d, c)| {
                if d == region {
                    &[][..]
                } else {
                    c.as_deref().unwrap_or(&[])
                }
            })
            .collect();
        let mut counter = vec![0usize; lists.len()];
        'combos: loop {
            for d in 0..lists.len() {
                index[d] = if d == region {
                    ri
                } else {
                    lists[d][counter[d]]
                };
            }
            total = match (total, cube.value(&index)) {
                (Some(t), Some(x)) => Some(t + x),
                _ => None,
            };
            let mut d = lists.len();
            loop {
                if d == 0 {
                    break 'combos;
                }
                d -= 1;
                if d == region {
                    continue;
                }
                counter[d] += 1;
                if counter[d] < lists[d].len() {
                    break;
                }
                counter[d] = 0;
            }
        }
        match values.get(&code).copied() {
            None => {
                values.insert(code.clone(), total);
                from.insert(code.clone(), category.code.clone());
            }
            // Two versions of one code (`2180C1010` and `2180C1010_DeSO2025`): the
            // one with a value wins; two different values are an error.
            Some(None) => {
                if total.is_some() {
                    values.insert(code.clone(), total);
                    from.insert(code.clone(), category.code.clone());
                }
            }
            Some(Some(prev)) => {
                if total.is_some_and(|t| t != prev) {
                    return Err(mapping_error(
                        src,
                        &format!("tables.{key}.region"),
                        format!(
                            "table {key:?} ({}) has area {code} twice ({:?} and {:?}) with different values for {var}",
                            cube.source, from[&code], category.code
                        ),
                    ));
                }
            }
        }
        if let Some(n) = name {
            names.entry(code).or_insert(n);
        }
    }
    if skipped > 0 {
        report.info(
            "not_an_area",
            Location::file(&cube.source).with_field(cube.dimensions[region].code.clone()),
            format!("{skipped} regions of table {key:?} are not {} codes (kommun, län, riket) and were skipped", mapping.level),
        );
    }
    Ok(Extracted {
        values,
        names,
        categories: described.join("; "),
    })
}

fn codes_excerpt(codes: &[&String]) -> String {
    let mut s: Vec<String> = codes.iter().take(5).map(|c| c.to_string()).collect();
    if codes.len() > 5 {
        s.push(format!("… {} in all", codes.len()));
    }
    s.join(", ")
}

/// Builds the area table from the tables read (keyed as in the mapping), with its
/// coverage report (see the module docs).
pub fn assemble(mapping: &Mapping, cubes: &BTreeMap<String, Cube>) -> crate::Result<Imported> {
    let mut report = Report::default();
    let mut extracted: BTreeMap<&str, Extracted> = BTreeMap::new();
    for (var, v) in &mapping.variables {
        let Some(key) = v.table.as_deref() else {
            continue;
        };
        let cube = cubes.get(key).ok_or_else(|| {
            mapping_error(
                &mapping.source,
                &format!("tables.{key}"),
                format!("no file was read for table {key:?}"),
            )
        })?;
        extracted.insert(var, extract(mapping, var, v, cube, &mut report)?);
    }
    // Several variables of one table raise the same notice (skipped regions): once.
    let mut seen = Vec::new();
    report.notices.retain(|n| {
        let key = (n.kind.clone(), n.location.clone(), n.message.clone());
        let new = !seen.contains(&key);
        if new {
            seen.push(key);
        }
        new
    });
    let population = &extracted["population"];
    let codes: Vec<&String> = population.values.keys().collect();
    if codes.is_empty() {
        let key = mapping.variables["population"]
            .table
            .clone()
            .unwrap_or_default();
        return Err(mapping_error(
            &mapping.source,
            &format!("tables.{key}.region"),
            format!(
                "table {key:?} has no {} area codes in its region dimension",
                mapping.level
            ),
        ));
    }
    let columns: Vec<String> = canonical()
        .into_iter()
        .filter(|c| extracted.contains_key(c.as_str()))
        .collect();
    let mut variables = Vec::new();
    for name in canonical() {
        let Some(v) = mapping.variables.get(&name) else {
            variables.push(VariableCoverage::missing(
                &name,
                Some("not in the mapping".into()),
            ));
            continue;
        };
        let Some(e) = extracted.get(name.as_str()) else {
            variables.push(VariableCoverage::missing(&name, v.missing.clone()));
            continue;
        };
        let key = v.table.clone().unwrap_or_default();
        let table = &mapping.tables[&key];
        let cube = &cubes[&key];
        let absent: Vec<&String> = codes
            .iter()
            .copied()
            .filter(|c| !e.values.contains_key(*c))
            .collect();
        let suppressed: Vec<&String> = codes
            .iter()
            .copied()
            .filter(|c| matches!(e.values.get(*c), Some(None)))
            .collect();
        let extra = e
            .values
            .keys()
            .filter(|c| !population.values.contains_key(*c))
            .count();
        if !absent.is_empty() {
            report.warn(
                "area_missing",
                Location::file(&cube.source).with_field(name.clone()),
                format!("{} areas of the population table are not in table {key:?}: {}; their {name} is left empty", absent.len(), codes_excerpt(&absent)),
            );
        }
        if !suppressed.is_empty() {
            report.warn(
                "suppressed",
                Location::file(&cube.source).with_field(name.clone()),
                format!(
                    "{name} is suppressed or missing (..) for {} areas: {}; left empty, not zero",
                    suppressed.len(),
                    codes_excerpt(&suppressed)
                ),
            );
        }
        if extra > 0 {
            report.warn(
                "extra_area",
                Location::file(&cube.source).with_field(name.clone()),
                format!("{extra} areas of table {key:?} are not in the population table and were left out"),
            );
        }
        variables.push(VariableCoverage {
            variable: name.clone(),
            status: if v.proxy_for.is_some() {
                Status::Proxy
            } else {
                Status::Sourced
            },
            table: Some(key.clone()),
            table_id: table.id.clone().or_else(|| cube.table_id.clone()),
            file: Some(cube.source.clone()),
            year: Some(table.year.clone()),
            categories: Some(e.categories.clone()),
            proxy_for: v.proxy_for.clone(),
            note: v.note.clone(),
            verified: table.verified,
            found: table.found.clone(),
            areas: codes.len() - absent.len() - suppressed.len(),
            suppressed: suppressed.len(),
            absent: absent.len(),
        });
    }
    let rows = codes
        .iter()
        .map(|code| AreaRow {
            code: (*code).clone(),
            name: columns
                .iter()
                .find_map(|c| extracted[c.as_str()].names.get(*code).cloned()),
            values: columns
                .iter()
                .map(|c| extracted[c.as_str()].values.get(*code).copied().flatten())
                .collect(),
        })
        .collect();
    Ok(Imported {
        columns,
        rows,
        coverage: Coverage {
            mapping: mapping.source.clone(),
            level: mapping.level,
            areas: codes.len(),
            variables,
        },
        report,
    })
}

/// Reads the mapping's tables from `dir` (see [`Mapping::files_in`]) and assembles
/// the area table.
pub fn import_dir(mapping: &Mapping, dir: &Path) -> crate::Result<Imported> {
    import_files(mapping, &mapping.files_in(dir)?)
}

/// Reads one file per table key (as [`Mapping::files_in`] finds them, or as
/// [`super::fetch::fetch_tables`] wrote them) and assembles the area table.
pub fn import_files(
    mapping: &Mapping,
    files: &BTreeMap<String, PathBuf>,
) -> crate::Result<Imported> {
    let mut cubes = BTreeMap::new();
    for (key, path) in files {
        cubes.insert(key.clone(), super::read_cube(path)?);
    }
    assemble(mapping, &cubes)
}
