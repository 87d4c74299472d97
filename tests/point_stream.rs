//! The streaming points reader agrees with the in-memory one (`parse_points`)
//! line for line, whatever the block size: chunk boundaries, quoted fields
//! spanning lines and blocks, bad lines in the middle, Latin-1, BOM, `;` with
//! decimal commas, line ends; and `assign_stream` agrees with `assign`.

use careneed::inputs::boundaries::{BoundaryOptions, read_boundaries};
use careneed::inputs::crs::Crs;
use careneed::inputs::point_stream::{PointBatch, StreamedPoints, stream_points};
use careneed::inputs::points::{parse_points, read_points};
use careneed::inputs::text::Encoding;
use careneed::spatial::{AreaIndex, assign, assign_stream};
use careneed::{Problem, Report};
use proptest::prelude::*;
use std::path::Path;

type Streamed = (Vec<[f64; 2]>, Vec<u64>, StreamedPoints, Report);

fn stream(bytes: &[u8], block: usize) -> careneed::Result<Streamed> {
    let mut batches: Vec<PointBatch> = Vec::new();
    let (summary, report) = stream_points("t.csv", bytes, "x", "y", block, &mut |b| {
        batches.push(b);
        Ok(())
    })?;
    let mut pairs: Vec<(u64, [f64; 2])> = batches
        .into_iter()
        .flat_map(|b| b.lines.into_iter().zip(b.coords))
        .collect();
    pairs.sort_by_key(|p| p.0);
    let (lines, coords) = pairs.into_iter().unzip();
    Ok((coords, lines, summary, report))
}

/// Streams `bytes` with several block sizes and checks each result against
/// `parse_points`.
fn agrees(bytes: &[u8]) {
    let old = parse_points("t.csv", bytes, "x", "y");
    for block in [64, 65, 67, 71, 97, 128, 256, 1000, 1 << 20] {
        let new = stream(bytes, block);
        match (&old, new) {
            (Ok((points, report)), Ok((coords, lines, summary, new_report))) => {
                let bits = |c: &[[f64; 2]]| -> Vec<[u64; 2]> {
                    c.iter().map(|p| [p[0].to_bits(), p[1].to_bits()]).collect()
                };
                assert_eq!(bits(&coords), bits(&points.coords), "block {block}");
                assert_eq!(lines, points.lines, "block {block}");
                assert_eq!(summary.rejected, points.rejected, "block {block}");
                assert_eq!(summary.accepted, points.len() as u64);
                let text = |r: &Report| -> Vec<String> {
                    r.notices.iter().map(|n| format!("{n:?}")).collect()
                };
                assert_eq!(text(&new_report), text(report), "block {block}");
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "block {block}"),
            (a, b) => panic!(
                "block {block}: in memory {:?}, streamed {:?}",
                a.as_ref().map(|_| ()),
                b.map(|_| ())
            ),
        }
    }
}

fn many_rows(n: usize, end: &str) -> Vec<u8> {
    let mut s = format!("id,x,y{end}");
    for i in 0..n {
        s.push_str(&format!(
            "p{i},{}.{},{}{end}",
            600_000 + i * 7,
            i % 10,
            6_700_000 + i * 13
        ));
    }
    s.into_bytes()
}

#[test]
fn chunk_boundaries_with_every_line_end() {
    for end in ["\n", "\r\n", "\r"] {
        agrees(&many_rows(300, end));
    }
    // No line end at the end of the file.
    let mut bytes = many_rows(50, "\n");
    bytes.pop();
    agrees(&bytes);
}

#[test]
fn quoted_fields_spanning_lines_and_blocks() {
    let mut s = String::from("id,note,x,y\n");
    for i in 0..80 {
        if i % 7 == 3 {
            s.push_str(&format!(
                "p{i},\"a note\nover two lines, with \"\"quotes\"\"\",{}.5,6700{i:03}\n",
                600_000 + i
            ));
        } else {
            s.push_str(&format!("p{i},plain,{}.5,6700{i:03}\n", 600_000 + i));
        }
    }
    let bytes = s.into_bytes();
    agrees(&bytes);
    let (_, lines, _, _) = stream(&bytes, 64).unwrap();
    assert_eq!(&lines[..5], [2, 3, 4, 5, 7]);
}

#[test]
fn a_bad_line_in_the_middle() {
    // A bad coordinate is rejected with its line; the others are kept.
    let mut bytes = many_rows(100, "\n");
    bytes.extend_from_slice(b"bad,abc,6700000\nempty,,6700000\n");
    bytes.extend_from_slice(&many_rows(100, "\n")[7..]);
    agrees(&bytes);
    let (coords, _, summary, report) = stream(&bytes, 100).unwrap();
    assert_eq!(coords.len(), 200);
    assert_eq!(
        summary.rejected,
        [
            (102, "non-numeric x coordinate".to_string()),
            (103, "empty x coordinate".to_string())
        ]
    );
    assert_eq!(report.of_kind("bad_point").count(), 2);
    // A ragged row in the middle is an error naming its line.
    let mut bytes = many_rows(100, "\n");
    bytes.extend_from_slice(b"ragged,1,2,3\n");
    bytes.extend_from_slice(&many_rows(100, "\n")[7..]);
    agrees(&bytes);
    let err = stream(&bytes, 100).unwrap_err();
    assert_eq!(err.location().and_then(|l| l.line), Some(102));
    assert!(matches!(
        err,
        careneed::Error::Input {
            problem: Problem::RaggedRow {
                expected: 3,
                found: 4
            },
            ..
        }
    ));
}

#[test]
fn latin1_bom_semicolons_and_decimal_commas() {
    // Latin-1 only after the first blocks: decided over the whole file.
    let mut bytes = b"ort;x;y\n".to_vec();
    for i in 0..60 {
        bytes.extend_from_slice(format!("Falun;{}00,5;6700000,25\n", 5000 + i).as_bytes());
    }
    bytes.extend_from_slice(b"G\xe4vle;617000,5;6728000\n");
    agrees(&bytes);
    let (coords, _, summary, report) = stream(&bytes, 64).unwrap();
    assert_eq!(summary.encoding, Encoding::Windows1252);
    assert_eq!(summary.delimiter, ';');
    assert_eq!(coords[0], [500000.5, 6700000.25]);
    assert_eq!(coords[60], [617000.5, 6728000.0]);
    assert_eq!(report.of_kind("encoding").count(), 1);
    // With a BOM.
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend_from_slice(&many_rows(40, "\r\n"));
    agrees(&bom);
    assert_eq!(stream(&bom, 64).unwrap().2.encoding, Encoding::Utf8Bom);
}

#[test]
fn non_ascii_whitespace_depends_on_the_encoding() {
    // A no-break space around a coordinate: trimmed in UTF-8 (U+00A0) ...
    let utf8 = b"id,x,y\na,617000\xc2\xa0,6728000\nb,\xc2\xa0,\xc2\xa0\n".to_vec();
    agrees(&utf8);
    // ... but in a Latin-1 file the same bytes are "Â" and a space.
    let mut latin1 = utf8.clone();
    latin1.extend_from_slice(b"c,1\xe4,6728000\n");
    agrees(&latin1);
    // A line of only a (Latin-1) no-break space and delimiters is blank.
    agrees(b"id,x,y\na,617000,6728000\n\xa0,,\n");
}

#[test]
fn shapes_and_header_errors() {
    for bytes in [
        &b""[..],
        b"\xef\xbb\xbf \n",
        b"\n\n  \n",
        b"id,x,y\n",
        b"id,x,y\n\n,,\n",
        b"id\tx\ty\n1\t2\t3\n",
        b"\n\nid\tx\n",
        b"id,x,z\na,1,2\n",
        b"\xff\xfei\x00d\x00",
        b"\n \r\nid;x;y\na;1;2\n",
        b"\"i,d\";x;y\na;1;2\n",
        b"id,x,y\na,1\n",
        b"id,x,y\na,\"1\n",
    ] {
        agrees(bytes);
    }
}

/// One random line of a points file.
fn line_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (0u32..1_000_000, 0u32..100).prop_map(|(a, b)| format!("p,{a}.{b},6700{b:03}")),
        1 => Just(String::new()),
        1 => Just(",,".to_string()),
        1 => Just("q,\"617000.5\",\"6728000\"".to_string()),
        1 => Just("n,\"two\nlines\",6728000".to_string()),
        1 => Just("r,abc,6728000".to_string()),
        1 => Just("s, 617000 ,1e3".to_string()),
        1 => Just("t,-0,+.5".to_string()),
        1 => Just("u,inf,NaN".to_string()),
        1 => Just("v,12345678901234567,6728000".to_string()),
        1 => Just("w,\"a\"\"b\",1".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn random_files_agree(
        lines in proptest::collection::vec(line_strategy(), 1..60),
        end in prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
        latin1 in any::<bool>(),
    ) {
        let mut s = format!("id,x,y{end}");
        for l in &lines {
            s.push_str(l);
            s.push_str(end);
        }
        let mut bytes = s.into_bytes();
        if latin1 {
            bytes.extend_from_slice(b"G\xe4vle,1,2\n");
        }
        agrees(&bytes);
    }
}

#[test]
fn assign_stream_agrees_with_assign_on_the_demo() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo");
    let (areas, _) =
        read_boundaries(&dir.join("deso.geojson"), &BoundaryOptions::default()).unwrap();
    let path = dir.join("children.csv");
    let (mut points, _) = read_points(&path, "x", "y").unwrap();
    points.declare_crs(areas.crs).unwrap();
    let index = AreaIndex::new(&areas);
    let old = assign(&index, &points, &|_| {});
    let file = std::fs::File::open(&path).unwrap();
    let (new, _) =
        assign_stream(&index, "children.csv", file, "x", "y", areas.crs, &|_| {}).unwrap();
    assert_eq!(new.counts, old.counts);
    assert_eq!(new.outside, old.outside);
    assert_eq!(new.points.accepted, points.len() as u64);
    // Degrees declared as metres: the first misfit line.
    let csv = b"x,y\n617000,6728000\n17.1,60.7\n";
    let err = assign_stream(
        &index,
        "p.csv",
        &csv[..],
        "x",
        "y",
        Crs::Sweref99Tm,
        &|_| {},
    )
    .unwrap_err();
    assert_eq!(err.location().and_then(|l| l.line), Some(3));
    assert!(matches!(
        err,
        careneed::Error::Input {
            problem: Problem::CrsMismatch { .. },
            ..
        }
    ));
    // Another CRS than the index's.
    assert!(assign_stream(&index, "p.csv", &csv[..], "x", "y", Crs::Wgs84, &|_| {}).is_err());
}
