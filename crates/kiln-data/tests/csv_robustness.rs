//! Parser robustness: generated malformed and random CSV inputs never panic.
//!
//! 12,000 inputs from a seeded generator (random bytes; soups of delimiters, quotes, `\r`, `\n`,
//! NA tokens, BOMs and invalid UTF-8; ragged rows and truncated quoted fields; fields larger
//! than a chunk; header-only and empty files) go through `read_csv_bytes` with several option
//! sets and, when accepted, through `CsvChunks` fed by a reader that returns a few bytes at a time
//! with a 1 KiB chunk size. Expectation: `Ok`, or `Err` with a non-empty message naming the
//! input; never a panic. Where both readers succeed with every column forced to text (so the
//! streaming schema cannot differ), they must agree exactly: same names, rows and cells. They
//! must also agree on whether the input is accepted at all.

use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};

use kiln_data::csv::{CsvChunks, CsvOptions, read_csv_bytes};
use kiln_data::{ColumnType, DataError, Frame};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const CASES: usize = 12_000;
const ORIGIN: &str = "fuzz.csv";

/// Pieces that make CSV parsers stumble.
const TOKENS: &[&[u8]] = &[
    b",",
    b",",
    b",",
    b";",
    b"\t",
    b"\"",
    b"\"",
    b"\"\"",
    b"\n",
    b"\n",
    b"\r",
    b"\r\n",
    b"NA",
    b"?",
    b"",
    b" ",
    b"a",
    b"b",
    b"1",
    b"-2",
    b"2.5",
    b"1e400",
    b"inf",
    b"true",
    b"False",
    b"2024-02-29",
    b"2024-02-30T10:00",
    b"\xEF\xBB\xBF",
    b"\xff",
    b"\xc3",
    b"\xc3\xa9",
    b"\xe6\x97",
    b"\xf0\x9f\x98\x80",
    b"#N/A",
    b"nan",
    b"9223372036854775808",
    b"-9223372036854775808",
];

/// A reader that hands out the input a few bytes at a time, so the streaming reader sees
/// records, `\r\n` pairs, quotes and UTF-8 sequences cut at every possible place.
struct Trickle {
    data: Vec<u8>,
    pos: usize,
    rng: ChaCha8Rng,
}

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.data.len() - self.pos;
        let n = left.min(buf.len()).min(self.rng.random_range(1..=700));
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

fn random_bytes(rng: &mut ChaCha8Rng) -> Vec<u8> {
    let n = rng.random_range(0..300);
    (0..n).map(|_| rng.random()).collect()
}

fn token_soup(rng: &mut ChaCha8Rng) -> Vec<u8> {
    let n = rng.random_range(0..80);
    let mut out = Vec::new();
    for _ in 0..n {
        out.extend_from_slice(TOKENS.choose(rng).expect("tokens"));
    }
    out
}

/// A roughly well-formed table with mistakes: ragged rows, stray and unterminated quotes, blank
/// and whitespace lines, CRLF, NA tokens, sometimes truncated at a random byte.
fn broken_table(rng: &mut ChaCha8Rng) -> Vec<u8> {
    // Half the tables are well-formed (quoted fields, literal quotes, NA, numbers only), so both
    // outcomes are common.
    let defects = rng.random_bool(0.5);
    let delim = *[b',', b',', b';', b'\t'].choose(rng).expect("delimiters");
    let n_cols = rng.random_range(1..6);
    let n_rows = rng.random_range(0..40);
    let eol: &[u8] = if rng.random_bool(0.3) { b"\r\n" } else { b"\n" };
    let mut out = Vec::new();
    if rng.random_bool(0.1) {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    for c in 0..n_cols {
        if c > 0 {
            out.push(delim);
        }
        match if defects { rng.random_range(0..20) } else { 4 } {
            0 => {}                                     // empty name
            1 => out.extend_from_slice(b"dup"),         // maybe duplicated
            2 => out.extend_from_slice(b"\"q\nname\""), // quoted with newline
            3 => out.extend_from_slice(b"\xff\xfe"),    // invalid UTF-8
            _ => out.extend_from_slice(format!("col{c}").as_bytes()),
        }
    }
    out.extend_from_slice(eol);
    for _ in 0..n_rows {
        let fields = if defects && rng.random_bool(0.05) {
            rng.random_range(0..n_cols + 3)
        } else {
            n_cols
        };
        for f in 0..fields {
            if f > 0 {
                out.push(delim);
            }
            let kind = rng.random_range(0..12);
            let cell: Vec<u8> = match if defects {
                kind
            } else {
                [0, 1, 3, 5, 6][kind % 5]
            } {
                0 => b"\"a \"\"quoted\"\" value,\nwith newline\"".to_vec(),
                1 => b"5\" tall".to_vec(), // literal quote in an unquoted field
                2 => b"\"unterminated".to_vec(),
                3 => b"\"closed\"trailing".to_vec(),
                4 => token_soup(rng).into_iter().take(12).collect(),
                5 => b"NA".to_vec(),
                _ => format!("{}", rng.random_range(-1000..1000)).into_bytes(),
            };
            out.extend_from_slice(&cell);
        }
        out.extend_from_slice(eol);
        if rng.random_bool(0.05) {
            out.extend_from_slice(if rng.random_bool(0.5) {
                b"\n"
            } else {
                b"  \t\r\n"
            });
        }
    }
    if defects && rng.random_bool(0.2) && !out.is_empty() {
        let cut = rng.random_range(0..out.len());
        out.truncate(cut);
    }
    out
}

/// Fields far larger than a chunk (plain or quoted with newlines and doubled quotes).
fn huge_fields(rng: &mut ChaCha8Rng) -> Vec<u8> {
    let mut out = b"id,blob,n\n".to_vec();
    for i in 0..rng.random_range(1..4) {
        let len = rng.random_range(10_000..150_000);
        let blob: Vec<u8> = if rng.random_bool(0.5) {
            let mut b = vec![b'"'];
            b.extend((0..len).map(|j| match j % 97 {
                0 => b'\n',
                13 => b',',
                50 => b'"', // doubled below
                _ => b'x',
            }));
            let mut escaped = Vec::new();
            for &c in &b[1..] {
                escaped.push(c);
                if c == b'"' {
                    escaped.push(b'"');
                }
            }
            b.truncate(1);
            b.extend(escaped);
            if rng.random_bool(0.8) {
                b.push(b'"');
            }
            b
        } else {
            vec![b'y'; len]
        };
        out.extend_from_slice(format!("{i},").as_bytes());
        out.extend_from_slice(&blob);
        out.extend_from_slice(format!(",{i}\n").as_bytes());
    }
    out
}

fn edge_case(i: usize) -> Vec<u8> {
    let cases: &[&[u8]] = &[
        b"",
        b"\n",
        b"\n\n\r\n",
        b"   ",
        b"\xEF\xBB\xBF",
        b"\xEF\xBB\xBF\n",
        b"a,b,c",
        b"a,b,c\n",
        b"a,b,c\r\n",
        b"\"",
        b"\"a",
        b"\"a\"\"",
        b",",
        b",\n",
        b"a\n\"",
        b"a\n\r",
        b"a,b\n1,2\n\r",
        b"a\n\xff",
        b"\xff\n1",
    ];
    cases[i % cases.len()].to_vec()
}

fn input(i: usize, rng: &mut ChaCha8Rng) -> Vec<u8> {
    match i % 10 {
        0 | 1 => random_bytes(rng),
        2..=4 => token_soup(rng),
        5..=8 => broken_table(rng),
        _ if i % 200 == 9 => huge_fields(rng),
        _ => edge_case(i / 10),
    }
}

/// `Ok`, or an error whose message is non-empty and, for parse errors, starts with the origin.
fn check_result(result: &kiln_data::Result<Frame>, input: &[u8]) {
    if let Err(e) = result {
        let message = e.to_string();
        assert!(
            !message.trim().is_empty(),
            "empty error for {}",
            describe(input)
        );
        if let DataError::Parse { location, .. } = e {
            assert!(
                location.starts_with(ORIGIN),
                "{message} for {}",
                describe(input)
            );
        }
    }
}

fn options_variant(k: usize) -> CsvOptions {
    let mut o = CsvOptions::default();
    match k % 4 {
        0 => {}
        1 => o.delimiter = b';',
        2 => o.has_header = false,
        _ => {
            o.delimiter = b'\t';
            o.chunk_bytes = 1 << 16;
        }
    }
    o
}

/// All columns forced to text (so a later chunk cannot disagree with the first chunk's types).
fn text_options(names: &[String], chunk_bytes: usize) -> CsvOptions {
    let mut o = CsvOptions::default();
    for n in names {
        o.overrides.set_type(n, ColumnType::Text);
    }
    o.chunk_bytes = chunk_bytes;
    o
}

fn stream(input: &[u8], options: CsvOptions, seed: u64) -> kiln_data::Result<Vec<Frame>> {
    let reader = Trickle {
        data: input.to_vec(),
        pos: 0,
        rng: ChaCha8Rng::seed_from_u64(seed),
    };
    CsvChunks::from_reader(Box::new(reader), ORIGIN, options)?.collect()
}

/// A short, printable view of an input for failure messages.
fn describe(input: &[u8]) -> String {
    let head = String::from_utf8_lossy(&input[..input.len().min(120)]);
    format!("{} bytes starting {head:?}", input.len())
}

fn shorten(cell: &Option<String>) -> String {
    match cell {
        Some(s) if s.len() > 40 => {
            format!("{:?}… ({} bytes)", &s[..s.floor_char_boundary(40)], s.len())
        }
        other => format!("{other:?}"),
    }
}

/// How the whole-file and streaming results differ, if they do: acceptance, names, row count,
/// or the first differing cell.
fn disagreement(
    names: &[String],
    whole: &kiln_data::Result<Frame>,
    streamed: &kiln_data::Result<Vec<Frame>>,
) -> Option<String> {
    match (whole, streamed) {
        (Ok(w), Ok(s)) => {
            if let Some(f) = s
                .iter()
                .find(|f| f.names().ne(names.iter().map(String::as_str)))
            {
                return Some(format!(
                    "streamed names {:?}",
                    f.names().collect::<Vec<_>>()
                ));
            }
            let (a, b) = (cells(std::slice::from_ref(w)), cells(s));
            if a.len() != b.len() {
                return Some(format!("{} rows whole, {} streamed", a.len(), b.len()));
            }
            let (r, (x, y)) = a.iter().zip(&b).enumerate().find(|(_, (x, y))| x != y)?;
            let c = x.iter().zip(y).position(|(p, q)| p != q).unwrap_or(0);
            Some(format!(
                "row {r}, column {c}: whole {}, streamed {}",
                shorten(&x[c]),
                shorten(&y[c])
            ))
        }
        (Err(a), Err(b)) => {
            (a.to_string() != b.to_string()).then(|| format!("errors differ: {a} / {b}"))
        }
        (w, s) => Some(format!(
            "whole {:?}, streamed {:?}",
            w.as_ref().map(Frame::n_rows).map_err(ToString::to_string),
            s.as_ref().map(Vec::len).map_err(ToString::to_string),
        )),
    }
}

/// Cells of frames read in pieces, row by row.
fn cells(frames: &[Frame]) -> Vec<Vec<Option<String>>> {
    frames
        .iter()
        .flat_map(|f| {
            (0..f.n_rows()).map(move |r| (0..f.n_cols()).map(|c| f.cell_text(r, c)).collect())
        })
        .collect()
}

#[test]
fn generated_inputs_never_panic_and_readers_agree() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x0c5f_1e55);
    let mut panics: Vec<(usize, Vec<u8>, String)> = Vec::new();
    let (mut ok, mut err, mut compared) = (0usize, 0usize, 0usize);
    for i in 0..CASES {
        let input = input(i, &mut rng);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let first = read_csv_bytes(&input, ORIGIN, &CsvOptions::default());
            check_result(&first, &input);
            let other = read_csv_bytes(&input, ORIGIN, &options_variant(i));
            check_result(&other, &input);
            let Ok(frame) = &first else {
                return (false, false);
            };
            let names: Vec<String> = frame.names().map(str::to_string).collect();
            let whole = read_csv_bytes(&input, ORIGIN, &text_options(&names, 1 << 16));
            let streamed = stream(&input, text_options(&names, 1024), i as u64);
            if let Some(problem) = disagreement(&names, &whole, &streamed) {
                panic!("readers disagree on {}: {problem}", describe(&input));
            }
            (true, true)
        }));
        match outcome {
            Ok((accepted, was_compared)) => {
                if accepted {
                    ok += 1;
                } else {
                    err += 1;
                }
                compared += usize::from(was_compared);
            }
            Err(p) => {
                let message = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                panics.push((i, input.clone(), message));
            }
        }
    }
    let shown: Vec<String> = panics
        .iter()
        .take(5)
        .map(|(i, input, m)| format!("case {i}: {m}\n  input: {}", describe(input)))
        .collect();
    assert!(
        panics.is_empty(),
        "{} of {CASES} inputs panicked:\n{}",
        panics.len(),
        shown.join("\n")
    );
    // The generator must exercise both outcomes and the comparison substantially.
    assert!(
        ok > 2000 && err > 2000 && compared > 2000,
        "ok {ok}, err {err}, compared {compared}"
    );
}
