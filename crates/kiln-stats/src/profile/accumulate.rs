//! The one-pass state of a profile: a per-column accumulator for each kind of column and the row
//! reservoir sample they share.
//!
//! Each accumulator sees every chunk once; nothing here looks at a row twice. The reservoir
//! decides, per chunk and before the columns are visited, which rows enter which slot, so the
//! columns can then be filled in parallel and every column's sample holds the same rows (which is
//! what correlations and associations need).

use std::collections::HashMap;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, TimestampMicrosecondType};
use arrow_array::{Array, ArrayRef};
use kiln_data::frame::column_as_f64;
use kiln_data::{ColumnType, Field};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::DISTINCT_CAP;
use crate::error::{Result, StatsError};
use crate::moments::Moments;

/// Uniform reservoir sampling of row positions (Vitter's Algorithm R): after `t` rows every row
/// is in the reservoir with probability `capacity / t`; the first `capacity` rows all are.
#[derive(Debug)]
pub(super) struct RowReservoir {
    capacity: usize,
    seen: u64,
    rng: ChaCha8Rng,
}

impl RowReservoir {
    pub(super) fn new(capacity: usize, seed: u64) -> Self {
        RowReservoir {
            capacity,
            seen: 0,
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    /// For the next `n_rows` rows: (row within the chunk, slot it goes to). A slot equal to the
    /// current length appends.
    pub(super) fn plan(&mut self, n_rows: usize) -> Vec<(usize, usize)> {
        let mut out = Vec::with_capacity(n_rows.min(self.capacity));
        for row in 0..n_rows {
            let t = self.seen + row as u64;
            if t < self.capacity as u64 {
                out.push((row, t as usize));
            } else {
                let j = self.rng.random_range(0..=t);
                if j < self.capacity as u64 {
                    out.push((row, j as usize));
                }
            }
        }
        self.seen += n_rows as u64;
        out
    }

    /// Rows seen so far.
    pub(super) fn seen(&self) -> u64 {
        self.seen
    }
}

/// Writes `value(row)` into the sample slots the plan assigns.
fn apply_plan(sample: &mut Vec<f64>, plan: &[(usize, usize)], value: impl Fn(usize) -> f64) {
    for &(row, slot) in plan {
        if slot == sample.len() {
            sample.push(value(row));
        } else {
            sample[slot] = value(row);
        }
    }
}

/// The key that makes -0.0 and 0.0 one value.
fn float_key(v: f64) -> u64 {
    if v == 0.0 { 0 } else { v.to_bits() }
}

/// Numeric, integer and boolean columns.
#[derive(Debug, Default)]
pub(super) struct NumericAcc {
    pub moments: Moments,
    /// Exact value counts while at most `DISTINCT_CAP` values are distinct.
    pub counts: Option<HashMap<u64, u64>>,
    pub sample: Vec<f64>,
    pub infinite: u64,
}

impl NumericAcc {
    fn new() -> Self {
        NumericAcc {
            moments: Moments::new(),
            counts: Some(HashMap::new()),
            ..Default::default()
        }
    }

    fn push(&mut self, values: &[f64], plan: &[(usize, usize)]) {
        for &v in values {
            if v.is_infinite() {
                // Infinite values would poison every moment; they count as missing and are
                // reported separately.
                self.infinite += 1;
                self.moments.push(f64::NAN);
            } else {
                self.moments.push(v);
            }
        }
        let mut overflow = false;
        if let Some(counts) = &mut self.counts {
            for &v in values.iter().filter(|v| v.is_finite()) {
                *counts.entry(float_key(v)).or_insert(0) += 1;
                if counts.len() > DISTINCT_CAP {
                    overflow = true;
                    break;
                }
            }
        }
        if overflow {
            self.counts = None;
        }
        apply_plan(&mut self.sample, plan, |r| {
            if values[r].is_finite() {
                values[r]
            } else {
                f64::NAN
            }
        });
    }
}

/// Categorical and text columns: category counts by name, and the sample as category ids.
#[derive(Debug, Default)]
pub(super) struct CategoricalAcc {
    pub names: Vec<String>,
    pub index: HashMap<String, u32>,
    pub counts: Vec<u64>,
    /// Non-missing cells beyond the tracked categories.
    pub other: u64,
    pub missing: u64,
    /// Category id per sampled row; NaN for missing or untracked.
    pub sample: Vec<f64>,
}

impl CategoricalAcc {
    /// The id of a category, adding it while under the cap.
    fn id_of(&mut self, name: &str) -> Option<u32> {
        if let Some(&id) = self.index.get(name) {
            return Some(id);
        }
        if self.names.len() >= DISTINCT_CAP {
            return None;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), id);
        self.counts.push(0);
        Some(id)
    }

    fn push_dictionary(&mut self, array: &ArrayRef, plan: &[(usize, usize)]) {
        let dict = array.as_dictionary::<Int32Type>();
        let values = dict.values().as_string::<i32>();
        // Chunk-local codes to global ids (each chunk has its own sorted dictionary).
        let map: Vec<Option<u32>> = (0..values.len())
            .map(|j| self.id_of(values.value(j)))
            .collect();
        let mut local = vec![0u64; values.len()];
        let keys = dict.keys();
        for r in 0..dict.len() {
            if dict.is_null(r) {
                self.missing += 1;
            } else {
                local[keys.value(r) as usize] += 1;
            }
        }
        for (code, n) in local.into_iter().enumerate() {
            match map[code] {
                Some(id) => self.counts[id as usize] += n,
                None => self.other += n,
            }
        }
        apply_plan(&mut self.sample, plan, |r| {
            if dict.is_null(r) {
                return f64::NAN;
            }
            map[keys.value(r) as usize].map_or(f64::NAN, f64::from)
        });
    }

    fn push_text(&mut self, array: &ArrayRef, plan: &[(usize, usize)]) {
        let strings = array.as_string::<i32>();
        let mut ids = Vec::with_capacity(strings.len());
        for r in 0..strings.len() {
            if strings.is_null(r) {
                self.missing += 1;
                ids.push(None);
                continue;
            }
            let id = self.id_of(strings.value(r));
            match id {
                Some(id) => self.counts[id as usize] += 1,
                None => self.other += 1,
            }
            ids.push(id);
        }
        apply_plan(&mut self.sample, plan, |r| {
            ids[r].map_or(f64::NAN, f64::from)
        });
    }

    /// Non-missing cells.
    pub fn count(&self) -> u64 {
        self.counts.iter().sum::<u64>() + self.other
    }
}

/// Datetime columns: range and distinct count.
#[derive(Debug, Default)]
pub(super) struct DatetimeAcc {
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub count: u64,
    pub missing: u64,
    pub distinct: Option<std::collections::HashSet<i64>>,
}

impl DatetimeAcc {
    fn push(&mut self, array: &ArrayRef) {
        let a = array.as_primitive::<TimestampMicrosecondType>();
        for r in 0..a.len() {
            if a.is_null(r) {
                self.missing += 1;
                continue;
            }
            let v = a.value(r);
            self.count += 1;
            self.min = Some(self.min.map_or(v, |m| m.min(v)));
            self.max = Some(self.max.map_or(v, |m| m.max(v)));
            let overflow = self.distinct.as_mut().is_some_and(|set| {
                set.insert(v);
                set.len() > DISTINCT_CAP
            });
            if overflow {
                self.distinct = None;
            }
        }
    }
}

/// The accumulator of one column, by kind.
#[derive(Debug)]
pub(super) enum ColumnAcc {
    Numeric(NumericAcc),
    Categorical(CategoricalAcc),
    Datetime(DatetimeAcc),
}

impl ColumnAcc {
    pub(super) fn for_type(column_type: ColumnType) -> Self {
        match column_type {
            ColumnType::Numeric | ColumnType::Integer | ColumnType::Boolean => {
                ColumnAcc::Numeric(NumericAcc::new())
            }
            ColumnType::Categorical | ColumnType::Text => {
                ColumnAcc::Categorical(CategoricalAcc::default())
            }
            ColumnType::Datetime => ColumnAcc::Datetime(DatetimeAcc {
                distinct: Some(Default::default()),
                ..Default::default()
            }),
        }
    }

    /// Adds one chunk of the column.
    pub(super) fn push(
        &mut self,
        field: &Field,
        array: &ArrayRef,
        plan: &[(usize, usize)],
    ) -> Result<()> {
        match self {
            ColumnAcc::Numeric(acc) => {
                let values = column_as_f64(field, array).map_err(|e| StatsError::InvalidInput {
                    arg: "frame",
                    message: e.to_string(),
                })?;
                acc.push(&values, plan);
            }
            ColumnAcc::Categorical(acc) => match field.column_type {
                ColumnType::Categorical => acc.push_dictionary(array, plan),
                _ => acc.push_text(array, plan),
            },
            ColumnAcc::Datetime(acc) => acc.push(array),
        }
        Ok(())
    }

    /// The column's sample (values, or category ids), if it keeps one.
    pub(super) fn sample(&self) -> Option<&[f64]> {
        match self {
            ColumnAcc::Numeric(a) => Some(a.sample.as_slice()),
            ColumnAcc::Categorical(a) => Some(a.sample.as_slice()),
            ColumnAcc::Datetime(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservoir_keeps_everything_up_to_capacity_then_samples_uniformly() {
        let mut r = RowReservoir::new(10, 1);
        let plan = r.plan(7);
        assert_eq!(plan, (0..7).map(|i| (i, i)).collect::<Vec<_>>());
        // Uniformity: over many seeds, each of 40 rows lands in a 10-slot reservoir about
        // 10/40 = 25% of the time.
        let mut hits = [0u32; 40];
        for seed in 0..4000 {
            let mut r = RowReservoir::new(10, seed);
            let mut slots = vec![usize::MAX; 10];
            for chunk in [13usize, 27] {
                let base = r.seen() as usize;
                for (row, slot) in r.plan(chunk) {
                    slots[slot] = base + row;
                }
            }
            for s in slots {
                hits[s] += 1;
            }
        }
        for (row, &h) in hits.iter().enumerate() {
            let share = h as f64 / 4000.0;
            // Binomial sd at p = 0.25, n = 4000 is 0.0068; 5 sd is 0.035.
            assert!((share - 0.25).abs() < 0.035, "row {row}: {share}");
        }
    }
}
