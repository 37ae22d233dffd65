//! CSV reading and writing.
//!
//! `read_csv` loads a whole file: it splits the bytes into chunks at record boundaries, tokenizes
//! the chunks in parallel, then types each column in parallel (see `infer`). `CsvChunks` streams a
//! file of any size in bounded memory for work that needs one pass (profiling, scoring): the
//! first chunk fixes the schema and later chunks must fit it.
//!
//! Errors name the file, the line (counted from 1, header included, as an editor shows it) and
//! the column.

mod reader;
mod tokenizer;
mod writer;

pub use reader::{CsvChunks, CsvOptions, read_csv, read_csv_bytes};
pub use tokenizer::Dialect;
pub use writer::{write_csv, write_csv_to};
