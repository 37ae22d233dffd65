//! The HTML form of a profile: one self-contained file (inline CSS and SVG, no scripts, no
//! links to anything outside it) that opens offline in any browser.

use std::fmt::Write;

use super::{ColumnProfile, Profile};
use crate::chart::{bar_chart, escape, heatmap, histogram, short_number};

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}\
h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ccc}\
h3{font-size:15px;margin:0 0 6px 0}.col{border:1px solid #ddd;border-radius:6px;padding:10px;margin:10px 0;display:flex;gap:18px;flex-wrap:wrap}\
table{border-collapse:collapse;font-size:12px}td,th{padding:2px 8px;text-align:left;border-bottom:1px solid #eee}\
.flag{color:#a33;font-size:12px;margin:2px 0}.muted{color:#777;font-size:12px}.warn{color:#a33}";

fn num(v: Option<f64>) -> String {
    v.map_or("–".into(), short_number)
}

fn stat_rows(rows: &[(&str, String)]) -> String {
    let mut t = String::from("<table>");
    for (k, v) in rows {
        let _ = write!(t, "<tr><th>{}</th><td>{}</td></tr>", escape(k), escape(v));
    }
    t.push_str("</table>");
    t
}

fn column_card(c: &ColumnProfile) -> String {
    let mut rows = vec![
        ("type", c.column_type.to_string()),
        ("role", c.role.to_string()),
        ("count", c.count.to_string()),
        ("missing", format!("{} ({:.1}%)", c.missing, c.missing_pct)),
        (
            "distinct",
            format!("{}{}", c.distinct, if c.distinct_exact { "" } else { "+" }),
        ),
    ];
    let mut chart = String::new();
    if let Some(n) = &c.numeric {
        for (k, v) in [
            ("mean", n.mean),
            ("std", n.std),
            ("min", n.min),
            ("25%", n.q25),
            ("50%", n.median),
            ("75%", n.q75),
            ("max", n.max),
            ("skew", n.skew),
            ("kurtosis", n.kurtosis),
            ("MAD", n.mad),
            ("IQR", n.iqr),
        ] {
            rows.push((k, num(v)));
        }
        if let Some(h) = &n.histogram {
            chart = histogram(&h.edges, &h.counts, 320.0, 120.0);
        }
    }
    if let Some(cat) = &c.categorical {
        let items: Vec<(String, u64)> = cat
            .frequencies
            .iter()
            .take(super::TOP_VALUES)
            .map(|f| (f.value.clone(), f.count))
            .collect();
        chart = bar_chart(&items, 360.0);
    }
    if let Some(d) = &c.datetime {
        rows.push(("min", d.min.clone().unwrap_or_else(|| "–".into())));
        rows.push(("max", d.max.clone().unwrap_or_else(|| "–".into())));
    }
    let mut out = format!(
        "<div class=\"col\"><div><h3>{}</h3>{}",
        escape(&c.name),
        stat_rows(&rows)
    );
    for f in &c.flags {
        let _ = write!(out, "<div class=\"flag\">⚠ {}</div>", escape(&f.message()));
    }
    let _ = write!(out, "</div><div>{chart}</div></div>");
    out
}

/// Renders the report; `title` names the data (usually the file name).
///
/// ```
/// let frame = kiln_data::datasets::load("iris")?;
/// let p = kiln_stats::profile::profile_frame(&frame, &Default::default())?;
/// let html = kiln_stats::profile::html::render(&p, "iris.csv");
/// assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<svg"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn render(p: &Profile, title: &str) -> String {
    let mut h = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Profile of {}</title><style>{STYLE}</style></head><body>",
        escape(title)
    );
    let _ = write!(
        h,
        "<h1>Profile of {}</h1><p>{} rows × {} columns. {}</p>",
        escape(title),
        p.rows,
        p.n_columns,
        if p.sample.exact {
            "Every statistic uses every row.".to_string()
        } else {
            format!(
                "Quantiles, histograms and outlier counts come from a uniform sample of {} rows; correlations from {} rows.",
                p.sample.rows, p.sample.correlation_rows
            )
        }
    );
    if let Some(t) = &p.target {
        let _ = write!(
            h,
            "<h2>Target: {} ({})</h2>",
            escape(&t.name),
            escape(&t.task)
        );
        if !t.classes.is_empty() {
            let items: Vec<(String, u64)> = t
                .classes
                .iter()
                .take(30)
                .map(|c| (c.value.clone(), c.count))
                .collect();
            h.push_str(&bar_chart(&items, 480.0));
        }
        if let Some(w) = &t.imbalance_warning {
            let _ = write!(h, "<p class=\"warn\">⚠ {}</p>", escape(w));
        }
        if !t.associations.is_empty() {
            h.push_str("<table><tr><th>feature</th><th>measure</th><th>value</th></tr>");
            for a in &t.associations {
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                    escape(&a.column),
                    escape(&a.measure),
                    num(a.value)
                );
            }
            h.push_str("</table>");
        }
    }
    h.push_str("<h2>Columns</h2>");
    for c in &p.columns {
        h.push_str(&column_card(c));
    }
    if let Some(c) = &p.correlations {
        let _ = write!(
            h,
            "<h2>Correlations</h2><p class=\"muted\">Red positive, blue negative, grey undefined; hover a cell for its value.</p><div class=\"col\"><div><h3>Pearson</h3>{}</div><div><h3>Spearman</h3>{}</div></div>",
            heatmap(&c.columns, &c.pearson),
            heatmap(&c.columns, &c.spearman)
        );
        for pair in &c.high {
            let _ = write!(
                h,
                "<div class=\"flag\">⚠ {} and {}: |r| = {:.3} ≥ 0.9 (multicollinear; keep one or combine them)</div>",
                escape(&pair.a),
                escape(&pair.b),
                pair.pearson.abs()
            );
        }
        for pair in &c.nonlinear {
            let _ = write!(
                h,
                "<div class=\"flag\">{} and {}: Spearman {:.3} vs Pearson {:.3}: monotonic but not linear; a log or rank transform may linearise it</div>",
                escape(&pair.a),
                escape(&pair.b),
                pair.spearman,
                pair.pearson
            );
        }
        if !c.vif.is_empty() {
            h.push_str("<h3>Variance inflation factors</h3><table>");
            for v in &c.vif {
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                    escape(&v.column),
                    short_number(v.vif),
                    if v.multicollinear { "⚠ ≥ 10" } else { "" }
                );
            }
            h.push_str("</table>");
        }
        if let Some(note) = &c.vif_note {
            let _ = write!(h, "<p class=\"muted\">{}</p>", escape(note));
        }
    }
    h.push_str("</body></html>\n");
    h
}
