"""The two-phase start of a state block (:mod:`idaes_plugin.initial_split`).

References: the closed-form binary Rachford-Rice root, the independent numpy/onnxruntime
flash of the same ONNX files (:class:`validation.reference_flash.ReferenceFlash`), and the
package's own Pyomo fugacity expressions.
"""

import numpy as np
import pyomo.environ as pyo
import pytest

import idaes_plugin  # noqa: F401  (registers the pip-only IPOPT)
from idaes_plugin.activity.eos import ActivityCoeffLiquid
from idaes_plugin.initial_split import (
    PHASE_FRACTION_OFFSET,
    rachford_rice,
    refine_two_phase_split,
)
from idaes_plugin.vle_package import vle_config
from tests.tolerances import CROSS_IMPLEMENTATION_RTOL, NLP_SOLUTION_ATOL
from validation.reference_flash import ReferenceFlash

COMPONENTS = ("acetone", "water")
#: the flash sample state whose inlet failed with IDAES's Raoult start and no bounds
T, P, Z = 340.0, 100000.0, (0.2, 0.8)


@pytest.mark.unit
@pytest.mark.parametrize("z1, K1, K2", [(0.4, 3.0, 0.3), (0.7, 1.5, 0.2), (0.05, 10.0, 0.9)])
def test_rachford_rice_matches_binary_closed_form(z1, K1, K2):
    # binary: z1 a + z2 b + beta a b = 0 with a = K1 - 1, b = K2 - 1
    a, b = K1 - 1.0, K2 - 1.0
    expected = -(z1 * a + (1.0 - z1) * b) / (a * b)
    assert rachford_rice({"1": z1, "2": 1.0 - z1}, {"1": K1, "2": K2}) == pytest.approx(
        expected, abs=1e-12)


@pytest.mark.unit
def test_rachford_rice_clips_single_phase_roots():
    z = {"1": 0.5, "2": 0.5}
    assert rachford_rice(z, {"1": 0.9, "2": 0.5}) == PHASE_FRACTION_OFFSET  # all liquid
    assert rachford_rice(z, {"1": 3.0, "2": 1.5}) == 1.0 - PHASE_FRACTION_OFFSET  # all vapour


def _state_block(T_state):
    from idaes.core import FlowsheetBlock
    from idaes.models.properties.modular_properties import GenericParameterBlock

    m = pyo.ConcreteModel()
    m.fs = FlowsheetBlock(dynamic=False)
    m.fs.props = GenericParameterBlock(**vle_config(list(COMPONENTS), activity_model="hybrid"))
    m.fs.sb = m.fs.props.build_state_block([0], defined_state=True)
    sb = m.fs.sb[0]
    sb.flow_mol.fix(1.0)
    sb.temperature.fix(T_state)
    sb.pressure.fix(P)
    for name, zi in zip(COMPONENTS, Z, strict=True):
        sb.mole_frac_comp[name].fix(zi)
    m.fs.sb.initialize()
    return sb


@pytest.mark.component
def test_split_is_the_independent_flash():
    sb = _state_block(T)
    for var in (sb.phase_frac, sb.mole_frac_phase_comp, sb.flow_mol_phase):
        for element in var.values():
            element.set_value(0.5)  # forget the initialized solution
    assert refine_two_phase_split(sb)
    ref = ReferenceFlash(COMPONENTS, "hybrid").flash(T, P, list(Z))
    assert ref.phases == "LV"
    assert pyo.value(sb.phase_frac["Vap"]) == pytest.approx(ref.beta, abs=NLP_SOLUTION_ATOL)
    assert pyo.value(sb.flow_mol_phase["Liq"]) == pytest.approx(1 - ref.beta,
                                                               abs=NLP_SOLUTION_ATOL)
    x = [pyo.value(sb.mole_frac_phase_comp["Liq", j]) for j in COMPONENTS]
    y = [pyo.value(sb.mole_frac_phase_comp["Vap", j]) for j in COMPONENTS]
    np.testing.assert_allclose(x, ref.x, atol=NLP_SOLUTION_ATOL)
    np.testing.assert_allclose(y, ref.y, atol=NLP_SOLUTION_ATOL)


@pytest.mark.component
def test_numeric_fugacities_equal_the_pyomo_expressions():
    sb = _state_block(T)
    pp = ("Vap", "Liq")
    sb._teq[pp].set_value(337.0)
    for j, xj in zip(COMPONENTS, (0.13, 0.87), strict=True):
        sb.mole_frac_phase_comp["Liq", j].set_value(xj)
    numeric = ActivityCoeffLiquid.fug_phase_comp_eq_values(sb, "Liq", pp)
    for j in COMPONENTS:
        expected = pyo.value(ActivityCoeffLiquid.fug_phase_comp_eq(sb, "Liq", j, pp))
        assert numeric[j] == pytest.approx(expected, rel=CROSS_IMPLEMENTATION_RTOL)


@pytest.mark.component
def test_single_phase_state_keeps_idaes_start():
    sb = _state_block(320.0)  # below the bubble point (~335.6 K)
    assert pyo.value(sb.temperature_bubble["Vap", "Liq"]) > 320.0
    assert not refine_two_phase_split(sb)
