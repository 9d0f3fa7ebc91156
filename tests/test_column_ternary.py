"""A ternary acetone/methanol/water TrayColumn from IDAES's own ``initialize()`` (issue 10 item 6).

The shipped multicomponent hybrid g^E file in a 5-tray column (feed on tray 3, reflux 1.4,
boil-up 1.3, 1 atm, 40 mol/s equimolar two-phase feed at 335 K), initialized with IDAES's
default ``TrayColumn.initialize()`` and solved with ``get_solver()``: no guesses, no bound
edits. The case is :func:`validation.benchmarks.column_default_init.run_ternary` (also run by
that benchmark). Independent checks: component balances of the column, every tray's liquid
at its bubble point by :class:`validation.reference_flash.ReferenceFlash` (numpy and
onnxruntime on the same ONNX files, no Pyomo), and the order of volatilities.

About 25 s: IDAES's degrees-of-freedom checks walked the ternary g^E expressions without
Pyomo's named-expression cache (110 s); :mod:`idaes_plugin.model_statistics` gives each of
their calls one cache (same results).
"""

from __future__ import annotations

import pytest

import idaes_plugin  # noqa: F401  (registers the in-process IPOPT when none is on PATH)
from tests.test_column_init import COLUMN_COMPONENT_BALANCE_ATOL
from tests.tolerances import TRAY_BUBBLE_RTOL
from validation.benchmarks.column_default_init import run_ternary

pytestmark = pytest.mark.integration


def test_ternary_column_from_idaes_initialize():
    result = run_ternary()
    assert result["status"] == "optimal"
    assert result["balance_mol_s"] < COLUMN_COMPONENT_BALANCE_ATOL
    assert result["bubble_rel"] < TRAY_BUBBLE_RTOL
    x_acetone, x_methanol, x_water = result["x_D"]
    # the lightest component is enriched over the feed (1/3), the heaviest depleted
    assert x_acetone > 0.5 and x_water < 0.1
    assert x_acetone > x_methanol > x_water
    assert 0.0 < result["D_mol_s"] < 40.0
