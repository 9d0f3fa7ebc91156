"""The methanol/water TrayColumn from IDAES's own ``initialize()`` (issue 11, item 2).

IDAES's tray-column test specification (10 trays, feed on tray 5, total condenser at the
bubble point, reflux ratio 1.4, boil-up ratio 1.3, 1 atm, 40 mol/s equimolar feed at
352 K) on the hybrid methanol/water package, initialized with IDAES's default
``TrayColumn.initialize()`` and solved with ``get_solver().solve(m)``: no options, guesses
or bound edits by the user. Before the package left its computed phase variables unbounded
(:mod:`idaes_plugin.state_definition`) IDAES's last initialization solve stopped at its
200-iteration limit. Independent checks: every tray's liquid at its bubble point by
:class:`validation.reference_flash.ReferenceFlash` (numpy/onnxruntime, no Pyomo),
component balances, and - the phase variables having no bounds - every phase fraction,
phase flow and phase mole fraction of the column physical. Both phase-equilibrium forms of
``vle_config`` (bracketed smooth VLE, complementarity). ~30 s CPU each.
"""

from __future__ import annotations

import pytest

import idaes_plugin  # noqa: F401  (registers the in-process IPOPT when none is on PATH)
from tests.test_column_init import COLUMN_COMPONENT_BALANCE_ATOL
from tests.tolerances import NLP_SOLUTION_ATOL, TRAY_BUBBLE_RTOL
from validation.benchmarks.column_default_init import BINARY, run_idaes_default

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("phase_equilibrium", ["smooth", "complementarity"])
def test_methanol_water_column_from_idaes_initialize(phase_equilibrium):
    result = run_idaes_default(BINARY, 352.0, phase_equilibrium=phase_equilibrium)
    assert result["status"] == "optimal"
    assert result["balance_mol_s"] < COLUMN_COMPONENT_BALANCE_ATOL
    assert result["bubble_rel"] < TRAY_BUBBLE_RTOL
    # the specification takes more than the 20 mol/s of methanol fed overhead
    assert result["D_mol_s"] > 20.0
    assert result["x_D"][0] > 0.9
    extremes = result["extremes"]
    for name in ("phase_frac", "flow_mol_phase", "mole_frac_phase_comp"):
        assert extremes[name][0] >= -NLP_SOLUTION_ATOL, (name, extremes[name])
    assert extremes["phase_frac"][1] <= 1.0 + NLP_SOLUTION_ATOL
    assert extremes["mole_frac_phase_comp"][1] <= 1.0 + NLP_SOLUTION_ATOL
