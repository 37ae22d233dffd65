"""Regenerate every committed reference fixture.

Runs each `*_fixtures.py` script in this folder, in name order, with the current interpreter and
the repository root as working directory. An area adds its fixtures by adding one
`<area>_fixtures.py` here; this file never needs editing.

    python tools/reference/generate.py            # every area
    python tools/reference/generate.py csv stats  # only csv_fixtures.py and stats_fixtures.py
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("*_fixtures.py"))
    if argv:
        known = {s.name.removesuffix("_fixtures.py"): s for s in scripts}
        unknown = sorted(set(argv) - set(known))
        if unknown:
            print(
                f"unknown area(s): {', '.join(unknown)}; known: {', '.join(known)}",
                file=sys.stderr,
            )
            return 2
        scripts = [known[area] for area in sorted(set(argv))]
    failed = []
    for script in scripts:
        print(f"== {script.relative_to(REPO)}", flush=True)
        start = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], cwd=REPO)
        elapsed = time.perf_counter() - start
        if result.returncode != 0:
            print(f"   FAILED (exit {result.returncode}) after {elapsed:.1f}s", flush=True)
            failed.append(script.name)
        else:
            print(f"   ok in {elapsed:.1f}s", flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
