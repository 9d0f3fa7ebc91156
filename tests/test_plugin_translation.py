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
from propkg_contract.errors import UnsupportedOperationError
from tests.tolerances import CROSS_IMPLEMENTATION_RTOL, SYMBOLIC_DERIVATIVE_RTOL


def _shipped_models(kind=None):
    path = MODEL_DIR / "manifest.json"
    if not path.is_file():
        return []
    models = json.loads(path.read_text())["models"]
    return sorted(m["file"] for m in models if kind is None or m["kind"] == kind)


SHIPPED = _shipped_models()
assert _shipped_models("pure_component"), "exported_models/ has no pure-component models"


def _points(model, n_inside=3):
    """Domain corners and interior points: temperature x (for binaries) mole fractions."""
    lo, hi = model.domain_of("temperature")
    temps = [lo, *np.linspace(lo, hi, n_inside + 2)[1:-1], hi]
    if "mole_frac_comp" not in model.input_names:
        return [{"temperature": t} for t in temps]
    # g^E models: their Pyomo trees are large and value() re-walks shared nodes, so fewer
    # points, each temperature corner and composition end once (first component x, the
    # others sharing 1 - x equally)
    n = model.size_of("mole_frac_comp")
    pairs = [(lo, 0.02), (0.5 * (lo + hi), 0.5), (hi, 0.98)]
    return [{"temperature": t, "mole_frac_comp": [x] + [(1 - x) / (n - 1)] * (n - 1)}
            for t, x in pairs]


def _set_inputs(blk, point):
    for name, value in point.items():
        var = getattr(blk, name)
        if var.is_indexed():
            for i, v in enumerate(value):
                var[i].set_value(v)
        else:
            var.set_value(value)


def _elements(blk, out):
    expr = getattr(blk, out)
    return [expr[i] for i in expr] if expr.is_indexed() else [expr]


@pytest.mark.component
@pytest.mark.parametrize("file", SHIPPED)
def test_pyomo_value_matches_onnxruntime_and_casadi(file):
    """Pyomo value() of every output element vs onnxruntime and CasADi, 1e-12 relative."""
    model = load_model(MODEL_DIR / file)
    m = pyo.ConcreteModel()
    blk = add_onnx_block(m, "b", model)
    session = ort.InferenceSession(model.source)
    shapes = {n: [d if isinstance(d, int) else 1 for d in spec.get("shape", [1, 1])]
              for n, spec in model.metadata.inputs.items()}  # a symbolic batch size -> 1
    for point in _points(model):
        _set_inputs(blk, point)
        feed = {n: np.reshape(np.asarray(v, dtype=float), shapes[n]) for n, v in point.items()}
        onnx_values = session.run(list(model.output_names), feed)
        reference = model.evaluate(model.output_names, **point)
        got = [pyo.value(e) for out in model.output_names for e in _elements(blk, out)]
        onnx_flat = np.concatenate([np.ravel(v) for v in onnx_values])
        np.testing.assert_allclose(got, reference, rtol=CROSS_IMPLEMENTATION_RTOL, atol=0)
        np.testing.assert_allclose(got, onnx_flat, rtol=CROSS_IMPLEMENTATION_RTOL, atol=1e-15)
    if model.metadata.kind == "pure_component":  # (the g^E trees take ~30 s to walk)
        assert_units_consistent(m)


@pytest.mark.component
@pytest.mark.parametrize("file", SHIPPED)
def test_symbolic_derivatives_match_casadi(file):
    """Pyomo's d/dT and d2/dT2 of every output element vs CasADi's jacobian and hessian.

    First derivative: Pyomo reverse-symbolic. Second: Pyomo reverse-mode AD of that
    symbolic derivative (evaluating the doubly symbolic tree node by node takes seconds).
    """
    model = load_model(MODEL_DIR / file)
    m = pyo.ConcreteModel()
    blk = add_onnx_block(m, "b", model)
    syms = model.function.sx_in()
    T = syms[model.input_names.index("temperature")]
    values = model.function(*syms)
    values = [values] if len(model.output_names) == 1 else list(values)
    points = _points(model, n_inside=1)
    for j, out in enumerate(model.output_names):
        for k, element in enumerate(_elements(blk, out)):
            d1 = differentiate(
                element.expr, wrt=blk.temperature, mode=differentiate.Modes.reverse_symbolic
            )
            hess, grad = ca.hessian(ca.vec(values[j])[k], T)
            ref = ca.Function("ref", syms, [grad, hess])
            for point in points:
                _set_inputs(blk, point)
                args = [np.asarray(point[n], dtype=float) for n in model.input_names]
                g_ref, h_ref = (float(v) for v in ref(*args))
                where = (out, k, point)
                assert pyo.value(d1) == pytest.approx(g_ref, rel=SYMBOLIC_DERIVATIVE_RTOL), where
                d2 = differentiate(
                    d1, wrt=blk.temperature, mode=differentiate.Modes.reverse_numeric
                )
                assert d2 == pytest.approx(h_ref, rel=SYMBOLIC_DERIVATIVE_RTOL, abs=1e-14), where


@pytest.mark.component
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
    from validation.replicas.bt_ideal import DOMAIN, export_bt_ideal_replica

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


@pytest.mark.unit
def test_a_structurally_zero_output_is_zero():
    """d(g^E/RT)/dT of a temperature-independent g^E (an ideal-backbone pair with a
    constant correction) has no nonzero; it translates to 0.0, the others as CasADi says."""
    T, x = ca.SX.sym("T"), ca.SX.sym("x")
    g = 0.3 * x * (1 - x)
    ln = ca.vertcat(0.3 * (1 - x) ** 2, 0.3 * x ** 2)
    fun = ca.Function("f", [T, x], [g, ca.jacobian(g, T), ca.jacobian(ln, T)])
    assert fun.nnz_out(1) == fun.nnz_out(2) == 0
    m = pyo.ConcreteModel()
    m.x = pyo.Var(initialize=0.25)
    value, slope, slopes = sx_to_pyomo(fun, [350.0, m.x])
    assert slope == 0.0
    assert slopes == [0.0, 0.0]
    assert pyo.value(value) == pytest.approx(float(fun(350.0, 0.25)[0]),
                                             rel=CROSS_IMPLEMENTATION_RTOL)
