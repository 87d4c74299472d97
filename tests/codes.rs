//! DeSO/RegSO codes, versions and keys (issue 13, items 4 and 6), on the real
//! files in `../shared/data/real` where they are present.

mod common;

use careneed::inputs::codes::{self, DesoVersion, Key, Target};
use careneed::inputs::table::{TableSpec, parse_table};
use common::geojson::real_file;
use std::collections::BTreeMap;

#[path = "../examples/dalarna.rs"]
#[allow(dead_code)]
mod dalarna;

fn key_rows(name: &str) -> Option<Vec<csv::StringRecord>> {
    let path = real_file(name)?;
    let mut reader = csv::Reader::from_path(path).unwrap();
    Some(reader.records().map(Result::unwrap).collect())
}

#[test]
fn shipped_keys_match_the_shared_files() {
    for (file, key) in [
        ("deso2018_regso2020_key_sweden.csv", Key::deso2018()),
        ("deso2025_regso2025_key_sweden.csv", Key::deso2025()),
    ] {
        let Some(rows) = key_rows(file) else { return };
        assert_eq!(rows.len(), key.len(), "{file}");
        for r in &rows {
            assert_eq!(key.regso_of(&r[0]), Some(&r[1]), "{file}: {}", &r[0]);
            assert_eq!(key.regso_name(&r[1]), Some(&r[2]), "{file}: {}", &r[1]);
            assert_eq!(codes::kommun_name(&r[3]), Some(&r[4]), "{file}: {}", &r[3]);
        }
    }
}

#[test]
fn a_table_and_boundaries_in_different_versions_get_one_message_with_the_fix() {
    use careneed::inputs::boundaries::{BoundaryOptions, parse_boundaries};
    use careneed::inputs::join::join;
    let csv = "code,population\n2180C1431,800\n2180C1432,900\n2180C1010,1200\n";
    let mut spec = TableSpec::areas();
    spec.deliver_cni();
    let (table, _) = parse_table("areas2025.csv", csv.as_bytes(), &spec).unwrap();
    let square = |code: &str, x: f64| {
        format!(
            r#"{{"type":"Feature","properties":{{"code":"{code}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},6700000],[{},6700000],[{},6701000],[{x},6701000],[{x},6700000]]]}}}}"#,
            x + 1000.0,
            x + 1000.0
        )
    };
    let geojson = format!(
        r#"{{"type":"FeatureCollection","features":[{},{}]}}"#,
        square("2180C1430", 600000.0),
        square("2180C1010", 602000.0)
    );
    let (b, _) = parse_boundaries(
        "deso2018.geojson",
        geojson.as_bytes(),
        &BoundaryOptions::default(),
    )
    .unwrap();
    let mut report = careneed::Report::default();
    let joined = join(&table, &b, &mut report);
    assert_eq!(joined.pairs.len(), 1);
    let messages: Vec<&str> = report
        .of_kind("deso_version")
        .map(|n| n.message.as_str())
        .collect();
    assert_eq!(messages.len(), 1);
    assert_eq!(
        messages[0],
        "areas2025.csv has DeSO 2025 codes (2180C1431, 2180C1432 new in 2025), but deso2018.geojson has DeSO 2018 codes (2180C1430 retired in 2025); their codes cannot all match. Fix: use boundaries in DeSO 2025 (SCB's DeSO_2025.gpkg), or a table in DeSO 2018; or compare at RegSO level, summing each side with its own key (careneed translate --to regso)"
    );
}

#[test]
fn deso_counts_sum_to_regso_exactly_and_spread_back_by_population() {
    let csv = "code,name,population,under5\n2180C1431,a,800,40\n2180C1432,b,900,50\n2180C1010,c,1200,70\n";
    let mut spec = TableSpec::areas();
    spec.deliver_cni();
    let (table, _) = parse_table("t.csv", csv.as_bytes(), &spec).unwrap();
    let (regso, version, _) = codes::translate(&table, Target::Regso, None, None).unwrap();
    assert_eq!(version, DesoVersion::V2025);
    let k = Key::deso2025();
    // The split halves lie in 2180R014, 2180C1010 in another RegSO, 2180R004.
    let split = "2180R014";
    assert_eq!(k.regso_of("2180C1431"), Some(split));
    assert_eq!(k.regso_of("2180C1432"), Some(split));
    assert_eq!(k.regso_of("2180C1010"), Some("2180R004"));
    let row = regso.row(split).unwrap();
    let (p, u) = (
        regso.require("population").unwrap(),
        regso.require("under5").unwrap(),
    );
    assert_eq!((row.values[p], row.values[u]), (1700.0, 90.0));
    assert_eq!(regso.row("2180R004").unwrap().values[p], 1200.0);
    assert_eq!(regso.label(row, "name"), k.regso_name(split));
    // Spread back with the DeSO populations: shares 800/1700 and 900/1700 (the
    // RegSO's other DeSO have no population here, so they get 0).
    let pops = [("2180C1431", 800.0), ("2180C1432", 900.0)]
        .into_iter()
        .map(|(c, v)| (c.to_string(), v))
        .collect();
    let only_split = careneed::inputs::table::Table {
        rows: vec![row.clone()],
        ..regso.clone()
    };
    let (deso, _, notes) = codes::translate(
        &only_split,
        Target::Deso,
        Some(DesoVersion::V2025),
        Some(&pops),
    )
    .unwrap();
    assert_eq!(deso.row("2180C1431").unwrap().values[p], 800.0);
    assert_eq!(
        deso.row("2180C1432").unwrap().values[u],
        90.0 * 900.0 / 1700.0
    );
    assert_eq!(notes.of_kind("spread_equal").count(), 0);
    // Without a version, spreading is refused rather than guessed.
    let err = codes::translate(&only_split, Target::Deso, None, None).unwrap_err();
    assert!(err.to_string().contains("--version 2018 or 2025"), "{err}");
}

#[test]
fn a_code_outside_the_key_is_an_error_naming_file_line_and_code() {
    let csv = "code,population\n2180C1010,10\n2180C9999,20\n";
    let mut spec = TableSpec::areas();
    spec.deliver_cni();
    let (table, _) = parse_table("t.csv", csv.as_bytes(), &spec).unwrap();
    let err = codes::translate(&table, Target::Regso, None, None).unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("t.csv, line 3"), "{text}");
    assert!(text.contains("2180C9999 is not a DeSO 2025 code"), "{text}");
}

#[test]
fn dalarna_proxy_cni_falls_with_scb_area_type() {
    let (Some(types), Some(_)) = (
        real_file("regso2020_socioekonomisk_omradestyp_2022_sweden.csv"),
        real_file("dalarna_regso2020_socioek_2021.csv"),
    ) else {
        return;
    };
    let real = types.parent().unwrap().to_path_buf();
    let dir = tempfile::tempdir().unwrap();
    let run = dalarna::run(&real, dir.path()).unwrap();
    // Every Dalarna DeSO got a row, matched a polygon and a CNI.
    assert_eq!(run.table.rows.len(), 175);
    let join = run.join.as_ref().unwrap();
    assert_eq!(
        (
            join.pairs.len(),
            join.table_only.len(),
            join.boundaries_only.len()
        ),
        (175, 0, 0)
    );
    assert!(run.areas.iter().all(|a| a.cni.is_some()));
    // 40 care units; every DeSO in one catchment.
    let c = run.catchments.as_ref().unwrap();
    assert_eq!(c.summaries.len(), 40);
    // The spread (before the run) says its equal shares are an assumption.
    let (_, notes) = dalarna::deso_table(&real).unwrap();
    assert_eq!(notes.of_kind("spread_equal").count(), 1);
    // Mean proxy CNI per SCB area type (1 = most disadvantaged).
    let mut reader = csv::Reader::from_path(&types).unwrap();
    let area_type: BTreeMap<String, u8> = reader
        .records()
        .map(Result::unwrap)
        .map(|r| (r[0].to_string(), r[4].parse().unwrap()))
        .collect();
    let mut by_type: BTreeMap<u8, (f64, usize)> = BTreeMap::new();
    for a in &run.areas {
        let regso = Key::deso2018().regso_of(&a.code).unwrap();
        let t = area_type[regso];
        let e = by_type.entry(t).or_default();
        e.0 += a.cni.unwrap();
        e.1 += 1;
    }
    // Every polygon output reads back into careneed (valid, issue 14 item 1).
    let out = tempfile::tempdir().unwrap();
    run.write(out.path()).unwrap();
    use careneed::inputs::boundaries::{BoundaryOptions, read_boundaries};
    // Four of the 40 care units are nobody's nearest: no area, no polygon.
    let with_areas = c.summaries.iter().filter(|s| s.areas > 0).count();
    assert_eq!(with_areas, 36);
    for (file, field, n) in [
        ("areas.geojson", "code", 175),
        ("catchments.geojson", "bvc", with_areas),
    ] {
        let options = BoundaryOptions {
            code_field: field.into(),
            ..BoundaryOptions::default()
        };
        let (b, _) = read_boundaries(&out.path().join(file), &options)
            .unwrap_or_else(|e| panic!("{file} does not read back: {e}"));
        assert_eq!(b.areas.len(), n, "{file}");
    }
    let means: Vec<f64> = by_type.values().map(|(s, n)| s / *n as f64).collect();
    println!("mean proxy CNI by area type 1..5: {means:.2?}");
    assert_eq!(by_type.len(), 5, "{by_type:?}");
    assert!(means.windows(2).all(|w| w[0] > w[1]), "{means:?}");
}
