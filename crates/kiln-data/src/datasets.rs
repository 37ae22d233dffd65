//! Small real datasets bundled with kiln (see `datasets/README.md` for sources and licences).
//!
//! The CSV files are compiled into the binary, so examples, the quickstart and tests work offline
//! and on a fresh checkout. `datasets/manifest.toml` is the one place that describes them.

use serde::{Deserialize, Serialize};

use crate::csv::{CsvOptions, read_csv_bytes};
use crate::error::{DataError, Result};
use crate::frame::Frame;

const MANIFEST: &str = include_str!("../datasets/manifest.toml");

/// One bundled dataset's description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetInfo {
    /// Short name used on the command line.
    pub name: String,
    /// File name inside `datasets/`.
    pub file: String,
    /// `binary`, `multiclass` or `regression`.
    pub task: String,
    /// The target column.
    pub target: String,
    /// Rows.
    pub rows: usize,
    /// Columns (target included).
    pub columns: usize,
    /// One line on what it is.
    pub description: String,
    /// Where it comes from.
    pub source: String,
    /// Its licence.
    pub licence: String,
}

#[derive(Deserialize)]
struct Manifest {
    dataset: Vec<DatasetInfo>,
}

/// The CSV bytes of a bundled file.
fn file_bytes(file: &str) -> Option<&'static [u8]> {
    Some(match file {
        "iris.csv" => include_bytes!("../datasets/iris.csv"),
        "breast_cancer.csv" => include_bytes!("../datasets/breast_cancer.csv"),
        "diabetes.csv" => include_bytes!("../datasets/diabetes.csv"),
        "wine.csv" => include_bytes!("../datasets/wine.csv"),
        "auto_mpg.csv" => include_bytes!("../datasets/auto_mpg.csv"),
        "penguins.csv" => include_bytes!("../datasets/penguins.csv"),
        _ => return None,
    })
}

/// All bundled datasets.
pub fn list() -> Vec<DatasetInfo> {
    // The manifest is compiled in and checked by a test, so parsing cannot fail at run time.
    toml::from_str::<Manifest>(MANIFEST)
        .map(|m| m.dataset)
        .unwrap_or_default()
}

/// The description of one dataset.
pub fn info(name: &str) -> Result<DatasetInfo> {
    let all = list();
    all.iter().find(|d| d.name == name).cloned().ok_or_else(|| {
        DataError::invalid(
            "dataset",
            format!(
                "'{name}' is not bundled; available: {}",
                all.iter()
                    .map(|d| d.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })
}

/// The raw CSV text of a dataset (for `kiln datasets export`).
pub fn csv_bytes(name: &str) -> Result<&'static [u8]> {
    let d = info(name)?;
    file_bytes(&d.file)
        .ok_or_else(|| DataError::invalid("dataset", format!("file {} is missing", d.file)))
}

/// Loads a dataset as a frame with its target column marked.
pub fn load(name: &str) -> Result<Frame> {
    let d = info(name)?;
    let mut frame = read_csv_bytes(csv_bytes(name)?, &d.file, &CsvOptions::default())?;
    frame.set_role(&d.target, crate::Role::Target)?;
    Ok(frame)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ColumnType;

    #[test]
    fn every_manifest_entry_loads_with_its_stated_shape() {
        let all = list();
        assert_eq!(all.len(), 6);
        for d in all {
            let f = load(&d.name).unwrap();
            assert_eq!((f.n_rows(), f.n_cols()), (d.rows, d.columns), "{}", d.name);
            assert_eq!(
                f.schema().names_with_role(crate::Role::Target),
                vec![d.target.as_str()]
            );
        }
    }

    #[test]
    fn penguins_has_missing_values_and_categoricals() {
        let f = load("penguins").unwrap();
        let s = f.schema();
        for name in ["species", "island", "sex"] {
            assert_eq!(s.field(name).unwrap().column_type, ColumnType::Categorical);
        }
        let missing = |name| {
            f.numeric(name)
                .unwrap()
                .iter()
                .filter(|v| v.is_nan())
                .count()
        };
        assert_eq!(missing("body_mass_g"), 2);
        let (codes, _) = f.categorical("sex").unwrap();
        assert_eq!(codes.iter().filter(|&&c| c < 0).count(), 11);
    }

    #[test]
    fn auto_mpg_has_missing_values_and_categoricals() {
        let f = load("auto_mpg").unwrap();
        let s = f.schema();
        assert_eq!(
            s.field("origin").unwrap().column_type,
            ColumnType::Categorical
        );
        assert_eq!(s.field("name").unwrap().column_type, ColumnType::Text);
        assert_eq!(
            f.numeric("mpg")
                .unwrap()
                .iter()
                .filter(|v| v.is_nan())
                .count(),
            8
        );
        assert_eq!(
            f.numeric("horsepower")
                .unwrap()
                .iter()
                .filter(|v| v.is_nan())
                .count(),
            6
        );
    }

    #[test]
    fn unknown_names_list_the_real_ones() {
        let e = load("titanic").unwrap_err().to_string();
        assert!(
            e.contains("'titanic' is not bundled") && e.contains("iris"),
            "{e}"
        );
    }
}
