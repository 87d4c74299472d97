//! Scenario files: column mapping, custom variables and weights, validation.

use careneed::pipeline;
use careneed::scenario::Scenario;

fn write(dir: &std::path::Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn swedish_headers_custom_variable_and_weights() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "omr.csv",
        "deso;namn;folkmangd;barn;utr;aldre;ensf;infl;arbl;lagutb;bistand\n\
         2180C1010;Gävle 1;1000;60;100;40;20;80;30;90;50\n\
         2180C1020;Gävle 2;2000;150;600;50;70;300;120;200;10\n",
    );
    write(
        dir.path(),
        "s.toml",
        r#"
name = "Swedish headers"
[inputs]
areas = "omr.csv"
[columns]
code = "deso"
name = "namn"
population = "folkmangd"
under5 = "barn"
foreign_born = "utr"
elderly_alone = "aldre"
single_parents = "ensf"
movers = "infl"
unemployed = "arbl"
low_education = "lagutb"
[cni]
reference = 2.0
[cni.weights]
movers = 0
under5 = 1.0
[[cni.extra]]
name = "social_assistance"
column = "bistand"
weight = 2.0
"#,
    );
    let s = Scenario::read(&dir.path().join("s.toml")).unwrap();
    let run = pipeline::run(&s).unwrap();
    let names: Vec<&str> = run.cni.variables.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "elderly_alone",
            "foreign_born",
            "unemployed",
            "single_parents",
            "low_education",
            "under5",
            "social_assistance"
        ]
    );
    // Row 1 by hand: 6.15·40 + 5.72·100 + 5.13·30 + 4.19·20 + 3.97·90 + 1.0·60 + 2.0·50
    let index = 6.15 * 40.0 + 5.72 * 100.0 + 5.13 * 30.0 + 4.19 * 20.0 + 3.97 * 90.0 + 60.0 + 100.0;
    assert!((run.cni.areas[0].index - index).abs() < 1e-9);
    assert!((run.cni.areas[0].cni.unwrap() - index / 1000.0 / 2.0).abs() < 1e-12);
    assert_eq!(run.areas[0].name.as_deref(), Some("Gävle 1"));
    assert!(run.cni.reference.is_given());
}

#[test]
fn unknown_weight_and_bad_values_are_named() {
    for (text, key) in [
        ("[cni.weights]\nmovrs = 2.0\n", "cni.weights.movrs"),
        ("[cni]\nreference = -1\n", "cni.reference"),
        ("[cni.weights]\nmovers = -2.0\n", "cni.weights.movers"),
        ("[inputs]\ncrs = \"EPSG:9999\"\n", "inputs.crs"),
        ("[vti]\nnewborns_per_fte = 0\n", "vti.newborns_per_fte"),
        ("[vti]\nmin_fte_share = 1.5\n", "vti.min_fte_share"),
    ] {
        let err = Scenario::parse("s.toml", text).unwrap_err();
        let loc = err.location().unwrap();
        assert_eq!(loc.field.as_deref(), Some(key), "{err}");
    }
    let err = Scenario::parse("s.toml", "[cni]\nmethod = \"jarman\"\n").unwrap_err();
    assert!(
        err.to_string().contains("jarman") && err.to_string().contains("line 2"),
        "{err}"
    );
    let err = Scenario::parse(
        "s.toml",
        "[columns]\npopulation = \"x\"\n[input]\nareas = \"a\"\n",
    )
    .unwrap_err();
    assert!(err.to_string().contains("input"), "{err}");
}

#[test]
fn the_vti_norm_is_read_and_its_basis_follows_the_scenario() {
    use careneed::scores::vti::Norm;
    let s = Scenario::parse("s.toml", "").unwrap();
    let spec = s.vti_spec();
    assert_eq!(spec.norm, Norm::Relative);
    assert!(spec.set_in_scenario.is_empty());
    let norm = |spec: &careneed::scores::vti::VtiSpec| {
        spec.parameters()
            .into_iter()
            .find(|p| p.name == "vti.norm")
            .unwrap()
    };
    assert_eq!(norm(&spec).basis.source_ids(), ["norrbotten-bhv-2012"]);
    let s = Scenario::parse(
        "s.toml",
        "[vti]\nnorm = \"care_weighted\"\nmin_fte_share = 0.4\n",
    )
    .unwrap();
    let spec = s.vti_spec();
    assert_eq!(spec.norm, Norm::CareWeighted);
    assert_eq!(spec.min_fte_share, 0.4);
    assert_eq!(spec.set_in_scenario, ["vti.norm", "vti.min_fte_share"]);
    assert_eq!(norm(&spec).basis.source_ids(), ["scenario"]);
    assert!(norm(&spec).value.starts_with("care_weighted"));
    let err = Scenario::parse("s.toml", "[vti]\nnorm = \"weighted\"\n").unwrap_err();
    assert!(err.to_string().contains("weighted"), "{err}");
}

#[test]
fn mapping_to_an_unknown_canonical_name_is_named() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.csv", "code,population\nX,1\n");
    write(
        dir.path(),
        "s.toml",
        "[inputs]\nareas = \"a.csv\"\n[columns]\npopulaton = \"folk\"\n",
    );
    let s = Scenario::read(&dir.path().join("s.toml")).unwrap();
    let err = pipeline::run(&s).unwrap_err();
    assert!(err.to_string().contains("populaton"), "{err}");
}
