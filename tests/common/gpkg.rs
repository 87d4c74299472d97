//! Writes small GeoPackages for tests: the three metadata tables, feature layers,
//! and GeoPackage geometry blobs (header + little-endian WKB).
#![allow(dead_code)]

use rusqlite::Connection;
use std::path::Path;

/// A new GeoPackage with SWEREF99 TM, WGS84, the two undefined systems and
/// `extra` rows (srs_id, organization, code, name) in `gpkg_spatial_ref_sys`.
pub fn create(path: &Path, extra: &[(i64, &str, i64, &str)]) -> Connection {
    let db = Connection::open(path).unwrap();
    db.execute_batch(
        "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,
           organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
           definition TEXT NOT NULL, description TEXT);
         INSERT INTO gpkg_spatial_ref_sys VALUES
           ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', NULL),
           ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', NULL),
           ('WGS 84 geodetic', 4326, 'EPSG', 4326, '', NULL),
           ('SWEREF99 TM', 3006, 'EPSG', 3006, '', NULL);
         CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
           identifier TEXT, description TEXT DEFAULT '', last_change DATETIME,
           min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER);
         CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
           geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL,
           m TINYINT NOT NULL);",
    )
    .unwrap();
    for (srs_id, org, code, name) in extra {
        db.execute(
            "INSERT INTO gpkg_spatial_ref_sys VALUES (?1, ?2, ?3, ?4, '', NULL)",
            rusqlite::params![name, srs_id, org, code],
        )
        .unwrap();
    }
    db
}

/// Adds a feature layer `name` (columns fid, geom, and `columns` as TEXT) in `srs_id`.
pub fn add_layer(db: &Connection, name: &str, srs_id: i64, columns: &[&str]) {
    let extra: String = columns.iter().map(|c| format!(", \"{c}\" TEXT")).collect();
    db.execute_batch(&format!(
        "CREATE TABLE \"{name}\" (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom BLOB{extra});"
    ))
    .unwrap();
    db.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES (?1, 'features', ?1, ?2)",
        rusqlite::params![name, srs_id],
    )
    .unwrap();
    db.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', 'GEOMETRY', ?2, 0, 0)",
        rusqlite::params![name, srs_id],
    )
    .unwrap();
}

/// Inserts a feature: its fid, geometry blob (`None`: NULL) and text values.
pub fn insert(db: &Connection, layer: &str, fid: i64, geom: Option<Vec<u8>>, values: &[&str]) {
    let marks: String = (0..values.len()).map(|i| format!(", ?{}", i + 3)).collect();
    let mut params: Vec<Box<dyn rusqlite::ToSql>> = vec![Box::new(fid), Box::new(geom)];
    for v in values {
        params.push(Box::new(v.to_string()));
    }
    db.execute(
        &format!("INSERT INTO \"{layer}\" VALUES (?1, ?2{marks})"),
        rusqlite::params_from_iter(params.iter().map(|p| p.as_ref())),
    )
    .unwrap();
}

/// A GeoPackage blob: header (little-endian, `srs_id`, an XY envelope when asked,
/// the empty flag when asked) + WKB.
pub fn blob(srs_id: i32, wkb: &[u8], envelope: Option<[f64; 4]>, empty: bool) -> Vec<u8> {
    let mut flags = 0b0000_0001u8;
    if envelope.is_some() {
        flags |= 1 << 1;
    }
    if empty {
        flags |= 1 << 4;
    }
    let mut out = vec![b'G', b'P', 0, flags];
    out.extend(srs_id.to_le_bytes());
    if let Some(e) = envelope {
        for v in e {
            out.extend(v.to_le_bytes());
        }
    }
    out.extend_from_slice(wkb);
    out
}

fn rings_wkb(out: &mut Vec<u8>, rings: &[Vec<(f64, f64)>]) {
    out.extend((rings.len() as u32).to_le_bytes());
    for ring in rings {
        out.extend((ring.len() as u32).to_le_bytes());
        for (x, y) in ring {
            out.extend(x.to_le_bytes());
            out.extend(y.to_le_bytes());
        }
    }
}

/// WKB Polygon (little-endian, XY).
pub fn polygon_wkb(rings: &[Vec<(f64, f64)>]) -> Vec<u8> {
    let mut out = vec![1u8];
    out.extend(3u32.to_le_bytes());
    rings_wkb(&mut out, rings);
    out
}

/// WKB MultiPolygon (little-endian, XY).
pub fn multipolygon_wkb(polygons: &[Vec<Vec<(f64, f64)>>]) -> Vec<u8> {
    let mut out = vec![1u8];
    out.extend(6u32.to_le_bytes());
    out.extend((polygons.len() as u32).to_le_bytes());
    for p in polygons {
        out.extend(polygon_wkb(p));
    }
    out
}

/// WKB Point (little-endian, XY).
pub fn point_wkb(x: f64, y: f64) -> Vec<u8> {
    let mut out = vec![1u8];
    out.extend(1u32.to_le_bytes());
    out.extend(x.to_le_bytes());
    out.extend(y.to_le_bytes());
    out
}

/// A closed square ring of side `d` with its lower-left corner at (x, y).
pub fn square(x: f64, y: f64, d: f64) -> Vec<(f64, f64)> {
    vec![(x, y), (x + d, y), (x + d, y + d), (x, y + d), (x, y)]
}
