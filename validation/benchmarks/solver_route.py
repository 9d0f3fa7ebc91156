"""Benchmark of the pip-only IPOPT routes on IDAES's BT_ideal flash.

Prints, as medians of N repeats measured in this run: the NL write time (Pyomo's NLWriter),
the IPOPT iterations and wall time of one full ``SolverFactory(...).solve`` through

* the in-process route (``casadi_ipopt`` legacy and ``casadi_ipopt_v2`` interfaces), and
* the console-script route (Pyomo's stock IPOPT interface starting ``propkg-ipopt``),

each from the same initial point (a freshly built, uninitialized flash).

Run:  python validation/benchmarks/solver_route.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics

import pyomo.environ as pyo
from common import bt_flash, timed_nl_write, timed_solve  # benchmark helpers
from pyomo.solvers.plugins.solvers.IPOPT import IPOPT

import idaes_plugin
from idaes_plugin.solvers import driver_executable


def time_solve(make_solver, repeats: int) -> tuple[float, int, float]:
    times, iters = [], []
    vap = float("nan")
    for _ in range(repeats):
        m = bt_flash()
        elapsed, results, iterations = timed_solve(make_solver(), m)
        assert pyo.check_optimal_termination(results), results.solver.termination_condition
        times.append(elapsed)
        iters.append(iterations)
        vap = pyo.value(m.fs.flash.vap_outlet.flow_mol[0])
    return statistics.median(times), int(statistics.median(iters)), vap


def time_nl_write(repeats: int) -> tuple[float, int]:
    runs = [timed_nl_write(bt_flash()) for _ in range(repeats)]
    return statistics.median(t for t, _ in runs), runs[-1][1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; repeats: {args.repeats} (medians)")
    nl_time, nl_size = time_nl_write(args.repeats)
    print(f"NL write (Pyomo NLWriter): {nl_time * 1e3:.1f} ms, {nl_size} bytes")
    routes = {
        "in-process, legacy interface (casadi_ipopt)": lambda: pyo.SolverFactory("casadi_ipopt"),
        "in-process, v2 interface (casadi_ipopt_v2)": lambda: pyo.SolverFactory(
            "casadi_ipopt_v2"
        ),
        "console script propkg-ipopt (stock Pyomo IPOPT)": lambda: IPOPT(
            executable=driver_executable()
        ),
    }
    print(f"{'route':<50} {'iters':>5} {'wall [ms]':>10} {'vapour [mol/s]':>15}")
    for name, make in routes.items():
        wall, iters, vap = time_solve(make, args.repeats)
        print(f"{name:<50} {iters:>5} {wall * 1e3:>10.1f} {vap:>15.5f}")
    print(f"(solver registered as 'ipopt': {idaes_plugin.USING_CASADI_IPOPT})")


if __name__ == "__main__":
    main()
