"""Compare the shipped pure-component files with their versions at a git revision.

Usage::

    python validation/compare_exports.py REV      # e.g. HEAD~1, main, a commit hash

For every ``exported_models/*.onnx`` pure-component file, evaluates each output that both
versions have on 250 temperatures (0.6 x the lower to 1.3 x the upper end of the old
domain, and 200-1500 K) with onnxruntime, and prints the largest relative difference and
the outputs that were added or removed. Exit status 1 if a common output differs by more
than ``--rtol`` (default 1e-12): a re-export that adds an output must leave the others as
they were.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def compare(rev: str, rtol: float = 1e-12) -> int:
    from propkg_contract.reader import load_model, run_onnx

    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted((ROOT / "exported_models").glob("*.onnx")):
            new = load_model(path)
            if new.metadata.kind != "pure_component":
                continue
            blob = subprocess.run(["git", "show", f"{rev}:exported_models/{path.name}"],
                                  cwd=ROOT, capture_output=True, check=False)  # fmt: skip
            if blob.returncode != 0:
                print(f"{path.name:22s} not in {rev}")
                continue
            old_path = Path(tmp) / path.name
            old_path.write_bytes(blob.stdout)
            lo, hi = load_model(old_path).domain_of("temperature")
            T = np.concatenate([np.linspace(0.6 * lo, 1.3 * hi, 200), np.linspace(200, 1500, 50)])
            a, b = run_onnx(path, T=T), run_onnx(old_path, T=T)
            common = sorted(set(a) & set(b))
            diff = max(float(np.max(np.abs(a[k] - b[k]) / np.maximum(np.abs(b[k]), 1e-300)))
                       for k in common)  # fmt: skip
            worst = max(worst, diff)
            print(f"{path.name:22s} max rel. diff {diff:.3g} on {len(common)} outputs; added "
                  f"{sorted(set(a) - set(b))}, removed {sorted(set(b) - set(a))}")  # fmt: skip
    print(f"largest relative difference of a common output: {worst:.3g}")
    return 0 if worst <= rtol else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", help="git revision of the old files")
    parser.add_argument("--rtol", type=float, default=1e-12)
    args = parser.parse_args(argv)
    return compare(args.rev, args.rtol)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
