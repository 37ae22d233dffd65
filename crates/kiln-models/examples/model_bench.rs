//! Kiln side of the model bench workloads (`bench/run.sh gbdt|forest|predict|logistic|svm|knn|kmeans`):
//! reads the data files written by `bench/gen_binary.py` (and its siblings), times one job and
//! prints one JSON object.
//!
//! ```text
//! model_bench gbdt    TRAIN TEST [--rounds 100] [--leaves 255] [--threads 2]
//! model_bench forest  TRAIN TEST [--trees 100] [--threads 2] [--splitter exact|histogram]
//! model_bench predict TRAIN TEST [--rounds 100] [--leaves 31] [--threads 2] [--calls 100000]
//!                                [--fit-rows 200000]
//! model_bench logistic TRAIN TEST [--threads 2] [--max-iter 100] [--tol 1e-4] [--repeat 3]
//! model_bench svm     TRAIN TEST [--threads 2]
//! model_bench knn     TRAIN TEST [--neighbors 5] [--threads 2]
//! model_bench kmeans  DATA       [--k 16] [--threads 2] [--repeat 3]
//! ```
//!
//! - `gbdt`: binary GBDT (learning rate 0.1, `min_data_in_leaf` 20, 255 bins) on TRAIN;
//!   `train_seconds` (binning included), `auc` on TEST.
//! - `forest`: random forest (scikit-learn defaults: sqrt features, bootstrap, unlimited
//!   depth) on TRAIN with the spec's default splitter (`exact`) or `--splitter histogram`;
//!   `fit_seconds`, `accuracy` on TEST, and the `splitter` used.
//! - `predict`: a GBDT fitted on the first `--fit-rows` rows of TRAIN (not timed);
//!   `single_row_median_seconds` = median over `--calls` calls of `predict_proba_row` on one
//!   TEST row (cycling through TEST), `batch_seconds` = best of 3 `predict_proba` over all of
//!   TRAIN (`batch_rows`).
//! - `logistic`: L2 logistic regression (C = 1, L-BFGS, scikit-learn's defaults) on TRAIN (a
//!   `bench/gen_logistic.py` file); `fit_seconds` = best of `--repeat` fits, mean log-loss on
//!   TRAIN and TEST, iterations run and whether the tolerance was met.
//! - `svm`: kernel SVC with scikit-learn's defaults (RBF, `C` 1, `gamma` "scale", tol 1e-3,
//!   200 MiB kernel cache) on TRAIN; `fit_seconds`, `accuracy` on TEST, `n_support`.
//! - `knn`: k-nearest-neighbour classifier (`--neighbors`, Euclidean, uniform, algorithm
//!   auto) fitted on TRAIN and predicting every TEST row; `seconds` = fit + predict,
//!   `accuracy` on TEST.
//! - `kmeans`: k-means (Lloyd, `n_init` 1, `tol` 1e-4, `max_iter` 300) on DATA (a
//!   `bench/gen_blobs.py` file; the label column is ignored) from the first `--k` rows as the
//!   explicit initial centres; `fit_seconds` = best of `--repeat` fits, with `inertia` and
//!   `n_iter` to check that the peer ran the same iterations.
//!
//! Every mode also reports `max_rss_mb`, the process's peak resident memory (`VmHWM`, the same
//! number `getrusage` gives the Python peers), which includes the data as loaded.
//!
//! Run: `cargo run --release -p kiln-models --example model_bench -- gbdt train.bin test.bin`.

use std::fs::File;
use std::io::{BufReader, Read};
use std::time::Instant;

use kiln_models::{
    FittedGbdt, GbdtSpec, KMeansInit, KMeansSpec, KnnClassifierSpec, LogisticRegressionSpec,
    Objective, RandomForestSpec, Splitter, SvcSpec,
};
use ndarray::{Array1, Array2, s};

type Error = Box<dyn std::error::Error + Send + Sync>;

const MAGIC: &[u8; 8] = b"KILNBM01";

/// Reads a `gen_binary.py` file: features (rows × columns-1, row-major) and the last column.
fn read_set(path: &str) -> Result<(Array2<f64>, Array1<f64>), Error> {
    let mut r = BufReader::with_capacity(1 << 20, File::open(path)?);
    let mut header = [0u8; 24];
    r.read_exact(&mut header)?;
    if &header[..8] != MAGIC {
        return Err(format!("{path}: not a bench/gen_binary.py file (bad magic)").into());
    }
    let word = |i: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&header[i..i + 8]);
        u64::from_le_bytes(b) as usize
    };
    let (rows, cols) = (word(8), word(16));
    if cols < 2 {
        return Err(format!("{path}: {cols} columns; need features and a label").into());
    }
    let mut x = Array2::<f64>::zeros((rows, cols - 1));
    let mut y = Array1::<f64>::zeros(rows);
    let mut buf = vec![0u8; cols * 8];
    for i in 0..rows {
        r.read_exact(&mut buf)?;
        for (j, b) in buf.chunks_exact(8).enumerate() {
            let mut w = [0u8; 8];
            w.copy_from_slice(b);
            let v = f64::from_le_bytes(w);
            if j + 1 < cols {
                x[[i, j]] = v;
            } else {
                y[i] = v;
            }
        }
    }
    Ok((x, y))
}

/// Peak resident set size of this process in MiB, from /proc (Linux); None elsewhere.
fn max_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// ROC-AUC with ties between scores counted as half, as in scikit-learn's roc_auc_score.
fn auc(y: &[f64], score: &[f64]) -> f64 {
    let mut idx: Vec<usize> = (0..y.len()).collect();
    idx.sort_by(|&a, &b| score[a].total_cmp(&score[b]));
    let (mut pos, mut rank_sum, mut start) = (0.0, 0.0, 0);
    while start < idx.len() {
        let mut end = start;
        while end < idx.len() && score[idx[end]] == score[idx[start]] {
            end += 1;
        }
        // ranks start+1 ..= end share their mean
        let mean_rank = (start + 1 + end) as f64 / 2.0;
        for &i in &idx[start..end] {
            if y[i] > 0.5 {
                pos += 1.0;
                rank_sum += mean_rank;
            }
        }
        start = end;
    }
    let neg = y.len() as f64 - pos;
    (rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg)
}

struct Options {
    k: usize,
    max_iter: usize,
    tol: f64,
    repeat: usize,
    rounds: usize,
    leaves: usize,
    trees: usize,
    threads: usize,
    calls: usize,
    fit_rows: usize,
    neighbors: usize,
    splitter: Splitter,
}

fn gbdt_spec(o: &Options) -> GbdtSpec {
    GbdtSpec {
        objective: Objective::Binary,
        n_estimators: o.rounds,
        num_leaves: o.leaves,
        learning_rate: 0.1,
        min_data_in_leaf: 20,
        max_bin: 255,
        ..GbdtSpec::default()
    }
}

fn gbdt(train: &str, test: &str, o: &Options) -> Result<String, Error> {
    let (x, y) = read_set(train)?;
    let (xt, yt) = read_set(test)?;
    let t = Instant::now();
    let model = gbdt_spec(o).fit(x.view(), y.view(), None)?;
    let train_seconds = t.elapsed().as_secs_f64();
    let p = model.predict_proba(xt.view())?;
    let a = auc(&yt.to_vec(), &p.column(1).to_vec());
    Ok(format!(
        "{{\"train_seconds\": {train_seconds}, \"auc\": {a}, \"rounds\": {}, \"leaves\": {}, \"max_rss_mb\": {}}}",
        o.rounds,
        o.leaves,
        json_opt(max_rss_mb())
    ))
}

fn forest(train: &str, test: &str, o: &Options) -> Result<String, Error> {
    let (x, y) = read_set(train)?;
    let (xt, yt) = read_set(test)?;
    let spec = RandomForestSpec {
        n_estimators: o.trees,
        splitter: o.splitter,
        ..RandomForestSpec::default()
    };
    let t = Instant::now();
    let model = spec.fit(x.view(), y.view(), None)?;
    let fit_seconds = t.elapsed().as_secs_f64();
    let accuracy = accuracy(&model.predict(xt.view())?, &yt);
    Ok(format!(
        "{{\"fit_seconds\": {fit_seconds}, \"accuracy\": {accuracy}, \"trees\": {}, \"splitter\": \"{}\", \"max_rss_mb\": {}}}",
        o.trees,
        splitter_name(o.splitter),
        json_opt(max_rss_mb())
    ))
}

fn predict(train: &str, test: &str, o: &Options) -> Result<String, Error> {
    let (x, y) = read_set(train)?;
    let (xt, _) = read_set(test)?;
    let head = o.fit_rows.min(x.nrows());
    let model: FittedGbdt = gbdt_spec(o).fit(x.slice(s![..head, ..]), y.slice(s![..head]), None)?;

    // Single rows: the serving path, one call per row, no allocation inside the call.
    let rows: Vec<Vec<f64>> = xt.rows().into_iter().map(|r| r.to_vec()).collect();
    if rows.is_empty() {
        return Err(format!("{test}: no rows").into());
    }
    let mut out = [0.0; 2];
    let mut times = Vec::with_capacity(o.calls);
    let mut checksum = 0.0;
    for c in 0..o.calls {
        let row = &rows[c % rows.len()];
        let t = Instant::now();
        model.predict_proba_row(row, &mut out)?;
        times.push(t.elapsed().as_secs_f64());
        checksum += out[1];
    }
    times.sort_by(f64::total_cmp);
    let single = times.get(times.len() / 2).copied().unwrap_or(f64::NAN);

    // Batch: the whole training file in one call.
    let mut batch = f64::INFINITY;
    for _ in 0..3 {
        let t = Instant::now();
        let p = model.predict_proba(x.view())?;
        batch = batch.min(t.elapsed().as_secs_f64());
        checksum += p[[0, 1]];
    }
    Ok(format!(
        "{{\"single_row_median_seconds\": {single}, \"calls\": {}, \"batch_seconds\": {batch}, \"batch_rows\": {}, \"checksum\": {checksum}, \"max_rss_mb\": {}}}",
        o.calls,
        x.nrows(),
        json_opt(max_rss_mb())
    ))
}

/// Mean log-loss of class-1 probabilities, clipped at machine epsilon like scikit-learn's.
fn log_loss(y: &[f64], p1: &[f64]) -> f64 {
    let eps = f64::EPSILON;
    let total: f64 = y
        .iter()
        .zip(p1)
        .map(|(&t, &p)| {
            let p = p.clamp(eps, 1.0 - eps);
            if t > 0.5 { -p.ln() } else { -(1.0 - p).ln() }
        })
        .sum();
    total / y.len().max(1) as f64
}

fn logistic(train: &str, test: &str, o: &Options) -> Result<String, Error> {
    let (x, y) = read_set(train)?;
    let (xt, yt) = read_set(test)?;
    let spec = LogisticRegressionSpec {
        max_iter: o.max_iter,
        tol: o.tol,
        ..LogisticRegressionSpec::default()
    };
    let mut best = f64::INFINITY;
    let mut model = None;
    for _ in 0..o.repeat.max(1) {
        let t = Instant::now();
        let m = spec.fit(x.view(), y.view(), None)?;
        best = best.min(t.elapsed().as_secs_f64());
        model = Some(m);
    }
    let model = model.ok_or("no fit ran")?;
    let p = model.predict_proba(x.view())?;
    let train_loss = log_loss(&y.to_vec(), &p.column(1).to_vec());
    let pt = model.predict_proba(xt.view())?;
    let test_loss = log_loss(&yt.to_vec(), &pt.column(1).to_vec());
    Ok(format!(
        "{{\"fit_seconds\": {best}, \"train_logloss\": {train_loss}, \"test_logloss\": {test_loss}, \"n_iter\": {}, \"converged\": {}, \"max_rss_mb\": {}}}",
        model.n_iter,
        model.converged,
        json_opt(max_rss_mb())
    ))
}

fn accuracy(pred: &Array1<f64>, truth: &Array1<f64>) -> f64 {
    let correct = pred.iter().zip(truth).filter(|(p, t)| p == t).count();
    correct as f64 / truth.len().max(1) as f64
}

fn svm(train: &str, test: &str) -> Result<String, Error> {
    let (x, y) = read_set(train)?;
    let (xt, yt) = read_set(test)?;
    let t = Instant::now();
    let model = SvcSpec::default().fit(x.view(), y.view(), None)?;
    let fit_seconds = t.elapsed().as_secs_f64();
    let a = accuracy(&model.predict(xt.view())?, &yt);
    Ok(format!(
        "{{\"fit_seconds\": {fit_seconds}, \"accuracy\": {a}, \"n_support\": {}, \"max_rss_mb\": {}}}",
        model.support.len(),
        json_opt(max_rss_mb())
    ))
}

fn knn(train: &str, test: &str, o: &Options) -> Result<String, Error> {
    let (x, y) = read_set(train)?;
    let (xt, yt) = read_set(test)?;
    let spec = KnnClassifierSpec {
        n_neighbors: o.neighbors,
        ..KnnClassifierSpec::default()
    };
    let t = Instant::now();
    let model = spec.fit(x.view(), y.view(), None)?;
    let pred = model.predict(xt.view())?;
    let seconds = t.elapsed().as_secs_f64();
    Ok(format!(
        "{{\"seconds\": {seconds}, \"accuracy\": {}, \"queries\": {}, \"neighbors\": {}, \"max_rss_mb\": {}}}",
        accuracy(&pred, &yt),
        xt.nrows(),
        o.neighbors,
        json_opt(max_rss_mb())
    ))
}

fn kmeans(data: &str, o: &Options) -> Result<String, Error> {
    let (x, _) = read_set(data)?;
    if o.k == 0 || o.k > x.nrows() {
        return Err(format!("--k {} needs 1..={} rows", o.k, x.nrows()).into());
    }
    let init: Vec<Vec<f64>> = (0..o.k).map(|i| x.row(i).to_vec()).collect();
    let spec = KMeansSpec {
        n_clusters: o.k,
        init: KMeansInit::Explicit(init),
        n_init: Some(1),
        max_iter: 300,
        tol: 1e-4,
        ..KMeansSpec::default()
    };
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..o.repeat.max(1) {
        let t = Instant::now();
        let model = spec.fit(x.view())?;
        best = best.min(t.elapsed().as_secs_f64());
        last = Some(model);
    }
    let model = last.ok_or("no fit ran")?;
    Ok(format!(
        "{{\"fit_seconds\": {best}, \"inertia\": {}, \"n_iter\": {}, \"k\": {}, \"rows\": {}, \"max_rss_mb\": {}}}",
        model.inertia,
        model.n_iter,
        o.k,
        x.nrows(),
        json_opt(max_rss_mb())
    ))
}

fn splitter_name(s: Splitter) -> &'static str {
    match s {
        Splitter::Exact => "exact",
        Splitter::Histogram => "histogram",
    }
}

fn json_opt(v: Option<f64>) -> String {
    v.map_or_else(|| "null".to_string(), |v| v.to_string())
}

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: model_bench gbdt|forest|predict|logistic|svm|knn TRAIN TEST [--rounds N] \
                 [--leaves N] [--trees N] [--threads N] [--calls N] [--fit-rows N] [--max-iter N] \
                 [--tol X] [--repeat N] [--neighbors N] [--splitter exact|histogram] | model_bench kmeans DATA [--k N] \
                 [--threads N] [--repeat N]";
    let Some((mode, after)) = args.split_first() else {
        return Err(usage.into());
    };
    let files = if mode == "kmeans" { 1 } else { 2 };
    if after.len() < files || after[..files].iter().any(|f| f.starts_with("--")) {
        return Err(usage.into());
    }
    let (paths, rest) = after.split_at(files);
    let (train, test) = (&paths[0], paths.get(1).unwrap_or(&paths[0]));
    let leaves_default = if mode == "predict" { 31 } else { 255 };
    let mut o = Options {
        k: 16,
        max_iter: 100,
        tol: 1e-4,
        repeat: 3,
        rounds: 100,
        leaves: leaves_default,
        trees: 100,
        threads: 2,
        calls: 100_000,
        fit_rows: 200_000,
        neighbors: 5,
        splitter: RandomForestSpec::default().splitter,
    };
    let mut it = rest.iter();
    while let Some(flag) = it.next() {
        let raw = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        if flag == "--tol" {
            o.tol = raw.parse()?;
            continue;
        }
        if flag == "--splitter" {
            o.splitter = match raw.as_str() {
                "exact" => Splitter::Exact,
                "histogram" => Splitter::Histogram,
                _ => {
                    return Err(
                        format!("--splitter: expected exact or histogram, got '{raw}'").into(),
                    );
                }
            };
            continue;
        }
        let value: usize = raw.parse()?;
        match flag.as_str() {
            "--max-iter" => o.max_iter = value,
            "--repeat" => o.repeat = value,
            "--rounds" => o.rounds = value,
            "--leaves" => o.leaves = value,
            "--trees" => o.trees = value,
            "--threads" => o.threads = value,
            "--calls" => o.calls = value,
            "--fit-rows" => o.fit_rows = value,
            "--neighbors" => o.neighbors = value,
            "--k" => o.k = value,
            _ => return Err(format!("unknown option '{flag}'; {usage}").into()),
        }
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(o.threads)
        .build()?;
    let json = pool.install(|| match mode.as_str() {
        "gbdt" => gbdt(train, test, &o),
        "forest" => forest(train, test, &o),
        "predict" => predict(train, test, &o),
        "logistic" => logistic(train, test, &o),
        "svm" => svm(train, test),
        "knn" => knn(train, test, &o),
        "kmeans" => kmeans(train, &o),
        _ => Err(format!("unknown mode '{mode}'; {usage}").into()),
    })?;
    println!("{json}");
    Ok(())
}
