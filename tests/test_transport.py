"""Hybrid transport models: backbones vs chemicals, shipped ONNX files vs CoolProp on
held-out points, the IDAES methods vs the files, and mixing rules in a solved Flash vs
the same formulas in numpy."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest
from pyomo.core.expr.calculus.derivatives import differentiate
from pyomo.util.check_units import assert_units_equivalent

import idaes_plugin  # noqa: F401  (registers the pip-only IPOPT)
from propkg.transport import backbones as tb
from propkg.transport.data import (
    CHECK_METHOD,
    FALLBACK_METHOD,
    coolprop_values,
    heldout_temperatures,
    thermo_values,
    training_temperatures,
)
from propkg.transport.model import transport_constants
from propkg_contract.errors import MetadataError, PropkgError
from propkg_contract.reader import load_model, run_onnx
from propkg_contract.registry import find_model, find_transport_model
from tests.tolerances import (
    CROSS_IMPLEMENTATION_RTOL,
    FINITE_DIFFERENCE_RTOL,
    REGRESSION_RTOL,
    TRANSPORT_HELDOUT_AAD_PERCENT,
)

FLUIDS = ["water", "benzene", "r134a"]


@pytest.mark.unit
@pytest.mark.parametrize("name", FLUIDS)
def test_backbones_equal_chemicals(name):
    """Each backbone equals its chemicals implementation at subcritical temperatures."""
    from chemicals.interface import Brock_Bird
    from chemicals.thermal_conductivity import Chung, Sato_Riedel
    from chemicals.viscosity import Letsou_Stiel, Lucas_gas

    k = transport_constants(name)
    c = k.pure
    mw = 1e3 * c.molar_mass
    for T in (0.5 * c.Tc, 0.7 * c.Tc, 0.9 * c.Tc):
        eta = tb.lucas_gas_viscosity(T, c.Tc, c.Pc, c.Zc, c.molar_mass, k.dipole)
        cv = tb.ideal_gas_cv(T, c.poling)
        pairs = [
            (tb.letsou_stiel_viscosity(T, c.Tc, c.Pc, c.omega, c.molar_mass),
             Letsou_Stiel(T, mw, c.Tc, c.Pc, c.omega)),
            (eta, Lucas_gas(T, c.Tc, c.Pc, c.Zc, mw, k.dipole)),
            (tb.sato_riedel_conductivity(T, c.Tc, k.Tb, c.molar_mass),
             Sato_Riedel(T, mw, k.Tb, c.Tc)),
            (tb.chung_gas_conductivity(T, c.Tc, c.omega, c.molar_mass, cv, eta),
             Chung(T, mw, c.Tc, c.omega, cv, eta)),
            (tb.brock_bird_surface_tension(T, c.Tc, c.Pc, k.Tb), Brock_Bird(T, k.Tb, c.Tc, c.Pc)),
        ]  # fmt: skip
        for ours, theirs in pairs:
            assert ours == pytest.approx(theirs, rel=REGRESSION_RTOL)


@pytest.mark.component
@pytest.mark.parametrize("name", FLUIDS)
def test_shipped_files_match_coolprop_on_heldout_points(name):
    """The shipped ONNX file (onnxruntime) vs CoolProp at temperatures never trained on."""
    path = find_transport_model(name)
    model = load_model(path)
    fluid = transport_constants(name).pure.coolprop
    for output in model.output_names:
        domain = model.domain_of("temperature", output)
        t_test = heldout_temperatures(domain)[::5]
        assert np.min(np.abs(t_test[:, None] - training_temperatures(domain)[None, :])) > 0.1
        y = np.ravel(run_onnx(path, T=t_test)[output])
        aad = 100 * np.mean(np.abs(y / coolprop_values(fluid, output, t_test) - 1))
        assert aad <= TRANSPORT_HELDOUT_AAD_PERCENT, (name, output, aad)


@pytest.mark.component
@pytest.mark.parametrize("name", ["acetone", "ethylene"])
def test_fallback_outputs_match_thermo_refprop_fit_on_heldout_points(name):
    """Where CoolProp has no correlation the file is trained on thermo's REFPROP fit: it
    matches that fit on other temperatures, and DIPPR (independent) to within 10 % AAD."""
    path = find_transport_model(name)
    model = load_model(path)
    cas = transport_constants(name).pure.cas
    for output in ("visc_d_liq_comp", "visc_d_vap_comp", "therm_cond_liq_comp",
                   "therm_cond_vap_comp"):  # fmt: skip
        domain = model.domain_of("temperature", output)
        t_test = heldout_temperatures(domain)[::5]
        y = np.ravel(run_onnx(path, T=t_test)[output])
        aad = 100 * np.mean(np.abs(y / thermo_values(cas, output, t_test, FALLBACK_METHOD) - 1))
        assert aad <= TRANSPORT_HELDOUT_AAD_PERCENT, (name, output, aad)
        dippr = thermo_values(cas, output, t_test, CHECK_METHOD)
        assert 100 * np.mean(np.abs(y / dippr - 1)) < 10.0, (name, output)


@pytest.mark.component
@pytest.mark.parametrize("name", ["water", "acetone", "propane"])
def test_outputs_stay_finite_positive_and_level_off_above_tc(name):
    """Outside the trained range: finite and positive from 50 to 2000 K; the saturated-liquid
    outputs level off above Tc (their backbones and corrections see a capped T)."""
    path = find_transport_model(name)
    tc = transport_constants(name).pure.Tc
    values = run_onnx(path, T=np.linspace(50.0, 2000.0, 300))
    for output, y in values.items():
        assert np.all(np.isfinite(y)) and np.all(np.asarray(y) > 0), output
    hot = run_onnx(path, T=np.array([1.2 * tc, 3.0 * tc]))
    for output in ("visc_d_liq_comp", "therm_cond_liq_comp", "surf_tens_comp"):
        a, b = np.ravel(hot[output])
        assert b == pytest.approx(a, rel=1e-2), output  # within 1 % from 1.2 Tc to 3 Tc


@pytest.mark.unit
def test_lookup_and_config_errors():
    from idaes_plugin.transport import add_transport

    assert find_transport_model("H2O") == find_transport_model("7732-18-5")
    with pytest.raises(MetadataError, match="no shipped pure_component_transport model"):
        find_transport_model("unobtainium")
    config = {"components": {"x": {"parameter_data": {}}}, "phases": {"Liq": {}, "Vap": {}}}
    with pytest.raises(MetadataError, match="no transport model for component 'x'"):
        add_transport(config, True)
    assert add_transport(config, None) is False and config["phases"]["Liq"] == {}
    with pytest.raises(PropkgError, match="transport must be True, False or None"):
        add_transport(config, "yes")


# ---- the IDAES methods in a solved methanol/water Flash ---------------------------------
@pytest.fixture(scope="module")
def flash_outlet():
    from idaes.core.solvers import get_solver
    from idaes.models.unit_models import Flash

    from tests.methanol_water import fix_feed, methanol_water_flowsheet

    m = methanol_water_flowsheet()
    m.fs.flash = Flash(property_package=m.fs.props)
    fix_feed(m.fs.flash.inlet, T=355.0, P=101325.0, x_methanol=0.4)
    m.fs.flash.heat_duty.fix(0.0)
    m.fs.flash.deltaP.fix(0.0)
    m.fs.flash.default_initializer().initialize(m.fs.flash)
    results = get_solver().solve(m)
    assert pyo.check_optimal_termination(results)
    return m.fs.flash.control_volume.properties_out[0]


def _numpy_mixture(T: float, x: dict, y: dict) -> dict:
    """The five mixture properties from the files (onnxruntime) and numpy formulas."""
    comps = list(x)
    pure = {j: {k: float(np.ravel(v)[0]) for k, v in
                run_onnx(find_transport_model(j), T=np.array([T])).items()} for j in comps}
    rho = {j: float(np.ravel(run_onnx(find_model(j), T=np.array([T]))["dens_mol_liq_comp"])[0])
           for j in comps}  # fmt: skip
    mw = {j: transport_constants(j).pure.molar_mass for j in comps}
    mu_v = {j: pure[j]["visc_d_vap_comp"] for j in comps}
    # Wilke (Poling Eq. 9-5.13/14) and Wassiljewa-Mason-Saxena (Eq. 10-6.2)
    phi = {(i, j): (1 + (mu_v[i] / mu_v[j]) ** 0.5 * (mw[j] / mw[i]) ** 0.25) ** 2
           / (8 * (1 + mw[i] / mw[j])) ** 0.5 for i in comps for j in comps}  # fmt: skip
    den = {i: sum(y[j] * phi[i, j] for j in comps) for i in comps}
    out = {
        "visc_vap": sum(y[i] * mu_v[i] / den[i] for i in comps),
        "cond_vap": sum(y[i] * pure[i]["therm_cond_vap_comp"] / den[i] for i in comps),
        "visc_liq": np.exp(sum(x[j] * np.log(pure[j]["visc_d_liq_comp"]) for j in comps)),
        "surf": sum(x[j] * pure[j]["surf_tens_comp"] for j in comps),
    }
    vol = {j: x[j] / rho[j] for j in comps}
    frac = {j: vol[j] / sum(vol.values()) for j in comps}
    lam = {j: pure[j]["therm_cond_liq_comp"] for j in comps}
    out["cond_liq"] = sum(frac[i] * frac[j] * 2 / (1 / lam[i] + 1 / lam[j])
                          for i in comps for j in comps)  # fmt: skip
    return out


def _mixture_expressions(state) -> dict:
    return {
        "visc_vap": state.visc_d_phase["Vap"], "cond_vap": state.therm_cond_phase["Vap"],
        "visc_liq": state.visc_d_phase["Liq"], "cond_liq": state.therm_cond_phase["Liq"],
        "surf": state.surf_tens_phase["Liq"],
    }  # fmt: skip


@pytest.mark.integration
def test_flash_mixture_transport_equals_numpy_formulas(flash_outlet):
    """visc_d_phase, therm_cond_phase, surf_tens_phase of the solved outlet equal the
    mixing rules evaluated in numpy on the ONNX files' pure-component values."""
    s = flash_outlet
    T = pyo.value(s.temperature)
    comps = ["methanol", "water"]
    x = {j: pyo.value(s.mole_frac_phase_comp["Liq", j]) for j in comps}
    y = {j: pyo.value(s.mole_frac_phase_comp["Vap", j]) for j in comps}
    assert 0.05 < x["methanol"] < y["methanol"] < 0.95  # two phases
    expected = _numpy_mixture(T, x, y)
    for key, expr in _mixture_expressions(s).items():
        assert pyo.value(expr) == pytest.approx(expected[key], rel=CROSS_IMPLEMENTATION_RTOL), key
        assert_units_equivalent(expr, {"visc": pyo.units.Pa * pyo.units.s,
                                       "cond": pyo.units.W / pyo.units.m / pyo.units.K,
                                       "surf": pyo.units.N / pyo.units.m}[key[:4]])
    for p in ("Liq", "Vap"):
        for j in comps:
            onnx = run_onnx(find_transport_model(j), T=np.array([T]))
            suffix = "liq" if p == "Liq" else "vap"
            assert pyo.value(s._visc_d_phase_comp[p, j]) == pytest.approx(
                float(np.ravel(onnx[f"visc_d_{suffix}_comp"])[0]), rel=CROSS_IMPLEMENTATION_RTOL)


@pytest.mark.integration
def test_flash_transport_temperature_derivatives(flash_outlet):
    """Pyomo's symbolic d/dT of each mixture property vs a 4-point central difference."""
    s = flash_outlet
    T0 = pyo.value(s.temperature)
    h = 1e-2
    try:
        for key, expr in _mixture_expressions(s).items():
            s.temperature.set_value(T0)
            exact = pyo.value(differentiate(expr.expr if hasattr(expr, "expr") else expr,
                                            wrt=s.temperature,
                                            mode=differentiate.Modes.reverse_symbolic))
            f = {}
            for k in (-2, -1, 1, 2):
                s.temperature.set_value(T0 + k * h)
                f[k] = pyo.value(expr)
            fd = (f[-2] - 8 * f[-1] + 8 * f[1] - f[2]) / (12 * h)
            assert exact == pytest.approx(fd, rel=FINITE_DIFFERENCE_RTOL), key
    finally:
        s.temperature.set_value(T0)


@pytest.mark.component
def test_ternary_state_block_transport_equals_numpy_formulas():
    """A three-component Raoult package (any number of components): the mixture rules of a
    state block at a fixed T and composition equal the numpy formulas."""
    from idaes.core import FlowsheetBlock
    from idaes.models.properties.modular_properties.base.generic_property import (
        GenericParameterBlock,
    )

    from idaes_plugin import vle_config

    comps = ["benzene", "toluene", "o_xylene"]
    m = pyo.ConcreteModel()
    m.fs = FlowsheetBlock(dynamic=False)
    m.fs.props = GenericParameterBlock(**vle_config(comps, transport=True))
    m.fs.state = m.fs.props.build_state_block([0], defined_state=True)
    s = m.fs.state[0]
    T = 370.0
    s.temperature.fix(T)
    x = {"benzene": 0.2, "toluene": 0.5, "o_xylene": 0.3}
    y = {"benzene": 0.5, "toluene": 0.4, "o_xylene": 0.1}
    for j in comps:
        s.mole_frac_phase_comp["Liq", j].set_value(x[j])
        s.mole_frac_phase_comp["Vap", j].set_value(y[j])
    expected = _numpy_mixture(T, x, y)
    for key, expr in _mixture_expressions(s).items():
        assert pyo.value(expr) == pytest.approx(expected[key], rel=CROSS_IMPLEMENTATION_RTOL), key
    # a temperature that is a number (as IDAES's initial guesses) is evaluated at once
    from idaes_plugin.transport import HybridTransport

    number = HybridTransport.therm_cond_phase_comp.return_expression(
        s, m.fs.props.get_component("toluene"), "Vap", 450.0 * pyo.units.K)
    onnx = run_onnx(find_transport_model("toluene"), T=np.array([450.0]))["therm_cond_vap_comp"]
    assert pyo.value(number) == pytest.approx(float(np.ravel(onnx)[0]),
                                              rel=CROSS_IMPLEMENTATION_RTOL)
    # above 0.9 Tc of benzene (506 K) the liquid transport outputs are extrapolated
    from idaes_plugin import check_domain
    from idaes_plugin.domains import DomainWarning

    s.temperature.set_value(530.0)
    with pytest.warns(DomainWarning):
        messages = [msg for msg in check_domain(s) if "benzene__transport" in msg]
    assert any("'visc_d_liq_comp'" in msg for msg in messages)
    assert not any("'visc_d_vap_comp'" in msg for msg in messages)  # gas: to 725 K
    assert vle_config(comps, transport=False)["phases"]["Liq"].get("visc_d_phase") is None
