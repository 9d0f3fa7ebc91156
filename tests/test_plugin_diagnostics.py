"""IDAES's DiagnosticsToolbox on propkg packages: tanh interval rules, evaluation warnings."""

import io
import math
import re

import numpy as np
import pyomo.environ as pyo
import pytest
from idaes.core.util.diagnostics_tools.diagnostics_toolbox import DiagnosticsToolbox
from pyomo.contrib.fbbt.fbbt import compute_bounds_on_expr, fbbt

import idaes_plugin  # noqa: F401  (registers the interval rules and the pip-only IPOPT)
from idaes_plugin.casadi_to_pyomo import exp_of
from idaes_plugin.vle_package import vle_config
from tests.tolerances import REGRESSION_RTOL
from validation.flowsheets import bt_flash

FUNCTIONS = {"tanh": (pyo.tanh, np.tanh), "sinh": (pyo.sinh, np.sinh), "cosh": (pyo.cosh, np.cosh)}
INTERVALS = [(-3.0, -0.5), (-0.7, 2.0), (0.3, 4.0), (-800.0, 900.0), (-math.inf, math.inf)]


@pytest.mark.unit
@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@pytest.mark.parametrize("interval", INTERVALS)
def test_interval_rules_enclose_sampled_values(name, interval):
    """Bounds from Pyomo's walker contain every sampled value and are attained at the ends."""
    pyo_fun, np_fun = FUNCTIONS[name]
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=interval)
    lo, hi = compute_bounds_on_expr(pyo_fun(m.x))
    lo = -math.inf if lo is None else lo
    hi = math.inf if hi is None else hi
    a, b = max(interval[0], -700.0), min(interval[1], 700.0)  # where numpy stays finite
    xs = np.append(np.linspace(a, b, 2001), 0.0 if a < 0 < b else a)  # cosh's minimum
    with np.errstate(over="ignore"):
        ys = np_fun(xs)
    slack = 1e-14 * np.abs(ys).max()
    assert lo <= ys.min() + slack and ys.max() - slack <= hi
    if all(math.isfinite(v) for v in interval) and abs(b) < 700:
        assert ys.min() == pytest.approx(lo, rel=1e-12) and ys.max() == pytest.approx(hi, rel=1e-12)


@pytest.mark.unit
def test_fbbt_tightens_the_argument_of_tanh():
    """Backward propagation: tanh(x) <= tanh(1) bounds x above by 1 (atanh)."""
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(-10, 10))
    m.c = pyo.Constraint(expr=pyo.tanh(m.x) <= math.tanh(1.0))
    fbbt(m)
    assert m.x.ub == pytest.approx(1.0, rel=1e-9)


@pytest.mark.unit
def test_exp_of_sum_with_log_is_product():
    """exp(ln u + b) is written u*exp(b): no log left, same value."""
    m = pyo.ConcreteModel()
    m.u = pyo.Var(initialize=0.7, bounds=(-5, 5))
    m.b = pyo.Var(initialize=0.3)
    expr = exp_of(pyo.log(m.u) + m.b)
    assert "log" not in str(expr)
    assert pyo.value(expr) == pytest.approx(math.exp(math.log(0.7) + 0.3), rel=REGRESSION_RTOL)
    assert exp_of(pyo.log(m.u)) is m.u


def _eval_errors(m) -> list[str]:
    return DiagnosticsToolbox(m)._collect_potential_eval_errors()


#: the supercritical continuation of the vapour pressure, T_eff = smooth_min(T, 0.995 T_c)
#: = 0.5 (a + T - sqrt(eps + (T - a)^2)): below a everywhere, but interval arithmetic
#: (T appears twice) cannot prove 1 - T_eff/T_c > 0 for a state range reaching 1000 K. It is
#: recognised by its smooth cap sqrt(eps + (T - a)^2), written (T - a) as the model builds it
#: or (-a + T) once the state function's affine parts are merged (idaes_plugin.affine_forms)
CONTINUATION = re.compile(r"sqrt\([0-9.]+ \+ \((\S+ - [0-9.]+|-[0-9.]+ \+ \S+)\)\*\*2\)")


@pytest.mark.component
def test_raoult_package_no_more_evaluation_warnings_than_bt_ideal():
    """report_structural_issues runs; apart from the supercritical continuation of the
    vapour pressure, propkg's Raoult package flags no more than IDAES's BT_ideal."""
    ours = bt_flash(vle_config(["benzene", "toluene"]))
    stream = io.StringIO()
    DiagnosticsToolbox(ours).report_structural_issues(stream=stream)
    assert "Model Statistics" in stream.getvalue()
    others = [w for w in _eval_errors(ours) if not CONTINUATION.search(w)]
    assert len(others) <= len(_eval_errors(bt_flash())), others[:3]


@pytest.mark.component
def test_activity_package_structural_report_runs():
    """The hybrid g^E package (tanh network) no longer stops the report with KeyError 'tanh'."""
    config = vle_config(["methanol", "water"], activity_model="hybrid")
    m = pyo.ConcreteModel()
    from idaes.core import FlowsheetBlock
    from idaes.models.properties.modular_properties.base.generic_property import (
        GenericParameterBlock,
    )

    m.fs = FlowsheetBlock(dynamic=False)
    m.fs.props = GenericParameterBlock(**config)
    m.fs.state = m.fs.props.build_state_block([0], defined_state=True)
    stream = io.StringIO()
    DiagnosticsToolbox(m).report_structural_issues(stream=stream)
    assert "Model Statistics" in stream.getvalue()
