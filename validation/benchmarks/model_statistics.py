"""IDAES's default TrayColumn.initialize() with and without idaes_plugin.model_statistics.

The acetone/methanol/water column of :func:`validation.benchmarks.column_default_init.
run_ternary` (IDAES's own ``initialize()``, then ``get_solver()``), built and solved twice in
one run: with IDAES's model-statistics functions as shipped, and with them wrapped so each
call shares Pyomo's named-expression cache. Prints both wall times, their ratio, and the
largest difference of the results (distillate rate and composition), which must be zero.

Run:  python validation/benchmarks/model_statistics.py
"""

from __future__ import annotations

import time

from common import ROOT  # noqa: F401  (puts the checkout on sys.path)

import idaes_plugin.pure_methods  # noqa: F401  (installs the wrappers, as any propkg use)
from idaes_plugin import model_statistics
from validation.benchmarks.column_default_init import run_ternary


def _timed() -> tuple[float, dict]:
    start = time.perf_counter()
    result = run_ternary()
    return time.perf_counter() - start, result


def main() -> int:
    import idaes.core.util.model_statistics as ms

    model_statistics.uninstall()
    assert not any(getattr(getattr(ms, n), "propkg_cached", False)
                   for n in model_statistics.WRAPPED)
    plain, r0 = _timed()
    model_statistics.install()
    cached, r1 = _timed()
    diff = max(abs(a - b) for a, b in zip([r0["D_mol_s"], *r0["x_D"]],
                                          [r1["D_mol_s"], *r1["x_D"]], strict=True))
    print("| IDAES model statistics | wall [s] | status | D [mol/s] |")
    print("|---|---|---|---|")
    print(f"| as shipped | {plain:.1f} | {r0['status']} | {r0['D_mol_s']:.6f} |")
    print(f"| one named-expression cache per call | {cached:.1f} | {r1['status']} | "
          f"{r1['D_mol_s']:.6f} |")
    print(f"\nratio {plain / cached:.2f}x; largest difference of D and x_D: {diff:.3g}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
