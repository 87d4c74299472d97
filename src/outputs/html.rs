//! `report.html`: the run on one page a planner can open anywhere, offline, and
//! put in front of a committee.
//!
//! One self-contained file: no external URL at all (no fonts, scripts, styles or
//! images fetched), inline CSS, a few lines of inline JavaScript (hover details
//! on the map, sortable tables; the page reads fully without it). Sections: the
//! inline SVG catchment map ([`map`](super::map)) with its legend, the catchment
//! ranking, the area ranking, the per-municipality summary, the centres' VTI and
//! nurse time by the staffing norm, the rollout plan,
//! the method with its formulas, the parameters and data sources, and what was
//! withheld for privacy (the [`release`](crate::release)). It is rendered from a
//! [`Release`]: no number reaches the page unreleased. Every text that comes from
//! an input (names, codes, paths, notices) is HTML-escaped.
//!
//! ```
//! use careneed::outputs::{html, map::MapSpec};
//! use careneed::{pipeline, scenario::Scenario};
//! let mut s = Scenario::default();
//! s.name = Some("<b>Län</b>".into());
//! s.inputs.areas = Some(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo/areas.csv"));
//! let run = pipeline::run(&s).unwrap();
//! let page = html::report(&run.release(), &MapSpec::default(), None).unwrap();
//! assert!(page.starts_with("<!DOCTYPE html>"));
//! assert!(page.contains("&lt;b&gt;Län&lt;/b&gt;") && !page.contains("<b>Län"));
//! assert!(!page.contains("http"));
//! ```

use super::csv::number;
use super::map::{MapSpec, catchment_values};
use super::svg::escape;
use crate::error::Result;
use crate::release::{Cell, MARKER, Release};
use crate::report::Level;
use std::fmt::Write as _;

const STYLE: &str = r#"
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0 auto;max-width:1200px;padding:0 1.2em 3em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin:.8em 0 .2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:1.8em}
nav a{margin-right:1em}
.mapbox{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}
.mapbox svg{max-width:100%;height:auto;border:1px solid #ddd}
#details{min-width:16em;max-width:22em;white-space:pre-line;background:#f7f7f7;border:1px solid #ddd;padding:.6em;font-size:.95em}
#catchments path.catchment:hover,#catchments path.catchment.hover{stroke:#000;stroke-width:2}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{border:1px solid #ddd;padding:.25em .5em;text-align:left}td{white-space:nowrap}
td.n{text-align:right;font-variant-numeric:tabular-nums}
th{background:#f0f0f0}table.sortable th{cursor:pointer}
table.sortable th:after{content:" \2195";color:#999}
tr.selected td{font-weight:bold}tr.hover td{background:#ffffcc}
.swatch{display:inline-block;width:1em;height:1em;border:1px solid #777;vertical-align:middle}
pre{background:#f7f7f7;padding:.6em;overflow:auto;font-size:.85em}
.formula{font-family:"DejaVu Sans Mono",monospace;background:#f7f7f7;padding:.6em;white-space:pre}
.muted{color:#666}
"#;

const SCRIPT: &str = r##"
(function () {
  "use strict";
  var details = document.getElementById("details");
  var paths = document.querySelectorAll("#catchments path.catchment");
  function row(p) { return document.getElementById("r-" + p.id.slice(2)); }
  Array.prototype.forEach.call(paths, function (p) {
    p.addEventListener("mouseenter", function () {
      var t = p.querySelector("title");
      if (details && t) { details.textContent = t.textContent; }
      p.classList.add("hover");
      var r = row(p); if (r) { r.classList.add("hover"); }
    });
    p.addEventListener("mouseleave", function () {
      p.classList.remove("hover");
      var r = row(p); if (r) { r.classList.remove("hover"); }
    });
  });
  function key(td) {
    var v = td.getAttribute("data-v");
    if (v !== null && v !== "") { return parseFloat(v); }
    return td.textContent;
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    var heads = table.querySelectorAll("thead th");
    Array.prototype.forEach.call(heads, function (th, i) {
      th.addEventListener("click", function () {
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var dir = th.getAttribute("data-dir") === "asc" ? -1 : 1;
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("data-dir"); });
        th.setAttribute("data-dir", dir === 1 ? "asc" : "desc");
        rows.sort(function (a, b) {
          var x = key(a.cells[i]), y = key(b.cells[i]);
          var xn = typeof x === "number", yn = typeof y === "number";
          if (xn && yn) { return (x - y) * dir; }
          if (xn) { return -1; }
          if (yn) { return 1; }
          return String(x).localeCompare(String(y)) * dir;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  // Ran to the end (the browser check in .ci/run looks for this).
  document.body.setAttribute("data-script", "ok");
})();
"##;

/// A table cell: text (escaped), right-aligned with a sort key when numeric.
fn td_num(out: &mut String, value: Option<f64>, decimals: usize, hidden: bool) {
    match (hidden, value) {
        (true, _) => out.push_str(&format!("<td class=\"n\">{MARKER}</td>")),
        (false, Some(v)) if v.is_finite() => {
            let _ = write!(
                out,
                "<td class=\"n\" data-v=\"{v}\">{}</td>",
                number(v, decimals)
            );
        }
        _ => out.push_str("<td class=\"n\"></td>"),
    }
}

/// A released value as a table cell: the number, the marker when withheld, empty when missing.
fn td_cell(out: &mut String, c: Cell, decimals: usize) {
    match c {
        Cell::Shown(v) => td_num(out, Some(v), decimals, false),
        Cell::Withheld => td_num(out, None, decimals, true),
        Cell::Missing => td_num(out, None, decimals, false),
    }
}

/// A setting's name as the scenario spells it (`need_reached`).
fn serde_name<T: serde::Serialize>(x: &T) -> String {
    match serde_json::to_value(x) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn td(out: &mut String, text: &str) {
    let _ = write!(out, "<td>{}</td>", escape(text));
}

fn thead(out: &mut String, headers: &[&str]) {
    out.push_str("<thead><tr>");
    for h in headers {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
}

/// The report page (see the module docs). `map_svg`: the catchment map
/// ([`super::map::catchment_map`] rendered), inlined when given.
pub fn report(r: &Release, spec: &MapSpec, map_svg: Option<&str>) -> Result<String> {
    let title = r.meta.name.as_deref().unwrap_or("careneed run");
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>careneed report: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        escape(title),
        escape(title)
    );
    let with_cni = r.areas.iter().filter(|a| a.cni != Cell::Missing).count();
    let _ = writeln!(
        h,
        "<p>{} areas, {with_cni} with a Care Need Index (CNI){}{}. Reference: {}.</p>",
        r.areas.len(),
        if r.catchment_geometry.is_some() {
            format!(", {} BVC catchments", r.catchments.len())
        } else {
            String::new()
        },
        r.plan
            .as_ref()
            .and_then(|p| p.exact.as_ref())
            .map(|e| format!("; the plan selects {} catchments", e.selected))
            .unwrap_or_default(),
        r.cni
            .map(|c| escape(&c.reference.description()))
            .unwrap_or_default()
    );
    h.push_str("<nav><a href=\"#map\">Map</a><a href=\"#ranking\">Catchment ranking</a><a href=\"#areas\">Area ranking</a><a href=\"#municipalities\">Municipalities</a><a href=\"#centres\">Centres (VTI)</a><a href=\"#plan\">Rollout plan</a><a href=\"#method\">Method</a><a href=\"#parameters\">Parameters and data</a><a href=\"#privacy\">Privacy</a></nav>\n");

    // Map.
    h.push_str("<h2 id=\"map\">Map</h2>\n");
    match map_svg {
        Some(svg) => {
            // Inline SVG needs no namespace in HTML; leaving it out keeps the page
            // free of any URL.
            let svg = svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1);
            let _ = writeln!(
                h,
                "<div class=\"mapbox\">{svg}<div id=\"details\">Point at a catchment for its figures.</div></div>"
            );
            let _ = writeln!(
                h,
                "<p class=\"muted\">Catchments coloured by {} ({}), municipality borders in dark grey, catchments selected by the plan outlined in black; grey: no value or withheld (small count).</p>",
                escape(spec.variable.title()),
                escape(spec.scheme.name())
            );
        }
        None => {
            h.push_str("<p>No catchment map: the scenario gives no boundaries or BVC points.</p>\n")
        }
    }

    catchment_table(&mut h, r, spec);
    area_table(&mut h, r);
    municipality_table(&mut h, r);
    centre_table(&mut h, r);
    plan_section(&mut h, r);
    method_section(&mut h, r);
    parameters_section(&mut h, r);
    privacy_section(&mut h, r);

    let _ = write!(
        h,
        "<p class=\"muted\">Written by careneed {}.</p>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    Ok(h)
}

fn catchment_table(h: &mut String, r: &Release, spec: &MapSpec) {
    h.push_str("<h2 id=\"ranking\">Catchment ranking</h2>\n");
    if r.catchment_geometry.is_none() {
        h.push_str("<p>No catchments in this run.</p>\n");
        return;
    }
    let values = catchment_values(r, spec);
    let classed = super::map::classes(&values, spec, spec.variable.name());
    h.push_str("<p>Click a column heading to sort. <code>..</code>: withheld (small count).</p>\n<table class=\"sortable\" id=\"catchment-table\">\n");
    thead(
        h,
        &[
            "rank",
            "BVC",
            "name",
            "municipality",
            "class",
            "CNI",
            "relative VTI",
            "children 0–5",
            "eligible families",
            "need reached",
            "FTE",
            "selected",
            "wave",
            "why",
            "P(selected)",
        ],
    );
    // The plan's release order (ranked first), or catchment order without a plan.
    let order: Vec<usize> = match &r.plan {
        Some(p) => p.order.clone(),
        None => (0..r.catchments.len()).collect(),
    };
    for i in order {
        let Some(s) = r.catchments.get(i) else {
            continue;
        };
        let p = s.plan.as_ref();
        let style = classed.style(i);
        let _ = write!(
            h,
            "<tr id=\"r-{}\"{}>",
            escape(&s.bvc),
            if p.is_some_and(|x| x.phase.is_some()) {
                " class=\"selected\""
            } else {
                ""
            }
        );
        td_num(h, p.and_then(|x| x.rank).map(|r| r as f64), 0, false);
        td(h, &s.bvc);
        td(h, s.name.as_deref().unwrap_or(""));
        td(h, p.and_then(|x| x.municipality.as_deref()).unwrap_or(""));
        let _ = write!(
            h,
            "<td data-v=\"{}\"><span class=\"swatch\" style=\"background:{}\"></span> {}</td>",
            style.class.unwrap_or(0),
            escape(&style.fill),
            escape(&style.label)
        );
        td_cell(h, s.cni, 3);
        td_cell(h, s.relative_vti, 3);
        td_cell(h, s.children, 0);
        td_cell(h, p.map_or(Cell::Missing, |x| x.eligible_families), 1);
        td_cell(h, p.map_or(Cell::Missing, |x| x.need), 1);
        td_cell(h, p.map_or(Cell::Missing, |x| x.fte), 3);
        td(
            h,
            match p.map(|x| x.phase.is_some()) {
                Some(true) => "yes",
                Some(false) => "no",
                None => "",
            },
        );
        td_num(h, p.and_then(|x| x.phase).map(|w| w as f64), 0, false);
        td(h, p.map_or("", |x| x.reason.as_str()));
        td_cell(h, p.map_or(Cell::Missing, |x| x.p_selected), 3);
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n");
}

fn area_table(h: &mut String, r: &Release) {
    let _ = writeln!(
        h,
        "<h2 id=\"areas\">Area ranking</h2>\n<details><summary>All {} areas by CNI, highest first</summary>\n<table class=\"sortable\" id=\"area-table\">",
        r.areas.len()
    );
    let research = r.research();
    let mut headers = vec!["rank", "code", "name", "municipality", "residents", "CNI"];
    if research {
        headers.push("research score + 100");
    }
    thead(h, &headers);
    for &i in &r.area_order {
        let a = &r.areas[i];
        h.push_str("<tr>");
        td_num(h, a.rank.map(|r| r as f64), 0, false);
        td(h, &a.code);
        td(h, a.name.as_deref().unwrap_or(""));
        td(h, a.municipality.as_deref().unwrap_or(""));
        td_cell(h, a.population, 0);
        td_cell(h, a.cni, 3);
        if research {
            td_cell(h, a.research_shifted, 3);
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table></details>\n");
}

fn municipality_table(h: &mut String, r: &Release) {
    h.push_str("<h2 id=\"municipalities\">Municipalities</h2>\n");
    let Some(p) = &r.plan else {
        h.push_str(
            "<p>The per-municipality summary comes with the plan ([plan] in the scenario).</p>\n",
        );
        return;
    };
    h.push_str("<table class=\"sortable\" id=\"municipality-table\">\n");
    let above: Vec<String> = p
        .spec
        .thresholds
        .iter()
        .map(|t| format!("catchments CNI > {}", number(*t, 3)))
        .collect();
    let mut headers = vec![
        "code",
        "name",
        "residents",
        "children 0–5",
        "eligible families",
        "CNI",
        "need",
        "catchments",
    ];
    headers.extend(above.iter().map(String::as_str));
    headers.extend([
        "takes part",
        "selected",
        "their eligible families",
        "region FTE",
        "region SEK",
        "municipality FTE",
        "municipality SEK",
    ]);
    h.push_str("<p>Need = eligible families × their area's CNI. The last columns answer the motion's question (gavleborg-motion-2023) for the catchments the plan chose, running ones included: the extra staff and its cost, split by who employs it: the region (BVC nurses, midwives, dental staff) and the municipality (parent supporters from social services).</p>\n");
    thead(h, &headers);
    for m in &p.municipalities {
        h.push_str("<tr>");
        td(h, &m.code);
        td(h, m.name.as_deref().unwrap_or(""));
        td_cell(h, m.population, 0);
        td_cell(h, m.children, 0);
        td_cell(h, m.eligible_families, 1);
        td_cell(h, m.cni, 3);
        td_cell(h, m.need, 1);
        td_num(h, Some(m.catchments as f64), 0, false);
        for &n in &m.catchments_above {
            td_num(h, Some(n as f64), 0, false);
        }
        td(h, if m.taking_part { "yes" } else { "no" });
        td_num(h, Some(m.selected as f64), 0, false);
        td_cell(h, m.selected_eligible, 1);
        td_cell(h, m.region_fte, 2);
        td_cell(h, m.region_sek, 0);
        td_cell(h, m.municipality_fte, 2);
        td_cell(h, m.municipality_sek, 0);
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n");
}

fn centre_table(h: &mut String, r: &Release) {
    h.push_str("<h2 id=\"centres\">Child health centres (VTI)</h2>\n");
    let Some(v) = r.vti else {
        h.push_str("<p>No BVC table in this run (inputs.bvc_table).</p>\n");
        return;
    };
    let _ = writeln!(
        h,
        "<p>Nurse time by the staffing norm <b>{}</b>: {}, hours a week = FTE × {}. Flags: fewer than {} newborns a year; the norm below {} of a full-time nurse. <code>..</code>: withheld (small count).</p>",
        escape(v.norm.name()),
        escape(&v.norm.formula(v.spec.newborns_per_fte)),
        number(v.spec.hours_per_fte, 2),
        number(v.spec.min_newborns_per_nurse, 2),
        number(v.spec.min_fte_share, 3)
    );
    h.push_str("<table class=\"sortable\" id=\"centre-table\">\n");
    thead(
        h,
        &[
            "BVC",
            "name",
            "newborns",
            "VTI",
            "relative VTI",
            "nurse FTE (norm)",
            "nurse hours/week",
            "current nurse FTE",
            "gap FTE",
            "flags",
        ],
    );
    for c in &r.centres {
        h.push_str("<tr>");
        td(h, &c.bvc);
        td(h, c.name.as_deref().unwrap_or(""));
        td_cell(h, c.newborns, 0);
        td_cell(h, c.vti, 3);
        td_cell(h, c.relative_vti, 3);
        td_cell(h, c.nurse_fte, 3);
        td_cell(h, c.nurse_hours_per_week, 1);
        td_cell(h, c.current_nurse_fte, 3);
        td_cell(h, c.gap_fte, 3);
        let flags: Vec<&str> = [
            (c.few_newborns, "few newborns"),
            (c.below_half_time, "below half time"),
        ]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, f)| f)
        .collect();
        td(h, &flags.join(", "));
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n");
}

fn plan_section(h: &mut String, r: &Release) {
    h.push_str("<h2 id=\"plan\">Rollout plan</h2>\n");
    let Some(p) = &r.plan else {
        h.push_str("<p>No plan: the scenario has no [plan] section.</p>\n");
        return;
    };
    let unit = match p.spec.budget_unit {
        crate::plan::BudgetUnit::Fte => "FTE",
        crate::plan::BudgetUnit::Sek => "SEK a year",
    };
    let prog = &p.spec.programme;
    let _ = writeln!(
        h,
        "<p>Programme <b>{}</b>: {} visits per family, acceptance {}, {} visits per accepting family on average (observed completion). Eligible families: {}. Ranked by {}; need weight {}.</p>",
        escape(&prog.preset),
        number(prog.visits, 1),
        number(prog.acceptance, 2),
        number(p.visits_per_accepting_family, 2),
        escape(&p.eligibility),
        serde_name(&p.spec.rank_by),
        serde_name(&p.spec.need_weight)
    );
    let _ = writeln!(
        h,
        "<p>Visits are gross; staff and cost are the extra over the basic programme, whose {} home visits (newborn, 8 months: Region Gävleborg's answer to the interpellation) the BVC nurse makes anyway.</p>",
        number(prog.basic_home_visits, 1)
    );
    h.push_str("<p><b>How catchments are ranked.</b> With <code>need_reached</code>, a catchment's need is the sum over its areas of eligible families × the area's CNI: the need a programme there would reach. It grows with the number of families as well as with their CNI, so a large catchment with CNI 1.01 and 300 eligible families (need ≈ 303) comes before a small one with CNI 1.12 and 100 (need ≈ 112). The budget then buys the most need: the selection maximises need reached within the FTE, so what matters there is need per FTE, which follows the CNI. Ranking by <code>cni</code> instead orders by the catchment's CNI alone.</p>\n");
    if let Some(e) = &p.exact {
        h.push_str("<table id=\"waves\">\n");
        thead(
            h,
            &[
                "wave",
                "budget",
                "cumulative budget",
                "catchments added",
                "cost",
                "need reached",
            ],
        );
        let rows = std::iter::once((0, &e.running))
            .filter(|(_, w)| !w.chosen.is_empty())
            .chain(e.waves.iter().enumerate().map(|(k, w)| (k + 1, w)));
        for (k, w) in rows {
            let names: Vec<String> = w
                .chosen
                .iter()
                .map(|(bvc, name)| match name {
                    Some(n) => format!("{n} ({bvc})"),
                    None => bvc.clone(),
                })
                .collect();
            h.push_str("<tr>");
            td_num(h, Some(k as f64), 0, false);
            if k == 0 {
                td(h, "running, already staffed");
                td(h, "outside the budgets");
            } else {
                td(h, &format!("{} {unit}", number(w.budget, 3)));
                td(h, &format!("{} {unit}", number(w.capacity, 3)));
            }
            td(
                h,
                &if names.is_empty() {
                    "nothing".to_string()
                } else {
                    names.join(", ")
                },
            );
            match w.cost {
                Cell::Shown(c) => td(h, &format!("{} {unit}", number(c, 3))),
                Cell::Withheld => td(h, MARKER),
                Cell::Missing => td(h, ""),
            }
            td_cell(h, w.need, 1);
            h.push_str("</tr>\n");
        }
        h.push_str("</tbody></table>\n");
        if let (Some(g), Some(gap)) = (&p.greedy, p.gap.shown()) {
            if let (Some(en), Some(ec), Some(gn), Some(gc)) = (
                e.need.shown(),
                e.cost.shown(),
                g.need.shown(),
                g.cost.shown(),
            ) {
                let _ = writeln!(
                    h,
                    "<p>Exact selection: need reached {} at {} {unit}. Greedy baseline (best need per cost first): {} at {} {unit}; the exact optimum reaches {} more.</p>",
                    number(en, 1),
                    number(ec, 3),
                    number(gn, 1),
                    number(gc, 3),
                    number(gap, 1)
                );
            }
        }
    } else {
        h.push_str("<p>No budget given: nothing selected beyond lock-ins.</p>\n");
    }
    if let Some(rs) = &p.spec.robustness {
        let _ = writeln!(
            h,
            "<p>Robustness: {} Monte Carlo draws (seed {}), every weight × U(1 − {s}, 1 + {s}){}; the catchment table shows how often each catchment is selected.</p>",
            rs.draws,
            rs.seed,
            if rs.count_noise {
                ", Poisson noise on every count"
            } else {
                ""
            },
            s = number(rs.weight_spread, 3)
        );
    }
    if let (Some(b), Some((visits, nurse, social))) = (&p.spec.barnsakert, p.barnsakert) {
        let _ = writeln!(
            h,
            "<p><b>BarnSäkert</b> (screening at every BVC; a positive screen can lead to home visits with or without social services: Region Gävleborg's interpellation answer) competes for the same staff: {} home visits a year, {} BVC nurse FTE (region) and {} social services FTE (municipality), with {} % of families screened positive, {} visits each and {} % of them with social services (assumptions: no source gives these figures). {}</p>",
            cell_text(visits, 0),
            cell_text(nurse, 2),
            cell_text(social, 2),
            number(b.positive_share * 100.0, 1),
            number(b.visits_per_family, 1),
            number(b.social_services_share * 100.0, 1),
            if b.in_budget {
                "Taken from wave 1's budget before the programme was chosen."
            } else {
                "Reported beside the plan, not taken from its budget."
            }
        );
    }
    h.push_str("<p class=\"muted\">Every figure of the programme, with its source or labelled as an assumption: see <a href=\"#sources-list\">Sources and assumptions</a>.</p>\n");
}

fn method_section(h: &mut String, r: &Release) {
    let Some(cni) = r.cni else { return };
    h.push_str("<h2 id=\"method\">Method</h2>\n<h3>Care Need Index (SCB)</h3>\n<div class=\"formula\">index = Σᵢ wᵢ · nᵢ\nCNI   = (index / residents) / R\nR     = Σ index / Σ residents over the reference population</div>\n");
    h.push_str("<table id=\"weights\">\n");
    thead(
        h,
        &["variable nᵢ", "weight wᵢ", "denominator (research variant)"],
    );
    for v in &cni.variables {
        h.push_str("<tr>");
        td(h, &v.name);
        td_num(h, Some(v.weight), 3, false);
        td(h, &v.denominator);
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n");
    let _ = writeln!(
        h,
        "<p>{}. CNI 1.0 is the reference average; 1.5 means 50 % more weighted need per resident.</p>",
        escape(&cni.reference.description())
    );
    if r.research() {
        let transform = match cni.transform {
            Some(crate::scores::cni::Transform::Log) => "tᵢ = ln(100·pᵢ + 1)",
            _ => "tᵢ = asin(√pᵢ)",
        };
        let _ = writeln!(
            h,
            "<h3>Research variant</h3>\n<div class=\"formula\">pᵢ = nᵢ / dᵢ\n{transform}\nzᵢ = (tᵢ − μᵢ) / σᵢ   (population-weighted over the input areas)\nresearch score   = Σᵢ wᵢ·zᵢ          (0 = the input areas' average)\nresearch shifted = 100 + research score</div>\n<p>Both are interval scales: differences between areas compare, ratios do not, and the scores are relative to the input areas. The shift by 100 is an <b>assumption</b>: Sundquist et al. 2003 (J Epidemiol Community Health 57:347–352) write that “The CNI scale was transformed into a positive scale to avoid negative values” (decile means 61–140), but their formula was not available.</p>"
        );
        parameter_table(h, "research-parameters", &cni.research_parameters());
    }
    if let Some(v) = r.vti {
        let _ = writeln!(
            h,
            "<h3>Vårdtyngdsindex (VTI)</h3>\n<div class=\"formula\">VTI               = p_first / 3 + p_bcg + p_smoke\nweighted newborns = newborns × (1 + VTI)\nrelative VTI      = (1 + VTI) / mean(1 + VTI)   (mean {} over the centres, newborn-weighted)\n{}\nnurse hours/week  = nurse FTE × {}</div>",
            number(v.mean_one_plus_vti, 4),
            escape(&v.norm.formula(v.spec.newborns_per_fte).replacen(
                "nurse_fte = ",
                "nurse FTE         = ",
                1
            )),
            number(v.spec.hours_per_fte, 2)
        );
        let _ = writeln!(
            h,
            "<p>The staffing norm (Norrbotten BHV 2012, slide 2): “{}”; “{}”. {}</p>",
            escape(crate::scores::vti::NORM_QUOTE),
            escape(crate::scores::vti::LOAD_QUOTE),
            match v.norm {
                crate::scores::vti::Norm::Relative =>
                    "The 60 are newborns of an area of average care load, so each centre's newborns count at its relative VTI, and the centres' total is their newborns / 60 (the average of the input centres stands for the normal area: an assumption).",
                crate::scores::vti::Norm::CareWeighted =>
                    "Read here as 60 care-weighted newborns per nurse (scenario norm = \"care_weighted\"): each centre's extra care load comes on top of the norm.",
            }
        );
        parameter_table(h, "vti-parameters", &v.spec.parameters());
    }
    if r.catchment_geometry.is_some() {
        h.push_str("<h3>Catchments</h3>\n<p>Each area goes whole to the BVC nearest its population-weighted centre; a catchment's CNI is the residents-weighted mean of its areas' CNI.</p>\n");
    }
    if let Some(p) = &r.plan {
        let _ = writeln!(
            h,
            "<h3>Need and the rollout</h3>\n<div class=\"formula\">need reached   = eligible families × CNI   (per area, summed per catchment)\naccepting      = eligible families × {acc}\nvisits         = accepting × {vpf} visits per accepting family\nFTE            = visits × share of visits a profession attends × (minutes per visit + travel) / 60 / hours per FTE-year\nchoose x ∈ {{0,1}}ⁿ maximising Σ need · x   subject to   Σ cost · x ≤ budget (cumulative per wave),\n    x = 1 for locked-in catchments, x = 0 where not allowed</div>\n<p>The knapsack is solved exactly (branch and bound); a greedy baseline is shown for comparison.</p>",
            acc = number(p.spec.programme.acceptance, 3),
            vpf = number(p.visits_per_accepting_family, 3)
        );
    }
}

/// A table of parameters with their basis.
fn parameter_table(h: &mut String, id: &str, parameters: &[crate::sources::Parameter]) {
    let _ = writeln!(h, "<table id=\"{}\">", escape(id));
    thead(h, &["parameter", "value", "basis"]);
    for p in parameters {
        h.push_str("<tr>");
        td(h, &p.name);
        td(h, &p.value);
        td(h, &p.basis.describe());
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n");
}

fn parameters_section(h: &mut String, r: &Release) {
    h.push_str("<h2 id=\"parameters\">Parameters and data sources</h2>\n<table id=\"sources\">\n");
    thead(h, &["input", "file"]);
    for (name, path) in &r.meta.inputs {
        h.push_str("<tr>");
        td(h, name);
        td(h, &path.display().to_string());
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n");
    if let Some(crs) = &r.meta.boundaries_crs {
        let _ = writeln!(
            h,
            "<p>Boundaries in {}; maps drawn in SWEREF99 TM, GeoJSON written in WGS84.</p>",
            escape(crs)
        );
    }
    let _ = writeln!(
        h,
        "<details><summary>The scenario ({})</summary><pre>{}</pre></details>",
        escape(&r.meta.scenario),
        escape(&r.meta.scenario_text)
    );
    let warnings = r
        .notices
        .iter()
        .filter(|n| n.level == Level::Warning)
        .count();
    let _ = writeln!(
        h,
        "<details><summary>{} warnings, {} notes in the run</summary><ul>",
        warnings,
        r.notices.len() - warnings
    );
    for n in &r.notices {
        let _ = writeln!(h, "<li>{}</li>", escape(&n.to_string()));
    }
    h.push_str("</ul></details>\n");
    sources_section(h, r);
}

/// A released cell as text: the number, the marker, or a dash.
fn cell_text(c: Cell, decimals: usize) -> String {
    match c {
        Cell::Shown(x) => number(x, decimals),
        Cell::Withheld => MARKER.to_string(),
        Cell::Missing => "–".to_string(),
    }
}

/// The sources and assumptions every method and parameter points to.
fn sources_section(h: &mut String, r: &Release) {
    let ps = &r.meta.parameters;
    let (sources, assumptions) = crate::sources::used(ps);
    h.push_str("<h3 id=\"sources-list\">Sources and assumptions</h3>\n<ol id=\"source-list\">\n");
    for s in &sources {
        let _ = writeln!(
            h,
            "<li id=\"source-{}\"><b>{}</b>: {} ({})</li>",
            escape(s.id),
            escape(s.id),
            escape(s.title),
            escape(s.at)
        );
    }
    h.push_str("</ol>\n<ol id=\"assumption-list\">\n");
    for (i, a) in assumptions.iter().enumerate() {
        let _ = writeln!(
            h,
            "<li id=\"assumption-{}\">A{}: {}</li>",
            i + 1,
            i + 1,
            escape(a)
        );
    }
    h.push_str("</ol>\n<table id=\"parameter-list\">\n");
    thead(h, &["parameter", "value", "basis"]);
    for p in ps {
        h.push_str("<tr>");
        td(h, &p.name);
        td(h, &p.value);
        let basis = match &p.basis {
            crate::sources::Basis::Assumption(t) => format!(
                "assumption A{}",
                assumptions.iter().position(|a| a == t).map_or(0, |i| i + 1)
            ),
            b => b.describe(),
        };
        td(h, &basis);
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n");
}

fn privacy_section(h: &mut String, r: &Release) {
    let privacy = r.privacy;
    let _ = writeln!(
        h,
        "<h2 id=\"privacy\">Privacy: what was withheld</h2>\n<p>Counts of people (residents, children, newborns, eligible or accepting families, the counts behind a share) between 1 and {} (any value above 0 and below {}) are shown as <code>{MARKER}</code> in tables and left out of the map classes; so is every figure derived from them from which they could be recomputed (CNI, shares, z-scores, VTI, need, visits, FTE, cost, totals that include them), and a withheld figure gets no rank. Zero is shown. No output contains a record or coordinate of a child: geocoded children are only counted per area and catchment.</p>",
        number((privacy.min_count - 1.0).max(0.0), 0),
        number(privacy.min_count, 0)
    );
    let s = r.withheld();
    if s.is_empty() {
        h.push_str("<p id=\"suppressed\">Nothing was withheld in this run.</p>\n");
        return;
    }
    h.push_str("<table id=\"suppressed\">\n");
    thead(h, &["output", "rows withheld", "fields"]);
    for x in &s {
        h.push_str("<tr>");
        td(h, &x.output);
        let unit = match (x.rows, x.unit.as_str()) {
            (1, "municipalities") => "municipality",
            (1, u) => u.strip_suffix('s').unwrap_or(u),
            (_, u) => u,
        };
        td(h, &format!("{} {unit}", x.rows));
        td(h, &x.fields.join(", "));
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n");
}
