//! The committed demo data equals a fresh generation, byte for byte.

use std::path::Path;

#[test]
fn committed_demo_data_regenerates_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let region = careneed::synth::generate(&careneed::synth::SynthConfig::gavleborg()).unwrap();
    let written = region.write(dir.path()).unwrap();
    assert!(written.len() >= 8, "{written:?}");
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo");
    for path in written {
        let name = path.file_name().unwrap();
        let fresh = std::fs::read(&path).unwrap();
        let old = std::fs::read(committed.join(name))
            .unwrap_or_else(|e| panic!("data/demo/{}: {e}", name.to_string_lossy()));
        assert!(
            fresh == old,
            "data/demo/{} differs from a fresh generation; run `cargo run --release -- synth --out data/demo`",
            name.to_string_lossy()
        );
    }
}
