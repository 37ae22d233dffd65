//! The prediction and feedback logs: every scored row and every label that comes back, appended
//! to Parquet files under `<project>/.kiln/logs/{predictions,feedback}/` for the monitor.
//!
//! Requests never wait for the disk. A handler hands its batch (the request frame, shared, and
//! the predictions) to a bounded channel with `try_send`; a background thread renders the rows,
//! buffers them and writes a new file when the buffer reaches `rotate_rows` rows or its oldest
//! row is `rotate_interval` old (Parquet files cannot be appended to, so each rotation is one
//! file written with kiln-data's Parquet writer). When the channel is full the batch is dropped
//! and its rows are counted in `/metrics`, so a slow disk costs log completeness, not latency.
//! Feedback is small and is never dropped silently: a full channel is an error to the client.
//!
//! [`join_feedback`] reads both logs back and attaches each label to the prediction it answers,
//! by request id and row.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, TimestampMicrosecondType};
use arrow_array::{
    Array, ArrayRef, Float64Array, Int64Array, StringArray, TimestampMicrosecondArray,
};
use kiln_data::parquet_io::{ParquetWriteOptions, read_parquet, write_parquet};
use kiln_data::{ColumnType, DataError, Field, Frame, Schema};
use kiln_eval::Predictions;

use crate::error::{Result, ServeError};
use crate::metrics::Metrics;

/// Where and how often the logs are written.
#[derive(Debug, Clone, PartialEq)]
pub struct LogConfig {
    /// The logs directory (`<project>/.kiln/logs`); files go to `predictions/` and `feedback/`.
    pub dir: PathBuf,
    /// Most rows per file.
    pub rotate_rows: usize,
    /// Longest time a row waits in memory before its file is written.
    pub rotate_interval: Duration,
    /// Batches the channel holds before new ones are dropped.
    pub channel_capacity: usize,
}

impl LogConfig {
    /// Defaults for a logs directory: 100,000 rows or 60 s per file, 4,096 batches in flight.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        LogConfig {
            dir: dir.into(),
            rotate_rows: 100_000,
            rotate_interval: Duration::from_secs(60),
            channel_capacity: 4096,
        }
    }

    /// Validates the settings.
    pub fn check(&self) -> Result<()> {
        if self.rotate_rows == 0 {
            return Err(ServeError::config("log rotate_rows", "must be at least 1"));
        }
        if self.rotate_interval.is_zero() {
            return Err(ServeError::config(
                "log rotate_interval",
                "must be positive",
            ));
        }
        if self.channel_capacity == 0 {
            return Err(ServeError::config(
                "log channel_capacity",
                "must be at least 1",
            ));
        }
        Ok(())
    }

    /// The predictions directory.
    pub fn predictions_dir(&self) -> PathBuf {
        self.dir.join("predictions")
    }

    /// The feedback directory.
    pub fn feedback_dir(&self) -> PathBuf {
        self.dir.join("feedback")
    }
}

/// One scored request on its way to the log.
#[derive(Debug)]
pub struct ScoredBatch {
    /// The request id (also returned to the client).
    pub request_id: String,
    /// When it was scored, microseconds since the epoch.
    pub timestamp: i64,
    /// Model name.
    pub model: String,
    /// Model version.
    pub version: u32,
    /// The request rows as the model read them (shares the request's buffers).
    pub inputs: Frame,
    /// What the model answered.
    pub predictions: Arc<Predictions>,
}

/// One label sent back for a scored row.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackRecord {
    /// The request the label answers.
    pub request_id: String,
    /// The row within that request (0 for single-row requests).
    pub row: i64,
    /// The model the feedback was posted to.
    pub model: String,
    /// The true label or value, as text.
    pub label: String,
    /// When it arrived, microseconds since the epoch.
    pub timestamp: i64,
}

enum Entry {
    Scored(ScoredBatch),
    Feedback(Vec<FeedbackRecord>),
    Shutdown,
}

/// The handle requests use to log; the writer thread runs until [`PredictionLog::shutdown`].
#[derive(Debug)]
pub struct PredictionLog {
    sender: SyncSender<Entry>,
    thread: Mutex<Option<JoinHandle<()>>>,
    metrics: Arc<Metrics>,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Entry::Scored(_) => "Scored",
            Entry::Feedback(_) => "Feedback",
            Entry::Shutdown => "Shutdown",
        })
    }
}

/// Microseconds since the epoch, now.
pub fn now_micros() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

impl PredictionLog {
    /// Creates the directories and starts the writer thread.
    pub fn start(config: LogConfig, metrics: Arc<Metrics>) -> Result<PredictionLog> {
        config.check()?;
        for dir in [config.predictions_dir(), config.feedback_dir()] {
            std::fs::create_dir_all(&dir)
                .map_err(|e| ServeError::io(format!("creating {}", dir.display()), e))?;
        }
        let (sender, receiver) = sync_channel(config.channel_capacity);
        let writer_metrics = metrics.clone();
        let thread = std::thread::Builder::new()
            .name("kiln-serve-log".into())
            .spawn(move || Writer::new(config, writer_metrics).run(receiver))
            .map_err(|e| ServeError::io("starting the log writer", e))?;
        Ok(PredictionLog {
            sender,
            thread: Mutex::new(Some(thread)),
            metrics,
        })
    }

    /// Queues a scored batch; drops it (and counts its rows) when the writer is behind.
    pub fn scored(&self, batch: ScoredBatch) {
        let rows = batch.inputs.n_rows();
        match self.sender.try_send(Entry::Scored(batch)) {
            Ok(()) => {}
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.metrics.log_dropped(rows);
            }
        }
    }

    /// Queues feedback; `false` when the writer is behind (the client should retry).
    pub fn feedback(&self, records: Vec<FeedbackRecord>) -> bool {
        self.sender.try_send(Entry::Feedback(records)).is_ok()
    }

    /// Writes everything queued so far and stops the writer. Blocks until the files are
    /// written; later batches are dropped.
    pub fn shutdown(&self) {
        let thread = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(thread) = thread {
            // A send error means the writer already stopped; joining is all that is left.
            let _ = self.sender.send(Entry::Shutdown);
            if thread.join().is_err() {
                tracing::error!("the prediction log writer panicked");
            }
        }
    }
}

/// Buffered prediction rows, column by column.
#[derive(Default)]
struct PredictionRows {
    request_id: Vec<String>,
    row: Vec<i64>,
    timestamp: Vec<i64>,
    model: Vec<String>,
    version: Vec<i64>,
    inputs: Vec<String>,
    prediction: Vec<f64>,
    label: Vec<Option<String>>,
    probabilities: Vec<Option<String>>,
}

impl PredictionRows {
    fn push(&mut self, b: &ScoredBatch) {
        let p = &b.predictions;
        for r in 0..b.inputs.n_rows() {
            self.request_id.push(b.request_id.clone());
            self.row.push(r as i64);
            self.timestamp.push(b.timestamp);
            self.model.push(b.model.clone());
            self.version.push(b.version as i64);
            let object = kiln_data::ndjson::row_object(&b.inputs, r);
            self.inputs
                .push(serde_json::Value::Object(object).to_string());
            self.prediction
                .push(p.values.get(r).copied().unwrap_or(f64::NAN));
            self.label
                .push(p.labels.as_ref().and_then(|l| l.get(r).cloned()));
            self.probabilities
                .push(p.probabilities.as_ref().and_then(|pr| {
                    (r < pr.nrows()).then(|| {
                        let row: Vec<f64> = pr.row(r).to_vec();
                        serde_json::to_string(&row).unwrap_or_default()
                    })
                }));
        }
    }

    fn len(&self) -> usize {
        self.row.len()
    }

    fn take_frame(&mut self) -> kiln_data::Result<Frame> {
        let rows = std::mem::take(self);
        let columns: Vec<(Field, ArrayRef)> = vec![
            text_column("request_id", rows.request_id.into_iter().map(Some)),
            (
                Field::new("row", ColumnType::Integer),
                Arc::new(Int64Array::from(rows.row)),
            ),
            (
                Field::new("timestamp", ColumnType::Datetime),
                Arc::new(TimestampMicrosecondArray::from(rows.timestamp)),
            ),
            text_column("model", rows.model.into_iter().map(Some)),
            (
                Field::new("version", ColumnType::Integer),
                Arc::new(Int64Array::from(rows.version)),
            ),
            text_column("inputs", rows.inputs.into_iter().map(Some)),
            (
                Field::new("prediction", ColumnType::Numeric),
                Arc::new(Float64Array::from(rows.prediction)),
            ),
            text_column("label", rows.label.into_iter()),
            text_column("probabilities", rows.probabilities.into_iter()),
        ];
        frame_of(columns)
    }
}

/// Buffered feedback rows.
#[derive(Default)]
struct FeedbackRows {
    records: Vec<FeedbackRecord>,
}

impl FeedbackRows {
    fn take_frame(&mut self) -> kiln_data::Result<Frame> {
        let records = std::mem::take(&mut self.records);
        let columns = vec![
            text_column(
                "request_id",
                records.iter().map(|r| Some(r.request_id.clone())),
            ),
            (
                Field::new("row", ColumnType::Integer),
                Arc::new(Int64Array::from_iter_values(records.iter().map(|r| r.row))),
            ),
            (
                Field::new("timestamp", ColumnType::Datetime),
                Arc::new(TimestampMicrosecondArray::from_iter_values(
                    records.iter().map(|r| r.timestamp),
                )),
            ),
            text_column("model", records.iter().map(|r| Some(r.model.clone()))),
            text_column("label", records.iter().map(|r| Some(r.label.clone()))),
        ];
        frame_of(columns)
    }
}

/// A text column; strings are stored as text, not categorical, so files concatenate without
/// merging dictionaries (Parquet dictionary-encodes them on disk anyway).
fn text_column(name: &str, values: impl Iterator<Item = Option<String>>) -> (Field, ArrayRef) {
    (
        Field::new(name, ColumnType::Text),
        Arc::new(values.collect::<StringArray>()),
    )
}

fn frame_of(columns: Vec<(Field, ArrayRef)>) -> kiln_data::Result<Frame> {
    let (fields, arrays): (Vec<Field>, Vec<ArrayRef>) = columns.into_iter().unzip();
    Frame::new(Schema::new(fields)?, arrays)
}

struct Writer {
    config: LogConfig,
    metrics: Arc<Metrics>,
    predictions: PredictionRows,
    predictions_since: Option<Instant>,
    feedback: FeedbackRows,
    feedback_since: Option<Instant>,
}

/// Files written by this process, so two rotations within one second get distinct names.
static FILE_SEQ: AtomicU64 = AtomicU64::new(0);

impl Writer {
    fn new(config: LogConfig, metrics: Arc<Metrics>) -> Self {
        Writer {
            config,
            metrics,
            predictions: PredictionRows::default(),
            predictions_since: None,
            feedback: FeedbackRows::default(),
            feedback_since: None,
        }
    }

    fn run(mut self, receiver: Receiver<Entry>) {
        loop {
            let oldest = [self.predictions_since, self.feedback_since]
                .into_iter()
                .flatten()
                .min();
            let wait = oldest.map_or(self.config.rotate_interval, |t| {
                self.config.rotate_interval.saturating_sub(t.elapsed())
            });
            match receiver.recv_timeout(wait) {
                Ok(Entry::Scored(batch)) => {
                    self.predictions.push(&batch);
                    self.predictions_since.get_or_insert_with(Instant::now);
                    if self.predictions.len() >= self.config.rotate_rows {
                        self.flush_predictions();
                    }
                }
                Ok(Entry::Feedback(records)) => {
                    self.feedback.records.extend(records);
                    self.feedback_since.get_or_insert_with(Instant::now);
                    if self.feedback.records.len() >= self.config.rotate_rows {
                        self.flush_feedback();
                    }
                }
                Ok(Entry::Shutdown) | Err(RecvTimeoutError::Disconnected) => {
                    // Batches already queued were accepted: write them before stopping.
                    while let Ok(entry) = receiver.try_recv() {
                        match entry {
                            Entry::Scored(batch) => self.predictions.push(&batch),
                            Entry::Feedback(records) => self.feedback.records.extend(records),
                            Entry::Shutdown => {}
                        }
                    }
                    self.flush_predictions();
                    self.flush_feedback();
                    return;
                }
                Err(RecvTimeoutError::Timeout) => {}
            }
            let interval = self.config.rotate_interval;
            let due = |since: Option<Instant>| since.is_some_and(|t| t.elapsed() >= interval);
            if due(self.predictions_since) {
                self.flush_predictions();
            }
            if due(self.feedback_since) {
                self.flush_feedback();
            }
        }
    }

    fn flush_predictions(&mut self) {
        self.predictions_since = None;
        if self.predictions.len() == 0 {
            return;
        }
        let frame = self.predictions.take_frame();
        self.write(frame, self.config.predictions_dir(), "predictions");
    }

    fn flush_feedback(&mut self) {
        self.feedback_since = None;
        if self.feedback.records.is_empty() {
            return;
        }
        let frame = self.feedback.take_frame();
        self.write(frame, self.config.feedback_dir(), "feedback");
    }

    fn write(&self, frame: kiln_data::Result<Frame>, dir: PathBuf, prefix: &str) {
        let seq = FILE_SEQ.fetch_add(1, Ordering::Relaxed);
        let stamp = kiln_data::datetime::format_micros(now_micros())
            .replace(['-', ':'], "")
            .replace('.', "_");
        let path = dir.join(format!(
            "{prefix}-{stamp}-{}-{seq:06}.parquet",
            std::process::id()
        ));
        let result = frame.and_then(|f| write_parquet(&f, &path, &ParquetWriteOptions::default()));
        match result {
            Ok(()) => tracing::debug!(path = %path.display(), "log file written"),
            Err(e) => {
                self.metrics.log_write_failure();
                tracing::error!(path = %path.display(), error = %e, "log file not written");
            }
        }
    }
}

/// The `.parquet` files of a directory, oldest name first.
fn parquet_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(ServeError::io(format!("reading {}", dir.display()), e)),
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "parquet"))
        .collect();
    files.sort();
    Ok(files)
}

/// Every file of one log directory, stacked.
pub fn read_log(dir: &Path) -> Result<Frame> {
    let frames = parquet_files(dir)?
        .iter()
        .map(|p| read_parquet(p, None))
        .collect::<kiln_data::Result<Vec<_>>>()?;
    Ok(Frame::concat(&frames)?)
}

/// The prediction log of `logs_dir` with each row's feedback attached: two more columns,
/// `feedback_label` (text) and `feedback_at` (datetime), missing where no label came back.
/// When a row got several labels the latest one wins.
pub fn join_feedback(logs_dir: &Path) -> Result<Frame> {
    let config = LogConfig::new(logs_dir);
    let predictions = read_log(&config.predictions_dir())?;
    if predictions.n_rows() == 0 {
        return Err(ServeError::Data(DataError::invalid(
            "prediction log",
            format!(
                "no prediction files under {}",
                config.predictions_dir().display()
            ),
        )));
    }
    let feedback = read_log(&config.feedback_dir())?;
    let mut labels: HashMap<(String, i64), (i64, String)> = HashMap::new();
    if feedback.n_rows() > 0 {
        let ids = feedback.column("request_id")?.as_string::<i32>();
        let rows = feedback.column("row")?.as_primitive::<Int64Type>();
        let times = feedback
            .column("timestamp")?
            .as_primitive::<TimestampMicrosecondType>();
        let values = feedback.column("label")?.as_string::<i32>();
        for i in 0..feedback.n_rows() {
            let key = (ids.value(i).to_string(), rows.value(i));
            let entry = (times.value(i), values.value(i).to_string());
            match labels.get(&key) {
                Some((t, _)) if *t > entry.0 => {}
                _ => {
                    labels.insert(key, entry);
                }
            }
        }
    }
    let ids = predictions.column("request_id")?.as_string::<i32>();
    let rows = predictions.column("row")?.as_primitive::<Int64Type>();
    let (mut label, mut at): (Vec<Option<String>>, Vec<Option<i64>>) = (Vec::new(), Vec::new());
    for i in 0..predictions.n_rows() {
        let found = (!ids.is_null(i))
            .then(|| labels.get(&(ids.value(i).to_string(), rows.value(i))))
            .flatten();
        label.push(found.map(|(_, l)| l.clone()));
        at.push(found.map(|(t, _)| *t));
    }
    let mut fields = predictions.schema().fields.clone();
    let mut columns = predictions.columns().to_vec();
    fields.push(Field::new("feedback_label", ColumnType::Text));
    columns.push(Arc::new(label.into_iter().collect::<StringArray>()));
    fields.push(Field::new("feedback_at", ColumnType::Datetime));
    columns.push(Arc::new(TimestampMicrosecondArray::from(at)));
    Ok(Frame::new(Schema::new(fields)?, columns)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Float64Array;
    use kiln_eval::Predictions;

    fn batch(i: usize) -> ScoredBatch {
        let schema = Schema::new(vec![Field::new("x", ColumnType::Numeric)]).unwrap();
        let inputs = Frame::new(
            schema,
            vec![Arc::new(Float64Array::from(vec![i as f64, 0.5, 1.5])) as ArrayRef],
        )
        .unwrap();
        ScoredBatch {
            request_id: format!("r{i}"),
            timestamp: now_micros(),
            model: "m".into(),
            version: 1,
            inputs,
            predictions: Arc::new(Predictions {
                values: vec![1.0, 2.0, 3.0],
                labels: None,
                probabilities: None,
            }),
        }
    }

    #[test]
    fn a_full_channel_drops_and_counts_rows_instead_of_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = LogConfig::new(dir.path());
        config.channel_capacity = 1;
        config.rotate_rows = 50;
        let metrics = Arc::new(Metrics::default());
        let log = PredictionLog::start(config.clone(), metrics.clone()).unwrap();
        let sent = 2_000;
        for i in 0..sent {
            log.scored(batch(i));
        }
        log.shutdown();
        let written = read_log(&config.predictions_dir()).unwrap().n_rows() as u64;
        // Exact: every row is either in a file or counted as dropped, never both or neither.
        assert_eq!(written + metrics.log_dropped_rows(), 3 * sent as u64);
        // After shutdown nothing is accepted, and that is counted too.
        log.scored(batch(0));
        assert_eq!(written + metrics.log_dropped_rows(), 3 * sent as u64 + 3);
    }

    #[test]
    fn log_settings_are_checked() {
        let mut c = LogConfig::new("x");
        c.rotate_rows = 0;
        assert!(c.check().unwrap_err().to_string().contains("rotate_rows"));
        let mut c = LogConfig::new("x");
        c.rotate_interval = Duration::ZERO;
        assert!(
            c.check()
                .unwrap_err()
                .to_string()
                .contains("rotate_interval")
        );
        let mut c = LogConfig::new("x");
        c.channel_capacity = 0;
        assert!(
            c.check()
                .unwrap_err()
                .to_string()
                .contains("channel_capacity")
        );
    }
}
