//! The classification report: precision, recall, F1 and support per class, plus accuracy and
//! the macro and weighted averages — as a struct for code and the registry, and as the same text
//! table scikit-learn's `classification_report` prints.

use serde::{Deserialize, Serialize};

use crate::classification::{Average, average_scores, confusion_matrix, scores_from_matrix};
use crate::error::Result;

/// Precision, recall, F1 and support of one row of the report.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReportRow {
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1.
    pub f1: f64,
    /// Weighted number of rows of the class in `y_true` (all rows for the averages).
    pub support: f64,
}

/// One class of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassReport {
    /// The class code.
    pub label: usize,
    /// Its scores.
    pub scores: ReportRow,
}

/// Per-class scores with accuracy and the macro and weighted averages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassificationReport {
    /// One entry per class in the union of `y_true` and `y_pred`, by class code.
    pub classes: Vec<ClassReport>,
    /// Fraction of correct labels (weighted).
    pub accuracy: f64,
    /// Unweighted means over classes.
    pub macro_avg: ReportRow,
    /// Means weighted by support.
    pub weighted_avg: ReportRow,
}

/// Builds the classification report of predicted against true class codes. Zero divisions count
/// as 0, as documented in the classification module.
///
/// ```
/// let r = kiln_eval::classification_report(&[0.0, 1.0, 2.0, 2.0, 2.0], &[0.0, 0.0, 2.0, 2.0, 1.0], None)?;
/// assert_eq!(r.classes.len(), 3);
/// assert_eq!(r.accuracy, 0.6);
/// println!("{}", r.to_text(2));
/// # Ok::<(), kiln_eval::EvalError>(())
/// ```
pub fn classification_report(
    y_true: &[f64],
    y_pred: &[f64],
    sample_weight: Option<&[f64]>,
) -> Result<ClassificationReport> {
    let cm = confusion_matrix(y_true, y_pred, sample_weight)?;
    let per = scores_from_matrix(&cm, 1.0);
    let total: f64 = per.support.iter().sum();
    let classes = (0..per.labels.len())
        .map(|i| ClassReport {
            label: per.labels[i],
            scores: ReportRow {
                precision: per.precision[i],
                recall: per.recall[i],
                f1: per.f_score[i],
                support: per.support[i],
            },
        })
        .collect();
    let row = |average| -> Result<ReportRow> {
        let s = average_scores(&cm, 1.0, average)?;
        Ok(ReportRow {
            precision: s.precision,
            recall: s.recall,
            f1: s.f_score,
            support: total,
        })
    };
    Ok(ClassificationReport {
        classes,
        // Every class is included, so micro-averaged F1 is the accuracy.
        accuracy: average_scores(&cm, 1.0, Average::Micro)?.f_score,
        macro_avg: row(Average::Macro)?,
        weighted_avg: row(Average::Weighted)?,
    })
}

/// Support as text: an integer when whole (as scikit-learn prints unweighted counts), else with
/// `digits` decimals. scikit-learn prints weighted supports as Python floats (`108.0`, or all 17
/// significant digits, whose last ones depend on summation order and say nothing).
fn support_text(s: f64, digits: usize) -> String {
    if s.fract() == 0.0 && s.abs() < 1e15 {
        // Whole and below 1e15, so the cast is exact.
        format!("{}", s as i64)
    } else {
        format!("{s:.digits$}")
    }
}

/// One line of the text table: name, precision, recall, F1, support.
fn row_text(name: &str, r: &ReportRow, width: usize, digits: usize) -> String {
    format!(
        "{name:>width$}  {:>9.digits$} {:>9.digits$} {:>9.digits$} {:>9}\n",
        r.precision,
        r.recall,
        r.f1,
        support_text(r.support, digits)
    )
}

impl ClassificationReport {
    /// The report as scikit-learn's text table with `digits` decimals: identical text without
    /// sample weights; with weights, supports are printed as integers when whole and with `digits`
    /// decimals otherwise.
    pub fn to_text(&self, digits: usize) -> String {
        let names: Vec<String> = self.classes.iter().map(|c| c.label.to_string()).collect();
        let width = names
            .iter()
            .map(String::len)
            .max()
            .unwrap_or(0)
            .max("weighted avg".len())
            .max(digits);
        let mut out = format!(
            "{:>width$}  {:>9} {:>9} {:>9} {:>9}\n\n",
            "", "precision", "recall", "f1-score", "support"
        );
        for (name, c) in names.iter().zip(&self.classes) {
            out += &row_text(name, &c.scores, width, digits);
        }
        out.push('\n');
        let total = support_text(self.macro_avg.support, digits);
        out += &format!(
            "{:>width$}  {:>9} {:>9} {:>9.digits$} {:>9}\n",
            "accuracy", "", "", self.accuracy, total
        );
        out += &row_text("macro avg", &self.macro_avg, width, digits);
        out += &row_text("weighted avg", &self.weighted_avg, width, digits);
        out
    }
}

impl std::fmt::Display for ClassificationReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_text(2))
    }
}
