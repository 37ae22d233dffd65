//! The `kiln` binary: parses arguments and wires the library crates together.
fn main() {
    println!("kiln");
}
