"""Write a Higgs-like binary classification set for the model bench workloads.

    python bench/gen_binary.py OUT.bin --rows 1000000 --seed 42

28 float features and a 0/1 label, shaped like the UCI HIGGS set: 21 "low-level" features
(lepton and 4 jets: transverse momentum, lognormal; pseudo-rapidity, normal; azimuthal angle,
uniform and uninformative; jet b-tags, three discrete values; missing energy and its angle) whose
distributions shift a little with the class, and 7 "high-level" features (invariant-mass-like
nonlinear combinations of the low-level ones with a class-dependent resonance and noise).
About 53% positives; the classes overlap strongly, so a good model reaches an AUC well below 1.

File format (little-endian), read by `bench/peers/models.py` and
`crates/kiln-models/examples/model_bench.rs` without any dependency:

    8 bytes  magic b"KILNBM01"
    u64      rows
    u64      columns (28 features + 1 label = 29)
    f64      rows × columns values, row-major, the label in the last column

Rows are generated in chunks from per-chunk seeded generators, so the file depends only on the
seed and the row count. Use different seeds for the training and the test file.
"""

import argparse
import struct
import sys

import numpy as np

MAGIC = b"KILNBM01"
N_FEATURES = 28
CHUNK = 100_000


def chunk(rng: np.random.Generator, n: int) -> np.ndarray:
    s = (rng.random(n) < 0.53).astype(np.float64)
    pt = rng.lognormal(mean=0.0, sigma=0.5, size=(n, 6)) * (1.0 + 0.04 * s[:, None])
    eta = rng.normal(0.0, 1.0, size=(n, 5)) * (1.0 - 0.05 * s[:, None])
    phi = rng.uniform(-np.pi, np.pi, size=(n, 5))
    p_b = np.where(s[:, None] > 0, 0.25, 0.2)
    btag = np.where(rng.random((n, 4)) < p_b, 2.17, np.where(rng.random((n, 4)) < 0.15, 1.0, 0.0))
    met = rng.exponential(1.0 + 0.05 * s, size=n)

    def mass(a, b):
        # invariant mass of two massless objects (pt, eta, phi)
        return np.sqrt(
            2.0 * pt[:, a] * pt[:, b] * (np.cosh(eta[:, a] - eta[:, b]) - np.cos(phi[:, a] - phi[:, b]))
        )

    resonance = rng.normal(1.0, 0.3, size=n)
    noise = rng.normal(0.0, 0.2, size=(n, 7))
    high = np.column_stack(
        [
            mass(0, 1) * (1.0 - 0.3 * s) + 0.6 * s * resonance,
            mass(1, 2),
            mass(2, 3) * (1.0 + 0.05 * s),
            mass(3, 4) + 0.5 * s * resonance * (btag[:, 0] > 2),
            mass(0, 4) + 0.15 * s * np.abs(eta[:, 1]),
            np.sqrt(pt[:, 0] ** 2 + met**2) + 0.3 * s * resonance,
            mass(1, 3) * (1.0 + 0.15 * s * (btag[:, 1] > 0.5)),
        ]
    ) + noise
    # lepton (pt, eta, phi), missing energy (magnitude, phi), then 4 jets (pt, eta, phi, b-tag)
    columns = [pt[:, 0], eta[:, 0], phi[:, 0], met, rng.uniform(-np.pi, np.pi, size=n)]
    for k in range(4):
        columns += [pt[:, 1 + k], eta[:, 1 + k], phi[:, 1 + k], btag[:, k]]
    out = np.column_stack([*columns, high, s])
    assert out.shape[1] == N_FEATURES + 1
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    with open(args.out, "wb") as f:
        f.write(MAGIC + struct.pack("<QQ", args.rows, N_FEATURES + 1))
        for c, start in enumerate(range(0, args.rows, CHUNK)):
            rng = np.random.default_rng([args.seed, c])
            block = chunk(rng, min(CHUNK, args.rows - start))
            f.write(np.ascontiguousarray(block, dtype="<f8").tobytes())
    return 0


if __name__ == "__main__":
    sys.exit(main())
