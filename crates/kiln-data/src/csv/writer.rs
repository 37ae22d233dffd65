//! CSV writing: values as the readers read them back (round-trip exact floats, ISO datetimes),
//! quoting only where needed (delimiters, quotes, line breaks, leading or trailing blanks, which
//! would otherwise make a line look blank), missing cells empty. As with pandas, a text value that equals a
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
            match frame.cell_text(row, col) {
                Some(text) => write_field(w, &text)?,
                // A lone empty field would be a blank line, which readers skip; `""` keeps the
                // row (as Python's csv module writes it) and still reads as missing.
                None if frame.n_cols() == 1 => w.write_all(b"\"\"")?,
                None => {}
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
        || text.starts_with([' ', '\t'])
        || text.ends_with([' ', '\t']);
    if !needs {
        return w.write_all(text.as_bytes());
    }
    w.write_all(b"\"")?;
    w.write_all(text.replace('"', "\"\"").as_bytes())?;
    w.write_all(b"\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csv::{CsvOptions, read_csv_bytes};
    use crate::{ColumnType, Schema, schema::Field};
    use arrow_array::StringArray;
    use std::sync::Arc;

    #[test]
    fn single_column_missing_and_blank_cells_survive_a_round_trip() {
        let values = StringArray::from(vec![Some("a"), None, Some("\t"), Some("  "), Some("b")]);
        let frame = Frame::new(
            Schema::new(vec![Field::new("t", ColumnType::Text)]).unwrap(),
            vec![Arc::new(values)],
        )
        .unwrap();
        let mut out = Vec::new();
        write_csv_to(&frame, &mut out).unwrap();
        assert_eq!(out, b"t\na\n\"\"\n\"\t\"\n\"  \"\nb\n");
        let mut options = CsvOptions::default();
        options.overrides.set_type("t", ColumnType::Text);
        let back = read_csv_bytes(&out, "t.csv", &options).unwrap();
        let cells: Vec<_> = (0..back.n_rows()).map(|r| back.cell_text(r, 0)).collect();
        assert_eq!(
            cells,
            [
                Some("a".into()),
                None,
                Some("\t".into()),
                Some("  ".into()),
                Some("b".into())
            ]
        );
    }
}
