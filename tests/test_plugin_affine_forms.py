"""Affine parts of the state function merged (idaes_plugin.affine_forms)."""

import casadi as ca
import numpy as np
import pyomo.environ as pyo
import pytest
from pyomo.core.expr import sizeof_expression
from pyomo.core.expr.calculus.derivatives import Modes, differentiate
from pyomo.environ import units as pyunits

from idaes_plugin.affine_forms import affine_normalized
from idaes_plugin.casadi_to_pyomo import indexed_subexpressions, sx_to_pyomo
from idaes_plugin.onnx_import import load_model
from idaes_plugin.state_expressions import state_function, state_quantities, state_values
from propkg_contract.reader import run_onnx
from tests.tolerances import (
    CROSS_IMPLEMENTATION_RTOL,
    EXACT_REWRITE_RTOL,
    FINITE_DIFFERENCE_RTOL,
    SYMBOLIC_DERIVATIVE_RTOL,
)

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


@pytest.mark.component
@pytest.mark.parametrize("fluid", ["benzene", "toluene", "methanol"])
def test_rewritten_vapour_pressure_equals_onnx_with_its_derivatives(fluid):
    """The rewritten p_sat (T_s/T_c as 1 - tau, B (T - T_s)/(T T_s) as B/T_s - B/T merged
    into the Wagner term, ...) against onnxruntime on the untouched ONNX file, its first
    derivative against central finite differences of onnxruntime, and both derivatives of
    the Pyomo expression and of the rewritten CasADi graph against CasADi's on the graph as
    built, below, near and above T_c (the supercritical extension)."""
    model = load_model(fluid)
    t_crit = model.metadata.raw["constants"]["Tc"]
    temperatures = t_crit * np.array([0.55, 0.8, 0.99, 0.999, 1.005, 1.07])
    lean, index = state_function(model)
    built, keys = state_quantities(model)
    T = ca.SX.sym("T")
    derivatives, sizes = [], []
    for psat in (built(T)[keys.index(PSAT)], lean(T)[index[PSAT]]):
        sizes.append(ca.Function("p", [T], [psat]).n_instructions())
        first = ca.jacobian(psat, T)
        derivatives.append(ca.Function("d", [T], [psat, first, ca.jacobian(first, T)]))
    assert sizes[1] < 0.75 * sizes[0]  # 71 vs 103 instructions (94 with affine merges only)
    step = 1e-3
    onnx = run_onnx(model.source, T=np.concatenate([temperatures, temperatures + step,
                                                    temperatures - step]))  # fmt: skip
    p_onnx = onnx["pressure_sat_comp"].reshape(3, -1)
    m = pyo.ConcreteModel()
    m.T = pyo.Var(initialize=300.0, units=pyunits.K)
    (expr,) = state_values(m, fluid, model, m.T, PSAT)
    d1_expr = differentiate(expr, wrt=m.T, mode=Modes.reverse_symbolic)
    d2_expr = differentiate(d1_expr, wrt=m.T, mode=Modes.reverse_symbolic)
    for j, t in enumerate(temperatures):
        reference = [float(v) for v in derivatives[0](t)]
        rewritten = [float(v) for v in derivatives[1](t)]
        m.T.set_value(t)
        pyomo_values = [pyo.value(e) for e in (expr, d1_expr, d2_expr)]
        assert rewritten[0] == pytest.approx(p_onnx[0, j], rel=CROSS_IMPLEMENTATION_RTOL)
        assert rewritten[0] == pytest.approx(reference[0], rel=EXACT_REWRITE_RTOL)
        assert pyomo_values[0] == pytest.approx(p_onnx[0, j], rel=CROSS_IMPLEMENTATION_RTOL)
        finite_difference = (p_onnx[1, j] - p_onnx[2, j]) / (2 * step)
        for values in (rewritten, pyomo_values):
            assert values[1] == pytest.approx(finite_difference, rel=FINITE_DIFFERENCE_RTOL)
            assert values[1] == pytest.approx(reference[1], rel=SYMBOLIC_DERIVATIVE_RTOL)
            assert values[2] == pytest.approx(reference[2], rel=SYMBOLIC_DERIVATIVE_RTOL)
