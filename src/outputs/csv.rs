//! CSV tables: UTF-8, comma-delimited, one header line, `.` as decimal mark.
//! Missing values are empty fields; values withheld by the
//! [`release`](crate::release) are `..`. Every table is rendered from a
//! [`Release`]: no writer here sees an unreleased number.

use crate::error::{Error, Result};
use crate::release::{Cell, MARKER, Release};

/// Formats a number with at most `decimals` decimals and no trailing zeros.
pub fn number(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

/// A released value as a field: the number, [`MARKER`] when withheld, empty when missing.
pub fn cell(c: Cell, decimals: usize) -> String {
    match c {
        Cell::Shown(x) => number(x, decimals),
        Cell::Withheld => MARKER.into(),
        Cell::Missing => String::new(),
    }
}

fn some(x: Option<usize>) -> String {
    x.map(|x| x.to_string()).unwrap_or_default()
}

/// A CSV table from its header and its rows.
fn table<H, R>(header: H, rows: impl IntoIterator<Item = R>) -> Result<Vec<u8>>
where
    H: IntoIterator<Item: AsRef<[u8]>>,
    R: IntoIterator<Item: AsRef<[u8]>>,
{
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(header).map_err(err)?;
    for row in rows {
        w.write_record(row).map_err(err)?;
    }
    w.into_inner().map_err(|e| Error::Compute(e.to_string()))
}

fn err(e: ::csv::Error) -> Error {
    Error::Compute(format!("writing CSV: {e}"))
}

/// `ranking.csv`: `rank, code, name, municipality_code, municipality, population,
/// index, cni[, research_shifted]`; ranked areas first, then the others (CNI
/// withheld or missing) by code, without a rank.
pub fn ranking(r: &Release) -> Result<Vec<u8>> {
    let research = r.research();
    let mut header = vec![
        "rank",
        "code",
        "name",
        "municipality_code",
        "municipality",
        "population",
        "index",
        "cni",
    ];
    if research {
        header.push("research_shifted");
    }
    let rows = r.area_order.iter().map(|&i| {
        let a = &r.areas[i];
        let mut rec = vec![
            some(a.rank),
            a.code.clone(),
            a.name.clone().unwrap_or_default(),
            a.municipality_code.clone(),
            a.municipality.clone().unwrap_or_default(),
            cell(a.population, 2),
            cell(a.index, 2),
            cell(a.cni, 4),
        ];
        if research {
            rec.push(cell(a.research_shifted, 4));
        }
        rec
    });
    table(header, rows)
}

/// `cni.csv`: `code, name, population, index, cni`, and with the research variant
/// `research_score, research_shifted, z_<variable>…` (`research_score = Σ wᵢ·zᵢ`,
/// 0 = the input areas' average; `research_shifted = 100 + research_score`, an
/// assumed shift; both interval scales), in table order.
pub fn cni(r: &Release) -> Result<Vec<u8>> {
    let Some(result) = r.cni else {
        return Err(Error::Compute("the release has no CNI".into()));
    };
    let research = r.research();
    let mut header: Vec<String> = ["code", "name", "population", "index", "cni"]
        .map(String::from)
        .to_vec();
    if research {
        header.push("research_score".into());
        header.push("research_shifted".into());
        header.extend(result.variables.iter().map(|v| format!("z_{}", v.name)));
    }
    let rows = r.areas.iter().filter(|a| a.in_table).map(|a| {
        let mut rec = vec![
            a.code.clone(),
            a.name.clone().unwrap_or_default(),
            cell(a.population, 2),
            cell(a.index, 2),
            cell(a.cni, 6),
        ];
        if research {
            rec.push(cell(a.research_score, 6));
            rec.push(cell(a.research_shifted, 6));
            rec.extend(a.z.iter().map(|&z| cell(z, 6)));
        }
        rec
    });
    table(header, rows)
}

/// `vti.csv`: one row per centre: `bvc, name, newborns, p_first, p_bcg,
/// p_smoke, vti, vt_children, weighted_newborns, relative_vti, nurse_fte,
/// nurse_hours_per_week, few_newborns, below_half_time, current_nurse_fte,
/// gap_fte` (`nurse_fte` by the staffing norm the run used, named in
/// `run_report.json` and the notes; the last two empty without a `nurse_fte`
/// column in the BVC table).
pub fn vti(r: &Release) -> Result<Vec<u8>> {
    let header = [
        "bvc",
        "name",
        "newborns",
        "p_first",
        "p_bcg",
        "p_smoke",
        "vti",
        "vt_children",
        "weighted_newborns",
        "relative_vti",
        "nurse_fte",
        "nurse_hours_per_week",
        "few_newborns",
        "below_half_time",
        "current_nurse_fte",
        "gap_fte",
    ];
    let rows = r.centres.iter().map(|c| {
        [
            c.bvc.clone(),
            c.name.clone().unwrap_or_default(),
            cell(c.newborns, 2),
            cell(c.p_first, 4),
            cell(c.p_bcg, 4),
            cell(c.p_smoke, 4),
            cell(c.vti, 4),
            cell(c.vt_children, 2),
            cell(c.weighted_newborns, 2),
            cell(c.relative_vti, 4),
            cell(c.nurse_fte, 3),
            cell(c.nurse_hours_per_week, 1),
            c.few_newborns.to_string(),
            c.below_half_time.to_string(),
            cell(c.current_nurse_fte, 3),
            cell(c.gap_fte, 3),
        ]
    });
    table(header, rows)
}

/// `catchments.csv`: one row per BVC catchment.
pub fn catchments(r: &Release) -> Result<Vec<u8>> {
    let header = [
        "bvc",
        "name",
        "areas",
        "population",
        "children",
        "cni",
        "vti",
        "relative_vti",
    ];
    let rows = r.catchments.iter().map(|s| {
        [
            s.bvc.clone(),
            s.name.clone().unwrap_or_default(),
            s.areas.to_string(),
            cell(s.population, 1),
            cell(s.children, 1),
            cell(s.cni, 4),
            cell(s.vti, 4),
            cell(s.relative_vti, 4),
        ]
    });
    table(header, rows)
}

/// `plan.csv`: one row per catchment, ranked rows first: `rank, bvc, name,
/// municipality_code, municipality, measure, cni, relative_vti,
/// eligible_families, eligibility, need, accepting_families, visits, extra_visits,
/// fte, fte_<profession>…, fte_region, fte_municipality, cost_sek,
/// cost_region_sek, cost_municipality_sek, locked_in, locked_out,
/// municipality_taking_part, allowed, selected, phase, reason, greedy_selected,
/// greedy_phase, rank_low, rank_high, p_selected[, barnsakert_visits,
/// barnsakert_nurse_fte, barnsakert_social_fte]` (visits are gross, the basic
/// programme's included; FTE and SEK are the extra staff; phase 0 = running;
/// `rank_low`/`rank_high`: the 90 % rank interval; empty without the Monte
/// Carlo or without a rank). With areas as units (`plan.units = "areas"`) also
/// `areas, areas_covered, covered_eligible_families, covered_fte,
/// mean_covered_share`: the catchment's areas, those the exact selection covers
/// (nearest its BVC first), their families and extra FTE, and the Monte Carlo's
/// mean share of its areas covered.
pub fn plan(r: &Release) -> Result<Vec<u8>> {
    let Some(plan) = &r.plan else {
        return Err(Error::Compute("the run has no plan".into()));
    };
    let professions: Vec<&String> = plan.spec.programme.staff.keys().collect();
    let mut header: Vec<String> = [
        "rank",
        "bvc",
        "name",
        "municipality_code",
        "municipality",
        "measure",
        "cni",
        "relative_vti",
        "eligible_families",
        "eligibility",
        "need",
        "accepting_families",
        "visits",
        "extra_visits",
        "fte",
    ]
    .map(String::from)
    .to_vec();
    header.extend(professions.iter().map(|p| format!("fte_{p}")));
    header.extend(
        [
            "fte_region",
            "fte_municipality",
            "cost_sek",
            "cost_region_sek",
            "cost_municipality_sek",
            "locked_in",
            "locked_out",
            "municipality_taking_part",
            "allowed",
            "selected",
            "phase",
            "reason",
            "greedy_selected",
            "greedy_phase",
            "rank_low",
            "rank_high",
            "p_selected",
        ]
        .map(String::from),
    );
    let barnsakert = plan.spec.barnsakert.is_some();
    if barnsakert {
        header.extend(
            [
                "barnsakert_visits",
                "barnsakert_nurse_fte",
                "barnsakert_social_fte",
            ]
            .map(String::from),
        );
    }
    let areas = plan.spec.units == crate::plan::Units::Areas;
    if areas {
        header.extend(
            [
                "areas",
                "areas_covered",
                "covered_eligible_families",
                "covered_fte",
                "mean_covered_share",
            ]
            .map(String::from),
        );
    }
    let rows = plan.order.iter().filter_map(|&i| {
        let c = r.catchments.get(i)?;
        let x = c.plan.as_ref()?;
        let mut rec = vec![
            some(x.rank),
            c.bvc.clone(),
            c.name.clone().unwrap_or_default(),
            x.municipality_code.clone().unwrap_or_default(),
            x.municipality.clone().unwrap_or_default(),
            cell(x.measure, 4),
            cell(c.cni, 4),
            cell(c.relative_vti, 4),
            cell(x.eligible_families, 2),
            x.eligibility.clone(),
            cell(x.need, 2),
            cell(x.accepting_families, 2),
            cell(x.visits, 1),
            cell(x.extra_visits, 1),
            cell(x.fte, 3),
        ];
        rec.extend(x.fte_by_profession.iter().map(|&f| cell(f, 3)));
        rec.extend([
            cell(x.fte_region, 3),
            cell(x.fte_municipality, 3),
            cell(x.cost_sek, 0),
            cell(x.cost_region_sek, 0),
            cell(x.cost_municipality_sek, 0),
            x.locked_in.to_string(),
            x.locked_out.to_string(),
            x.municipality_taking_part.to_string(),
            x.allowed.to_string(),
            x.phase.is_some().to_string(),
            some(x.phase),
            x.reason.clone(),
            x.greedy_phase.is_some().to_string(),
            some(x.greedy_phase),
            some(x.rank_interval.map(|r| r.0)),
            some(x.rank_interval.map(|r| r.1)),
            cell(x.p_selected, 3),
        ]);
        if barnsakert {
            rec.extend([
                cell(x.barnsakert_visits, 1),
                cell(x.barnsakert_nurse_fte, 3),
                cell(x.barnsakert_social_fte, 3),
            ]);
        }
        if areas {
            rec.extend([
                x.areas_total.to_string(),
                some(x.areas_covered),
                cell(x.covered_eligible_families, 2),
                cell(x.covered_fte, 3),
                cell(x.mean_covered_share, 3),
            ]);
        }
        Some(rec)
    });
    table(header, rows)
}

/// `plan_municipalities.csv`: `code, name, population, children, eligible_families,
/// cni, need, catchments, catchments_cni_above_<t>…, taking_part, selected,
/// selected_eligible_families, region_fte, region_sek, municipality_fte,
/// municipality_sek` (the last five: the extra staff of the catchments the
/// exact selection chose, running included, by employer).
pub fn plan_municipalities(r: &Release) -> Result<Vec<u8>> {
    let Some(plan) = &r.plan else {
        return Err(Error::Compute("the run has no plan".into()));
    };
    let mut header: Vec<String> = [
        "code",
        "name",
        "population",
        "children",
        "eligible_families",
        "cni",
        "need",
        "catchments",
    ]
    .map(String::from)
    .to_vec();
    header.extend(
        plan.spec
            .thresholds
            .iter()
            .map(|t| format!("catchments_cni_above_{}", number(*t, 4))),
    );
    header.extend(
        [
            "taking_part",
            "selected",
            "selected_eligible_families",
            "region_fte",
            "region_sek",
            "municipality_fte",
            "municipality_sek",
        ]
        .map(String::from),
    );
    let rows = plan.municipalities.iter().map(|m| {
        let mut rec = vec![
            m.code.clone(),
            m.name.clone().unwrap_or_default(),
            cell(m.population, 1),
            cell(m.children, 1),
            cell(m.eligible_families, 2),
            cell(m.cni, 4),
            cell(m.need, 2),
            m.catchments.to_string(),
        ];
        rec.extend(m.catchments_above.iter().map(usize::to_string));
        rec.extend([
            m.taking_part.to_string(),
            m.selected.to_string(),
            cell(m.selected_eligible, 2),
            cell(m.region_fte, 3),
            cell(m.region_sek, 0),
            cell(m.municipality_fte, 3),
            cell(m.municipality_sek, 0),
        ]);
        rec
    });
    table(header, rows)
}

/// `plan_areas.csv`: areas by need, ranked rows first: `rank, code, cni,
/// eligible_families, need`.
/// With areas as units also `bvc, distance_rank, covered`: the area's
/// catchment, its place by distance from the BVC (1 = nearest) and whether the
/// exact selection covers it.
pub fn plan_areas(r: &Release) -> Result<Vec<u8>> {
    let Some(plan) = &r.plan else {
        return Err(Error::Compute("the run has no plan".into()));
    };
    let areas = plan.spec.units == crate::plan::Units::Areas;
    let mut header = vec!["rank", "code", "cni", "eligible_families", "need"];
    if areas {
        header.extend(["bvc", "distance_rank", "covered"]);
    }
    let rows = plan.areas.iter().map(|a| {
        let mut rec = vec![
            some(a.rank),
            a.code.clone(),
            cell(a.cni, 4),
            cell(a.eligible_families, 3),
            cell(a.need, 3),
        ];
        if areas {
            rec.extend([
                a.bvc.clone().unwrap_or_default(),
                some(a.distance_rank),
                a.covered.map(|c| c.to_string()).unwrap_or_default(),
            ]);
        }
        rec
    });
    table(header, rows)
}

/// A released plain table (`assign`, `interpolate`): `key_header` then the
/// columns; shown values with every digit, withheld ones as the marker.
pub fn released_table(t: &crate::release::ReleasedTable, key_header: &str) -> Result<Vec<u8>> {
    let header = std::iter::once(key_header.to_string()).chain(t.columns.iter().cloned());
    let rows = t.keys.iter().zip(&t.rows).map(|(k, row)| {
        std::iter::once(k.clone())
            .chain(row.iter().map(|c| match c {
                Cell::Shown(x) => x.to_string(),
                Cell::Withheld => MARKER.into(),
                Cell::Missing => String::new(),
            }))
            .collect::<Vec<_>>()
    });
    table(header, rows)
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_are_trimmed() {
        assert_eq!(super::number(1.5000, 4), "1.5");
        assert_eq!(super::number(2.0, 4), "2");
        assert_eq!(super::number(-0.00001, 2), "0");
        assert_eq!(super::number(1.55126, 4), "1.5513");
    }
}
