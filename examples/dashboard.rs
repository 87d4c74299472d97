//! How a dashboard embeds careneed: run a scenario, release the results under
//! its privacy threshold, and serialise the released view to JSON for a web
//! front end. The library never prints; this program prints the JSON it would
//! serve. Like every output of careneed, it shows only released values: a small
//! count, and what it could be recomputed from, is `"withheld"`.
//!
//! ```sh
//! cargo run --example dashboard            # uses data/demo
//! cargo run --example dashboard -- DIR     # any folder with a scenario.toml
//! ```

use careneed::pipeline;
use careneed::scenario::Scenario;
use serde_json::json;
use std::path::PathBuf;

fn main() -> Result<(), careneed::Error> {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/demo"));

    let mut scenario = Scenario::read(&dir.join("scenario.toml"))?;
    // The dashboard shows scores, not the rollout plan.
    scenario.plan = None;
    let run = pipeline::run(&scenario)?;
    let released = run.release();

    // The five areas ranked highest by CNI, and every centre's released VTI.
    let top: Vec<_> = released
        .area_order
        .iter()
        .take(5)
        .map(|&i| &released.areas[i])
        .collect();
    let payload = json!({
        "reference": run.cni.reference.description(),
        "min_count": released.privacy.min_count,
        "top_areas": top,
        "centres": released.centres,
        "notices": released.notices,
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&payload)
            .map_err(|e| careneed::Error::Compute(e.to_string()))?
    );
    Ok(())
}
