"""The pip-only IPOPT's NL reader on an IDAES column: CasADi's C++ import vs the Python reader.

IDAES writes ``scaling_factor`` suffixes into every NL file; CasADi's ``NlpBuilder.
import_nl`` stops on suffix segments, so until suffixes were taken out first
(:func:`idaes_plugin.solvers.nl_reader._split_suffixes`) every IDAES solve went through the
Python reader. The acetone/methanol/water column of :func:`validation.benchmarks.
column_default_init.run_ternary` (IDAES's own ``initialize()``: 83 solves) is built and
solved twice in one run: with every NL file read by the Python reader (the peer), and with
the default (CasADi's import when the file allows it). Prints both wall times, the time in
``read_nl``, their ratios, and the largest difference of the results (distillate rate and
composition).

Run:  python validation/benchmarks/nl_reader.py
"""

from __future__ import annotations

import time

from common import ROOT  # noqa: F401  (puts the checkout on sys.path)

import idaes_plugin.pure_methods  # noqa: F401  (as any propkg use)
from idaes_plugin.solvers import ampl_driver, nl_reader
from validation.benchmarks.column_default_init import run_ternary


def _timed(use_casadi_import: bool) -> tuple[float, float, int, dict]:
    reading = [0.0, 0]

    def read(path):
        start = time.perf_counter()
        problem = nl_reader.read_nl(path, use_casadi_import=use_casadi_import)
        reading[0] += time.perf_counter() - start
        reading[1] += problem.reader == "casadi"
        return problem

    ampl_driver.read_nl = read
    try:
        start = time.perf_counter()
        result = run_ternary()
        return time.perf_counter() - start, reading[0], reading[1], result
    finally:
        ampl_driver.read_nl = nl_reader.read_nl


def main() -> int:
    slow, slow_read, _, r0 = _timed(False)
    fast, fast_read, n_casadi, r1 = _timed(True)
    diff = max(abs(a - b) for a, b in zip([r0["D_mol_s"], *r0["x_D"]],
                                          [r1["D_mol_s"], *r1["x_D"]], strict=True))
    print("| NL reader | column wall [s] | of which read_nl [s] | status | D [mol/s] |")
    print("|---|---|---|---|---|")
    print(f"| Python reader (peer) | {slow:.1f} | {slow_read:.1f} | {r0['status']} | "
          f"{r0['D_mol_s']:.6f} |")
    print(f"| default ({n_casadi} files by CasADi's import) | {fast:.1f} | {fast_read:.1f} | "
          f"{r1['status']} | {r1['D_mol_s']:.6f} |")
    print(f"\nratio wall {slow / fast:.2f}x, read_nl {slow_read / fast_read:.1f}x; largest "
          f"difference of D and x_D: {diff:.3g}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
