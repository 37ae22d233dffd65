//! Parquet reading (with column projection) and writing (dictionary + RLE + zstd).
//!
//! The kiln schema (types and roles) travels in the file's key-value metadata under
//! `kiln.schema`, so a frame written by kiln reads back identical. Files from other tools are
//! mapped by Arrow type: floats → numeric, integers → integer, dictionaries of strings →
//! categorical, strings → text (or categorical per the inference thresholds), timestamps and
//! dates → datetime.
//!
//! Writing can sort rows by their low-cardinality columns first: long runs of equal values make
//! dictionary/RLE pages much smaller, which Parquet rewards.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{
    Array, ArrayRef, DictionaryArray, Float64Array, Int32Array, Int64Array, StringArray,
    TimestampMicrosecondArray,
};
use arrow_schema::{DataType, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use crate::error::{DataError, Result};
use crate::frame::Frame;
use crate::infer::InferOptions;
use crate::schema::{ColumnType, Field, Schema};

const SCHEMA_KEY: &str = "kiln.schema";

/// Options for writing Parquet.
#[derive(Debug, Clone)]
pub struct ParquetWriteOptions {
    /// zstd level (1–22; default 3).
    pub zstd_level: i32,
    /// Sort rows by low-cardinality columns first (fewest distinct values first).
    pub sort_low_cardinality: bool,
    /// Rows per row group.
    pub row_group_rows: usize,
}

impl Default for ParquetWriteOptions {
    fn default() -> Self {
        ParquetWriteOptions {
            zstd_level: 3,
            sort_low_cardinality: false,
            row_group_rows: 1 << 20,
        }
    }
}

fn pq_err(path: &Path, e: impl std::fmt::Display) -> DataError {
    DataError::Parquet {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Writes a frame to a Parquet file.
pub fn write_parquet(frame: &Frame, path: &Path, options: &ParquetWriteOptions) -> Result<()> {
    let frame = if options.sort_low_cardinality {
        let order = low_cardinality_order(frame);
        frame.take(&order)?
    } else {
        frame.clone()
    };
    let batch = frame.to_record_batch()?;
    let level = ZstdLevel::try_new(options.zstd_level)
        .map_err(|e| DataError::invalid("zstd level", e.to_string()))?;
    let schema_json = serde_json::to_string(frame.schema())
        .map_err(|e| DataError::invalid("schema", e.to_string()))?;
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(level))
        .set_dictionary_enabled(true)
        .set_max_row_group_row_count(Some(options.row_group_rows.max(1)))
        .set_key_value_metadata(Some(vec![parquet::file::metadata::KeyValue::new(
            SCHEMA_KEY.to_string(),
            schema_json,
        )]))
        .build();
    let tmp = path.with_extension("parquet.tmp");
    let file = File::create(&tmp).map_err(|e| DataError::io(&tmp, e))?;
    let mut writer =
        ArrowWriter::try_new(file, batch.schema(), Some(props)).map_err(|e| pq_err(path, e))?;
    writer.write(&batch).map_err(|e| pq_err(path, e))?;
    writer.close().map_err(|e| pq_err(path, e))?;
    // Write-then-rename: an interrupted write never leaves a truncated file at `path`.
    std::fs::rename(&tmp, path).map_err(|e| DataError::io(path, e))
}

/// Row order that sorts by low-cardinality columns (at most 1% of rows or 256 distinct values,
/// whichever is larger), fewest distinct values first; stable, so ties keep input order.
pub fn low_cardinality_order(frame: &Frame) -> Vec<usize> {
    let n = frame.n_rows();
    let limit = (n / 100).max(256);
    let mut keys: Vec<(usize, Vec<u32>)> = Vec::new();
    for i in 0..frame.n_cols() {
        let (field, array) = frame.column_at(i);
        if let Some((distinct, codes)) = sort_codes(field.column_type, array, limit) {
            keys.push((distinct, codes));
        }
    }
    keys.sort_by_key(|(d, _)| *d);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        keys.iter()
            .map(|(_, k)| k[a].cmp(&k[b]))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    order
}

/// Order-preserving codes for a low-cardinality column (nulls first), or `None` when the column
/// has more than `limit` distinct values or is not a candidate type.
fn sort_codes(
    column_type: ColumnType,
    array: &ArrayRef,
    limit: usize,
) -> Option<(usize, Vec<u32>)> {
    let n = array.len();
    match column_type {
        ColumnType::Categorical => {
            let d = array.as_dictionary::<Int32Type>();
            let distinct = d.values().len() + 1;
            (distinct <= limit).then(|| {
                let codes = (0..n)
                    .map(|i| {
                        if d.is_null(i) {
                            0
                        } else {
                            d.keys().value(i) as u32 + 1
                        }
                    })
                    .collect();
                (distinct, codes)
            })
        }
        ColumnType::Boolean => {
            let b = array.as_boolean();
            let codes = (0..n)
                .map(|i| {
                    if b.is_null(i) {
                        0
                    } else {
                        1 + b.value(i) as u32
                    }
                })
                .collect();
            Some((3, codes))
        }
        ColumnType::Integer => {
            let a = array.as_primitive::<Int64Type>();
            let mut distinct: Vec<i64> = Vec::new();
            for i in 0..n {
                if !a.is_null(i)
                    && let Err(pos) = distinct.binary_search(&a.value(i))
                {
                    if distinct.len() >= limit {
                        return None;
                    }
                    distinct.insert(pos, a.value(i));
                }
            }
            let codes = (0..n)
                .map(|i| {
                    if a.is_null(i) {
                        0
                    } else {
                        // The value is in `distinct` by construction above.
                        distinct
                            .binary_search(&a.value(i))
                            .map_or(0, |p| p as u32 + 1)
                    }
                })
                .collect();
            Some((distinct.len() + 1, codes))
        }
        _ => None,
    }
}

/// Reads a Parquet file, optionally only the named columns (in file order).
pub fn read_parquet(path: &Path, columns: Option<&[&str]>) -> Result<Frame> {
    let file = File::open(path).map_err(|e| DataError::io(path, e))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| pq_err(path, e))?;
    let stored: Option<Schema> = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .and_then(|kv| kv.iter().find(|k| k.key == SCHEMA_KEY))
        .and_then(|k| k.value.as_deref())
        .and_then(|v| serde_json::from_str(v).ok());
    let arrow_schema = builder.schema().clone();
    let names: Vec<String> = arrow_schema
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let selected: Vec<usize> = match columns {
        None => (0..names.len()).collect(),
        Some(wanted) => {
            for w in wanted {
                if !names.iter().any(|n| n == w) {
                    return Err(DataError::UnknownColumn {
                        name: w.to_string(),
                        available: names.join(", "),
                    });
                }
            }
            (0..names.len())
                .filter(|&i| wanted.contains(&names[i].as_str()))
                .collect()
        }
    };
    let mask = ProjectionMask::roots(builder.parquet_schema(), selected.iter().copied());
    let reader = builder
        .with_projection(mask)
        .with_batch_size(64 * 1024)
        .build()
        .map_err(|e| pq_err(path, e))?;
    let batches = reader
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| pq_err(path, e))?;
    let mut fields = Vec::new();
    let mut arrays = Vec::new();
    for (j, &i) in selected.iter().enumerate() {
        let name = &names[i];
        let parts: Vec<&dyn Array> = batches.iter().map(|b| b.column(j).as_ref()).collect();
        let array = if parts.is_empty() {
            arrow_array::new_empty_array(arrow_schema.field(i).data_type())
        } else {
            arrow_select::concat::concat(&parts).map_err(|e| pq_err(path, e))?
        };
        let known = stored.as_ref().and_then(|s| s.field(name).ok()).cloned();
        let (field, array) =
            to_kiln_column(name, array, known).map_err(|m| DataError::column(name, m))?;
        fields.push(field);
        arrays.push(array);
    }
    Frame::new(Schema::new(fields)?, arrays)
}

/// Converts any supported Arrow array to kiln storage, keeping the stored field if there is one.
pub fn to_kiln_column(
    name: &str,
    array: ArrayRef,
    known: Option<Field>,
) -> std::result::Result<(Field, ArrayRef), String> {
    let dt = array.data_type().clone();
    let nullable = array.null_count() > 0;
    let (column_type, converted): (ColumnType, ArrayRef) = match &dt {
        DataType::Float64 => (ColumnType::Numeric, array),
        DataType::Float32 | DataType::Float16 => {
            (ColumnType::Numeric, Arc::new(cast_floats(&array)))
        }
        DataType::Int64 => (ColumnType::Integer, array),
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64 => (ColumnType::Integer, Arc::new(cast_ints(&array)?)),
        DataType::Boolean => (ColumnType::Boolean, array),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            let strings = string_values(&array);
            let categorical = match known.as_ref().map(|f| f.column_type) {
                Some(t) => t == ColumnType::Categorical,
                None => looks_categorical(&strings, &InferOptions::default()),
            };
            if categorical {
                let keys = (0..strings.len())
                    .map(|i| strings[i].as_ref().map(|_| i))
                    .collect();
                (ColumnType::Categorical, sorted_dictionary(keys, strings)?)
            } else {
                let text: StringArray = strings.iter().map(|s| s.as_deref()).collect();
                (ColumnType::Text, Arc::new(text))
            }
        }
        DataType::Dictionary(_, value)
            if matches!(value.as_ref(), DataType::Utf8 | DataType::LargeUtf8) =>
        {
            (ColumnType::Categorical, normalize_dictionary(&array)?)
        }
        DataType::Timestamp(unit, _) => {
            let scale = match unit {
                TimeUnit::Second => 1_000_000,
                TimeUnit::Millisecond => 1_000,
                TimeUnit::Microsecond => 1,
                TimeUnit::Nanosecond => 0,
            };
            let a = match unit {
                TimeUnit::Second => {
                    map_i64(array.as_primitive::<TimestampSecondType>().iter(), scale)
                }
                TimeUnit::Millisecond => map_i64(
                    array.as_primitive::<TimestampMillisecondType>().iter(),
                    scale,
                ),
                TimeUnit::Microsecond => map_i64(
                    array.as_primitive::<TimestampMicrosecondType>().iter(),
                    scale,
                ),
                TimeUnit::Nanosecond => array
                    .as_primitive::<TimestampNanosecondType>()
                    .iter()
                    .map(|v| v.map(|x| x.div_euclid(1000)))
                    .collect(),
            };
            (ColumnType::Datetime, Arc::new(a))
        }
        DataType::Date32 => {
            let a: TimestampMicrosecondArray = array
                .as_primitive::<Date32Type>()
                .iter()
                .map(|v| v.map(|d| d as i64 * 86_400_000_000))
                .collect();
            (ColumnType::Datetime, Arc::new(a))
        }
        other => return Err(format!("has Arrow type {other}, which kiln cannot read")),
    };
    let field = match known {
        Some(f) if f.column_type == column_type => f,
        _ => {
            let mut f = Field::new(name, column_type);
            f.nullable = nullable;
            f
        }
    };
    Ok((field, converted))
}

fn map_i64(values: impl Iterator<Item = Option<i64>>, scale: i64) -> TimestampMicrosecondArray {
    values.map(|v| v.map(|x| x * scale)).collect()
}

fn cast_floats(array: &ArrayRef) -> Float64Array {
    match array.data_type() {
        DataType::Float32 => array
            .as_primitive::<Float32Type>()
            .iter()
            .map(|v| v.map(f64::from))
            .collect(),
        _ => array
            .as_primitive::<Float16Type>()
            .iter()
            .map(|v| v.map(f64::from))
            .collect(),
    }
}

fn cast_ints(array: &ArrayRef) -> std::result::Result<Int64Array, String> {
    Ok(match array.data_type() {
        DataType::Int8 => array
            .as_primitive::<Int8Type>()
            .iter()
            .map(|v| v.map(i64::from))
            .collect(),
        DataType::Int16 => array
            .as_primitive::<Int16Type>()
            .iter()
            .map(|v| v.map(i64::from))
            .collect(),
        DataType::Int32 => array
            .as_primitive::<Int32Type>()
            .iter()
            .map(|v| v.map(i64::from))
            .collect(),
        DataType::UInt8 => array
            .as_primitive::<UInt8Type>()
            .iter()
            .map(|v| v.map(i64::from))
            .collect(),
        DataType::UInt16 => array
            .as_primitive::<UInt16Type>()
            .iter()
            .map(|v| v.map(i64::from))
            .collect(),
        DataType::UInt32 => array
            .as_primitive::<UInt32Type>()
            .iter()
            .map(|v| v.map(i64::from))
            .collect(),
        _ => array
            .as_primitive::<UInt64Type>()
            .iter()
            .map(|v| {
                v.map(|x| {
                    i64::try_from(x)
                        .map_err(|_| format!("value {x} does not fit a signed 64-bit integer"))
                })
                .transpose()
            })
            .collect::<std::result::Result<_, _>>()?,
    })
}

fn string_values(array: &ArrayRef) -> Vec<Option<String>> {
    match array.data_type() {
        DataType::Utf8 => array
            .as_string::<i32>()
            .iter()
            .map(|s| s.map(str::to_string))
            .collect(),
        DataType::LargeUtf8 => array
            .as_string::<i64>()
            .iter()
            .map(|s| s.map(str::to_string))
            .collect(),
        _ => array
            .as_string_view()
            .iter()
            .map(|s| s.map(str::to_string))
            .collect(),
    }
}

/// The inference rule for strings (see `infer`): few distinct values relative to the count.
fn looks_categorical(strings: &[Option<String>], options: &InferOptions) -> bool {
    let mut distinct = std::collections::HashSet::new();
    let mut non_null = 0usize;
    for s in strings.iter().flatten() {
        non_null += 1;
        distinct.insert(s.as_str());
        if distinct.len() > options.categorical_max_distinct {
            return false;
        }
    }
    distinct.len() <= 1 || distinct.len() as f64 <= options.categorical_max_ratio * non_null as f64
}

/// Any string dictionary → `Dictionary<Int32, Utf8>` with sorted, distinct categories.
fn normalize_dictionary(array: &ArrayRef) -> std::result::Result<ArrayRef, String> {
    let n = array.len();
    let (keys, values): (Vec<Option<usize>>, Vec<Option<String>>) = match array.data_type() {
        DataType::Dictionary(k, _) => {
            macro_rules! keys_of {
                ($t:ty) => {{
                    let d = array.as_dictionary::<$t>();
                    let keys = (0..n)
                        .map(|i| (!d.is_null(i)).then(|| d.keys().value(i) as usize))
                        .collect();
                    (keys, string_values(d.values()))
                }};
            }
            match k.as_ref() {
                DataType::Int8 => keys_of!(Int8Type),
                DataType::Int16 => keys_of!(Int16Type),
                DataType::Int32 => keys_of!(Int32Type),
                DataType::Int64 => keys_of!(Int64Type),
                DataType::UInt8 => keys_of!(UInt8Type),
                DataType::UInt16 => keys_of!(UInt16Type),
                DataType::UInt32 => keys_of!(UInt32Type),
                DataType::UInt64 => keys_of!(UInt64Type),
                other => return Err(format!("dictionary keys of type {other} are not supported")),
            }
        }
        other => return Err(format!("expected a dictionary, found {other}")),
    };
    sorted_dictionary(keys, values)
}

/// A `Dictionary<Int32, Utf8>` with sorted distinct categories from keys into `values`.
fn sorted_dictionary(
    keys: Vec<Option<usize>>,
    values: Vec<Option<String>>,
) -> std::result::Result<ArrayRef, String> {
    let mut cats: Vec<&str> = values.iter().flatten().map(String::as_str).collect();
    cats.sort_unstable();
    cats.dedup();
    let new_keys: Int32Array = keys
        .iter()
        .map(|k| {
            k.and_then(|k| values.get(k).cloned().flatten())
                .and_then(|v| cats.binary_search(&v.as_str()).ok())
                .map(|p| p as i32)
        })
        .collect();
    let dict = DictionaryArray::<Int32Type>::try_new(
        new_keys,
        Arc::new(StringArray::from_iter_values(cats)),
    )
    .map_err(|e| e.to_string())?;
    Ok(Arc::new(dict))
}
