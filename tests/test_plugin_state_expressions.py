"""One shared translation per state and temperature (idaes_plugin.state_expressions)."""

import io

import casadi as ca
import numpy as np
import pyomo.environ as pyo
import pytest
from pyomo.core.expr.calculus.derivatives import Modes, differentiate
from pyomo.environ import units as pyunits
from pyomo.repn.plugins.nl_writer import NLWriter
from pyomo.util.check_units import assert_units_consistent

from idaes_plugin.casadi_to_pyomo import indexed_subexpressions, sx_to_pyomo
from idaes_plugin.derived import derived_function
from idaes_plugin.onnx_import import load_model
from idaes_plugin.state_expressions import state_function, state_values
from tests.tolerances import CROSS_IMPLEMENTATION_RTOL, SYMBOLIC_DERIVATIVE_RTOL


def _source_function(model, key):
    """The CasADi function a pure method would translate on its own for ``key``."""
    if key[0] == "derived":
        return derived_function(model, key[1])
    outputs, wrt, log = key
    return model.sx_function(outputs, wrt, log)


def _block(T=350.0):
    m = pyo.ConcreteModel()
    m.T = pyo.Var(initialize=T, units=pyunits.K)
    return m


@pytest.mark.component
@pytest.mark.parametrize("fluid", ["benzene", "water"])
def test_state_values_equal_casadi_values_and_derivatives(fluid):
    model = load_model(fluid)
    _, keys = state_function(model)
    assert len(keys) >= 10  # outputs, the vapour-pressure forms, the derived properties
    m = _block()
    values = {key: state_values(m, fluid, model, m.T, key)[0] for key in keys}
    # (the liquid cp is itself a second derivative: its symbolic derivative tree is large
    # and slow to build; its value is checked)
    slopes = {
        key: differentiate(expr, wrt=m.T, mode=Modes.reverse_symbolic)
        for key, expr in values.items()
        if key != ("derived", "cp_mol_liq_comp")
    }
    lo, hi = model.domain_of("temperature")
    for T in np.linspace(lo, hi, 3):
        m.T.set_value(T)
        for key, expr in values.items():
            fun = _source_function(model, key)
            expected = float(fun(T))
            assert pyo.value(expr) == pytest.approx(expected, rel=CROSS_IMPLEMENTATION_RTOL), key
            if key not in slopes:
                continue
            d_expected = float(_derivative(fun)(T))
            assert pyo.value(slopes[key]) == pytest.approx(
                d_expected, rel=SYMBOLIC_DERIVATIVE_RTOL, abs=1e-12
            ), key
    assert_units_consistent(m)


def _derivative(fun):
    """CasADi's exact derivative of a function of the temperature."""
    T = ca.SX.sym("T")
    return ca.Function("d", [T], [ca.jacobian(fun(T), T)])


@pytest.mark.component
def test_one_translation_per_state_and_temperature():
    model = load_model("benzene")
    fun, keys = state_function(model)
    m = _block()
    first = {key: state_values(m, "benzene", model, m.T, key)[0] for key in keys}
    named = m.propkg_state.expression
    n_named = len(named)
    assert 0 < n_named < fun.n_instructions()
    assert {index[:2] for index in named} == {("benzene", 0)}
    # asking again returns the same expressions and adds nothing
    again = {key: state_values(m, "benzene", model, m.T, key)[0] for key in keys}
    assert all(again[k] is first[k] for k in keys)
    assert len(named) == n_named
    # one sub-block per state block, whatever the number of components and temperatures
    assert len([b for b in m.component_objects(pyo.Block)]) == 1
    # a second temperature gets its own translation
    m.T2 = pyo.Var(initialize=360.0, units=pyunits.K)
    state_values(m, "benzene", model, m.T2, keys and next(iter(keys)))
    assert ("benzene", 1, 0) in named
    assert len([b for b in m.component_objects(pyo.Block)]) == 1


def _nl_bytes(m):
    buffer = io.StringIO()
    NLWriter().write(m, buffer, symbolic_solver_labels=False)
    return len(buffer.getvalue())


@pytest.mark.component
def test_shared_translation_shrinks_the_nl_file():
    """The vapour pressure, its log and their derivatives at one temperature (IDAES's
    bubble/dew methods ask for them one by one): one shared translation writes a much
    smaller NL file than one translation per property."""
    model = load_model("benzene")
    keys = [
        (("pressure_sat_comp",), wrt, log)
        for wrt in (None, "temperature") for log in (False, True)
    ]
    shared, separate = _block(), _block()
    shared.c = pyo.Constraint(
        expr=sum(state_values(shared, "benzene", model, shared.T, k)[0] for k in keys) == 1.0
    )
    terms = []
    for k, key in enumerate(keys):
        separate.add_component(f"sub{k}", pyo.Block())
        (expr,) = sx_to_pyomo(
            _source_function(model, key), [separate.T / pyunits.K],
            indexed_subexpressions(separate.component(f"sub{k}")),
        )  # fmt: skip
        terms.append(expr)
    separate.c = pyo.Constraint(expr=sum(terms) == 1.0)
    assert pyo.value(shared.c.body) == pytest.approx(
        pyo.value(separate.c.body), rel=CROSS_IMPLEMENTATION_RTOL
    )
    assert _nl_bytes(shared) < 0.6 * _nl_bytes(separate)
