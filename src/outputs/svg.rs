//! SVG maps: layers of polygons, drawn north-up from a projected CRS (metres, e.g.
//! SWEREF99 TM, EPSG:3006, in which Swedish areas keep their true shape), with a
//! legend. One self-contained `<svg>` element: it opens in any browser, embeds in
//! HTML as is, and renders to PNG for slide decks.
//!
//! * The frame is the bounding box of every layer, scaled to [`MapSvg::width`]
//!   pixels; `y` is flipped so north is up. One metre is the same length in x and y.
//! * Each [`Shape`] is one `<path>` (every ring of every part, `fill-rule:
//!   evenodd`, so holes stay holes) with its own fill, stroke and a `<title>` that
//!   browsers show on hover; `id` and `class` let a page script or style it.
//! * Rings are simplified (Douglas–Peucker, [`geo::Simplify`]) to half a pixel and
//!   written to 0.1 px, so a county map stays small; a ring that would vanish is
//!   kept unsimplified.
//! * Text (titles, labels) is XML-escaped.
//!
//! ```
//! use careneed::outputs::svg::{render, Layer, LegendEntry, MapSvg, Shape};
//! use geo::{polygon, MultiPolygon};
//! let square = MultiPolygon(vec![polygon![
//!     (x: 600_000.0, y: 6_700_000.0), (x: 610_000.0, y: 6_700_000.0),
//!     (x: 610_000.0, y: 6_710_000.0), (x: 600_000.0, y: 6_710_000.0)]]);
//! let map = MapSvg {
//!     width: 200.0,
//!     title: "CNI <demo>".into(),
//!     layers: vec![Layer { name: "areas".into(), shapes: vec![Shape {
//!         id: "a1".into(), class: "area".into(), geometry: square,
//!         fill: "#feb24c".into(), fill_opacity: 0.8, stroke: "#555555".into(),
//!         stroke_width: 0.5, title: "2180C1010: CNI 1.55".into() }] }],
//!     legend: vec![LegendEntry { colour: "#feb24c".into(), label: "1.3–1.6".into() }],
//!     ..Default::default()
//! };
//! let svg = render(&map);
//! assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
//! assert!(svg.contains("<title>CNI &lt;demo&gt;</title>"));
//! // 10 km across 200 px less 2 × 10 px margins: north-west corner at (10, 10).
//! assert!(svg.contains("d=\"M10.0 190.0L190.0 190.0L190.0 10.0L10.0 10.0Z\""), "{svg}");
//! ```

use geo::{BoundingRect, MultiPolygon, Rect, Simplify};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// Pixels between the map and the edge of the picture.
const MARGIN: f64 = 10.0;
/// Height of one legend row, in pixels.
const LEGEND_ROW: f64 = 18.0;
/// Height of the heading, in pixels.
const HEADING: f64 = 22.0;
/// Height of the scale bar, in pixels.
const SCALE_BAR: f64 = 16.0;

/// One polygon (or multipolygon) on the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shape {
    /// The `id` attribute of the path (unique on the page).
    pub id: String,
    /// The `class` attribute (space-separated CSS classes).
    pub class: String,
    /// The polygon(s), in the map's projected CRS (metres).
    pub geometry: MultiPolygon<f64>,
    /// Fill colour (`#rrggbb`, or `none`).
    pub fill: String,
    /// Fill opacity, 0–1.
    pub fill_opacity: f64,
    /// Stroke colour.
    pub stroke: String,
    /// Stroke width in pixels.
    pub stroke_width: f64,
    /// Text shown on hover.
    pub title: String,
}

/// Shapes drawn together, in order (later layers on top).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Layer {
    /// The layer's name (the `id` of its `<g>` group).
    pub name: String,
    /// Its shapes.
    pub shapes: Vec<Shape>,
}

/// One row of the legend: a swatch and its label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegendEntry {
    /// Swatch colour.
    pub colour: String,
    /// Label, e.g. `1.30–1.55`.
    pub label: String,
}

/// A map to draw.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MapSvg {
    /// Width of the picture in pixels.
    pub width: f64,
    /// Title of the picture (its `<title>`, read by screen readers).
    pub title: String,
    /// Layers, bottom first.
    pub layers: Vec<Layer>,
    /// Legend rows, top first (drawn under the map).
    pub legend: Vec<LegendEntry>,
    /// A visible heading above the map (none when empty).
    #[serde(default)]
    pub heading: String,
    /// Draw a scale bar (a round number of kilometres, about a fifth of the width)
    /// under the map.
    #[serde(default)]
    pub scale_bar: bool,
}

/// The longest round length (1, 2 or 5 × 10ⁿ metres) not above `metres`.
fn round_length(metres: f64) -> f64 {
    if !(metres.is_finite() && metres > 0.0) {
        return 0.0;
    }
    let p = 10f64.powf(metres.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|m| m * p)
        .find(|&l| l <= metres)
        .unwrap_or(p)
}

/// XML-escapes text for an attribute or element.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn frame(map: &MapSvg) -> Option<Rect<f64>> {
    map.layers
        .iter()
        .flat_map(|l| &l.shapes)
        .filter_map(|s| s.geometry.bounding_rect())
        .reduce(|a, b| {
            Rect::new(
                geo::coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
                geo::coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
            )
        })
}

/// Draws the map as one `<svg>` element (see the module docs).
pub fn render(map: &MapSvg) -> String {
    let width = map.width.max(2.0 * MARGIN + 1.0);
    let inner = width - 2.0 * MARGIN;
    let (scale, origin, map_height) = match frame(map) {
        Some(r) if r.width() > 0.0 || r.height() > 0.0 => {
            let extent = if r.width() > 0.0 {
                r.width()
            } else {
                r.height()
            };
            let scale = inner / extent;
            (scale, (r.min().x, r.max().y), r.height() * scale)
        }
        _ => (1.0, (0.0, 0.0), 0.0),
    };
    let legend_height = if map.legend.is_empty() {
        0.0
    } else {
        MARGIN + LEGEND_ROW * map.legend.len() as f64
    };
    let top = if map.heading.is_empty() {
        MARGIN
    } else {
        MARGIN + HEADING
    };
    let bar_height = if map.scale_bar { SCALE_BAR } else { 0.0 };
    let height = (map_height + top + MARGIN + bar_height + legend_height).ceil();
    let px = |x: f64, y: f64| {
        (
            MARGIN + (x - origin.0) * scale,
            top + (origin.1 - y) * scale,
        )
    };
    let tolerance = 0.5 / scale;

    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" font-family=\"sans-serif\" font-size=\"12\">\n<title>{}</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n",
        escape(&map.title)
    );
    if !map.heading.is_empty() {
        let _ = writeln!(
            svg,
            "<text id=\"heading\" x=\"{MARGIN}\" y=\"{:.1}\" font-size=\"16\" font-weight=\"bold\">{}</text>",
            MARGIN + 14.0,
            escape(&map.heading)
        );
    }
    for layer in &map.layers {
        let _ = writeln!(svg, "<g id=\"{}\">", escape(&layer.name));
        for shape in &layer.shapes {
            let mut d = String::new();
            for polygon in &shape.geometry.0 {
                let simple = polygon.simplify(tolerance);
                let simple = if simple.exterior().0.len() >= 4 {
                    simple
                } else {
                    polygon.clone()
                };
                for ring in std::iter::once(simple.exterior()).chain(simple.interiors()) {
                    let coords = &ring.0;
                    let n = coords.len().saturating_sub(1); // closed: skip the repeat
                    for (i, c) in coords.iter().take(n).enumerate() {
                        let (x, y) = px(c.x, c.y);
                        let _ = write!(d, "{}{x:.1} {y:.1}", if i == 0 { 'M' } else { 'L' });
                    }
                    if n > 0 {
                        d.push('Z');
                    }
                }
            }
            let _ = writeln!(
                svg,
                "<path id=\"{}\" class=\"{}\" d=\"{d}\" fill=\"{}\" fill-opacity=\"{:.2}\" stroke=\"{}\" stroke-width=\"{}\" fill-rule=\"evenodd\" stroke-linejoin=\"round\"><title>{}</title></path>",
                escape(&shape.id),
                escape(&shape.class),
                escape(&shape.fill),
                shape.fill_opacity.clamp(0.0, 1.0),
                escape(&shape.stroke),
                shape.stroke_width,
                escape(&shape.title)
            );
        }
        svg.push_str("</g>\n");
    }
    if map.scale_bar && scale > 0.0 {
        let metres = round_length(inner / 5.0 / scale);
        let w = metres * scale;
        let y = top + map_height + MARGIN + 8.0;
        let label = if metres >= 1000.0 {
            format!("{} km", metres / 1000.0)
        } else {
            format!("{metres} m")
        };
        let _ = writeln!(
            svg,
            "<g id=\"scale-bar\"><path d=\"M{MARGIN} {:.1}V{y:.1}H{:.1}V{:.1}\" fill=\"none\" stroke=\"#333333\" stroke-width=\"1.5\"/><text x=\"{:.1}\" y=\"{:.1}\">{label}</text></g>",
            y - 5.0,
            MARGIN + w,
            y - 5.0,
            MARGIN + w + 6.0,
            y + 1.0
        );
    }
    if !map.legend.is_empty() {
        let top = top + map_height + MARGIN + bar_height;
        svg.push_str("<g id=\"legend\">\n");
        for (i, entry) in map.legend.iter().enumerate() {
            let y = top + LEGEND_ROW * i as f64;
            let _ = writeln!(
                svg,
                "<rect x=\"{MARGIN}\" y=\"{y:.1}\" width=\"24\" height=\"14\" fill=\"{}\" stroke=\"{}\" stroke-width=\"{}\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                escape(&entry.colour),
                // An outline entry (no fill) shows a thick black outline.
                if entry.colour == "none" {
                    "#000000"
                } else {
                    "#555555"
                },
                if entry.colour == "none" { 2.5 } else { 0.5 },
                MARGIN + 32.0,
                y + 11.5,
                escape(&entry.label)
            );
        }
        svg.push_str("</g>\n");
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    fn shape(id: &str, x0: f64, hole: bool) -> Shape {
        let mut p = polygon![
            (x: x0, y: 0.0), (x: x0 + 100.0, y: 0.0), (x: x0 + 100.0, y: 100.0), (x: x0, y: 100.0)
        ];
        if hole {
            p.interiors_push(vec![
                (x0 + 40.0, 40.0),
                (x0 + 60.0, 40.0),
                (x0 + 60.0, 60.0),
                (x0 + 40.0, 60.0),
                (x0 + 40.0, 40.0),
            ]);
        }
        Shape {
            id: id.into(),
            class: "area".into(),
            geometry: MultiPolygon(vec![p]),
            fill: "#fee5d9".into(),
            fill_opacity: 0.8,
            stroke: "#333333".into(),
            stroke_width: 0.5,
            title: format!("{id} & co"),
        }
    }

    #[test]
    fn north_up_equal_scale_holes_and_escaping() {
        let map = MapSvg {
            width: 220.0,
            title: "t".into(),
            layers: vec![Layer {
                name: "areas".into(),
                shapes: vec![shape("a", 0.0, true), shape("b", 100.0, false)],
            }],
            legend: vec![
                LegendEntry {
                    colour: "#fee5d9".into(),
                    label: "low".into(),
                },
                LegendEntry {
                    colour: "#a50f15".into(),
                    label: "high".into(),
                },
            ],
            ..Default::default()
        };
        let svg = render(&map);
        // 200 m across 200 px: 1 px per metre; 100 m tall; legend 10 + 2 × 18.
        assert!(svg.contains("width=\"220\" height=\"166\""), "{svg}");
        assert_eq!(svg.matches("<path ").count(), 2);
        // The hole is a second subpath of the first shape.
        assert!(svg.contains("M10.0 110.0L110.0 110.0L110.0 10.0L10.0 10.0ZM50.0 70.0"));
        assert!(svg.contains("<title>a &amp; co</title>"));
        assert_eq!(svg.matches("<text ").count(), 2);
        // Well-formed XML.
        let doc = roxmltree::Document::parse(&svg).unwrap();
        assert_eq!(doc.root_element().tag_name().name(), "svg");
    }

    #[test]
    fn empty_map_is_still_a_picture() {
        let svg = render(&MapSvg {
            width: 100.0,
            title: "none".into(),
            layers: vec![],
            legend: vec![],
            ..Default::default()
        });
        assert!(roxmltree::Document::parse(&svg).is_ok());
    }

    #[test]
    fn heading_and_scale_bar() {
        let map = MapSvg {
            width: 220.0,
            title: "t".into(),
            heading: "CNI <by> catchment".into(),
            scale_bar: true,
            layers: vec![Layer {
                name: "areas".into(),
                shapes: vec![shape("a", 0.0, false), shape("b", 100.0, false)],
            }],
            legend: vec![],
        };
        let svg = render(&map);
        // 1 px per metre: a fifth of 200 px is 40 m, rounded down to 20 m.
        assert!(svg.contains(">20 m</text>"), "{svg}");
        assert!(svg.contains(">CNI &lt;by&gt; catchment</text>"));
        // The map moves down by the heading: its top edge at 10 + 22.
        assert!(svg.contains("L10.0 32.0Z"), "{svg}");
        assert!(roxmltree::Document::parse(&svg).is_ok());
        assert_eq!(round_length(1234.0), 1000.0);
        assert_eq!(round_length(0.3), 0.2);
        assert_eq!(round_length(5.0), 5.0);
    }
}
