//! Splitting CSV bytes into records and fields (RFC 4180 with the leniencies of Python's `csv`).
//!
//! Rules: fields are separated by the delimiter and records by `\n` (a `\r` before it is dropped);
//! a field that starts with the quote character is quoted: it may hold delimiters, newlines and
//! doubled quotes (`""` → `"`); text after a closing quote is appended as in Python's `csv`; a quote
//! inside an unquoted field is literal. Blank lines are skipped.
//!
//! Fields are stored as `(start, end)` byte offsets into the input; a quoted field that needed
//! unescaping is copied into a per-chunk scratch buffer and flagged with the top bit of `start`.
//! Chunks are limited to 1 GiB so offsets fit in 31 bits.

use memchr::{memchr, memchr_iter, memchr2};

/// Marks a field offset as pointing into the scratch buffer.
const SCRATCH: u32 = 1 << 31;

/// Largest chunk the tokenizer accepts (offsets must fit in 31 bits).
pub const MAX_CHUNK_BYTES: usize = (1 << 30) - 1;

/// The delimiter and quote characters.
#[derive(Debug, Clone, Copy)]
pub struct Dialect {
    /// Field separator.
    pub delimiter: u8,
    /// Quote character.
    pub quote: u8,
}

/// Records parsed from one chunk of the input.
#[derive(Debug, Default)]
pub struct Records {
    /// Byte offset of the chunk within the whole input.
    pub base: usize,
    /// Field offsets, row-major: field `c` of row `r` is `fields[r * n_cols + c]`.
    fields: Vec<(u32, u32)>,
    /// Offset (relative to `base`) where each row starts, for line numbers in errors.
    pub row_starts: Vec<u32>,
    scratch: Vec<u8>,
}

/// Why a chunk could not be tokenized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenizeError {
    /// A row has a different number of fields from the header.
    Ragged {
        /// Absolute byte offset of the row.
        offset: usize,
        /// Fields found.
        found: usize,
        /// Fields expected.
        expected: usize,
    },
    /// A quoted field is still open at the end of the input.
    UnterminatedQuote {
        /// Absolute byte offset of the row holding the opening quote.
        offset: usize,
    },
}

/// How the last record of a parse ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RecordEnd {
    /// At a newline; the next record starts at this offset.
    Newline(usize),
    /// At the end of the input without a newline.
    EndOfInput,
    /// Inside a quoted field at the end of the input.
    OpenQuote,
}

impl Records {
    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.row_starts.len()
    }

    /// The bytes of one field, resolved against the input the chunk was parsed from.
    #[inline]
    pub fn field<'a>(&'a self, input: &'a [u8], index: usize) -> &'a [u8] {
        let (start, end) = self.fields[index];
        if start & SCRATCH != 0 {
            &self.scratch[(start & !SCRATCH) as usize..end as usize]
        } else {
            &input[self.base + start as usize..self.base + end as usize]
        }
    }

    fn push_slice(&mut self, start: usize, end: usize) {
        self.fields
            .push(((start - self.base) as u32, (end - self.base) as u32));
    }

    fn push_owned(&mut self, bytes: &[u8]) {
        let start = self.scratch.len();
        self.scratch.extend_from_slice(bytes);
        self.fields
            .push((start as u32 | SCRATCH, self.scratch.len() as u32));
    }
}

/// Skips blank lines (`\n` or `\r\n`) at `pos`.
fn skip_blank_lines(buf: &[u8], mut pos: usize, end: usize) -> usize {
    loop {
        if pos < end && buf[pos] == b'\n' {
            pos += 1;
        } else if pos + 1 < end && buf[pos] == b'\r' && buf[pos + 1] == b'\n' {
            pos += 2;
        } else {
            return pos;
        }
    }
}

/// Parses one record starting at `pos` (not blank), appending its fields.
fn parse_record(buf: &[u8], pos: usize, d: Dialect, out: &mut Records) -> RecordEnd {
    let line_end = memchr(b'\n', &buf[pos..]).map_or(buf.len(), |i| pos + i);
    let line = &buf[pos..line_end];
    if memchr(d.quote, line).is_none() {
        // Fast path: no quotes, so the newline ends the record and delimiters split it.
        let mut field_start = pos;
        for i in memchr_iter(d.delimiter, line) {
            out.push_slice(field_start, pos + i);
            field_start = pos + i + 1;
        }
        let mut last_end = line_end;
        if last_end > field_start && buf[last_end - 1] == b'\r' {
            last_end -= 1;
        }
        out.push_slice(field_start, last_end);
        return if line_end < buf.len() {
            RecordEnd::Newline(line_end + 1)
        } else {
            RecordEnd::EndOfInput
        };
    }
    parse_quoted_record(buf, pos, d, out)
}

/// The general state machine, for records that contain quote characters.
fn parse_quoted_record(buf: &[u8], mut pos: usize, d: Dialect, out: &mut Records) -> RecordEnd {
    let mut owned: Vec<u8> = Vec::new();
    loop {
        // One field starting at `pos`.
        if pos < buf.len() && buf[pos] == d.quote {
            owned.clear();
            let mut needs_copy = false;
            let mut seg_start = pos + 1;
            let mut cursor = seg_start;
            let content_end;
            loop {
                let Some(i) = memchr(d.quote, &buf[cursor..]) else {
                    return RecordEnd::OpenQuote;
                };
                let q = cursor + i;
                if q + 1 < buf.len() && buf[q + 1] == d.quote {
                    owned.extend_from_slice(&buf[seg_start..=q]);
                    needs_copy = true;
                    cursor = q + 2;
                    seg_start = cursor;
                } else {
                    content_end = q;
                    pos = q + 1;
                    break;
                }
            }
            // Text between the closing quote and the next delimiter/newline is kept.
            let rest_end = memchr2(d.delimiter, b'\n', &buf[pos..]).map_or(buf.len(), |i| pos + i);
            let mut rest = &buf[pos..rest_end];
            if rest_end < buf.len() && buf[rest_end] == b'\n' {
                rest = rest.strip_suffix(b"\r").unwrap_or(rest);
            }
            if needs_copy || !rest.is_empty() {
                owned.extend_from_slice(&buf[seg_start..content_end]);
                owned.extend_from_slice(rest);
                out.push_owned(&owned);
            } else {
                out.push_slice(seg_start, content_end);
            }
            pos = rest_end;
        } else {
            let end = memchr2(d.delimiter, b'\n', &buf[pos..]).map_or(buf.len(), |i| pos + i);
            let mut field_end = end;
            if end < buf.len()
                && buf[end] == b'\n'
                && field_end > pos
                && buf[field_end - 1] == b'\r'
            {
                field_end -= 1;
            }
            out.push_slice(pos, field_end);
            pos = end;
        }
        if pos >= buf.len() {
            return RecordEnd::EndOfInput;
        }
        if buf[pos] == b'\n' {
            return RecordEnd::Newline(pos + 1);
        }
        pos += 1; // the delimiter
    }
}

/// A header's raw field bytes and the offset after it.
pub type Header = (Vec<Vec<u8>>, usize);

/// Parses the first non-blank record at or after `pos`: the header. Returns its fields and the
/// offset after it, or `None` when the input holds no record.
pub fn parse_header(buf: &[u8], pos: usize, d: Dialect) -> Result<Option<Header>, TokenizeError> {
    let start = skip_blank_lines(buf, pos, buf.len());
    if start >= buf.len() {
        return Ok(None);
    }
    let mut rec = Records::default();
    let next = match parse_record(buf, start, d, &mut rec) {
        RecordEnd::Newline(n) => n,
        RecordEnd::EndOfInput => buf.len(),
        RecordEnd::OpenQuote => return Err(TokenizeError::UnterminatedQuote { offset: start }),
    };
    let names = (0..rec.fields.len())
        .map(|i| rec.field(buf, i).to_vec())
        .collect();
    Ok(Some((names, next)))
}

/// Outcome of tokenizing `buf[start..end]`.
pub struct ChunkParse {
    /// The records.
    pub records: Records,
    /// Offset after the last complete record.
    pub consumed: usize,
}

/// Tokenizes the records that start in `buf[start..end]`, each with exactly `n_cols` fields.
///
/// With `final_chunk` false, a record cut off by the end of `buf` is left unconsumed (for
/// streaming); with it true, it is an ordinary last record or an unterminated-quote error.
pub fn parse_chunk(
    buf: &[u8],
    start: usize,
    end: usize,
    n_cols: usize,
    d: Dialect,
    final_chunk: bool,
) -> Result<ChunkParse, TokenizeError> {
    let mut rec = Records {
        base: start,
        ..Records::default()
    };
    let mut pos = start;
    loop {
        pos = skip_blank_lines(buf, pos, buf.len());
        if pos >= end {
            break;
        }
        let before = rec.fields.len();
        let outcome = parse_record(buf, pos, d, &mut rec);
        let cut_off = matches!(outcome, RecordEnd::EndOfInput | RecordEnd::OpenQuote);
        if cut_off && !final_chunk {
            rec.fields.truncate(before);
            break;
        }
        if outcome == RecordEnd::OpenQuote {
            return Err(TokenizeError::UnterminatedQuote { offset: pos });
        }
        let found = rec.fields.len() - before;
        if found != n_cols {
            return Err(TokenizeError::Ragged {
                offset: pos,
                found,
                expected: n_cols,
            });
        }
        rec.row_starts.push((pos - start) as u32);
        pos = match outcome {
            RecordEnd::Newline(n) => n,
            _ => buf.len(),
        };
    }
    Ok(ChunkParse {
        consumed: pos.min(buf.len()),
        records: rec,
    })
}

/// Offsets that probably start records, splitting `buf[start..]` into about `n` chunks.
///
/// A newline is taken as a record boundary when the number of quote characters before it is
/// even. That guess fails only when a quote appears inside an unquoted field; the caller checks
/// that every chunk ends exactly where the next begins and falls back to one chunk otherwise.
pub fn split_points(buf: &[u8], start: usize, n: usize, quote: u8) -> Vec<usize> {
    let len = buf.len() - start;
    let mut points = vec![start];
    let mut quotes_before = 0usize;
    let mut prev = start;
    for k in 1..n {
        let target = (start + len * k / n).max(prev);
        let mut pos = target;
        quotes_before += memchr_iter(quote, &buf[prev..pos]).count();
        let found = loop {
            let Some(i) = memchr(b'\n', &buf[pos..]) else {
                break None;
            };
            let nl = pos + i;
            quotes_before += memchr_iter(quote, &buf[pos..nl]).count();
            pos = nl + 1;
            if quotes_before.is_multiple_of(2) {
                break Some(pos);
            }
        };
        match found {
            Some(p) if p < buf.len() && p > *points.last().unwrap_or(&start) => {
                points.push(p);
                prev = p;
            }
            _ => break,
        }
    }
    points.push(buf.len());
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: Dialect = Dialect {
        delimiter: b',',
        quote: b'"',
    };

    fn rows(input: &str, n_cols: usize) -> Result<Vec<Vec<String>>, TokenizeError> {
        let buf = input.as_bytes();
        let p = parse_chunk(buf, 0, buf.len(), n_cols, D, true)?;
        Ok((0..p.records.n_rows())
            .map(|r| {
                (0..n_cols)
                    .map(|c| {
                        String::from_utf8(p.records.field(buf, r * n_cols + c).to_vec()).unwrap()
                    })
                    .collect()
            })
            .collect())
    }

    #[test]
    fn handles_quotes_newlines_and_crlf() {
        let got = rows("a,\"b,c\"\r\n\"x\"\"y\",\"multi\nline\"\n\n1,2", 2).unwrap();
        assert_eq!(
            got,
            vec![
                vec!["a".to_string(), "b,c".into()],
                vec!["x\"y".into(), "multi\nline".into()],
                vec!["1".into(), "2".into()],
            ]
        );
    }

    #[test]
    fn lenient_like_python_csv() {
        let got = rows("\"ab\"cd,e\"f\n", 2).unwrap();
        assert_eq!(got, vec![vec!["abcd".to_string(), "e\"f".into()]]);
        let got = rows("a,\n", 2).unwrap();
        assert_eq!(got, vec![vec!["a".to_string(), String::new()]]);
    }

    #[test]
    fn reports_ragged_rows_and_open_quotes() {
        assert_eq!(
            rows("1,2\n3\n", 2),
            Err(TokenizeError::Ragged {
                offset: 4,
                found: 1,
                expected: 2
            })
        );
        assert_eq!(
            rows("1,\"2\n", 2),
            Err(TokenizeError::UnterminatedQuote { offset: 0 })
        );
    }

    #[test]
    fn streaming_leaves_cut_records_unconsumed() {
        let buf = b"1,2\n3,4\n5,";
        let p = parse_chunk(buf, 0, buf.len(), 2, D, false).unwrap();
        assert_eq!((p.records.n_rows(), p.consumed), (2, 8));
    }

    #[test]
    fn split_points_respect_quotes() {
        let buf = b"\"a\nb\",1\n\"c\nd\",2\n\"e\nf\",3\n";
        for n in 1..6 {
            let pts = split_points(buf, 0, n, b'"');
            for &p in &pts[1..pts.len() - 1] {
                assert!([8, 16].contains(&p), "{n}: {pts:?}");
            }
        }
    }
}
