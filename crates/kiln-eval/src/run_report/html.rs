//! The HTML form of a [`RunReport`]: one self-contained page (inline CSS and SVG, no scripts,
//! no links to anything outside it) that opens offline in any browser. Every string that came
//! from a user — titles, names, class labels, column names, messages — goes through `escape`.

use std::fmt::Write;

use kiln_stats::chart::{confusion_heatmap, escape, value_bars};

use super::{RunReport, charts};

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}\
h1{font-size:22px;margin-bottom:4px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;font-size:13px;margin:6px 0}td,th{padding:3px 10px;text-align:left;border-bottom:1px solid #eee}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#666;font-size:12px}\
.grid{display:flex;flex-wrap:wrap;gap:16px}.card{border:1px solid #ddd;border-radius:6px;padding:8px}\
.verdict{border-left:5px solid #4c78a8;background:#f4f7fb;padding:8px 12px;margin:10px 0}\
.pass{border-left-color:#54a24b;background:#f3faf2}.fail{border-left-color:#e45756;background:#fdf3f3}";

/// A number for a table cell: 4 decimals, scientific for very large or small magnitudes,
/// an en dash when absent or not finite.
pub(crate) fn number(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    if v != 0.0 && (v.abs() >= 1e6 || v.abs() < 1e-4) {
        format!("{v:.3e}")
    } else {
        format!("{v:.4}")
    }
}

fn opt(v: Option<f64>) -> String {
    v.map_or("–".into(), number)
}

/// Renders the page.
pub(crate) fn render(r: &RunReport) -> String {
    let h = &r.header;
    let mut out = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>",
        escape(&h.title)
    );
    let version = h
        .model_version
        .as_deref()
        .map_or(String::new(), |v| format!(" version {}", escape(v)));
    let _ = write!(
        out,
        "<h1>{}</h1><p class=\"muted\">run {} · model {}{version} · {} · {}</p>",
        escape(&h.title),
        escape(&h.run_id),
        escape(&h.model_name),
        escape(&r.model_kind),
        escape(&r.task)
    );
    if let Some(v) = &r.readout {
        let _ = write!(
            out,
            "<div class=\"verdict\"><b>Fit:</b> {}<div class=\"muted\">skill gap {} (train − validation, on a 0 = chance … 1 = perfect scale); chance level {}</div></div>",
            escape(&v.message),
            number(v.skill_gap),
            number(v.chance)
        );
    }
    if let Some(g) = &r.gate {
        let _ = write!(
            out,
            "<div class=\"verdict {}\"><b>Gate: {}</b> — {}",
            if g.passed { "pass" } else { "fail" },
            if g.passed { "passed" } else { "failed" },
            escape(&g.summary)
        );
        if !g.checks.is_empty() {
            out.push_str("<table><tr><th>check</th><th class=\"n\">value</th><th class=\"n\">threshold</th><th>result</th></tr>");
            for c in &g.checks {
                let _ = write!(
                    out,
                    "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                    escape(&c.name),
                    number(c.value),
                    number(c.threshold),
                    if c.passed { "pass" } else { "fail" }
                );
            }
            out.push_str("</table>");
        }
        out.push_str("</div>");
    }
    metrics_section(&mut out, r);
    if let Some(c) = &r.confusion {
        let _ = write!(
            out,
            "<h2>Confusion matrix (test)</h2><p class=\"muted\">Rows: true class; columns: predicted class. Shade: share of the row.</p>{}",
            confusion_heatmap(&c.labels, &c.counts)
        );
    }
    if !r.curves.is_empty() {
        out.push_str("<h2>Curves</h2><div class=\"grid\">");
        for c in &r.curves {
            let _ = write!(out, "<div class=\"card\">{}</div>", c.to_svg());
        }
        out.push_str("</div>");
    }
    if let Some(d) = &r.residuals {
        let _ = write!(
            out,
            "<h2>Residuals (test)</h2><div class=\"grid\"><div class=\"card\">{}</div><div class=\"card\">{}</div></div><table><tr><th>mean residual</th><td class=\"n\">{}</td></tr><tr><th>std of residuals</th><td class=\"n\">{}</td></tr><tr><th>Shapiro–Wilk W</th><td class=\"n\">{}</td></tr><tr><th>Shapiro–Wilk p-value</th><td class=\"n\">{}</td></tr><tr><th>Durbin–Watson</th><td class=\"n\">{}</td></tr></table><p class=\"muted\">A small Shapiro–Wilk p-value says the residuals are unlikely to be normal (prediction intervals that assume normal errors will be off). Durbin–Watson near 2 means no serial correlation in row order; it matters when rows are in time order.</p>",
            charts::residual_chart(d).to_svg(),
            charts::qq_chart(d).to_svg(),
            number(d.mean_residual),
            number(d.std_residual),
            opt(d.shapiro_w),
            opt(d.shapiro_p),
            number(d.durbin_watson),
        );
    }
    for s in &r.importances {
        let items: Vec<(String, f64, Option<f64>)> = s
            .items
            .iter()
            .take(30)
            .map(|i| (i.name.clone(), i.value, i.std))
            .collect();
        let _ = write!(
            out,
            "<h2>{}</h2><p class=\"muted\">{}{}</p>{}",
            escape(&s.title),
            escape(&s.note),
            if s.items.len() > 30 {
                format!(" Top 30 of {} shown.", s.items.len())
            } else {
                String::new()
            },
            value_bars(&items, 640.0)
        );
    }
    dataset_section(&mut out, r);
    if !r.timings.is_empty() {
        out.push_str("<h2>Timings</h2><table>");
        for t in &r.timings {
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"n\">{:.2} s</td></tr>",
                escape(&t.step),
                t.seconds
            );
        }
        out.push_str("</table>");
    }
    if !r.notes.is_empty() {
        out.push_str("<h2>How these numbers were obtained</h2><ul>");
        for n in &r.notes {
            let _ = write!(out, "<li>{}</li>", escape(n));
        }
        out.push_str("</ul>");
    }
    out.push_str("</body></html>\n");
    out
}

fn metrics_section(out: &mut String, r: &RunReport) {
    if r.metrics.is_empty() {
        return;
    }
    out.push_str("<h2>Metrics</h2><table><tr><th>metric</th><th class=\"n\">CV validation (mean ± std)</th><th class=\"n\">CV train (mean)</th><th class=\"n\">test</th></tr>");
    for m in &r.metrics {
        let cv = match (m.cv_mean, m.cv_std) {
            (Some(mean), Some(std)) => format!("{} ± {}", number(mean), number(std)),
            (Some(mean), None) => number(mean),
            _ => "–".into(),
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"n\">{cv}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(m.metric.name()),
            opt(m.cv_train_mean),
            opt(m.test)
        );
    }
    out.push_str("</table>");
}

fn dataset_section(out: &mut String, r: &RunReport) {
    let d = &r.dataset;
    let _ = write!(
        out,
        "<h2>Data</h2><table><tr><th>name</th><td>{}</td></tr><tr><th>training rows</th><td class=\"n\">{}</td></tr><tr><th>columns</th><td class=\"n\">{}</td></tr><tr><th>test rows</th><td class=\"n\">{}</td></tr><tr><th>fingerprint</th><td><code>{}</code></td></tr>",
        escape(&d.name),
        d.rows,
        d.columns,
        d.test_rows.map_or("–".into(), |n| n.to_string()),
        escape(&d.fingerprint)
    );
    if let Some(classes) = &r.classes {
        let _ = write!(
            out,
            "<tr><th>classes</th><td>{}</td></tr>",
            escape(&classes.join(", "))
        );
    }
    out.push_str("</table>");
    if d.profile.is_empty() {
        return;
    }
    out.push_str("<h3>Profile</h3><table><tr><th>column</th><th>type</th><th>role</th><th class=\"n\">missing %</th><th class=\"n\">distinct</th><th class=\"n\">mean</th><th class=\"n\">std</th><th class=\"n\">min</th><th class=\"n\">max</th></tr>");
    for p in &d.profile {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{:.1}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&p.column),
            escape(&p.column_type),
            escape(&p.role),
            p.missing_pct,
            p.distinct,
            opt(p.mean),
            opt(p.std),
            opt(p.min),
            opt(p.max)
        );
    }
    out.push_str("</table>");
}
