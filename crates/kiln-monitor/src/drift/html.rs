//! The drift report as one self-contained HTML file (inline CSS and SVG, no scripts, nothing
//! fetched from outside the file): the dataset verdict, a table of every tested column sorted by
//! drift, a reference-vs-current chart per charted column with drifted columns first and
//! highlighted, and a note on what each method measures and its default threshold.
//!
//! It looks like kiln's other reports (the data profile and the run report) and draws with the
//! same `kiln_stats::chart` pieces. The numbers in the methods note come from [`super::spec`],
//! the one place the defaults live.

use std::fmt::Write;

use kiln_stats::chart::{escape, paired_bars, paired_histogram, short_number};

use super::column::EffectSizeKind;
use super::plot::{ColumnPlot, DriftPlotData, PlotShape, drift_order, severity};
use super::report::{ColumnDrift, DriftReport};
use super::spec::{
    CorrectionSpec, DEFAULT_DRIFT_SHARE, DriftMethod, FEW_VALUES, SMALL_REFERENCE_ROWS,
};

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}\
h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ccc}\
h3{font-size:15px;margin:0 0 6px 0}.col{border:1px solid #ddd;border-radius:6px;padding:10px;margin:10px 0;display:flex;gap:18px;flex-wrap:wrap}\
.col.drift{border:2px solid #c0392b;background:#fff8f7}\
table{border-collapse:collapse;font-size:12px}td,th{padding:2px 8px;text-align:left;border-bottom:1px solid #eee}\
tr.drift td{background:#fdecea}td.num{text-align:right;font-variant-numeric:tabular-nums}\
.verdict{padding:10px 14px;border-radius:6px;font-size:15px;margin:12px 0}\
.verdict.bad{background:#fdecea;border:1px solid #c0392b}.verdict.good{background:#eaf7ea;border:1px solid #54a24b}\
.muted{color:#777;font-size:12px}.warn{color:#a33}dl{font-size:13px}dt{font-weight:600;margin-top:6px}dd{margin-left:16px}";

/// What the report says about where its two sides came from.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftHtmlContext {
    /// The reference: a file, a saved profile, or a model such as `churn/3 (churn@production)`.
    pub reference: String,
    /// The current data file.
    pub current: String,
}

fn num(v: f64) -> String {
    if v.is_infinite() {
        if v > 0.0 {
            "∞".into()
        } else {
            "−∞".into()
        }
    } else if v.is_nan() {
        "–".into()
    } else {
        short_number(v)
    }
}

/// `p = 0.012` or `d = 0.31`: what the column's threshold is compared with.
fn score_text(c: &ColumnDrift) -> String {
    match c.p_value {
        Some(p) => format!("p = {}", num(p)),
        None => format!("d = {}", num(c.statistic)),
    }
}

fn effect_text(c: &ColumnDrift) -> String {
    c.effect_size.map_or_else(String::new, |e| {
        let kind = match e.kind {
            EffectSizeKind::StandardizedMeanDifference => "standardized mean difference",
            EffectSizeKind::CramersV => "Cramér's V",
        };
        format!("{} ({kind})", num(e.value))
    })
}

fn verdict_line(c: &ColumnDrift) -> String {
    let rule = if c.method.is_test() {
        let p = c.adjusted_p_value.unwrap_or(c.score);
        let adjusted = if c.adjusted_p_value.is_some() {
            "adjusted "
        } else {
            ""
        };
        format!(
            "{adjusted}p = {} {} {}",
            num(p),
            if c.drifted { "<" } else { "≥" },
            num(c.threshold)
        )
    } else {
        format!(
            "distance {} {} {}",
            num(c.statistic),
            if c.drifted { "≥" } else { "<" },
            num(c.threshold)
        )
    };
    format!(
        "{}: {} ({rule}){}",
        if c.drifted { "DRIFT" } else { "no drift" },
        c.method,
        if c.automatic {
            ""
        } else {
            ", method set by hand"
        }
    )
}

fn column_table(h: &mut String, report: &DriftReport, charted: &[&str]) {
    let adjusted = report.correction.is_some();
    h.push_str("<table><tr><th>column</th><th>type</th><th>method</th><th>statistic</th><th>p-value / distance</th>");
    if adjusted {
        h.push_str("<th>adjusted p</th>");
    }
    h.push_str("<th>threshold</th><th>drifted</th><th>severity</th><th>effect size</th><th>current missing</th></tr>");
    for &i in &drift_order(report) {
        let c = &report.columns[i];
        let name = if let Some(k) = charted.iter().position(|n| *n == c.column) {
            format!("<a href=\"#chart-{k}\">{}</a>", escape(&c.column))
        } else {
            escape(&c.column)
        };
        let _ = write!(
            h,
            "<tr{}><td>{name}</td><td>{}</td><td>{}{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
            if c.drifted { " class=\"drift\"" } else { "" },
            c.column_type,
            c.method,
            if c.automatic { "" } else { " (set)" },
            num(c.statistic),
            escape(&score_text(c)),
        );
        if adjusted {
            let _ = write!(
                h,
                "<td class=\"num\">{}</td>",
                c.adjusted_p_value.map_or_else(String::new, num)
            );
        }
        let _ = write!(
            h,
            "<td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
            num(c.threshold),
            if c.drifted { "<b>DRIFT</b>" } else { "no" },
            num(severity(c)),
            escape(&effect_text(c)),
            c.current_missing,
        );
    }
    h.push_str("</table>");
}

fn chart_card(h: &mut String, k: usize, plot: &ColumnPlot, c: &ColumnDrift) {
    let names = ["reference", "current"];
    let chart = match &plot.shape {
        PlotShape::Histogram {
            edges,
            reference,
            current,
        } => paired_histogram(edges, reference, current, names, 520.0, 170.0),
        PlotShape::Values { values, .. } => paired_bars(values, names, 520.0),
    };
    let mut notes = vec![format!(
        "{} reference values, {} current values ({} missing, not compared)",
        c.reference_count, c.current_count, c.current_missing
    )];
    if c.effect_size.is_some() {
        notes.push(format!("effect size: {}", effect_text(c)));
    }
    if plot.reference_sampled {
        notes.push("reference bars from the profile's uniform sample".into());
    }
    let _ = write!(
        h,
        "<div class=\"col{}\" id=\"chart-{k}\"><div style=\"min-width:300px;max-width:420px\"><h3>{}</h3><div class=\"{}\">{}</div>",
        if c.drifted { " drift" } else { "" },
        escape(&c.column),
        if c.drifted { "warn" } else { "muted" },
        escape(&verdict_line(c)),
    );
    for n in notes {
        let _ = write!(h, "<div class=\"muted\">{}</div>", escape(&n));
    }
    let _ = write!(h, "</div><div>{chart}</div></div>");
}

fn methods_note(h: &mut String) {
    let t = |m: DriftMethod| short_number(m.default_threshold());
    let _ = write!(
        h,
        "<h2>Methods</h2><dl>\
<dt>Automatic choice (Evidently's rule)</dt><dd>With at most {SMALL_REFERENCE_ROWS} reference values in a column, a statistical test: \
Kolmogorov–Smirnov for numeric columns with more than {FEW_VALUES} distinct values, chi-square for other columns with more than two values, \
a two-proportion z test for columns with two values. With more reference values a test would flag even tiny, harmless changes, so a distance is used: \
normalized Wasserstein for numeric columns, Jensen–Shannon otherwise.</dd>\
<dt>ks — Kolmogorov–Smirnov</dt><dd>The largest gap between the two cumulative distributions; drift when its p-value is below {}.</dd>\
<dt>chisquare — chi-square</dt><dd>Whether the current counts per value fit the reference shares; drift when p &lt; {}.</dd>\
<dt>z — two-proportion z test</dt><dd>Whether the share of one of two values changed; drift when p &lt; {}.</dd>\
<dt>wasserstein — normalized Wasserstein distance</dt><dd>How far the values moved on average (earth mover's distance), in reference standard deviations; drift at ≥ {}.</dd>\
<dt>jensenshannon — Jensen–Shannon distance</dt><dd>How different the shares per value (or per bin) are, from 0 (same) to 1 (no overlap); drift at ≥ {}.</dd>\
<dt>psi — population stability index</dt><dd>The credit-scoring measure of shifted shares per bin (opt-in); drift at ≥ {} (0.1–0.25 is usually read as a moderate shift, above 0.25 as a large one).</dd>\
<dt>anderson — Anderson–Darling k-sample</dt><dd>Like KS but more sensitive in the tails (opt-in); drift when p &lt; {}.</dd>\
<dt>mannw — Mann–Whitney U</dt><dd>Whether values in one sample tend to be larger than in the other (opt-in, two-sided); drift when p &lt; {}.</dd>\
<dt>Dataset verdict</dt><dd>The dataset drifts when the share of drifted columns reaches the drift share (default {}). \
Feature and target columns are tested; id, weight, time and ignored columns are not. Missing values (empty, NaN, ±∞) are left out on both sides before any test.</dd>\
<dt>Severity and order</dt><dd>Columns are sorted drifted first, then by severity: threshold ÷ p-value for tests, distance ÷ threshold for distances; above 1 means drifted.</dd>\
<dt>Effect size</dt><dd>How large the change is, whatever the sample size: for numbers the standardized mean difference (current mean − reference mean) ÷ reference standard deviation; \
for categories Cramér's V of the reference-vs-current counts (0 none, 1 complete change).</dd>\
<dt>Corrections</dt><dd>With many columns some tests fail by chance; a Bonferroni, Holm or Benjamini–Hochberg correction (opt-in) adjusts the p-values of the test methods before they meet the threshold.</dd>\
<dt>Charts</dt><dd>Shares of each side on common bins: the bins the tests compared (one bar per value for categories and numbers with few values; equal-width Sturges bins over both sides otherwise). \
For a large reference, numeric reference bars come from the uniform sample stored in the profile.</dd>\
</dl>",
        t(DriftMethod::Ks),
        t(DriftMethod::ChiSquare),
        t(DriftMethod::Z),
        t(DriftMethod::Wasserstein),
        t(DriftMethod::JensenShannon),
        t(DriftMethod::Psi),
        t(DriftMethod::Anderson),
        t(DriftMethod::MannWhitney),
        short_number(DEFAULT_DRIFT_SHARE),
    );
}

/// Renders the report and its charts as one HTML page.
///
/// ```
/// use kiln_monitor::drift::{detect_drift, DriftPlotData, DriftSpec, ReferenceOptions, ReferenceProfile};
/// use kiln_monitor::drift::html::{render, DriftHtmlContext};
/// let train = kiln_data::datasets::load("iris")?;
/// let reference = ReferenceProfile::from_frame(&train, &ReferenceOptions::default())?;
/// let report = detect_drift(&reference, &train, &DriftSpec::default())?;
/// let plots = DriftPlotData::build(&reference, &train, &report, 50)?;
/// let context = DriftHtmlContext { reference: "train.csv".into(), current: "train.csv".into() };
/// let html = render(&report, &plots, &context);
/// assert!(html.starts_with("<!DOCTYPE html>") && html.contains("no dataset drift"));
/// assert_eq!(html.matches("<svg").count(), report.columns.len());
/// # Ok::<(), kiln_monitor::MonitorError>(())
/// ```
pub fn render(report: &DriftReport, plots: &DriftPlotData, context: &DriftHtmlContext) -> String {
    let mut h = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Drift of {}</title><style>{STYLE}</style></head><body>",
        escape(&context.current)
    );
    let _ = write!(
        h,
        "<h1>Data drift of {}</h1><table><tr><th>reference</th><td>{}</td><td class=\"num\">{} rows</td></tr><tr><th>current</th><td>{}</td><td class=\"num\">{} rows</td></tr></table>",
        escape(&context.current),
        escape(&context.reference),
        report.reference_rows,
        escape(&context.current),
        report.current_rows,
    );
    let _ = write!(
        h,
        "<div class=\"verdict {}\"><b>{}</b>: {} of {} tested columns drifted ({:.1}%; the dataset drifts at ≥ {:.1}%).</div>",
        if report.dataset_drift { "bad" } else { "good" },
        if report.dataset_drift {
            "DATASET DRIFT"
        } else {
            "no dataset drift"
        },
        report.drifted_columns,
        report.tested_columns,
        100.0 * report.share_drifted,
        100.0 * report.drift_share,
    );
    if let Some(c) = report.correction {
        let name = match c {
            CorrectionSpec::Bonferroni => "Bonferroni",
            CorrectionSpec::Holm => "Holm",
            CorrectionSpec::BenjaminiHochberg => "Benjamini–Hochberg",
        };
        let _ = write!(
            h,
            "<p class=\"muted\">p-values corrected for multiple testing ({name}).</p>"
        );
    }
    if !report.skipped.is_empty() {
        let list: Vec<String> = report
            .skipped
            .iter()
            .map(|s| format!("{} ({})", s.column, s.reason))
            .collect();
        let _ = write!(
            h,
            "<p class=\"muted\">Not tested: {}.</p>",
            escape(&list.join("; "))
        );
    }
    if !report.unmatched_current_columns.is_empty() {
        let _ = write!(
            h,
            "<p class=\"muted\">Current columns the reference does not have (not tested): {}.</p>",
            escape(&report.unmatched_current_columns.join(", "))
        );
    }
    h.push_str("<h2>Columns, most drifted first</h2>");
    let charted: Vec<&str> = plots.columns.iter().map(|p| p.column.as_str()).collect();
    column_table(&mut h, report, &charted);
    h.push_str("<h2>Reference vs current</h2><p class=\"muted\">Share of each side's values per bin or value: reference in blue, current in orange. Hover a bar for its bin and share.</p>");
    if plots.uncharted > 0 {
        let _ = write!(
            h,
            "<p class=\"warn\">Charts for the {} most drifted of {} columns; the table above lists every column.</p>",
            plots.columns.len(),
            plots.columns.len() + plots.uncharted,
        );
    }
    for (k, plot) in plots.columns.iter().enumerate() {
        if let Some(c) = report.column(&plot.column) {
            chart_card(&mut h, k, plot, c);
        }
    }
    methods_note(&mut h);
    h.push_str("</body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::{DriftSpec, ReferenceOptions, ReferenceProfile, detect_drift};
    use kiln_data::synth::{ColumnDrift as Shift, drifted_copy};

    #[test]
    fn every_column_is_listed_drifted_ones_first_and_nothing_is_fetched() {
        let train = kiln_data::datasets::load("penguins").unwrap();
        let reference = ReferenceProfile::from_frame(&train, &ReferenceOptions::default()).unwrap();
        let shifted = drifted_copy(
            &train,
            &[Shift {
                column: "bill_depth_mm".into(),
                mean_shift: 2.0,
                ..Default::default()
            }],
            0,
        )
        .unwrap();
        let report = detect_drift(&reference, &shifted, &DriftSpec::default()).unwrap();
        let plots = DriftPlotData::build(&reference, &shifted, &report, 2).unwrap();
        let context = DriftHtmlContext {
            reference: "penguins <train>".into(),
            current: "today.csv".into(),
        };
        let html = render(&report, &plots, &context);
        for c in &report.columns {
            assert!(
                html.contains(&format!("<td>{}", c.column))
                    || html.contains(&format!(">{}</a>", c.column)),
                "{}",
                c.column
            );
        }
        assert_eq!(html.matches("<svg").count(), 2);
        assert!(html.contains("penguins &lt;train&gt;"));
        assert!(html.contains(&format!(
            "Charts for the 2 most drifted of {} columns",
            report.columns.len()
        )));
        // The drifted column is the first row of the table and the first, highlighted chart.
        let table_start = html.find("<h2>Columns").unwrap();
        let first_row = &html[table_start..];
        let first_row = &first_row[first_row.find("<tr class").unwrap()..];
        assert!(
            first_row.starts_with("<tr class=\"drift\"><td><a href=\"#chart-0\">bill_depth_mm</a>"),
            "{}",
            &first_row[..200]
        );
        assert!(html.contains("<div class=\"col drift\" id=\"chart-0\"><div style=\"min-width:300px;max-width:420px\"><h3>bill_depth_mm</h3>"));
        // Self-contained: no scripts, no links or sources outside the file.
        for bad in ["http://", "https://", "<script", "src=", "url("] {
            assert!(!html.contains(bad), "{bad}");
        }
        // The methods note shows the defaults from the spec.
        assert!(html.contains("drift at ≥ 0.1") && html.contains("p-value is below 0.05"));
    }
}
