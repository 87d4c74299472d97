//! PNG rendering of the SVG maps ([`super::svg`]) for slide decks, with resvg.
//!
//! Text is set in DejaVu Sans, embedded in the binary, so a legend renders the
//! same on every machine whether or not it has fonts installed. The picture is
//! drawn at `scale` times the SVG's pixel size on a white background.
//! Behind the cargo feature `png` (on by default).
//!
//! ```
//! use careneed::outputs::png::svg_to_png;
//! let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">
//!   <rect width="20" height="20" fill="#f03b20"/><text x="22" y="14" font-family="sans-serif">A</text></svg>"##;
//! let png = svg_to_png(svg, 2.0)?;
//! assert_eq!(&png[1..4], b"PNG");
//! # Ok::<(), careneed::Error>(())
//! ```

use crate::error::{Error, Result};

/// Renders an SVG document to PNG bytes at `scale` × its size (e.g. 2.0 for a
/// sharp slide). Errors: the SVG does not parse, or the picture would be empty
/// or larger than 16 384 pixels a side.
pub fn svg_to_png(svg: &str, scale: f32) -> Result<Vec<u8>> {
    let mut options = resvg::usvg::Options {
        font_family: "DejaVu Sans".into(),
        ..Default::default()
    };
    let fonts = options.fontdb_mut();
    fonts.load_font_data(dejavu::sans::regular().to_vec());
    // Every generic family is the embedded font.
    fonts.set_sans_serif_family("DejaVu Sans");
    fonts.set_serif_family("DejaVu Sans");
    fonts.set_monospace_family("DejaVu Sans");
    let tree = resvg::usvg::Tree::from_str(svg, &options)
        .map_err(|e| Error::Compute(format!("the map's SVG does not parse: {e}")))?;
    let size = tree.size();
    let (w, h) = (
        (size.width() * scale).ceil(),
        (size.height() * scale).ceil(),
    );
    if !(w >= 1.0 && h >= 1.0 && w <= 16_384.0 && h <= 16_384.0) {
        return Err(Error::Compute(format!(
            "a {w} × {h} pixel picture cannot be rendered (1 to 16 384 a side)"
        )));
    }
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w as u32, h as u32)
        .ok_or_else(|| Error::Compute(format!("cannot allocate a {w} × {h} picture")))?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| Error::Compute(format!("PNG encoding failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_drawn_without_system_fonts() {
        // The same picture with and without a label differs: the glyphs were drawn.
        let base = r##"<svg xmlns="http://www.w3.org/2000/svg" width="60" height="20">"##;
        let plain = format!("{base}</svg>");
        let text = format!(
            "{base}<text x=\"2\" y=\"15\" font-family=\"sans-serif\" font-size=\"14\">Gävle</text></svg>"
        );
        let a = svg_to_png(&plain, 1.0).unwrap();
        let b = svg_to_png(&text, 1.0).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn bad_svg_and_sizes_are_errors() {
        assert!(svg_to_png("<svg", 1.0).is_err());
        let big = r#"<svg xmlns="http://www.w3.org/2000/svg" width="20000" height="10"/>"#;
        assert!(svg_to_png(big, 1.0).is_err());
    }
}
