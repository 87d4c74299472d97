//! Any EPSG code, through PROJ (feature `proj`, off by default; PROJ is built from
//! source, which needs cmake, sqlite3, libsqlite3-dev and a C++ compiler).
//!
//! careneed's own [`Crs`] covers the systems Swedish files come in, in pure Rust. With
//! this feature a boundary file or a points file in any other EPSG code (Web Mercator
//! EPSG:3857, UTM 33N EPSG:32633, ETRS89 EPSG:4258, …) is **reprojected to SWEREF99 TM
//! as it is read**, so everything downstream still works in a [`Crs`]:
//!
//! * a GeoJSON `crs` member or a GeoPackage `srs_id` naming such a code, or
//!   [`BoundaryOptions::crs_epsg`](crate::inputs::boundaries::BoundaryOptions::crs_epsg),
//!   gives boundaries in [`Crs::Sweref99Tm`] (with an `Info` notice of kind `crs` naming
//!   the source system), their [`CrsSource`](crate::inputs::boundaries::CrsSource)
//!   saying whether the code was declared or given;
//! * [`Points::declare_epsg`](crate::inputs::points::Points::declare_epsg) does the same
//!   for points.
//!
//! Coordinates that land outside SWEREF99 TM's range around Sweden after reprojection
//! are [`Problem::CrsMismatch`](crate::Problem::CrsMismatch), as for a declared CRS the
//! coordinates contradict. A code PROJ does not know is
//! [`Problem::UnsupportedCrs`](crate::Problem::UnsupportedCrs).
//!
//! Axis order is always easting/longitude first (PROJ's "normalised for
//! visualisation" order), as in GeoJSON and GeoPackage.
//!
//! PROJ reads its database (`proj.db`) from the folder it was built into, so a
//! careneed built with this feature expects that build folder to stay in place.
//!
//! ```
//! use careneed::inputs::reproject::EpsgTransform;
//! // Gävle (SWEREF99 TM) in Web Mercator, and back.
//! let to_mercator = EpsgTransform::new(3006, 3857).unwrap();
//! let (x, y) = to_mercator.apply(617_000.0, 6_728_400.0).unwrap();
//! assert!((x - 1_908_200.0).abs() < 1_000.0 && (y - 8_551_400.0).abs() < 1_000.0, "{x} {y}");
//! let back = EpsgTransform::new(3857, 3006).unwrap();
//! assert_eq!(back.source_name(), "WGS 84 / Pseudo-Mercator");
//! let (e, n) = back.apply(x, y).unwrap();
//! assert!((e - 617_000.0).abs() < 1e-6 && (n - 6_728_400.0).abs() < 1e-6);
//! assert!(EpsgTransform::new(999_999, 3006).is_err());
//! ```

use crate::inputs::crs::Crs;

/// A PROJ transformation between two EPSG codes, coordinates in the normalised order
/// (longitude, latitude in degrees; easting, northing in the CRS's units). Not `Sync`:
/// make one per thread.
pub struct EpsgTransform {
    proj: proj::Proj,
    from: u32,
    to: u32,
    source_name: String,
}

impl std::fmt::Debug for EpsgTransform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EpsgTransform")
            .field("from", &self.from)
            .field("to", &self.to)
            .field("source_name", &self.source_name)
            .finish()
    }
}

impl EpsgTransform {
    /// The transformation from `EPSG:from` to `EPSG:to`, as PROJ chooses it; the error
    /// says what PROJ said.
    pub fn new(from: u32, to: u32) -> Result<EpsgTransform, String> {
        let from_name = format!("EPSG:{from}");
        let to_name = format!("EPSG:{to}");
        let proj = proj::Proj::new_known_crs(&from_name, &to_name, None)
            .map_err(|e| format!("PROJ cannot transform {from_name} to {to_name}: {e}"))?;
        let source_name = proj::Proj::new(&from_name)
            .ok()
            .and_then(|crs| crs.proj_info().description)
            .unwrap_or_else(|| from_name.clone());
        Ok(EpsgTransform {
            proj,
            from,
            to,
            source_name,
        })
    }

    /// The transformation from `EPSG:from` to a [`Crs`].
    pub fn to_crs(from: u32, to: Crs) -> Result<EpsgTransform, String> {
        EpsgTransform::new(from, to.epsg())
    }

    /// The source's EPSG code.
    pub fn from_epsg(&self) -> u32 {
        self.from
    }

    /// The target's EPSG code.
    pub fn to_epsg(&self) -> u32 {
        self.to
    }

    /// The source CRS's name in PROJ's database, e.g. `WGS 84 / Pseudo-Mercator`.
    pub fn source_name(&self) -> &str {
        &self.source_name
    }

    /// Transforms one position; a failure, or a result that is not finite, is an error
    /// naming the position.
    pub fn apply(&self, x: f64, y: f64) -> Result<(f64, f64), String> {
        match self.proj.convert((x, y)) {
            Ok((tx, ty)) if tx.is_finite() && ty.is_finite() => Ok((tx, ty)),
            Ok(_) => Err(format!(
                "cannot transform ({x}, {y}) from EPSG:{} to EPSG:{}: the result is not finite",
                self.from, self.to
            )),
            Err(e) => Err(format!(
                "cannot transform ({x}, {y}) from EPSG:{} to EPSG:{}: {e}",
                self.from, self.to
            )),
        }
    }
}
