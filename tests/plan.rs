//! The rollout planner: a two-area county checked by hand, bad scenario input,
//! and properties of ranking and selection.

use careneed::pipeline;
use careneed::plan::programme::Programme;
use careneed::plan::rank::ranks;
use careneed::plan::select::{
    Candidate, Solver, greedy, knapsack, prefix_greedy, prefix_knapsack, select,
};
use careneed::scenario::Scenario;
use proptest::prelude::*;
use std::path::Path;

/// Two 1 km squares, A (west) and B (east), one BVC in each.
fn county(dir: &Path, plan: &str) -> Scenario {
    let w = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    w(
        "areas.csv",
        "code,population,under5,foreign_born,elderly_alone,single_parents,movers,unemployed,low_education\n\
         A,1000,100,100,100,100,100,100,100\n\
         B,1000,200,200,200,200,200,200,200\n",
    );
    w(
        "areas.geojson",
        r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"A"},"geometry":{"type":"Polygon","coordinates":[[[600000,6700000],[601000,6700000],[601000,6701000],[600000,6701000],[600000,6700000]]]}},
{"type":"Feature","properties":{"code":"B"},"geometry":{"type":"Polygon","coordinates":[[[601000,6700000],[602000,6700000],[602000,6701000],[601000,6701000],[601000,6700000]]]}}]}"#,
    );
    w(
        "bvc.geojson",
        r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"bvc":"west","name":"BVC West"},"geometry":{"type":"Point","coordinates":[600500,6700500]}},
{"type":"Feature","properties":{"bvc":"east","name":"BVC East"},"geometry":{"type":"Point","coordinates":[601500,6700500]}}]}"#,
    );
    w(
        "bvc_vti.csv",
        "bvc,newborns,first_born,bcg_indicated,mother_smoking\nwest,10,5,5,0\neast,20,4,0,0\n",
    );
    w(
        "births.csv",
        "code,births,first_births,first_in_sweden\nA,10,4,1\nB,20,6,4\n",
    );
    let text = format!(
        "[inputs]\nareas = \"areas.csv\"\nboundaries = \"areas.geojson\"\nbvc_points = \"bvc.geojson\"\nbvc_table = \"bvc_vti.csv\"\nbirths = \"births.csv\"\n\n[plan]\n{plan}\n"
    );
    w("s.toml", &text);
    Scenario::read(&dir.join("s.toml")).unwrap()
}

// By hand: index A = 32.58 × 100 = 3258, B = 6516; R = 9774 / 2000 = 4.887;
// CNI A = 2/3, B = 4/3. Eligible A = 4 + 1 = 5, B = 6 + 4 = 10.
// Need: west 5 × 2/3 = 3.333, east 10 × 4/3 = 13.333.
// FTE per family (rinkeby): 0.83 accepting × 2227/3384 of the planned visits ×
// (4 extra nurse visits, the basic programme's 2 subtracted, + 6 parent
// supporter visits) × 2 h / 1600 h.
const FTE_PER_FAMILY: f64 = 0.83 * 2227.0 / 3384.0 * (4.0 + 6.0) * 2.0 / 1600.0;

fn selected(run: &pipeline::Run) -> Vec<(String, Option<usize>)> {
    let p = run.plan.as_ref().unwrap();
    p.order
        .iter()
        .map(|&i| (p.catchments[i].bvc.clone(), p.catchments[i].phase))
        .collect()
}

#[test]
fn two_area_county_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let run = pipeline::run(&county(dir.path(), "budget_fte = 0.05")).unwrap();
    let p = run.plan.as_ref().unwrap();
    let east = &p.catchments[p.order[0]];
    let west = &p.catchments[p.order[1]];
    assert_eq!((east.bvc.as_str(), east.rank), ("east", 1));
    assert_eq!((west.bvc.as_str(), west.rank), ("west", 2));
    assert!((east.cni.unwrap() - 4.0 / 3.0).abs() < 1e-9);
    assert_eq!(east.eligible_families, 10.0);
    assert_eq!(west.eligible_families, 5.0);
    assert_eq!(east.eligibility, "births");
    assert!((east.need - 40.0 / 3.0).abs() < 1e-9);
    assert!((west.need - 10.0 / 3.0).abs() < 1e-9);
    assert!((east.resources.fte_total - 10.0 * FTE_PER_FAMILY).abs() < 1e-12);
    assert!((east.resources.visits - 10.0 * 0.83 * 6.0 * 2227.0 / 3384.0).abs() < 1e-9);
    // 0.05 FTE: east (0.0683) does not fit, west (0.0341) does.
    assert_eq!(
        selected(&run),
        [("east".into(), None), ("west".into(), Some(1))]
    );
    assert!(p.eligibility.contains("first_births + first_in_sweden"));
    // Municipalities are the codes' first four characters: "A" and "B".
    let m: Vec<(&str, f64, f64, usize, &[usize])> = p
        .municipalities
        .iter()
        .map(|m| {
            (
                m.code.as_str(),
                m.population,
                m.eligible_families,
                m.catchments,
                m.catchments_above.as_slice(),
            )
        })
        .collect();
    // Threshold 1.0 (the reference average): B's catchment (CNI 4/3) is above.
    assert_eq!(
        m,
        [
            ("A", 1000.0, 5.0, 1, [0].as_slice()),
            ("B", 1000.0, 10.0, 1, [1].as_slice())
        ]
    );
    // Need per municipality: eligible × CNI; B's catchment is not selected.
    assert!((p.municipalities[1].need - 40.0 / 3.0).abs() < 1e-9);
    assert_eq!(
        (p.municipalities[0].selected, p.municipalities[1].selected),
        (1, 0)
    );
    assert!(
        (p.municipalities[0].region.fte + p.municipalities[0].municipality.fte
            - 5.0 * FTE_PER_FAMILY)
            .abs()
            < 1e-12
    );
    assert!((p.municipalities[1].cni.unwrap() - 4.0 / 3.0).abs() < 1e-9);
    // Areas ranked by eligible × CNI: B 13.3, A 3.3.
    assert_eq!(p.areas[0].code, "B");
    assert!((p.areas[1].need - 10.0 / 3.0).abs() < 1e-9);

    let run = pipeline::run(&county(dir.path(), "budget_fte = 0.1")).unwrap();
    assert_eq!(
        selected(&run),
        [("east".into(), Some(1)), ("west".into(), None)]
    );
    let run = pipeline::run(&county(dir.path(), "budget_fte = 0.13")).unwrap();
    assert_eq!(
        selected(&run),
        [("east".into(), Some(1)), ("west".into(), Some(1))]
    );
    // Two waves of 0.05 and 0.08: both chosen (0.1024 ≤ 0.13); east, first in
    // priority, does not fit wave 1 and goes to wave 2, west then fits wave 1.
    let run = pipeline::run(&county(
        dir.path(),
        "[[plan.phases]]\nbudget_fte = 0.05\n[[plan.phases]]\nbudget_fte = 0.08",
    ))
    .unwrap();
    assert_eq!(
        selected(&run),
        [("east".into(), Some(2)), ("west".into(), Some(1))]
    );
    // Only catchments with CNI above 1: west is out.
    let run = pipeline::run(&county(dir.path(), "budget_fte = 0.05\nmin_cni = 1.0")).unwrap();
    assert_eq!(
        selected(&run),
        [("east".into(), None), ("west".into(), None)]
    );
    // VTI: west 5/10/3 + 5/10 = 2/3, east 4/20/3 = 1/15; mean of 1 + vti weighted
    // by newborns (10 × 5/3 + 20 × 16/15) / 30 = 38/30; relative west 25/19 = 1.316,
    // east 16/19 = 0.842. Only relative VTI above 1: east is out.
    let run = pipeline::run(&county(
        dir.path(),
        "budget_fte = 0.13\nmin_relative_vti = 1.0",
    ))
    .unwrap();
    let p = run.plan.as_ref().unwrap();
    assert!((p.catchments[p.order[1]].relative_vti.unwrap() - 25.0 / 19.0).abs() < 1e-9);
    assert_eq!(
        selected(&run),
        [("east".into(), None), ("west".into(), Some(1))]
    );
    // Budget 0 selects only the locked-in, as wave 0 (running).
    let run = pipeline::run(&county(dir.path(), "budget_fte = 0\nlock_in = [\"west\"]")).unwrap();
    assert_eq!(
        selected(&run),
        [("east".into(), None), ("west".into(), Some(0))]
    );
    // A running pilot costs the new waves nothing: with 0.07 FTE east still fits.
    let run = pipeline::run(&county(
        dir.path(),
        "budget_fte = 0.07\nlock_in = [\"west\"]",
    ))
    .unwrap();
    assert_eq!(
        selected(&run),
        [("east".into(), Some(1)), ("west".into(), Some(0))]
    );
    // A municipality that does not take part: its catchment is never chosen.
    let run = pipeline::run(&county(
        dir.path(),
        "budget_fte = 1\nmunicipalities_out = [\"B\"]",
    ))
    .unwrap();
    assert_eq!(
        selected(&run),
        [("east".into(), None), ("west".into(), Some(1))]
    );
    let p = run.plan.as_ref().unwrap();
    assert_eq!(
        p.catchments[p.order[0]].reason,
        Some(careneed::plan::Reason::MunicipalityOut)
    );
    assert!(!p.municipalities[1].taking_part);
    let err = pipeline::run(&county(dir.path(), "municipalities = [\"Z\"]"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("plan.municipalities") && err.contains("\"Z\""),
        "{err}"
    );
}

#[test]
fn programme_overrides_change_the_staff_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let run = pipeline::run(&county(
        dir.path(),
        "preset = \"torvalla\"\nacceptance = 0.5\n\
         [plan.programme]\nminutes_per_visit = 60\ntravel_minutes = 0\nhours_per_fte = 1000\n\
         [plan.programme.staff]\nnurse = 4\n\
         [plan.completion]\nvisits = 100\nfamilies = 50\ncompleted_all = 10\nprogramme_visits = 4",
    ))
    .unwrap();
    let p = run.plan.as_ref().unwrap();
    // Completion 100 / (50 × 4) = 0.5, so 2 visits per accepting family.
    assert_eq!(p.visits_per_accepting_family, 2.0);
    let east = p.catchments.iter().find(|c| c.bvc == "east").unwrap();
    // Torvalla is offered to all newborns: east's 20 births, not its 10 first
    // births. 20 × 0.5 = 10 accepting × 2 visits = 20 visits (gross). The
    // basic programme's 2 home visits are the nurse's anyway: 2 of her 4 are
    // extra, so 10 extra visits × 1 h = 10 h = 0.01 FTE.
    assert_eq!(east.eligible_families, 20.0);
    assert_eq!(east.resources.visits, 20.0);
    assert_eq!(east.resources.extra_visits, 10.0);
    assert_eq!(east.resources.fte.keys().collect::<Vec<_>>(), ["nurse"]);
    assert!((east.resources.fte_total - 0.01).abs() < 1e-12);
    assert!(
        p.eligibility.contains("eligible families = births"),
        "{}",
        p.eligibility
    );
}

#[test]
fn without_births_the_estimate_is_stated() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = county(dir.path(), "budget_fte = 1\nfirst_born_share = 0.5");
    s.inputs.births = None;
    let run = pipeline::run(&s).unwrap();
    let p = run.plan.as_ref().unwrap();
    // under5 / 5 × 0.5: A 100 → 10, B 200 → 20.
    let east = p.catchments.iter().find(|c| c.bvc == "east").unwrap();
    assert!((east.eligible_families - 20.0).abs() < 1e-12);
    assert!(
        p.eligibility
            .contains("first-born share of 0.5 (assumption)")
    );
    assert!(
        run.report
            .of_kind("eligibility")
            .any(|n| n.message.contains("assumption"))
    );
}

#[test]
fn budget_in_sek_uses_salaries() {
    let dir = tempfile::tempdir().unwrap();
    let run = pipeline::run(&county(
        dir.path(),
        "budget_sek = 50000\n[plan.salaries]\nnurse = 700000\nparent_supporter = 500000",
    ))
    .unwrap();
    let p = run.plan.as_ref().unwrap();
    let east = p.catchments.iter().find(|c| c.bvc == "east").unwrap();
    // cost = 10 families × 0.83 × 2227/3384 × 2 h / 1600 h × (4 nurse visits ×
    // 700 000 + 6 parent supporter visits × 500 000)
    let cost = 10.0 * 0.83 * 2227.0 / 3384.0 * 2.0 / 1600.0 * (4.0 * 700_000.0 + 6.0 * 500_000.0);
    assert!((east.cost - cost).abs() < 1e-6, "{} {cost}", east.cost);
    assert_eq!(
        east.resources.cost_sek.map(|c| c.round()),
        Some(cost.round())
    );
    // 39 601 SEK for east fits 50 000; west (19 800) does not fit as well.
    assert_eq!(
        selected(&run),
        [("east".into(), Some(1)), ("west".into(), None)]
    );
}

#[test]
fn monte_carlo_is_seeded() {
    let dir = tempfile::tempdir().unwrap();
    let s = county(
        dir.path(),
        "budget_fte = 0.2\n[plan.robustness]\ndraws = 200\nseed = 7",
    );
    let a = pipeline::run(&s).unwrap();
    let b = pipeline::run(&s).unwrap();
    let (pa, pb) = (a.plan.unwrap(), b.plan.unwrap());
    assert_eq!(pa.robustness, pb.robustness);
    let east = pa.catchments.iter().find(|c| c.bvc == "east").unwrap();
    // East has twice the counts of west: always rank 1, nearly always selected.
    assert_eq!(east.rank_interval, Some((1, 1)));
    assert!(east.p_selected.unwrap() > 0.9);
}

fn bad(plan: &str) -> String {
    let text = format!("[inputs]\nareas = \"a.csv\"\n\n[plan]\n{plan}\n");
    Scenario::parse("s.toml", &text).unwrap_err().to_string()
}

#[test]
fn unknown_preset_is_named() {
    let e = bad("preset = \"malmo\"");
    assert!(e.contains("plan.preset") && e.contains("malmo"), "{e}");
    assert!(e.contains("vaxa-tryggt"), "{e}");
}

#[test]
fn negative_budget_is_named() {
    let e = bad("budget_fte = -1");
    assert!(e.contains("plan.budget_fte") && e.contains("-1"), "{e}");
    let e = bad("[[plan.phases]]\nbudget_fte = 1\n[[plan.phases]]\nbudget_fte = -0.5");
    assert!(e.contains("plan.phases[1].budget_fte"), "{e}");
}

#[test]
fn lock_in_and_out_of_the_same_catchment_is_named() {
    let e = bad("lock_in = [\"2180-1\"]\nlock_out = [\"2180-2\", \"2180-1\"]");
    assert!(e.contains("plan.lock_in[0]") && e.contains("2180-1"), "{e}");
}

#[test]
fn acceptance_outside_zero_one_is_named() {
    for a in ["1.2", "-0.1", "nan"] {
        let e = bad(&format!("acceptance = {a}"));
        assert!(e.contains("plan.acceptance"), "{e}");
    }
    assert!(Scenario::parse("s.toml", "[plan]\nacceptance = 0.65\n").is_ok());
}

#[test]
fn misspelt_plan_key_is_named() {
    let e = bad("budjet_fte = 2");
    assert!(e.contains("budjet_fte") && e.contains("line 5"), "{e}");
    let e = bad("[plan.programme]\nminutes_per_vist = 60");
    assert!(e.contains("minutes_per_vist"), "{e}");
    let e = bad("rank_by = \"cnii\"");
    assert!(e.contains("cnii"), "{e}");
}

#[test]
fn other_bad_plan_keys_are_named() {
    assert!(bad("budget_fte = 1\nbudget_sek = 2").contains("plan.budget_sek"));
    assert!(bad("[plan.salaries]\nmidwife = 1").contains("plan.salaries.midwife"));
    assert!(bad("[plan.programme.staff]\nnurse = 7").contains("plan.programme.staff.nurse"));
    assert!(bad("[plan.completion]\nvisits = 9999").contains("plan.completion.visits"));
    assert!(bad("[plan.robustness]\ndraws = 0").contains("plan.robustness.draws"));
    // At most MAX_DRAWS (100 000) draws.
    let too_many = bad("[plan.robustness]\ndraws = 100001");
    assert!(
        too_many.contains("plan.robustness.draws") && too_many.contains("100000"),
        "{too_many}"
    );
    let most = "[inputs]\nareas = \"a.csv\"\n\n[plan]\n[plan.robustness]\ndraws = 100000\n";
    assert!(Scenario::parse("s.toml", most).is_ok());
    assert!(bad("[plan.robustness]\nweight_spread = 1.5").contains("weight_spread"));
    assert!(bad("first_born_share = 2").contains("plan.first_born_share"));
}

#[test]
fn lock_in_of_an_unknown_catchment_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let e = pipeline::run(&county(dir.path(), "lock_in = [\"north\"]"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("plan.lock_in") && e.contains("north"), "{e}");
}

fn candidates() -> impl Strategy<Value = Vec<(f64, f64, bool, bool)>> {
    prop::collection::vec(
        (
            0.0..100.0f64,
            0.01..3.0f64,
            prop::bool::weighted(0.15),
            prop::bool::weighted(0.85),
        ),
        1..12,
    )
}

fn to_candidates(v: &[(f64, f64, bool, bool)]) -> Vec<Candidate> {
    v.iter()
        .map(|&(need, cost, locked_in, allowed)| Candidate {
            need,
            cost,
            locked_in,
            allowed,
        })
        .collect()
}

/// Three 1 km squares in a row, A, B and C; BVC west 100 m from A's centroid
/// (900 m from B's), BVC east 200 m from C's (1 200 m from B's): west serves A
/// and B, A nearest; east serves C.
fn row_county(dir: &Path, plan: &str) -> Scenario {
    let w = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    w(
        "areas.csv",
        "code,population,under5,foreign_born,elderly_alone,single_parents,movers,unemployed,low_education\n\
         A,1000,100,100,100,100,100,100,100\n\
         B,1000,200,200,200,200,200,200,200\n\
         C,1000,150,150,150,150,150,150,150\n",
    );
    let square = |code: &str, x: u32| {
        format!(
            r#"{{"type":"Feature","properties":{{"code":"{code}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},6700000],[{x1},6700000],[{x1},6701000],[{x},6701000],[{x},6700000]]]}}}}"#,
            x1 = x + 1000
        )
    };
    w(
        "areas.geojson",
        &format!(
            r#"{{"type":"FeatureCollection","features":[{},{},{}]}}"#,
            square("A", 600000),
            square("B", 601000),
            square("C", 602000)
        ),
    );
    w(
        "bvc.geojson",
        r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"bvc":"west"},"geometry":{"type":"Point","coordinates":[600600,6700500]}},
{"type":"Feature","properties":{"bvc":"east"},"geometry":{"type":"Point","coordinates":[602700,6700500]}}]}"#,
    );
    w(
        "births.csv",
        "code,births,first_births,first_in_sweden\nA,10,4,1\nB,20,6,4\nC,16,6,2\n",
    );
    let text = format!(
        "[inputs]\nareas = \"areas.csv\"\nboundaries = \"areas.geojson\"\nbvc_points = \"bvc.geojson\"\nbirths = \"births.csv\"\n\n[plan]\nunits = \"areas\"\nneed_weight = \"none\"\n{plan}\n"
    );
    w("s.toml", &text);
    Scenario::read(&dir.join("s.toml")).unwrap()
}

/// `(bvc, areas covered, phase)` of the exact and of the greedy selection, by BVC id.
fn covered(run: &pipeline::Run) -> Vec<(String, Option<usize>, Option<usize>)> {
    let p = run.plan.as_ref().unwrap();
    p.catchments
        .iter()
        .map(|c| (c.bvc.clone(), c.areas_covered, c.phase))
        .collect()
}

#[test]
fn areas_as_units_by_hand() {
    // Need weight none: need = eligible families. A 4 + 1 = 5, B 6 + 4 = 10,
    // C 6 + 2 = 8; each costs its families × FTE_PER_FAMILY (F). West's prefixes:
    // A (5 at 5F), A + B (15 at 15F); east's: C (8 at 8F).
    let dir = tempfile::tempdir().unwrap();
    let f = FTE_PER_FAMILY;
    // 0.096 FTE = 14.06 F: west whole (15 F) does not fit; A and C (13 F) reach 13.
    let run = pipeline::run(&row_county(dir.path(), "budget_fte = 0.096")).unwrap();
    assert_eq!(
        covered(&run),
        [
            ("east".into(), Some(1), Some(1)),
            ("west".into(), Some(1), Some(1))
        ]
    );
    let p = run.plan.as_ref().unwrap();
    let (exact, greedy) = (p.exact.as_ref().unwrap(), p.greedy.as_ref().unwrap());
    assert!((exact.need - 13.0).abs() < 1e-9 && (exact.cost - 13.0 * f).abs() < 1e-12);
    let west = &p.catchments[1];
    assert_eq!(
        (west.areas_total, west.covered_eligible_families),
        (2, Some(5.0))
    );
    assert!((west.covered_resources.as_ref().unwrap().fte_total - 5.0 * f).abs() < 1e-12);
    // West's municipality (A: the tie between A's and B's 1 000 residents goes
    // to the first code) counts the covered families only.
    let muni_a = p.municipalities.iter().find(|m| m.code == "A").unwrap();
    assert_eq!((muni_a.selected, muni_a.selected_eligible), (1, 5.0));
    // Whole catchments could only take east (8).
    let mut whole = row_county(dir.path(), "budget_fte = 0.096");
    whole.plan.as_mut().unwrap().units = None;
    let run_whole = pipeline::run(&whole).unwrap();
    let pw = run_whole.plan.as_ref().unwrap();
    assert_eq!(pw.exact.as_ref().unwrap().need, 8.0);
    assert_eq!(pw.catchments[1].areas_covered, Some(0));
    // Areas: west's A is nearest (rank 1) and covered, its B (rank 2) not.
    let area = |code: &str| p.areas.iter().find(|a| a.code == code).unwrap();
    assert_eq!(
        (
            area("A").bvc.as_deref(),
            area("A").distance_rank,
            area("A").covered
        ),
        (Some("west"), Some(1), Some(true))
    );
    assert_eq!(
        (area("B").distance_rank, area("B").covered),
        (Some(2), Some(false))
    );
    assert_eq!(greedy.need, 13.0);
    assert_eq!(p.gap, Some(0.0));
    // Released: west's covered part (5 eligible, 4.15 accepting) is below 5 and
    // withheld; east's (all of it, 8) is shown. plan_areas.csv names the BVC,
    // the distance rank and whether the area is covered.
    let rel = run.release();
    let reason = |bvc: &str| {
        let c = rel.catchments.iter().find(|c| c.bvc == bvc).unwrap();
        c.plan.as_ref().unwrap().reason.clone()
    };
    assert_eq!(
        reason("west"),
        "chosen: wave 1 (its 1 area(s) nearest the BVC, of 2)"
    );
    assert_eq!(reason("east"), "chosen: wave 1");
    let csv = String::from_utf8(careneed::outputs::csv::plan(&rel).unwrap()).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let tail = &header[header.len() - 5..];
    assert_eq!(
        tail,
        [
            "areas",
            "areas_covered",
            "covered_eligible_families",
            "covered_fte",
            "mean_covered_share"
        ]
    );
    let row = |bvc: &str| -> Vec<String> {
        let line = csv
            .lines()
            .find(|l| l.contains(&format!(",{bvc},")))
            .unwrap();
        let v: Vec<String> = line.split(',').map(String::from).collect();
        v[v.len() - 5..].to_vec()
    };
    assert_eq!(row("west")[..4], ["2", "1", "..", ".."]);
    assert_eq!(row("east")[..3], ["1", "1", "8"]);
    let areas = String::from_utf8(careneed::outputs::csv::plan_areas(&rel).unwrap()).unwrap();
    assert!(areas.starts_with("rank,code,cni,eligible_families,need,bvc,distance_rank,covered\n"));
    assert!(
        areas
            .lines()
            .any(|l| l.contains(",B,") && l.ends_with(",west,2,false")),
        "{areas}"
    );

    // 0.11 FTE = 16.1 F: A + B (15) beats A + C (13). Greedy by need per FTE
    // (all 1 / F; ties to the first catchment, east) takes C, A, then B no
    // longer fits (23 F): 13, a gap of 2.
    let run = pipeline::run(&row_county(dir.path(), "budget_fte = 0.11")).unwrap();
    assert_eq!(
        covered(&run),
        [
            ("east".into(), Some(0), None),
            ("west".into(), Some(2), Some(1))
        ]
    );
    let p = run.plan.as_ref().unwrap();
    assert_eq!(p.greedy.as_ref().unwrap().covered, Some(vec![1, 1]));
    assert!((p.gap.unwrap() - 2.0).abs() < 1e-9);
    // East is described by its nearest area, C (8 F), against the 0.11 − 15 F left.
    match &p.catchments[0].reason {
        Some(careneed::plan::Reason::DoesNotFit { cost, left, .. }) => {
            assert!((cost - 8.0 * f).abs() < 1e-12);
            assert!((left - (0.11 - 15.0 * f)).abs() < 1e-12);
        }
        r => panic!("{r:?}"),
    }
    let rel = run.release();
    let east = rel.catchments.iter().find(|c| c.bvc == "east").unwrap();
    let why = &east.plan.as_ref().unwrap().reason;
    assert!(
        why.starts_with("does not fit the 0.01 FTE left after wave 1 (it needs 0.05 FTE)"),
        "{why}"
    );
    // A running pilot covers its whole catchment (wave 0); 0.05 FTE = 7.3 F then
    // buys west's nearest area A (5 F), not A + B.
    let run = pipeline::run(&row_county(
        dir.path(),
        "budget_fte = 0.05\nlock_in = [\"east\"]",
    ))
    .unwrap();
    assert_eq!(
        covered(&run),
        [
            ("east".into(), Some(1), Some(0)),
            ("west".into(), Some(1), Some(1))
        ]
    );
    // The Monte Carlo selects the same way in every draw.
    let run = pipeline::run(&row_county(
        dir.path(),
        "budget_fte = 0.11\n[plan.robustness]\ndraws = 200",
    ))
    .unwrap();
    let p = run.plan.as_ref().unwrap();
    for c in &p.catchments {
        let (ps, share) = (c.p_selected.unwrap(), c.mean_covered_share.unwrap());
        assert!(
            (0.0..=1.0).contains(&ps) && (0.0..=ps).contains(&share),
            "{ps} {share}"
        );
    }
    assert!(p.catchments[1].p_selected.unwrap() > 0.5);
}

#[test]
fn areas_as_units_need_bvc_points() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = row_county(dir.path(), "budget_fte = 0.1");
    s.inputs.bvc_points = None;
    s.inputs.catchment_polygons = Some("areas.geojson".into());
    s.inputs.bvc_field = Some("code".into());
    let err = pipeline::run(&s).unwrap_err().to_string();
    assert!(
        err.contains("plan.units") && err.contains("bvc_points"),
        "{err}"
    );
    let err = Scenario::parse("s.toml", "[plan]\nunits = \"streets\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("streets"), "{err}");
}

/// Every combination of prefixes: the best need within `cap`.
fn brute_force_prefixes(need: &[Vec<f64>], cost: &[Vec<f64>], cap: f64) -> f64 {
    let mut best: f64 = 0.0;
    let mut k = vec![0usize; need.len()];
    loop {
        let v: f64 = (0..k.len())
            .map(|g| need[g][..k[g]].iter().sum::<f64>())
            .sum();
        let c: f64 = (0..k.len())
            .map(|g| cost[g][..k[g]].iter().sum::<f64>())
            .sum();
        if c <= cap + 1e-9 * cap.max(1.0) {
            best = best.max(v);
        }
        let Some(g) = (0..k.len()).find(|&g| k[g] < need[g].len()) else {
            return best;
        };
        k[g] += 1;
        for x in &mut k[..g] {
            *x = 0;
        }
    }
}

fn brute_force(need: &[f64], cost: &[f64], cap: f64) -> f64 {
    (0u32..1 << need.len())
        .filter_map(|m| {
            let (mut v, mut c) = (0.0, 0.0);
            for i in 0..need.len() {
                if m >> i & 1 == 1 {
                    v += need[i];
                    c += cost[i];
                }
            }
            (c <= cap + 1e-9 * cap.max(1.0)).then_some(v)
        })
        .fold(0.0, f64::max)
}

proptest! {
    #[test]
    fn prefix_knapsack_is_exact_and_never_below_greedy(
        groups in prop::collection::vec(
            prop::collection::vec((0.0..50.0f64, 0.0..3.0f64), 0..5),
            1..5,
        ),
        cap in 0.0..8.0f64,
    ) {
        let need: Vec<Vec<f64>> = groups.iter().map(|g| g.iter().map(|x| x.0).collect()).collect();
        let cost: Vec<Vec<f64>> = groups.iter().map(|g| g.iter().map(|x| x.1).collect()).collect();
        let k = prefix_knapsack(&need, &cost, cap).unwrap();
        let sum = |x: &[Vec<f64>], k: &[usize]| -> f64 {
            x.iter().zip(k).map(|(v, &k)| v[..k].iter().sum::<f64>()).sum()
        };
        prop_assert!(sum(&cost, &k) <= cap + 1e-9 * cap.max(1.0));
        let best = brute_force_prefixes(&need, &cost, cap);
        let value = sum(&need, &k);
        prop_assert!((value - best).abs() <= 1e-9 * best.max(1.0), "{value} vs {best}");
        let g = prefix_greedy(&need, &cost, cap);
        prop_assert!(sum(&cost, &g) <= cap + 1e-9 * cap.max(1.0));
        prop_assert!(value >= sum(&need, &g) - 1e-9);
        // No covered prefix ends in an area without need.
        for (v, &k) in need.iter().zip(&k) {
            prop_assert!(k == 0 || v[k - 1] > 0.0);
        }
    }

    #[test]
    fn raising_need_never_lowers_rank(
        need in prop::collection::vec(0.0..50.0f64, 1..30),
        pick in any::<prop::sample::Index>(),
        raise in 0.0..20.0f64,
    ) {
        let ids: Vec<String> = (0..need.len()).map(|i| format!("bvc-{:02}", (i * 7) % 31)).collect();
        let i = pick.index(need.len());
        let before = ranks(&need.iter().map(|&x| Some(x)).collect::<Vec<_>>(), &ids)[i];
        let mut raised = need.clone();
        raised[i] += raise;
        let after = ranks(&raised.iter().map(|&x| Some(x)).collect::<Vec<_>>(), &ids)[i];
        prop_assert!(after <= before, "rank {before} became {after}");
    }

    #[test]
    fn knapsack_is_exact_and_never_below_greedy(
        need in prop::collection::vec(0.0..100.0f64, 1..12),
        cost in prop::collection::vec(0.0..3.0f64, 12),
        cap in 0.0..8.0f64,
    ) {
        let cost = &cost[..need.len()];
        let chosen = knapsack(&need, cost, cap).unwrap();
        let value: f64 = chosen.iter().map(|&i| need[i]).sum();
        let spent: f64 = chosen.iter().map(|&i| cost[i]).sum();
        prop_assert!(spent <= cap + 1e-9 * cap.max(1.0));
        let best = brute_force(&need, cost, cap);
        prop_assert!((value - best).abs() <= 1e-9 * best.max(1.0), "{value} vs {best}");
        let g: f64 = greedy(&need, cost, cap).iter().map(|&i| need[i]).sum();
        prop_assert!(value >= g - 1e-9);
    }

    #[test]
    fn budget_zero_selects_only_locked_in(c in candidates()) {
        let cands = to_candidates(&c);
        for solver in [Solver::Exact, Solver::Greedy] {
            let s = select(&cands, &[0.0], solver, &[]).unwrap();
            for (i, x) in cands.iter().enumerate() {
                prop_assert_eq!(s.wave[i].is_some(), x.locked_in);
            }
        }
    }

    #[test]
    fn larger_budget_never_reaches_less_need(
        c in candidates(),
        b in 0.0..6.0f64,
        more in 0.0..3.0f64,
        waves in 1usize..4,
    ) {
        let cands = to_candidates(&c);
        let split = |total: f64| vec![total / waves as f64; waves];
        let small = select(&cands, &split(b), Solver::Exact, &[]).unwrap();
        let large = select(&cands, &split(b + more), Solver::Exact, &[]).unwrap();
        prop_assert!(large.need >= small.need - 1e-9, "{} < {}", large.need, small.need);
        // Every wave keeps to its cumulative budget (beyond the lock-ins).
        let locked: f64 = cands.iter().filter(|x| x.locked_in).map(|x| x.cost).sum();
        let mut spent = 0.0;
        for (k, w) in large.waves.iter().enumerate() {
            spent += w.cost;
            let budget = (b + more) / waves as f64 * (k + 1) as f64;
            prop_assert!(spent <= budget.max(locked) + 1e-9 * (b + more).max(1.0));
        }
    }
}

#[test]
fn monte_carlo_does_not_depend_on_threads() {
    let dir = tempfile::tempdir().unwrap();
    let s = county(
        dir.path(),
        "budget_fte = 0.1\n[plan.robustness]\ndraws = 300\nseed = 11",
    );
    let on = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| pipeline::run(&s).unwrap().plan.unwrap().robustness)
    };
    let one = on(1);
    assert!(one.is_some());
    assert_eq!(one, on(3));
    // A different seed gives different draws.
    let mut other = s.clone();
    other
        .plan
        .as_mut()
        .unwrap()
        .robustness
        .as_mut()
        .unwrap()
        .seed = Some(12);
    let p = pipeline::run(&other)
        .unwrap()
        .plan
        .unwrap()
        .robustness
        .unwrap();
    assert_ne!(Some(p.p_selected), one.map(|r| r.p_selected));
}

#[test]
fn a_plan_without_catchments_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = county(dir.path(), "budget_fte = 1");
    s.inputs.bvc_points = None;
    let e = pipeline::run(&s).unwrap_err().to_string();
    assert!(
        e.contains("field \"plan\"") && e.contains("bvc_points"),
        "{e}"
    );
}

/// Issue 12: switching the demo scenario to any preset runs as it is; the
/// professions the scenario gives no salary for use the illustrative defaults,
/// and the plan says so among its assumptions.
#[test]
fn every_preset_runs_with_the_demo_scenario() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo");
    for preset in careneed::plan::programme::PRESETS {
        let mut s = Scenario::read(&dir.join("scenario.toml")).unwrap();
        let plan = s.plan.as_mut().unwrap();
        plan.preset = Some(preset.to_string());
        plan.robustness = None;
        let run = pipeline::run(&s).unwrap_or_else(|e| panic!("{preset}: {e}"));
        let p = run.plan.as_ref().unwrap();
        assert!(
            p.catchments.iter().all(|c| c.resources.cost_sek.is_some()),
            "{preset}"
        );
        // The demo gives no salaries; with nurse and parent supporter
        // salaries set, any other profession is an illustrative default, named
        // as an assumption.
        let plan = s.plan.as_mut().unwrap();
        plan.salaries = [("nurse", 700_000.0), ("parent_supporter", 500_000.0)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .filter(|(k, _)| Programme::preset(preset).unwrap().staff.contains_key(k))
            .collect();
        let spec = s.plan_spec().unwrap().unwrap();
        let others: Vec<&String> = spec
            .programme
            .staff
            .keys()
            .filter(|k| !["nurse", "parent_supporter"].contains(&k.as_str()))
            .collect();
        let assumptions = spec.programme.assumptions();
        let line = assumptions
            .iter()
            .find(|a| a.starts_with("illustrative default salaries"));
        match line {
            Some(l) => {
                assert!(!others.is_empty(), "{preset}: {l}");
                assert!(
                    others.iter().all(|o| l.contains(o.as_str())),
                    "{preset}: {l}"
                );
                assert!(
                    !l.contains("nurse 720000,") && !l.contains("parent_supporter"),
                    "{l}"
                );
            }
            None => assert!(others.is_empty(), "{preset}: {others:?} unlabelled"),
        }
        assert!(pipeline::run(&s).is_ok(), "{preset}");
    }
    // Without [plan.salaries] every salary is an illustrative default, and a
    // budget in SEK works.
    let s = Scenario::parse(
        "s.toml",
        "[inputs]\nareas = \"a.csv\"\n[plan]\npreset = \"vaxa-tryggt\"\nbudget_sek = 1000000\n",
    )
    .unwrap();
    let spec = s.plan_spec().unwrap().unwrap();
    let assumptions = spec.programme.assumptions();
    let line = assumptions
        .iter()
        .find(|a| a.starts_with("illustrative default salaries"))
        .unwrap();
    for p in [
        "nurse 720000",
        "parent_supporter 560000",
        "midwife 760000",
        "dental_nurse 520000",
    ] {
        assert!(line.contains(p), "{line}");
    }
}

/// Issue 12, item 8: BarnSäkert as a competing demand on the same staff, by hand.
#[test]
fn barnsakert_competes_for_the_same_staff() {
    let dir = tempfile::tempdir().unwrap();
    // Births: west (area A) 10, east (B) 20. Defaults: 10 % positive, 2 visits,
    // half with social services, 90 + 30 minutes, 1 600 h.
    let run = pipeline::run(&county(dir.path(), "budget_fte = 0.04\n[plan.barnsakert]")).unwrap();
    let p = run.plan.as_ref().unwrap();
    let east = p.catchments.iter().find(|c| c.bvc == "east").unwrap();
    let d = east.barnsakert.unwrap();
    // 20 × 0.1 = 2 families × 2 visits = 4 visits × 2 h = 8 h = 0.005 FTE; social half.
    assert_eq!((d.births, d.visits), (20.0, 4.0));
    assert!((d.nurse_fte - 0.005).abs() < 1e-12 && (d.social_fte - 0.0025).abs() < 1e-12);
    let t = p.barnsakert.unwrap();
    assert!((t.nurse_fte - 0.0075).abs() < 1e-12 && (t.social_fte - 0.00375).abs() < 1e-12);
    // Reported beside the plan: west (0.0341 FTE) fits 0.04.
    assert_eq!(
        selected(&run),
        [("east".into(), None), ("west".into(), Some(1))]
    );
    assert_eq!(p.budgets, [0.04]);
    // Taken from the budget: 0.04 − 0.01125 = 0.02875 leaves no room for west.
    let run = pipeline::run(&county(
        dir.path(),
        "budget_fte = 0.04\n[plan.barnsakert]\nin_budget = true\npositive_share = 0.1",
    ))
    .unwrap();
    let p = run.plan.as_ref().unwrap();
    assert!((p.budgets[0] - 0.02875).abs() < 1e-12);
    assert_eq!(
        selected(&run),
        [("east".into(), None), ("west".into(), None)]
    );
    // Its figures are assumptions, the programme's existence is cited.
    let params = p.spec.parameters();
    let b = |n: &str| params.iter().find(|x| x.name == n).unwrap().basis.clone();
    assert!(b("plan.barnsakert.positive_share").is_assumption());
    assert!(b("plan.barnsakert.visits_per_family").is_assumption());
    assert_eq!(
        b("plan.barnsakert").source_ids(),
        ["gavleborg-interpellation"]
    );
    // A SEK budget cannot take it.
    let err = pipeline::run(&county(
        dir.path(),
        "budget_sek = 50000\n[plan.barnsakert]\nin_budget = true",
    ))
    .unwrap_err()
    .to_string();
    assert!(err.contains("plan.barnsakert.in_budget"), "{err}");
    let err = Scenario::parse(
        "s.toml",
        "[inputs]\nareas = \"a.csv\"\n[plan]\n[plan.barnsakert]\npositive_share = 2\n",
    )
    .and_then(|s| s.plan_spec().map(|_| ()))
    .unwrap_err()
    .to_string();
    assert!(err.contains("plan.barnsakert.positive_share"), "{err}");
}

/// Issue 13, item 1: a variable with weight 0 is not required; without
/// `under5` a plan takes its eligible families from the births table alone.
#[test]
fn a_variable_weighted_zero_may_be_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = county(dir.path(), "budget_fte = 1");
    std::fs::write(
        dir.path().join("areas.csv"),
        "code,population,foreign_born,elderly_alone,single_parents,unemployed,low_education\n\
         A,1000,100,100,100,100,100\n\
         B,1000,200,200,200,200,200\n",
    )
    .unwrap();
    // movers and under5 missing and weighted: the error names the column.
    let err = pipeline::run(&s).unwrap_err().to_string();
    assert!(err.contains("movers") || err.contains("under5"), "{err}");
    s.cni.weights.insert("movers".into(), 0.0);
    s.cni.weights.insert("under5".into(), 0.0);
    let run = pipeline::run(&s).unwrap();
    assert_eq!(run.cni.variables.len(), 5);
    // CNI by hand: B's counts are twice A's, so B = 4/3 and A = 2/3 again.
    let p = run.plan.as_ref().unwrap();
    let east = p.catchments.iter().find(|c| c.bvc == "east").unwrap();
    assert!((east.cni.unwrap() - 4.0 / 3.0).abs() < 1e-9);
    assert_eq!(east.eligible_families, 10.0);
    // Without births there is nothing to estimate from: an error, not zeros.
    s.inputs.births = None;
    let err = pipeline::run(&s).unwrap_err().to_string();
    assert!(
        err.contains("under5") && err.contains("inputs.births"),
        "{err}"
    );
}

/// Issue 13, item 1: a delivered CNI (`code,name,population,cni`) is used as
/// given, needs no variable, and every output says so.
#[test]
fn a_delivered_cni_is_used_as_given() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = county(dir.path(), "budget_fte = 1\n[plan.robustness]\ndraws = 50");
    std::fs::write(
        dir.path().join("areas.csv"),
        "code,name,population,cni\nA,Väster,1000,0.75\nB,Öster,1000,1.5\n",
    )
    .unwrap();
    s.cni.method = Some(careneed::scores::cni::Method::Research);
    let run = pipeline::run(&s).unwrap();
    assert!(run.cni.is_delivered());
    assert_eq!(run.cni.areas[1].cni, Some(1.5));
    assert!(run.report.of_kind("delivered_cni").next().is_some());
    assert!(
        run.report
            .of_kind("research_without_variables")
            .next()
            .is_some()
    );
    let p = run.plan.as_ref().unwrap();
    let east = p.catchments.iter().find(|c| c.bvc == "east").unwrap();
    // The catchment's CNI is its area's, as delivered; need = 10 × 1.5.
    assert_eq!(east.cni, Some(1.5));
    assert!((east.need - 15.0).abs() < 1e-12);
    // Every draw keeps the delivered CNI: east (need 15) always outranks west (7.5 × …).
    assert!(p.robustness.is_some());
    let out = tempfile::tempdir().unwrap();
    run.write(out.path()).unwrap();
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("run_report.json")).unwrap())
            .unwrap();
    assert_eq!(report["cni"]["reference"]["source"], "delivered");
    assert!(
        report["cni"]["reference"]["description"]
            .as_str()
            .unwrap()
            .contains("as delivered")
    );
    let cni_csv = std::fs::read_to_string(out.path().join("cni.csv")).unwrap();
    assert!(
        cni_csv.contains("B,Öster") || cni_csv.contains("Öster"),
        "{cni_csv}"
    );
    // A table with neither the variables nor a cni column names the first missing variable.
    std::fs::write(
        dir.path().join("areas.csv"),
        "code,population\nA,1000\nB,1000\n",
    )
    .unwrap();
    let err = pipeline::run(&s).unwrap_err().to_string();
    assert!(err.contains("under5"), "{err}");
}

#[test]
fn a_cni_delivered_per_care_unit_feeds_the_catchments() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = county(dir.path(), "budget_fte = 1\n[plan.robustness]\ndraws = 50");
    let baseline = pipeline::run(&s).unwrap();
    let base = baseline.plan.as_ref().unwrap();
    let eligible = |p: &careneed::plan::Plan, bvc: &str| {
        p.catchments
            .iter()
            .find(|c| c.bvc == bvc)
            .unwrap()
            .eligible_families
    };
    std::fs::write(
        dir.path().join("unit_cni.csv"),
        "bvc,name,cni\neast,BVC East,2.0\nwest,BVC West,0.5\nnorth,BVC North,1.1\n",
    )
    .unwrap();
    s.inputs.unit_cni = Some(dir.path().join("unit_cni.csv"));
    let run = pipeline::run(&s).unwrap();
    let c = run.catchments.as_ref().unwrap();
    let cni_of = |bvc: &str| c.summaries.iter().find(|x| x.bvc == bvc).unwrap().cni;
    assert_eq!((cni_of("east"), cni_of("west")), (Some(2.0), Some(0.5)));
    // The plan uses the same CNI, as given, and weights the need by it.
    let p = run.plan.as_ref().unwrap();
    for (bvc, cni) in [("east", 2.0), ("west", 0.5)] {
        let k = p.catchments.iter().find(|x| x.bvc == bvc).unwrap();
        assert_eq!(k.cni, Some(cni));
        assert_eq!(k.eligible_families, eligible(base, bvc));
        assert!((k.need - k.eligible_families * cni).abs() < 1e-9, "{bvc}");
    }
    // The municipality totals add up to the catchments' need.
    let total: f64 = p.catchments.iter().map(|k| k.need).sum();
    let by_muni: f64 = p.municipalities.iter().map(|m| m.need).sum();
    assert!((total - by_muni).abs() < 1e-9, "{total} {by_muni}");
    // Nothing dropped silently; every output says where the CNI came from.
    assert_eq!(run.report.of_kind("unit_cni_unmatched").count(), 1);
    assert_eq!(run.report.of_kind("unit_cni").count(), 1);
    let out = tempfile::tempdir().unwrap();
    run.write(out.path()).unwrap();
    let report = std::fs::read_to_string(out.path().join("run_report.json")).unwrap();
    assert!(
        report.contains("as delivered per care unit"),
        "run_report.json"
    );
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    assert!(html.contains("as delivered per care unit"), "report.html");
    // A CNI that is not positive is refused with its place.
    std::fs::write(dir.path().join("unit_cni.csv"), "bvc,cni\neast,-1\n").unwrap();
    let err = pipeline::run(&s).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!(
            "{}, line 2 (code east), field \"cni\"",
            dir.path().join("unit_cni.csv").display()
        )),
        "{err}"
    );
}

#[test]
fn a_cni_column_beside_the_variables_must_agree_with_them() {
    let dir = tempfile::tempdir().unwrap();
    let s = county(dir.path(), "budget_fte = 1");
    let header = "code,population,under5,foreign_born,elderly_alone,single_parents,movers,unemployed,low_education,cni\n";
    // Computed from the variables: R = 0.15·Σw, CNI 2/3 and 4/3.
    std::fs::write(
        dir.path().join("areas.csv"),
        format!("{header}A,1000,100,100,100,100,100,100,100,0.67\nB,1000,200,200,200,200,200,200,200,1.33\n"),
    )
    .unwrap();
    let run = pipeline::run(&s).unwrap();
    assert!(!run.cni.is_delivered());
    assert!((run.cni.areas[1].cni.unwrap() - 4.0 / 3.0).abs() < 1e-12);
    let note = run.report.of_kind("delivered_cni").next().unwrap();
    assert!(note.message.contains("agrees"), "{}", note.message);
    // The tolerance is listed among the run's parameters as an assumption.
    let tolerance = run
        .parameters()
        .into_iter()
        .find(|p| p.name == "cni.delivered_tolerance")
        .unwrap();
    assert!(tolerance.basis.is_assumption(), "{tolerance:?}");
    std::fs::write(
        dir.path().join("areas.csv"),
        format!("{header}A,1000,100,100,100,100,100,100,100,0.67\nB,1000,200,200,200,200,200,200,200,1.5\n"),
    )
    .unwrap();
    let err = pipeline::run(&s).unwrap_err().to_string();
    let file = dir.path().join("areas.csv").display().to_string();
    assert!(
        err.starts_with(&format!(
            "{file}, line 3 (code B), field \"cni\": the table's cni 1.5 disagrees with 1.3333"
        )),
        "{err}"
    );
    assert!(err.contains("keep one"), "{err}");
}
