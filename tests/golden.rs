//! Golden tests: published figures and independently computed values.
//!
//! * SCB's CNI example table (R = 2.47615).
//! * The research variant on a three-area table, expected values computed with an
//!   independent Python script (math.asin/sqrt/log, population-weighted mean/SD).
//! * The VTI formula on hand-computed centres.

use careneed::inputs::table::{TableSpec, parse_table};
use careneed::scores::cni::{self, CniSpec, Method, Reference, Transform};
use careneed::scores::vti::{self, VtiSpec};

const SCB_EXAMPLE: &[u8] = b"code,population,under5,foreign_born,elderly_alone,single_parents,movers,unemployed,low_education
Enhet 1,5912,595,1391,484,167,385,981,632
Enhet 2,2407,293,330,215,80,240,300,210
";

fn close(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol, "{a} vs {b} (tolerance {tol})");
}

#[test]
fn scb_published_example() {
    let (table, _) = parse_table("scb.csv", SCB_EXAMPLE, &TableSpec::areas()).unwrap();
    let spec = CniSpec {
        reference: Reference::Given(2.47615),
        ..CniSpec::default()
    };
    let r = cni::compute(&table, &spec).unwrap();
    close(r.areas[0].index, 22709.42, 0.005);
    close(r.areas[1].index, 7869.74, 0.005);
    close(r.areas[0].cni.unwrap(), 1.5513, 0.00005);
    close(r.areas[1].cni.unwrap(), 1.3204, 0.00005);
    assert!(r.reference.is_given());
    assert!(r.reference.description().contains("2.47615"));
}

#[test]
fn scb_example_in_swedish_latin1_with_semicolons() {
    // The same table as SCB might export it: Latin-1, `;`, Swedish headers.
    let text = "Område;Folkmängd;Barn 0-4;Utrikes födda;Äldre ensamboende;Ensamstående föräldrar;Inflyttade;Arbetslösa;Lågutbildade\n\
                Enhet 1;5912;595;1391;484;167;385;981;632\n";
    let bytes: Vec<u8> = text.chars().map(|c| c as u32 as u8).collect(); // Latin-1
    let mut spec = TableSpec::areas();
    let mapping = [
        ("code", "Område"),
        ("population", "Folkmängd"),
        ("under5", "Barn 0-4"),
        ("foreign_born", "Utrikes födda"),
        ("elderly_alone", "Äldre ensamboende"),
        ("single_parents", "Ensamstående föräldrar"),
        ("movers", "Inflyttade"),
        ("unemployed", "Arbetslösa"),
        ("low_education", "Lågutbildade"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    spec.map_headers(&mapping).unwrap();
    let (table, report) = parse_table("scb_latin1.csv", &bytes, &spec).unwrap();
    assert!(report.of_kind("encoding").count() == 1);
    let r = cni::compute(
        &table,
        &CniSpec {
            reference: Reference::Given(2.47615),
            ..CniSpec::default()
        },
    )
    .unwrap();
    close(r.areas[0].cni.unwrap(), 1.5513, 0.00005);
}

const THREE: &[u8] = b"code,population,under5,foreign_born,elderly_alone,single_parents,movers,unemployed,low_education,pop_65plus,pop_16_64,pop_25_64
A,1000,60,100,40,20,80,30,90,200,600,500
B,2000,150,600,50,70,300,120,200,300,1300,1000
C,1500,50,60,120,15,90,25,180,450,800,700
";

#[test]
fn reference_computed_from_input() {
    let (table, _) = parse_table("three.csv", THREE, &TableSpec::areas()).unwrap();
    let r = cni::compute(&table, &CniSpec::default()).unwrap();
    close(r.reference.value, 2.5892, 1e-9);
    assert_eq!(
        r.reference.source,
        careneed::scores::cni::ReferenceSource::Computed { areas: 3 }
    );
    close(r.areas[0].index, 1942.0, 1e-9);
    close(r.areas[0].cni.unwrap(), 0.750038622, 1e-8);
    close(r.areas[1].cni.unwrap(), 1.387281786, 1e-8);
    close(r.areas[2].cni.unwrap(), 0.650265204, 1e-8);
    // Population-weighted mean CNI is 1 by construction.
    let mean: f64 = r
        .areas
        .iter()
        .map(|a| a.cni.unwrap() * a.population)
        .sum::<f64>()
        / 4500.0;
    close(mean, 1.0, 1e-12);
}

#[test]
fn research_variant_arcsine_and_log() {
    let (table, _) = parse_table("three.csv", THREE, &TableSpec::areas()).unwrap();
    for (transform, expected) in [
        (
            Transform::Arcsine,
            [
                (-12.014504422, 0.691584927),
                (15.913162178, 1.629761136),
                (-13.207879956, 0.666711138),
            ],
        ),
        (
            Transform::Log,
            [
                (-9.638870408, 0.743897237),
                (15.467112686, 1.607600288),
                (-14.196903309, 0.646776059),
            ],
        ),
    ] {
        let spec = CniSpec {
            method: Method::Research,
            transform,
            ..CniSpec::default()
        };
        let r = cni::compute(&table, &spec).unwrap();
        for (area, (score, value)) in r.areas.iter().zip(expected) {
            let research = area.research.as_ref().unwrap();
            close(research.score, score, 1e-7);
            close(research.cni, value, 1e-8);
        }
        assert_eq!(r.research_reference.len(), 7);
    }
    let spec = CniSpec {
        method: Method::Research,
        ..CniSpec::default()
    };
    let r = cni::compute(&table, &spec).unwrap();
    close(
        r.areas[0].research.as_ref().unwrap().z[0],
        -0.134180157,
        1e-8,
    );
    close(
        r.areas[2].research.as_ref().unwrap().z[0],
        1.344272590,
        1e-8,
    );
}

#[test]
fn research_variant_needs_denominators() {
    let (table, _) = parse_table("scb.csv", SCB_EXAMPLE, &TableSpec::areas()).unwrap();
    let spec = CniSpec {
        method: Method::Research,
        ..CniSpec::default()
    };
    let err = cni::compute(&table, &spec).unwrap_err();
    assert!(err.to_string().contains("pop_65plus"), "{err}");
}

#[test]
fn zero_population_area_has_no_cni_and_is_reported() {
    let csv = b"code,population,under5,foreign_born,elderly_alone,single_parents,movers,unemployed,low_education
X,0,0,0,0,0,0,0,0
Y,100,5,10,5,2,10,3,8
";
    let (table, _) = parse_table("z.csv", csv, &TableSpec::areas()).unwrap();
    let r = cni::compute(&table, &CniSpec::default()).unwrap();
    assert_eq!(r.areas[0].cni, None);
    close(r.areas[1].cni.unwrap(), 1.0, 1e-12);
    let n: Vec<_> = r.report.of_kind("no_population").collect();
    assert_eq!(n.len(), 1);
    assert_eq!(n[0].location.line, Some(2));
    assert_eq!(n[0].location.code.as_deref(), Some("X"));
}

#[test]
fn vti_formula_by_hand() {
    let csv = b"bvc,name,newborns,first_born,bcg_indicated,mother_smoking
A,Alpha,120,48,12,6
B,Beta,60,30,30,6
C,Gamma,20,8,0,1
";
    let (table, _) = parse_table("bvc.csv", csv, &TableSpec::bvc_vti()).unwrap();
    let r = vti::compute(&table, &VtiSpec::default()).unwrap();
    // A: 48/120/3 + 12/120 + 6/120 = 0.133333 + 0.1 + 0.05 = 0.283333
    // B: 30/60/3 + 30/60 + 6/60 = 0.166667 + 0.5 + 0.1 = 0.766667
    // C: 8/20/3 + 0 + 1/20 = 0.133333 + 0.05 = 0.183333
    let [a, b, c] = [&r.centres[0], &r.centres[1], &r.centres[2]];
    close(a.vti.unwrap(), 0.2833333333, 1e-9);
    close(b.vti.unwrap(), 0.7666666667, 1e-9);
    close(c.vti.unwrap(), 0.1833333333, 1e-9);
    close(a.vt_children, 34.0, 1e-9);
    close(b.vt_children, 46.0, 1e-9);
    close(c.vt_children, 3.6666666667, 1e-9);
    close(a.weighted_newborns, 154.0, 1e-9);
    close(b.weighted_newborns, 106.0, 1e-9);
    // Mean of (1 + vti) weighted by newborns: (154 + 106 + 23.666667) / 200 = 1.418333
    close(r.mean_one_plus_vti, 1.4183333333, 1e-9);
    close(a.relative_vti.unwrap(), 1.2833333333 / 1.4183333333, 1e-9);
    close(b.relative_vti.unwrap(), 1.7666666667 / 1.4183333333, 1e-9);
    // 60 weighted newborns = 1 FTE = 40 h/week.
    close(a.nurse_fte, 154.0 / 60.0, 1e-12);
    close(a.nurse_hours_per_week, 154.0 / 60.0 * 40.0, 1e-9);
    assert_eq!(a.name.as_deref(), Some("Alpha"));
    assert!(!a.few_newborns && !b.few_newborns && c.few_newborns);
    assert_eq!(r.report.of_kind("few_newborns").count(), 1);
}
