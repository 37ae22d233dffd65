//! Line and scatter charts on numeric axes: ticks, axis titles, a legend, shaded bands (mean ±
//! std of a learning curve) and reference lines (the diagonal of a ROC or calibration plot, the
//! zero line of a residual plot, the fitted line of a Q–Q plot).
//!
//! One [`XyChart`] draws every such plot: a ROC curve is lines plus the diagonal, a residual plot
//! is points plus `y = 0`. Non-finite points are skipped rather than drawn off the chart.

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use super::{PALETTE, escape, nice_ticks, short_number};

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeriesStyle {
    /// A polyline through the points in order.
    #[default]
    Line,
    /// A polyline with a dot on each point.
    LineWithMarkers,
    /// Dots only.
    Points,
}

/// One named series of `(x, y)` points.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Series {
    /// Legend name.
    pub name: String,
    /// The points, in drawing order.
    pub points: Vec<(f64, f64)>,
    /// A shaded band `(lower, upper)` per point (same length as `points`), e.g. mean ± std.
    #[serde(default)]
    pub band: Option<Vec<(f64, f64)>>,
    /// How to draw it.
    #[serde(default)]
    pub style: SeriesStyle,
}

/// A straight dashed reference line `y = intercept + slope · x` across the plot.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    /// Slope.
    pub slope: f64,
    /// Intercept.
    pub intercept: f64,
}

/// A line or scatter chart.
///
/// ```
/// use kiln_stats::chart::{Reference, Series, XyChart};
/// let roc = XyChart {
///     title: "ROC".into(),
///     x_label: "false positive rate".into(),
///     y_label: "true positive rate".into(),
///     series: vec![Series { name: "model".into(), points: vec![(0.0, 0.0), (0.2, 0.8), (1.0, 1.0)], ..Default::default() }],
///     x_range: Some((0.0, 1.0)),
///     y_range: Some((0.0, 1.0)),
///     reference: Some(Reference { slope: 1.0, intercept: 0.0 }),
///     ..Default::default()
/// };
/// let svg = roc.to_svg();
/// assert!(svg.starts_with("<svg") && svg.contains("<polyline") && svg.contains("model"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct XyChart {
    /// Title above the plot.
    pub title: String,
    /// Horizontal axis title.
    pub x_label: String,
    /// Vertical axis title.
    pub y_label: String,
    /// The series, drawn in order with the palette's colours.
    pub series: Vec<Series>,
    /// Fixed x range (default: the data's range).
    #[serde(default)]
    pub x_range: Option<(f64, f64)>,
    /// Fixed y range (default: the data's range, bands included).
    #[serde(default)]
    pub y_range: Option<(f64, f64)>,
    /// A dashed reference line.
    #[serde(default)]
    pub reference: Option<Reference>,
    /// Width in pixels.
    pub width: f64,
    /// Height in pixels.
    pub height: f64,
}

impl Default for XyChart {
    fn default() -> Self {
        XyChart {
            title: String::new(),
            x_label: String::new(),
            y_label: String::new(),
            series: Vec::new(),
            x_range: None,
            y_range: None,
            reference: None,
            width: 420.0,
            height: 300.0,
        }
    }
}

/// Smallest and largest finite value, padded by 4% of the span so extreme points are not drawn
/// on the frame (or widened around a single value, so the axis has a span).
fn span(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if lo > hi {
        (0.0, 1.0)
    } else if lo == hi {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        (lo - pad, hi + pad)
    } else {
        let pad = (hi - lo) * 0.04;
        (lo - pad, hi + pad)
    }
}

impl XyChart {
    /// Renders the chart as an inline `<svg>` element.
    pub fn to_svg(&self) -> String {
        let (w, h) = (self.width, self.height);
        let (left, right, top, bottom) = (52.0, 12.0, 24.0, 40.0);
        let legend_h = 14.0 * self.series.len().min(8) as f64;
        let plot_w = (w - left - right).max(10.0);
        let plot_h = (h - top - bottom - legend_h).max(10.0);
        let (x0, x1) = self.x_range.unwrap_or_else(|| {
            span(
                self.series
                    .iter()
                    .flat_map(|s| s.points.iter().map(|p| p.0)),
            )
        });
        let (y0, y1) = self.y_range.unwrap_or_else(|| {
            span(self.series.iter().flat_map(|s| {
                let band = s.band.iter().flatten().flat_map(|b| [b.0, b.1]);
                s.points.iter().map(|p| p.1).chain(band)
            }))
        });
        let sx = |x: f64| left + plot_w * (x - x0) / (x1 - x0);
        let sy = |y: f64| top + plot_h * (1.0 - (y - y0) / (y1 - y0));
        let inside = |x: f64, y: f64| x.is_finite() && y.is_finite();
        let mut svg = format!(
            r#"<svg width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img"><text x="{:.1}" y="15" font-size="13" text-anchor="middle" font-weight="bold">{}</text>"#,
            w / 2.0,
            escape(&self.title)
        );
        // Grid and tick labels.
        for t in nice_ticks(x0, x1, 5) {
            let x = sx(t);
            let _ = write!(
                svg,
                r##"<line x1="{x:.2}" x2="{x:.2}" y1="{top}" y2="{:.2}" stroke="#eeeeee"/><text x="{x:.2}" y="{:.2}" font-size="10" text-anchor="middle">{}</text>"##,
                top + plot_h,
                top + plot_h + 13.0,
                escape(&short_number(t))
            );
        }
        for t in nice_ticks(y0, y1, 5) {
            let y = sy(t);
            let _ = write!(
                svg,
                r##"<line x1="{left}" x2="{:.2}" y1="{y:.2}" y2="{y:.2}" stroke="#eeeeee"/><text x="{:.2}" y="{:.2}" font-size="10" text-anchor="end">{}</text>"##,
                left + plot_w,
                left - 4.0,
                y + 3.0,
                escape(&short_number(t))
            );
        }
        let _ = write!(
            svg,
            r##"<rect x="{left}" y="{top}" width="{plot_w:.2}" height="{plot_h:.2}" fill="none" stroke="#999999"/><text x="{:.2}" y="{:.2}" font-size="11" text-anchor="middle">{}</text><text x="12" y="{:.2}" font-size="11" text-anchor="middle" transform="rotate(-90 12 {:.2})">{}</text>"##,
            left + plot_w / 2.0,
            top + plot_h + 28.0,
            escape(&self.x_label),
            top + plot_h / 2.0,
            top + plot_h / 2.0,
            escape(&self.y_label),
        );
        if let Some(r) = self.reference {
            // The part of the line inside the plot: x where y0 <= a + b·x <= y1, within x0..x1.
            let (lo, hi) = if r.slope == 0.0 {
                let inside_y = (y0.min(y1)..=y0.max(y1)).contains(&r.intercept);
                if inside_y { (x0, x1) } else { (1.0, 0.0) }
            } else {
                let (xa, xb) = ((y0 - r.intercept) / r.slope, (y1 - r.intercept) / r.slope);
                (x0.max(xa.min(xb)), x1.min(xa.max(xb)))
            };
            let (ya, yb) = (r.intercept + r.slope * lo, r.intercept + r.slope * hi);
            if lo < hi && inside(ya, yb) {
                let _ = write!(
                    svg,
                    r##"<line x1="{:.2}" y1="{:.2}" x2="{:.2}" y2="{:.2}" stroke="#888888" stroke-dasharray="4 3"/>"##,
                    sx(lo),
                    sy(ya),
                    sx(hi),
                    sy(yb)
                );
            }
        }
        // Everything drawn inside the plot is clipped to it by coordinates: points outside a
        // fixed range are skipped.
        let visible = |x: f64, y: f64| {
            inside(x, y) && x >= x0.min(x1) && x <= x0.max(x1) && y >= y0.min(y1) && y <= y0.max(y1)
        };
        for (i, s) in self.series.iter().enumerate() {
            let colour = PALETTE[i % PALETTE.len()];
            if let Some(band) = &s.band {
                let upper: Vec<String> = s
                    .points
                    .iter()
                    .zip(band)
                    .filter(|(p, b)| visible(p.0, b.1) && visible(p.0, b.0))
                    .map(|(p, b)| format!("{:.2},{:.2}", sx(p.0), sy(b.1)))
                    .collect();
                let lower: Vec<String> = s
                    .points
                    .iter()
                    .zip(band)
                    .filter(|(p, b)| visible(p.0, b.1) && visible(p.0, b.0))
                    .rev()
                    .map(|(p, b)| format!("{:.2},{:.2}", sx(p.0), sy(b.0)))
                    .collect();
                if !upper.is_empty() {
                    let _ = write!(
                        svg,
                        r#"<polygon points="{} {}" fill="{colour}" fill-opacity="0.15" stroke="none"/>"#,
                        upper.join(" "),
                        lower.join(" ")
                    );
                }
            }
            let pts: Vec<(f64, f64)> = s
                .points
                .iter()
                .copied()
                .filter(|&(x, y)| visible(x, y))
                .collect();
            if s.style != SeriesStyle::Points && pts.len() > 1 {
                let path: Vec<String> = pts
                    .iter()
                    .map(|&(x, y)| format!("{:.2},{:.2}", sx(x), sy(y)))
                    .collect();
                let _ = write!(
                    svg,
                    r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="1.8"><title>{}</title></polyline>"#,
                    path.join(" "),
                    escape(&s.name)
                );
            }
            if s.style != SeriesStyle::Line || pts.len() == 1 {
                let r = if s.style == SeriesStyle::Points {
                    2.0
                } else {
                    2.8
                };
                for &(x, y) in &pts {
                    let _ = write!(
                        svg,
                        r#"<circle cx="{:.2}" cy="{:.2}" r="{r}" fill="{colour}" fill-opacity="0.75"/>"#,
                        sx(x),
                        sy(y)
                    );
                }
            }
        }
        // Legend under the axis title, one line per series.
        for (i, s) in self.series.iter().take(8).enumerate() {
            let y = top + plot_h + 42.0 + i as f64 * 14.0;
            let colour = PALETTE[i % PALETTE.len()];
            let _ = write!(
                svg,
                r#"<rect x="{left}" y="{:.2}" width="12" height="4" fill="{colour}"/><text x="{:.2}" y="{:.2}" font-size="11">{}</text>"#,
                y - 6.0,
                left + 16.0,
                y,
                escape(&s.name)
            );
        }
        svg.push_str("</svg>");
        svg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_lines_points_bands_and_escapes_names() {
        let chart = XyChart {
            title: "<t>".into(),
            series: vec![
                Series {
                    name: "a&b".into(),
                    points: vec![(1.0, 0.5), (2.0, 0.7), (3.0, f64::NAN)],
                    band: Some(vec![(0.4, 0.6), (0.6, 0.8), (0.0, 0.0)]),
                    style: SeriesStyle::LineWithMarkers,
                },
                Series {
                    name: "pts".into(),
                    points: vec![(1.0, 1.0), (2.0, 2.0)],
                    band: None,
                    style: SeriesStyle::Points,
                },
            ],
            reference: Some(Reference {
                slope: 0.0,
                intercept: 0.0,
            }),
            ..Default::default()
        };
        let svg = chart.to_svg();
        assert!(svg.contains("&lt;t&gt;") && svg.contains("a&amp;b") && !svg.contains("<t>"));
        assert_eq!(
            svg.matches("<polyline").count(),
            1,
            "points-only series has no line"
        );
        // Two markers of the line series (the NaN point is skipped) + two points.
        assert_eq!(svg.matches("<circle").count(), 4);
        assert_eq!(svg.matches("<polygon").count(), 1);
        assert_eq!(svg.matches("stroke-dasharray").count(), 1);
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }

    #[test]
    fn reference_lines_stay_inside_the_plot() {
        let chart = |slope: f64, intercept: f64| XyChart {
            x_range: Some((0.0, 1.0)),
            y_range: Some((0.0, 1.0)),
            reference: Some(Reference { slope, intercept }),
            width: 152.0,
            height: 164.0,
            ..Default::default()
        };
        // Plot box: x from 52 to 140, y from 24 to 124 (no legend). y = 2x leaves at x = 0.5.
        let svg = chart(2.0, 0.0).to_svg();
        assert!(
            svg.contains(r#"x1="52.00" y1="124.00" x2="96.00" y2="24.00""#),
            "{svg}"
        );
        // A horizontal line above the range is not drawn.
        assert!(!chart(0.0, 3.0).to_svg().contains("stroke-dasharray"));
    }

    #[test]
    fn empty_and_constant_series_still_render_axes() {
        let empty = XyChart::default().to_svg();
        assert!(empty.starts_with("<svg") && empty.ends_with("</svg>"));
        let flat = XyChart {
            series: vec![Series {
                name: "flat".into(),
                points: vec![(0.0, 3.0), (1.0, 3.0)],
                ..Default::default()
            }],
            ..Default::default()
        }
        .to_svg();
        assert!(!flat.contains("NaN"));
    }
}
