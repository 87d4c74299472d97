//! The spatial steps on whatever boundaries parse (repaired): point location at
//! every vertex, overlaps (geo's boolean operations), interpolation of a constant
//! count onto the areas themselves, catchments from the areas as polygons. Any
//! panic is a bug; a point is never in more than one area.
#![no_main]

use careneed::inputs::boundaries::{BoundaryOptions, parse_boundaries};
use careneed::inputs::table::{ColumnSpec, TableSpec, parse_table};
use careneed::inputs::validate::overlaps;
use careneed::spatial::assign::AreaIndex;
use careneed::spatial::catchments::from_polygons;
use careneed::spatial::interpolate::{InterpolateSpec, interpolate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = BoundaryOptions {
        repair: true,
        ..BoundaryOptions::default()
    };
    let Ok((areas, _)) = parse_boundaries("fuzz.geojson", data, &options) else {
        return;
    };
    if areas.areas.iter().map(|a| a.geometry.0.len()).sum::<usize>() > 64 {
        return;
    }
    let index = AreaIndex::new(&areas);
    for area in &areas.areas {
        for polygon in &area.geometry.0 {
            for c in polygon.exterior().0.iter().take(32) {
                if let Some(i) = index.locate(c.x, c.y) {
                    assert!(i < areas.len());
                }
            }
        }
    }
    let _ = overlaps(&areas, 1e-6);
    let spec = TableSpec {
        key: "code".into(),
        key_header: "code".into(),
        labels: vec![],
        columns: vec![ColumnSpec {
            name: "n".into(),
            header: "n".into(),
            required: true,
            at_most: vec![],
        }],
    };
    let mut csv = String::from("code,n\n");
    for area in &areas.areas {
        if area.code.contains(['"', ',', '\n', '\r', ';']) {
            return;
        }
        csv.push_str(&area.code);
        csv.push_str(",100\n");
    }
    if let Ok((table, _)) = parse_table("n.csv", csv.as_bytes(), &spec) {
        let _ = interpolate(&areas, &table, &areas, &InterpolateSpec::new(&["n"], &[]), None);
    }
    let _ = from_polygons(&areas, &areas);
});
