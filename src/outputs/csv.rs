//! CSV tables: UTF-8, comma-delimited, one header line, `.` as decimal mark.
//! Missing values are empty fields; values withheld by
//! [`privacy`](super::privacy) are `..`.

use crate::error::{Error, Result};
use crate::outputs::privacy::{MARKER, Privacy, plan_hidden};
use crate::pipeline::Run;
use crate::scores::cni::CniResult;
use crate::scores::vti::VtiResult;

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

fn opt(x: Option<f64>, decimals: usize) -> String {
    x.map(|x| number(x, decimals)).unwrap_or_default()
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

/// `value`, or the marker when `hidden`.
fn or_marker(hidden: bool, value: String) -> String {
    if hidden { MARKER.into() } else { value }
}

fn err(e: ::csv::Error) -> Error {
    Error::Compute(format!("writing CSV: {e}"))
}

/// `ranking.csv`: `rank, code, name, municipality_code, municipality, population, index, cni[, cni_research]`.
pub fn ranking(run: &Run, privacy: &Privacy) -> Result<Vec<u8>> {
    let research = !run.cni.research_reference.is_empty();
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
        header.push("cni_research");
    }
    let rows = run.ranking.iter().map(|&i| {
        let a = &run.areas[i];
        let hidden = privacy.hides(a.population);
        let mut rec = vec![
            a.rank.map(|r| r.to_string()).unwrap_or_default(),
            a.code.clone(),
            a.name.clone().unwrap_or_default(),
            a.municipality_code.clone(),
            a.municipality.clone().unwrap_or_default(),
            or_marker(hidden, opt(a.population, 2)),
            or_marker(hidden, opt(a.index, 2)),
            or_marker(hidden, opt(a.cni, 4)),
        ];
        if research {
            rec.push(or_marker(hidden, opt(a.cni_research, 4)));
        }
        rec
    });
    table(header, rows)
}

/// `cni.csv`: `code, population, index, cni`, and with the research variant
/// `research_score, cni_research, z_<variable>…`.
pub fn cni(result: &CniResult, privacy: &Privacy) -> Result<Vec<u8>> {
    let research = !result.research_reference.is_empty();
    let mut header: Vec<String> = ["code", "population", "index", "cni"]
        .map(String::from)
        .to_vec();
    if research {
        header.push("research_score".into());
        header.push("cni_research".into());
        header.extend(result.variables.iter().map(|v| format!("z_{}", v.name)));
    }
    let rows = result.areas.iter().map(|a| {
        let hidden = privacy.hides(Some(a.population));
        let mut rec = vec![
            a.code.clone(),
            number(a.population, 2),
            number(a.index, 2),
            opt(a.cni, 6),
        ];
        if research {
            match &a.research {
                Some(r) => {
                    rec.push(number(r.score, 6));
                    rec.push(number(r.cni, 6));
                    rec.extend(r.z.iter().map(|z| number(*z, 6)));
                }
                None => rec.extend(std::iter::repeat_n(
                    String::new(),
                    2 + result.variables.len(),
                )),
            }
        }
        if hidden {
            for cell in rec.iter_mut().skip(1) {
                *cell = MARKER.into();
            }
        }
        rec
    });
    table(header, rows)
}

/// `vti.csv`: one row per centre.
pub fn vti(result: &VtiResult, privacy: &Privacy) -> Result<Vec<u8>> {
    // The withheld fields (privacy::VTI_FIELDS) are the columns between the
    // centre and its flag, in order.
    let header = ["bvc", "name"]
        .into_iter()
        .chain(super::privacy::VTI_FIELDS)
        .chain(["few_newborns"]);
    let rows = result.centres.iter().map(|c| {
        let h = privacy.hides(Some(c.newborns));
        [
            c.bvc.clone(),
            c.name.clone().unwrap_or_default(),
            or_marker(h, number(c.newborns, 2)),
            or_marker(h, opt(c.p_first, 4)),
            or_marker(h, opt(c.p_bcg, 4)),
            or_marker(h, opt(c.p_smoke, 4)),
            or_marker(h, opt(c.vti, 4)),
            or_marker(h, number(c.vt_children, 2)),
            or_marker(h, number(c.weighted_newborns, 2)),
            or_marker(h, opt(c.relative_vti, 4)),
            or_marker(h, number(c.nurse_fte, 3)),
            or_marker(h, number(c.nurse_hours_per_week, 1)),
            c.few_newborns.to_string(),
        ]
    });
    table(header, rows)
}

/// `catchments.csv`: one row per BVC catchment. The VTI and relative VTI of the
/// centres in `hidden_centres` (their newborns are withheld) are `..`.
pub fn catchments(
    summaries: &[crate::spatial::catchments::CatchmentSummary],
    privacy: &Privacy,
    hidden_centres: &std::collections::BTreeSet<String>,
) -> Result<Vec<u8>> {
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
    let rows = summaries.iter().map(|s| {
        let h = privacy.hides_any(&[Some(s.population), Some(s.children)]);
        let v = hidden_centres.contains(&s.bvc);
        [
            s.bvc.clone(),
            s.name.clone().unwrap_or_default(),
            s.areas.to_string(),
            or_marker(h, number(s.population, 1)),
            or_marker(h, number(s.children, 1)),
            or_marker(h, opt(s.cni, 4)),
            or_marker(v, opt(s.vti, 4)),
            or_marker(v, opt(s.relative_vti, 4)),
        ]
    });
    table(header, rows)
}

/// `plan.csv`: one row per catchment, rank 1 first: `rank, bvc, name,
/// municipality_code, municipality, measure, cni, relative_vti,
/// eligible_families, eligibility, need, accepting_families, visits, fte, fte_<profession>…,
/// cost_sek, locked_in, locked_out, allowed, selected, phase, greedy_selected,
/// greedy_phase, rank_low, rank_high, p_selected` (`rank_low`/`rank_high`: the
/// 90 % rank interval; empty without the Monte Carlo). The relative VTI of the
/// centres in `hidden_centres` is `..` (and the measure, when it is the VTI).
pub fn plan(
    plan: &crate::plan::Plan,
    privacy: &Privacy,
    hidden_centres: &std::collections::BTreeSet<String>,
) -> Result<Vec<u8>> {
    let by_vti = plan.spec.rank_by == crate::plan::rank::RankBy::Vti;
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
        "fte",
    ]
    .map(String::from)
    .to_vec();
    header.extend(professions.iter().map(|p| format!("fte_{p}")));
    header.extend(
        [
            "cost_sek",
            "locked_in",
            "locked_out",
            "allowed",
            "selected",
            "phase",
            "greedy_selected",
            "greedy_phase",
            "rank_low",
            "rank_high",
            "p_selected",
        ]
        .map(String::from),
    );
    let some = |x: Option<usize>| x.map(|x| x.to_string()).unwrap_or_default();
    let rows = plan.order.iter().map(|&i| {
        let c = &plan.catchments[i];
        let r = &c.resources;
        let h = plan_hidden(privacy, c);
        let v = hidden_centres.contains(&c.bvc);
        let mut rec = vec![
            c.rank.to_string(),
            c.bvc.clone(),
            c.name.clone().unwrap_or_default(),
            c.municipality_code.clone().unwrap_or_default(),
            c.municipality.clone().unwrap_or_default(),
            or_marker(h || (v && by_vti), opt(c.measure, 4)),
            opt(c.cni, 4),
            or_marker(v, opt(c.relative_vti, 4)),
            or_marker(h, number(c.eligible_families, 2)),
            c.eligibility.clone(),
            or_marker(h, number(c.need, 2)),
            or_marker(h, number(r.accepting_families, 2)),
            or_marker(h, number(r.visits, 1)),
            or_marker(h, number(r.fte_total, 3)),
        ];
        rec.extend(
            professions
                .iter()
                .map(|p| or_marker(h, number(r.fte.get(*p).copied().unwrap_or(0.0), 3))),
        );
        rec.extend([
            or_marker(h, opt(r.cost_sek, 0)),
            c.locked_in.to_string(),
            c.locked_out.to_string(),
            c.allowed.to_string(),
            c.phase.is_some().to_string(),
            some(c.phase),
            c.greedy_phase.is_some().to_string(),
            some(c.greedy_phase),
            some(c.rank_interval.map(|r| r.0)),
            some(c.rank_interval.map(|r| r.1)),
            opt(c.p_selected, 3),
        ]);
        rec
    });
    table(header, rows)
}

/// `plan_municipalities.csv`: `code, name, population, children, eligible_families,
/// cni, catchments, catchments_cni_above_<t>…`.
pub fn plan_municipalities(plan: &crate::plan::Plan, privacy: &Privacy) -> Result<Vec<u8>> {
    let mut header: Vec<String> = [
        "code",
        "name",
        "population",
        "children",
        "eligible_families",
        "cni",
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
    let rows = plan.municipalities.iter().map(|m| {
        let h = privacy.hides_any(&[
            Some(m.population),
            Some(m.children),
            Some(m.eligible_families),
        ]);
        let mut rec = vec![
            m.code.clone(),
            m.name.clone().unwrap_or_default(),
            or_marker(h, number(m.population, 1)),
            or_marker(h, number(m.children, 1)),
            or_marker(h, number(m.eligible_families, 2)),
            or_marker(h, opt(m.cni, 4)),
            m.catchments.to_string(),
        ];
        rec.extend(m.catchments_above.iter().map(usize::to_string));
        rec
    });
    table(header, rows)
}

/// `plan_areas.csv`: areas by need, rank 1 first: `rank, code, cni,
/// eligible_families, need`.
pub fn plan_areas(plan: &crate::plan::Plan, privacy: &Privacy) -> Result<Vec<u8>> {
    let header = ["rank", "code", "cni", "eligible_families", "need"];
    let rows = plan.areas.iter().map(|a| {
        let h = privacy.hides(Some(a.eligible_families));
        [
            a.rank.to_string(),
            a.code.clone(),
            opt(a.cni, 4),
            or_marker(h, number(a.eligible_families, 3)),
            or_marker(h, number(a.need, 3)),
        ]
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
