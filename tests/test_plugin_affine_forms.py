"""Affine parts of the state function merged (idaes_plugin.affine_forms)."""

import casadi as ca
import numpy as np
import pyomo.environ as pyo
import pytest
from pyomo.core.expr import sizeof_expression
from pyomo.environ import units as pyunits

from idaes_plugin.affine_forms import affine_normalized
from idaes_plugin.casadi_to_pyomo import indexed_subexpressions, sx_to_pyomo
from idaes_plugin.onnx_import import load_model
from idaes_plugin.state_expressions import state_function, state_quantities, state_values
from tests.tolerances import CROSS_IMPLEMENTATION_RTOL

PSAT = (("pressure_sat_comp",), None, False)


@pytest.mark.unit
def test_affine_chain_becomes_one_sum_with_merged_coefficients():
    x = ca.SX.sym("x")
    tau = 1 - x / 3
    # a corresponding-states-like sum: two polynomials in tau weighted, a scaled input
    expr = ca.exp(2.0 * (tau - 0.3 * tau**1.5) + 0.5 * (tau + 1.6 * tau**1.5) - x)
    expr += ca.tanh((x / 3 - 0.7) / 0.25)
    fun = ca.Function("f", [x], [expr])
    lean = affine_normalized(fun)
    assert lean.n_instructions() < fun.n_instructions()
    # exp's argument is c0 + c1 x + c2 tau^1.5, c2 = 2 (-0.3) + 0.5 (1.6) = 0.2 merged
    assert "(0.2*pow(" in str(lean(x)) and str(lean(x)).count("pow(") == 1
    for value in (0.1, 1.0, 2.5, 2.99):
        assert float(lean(value)) == pytest.approx(float(fun(value)), rel=1e-14)


@pytest.mark.component
@pytest.mark.parametrize("fluid", ["benzene", "n_butane", "water"])
def test_state_function_equals_the_built_quantities(fluid):
    """Round-off only: every output within CROSS_IMPLEMENTATION_RTOL of its largest
    magnitude over the domain (enthalpies and entropies cross zero)."""
    model = load_model(fluid)
    built, keys = state_quantities(model)
    lean, index = state_function(model)
    assert set(index) == set(keys) and len(keys) >= 10
    lo, hi = model.domain_of("temperature")
    grid = np.linspace(lo, hi, 40)
    raw = np.array([[float(v) for v in built(t)] for t in grid])
    new = np.array([[float(v) for v in lean(t)] for t in grid])
    for j, key in enumerate(keys):
        scale = np.max(np.abs(raw[:, j]))
        error = np.max(np.abs(new[:, index[key]] - raw[:, j]))
        assert error <= CROSS_IMPLEMENTATION_RTOL * scale, (key, error, scale)


@pytest.mark.component
def test_merged_vapour_pressure_is_a_smaller_tree():
    """The tree Pyomo's walkers expand (named expressions included) shrinks by half."""
    model = load_model("benzene")
    m = pyo.ConcreteModel()
    m.T = pyo.Var(initialize=350.0, units=pyunits.K)
    m.raw = pyo.Block()
    built, keys = state_quantities(model)
    T = ca.SX.sym("T")
    psat = ca.Function("psat", [T], [built(T)[keys.index(PSAT)]])
    (raw,) = sx_to_pyomo(psat, [m.T / pyunits.K], indexed_subexpressions(m.raw))
    (lean,) = state_values(m, "benzene", model, m.T, PSAT)
    assert pyo.value(lean) == pytest.approx(pyo.value(raw), rel=CROSS_IMPLEMENTATION_RTOL)
    assert sizeof_expression(lean) < 0.6 * sizeof_expression(raw)
