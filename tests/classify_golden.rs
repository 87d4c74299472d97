//! Map classes against PySAL's mapclassify 2.10.0 (an independent implementation),
//! on the SCB CNI of the 172 demo areas (R computed from them). The expected
//! upper bounds were printed by:
//!
//! ```python
//! import mapclassify as mc  # 2.10.0
//! mc.FisherJenks(cni, k=k).bins; mc.Quantiles(cni, k=k).bins; mc.EqualInterval(cni, k=k).bins
//! ```

use careneed::inputs::table::{TableSpec, read_table};
use careneed::outputs::classify::{Scheme, classify};
use careneed::scores::cni;
use std::path::Path;

fn demo_cni() -> Vec<f64> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo/areas.csv");
    let (table, _) = read_table(&path, &TableSpec::areas()).unwrap();
    let result = cni::compute(&table, &Default::default()).unwrap();
    result.areas.iter().map(|a| a.cni.unwrap()).collect()
}

#[rustfmt::skip]
const EXPECTED: &[(usize, &str, &[f64])] = &[
    (3, "jenks", &[0.8822463535, 1.3200580829, 2.1545049267]),
    (3, "quant", &[0.8716410455, 0.9820155916, 2.1545049267]),
    (3, "eq", &[1.0976708883, 1.6260879075, 2.1545049267]),
    (5, "jenks", &[0.7875969498, 0.9337729101, 1.0608498199, 1.3200580829, 2.1545049267]),
    (5, "quant", &[0.8009881496, 0.8922553518, 0.9589632446, 1.0354064885, 2.1545049267]),
    (5, "eq", &[0.8863040806, 1.2033542921, 1.5204045037, 1.8374547152, 2.1545049267]),
    (7, "jenks", &[0.7255884971, 0.83734561, 0.9384474691, 1.0608498199, 1.3200580829, 1.9704895996, 2.1545049267]),
    (7, "quant", &[0.767314495, 0.8548207641, 0.8983257012, 0.9506364711, 0.995325331, 1.0821103173, 2.1545049267]),
    (7, "eq", &[0.7957183059, 1.0221827427, 1.2486471795, 1.4751116163, 1.7015760531, 1.9280404899, 2.1545049267]),
    (9, "jenks", &[0.7124977821, 0.830340916, 0.9191003352, 1.0039039988, 1.0984004377, 1.3200580829, 1.8474950703, 2.0154717099, 2.1545049267]),
    (9, "quant", &[0.73740946, 0.8183380357, 0.8716410455, 0.9015802312, 0.9458441058, 0.9820155916, 1.0308884453, 1.1504391173, 2.1545049267]),
    (9, "eq", &[0.7453928755, 0.9215318819, 1.0976708883, 1.2738098947, 1.4499489011, 1.6260879075, 1.8022269139, 1.9783659203, 2.1545049267]),
];

#[test]
fn breaks_match_mapclassify_on_the_demo_cni() {
    let values = demo_cni();
    assert_eq!(values.len(), 172);
    for &(k, scheme, expected) in EXPECTED {
        let scheme = match scheme {
            "jenks" => Scheme::FisherJenks,
            "quant" => Scheme::Quantiles,
            _ => Scheme::EqualInterval,
        };
        let c = classify(&values, &scheme, k, "YlOrRd").unwrap();
        assert_eq!(c.breaks.len(), k);
        for (got, want) in c.breaks.iter().zip(expected) {
            assert!(
                (got - want).abs() < 1e-9,
                "{scheme:?} k={k}: {:?} vs {expected:?}",
                c.breaks
            );
        }
        assert_eq!(c.counts.iter().sum::<usize>(), 172);
    }
}

#[test]
fn classification_does_not_depend_on_input_order() {
    let mut values = demo_cni();
    let a = classify(&values, &Scheme::FisherJenks, 7, "Blues").unwrap();
    values.reverse();
    let b = classify(&values, &Scheme::FisherJenks, 7, "Blues").unwrap();
    assert_eq!(a, b);
}
