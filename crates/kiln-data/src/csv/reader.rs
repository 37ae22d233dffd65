//! The CSV readers: whole-file (`read_csv`) and streaming (`CsvChunks`).

use std::io::Read;
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::tokenizer::{self, Dialect, MAX_CHUNK_BYTES, Records, TokenizeError};
use crate::error::{DataError, Result};
use crate::frame::Frame;
use crate::infer::{self, DEFAULT_NA_TOKENS, InferOptions, NaTokens};
use crate::schema::{ColumnType, Schema, SchemaOverrides};

/// Options of the CSV readers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CsvOptions {
    /// Field separator (default `,`).
    pub delimiter: u8,
    /// Quote character (default `"`).
    pub quote: u8,
    /// Whether the first record names the columns (default true). Without a header, columns are
    /// named `column_1`, `column_2`, ….
    pub has_header: bool,
    /// Cell texts read as missing (default: pandas' list plus `?`).
    pub na_tokens: Vec<String>,
    /// Type-inference thresholds.
    pub infer: InferOptions,
    /// Forced types and roles per column.
    pub overrides: SchemaOverrides,
    /// Bytes per chunk for parallel tokenizing and streaming (default 8 MiB).
    pub chunk_bytes: usize,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            delimiter: b',',
            quote: b'"',
            has_header: true,
            na_tokens: DEFAULT_NA_TOKENS.iter().map(|s| s.to_string()).collect(),
            infer: InferOptions::default(),
            overrides: SchemaOverrides::default(),
            chunk_bytes: 8 << 20,
        }
    }
}

impl CsvOptions {
    fn dialect(&self) -> Result<Dialect> {
        for (what, c) in [("delimiter", self.delimiter), ("quote", self.quote)] {
            if c == b'\n' || c == b'\r' || !c.is_ascii() {
                return Err(DataError::invalid(
                    what,
                    format!(
                        "{:?} cannot be used; choose a printable ASCII character",
                        c as char
                    ),
                ));
            }
        }
        if self.delimiter == self.quote {
            return Err(DataError::invalid(
                "delimiter",
                "the delimiter and the quote character must differ",
            ));
        }
        Ok(Dialect {
            delimiter: self.delimiter,
            quote: self.quote,
        })
    }
}

/// Reads a whole CSV file into a frame.
pub fn read_csv(path: &Path, options: &CsvOptions) -> Result<Frame> {
    let bytes = std::fs::read(path).map_err(|e| DataError::io(path, e))?;
    read_csv_bytes(&bytes, &path.display().to_string(), options)
}

/// Reads CSV from memory; `origin` names the input in error messages.
pub fn read_csv_bytes(bytes: &[u8], origin: &str, options: &CsvOptions) -> Result<Frame> {
    let dialect = options.dialect()?;
    let start = usize::from(bytes.starts_with(b"\xEF\xBB\xBF")) * 3;
    let (names, data_start) = read_header(bytes, start, origin, options, dialect)?;
    let n_cols = names.len();
    let n_chunks = (bytes.len() - data_start)
        .div_ceil(options.chunk_bytes.clamp(1 << 16, MAX_CHUNK_BYTES))
        .max(1);
    let points = tokenizer::split_points(bytes, data_start, n_chunks, dialect.quote);
    let parsed: Vec<_> = points
        .par_windows(2)
        .map(|w| tokenizer::parse_chunk(bytes, w[0], w[1], n_cols, dialect, true))
        .collect();
    // Every chunk must end exactly where the next begins; otherwise the split guessed wrong
    // (a literal quote inside an unquoted field) and one sequential pass decides.
    let aligned = parsed
        .iter()
        .zip(points.windows(2))
        .all(|(p, w)| p.as_ref().is_ok_and(|p| p.consumed == w[1]));
    let chunks: Vec<Records> = if aligned || points.len() == 2 {
        parsed
            .into_iter()
            .map(|p| p.map(|p| p.records))
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| tokenize_error(bytes, origin, e))?
    } else {
        let p = tokenizer::parse_chunk(bytes, data_start, bytes.len(), n_cols, dialect, true)
            .map_err(|e| tokenize_error(bytes, origin, e))?;
        vec![p.records]
    };
    build_frame(bytes, origin, &names, &chunks, options, None, 0)
}

/// The column names (from the header or generated) and where the data starts.
fn read_header(
    bytes: &[u8],
    start: usize,
    origin: &str,
    options: &CsvOptions,
    dialect: Dialect,
) -> Result<(Vec<String>, usize)> {
    let Some(header) = tokenizer::parse_header(bytes, start, dialect)
        .map_err(|e| tokenize_error(bytes, origin, e))?
    else {
        return Err(DataError::parse(
            origin,
            "the file is empty: no header line",
        ));
    };
    if !options.has_header {
        let names = (1..=header.names.len())
            .map(|i| format!("column_{i}"))
            .collect();
        return Ok((names, start));
    }
    let line = line_of(bytes, header.start);
    let mut names = Vec::with_capacity(header.names.len());
    for (i, name) in header.names.into_iter().enumerate() {
        let name = String::from_utf8(name).map_err(|_| {
            DataError::parse(
                format!("{origin}: line {line}, column {}", i + 1),
                "the header name is not valid UTF-8",
            )
        })?;
        names.push(name);
    }
    let fields = names
        .iter()
        .map(|n| crate::schema::Field::new(n.clone(), ColumnType::Text))
        .collect();
    Schema { fields }
        .check_names()
        .map_err(|e| DataError::parse(format!("{origin}: header"), strip_invalid_prefix(&e)))?;
    Ok((names, header.next))
}

fn strip_invalid_prefix(e: &DataError) -> String {
    match e {
        DataError::Invalid { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

/// 1-based line number of a byte offset.
fn line_of(bytes: &[u8], offset: usize) -> usize {
    memchr::memchr_iter(b'\n', &bytes[..offset.min(bytes.len())]).count() + 1
}

fn tokenize_error(bytes: &[u8], origin: &str, e: TokenizeError) -> DataError {
    match e {
        TokenizeError::Ragged {
            offset,
            found,
            expected,
        } => DataError::parse(
            format!("{origin}: line {}", line_of(bytes, offset)),
            format!("found {found} fields, expected {expected} (as in the header)"),
        ),
        TokenizeError::UnterminatedQuote { offset } => DataError::parse(
            format!("{origin}: line {}", line_of(bytes, offset)),
            "the quoted field opened on this line is never closed (missing closing quote)",
        ),
    }
}

/// Types every column of the tokenized chunks and assembles the frame. `fixed` forces the types
/// of an earlier chunk (streaming); `line_base` counts lines consumed before `bytes`.
fn build_frame(
    bytes: &[u8],
    origin: &str,
    names: &[String],
    chunks: &[Records],
    options: &CsvOptions,
    fixed: Option<&Schema>,
    line_base: usize,
) -> Result<Frame> {
    let n_cols = names.len();
    let na = NaTokens::new(&options.na_tokens);
    for name in options.overrides.columns.keys() {
        if !names.contains(name) {
            return Err(DataError::UnknownColumn {
                name: name.clone(),
                available: names.join(", "),
            });
        }
    }
    let built: Vec<_> = (0..n_cols)
        .into_par_iter()
        .map(|c| {
            let cells = || {
                chunks.iter().flat_map(move |ch| {
                    ch.column(bytes, c).map(Some)
                })
            };
            let forced = match fixed {
                Some(s) => Some(s.fields[c].column_type),
                None => options.overrides.type_of(&names[c]),
            };
            infer::build_column(&names[c], cells, forced, &na, &options.infer).map_err(|e| {
                let (chunk, row) = locate_row(chunks, e.row);
                let offset = chunk.base + chunk.row_starts.get(row).map_or(0, |&s| s as usize);
                let mut message = format!("expected {}, found '{}'", e.expected, e.text);
                if fixed.is_some() {
                    message.push_str(&format!(
                        " (the type {} was inferred from the first chunk of the file; force the type with a schema override)",
                        fixed.map_or(ColumnType::Text, |s| s.fields[c].column_type)
                    ));
                }
                DataError::parse(
                    format!(
                        "{origin}: line {}, column '{}' (field {})",
                        line_base + line_of(bytes, offset),
                        names[c],
                        c + 1
                    ),
                    message,
                )
            })
        })
        .collect();
    let mut fields = Vec::with_capacity(n_cols);
    let mut columns = Vec::with_capacity(n_cols);
    for b in built {
        let (field, array) = b?;
        fields.push(field);
        columns.push(array);
    }
    let mut schema = match fixed {
        Some(s) => {
            // Roles and declared nullability come from the first chunk.
            let mut s = s.clone();
            for (f, new) in s.fields.iter_mut().zip(&fields) {
                f.nullable |= new.nullable;
            }
            s
        }
        None => Schema::new(fields)?,
    };
    if fixed.is_none() {
        options.overrides.apply_roles(&mut schema)?;
    }
    Frame::new(schema, columns)
}

/// The chunk and row within it of a global row index.
fn locate_row(chunks: &[Records], mut row: usize) -> (&Records, usize) {
    for ch in chunks {
        if row < ch.n_rows() {
            return (ch, row);
        }
        row -= ch.n_rows();
    }
    // Only reachable with an index past the end; the last row is the honest answer then.
    let last = chunks
        .iter()
        .rev()
        .find(|c| c.n_rows() > 0)
        .unwrap_or(&chunks[0]);
    (last, last.n_rows().saturating_sub(1))
}

/// Streams a CSV file as frames of about `chunk_bytes` each, in bounded memory.
///
/// The first chunk's inferred schema (with overrides) is kept for all later chunks; a later cell
/// that does not fit it is an error naming its line, which a schema override fixes.
pub struct CsvChunks {
    origin: String,
    reader: Box<dyn Read + Send>,
    options: CsvOptions,
    dialect: Dialect,
    buffer: Vec<u8>,
    names: Option<Vec<String>>,
    schema: Option<Schema>,
    lines_before: usize,
    at_eof: bool,
    bytes_read: u64,
}

impl CsvChunks {
    /// The column names of a CSV file, from its header line alone (the whole file is not read).
    pub fn column_names(path: &Path, options: &CsvOptions) -> Result<Vec<String>> {
        let header_only = CsvOptions {
            overrides: SchemaOverrides::default(),
            chunk_bytes: 1 << 16,
            ..options.clone()
        };
        let mut chunks = Self::open(path, header_only)?;
        match chunks.next_frame()? {
            Some(frame) => Ok(frame.names().map(str::to_string).collect()),
            None => Ok(chunks.names.unwrap_or_default()),
        }
    }

    /// Opens a file for streaming.
    pub fn open(path: &Path, options: CsvOptions) -> Result<Self> {
        let file = std::fs::File::open(path).map_err(|e| DataError::io(path, e))?;
        Self::from_reader(Box::new(file), &path.display().to_string(), options)
    }

    /// Streams from any reader; `origin` names it in errors.
    pub fn from_reader(
        reader: Box<dyn Read + Send>,
        origin: &str,
        options: CsvOptions,
    ) -> Result<Self> {
        let dialect = options.dialect()?;
        Ok(CsvChunks {
            origin: origin.to_string(),
            reader,
            options,
            dialect,
            buffer: Vec::new(),
            names: None,
            schema: None,
            lines_before: 0,
            at_eof: false,
            bytes_read: 0,
        })
    }

    /// Bytes read from the source so far (for progress bars).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// The schema fixed by the first chunk, once it has been read.
    pub fn schema(&self) -> Option<&Schema> {
        self.schema.as_ref()
    }

    /// Reads until the buffer holds at least `want` bytes or the input ends.
    fn fill(&mut self, want: usize) -> Result<()> {
        // Read no more than asked, so frames follow `chunk_bytes` rather than the block size.
        let size = want
            .saturating_sub(self.buffer.len())
            .clamp(1 << 10, 1 << 20);
        let mut block = vec![0u8; size];
        while self.buffer.len() < want && !self.at_eof {
            let n = self
                .reader
                .read(&mut block)
                .map_err(|e| DataError::io(&self.origin, e))?;
            if n == 0 {
                self.at_eof = true;
            }
            self.bytes_read += n as u64;
            self.buffer.extend_from_slice(&block[..n]);
        }
        Ok(())
    }

    fn next_frame(&mut self) -> Result<Option<Frame>> {
        let chunk_bytes = self.options.chunk_bytes.clamp(1 << 10, MAX_CHUNK_BYTES);
        let mut want = chunk_bytes;
        loop {
            self.fill(want)?;
            let origin = self.origin.clone();
            let mut start = 0;
            if self.names.is_none() {
                if self.buffer.starts_with(b"\xEF\xBB\xBF") {
                    start = 3;
                }
                // A header cut off by the buffer end needs more input first.
                match tokenizer::parse_header(&self.buffer, start, self.dialect) {
                    Err(_) | Ok(None) if !self.at_eof => {
                        want += chunk_bytes;
                        continue;
                    }
                    _ => {}
                }
                let (names, after) =
                    read_header(&self.buffer, start, &origin, &self.options, self.dialect)?;
                if after == self.buffer.len() && !self.at_eof && !self.buffer.ends_with(b"\n") {
                    want += chunk_bytes;
                    continue;
                }
                self.names = Some(names);
                // Consume the header now: if the first record does not fit in the buffer, the
                // loop comes round again and must not read the header as data.
                if self.options.has_header {
                    self.lines_before += memchr::memchr_iter(b'\n', &self.buffer[..after]).count();
                    self.buffer.drain(..after);
                } else {
                    self.buffer.drain(..start);
                }
                start = 0;
            }
            let names = self.names.clone().unwrap_or_default();
            let parse = tokenizer::parse_chunk(
                &self.buffer,
                start,
                self.buffer.len(),
                names.len(),
                self.dialect,
                self.at_eof,
            )
            .map_err(|e| {
                let mut err = tokenize_error(&self.buffer, &origin, e);
                shift_line(&mut err, self.lines_before);
                err
            })?;
            if parse.records.n_rows() == 0 {
                if self.at_eof {
                    // Header only (or nothing left): an empty frame once, for the schema.
                    if self.schema.is_none() {
                        let frame = build_frame(
                            &self.buffer,
                            &origin,
                            &names,
                            &[parse.records],
                            &self.options,
                            None,
                            0,
                        )?;
                        self.schema = Some(frame.schema().clone());
                        self.buffer.clear();
                        return Ok(Some(frame));
                    }
                    return Ok(None);
                }
                // One record longer than the chunk: read more.
                want = self.buffer.len() + chunk_bytes;
                continue;
            }
            let frame = build_frame(
                &self.buffer,
                &origin,
                &names,
                std::slice::from_ref(&parse.records),
                &self.options,
                self.schema.as_ref(),
                self.lines_before,
            )?;
            if self.schema.is_none() {
                self.schema = Some(frame.schema().clone());
            }
            self.lines_before += memchr::memchr_iter(b'\n', &self.buffer[..parse.consumed]).count();
            self.buffer.drain(..parse.consumed);
            return Ok(Some(frame));
        }
    }
}

/// Adds `lines` to the line number in a parse error's location.
fn shift_line(err: &mut DataError, lines: usize) {
    if let DataError::Parse { location, .. } = err
        && let Some(i) = location.find("line ")
    {
        let digits: String = location[i + 5..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        if let Ok(n) = digits.parse::<usize>() {
            location.replace_range(i + 5..i + 5 + digits.len(), &(n + lines).to_string());
        }
    }
}

impl Iterator for CsvChunks {
    type Item = Result<Frame>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_frame().transpose()
    }
}
