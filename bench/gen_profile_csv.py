"""Write the seeded mixed-type CSV that the profile benchmark profiles.

    python bench/gen_profile_csv.py OUT.csv [--rows 1000000] [--seed 7]

50 columns, in this order:
  f01..f30  float64, ~5% empty cells each: normal, log-normal, uniform, exponential and
            Student-t (heavy tails) columns, some correlated with f01 (linear and monotonic
            non-linear relations, so the correlation advice has something to find)
  i01..i10  integers, no missing (counts, ages, years, small and large ranges)
  c01..c07  low-cardinality text: 2 to 30 categories with skewed frequencies
  b01       boolean, written True/False
  target    text class label, "yes" (~12%) / "no"

At 1,000,000 rows the file is about 330 MB. The same seed and row count give the same bytes.
Rows are written in chunks so memory stays small.
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


def chunk(rng: np.random.Generator, n: int) -> pd.DataFrame:
    cols: dict[str, np.ndarray] = {}
    base = rng.normal(0.0, 1.0, n)
    for k in range(30):
        kind = k % 6
        if k == 0:
            x = base
        elif kind == 1:
            x = np.exp(base * 0.8 + rng.normal(0.0, 0.3, n))  # monotonic, non-linear in f01
        elif kind == 2:
            x = rng.uniform(0.0, 1000.0, n)
        elif kind == 3:
            x = rng.exponential(5.0, n)
        elif kind == 4:
            x = rng.standard_t(3, n) * 10.0
        elif kind == 5:
            x = 2.0 * base + rng.normal(0.0, 0.2, n)  # nearly collinear with f01
        else:
            x = rng.normal(100.0, 15.0, n)
        x = np.round(x, 5)
        x[rng.random(n) < MISSING_RATE] = np.nan
        cols[f"f{k + 1:02d}"] = x
    ints = [
        rng.poisson(3.0, n),
        rng.integers(18, 91, n),
        rng.integers(1990, 2025, n),
        rng.integers(-10_000, 10_001, n),
        rng.integers(0, 1_000_000, n),
        rng.geometric(0.05, n),
        rng.binomial(20, 0.3, n),
        rng.integers(0, 5, n),
        rng.integers(0, 100, n),
        rng.poisson(50.0, n),
    ]
    for k, v in enumerate(ints):
        cols[f"i{k + 1:02d}"] = v
    for k, levels in enumerate([2, 3, 5, 7, 12, 20, 30]):
        p = 1.0 / np.arange(1, levels + 1)
        p /= p.sum()
        names = np.asarray([f"c{k + 1}_{j:02d}" for j in range(levels)], dtype=object)
        cols[f"c{k + 1:02d}"] = names[rng.choice(levels, n, p=p)]
    cols["b01"] = rng.random(n) < 0.3
    logit = 0.8 * base - 2.3
    cols["target"] = np.where(rng.random(n) < 1.0 / (1.0 + np.exp(-logit)), "yes", "no")
    return pd.DataFrame(cols)


def write(out: Path, rows: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".partial")
    with tmp.open("w", encoding="utf-8", newline="") as f:
        done = 0
        while done < rows:
            n = min(CHUNK_ROWS, rows - done)
            chunk(rng, n).to_csv(f, index=False, header=(done == 0), lineterminator="\n", na_rep="")
            done += n
    tmp.replace(out)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    if args.rows < 1:
        ap.error("--rows must be at least 1")
    start = time.perf_counter()
    write(args.out, args.rows, args.seed)
    size_mb = args.out.stat().st_size / 1e6
    print(
        f"wrote {args.out} ({args.rows} rows x 50 columns, {size_mb:.1f} MB) "
        f"in {time.perf_counter() - start:.1f}s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
