//! Coordinate reference systems: which one a file is in, and moving between them.
//!
//! careneed knows the systems Swedish boundary files come in:
//! **WGS84** (EPSG:4326, longitude/latitude in degrees, the GeoJSON standard),
//! **SWEREF99 TM** (EPSG:3006, easting/northing in metres, what SCB publishes DeSO in),
//! the twelve **SWEREF99 local zones** (EPSG:3007–3018, e.g. SWEREF99 16 30, used by
//! municipalities and regions; see [`SwerefZone`]) and the older **RT90 2.5 gon V**
//! (EPSG:3021). Transforms are pure Rust ([`proj4rs`]), with the definitions
//!
//! * SWEREF99 TM: `+proj=utm +zone=33 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m`;
//! * SWEREF99 local zones: `+proj=tmerc +lat_0=0 +lon_0=<central meridian> +k=1
//!   +x_0=150000 +y_0=0 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m`;
//! * RT90 2.5 gon V: `+proj=tmerc +lat_0=0 +lon_0=15.8082777777778 +k=1 +x_0=1500000
//!   +y_0=0 +ellps=bessel +towgs84=414.1,41.3,603.1,-0.855,2.141,-7.023,0 +units=m`.
//!
//! SWEREF99 is treated as identical to WGS84 (they differ by well under a metre).
//! RT90 goes through a 7-parameter datum shift (Bessel 1841 ellipsoid), itself an
//! approximation good to about a metre.
//!
//! # Detection
//! [`detect`] looks at the coordinate range: every position within
//! longitude −180…180 / latitude −90…90 is WGS84; every position within SWEREF99 TM's
//! extent around Sweden (easting 100 000…1 200 000 m, northing 6 000 000…7 800 000 m)
//! is SWEREF99 TM; anything else fits neither and is an error. The local zones and
//! RT90 are never detected (the local zones overlap each other and SWEREF99 TM); files
//! in them must declare their CRS or have it given explicitly.
//!
//! ```
//! use careneed::inputs::crs::{Crs, Transformer};
//! // Gävle's town hall, roughly.
//! let t = Transformer::new(Crs::Wgs84, Crs::Sweref99Tm).unwrap();
//! let (e, n) = t.apply(17.141, 60.675).unwrap();
//! assert!((e - 617_000.0).abs() < 1_000.0 && (n - 6_728_400.0).abs() < 1_000.0);
//! assert_eq!(Crs::parse("SWEREF99 16 30"), Crs::parse("EPSG:3010"));
//! assert_eq!(Crs::parse("RT90 2.5 gon V"), Some(Crs::Rt90));
//! ```

use serde::{Deserialize, Serialize};
use std::fmt;

/// A coordinate reference system careneed can read and write.
///
/// Serialized (serde) as `"wgs84"`, `"sweref99_tm"`, `"rt90"` or
/// `{"sweref_local": 3010}` (the zone's EPSG code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Crs {
    /// EPSG:4326, longitude/latitude in degrees (GeoJSON axis order: lon, lat).
    Wgs84,
    /// EPSG:3006, SWEREF99 TM: easting/northing in metres.
    Sweref99Tm,
    /// EPSG:3021, RT90 2.5 gon V: easting/northing in metres (Bessel 1841, RT90 datum).
    Rt90,
    /// EPSG:3007–3018, a SWEREF99 local zone such as SWEREF99 16 30:
    /// easting/northing in metres.
    SwerefLocal(SwerefZone),
}

/// One of the twelve SWEREF99 local projection zones (EPSG:3007–3018): a transverse
/// Mercator on GRS80 with scale 1 on the central meridian and false easting 150 000 m.
///
/// Always a valid zone: build one with [`SwerefZone::from_epsg`],
/// [`SwerefZone::from_name`] or from [`SwerefZone::ALL`]. Serialized as its EPSG code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct SwerefZone(u16);

/// (EPSG code, name suffix, central meridian in degrees, proj string).
const ZONES: [(u16, &str, f64, &str); 12] = [
    (
        3007,
        "12 00",
        12.0,
        "+proj=tmerc +lat_0=0 +lon_0=12 +k=1 +x_0=150000 +y_0=0 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs",
    ),
    (
        3008,
        "13 30",
        13.5,
        "+proj=tmerc +lat_0=0 +lon_0=13.5 +k=1 +x_0=150000 +y_0=0 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs",
    ),
    (
        3009,
        "15 00",
        15.0,
        "+proj=tmerc +lat_0=0 +lon_0=15 +k=1 +x_0=150000 +y_0=0 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs",
    ),
    (
        3010,
        "16 30",
        16.5,
        "+proj=tmerc +lat_0=0 +lon_0=16.5 +k=1 +x_0=150000 +y_0=0 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs",
    ),
    (
        3011,
        "18 00",
        18.0,
        "+proj=tmerc +lat_0=0 +lon_0=18 +k=1 +x_0=150000 +y_0=0 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs",
    ),
    (
        3012,
        "14 15",
        14.25,
        "+proj=tmerc +lat_0=0 +lon_0=14.25 +k=1 +x_0=150000 +y_0=0 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs",
    ),
    (
        3013,
        "15 45",
        15.75,
        "+proj=tmerc +lat_0=0 +lon_0=15.75 +k=1 +x_0=150000 +y_0=0 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs",
    ),
    (
        3014,
        "17 15",
        17.25,
        "+proj=tmerc +lat_0=0 +lon_0=17.25 +k=1 +x_0=150000 +y_0=0 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs",
    ),
    (
        3015,
        "18 45",
        18.75,
        "+proj=tmerc +lat_0=0 +lon_0=18.75 +k=1 +x_0=150000 +y_0=0 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs",
    ),
    (
        3016,
        "20 15",
        20.25,
        "+proj=tmerc +lat_0=0 +lon_0=20.25 +k=1 +x_0=150000 +y_0=0 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs",
    ),
    (
        3017,
        "21 45",
        21.75,
        "+proj=tmerc +lat_0=0 +lon_0=21.75 +k=1 +x_0=150000 +y_0=0 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs",
    ),
    (
        3018,
        "23 15",
        23.25,
        "+proj=tmerc +lat_0=0 +lon_0=23.25 +k=1 +x_0=150000 +y_0=0 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs",
    ),
];

impl SwerefZone {
    /// All twelve zones, in EPSG order (3007 … 3018).
    pub const ALL: [SwerefZone; 12] = [
        SwerefZone(3007),
        SwerefZone(3008),
        SwerefZone(3009),
        SwerefZone(3010),
        SwerefZone(3011),
        SwerefZone(3012),
        SwerefZone(3013),
        SwerefZone(3014),
        SwerefZone(3015),
        SwerefZone(3016),
        SwerefZone(3017),
        SwerefZone(3018),
    ];

    /// The zone with this EPSG code (3007…3018), if any.
    pub fn from_epsg(code: u32) -> Option<SwerefZone> {
        ZONES
            .iter()
            .find(|z| u32::from(z.0) == code)
            .map(|z| SwerefZone(z.0))
    }

    /// The zone named by its central meridian, e.g. `"16 30"`, `"1630"` or
    /// `"SWEREF99 16 30"` (case, spaces, `_`, `-` and `:` are ignored).
    pub fn from_name(name: &str) -> Option<SwerefZone> {
        let compact: String = name
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | ':'))
            .collect();
        let digits = compact.strip_prefix("sweref99").unwrap_or(&compact);
        ZONES
            .iter()
            .find(|z| z.1.replace(' ', "") == digits)
            .map(|z| SwerefZone(z.0))
    }

    fn row(self) -> (u16, &'static str, f64, &'static str) {
        ZONES
            .iter()
            .copied()
            .find(|z| z.0 == self.0)
            .unwrap_or(ZONES[0])
    }

    /// The EPSG code, 3007…3018.
    pub fn epsg(self) -> u32 {
        u32::from(self.0)
    }

    /// The central meridian in degrees east (12.0 for SWEREF99 12 00, 16.5 for 16 30, …).
    pub fn central_meridian(self) -> f64 {
        self.row().2
    }

    /// The name without EPSG code, e.g. `"SWEREF99 16 30"`.
    pub fn name(self) -> String {
        format!("SWEREF99 {}", self.row().1)
    }

    fn proj_string(self) -> &'static str {
        self.row().3
    }
}

impl TryFrom<u32> for SwerefZone {
    type Error = String;

    fn try_from(code: u32) -> Result<Self, Self::Error> {
        SwerefZone::from_epsg(code).ok_or_else(|| {
            format!("EPSG:{code} is not a SWEREF99 local zone (EPSG:3007 to EPSG:3018)")
        })
    }
}

impl From<SwerefZone> for u32 {
    fn from(zone: SwerefZone) -> u32 {
        zone.epsg()
    }
}

impl fmt::Display for SwerefZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (EPSG:{})", self.name(), self.epsg())
    }
}

const RT90_PROJ: &str = "+proj=tmerc +lat_0=0 +lon_0=15.8082777777778 +k=1 +x_0=1500000 +y_0=0 +ellps=bessel +towgs84=414.1,41.3,603.1,-0.855,2.141,-7.023,0 +units=m +no_defs";

impl Crs {
    /// The EPSG code.
    pub fn epsg(self) -> u32 {
        match self {
            Crs::Wgs84 => 4326,
            Crs::Sweref99Tm => 3006,
            Crs::Rt90 => 3021,
            Crs::SwerefLocal(zone) => zone.epsg(),
        }
    }

    /// The CRS with this EPSG code, if careneed knows it.
    pub fn from_epsg(code: u32) -> Option<Crs> {
        match code {
            4326 => Some(Crs::Wgs84),
            3006 => Some(Crs::Sweref99Tm),
            3021 => Some(Crs::Rt90),
            _ => SwerefZone::from_epsg(code).map(Crs::SwerefLocal),
        }
    }

    /// Parses `EPSG:3006`, `3006`, `urn:ogc:def:crs:EPSG::3006`, `SWEREF99 TM`,
    /// `WGS84`, `urn:ogc:def:crs:OGC:1.3:CRS84`, `EPSG:3021`, `RT90`,
    /// `RT90 2.5 gon V`, `EPSG:3010`, `SWEREF99 16 30` and similar spellings.
    pub fn parse(name: &str) -> Option<Crs> {
        let lower = name.trim().to_lowercase();
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
        if matches!(
            compact.as_str(),
            "rt90" | "rt902.5gonv" | "rt902,5gonv" | "rt902.5gonväst" | "rt902,5gonväst"
        ) {
            return Some(Crs::Rt90);
        }
        if compact.starts_with("sweref99") {
            if let Some(zone) = SwerefZone::from_name(&compact) {
                return Some(Crs::SwerefLocal(zone));
            }
        }
        let digits: String = compact
            .rsplit(':')
            .next()
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        digits.parse().ok().and_then(Crs::from_epsg)
    }

    /// The EPSG code a CRS name spells, whether or not careneed knows the CRS:
    /// `EPSG:3857`, `epsg:3857`, `urn:ogc:def:crs:EPSG::3857` or `3857` give 3857; the
    /// names [`Crs::parse`] knows give their code (`SWEREF99 TM` gives 3006).
    ///
    /// ```
    /// use careneed::inputs::crs::Crs;
    /// assert_eq!(Crs::epsg_code("urn:ogc:def:crs:EPSG::32633"), Some(32633));
    /// assert_eq!(Crs::epsg_code("SWEREF99 TM"), Some(3006));
    /// assert_eq!(Crs::epsg_code("ESRI:102100"), None);
    /// ```
    pub fn epsg_code(name: &str) -> Option<u32> {
        if let Some(crs) = Crs::parse(name) {
            return Some(crs.epsg());
        }
        let compact: String = name
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let code = if compact.chars().all(|c| c.is_ascii_digit()) {
            compact.as_str()
        } else if compact.starts_with("epsg:") || compact.starts_with("urn:ogc:def:crs:epsg:") {
            compact.rsplit(':').next().unwrap_or_default()
        } else {
            return None;
        };
        if code.is_empty() || !code.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        code.parse().ok().filter(|&c| c > 0)
    }

    /// Whether a position lies in the range this CRS covers (see the module docs):
    /// for RT90 easting 1 200 000…1 950 000 m and northing 6 000 000…7 800 000 m; for
    /// a SWEREF99 local zone easting 0…300 000 m (about ±2–3° from the central
    /// meridian) and northing 6 000 000…7 800 000 m.
    pub fn fits(self, x: f64, y: f64) -> bool {
        let sweden_northing = (6_000_000.0..=7_800_000.0).contains(&y);
        match self {
            Crs::Wgs84 => (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y),
            Crs::Sweref99Tm => (100_000.0..=1_200_000.0).contains(&x) && sweden_northing,
            Crs::Rt90 => (1_200_000.0..=1_950_000.0).contains(&x) && sweden_northing,
            Crs::SwerefLocal(_) => (0.0..=300_000.0).contains(&x) && sweden_northing,
        }
    }

    fn proj_string(self) -> &'static str {
        match self {
            Crs::Wgs84 => "+proj=longlat +datum=WGS84 +no_defs",
            Crs::Sweref99Tm => {
                "+proj=utm +zone=33 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs"
            }
            Crs::Rt90 => RT90_PROJ,
            Crs::SwerefLocal(zone) => zone.proj_string(),
        }
    }
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Crs::Wgs84 => write!(f, "WGS84 (EPSG:4326)"),
            Crs::Sweref99Tm => write!(f, "SWEREF99 TM (EPSG:3006)"),
            Crs::Rt90 => write!(f, "RT90 2.5 gon V (EPSG:3021)"),
            Crs::SwerefLocal(zone) => zone.fmt(f),
        }
    }
}

/// The CRS all positions fit, if exactly one does. `None` when positions is empty
/// or no single CRS fits them all. SWEREF99 TM and WGS84 ranges do not overlap, so
/// the answer is unambiguous. Only WGS84 and SWEREF99 TM are ever detected: the
/// SWEREF99 local zones overlap each other, so RT90 and the local zones must be
/// declared.
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

    /// Transforms one position (degrees for WGS84, metres for the projected systems).
    ///
    /// RT90's datum shift is EPSG's 7-parameter position-vector Helmert
    /// transformation; into RT90 it is reversed as EPSG defines (and PROJ does): with
    /// the parameters negated. That reverse is not the exact inverse, so WGS84 → RT90 →
    /// WGS84 comes back only to about 5 mm, as in PROJ; careneed agrees with PROJ below
    /// a millimetre both ways (`tests/crs_proj.rs`, feature `proj`).
    pub fn apply(&self, x: f64, y: f64) -> Result<(f64, f64), TransformError> {
        if self.from == self.to {
            return Ok((x, y));
        }
        let start = if self.from == Crs::Wgs84 {
            (x.to_radians(), y.to_radians())
        } else {
            (x, y)
        };
        let raw = |src: &proj4rs::Proj, dst: &proj4rs::Proj, (px, py): (f64, f64)| {
            let mut p = Xy(px, py);
            proj4rs::transform::transform(src, dst, &mut p).map_err(|e| TransformError {
                x,
                y,
                from: self.from,
                to: self.to,
                reason: e.to_string(),
            })?;
            Ok::<_, TransformError>((p.0, p.1))
        };
        let p = raw(&self.src, &self.dst, start)?;
        if self.to == Crs::Wgs84 {
            Ok((p.0.to_degrees(), p.1.to_degrees()))
        } else {
            Ok(p)
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
        assert_eq!(Crs::parse("EPSG:3021"), Some(Crs::Rt90));
        assert_eq!(Crs::parse("RT90"), Some(Crs::Rt90));
        assert_eq!(Crs::parse("RT90 2.5 gon V"), Some(Crs::Rt90));
        assert_eq!(Crs::parse("RT90 5 gon V"), None);
        assert_eq!(Crs::parse("EPSG:3022"), None);
        let z1630 = Some(Crs::SwerefLocal(SwerefZone::ALL[3]));
        assert_eq!(Crs::parse("urn:ogc:def:crs:EPSG::3010"), z1630);
        assert_eq!(Crs::parse("SWEREF99 16 30"), z1630);
        assert_eq!(Crs::parse("SWEREF 99 16 30"), z1630);
        assert_eq!(Crs::parse("sweref99_1630"), z1630);
        assert_eq!(
            Crs::parse("EPSG:3007"),
            Some(Crs::SwerefLocal(SwerefZone::ALL[0]))
        );
        assert_eq!(
            Crs::parse("EPSG:3018"),
            Some(Crs::SwerefLocal(SwerefZone::ALL[11]))
        );
        assert_eq!(Crs::parse("EPSG:3019"), None);
        assert_eq!(Crs::parse("SWEREF99 16 00"), None);
        assert_eq!(Crs::parse("EPSG:1234"), None);
        for zone in SwerefZone::ALL {
            let crs = Crs::SwerefLocal(zone);
            assert_eq!(Crs::parse(&format!("EPSG:{}", crs.epsg())), Some(crs));
            assert_eq!(Crs::parse(&zone.name()), Some(crs));
            assert_eq!(Crs::from_epsg(crs.epsg()), Some(crs));
        }
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

    #[test]
    fn displays_name_and_epsg() {
        assert_eq!(Crs::Rt90.to_string(), "RT90 2.5 gon V (EPSG:3021)");
        assert_eq!(
            Crs::SwerefLocal(SwerefZone::ALL[3]).to_string(),
            "SWEREF99 16 30 (EPSG:3010)"
        );
        assert_eq!(Crs::Sweref99Tm.to_string(), "SWEREF99 TM (EPSG:3006)");
        assert_eq!(Crs::Rt90.epsg(), 3021);
        let names: Vec<String> = SwerefZone::ALL.iter().map(|z| z.name()).collect();
        assert_eq!(
            names.join(","),
            "SWEREF99 12 00,SWEREF99 13 30,SWEREF99 15 00,SWEREF99 16 30,SWEREF99 18 00,\
             SWEREF99 14 15,SWEREF99 15 45,SWEREF99 17 15,SWEREF99 18 45,SWEREF99 20 15,\
             SWEREF99 21 45,SWEREF99 23 15"
        );
    }

    #[test]
    fn serde_round_trips() {
        let all = [
            Crs::Wgs84,
            Crs::Sweref99Tm,
            Crs::Rt90,
            Crs::SwerefLocal(SwerefZone::ALL[3]),
        ];
        let json = serde_json::to_string(&all).unwrap();
        assert_eq!(
            json,
            r#"["wgs84","sweref99_tm","rt90",{"sweref_local":3010}]"#
        );
        let back: Vec<Crs> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, all);
        assert!(serde_json::from_str::<Crs>(r#"{"sweref_local":3006}"#).is_err());
    }

    #[test]
    fn fits_plausible_swedish_ranges_and_detect_is_unchanged() {
        // Gävle in RT90 and in SWEREF99 16 30.
        assert!(Crs::Rt90.fits(1_573_000.0, 6_730_000.0));
        assert!(!Crs::Rt90.fits(617_000.0, 6_727_000.0));
        let z = Crs::SwerefLocal(SwerefZone::ALL[3]);
        assert!(z.fits(157_000.0, 6_730_000.0));
        assert!(!z.fits(617_000.0, 6_727_000.0));
        assert_eq!(
            detect([(1_573_000.0, 6_730_000.0)]),
            Err((1_573_000.0, 6_730_000.0))
        );
        assert_eq!(detect([(157_000.0, 6_730_000.0)]), Ok(Crs::Sweref99Tm));
    }

    /// RT90 2.5 gon V is a Gauss–Krüger projection on Bessel 1841 with central
    /// meridian 2.5 gon west of Stockholm's old observatory (15°48′29.8″ E), scale 1 and
    /// false easting 1 500 000 m: in RT90's own geographic coordinates, the central
    /// meridian maps to easting 1 500 000 m exactly and 60° N to the Bessel meridian
    /// arc.
    #[test]
    fn rt90_central_meridian_in_its_own_datum() {
        let bessel = proj4rs::Proj::from_proj_string(
            "+proj=longlat +ellps=bessel +towgs84=414.1,41.3,603.1,-0.855,2.141,-7.023,0 +no_defs",
        )
        .unwrap();
        let rt90 = proj4rs::Proj::from_proj_string(Crs::Rt90.proj_string()).unwrap();
        let mut p = Xy(15.808_277_777_777_8_f64.to_radians(), 60f64.to_radians());
        proj4rs::transform::transform(&bessel, &rt90, &mut p).unwrap();
        assert!((p.0 - 1_500_000.0).abs() < 1e-3, "{}", p.0);
        // Meridian arc on Bessel 1841 (a = 6 377 397.155 m, 1/f = 299.1528128) at 60°,
        // by numerical integration: 6 653 376.121 m (vs 6 654 072.819 m on GRS80).
        assert!((p.1 - 6_653_376.121).abs() < 1e-2, "{}", p.1);
    }
}
