"""Activity-coefficient liquid in IDAES: config, Pyomo vs onnxruntime, bubble point, Flash."""

import numpy as np
import onnxruntime as ort
import pyomo.environ as pyo  # noqa: E402
import pytest
import scipy.constants
from scipy.optimize import brentq

import idaes_plugin  # noqa: E402,F401  (registers the pip-only IPOPT)
from idaes_plugin.activity import (  # noqa: E402
    liquid_phase_config,
    load_gibbs_model,
)
from idaes_plugin.activity.eos import ActivityCoeffLiquid, log_gamma_expression  # noqa: E402
from idaes_plugin.vle_package import vle_config  # noqa: E402
from propkg_cli.reports.flash_grid import (  # noqa: E402
    build_flash,
    equilibrium_deviation,
    outlet_state,
    solve_flash,
)
from propkg_contract.errors import PropkgError
from propkg_contract.registry import find_binary_model, find_model
from tests.tolerances import CROSS_IMPLEMENTATION_RTOL, SYMBOLIC_DERIVATIVE_RTOL

MODELS = ["hybrid", "unifac", "nrtl"]


def _ort_ln_gamma(T, x_ethanol, model="hybrid"):
    path, _ = find_binary_model("ethanol", "water")
    suffix = {"hybrid": "", "unifac": "_unifac", "nrtl": "_nrtl"}[model]
    out = ort.InferenceSession(str(path)).run(
        [f"log_act_coeff_comp{suffix}"],
        {"temperature": np.array([[T]]), "mole_frac_comp": np.array([[x_ethanol,
                                                                        1 - x_ethanol]])})
    return out[0][0]


def _ort_psat(name, T):
    sess = ort.InferenceSession(str(find_model(name)))
    return sess.run(["pressure_sat_comp"], {"temperature": np.array([[T]])})[0][0, 0]


@pytest.mark.unit
@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("order", [("ethanol", "water"), ("water", "ethanol")])
def test_liquid_phase_config(model, order):
    cfg = liquid_phase_config(list(order), model)
    assert cfg["equation_of_state"] is ActivityCoeffLiquid
    opts = cfg["equation_of_state_options"]
    assert opts["activity_model"] == model
    assert opts["model_components"] == ["ethanol", "water"]  # the file's order


@pytest.mark.unit
def test_vle_config_accepts_activity_model():
    from idaes_plugin import vle_config

    cfg = vle_config(["ethanol", "water"], activity_model="hybrid")
    assert cfg["phases"]["Liq"]["equation_of_state"] is ActivityCoeffLiquid
    # IDAES's LogBubbleDew with auxiliary temperatures that may go below the state bounds
    assert "LogBubbleDew" in [c.__name__ for c in cfg["bubble_dew_method"].__mro__]
    # the state bounds are physical (water's triple point, 1000 K), not the g^E model's
    # fitted range (326-374 K): check_domain reports states outside that range
    low, _, high = cfg["state_bounds"]["temperature"][:3]
    assert low == pytest.approx(273.16, abs=0.01)
    assert high == 1000.0


@pytest.mark.unit
def test_liquid_phase_config_refusals():
    with pytest.raises(PropkgError, match="not one of"):
        liquid_phase_config(["ethanol", "water"], "wilson")
    with pytest.raises(PropkgError, match="propkg mixture ethanol water methanol"):
        liquid_phase_config(["ethanol", "water", "methanol"], "hybrid")
    with pytest.raises(PropkgError, match="binary_models gives 2 file"):
        liquid_phase_config(["ethanol", "water"], "hybrid", binary_models=["a.onnx", "b.onnx"])
    with pytest.raises(PropkgError, match="no shipped binary model"):
        liquid_phase_config(["ethanol", "toluene"], "hybrid")


@pytest.mark.unit
@pytest.mark.parametrize("model", MODELS)
def test_imported_model_matches_onnxruntime_and_fd(model):
    gm = load_gibbs_model(find_binary_model("ethanol", "water")[0], model)
    for T, x1 in ((330.0, 0.1), (365.0, 0.85)):
        out = gm.evaluate(T, x1)
        np.testing.assert_allclose(out["log_act_coeff_comp"], _ort_ln_gamma(T, x1, model),
                                   rtol=CROSS_IMPLEMENTATION_RTOL)
        h = 1e-3
        fd = (gm.evaluate(T + h, x1)["log_act_coeff_comp"]
              - gm.evaluate(T - h, x1)["log_act_coeff_comp"]) / (2 * h)
        np.testing.assert_allclose(out["d_log_act_coeff_comp_dT"], fd, rtol=1e-6, atol=1e-10)


def _state_block(model, T=350.0, x1=0.3, bubble=False):
    from idaes.core import FlowsheetBlock
    from idaes.models.properties.modular_properties import GenericParameterBlock

    m = pyo.ConcreteModel()
    m.fs = FlowsheetBlock(dynamic=False)
    m.fs.props = GenericParameterBlock(**vle_config(["ethanol", "water"], activity_model=model))
    m.fs.sb = m.fs.props.build_state_block([0], defined_state=True)
    sb = m.fs.sb[0]
    sb.flow_mol.fix(1.0)
    sb.temperature.fix(T)
    sb.pressure.fix(101325.0)
    sb.mole_frac_comp["ethanol"].fix(x1)
    sb.mole_frac_comp["water"].fix(1 - x1)
    if bubble:
        sb.temperature_bubble  # noqa: B018 (build on demand)
    return m, sb


@pytest.mark.component
@pytest.mark.parametrize("model", MODELS)
def test_pyomo_activity_values_and_symbolic_derivatives(model):
    from pyomo.core.expr.calculus.derivatives import Modes, differentiate

    m, sb = _state_block(model)
    x1, T = 0.27, 341.0
    sb.temperature.set_value(T)
    sb.mole_frac_phase_comp["Liq", "ethanol"].set_value(x1)
    sb.mole_frac_phase_comp["Liq", "water"].set_value(1 - x1)
    got = [pyo.value(log_gamma_expression(sb, "Liq", j)) for j in ("ethanol", "water")]
    np.testing.assert_allclose(got, _ort_ln_gamma(T, x1, model), rtol=CROSS_IMPLEMENTATION_RTOL)
    np.testing.assert_allclose(pyo.value(sb.act_coeff_phase_comp["Liq", "ethanol"]),
                               np.exp(got[0]), rtol=CROSS_IMPLEMENTATION_RTOL)
    # d ln gamma_1 / d x_1 (x2 held) : Pyomo reverse-symbolic vs CasADi AD of the same file
    import casadi as ca

    gm = load_gibbs_model(find_binary_model("ethanol", "water")[0], model)
    Ts, a, b = ca.SX.sym("T"), ca.SX.sym("a"), ca.SX.sym("b")
    ln1 = gm.function(Ts, a, b)[1][0]
    d_ca = ca.Function("d", [Ts, a, b], [ca.jacobian(ln1, a), ca.jacobian(ln1, Ts)])
    ref_dx, ref_dT = (float(v) for v in d_ca(T, x1, 1 - x1))
    expr = log_gamma_expression(sb, "Liq", "ethanol")
    var_x = sb.mole_frac_phase_comp["Liq", "ethanol"]
    d_x = differentiate(expr, wrt=var_x, mode=Modes.reverse_symbolic)
    d_T = differentiate(expr, wrt=sb.temperature, mode=Modes.reverse_symbolic)
    np.testing.assert_allclose(pyo.value(d_x), ref_dx, rtol=SYMBOLIC_DERIVATIVE_RTOL)
    np.testing.assert_allclose(pyo.value(d_T), ref_dT, rtol=SYMBOLIC_DERIVATIVE_RTOL)


@pytest.mark.component
def test_bubble_temperature_matches_independent_solution():
    import CoolProp

    x1 = 0.3
    m, sb = _state_block("hybrid", x1=x1, bubble=True)
    m.fs.sb.initialize()
    res = pyo.SolverFactory("ipopt").solve(m)
    assert pyo.check_optimal_termination(res)
    t_bub = pyo.value(sb.temperature_bubble["Vap", "Liq"])

    def residual(T):
        ln = _ort_ln_gamma(T, x1)
        return (x1 * np.exp(ln[0]) * _ort_psat("ethanol", T)
                + (1 - x1) * np.exp(ln[1]) * _ort_psat("water", T) - 101325.0)

    t_ref = brentq(residual, 330.0, 373.0, xtol=1e-10)
    assert t_bub == pytest.approx(t_ref, abs=1e-6)
    cp = CoolProp.AbstractState("HEOS", "Ethanol&Water")
    cp.set_mole_fractions([x1, 1 - x1])
    cp.update(CoolProp.PQ_INPUTS, 101325.0, 0.0)
    assert t_bub == pytest.approx(cp.T(), abs=0.3)


@pytest.mark.integration
@pytest.mark.parametrize("model", ["hybrid", "nrtl"])
def test_flash_solves_from_default_initialization(model):
    # Pyomo's check with the units of named expressions computed once: ~0.3 s instead of
    # ~100 s for the hybrid (tests/test_units_check.py: it flags what Pyomo flags)
    from idaes_plugin import assert_units_consistent

    m = build_flash(("ethanol", "water"), model, T=358.0, z1=0.3)
    m.fs.flash.control_volume.properties_out[0].entr_mol_phase  # noqa: B018 (build on demand)
    assert_units_consistent(m)
    ok, msg = solve_flash(m)
    assert ok, msg
    st = outlet_state(m)
    assert 0.01 < st["vap_frac"] < 0.99
    assert equilibrium_deviation(st, activity_model=model) < 1e-6


@pytest.mark.component
def test_excess_enthalpy_is_temperature_derivative_of_gibbs():
    """h_liq(activity) - h_liq(ideal) = -R T^2 d(gE/RT)/dT, by finite differences (onnxruntime)."""
    from idaes.models.properties.modular_properties.eos.ideal import Ideal

    T, x1 = 345.0, 0.4
    m, sb = _state_block("hybrid", T=T, x1=x1)
    sb.mole_frac_phase_comp["Liq", "ethanol"].set_value(x1)
    sb.mole_frac_phase_comp["Liq", "water"].set_value(1 - x1)
    h_ex = pyo.value(ActivityCoeffLiquid.enth_mol_phase(sb, "Liq")) - pyo.value(
        Ideal.enth_mol_phase(sb, "Liq"))
    path, _ = find_binary_model("ethanol", "water")
    sess = ort.InferenceSession(str(path))

    def g(t):
        feed = {"temperature": np.array([[t]]), "mole_frac_comp": np.array([[x1, 1 - x1]])}
        return sess.run(["gibbs_excess_rt"], feed)[0][0, 0]

    dT = 1e-3
    ref = -scipy.constants.R * T**2 * (g(T + dT) - g(T - dT)) / (2 * dT)
    assert h_ex == pytest.approx(ref, rel=1e-6)
