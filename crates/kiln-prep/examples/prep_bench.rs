//! Kiln side of the `prep` bench workload (`bench/run.sh prep`): reads a Parquet or CSV file,
//! then times fit + transform of the pipeline below and prints one JSON object.
//!
//! Run: `cargo run --release -p kiln-prep --example prep_bench -- FILE [--repeat N]`.
//!
//! Pipeline (the same as `bench/peers/prep.py`): numeric columns → median imputer + standard
//! scaler; categorical columns → most-frequent imputer + one-hot encoder. Output fields:
//! `fit_transform_seconds` (best of `--repeat`, default 3), `read_seconds` (reading the file,
//! not part of the comparison), `rows`, `columns` (of the model matrix).

use std::path::Path;
use std::time::Instant;

use kiln_data::csv::CsvOptions;
use kiln_prep::PipelineSpec;

const SPEC: &str = r#"
[[blocks]]
name = "numbers"
columns = { types = ["numeric", "integer"] }
steps = [{ kind = "simple_imputer", strategy = "median" }, { kind = "standard_scaler" }]

[[blocks]]
name = "categories"
columns = { types = ["categorical"] }
steps = [{ kind = "simple_imputer", strategy = "most_frequent" }, { kind = "one_hot_encoder" }]
"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut file = None;
    let mut repeat = 3usize;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--repeat" => repeat = it.next().ok_or("--repeat needs a number")?.parse()?,
            _ if file.is_none() => file = Some(a.clone()),
            _ => return Err(format!("unexpected argument '{a}'").into()),
        }
    }
    let file = file.ok_or("usage: prep_bench FILE [--repeat N]")?;
    let spec = PipelineSpec::from_toml(SPEC, "prep_bench")?;

    let t = Instant::now();
    let frame = kiln_data::io::read_any(Path::new(&file), &CsvOptions::default())?;
    let read_seconds = t.elapsed().as_secs_f64();

    let mut best = f64::INFINITY;
    let mut shape = (0, 0);
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        let (fitted, prepared) = spec.fit_transform(&frame)?;
        best = best.min(t.elapsed().as_secs_f64());
        shape = prepared.x.dim();
        drop((fitted, prepared));
    }
    println!(
        "{{\"fit_transform_seconds\": {best}, \"read_seconds\": {read_seconds}, \"rows\": {}, \"columns\": {}}}",
        shape.0, shape.1
    );
    Ok(())
}
