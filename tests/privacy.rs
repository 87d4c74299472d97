//! Issue 11 point 6: the privacy test. A copy of the demo county is given counts
//! of 1–4 at area, centre and catchment level; every command of the CLI is run
//! on it at thresholds 5 and 20, and every output file, stdout and stderr are
//! scanned for the withheld numbers and for the values from which they follow
//! (the small area's CNI, the catchment's CNI, the z-scores, a rank between two
//! shown values, totals, the children's coordinates). The same scan of the same
//! commands with the rule switched off (`min_count = 0`) must find them: the
//! scanner is shown able to fail.
//!
//! The fixture (built from `data/demo` in `target/tmp/privacy`):
//! * area `2184A0080` has 3 residents (every count ≤ 3), one child left in
//!   `children.csv` and one birth; area `2183A0010` keeps its 1 426 residents
//!   but has `under5 = 2`, so its z-scores must be withheld;
//! * centre `2180-3` has 3 newborns; centre `2184-1` has 211 newborns but 2
//!   smoking mothers, so its shares must be withheld; every centre has a
//!   current `nurse_fte` (shown), so the small centre's gap to the norm is a
//!   secret too;
//! * a BVC `2184-9` is added next to the small area's one child: its
//!   nearest-BVC catchment is that area alone (3 residents, 1 child, 1 eligible
//!   family);
//! * `children.csv` has a bad row (`x = 621234.5abc`), which raises a notice
//!   that must not quote it.
//!
//! The secrets are computed by the library: the run released with the rule off
//! gives every value, the run released at the threshold says which are
//! withheld; each withheld value is searched in every form a writer could give
//! it (CSV decimals, GeoJSON rounding, HTML `data-v`, SVG titles, `{:.N}` on
//! stdout, full precision in JSON). Counts (1–4 are too common to grep) are
//! checked structurally instead: no count column or property holds a value
//! `0 < v < threshold`. PNG files are not scanned (`map.png` is rendered from
//! `map.svg`, which is). A form that a shown value (or a published constant)
//! also takes is not evidence and is not searched; that a withheld value is
//! never shown as another value of the release is checked on the release
//! itself (`no_withheld_value_is_shown_elsewhere_in_the_release`).
//!
//! Not covered (the release documents it as not done): differencing across
//! tables, e.g. a municipality's residents less its shown areas' residents; the
//! ignored test `a_withheld_count_does_not_follow_from_totals_of_another_table`
//! shows it on the fixture.

use careneed::outputs::csv::number;
use careneed::pipeline::{self, Run};
use careneed::release::{Cell, Release, Row};
use careneed::scenario::Scenario;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// 3 residents; the only area of [`SMALL_CATCHMENT`].
const SMALL_AREA: &str = "2184A0080";
/// 1 426 residents, `under5 = 2`: z-scores withheld, CNI shown.
const SHARE_AREA: &str = "2183A0010";
/// 3 newborns.
const SMALL_CENTRE: &str = "2180-3";
/// 211 newborns, 2 smoking mothers: shares withheld, VTI shown.
const SMOKING_CENTRE: &str = "2184-1";
/// A BVC added next to the small area's one child.
const SMALL_CATCHMENT: &str = "2184-9";
/// The bad row of `children.csv`: a real-looking home with a typo in x.
const BAD_X: &str = "621234.5abc";
const BAD_Y: &str = "6848321.25";

/// Count columns (CSV) and properties (GeoJSON): counts of people.
const COUNT_FIELDS: [&str; 8] = [
    "population",
    "children",
    "newborns",
    "eligible_families",
    "accepting_families",
    "births",
    "count",
    "under5",
];

/// The CLI's commands, each run into its own folder.
const COMMANDS: [&str; 8] = [
    "demo",
    "run",
    "plan",
    "cni",
    "vti",
    "assign",
    "interpolate",
    "catchments",
];

fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo")
}

// ---------------------------------------------------------------- fixture

struct Fixture {
    /// The fixture's folder: the inputs, `t0/`, `t5/`, `t20/` (scenarios) and
    /// `out-t*/<command>/` (outputs), left for inspection after the run.
    dir: PathBuf,
    /// The pipeline on the fixture (threshold 5; the release sets the threshold).
    run: Run,
    /// x, y of the small area's one child, as written in children.csv.
    small_child: (String, String),
    /// x, y of every 50th child.
    sample: Vec<(String, String)>,
    /// Children assigned to an area (the total of `assign`'s counts).
    assigned: u64,
    /// Column totals of areas.csv (the totals of `interpolate`'s columns).
    column_totals: BTreeMap<String, f64>,
}

/// Rewrites the row of `key` (first field) of a plain CSV file (no quoting).
fn edit_row(path: &Path, key: &str, edit: impl Fn(&mut Vec<String>)) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut found = false;
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            let mut f: Vec<String> = line.split(',').map(String::from).collect();
            if f[0] == key {
                found = true;
                edit(&mut f);
                f.join(",")
            } else {
                line.to_string()
            }
        })
        .collect();
    assert!(found, "{}: no row {key}", path.display());
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

/// Appends a column `header` to a CSV, `value(key)` on each row.
fn add_column(path: &Path, header: &str, value: impl Fn(&str) -> &'static str) {
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let key = line.split(',').next().unwrap_or_default();
            let v = if i == 0 { header } else { value(key) };
            format!("{line},{v}")
        })
        .collect();
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

/// The demo scenario with its inputs one folder up, 40 Monte Carlo draws and
/// the given threshold.
fn scenario_text(min_count: u32) -> String {
    let demo = std::fs::read_to_string(demo_dir().join("scenario.toml")).unwrap();
    let mut section = String::new();
    let mut out = String::new();
    let (mut inputs, mut draws, mut privacy) = (0, 0, 0);
    for line in demo.lines() {
        if line.starts_with('[') {
            section = line.to_string();
        }
        let file = line.contains(".csv\"") || line.contains(".geojson\"");
        let line = if section == "[inputs]" && file {
            inputs += 1;
            line.replacen(" = \"", " = \"../", 1)
        } else if line.starts_with("draws = ") {
            draws += 1;
            "draws = 40".to_string()
        } else if line.starts_with("min_count = ") {
            privacy += 1;
            format!("min_count = {min_count}")
        } else {
            line.to_string()
        };
        out.push_str(&line);
        out.push('\n');
    }
    assert_eq!((inputs, draws, privacy), (7, 1, 1), "{out}");
    assert!(out.contains("method = \"research\""));
    out
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(build_fixture)
}

fn build_fixture() -> Fixture {
    use careneed::inputs::boundaries::{BoundaryOptions, read_boundaries};
    use careneed::inputs::points::read_points;
    use careneed::spatial::{AreaIndex, assign};

    // In cargo's folder for test files (a static is never dropped, so a
    // temporary folder would never be removed), made afresh.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("privacy");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    std::fs::create_dir_all(&dir).unwrap();
    for f in std::fs::read_dir(demo_dir()).unwrap() {
        let p = f.unwrap().path();
        if p.is_file() {
            std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
        }
    }

    // Areas: 3 residents (1 child under 5, 1 adult 16–64 who is a single
    // parent, mover and of low education, 1 elderly living alone); and one
    // area of normal size with 2 children under 5.
    edit_row(&dir.join("areas.csv"), SMALL_AREA, |f| {
        // code,name,population,under5,foreign_born,elderly_alone,single_parents,
        // movers,unemployed,low_education,pop_65plus,pop_16_64,pop_25_64
        for (i, v) in ["3", "1", "0", "1", "1", "1", "0", "1", "1", "1", "1"]
            .into_iter()
            .enumerate()
        {
            f[i + 2] = v.into();
        }
    });
    edit_row(&dir.join("areas.csv"), SHARE_AREA, |f| f[3] = "2".into());
    edit_row(&dir.join("births.csv"), SMALL_AREA, |f| {
        f[1] = "1".into();
        f[2] = "1".into();
        f[3] = "0".into();
    });
    // Centres: 3 newborns; and 211 newborns with 2 smoking mothers.
    edit_row(&dir.join("bvc_vti.csv"), SMALL_CENTRE, |f| {
        f[2] = "3".into();
        f[3] = "2".into();
        f[4] = "1".into();
        f[5] = "1".into();
    });
    edit_row(&dir.join("bvc_vti.csv"), SMOKING_CENTRE, |f| {
        f[5] = "2".into()
    });
    // Every centre's current nurse FTE: an input, shown; the small centre's
    // gap to the norm follows from its newborns and must be withheld.
    add_column(&dir.join("bvc_vti.csv"), "nurse_fte", |key| {
        if key == SMALL_CENTRE { "0.75" } else { "1.25" }
    });

    // Children: the small area keeps one child, and a bad row is added.
    let (b, _) = read_boundaries(&dir.join("deso.geojson"), &BoundaryOptions::default()).unwrap();
    let small = b.areas.iter().position(|a| a.code == SMALL_AREA).unwrap();
    let (mut pts, _) = read_points(&demo_dir().join("children.csv"), "x", "y").unwrap();
    pts.declare_crs(b.crs).unwrap();
    let a = assign(&AreaIndex::new(&b), &pts, &|_| {});
    let in_small: Vec<u64> = pts
        .lines
        .iter()
        .zip(&a.area)
        .filter(|(_, area)| **area == Some(small))
        .map(|(&line, _)| line)
        .collect();
    assert!(in_small.len() > 10);
    let drop: BTreeSet<u64> = in_small[1..].iter().copied().collect();
    let text = std::fs::read_to_string(demo_dir().join("children.csv")).unwrap();
    let mut kept = String::new();
    let mut small_child = None;
    let mut sample = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i as u64 + 1;
        if drop.contains(&line_no) {
            continue;
        }
        let f: Vec<&str> = line.split(',').collect();
        if line_no == in_small[0] {
            small_child = Some((f[1].to_string(), f[2].to_string()));
        } else if i > 0 && i % 50 == 0 {
            sample.push((f[1].to_string(), f[2].to_string()));
        }
        kept.push_str(line);
        kept.push('\n');
    }
    kept.push_str(&format!("c099999,{BAD_X},{BAD_Y},3,{SMOKING_CENTRE}\n"));
    std::fs::write(dir.join("children.csv"), kept).unwrap();
    let small_child = small_child.unwrap();

    // A BVC 150 m north-east of the small area's one child: its catchment is
    // that area alone (asserted below).
    let path = dir.join("bvc.geojson");
    let mut g: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let (x, y): (f64, f64) = (
        small_child.0.parse().unwrap(),
        small_child.1.parse().unwrap(),
    );
    g["features"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "type": "Feature",
            "properties": {"bvc": SMALL_CATCHMENT, "name": "BVC Liten", "kommunkod": "2184"},
            "geometry": {"type": "Point", "coordinates": [x + 150.0, y + 150.0]},
        }));
    std::fs::write(&path, serde_json::to_vec(&g).unwrap()).unwrap();

    for t in [0, 5, 20] {
        let s = dir.join(format!("t{t}"));
        std::fs::create_dir_all(&s).unwrap();
        std::fs::write(s.join("scenario.toml"), scenario_text(t)).unwrap();
    }

    // What `assign` and `interpolate` total.
    let (mut pts, _) = read_points(&dir.join("children.csv"), "x", "y").unwrap();
    pts.declare_crs(b.crs).unwrap();
    let assigned = assign(&AreaIndex::new(&b), &pts, &|_| {})
        .counts
        .iter()
        .sum();
    let mut column_totals = BTreeMap::new();
    let mut rdr = csv::Reader::from_path(dir.join("areas.csv")).unwrap();
    let headers = rdr.headers().unwrap().clone();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        for (h, v) in headers.iter().zip(rec.iter()).skip(2) {
            *column_totals.entry(h.to_string()).or_insert(0.0) += v.parse::<f64>().unwrap();
        }
    }

    let run = pipeline::run(&Scenario::read(&dir.join("t5/scenario.toml")).unwrap()).unwrap();
    Fixture {
        dir,
        run,
        small_child,
        sample,
        assigned,
        column_totals,
    }
}

/// The fixture's run at `min_count`.
fn run_at(min_count: u32) -> Run {
    let mut run = fixture().run.clone();
    run.scenario.privacy.min_count = Some(min_count);
    run
}

#[test]
fn the_fixture_has_small_counts_at_area_centre_and_catchment_level() {
    let f = fixture();
    let run = &f.run;
    let area = |code: &str| run.areas.iter().find(|a| a.code == code).unwrap();
    assert_eq!(area(SMALL_AREA).population, Some(3.0));
    assert!(area(SHARE_AREA).population.unwrap() > 1000.0);
    let row = |code: &str| run.table.rows.iter().find(|r| r.key == code).unwrap();
    let under5 = run.table.column("under5").unwrap();
    assert_eq!(row(SHARE_AREA).values[under5], 2.0);
    // Research z-scores exist for both (they are the secrets).
    let i = run
        .table
        .rows
        .iter()
        .position(|r| r.key == SMALL_AREA)
        .unwrap();
    assert!(run.cni.areas[i].research.is_some());

    let vti = run.vti.as_ref().unwrap();
    let centre = |bvc: &str| vti.centres.iter().find(|c| c.bvc == bvc).unwrap();
    assert_eq!(centre(SMALL_CENTRE).newborns, 3.0);
    assert!(centre(SMALL_CENTRE).vti.is_some());
    assert_eq!(centre(SMOKING_CENTRE).mother_smoking, 2.0);
    assert!(centre(SMOKING_CENTRE).newborns > 200.0);

    // The added BVC's catchment is the small area alone.
    let c = run.catchments.as_ref().unwrap();
    let k = c
        .summaries
        .iter()
        .position(|s| s.bvc == SMALL_CATCHMENT)
        .unwrap();
    let s = &c.summaries[k];
    assert_eq!((s.areas, s.population, s.children), (1, 3.0, 1.0), "{s:?}");
    assert!((s.cni.unwrap() - area(SMALL_AREA).cni.unwrap()).abs() < 1e-9);
    let members = &c.catchments.catchments[k].areas;
    assert_eq!(
        run.boundaries.as_ref().unwrap().areas[members[0].0].code,
        SMALL_AREA
    );
    let plan = run.plan.as_ref().unwrap();
    let p = plan
        .catchments
        .iter()
        .find(|p| p.bvc == SMALL_CATCHMENT)
        .unwrap();
    assert_eq!(p.eligible_families, 1.0);
    assert!(plan.spec.robustness.is_some());

    // The bad row was rejected with a notice that names its line only.
    let bad: Vec<_> = run.report.of_kind("bad_point").collect();
    assert_eq!(bad.len(), 1, "{bad:?}");
    let notice = bad[0].to_string();
    assert!(
        !notice.contains("621234") && !notice.contains("6848321"),
        "{notice}"
    );

    // Released at 5, the rule withholds them.
    let run = run_at(5);
    let r = run.release();
    let a = r.areas.iter().find(|a| a.code == SMALL_AREA).unwrap();
    assert!(a.cni.is_withheld() && a.z.iter().all(|z| z.is_withheld()));
    let a = r.areas.iter().find(|a| a.code == SHARE_AREA).unwrap();
    assert!(a.cni.shown().is_some() && a.z.iter().all(|z| z.is_withheld()));
    let c = r
        .catchments
        .iter()
        .find(|c| c.bvc == SMALL_CATCHMENT)
        .unwrap();
    assert!(c.cni.is_withheld() && c.children.is_withheld());
    assert!(c.plan.as_ref().unwrap().need.is_withheld());
    let c = r.centres.iter().find(|c| c.bvc == SMALL_CENTRE).unwrap();
    assert!(c.vti.is_withheld() && c.nurse_fte.is_withheld() && c.gap_fte.is_withheld());
    assert_eq!(c.current_nurse_fte, Cell::Shown(0.75));
    let c = r.centres.iter().find(|c| c.bvc == SMOKING_CENTRE).unwrap();
    assert!(c.p_smoke.is_withheld() && c.vti.shown().is_some());
}

// ---------------------------------------------------------------- secrets

/// A value that must not appear, in every textual form a writer could give it.
#[derive(Debug, Clone)]
struct Secret {
    what: String,
    forms: BTreeSet<String>,
}

/// Significant digits of a number's text (`0.0412` → 3).
fn significant(s: &str) -> usize {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    digits.trim_start_matches('0').len()
}

/// Every text a writer could print `v` as: `csv::number` and `{:.N}` for N ≤ 6,
/// the GeoJSON rounding, full precision (`{}` and serde_json); forms with fewer
/// than 3 significant digits are too common to search for.
fn forms(v: f64) -> BTreeSet<String> {
    let mut f = BTreeSet::new();
    for d in 0..=6usize {
        f.insert(number(v, d));
        f.insert(format!("{v:.d$}"));
        let s = 10f64.powi(d as i32);
        f.insert(serde_json::to_string(&((v * s).round() / s)).unwrap());
    }
    f.insert(format!("{v}"));
    f.insert(serde_json::to_string(&v).unwrap());
    f.into_iter().filter(|s| significant(s) >= 3).collect()
}

/// A released number: its field, whether it is a count, its cell.
struct Labelled {
    field: &'static str,
    count: bool,
    cell: Cell,
}

/// Every released number of a release, labelled (`area 2184A0080 cni`).
fn labelled(r: &Release) -> BTreeMap<String, Labelled> {
    let mut m = BTreeMap::new();
    let mut put = |prefix: String, cells: Vec<(&'static str, Cell)>| {
        for (i, (field, c)) in cells.into_iter().enumerate() {
            let mut label = format!("{prefix} {field}");
            if m.contains_key(&label) {
                label = format!("{label}#{i}");
            }
            m.insert(
                label,
                Labelled {
                    field,
                    count: COUNT_FIELDS.contains(&field),
                    cell: c,
                },
            );
        }
    };
    for a in &r.areas {
        put(format!("area {}", a.code), a.cells());
    }
    for c in &r.centres {
        put(format!("centre {}", c.bvc), c.cells());
    }
    for c in &r.catchments {
        put(format!("catchment {}", c.bvc), c.cells());
    }
    if let Some(p) = &r.plan {
        for x in &p.municipalities {
            put(format!("municipality {}", x.code), x.cells());
        }
        for a in &p.areas {
            put(format!("plan area {}", a.code), a.cells());
        }
        for (name, s) in [("exact", &p.exact), ("greedy", &p.greedy)] {
            let Some(s) = s else { continue };
            let mut cells = vec![
                ("need", s.need),
                ("cost", s.cost),
                ("left", s.left),
                ("running need", s.running.need),
                ("running cost", s.running.cost),
            ];
            for w in &s.waves {
                cells.extend([("wave need", w.need), ("wave cost", w.cost)]);
            }
            put(format!("selection {name}"), cells);
        }
        put(
            "plan".into(),
            vec![
                ("gap", p.gap),
                ("total_eligible", p.total_eligible),
                ("total_fte", p.total_fte),
            ],
        );
    }
    m
}

/// The secrets of the fixture at `min_count`: every value withheld there (but
/// counts, checked structurally), as the rule-off release has it, in the forms
/// no shown value also takes; the totals `assign` and `interpolate` withhold.
fn secrets(min_count: u32) -> Vec<Secret> {
    let f = fixture();
    let at = labelled(&run_at(min_count).release());
    let off = labelled(&run_at(0).release());
    // Forms a shown value also takes, and the published constants (weights, R,
    // the research means and SDs, the scenario's numbers), are not evidence.
    let cni = &f.run.cni;
    let constants = cni
        .variables
        .iter()
        .map(|v| v.weight)
        .chain([cni.reference.value])
        .chain(cni.research_reference.iter().flat_map(|r| [r.mean, r.sd]));
    let mut public: BTreeSet<String> = at
        .values()
        .filter_map(|x| x.cell.shown())
        .chain(constants)
        .flat_map(forms)
        .collect();
    let scenario = scenario_text(min_count);
    public.extend(number_tokens(&scenario).into_iter().map(String::from));
    // Ranks and feature ids (1..n over areas, centres and catchments) are
    // structure, not evidence: a withheld 155.8 shown as "156" is no leak when
    // 156 is an area's rank.
    let rows = {
        let run = run_at(min_count);
        let r = run.release();
        r.areas.len().max(r.centres.len()).max(r.catchments.len())
    };
    public.extend((1..=rows).map(|i| i.to_string()));
    let mut out = Vec::new();
    for (label, x) in &at {
        if !x.cell.is_withheld() || x.count {
            continue;
        }
        let v = off[label].cell.shown().unwrap();
        if v == 0.0 {
            continue;
        }
        let forms: BTreeSet<String> = forms(v).difference(&public).cloned().collect();
        out.push(Secret {
            what: label.clone(),
            forms,
        });
    }
    // The totals of `assign` and `interpolate`: with a withheld count in the
    // column, the total gives it back by difference from the shown ones.
    let t = min_count as f64;
    let small = |v: f64| v > 0.0 && v < t;
    let counts = &f.run.catchments.as_ref().unwrap().children_per_area;
    if counts.iter().any(|&c| small(c as f64)) {
        out.push(Secret {
            what: "assign: total of the counts".into(),
            forms: forms(f.assigned as f64),
        });
    }
    let table = &f.run.table;
    for col in ["population", "under5"] {
        let c = table.column(col).unwrap();
        if table.rows.iter().any(|r| small(r.values[c])) {
            out.push(Secret {
                what: format!("interpolate: total of {col}"),
                forms: forms(f.column_totals[col]),
            });
        }
    }
    out
}

/// Coordinates of children that must appear in no output: `(what, text,
/// whole)`, `whole` for a single coordinate, which must not appear as a whole
/// number (it may as digits inside another one), the others as text anywhere.
fn coordinate_texts() -> Vec<(String, String, bool)> {
    let f = fixture();
    let (x, y) = &f.small_child;
    let mut v = vec![
        ("the bad row's x".to_string(), BAD_X.to_string(), false),
        (
            "the bad row's x".into(),
            BAD_X.trim_end_matches("abc").into(),
            false,
        ),
        ("the bad row's y".into(), BAD_Y.into(), false),
        ("the small area's child's x".into(), x.clone(), true),
        ("the small area's child's y".into(), y.clone(), true),
    ];
    for (x, y) in &f.sample {
        v.push(("a child's position".into(), format!("{x},{y}"), false));
        v.push(("a child's position".into(), format!("{x} {y}"), false));
    }
    v
}

/// A child's position as GeoJSON writes positions (WGS84, 6 decimals).
fn wgs84_positions() -> BTreeSet<String> {
    use careneed::inputs::crs::{Crs, Transformer};
    let f = fixture();
    let t = Transformer::new(Crs::Sweref99Tm, Crs::Wgs84).unwrap();
    let r6 = |v: f64| (v * 1e6).round() / 1e6;
    std::iter::once(&f.small_child)
        .chain(&f.sample)
        .map(|(x, y)| {
            let (lon, lat) = t.apply(x.parse().unwrap(), y.parse().unwrap()).unwrap();
            format!("[{},{}]", r6(lon), r6(lat))
        })
        .collect()
}

/// Whether `v` is a ratio of small integers (a share such as 20/50): such values
/// coincide between unrelated rows.
fn simple_fraction(v: f64) -> bool {
    (1..=1000).any(|d| {
        let x = v * d as f64;
        (x - x.round()).abs() < 1e-9
    })
}

/// Fields whose values coincide between unrelated rows: FTE, cost and visits are
/// a count of families times a constant (two catchments with the same families
/// have the same FTE), and a z-score is a function of one ratio of counts.
const COINCIDING: [&str; 7] = [
    "fte",
    "cost",
    "cost_sek",
    "visits",
    "wave cost",
    "total_fte",
    "z",
];

/// A withheld value must not be shown as another value of the same release (a
/// catchment of one area has that area's need, for instance): every withheld
/// value that is not a ratio of small integers, nor of a field whose values
/// coincide between unrelated rows, differs from every shown one.
#[test]
fn no_withheld_value_is_shown_elsewhere_in_the_release() {
    let off = labelled(&run_at(0).release());
    let mut findings = Vec::new();
    for t in [5, 20] {
        let run = run_at(t);
        let at = labelled(&run.release());
        let shown: Vec<(&String, f64)> = at
            .iter()
            .filter_map(|(l, x)| Some((l, x.cell.shown()?)))
            .collect();
        for (label, x) in &at {
            if !x.cell.is_withheld() || x.count {
                continue;
            }
            let v = off[label].cell.shown().unwrap();
            if v == 0.0 || simple_fraction(v) || COINCIDING.contains(&x.field) {
                continue;
            }
            for (l, w) in &shown {
                if (w - v).abs() <= 1e-9 * v.abs().max(1.0) {
                    findings.push(format!(
                        "min_count = {t}: withheld {label} = {v} is shown as {l}"
                    ));
                }
            }
        }
    }
    assert!(findings.is_empty(), "{}", findings.join("\n"));
}

/// Differencing across tables: the release has no secondary suppression (its
/// module docs and the README say so), so a small area's residents follow from
/// its municipality's residents (`plan_municipalities.csv`) less those of the
/// municipality's other areas (`cni.csv`). Run with `--ignored` to see it.
#[test]
#[ignore = "LEAK (documented as not done): no secondary suppression across tables"]
fn a_withheld_count_does_not_follow_from_totals_of_another_table() {
    let run = run_at(5);
    let r = run.release();
    let municipality = &SMALL_AREA[..4];
    let m = r
        .plan
        .as_ref()
        .unwrap()
        .municipalities
        .iter()
        .find(|m| m.code == municipality)
        .unwrap();
    let shown: f64 = r
        .areas
        .iter()
        .filter(|a| a.municipality_code == municipality)
        .filter_map(|a| a.population.shown())
        .sum();
    let total = m.population.shown().unwrap_or(f64::NAN);
    // LEAK: 36 375 − 36 372 = 3, the small area's withheld residents.
    assert!(
        (total - shown - 3.0).abs() > 0.5,
        "{municipality}: {total} residents − {shown} in its shown areas = {SMALL_AREA}'s {}",
        total - shown
    );
}

// ---------------------------------------------------------------- running

/// One output: a file's or a stream's text (`None` for a PNG: not scanned).
struct Output {
    name: String,
    text: Option<String>,
}

fn careneed(dir: &Path, args: &[String]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_careneed"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "careneed {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs every command on the fixture at `min_count`; returns every output.
fn run_all(min_count: u32) -> Vec<Output> {
    let f = fixture();
    let scenario = format!("t{min_count}/scenario.toml");
    let root = format!("out-t{min_count}");
    let mut outputs = Vec::new();
    for cmd in COMMANDS {
        let out = format!("{root}/{cmd}");
        std::fs::create_dir_all(f.dir.join(&out)).unwrap();
        let mut args: Vec<&str> = vec![cmd];
        let file = |name: &str| format!("{out}/{name}");
        let (cni_out, vti_out, assign_out, interpolate_out) = (
            file("cni.csv"),
            file("vti.csv"),
            file("assign.csv"),
            file("interpolate.csv"),
        );
        let data = format!("t{min_count}");
        match cmd {
            "demo" => args.extend(["--data", &data, "--out", &out]),
            "run" | "plan" | "catchments" => args.extend(["--scenario", &scenario, "--out", &out]),
            "cni" => args.extend([
                "--table",
                "areas.csv",
                "--boundaries",
                "deso.geojson",
                "--method",
                "research",
                "--scenario",
                &scenario,
                "--out",
                &cni_out,
            ]),
            "vti" => args.extend(["--scenario", &scenario, "--out", &vti_out]),
            "assign" => args.extend(["--scenario", &scenario, "--out", &assign_out]),
            "interpolate" => args.extend([
                "--from",
                "deso.geojson",
                "--table",
                "areas.csv",
                "--to",
                "deso.geojson",
                "--extensive",
                "population,under5",
                "--population",
                "children.csv",
                "--scenario",
                &scenario,
                "--out",
                &interpolate_out,
            ]),
            _ => unreachable!(),
        }
        let args: Vec<String> = args.into_iter().map(String::from).collect();
        let o = careneed(&f.dir, &args);
        outputs.push(Output {
            name: format!("{cmd}: stdout"),
            text: Some(String::from_utf8(o.stdout).unwrap()),
        });
        outputs.push(Output {
            name: format!("{cmd}: stderr"),
            text: Some(String::from_utf8(o.stderr).unwrap()),
        });
        let mut files: Vec<PathBuf> = std::fs::read_dir(f.dir.join(&out))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{cmd} wrote nothing");
        for p in files {
            let name = format!("{cmd}/{}", p.file_name().unwrap().to_string_lossy());
            let text = if p.extension().is_some_and(|e| e == "png") {
                None
            } else {
                Some(std::fs::read_to_string(&p).unwrap())
            };
            outputs.push(Output { name, text });
        }
    }
    outputs
}

// ---------------------------------------------------------------- scanning

/// The numbers in a text, as written (`-0.5`, `1.25e-7`, `6848321.25`).
fn number_tokens(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts =
            b[i].is_ascii_digit() || (b[i] == b'-' && b.get(i + 1).is_some_and(u8::is_ascii_digit));
        let glued = i > 0 && (b[i - 1].is_ascii_digit() || b[i - 1] == b'.');
        if !starts || glued {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        }
        if i + 1 < b.len() && (b[i] == b'e' || b[i] == b'E') {
            let mut j = i + 1;
            if b[j] == b'-' || b[j] == b'+' {
                j += 1;
            }
            if j < b.len() && b[j].is_ascii_digit() {
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
                i = j;
            }
        }
        out.push(&text[start..i]);
    }
    out
}

/// The text of HTML or SVG without the geometry attributes (path data,
/// positions, sizes), whose many numbers are pixels, not values.
fn markup_values(text: &str) -> String {
    const GEOMETRY: [&str; 16] = [
        "d",
        "points",
        "viewBox",
        "transform",
        "x",
        "y",
        "x1",
        "x2",
        "y1",
        "y2",
        "cx",
        "cy",
        "r",
        "width",
        "height",
        "font-size",
    ];
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        out.push(' ');
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let tag = &rest[open..open + close + 1];
        // Attributes: name="value".
        let mut t = tag;
        while let Some(eq) = t.find("=\"") {
            let name = t[..eq]
                .rsplit(|c: char| c.is_whitespace())
                .next()
                .unwrap_or("");
            let Some(end) = t[eq + 2..].find('"') else {
                break;
            };
            if !GEOMETRY.contains(&name) {
                out.push_str(&t[eq + 2..eq + 2 + end]);
                out.push(' ');
            }
            t = &t[eq + 2 + end + 1..];
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// The numbers of a JSON value outside `geometry` members, as serde_json writes them,
/// and the numbers inside its strings.
fn json_tokens(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Number(n) => out.push(n.to_string()),
        Value::String(s) => out.extend(number_tokens(s).into_iter().map(String::from)),
        Value::Array(a) => a.iter().for_each(|x| json_tokens(x, out)),
        Value::Object(o) => {
            for (k, x) in o {
                if k != "geometry" {
                    json_tokens(x, out);
                }
            }
        }
        _ => {}
    }
}

fn small(v: f64, t: f64) -> bool {
    v > 0.0 && v < t
}

/// A CSV output's header and rows.
fn csv_table(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers = rdr.headers().unwrap().iter().map(String::from).collect();
    let rows = rdr
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (headers, rows)
}

/// Ranks 1, 2, …, k with no gap, and no row with a withheld measure ranked;
/// when `ordered` (rows in release order), ranked rows first: a rank can never
/// sit between two shown values and bracket a withheld one.
fn check_ranks(
    name: &str,
    ranks: &[Option<u64>],
    withheld: &[bool],
    ordered: bool,
    findings: &mut Vec<String>,
) {
    let k = ranks.iter().take_while(|r| r.is_some()).count();
    if ordered && ranks[k..].iter().any(Option::is_some) {
        findings.push(format!("{name}: a ranked row after an unranked one"));
    }
    let mut shown: Vec<u64> = ranks.iter().flatten().copied().collect();
    shown.sort_unstable();
    if shown != (1..=shown.len() as u64).collect::<Vec<_>>() {
        findings.push(format!(
            "{name}: ranks are not 1..{}: {shown:?}",
            shown.len()
        ));
    }
    for (r, w) in ranks.iter().zip(withheld) {
        if *w && r.is_some() {
            findings.push(format!("{name}: a withheld measure has rank {r:?}"));
        }
    }
}

/// What `file` must show of the fixture's small rows: `(key column, key, column,
/// expected)` with expected `..` (withheld) or `shown` (a number) or `` (empty).
fn expected_cells(file: &str) -> Vec<(&'static str, &'static str, &'static str, &'static str)> {
    let w = "..";
    let mut v = Vec::new();
    match file {
        "cni.csv" => {
            for c in [
                "population",
                "index",
                "cni",
                "research_score",
                "research_shifted",
            ] {
                v.push(("code", SMALL_AREA, c, w));
            }
            for z in [
                "z_elderly_alone",
                "z_foreign_born",
                "z_unemployed",
                "z_single_parents",
                "z_movers",
                "z_low_education",
                "z_under5",
            ] {
                v.push(("code", SMALL_AREA, z, w));
                v.push(("code", SHARE_AREA, z, w));
            }
            v.push(("code", SHARE_AREA, "cni", "shown"));
        }
        "ranking.csv" => {
            v.push(("code", SMALL_AREA, "rank", ""));
            for c in ["population", "index", "cni", "research_shifted"] {
                v.push(("code", SMALL_AREA, c, w));
            }
        }
        "vti.csv" => {
            for c in [
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
                "gap_fte",
            ] {
                v.push(("bvc", SMALL_CENTRE, c, w));
            }
            v.push(("bvc", SMALL_CENTRE, "current_nurse_fte", "shown"));
            for c in ["p_first", "p_bcg", "p_smoke"] {
                v.push(("bvc", SMOKING_CENTRE, c, w));
            }
            v.push(("bvc", SMOKING_CENTRE, "vti", "shown"));
        }
        "catchments.csv" => {
            for c in ["population", "children", "cni"] {
                v.push(("bvc", SMALL_CATCHMENT, c, w));
            }
            for c in ["vti", "relative_vti"] {
                v.push(("bvc", SMALL_CENTRE, c, w));
            }
        }
        "plan.csv" => {
            v.push(("bvc", SMALL_CATCHMENT, "rank", ""));
            v.push(("bvc", SMALL_CATCHMENT, "rank_low", ""));
            v.push(("bvc", SMALL_CATCHMENT, "rank_high", ""));
            for c in [
                "measure",
                "cni",
                "eligible_families",
                "need",
                "accepting_families",
                "visits",
                "fte",
                "cost_sek",
            ] {
                v.push(("bvc", SMALL_CATCHMENT, c, w));
            }
            v.push(("bvc", SMALL_CENTRE, "relative_vti", w));
        }
        "plan_areas.csv" => {
            v.push(("code", SMALL_AREA, "rank", ""));
            for c in ["cni", "eligible_families", "need"] {
                v.push(("code", SMALL_AREA, c, w));
            }
        }
        "assign.csv" => v.push(("code", SMALL_AREA, "count", w)),
        "interpolate.csv" => {
            v.push(("code", SMALL_AREA, "population", w));
            v.push(("code", SMALL_AREA, "under5", w));
            v.push(("code", SHARE_AREA, "under5", w));
        }
        _ => {}
    }
    v
}

/// Scans CSV output: counts, the small rows, ranks; returns its number tokens.
fn scan_csv(name: &str, text: &str, t: f64, findings: &mut Vec<String>) -> Vec<String> {
    let file = name.rsplit('/').next().unwrap();
    let (headers, rows) = csv_table(text);
    let col = |h: &str| headers.iter().position(|x| x == h);
    for row in &rows {
        for (h, v) in headers.iter().zip(row) {
            if COUNT_FIELDS.contains(&h.as_str())
                && let Ok(x) = v.parse::<f64>()
                && small(x, t)
            {
                findings.push(format!("{name}: count {h} = {v} ({})", row[0]));
            }
        }
    }
    for (key_col, key, c, want) in expected_cells(file) {
        let (Some(k), Some(c)) = (col(key_col), col(c)) else {
            findings.push(format!("{name}: no column {key_col} or {c}"));
            continue;
        };
        let Some(row) = rows.iter().find(|r| r[k] == key) else {
            findings.push(format!("{name}: no row {key}"));
            continue;
        };
        let got = row[c].as_str();
        let ok = match want {
            "shown" => got.parse::<f64>().is_ok(),
            w => got == w,
        };
        if !ok {
            findings.push(format!(
                "{name}: {key} {} = {got:?}, should be {want:?}",
                headers[c]
            ));
        }
    }
    let measure = match file {
        "ranking.csv" => Some("cni"),
        "plan.csv" => Some("measure"),
        "plan_areas.csv" => Some("need"),
        _ => None,
    };
    if let Some(measure) = measure {
        let (r, m) = (col("rank").unwrap(), col(measure).unwrap());
        let ranks: Vec<Option<u64>> = rows.iter().map(|x| x[r].parse().ok()).collect();
        let withheld: Vec<bool> = rows.iter().map(|x| x[m] == "..").collect();
        check_ranks(name, &ranks, &withheld, true, findings);
    }
    rows.iter()
        .flatten()
        .flat_map(|f| number_tokens(f).into_iter().map(String::from))
        .collect()
}

/// Scans GeoJSON output: counts, the small features, ranks.
fn scan_geojson(name: &str, g: &Value, t: f64, findings: &mut Vec<String>) {
    let file = name.rsplit('/').next().unwrap();
    let features = g["features"].as_array().unwrap();
    let props = |key: &str, value: &str| {
        features
            .iter()
            .map(|f| &f["properties"])
            .find(|p| p[key] == value)
    };
    for f in features {
        let p = f["properties"].as_object().unwrap();
        for k in COUNT_FIELDS {
            if let Some(x) = p.get(k).and_then(Value::as_f64)
                && small(x, t)
            {
                findings.push(format!("{name}: count {k} = {x}"));
            }
        }
    }
    let (key, value, fields, rank): (&str, &str, &[&str], &str) = match file {
        "areas.geojson" => (
            "code",
            SMALL_AREA,
            &["population", "index", "cni", "research_shifted", "rank"],
            "rank",
        ),
        "catchments.geojson" => (
            "bvc",
            SMALL_CATCHMENT,
            &[
                "population",
                "children",
                "cni",
                "need",
                "eligible_families",
                "visits",
                "fte",
                "plan_rank",
                "rank_low",
                "rank_high",
            ],
            "plan_rank",
        ),
        _ => return,
    };
    match props(key, value) {
        None => findings.push(format!("{name}: no feature {value}")),
        Some(p) => {
            for k in fields {
                if !p.get(*k).is_none_or(Value::is_null) {
                    findings.push(format!("{name}: {value} {k} = {}, should be null", p[*k]));
                }
            }
            if p["suppressed"] != true {
                findings.push(format!("{name}: {value} is not marked suppressed"));
            }
        }
    }
    if file == "catchments.geojson"
        && let Some(p) = props("bvc", SMALL_CENTRE)
        && !(p["vti"].is_null() && p["relative_vti"].is_null())
    {
        findings.push(format!("{name}: {SMALL_CENTRE} vti = {}", p["vti"]));
    }
    if features[0]["properties"].get(rank).is_none() {
        return; // catchments without a plan
    }
    // Areas come in release order (ranked first); catchments by BVC id.
    let measure = if file == "areas.geojson" {
        "cni"
    } else {
        "need"
    };
    let ranks: Vec<Option<u64>> = features
        .iter()
        .map(|f| f["properties"][rank].as_u64())
        .collect();
    let withheld: Vec<bool> = features
        .iter()
        .map(|f| f["properties"][measure].is_null() && f["properties"]["suppressed"] == true)
        .collect();
    check_ranks(name, &ranks, &withheld, file == "areas.geojson", findings);
}

/// Scans the report's tables: cells under count headings.
fn scan_html_tables(name: &str, html: &str, t: f64, findings: &mut Vec<String>) {
    let count_heads = ["residents", "children 0–5", "eligible families"];
    for table in html.split("<table").skip(1) {
        let table = &table[..table.find("</table>").unwrap()];
        let heads: Vec<&str> = table
            .split("<th>")
            .skip(1)
            .map(|h| &h[..h.find("</th>").unwrap()])
            .collect();
        for row in table.split("<tr").skip(2) {
            let cells = row.split("<td").skip(1).map(|c| {
                let c = &c[c.find('>').unwrap() + 1..];
                &c[..c.find("</td>").unwrap()]
            });
            for (h, c) in heads.iter().zip(cells) {
                if count_heads.contains(h)
                    && let Ok(x) = c.parse::<f64>()
                    && small(x, t)
                {
                    findings.push(format!("{name}: {h} = {c}"));
                }
            }
        }
    }
}

/// Scans hover texts and printed lines: `children 0–5: N`, `N eligible families`.
fn scan_counts_in_text(name: &str, text: &str, t: f64, findings: &mut Vec<String>) {
    for (i, _) in text.match_indices("children 0–5: ") {
        let v: String = text[i + "children 0–5: ".len()..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        if let Ok(x) = v.parse::<f64>()
            && small(x, t)
        {
            findings.push(format!("{name}: children 0–5: {v}"));
        }
    }
    for (i, _) in text.match_indices(" eligible families") {
        let before = &text[..i];
        let v = before.rsplit(' ').next().unwrap_or("");
        if let Ok(x) = v.parse::<f64>()
            && small(x, t)
        {
            findings.push(format!("{name}: {v} eligible families"));
        }
    }
}

/// `assign` prints how many points it read, rejected and found outside every
/// area: with those three the total of the counts follows.
fn scan_assign_summary(name: &str, text: &str, findings: &mut Vec<String>) {
    let f = fixture();
    let number_before = |marker: &str| -> Option<u64> {
        let i = text.find(marker)?;
        text[..i]
            .rsplit(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()
    };
    if let (Some(read), Some(rejected), Some(outside)) = (
        number_before(" points read"),
        number_before(" rejected"),
        number_before(" outside every area"),
    ) && read.checked_sub(rejected + outside) == Some(f.assigned)
    {
        findings.push(format!(
            "{name}: points read − rejected − outside = {} = the total of the counts",
            f.assigned
        ));
    }
}

/// Scans `outputs` for `secrets`, for children's coordinates, for counts below
/// `t`, for the small rows shown and for ranks that bracket a withheld value;
/// returns every finding (empty: nothing leaked).
fn scan(outputs: &[Output], secrets: &[Secret], t: f64) -> Vec<String> {
    let mut findings = Vec::new();
    let mut scanned = BTreeSet::new();
    for o in outputs {
        if o.text.is_some() {
            scanned.insert(o.name.rsplit('/').next().unwrap().to_string());
        }
        scan_one(o, secrets, t, &mut findings);
    }
    for f in [
        "cni.csv",
        "ranking.csv",
        "areas.geojson",
        "vti.csv",
        "catchments.csv",
        "catchments.geojson",
        "plan.csv",
        "plan_areas.csv",
        "plan_municipalities.csv",
        "map.svg",
        "report.html",
        "run_report.json",
        "assign.csv",
        "interpolate.csv",
    ] {
        assert!(scanned.contains(f), "{f} was not written");
    }
    findings
}

/// Scans one output (see [`scan`]).
fn scan_one(o: &Output, secrets: &[Secret], t: f64, findings: &mut Vec<String>) {
    let Some(text) = &o.text else { return };
    let name = o.name.as_str();
    let tokens: Vec<String> = if name.ends_with(".csv") {
        scan_csv(name, text, t, findings)
    } else if name.ends_with(".geojson") || name.ends_with(".json") {
        let v: Value = serde_json::from_str(text).unwrap();
        if name.ends_with(".geojson") {
            scan_geojson(name, &v, t, findings);
            let positions = wgs84_positions();
            for pos in text.split('[').filter_map(|s| s.split(']').next()) {
                if positions.contains(&format!("[{pos}]")) {
                    findings.push(format!("{name}: a child's position [{pos}]"));
                }
            }
        }
        let mut tokens = Vec::new();
        json_tokens(&v, &mut tokens);
        tokens
    } else if name.ends_with(".html") || name.ends_with(".svg") {
        if name.ends_with(".html") {
            scan_html_tables(name, text, t, findings);
        }
        if name.ends_with("map.svg") {
            scan_svg_title(name, text, findings);
        }
        scan_counts_in_text(name, text, t, findings);
        let values = markup_values(text);
        number_tokens(&values)
            .into_iter()
            .map(String::from)
            .collect()
    } else {
        scan_counts_in_text(name, text, t, findings);
        if name.starts_with("assign:") {
            scan_assign_summary(name, text, findings);
        }
        number_tokens(text).into_iter().map(String::from).collect()
    };
    let tokens: BTreeSet<String> = tokens.into_iter().collect();
    for s in secrets {
        for form in &s.forms {
            if tokens.contains(form) {
                findings.push(format!("{name}: {} appears as {form}", s.what));
            }
        }
    }
    let raw: BTreeSet<&str> = number_tokens(text).into_iter().collect();
    for (what, c, whole) in coordinate_texts() {
        if (whole && raw.contains(c.as_str())) || (!whole && text.contains(c.as_str())) {
            findings.push(format!("{name}: {what} appears as {c}"));
        }
    }
}

/// The hover text of the small catchment in `map.svg`.
fn scan_svg_title(name: &str, svg: &str, findings: &mut Vec<String>) {
    let Some(i) = svg.find(&format!("id=\"c-{SMALL_CATCHMENT}\"")) else {
        findings.push(format!("{name}: no shape for {SMALL_CATCHMENT}"));
        return;
    };
    let title = &svg[i..];
    let title = &title[title.find("<title>").unwrap()..title.find("</title>").unwrap()];
    for want in [
        "withheld or missing",
        "children 0–5: ..",
        "plan rank withheld",
    ] {
        if !title.contains(want) {
            findings.push(format!(
                "{name}: {SMALL_CATCHMENT}'s title lacks {want:?}: {title}"
            ));
        }
    }
}

// ---------------------------------------------------------------- tests

#[test]
fn no_output_of_any_command_reveals_a_withheld_value_at_5_and_20() {
    for t in [5, 20] {
        let secrets = secrets(t);
        // The secrets the issue names are among those searched, in their
        // writers' forms.
        for (what, form) in [
            (format!("area {SMALL_AREA} cni"), 4),
            (format!("area {SMALL_AREA} research_score"), 6),
            (format!("area {SHARE_AREA} z"), 6),
            (format!("catchment {SMALL_CATCHMENT} cni"), 4),
            (format!("centre {SMALL_CENTRE} vti"), 4),
            (format!("centre {SMOKING_CENTRE} p_first"), 4),
            (format!("catchment {SMALL_CATCHMENT} need"), 2),
        ] {
            let s = secrets
                .iter()
                .find(|s| s.what == what)
                .unwrap_or_else(|| panic!("no secret {what}"));
            assert!(
                s.forms
                    .iter()
                    .any(|f| f.split_once('.').is_some_and(|(_, d)| d.len() == form)),
                "{what}: {:?}",
                s.forms
            );
        }
        let outputs = run_all(t);
        let findings = scan(&outputs, &secrets, t as f64);
        assert!(
            findings.is_empty(),
            "at min_count = {t}, {} findings:\n{}",
            findings.len(),
            findings.join("\n")
        );
    }
}

#[test]
fn the_scan_finds_the_secrets_when_the_rule_is_off() {
    let outputs = run_all(0);
    let findings = scan(&outputs, &secrets(5), 5.0);
    let found = |what: &str| findings.iter().any(|f| f.contains(what));
    for what in [
        // The small area's CNI, z-scores and research score.
        format!("area {SMALL_AREA} cni appears"),
        format!("area {SMALL_AREA} research_score appears"),
        format!("area {SHARE_AREA} z appears"),
        // The catchment's CNI and need, the small centre's VTI, the shares.
        format!("catchment {SMALL_CATCHMENT} cni appears"),
        format!("catchment {SMALL_CATCHMENT} need appears"),
        format!("centre {SMALL_CENTRE} vti appears"),
        format!("centre {SMOKING_CENTRE} p_first appears"),
        // The small centre's nurse time by the norm, and its gap to the current.
        format!("centre {SMALL_CENTRE} nurse_fte appears"),
        format!("centre {SMALL_CENTRE} gap_fte appears"),
        // Counts, structurally.
        "cni.csv: count population = 3".to_string(),
        "catchments.csv: count children = 1".to_string(),
        "vti.csv: count newborns = 3".to_string(),
        "assign.csv: count count = 1".to_string(),
        "map.svg: children 0–5: 1".to_string(),
        // The small rows shown, ranked.
        format!("ranking.csv: {SMALL_AREA} rank = "),
        format!("plan.csv: {SMALL_CATCHMENT} rank = "),
    ] {
        assert!(found(&what), "not found: {what}\n{}", findings.join("\n"));
    }
    // In every command's outputs.
    for cmd in COMMANDS {
        assert!(
            findings.iter().any(|f| f.starts_with(&format!("{cmd}/"))),
            "nothing found in {cmd}'s outputs"
        );
    }
}

/// The scanner's parts, on made-up outputs: each form a writer gives a value,
/// a child's coordinates (a pair, one coordinate, a WGS84 position, the bad
/// row's text), a count, a rank between two shown values.
#[test]
fn the_scanner_sees_every_form() {
    let f = fixture();
    let secret = Secret {
        what: "the secret".into(),
        forms: forms(1.234_567_8),
    };
    let (cx, cy) = &f.small_child;
    let (sx, sy) = &f.sample[3];
    let position = wgs84_positions().into_iter().next().unwrap();
    let outputs = [
        ("a: stdout", format!("need 1.23 at 2 FTE; a child at {sx},{sy}")),
        ("b: stderr", format!("line 9: x is {BAD_X}")),
        ("c/x.csv", format!("code,population,cni\nX,3,1.234568\nY,{cx},1\n")),
        (
            "d/map.svg",
            format!(
                "<svg><path id=\"c-{SMALL_CATCHMENT}\" d=\"M1.2346 2\"><title>CNI: 1.235\nchildren 0–5: 2</title></path></svg>"
            ),
        ),
        (
            "e/report.html",
            "<table><tr><th>residents</th></tr><tr><td class=\"n\" data-v=\"1.2345678\">4</td></tr></table>"
                .to_string(),
        ),
        (
            "f/x.geojson",
            format!(
                "{{\"features\":[{{\"geometry\":{{\"coordinates\":{position}}},\"properties\":{{\"children\":2,\"cni\":1.2346}}}}]}}"
            ),
        ),
        ("g/run_report.json", format!("{{\"y\":{cy}}}")),
    ];
    let mut all = Vec::new();
    for (name, text) in outputs {
        let o = Output {
            name: name.into(),
            text: Some(text),
        };
        let mut findings = Vec::new();
        scan_one(&o, std::slice::from_ref(&secret), 5.0, &mut findings);
        assert!(!findings.is_empty(), "nothing found in {name}");
        all.extend(findings);
    }
    for want in [
        "a: stdout: the secret appears as 1.23",
        "a: stdout: a child's position appears as",
        "b: stderr: the bad row's x appears as 621234.5abc",
        "c/x.csv: count population = 3",
        "c/x.csv: the secret appears as 1.234568",
        "c/x.csv: the small area's child's x appears as",
        "d/map.svg: the secret appears as 1.235",
        "d/map.svg: children 0–5: 2",
        "d/map.svg: 2184-9's title lacks",
        "e/report.html: residents = 4",
        "e/report.html: the secret appears as 1.2345678",
        "f/x.geojson: count children = 2",
        "f/x.geojson: the secret appears as 1.2346",
        "f/x.geojson: a child's position [",
        "g/run_report.json: the small area's child's y appears as",
    ] {
        assert!(
            all.iter().any(|f| f.starts_with(want)),
            "{want}\n{}",
            all.join("\n")
        );
    }
    // Path data is pixels, not values.
    assert!(
        !all.iter()
            .any(|f| f.ends_with("appears as 1.2346") && f.starts_with("d/"))
    );

    // Ranks: a gap, a withheld measure ranked, a ranked row after an unranked one.
    for (ranks, withheld) in [
        (vec![Some(1), Some(3), None], vec![false, false, true]),
        (vec![Some(1), Some(2), Some(3)], vec![false, true, false]),
        (vec![Some(1), None, Some(2)], vec![false, true, false]),
    ] {
        let mut r = Vec::new();
        check_ranks("t", &ranks, &withheld, true, &mut r);
        assert_eq!(r.len(), 1, "{ranks:?}: {r:?}");
    }
    assert_eq!(
        number_tokens("a -0.5, 1.25e-7 x2180-3 6848321.25."),
        ["-0.5", "1.25e-7", "2180", "3", "6848321.25"]
    );
}
