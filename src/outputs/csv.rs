//! CSV tables: UTF-8, comma-delimited, one header line, `.` as decimal mark.
//! Missing values are empty fields.

use crate::error::{Error, Result};
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

fn finish(w: ::csv::Writer<Vec<u8>>) -> Result<Vec<u8>> {
    w.into_inner().map_err(|e| Error::Compute(e.to_string()))
}

fn err(e: ::csv::Error) -> Error {
    Error::Compute(format!("writing CSV: {e}"))
}

/// `ranking.csv`: `rank, code, name, municipality_code, municipality, population, index, cni[, cni_research]`.
pub fn ranking(run: &Run) -> Result<Vec<u8>> {
    let research = !run.cni.research_reference.is_empty();
    let mut w = ::csv::Writer::from_writer(Vec::new());
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
    w.write_record(&header).map_err(err)?;
    for &i in &run.ranking {
        let a = &run.areas[i];
        let mut rec = vec![
            a.rank.map(|r| r.to_string()).unwrap_or_default(),
            a.code.clone(),
            a.name.clone().unwrap_or_default(),
            a.municipality_code.clone(),
            a.municipality.clone().unwrap_or_default(),
            opt(a.population, 2),
            opt(a.index, 2),
            opt(a.cni, 4),
        ];
        if research {
            rec.push(opt(a.cni_research, 4));
        }
        w.write_record(&rec).map_err(err)?;
    }
    finish(w)
}

/// `cni.csv`: `code, population, index, cni`, and with the research variant
/// `research_score, cni_research, z_<variable>…`.
pub fn cni(result: &CniResult) -> Result<Vec<u8>> {
    let research = !result.research_reference.is_empty();
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = ["code", "population", "index", "cni"]
        .map(String::from)
        .to_vec();
    if research {
        header.push("research_score".into());
        header.push("cni_research".into());
        header.extend(result.variables.iter().map(|v| format!("z_{}", v.name)));
    }
    w.write_record(&header).map_err(err)?;
    for a in &result.areas {
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
        w.write_record(&rec).map_err(err)?;
    }
    finish(w)
}

/// `vti.csv`: one row per centre.
pub fn vti(result: &VtiResult) -> Result<Vec<u8>> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record([
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
    ])
    .map_err(err)?;
    for c in &result.centres {
        w.write_record([
            c.bvc.clone(),
            c.name.clone().unwrap_or_default(),
            number(c.newborns, 2),
            opt(c.p_first, 4),
            opt(c.p_bcg, 4),
            opt(c.p_smoke, 4),
            opt(c.vti, 4),
            number(c.vt_children, 2),
            number(c.weighted_newborns, 2),
            opt(c.relative_vti, 4),
            number(c.nurse_fte, 3),
            number(c.nurse_hours_per_week, 1),
            c.few_newborns.to_string(),
        ])
        .map_err(err)?;
    }
    finish(w)
}

/// `catchments.csv`: one row per BVC catchment.
pub fn catchments(summaries: &[crate::spatial::catchments::CatchmentSummary]) -> Result<Vec<u8>> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record([
        "bvc",
        "name",
        "areas",
        "population",
        "children",
        "cni",
        "vti",
        "relative_vti",
    ])
    .map_err(err)?;
    for s in summaries {
        w.write_record([
            s.bvc.clone(),
            s.name.clone().unwrap_or_default(),
            s.areas.to_string(),
            number(s.population, 1),
            number(s.children, 1),
            opt(s.cni, 4),
            opt(s.vti, 4),
            opt(s.relative_vti, 4),
        ])
        .map_err(err)?;
    }
    finish(w)
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
