//! The table reader on arbitrary bytes: the three table specs, then the scores
//! computed from whatever parses. Any panic is a bug; a parsed table must keep
//! every data row and only finite, non-negative numbers.
#![no_main]

use careneed::inputs::table::{TableSpec, parse_table};
use careneed::inputs::text::parse_csv;
use careneed::scores::{cni, vti};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let csv = parse_csv("fuzz.csv", data);
    for spec in [TableSpec::areas(), TableSpec::bvc_vti(), TableSpec::births()] {
        let Ok((table, _report)) = parse_table("fuzz.csv", data, &spec) else {
            continue;
        };
        // Every row of the CSV is a row of the table (none dropped silently).
        let records = csv.as_ref().map(|c| c.records.len()).unwrap_or(usize::MAX);
        assert_eq!(table.rows.len(), records);
        for row in &table.rows {
            assert_eq!(row.values.len(), table.columns.len());
            assert!(row.values.iter().all(|v| v.is_finite() && *v >= 0.0));
            assert!(!row.key.is_empty());
        }
        if table.key == "code" && table.column("under5").is_some() {
            for method in [cni::Method::Scb, cni::Method::Research] {
                let spec = cni::CniSpec {
                    method,
                    ..cni::CniSpec::default()
                };
                if let Ok(result) = cni::compute(&table, &spec) {
                    let _ = format!("{result:?}");
                }
            }
        }
        if table.key == "bvc" {
            let _ = vti::compute(&table, &vti::VtiSpec::default());
        }
    }
});
