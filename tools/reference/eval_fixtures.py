"""Reference values for kiln-eval's metrics from scikit-learn -> tests/fixtures/eval/.

Writes four JSON files, each a list of cases with the inputs and what scikit-learn returns:

  classification.json  labels: accuracy, balanced accuracy, MCC, confusion matrix,
                       precision/recall/F1/F-beta (binary, micro, macro, weighted), report dict
  binary_scores.json   binary targets and scores: ROC-AUC, ROC curve, precision-recall curve,
                       average precision, log-loss, Brier score, calibration curves
  multiclass_proba.json  class codes and probability rows: one-vs-rest ROC-AUC, log-loss, Brier
  regression.json      MSE, RMSE, MAE, R2, explained variance, MAPE, median AE, max error

Cases cover random sizes, tied scores, sample weights (including zero weights), imbalanced
classes, perfect and worst predictions and multiclass inputs. The generator is seeded, so the
files are reproducible from the pinned requirements. Non-finite floats are written as the strings
"inf", "-inf" and "nan" (JSON has no literal for them). Any warning other than the documented
zero-division / undefined-metric ones aborts the script.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
from sklearn import metrics
from sklearn.calibration import calibration_curve
from sklearn.exceptions import UndefinedMetricWarning

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "tests" / "fixtures" / "eval"
RNG = np.random.default_rng(20240611)


def enc(x):
    """Convert numpy values to JSON-ready Python values; non-finite floats become strings."""
    if isinstance(x, dict):
        return {str(k): enc(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, np.ndarray)):
        return [enc(v) for v in list(x)]
    if isinstance(x, (np.integer, int)) and not isinstance(x, bool):
        return int(x)
    if isinstance(x, (np.floating, float)):
        x = float(x)
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return x
    return x


def weights_for(n: int, kind: str):
    if kind == "none":
        return None
    if kind == "uniform":
        return RNG.uniform(0.1, 3.0, n)
    if kind == "with_zeros":
        w = RNG.uniform(0.1, 3.0, n)
        w[RNG.random(n) < 0.2] = 0.0
        w[0] = 1.0
        return w
    if kind == "ones":
        return np.ones(n)
    if kind == "integer":
        return RNG.integers(1, 5, n).astype(float)
    raise ValueError(kind)


WEIGHT_KINDS = ["none", "uniform", "with_zeros", "integer"]


# ----------------------------------------------------------------------------- classification
def label_cases():
    cases = []
    for i in range(28):
        k = [2, 2, 3, 4, 5, 2, 3][i % 7]
        n = int(RNG.integers(5, 300))
        probs = RNG.dirichlet(np.ones(k) * (0.5 if i % 3 == 0 else 3.0))  # imbalanced sometimes
        y_true = RNG.choice(k, n, p=probs).astype(float)
        noise = RNG.random(n) < RNG.uniform(0.1, 0.7)
        y_pred = np.where(noise, RNG.integers(0, k, n), y_true).astype(float)
        cases.append((f"random_{i}_k{k}", y_true, y_pred, WEIGHT_KINDS[i % 4]))
    y = RNG.integers(0, 3, 40).astype(float)
    cases.append(("perfect_multiclass", y, y.copy(), "none"))
    yb = RNG.integers(0, 2, 30).astype(float)
    cases.append(("worst_binary", yb, 1.0 - yb, "uniform"))
    cases.append(("single_class_both", np.zeros(7), np.zeros(7), "none"))
    cases.append(("single_class_true_only_1", np.ones(6), np.array([1, 0, 1, 1, 0, 1.0]), "none"))
    cases.append(("pred_has_unseen_class", np.array([0, 1, 0, 1, 0, 1.0]),
                  np.array([0, 2, 2, 1, 0, 1.0]), "none"))
    cases.append(("gap_in_codes", np.array([0, 3, 3, 5, 0, 5, 5.0]),
                  np.array([0, 3, 5, 5, 3, 5, 0.0]), "integer"))
    cases.append(("all_wrong_multiclass", np.array([0, 1, 2, 0, 1, 2.0]),
                  np.array([1, 2, 0, 2, 0, 1.0]), "none"))
    return cases


def classification():
    out = []
    for name, y_true, y_pred, wkind in label_cases():
        w = weights_for(len(y_true), wkind)
        labels = np.union1d(y_true, y_pred)
        exp = {
            "accuracy": metrics.accuracy_score(y_true, y_pred, sample_weight=w),
            "balanced_accuracy": metrics.balanced_accuracy_score(y_true, y_pred, sample_weight=w),
            "mcc": metrics.matthews_corrcoef(y_true, y_pred, sample_weight=w),
            "confusion_labels": labels.astype(int),
            "confusion": metrics.confusion_matrix(y_true, y_pred, sample_weight=w).astype(float),
        }
        averages = ["micro", "macro", "weighted"]
        if len(labels) <= 2:
            averages.append("binary")
        for avg in averages:
            for beta in (1.0, 0.5, 2.0):
                p, r, f, _ = metrics.precision_recall_fscore_support(
                    y_true, y_pred, beta=beta, average=avg, sample_weight=w, pos_label=1
                )
                exp[f"{avg}_beta{beta}"] = {"precision": p, "recall": r, "f_score": f}
        p, r, f, s = metrics.precision_recall_fscore_support(y_true, y_pred, sample_weight=w)
        exp["per_class"] = {"precision": p, "recall": r, "f_score": f, "support": s}
        exp["report"] = metrics.classification_report(
            y_true, y_pred, sample_weight=w, output_dict=True
        )
        exp["report_text"] = metrics.classification_report(
            y_true, y_pred, sample_weight=w, target_names=[str(int(c)) for c in labels]
        )
        out.append({"name": name, "y_true": y_true, "y_pred": y_pred, "sample_weight": w,
                    "expected": exp})
    return out


# ----------------------------------------------------------------------------- binary scores
def score_cases():
    cases = []
    for i in range(30):
        n = int(RNG.integers(4, 400))
        pos_rate = [0.5, 0.1, 0.3, 0.02, 0.8][i % 5]
        y = (RNG.random(n) < pos_rate).astype(float)
        y[0], y[-1] = 0.0, 1.0  # both classes present
        signal = RNG.uniform(0.0, 2.5)
        s = 1 / (1 + np.exp(-(signal * (2 * y - 1) + RNG.normal(0, 1, n))))
        if i % 3 == 1:
            s = np.round(s, 1)  # many ties
        if i % 6 == 2:
            s = np.round(s * 4) / 4  # heavy ties, scores hitting 0 and 1
        cases.append((f"random_{i}", y, s, WEIGHT_KINDS[i % 4]))
    y = np.array([0, 0, 1, 1, 0, 1, 0, 1.0])
    cases.append(("perfect", y, np.where(y == 1, 0.9, 0.1), "none"))
    cases.append(("worst", y, np.where(y == 1, 0.0, 1.0), "uniform"))
    cases.append(("all_tied", y, np.full(8, 0.5), "none"))
    cases.append(("sklearn_doc", np.array([0, 0, 1, 1.0]), np.array([0.1, 0.4, 0.35, 0.8]), "none"))
    cases.append(("single_class", np.ones(5), np.array([0.1, 0.5, 0.5, 0.9, 0.3]), "none"))
    return cases


def binary_scores():
    out = []
    for name, y, s, wkind in score_cases():
        w = weights_for(len(y), wkind)
        exp = {}
        two_classes = len(np.unique(y)) == 2
        if two_classes:
            exp["roc_auc"] = metrics.roc_auc_score(y, s, sample_weight=w)
            for drop in (True, False):
                fpr, tpr, thr = metrics.roc_curve(y, s, sample_weight=w, drop_intermediate=drop)
                exp[f"roc_curve_drop_{drop}"] = {"fpr": fpr, "tpr": tpr, "thresholds": thr}
        else:
            exp["roc_auc_error"] = True
        for drop in (False, True):
            p, r, t = metrics.precision_recall_curve(y, s, sample_weight=w,
                                                     drop_intermediate=drop)
            exp[f"pr_curve_drop_{drop}"] = {"precision": p, "recall": r, "thresholds": t}
        exp["average_precision"] = metrics.average_precision_score(y, s, sample_weight=w)
        exp["log_loss"] = metrics.log_loss(y, s, sample_weight=w, labels=[0, 1])
        exp["brier"] = metrics.brier_score_loss(y, s, sample_weight=w, pos_label=1)
        for strategy in ("uniform", "quantile"):
            for n_bins in (5, 10):
                pt, pp = calibration_curve(y, s, n_bins=n_bins, strategy=strategy, pos_label=1)
                exp[f"calibration_{strategy}_{n_bins}"] = {"prob_true": pt, "prob_pred": pp}
        out.append({"name": name, "y_true": y, "y_score": s, "sample_weight": w,
                    "expected": exp})
    return out


# ----------------------------------------------------------------------------- multiclass proba
def multiclass_proba():
    out = []
    for i in range(24):
        k = [3, 4, 5, 2, 6][i % 5]
        n = int(RNG.integers(k + 2, 300))
        y = RNG.choice(k, n, p=RNG.dirichlet(np.ones(k) * 2.0))
        y[:k] = np.arange(k)  # every class present
        logits = RNG.normal(0, 1, (n, k))
        logits[np.arange(n), y] += RNG.uniform(0, 3)
        if i % 4 == 3:
            logits = np.round(logits)  # ties
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        if i == 7:
            p = np.eye(k)[y]  # perfect, probabilities exactly 0 and 1
        if i == 8:
            p = np.eye(k)[(y + 1) % k]  # worst
        y = y.astype(float)
        w = weights_for(n, WEIGHT_KINDS[i % 4])
        exp = {
            "log_loss": metrics.log_loss(y, p, sample_weight=w, labels=list(range(k))),
            "brier": metrics.brier_score_loss(y, p, sample_weight=w, labels=list(range(k))),
        }
        for avg in ("macro", "weighted"):
            score = p[:, 1] if k == 2 else p
            exp[f"roc_auc_ovr_{avg}"] = metrics.roc_auc_score(
                y, score, multi_class="ovr", average=avg, sample_weight=w
            )
        out.append({"name": f"random_{i}_k{k}", "y_true": y, "y_proba": p.ravel(),
                    "n_classes": k, "sample_weight": w, "expected": exp})
    return out


# ----------------------------------------------------------------------------- regression
def regression():
    out = []
    for i in range(26):
        n = int(RNG.integers(2, 500))
        scale = [1.0, 100.0, 0.01, 10.0][i % 4]
        y = RNG.normal(0, scale, n)
        if i % 5 == 2:
            y = np.round(y)  # ties and zero targets (MAPE eps path)
        yhat = y + RNG.normal(0, scale * RNG.uniform(0.05, 1.5), n)
        if i % 7 == 3:
            yhat = np.round(yhat)
        out.append((f"random_{i}", y, yhat, WEIGHT_KINDS[i % 4]))
    y = RNG.normal(5, 2, 30)
    out.append(("perfect", y, y.copy(), "none"))
    out.append(("constant_target_perfect", np.full(6, 3.0), np.full(6, 3.0), "uniform"))
    out.append(("constant_target_wrong", np.full(6, 3.0), np.arange(6.0), "none"))
    out.append(("zeros_in_target", np.array([0.0, 1.0, 0.0, 2.0]), np.array([0.5, 1.0, 0.0, 1.0]),
                "none"))
    out.append(("even_median_weighted", np.array([1.0, 2.0, 3.0, 4.0]), np.zeros(4),
                "integer"))
    # Unit weights put the cumulative weight exactly on the half: the two middle errors average.
    out.append(("even_median_unit_weights", np.array([1.0, 2.0, 3.0, 4.0]), np.zeros(4), "ones"))
    cases = []
    for name, y, yhat, wkind in out:
        w = weights_for(len(y), wkind)
        exp = {
            "mse": metrics.mean_squared_error(y, yhat, sample_weight=w),
            "rmse": metrics.root_mean_squared_error(y, yhat, sample_weight=w),
            "mae": metrics.mean_absolute_error(y, yhat, sample_weight=w),
            "r2": metrics.r2_score(y, yhat, sample_weight=w),
            "explained_variance": metrics.explained_variance_score(y, yhat, sample_weight=w),
            "mape": metrics.mean_absolute_percentage_error(y, yhat, sample_weight=w),
            "median_absolute_error": metrics.median_absolute_error(y, yhat, sample_weight=w),
            "max_error": metrics.max_error(y, yhat),
        }
        cases.append({"name": name, "y_true": y, "y_pred": yhat, "sample_weight": w,
                      "expected": exp})
    return cases


def main() -> None:
    warnings.simplefilter("error")
    warnings.simplefilter("ignore", UndefinedMetricWarning)  # zero division -> 0.0, documented
    # Classes only predicted are skipped by balanced accuracy; kiln documents the same.
    warnings.filterwarnings("ignore", "y_pred contains classes not in y_true")
    # Binary cases without positives: recall is 1 and average precision 0, documented in kiln.
    warnings.filterwarnings("ignore", "No positive class found in y_true")
    # The one-class case is deliberate: the matrix is 1x1 over the classes present, as in kiln.
    warnings.filterwarnings("ignore", "A single label was found in 'y_true' and 'y_pred'")
    OUT.mkdir(parents=True, exist_ok=True)
    for fname, build in [
        ("classification.json", classification),
        ("binary_scores.json", binary_scores),
        ("multiclass_proba.json", multiclass_proba),
        ("regression.json", regression),
    ]:
        data = enc(build())
        (OUT / fname).write_text(json.dumps(data, indent=None, separators=(",", ":")) + "\n")
        print(f"wrote {fname}: {len(data)} cases")


if __name__ == "__main__":
    main()
