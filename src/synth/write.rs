//! The files of a [`SynthRegion`]: CSV with a header and GeoJSON with one
//! feature per line, SWEREF99 TM coordinates, deterministic formatting.

use super::SynthRegion;
use crate::error::Error;
use geo::{LineString, Polygon};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const CRS: &str = r#""crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3006"}}"#;

fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn json_str(s: &str) -> Result<String, Error> {
    serde_json::to_string(s).map_err(|e| Error::Compute(format!("cannot encode {s:?}: {e}")))
}

/// Whole metres as integers, anything else with one decimal.
fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x:.1}")
    }
}

fn ring(out: &mut String, ls: &LineString<f64>) {
    out.push('[');
    for (i, c) in ls.0.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "[{},{}]", num(c.x), num(c.y));
    }
    out.push(']');
}

fn polygon(out: &mut String, p: &Polygon<f64>) {
    out.push_str(r#"{"type":"Polygon","coordinates":["#);
    ring(out, p.exterior());
    for h in p.interiors() {
        out.push(',');
        ring(out, h);
    }
    out.push_str("]}");
}

fn collection(features: &[String]) -> Vec<u8> {
    let mut out = format!("{{\"type\":\"FeatureCollection\",{CRS},\"features\":[\n");
    for (i, f) in features.iter().enumerate() {
        out.push_str(f);
        out.push_str(if i + 1 < features.len() { ",\n" } else { "\n" });
    }
    out.push_str("]}\n");
    out.into_bytes()
}

fn feature(props: &[(&str, String)], geometry: &str) -> String {
    let mut f = String::from(r#"{"type":"Feature","properties":{"#);
    for (i, (k, v)) in props.iter().enumerate() {
        if i > 0 {
            f.push(',');
        }
        let _ = write!(f, "\"{k}\":{v}");
    }
    f.push_str(r#"},"geometry":"#);
    f.push_str(geometry);
    f.push('}');
    f
}

/// Every file as `(name, bytes)`, in the order they are written.
pub(crate) fn files(r: &SynthRegion) -> Result<Vec<(&'static str, Vec<u8>)>, Error> {
    let mut files = Vec::new();

    let mut s = String::from("code,name,seat,lat,lon,population\n");
    for m in &r.municipalities {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{}",
            field(&m.code),
            field(&m.name),
            field(&m.seat),
            m.lat,
            m.lon,
            m.population
        );
    }
    files.push(("municipalities.csv", s.into_bytes()));

    let mut s = String::from(
        "code,name,population,under5,foreign_born,elderly_alone,single_parents,movers,\
         unemployed,low_education,pop_65plus,pop_16_64,pop_25_64\n",
    );
    for a in &r.areas {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{},{},{},{}",
            field(&a.code),
            field(&a.name),
            a.population,
            a.under5,
            a.foreign_born,
            a.elderly_alone,
            a.single_parents,
            a.movers,
            a.unemployed,
            a.low_education,
            a.pop_65plus,
            a.pop_16_64,
            a.pop_25_64
        );
    }
    files.push(("areas.csv", s.into_bytes()));

    let mut features = Vec::with_capacity(r.areas.len());
    for a in &r.areas {
        let mut g = String::new();
        polygon(&mut g, &a.polygon);
        features.push(feature(
            &[
                ("code", json_str(&a.code)?),
                ("name", json_str(&a.name)?),
                ("kommunkod", json_str(&a.kommunkod)?),
                ("kommunnamn", json_str(&a.kommunnamn)?),
            ],
            &g,
        ));
    }
    files.push(("deso.geojson", collection(&features)));

    let mut features = Vec::with_capacity(r.municipalities.len());
    for m in &r.municipalities {
        let mut g = String::new();
        polygon(&mut g, &m.polygon);
        features.push(feature(
            &[
                ("kommunkod", json_str(&m.code)?),
                ("kommunnamn", json_str(&m.name)?),
            ],
            &g,
        ));
    }
    files.push(("municipalities.geojson", collection(&features)));

    let mut features = Vec::with_capacity(r.bvcs.len());
    for b in &r.bvcs {
        features.push(feature(
            &[
                ("bvc", json_str(&b.id)?),
                ("name", json_str(&b.name)?),
                ("kommunkod", json_str(&b.kommunkod)?),
            ],
            &format!(
                r#"{{"type":"Point","coordinates":[{},{}]}}"#,
                num(b.x),
                num(b.y)
            ),
        ));
    }
    files.push(("bvc.geojson", collection(&features)));

    let mut s = String::from("bvc,name,newborns,first_born,bcg_indicated,mother_smoking\n");
    for b in &r.bvcs {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{}",
            field(&b.id),
            field(&b.name),
            b.newborns,
            b.first_born,
            b.bcg_indicated,
            b.mother_smoking
        );
    }
    files.push(("bvc_vti.csv", s.into_bytes()));

    let mut s = String::with_capacity(40 * r.children.len() + 32);
    s.push_str("child_id,x,y,age,bvc\n");
    for c in &r.children {
        let _ = writeln!(
            s,
            "{},{},{},{},{}",
            field(&c.id),
            c.x,
            c.y,
            c.age,
            field(&c.bvc)
        );
    }
    files.push(("children.csv", s.into_bytes()));

    let mut s = String::from("code,births,first_births,first_in_sweden\n");
    for a in &r.areas {
        let _ = writeln!(
            s,
            "{},{},{},{}",
            field(&a.code),
            a.births,
            a.first_births,
            a.first_in_sweden
        );
    }
    files.push(("births.csv", s.into_bytes()));
    Ok(files)
}

/// Writes every file into `dir`.
pub(crate) fn write_all(r: &SynthRegion, dir: &Path) -> Result<Vec<PathBuf>, Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut paths = Vec::new();
    for (name, bytes) in files(r)? {
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
        paths.push(path);
    }
    Ok(paths)
}
