//! A proxy CNI for Dalarna from real, public files (issue 13, item 6).
//!
//! ```text
//! cargo run --example dalarna -- ../shared/data/real /tmp/dalarna
//! ```
//!
//! 1. **RegSO → DeSO.** Region Dalarna's extract of SCB statistics per RegSO
//!    (`dalarna_regso2020_socioek_2021.csv`, 119 RegSO, 2021) gives shares per
//!    RegSO. Each share × the RegSO's population is a count, and
//!    [`codes::spread_to_deso`] spreads the counts to the RegSO's DeSO (SCB's DeSO
//!    2018 → RegSO 2020 key, shipped in the crate). There are no DeSO populations
//!    in these files, so the DeSO of a RegSO get equal shares (an assumption the
//!    run notes); every DeSO inherits its RegSO's rates.
//! 2. **Proxy variables** (each an assumption, not SCB's definition):
//!    * `foreign_born` = all foreign-born (`andel_utlandsfodl`); SCB's CNI counts
//!      only those born in Eastern Europe (outside the EU), Asia, Africa and South
//!      America;
//!    * `unemployed` = low economic standard, ages 20–64 (`andel_lagek_20_64`),
//!      for the unemployed 16–64;
//!    * `low_education` = pre-upper-secondary education (`andel_utb_forgymn`),
//!      for ages 25–64 with at most compulsory school;
//!    * the other four variables (`elderly_alone`, `single_parents`, `movers`,
//!      `under5`) are not in the file and are weighted 0; the three above keep
//!      SCB's weights (5.13, 5.72, 3.97).
//! 3. **The run.** The DeSO table, the real Dalarna DeSO 2018 polygons
//!    (`deso2018_dalarna_sweref99tm.geojson`, code property `deso`) and Region
//!    Dalarna's 40 care units (`dalarna_utbudspunkter_vardcentraler_sweref99tm.geojson`,
//!    id `utbudspunkt_id`) as BVC points: catchments by nearest unit, and every
//!    output of `careneed run`.
//!
//! The test `dalarna_proxy_cni_falls_with_scb_area_type` (tests/codes.rs) checks
//! that the mean proxy CNI falls across SCB's socioeconomic area types 1 → 5.

use careneed::inputs::codes::{self, DesoVersion};
use careneed::inputs::table::{Table, TableSpec, parse_table};
use careneed::scenario::Scenario;
use careneed::{Report, pipeline};
use std::path::{Path, PathBuf};

/// The RegSO indicators as counts: `code,name,population,foreign_born,unemployed,low_education`.
pub fn regso_counts(real: &Path) -> Result<Table, Box<dyn std::error::Error>> {
    let path = real.join("dalarna_regso2020_socioek_2021.csv");
    let mut reader = csv::Reader::from_path(&path)?;
    let headers = reader.headers()?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("{}: no column {name}", path.display()))
    };
    let (code, name, pop) = (col("regso_2020")?, col("region_namn")?, col("folkmangd")?);
    let (fb, lowek, edu) = (
        col("andel_utlandsfodl")?,
        col("andel_lagek_20_64")?,
        col("andel_utb_forgymn")?,
    );
    let mut out = String::from("code,name,population,foreign_born,unemployed,low_education\n");
    for record in reader.records() {
        let r = record?;
        let p: f64 = r[pop].parse()?;
        let count =
            |i: usize| -> Result<f64, Box<dyn std::error::Error>> { Ok(r[i].parse::<f64>()? * p) };
        out.push_str(&format!(
            "{},\"{}\",{p},{},{},{}\n",
            &r[code],
            r[name].replace('"', ""),
            count(fb)?,
            count(lowek)?,
            count(edu)?
        ));
    }
    let mut spec = TableSpec::areas();
    spec.deliver_cni();
    let (table, _) = parse_table(&path.display().to_string(), out.as_bytes(), &spec)?;
    Ok(table)
}

/// The Dalarna DeSO table (DeSO 2018), spread from the RegSO counts, with the
/// notices of the spread.
pub fn deso_table(real: &Path) -> Result<(Table, Report), Box<dyn std::error::Error>> {
    let regso = regso_counts(real)?;
    Ok(codes::spread_to_deso(&regso, DesoVersion::V2018, None)?)
}

/// Writes the DeSO table and a scenario for it into `dir`, and returns the scenario's path.
pub fn write_scenario(real: &Path, dir: &Path) -> Result<PathBuf, Box<dyn std::error::Error>> {
    std::fs::create_dir_all(dir)?;
    let (table, _) = deso_table(real)?;
    std::fs::write(dir.join("dalarna_deso.csv"), table.to_csv())?;
    let real = std::path::absolute(real)?;
    let scenario = format!(
        r#"name = "Dalarna, proxy CNI from RegSO indicators (2021)"

[inputs]
areas = "dalarna_deso.csv"
boundaries = "{}"
code_field = "deso"
bvc_points = "{}"
bvc_field = "utbudspunkt_id"

# Proxies (assumptions): foreign_born = all foreign-born; unemployed = low economic
# standard 20-64; low_education = pre-upper-secondary education. The other four
# variables are not in the source file.
[cni.weights]
elderly_alone = 0
single_parents = 0
movers = 0
under5 = 0
"#,
        real.join("deso2018_dalarna_sweref99tm.geojson").display(),
        real.join("dalarna_utbudspunkter_vardcentraler_sweref99tm.geojson")
            .display(),
    );
    let path = dir.join("scenario.toml");
    std::fs::write(&path, scenario)?;
    Ok(path)
}

/// Runs the proxy scenario on the real files.
pub fn run(real: &Path, dir: &Path) -> Result<pipeline::Run, Box<dyn std::error::Error>> {
    let scenario = Scenario::read(&write_scenario(real, dir)?)?;
    Ok(pipeline::run(&scenario)?)
}

#[allow(dead_code)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let real = PathBuf::from(args.next().unwrap_or_else(|| "../shared/data/real".into()));
    let out = PathBuf::from(args.next().unwrap_or_else(|| "dalarna-out".into()));
    let scenario = Scenario::read(&write_scenario(&real, &out.join("inputs"))?)?;
    let run = pipeline::run(&scenario)?;
    let released = run.release();
    let written = careneed::outputs::write_all(&released, &scenario.map_spec()?, &out)?;
    println!(
        "{} DeSO, {} catchments; wrote {} files to {}",
        run.areas.len(),
        run.catchments.as_ref().map_or(0, |c| c.summaries.len()),
        written.len(),
        out.display()
    );
    Ok(())
}
