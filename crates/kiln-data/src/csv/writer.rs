//! CSV writing: values as the readers read them back (round-trip exact floats, ISO datetimes),
//! quoting only where needed, missing cells empty. As with pandas, a text value that equals a
//! missing-value token (such as the empty string or `NA`) reads back as missing.

use std::io::Write;
use std::path::Path;

use crate::error::{DataError, Result};
use crate::frame::Frame;

/// Writes a frame to a CSV file with a header.
pub fn write_csv(frame: &Frame, path: &Path) -> Result<()> {
    let file = std::fs::File::create(path).map_err(|e| DataError::io(path, e))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    write_csv_to(frame, &mut w).map_err(|e| DataError::io(path, e))?;
    w.flush().map_err(|e| DataError::io(path, e))
}

/// Writes a frame as CSV to any writer.
pub fn write_csv_to(frame: &Frame, w: &mut impl Write) -> std::io::Result<()> {
    let names: Vec<&str> = frame.names().collect();
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        write_field(w, name)?;
    }
    w.write_all(b"\n")?;
    for row in 0..frame.n_rows() {
        for col in 0..frame.n_cols() {
            if col > 0 {
                w.write_all(b",")?;
            }
            if let Some(text) = frame.cell_text(row, col) {
                write_field(w, &text)?;
            }
        }
        w.write_all(b"\n")?;
    }
    Ok(())
}

fn write_field(w: &mut impl Write, text: &str) -> std::io::Result<()> {
    let needs = text
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
        || text.starts_with(' ')
        || text.ends_with(' ');
    if !needs {
        return w.write_all(text.as_bytes());
    }
    w.write_all(b"\"")?;
    w.write_all(text.replace('"', "\"\"").as_bytes())?;
    w.write_all(b"\"")
}
