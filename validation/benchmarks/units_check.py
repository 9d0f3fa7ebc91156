"""Units check of one flash: Pyomo's assert_units_consistent vs idaes_plugin's (memoized).

The ethanol/water flash of ``tests/test_mixture_idaes.py`` (358 K, z = 0.3, the shipped
hybrid g^E or NRTL), built once per package; both checks run on the same model in the same
run, and the ratio of their times is printed. Both must pass (the model's units are
consistent); ``tests/test_units_check.py`` shows they flag the same planted errors.

Run:  python validation/benchmarks/units_check.py [--models hybrid nrtl]
"""

from __future__ import annotations

import argparse
import time

from common import ROOT  # noqa: F401  (puts the checkout on sys.path)
from pyomo.util.check_units import assert_units_consistent as pyomo_check

from idaes_plugin.units_check import assert_units_consistent
from propkg_cli.reports.flash_grid import build_flash


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["hybrid", "nrtl"])
    args = parser.parse_args(argv)
    print("| g^E model | Pyomo [s] | idaes_plugin [s] | ratio |")
    print("|---|---|---|---|")
    for model in args.models:
        m = build_flash(("ethanol", "water"), model, T=358.0, z1=0.3)
        m.fs.flash.control_volume.properties_out[0].entr_mol_phase  # noqa: B018 (build it)
        start = time.perf_counter()
        assert_units_consistent(m)
        memo = time.perf_counter() - start
        start = time.perf_counter()
        pyomo_check(m)
        plain = time.perf_counter() - start
        print(f"| {model} | {plain:.2f} | {memo:.3f} | {plain / memo:.0f}x |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
