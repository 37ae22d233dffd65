//! Batch scoring: a file in, a file of predictions out, through the same
//! `FittedModelPipeline::predict` the server and the evaluation use.
//!
//! Input columns are read with the types the model was trained on (a zip code stays a
//! category even if a small file looks numeric); a missing required column is an error naming
//! every absent column, extra columns are ignored and reported. CSV input is streamed in
//! chunks, so a file larger than memory can be scored; the output holds the optional id columns,
//! `prediction` and, for classifiers, one `proba_<class>` column per class.

use std::path::Path;

use kiln_data::csv::{CsvChunks, CsvOptions};
use kiln_data::io::{Format, read_any, write_any};
use kiln_data::parquet_io::ParquetWriteOptions;
use kiln_data::{Frame, Schema};
use kiln_eval::{FittedModelPipeline, Predictions};

use crate::error::{ProjectError, Result};

/// Options of [`score_file`].
#[derive(Debug, Clone, Default)]
pub struct ScoreOptions {
    /// Input columns copied to the output beside the predictions (row ids).
    pub id_columns: Vec<String>,
    /// Bytes per CSV chunk (0 = the reader's default).
    pub chunk_bytes: usize,
}

/// What [`score_file`] did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ScoreSummary {
    /// Rows scored.
    pub rows: usize,
    /// Chunks the input was read in.
    pub chunks: usize,
    /// Input columns the model does not use (ignored).
    pub ignored_columns: Vec<String>,
}

/// CSV options that force the model's input columns present in `columns` to their training
/// types (absent ones are reported by [`check_columns`], not by the reader).
pub fn input_options(input_schema: &Schema, columns: &[String]) -> CsvOptions {
    let mut options = CsvOptions::default();
    for field in &input_schema.fields {
        if columns.contains(&field.name) {
            options.overrides.set_type(&field.name, field.column_type);
        }
    }
    options
}

/// Checks that `frame` has every input column; returns the columns the model ignores.
pub fn check_columns(
    input_schema: &Schema,
    frame_schema: &Schema,
    keep: &[String],
    origin: &str,
) -> Result<Vec<String>> {
    let missing: Vec<&str> = input_schema
        .names()
        .filter(|n| frame_schema.index_of(n).is_err())
        .collect();
    if !missing.is_empty() {
        return Err(ProjectError::Invalid(format!(
            "{origin}: missing column{} the model needs: {} (it reads: {})",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            input_schema.names().collect::<Vec<_>>().join(", ")
        )));
    }
    for id in keep {
        frame_schema.index_of(id).map_err(|_| {
            ProjectError::Invalid(format!("{origin}: id column '{id}' is not in the file"))
        })?;
    }
    Ok(frame_schema
        .names()
        .filter(|n| input_schema.index_of(n).is_err() && !keep.iter().any(|k| k == n))
        .map(str::to_string)
        .collect())
}

/// The output frame: id columns, `prediction`, and `proba_<class>` per class.
pub fn prediction_frame(
    pipeline: &FittedModelPipeline,
    predictions: &Predictions,
    ids: Option<&Frame>,
) -> Result<Frame> {
    let mut out = match ids {
        Some(f) => f.clone(),
        None => Frame::empty(),
    };
    let prediction = match &predictions.labels {
        Some(labels) => Frame::from_labels("prediction", labels)?,
        None => Frame::from_f64("prediction", &predictions.values)?,
    };
    out = out.hconcat(&prediction)?;
    if let (Some(p), Some(classes)) = (&predictions.probabilities, pipeline.classes()) {
        for (k, class) in classes.iter().enumerate() {
            out = out.hconcat(&Frame::from_f64(
                &format!("proba_{class}"),
                &p.column(k).to_vec(),
            )?)?;
        }
    }
    Ok(out)
}

/// Scores one in-memory frame into the output layout.
pub fn score_frame(
    pipeline: &FittedModelPipeline,
    frame: &Frame,
    options: &ScoreOptions,
) -> Result<Frame> {
    let predictions = pipeline.predict(frame)?;
    let ids = if options.id_columns.is_empty() {
        None
    } else {
        let names: Vec<&str> = options.id_columns.iter().map(String::as_str).collect();
        Some(frame.select(&names)?)
    };
    prediction_frame(pipeline, &predictions, ids.as_ref())
}

/// Scores `input` into `output` (formats by extension). `on_chunk(rows_so_far)` is called
/// after each chunk.
pub fn score_file(
    pipeline: &FittedModelPipeline,
    input: &Path,
    output: &Path,
    options: &ScoreOptions,
    on_chunk: &dyn Fn(usize),
) -> Result<ScoreSummary> {
    // Refuse an unwritable output format before reading anything.
    Format::of(output)?;
    let origin = input.display().to_string();
    let is_csv = matches!(Format::of(input)?, Format::Csv)
        && !input
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
    // Parquet carries its types; for CSV the header says which columns can be typed.
    let columns = if is_csv {
        CsvChunks::column_names(input, &CsvOptions::default())?
    } else {
        Vec::new()
    };
    let mut read = input_options(&pipeline.input_schema, &columns);
    if options.chunk_bytes > 0 {
        read.chunk_bytes = options.chunk_bytes;
    }
    let mut parts = Vec::new();
    let mut summary = ScoreSummary {
        rows: 0,
        chunks: 0,
        ignored_columns: Vec::new(),
    };
    let mut score_chunk = |frame: Frame| -> Result<()> {
        if summary.chunks == 0 {
            summary.ignored_columns = check_columns(
                &pipeline.input_schema,
                frame.schema(),
                &options.id_columns,
                &origin,
            )?;
        }
        parts.push(score_frame(pipeline, &frame, options)?);
        summary.rows += frame.n_rows();
        summary.chunks += 1;
        on_chunk(summary.rows);
        Ok(())
    };
    if is_csv {
        for chunk in CsvChunks::open(input, read)? {
            score_chunk(chunk?)?;
        }
    } else {
        score_chunk(read_any(input, &read)?)?;
    }
    if summary.rows == 0 {
        return Err(ProjectError::Invalid(format!("{origin}: no rows to score")));
    }
    // The streaming reader fixes the schema from the first chunk, so the parts concatenate.
    let frame = Frame::concat(&parts)?;
    write_any(&frame, output, &ParquetWriteOptions::default())?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_data::datasets;
    use kiln_eval::ModelPipelineSpec;

    fn iris_pipeline() -> FittedModelPipeline {
        let spec: ModelPipelineSpec = toml::from_str(
            r#"
            prep = { target = "species", remainder = "passthrough" }
            model = { kind = "decision_tree", max_depth = 3 }
            "#,
        )
        .expect("valid spec");
        spec.fit(&datasets::load("iris").expect("bundled"))
            .expect("fits")
    }

    #[test]
    fn scores_a_csv_in_chunks_with_ids_and_probabilities() {
        let dir = tempfile::tempdir().expect("temp dir");
        let input = dir.path().join("in.csv");
        let mut csv =
            String::from("row_id,sepal_length,sepal_width,petal_length,petal_width,note\n");
        for i in 0..500 {
            let petal = 1.0 + (i % 60) as f64 / 10.0;
            csv.push_str(&format!("r{i},5.0,3.0,{petal},{},x\n", petal / 3.0));
        }
        std::fs::write(&input, csv).expect("write");
        let output = dir.path().join("out.csv");
        let pipeline = iris_pipeline();
        let options = ScoreOptions {
            id_columns: vec!["row_id".into()],
            chunk_bytes: 4096,
        };
        let summary = score_file(&pipeline, &input, &output, &options, &|_| {}).expect("scores");
        assert_eq!(summary.rows, 500);
        assert!(summary.chunks > 1, "{summary:?}");
        assert_eq!(summary.ignored_columns, ["note"]);
        let out = read_any(&output, &CsvOptions::default()).expect("readable");
        let names: Vec<&str> = out.names().collect();
        assert_eq!(
            names,
            [
                "row_id",
                "prediction",
                "proba_setosa",
                "proba_versicolor",
                "proba_virginica"
            ]
        );
        // Chunked scoring equals scoring the whole file at once, value for value.
        let names: Vec<String> = pipeline.input_schema.names().map(str::to_string).collect();
        let whole =
            read_any(&input, &input_options(&pipeline.input_schema, &names)).expect("reads");
        let expected = pipeline.predict(&whole).expect("predicts");
        let got: Vec<String> = (0..out.n_rows())
            .map(|r| out.cell_text(r, 1).unwrap_or_default())
            .collect();
        assert_eq!(Some(got), expected.labels);
    }

    #[test]
    fn missing_columns_are_named_and_unknown_output_formats_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let input = dir.path().join("in.csv");
        std::fs::write(&input, "sepal_length,petal_length\n5.0,1.4\n").expect("write");
        let pipeline = iris_pipeline();
        let e = score_file(
            &pipeline,
            &input,
            &dir.path().join("o.csv"),
            &ScoreOptions::default(),
            &|_| {},
        )
        .expect_err("missing columns");
        let m = e.to_string();
        assert!(
            m.contains("sepal_width") && m.contains("petal_width"),
            "{m}"
        );
        let e = score_file(
            &pipeline,
            &input,
            &dir.path().join("o.xlsx"),
            &ScoreOptions::default(),
            &|_| {},
        )
        .expect_err("bad format");
        assert!(e.to_string().contains("xlsx"), "{e}");
    }
}
