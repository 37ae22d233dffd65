//! Small hand-written SVG charts shared by every kiln HTML page: the data profile, the run
//! report and the drift report.
//!
//! Written by hand rather than with a plotting crate: the few chart shapes kiln draws are a few
//! dozen lines each, the output is tiny, needs no fonts or system libraries, and the build stays
//! lean. Every chart is meant to be inlined in HTML5, so it carries no `xmlns`: nothing in a
//! report refers to anything outside the file. Every piece of user text goes through [`escape`].
//!
//! - [`bars`]: histogram, horizontal count bars, horizontal value bars with error whiskers;
//! - [`compare`]: one distribution beside another on the same bins (paired histogram, paired
//!   bars), for the drift report's reference-vs-current charts;
//! - [`heat`]: correlation heatmap and confusion-matrix heatmap;
//! - [`xy`]: line and scatter charts with axes, ticks, a legend, shaded bands and reference
//!   lines (ROC, precision–recall, calibration, learning and iteration curves, residuals, Q–Q).

pub mod bars;
pub mod compare;
pub mod heat;
pub mod xy;

pub use bars::{bar_chart, histogram, value_bars};
pub use compare::{paired_bars, paired_histogram};
pub use heat::{confusion_heatmap, heatmap};
pub use xy::{Reference, Series, SeriesStyle, XyChart};

/// Escapes text for use in XML/HTML content and attribute values.
///
/// ```
/// assert_eq!(kiln_stats::chart::escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
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
///
/// ```
/// use kiln_stats::chart::short_number;
/// assert_eq!(short_number(0.25), "0.25");
/// assert_eq!(short_number(123456.0), "1.23e5");
/// ```
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

/// Series colours (Tableau 10), reused in order.
pub const PALETTE: [&str; 10] = [
    "#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#eeca3b", "#9d755d",
    "#ff9da6", "#bab0ac",
];

/// Round tick positions covering `[lo, hi]`: steps of 1, 2 or 5 × 10ᵏ giving about `target`
/// ticks. Returns the ticks inside the range (at least the two ends when the range is empty or
/// not finite).
///
/// ```
/// assert_eq!(kiln_stats::chart::nice_ticks(0.0, 1.0, 5), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
/// ```
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo || target == 0 {
        return vec![lo, hi];
    }
    let raw = (hi - lo) / target as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let first = (lo / step).ceil();
    let last = (hi / step).floor();
    // Ticks are multiples of `step`; rounding the multiple (not the value) keeps 0.6 from being
    // printed as 0.6000000000000001.
    let decimals = (-step.log10().floor()).max(0.0) as i32;
    let round = |v: f64| {
        let f = 10f64.powi(decimals);
        (v * f).round() / f
    };
    let n = (last - first) as i64;
    (0..=n.max(0))
        .map(|i| round((first + i as f64) * step))
        .collect()
}
