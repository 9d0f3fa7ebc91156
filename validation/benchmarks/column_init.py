"""Tray-column initialization time: propkg's initializer on the hybrid package vs IDAES's.

IDAES's test column (10 trays, feed on tray 5, total condenser at the bubble point,
reflux ratio 1.4, boil-up ratio 1.3, 40 mol/s equimolar benzene/toluene at 368 K, 1 atm),
initialized as:

* ``idaes`` - IDAES's ``BT_ideal`` package, IDAES's own ``TrayColumn.initialize()``
  (the reference; target: propkg <= 2x its CPU time);
* ``hybrid+idaes`` - ``vle_config(["benzene", "toluene"], "hybrid")``, IDAES's initialize;
* ``hybrid+propkg`` - the same package, ``idaes_plugin.column_init.TrayColumnInitializer``.

Runs are interleaved (one of each per round) so that load changes hit all alike; the CPU
time of the process (``time.process_time``) is the measure, wall time and the load average
are printed beside it. Each run ends with a solve of the whole column, whose status and
distillate flow are printed (a fast initialization that does not converge is no result).

Usage: ``python validation/benchmarks/column_init.py [--rounds 3] [--cases ...]``
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CASES = ("idaes", "hybrid+idaes", "hybrid+propkg")


def build(case: str):
    """The column of ``case`` with IDAES's test specification fixed."""
    from idaes.models.properties.modular_properties.examples.BT_ideal import configuration

    from idaes_plugin import vle_config
    from validation.flowsheets import tray_column

    config = configuration if case == "idaes" else vle_config(["benzene", "toluene"], "hybrid")
    return tray_column(config, 368.0)


def run(case: str) -> dict:
    """Build, initialize (timed) and solve one column; returns the measurements."""
    import pyomo.environ as pyo
    from idaes.core.solvers import get_solver

    from idaes_plugin.column_init import TrayColumnInitializer

    m = build(case)
    col = m.fs.unit
    load = os.getloadavg()[0]
    cpu, wall = time.process_time(), time.perf_counter()
    if case == "hybrid+propkg":
        TrayColumnInitializer().initialize(col)
    else:
        col.initialize()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    results = get_solver().solve(m)
    return {
        "case": case, "cpu": cpu, "wall": wall, "load": load,
        "status": str(results.solver.termination_condition),
        "distillate": pyo.value(col.condenser.distillate.flow_mol[0]),
    }  # fmt: skip


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=CASES)
    args = parser.parse_args(argv)
    import idaes_plugin  # noqa: F401  (in-process IPOPT)

    logging.getLogger("idaes").setLevel(logging.ERROR)
    rows = []
    for k in range(args.rounds):
        for case in args.cases:
            row = run(case)
            rows.append(row)
            print(f"round {k + 1} {case:14s} cpu {row['cpu']:7.2f} s  wall {row['wall']:7.2f} s  "
                  f"load {row['load']:5.1f}  final solve {row['status']}  "
                  f"D {row['distillate']:.4f} mol/s", flush=True)  # fmt: skip
    cpu = {c: statistics.median(r["cpu"] for r in rows if r["case"] == c) for c in args.cases}
    print("\nmedian CPU time of the initialization [s]:")
    for case, seconds in cpu.items():
        ratio = f"  ({seconds / cpu['idaes']:.2f}x IDAES BT_ideal)" if "idaes" in cpu else ""
        print(f"  {case:14s} {seconds:7.2f}{ratio}")


if __name__ == "__main__":
    main()
