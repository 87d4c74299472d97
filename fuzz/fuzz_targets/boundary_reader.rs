//! The GeoJSON boundary reader on arbitrary bytes, refusing and repairing invalid
//! polygons. Any panic is a bug (geo's validator panics on some invalid polygons;
//! careneed must catch that without printing); every area read has a non-empty
//! code and a geometry with finite coordinates.
#![no_main]

use careneed::inputs::boundaries::{BoundaryOptions, parse_boundaries};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for repair in [false, true] {
        let options = BoundaryOptions {
            repair,
            ..BoundaryOptions::default()
        };
        let Ok((boundaries, _report)) = parse_boundaries("fuzz.geojson", data, &options) else {
            continue;
        };
        assert!(!boundaries.areas.is_empty());
        for area in &boundaries.areas {
            assert!(!area.code.is_empty());
            for polygon in &area.geometry.0 {
                for c in &polygon.exterior().0 {
                    assert!(c.x.is_finite() && c.y.is_finite());
                }
            }
            assert_eq!(boundaries.find(&area.code).map(|a| a.feature), Some(area.feature));
        }
    }
});
