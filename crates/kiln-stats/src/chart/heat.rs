//! Grid-shaped charts: the correlation heatmap of the data profile and the confusion matrix of
//! the run report.

use std::fmt::Write;

use super::{escape, short_number};

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

/// Colour of a share in [0, 1]: white (0) to dark blue (1).
fn sequential(t: f64) -> String {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (r, g, b) = (
        255.0 - t * (255.0 - 8.0),
        255.0 - t * (255.0 - 69.0),
        255.0 - t * (255.0 - 148.0),
    );
    format!("#{:02x}{:02x}{:02x}", r as u8, g as u8, b as u8)
}

/// A confusion matrix: rows are true classes, columns predicted classes, `counts` row-major
/// (`labels.len()²` values). Each cell shows its count; its shade is the share of its row (the
/// recall of the row's class on the diagonal), so imbalanced classes stay readable.
///
/// ```
/// let svg = kiln_stats::chart::confusion_heatmap(&["no".into(), "yes".into()], &[5.0, 1.0, 2.0, 7.0]);
/// assert_eq!(svg.matches("<rect").count(), 4);
/// ```
pub fn confusion_heatmap(labels: &[String], counts: &[f64]) -> String {
    let k = labels.len();
    let cell = if k > 12 { 24.0 } else { 48.0 };
    let label = 100.0;
    let size = label + cell * k as f64 + 24.0;
    let mut svg =
        format!(r#"<svg width="{size}" height="{size}" viewBox="0 0 {size} {size}" role="img">"#);
    let _ = write!(
        svg,
        r#"<text x="{:.1}" y="12" font-size="11" text-anchor="middle">predicted</text><text x="12" y="{:.1}" font-size="11" text-anchor="middle" transform="rotate(-90 12 {:.1})">true</text>"#,
        label + cell * k as f64 / 2.0,
        label + cell * k as f64 / 2.0,
        label + cell * k as f64 / 2.0,
    );
    for (i, name) in labels.iter().enumerate() {
        let shown: String = name.chars().take(14).collect();
        let pos = label + i as f64 * cell + cell / 2.0;
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end">{}</text><text x="{pos:.1}" y="{:.1}" font-size="10" text-anchor="middle">{}</text>"#,
            label - 4.0,
            pos + 3.0,
            escape(&shown),
            label - 6.0,
            escape(&shown),
        );
    }
    for i in 0..k {
        let row = &counts[(i * k).min(counts.len())..((i + 1) * k).min(counts.len())];
        let total: f64 = row.iter().sum();
        for (j, &c) in row.iter().enumerate() {
            let share = if total > 0.0 { c / total } else { 0.0 };
            let (x, y) = (label + j as f64 * cell, label + i as f64 * cell);
            let ink = if share > 0.55 { "#ffffff" } else { "#222222" };
            let _ = write!(
                svg,
                r##"<rect x="{x:.1}" y="{y:.1}" width="{cell}" height="{cell}" fill="{}" stroke="#ffffff"><title>true {} → predicted {}: {} ({:.1}% of row)</title></rect><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle" fill="{ink}">{}</text>"##,
                sequential(share),
                escape(&labels[i]),
                escape(&labels[j]),
                escape(&short_number(c)),
                share * 100.0,
                x + cell / 2.0,
                y + cell / 2.0 + 4.0,
                escape(&short_number(c)),
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::super::{bar_chart, confusion_heatmap, heatmap, histogram};

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

    #[test]
    fn confusion_cells_show_counts_and_escape_labels() {
        let c = confusion_heatmap(&["<no>".into(), "yes".into()], &[8.0, 2.0, 0.0, 0.0]);
        assert!(c.contains("&lt;no&gt;") && !c.contains("<no>"));
        assert_eq!(c.matches("<rect").count(), 4);
        // Row "<no>": 80% on the diagonal; the empty row "yes" is drawn white, not NaN.
        assert!(c.contains("80.0% of row") && c.contains("#ffffff") && !c.contains("NaN"));
    }
}
