"""Write a Gaussian-blobs clustering set for the `kmeans` bench workload.

    python bench/gen_blobs.py OUT.bin --rows 1000000 --features 20 --centres 16 --seed 7

`--centres` blob centres drawn uniformly in [-10, 10]^features; each blob has its own spread
(standard deviation between 1.5 and 4, so neighbouring blobs overlap and k-means needs a few dozen
iterations), rows are assigned to blobs uniformly at random. The label column is the blob id.
Same file format as `bench/gen_binary.py` (read by `crates/kiln-models/examples/model_bench.rs`
and `bench/peers/models.py`):

    8 bytes  magic b"KILNBM01"
    u64      rows
    u64      columns (features + 1 label)
    f64      rows × columns values, row-major, the label in the last column

Rows are generated in chunks from per-chunk seeded generators, so the file depends only on the
arguments. Rows come in random blob order, so the first k rows are a random initialisation; the
bench uses them as the explicit initial centres on every side.
"""

import argparse
import struct

import numpy as np

MAGIC = b"KILNBM01"
CHUNK = 100_000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--features", type=int, default=20)
    ap.add_argument("--centres", type=int, default=16)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    centres = rng.uniform(-10.0, 10.0, size=(args.centres, args.features))
    spread = rng.uniform(1.5, 4.0, size=args.centres)
    with open(args.out, "wb") as f:
        f.write(MAGIC + struct.pack("<QQ", args.rows, args.features + 1))
        for c, start in enumerate(range(0, args.rows, CHUNK)):
            n = min(CHUNK, args.rows - start)
            r = np.random.default_rng([args.seed, c])
            blob = r.integers(0, args.centres, size=n)
            x = centres[blob] + r.normal(size=(n, args.features)) * spread[blob, None]
            np.column_stack([x, blob.astype(np.float64)]).astype("<f8").tofile(f)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
