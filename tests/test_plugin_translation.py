"""ONNX -> CasADi -> Pyomo translation: values and exact derivatives of every shipped model."""

import json

import casadi as ca
import numpy as np
import onnxruntime as ort
import pyomo.environ as pyo
import pytest
from pyomo.core.expr.calculus.derivatives import differentiate
from pyomo.util.check_units import assert_units_consistent

import idaes_plugin  # noqa: F401  (registers the pip-only IPOPT)
from exported_models import MODEL_DIR
from idaes_plugin.casadi_to_pyomo import sx_to_pyomo
from idaes_plugin.onnx_import import load_model
from idaes_plugin.pyomo_block import add_onnx_block
from propkg.errors import UnsupportedOperationError
from tests.tolerances import CROSS_IMPLEMENTATION_RTOL, SYMBOLIC_DERIVATIVE_RTOL


def _shipped_pure_models():
    path = MODEL_DIR / "manifest.json"
    if not path.is_file():
        return []
    models = json.loads(path.read_text())["models"]
    return sorted(m["name"] for m in models if m["kind"] == "pure_component")


SHIPPED = _shipped_pure_models()
needs_models = pytest.mark.skipif(not SHIPPED, reason="no shipped pure-component models yet")


def _temperatures(model, n_inside=3):
    lo, hi = model.domain_of("temperature")
    return [lo, *np.linspace(lo, hi, n_inside + 2)[1:-1], hi]


@pytest.mark.component
@needs_models
@pytest.mark.parametrize("name", SHIPPED)
def test_pyomo_value_matches_onnxruntime_and_casadi(name):
    model = load_model(name)
    m = pyo.ConcreteModel()
    blk = add_onnx_block(m, "b", model)
    session = ort.InferenceSession(model.source)
    temps = _temperatures(model)
    onnx_values = session.run(list(model.output_names), {"temperature": np.array([temps]).T})
    for k, t in enumerate(temps):
        blk.temperature.set_value(t)
        reference = model.evaluate(model.output_names, temperature=t)
        for j, out in enumerate(model.output_names):
            got = pyo.value(getattr(blk, out))
            assert got == pytest.approx(reference[j], rel=CROSS_IMPLEMENTATION_RTOL, abs=0)
            assert got == pytest.approx(
                onnx_values[j][k, 0], rel=CROSS_IMPLEMENTATION_RTOL, abs=0
            ), (out, t)
    assert_units_consistent(m)


@pytest.mark.component
@needs_models
@pytest.mark.parametrize("name", SHIPPED)
def test_symbolic_derivatives_match_casadi(name):
    """Pyomo's derivatives vs CasADi's jacobian and hessian.

    First derivative: Pyomo reverse-symbolic. Second: Pyomo reverse-mode AD of that
    symbolic derivative (evaluating the doubly symbolic tree node by node takes seconds).
    """
    model = load_model(name)
    m = pyo.ConcreteModel()
    blk = add_onnx_block(m, "b", model)
    T = ca.SX.sym("T")
    values = model.function(T)
    values = [values] if len(model.output_names) == 1 else list(values)
    temps = _temperatures(model, n_inside=1)
    for j, out in enumerate(model.output_names):
        expr = getattr(blk, out).expr
        d1 = differentiate(expr, wrt=blk.temperature, mode=differentiate.Modes.reverse_symbolic)
        hess, grad = ca.hessian(values[j], T)
        ref = ca.Function("ref", [T], [grad, hess])
        for t in temps:
            blk.temperature.set_value(t)
            g_ref, h_ref = (float(v) for v in ref(t))
            assert pyo.value(d1) == pytest.approx(g_ref, rel=SYMBOLIC_DERIVATIVE_RTOL), (out, t)
            d2 = differentiate(d1, wrt=blk.temperature, mode=differentiate.Modes.reverse_numeric)
            assert d2 == pytest.approx(h_ref, rel=SYMBOLIC_DERIVATIVE_RTOL), (out, t)


@pytest.mark.component
@needs_models
def test_derivative_expressions_of_block_match_finite_differences():
    model = load_model("benzene")
    m = pyo.ConcreteModel()
    blk = add_onnx_block(m, "b", model, derivatives=[("pressure_sat_comp", "temperature")])
    assert_units_consistent(m)
    t, h = 350.0, 1e-3
    blk.temperature.set_value(t)
    exact = pyo.value(blk.d_pressure_sat_comp_d_temperature)
    p = [model.evaluate(["pressure_sat_comp"], temperature=x)[0] for x in (t - h, t + h)]
    assert exact == pytest.approx((p[1] - p[0]) / (2 * h), rel=1e-7)


@pytest.mark.unit
@needs_models
def test_shared_subexpressions_shrink_the_nl_file(tmp_path):
    sizes = {}
    for share in (True, False):
        m = pyo.ConcreteModel()
        blk = add_onnx_block(m, "b", "benzene", share_subexpressions=share)
        m.c = pyo.Constraint(expr=blk.pressure_sat_comp == 1e5 * pyo.units.Pa)
        m.o = pyo.Objective(expr=blk.dens_mol_liq_comp / pyo.units.mol * pyo.units.m**3)
        path = tmp_path / f"{share}.nl"
        m.write(str(path))
        sizes[share] = path.stat().st_size
    assert sizes[True] < sizes[False]


@pytest.mark.unit
def test_block_vars_carry_units_and_domain_bounds(tmp_path):
    from propkg.replicas.bt_ideal import DOMAIN, export_bt_ideal_replica

    path = export_bt_ideal_replica(tmp_path)["benzene"]
    m = pyo.ConcreteModel()
    blk = add_onnx_block(m, "b", path)
    assert blk.temperature.bounds == DOMAIN
    assert str(pyo.units.get_units(blk.temperature)) == "K"
    assert str(pyo.units.get_units(blk.pressure_sat_comp)) == "Pa"
    assert_units_consistent(m)


@pytest.mark.unit
@pytest.mark.parametrize(
    "op", [ca.fabs, lambda x: ca.fmax(x, 1.0), lambda x: ca.if_else(x > 1, x, 0)]
)
def test_non_smooth_casadi_op_refused(op):
    x = ca.SX.sym("x")
    fun = ca.Function("f", [x], [op(x) + x])
    with pytest.raises(UnsupportedOperationError, match="not smooth or has no Pyomo counterpart"):
        sx_to_pyomo(fun, [2.0])


@pytest.mark.unit
def test_sx_translation_of_every_smooth_op_matches_casadi():
    x, y = ca.SX.sym("x"), ca.SX.sym("y")
    exprs = [
        x + y, x - y, x * y, x / y, x**y, x**2.5, -x, ca.exp(x), ca.log(x), ca.sqrt(x),
        x**2, 2 * x, 1 / x, ca.tanh(x), ca.sinh(x), ca.cosh(x), ca.sin(x), ca.cos(x),
        ca.tan(x), ca.atan(x), ca.asinh(x), ca.log1p(x), ca.expm1(x), ca.hypot(x, y),
    ]  # fmt: skip
    fun = ca.Function("f", [x, y], [ca.vertcat(*exprs)])
    m = pyo.ConcreteModel()
    m.x = pyo.Var(initialize=0.7)
    m.y = pyo.Var(initialize=1.3)
    (values,) = sx_to_pyomo(fun, [m.x, m.y])
    reference = np.array(fun(0.7, 1.3)).ravel()
    got = np.array([pyo.value(v) for v in values])
    np.testing.assert_allclose(got, reference, rtol=1e-15)


@pytest.mark.component
@needs_models
def test_plain_pyomo_nlp_normal_boiling_point():
    """Equation-oriented use without IDAES: solve p_sat(T) = 101325 Pa for T with IPOPT."""
    model = load_model("water")
    m = pyo.ConcreteModel()
    blk = add_onnx_block(m, "water", model)
    m.c = pyo.Constraint(expr=blk.pressure_sat_comp == 101325.0 * pyo.units.Pa)
    m.o = pyo.Objective(expr=0.0)
    result = pyo.SolverFactory("ipopt").solve(m)
    assert pyo.check_optimal_termination(result)
    T = ca.SX.sym("T")
    (psat,) = [model.sx_function(["pressure_sat_comp"])(T)]
    root = ca.rootfinder("r", "newton", ca.Function("g", [T], [psat - 101325.0]))
    assert pyo.value(blk.temperature) == pytest.approx(float(root(373.0)), rel=1e-9)
    assert pyo.value(blk.temperature) == pytest.approx(373.12, abs=0.5)
