"""The pip-only IPOPT's model and solver caches on an IDAES column initialization.

IDAES's ``initialize()`` solves many NL files that define the same model with other bounds
and initial values. :func:`idaes_plugin.solvers.nl_reader.read_nl` keeps the expressions of
recent models and :mod:`idaes_plugin.solvers.casadi_ipopt` the IPOPT solvers built for them
(CasADi's exact Jacobian and Hessian of the Lagrangian), keyed by a hash of the model part of
the file. The acetone/methanol/water column of :func:`validation.benchmarks.
column_default_init.run_ternary` (IDAES's own ``initialize()``) is built and initialized
with both caches off (the peer) and on, alternately, in one run. Prints the wall times,
their ratio, the number of NL files and distinct models, and the largest difference of the
results (distillate rate and composition; 0 means bit-identical).

Run:  python validation/benchmarks/solver_cache.py [--repeats N]
"""

from __future__ import annotations

import argparse
import statistics
import time

from common import ROOT  # noqa: F401  (puts the checkout on sys.path)

import idaes_plugin.pure_methods  # noqa: F401  (as any propkg use)
from idaes_plugin.solvers import ampl_driver, casadi_ipopt, nl_reader
from validation.benchmarks.column_default_init import run_ternary


def _timed(sizes: tuple[int, int]) -> tuple[float, dict, list[str]]:
    nl_reader.MODEL_CACHE_SIZE, casadi_ipopt.SOLVER_CACHE_SIZE = sizes
    nl_reader._MODEL_CACHE.clear()
    casadi_ipopt._SOLVER_CACHE.clear()
    keys: list[str] = []

    def read(path, **kwargs):
        problem = nl_reader.read_nl(path, **kwargs)
        keys.append(problem.model_key)
        return problem

    ampl_driver.read_nl = read
    try:
        start = time.perf_counter()
        result = run_ternary()
        return time.perf_counter() - start, result, keys
    finally:
        ampl_driver.read_nl = nl_reader.read_nl


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    sizes = (nl_reader.MODEL_CACHE_SIZE, casadi_ipopt.SOLVER_CACHE_SIZE)
    off, on, diffs = [], [], []
    for _ in range(args.repeats):
        t_off, r_off, keys = _timed((0, 0))
        t_on, r_on, _ = _timed(sizes)
        off.append(t_off)
        on.append(t_on)
        diffs.append(max(abs(a - b) for a, b in zip([r_off["D_mol_s"], *r_off["x_D"]],
                                                    [r_on["D_mol_s"], *r_on["x_D"]],
                                                    strict=True)))
    print(f"{len(keys)} NL files, {len(set(keys))} distinct models; status {r_on['status']}")
    print("| caches | column build + initialize, median wall [s] | runs |")
    print("|---|---|---|")
    print(f"| off (peer) | {statistics.median(off):.1f} | {', '.join(f'{t:.1f}' for t in off)} |")
    print(f"| on | {statistics.median(on):.1f} | {', '.join(f'{t:.1f}' for t in on)} |")
    print(f"\nratio {statistics.median(off) / statistics.median(on):.2f}x; largest difference of "
          f"D and x_D: {max(diffs):.3g}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
