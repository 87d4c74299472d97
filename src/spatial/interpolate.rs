//! Areal interpolation: values of a table keyed by *source* areas (e.g. DeSO)
//! carried over to *target* zones (e.g. municipalities, catchments) by overlay.
//!
//! # Method
//!
//! 1. **Overlay.** `|s∩t|` is computed for every source `s` and every target `t`
//!    whose bounding box overlaps its own (an R-tree, [`rstar`], over the targets'
//!    boxes): by Green's theorem over the pieces of each boundary inside the other
//!    polygon where the two boundaries cross cleanly, and with
//!    [`geo::BooleanOps`] where they touch or share edges (a vertex on the other's
//!    edge, collinear edges, shared vertices, decided exactly); the two agree to
//!    rounding for valid polygons. Sources are processed in parallel ([`rayon`]); each source's
//!    pieces are kept in target order and the sources in input order, so the
//!    result does not depend on the number of threads. `|·|` is the planar
//!    (unsigned) area in the boundaries' CRS, so use a projected CRS such as
//!    SWEREF99 TM for meaningful areas.
//! 2. **Slivers.** A piece with `|s∩t| / |s| < sliver` ([`InterpolateSpec::sliver`],
//!    default `1e-9`) is dropped.
//! 3. **Coverage.** `c_s = Σ_t |s∩t| / |s|` over all pieces (slivers included).
//!    The source is *fully covered* when `1 − c_s ≤ 1e-6`; otherwise the share
//!    `1 − Σ_t w_st` (after step 4, slivers included) is listed in
//!    [`Interpolated::unallocated`] and is lost from the extensive totals. A source
//!    of zero area, or one meeting no target, is unallocated with share 1.
//! 4. **Weights.** [`Weighting::Area`]: `w_st = |s∩t| / |s|`.
//!    [`Weighting::Population`]: `w_st = n_st / n_s`, where `n_s` is the number of
//!    points located in `s` and `n_st` of those also located in `t` (both by
//!    [`AreaIndex::locate`]'s edge rule); a source with no points falls back to
//!    area weights, with a notice (kind `population_fallback`). The weights are
//!    normalised **globally per source**, `w_st / Σ_t w_st`, only when the source
//!    is fully covered (step 3), so the extensive sum of a covered source is
//!    conserved exactly; a partly covered source keeps its uncovered share.
//! 5. **Extensive** columns ([`InterpolateSpec::extensive`], counts):
//!    `value_t = Σ_s w_st · v_s`. [`Interpolated::totals_in`] is `Σ_s v_s` over the
//!    sources with a value, [`Interpolated::totals_out`] is `Σ_t value_t`; they
//!    agree when every source is covered.
//! 6. **Intensive** columns ([`InterpolateSpec::intensive`], rates, means):
//!    `value_t = Σ_s |s∩t| · v_s / Σ_s |s∩t|`, the area-weighted mean over the
//!    part of the target that sources with a value cover (area, whatever the
//!    weighting).
//! 7. **Missing values.** Table rows are matched to sources by code (the table's
//!    key). A source without a row, or with a NaN value, follows
//!    [`InterpolateSpec::missing`]: [`Missing::Error`] fails naming the source code
//!    and column; [`Missing::Skip`] leaves that source out of that column (a
//!    warning, kind `missing_value`); [`Missing::Zero`] uses 0 (an info notice,
//!    kind `missing_value`). A target with no contributing piece in a column has
//!    no value (`None`, an empty CSV field).
//!
//! A requested column absent from the table is [`Problem::MissingColumn`].
//! Sources, targets and (declared) points must share one CRS.
//!
//! ```
//! use careneed::inputs::boundaries::{parse_boundaries, BoundaryOptions};
//! use careneed::inputs::table::{parse_table, ColumnSpec, TableSpec};
//! use careneed::spatial::interpolate::{interpolate, InterpolateSpec};
//! // Two 1 km squares A and B side by side; the target Z covers the right half
//! // of A and all of B.
//! let sq = |code: &str, x0: f64, x1: f64| format!(
//!     r#"{{"type":"Feature","properties":{{"code":"{code}"}},"geometry":{{"type":"Polygon",
//!     "coordinates":[[[{x0},6700000],[{x1},6700000],[{x1},6701000],[{x0},6701000],[{x0},6700000]]]}}}}"#);
//! let fc = |f: Vec<String>| format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, f.join(","));
//! let options = BoundaryOptions::default();
//! let sources = fc(vec![sq("A", 600000.0, 601000.0), sq("B", 601000.0, 602000.0)]);
//! let (sources, _) = parse_boundaries("s.geojson", sources.as_bytes(), &options).unwrap();
//! let targets = fc(vec![sq("Z", 600500.0, 602000.0)]);
//! let (targets, _) = parse_boundaries("t.geojson", targets.as_bytes(), &options).unwrap();
//! let spec = TableSpec {
//!     key: "code".into(), key_header: "code".into(), labels: vec![],
//!     columns: vec![ColumnSpec { name: "population".into(), header: "population".into(),
//!                                required: true, at_most: vec![] }],
//! };
//! let (table, _) = parse_table("t.csv", b"code,population\nA,100\nB,200\n", &spec).unwrap();
//! let spec = InterpolateSpec::new(&["population"], &[]);
//! let out = interpolate(&sources, &table, &targets, &spec, None).unwrap();
//! assert_eq!(out.values, [[Some(250.0)]]);
//! assert_eq!(out.totals_in, [300.0]);
//! assert_eq!(out.totals_out, [250.0]);
//! assert_eq!(out.unallocated, [("A".to_string(), 0.5)]);
//! assert_eq!(out.to_csv(), b"code,population\nZ,250\n");
//! ```

use crate::error::{Error, Location, Problem};
use crate::inputs::boundaries::Boundaries;
use crate::inputs::points::Points;
use crate::inputs::table::{Row, Table};
use crate::report::Report;
use crate::spatial::assign::{AreaIndex, assign};
use crate::spatial::overlap::{Prepared, intersection_area};
use geo::{Area, BoundingRect};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// A source counts as fully covered when its uncovered share is at most this.
const COVERED: f64 = 1e-6;

/// How a source's extensive values are split among the targets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Weighting {
    /// By the share of the source's area in each target.
    #[default]
    Area,
    /// By the share of the source's points (a population layer) in each target.
    Population,
}

/// What to do with a source that has no table row or a NaN value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    /// Fail, naming the source code and column.
    #[default]
    Error,
    /// Leave the source out of that column (with a warning).
    Skip,
    /// Use 0 (with a notice).
    Zero,
}

/// What to interpolate and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InterpolateSpec {
    /// Extensive columns (counts), split by weight and summed.
    pub extensive: Vec<String>,
    /// Intensive columns (rates, means), averaged by intersected area.
    pub intensive: Vec<String>,
    /// How extensive values are split.
    pub weighting: Weighting,
    /// What to do with missing values.
    pub missing: Missing,
    /// Intersection pieces below this share of their source's area are dropped.
    pub sliver: f64,
}

impl Default for InterpolateSpec {
    fn default() -> Self {
        InterpolateSpec {
            extensive: Vec::new(),
            intensive: Vec::new(),
            weighting: Weighting::Area,
            missing: Missing::Error,
            sliver: 1e-9,
        }
    }
}

impl InterpolateSpec {
    /// A spec with these columns and the defaults (area weighting,
    /// [`Missing::Error`], sliver `1e-9`).
    pub fn new(extensive: &[&str], intensive: &[&str]) -> Self {
        InterpolateSpec {
            extensive: extensive.iter().map(|s| s.to_string()).collect(),
            intensive: intensive.iter().map(|s| s.to_string()).collect(),
            ..InterpolateSpec::default()
        }
    }
}

/// The result of [`interpolate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interpolated {
    /// The target codes, in target order.
    pub targets: Vec<String>,
    /// The columns: the extensive ones, then the intensive ones, in spec order.
    pub columns: Vec<String>,
    /// `values[target][column]`; `None` when no source contributes.
    pub values: Vec<Vec<Option<f64>>>,
    /// Per extensive column: the sum over the sources with a value.
    pub totals_in: Vec<f64>,
    /// Per extensive column: the sum over the targets.
    pub totals_out: Vec<f64>,
    /// Sources not fully covered by the targets: code and the share of the
    /// source allocated to no target, in source order.
    pub unallocated: Vec<(String, f64)>,
    /// What was decided and left out.
    pub report: Report,
    /// The weighting used.
    pub weighting: Weighting,
    /// The missing-value rule used.
    pub missing: Missing,
}

impl Interpolated {
    /// The values as CSV: `code` (the target code) then the columns; one row per
    /// target in target order; a missing value is an empty field; `\n` line ends;
    /// a field holding `,`, `"` or a line break is quoted.
    pub fn to_csv(&self) -> Vec<u8> {
        let mut out = String::from("code");
        for c in &self.columns {
            out.push(',');
            out.push_str(&quote(c));
        }
        out.push('\n');
        for (code, row) in self.targets.iter().zip(&self.values) {
            out.push_str(&quote(code));
            for v in row {
                out.push(',');
                if let Some(v) = v {
                    out.push_str(&v.to_string());
                }
            }
            out.push('\n');
        }
        out.into_bytes()
    }
}

fn quote(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// Points per source, and per source the points per target.
type PointCounts = (Vec<u64>, Vec<BTreeMap<usize, u64>>);

/// One source's overlay: its area, the kept pieces (target, area) in target
/// order, and the area of all pieces (slivers included).
struct Overlay {
    area: f64,
    pieces: Vec<(usize, f64)>,
    covered_area: f64,
    /// A target whose intersection with this source geo could not compute.
    failed: Option<usize>,
}

fn overlay(
    source: &crate::inputs::boundaries::Area,
    targets: &Boundaries,
    prepared: &[Prepared],
    tree: &RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
    sliver: f64,
) -> Overlay {
    let area = source.geometry.unsigned_area();
    let Some(rect) = source.geometry.bounding_rect() else {
        return Overlay {
            area,
            pieces: Vec::new(),
            covered_area: 0.0,
            failed: None,
        };
    };
    let envelope = AABB::from_corners([rect.min().x, rect.min().y], [rect.max().x, rect.max().y]);
    let mut candidates: Vec<usize> = tree
        .locate_in_envelope_intersecting(&envelope)
        .map(|g| g.data)
        .collect();
    candidates.sort_unstable();
    let mut pieces = Vec::new();
    let mut covered_area = 0.0;
    let mut failed = None;
    let own = Prepared::new(&source.geometry);
    for t in candidates {
        // Green's theorem where the boundaries cross cleanly, else the overlay.
        let piece = match intersection_area(&own, &prepared[t]).or_else(|| {
            crate::inputs::validate::intersection_area(&source.geometry, &targets.areas[t].geometry)
        }) {
            Some(piece) => piece,
            None => {
                failed.get_or_insert(t);
                continue;
            }
        };
        if piece > 0.0 && piece.is_finite() {
            covered_area += piece;
            if area > 0.0 && piece / area >= sliver {
                pieces.push((t, piece));
            }
        }
    }
    Overlay {
        area,
        failed,
        pieces,
        covered_area,
    }
}

/// Interpolates the table's `spec` columns from `sources` (whose codes key the
/// table) to `targets` by the method in the module docs. `population` is the
/// point layer for [`Weighting::Population`] (required then, ignored otherwise).
///
/// Errors: a column not in the table ([`Problem::MissingColumn`]); a column named
/// twice, a non-finite or negative sliver, or population weighting without points
/// ([`Problem::Invalid`]); sources, targets or points in different CRSs; a missing
/// value under [`Missing::Error`] (naming the source code and column).
pub fn interpolate(
    sources: &Boundaries,
    table: &Table,
    targets: &Boundaries,
    spec: &InterpolateSpec,
    population: Option<&Points>,
) -> crate::Result<Interpolated> {
    let invalid =
        |message: String| Error::input(Location::file(&sources.source), Problem::Invalid(message));
    if sources.crs != targets.crs {
        return Err(invalid(format!(
            "the sources are in {} but the targets ({}) are in {}; transform one of them first",
            sources.crs, targets.source, targets.crs
        )));
    }
    if !spec.sliver.is_finite() || spec.sliver < 0.0 {
        return Err(invalid(format!(
            "the sliver tolerance {} is not a finite share ≥ 0",
            spec.sliver
        )));
    }
    let columns: Vec<String> = spec
        .extensive
        .iter()
        .chain(&spec.intensive)
        .cloned()
        .collect();
    let mut column_index = Vec::with_capacity(columns.len());
    for (i, name) in columns.iter().enumerate() {
        if columns[..i].contains(name) {
            return Err(Error::input(
                table.location().with_field(name),
                Problem::Invalid(format!("column \"{name}\" is requested twice")),
            ));
        }
        let c = table.column(name).ok_or_else(|| {
            Error::input(
                table.location().with_field(name),
                Problem::MissingColumn {
                    column: name.clone(),
                    available: table.columns.join(", "),
                    hint: "; --extensive and --intensive name columns of --table".into(),
                },
            )
        })?;
        column_index.push(c);
    }
    let points = match (spec.weighting, population) {
        (Weighting::Population, None) => {
            return Err(invalid(
                "population weighting needs a point layer; none was given".to_string(),
            ));
        }
        (Weighting::Population, Some(points)) => {
            if let Some(crs) = points.crs
                && crs != sources.crs
            {
                return Err(Error::input(
                    Location::file(&points.source),
                    Problem::Invalid(format!(
                        "the points are in {crs} but the areas ({}) are in {}; transform one of them first",
                        sources.source, sources.crs
                    )),
                ));
            }
            Some(points)
        }
        (Weighting::Area, _) => None,
    };

    let mut report = Report::default();
    report.info(
        "weighting",
        Location::file(&sources.source),
        match spec.weighting {
            Weighting::Area => "extensive values split by area share".to_string(),
            Weighting::Population => format!(
                "extensive values split by the share of points from {}",
                points.map_or("", |p| p.source.as_str())
            ),
        },
    );
    report.info(
        "missing",
        table.location(),
        match spec.missing {
            Missing::Error => "missing values are errors",
            Missing::Skip => "missing values are skipped",
            Missing::Zero => "missing values count as 0",
        },
    );

    // The values: per source, per column.
    let rows: HashMap<&str, &Row> = table
        .rows
        .iter()
        .rev()
        .map(|r| (r.key.as_str(), r))
        .collect();
    let mut values: Vec<Vec<Option<f64>>> = Vec::with_capacity(sources.len());
    for area in &sources.areas {
        let row = rows.get(area.code.as_str()).copied();
        let mut of_source = Vec::with_capacity(columns.len());
        for (name, &c) in columns.iter().zip(&column_index) {
            let value = row.and_then(|r| r.values.get(c).copied());
            let at = || table.location().with_code(&area.code).with_field(name);
            let what = || match row {
                None => format!("no row for source {}", area.code),
                Some(_) => format!("no value in column \"{name}\" for source {}", area.code),
            };
            match value {
                Some(v) if !v.is_nan() => of_source.push(Some(v)),
                _ => match spec.missing {
                    Missing::Error => {
                        return Err(Error::input(at(), Problem::Invalid(what())));
                    }
                    Missing::Skip => {
                        report.warn("missing_value", at(), format!("{}; skipped", what()));
                        of_source.push(None);
                    }
                    Missing::Zero => {
                        report.info("missing_value", at(), format!("{}; counted as 0", what()));
                        of_source.push(Some(0.0));
                    }
                },
            }
        }
        values.push(of_source);
    }

    // The overlay.
    let boxes: Vec<_> = targets
        .areas
        .iter()
        .enumerate()
        .filter_map(|(t, area)| {
            let rect = area.geometry.bounding_rect()?;
            Some(GeomWithData::new(
                Rectangle::from_corners([rect.min().x, rect.min().y], [rect.max().x, rect.max().y]),
                t,
            ))
        })
        .collect();
    let tree = RTree::bulk_load(boxes);
    let prepared: Vec<Prepared> = targets
        .areas
        .par_iter()
        .map(|t| Prepared::new(&t.geometry))
        .collect();
    let overlays: Vec<Overlay> = sources
        .areas
        .par_iter()
        .map(|s| overlay(s, targets, &prepared, &tree, spec.sliver))
        .collect();
    if let Some((s, t)) = overlays
        .iter()
        .enumerate()
        .find_map(|(s, o)| o.failed.map(|t| (s, t)))
    {
        let (source, target) = (&sources.areas[s], &targets.areas[t]);
        return Err(Error::input(
            Location::file(&sources.source)
                .at_feature(source.feature)
                .with_code(&source.code)
                .with_field("geometry"),
            Problem::Invalid(format!(
                "cannot intersect this area with target {} of {}: geo's boolean operations failed on the pair; check both polygons",
                target.code, targets.source
            )),
        ));
    }

    // Point counts per source and per (source, target).
    let point_counts: Option<PointCounts> = points.map(|points| {
        let in_source = assign(&AreaIndex::new(sources), points, &|_| {});
        let in_target = assign(&AreaIndex::new(targets), points, &|_| {});
        let mut by_target = vec![BTreeMap::new(); sources.len()];
        for (s, t) in in_source.area.iter().zip(&in_target.area) {
            if let (Some(s), Some(t)) = (s, t) {
                *by_target[*s].entry(*t).or_insert(0u64) += 1;
            }
        }
        (in_source.counts, by_target)
    });

    // Weights per source, globally normalised when covered.
    let mut unallocated = Vec::new();
    let mut weights: Vec<Vec<(usize, f64)>> = Vec::with_capacity(sources.len());
    for (s, (area, o)) in sources.areas.iter().zip(&overlays).enumerate() {
        let at = || Location::file(&sources.source).with_code(&area.code);
        let coverage = if o.area > 0.0 {
            o.covered_area / o.area
        } else {
            0.0
        };
        let covered = 1.0 - coverage <= COVERED;
        if coverage > 1.0 + COVERED {
            report.warn(
                "overlapping_targets",
                at(),
                format!(
                    "the targets cover the source {coverage} times; its weights are scaled to sum to 1"
                ),
            );
        }
        let area_weights = || -> Vec<(usize, f64)> {
            o.pieces
                .iter()
                .map(|&(t, piece)| (t, piece / o.area))
                .collect()
        };
        let mut w = match &point_counts {
            Some((counts, by_target)) if counts[s] > 0 => by_target[s]
                .iter()
                .map(|(&t, &n)| (t, n as f64 / counts[s] as f64))
                .collect(),
            Some(_) => {
                report.info(
                    "population_fallback",
                    at(),
                    "no points in the source; split by area instead",
                );
                area_weights()
            }
            None => area_weights(),
        };
        let sum: f64 = w.iter().map(|(_, x)| x).sum();
        if covered && sum > 0.0 {
            for (_, x) in &mut w {
                *x /= sum;
            }
        } else {
            let share = (1.0 - sum).max(0.0);
            if o.area <= 0.0 {
                report.warn("unallocated", at(), "the source has no area");
            }
            unallocated.push((area.code.clone(), share));
        }
        weights.push(w);
    }
    if !unallocated.is_empty() {
        report.warn(
            "unallocated",
            Location::file(&sources.source),
            format!(
                "{} source(s) lie partly or wholly outside every target; their uncovered share is not allocated",
                unallocated.len()
            ),
        );
    }

    // Accumulate in source order (deterministic).
    let n_ext = spec.extensive.len();
    let mut sums: Vec<Vec<Option<f64>>> = vec![vec![None; n_ext]; targets.len()];
    // Intensive: (Σ |s∩t| v_s, Σ |s∩t|).
    let mut means: Vec<Vec<(f64, f64)>> =
        vec![vec![(0.0, 0.0); columns.len() - n_ext]; targets.len()];
    let mut totals_in = vec![0.0; n_ext];
    for (s, o) in overlays.iter().enumerate() {
        for (c, total) in totals_in.iter_mut().enumerate() {
            if let Some(v) = values[s][c] {
                *total += v;
                for &(t, w) in &weights[s] {
                    let cell = &mut sums[t][c];
                    *cell = Some(cell.unwrap_or(0.0) + w * v);
                }
            }
        }
        for (k, c) in (n_ext..columns.len()).enumerate() {
            if let Some(v) = values[s][c] {
                for &(t, piece) in &o.pieces {
                    let cell = &mut means[t][k];
                    cell.0 += piece * v;
                    cell.1 += piece;
                }
            }
        }
    }
    let mut totals_out = vec![0.0; n_ext];
    let out: Vec<Vec<Option<f64>>> = sums
        .into_iter()
        .zip(means)
        .map(|(ext, int)| {
            for (total, v) in totals_out.iter_mut().zip(&ext) {
                *total += v.unwrap_or(0.0);
            }
            ext.into_iter()
                .chain(
                    int.into_iter()
                        .map(|(num, den)| (den > 0.0).then(|| num / den)),
                )
                .collect()
        })
        .collect();

    Ok(Interpolated {
        targets: targets.areas.iter().map(|a| a.code.clone()).collect(),
        columns,
        values: out,
        totals_in,
        totals_out,
        unallocated,
        report,
        weighting: spec.weighting,
        missing: spec.missing,
    })
}
