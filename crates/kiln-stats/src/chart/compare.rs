//! Two-sided charts that put one distribution beside another on the same bins: a paired
//! histogram for numbers and paired horizontal bars for categories. The drift report draws the
//! reference data against the current data with them.
//!
//! Both take *shares* (each side sums to 1), not counts: the two sides usually have very
//! different row counts, and only shares can be read against each other.

use std::fmt::Write;

use super::{PALETTE, escape, short_number};

/// Percent text of a share with one decimal, e.g. `12.5%`.
fn percent(share: f64) -> String {
    format!("{:.1}%", 100.0 * share)
}

/// The two-entry legend at `(x, y)`: a swatch and a name per side.
fn legend(svg: &mut String, x: f64, y: f64, names: [&str; 2]) {
    let mut at = x;
    for (i, name) in names.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<rect x="{at:.1}" y="{:.1}" width="10" height="10" fill="{}"/><text x="{:.1}" y="{y:.1}" font-size="10">{}</text>"#,
            y - 9.0,
            PALETTE[i],
            at + 13.0,
            escape(name),
        );
        at += 13.0 + 6.5 * name.chars().count() as f64 + 14.0;
    }
}

/// A histogram of two distributions over the same `edges` (one more edge than bins): in each
/// bin the first side's bar (blue) stands left of the second side's (orange), both scaled to the
/// largest share. Hovering a bar shows its bin and share.
///
/// ```
/// let svg = kiln_stats::chart::paired_histogram(
///     &[0.0, 1.0, 2.0], &[0.75, 0.25], &[0.5, 0.5], ["reference", "current"], 360.0, 150.0);
/// assert_eq!(svg.matches("<rect").count(), 4 + 2); // four bars, two legend swatches
/// ```
pub fn paired_histogram(
    edges: &[f64],
    first: &[f64],
    second: &[f64],
    names: [&str; 2],
    width: f64,
    height: f64,
) -> String {
    let mut svg = format!(
        r#"<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">"#
    );
    // Room on the left for the largest share's label ("100.0%").
    let (left, right, top, bottom) = (46.0, 6.0, 18.0, 18.0);
    let plot_w = (width - left - right).max(10.0);
    let plot_h = (height - top - bottom).max(10.0);
    let bins = first.len().min(second.len());
    let max = first
        .iter()
        .chain(second)
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let max = if max > 0.0 { max } else { 1.0 };
    let bin_w = plot_w / bins.max(1) as f64;
    let bar_w = ((bin_w - 1.0) / 2.0).max(0.3);
    legend(&mut svg, left, 11.0, names);
    let _ = write!(
        svg,
        r##"<line x1="{left}" x2="{left}" y1="{top}" y2="{:.1}" stroke="#bbb"/><text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end">{}</text><text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end">0</text>"##,
        top + plot_h,
        left - 3.0,
        top + 8.0,
        escape(&percent(max)),
        left - 3.0,
        top + plot_h,
    );
    for i in 0..bins {
        let (lo, hi) = (
            edges.get(i).copied().unwrap_or(f64::NAN),
            edges.get(i + 1).copied().unwrap_or(f64::NAN),
        );
        for (side, share) in [first[i], second[i]].into_iter().enumerate() {
            let share = if share.is_finite() { share } else { 0.0 };
            let h = plot_h * share / max;
            let x = left + i as f64 * bin_w + side as f64 * bar_w;
            let _ = write!(
                svg,
                r#"<rect x="{x:.2}" y="{:.2}" width="{bar_w:.2}" height="{h:.2}" fill="{}"><title>{}: [{}, {}): {}</title></rect>"#,
                top + plot_h - h,
                PALETTE[side],
                escape(names[side]),
                escape(&short_number(lo)),
                escape(&short_number(hi)),
                escape(&percent(share)),
            );
        }
    }
    if let (Some(lo), Some(hi)) = (edges.first(), edges.last()) {
        let _ = write!(
            svg,
            r#"<text x="{left}" y="{:.1}" font-size="10">{}</text><text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end">{}</text>"#,
            height - 4.0,
            escape(&short_number(*lo)),
            width - right,
            height - 4.0,
            escape(&short_number(*hi)),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Horizontal paired bars, one group per `(label, first share, second share)` in the order
/// given: the first side's bar (blue) above the second's (orange), each with its share.
///
/// ```
/// let svg = kiln_stats::chart::paired_bars(
///     &[("red".into(), 0.6, 0.2), ("blue".into(), 0.4, 0.8)], ["reference", "current"], 420.0);
/// assert_eq!(svg.matches("<rect").count(), 4 + 2);
/// assert!(svg.contains("red") && svg.contains("80.0%"));
/// ```
pub fn paired_bars(items: &[(String, f64, f64)], names: [&str; 2], width: f64) -> String {
    let (bar_h, gap, top) = (10.0, 6.0, 18.0);
    let group_h = 2.0 * bar_h + gap;
    let height = top + group_h * items.len() as f64 + 4.0;
    let label_w = (width * 0.35).min(150.0);
    let bar_space = (width - label_w - 50.0).max(10.0);
    let max = items
        .iter()
        .flat_map(|i| [i.1, i.2])
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let max = if max > 0.0 { max } else { 1.0 };
    let mut svg = format!(
        r#"<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">"#
    );
    legend(&mut svg, label_w, 11.0, names);
    for (i, (label, a, b)) in items.iter().enumerate() {
        let y = top + i as f64 * group_h;
        let shown: String = label.chars().take(24).collect();
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end">{}</text>"#,
            label_w - 4.0,
            y + bar_h + 3.0,
            escape(&shown),
        );
        for (side, share) in [*a, *b].into_iter().enumerate() {
            let share = if share.is_finite() { share } else { 0.0 };
            let w = bar_space * share / max;
            let by = y + side as f64 * bar_h;
            let _ = write!(
                svg,
                r#"<rect x="{label_w}" y="{by:.1}" width="{:.2}" height="{:.1}" fill="{}"><title>{} · {}: {}</title></rect><text x="{:.1}" y="{:.1}" font-size="9">{}</text>"#,
                w.max(0.5),
                bar_h - 1.0,
                PALETTE[side],
                escape(label),
                escape(names[side]),
                escape(&percent(share)),
                label_w + w + 3.0,
                by + bar_h - 2.0,
                escape(&percent(share)),
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
    fn bars_scale_to_the_largest_share_and_text_is_escaped() {
        let svg = paired_histogram(&[0.0, 1.0], &[1.0], &[0.5], ["<a>", "b"], 200.0, 100.0);
        assert!(svg.contains("&lt;a&gt;") && !svg.contains("<a>"));
        // Plot height 100 − 18 − 18 = 64: the share 1.0 fills it, 0.5 fills half.
        assert!(svg.contains(r#"height="64.00""#), "{svg}");
        assert!(svg.contains(r#"height="32.00""#), "{svg}");
        let svg = paired_bars(&[("x & y".into(), 0.0, f64::NAN)], ["r", "c"], 300.0);
        assert!(svg.contains("x &amp; y") && svg.contains("0.0%"));
        // Empty input still draws a valid, empty chart.
        let svg = paired_histogram(&[], &[], &[], ["r", "c"], 200.0, 100.0);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }
}
