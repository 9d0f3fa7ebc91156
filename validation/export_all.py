"""Regenerate the shipped pure-component models: fit on CoolProp data, export ONNX, manifest.

Usage::

    python validation/export_all.py            # all 20 components
    python validation/export_all.py water co2  # some of them
    python validation/export_all.py --regenerate-data   # re-query CoolProp first

Each model is fitted on the 12 ``train`` rows of ``propkg/data/pure_components``
(generated from CoolProp when absent), evaluated on the held-out ``test`` rows, written
to ``exported_models/<name>.onnx`` and registered in ``exported_models/manifest.json``.
"""

from __future__ import annotations

import argparse
import sys
import time

from propkg.components import get_constants, names
from propkg.datasets import default_dataset_dir, generate_dataset
from propkg.pipeline import export_component


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("components", nargs="*", help="names or aliases (default: all)")
    parser.add_argument("--regenerate-data", action="store_true", help="re-query CoolProp")
    args = parser.parse_args(argv)
    selected = [get_constants(n).name for n in args.components] or names()
    for name in selected:
        start = time.perf_counter()
        if args.regenerate_data:
            generate_dataset(name, default_dataset_dir())
        path = export_component(name)
        print(f"{name:16s} -> {path.name}  ({time.perf_counter() - start:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
