//! Reads a CSV file with kiln's whole-file reader and prints the time it took: the smallest
//! harness for profiling the reader (`perf record target/release/examples/read_csv FILE`).

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: read_csv FILE.csv");
        std::process::exit(2);
    };
    let start = std::time::Instant::now();
    match kiln_data::csv::read_csv(std::path::Path::new(&path), &Default::default()) {
        Ok(frame) => println!(
            "{} rows × {} columns in {:.3} s",
            frame.n_rows(),
            frame.n_cols(),
            start.elapsed().as_secs_f64()
        ),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
