"""Write a `bench/gen_binary.py` file as Parquet, the input of the `train` workload.

    python bench/bin_to_parquet.py IN.bin OUT.parquet

`kiln train` and the peer script read ordinary tabular files, not the raw f64 format the model
workloads share, so the `train` workload converts the same generated rows once: 28 float64
feature columns `f00` … `f27` and the 0/1 label as an int64 column `y` (an integer target with
two values, so both sides treat the job as binary classification). zstd compression, as
`bench/gen_prep_parquet.py` writes (kiln's Parquet reader is built without snappy, pyarrow's
default codec); the values are bit-for-bit those of the .bin file.
"""

import argparse
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

MAGIC = b"KILNBM01"
CHUNK = 100_000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", help="a file written by bench/gen_binary.py")
    ap.add_argument("out", help="the Parquet file to write")
    args = ap.parse_args()
    with open(args.src, "rb") as f:
        header = f.read(24)
        if len(header) != 24 or header[:8] != MAGIC:
            print(f"{args.src}: not a bench/gen_binary.py file (bad magic)", file=sys.stderr)
            return 1
        rows, cols = (int(v) for v in np.frombuffer(header[8:], dtype="<u8"))
        names = [f"f{i:02d}" for i in range(cols - 1)] + ["y"]
        schema = pa.schema([(n, pa.float64()) for n in names[:-1]] + [("y", pa.int64())])
        with pq.ParquetWriter(args.out, schema, compression="zstd") as writer:
            for start in range(0, rows, CHUNK):
                n = min(CHUNK, rows - start)
                block = np.fromfile(f, dtype="<f8", count=n * cols)
                if block.size != n * cols:
                    print(f"{args.src}: truncated (expected {rows} rows)", file=sys.stderr)
                    return 1
                block = block.reshape(n, cols)
                arrays = [pa.array(block[:, j]) for j in range(cols - 1)]
                arrays.append(pa.array(block[:, -1].astype(np.int64)))
                writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
    return 0


if __name__ == "__main__":
    sys.exit(main())
