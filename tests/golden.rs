//! Golden tests: published figures and independently computed values.
//!
//! * SCB's CNI example table (R = 2.47615).
//! * The research variant on a three-area table, expected values computed with an
//!   independent Python script (math.asin/sqrt/log, population-weighted mean/SD),
//!   and on three areas by hand (closed forms in π, √2, √3).
//! * The VTI formula and the staffing norm on hand-computed centres.

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
            [-12.014504422, 15.913162178, -13.207879956],
        ),
        (Transform::Log, [-9.638870408, 15.467112686, -14.196903309]),
    ] {
        let spec = CniSpec {
            method: Method::Research,
            transform,
            ..CniSpec::default()
        };
        let r = cni::compute(&table, &spec).unwrap();
        for (area, score) in r.areas.iter().zip(expected) {
            let research = area.research.as_ref().unwrap();
            close(research.score, score, 1e-7);
            close(research.shifted, 100.0 + score, 1e-7);
        }
        // The population-weighted mean score is 0 (the input areas' average).
        let mean = r
            .areas
            .iter()
            .map(|a| a.population * a.research.as_ref().unwrap().score)
            .sum::<f64>()
            / 4500.0;
        close(mean, 0.0, 1e-9);
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

/// The research variant on three areas by hand. Populations 100, 100, 200 (weights
/// 1, 1, 2); with a = π/6 the arcsine transform gives, for
/// * under5 (weight 2): p = 0, 0.75, 0.25, t = 0, 2a, a: mean a, SD a/√2, so
///   z = −√2, √2, 0;
/// * movers (weight 1): p = 0.25, 0, 0.25, t = a, 0, a: mean 3a/4, SD a·√3/4,
///   so z = 1/√3, −√3, 1/√3;
///
/// and research_score = 2·z_under5 + z_movers, research_shifted = 100 + score.
#[test]
fn research_variant_by_hand() {
    let csv = b"code,population,under5,foreign_born,elderly_alone,single_parents,movers,unemployed,low_education
A,100,0,0,0,0,25,0,0
B,100,75,0,0,0,0,0,0
C,200,50,0,0,0,50,0,0
";
    let (table, _) = parse_table("hand.csv", csv, &TableSpec::areas()).unwrap();
    let spec = CniSpec {
        variables: vec![
            cni::Variable::new("under5", 2.0, "population"),
            cni::Variable::new("movers", 1.0, "population"),
        ],
        method: Method::Research,
        ..CniSpec::default()
    };
    let r = cni::compute(&table, &spec).unwrap();
    let (r2, r3) = (2f64.sqrt(), 3f64.sqrt());
    let expected = [
        ([-r2, 1.0 / r3], -2.0 * r2 + 1.0 / r3),
        ([r2, -r3], 2.0 * r2 - r3),
        ([0.0, 1.0 / r3], 1.0 / r3),
    ];
    for (area, (z, score)) in r.areas.iter().zip(expected) {
        let x = area.research.as_ref().unwrap();
        close(x.z[0], z[0], 1e-12);
        close(x.z[1], z[1], 1e-12);
        close(x.score, score, 1e-12);
        close(x.shifted, 100.0 + score, 1e-12);
    }
    // −2.251077, 1.096376, 0.577350; shifted 97.748923, 101.096376, 100.577350.
    close(
        r.areas[0].research.as_ref().unwrap().shifted,
        97.748923,
        1e-6,
    );
    close(
        r.areas[1].research.as_ref().unwrap().shifted,
        101.096376,
        1e-6,
    );
    let a = std::f64::consts::PI / 6.0;
    close(r.research_reference[0].mean, a, 1e-12);
    close(r.research_reference[0].sd, a / r2, 1e-12);
    close(r.research_reference[1].mean, 0.75 * a, 1e-12);
    close(r.research_reference[1].sd, a * r3 / 4.0, 1e-12);
    // The shift is an assumption and says so; the interval scale is named.
    let p = r.research_parameters();
    let shift = p.iter().find(|p| p.name == "cni.research.shift").unwrap();
    assert!(shift.basis.is_assumption());
    assert!(
        p.iter()
            .all(|p| !format!("{} {}", p.value, p.basis.describe()).contains("ratio scale"))
    );
    assert_eq!(r.report.of_kind("research_shift_not_positive").count(), 0);
}

/// The shift does not make every value positive: with a weight of 150 two
/// equal areas score ∓150, and the low one stays negative, with a warning.
#[test]
fn a_shifted_score_below_zero_is_reported() {
    let csv = b"code,population,under5,foreign_born,elderly_alone,single_parents,movers,unemployed,low_education
A,100,0,0,0,0,0,0,0
B,100,50,0,0,0,0,0,0
";
    let (table, _) = parse_table("two.csv", csv, &TableSpec::areas()).unwrap();
    let spec = CniSpec {
        variables: vec![cni::Variable::new("under5", 150.0, "population")],
        method: Method::Research,
        ..CniSpec::default()
    };
    let r = cni::compute(&table, &spec).unwrap();
    close(r.areas[0].research.as_ref().unwrap().shifted, -50.0, 1e-9);
    close(r.areas[1].research.as_ref().unwrap().shifted, 250.0, 1e-9);
    let n: Vec<_> = r.report.of_kind("research_shift_not_positive").collect();
    assert_eq!(n.len(), 1);
    assert!(
        n[0].message.contains("in 1 of the areas"),
        "{}",
        n[0].message
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
    // The relative norm: 60 newborns of an average centre = 1 FTE = 40 h/week.
    close(
        a.nurse_fte,
        120.0 * (1.2833333333 / 1.4183333333) / 60.0,
        1e-9,
    );
    close(a.nurse_hours_per_week, a.nurse_fte * 40.0, 1e-12);
    assert_eq!(a.name.as_deref(), Some("Alpha"));
    assert!(!a.few_newborns && !b.few_newborns && c.few_newborns);
    assert_eq!(r.report.of_kind("few_newborns").count(), 1);
}

/// The staffing norm on four centres by hand (Norrbotten BHV 2012, slide 2:
/// ca 60 newborns of a normal area per full-time nurse, 40 h/week; at least 25
/// newborns and 50 % of full time per nurse).
#[test]
fn vti_staffing_norm_by_hand() {
    use careneed::scores::vti::Norm;
    let csv = b"bvc,newborns,first_born,bcg_indicated,mother_smoking,nurse_fte
A,120,48,12,6,2.0
B,60,30,30,6,1.0
C,20,8,0,1,0.5
D,28,7,0,0,0.25
";
    let (table, _) = parse_table("bvc.csv", csv, &TableSpec::bvc_vti()).unwrap();
    // 1 + vti: A 1.283333 (weighted 154), B 1.766667 (106), C 1.183333
    // (23.666667), D 1 + 7/28/3 = 1.083333 (30.333333). Σ newborns 228,
    // Σ weighted 314, so the newborn-weighted mean of 1 + vti is 314 / 228.
    let r = vti::compute(&table, &VtiSpec::default()).unwrap();
    assert_eq!(r.norm, Norm::Relative);
    close(r.mean_one_plus_vti, 314.0 / 228.0, 1e-12);
    let m = 314.0 / 228.0;
    let weighted = [154.0, 106.0, 23.0 + 2.0 / 3.0, 30.0 + 1.0 / 3.0];
    let current = [2.0, 1.0, 0.5, 0.25];
    for ((c, w), now) in r.centres.iter().zip(weighted).zip(current) {
        // newborns × relative VTI / 60 = weighted newborns / mean / 60
        close(c.nurse_fte, w / m / 60.0, 1e-12);
        close(c.nurse_hours_per_week, w / m / 60.0 * 40.0, 1e-9);
        assert_eq!(c.current_nurse_fte, Some(now));
        close(c.gap_fte.unwrap(), w / m / 60.0 - now, 1e-12);
    }
    // A 1.863694, B 1.282803, C 0.286412, D 0.367091 FTE.
    close(r.centres[0].nurse_fte, 1.8636942675, 1e-9);
    close(r.centres[3].nurse_fte, 0.3670912951, 1e-9);
    // The county's total is exactly its newborns / 60.
    let total: f64 = r.centres.iter().map(|c| c.nurse_fte).sum();
    close(total, 228.0 / 60.0, 1e-12);
    // A has more nurses than the norm (gap −0.136), B fewer (+0.283).
    assert!(r.centres[0].gap_fte.unwrap() < 0.0 && r.centres[1].gap_fte.unwrap() > 0.0);
    // C: 20 newborns (< 25) and 0.29 FTE; D: 28 newborns but 0.37 FTE (< 0.5).
    let flags: Vec<(bool, bool)> = r
        .centres
        .iter()
        .map(|c| (c.few_newborns, c.below_half_time))
        .collect();
    assert_eq!(
        flags,
        [(false, false), (false, false), (true, true), (false, true)]
    );
    assert_eq!(r.report.of_kind("below_half_time").count(), 2);
    let note: Vec<_> = r.report.of_kind("vti_norm").collect();
    assert_eq!(note.len(), 1);
    assert!(
        note[0]
            .message
            .contains("I ett normalområde med ca 60 nyfödda per år")
    );

    // The care-weighted option: the old figures, weighted newborns / 60.
    let spec = VtiSpec {
        norm: Norm::CareWeighted,
        ..VtiSpec::default()
    };
    let r = vti::compute(&table, &spec).unwrap();
    assert_eq!(r.norm, Norm::CareWeighted);
    for (c, w) in r.centres.iter().zip(weighted) {
        close(c.nurse_fte, w / 60.0, 1e-12);
        close(c.nurse_fte, c.weighted_newborns / 60.0, 0.0);
    }
    let total: f64 = r.centres.iter().map(|c| c.nurse_fte).sum();
    close(total, 314.0 / 60.0, 1e-12);
    // D now gets 0.506 FTE: no longer below half time; C (0.394) still is.
    let half: Vec<bool> = r.centres.iter().map(|c| c.below_half_time).collect();
    assert_eq!(half, [false, false, true, false]);
    close(r.centres[1].gap_fte.unwrap(), 106.0 / 60.0 - 1.0, 1e-12);
}

/// Without a `nurse_fte` column there is no current staffing and no gap.
#[test]
fn vti_without_current_staffing_has_no_gap() {
    let csv = b"bvc,newborns,first_born,bcg_indicated,mother_smoking
A,120,48,12,6
";
    let (table, _) = parse_table("bvc.csv", csv, &TableSpec::bvc_vti()).unwrap();
    let r = vti::compute(&table, &VtiSpec::default()).unwrap();
    let a = &r.centres[0];
    assert_eq!((a.current_nurse_fte, a.gap_fte), (None, None));
    // One centre is its own average: 120 / 60 FTE.
    close(a.nurse_fte, 2.0, 1e-12);
}
