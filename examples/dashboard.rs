//! How a dashboard embeds careneed: read the inputs, compute, and serialise the
//! results to JSON for a web front end. The library never prints; this program
//! prints the JSON it would serve.
//!
//! ```sh
//! cargo run --example dashboard            # uses data/demo
//! cargo run --example dashboard -- DIR     # any folder with the same files
//! ```

use careneed::inputs::table::{TableSpec, read_table};
use careneed::scores::{cni, vti};
use serde_json::json;
use std::path::PathBuf;

fn main() -> Result<(), careneed::Error> {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/demo"));

    let (areas, area_report) = read_table(&dir.join("areas.csv"), &TableSpec::areas())?;
    let scores = cni::compute(&areas, &cni::CniSpec::default())?;

    let (centres, centre_report) = read_table(&dir.join("bvc_vti.csv"), &TableSpec::bvc_vti())?;
    let workload = vti::compute(&centres, &vti::VtiSpec::default())?;

    // The five areas with the highest CNI, and every centre's relative workload.
    let mut top: Vec<&cni::AreaCni> = scores.areas.iter().filter(|a| a.cni.is_some()).collect();
    top.sort_by(|a, b| {
        b.cni
            .partial_cmp(&a.cni)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    top.truncate(5);

    let payload = json!({
        "reference": scores.reference,
        "top_areas": top,
        "centres": workload.centres,
        "notices": area_report.notices.iter().chain(&centre_report.notices).chain(&scores.report.notices).collect::<Vec<_>>(),
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&payload)
            .map_err(|e| careneed::Error::Compute(e.to_string()))?
    );
    Ok(())
}
