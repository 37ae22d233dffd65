//! The multivariate part of a profile: Pearson and Spearman matrices with their reading
//! (non-linear monotonic pairs, multicollinearity by |r| and VIF), class balance of the target,
//! and each feature's association with the target.
//!
//! Everything here runs on the shared row sample (see `accumulate`), optionally thinned to a
//! uniform subsample of `correlation_rows` rows; with the default sizes that is every row of any
//! file up to a million rows.

use std::borrow::Cow;

use kiln_data::{ColumnType, Role};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::accumulate::ColumnAcc;
use super::build::numeric_class_labels;
use super::{
    Association, CategoryCount, ColumnProfile, CorrelatedPair, Correlations, TargetProfile,
    VifEntry, thresholds,
};
use crate::association::{correlation_ratio, cramers_v, crosstab};
use crate::correlation::{CorrelationMethod, correlation_matrix, pearson, spearman};
use crate::hypothesis::Alternative;
use crate::vif::variance_inflation_factors;

/// Slots of the reservoir to use for correlations: `None` for all of them, otherwise a uniform
/// random subset of `limit` slots (a uniform subset of a uniform sample is a uniform sample).
pub(super) fn subsample(len: usize, limit: usize, seed: u64) -> Option<Vec<usize>> {
    if len <= limit {
        return None;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x9E37_79B9_7F4A_7C15);
    let mut idx = rand::seq::index::sample(&mut rng, len, limit).into_vec();
    idx.sort_unstable();
    Some(idx)
}

/// The sample of one column, thinned to the subsample.
fn values<'a>(acc: &'a ColumnAcc, sub: &Option<Vec<usize>>) -> Cow<'a, [f64]> {
    let s = acc.sample().unwrap_or(&[]);
    match sub {
        None => Cow::Borrowed(s),
        Some(idx) => Cow::Owned(idx.iter().map(|&i| s[i]).collect()),
    }
}

fn has_spread(v: &[f64]) -> bool {
    let mut it = v.iter().filter(|x| !x.is_nan());
    match it.next() {
        Some(first) => it.any(|x| x != first),
        None => false,
    }
}

fn is_numeric_kind(t: ColumnType) -> bool {
    t.is_numeric()
}

/// Pearson and Spearman over numeric features and a numeric target.
pub(super) fn correlations(
    columns: &[ColumnProfile],
    accs: &[ColumnAcc],
    sub: &Option<Vec<usize>>,
) -> Option<Correlations> {
    let mut names = Vec::new();
    let mut data = Vec::new();
    let mut is_feature = Vec::new();
    for (c, acc) in columns.iter().zip(accs) {
        if !is_numeric_kind(c.column_type) || !matches!(c.role, Role::Feature | Role::Target) {
            continue;
        }
        let v = values(acc, sub);
        if has_spread(&v) {
            names.push(c.name.clone());
            is_feature.push(c.role == Role::Feature);
            data.push(v);
        }
    }
    if data.len() < 2 {
        return None;
    }
    let refs: Vec<&[f64]> = data.iter().map(|d| d.as_ref()).collect();
    let pearson_m = matrix(&refs, CorrelationMethod::Pearson);
    let spearman_m = matrix(&refs, CorrelationMethod::Spearman);
    let mut nonlinear = Vec::new();
    let mut high = Vec::new();
    for i in 0..names.len() {
        for j in i + 1..names.len() {
            let (Some(p), Some(s)) = (pearson_m[i][j], spearman_m[i][j]) else {
                continue;
            };
            let pair = CorrelatedPair {
                a: names[i].clone(),
                b: names[j].clone(),
                pearson: p,
                spearman: s,
            };
            if s.abs() - p.abs() >= thresholds::NONLINEAR_GAP
                && s.abs() >= thresholds::NONLINEAR_MIN_SPEARMAN
            {
                nonlinear.push(pair.clone());
            }
            if is_feature[i] && is_feature[j] && p.abs() >= thresholds::HIGH_CORRELATION {
                high.push(pair);
            }
        }
    }
    let (vif, vif_note) = vif_entries(&names, &data, &is_feature);
    Some(Correlations {
        columns: names,
        pearson: pearson_m,
        spearman: spearman_m,
        nonlinear,
        high,
        vif,
        vif_note,
    })
}

/// The correlation matrix; if the all-pairs routine rejects a pair (too few complete rows, no
/// spread on the complete rows), each pair is computed on its own and the bad ones are `None`.
fn matrix(columns: &[&[f64]], method: CorrelationMethod) -> Vec<Vec<Option<f64>>> {
    if let Ok(m) = correlation_matrix(columns, method) {
        return m
            .into_iter()
            .map(|row| row.into_iter().map(Some).collect())
            .collect();
    }
    let k = columns.len();
    let mut m = vec![vec![Some(1.0); k]; k];
    for i in 0..k {
        for j in i + 1..k {
            let (a, b): (Vec<f64>, Vec<f64>) = columns[i]
                .iter()
                .zip(columns[j])
                .filter(|(a, b)| !a.is_nan() && !b.is_nan())
                .map(|(a, b)| (*a, *b))
                .unzip();
            let r = match method {
                CorrelationMethod::Pearson => pearson(&a, &b, Alternative::TwoSided),
                CorrelationMethod::Spearman => spearman(&a, &b, Alternative::TwoSided),
            };
            let v = r.ok().map(|c| c.coefficient);
            m[i][j] = v;
            m[j][i] = v;
        }
    }
    m
}

/// VIF of the numeric features on the rows where all of them are present.
fn vif_entries(
    names: &[String],
    data: &[Cow<'_, [f64]>],
    is_feature: &[bool],
) -> (Vec<VifEntry>, Option<String>) {
    let idx: Vec<usize> = (0..names.len()).filter(|&i| is_feature[i]).collect();
    if idx.len() < 2 {
        return (Vec::new(), None);
    }
    let n = data[idx[0]].len();
    let complete: Vec<usize> = (0..n)
        .filter(|&r| idx.iter().all(|&c| !data[c][r].is_nan()))
        .collect();
    let cols: Vec<Vec<f64>> = idx
        .iter()
        .map(|&c| complete.iter().map(|&r| data[c][r]).collect())
        .collect();
    let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
    match variance_inflation_factors(&refs) {
        Ok(v) => (
            idx.iter()
                .zip(v)
                .map(|(&c, vif)| VifEntry {
                    column: names[c].clone(),
                    vif,
                    multicollinear: vif >= thresholds::HIGH_VIF,
                })
                .collect(),
            None,
        ),
        Err(e) => (
            Vec::new(),
            Some(format!(
                "VIF not computed on the {} complete rows: {e}",
                complete.len()
            )),
        ),
    }
}

/// Class codes of the target per sampled row (`None` when missing), and the class labels,
/// when the target is a classification target.
fn target_classes(
    col: &ColumnProfile,
    acc: &ColumnAcc,
    sample: &[f64],
) -> Option<(Vec<Option<u32>>, Vec<CategoryCount>)> {
    match acc {
        ColumnAcc::Categorical(_) => {
            // Codes are category ids of the accumulator; only equality of codes matters here.
            let codes = sample
                .iter()
                .map(|v| (!v.is_nan()).then_some(*v as u32))
                .collect();
            let classes = col.categorical.as_ref()?.frequencies.clone();
            Some((codes, classes))
        }
        ColumnAcc::Numeric(a) => {
            let counts = a.counts.as_ref()?;
            let few = counts.len() as u64 <= thresholds::MAX_INTEGER_CLASSES;
            let class_like = col.column_type == ColumnType::Boolean
                || (col.column_type == ColumnType::Integer && few);
            if !class_like {
                return None;
            }
            let labels = numeric_class_labels(col.column_type, counts);
            let codes = sample
                .iter()
                .map(|v| {
                    if v.is_nan() {
                        None
                    } else {
                        labels.iter().position(|l| l.0 == *v).map(|p| p as u32)
                    }
                })
                .collect();
            let mut classes: Vec<CategoryCount> = labels
                .into_iter()
                .map(|(_, value, count)| CategoryCount { value, count })
                .collect();
            classes.sort_by(|x, y| y.count.cmp(&x.count).then_with(|| x.value.cmp(&y.value)));
            Some((codes, classes))
        }
        ColumnAcc::Datetime(_) => None,
    }
}

/// Balance of the target and the association of each feature with it.
pub(super) fn target_profile(
    columns: &[ColumnProfile],
    accs: &[ColumnAcc],
    t: usize,
    sub: &Option<Vec<usize>>,
) -> TargetProfile {
    let col = &columns[t];
    let target_values = values(&accs[t], sub);
    let classes = target_classes(col, &accs[t], &target_values);
    let mut out = TargetProfile {
        name: col.name.clone(),
        task: if classes.is_some() {
            "classification"
        } else {
            "regression"
        }
        .into(),
        classes: Vec::new(),
        imbalance_ratio: None,
        imbalance_warning: None,
        associations: Vec::new(),
    };
    if let Some((_, cls)) = &classes {
        out.classes = cls.clone();
        if cls.len() >= 2 {
            let (major, minor) = (&cls[0], &cls[cls.len() - 1]);
            let ratio = major.count as f64 / minor.count as f64;
            out.imbalance_ratio = Some(ratio);
            if ratio >= thresholds::IMBALANCE_RATIO {
                let mut w = format!(
                    "imbalanced classes: '{}' has {ratio:.1}× the rows of '{}'; use stratified splits and a metric such as balanced accuracy, F1 or PR-AUC",
                    major.value, minor.value
                );
                if ratio >= thresholds::SEVERE_IMBALANCE_RATIO {
                    w.push_str("; consider class weights or resampling inside the training folds");
                }
                out.imbalance_warning = Some(w);
            }
        }
    }
    for (i, (c, acc)) in columns.iter().zip(accs).enumerate() {
        if i == t || c.role != Role::Feature || c.count == 0 {
            continue;
        }
        let feature_numeric = is_numeric_kind(c.column_type);
        if !feature_numeric
            && (c.distinct > thresholds::MAX_ASSOCIATION_LEVELS || !c.distinct_exact)
        {
            continue;
        }
        if matches!(acc, ColumnAcc::Datetime(_)) {
            continue;
        }
        let x = values(acc, sub);
        let (measure, value) = match (&classes, feature_numeric) {
            (Some((codes, _)), true) => {
                let (v, k) = paired_codes(&x, codes);
                ("correlation_ratio", correlation_ratio(&v, &k).ok())
            }
            (Some((codes, _)), false) => {
                let feature_codes: Vec<Option<u32>> = x
                    .iter()
                    .map(|v| (!v.is_nan()).then_some(*v as u32))
                    .collect();
                let (a, b): (Vec<u32>, Vec<u32>) = feature_codes
                    .iter()
                    .zip(codes)
                    .filter_map(|(a, b)| Some(((*a)?, (*b)?)))
                    .unzip();
                let v = crosstab(&a, &b).and_then(|t| cramers_v(&t, false)).ok();
                ("cramers_v", v)
            }
            (None, true) => {
                let (a, b): (Vec<f64>, Vec<f64>) = x
                    .iter()
                    .zip(target_values.iter())
                    .filter(|(a, b)| !a.is_nan() && !b.is_nan())
                    .map(|(a, b)| (*a, *b))
                    .unzip();
                let v = pearson(&a, &b, Alternative::TwoSided)
                    .ok()
                    .map(|c| c.coefficient);
                ("pearson", v)
            }
            (None, false) => {
                let codes: Vec<Option<u32>> = x
                    .iter()
                    .map(|v| (!v.is_nan()).then_some(*v as u32))
                    .collect();
                let (v, k) = paired_codes(&target_values, &codes);
                ("correlation_ratio", correlation_ratio(&v, &k).ok())
            }
        };
        out.associations.push(super::Association {
            column: c.name.clone(),
            measure: measure.into(),
            value,
        });
    }
    out.associations
        .sort_by(|a: &Association, b: &Association| {
            let key = |x: &Association| x.value.map_or(-1.0, f64::abs);
            key(b)
                .total_cmp(&key(a))
                .then_with(|| a.column.cmp(&b.column))
        });
    out
}

/// Values and codes on the rows where both are present.
fn paired_codes(values: &[f64], codes: &[Option<u32>]) -> (Vec<f64>, Vec<u32>) {
    values
        .iter()
        .zip(codes)
        .filter_map(|(v, c)| (!v.is_nan()).then_some((*v, (*c)?)))
        .unzip()
}
