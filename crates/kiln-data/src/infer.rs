//! Turning a column of raw text cells into a typed Arrow array: missing-value tokens, type
//! inference and role suggestion.
//!
//! CSV and NDJSON readers both hand their cells here, so every reader infers the same way.
//!
//! Inference tries, in order, on the non-missing cells: integer (`Int64`), number (`Float64`),
//! boolean (`true`/`false` in the spellings pandas accepts), ISO date/date-time, and otherwise
//! string. A string column is categorical when it has at most
//! `InferOptions::categorical_max_distinct` distinct values and at most
//! `categorical_max_ratio` × its non-missing count; otherwise it is text. A column with no
//! values at all is numeric (all missing), as pandas makes it `float64`.
//!
//! Role suggestions: datetime columns get role `time`; an integer or string column with every
//! value distinct and no missing cells gets role `id` when its name looks like an identifier
//! (`id`, `*_id`, `*Id`, `id_*`) or, for integers, when the values are consecutive.

use std::ops::ControlFlow;

use rustc_hash::FxHashMap;
use std::sync::Arc;

use arrow_array::Array as _;
use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BooleanArray, DictionaryArray, Float64Array, Int32Array, Int64Array, StringArray,
    TimestampMicrosecondArray,
};
use arrow_buffer::NullBuffer;
use serde::{Deserialize, Serialize};

use crate::datetime;
use crate::schema::{ColumnType, Field, Role};

/// Missing-value tokens pandas recognises by default, plus `?` (used by many UCI files).
pub const DEFAULT_NA_TOKENS: &[&str] = &[
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null", "?",
];

/// Thresholds of type inference (documented in the module comment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InferOptions {
    /// Most distinct values a categorical column may have.
    pub categorical_max_distinct: usize,
    /// Most distinct values, as a fraction of non-missing cells, a categorical column may have.
    pub categorical_max_ratio: f64,
    /// Recognise ISO dates and date-times.
    pub detect_datetime: bool,
    /// Suggest the `id` and `time` roles.
    pub suggest_roles: bool,
}

impl Default for InferOptions {
    fn default() -> Self {
        InferOptions {
            categorical_max_distinct: 10_000,
            categorical_max_ratio: 0.5,
            detect_datetime: true,
            suggest_roles: true,
        }
    }
}

/// The set of cell texts that mean "missing".
#[derive(Debug, Clone)]
pub struct NaTokens {
    /// Tokens shorter than `SHORT` bytes, bucketed by length: a cell is compared only with the
    /// tokens of its own length, and first by its first byte. This check runs on every cell.
    by_length: Vec<Vec<Vec<u8>>>,
    /// Tokens of `SHORT` bytes or more.
    long: Vec<Vec<u8>>,
}

const SHORT: usize = 32;

impl NaTokens {
    /// A token set from strings.
    pub fn new<S: AsRef<str>>(tokens: &[S]) -> Self {
        let mut by_length = vec![Vec::new(); SHORT];
        let mut long = Vec::new();
        for t in tokens {
            let t = t.as_ref().as_bytes().to_vec();
            if t.len() < SHORT {
                by_length[t.len()].push(t);
            } else {
                long.push(t);
            }
        }
        NaTokens { by_length, long }
    }

    /// True when `cell` is one of the tokens.
    #[inline]
    pub fn is_na(&self, cell: &[u8]) -> bool {
        match self.by_length.get(cell.len()) {
            Some(bucket) => bucket
                .iter()
                .any(|t| t.first() == cell.first() && t.as_slice() == cell),
            None => self.long.iter().any(|t| t.as_slice() == cell),
        }
    }
}

impl Default for NaTokens {
    fn default() -> Self {
        NaTokens::new(DEFAULT_NA_TOKENS)
    }
}

/// A cell that could not be read as the column's (forced) type.
#[derive(Debug, Clone, PartialEq)]
pub struct CellError {
    /// Row index within the column (0-based, data rows only).
    pub row: usize,
    /// The offending text (lossy UTF-8, shortened).
    pub text: String,
    /// What was expected.
    pub expected: String,
}

impl CellError {
    fn new(row: usize, cell: &[u8], expected: impl Into<String>) -> Self {
        let mut text = String::from_utf8_lossy(cell).into_owned();
        if text.len() > 60 {
            let cut = (0..=60)
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            text.truncate(cut);
            text.push('…');
        }
        CellError {
            row,
            text,
            expected: expected.into(),
        }
    }
}

/// Builds one typed column from its cells. `cells()` must yield the same cells each time it is
/// called (inference may pass over them more than once); `None` is a missing cell (e.g. JSON
/// `null`), as is any cell equal to a token of `na`. `forced` skips inference.
pub fn build_column<'a, I, F>(
    name: &str,
    cells: F,
    forced: Option<ColumnType>,
    na: &NaTokens,
    options: &InferOptions,
) -> Result<(Field, ArrayRef), CellError>
where
    F: Fn() -> I,
    I: Iterator<Item = Option<&'a [u8]>>,
{
    let (column_type, array) = match forced {
        Some(t) => (t, build_forced(t, &cells, na)?),
        None => infer_and_build(&cells, na, options)?,
    };
    let nullable = array.null_count() > 0;
    let mut field = Field::new(name, column_type);
    field.nullable = nullable;
    if options.suggest_roles {
        field.role = suggest_role(name, column_type, &array);
    }
    Ok((field, array))
}

fn infer_and_build<'a, I, F>(
    cells: &F,
    na: &NaTokens,
    options: &InferOptions,
) -> Result<(ColumnType, ArrayRef), CellError>
where
    F: Fn() -> I,
    I: Iterator<Item = Option<&'a [u8]>>,
{
    // A column of nothing but missing cells is numeric, not integer (pandas: float64).
    if let Some(a) = try_integers(cells, na).filter(|a| a.null_count() < a.len()) {
        return Ok((ColumnType::Integer, a));
    }
    if let Some(a) = try_floats(cells, na) {
        return Ok((ColumnType::Numeric, a));
    }
    if let Some(a) = try_booleans(cells, na, false) {
        return Ok((ColumnType::Boolean, a));
    }
    if options.detect_datetime
        && let Some(a) = try_datetimes(cells, na)
    {
        return Ok((ColumnType::Datetime, a));
    }
    let limit = options.categorical_max_distinct;
    Ok(
        match try_categorical(cells, na, limit, options.categorical_max_ratio)? {
            Some(a) => (ColumnType::Categorical, a),
            None => (ColumnType::Text, build_text(cells, na)?),
        },
    )
}

fn build_forced<'a, I, F>(t: ColumnType, cells: &F, na: &NaTokens) -> Result<ArrayRef, CellError>
where
    F: Fn() -> I,
    I: Iterator<Item = Option<&'a [u8]>>,
{
    let first_bad = |parse: &dyn Fn(&[u8]) -> bool, expected: &str| {
        cells().enumerate().find_map(|(row, c)| {
            c.filter(|c| !na.is_na(c) && !parse(c))
                .map(|c| CellError::new(row, c, expected))
        })
    };
    let fail = |expected: &str, parse: &dyn Fn(&[u8]) -> bool| {
        first_bad(parse, expected).unwrap_or_else(|| CellError::new(0, b"", expected))
    };
    Ok(match t {
        ColumnType::Integer => try_integers(cells, na)
            .ok_or_else(|| fail("an integer", &|c| parse_i64(c).is_some()))?,
        ColumnType::Numeric => {
            try_floats(cells, na).ok_or_else(|| fail("a number", &|c| parse_f64(c).is_some()))?
        }
        ColumnType::Boolean => try_booleans(cells, na, true).ok_or_else(|| {
            fail("a boolean (true/false/1/0/yes/no)", &|c| {
                parse_bool(c, true).is_some()
            })
        })?,
        ColumnType::Datetime => try_datetimes(cells, na).ok_or_else(|| {
            fail("an ISO date or date-time (YYYY-MM-DD[THH:MM[:SS]])", &|c| {
                datetime::parse_micros(trim(c)).is_some()
            })
        })?,
        ColumnType::Text => build_text(cells, na)?,
        ColumnType::Categorical => try_categorical(cells, na, usize::MAX, f64::INFINITY)?
            .ok_or_else(|| CellError::new(0, b"", "a categorical column"))?,
    })
}

/// ASCII whitespace trimmed from both ends (numbers may be padded, as pandas allows).
#[inline]
pub fn trim(c: &[u8]) -> &[u8] {
    c.trim_ascii()
}

/// An integer with optional sign and padding, or `None`.
#[inline]
pub fn parse_i64(c: &[u8]) -> Option<i64> {
    let c = trim(c);
    let (neg, digits) = match c.first()? {
        b'-' => (true, &c[1..]),
        b'+' => (false, &c[1..]),
        _ => (false, c),
    };
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    // Accumulate in u64 so the magnitude of i64::MIN (one more than i64::MAX) fits.
    let mut v: u64 = 0;
    for &b in digits {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(d as u64)?;
    }
    if neg {
        0i64.checked_sub_unsigned(v)
    } else {
        i64::try_from(v).ok()
    }
}

/// A float in the syntax pandas accepts (decimal, exponent, `inf`), or `None`.
#[inline]
pub fn parse_f64(c: &[u8]) -> Option<f64> {
    let c = trim(c);
    let first = *c.first()?;
    // Rust's parser also takes "nan"/"infinity" spellings; NaN tokens are caught as missing
    // earlier, and a cell starting with a letter other than i/I is never a number.
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.' | b'i' | b'I')) {
        return None;
    }
    if let Some(v) = parse_simple_decimal(c) {
        return Some(v);
    }
    let s = std::str::from_utf8(c).ok()?;
    let v: f64 = s.parse().ok()?;
    if v.is_nan() { None } else { Some(v) }
}

/// Powers of ten that are exact in f64.
const EXACT_POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Clinger's fast path for the common `[-]digits[.digits]` form: with at most 15 significant
/// digits the mantissa and the power of ten are both exact in f64, so one IEEE division gives
/// the correctly rounded value, identical to the full parser. Anything else returns `None`.
#[inline]
fn parse_simple_decimal(c: &[u8]) -> Option<f64> {
    let (neg, body) = match c.first()? {
        b'-' => (true, &c[1..]),
        b'+' => (false, &c[1..]),
        _ => (false, c),
    };
    let mut mantissa: u64 = 0;
    let mut digits = 0usize;
    let mut frac_digits = 0usize;
    let mut seen_dot = false;
    for &b in body {
        if b.is_ascii_digit() {
            mantissa = mantissa * 10 + u64::from(b - b'0');
            digits += 1;
            frac_digits += usize::from(seen_dot);
            if digits > 15 {
                return None;
            }
        } else if b == b'.' && !seen_dot {
            seen_dot = true;
        } else {
            return None;
        }
    }
    if digits == 0 {
        return None;
    }
    let v = mantissa as f64 / EXACT_POW10[frac_digits];
    Some(if neg { -v } else { v })
}

/// A boolean: `true`/`false` as pandas spells them; with `lenient`, also 1/0 and yes/no.
#[inline]
pub fn parse_bool(c: &[u8], lenient: bool) -> Option<bool> {
    let c = trim(c);
    match c {
        b"true" | b"True" | b"TRUE" => Some(true),
        b"false" | b"False" | b"FALSE" => Some(false),
        _ if lenient => {
            if c == b"1" || c.eq_ignore_ascii_case(b"yes") || c.eq_ignore_ascii_case(b"true") {
                Some(true)
            } else if c == b"0" || c.eq_ignore_ascii_case(b"no") || c.eq_ignore_ascii_case(b"false")
            {
                Some(false)
            } else {
                None
            }
        }
        _ => None,
    }
}

fn nulls_from(validity: Vec<bool>, nulls: usize) -> Option<NullBuffer> {
    (nulls > 0).then(|| NullBuffer::from(validity))
}

/// Parses every non-missing cell with `parse`; `None` as soon as one fails.
fn collect_values<'a, T: Default + Copy, I, F>(
    cells: &F,
    na: &NaTokens,
    parse: impl Fn(&[u8]) -> Option<T>,
) -> Option<(Vec<T>, Option<NullBuffer>)>
where
    F: Fn() -> I,
    I: Iterator<Item = Option<&'a [u8]>>,
{
    let mut it = cells();
    let mut values = Vec::with_capacity(it.size_hint().0);
    let mut validity = Vec::with_capacity(it.size_hint().0);
    let mut nulls = 0;
    // Internal iteration: the chained per-chunk iterators fold without a per-cell `next` hop.
    let flow = it.try_for_each(|c| {
        match c {
            Some(c) if !na.is_na(c) => {
                values.push(parse(c).ok_or(())?);
                validity.push(true);
            }
            _ => {
                values.push(T::default());
                validity.push(false);
                nulls += 1;
            }
        }
        Ok::<(), ()>(())
    });
    flow.ok()?;
    Some((values, nulls_from(validity, nulls)))
}

fn try_integers<'a, I, F>(cells: &F, na: &NaTokens) -> Option<ArrayRef>
where
    F: Fn() -> I,
    I: Iterator<Item = Option<&'a [u8]>>,
{
    let (values, nulls) = collect_values(cells, na, parse_i64)?;
    Some(Arc::new(Int64Array::new(values.into(), nulls)))
}

fn try_floats<'a, I, F>(cells: &F, na: &NaTokens) -> Option<ArrayRef>
where
    F: Fn() -> I,
    I: Iterator<Item = Option<&'a [u8]>>,
{
    let (values, nulls) = collect_values(cells, na, parse_f64)?;
    Some(Arc::new(Float64Array::new(values.into(), nulls)))
}

fn try_booleans<'a, I, F>(cells: &F, na: &NaTokens, lenient: bool) -> Option<ArrayRef>
where
    F: Fn() -> I,
    I: Iterator<Item = Option<&'a [u8]>>,
{
    let (values, nulls) = collect_values(cells, na, |c| parse_bool(c, lenient))?;
    Some(Arc::new(BooleanArray::new(values.into(), nulls)))
}

fn try_datetimes<'a, I, F>(cells: &F, na: &NaTokens) -> Option<ArrayRef>
where
    F: Fn() -> I,
    I: Iterator<Item = Option<&'a [u8]>>,
{
    let (values, nulls) = collect_values(cells, na, |c| datetime::parse_micros(trim(c)))?;
    Some(Arc::new(TimestampMicrosecondArray::new(
        values.into(),
        nulls,
    )))
}

/// Dictionary-encodes the strings, or `None` when they are not valid UTF-8 or have too many
/// distinct values. Categories are sorted so codes do not depend on row order.
fn try_categorical<'a, I, F>(
    cells: &F,
    na: &NaTokens,
    max_distinct: usize,
    max_ratio: f64,
) -> Result<Option<ArrayRef>, CellError>
where
    F: Fn() -> I,
    I: Iterator<Item = Option<&'a [u8]>>,
{
    let mut index: FxHashMap<&'a [u8], i32> = FxHashMap::default();
    let mut order: Vec<&'a str> = Vec::new();
    let it = cells();
    let mut keys = Vec::with_capacity(it.size_hint().0);
    let mut validity = Vec::with_capacity(it.size_hint().0);
    let mut nulls = 0;
    // Break(None): too many distinct values; Break(Some(e)): invalid UTF-8 (checked once per
    // distinct value, since equal bytes are equally valid).
    let flow = it.enumerate().try_for_each(|(row, c)| {
        let Some(c) = c.filter(|c| !na.is_na(c)) else {
            keys.push(0);
            validity.push(false);
            nulls += 1;
            return ControlFlow::Continue(());
        };
        let code = match index.get(c) {
            Some(&code) => code,
            None => {
                let Ok(text) = std::str::from_utf8(c) else {
                    return ControlFlow::Break(Some(CellError::new(row, c, "valid UTF-8 text")));
                };
                if order.len() >= max_distinct {
                    return ControlFlow::Break(None);
                }
                order.push(text);
                index.insert(c, order.len() as i32 - 1);
                order.len() as i32 - 1
            }
        };
        keys.push(code);
        validity.push(true);
        ControlFlow::Continue(())
    });
    match flow {
        ControlFlow::Break(Some(e)) => return Err(e),
        ControlFlow::Break(None) => return Ok(None),
        ControlFlow::Continue(()) => {}
    }
    let non_null = keys.len() - nulls;
    if order.len() as f64 > max_ratio * non_null as f64 && order.len() > 1 {
        return Ok(None);
    }
    let names = order;
    let mut sorted: Vec<i32> = (0..names.len() as i32).collect();
    sorted.sort_by(|&a, &b| names[a as usize].cmp(names[b as usize]));
    let mut remap = vec![0i32; names.len()];
    for (new, &old) in sorted.iter().enumerate() {
        remap[old as usize] = new as i32;
    }
    // Missing cells hold key 0, which need not exist (a column of only missing cells).
    for (k, &valid) in keys.iter_mut().zip(&validity) {
        if valid {
            *k = remap[*k as usize];
        }
    }
    let values = StringArray::from_iter_values(sorted.iter().map(|&i| names[i as usize]));
    let keys = Int32Array::new(keys.into(), nulls_from(validity, nulls));
    let dict = DictionaryArray::<Int32Type>::try_new(keys, Arc::new(values))
        .map_err(|e| CellError::new(0, b"", format!("a valid dictionary ({e})")))?;
    Ok(Some(Arc::new(dict)))
}

/// Text column; a cell that is not valid UTF-8 is an error naming its row.
fn build_text<'a, I, F>(cells: &F, na: &NaTokens) -> Result<ArrayRef, CellError>
where
    F: Fn() -> I,
    I: Iterator<Item = Option<&'a [u8]>>,
{
    let mut builder = arrow_array::builder::StringBuilder::new();
    for (row, c) in cells().enumerate() {
        match c.filter(|c| !na.is_na(c)) {
            None => builder.append_null(),
            Some(c) => match std::str::from_utf8(c) {
                Ok(text) => builder.append_value(text),
                Err(_) => return Err(CellError::new(row, c, "valid UTF-8 text")),
            },
        }
    }
    Ok(Arc::new(builder.finish()))
}

/// `id` / `time` role suggestions (see the module comment).
fn suggest_role(name: &str, column_type: ColumnType, array: &ArrayRef) -> Role {
    use arrow_array::Array;
    match column_type {
        ColumnType::Datetime => Role::Time,
        ColumnType::Integer if array.null_count() == 0 && array.len() > 1 => {
            let a = arrow_array::cast::AsArray::as_primitive::<arrow_array::types::Int64Type>(
                array.as_ref(),
            );
            let v = a.values();
            let consecutive = v.windows(2).all(|w| w[0].checked_add(1) == Some(w[1]));
            if consecutive || (name_looks_like_id(name) && all_distinct(v.iter().copied())) {
                Role::Id
            } else {
                Role::Feature
            }
        }
        ColumnType::Text if array.null_count() == 0 && name_looks_like_id(name) => {
            let a = arrow_array::cast::AsArray::as_string::<i32>(array.as_ref());
            if all_distinct(a.iter().flatten()) {
                Role::Id
            } else {
                Role::Feature
            }
        }
        _ => Role::Feature,
    }
}

fn all_distinct<T: std::hash::Hash + Eq>(values: impl Iterator<Item = T>) -> bool {
    let mut seen = std::collections::HashSet::new();
    values.into_iter().all(|v| seen.insert(v))
}

/// `id`, `*_id`, `*-id`, `*Id`, `*ID`, `id_*`.
pub fn name_looks_like_id(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "id"
        || lower.ends_with("_id")
        || lower.ends_with("-id")
        || lower.starts_with("id_")
        || name.ends_with("Id")
        || (name.len() > 2 && name.ends_with("ID"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;

    fn build(cells: &[&str], forced: Option<ColumnType>) -> Result<(Field, ArrayRef), CellError> {
        build_named("c", cells, forced)
    }

    fn build_named(
        name: &str,
        cells: &[&str],
        forced: Option<ColumnType>,
    ) -> Result<(Field, ArrayRef), CellError> {
        let bytes: Vec<Option<&[u8]>> = cells.iter().map(|c| Some(c.as_bytes())).collect();
        build_column(
            name,
            || bytes.iter().copied(),
            forced,
            &NaTokens::default(),
            &InferOptions::default(),
        )
    }

    #[test]
    fn infers_the_narrowest_type() {
        let t = |cells: &[&str]| build(cells, None).unwrap().0.column_type;
        assert_eq!(t(&["1", " -2 ", "NA"]), ColumnType::Integer);
        assert_eq!(t(&["1", "2.5", "1e3"]), ColumnType::Numeric);
        assert_eq!(t(&["inf", "-inf", "0"]), ColumnType::Numeric);
        assert_eq!(t(&["", "NA", "?"]), ColumnType::Numeric);
        assert_eq!(t(&["True", "false", ""]), ColumnType::Boolean);
        assert_eq!(t(&["2024-01-01", "2024-01-02T10:00"]), ColumnType::Datetime);
        assert_eq!(t(&["a", "b", "a", "a"]), ColumnType::Categorical);
        assert_eq!(t(&["a", "b", "c", "d"]), ColumnType::Text);
        assert_eq!(t(&["99999999999999999999", "1"]), ColumnType::Numeric);
        assert_eq!(t(&["9223372036854775808", "1"]), ColumnType::Numeric);
        assert_eq!(t(&["-9223372036854775809", "1"]), ColumnType::Numeric);
    }

    #[test]
    fn integers_span_the_whole_i64_range() {
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"+0"), Some(0));
        assert_eq!(parse_i64(b"-0"), Some(0));
        assert_eq!(parse_i64(b"9223372036854775808"), None);
        assert_eq!(parse_i64(b"-9223372036854775809"), None);
        assert_eq!(parse_i64(b"-"), None);
    }

    #[test]
    fn categorical_codes_follow_sorted_categories() {
        let (_, a) = build(&["b", "a", "b", "", "b"], None).unwrap();
        let d = arrow_array::cast::AsArray::as_dictionary::<Int32Type>(a.as_ref());
        assert_eq!(d.keys().values().to_vec()[..3], [1, 0, 1]);
        assert!(d.is_null(3));
    }

    #[test]
    fn forced_types_report_the_first_bad_row() {
        let err = build(&["1", "2", "x7", "y"], Some(ColumnType::Integer)).unwrap_err();
        assert_eq!(
            (err.row, err.text.as_str(), err.expected.as_str()),
            (2, "x7", "an integer")
        );
        let err = build(&["1", "two"], Some(ColumnType::Numeric)).unwrap_err();
        assert_eq!(err.row, 1);
        let (_, a) = build(&["yes", "0", "NA"], Some(ColumnType::Boolean)).unwrap();
        assert_eq!(a.null_count(), 1);
    }

    #[test]
    fn every_type_can_be_forced_on_columns_without_values() {
        for t in ColumnType::ALL {
            let (f, a) = build(&["", "NA"], Some(t)).unwrap();
            assert_eq!((f.column_type, a.null_count()), (t, 2), "{t}");
            let (f, a) = build(&[], Some(t)).unwrap();
            assert_eq!((f.column_type, a.len()), (t, 0), "{t}");
        }
    }

    #[test]
    fn suggests_id_and_time_roles() {
        let role = |name: &str, cells: &[&str]| build_named(name, cells, None).unwrap().0.role;
        assert_eq!(role("row", &["10", "11", "12"]), Role::Id);
        assert_eq!(role("customer_id", &["7", "3", "12"]), Role::Id);
        assert_eq!(role("amount", &["7", "3", "12"]), Role::Feature);
        assert!(name_looks_like_id("PassengerId") && !name_looks_like_id("paid"));
        // i64::MAX has no successor; the check must not overflow.
        let (f, _) =
            build_named("n", &["9223372036854775807", "-9223372036854775808"], None).unwrap();
        assert_eq!(
            (f.column_type, f.role),
            (ColumnType::Integer, Role::Feature)
        );
    }

    proptest::proptest! {
        /// The fast decimal path must give bit-identical values to the full parser.
        #[test]
        fn fast_decimal_path_matches_the_full_parser(text in "[-+]?[0-9]{0,16}(\\.[0-9]{0,16})?") {
            let expected = text.parse::<f64>().ok();
            let fast = parse_simple_decimal(text.as_bytes());
            if let Some(v) = fast {
                proptest::prop_assert_eq!(Some(v.to_bits()), expected.map(f64::to_bits), "{}", text);
            }
            proptest::prop_assert_eq!(parse_f64(text.as_bytes()).map(f64::to_bits), expected.map(f64::to_bits));
        }
    }
}
