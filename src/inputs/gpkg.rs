//! GeoPackage boundaries: polygons of areas in one layer of a `.gpkg` file (SCB
//! ships DeSO and RegSO this way), read into the same [`Boundaries`] as GeoJSON.
//! Feature `gpkg` (on by default); [`read_boundaries`](super::boundaries::read_boundaries)
//! comes here for a path ending in `.gpkg`.
//!
//! # Rules
//! * The file is a GeoPackage: an SQLite database, opened read-only, with the tables
//!   `gpkg_contents`, `gpkg_geometry_columns` and `gpkg_spatial_ref_sys`. Anything else
//!   is [`Problem::Invalid`] naming the file.
//! * **Layer.** [`BoundaryOptions::layer`] names the feature layer (exactly, else
//!   ignoring case). Without a name the file must have exactly one feature layer.
//!   Several layers and no name, and an unknown name, are errors (field `layer`)
//!   listing the layer names.
//! * **Code.** The column [`BoundaryOptions::code_field`] (`code` by default; SCB's
//!   files use `deso`), matched exactly or else ignoring case. A missing column is
//!   [`Problem::MissingColumn`] listing the columns; otherwise codes follow the GeoJSON
//!   rules: text is trimmed, an integer becomes its decimal text (an `Info` notice,
//!   kind `numeric_code`), `NULL` or empty is [`Problem::EmptyCode`], a repeat is
//!   [`Problem::DuplicateCode`].
//! * **Properties.** Every other column but the geometry and the primary key (`fid`)
//!   becomes a property of the [`Area`]: integers and reals as JSON numbers (a
//!   non-finite real as `null`), text as strings, `NULL` as `null`. Binary columns are
//!   left out (an `Info` notice, kind `blob_columns`, names them).
//! * **Geometry.** The layer's geometry column holds GeoPackage binary blobs: the `GP`
//!   header (version, flags, `srs_id`, optional envelope) and a WKB geometry, decoded
//!   with the [`wkb`] crate. It must be a Polygon or MultiPolygon (Z and M values are
//!   ignored); any other type, and `NULL`, is [`Problem::GeometryType`]. An empty
//!   polygon (no rings) or multipolygon (no parts) is [`Problem::Invalid`]. Rings follow
//!   the GeoJSON rules: at least 4 positions, closed, finite coordinates
//!   ([`Problem::TooFewRingPoints`], [`Problem::RingNotClosed`],
//!   [`Problem::BadCoordinate`]).
//! * **CRS.** The layer's `srs_id` is looked up in `gpkg_spatial_ref_sys`; organization
//!   `EPSG` gives the code. From there the GeoJSON rules hold: an explicit setting
//!   ([`BoundaryOptions::crs`], [`BoundaryOptions::crs_epsg`]) wins; a declared CRS the
//!   coordinates contradict is [`Problem::CrsMismatch`]; a code careneed does not know
//!   is [`Problem::UnsupportedCrs`], unless feature `proj` reprojects it to SWEREF99 TM.
//!   The undefined systems (`srs_id` −1 and 0) declare nothing: the CRS is detected
//!   from the coordinates. Another organization than EPSG is [`Problem::UnsupportedCrs`].
//!
//! Features come in primary-key order; [`Area::feature`] is the 0-based position in
//! that order. Errors' [`Location`] names the file, the feature's `fid`, the code once
//! known, and the field (the geometry column or the code column), e.g.
//! `deso.gpkg, fid 17 (code 2080C1010), field "geom": ring 0 is not closed …`.
//!
//! ```
//! use careneed::inputs::boundaries::{read_boundaries, BoundaryOptions, CrsSource};
//! use careneed::inputs::crs::Crs;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let dir = tempfile::tempdir()?;
//! # let path = dir.path().join("deso.gpkg");
//! # let db = rusqlite::Connection::open(&path)?;
//! # db.execute_batch("
//! #   CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY,
//! #     organization TEXT, organization_coordsys_id INTEGER, definition TEXT, description TEXT);
//! #   INSERT INTO gpkg_spatial_ref_sys VALUES ('SWEREF99 TM', 3006, 'EPSG', 3006, '', NULL);
//! #   CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, identifier TEXT,
//! #     description TEXT, last_change TEXT, min_x REAL, min_y REAL, max_x REAL, max_y REAL, srs_id INTEGER);
//! #   INSERT INTO gpkg_contents VALUES ('deso', 'features', 'deso', '', '', NULL, NULL, NULL, NULL, 3006);
//! #   CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, geometry_type_name TEXT,
//! #     srs_id INTEGER, z TINYINT, m TINYINT);
//! #   INSERT INTO gpkg_geometry_columns VALUES ('deso', 'geom', 'POLYGON', 3006, 0, 0);
//! #   CREATE TABLE deso (fid INTEGER PRIMARY KEY, geom BLOB, deso TEXT, kommun TEXT);")?;
//! # let mut blob = b"GP\x00\x01".to_vec();            // header: little-endian, no envelope
//! # blob.extend(3006i32.to_le_bytes());
//! # blob.extend([1u8, 3, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0]); // WKB polygon, 1 ring, 4 points
//! # for (x, y) in [(617e3, 6727e3), (618e3, 6727e3), (618e3, 6728e3), (617e3, 6727e3)] {
//! #     blob.extend(f64::to_le_bytes(x));
//! #     blob.extend(f64::to_le_bytes(y));
//! # }
//! # db.execute("INSERT INTO deso VALUES (1, ?1, '2180C1010', '2180')", [blob])?;
//! # drop(db);
//! // `deso.gpkg` has one layer, `deso`, with columns fid, geom, deso, kommun.
//! let options = BoundaryOptions { code_field: "deso".into(), ..BoundaryOptions::default() };
//! let (areas, _report) = read_boundaries(&path, &options)?;
//! assert_eq!(areas.crs, Crs::Sweref99Tm);
//! assert_eq!(areas.crs_source, CrsSource::Declared);
//! let area = areas.find("2180C1010").unwrap();
//! assert_eq!(area.properties["kommun"], "2180");
//! assert!(!area.properties.contains_key("fid"));
//!
//! // Asking for a layer the file does not have lists the ones it has.
//! let options = BoundaryOptions { layer: Some("regso".into()), ..options };
//! let err = read_boundaries(&path, &options).unwrap_err();
//! assert!(err.to_string().contains("no feature layer \"regso\"; the file has: deso"));
//! # Ok(())
//! # }
//! ```

use crate::error::{Error, Location, Problem};
use crate::inputs::area::{
    Area, Boundaries, BoundaryOptions, Named, POLYGONAL, closed_ring, feature_code,
};
use crate::inputs::crs::Crs;
use crate::inputs::settle::settle_crs;
use crate::report::Report;
use geo_traits::{
    CoordTrait, GeometryTrait, GeometryType, LineStringTrait, MultiPolygonTrait, PolygonTrait,
};
use geo_types::{Coord, MultiPolygon, Polygon};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::Path;

/// One feature layer of a GeoPackage.
struct Layer {
    table: String,
    geometry_column: String,
    srs_id: i64,
}

/// Quotes an SQLite identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The names, comma separated.
fn listing<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names.into_iter().collect::<Vec<_>>().join(", ")
}

/// Reads the boundaries of one layer of a GeoPackage (see the module docs for the
/// rules); the path, as displayed, names the file.
pub fn read_gpkg(path: &Path, options: &BoundaryOptions) -> crate::Result<(Boundaries, Report)> {
    // Opening read-only does not report a missing file as such; check first.
    std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    let source = path.display().to_string();
    let file = || Location::file(&source);
    let sql = |e: rusqlite::Error| {
        Error::input(
            file(),
            Problem::Invalid(format!("cannot read the GeoPackage: {e}")),
        )
    };
    let db = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sql)?;

    let mut report = Report::default();
    let layer = choose_layer(&db, &source, options.layer.as_deref())?;
    let declared = declared_crs(&db, &source, layer.srs_id)?;
    let declared = match declared {
        Ok(named) => named,
        Err(problem) if options.crs.is_some() || options.crs_epsg.is_some() => {
            report.info(
                "crs",
                file().with_field("srs_id"),
                format!("ignored the layer's declaration ({problem}): the CRS is set explicitly"),
            );
            None
        }
        Err(problem) => return Err(Error::input(file().with_field("srs_id"), problem)),
    };

    // The columns: which is the primary key (fid), which the geometry, which the code.
    let mut columns: Vec<(String, bool)> = Vec::new();
    {
        let mut info = db
            .prepare(&format!("PRAGMA table_info({})", quoted(&layer.table)))
            .map_err(sql)?;
        let mut rows = info.query([]).map_err(sql)?;
        while let Some(row) = rows.next().map_err(sql)? {
            let name: String = row.get(1).map_err(sql)?;
            let kind: String = row
                .get::<_, Option<String>>(2)
                .map_err(sql)?
                .unwrap_or_default();
            let pk: i64 = row.get(5).map_err(sql)?;
            columns.push((name, pk == 1 && kind.eq_ignore_ascii_case("integer")));
        }
    }
    let geometry_index = columns
        .iter()
        .position(|(name, _)| name.eq_ignore_ascii_case(&layer.geometry_column))
        .ok_or_else(|| {
            Error::input(
                file().with_field(&layer.geometry_column),
                Problem::MissingColumn {
                    column: layer.geometry_column.clone(),
                    available: listing(columns.iter().map(|(n, _)| n.as_str())),
                    hint: String::new(),
                },
            )
        })?;
    let geometry_field = columns[geometry_index].0.clone();
    let property_columns: Vec<usize> = (0..columns.len())
        .filter(|&i| i != geometry_index && !columns[i].1)
        .collect();
    let code_field = options.code_field.as_str();
    let has_code = property_columns.iter().any(|&i| columns[i].0 == code_field) || {
        let lower = code_field.to_lowercase();
        property_columns
            .iter()
            .filter(|&&i| columns[i].0.to_lowercase() == lower)
            .count()
            == 1
    };
    if !has_code {
        return Err(Error::input(
            file().with_field(code_field),
            Problem::MissingColumn {
                column: code_field.to_string(),
                available: listing(property_columns.iter().map(|&i| columns[i].0.as_str())),
                hint:
                    "; name the code column with --code-field or the scenario's [inputs] code_field"
                        .into(),
            },
        ));
    }

    // The features, in primary-key order: `rowid` is the primary key when there is an
    // INTEGER PRIMARY KEY, as GeoPackage requires.
    let select = format!(
        "SELECT rowid, {} FROM {} ORDER BY rowid",
        columns
            .iter()
            .map(|(n, _)| quoted(n))
            .collect::<Vec<_>>()
            .join(", "),
        quoted(&layer.table)
    );
    let mut statement = db.prepare(&select).map_err(sql)?;
    let mut rows = statement.query([]).map_err(sql)?;
    let mut areas = Vec::new();
    let mut fids = Vec::new();
    let mut first_seen: HashMap<String, i64> = HashMap::new();
    let mut numeric_codes = false;
    let mut blob_columns: Vec<&str> = Vec::new();
    while let Some(row) = rows.next().map_err(sql)? {
        let fid: i64 = row.get(0).map_err(sql)?;
        let at = || file().at_fid(fid);
        let mut properties = Map::new();
        for &i in &property_columns {
            let name = &columns[i].0;
            let value = match row.get_ref(i + 1).map_err(sql)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(n) => Value::from(n),
                ValueRef::Real(r) => {
                    serde_json::Number::from_f64(r).map_or(Value::Null, Value::Number)
                }
                ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(_) => {
                    if !blob_columns.contains(&name.as_str()) {
                        blob_columns.push(name.as_str());
                    }
                    continue;
                }
            };
            properties.insert(name.clone(), value);
        }
        let (code, numeric) = feature_code(&properties, code_field)
            .map_err(|p| Error::input(at().with_field(code_field), p))?;
        if code.is_empty() {
            return Err(Error::input(
                at().with_field(code_field),
                Problem::EmptyCode,
            ));
        }
        numeric_codes |= numeric;
        if let Some(first) = first_seen.get(&code) {
            return Err(Error::input(
                at().with_code(&code).with_field(code_field),
                Problem::DuplicateCode {
                    code,
                    first: format!("fid {first}"),
                },
            ));
        }
        first_seen.insert(code.clone(), fid);
        let blob = match row.get_ref(geometry_index + 1).map_err(sql)? {
            ValueRef::Null => None,
            ValueRef::Blob(b) => Some(b),
            other => {
                return Err(Error::input(
                    at().with_code(&code).with_field(&geometry_field),
                    Problem::Invalid(format!(
                        "the geometry is {:?}, not a GeoPackage geometry blob",
                        other.data_type()
                    )),
                ));
            }
        };
        let geometry = gpkg_geometry(blob)
            .map_err(|p| Error::input(at().with_code(&code).with_field(&geometry_field), p))?;
        areas.push(Area {
            feature: areas.len(),
            code,
            properties,
            geometry,
        });
        fids.push(fid);
    }
    if areas.is_empty() {
        return Err(Error::input(
            file().with_field("layer"),
            Problem::Invalid(format!("the layer \"{}\" has no features", layer.table)),
        ));
    }
    if numeric_codes {
        report.info(
            "numeric_code",
            file().with_field(code_field),
            format!(
                "column \"{code_field}\" holds numbers; they were read as codes in decimal (leading zeros, as in 0114, are lost)"
            ),
        );
    }
    if !blob_columns.is_empty() {
        report.info(
            "blob_columns",
            file(),
            format!(
                "binary columns left out of the areas' properties: {}",
                listing(blob_columns.iter().copied())
            ),
        );
    }
    let boundaries = settle_crs(
        &source,
        "srs_id",
        areas,
        declared,
        options,
        &mut report,
        &|i, area| {
            file()
                .at_fid(fids.get(i).copied().unwrap_or_default())
                .with_code(&area.code)
                .with_field(&geometry_field)
        },
    )?;
    Ok((boundaries, report))
}

/// The feature layer to read (see the module docs).
fn choose_layer(db: &Connection, source: &str, wanted: Option<&str>) -> crate::Result<Layer> {
    let file = || Location::file(source);
    let query = "SELECT c.table_name, g.column_name, g.srs_id \
                 FROM gpkg_contents c JOIN gpkg_geometry_columns g ON g.table_name = c.table_name \
                 WHERE c.data_type = 'features' ORDER BY c.table_name";
    let not_gpkg = |e: rusqlite::Error| {
        Error::input(
            file(),
            Problem::Invalid(format!(
                "not a GeoPackage (no readable gpkg_contents and gpkg_geometry_columns tables: {e})"
            )),
        )
    };
    let mut statement = db.prepare(query).map_err(not_gpkg)?;
    let layers = statement
        .query_map([], |row| {
            Ok(Layer {
                table: row.get(0)?,
                geometry_column: row.get(1)?,
                srs_id: row.get::<_, Option<i64>>(2)?.unwrap_or(-1),
            })
        })
        .map_err(not_gpkg)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(not_gpkg)?;
    let names = || listing(layers.iter().map(|l| l.table.as_str()));
    let layer_error =
        |message: String| Error::input(file().with_field("layer"), Problem::Invalid(message));
    let index = match wanted {
        Some(name) => layers
            .iter()
            .position(|l| l.table == name)
            .or_else(|| {
                let lower = name.to_lowercase();
                let mut matching = layers
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| l.table.to_lowercase() == lower);
                match (matching.next(), matching.next()) {
                    (Some((i, _)), None) => Some(i),
                    _ => None,
                }
            })
            .ok_or_else(|| {
                layer_error(if layers.is_empty() {
                    format!("no feature layer \"{name}\"; the file has no feature layers")
                } else {
                    format!("no feature layer \"{name}\"; the file has: {}", names())
                })
            })?,
        None => match layers.len() {
            0 => return Err(layer_error("the GeoPackage has no feature layers".into())),
            1 => 0,
            n => {
                return Err(layer_error(format!(
                    "the GeoPackage has {n} feature layers ({}); choose one with --layer (or `layer` in the scenario)",
                    names()
                )));
            }
        },
    };
    let mut layers = layers;
    Ok(layers.swap_remove(index))
}

/// What the layer's `srs_id` declares: `Ok(None)` for the undefined systems.
fn declared_crs(
    db: &Connection,
    source: &str,
    srs_id: i64,
) -> crate::Result<Result<Option<Named>, Problem>> {
    let row = db.query_row(
        "SELECT organization, organization_coordsys_id, srs_name FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
        [srs_id],
        |row| {
            Ok((
                row.get::<_, Option<String>>(0)?.unwrap_or_default(),
                row.get::<_, Option<i64>>(1)?.unwrap_or_default(),
                row.get::<_, Option<String>>(2)?.unwrap_or_default(),
            ))
        },
    );
    let (organization, code, name) = match row {
        Ok(found) => found,
        Err(rusqlite::Error::QueryReturnedNoRows) if srs_id == -1 || srs_id == 0 => {
            return Ok(Ok(None));
        }
        Err(rusqlite::Error::QueryReturnedNoRows) => {
            return Ok(Err(Problem::UnsupportedCrs(format!(
                "srs_id {srs_id} (not in gpkg_spatial_ref_sys)"
            ))));
        }
        Err(e) => {
            return Err(Error::input(
                Location::file(source).with_field("srs_id"),
                Problem::Invalid(format!("cannot read gpkg_spatial_ref_sys: {e}")),
            ));
        }
    };
    if srs_id == -1 || srs_id == 0 || organization.eq_ignore_ascii_case("none") {
        return Ok(Ok(None));
    }
    if !organization.eq_ignore_ascii_case("epsg") {
        return Ok(Err(Problem::UnsupportedCrs(format!(
            "{organization}:{code} ({name})"
        ))));
    }
    let Ok(code) = u32::try_from(code) else {
        return Ok(Err(Problem::UnsupportedCrs(format!("EPSG:{code}"))));
    };
    Ok(Ok(Some(match Crs::from_epsg(code) {
        Some(crs) => Named::Builtin(crs),
        None => Named::Epsg(code, format!("EPSG:{code}")),
    })))
}

/// The size of the envelope after the 8-byte header, by the flags' envelope code.
fn envelope_size(code: u8) -> Option<usize> {
    match code {
        0 => Some(0),
        1 => Some(32),
        2 | 3 => Some(48),
        4 => Some(64),
        _ => None,
    }
}

/// A GeoPackage geometry blob (`None` for SQL `NULL`) as a multipolygon.
fn gpkg_geometry(blob: Option<&[u8]>) -> Result<MultiPolygon<f64>, Problem> {
    let Some(blob) = blob else {
        return Err(Problem::GeometryType {
            found: "null".into(),
            expected: POLYGONAL.into(),
        });
    };
    let bad = |what: &str| Problem::Invalid(format!("not a GeoPackage geometry blob: {what}"));
    let (Some(b"GP"), Some(&flags)) = (blob.get(0..2), blob.get(3)) else {
        return Err(bad("it does not start with \"GP\""));
    };
    if flags & 0b0010_0000 != 0 {
        return Err(bad("an extended (non-standard) geometry type"));
    }
    let envelope =
        envelope_size((flags >> 1) & 0b111).ok_or_else(|| bad("an invalid envelope code"))?;
    let wkb_bytes = blob
        .get(8 + envelope..)
        .ok_or_else(|| bad("it ends inside its header"))?;
    let geometry = wkb::reader::read_wkb(wkb_bytes)
        .map_err(|e| Problem::Invalid(format!("unreadable WKB geometry: {e}")))?;
    match geometry.as_type() {
        GeometryType::Polygon(p) => Ok(MultiPolygon::new(vec![polygon(p, None)?])),
        GeometryType::MultiPolygon(m) => {
            if m.num_polygons() == 0 {
                return Err(Problem::Invalid(
                    "the MultiPolygon is empty (no polygons)".into(),
                ));
            }
            let parts = m
                .polygons()
                .enumerate()
                .map(|(i, p)| polygon(&p, Some(i)))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(MultiPolygon::new(parts))
        }
        _ => Err(Problem::GeometryType {
            found: format!("{:?}", geometry.geometry_type()),
            expected: POLYGONAL.into(),
        }),
    }
}

fn ring<R: LineStringTrait<T = f64>>(
    ring: &R,
    index: usize,
) -> Result<geo_types::LineString<f64>, Problem> {
    let coords = ring
        .coords()
        .map(|c| {
            let (x, y) = (c.x(), c.y());
            if x.is_finite() && y.is_finite() {
                Ok(Coord { x, y })
            } else {
                Err(Problem::BadCoordinate {
                    value: format!("({x}, {y})"),
                })
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    closed_ring(coords, index)
}

fn polygon<P: PolygonTrait<T = f64>>(p: &P, part: Option<usize>) -> Result<Polygon<f64>, Problem> {
    let what = part.map_or("the Polygon".to_string(), |p| format!("polygon {p}"));
    let exterior = p
        .exterior()
        .ok_or_else(|| Problem::Invalid(format!("{what} is empty (no rings)")))?;
    let exterior = ring(&exterior, 0)?;
    let holes = p
        .interiors()
        .enumerate()
        .map(|(i, r)| ring(&r, i + 1))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Polygon::new(exterior, holes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_blobs_are_errors_not_panics() {
        for blob in [
            &b""[..],
            b"GP",
            b"XX\x00\x01\x00\x00\x00\x00",
            b"GP\x00\x0f\x00\x00\x00\x00",
            b"GP\x00\x03\x00\x00\x00\x00\x01",
            b"GP\x00\x01\x00\x00\x00\x00\x01\x03\x00\x00\x00\x01\x00\x00\x00\x09\x00\x00\x00",
            b"GP\x00\x01\x00\x00\x00\x00\x01\x03\x00\x00\xff\xff\xff\xff",
        ] {
            assert!(gpkg_geometry(Some(blob)).is_err(), "{blob:?}");
        }
    }
}
