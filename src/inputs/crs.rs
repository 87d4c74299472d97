//! Coordinate reference systems: which one a file is in, and moving between them.
//!
//! careneed knows the two systems Swedish boundary files come in:
//! **WGS84** (EPSG:4326, longitude/latitude in degrees, the GeoJSON standard) and
//! **SWEREF99 TM** (EPSG:3006, easting/northing in metres, what SCB publishes DeSO in).
//! Transforms are pure Rust ([`proj4rs`]), with SWEREF99 TM defined as
//! `+proj=utm +zone=33 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m`.
//!
//! # Detection
//! [`detect`] looks at the coordinate range: every position within
//! longitude −180…180 / latitude −90…90 is WGS84; every position within SWEREF99 TM's
//! extent around Sweden (easting 100 000…1 200 000 m, northing 6 000 000…7 800 000 m)
//! is SWEREF99 TM; anything else fits neither and is an error.
//!
//! ```
//! use careneed::inputs::crs::{Crs, Transformer};
//! // Gävle's town hall, roughly.
//! let t = Transformer::new(Crs::Wgs84, Crs::Sweref99Tm).unwrap();
//! let (e, n) = t.apply(17.141, 60.675).unwrap();
//! assert!((e - 617_000.0).abs() < 1_000.0 && (n - 6_728_400.0).abs() < 1_000.0);
//! ```

use serde::{Deserialize, Serialize};
use std::fmt;

/// A coordinate reference system careneed can read and write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Crs {
    /// EPSG:4326, longitude/latitude in degrees (GeoJSON axis order: lon, lat).
    Wgs84,
    /// EPSG:3006, SWEREF99 TM: easting/northing in metres.
    Sweref99Tm,
}

impl Crs {
    /// The EPSG code.
    pub fn epsg(self) -> u32 {
        match self {
            Crs::Wgs84 => 4326,
            Crs::Sweref99Tm => 3006,
        }
    }

    /// Parses `EPSG:3006`, `3006`, `urn:ogc:def:crs:EPSG::3006`, `SWEREF99 TM`,
    /// `WGS84`, `urn:ogc:def:crs:OGC:1.3:CRS84` and similar spellings.
    pub fn parse(name: &str) -> Option<Crs> {
        let lower = name.trim().to_ascii_lowercase();
        let compact: String = lower
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
            .collect();
        if compact.ends_with("crs84") || compact == "wgs84" || compact == "epsg:4326" {
            return Some(Crs::Wgs84);
        }
        if compact == "sweref99tm" {
            return Some(Crs::Sweref99Tm);
        }
        let digits: String = compact
            .rsplit(':')
            .next()
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        match digits.as_str() {
            "4326" => Some(Crs::Wgs84),
            "3006" => Some(Crs::Sweref99Tm),
            _ => None,
        }
    }

    /// Whether a position lies in the range this CRS covers (see the module docs).
    pub fn fits(self, x: f64, y: f64) -> bool {
        match self {
            Crs::Wgs84 => (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y),
            Crs::Sweref99Tm => {
                (100_000.0..=1_200_000.0).contains(&x) && (6_000_000.0..=7_800_000.0).contains(&y)
            }
        }
    }

    fn proj_string(self) -> &'static str {
        match self {
            Crs::Wgs84 => "+proj=longlat +datum=WGS84 +no_defs",
            Crs::Sweref99Tm => {
                "+proj=utm +zone=33 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs"
            }
        }
    }
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Crs::Wgs84 => write!(f, "WGS84 (EPSG:4326)"),
            Crs::Sweref99Tm => write!(f, "SWEREF99 TM (EPSG:3006)"),
        }
    }
}

/// The CRS all positions fit, if exactly one does. `None` when positions is empty
/// or no single CRS fits them all. SWEREF99 TM and WGS84 ranges do not overlap, so
/// the answer is unambiguous.
pub fn detect<I: IntoIterator<Item = (f64, f64)>>(positions: I) -> Result<Crs, (f64, f64)> {
    let mut wgs = true;
    let mut sweref = true;
    let mut first_misfit = None;
    let mut any = false;
    for (x, y) in positions {
        any = true;
        wgs &= Crs::Wgs84.fits(x, y);
        sweref &= Crs::Sweref99Tm.fits(x, y);
        if !wgs && !sweref {
            first_misfit.get_or_insert((x, y));
            break;
        }
    }
    match (any, wgs, sweref) {
        (true, true, _) => Ok(Crs::Wgs84),
        (true, false, true) => Ok(Crs::Sweref99Tm),
        _ => Err(first_misfit.unwrap_or((f64::NAN, f64::NAN))),
    }
}

/// Moves positions from one CRS to another. Cheap to clone; `Send + Sync`.
#[derive(Debug)]
pub struct Transformer {
    from: Crs,
    to: Crs,
    src: proj4rs::Proj,
    dst: proj4rs::Proj,
}

/// A transform that failed (a position outside the projection's domain).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("cannot transform ({x}, {y}) from {from} to {to}: {reason}")]
pub struct TransformError {
    /// Input x.
    pub x: f64,
    /// Input y.
    pub y: f64,
    /// Source CRS.
    pub from: Crs,
    /// Target CRS.
    pub to: Crs,
    /// What proj4rs said.
    pub reason: String,
}

struct Xy(f64, f64);

impl proj4rs::transform::Transform for Xy {
    fn transform_coordinates<F: proj4rs::transform::TransformClosure>(
        &mut self,
        f: &mut F,
    ) -> proj4rs::errors::Result<()> {
        let (x, y, _) = f(self.0, self.1, 0.0)?;
        self.0 = x;
        self.1 = y;
        Ok(())
    }
}

impl Transformer {
    /// A transformer between two CRSs.
    pub fn new(from: Crs, to: Crs) -> Result<Self, TransformError> {
        let make = |crs: Crs| {
            proj4rs::Proj::from_proj_string(crs.proj_string()).map_err(|e| TransformError {
                x: f64::NAN,
                y: f64::NAN,
                from,
                to,
                reason: e.to_string(),
            })
        };
        Ok(Transformer {
            from,
            to,
            src: make(from)?,
            dst: make(to)?,
        })
    }

    /// Transforms one position (degrees for WGS84, metres for SWEREF99 TM).
    pub fn apply(&self, x: f64, y: f64) -> Result<(f64, f64), TransformError> {
        if self.from == self.to {
            return Ok((x, y));
        }
        let mut p = if self.from == Crs::Wgs84 {
            Xy(x.to_radians(), y.to_radians())
        } else {
            Xy(x, y)
        };
        proj4rs::transform::transform(&self.src, &self.dst, &mut p).map_err(|e| {
            TransformError {
                x,
                y,
                from: self.from,
                to: self.to,
                reason: e.to_string(),
            }
        })?;
        if self.to == Crs::Wgs84 {
            Ok((p.0.to_degrees(), p.1.to_degrees()))
        } else {
            Ok((p.0, p.1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_spellings() {
        assert_eq!(
            Crs::parse("urn:ogc:def:crs:EPSG::3006"),
            Some(Crs::Sweref99Tm)
        );
        assert_eq!(Crs::parse("EPSG:3006"), Some(Crs::Sweref99Tm));
        assert_eq!(Crs::parse("sweref99 tm"), Some(Crs::Sweref99Tm));
        assert_eq!(
            Crs::parse("urn:ogc:def:crs:OGC:1.3:CRS84"),
            Some(Crs::Wgs84)
        );
        assert_eq!(Crs::parse("EPSG:4326"), Some(Crs::Wgs84));
        assert_eq!(Crs::parse("EPSG:3021"), None);
    }

    #[test]
    fn detects_by_range() {
        assert_eq!(detect([(17.1, 60.6)]), Ok(Crs::Wgs84));
        assert_eq!(detect([(617_000.0, 6_727_000.0)]), Ok(Crs::Sweref99Tm));
        assert!(detect([(17.1, 60.6), (617_000.0, 6_727_000.0)]).is_err());
        assert!(detect([(5.0e7, 1.0)]).is_err());
    }

    /// Control point: SWEREF99 TM's central meridian 15°E at 60°N has easting
    /// 500 000 m exactly, and northing 0.9996·M(60°) on GRS80 = 6 651 411.190 m
    /// (Lantmäteriet's published Gauss–Krüger formulas give the same to the mm).
    #[test]
    fn control_point_on_central_meridian() {
        let t = Transformer::new(Crs::Wgs84, Crs::Sweref99Tm).unwrap();
        let (e, n) = t.apply(15.0, 60.0).unwrap();
        assert!((e - 500_000.0).abs() < 1e-3, "{e}");
        assert!((n - 6_651_411.190).abs() < 1e-2, "{n}");
        let back = Transformer::new(Crs::Sweref99Tm, Crs::Wgs84).unwrap();
        let (lon, lat) = back.apply(e, n).unwrap();
        assert!((lon - 15.0).abs() < 1e-9 && (lat - 60.0).abs() < 1e-9);
    }
}
