"""Write the seeded mixed-type CSV that the csv_read benchmark reads.

    python bench/gen_mixed_csv.py OUT.csv [--rows 1000000] [--seed 42]

30 columns, in this order:
  f01..f18  float64, ~5% empty cells each; mixed scales and precisions (normal, log-normal prices,
            uniform, small probabilities partly in exponent form, heavy-tailed large magnitudes,
            negatives)
  i01..i06  integers, no missing (counts, ages, years, signed values, large ids)
  c01..c04  low-cardinality text: 3, 7, 12 and 20 categories
  b01       boolean, written True/False
  s01       high-cardinality text: 16-hex-digit ids (practically unique)

At 1,000,000 rows the file is about 230 MB. The same seed and row count give the same bytes
(with the pinned numpy and pandas in tools/reference/requirements.txt). Rows are written in
chunks so memory stays small whatever the size.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

CHUNK_ROWS = 100_000
MISSING_RATE = 0.05

COLOURS = ["red", "green", "blue"]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
REGIONS = [f"region_{i:02d}" for i in range(20)]


def float_columns(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    cols = {}
    for k in range(18):
        kind = k % 6
        if kind == 0:
            x = np.round(rng.normal(0.0, 1.0, n), 6)
        elif kind == 1:
            x = np.round(rng.lognormal(3.0, 1.0, n), 2)  # prices
        elif kind == 2:
            x = np.round(rng.uniform(0.0, 1000.0, n), 3)
        elif kind == 3:
            # Small probabilities at 4 significant digits; the tiny ones print as "1.234e-05".
            x = np.array([float(f"{v:.4g}") for v in rng.beta(0.3, 30.0, n).tolist()])
        elif kind == 4:
            x = rng.standard_cauchy(n) * 1e8  # heavy tails, full precision
            x = np.round(x, 1)
        else:
            x = np.round(rng.normal(-50.0, 25.0, n), 4)  # mostly negative
        x[rng.random(n) < MISSING_RATE] = np.nan
        cols[f"f{k + 1:02d}"] = x
    return cols


def int_columns(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    return {
        "i01": rng.poisson(3.0, n),
        "i02": rng.integers(18, 91, n),
        "i03": rng.integers(1990, 2025, n),
        "i04": rng.integers(-10_000, 10_001, n),
        "i05": rng.integers(0, 1_000_000_000, n),
        "i06": rng.geometric(0.01, n),
    }


def text_columns(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    def pick(options: list[str], p=None) -> np.ndarray:
        return np.asarray(options, dtype=object)[rng.choice(len(options), n, p=p)]

    # Skewed frequencies, as real categories are.
    region_p = 1.0 / np.arange(1, len(REGIONS) + 1)
    region_p /= region_p.sum()
    ids = rng.integers(0, 2**63, n, dtype=np.int64) ^ rng.integers(0, 2**63, n, dtype=np.int64)
    return {
        "c01": pick(COLOURS),
        "c02": pick(WEEKDAYS),
        "c03": pick(MONTHS),
        "c04": pick(REGIONS, p=region_p),
        "b01": rng.random(n) < 0.3,
        "s01": np.array([f"{v:016x}" for v in ids.tolist()], dtype=object),
    }


def write(out: Path, rows: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".partial")
    with tmp.open("w", encoding="utf-8", newline="") as f:
        done = 0
        while done < rows:
            n = min(CHUNK_ROWS, rows - done)
            cols = {**float_columns(rng, n), **int_columns(rng, n), **text_columns(rng, n)}
            df = pd.DataFrame(cols)
            df.to_csv(f, index=False, header=(done == 0), lineterminator="\n", na_rep="")
            done += n
    tmp.replace(out)  # only a complete file ever carries the final name


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args(argv)
    if args.rows < 1:
        ap.error("--rows must be at least 1")
    start = time.perf_counter()
    write(args.out, args.rows, args.seed)
    size_mb = args.out.stat().st_size / 1e6
    print(
        f"wrote {args.out} ({args.rows} rows x 30 columns, {size_mb:.1f} MB) "
        f"in {time.perf_counter() - start:.1f}s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
