//! The maps of a run: which variable is mapped, its classes and colours, and the
//! catchment map drawn as SVG (`map.svg`, `map.png`, and inline in `report.html`).
//!
//! * Areas are classed by CNI; catchments by the scenario's `[map] variable`
//!   (`cni` by default, `need` reached, `relative_vti` or `vti`).
//! * Classes come from [`classify`](super::classify) with the scenario's scheme,
//!   number of classes and ColorBrewer palette. Values withheld by the
//!   [`release`](crate::release) never enter the classification. When there are
//!   fewer distinct values than classes, the number of classes drops to the
//!   number of distinct values (at least 3), and the classification says so.
//! * Every feature gets simplestyle-spec colours (`fill`, `fill-opacity`,
//!   `stroke`, `stroke-width`), so GeoJSON renders coloured on geojson.io and
//!   GitHub; a feature without a value (missing or withheld) is grey.
//! * The SVG map: catchments coloured by class (each a `<path>` in the group
//!   `catchments`, with a hover title), municipality borders (areas dissolved by
//!   the code's first four characters) on top, the plan's selected catchments
//!   outlined in black, a legend, a heading and a scale bar. It is drawn in
//!   SWEREF99 TM (metres), north up.
//!
//! ```
//! use careneed::outputs::{map::{classes, MapSpec, MapVariable}, classify::Scheme};
//! let spec = MapSpec { variable: MapVariable::Cni, scheme: Scheme::EqualInterval,
//!                      classes: 3, palette: "Blues".into() };
//! let c = classes(&[Some(1.0), Some(2.0), None, Some(4.0)], &spec, "cni");
//! assert_eq!(c.class, [Some(0), Some(0), None, Some(2)]);
//! let style = c.style(3);
//! assert_eq!(style.fill, "#3182bd");
//! assert_eq!(style.label, "3.00–4.00");
//! assert_eq!(c.style(2).fill, careneed::outputs::map::NO_DATA);
//! ```

use super::classify::{Classification, Scheme, classify};
use super::svg::{Layer, LegendEntry, MapSvg, Shape};
use crate::error::{Error, Result};
use crate::inputs::crs::{Crs, Transformer};
use crate::release::{MARKER, Release};
use geo::MapCoords;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Fill of a feature without a class (no value, or a withheld value).
pub const NO_DATA: &str = "#d9d9d9";
/// Fill opacity of classed features.
pub const FILL_OPACITY: f64 = 0.8;
/// Outline of every feature.
pub const STROKE: &str = "#636363";

/// What the catchment map shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MapVariable {
    /// Population-weighted CNI of the catchment.
    #[default]
    Cni,
    /// Need reached: eligible families × CNI (the plan's).
    Need,
    /// The BVC's VTI relative to the mean.
    RelativeVti,
    /// The BVC's VTI.
    Vti,
}

impl MapVariable {
    /// The property name in outputs.
    pub fn name(self) -> &'static str {
        match self {
            MapVariable::Cni => "cni",
            MapVariable::Need => "need",
            MapVariable::RelativeVti => "relative_vti",
            MapVariable::Vti => "vti",
        }
    }

    /// A title for legends and headings.
    pub fn title(self) -> &'static str {
        match self {
            MapVariable::Cni => "Care Need Index (CNI)",
            MapVariable::Need => "Need reached (eligible families × CNI)",
            MapVariable::RelativeVti => "Relative VTI",
            MapVariable::Vti => "Vårdtyngdsindex (VTI)",
        }
    }

    /// Decimals in class labels.
    pub fn decimals(self) -> usize {
        match self {
            MapVariable::Need => 1,
            MapVariable::Vti => 3,
            MapVariable::Cni | MapVariable::RelativeVti => 2,
        }
    }
}

/// The map's classes and colours (from the scenario's `[map]` section by
/// [`Scenario::map_spec`](crate::scenario::Scenario::map_spec)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapSpec {
    /// The catchment variable.
    pub variable: MapVariable,
    /// The classification scheme.
    pub scheme: Scheme,
    /// Classes, 3–9.
    pub classes: usize,
    /// The ColorBrewer sequential palette.
    pub palette: String,
}

impl Default for MapSpec {
    fn default() -> Self {
        MapSpec {
            variable: MapVariable::Cni,
            scheme: Scheme::FisherJenks,
            classes: 5,
            palette: "YlOrRd".into(),
        }
    }
}

/// A classed layer: the classification and each feature's class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classes {
    /// The variable classed (`cni`, `need`, …).
    pub variable: String,
    /// The classification; `None` when no value could be classed.
    pub classification: Option<Classification>,
    /// Class (0-based) per feature; `None` without a value.
    pub class: Vec<Option<usize>>,
    /// Decimals of the labels.
    pub decimals: usize,
    /// Why the classes differ from the ones asked for, if they do.
    pub note: Option<String>,
}

/// The simplestyle colours and class of one feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Style {
    /// Class, 1-based (`None` without a value).
    pub class: Option<usize>,
    /// Class label, e.g. `1.05–1.32`, or `no data`.
    pub label: String,
    /// Fill colour.
    pub fill: String,
    /// Fill opacity.
    pub fill_opacity: f64,
    /// Outline colour.
    pub stroke: String,
}

impl Classes {
    /// The style of feature `i`.
    pub fn style(&self, i: usize) -> Style {
        match (self.class.get(i).copied().flatten(), &self.classification) {
            (Some(k), Some(c)) => Style {
                class: Some(k + 1),
                label: c.labels(self.decimals).get(k).cloned().unwrap_or_default(),
                fill: c.colour(k).to_string(),
                fill_opacity: FILL_OPACITY,
                stroke: STROKE.into(),
            },
            _ => Style {
                class: None,
                label: "no data".into(),
                fill: NO_DATA.into(),
                fill_opacity: FILL_OPACITY,
                stroke: STROKE.into(),
            },
        }
    }

    /// The classification as JSON: variable, scheme, palette, minimum, breaks
    /// (upper bounds), colours, labels, counts per class (the GeoJSON foreign
    /// member `classification` and `run_report.json`).
    pub fn to_json(&self) -> Value {
        match &self.classification {
            Some(c) => json!({
                "variable": self.variable,
                "scheme": c.scheme,
                "classes": c.breaks.len(),
                "palette": c.palette,
                "min": c.min,
                "breaks": c.breaks,
                "colours": c.colours,
                "labels": c.labels(self.decimals),
                "counts": c.counts,
                "no_data_colour": NO_DATA,
                "no_data": self.class.iter().filter(|c| c.is_none()).count(),
                "note": self.note,
            }),
            None => json!({
                "variable": self.variable,
                "no_data_colour": NO_DATA,
                "no_data": self.class.len(),
                "note": self.note,
            }),
        }
    }

    /// Legend rows: one per class (`label (count)`).
    pub fn legend(&self) -> Vec<LegendEntry> {
        let Some(c) = &self.classification else {
            return Vec::new();
        };
        c.labels(self.decimals)
            .into_iter()
            .enumerate()
            .map(|(k, label)| LegendEntry {
                colour: c.colour(k).to_string(),
                label: format!("{label} ({})", c.counts.get(k).copied().unwrap_or(0)),
            })
            .collect()
    }
}

/// Classes `values` (one per feature; `None` = no value) with `spec`'s scheme,
/// classes and palette. Never fails: with too few distinct values the number of
/// classes drops (to no fewer than 3), and below that nothing is classed; `note`
/// says why.
pub fn classes(values: &[Option<f64>], spec: &MapSpec, variable: &str) -> Classes {
    let finite: Vec<f64> = values
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    let mut sorted = finite.clone();
    sorted.sort_by(f64::total_cmp);
    sorted.dedup();
    let distinct = sorted.len();
    let decimals = match variable {
        "need" => 1,
        "vti" => 3,
        _ => 2,
    };
    let mut k = spec.classes;
    let mut note = None;
    if matches!(spec.scheme, Scheme::Quantiles | Scheme::FisherJenks) && distinct < k {
        note = Some(format!(
            "{distinct} distinct values: {} classes asked for, {} made",
            spec.classes,
            if distinct >= 3 { distinct } else { 0 }
        ));
        k = distinct;
    }
    let classification = if finite.is_empty() || k < 3 {
        if finite.is_empty() {
            note = Some("no value to class".into());
        }
        None
    } else {
        match classify(&finite, &spec.scheme, k, &spec.palette) {
            Ok(c) => Some(c),
            Err(e) => {
                note = Some(e.to_string());
                None
            }
        }
    };
    let class = values
        .iter()
        .map(|v| {
            let v = (*v)?;
            let c = classification.as_ref()?;
            v.is_finite().then(|| c.class_of(v))
        })
        .collect();
    Classes {
        variable: variable.into(),
        classification,
        class,
        decimals,
        note,
    }
}

/// Areas classed by CNI, in [`Release::areas`] order; withheld values are left
/// out. User breaks given for another variable (e.g. `need`) do not fit CNI: the
/// areas then use Fisher–Jenks with as many classes, and the note says so.
pub fn area_classes(r: &Release, spec: &MapSpec) -> Classes {
    let values: Vec<Option<f64>> = r.areas.iter().map(|a| a.cni.shown()).collect();
    if spec.variable != MapVariable::Cni && matches!(spec.scheme, Scheme::Breaks(_)) {
        let fitted = MapSpec {
            scheme: Scheme::FisherJenks,
            ..spec.clone()
        };
        let mut c = classes(&values, &fitted, "cni");
        let why = format!(
            "the user breaks are for the catchments' {}; areas are classed by CNI with fisher_jenks",
            spec.variable.name()
        );
        c.note = Some(match c.note {
            Some(n) => format!("{why}; {n}"),
            None => why,
        });
        return c;
    }
    classes(&values, spec, "cni")
}

/// The mapped value of each catchment (in catchment order), `None` when missing
/// or withheld.
pub(crate) fn catchment_values(r: &Release, spec: &MapSpec) -> Vec<Option<f64>> {
    r.catchments
        .iter()
        .map(|s| match spec.variable {
            MapVariable::Cni => s.cni.shown(),
            MapVariable::Vti => s.vti.shown(),
            MapVariable::RelativeVti => s.relative_vti.shown(),
            MapVariable::Need => s.plan.as_ref().and_then(|x| x.need.shown()),
        })
        .collect()
}

/// Catchments classed by the map's variable, in catchment order.
pub fn catchment_classes(r: &Release, spec: &MapSpec) -> Classes {
    classes(&catchment_values(r, spec), spec, spec.variable.name())
}

/// Hover text of catchment `i`: name, id, the mapped value, CNI, plan status.
pub(crate) fn catchment_title(
    r: &Release,
    i: usize,
    values: &[Option<f64>],
    spec: &MapSpec,
) -> String {
    let Some(s) = r.catchments.get(i) else {
        return String::new();
    };
    let mut t = format!("{} ({})", s.name.as_deref().unwrap_or(&s.bvc), s.bvc);
    let d = spec.variable.decimals();
    match values.get(i).copied().flatten() {
        Some(v) => t.push_str(&format!("\n{}: {v:.d$}", spec.variable.title())),
        None => t.push_str(&format!("\n{}: withheld or missing", spec.variable.title())),
    }
    let children = match s.children.shown() {
        Some(c) => super::csv::number(c, 0),
        None => MARKER.into(),
    };
    t.push_str(&format!("\nchildren 0–5: {children}"));
    if let Some(x) = &s.plan {
        match x.rank {
            Some(rank) => t.push_str(&format!("\nplan rank {rank}")),
            None => t.push_str("\nplan rank withheld"),
        }
        match x.phase {
            Some(w) => t.push_str(&format!(", selected (wave {w})")),
            None => t.push_str(", not selected"),
        }
    }
    t
}

fn to_map_crs(
    g: &geo::MultiPolygon<f64>,
    t: Option<&Transformer>,
) -> Result<geo::MultiPolygon<f64>> {
    match t {
        None => Ok(g.clone()),
        Some(t) => g
            .try_map_coords(|p| t.apply(p.x, p.y).map(|(x, y)| geo::coord! { x: x, y: y }))
            .map_err(|e| Error::Compute(e.to_string())),
    }
}

/// The catchment map of a release (see the module docs); `None` without
/// catchments. `width` in pixels.
pub fn catchment_map(r: &Release, spec: &MapSpec, width: f64) -> Result<Option<MapSvg>> {
    let (Some(c), Some(b)) = (r.catchment_geometry, r.boundaries) else {
        return Ok(None);
    };
    let t = if b.crs == Crs::Sweref99Tm {
        None
    } else {
        Some(Transformer::new(b.crs, Crs::Sweref99Tm).map_err(|e| Error::Compute(e.to_string()))?)
    };
    let values = catchment_values(r, spec);
    let classed = classes(&values, spec, spec.variable.name());
    let mut shapes = Vec::new();
    let mut outlines = Vec::new();
    for (i, (catchment, s)) in c.catchments.iter().zip(&r.catchments).enumerate() {
        let Some(g) = &catchment.geometry else {
            continue;
        };
        let geometry = to_map_crs(g, t.as_ref())?;
        let style = classed.style(i);
        let phase = s.plan.as_ref().and_then(|x| x.phase);
        shapes.push(Shape {
            id: format!("c-{}", s.bvc),
            class: format!(
                "catchment class-{}{}",
                style.class.map_or("none".to_string(), |k| k.to_string()),
                if phase.is_some() { " selected" } else { "" }
            ),
            geometry: geometry.clone(),
            fill: style.fill,
            fill_opacity: style.fill_opacity,
            stroke: "#ffffff".into(),
            stroke_width: 0.6,
            title: catchment_title(r, i, &values, spec),
        });
        if let Some(w) = phase {
            outlines.push(Shape {
                id: format!("s-{}", s.bvc),
                class: "selected-outline".into(),
                geometry,
                fill: "none".into(),
                fill_opacity: 0.0,
                stroke: "#000000".into(),
                stroke_width: 2.5,
                title: format!("{}: selected, wave {w}", s.bvc),
            });
        }
    }
    // Municipality borders: the areas dissolved by municipality code.
    let mut by_municipality: BTreeMap<&str, (Option<&str>, Vec<&geo::MultiPolygon<f64>>)> =
        BTreeMap::new();
    for a in &r.areas {
        if let Some(p) = a.polygon.and_then(|p| b.areas.get(p)) {
            let e = by_municipality
                .entry(a.municipality_code.as_str())
                .or_insert((a.municipality.as_deref(), Vec::new()));
            e.1.push(&p.geometry);
        }
    }
    let mut borders = Vec::new();
    for (code, (name, parts)) in by_municipality {
        let merged = geo::unary_union(parts);
        borders.push(Shape {
            id: format!("m-{code}"),
            class: "municipality".into(),
            geometry: to_map_crs(&merged, t.as_ref())?,
            fill: "none".into(),
            fill_opacity: 0.0,
            stroke: "#252525".into(),
            stroke_width: 1.2,
            title: format!("{} ({code})", name.unwrap_or(code)),
        });
    }
    let mut legend = classed.legend();
    if classed.class.iter().any(Option::is_none) {
        legend.push(LegendEntry {
            colour: NO_DATA.into(),
            label: "no data or withheld (small count)".into(),
        });
    }
    if !outlines.is_empty() {
        legend.push(LegendEntry {
            colour: "none".into(),
            label: "selected for the rollout (black outline)".into(),
        });
    }
    let scheme = classed
        .classification
        .as_ref()
        .map(|c| {
            format!(
                ", {} classes ({})",
                c.breaks.len(),
                c.scheme.replace('_', " ")
            )
        })
        .unwrap_or_default();
    Ok(Some(MapSvg {
        width,
        title: format!(
            "{}: {} by BVC catchment",
            r.meta.name.as_deref().unwrap_or("careneed"),
            spec.variable.title()
        ),
        heading: format!("{} by BVC catchment{scheme}", spec.variable.title()),
        scale_bar: true,
        layers: vec![
            Layer {
                name: "catchments".into(),
                shapes,
            },
            Layer {
                name: "municipalities".into(),
                shapes: borders,
            },
            Layer {
                name: "selected".into(),
                shapes: outlines,
            },
        ],
        legend,
    }))
}
