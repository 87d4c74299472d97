//! The points readers on arbitrary bytes: the in-memory reader and the streaming
//! reader (small blocks, so blocks split lines and quoted fields) must agree, and
//! every data row is either an accepted point or a rejected one.
#![no_main]

use careneed::inputs::crs::Crs;
use careneed::inputs::point_stream::stream_points;
use careneed::inputs::points::{check_crs, parse_points};
use careneed::inputs::text::parse_csv;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let memory = parse_points("fuzz.csv", data, "x", "y");
    if let Ok((points, _)) = &memory {
        let rows = parse_csv("fuzz.csv", data).map(|c| c.records.len()).unwrap_or(0);
        assert_eq!(points.coords.len() + points.rejected.len(), rows);
        assert_eq!(points.coords.len(), points.lines.len());
        assert!(points.coords.iter().all(|c| c[0].is_finite() && c[1].is_finite()));
        for crs in [Crs::Wgs84, Crs::Sweref99Tm, Crs::Rt90] {
            let _ = check_crs(points, crs);
        }
    }
    let mut coords = Vec::new();
    let mut lines = Vec::new();
    let streamed = stream_points("fuzz.csv", data, "x", "y", 64, &mut |batch| {
        coords.extend(batch.coords);
        lines.extend(batch.lines);
        Ok(())
    });
    // Both readers accept or refuse a file alike, and agree point for point
    // (ASCII files: the streaming reader documents one difference for files of
    // mixed encodings).
    if data.is_ascii() {
        match (&memory, &streamed) {
            (Ok((points, _)), Ok((summary, _))) => {
                let mut a: Vec<(u64, [u64; 2])> = points
                    .lines
                    .iter()
                    .zip(&points.coords)
                    .map(|(l, c)| (*l, [c[0].to_bits(), c[1].to_bits()]))
                    .collect();
                let mut b: Vec<(u64, [u64; 2])> = lines
                    .iter()
                    .zip(&coords)
                    .map(|(l, c)| (*l, [c[0].to_bits(), c[1].to_bits()]))
                    .collect();
                a.sort_unstable();
                b.sort_unstable();
                assert_eq!(a, b);
                assert_eq!(summary.accepted as usize, points.coords.len());
                assert_eq!(summary.rejected, points.rejected);
            }
            (Err(_), Err(_)) => {}
            (m, s) => panic!(
                "the readers disagree: in memory {:?}, streamed {:?}",
                m.as_ref().map(|(p, _)| p.coords.len()).map_err(ToString::to_string),
                s.as_ref().map(|(p, _)| p.accepted).map_err(ToString::to_string)
            ),
        }
    }
});
