"""Pieces shared by the benchmark scripts (run them from anywhere: ``python validation/...``)."""

from __future__ import annotations

import contextlib
import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from validation.flowsheets import bt_flash  # noqa: E402  (needs the checkout root on sys.path)

__all__ = ["bt_flash", "ipopt_iterations", "timed_nl_write", "timed_solve"]


def ipopt_iterations(log: str) -> int:
    """IPOPT's iteration count from its printed log (-1 if the log has none)."""
    for line in log.splitlines():
        if line.startswith("Number of Iterations"):
            return int(line.split(":")[-1])
    return -1


def timed_nl_write(model) -> tuple[float, int]:
    """Seconds and bytes of one write of ``model``'s NL file by Pyomo's NLWriter (in memory)."""
    from pyomo.repn.plugins.nl_writer import NLWriter

    buffer = io.StringIO()
    start = time.perf_counter()
    NLWriter().write(model, buffer, symbolic_solver_labels=False)
    return time.perf_counter() - start, len(buffer.getvalue().encode())


def timed_solve(solver, model):
    """Solve with the IPOPT log captured: returns (seconds, results, IPOPT iterations)."""
    log = io.StringIO()
    with contextlib.redirect_stdout(log):
        start = time.perf_counter()
        results = solver.solve(model, tee=True)
        seconds = time.perf_counter() - start
    return seconds, results, ipopt_iterations(log.getvalue())
