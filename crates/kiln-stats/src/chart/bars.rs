//! Bar-shaped charts: a histogram, horizontal count bars (category frequencies, class counts)
//! and horizontal value bars with optional error whiskers (feature importances).

use std::fmt::Write;

use super::{escape, short_number};

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

/// Horizontal bars of signed values, one per `(label, value, error)`, in the order given, with
/// a zero line; `error` (if any) draws a whisker of ± that much. Used for feature importances,
/// where a permutation importance can be negative.
///
/// ```
/// let svg = kiln_stats::chart::value_bars(&[("age".into(), 0.2, Some(0.05)), ("x".into(), -0.01, None)], 400.0);
/// assert_eq!(svg.matches("<rect").count(), 2);
/// ```
pub fn value_bars(items: &[(String, f64, Option<f64>)], width: f64) -> String {
    let row_h = 18.0;
    let height = row_h * items.len() as f64 + 20.0;
    let label_w = (width * 0.35).min(180.0);
    let reach = |(_, v, e): &(String, f64, Option<f64>)| {
        let e = e.filter(|e| e.is_finite()).unwrap_or(0.0).abs();
        (v.min(0.0) - e, v.max(0.0) + e)
    };
    let (lo, hi) = items
        .iter()
        .filter(|i| i.1.is_finite())
        .map(reach)
        .fold((0.0f64, 0.0f64), |(a, b), (l, h)| (a.min(l), b.max(h)));
    let span = if hi > lo { hi - lo } else { 1.0 };
    // Room on the right for the value text ("-1.23e-4 ± 5.67e-5").
    let plot_w = (width - label_w - 130.0).max(20.0);
    let px = |v: f64| label_w + plot_w * (v - lo) / span;
    let mut svg = format!(
        r#"<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">"#
    );
    let zero = px(0.0);
    for (i, (label, value, error)) in items.iter().enumerate() {
        let y = 4.0 + i as f64 * row_h;
        let shown: String = label.chars().take(28).collect();
        let v = if value.is_finite() { *value } else { 0.0 };
        let (x0, x1) = if v >= 0.0 {
            (zero, px(v))
        } else {
            (px(v), zero)
        };
        let text = match error {
            Some(e) => format!("{} ± {}", short_number(*value), short_number(*e)),
            None => short_number(*value),
        };
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end">{}</text><rect x="{x0:.2}" y="{:.1}" width="{:.2}" height="{:.1}" fill="#4c78a8"><title>{}: {}</title></rect>"##,
            label_w - 4.0,
            y + 12.0,
            escape(&shown),
            y + 3.0,
            (x1 - x0).max(0.5),
            row_h - 6.0,
            escape(label),
            escape(&text),
        );
        if let Some(e) = error.filter(|e| e.is_finite() && *e > 0.0) {
            let _ = write!(
                svg,
                r##"<line x1="{:.2}" x2="{:.2}" y1="{:.1}" y2="{:.1}" stroke="#222" stroke-width="1"/>"##,
                px(v - e),
                px(v + e),
                y + row_h / 2.0,
                y + row_h / 2.0,
            );
        }
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-size="10">{}</text>"#,
            px(hi) + 4.0,
            y + 12.0,
            escape(&text),
        );
    }
    let _ = write!(
        svg,
        r##"<line x1="{zero:.2}" x2="{zero:.2}" y1="2" y2="{:.1}" stroke="#888" stroke-width="1"/>"##,
        height - 16.0
    );
    svg.push_str("</svg>");
    svg
}
