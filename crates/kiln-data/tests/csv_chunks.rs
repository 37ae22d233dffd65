//! Chunk-split correctness: the parallel whole-file reader splits its input at guessed record
//! boundaries, and the streaming reader cuts wherever its buffer ends. Inputs larger than the
//! smallest chunk (64 KiB) with quoted fields holding newlines, delimiters and doubled quotes,
//! and literal quotes inside unquoted fields (which fool the quote-parity guess), must give
//! exactly the frame read in one chunk. Tolerance: none (schema and every cell equal).

mod common;

use common::{Trickle, assert_cells_equal, assert_frames_equal};
use kiln_data::Frame;
use kiln_data::csv::{CsvChunks, CsvOptions, read_csv_bytes};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// About `target` bytes of CSV: an integer id, a float, a quoted note with newlines, commas and
/// doubled quotes, a label that sometimes holds a literal quote (`5" tall`), a category; CRLF
/// on some lines; blank lines here and there.
fn tricky_csv(target: usize, literal_quotes: bool, seed: u64) -> Vec<u8> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = b"id,x,note,label,kind\n".to_vec();
    let mut i = 0;
    while out.len() < target {
        let note = match rng.random_range(0..5) {
            0 => "\"line one\nline two, with comma\"".to_string(),
            1 => format!("\"she said \"\"{i}\"\"\r\nthen left\""),
            2 => "\"\"".to_string(),
            3 => format!("plain {i}"),
            _ => format!("\"ünïcödé 日本 {i}\n\n\"").to_string(),
        };
        let label = if literal_quotes && rng.random_bool(0.2) {
            format!("{}\" tall", rng.random_range(4..7))
        } else {
            format!("l{}", rng.random_range(0..1000))
        };
        let x = if rng.random_bool(0.1) {
            String::new()
        } else {
            format!("{}", rng.random_range(-1e3..1e3f64))
        };
        let kind = ["a", "b", "c", "NA"][rng.random_range(0..4)];
        let eol = if rng.random_bool(0.3) { "\r\n" } else { "\n" };
        out.extend_from_slice(format!("{i},{x},{note},{label},{kind}{eol}").as_bytes());
        if rng.random_bool(0.02) {
            out.extend_from_slice(b"\n");
        }
        i += 1;
    }
    out
}

fn read_with_chunk(bytes: &[u8], chunk_bytes: usize) -> Frame {
    let options = CsvOptions {
        chunk_bytes,
        ..CsvOptions::default()
    };
    read_csv_bytes(bytes, "big.csv", &options).unwrap()
}

/// Streams with the types of `like` forced, since a streaming schema is otherwise inferred from
/// the first chunk alone (and may legitimately differ from the whole file's).
fn stream(bytes: &[u8], like: &Frame, chunk_bytes: usize, step: usize) -> Vec<Frame> {
    let mut options = CsvOptions {
        chunk_bytes,
        ..CsvOptions::default()
    };
    for f in &like.schema().fields {
        options.overrides.set_type(&f.name, f.column_type);
    }
    let reader = Trickle::new(bytes.to_vec(), step);
    CsvChunks::from_reader(Box::new(reader), "big.csv", options)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn parallel_chunks_match_one_chunk() {
    for (literal_quotes, size, seed) in
        [(false, 600_000, 1), (true, 600_000, 2), (true, 200_000, 3)]
    {
        let bytes = tricky_csv(size, literal_quotes, seed);
        let one = read_with_chunk(&bytes, usize::MAX);
        assert!(one.n_rows() > 1000);
        for chunk in [1 << 16, 100_000, 1 << 17] {
            let split = read_with_chunk(&bytes, chunk);
            assert_frames_equal(
                &split,
                &one,
                &format!("chunk {chunk}, quotes {literal_quotes}"),
            );
        }
    }
}

#[test]
fn streamed_chunks_match_one_chunk() {
    let bytes = tricky_csv(300_000, true, 4);
    let one = read_with_chunk(&bytes, usize::MAX);
    // The reader hands out at most `step` bytes per call; a frame holds what the buffer held.
    for (chunk, step) in [(1024, 333), (4096, 5000), (1 << 16, 7919)] {
        let frames = stream(&bytes, &one, chunk, step);
        assert!(frames.len() > 1, "chunk {chunk}: {} frames", frames.len());
        // Later chunks take the first chunk's types; nullability may only be learned later, so
        // the frames are compared cell by cell against slices of the one-chunk frame.
        let mut offset = 0;
        for f in &frames {
            assert_cells_equal(
                f,
                &one.slice(offset, f.n_rows()),
                &format!("chunk {chunk} at row {offset}"),
            );
            offset += f.n_rows();
        }
        assert_eq!(offset, one.n_rows());
    }
}

/// The splitter's guess (an even number of quotes before a newline) goes wrong after a literal
/// quote in an unquoted field; a chunk boundary inside a quoted field must never be taken.
#[test]
fn a_boundary_guess_inside_a_quoted_field_is_not_taken() {
    let mut text = String::from("a,b\n");
    text.push_str("5\" tall,1\n"); // one literal quote: the parity is now off
    let mut rows = 1;
    while text.len() < 300_000 {
        // Each record's newlines sit inside quotes; with the parity off they look like ends.
        text.push_str(&format!("\"x\n{rows}\ny\",{rows}\n"));
        rows += 1;
    }
    let one = read_with_chunk(text.as_bytes(), usize::MAX);
    assert_eq!(one.n_rows(), rows);
    let split = read_with_chunk(text.as_bytes(), 1 << 16);
    assert_frames_equal(&split, &one, "parity fooled");
    assert_eq!(split.cell_text(5, 0).as_deref(), Some("x\n5\ny"));
}

/// A first record longer than the streaming buffer: the reader must read on, not re-read the
/// header as a data row (it used to, giving an extra first row `id, blob, n`).
#[test]
fn a_first_record_longer_than_the_buffer_does_not_repeat_the_header() {
    let mut bytes = b"id,blob,n\n0,".to_vec();
    bytes.extend(vec![b'y'; 5000]);
    bytes.extend_from_slice(b",7\n1,short,8\n");
    let one = read_with_chunk(&bytes, usize::MAX);
    let frames = stream(&bytes, &one, 1024, 500);
    let rows: usize = frames.iter().map(Frame::n_rows).sum();
    assert_eq!(rows, 2);
    assert_cells_equal(
        &frames[0],
        &one.slice(0, frames[0].n_rows()),
        "long first record",
    );
    // With inferred types too: `id` stays an integer column.
    let options = CsvOptions {
        chunk_bytes: 1024,
        ..CsvOptions::default()
    };
    let reader = Trickle::new(bytes, 500);
    let first = CsvChunks::from_reader(Box::new(reader), "big.csv", options)
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    assert_eq!(
        first.schema().fields[0].column_type,
        kiln_data::ColumnType::Integer
    );
}
