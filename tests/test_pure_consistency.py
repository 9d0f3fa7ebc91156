"""Thermodynamic consistency of the shipped hybrid pure-component models.

Checked on the CasADi reference rebuilt from each file's metadata: cp = dh/dT and
ds/dT = cp/T with exact derivatives; analytic derivatives against central finite
differences; h and s against quadrature of cp; Psat(Tc) = Pc; the Clausius-Clapeyron
identity of the exported dh_vap against a finite-difference dPsat/dT of the ONNX output.
"""

import casadi as ca
import numpy as np
import pytest
from scipy.integrate import quad

from propkg.backbones import R
from propkg.components import names
from propkg.hybrid import HybridPureModel
from propkg_contract.metadata import read_metadata
from propkg_contract.reader import run_onnx
from propkg_contract.registry import default_model_dir
from propkg_contract.vocabulary import P_REF, T_REF
from tests.tolerances import FINITE_DIFFERENCE_RTOL, IDENTITY_RTOL

FLUIDS = names()


def _model(fluid):
    meta = read_metadata(default_model_dir() / f"{fluid}.onnx")
    return HybridPureModel.from_metadata(meta.raw), meta


def _grid(meta, n=9):
    lo, hi = meta.domain["temperature"]
    return np.linspace(lo, hi, n)


@pytest.mark.component
@pytest.mark.parametrize("fluid", FLUIDS)
def test_cp_is_dh_dT_and_cp_over_T_is_ds_dT(fluid):
    model, meta = _model(fluid)
    T = ca.MX.sym("T")
    f = ca.Function(
        "f",
        [T],
        [
            model.cp_ig(T),
            ca.jacobian(model.enth_ig(T), T),
            ca.jacobian(model.entr_ig(T), T),
        ],
    )
    for t in _grid(meta):
        cp, dh, ds = (float(v) for v in f(t))
        assert dh == pytest.approx(cp, rel=IDENTITY_RTOL)
        assert ds == pytest.approx(cp / t, rel=IDENTITY_RTOL)


@pytest.mark.component
@pytest.mark.parametrize("fluid", FLUIDS)
def test_reference_state_and_quadrature(fluid):
    model, meta = _model(fluid)
    assert meta.raw["reference_state"] == {
        "temperature": T_REF, "pressure": P_REF, "enth_mol_liq_comp": "enth_mol_ig_comp"
    }  # fmt: skip
    assert abs(float(model.enth_ig(T_REF))) < 1e-9
    assert abs(float(model.entr_ig(T_REF))) < 1e-12
    for t in _grid(meta, 4):
        h_quad = quad(lambda x: float(model.cp_ig(x)), T_REF, t, epsabs=0, epsrel=1e-13)[0]
        s_quad = quad(lambda x: float(model.cp_ig(x)) / x, T_REF, t, epsabs=0, epsrel=1e-13)[0]
        assert float(model.enth_ig(t)) == pytest.approx(h_quad, rel=IDENTITY_RTOL, abs=1e-8)
        assert float(model.entr_ig(t)) == pytest.approx(s_quad, rel=IDENTITY_RTOL, abs=1e-10)


@pytest.mark.component
@pytest.mark.parametrize("fluid", FLUIDS)
def test_psat_equals_pc_at_critical_point(fluid):
    model, meta = _model(fluid)
    c = model.constants
    assert meta.raw["constants"]["Pc"] == c.Pc
    assert np.exp(model.ln_psat_subcritical(c.Tc)) == pytest.approx(c.Pc, rel=1e-14)
    rho_c = c.Pc / (R * c.Tc * c.Zc)
    assert np.exp(model.ln_dens_liq_subcritical(c.Tc)) == pytest.approx(rho_c, rel=1e-14)
    # the exported (continued) functions pass the critical point within 0.2 %
    assert np.exp(model.ln_psat(c.Tc)) == pytest.approx(c.Pc, rel=2e-3)


@pytest.mark.component
@pytest.mark.parametrize("fluid", ["carbon_dioxide", "ethylene", "water"])
def test_supercritical_continuation_is_smooth_and_physical(fluid):
    """Above Tc every output stays finite, Psat keeps rising, the liquid density stays
    positive; ln Psat is linear in 1/T well above the cap (Clausius-Clapeyron)."""
    model, _ = _model(fluid)
    c = model.constants
    T = np.linspace(0.9 * c.Tc, 1000.0, 400)
    out = model.evaluate(T)
    for name, values in out.items():
        assert np.all(np.isfinite(values)), name
    assert np.all(np.diff(out["pressure_sat_comp"]) > 0)
    assert np.all(out["dens_mol_liq_comp"] > 0)
    assert np.all(out["dh_vap_mol_comp"] > 0)
    inv = 1.0 / T[T > 1.2 * c.Tc]
    ln_p = np.log(out["pressure_sat_comp"][T > 1.2 * c.Tc])
    slope = np.diff(ln_p) / np.diff(inv)
    np.testing.assert_allclose(slope, slope[0], rtol=1e-4)
    # liquid cp (exact derivative of h_L) stays positive through and above Tc
    from propkg.evaluate import liquid_cp

    assert np.all(liquid_cp(model, T) > 0)


@pytest.mark.component
@pytest.mark.parametrize("fluid", FLUIDS)
def test_analytic_derivatives_match_finite_differences(fluid):
    model, meta = _model(fluid)
    T = ca.MX.sym("T")
    f = model.casadi_function()
    outs = f(T)
    jac = ca.Function("j", [T], [ca.jacobian(o, T) for o in outs])
    for t in _grid(meta, 5):
        step = 1e-6 * t
        plus, minus = f(t + step), f(t - step)
        for k, d in enumerate(jac(t)):
            fd = (float(plus[k]) - float(minus[k])) / (2 * step)
            scale = max(abs(float(d)), abs(float(f(t)[k])) / t)
            assert abs(float(d) - fd) <= FINITE_DIFFERENCE_RTOL * scale, (k, t, float(d), fd)


@pytest.mark.component
@pytest.mark.parametrize("fluid", FLUIDS)
def test_clausius_clapeyron_identity_on_onnx_outputs(fluid):
    """dh_vap = T (v_V - v_L) dPsat/dT, with dPsat/dT by central differences of the ONNX file."""
    model, meta = _model(fluid)
    path = default_model_dir() / f"{fluid}.onnx"
    T = _grid(meta, 7)
    out = run_onnx(path, T)
    # dh_vap is the identity at the capped temperature T_e (= T within 7e-5 Tc in the
    # domain); its ingredients from the numpy subcritical functions, dPsat/dT by central
    # differences
    te = model.effective_temperature(T)
    step = 1e-6 * te
    p = np.exp(model.ln_psat_subcritical(te))
    dp = (
        np.exp(model.ln_psat_subcritical(te + step)) - np.exp(model.ln_psat_subcritical(te - step))
    ) / (2 * step)
    v_vap = np.exp(model.ln_z_vap(te, p)) * R * te / p
    v_liq = np.exp(-model.ln_dens_liq_subcritical(te))
    np.testing.assert_allclose(
        out["dh_vap_mol_comp"], te * (v_vap - v_liq) * dp, rtol=FINITE_DIFFERENCE_RTOL
    )
    assert np.max(np.abs(te / T - 1.0)) < 1e-4


@pytest.mark.component
@pytest.mark.parametrize("fluid", FLUIDS)
def test_liquid_cp_against_coolprop_and_liquid_enthalpy_identities(fluid):
    """cp_L = d h_L/dT within 5 % of CoolProp's saturated-liquid cp from the lower end of
    the liquid domain to 0.9 Tc; h_L - h_L(T_a) is the quadrature of cp_L; the latent heat
    h_ig - h_L equals the Clausius-Clapeyron dh_vap at the anchor."""
    from CoolProp.CoolProp import PropsSI

    from propkg.evaluate import liquid_cp

    model, meta = _model(fluid)
    c = model.constants
    lo = meta.outputs["enth_mol_liq_comp"]["domain"]["temperature"][0]
    T = np.linspace(lo, 0.9 * c.Tc, 6)
    ref = np.array([PropsSI("Cpmolar", "T", t, "Q", 0, c.coolprop) for t in T])
    np.testing.assert_allclose(liquid_cp(model, T), ref, rtol=0.05)
    ta = model.liq_anchor
    assert float(model.enth_ig(ta) - model.enth_liq(ta)) == pytest.approx(
        model.dh_vap_at(ta), rel=1e-12
    )
    for t in T[1:]:
        integral = quad(lambda x: float(liquid_cp(model, x)[0]), T[0], t, epsrel=1e-12)[0]
        assert float(model.enth_liq(t) - model.enth_liq(T[0])) == pytest.approx(
            integral, rel=IDENTITY_RTOL
        )
