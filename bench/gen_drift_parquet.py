"""Write the reference and current files of the `drift` bench workload as Parquet.

    python bench/gen_drift_parquet.py REFERENCE.parquet CURRENT.parquet --rows 1000000 --seed 42

100 columns: 70 float columns `x00`..`x69` (normal, log-normal, uniform and 10-valued counts in
turn; about 2% of cells missing) and 30 string columns `c00`..`c29` with 3 to 60 categories
(skewed frequencies, about 1% missing), stored as Parquet dictionary columns. The current file
has the same distributions except in every fifth column: x00, x05, …, x65 are shifted by 0.3
standard deviations and c00, c05, …, c25 move 20% of their rows to their last category, so 20
of 100 columns drift. Rows are generated in chunks from per-chunk seeded generators.
"""

import argparse
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

N_NUMERIC = 70
N_CATEGORICAL = 30
CHUNK = 100_000


def categories(j: int) -> list[str]:
    k = 3 + (j * 57) // (N_CATEGORICAL - 1)
    return [f"v{i:02d}" for i in range(k)]


def chunk_table(rng: np.random.Generator, rows: int, current: bool) -> pa.Table:
    columns = {}
    for j in range(N_NUMERIC):
        kind = j % 4
        if kind == 0:
            v = rng.normal(10.0 * j, 1.0 + j % 7, rows)
            sd = 1.0 + j % 7
        elif kind == 1:
            v = rng.lognormal(0.0, 0.5 + (j % 5) / 10, rows)
            sd = float(np.sqrt((np.exp((0.5 + (j % 5) / 10) ** 2) - 1) * np.exp((0.5 + (j % 5) / 10) ** 2)))
        elif kind == 2:
            v = rng.uniform(-j, j + 1.0, rows)
            sd = (2 * j + 1.0) / np.sqrt(12)
        else:
            v = rng.binomial(9, 0.3 + (j % 4) / 10, rows).astype(float)
            p = 0.3 + (j % 4) / 10
            sd = float(np.sqrt(9 * p * (1 - p)))
        if current and j % 5 == 0:
            v = v + 0.3 * sd
        v[rng.random(rows) < 0.02] = np.nan
        columns[f"x{j:02d}"] = pa.array(v, type=pa.float64())
    for j in range(N_CATEGORICAL):
        names = categories(j)
        weights = 1.0 / np.arange(1, len(names) + 1)
        codes = rng.choice(len(names), rows, p=weights / weights.sum())
        if current and j % 5 == 0:
            codes = np.where(rng.random(rows) < 0.2, len(names) - 1, codes)
        mask = rng.random(rows) < 0.01
        indices = pa.array(codes.astype(np.int32), mask=mask)
        columns[f"c{j:02d}"] = pa.DictionaryArray.from_arrays(indices, pa.array(names))
    return pa.table(columns)


def write(path: str, rows: int, seed: int, current: bool) -> None:
    writer = None
    for k, start in enumerate(range(0, rows, CHUNK)):
        rng = np.random.default_rng([seed, int(current), k])
        table = chunk_table(rng, min(CHUNK, rows - start), current)
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema, compression="zstd")
        writer.write_table(table)
    if writer is not None:
        writer.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("reference")
    ap.add_argument("current")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    write(args.reference, args.rows, args.seed, current=False)
    write(args.current, args.rows, args.seed, current=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
