//! GeoJSON text built in tests, input errors taken apart, and the real data in
//! `../shared/data/real` (skipped with a message when absent).
#![allow(dead_code)]

use careneed::inputs::boundaries::{Boundaries, BoundaryOptions, read_boundaries};
use careneed::{Error, Location, Problem, Report};
use std::path::{Path, PathBuf};

/// A feature whose only property is `code`.
pub fn feature(code: &str, geometry: &str) -> String {
    format!(r#"{{"type":"Feature","properties":{{"code":"{code}"}},"geometry":{geometry}}}"#)
}

/// A FeatureCollection of `features`, with a legacy `crs` member naming `crs`.
pub fn collection_in(features: &[String], crs: Option<&str>) -> Vec<u8> {
    let crs = crs.map_or(String::new(), |name| {
        format!(r#""crs":{{"type":"name","properties":{{"name":"{name}"}}}},"#)
    });
    format!(
        r#"{{"type":"FeatureCollection",{crs}"features":[{}]}}"#,
        features.join(",\n")
    )
    .into_bytes()
}

/// A FeatureCollection of `features`, no CRS declared.
pub fn collection(features: &[String]) -> Vec<u8> {
    collection_in(features, None)
}

/// The location and problem of an input error (panics on anything else).
pub fn input_error<T: std::fmt::Debug>(result: careneed::Result<T>) -> (Location, Problem) {
    match result {
        Err(Error::Input { location, problem }) => (location, problem),
        other => panic!("expected an input error, got {other:?}"),
    }
}

/// A file of `../shared/data/real`, or `None` (and a "skipped" line) when absent.
pub fn real_file(name: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/real")
        .join(name);
    if path.exists() {
        Some(path)
    } else {
        println!("skipped: {} not found", path.display());
        None
    }
}

/// SCB's DeSO 2018 for Dalarna (175 areas, SWEREF99 TM, code property `deso`),
/// or `None` when `../shared` is absent.
pub fn dalarna_deso() -> Option<(Boundaries, Report)> {
    let path = real_file("deso2018_dalarna_sweref99tm.geojson")?;
    let options = BoundaryOptions {
        code_field: "deso".into(),
        ..BoundaryOptions::default()
    };
    Some(read_boundaries(&path, &options).expect("the real Dalarna DeSO file reads"))
}
