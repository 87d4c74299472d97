//! Issue 5: maps and reports a planner can publish. The demo's outputs, written
//! once by the library, are checked for RFC 7946 styling, classes, the HTML
//! report, the SVG/PNG maps and small-count suppression; scenario `[map]` and
//! `[privacy]` sections are validated; writes are atomic and never over an input.

use careneed::outputs;
use careneed::pipeline::{self, Run};
use careneed::scenario::Scenario;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo")
}

/// A copy of the demo's input files in a fresh folder, to alter.
fn demo_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(demo_dir()).unwrap() {
        let p = f.unwrap().path();
        if p.is_file() {
            std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
        }
    }
    dir
}

struct Demo {
    _dir: tempfile::TempDir,
    out: PathBuf,
    run: Run,
}

/// The demo, run and written once for every test here.
fn demo() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let run =
            pipeline::run(&Scenario::read(&demo_dir().join("scenario.toml")).unwrap()).unwrap();
        run.write(&out).unwrap();
        Demo {
            _dir: dir,
            out,
            run,
        }
    })
}

fn read(name: &str) -> String {
    std::fs::read_to_string(demo().out.join(name)).unwrap()
}

fn json(name: &str) -> Value {
    serde_json::from_str(&read(name)).unwrap()
}

fn decimals(x: &Value) -> usize {
    let s = x.to_string();
    s.split_once('.').map_or(0, |(_, d)| d.len())
}

/// Twice the signed area of a ring (positive: counter-clockwise).
fn signed_area(ring: &[Value]) -> f64 {
    ring.windows(2)
        .map(|w| {
            let (a, b) = (&w[0], &w[1]);
            a[0].as_f64().unwrap() * b[1].as_f64().unwrap()
                - b[0].as_f64().unwrap() * a[1].as_f64().unwrap()
        })
        .sum()
}

#[test]
fn demo_writes_every_output_of_the_issue() {
    for f in [
        "areas.geojson",
        "catchments.geojson",
        "ranking.csv",
        "plan.csv",
        "report.html",
        "map.svg",
        "map.png",
    ] {
        let meta = std::fs::metadata(demo().out.join(f)).unwrap();
        assert!(meta.len() > 100, "{f} is empty");
    }
    // No temporary file is left behind.
    for e in std::fs::read_dir(&demo().out).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.ends_with(".tmp"), "{name} left behind");
    }
}

#[test]
fn geojson_is_rfc7946_and_styled_by_class() {
    for (file, n) in [("areas.geojson", 172), ("catchments.geojson", 25)] {
        let g = json(file);
        assert_eq!(g["type"], "FeatureCollection");
        assert!(g.get("crs").is_none(), "{file}: crs member");
        let c = &g["classification"];
        let breaks: Vec<f64> = c["breaks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b.as_f64().unwrap())
            .collect();
        let colours: Vec<&str> = c["colours"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap())
            .collect();
        assert_eq!(c["scheme"], "fisher_jenks");
        assert_eq!(c["palette"], "YlOrRd");
        assert_eq!(c["variable"], "cni");
        assert_eq!(breaks.len(), 5, "{file}");
        assert!(breaks.windows(2).all(|w| w[0] < w[1]), "{file}: {breaks:?}");
        assert_eq!(colours[0], "#ffffb2");
        assert_eq!(colours[4], "#bd0026");
        let features = g["features"].as_array().unwrap();
        assert_eq!(features.len(), n, "{file}");
        let mut per_class = [0usize; 5];
        for (i, f) in features.iter().enumerate() {
            assert_eq!(f["id"], i + 1, "{file}: ids are numeric and 1..n");
            let p = &f["properties"];
            let cni = p["cni"].as_f64().unwrap();
            let class = p["class"].as_u64().unwrap() as usize;
            assert!((1..=5).contains(&class));
            per_class[class - 1] += 1;
            // The class is the first whose upper bound the value does not exceed
            // (the value is written rounded to 4 decimals).
            let expect = breaks.iter().position(|&b| cni <= b + 5e-5).unwrap();
            assert!(
                class - 1 == expect || (cni - breaks[class - 1]).abs() < 1e-4,
                "{file}: cni {cni} in class {class}, breaks {breaks:?}"
            );
            assert_eq!(p["fill"], colours[class - 1], "{file}");
            assert_eq!(p["fill-opacity"], 0.8);
            assert_eq!(p["stroke"], "#636363");
            assert!(p["class_label"].as_str().unwrap().contains('–'));
            // Areas have ≥ 700 residents; two catchments' families are withheld.
            assert!(file != "areas.geojson" || p["suppressed"] == false);
            let geometry = &f["geometry"];
            let polygons: Vec<&Value> = match geometry["type"].as_str().unwrap() {
                "Polygon" => vec![&geometry["coordinates"]],
                "MultiPolygon" => geometry["coordinates"].as_array().unwrap().iter().collect(),
                t => panic!("{t}"),
            };
            for polygon in polygons {
                for (k, ring) in polygon.as_array().unwrap().iter().enumerate() {
                    let ring = ring.as_array().unwrap();
                    let area = signed_area(ring);
                    assert!(
                        if k == 0 { area > 0.0 } else { area < 0.0 },
                        "{file}: ring {k} has the wrong orientation"
                    );
                    for pos in ring {
                        assert!(decimals(&pos[0]) <= 6 && decimals(&pos[1]) <= 6);
                        let (lon, lat) = (pos[0].as_f64().unwrap(), pos[1].as_f64().unwrap());
                        assert!((14.0..18.5).contains(&lon) && (59.8..62.6).contains(&lat));
                    }
                }
            }
        }
        let counts: Vec<usize> = c["counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(counts, per_class, "{file}: counts per class");
    }
    // The breaks are in run_report.json too.
    let r = json("run_report.json");
    assert_eq!(
        r["map"]["catchments"]["breaks"],
        json("catchments.geojson")["classification"]["breaks"]
    );
}

#[test]
fn map_svg_has_a_shape_per_catchment_borders_outlines_and_a_legend() {
    let svg = read("map.svg");
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let group = |id: &str| {
        doc.descendants()
            .find(|n| n.attribute("id") == Some(id))
            .unwrap_or_else(|| panic!("no group {id}"))
    };
    let paths = |id: &str| {
        group(id)
            .children()
            .filter(|n| n.has_tag_name("path"))
            .count()
    };
    assert_eq!(paths("catchments"), 25);
    assert_eq!(paths("municipalities"), 10);
    let plan = read("plan.csv");
    let selected = plan.lines().filter(|l| l.contains(",true,")).count();
    let mut rdr = csv::Reader::from_reader(plan.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    let col = headers.iter().position(|h| h == "selected").unwrap();
    let selected_csv = rdr
        .records()
        .filter(|r| &r.as_ref().unwrap()[col] == "true")
        .count();
    assert!(selected_csv > 0 && selected >= selected_csv);
    assert_eq!(paths("selected"), selected_csv);
    let legend: Vec<String> = group("legend")
        .children()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap().to_string())
        .collect();
    assert_eq!(legend.len(), 6, "{legend:?}"); // 5 classes + the selected outline
    assert!(
        group("scale-bar")
            .descendants()
            .any(|n| n.text().is_some_and(|t| t.ends_with(" km")))
    );
    // Hover titles name the BVC.
    assert!(svg.contains("<title>BVC Ockelbo (2101-1)"));
    let png = std::fs::read(demo().out.join("map.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    assert_eq!(width, 2 * outputs::MAP_WIDTH as u32);
}

#[test]
fn report_html_is_self_contained_and_complete() {
    let html = read("report.html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    for forbidden in [
        "http:", "https:", "src=", "<link", "@import", "url(", "//cdn",
    ] {
        assert!(
            !html.contains(forbidden),
            "report.html contains {forbidden}"
        );
    }
    // Every href is a link within the page.
    for (i, _) in html.match_indices("href=\"") {
        assert_eq!(&html[i + 6..i + 7], "#", "external link at {i}");
    }
    assert_eq!(html.matches("class=\"catchment class-").count(), 25);
    for id in [
        "map",
        "ranking",
        "areas",
        "municipalities",
        "plan",
        "method",
        "parameters",
        "privacy",
        "catchment-table",
        "municipality-table",
        "waves",
        "weights",
        "suppressed",
        "details",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "no #{id}");
    }
    let table = |id: &str| {
        let start = html.find(&format!("id=\"{id}\"")).unwrap();
        let end = start + html[start..].find("</table>").unwrap();
        html[start..end].matches("<tr").count() - 1 // less the header
    };
    assert_eq!(table("catchment-table"), 25);
    assert_eq!(table("area-table"), 172);
    assert_eq!(table("municipality-table"), 10);
    assert_eq!(table("waves"), 3); // wave 0 (the running pilot), 1 and 2
    assert_eq!(table("weights"), 7);
    // Method, parameters and sources.
    assert!(html.contains("CNI   = (index / residents) / R"));
    assert!(html.contains("VTI               = p_first / 3 + p_bcg + p_smoke"));
    assert!(html.contains("subject to   Σ cost · x ≤ budget"));
    for f in [
        "areas.csv",
        "deso.geojson",
        "bvc_vti.csv",
        "births.csv",
        "children.csv",
    ] {
        assert!(html.contains(&format!("<td>{f}</td>")), "{f} not named");
    }
    assert!(
        html.contains("preset = &quot;rinkeby&quot;"),
        "the scenario is shown"
    );
    // What was withheld: plan_areas.csv, 61 areas, as in run_report.json.
    assert!(html.contains("<td>plan_areas.csv</td><td>61 areas</td>"));
    let r = json("run_report.json");
    let s = r["privacy"]["suppressed"].as_array().unwrap();
    let pa = s.iter().find(|x| x["output"] == "plan_areas.csv").unwrap();
    assert_eq!(pa["rows"], 61);
    assert_eq!(r["privacy"]["min_count"], 5.0);
}

/// Count-like columns and properties: counts of people.
const COUNT_FIELDS: [&str; 6] = [
    "population",
    "children",
    "newborns",
    "eligible_families",
    "accepting_families",
    "births",
];

fn small(x: f64, threshold: f64) -> bool {
    x > 0.0 && x < threshold
}

/// Scans every demo output for a count below the threshold; returns how many
/// withheld markers it saw.
fn scan_for_small_counts(out: &Path, threshold: f64) -> usize {
    let mut markers = 0;
    let mut scanned = BTreeSet::new();
    for e in std::fs::read_dir(out).unwrap() {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let ext = path.extension().map(|e| e.to_string_lossy().into_owned());
        match ext.as_deref() {
            Some("csv") => {
                let mut rdr = csv::Reader::from_path(&path).unwrap();
                let headers = rdr.headers().unwrap().clone();
                for rec in rdr.records() {
                    let rec = rec.unwrap();
                    for (h, v) in headers.iter().zip(rec.iter()) {
                        if v == ".." {
                            markers += 1;
                        }
                        if COUNT_FIELDS.contains(&h) {
                            if let Ok(x) = v.parse::<f64>() {
                                assert!(!small(x, threshold), "{name}: {h} = {v}");
                            }
                        }
                    }
                }
            }
            Some("geojson") => {
                let g: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
                for f in g["features"].as_array().unwrap() {
                    let p = f["properties"].as_object().unwrap();
                    for k in COUNT_FIELDS {
                        if let Some(x) = p.get(k).and_then(Value::as_f64) {
                            assert!(!small(x, threshold), "{name}: {k} = {x}");
                        }
                    }
                    if p["suppressed"] == true {
                        markers += 1;
                    }
                }
            }
            Some("html") | Some("svg") => {
                let text = std::fs::read_to_string(&path).unwrap();
                // Hover texts: "children 0–5: N".
                for (i, _) in text.match_indices("children 0–5: ") {
                    let rest = &text[i + "children 0–5: ".len()..];
                    let v: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_digit() || *c == '.')
                        .collect();
                    if let Ok(x) = v.parse::<f64>() {
                        assert!(!small(x, threshold), "{name}: children {v}");
                    }
                }
                if name.ends_with(".html") {
                    markers += html_table_scan(&text, &name, threshold);
                }
            }
            _ => {}
        }
        scanned.insert(name);
    }
    for f in [
        "areas.geojson",
        "catchments.geojson",
        "ranking.csv",
        "plan.csv",
        "plan_areas.csv",
        "vti.csv",
        "report.html",
        "map.svg",
    ] {
        assert!(scanned.contains(f), "{f} not scanned");
    }
    markers
}

/// Scans the report's tables: cells under count-like headings.
fn html_table_scan(html: &str, name: &str, threshold: f64) -> usize {
    let count_heads = ["residents", "children 0–5", "eligible families"];
    let mut markers = 0;
    for table in html.split("<table").skip(1) {
        let table = &table[..table.find("</table>").unwrap()];
        let heads: Vec<&str> = table
            .split("<th>")
            .skip(1)
            .map(|h| &h[..h.find("</th>").unwrap()])
            .collect();
        for row in table.split("<tr").skip(2) {
            let cells: Vec<&str> = row
                .split("<td")
                .skip(1)
                .map(|c| {
                    let c = &c[c.find('>').unwrap() + 1..];
                    &c[..c.find("</td>").unwrap()]
                })
                .collect();
            for (h, c) in heads.iter().zip(&cells) {
                if *c == ".." {
                    markers += 1;
                }
                if count_heads.contains(h)
                    && let Ok(x) = c.parse::<f64>()
                {
                    assert!(!small(x, threshold), "{name}: {h} = {c}");
                }
            }
        }
    }
    markers
}

#[test]
fn no_output_shows_a_count_below_the_threshold() {
    let markers = scan_for_small_counts(&demo().out, 5.0);
    // The demo has small counts (23 areas, 2 catchments): they were withheld.
    assert!(
        markers >= 23 * 2 + 2,
        "only {markers} markers: nothing was withheld?"
    );
    let plan_areas = read("plan_areas.csv");
    // 23 areas with fewer than 5 eligible families, and 38 with 5 or 6, whose
    // accepting families (× 0.83) are fewer than 5.
    assert_eq!(plan_areas.matches(",..,..").count(), 61);
    // The marker in GeoJSON is null + suppressed: true.
    let c = json("catchments.geojson");
    let hidden: Vec<&Value> = c["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["suppressed"] == true)
        .collect();
    assert!(!hidden.is_empty());
    for f in hidden {
        assert!(f["properties"]["eligible_families"].is_null());
        assert!(f["properties"]["need"].is_null());
    }
}

#[test]
fn the_threshold_is_configurable_and_zero_turns_it_off() {
    let run = &demo().run;
    let summary = |min_count| {
        let mut r = run.clone();
        r.scenario.privacy.min_count = min_count;
        r.release().withheld()
    };
    let strict = summary(Some(20));
    let lax = summary(Some(0));
    let default = summary(None);
    let rows = |s: &[careneed::release::Suppression], f: &str| {
        s.iter().find(|x| x.output == f).map_or(0, |x| x.rows)
    };
    assert!(lax.is_empty());
    assert_eq!(rows(&default, "plan_areas.csv"), 61);
    assert!(rows(&strict, "plan_areas.csv") > 61);
    // A scenario sets it.
    let s = Scenario::parse("s.toml", "[privacy]\nmin_count = 20\n").unwrap();
    assert_eq!(s.privacy().min_count, 20.0);
    let dir = tempfile::tempdir().unwrap();
    let mut strict_run = run.clone();
    strict_run.scenario.privacy.min_count = Some(20);
    strict_run.write(dir.path()).unwrap();
    let markers = scan_for_small_counts(dir.path(), 20.0);
    assert!(markers > 23 * 2 + 2);

    // At 100, selected catchments are withheld too: so are the totals that
    // include them (waves, selections), which would reveal them.
    let dir = tempfile::tempdir().unwrap();
    strict_run.scenario.privacy.min_count = Some(100);
    strict_run.write(dir.path()).unwrap();
    scan_for_small_counts(dir.path(), 100.0);
    let r: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("run_report.json")).unwrap())
            .unwrap();
    let exact = &r["plan"]["exact"];
    assert_eq!(exact["suppressed"], true);
    assert!(exact["need"].is_null() && exact["cost"].is_null());
    assert!(
        exact["waves"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["need"].is_null())
    );
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    let waves = &html[html.find("id=\"waves\"").unwrap()..];
    let waves = &waves[..waves.find("</table>").unwrap()];
    // Wave 0 (the running pilot) and waves 1 and 2.
    assert_eq!(waves.matches("<td>..</td>").count(), 3, "{waves}");
    assert!(!html.contains("Exact selection: need reached"));
    // At the default threshold the demo's totals are shown.
    let r = json("run_report.json");
    assert_eq!(r["plan"]["exact"]["suppressed"], false);
    assert!(r["plan"]["exact"]["need"].as_f64().unwrap() > 100.0);
}

#[test]
fn no_child_record_or_coordinate_in_any_output() {
    let children = std::fs::read_to_string(demo_dir().join("children.csv")).unwrap();
    let mut pairs = Vec::new();
    for line in children.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        pairs.push((f[0].to_string(), f[1].to_string(), f[2].to_string()));
    }
    assert!(pairs.len() > 10_000);
    let t = careneed::inputs::crs::Transformer::new(
        careneed::inputs::crs::Crs::Sweref99Tm,
        careneed::inputs::crs::Crs::Wgs84,
    )
    .unwrap();
    let wgs: BTreeSet<String> = pairs
        .iter()
        .map(|(_, x, y)| {
            let (lon, lat) = t.apply(x.parse().unwrap(), y.parse().unwrap()).unwrap();
            format!(
                "[{},{}]",
                (lon * 1e6).round() / 1e6,
                (lat * 1e6).round() / 1e6
            )
        })
        .collect();
    for e in std::fs::read_dir(&demo().out).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|e| e == "png") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.display().to_string();
        assert!(
            !text.contains("c000001") && !text.contains("child_id"),
            "{name}"
        );
        for (id, x, y) in pairs.iter().step_by(7) {
            assert!(!text.contains(&format!("{x},{y}")), "{name}: {id}");
            assert!(!text.contains(&format!("{x} {y}")), "{name}: {id}");
        }
        if name.ends_with(".geojson") {
            for pos in text.split('[').filter_map(|s| s.split(']').next()) {
                let key = format!("[{pos}]");
                assert!(!wgs.contains(&key), "{name}: a child's position {key}");
            }
        }
    }
}

#[test]
fn html_escapes_every_text_from_the_inputs() {
    let dir = demo_copy();
    let evil = "<script>alert(1)</script>";
    let bvc = std::fs::read_to_string(dir.path().join("bvc.geojson")).unwrap();
    std::fs::write(
        dir.path().join("bvc.geojson"),
        bvc.replacen("BVC Ockelbo", &format!("BVC {}", evil.replace('"', "")), 1),
    )
    .unwrap();
    let areas = std::fs::read_to_string(dir.path().join("areas.csv")).unwrap();
    std::fs::write(
        dir.path().join("areas.csv"),
        areas.replacen("Ockelbo landsbygd 1", "\"<img onerror=x>&\"", 1),
    )
    .unwrap();
    let mut s = Scenario::read(&dir.path().join("scenario.toml")).unwrap();
    s.name = Some(format!("Län {evil}"));
    s.plan.as_mut().unwrap().robustness = None;
    let run = pipeline::run(&s).unwrap();
    let out = dir.path().join("out");
    run.write(&out).unwrap();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains(evil) && !html.contains("<img"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&lt;img onerror=x&gt;&amp;"));
    assert_eq!(
        html.matches("<script>").count(),
        1,
        "only the page's own script"
    );
    let svg = std::fs::read_to_string(out.join("map.svg")).unwrap();
    assert!(roxmltree::Document::parse(&svg).is_ok());
    assert!(!svg.contains(evil));
}

#[test]
fn map_section_is_validated_and_used() {
    let err = |toml: &str| Scenario::parse("s.toml", toml).unwrap_err().to_string();
    assert!(err("[map]\nclasses = 12\n").contains("map.classes"));
    assert!(err("[map]\nclasses = 2\n").contains("3 to 9"));
    assert!(err("[map]\npalette = \"Rainbow\"\n").contains("map.palette"));
    assert!(err("[map]\nscheme = \"user\"\n").contains("map.breaks"));
    assert!(err("[map]\nscheme = \"jenks\"\n").contains("unknown scheme"));
    assert!(err("[map]\nbreaks = [1.0, 0.5, 2.0]\n").contains("strictly increasing"));
    assert!(
        err("[map]\nbreaks = [1.0, 2.0, 3.0]\nclasses = 4\n").contains("4 classes but 3 breaks")
    );
    assert!(err("[map]\nvariable = \"need\"\n").contains("[plan]"));
    assert!(err("[map]\nvariable = \"vti\"\n").contains("bvc_table"));
    assert!(err("[map]\ncolour = \"red\"\n").contains("colour"));
    let s = Scenario::parse(
        "s.toml",
        "[map]\nbreaks = [0.9, 1.0, 1.1, 5.0]\npalette = \"Blues\"\n",
    )
    .unwrap();
    let spec = s.map_spec().unwrap();
    assert_eq!(spec.classes, 4);

    // User breaks on the demo: the catchments follow them.
    let mut run = demo().run.clone();
    run.scenario.map = s.map.clone();
    run.scenario.map.variable = Some(careneed::outputs::map::MapVariable::Need);
    let dir = tempfile::tempdir().unwrap();
    run.scenario.map.breaks = Some(vec![10.0, 20.0, 40.0, 1000.0]);
    run.write(dir.path()).unwrap();
    let g: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("catchments.geojson")).unwrap())
            .unwrap();
    let c = &g["classification"];
    assert_eq!(c["variable"], "need");
    assert_eq!(c["scheme"], "user_breaks");
    assert_eq!(c["breaks"], serde_json::json!([10.0, 20.0, 40.0, 1000.0]));
    assert_eq!(c["colours"][0], "#eff3ff");
    // The areas (CNI) do not take breaks meant for need.
    let a: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("areas.geojson")).unwrap()).unwrap();
    assert_eq!(a["classification"]["scheme"], "fisher_jenks");
    assert_eq!(a["classification"]["counts"].as_array().unwrap().len(), 4);
    assert!(
        a["classification"]["note"]
            .as_str()
            .unwrap()
            .contains("need")
    );
    for f in g["features"].as_array().unwrap() {
        let p = &f["properties"];
        match p["need"].as_f64() {
            Some(need) => {
                let want = [10.0, 20.0, 40.0, 1000.0]
                    .iter()
                    .position(|&b| need <= b + 0.005)
                    .unwrap()
                    + 1;
                assert_eq!(p["class"].as_u64().unwrap() as usize, want, "need {need}");
            }
            // Withheld: no class, grey.
            None => {
                assert!(p["class"].is_null());
                assert_eq!(p["fill"], careneed::outputs::map::NO_DATA);
            }
        }
    }
}

#[test]
fn a_crash_never_leaves_half_a_file_and_inputs_are_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    // A failed write (the target is a folder) leaves no temporary file and the
    // old content in place.
    let target = dir.path().join("x.csv");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("inside"), "old").unwrap();
    assert!(outputs::write_atomic(&target, b"new").is_err());
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["x.csv"]);
    assert_eq!(
        std::fs::read_to_string(target.join("inside")).unwrap(),
        "old"
    );
    // A successful write replaces the file whole.
    let file = dir.path().join("y.csv");
    std::fs::write(&file, "old").unwrap();
    outputs::write_atomic(&file, b"new").unwrap();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "new");

    // An input named like an output, in the output folder: refused, nothing written.
    let data = demo_copy();
    std::fs::rename(data.path().join("births.csv"), data.path().join("plan.csv")).unwrap();
    let scenario = data.path().join("scenario.toml");
    let text = std::fs::read_to_string(&scenario).unwrap();
    std::fs::write(&scenario, text.replace("\"births.csv\"", "\"plan.csv\"")).unwrap();
    let mut s = Scenario::read(&scenario).unwrap();
    s.plan.as_mut().unwrap().robustness = None;
    let run = pipeline::run(&s).unwrap();
    let before = std::fs::read(data.path().join("plan.csv")).unwrap();
    // Through a different spelling of the same folder.
    let out = data.path().join(".").join("");
    let e = run.write(&out).unwrap_err().to_string();
    assert!(
        e.contains("refusing to overwrite an input") && e.contains("plan.csv"),
        "{e}"
    );
    assert_eq!(std::fs::read(data.path().join("plan.csv")).unwrap(), before);
    assert!(
        !data.path().join("report.html").exists(),
        "nothing is written"
    );
}

#[test]
fn a_run_without_catchments_still_writes_a_styled_map_and_a_report() {
    let mut s = Scenario {
        name: Some("Areas only".into()),
        ..Default::default()
    };
    s.inputs.areas = Some(demo_dir().join("areas.csv"));
    s.inputs.boundaries = Some(demo_dir().join("deso.geojson"));
    s.map.scheme = Some("quantiles".into());
    s.map.classes = Some(4);
    s.map.palette = Some("Greens".into());
    let run = pipeline::run(&s).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let written = run.write(dir.path()).unwrap();
    let names: BTreeSet<String> = written
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(names.contains("report.html") && names.contains("areas.geojson"));
    assert!(!names.contains("map.svg") && !names.contains("catchments.geojson"));
    let g: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("areas.geojson")).unwrap()).unwrap();
    let c = &g["classification"];
    assert_eq!(c["scheme"], "quantiles");
    assert_eq!(c["counts"], serde_json::json!([43, 43, 43, 43]));
    assert_eq!(c["colours"][3], "#238b45");
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("No catchment map"));
    assert!(html.contains("Nothing was withheld in this run."));
}

#[test]
fn a_centre_with_few_newborns_has_its_vti_withheld_everywhere() {
    let dir = demo_copy();
    let table = std::fs::read_to_string(dir.path().join("bvc_vti.csv")).unwrap();
    let table = table.replacen(
        "2104-1,BVC Hofors,84,36,8,5",
        "2104-1,BVC Hofors,3,2,1,1",
        1,
    );
    std::fs::write(dir.path().join("bvc_vti.csv"), table).unwrap();
    let mut s = Scenario::read(&dir.path().join("scenario.toml")).unwrap();
    s.plan.as_mut().unwrap().robustness = None;
    let run = pipeline::run(&s).unwrap();
    let out = dir.path().join("out");
    run.write(&out).unwrap();
    let row = |file: &str, bvc: &str| -> csv::StringRecord {
        let mut rdr = csv::Reader::from_path(out.join(file)).unwrap();
        let headers = rdr.headers().unwrap().clone();
        let col = headers.iter().position(|h| h == "bvc").unwrap();
        rdr.records()
            .map(Result::unwrap)
            .find(|r| &r[col] == bvc)
            .unwrap()
    };
    let v = row("vti.csv", "2104-1");
    assert_eq!(&v[2], "..", "newborns");
    assert_eq!(&v[6], "..", "vti");
    let c = row("catchments.csv", "2104-1");
    assert_eq!(
        (&c[6], &c[7]),
        ("..", ".."),
        "vti and relative_vti withheld"
    );
    assert_ne!(&row("catchments.csv", "2101-1")[6], "");
    let p = row("plan.csv", "2104-1");
    assert_eq!(&p[7], "..", "relative_vti withheld");
    let g: Value =
        serde_json::from_slice(&std::fs::read(out.join("catchments.geojson")).unwrap()).unwrap();
    let f = g["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["bvc"] == "2104-1")
        .unwrap();
    assert!(f["properties"]["vti"].is_null() && f["properties"]["relative_vti"].is_null());
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    // The summary counts the centres with anything withheld: the 3-newborn
    // centre, and the centres whose shares are withheld for a small count
    // behind them (3 smoking mothers in Ockelbo), with VTI still shown there.
    assert!(html.contains("<td>vti.csv</td>"), "summary");
    let ockelbo = row("vti.csv", "2101-1");
    assert_eq!((&ockelbo[3], &ockelbo[4], &ockelbo[5]), ("..", "..", ".."));
    assert_ne!(&ockelbo[6], "..");
    assert_ne!(&ockelbo[6], "");
    scan_for_small_counts(&out, 5.0);
}

/// Issue 11: one computation per quantity. A catchment's CNI is computed once
/// (the catchment aggregation, `scores::cni::weighted_mean`); the plan's
/// evaluation of the same inputs gives the same bits, and every output shows that
/// one released value: catchments.csv, catchments.geojson, plan.csv and
/// report.html (whose `data-v` carries it unrounded) agree digit for digit.
#[test]
fn a_catchments_cni_is_one_value_in_every_output() {
    let d = demo();
    let c = d.run.catchments.as_ref().unwrap();
    let p = d.run.plan.as_ref().unwrap();
    for (s, x) in c.summaries.iter().zip(&p.catchments) {
        assert_eq!(s.bvc, x.bvc);
        assert_eq!(
            s.cni.map(f64::to_bits),
            x.cni.map(f64::to_bits),
            "{}: the plan's CNI differs from the catchment's",
            s.bvc
        );
    }
    let column = |file: &str, key: &str| -> std::collections::BTreeMap<String, String> {
        let mut rdr = csv::Reader::from_path(d.out.join(file)).unwrap();
        let h = rdr.headers().unwrap().clone();
        let (b, k) = (
            h.iter().position(|x| x == "bvc").unwrap(),
            h.iter().position(|x| x == key).unwrap(),
        );
        rdr.records()
            .map(Result::unwrap)
            .map(|r| (r[b].to_string(), r[k].to_string()))
            .collect()
    };
    let csv = column("catchments.csv", "cni");
    let plan = column("plan.csv", "cni");
    assert_eq!(csv.len(), 25);
    assert_eq!(csv, plan, "catchments.csv and plan.csv");
    let number = |x: f64| careneed::outputs::csv::number(x, 4);
    for f in json("catchments.geojson")["features"].as_array().unwrap() {
        let bvc = f["properties"]["bvc"].as_str().unwrap();
        let shown = match f["properties"]["cni"].as_f64() {
            Some(v) => number(v),
            None => "..".into(),
        };
        assert_eq!(shown, csv[bvc], "{bvc}: catchments.geojson");
    }
    let html = read("report.html");
    let table = &html[html.find("id=\"catchment-table\"").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    let mut seen = 0;
    for row in table.split("<tr id=\"r-").skip(1) {
        let bvc = &row[..row.find('"').unwrap()];
        // The CNI is the sixth cell (after rank, BVC, name, municipality, class).
        let cells: Vec<&str> = row.split("<td").skip(1).collect();
        let cni = cells[5];
        let shown = match cni.find("data-v=\"") {
            Some(i) => {
                let v = &cni[i + 8..];
                number(v[..v.find('"').unwrap()].parse().unwrap())
            }
            None => "..".into(),
        };
        assert_eq!(shown, csv[bvc], "{bvc}: report.html");
        seen += 1;
    }
    assert_eq!(seen, 25);
}

/// Issue 12, item 10: every parameter in run_report.json points to a source in
/// its `sources` list or to an assumption in its `assumptions` list, and
/// report.html lists both.
#[test]
fn every_parameter_has_a_source_or_an_assumption() {
    let r = json("run_report.json");
    let ids: Vec<&str> = r["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    let assumptions: Vec<&str> = r["assumptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    let params = r["parameters"].as_array().unwrap();
    assert!(params.len() > 30, "{}", params.len());
    for p in params {
        let name = p["name"].as_str().unwrap();
        match (p["source"].as_str(), p["assumption"].as_str()) {
            (Some(s), None) => {
                assert!(ids.contains(&s), "{name}: source {s} not listed");
                assert!(p["at"].as_str().is_some_and(|a| !a.is_empty()), "{name}");
            }
            (None, Some(a)) => assert!(assumptions.contains(&a), "{name}: {a} not listed"),
            other => panic!("{name}: neither a source nor an assumption: {other:?}"),
        }
    }
    let by_name = |n: &str| params.iter().find(|p| p["name"] == n).unwrap();
    // The demo's figures, from their sources.
    assert_eq!(
        by_name("plan.basic_home_visits")["source"],
        "gavleborg-interpellation"
    );
    assert_eq!(by_name("plan.lock_in")["source"], "scenario");
    assert_eq!(by_name("plan.completion")["source"], "goteborg-2022");
    assert_eq!(by_name("plan.programme.eligible")["source"], "fohm-2022");
    // Rinkeby's source gives no acceptance: Göteborg's, labelled an assumption.
    assert!(by_name("plan.acceptance")["assumption"].is_string());
    assert!(by_name("plan.salaries.nurse")["assumption"].is_string());
    for id in [
        "fohm-2022",
        "goteborg-2022",
        "gavleborg-interpellation",
        "scenario",
    ] {
        assert!(ids.contains(&id), "{id}");
    }
    let html = read("report.html");
    for id in ["source-list", "assumption-list", "parameter-list"] {
        assert!(html.contains(&format!("id=\"{id}\"")), "no #{id}");
    }
    for a in r["assumptions"].as_array().unwrap() {
        let text = a["text"].as_str().unwrap();
        let escaped = text
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&apos;");
        assert!(html.contains(&escaped), "report.html lacks {text}");
    }
}
