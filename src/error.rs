//! Errors: one enum for the crate, each variant carrying where the problem is
//! (file, line or feature, field) and what the caller needs to fix it.
//!
//! Every error names its [`Location`]; its `Display` is one sentence a planner
//! can act on, e.g.
//! `areas.csv, line 14, field "under5": negative count -3`, or in a workbook
//! `areas.xlsx, sheet "DeSO", cell C14 (code 0114A0010), field "under5": negative count -3`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;

/// Where in the input a problem was found.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Location {
    /// The file (as given by the caller), or a description such as `scenario`.
    pub file: String,
    /// The sheet of a workbook (`.xlsx`, `.xls`, `.ods`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sheet: Option<String>,
    /// 1-based line in a text table (the header is line 1); in a sheet, the row.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub line: Option<u64>,
    /// The cell of a sheet in A1 style (`C14`); shown instead of the row.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cell: Option<String>,
    /// 0-based feature index in a GeoJSON FeatureCollection.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub feature: Option<usize>,
    /// The feature id (`fid`, the primary key) in a GeoPackage layer.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fid: Option<i64>,
    /// The area or unit code on that line or feature, when known.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub code: Option<String>,
    /// The column, property or key.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub field: Option<String>,
}

impl Location {
    /// A location naming only a file.
    pub fn file(file: impl Into<String>) -> Self {
        Location {
            file: file.into(),
            ..Location::default()
        }
    }
    /// This location at a 1-based line.
    pub fn at_line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }
    /// This location in a sheet of a workbook.
    pub fn in_sheet(mut self, sheet: impl Into<String>) -> Self {
        self.sheet = Some(sheet.into());
        self
    }
    /// This location at a cell of a sheet, in A1 style (`C14`).
    pub fn at_cell(mut self, cell: impl Into<String>) -> Self {
        self.cell = Some(cell.into());
        self
    }
    /// This location at a 0-based feature index.
    pub fn at_feature(mut self, feature: usize) -> Self {
        self.feature = Some(feature);
        self
    }
    /// This location at a GeoPackage feature id (`fid`).
    pub fn at_fid(mut self, fid: i64) -> Self {
        self.fid = Some(fid);
        self
    }
    /// This location with the unit code found there.
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }
    /// This location at a column, property or key.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(sheet) = &self.sheet {
            write!(f, ", sheet \"{sheet}\"")?;
        }
        match (&self.cell, self.line) {
            (Some(cell), _) => write!(f, ", cell {cell}")?,
            (None, Some(line)) if self.sheet.is_some() => write!(f, ", row {line}")?,
            (None, Some(line)) => write!(f, ", line {line}")?,
            (None, None) => {}
        }
        if let Some(feature) = self.feature {
            write!(f, ", feature {feature}")?;
        }
        if let Some(fid) = self.fid {
            write!(f, ", fid {fid}")?;
        }
        if let Some(code) = &self.code {
            write!(f, " (code {code})")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field \"{field}\"")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong in careneed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Input data is malformed or violates a rule; the location says where.
    #[error("{location}: {problem}")]
    Input {
        /// Where the problem is.
        location: Location,
        /// What is wrong.
        problem: Problem,
    },
    /// A scenario (TOML) key is missing, misspelt or out of range.
    #[error("{location}: {message}")]
    Scenario {
        /// The scenario file and key.
        location: Location,
        /// What is wrong with the key.
        message: String,
    },
    /// A computation cannot be carried out on otherwise valid input
    /// (for example a reference population with no residents).
    #[error("{0}")]
    Compute(String),
    /// Downloading a table from a PxWeb API failed (`careneed import --fetch`):
    /// no answer, an HTTP error, or an answer that is not a JSON-stat table.
    #[error("table {table}: {url}: {message}")]
    Fetch {
        /// The mapping's table key and its PxWeb id, as `FolkmDesoAldKon (TAB6574)`.
        table: String,
        /// The URL called.
        url: String,
        /// What went wrong.
        message: String,
    },
}

impl Error {
    /// Shorthand for [`Error::Input`].
    pub fn input(location: Location, problem: Problem) -> Self {
        Error::Input { location, problem }
    }
    /// Shorthand for [`Error::Io`].
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
    /// The location of an input or scenario error.
    pub fn location(&self) -> Option<&Location> {
        match self {
            Error::Input { location, .. } | Error::Scenario { location, .. } => Some(location),
            _ => None,
        }
    }
}

/// What is wrong with a piece of input. Displayed after its [`Location`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// The file has no bytes (or only a byte-order mark / whitespace).
    #[error("the file is empty")]
    Empty,
    /// The file has a header but no data rows.
    #[error("the file has a header but no data rows")]
    HeaderOnly,
    /// The header splits into one column with both `,` and `;`: likely another delimiter.
    #[error(
        "the header has a single column ({header:?}); careneed reads tables delimited by ',' or ';'"
    )]
    WrongDelimiter {
        /// The header line as read.
        header: String,
    },
    /// A required column is not in the header.
    #[error("missing column \"{column}\" (the header has: {available}){hint}")]
    MissingColumn {
        /// The column looked for (after the scenario's column mapping).
        column: String,
        /// The header's columns, comma separated.
        available: String,
        /// What maps another column to it, beginning with `; ` (the option or
        /// scenario key), or empty.
        hint: String,
    },
    /// A row has a different number of fields than the header.
    #[error("the row has {found} fields, the header has {expected}")]
    RaggedRow {
        /// Fields in the header.
        expected: usize,
        /// Fields on this row.
        found: usize,
    },
    /// A field that must be a number is not one.
    #[error("{value:?} is not a number")]
    NotANumber {
        /// The text found.
        value: String,
    },
    /// A value withheld by its publisher: SCB's `..` (value not available or too
    /// uncertain to publish; in small areas, mostly withheld for privacy).
    /// careneed does not impute it.
    #[error(
        "the value is withheld (`..`, SCB's mark for a value not published); careneed does not guess it: get the value from the data's owner (SCB delivers tables with it on commission), or, for a CNI variable, remove the column and set its weight to 0 in [cni.weights]"
    )]
    Withheld,
    /// A count is negative.
    #[error("negative count {value}")]
    Negative {
        /// The value found.
        value: f64,
    },
    /// A number is NaN or infinite.
    #[error("{value} is not a finite number")]
    NotFinite {
        /// The value found.
        value: String,
    },
    /// A count exceeds the population it is a part of.
    #[error("{value} exceeds its denominator \"{denominator}\" = {denominator_value}")]
    ExceedsDenominator {
        /// The count.
        value: f64,
        /// The denominator's column.
        denominator: String,
        /// The denominator's value on the same row.
        denominator_value: f64,
    },
    /// A code appears twice.
    #[error("duplicate code {code:?} (first seen at {first})")]
    DuplicateCode {
        /// The code.
        code: String,
        /// Where it was first seen (line N or feature N).
        first: String,
    },
    /// A code is empty.
    #[error("empty code")]
    EmptyCode,
    /// The file is not valid JSON / GeoJSON.
    #[error("not valid GeoJSON: {0}")]
    Json(String),
    /// A feature's geometry is not of a type this input takes.
    #[error("geometry type {found} is not supported here (expected {expected})")]
    GeometryType {
        /// The geometry type found (or `null`).
        found: String,
        /// What this input takes.
        expected: String,
    },
    /// A polygon ring has fewer than four positions.
    #[error("ring {ring} has {points} positions; a polygon ring needs at least 4 (closed)")]
    TooFewRingPoints {
        /// 0 = exterior, 1.. = holes (within the polygon part).
        ring: usize,
        /// Positions found.
        points: usize,
    },
    /// A polygon ring's first and last positions differ.
    #[error("ring {ring} is not closed (first and last positions differ)")]
    RingNotClosed {
        /// 0 = exterior, 1.. = holes.
        ring: usize,
    },
    /// A coordinate is NaN, infinite or missing.
    #[error("invalid coordinate {value}")]
    BadCoordinate {
        /// The coordinate as text.
        value: String,
    },
    /// Coordinates fit neither of the coordinate reference systems careneed detects.
    #[error(
        "coordinate ({}, {}) fits neither WGS84 (lon/lat degrees) nor SWEREF99 TM (EPSG:3006 metres)",
        number(*x),
        number(*y)
    )]
    UnknownCrs {
        /// Easting or longitude.
        x: f64,
        /// Northing or latitude.
        y: f64,
    },
    /// The declared CRS contradicts the coordinates.
    #[error("declared CRS {declared} contradicts the coordinates, which look like {detected}")]
    CrsMismatch {
        /// The CRS declared (in the file or by the caller).
        declared: String,
        /// What the coordinates look like.
        detected: String,
    },
    /// A polygon breaks the OGC validity rules (see [`crate::inputs::validate`]).
    #[error(
        "invalid geometry: {reason}; rerun with --repair (scenario: repair = true) to repair it"
    )]
    InvalidGeometry {
        /// What is wrong, as geo's validation states it.
        reason: String,
    },
    /// A CRS name or EPSG code careneed does not know. Without the `proj` feature
    /// careneed reads WGS84, SWEREF99 TM, RT90 2.5 gon V and the SWEREF99 local zones;
    /// with it, any EPSG code PROJ knows.
    #[cfg_attr(
        not(feature = "proj"),
        error(
            "unsupported CRS {0:?}: careneed reads EPSG:4326 (WGS84), EPSG:3006 (SWEREF99 TM), EPSG:3021 (RT90 2.5 gon V) and EPSG:3007–3018 (SWEREF99 local zones); build careneed with --features proj to read any EPSG code"
        )
    )]
    #[cfg_attr(
        feature = "proj",
        error("unsupported CRS {0:?}: not built in, and not an EPSG code PROJ knows")
    )]
    UnsupportedCrs(String),
    /// Any other rule violation, stated in full.
    #[error("{0}")]
    Invalid(String),
}

/// [`Problem::MissingColumn`]'s hint for a missing BVC id column.
pub(crate) const HINT_BVC_FIELD: &str =
    "; name the BVC id column with --bvc-field or the scenario's [inputs] bvc_field";
/// [`Problem::MissingColumn`]'s hint for a missing coordinate column.
pub(crate) const HINT_XY: &str = "; name the coordinate columns with --x and --y";

/// A number for a message: as written when short, else in scientific notation
/// (a coordinate of 1e300 must not print 300 digits).
pub(crate) fn number(value: f64) -> String {
    let text = value.to_string();
    if text.len() > 24 {
        format!("{value:e}")
    } else {
        text
    }
}

/// A piece of input for a message: at most 40 characters, then `...` (a
/// 100 MB field must not become a 100 MB message).
pub(crate) fn excerpt(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_string(),
    }
}

/// careneed's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
