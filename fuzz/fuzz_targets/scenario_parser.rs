//! The scenario parser on arbitrary text, then every spec derived from it.
#![no_main]

use careneed::scenario::Scenario;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(scenario) = Scenario::parse("fuzz.toml", text) else {
        return;
    };
    let _ = scenario.cni_spec();
    let _ = scenario.vti_spec();
    let _ = scenario.plan_spec();
    let _ = scenario.crs();
    let _ = scenario.crs_epsg();
});
