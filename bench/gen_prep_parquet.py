"""Write the mixed frame of the `prep` bench workload as Parquet.

    python bench/gen_prep_parquet.py OUT.parquet --rows 1000000 --seed 42

50 columns: 45 float columns `x00`..`x44` (mixed scales; about 5% of cells missing in each) and
5 low-cardinality string columns `c0`..`c4` with 3, 5, 8, 12 and 20 categories (about 2% missing,
skewed frequencies so most-frequent imputation has a clear answer). String columns are stored as
Parquet dictionary columns, which both kiln and pandas read as categories. Rows are generated in
chunks from per-chunk seeded generators, so the file is the same for a given seed and row count.
"""

import argparse
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

N_NUMERIC = 45
CATEGORY_COUNTS = [3, 5, 8, 12, 20]
NUMERIC_MISSING = 0.05
CATEGORY_MISSING = 0.02
CHUNK = 100_000


def chunk_table(rng: np.random.Generator, rows: int) -> pa.Table:
    columns = {}
    for j in range(N_NUMERIC):
        kind = j % 3
        if kind == 0:
            v = rng.normal(loc=j, scale=1.0 + j, size=rows)
        elif kind == 1:
            v = rng.lognormal(mean=0.0, sigma=1.0, size=rows) * 10.0 ** (j % 5)
        else:
            v = rng.uniform(-1.0, 1.0, size=rows)
        missing = rng.random(rows) < NUMERIC_MISSING
        columns[f"x{j:02d}"] = pa.array(v, mask=missing, type=pa.float64())
    for j, k in enumerate(CATEGORY_COUNTS):
        levels = np.array([f"c{j}_v{i:02d}" for i in range(k)])
        weights = 1.0 / np.arange(1, k + 1)  # Zipf-like: level 0 is the most frequent
        codes = rng.choice(k, size=rows, p=weights / weights.sum()).astype(np.int32)
        missing = rng.random(rows) < CATEGORY_MISSING
        indices = pa.array(codes, mask=missing, type=pa.int32())
        columns[f"c{j}"] = pa.DictionaryArray.from_arrays(indices, pa.array(levels))
    return pa.table(columns)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    writer = None
    try:
        for c, start in enumerate(range(0, args.rows, CHUNK)):
            rng = np.random.default_rng([args.seed, c])
            table = chunk_table(rng, min(CHUNK, args.rows - start))
            if writer is None:
                writer = pq.ParquetWriter(args.out, table.schema, compression="zstd")
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
