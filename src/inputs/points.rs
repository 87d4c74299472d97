//! Points: a CSV table of located units (children, homes, clinics) with an `x`
//! and a `y` column, for assigning to areas with [`crate::spatial`].
//!
//! # Rules
//! * The file is read with [`parse_csv`] (UTF-8 with or without BOM, or
//!   Windows-1252; `,` or `;`; see [`text`](super::text)), so a ragged row, an
//!   empty file or a header without rows is an error naming file and line.
//! * The **x** and **y** columns (names given by the caller) are required:
//!   a missing one is [`Problem::MissingColumn`].
//! * A coordinate that is empty, not a number, NaN or infinite makes that point
//!   **rejected**, never silently dropped: a `Warning` notice (kind `bad_point`)
//!   names file, line and field, and the point's line and the reason are listed
//!   in [`Points::rejected`]. The other points are kept. Fields are trimmed; with
//!   the `;` delimiter a decimal comma (`617000,5`) is read as a decimal point.
//! * Every other column is kept as text, per point, in [`Points::extra`] (names in
//!   [`Points::columns`]).
//! * The CRS is not guessed: [`Points::crs`] is `None` until the caller declares
//!   one with [`Points::declare_crs`], which runs [`check_crs`]: every point must
//!   fit the declared CRS's range ([`Crs::fits`]), else [`Problem::CrsMismatch`]
//!   naming the first misfit line.
//!
//! ```
//! use careneed::inputs::crs::Crs;
//! use careneed::inputs::points::{check_crs, parse_points};
//! let csv = b"id,x,y\na,617000,6728000\nb,,6728000\nc,617500.5,6728100\n";
//! let (mut points, report) = parse_points("children.csv", csv, "x", "y").unwrap();
//! assert_eq!(points.coords, [[617000.0, 6728000.0], [617500.5, 6728100.0]]);
//! assert_eq!(points.lines, [2, 4]);
//! assert_eq!(points.columns, ["id"]);
//! assert_eq!(points.extra[1], ["c"]);
//! assert_eq!(points.rejected, [(3, "empty x coordinate".to_string())]);
//! assert_eq!(report.of_kind("bad_point").count(), 1);
//! assert!(check_crs(&points, Crs::Wgs84).is_err());
//! points.declare_crs(Crs::Sweref99Tm).unwrap();
//! assert_eq!(points.crs, Some(Crs::Sweref99Tm));
//! ```

use crate::error::{Error, Location, Problem};
use crate::inputs::crs::Crs;
use crate::inputs::text::{CsvText, parse_csv};
use crate::report::Report;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Located points read from a CSV file, in file order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Points {
    /// The file, as given by the caller.
    pub source: String,
    /// The declared CRS of [`Points::coords`]; `None` until declared
    /// ([`Points::declare_crs`]).
    pub crs: Option<Crs>,
    /// The x column's name (easting or longitude).
    pub x_column: String,
    /// The y column's name (northing or latitude).
    pub y_column: String,
    /// `[x, y]` of every accepted point.
    pub coords: Vec<[f64; 2]>,
    /// The 1-based line of every accepted point (parallel to `coords`).
    pub lines: Vec<u64>,
    /// The names of the other columns, in file order.
    pub columns: Vec<String>,
    /// The other columns' values of every accepted point (parallel to `coords`;
    /// each inner vector parallel to `columns`), as read.
    pub extra: Vec<Vec<String>>,
    /// Rejected points: line and reason (bad or missing coordinate).
    pub rejected: Vec<(u64, String)>,
}

impl Points {
    /// The number of accepted points.
    pub fn len(&self) -> usize {
        self.coords.len()
    }

    /// Whether no point was accepted.
    pub fn is_empty(&self) -> bool {
        self.coords.is_empty()
    }

    /// The position in [`Points::columns`] of an extra column.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// The value of an extra column for the `i`th accepted point.
    pub fn value(&self, i: usize, column: usize) -> Option<&str> {
        self.extra.get(i)?.get(column).map(String::as_str)
    }

    /// Checks every point against `crs` ([`check_crs`]) and, if they all fit,
    /// records it in [`Points::crs`].
    pub fn declare_crs(&mut self, crs: Crs) -> crate::Result<()> {
        check_crs(self, crs)?;
        self.crs = Some(crs);
        Ok(())
    }

    /// Declares the CRS by EPSG code. A code [`Crs`] covers is [`Points::declare_crs`].
    /// Any other code needs feature `proj`: the points are reprojected to SWEREF99 TM
    /// through PROJ (`inputs::reproject`), checked against its range, and
    /// [`Points::crs`] becomes [`Crs::Sweref99Tm`]. Without the feature, or for a code
    /// PROJ does not know, it is [`Problem::UnsupportedCrs`]. Returns the CRS the
    /// points are now in.
    pub fn declare_epsg(&mut self, code: u32) -> crate::Result<Crs> {
        if let Some(crs) = Crs::from_epsg(code) {
            self.declare_crs(crs)?;
            return Ok(crs);
        }
        self.reproject_epsg(code)?;
        Ok(Crs::Sweref99Tm)
    }

    /// Declares the CRS by name: any spelling [`Crs::parse`] reads, or any EPSG code
    /// ([`Points::declare_epsg`]). Returns the CRS the points are now in.
    pub fn declare_crs_name(&mut self, name: &str) -> crate::Result<Crs> {
        if let Some(crs) = Crs::parse(name) {
            self.declare_crs(crs)?;
            return Ok(crs);
        }
        match Crs::epsg_code(name) {
            Some(code) => self.declare_epsg(code),
            None => Err(Error::input(
                Location::file(&self.source),
                Problem::UnsupportedCrs(name.to_string()),
            )),
        }
    }

    #[cfg(feature = "proj")]
    fn reproject_epsg(&mut self, code: u32) -> crate::Result<()> {
        let to = crate::inputs::reproject::EpsgTransform::to_crs(code, Crs::Sweref99Tm).map_err(
            |_| {
                Error::input(
                    Location::file(&self.source),
                    Problem::UnsupportedCrs(format!("EPSG:{code}")),
                )
            },
        )?;
        let mut moved = Vec::with_capacity(self.coords.len());
        for (&[x, y], &line) in self.coords.iter().zip(&self.lines) {
            let at = || {
                Location::file(&self.source)
                    .at_line(line)
                    .with_field(&self.x_column)
            };
            let (e, n) = to
                .apply(x, y)
                .map_err(|message| Error::input(at(), Problem::Invalid(message)))?;
            if !Crs::Sweref99Tm.fits(e, n) {
                return Err(Error::input(
                    at(),
                    Problem::CrsMismatch {
                        declared: format!("EPSG:{code} ({})", to.source_name()),
                        detected: format!(
                            "{} (({x}, {y}) lands at ({e:.0}, {n:.0}) in SWEREF99 TM, outside Sweden)",
                            looks_like(x, y)
                        ),
                    },
                ));
            }
            moved.push([e, n]);
        }
        self.coords = moved;
        self.crs = Some(Crs::Sweref99Tm);
        Ok(())
    }

    #[cfg(not(feature = "proj"))]
    fn reproject_epsg(&mut self, code: u32) -> crate::Result<()> {
        Err(Error::input(
            Location::file(&self.source),
            Problem::UnsupportedCrs(format!("EPSG:{code}")),
        ))
    }
}

pub(crate) fn parse_coordinate(text: &str, semicolon: bool) -> Result<f64, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("empty".to_string());
    }
    // Digits grouped by threes with spaces, as in tables: `6 727 500,5`.
    let ungrouped = crate::inputs::table::ungroup(trimmed);
    let normalised;
    let number = if semicolon && ungrouped.contains(',') {
        normalised = ungrouped.replace(',', ".");
        normalised.as_str()
    } else {
        &ungrouped
    };
    match number.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        // The field's text is not quoted: a points file is person-level (a
        // child's home), and no message quotes a value from it.
        Ok(_) => Err("non-finite".to_string()),
        Err(_) => Err("non-numeric".to_string()),
    }
}

fn find_column(csv: &CsvText, name: &str) -> crate::Result<usize> {
    csv.headers.iter().position(|h| h == name).ok_or_else(|| {
        Error::input(
            csv.header_location().with_field(name),
            Problem::MissingColumn {
                column: name.to_string(),
                available: csv.headers.join(", "),
                hint: crate::error::HINT_XY.into(),
            },
        )
    })
}

/// Parses a points table (see the module docs for the rules). `source` names the
/// file in errors and notices. The report holds the reading decisions (encoding,
/// delimiter) and one `bad_point` warning per rejected point.
pub fn parse_points(
    source: &str,
    bytes: &[u8],
    x_col: &str,
    y_col: &str,
) -> crate::Result<(Points, Report)> {
    let csv = parse_csv(source, bytes)?;
    let mut report = Report::default();
    csv.note_decisions(&mut report);
    let xi = find_column(&csv, x_col)?;
    let yi = find_column(&csv, y_col)?;
    let others: Vec<usize> = (0..csv.headers.len())
        .filter(|&i| i != xi && i != yi)
        .collect();
    let semicolon = csv.delimiter == ';';
    let mut points = Points {
        source: csv.source.clone(),
        crs: None,
        x_column: x_col.to_string(),
        y_column: y_col.to_string(),
        coords: Vec::with_capacity(csv.records.len()),
        lines: Vec::with_capacity(csv.records.len()),
        columns: others.iter().map(|&i| csv.headers[i].clone()).collect(),
        extra: Vec::with_capacity(csv.records.len()),
        rejected: Vec::new(),
    };
    for record in &csv.records {
        let field = |i: usize| record.fields.get(i).map(String::as_str).unwrap_or("");
        let x = parse_coordinate(field(xi), semicolon);
        let y = parse_coordinate(field(yi), semicolon);
        let parsed = x
            .map_err(|why| (x_col, why))
            .and_then(|x| y.map(|y| [x, y]).map_err(|why| (y_col, why)));
        match parsed {
            Ok(coord) => {
                points.coords.push(coord);
                points.lines.push(record.line);
                points
                    .extra
                    .push(others.iter().map(|&i| field(i).to_string()).collect());
            }
            Err((name, why)) => {
                let reason = format!("{why} {name} coordinate");
                report.warn(
                    "bad_point",
                    Location::file(&points.source)
                        .at_line(record.line)
                        .with_field(name),
                    format!("{reason}; the point is left out"),
                );
                points.rejected.push((record.line, reason));
            }
        }
    }
    Ok((points, report))
}

/// Reads a points file; the path, as displayed, names the file.
pub fn read_points(path: &Path, x_col: &str, y_col: &str) -> crate::Result<(Points, Report)> {
    let (bytes, source) = super::read_input(path)?;
    parse_points(&source, &bytes, x_col, y_col)
}

pub(crate) fn looks_like(x: f64, y: f64) -> String {
    if Crs::Wgs84.fits(x, y) {
        "degrees (WGS84 longitude/latitude)".to_string()
    } else if Crs::Sweref99Tm.fits(x, y) {
        "metres (SWEREF99 TM easting/northing)".to_string()
    } else {
        // The coordinates are not quoted: they are a person's home.
        "neither WGS84 degrees nor SWEREF99 TM metres".to_string()
    }
}

/// Checks that every point fits `crs` ([`Crs::fits`]). The error is
/// [`Problem::CrsMismatch`] at the first misfit's line and x field, e.g.
/// `declared CRS SWEREF99 TM (EPSG:3006) contradicts the coordinates, which look
/// like degrees (WGS84 longitude/latitude)`.
///
/// Points declared WGS84 that all lie where latitude, longitude order puts Sweden
/// (x 54…70, y 10…25) are refused too, naming the first line: x must be the
/// longitude.
pub fn check_crs(points: &Points, crs: Crs) -> crate::Result<()> {
    if crs == Crs::Wgs84
        && !points.coords.is_empty()
        && points
            .coords
            .iter()
            .all(|&[x, y]| (54.0..=70.0).contains(&x) && (10.0..=25.0).contains(&y))
    {
        let line = points.lines.first().copied().unwrap_or(0);
        return Err(Error::input(
            Location::file(&points.source)
                .at_line(line)
                .with_field(&points.x_column),
            Problem::Invalid(format!(
                "the coordinates look like latitude, longitude for Sweden; \
                 column \"{}\" must hold the longitude and \"{}\" the latitude: swap them",
                points.x_column, points.y_column
            )),
        ));
    }
    for (&[x, y], &line) in points.coords.iter().zip(&points.lines) {
        if !crs.fits(x, y) {
            let unit = if crs == Crs::Wgs84 {
                "degrees"
            } else {
                "metres"
            };
            return Err(Error::input(
                Location::file(&points.source)
                    .at_line(line)
                    .with_field(&points.x_column),
                Problem::CrsMismatch {
                    declared: format!("{crs} ({unit})"),
                    detected: looks_like(x, y),
                },
            ));
        }
    }
    Ok(())
}
