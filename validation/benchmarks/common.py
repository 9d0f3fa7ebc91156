"""Pieces shared by the benchmark scripts (run them from anywhere: ``python validation/...``)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.flowsheets import bt_flash  # noqa: E402

__all__ = ["bt_flash", "ipopt_iterations"]


def ipopt_iterations(log: str) -> int:
    """IPOPT's iteration count from its printed log (-1 if the log has none)."""
    for line in log.splitlines():
        if line.startswith("Number of Iterations"):
            return int(line.split(":")[-1])
    return -1
