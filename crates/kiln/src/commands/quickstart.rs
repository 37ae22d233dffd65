//! `kiln quickstart`: the main job on a bundled dataset with missing values and categoricals.
//!
//! Palmer penguins (344 rows, three species; missing measurements and sex; categorical island
//! and sex) goes through the whole workflow: stratified split → automatic preparation (impute,
//! encode) → cross-validated GBDT and a baseline → the better one scored once on the test rows →
//! registered as `quickstart` in `.kiln/` of the project folder, `@production` moved through the
//! gate → an HTML report → the next commands (predict, serve, curl). Running it again trains a
//! new version and gates it against the one in production.

use std::path::Path;

use kiln_data::datasets;
use kiln_project::ProjectConfig;
use kiln_project::lifecycle::{RunContext, train_and_register};
use kiln_registry::Registry;

use super::train::{gate_result, print_trained};
use crate::error::CliResult;
use crate::output::{StageProgress, spinner};

const DATASET: &str = "penguins";
const MODEL_NAME: &str = "quickstart";

/// The quickstart's project configuration: everything at its defaults but the name.
fn config(target: &str) -> CliResult<ProjectConfig> {
    let text = format!(
        "[data]\npath = \"{DATASET}.csv\"\ntarget = \"{target}\"\n\n[register]\nname = \"{MODEL_NAME}\"\n"
    );
    Ok(ProjectConfig::from_toml(&text, "quickstart")?)
}

/// Runs the quickstart.
pub fn run(project_dir: &Path, json: bool) -> CliResult<()> {
    let info = datasets::info(DATASET)?;
    let pb = spinner(format!("loading the bundled {DATASET} dataset"), json);
    let frame = datasets::load(DATASET);
    pb.finish_and_clear();
    let frame = frame?;
    let config = config(&info.target)?;
    if !json {
        outln!("kiln quickstart — {}", info.description);
        outln!(
            "{} rows × {} columns, target '{}'. Source: {}. Licence: {}.\n",
            frame.n_rows(),
            frame.n_cols(),
            info.target,
            info.source,
            info.licence
        );
    }
    let registry = Registry::open(project_dir)?;
    let progress = StageProgress::new(json);
    let context = RunContext {
        data_path: Some(format!("{DATASET} (bundled)")),
        read_seconds: 0.0,
        reference_profile: Some(super::train::drift_reference),
        prediction_reference: Some(super::train::prediction_reference),
        report_path: None,
        project_dir: project_dir.to_path_buf(),
    };
    let trained = train_and_register(&registry, &config, frame, &context, &progress);
    progress.finish();
    let trained = trained?;
    print_trained(&trained, &config.register.alias, json)?;
    if !json {
        outln!("\nNext:");
        outln!("  kiln datasets export {DATASET} -o {DATASET}.csv");
        outln!(
            "  kiln predict {MODEL_NAME}@production {DATASET}.csv -o predictions.csv   # batch scoring"
        );
        outln!(
            "  kiln models show {MODEL_NAME}@production                       # metrics, schema, lineage"
        );
        outln!(
            "  kiln runs list                                                 # every run, recorded"
        );
        outln!(
            "  kiln serve {MODEL_NAME}@production                             # HTTP on 127.0.0.1:8080"
        );
        outln!(
            "  curl -s localhost:8080/v1/models/{MODEL_NAME}/predict -H 'content-type: application/json' \\\n      -d '[{{\"island\": \"Dream\", \"bill_length_mm\": 45.1, \"bill_depth_mm\": 17.0, \"flipper_length_mm\": 195, \"body_mass_g\": 3700, \"sex\": \"female\", \"year\": 2008}}]'"
        );
        if let Ok(path) = &trained.report {
            outln!("  open {}", path.display());
        }
    }
    gate_result(&trained)
}
