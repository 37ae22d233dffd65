"""Write a dense classification set for the svm and knn bench workloads.

    python bench/gen_dense.py OUT.bin --rows 20000 --cols 20 --classes 2 --seed 42

`cols` standard-normal features and a label in 0..classes-1 from a smooth nonlinear score of the
first eight features plus noise, cut at fixed thresholds, so the classes overlap and neither an
SVM nor k-nearest neighbours separates them perfectly. Features are already on one scale (what
an SVM or kNN pipeline sees after standardisation).

Same file format as bench/gen_binary.py (read by bench/peers/models.py and
crates/kiln-models/examples/model_bench.rs):

    8 bytes  magic b"KILNBM01"
    u64      rows
    u64      columns (cols features + 1 label)
    f64      rows × columns values, row-major, the label in the last column

Rows come in chunks from per-chunk seeded generators: the file depends only on the arguments.
Use different seeds for the training and the test file.
"""

import argparse
import struct
import sys

import numpy as np

MAGIC = b"KILNBM01"
CHUNK = 100_000


def chunk(rng: np.random.Generator, n: int, cols: int, classes: int) -> np.ndarray:
    x = rng.standard_normal((n, cols))
    s = (
        np.sin(1.5 * x[:, 0])
        + 0.8 * x[:, 1] * x[:, 2]
        + 0.6 * x[:, 3]
        - 0.5 * np.abs(x[:, 4])
        + 0.4 * np.cos(x[:, 5] + x[:, 6])
        + 0.3 * x[:, 7] ** 2
        - 0.2
        + 0.5 * rng.standard_normal(n)
    )
    cuts = np.quantile(np.linspace(-2.0, 2.0, 1001), np.arange(1, classes) / classes) if classes > 2 else [0.0]
    y = np.digitize(s, cuts).astype(np.float64)
    return np.column_stack([x, y])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--cols", type=int, default=20)
    ap.add_argument("--classes", type=int, default=2)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    if args.cols < 8 or args.classes < 2:
        raise SystemExit("need --cols >= 8 and --classes >= 2")
    with open(args.out, "wb") as f:
        f.write(MAGIC + struct.pack("<QQ", args.rows, args.cols + 1))
        for c, start in enumerate(range(0, args.rows, CHUNK)):
            rng = np.random.default_rng([args.seed, c])
            block = chunk(rng, min(CHUNK, args.rows - start), args.cols, args.classes)
            f.write(np.ascontiguousarray(block, dtype="<f8").tobytes())
    return 0


if __name__ == "__main__":
    sys.exit(main())
