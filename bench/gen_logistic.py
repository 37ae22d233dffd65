"""Write a dense binary classification set drawn from a logistic model, for the `logistic` bench.

    python bench/gen_logistic.py OUT.bin --rows 1000000 --seed 42

50 float features and a 0/1 label. Features are standard normal mixed through a shared random
factor structure (pairwise correlations up to about 0.3), on scales from 0.5 to 3; 35 of them carry
signal through fixed coefficients (drawn once from seed 0, the same for every file), 15 are noise.
The label is Bernoulli(sigmoid(x · beta - 0.3)), so a linear model is the right model and the
classes overlap (the Bayes log-loss is far from 0).

File format: the one of `bench/gen_binary.py` (magic `KILNBM01`, u64 rows, u64 columns = 51,
then rows × columns f64 values, row-major, the label last), so `model_bench` and
`bench/peers/models.py` read it with the same reader. Rows are generated in chunks from
per-chunk seeded generators, so the file depends only on the seed and the row count.
"""

import argparse
import struct
import sys

import numpy as np

MAGIC = b"KILNBM01"
N_FEATURES = 50
N_INFORMATIVE = 35
CHUNK = 100_000


def model():
    rng = np.random.default_rng(0)
    loadings = rng.normal(0.0, 0.35, size=(5, N_FEATURES))
    scales = rng.uniform(0.5, 3.0, size=N_FEATURES)
    beta = np.zeros(N_FEATURES)
    beta[:N_INFORMATIVE] = rng.normal(0.0, 0.6, size=N_INFORMATIVE) / scales[:N_INFORMATIVE]
    return loadings, scales, beta


def chunk(rng, n, loadings, scales, beta):
    factors = rng.normal(size=(n, loadings.shape[0]))
    x = (rng.normal(size=(n, N_FEATURES)) + factors @ loadings) * scales
    p = 1.0 / (1.0 + np.exp(-(x @ beta - 0.3)))
    y = (rng.random(n) < p).astype(np.float64)
    return np.column_stack([x, y])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    loadings, scales, beta = model()
    with open(args.out, "wb") as f:
        f.write(MAGIC + struct.pack("<QQ", args.rows, N_FEATURES + 1))
        for c, start in enumerate(range(0, args.rows, CHUNK)):
            rng = np.random.default_rng([args.seed, c])
            block = chunk(rng, min(CHUNK, args.rows - start), loadings, scales, beta)
            f.write(np.ascontiguousarray(block, dtype="<f8").tobytes())
    return 0


if __name__ == "__main__":
    sys.exit(main())
