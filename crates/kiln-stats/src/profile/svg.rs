//! Small inline SVG charts for the HTML profile: histogram, horizontal bar chart and correlation
//! heatmap.
//!
//! Written by hand rather than with a plotting crate: three chart shapes are a few dozen lines
//! each, the output is tiny, and the build stays lean. The SVG is meant to be inlined in HTML5,
//! so it carries no `xmlns` (nothing in the report refers to anything outside the file). Every
//! piece of user text goes through [`escape`].

use std::fmt::Write;

/// Escapes text for use in XML/HTML content and attribute values.
///
/// ```
/// assert_eq!(kiln_stats::profile::svg::escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
/// ```
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A number short enough for an axis label.
pub fn short_number(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if v.abs() >= 1e5 || v.abs() < 1e-3 {
        format!("{v:.2e}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A histogram of `counts` over `edges` (one more edge than counts).
pub fn histogram(edges: &[f64], counts: &[u64], width: f64, height: f64) -> String {
    let mut svg = format!(
        r#"<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">"#
    );
    let (left, bottom, top) = (4.0, 18.0, 4.0);
    let plot_w = width - 2.0 * left;
    let plot_h = height - bottom - top;
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let bar_w = plot_w / counts.len().max(1) as f64;
    for (i, &c) in counts.iter().enumerate() {
        let h = plot_h * c as f64 / max;
        let x = left + i as f64 * bar_w;
        let (lo, hi) = (
            edges.get(i).copied().unwrap_or(f64::NAN),
            edges.get(i + 1).copied().unwrap_or(f64::NAN),
        );
        let _ = write!(
            svg,
            r##"<rect x="{x:.2}" y="{:.2}" width="{:.2}" height="{h:.2}" fill="#4c78a8"><title>[{}, {}): {c}</title></rect>"##,
            top + plot_h - h,
            (bar_w - 1.0).max(0.5),
            escape(&short_number(lo)),
            escape(&short_number(hi)),
        );
    }
    if let (Some(first), Some(last)) = (edges.first(), edges.last()) {
        let _ = write!(
            svg,
            r#"<text x="{left}" y="{}" font-size="10">{}</text><text x="{}" y="{}" font-size="10" text-anchor="end">{}</text>"#,
            height - 4.0,
            escape(&short_number(*first)),
            width - left,
            height - 4.0,
            escape(&short_number(*last)),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Horizontal bars, one per (label, count), in the order given.
pub fn bar_chart(items: &[(String, u64)], width: f64) -> String {
    let row_h = 16.0;
    let height = row_h * items.len() as f64 + 4.0;
    let label_w = (width * 0.4).min(160.0);
    let max = items.iter().map(|i| i.1).max().unwrap_or(0).max(1) as f64;
    let bar_space = width - label_w - 60.0;
    let mut svg = format!(
        r#"<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">"#
    );
    for (i, (label, count)) in items.iter().enumerate() {
        let y = 2.0 + i as f64 * row_h;
        let w = bar_space * *count as f64 / max;
        let shown: String = label.chars().take(24).collect();
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end">{}</text><rect x="{label_w}" y="{:.1}" width="{w:.2}" height="{:.1}" fill="#f58518"><title>{}: {count}</title></rect><text x="{:.1}" y="{:.1}" font-size="10">{count}</text>"##,
            label_w - 4.0,
            y + 11.0,
            escape(&shown),
            y + 2.0,
            row_h - 4.0,
            escape(label),
            label_w + w + 3.0,
            y + 11.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Colour of a coefficient in [-1, 1]: blue (−1) through white (0) to red (+1); grey if missing.
fn diverging(v: Option<f64>) -> String {
    let Some(v) = v else {
        return "#dddddd".into();
    };
    let t = v.clamp(-1.0, 1.0);
    let (r, g, b) = if t >= 0.0 {
        (255.0, 255.0 * (1.0 - t), 255.0 * (1.0 - t))
    } else {
        (255.0 * (1.0 + t), 255.0 * (1.0 + t), 255.0)
    };
    format!("#{:02x}{:02x}{:02x}", r as u8, g as u8, b as u8)
}

/// A square heatmap of a symmetric matrix with row and column names.
pub fn heatmap(names: &[String], matrix: &[Vec<Option<f64>>]) -> String {
    let k = names.len();
    let cell = if k > 30 { 10.0 } else { 18.0 };
    let label = 110.0;
    let size = label + cell * k as f64 + 4.0;
    let mut svg =
        format!(r#"<svg width="{size}" height="{size}" viewBox="0 0 {size} {size}" role="img">"#);
    for (i, name) in names.iter().enumerate() {
        let shown: String = name.chars().take(16).collect();
        let pos = label + i as f64 * cell + cell * 0.75;
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{pos:.1}" font-size="10" text-anchor="end">{}</text><text x="{pos:.1}" y="{:.1}" font-size="10" transform="rotate(-90 {pos:.1} {:.1})">{}</text>"#,
            label - 4.0,
            escape(&shown),
            label - 4.0,
            label - 4.0,
            escape(&shown),
        );
    }
    for (i, row) in matrix.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            let text = v.map_or("undefined".to_string(), |v| format!("{v:.3}"));
            let _ = write!(
                svg,
                r#"<rect x="{:.1}" y="{:.1}" width="{cell}" height="{cell}" fill="{}"><title>{} × {}: {text}</title></rect>"#,
                label + j as f64 * cell,
                label + i as f64 * cell,
                diverging(*v),
                escape(&names[i]),
                escape(&names[j]),
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_labels_and_stay_self_contained() {
        let h = heatmap(
            &["<a>".into(), "b&c".into()],
            &[vec![Some(1.0), None], vec![None, Some(1.0)]],
        );
        assert!(h.contains("&lt;a&gt;") && h.contains("b&amp;c") && !h.contains("<a>"));
        assert!(h.contains("#ff0000") && h.contains("#dddddd"));
        let b = bar_chart(&[("x\"y".into(), 3), ("z".into(), 1)], 300.0);
        assert!(b.contains("x&quot;y") && b.starts_with("<svg") && b.ends_with("</svg>"));
        let hist = histogram(&[0.0, 1.0, 2.0], &[2, 5], 200.0, 80.0);
        assert_eq!(hist.matches("<rect").count(), 2);
        assert!(!hist.contains("http"));
    }
}
