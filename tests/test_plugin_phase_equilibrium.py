"""The phase-equilibrium forms of vle_config (idaes_plugin.phase_equilibrium).

The bracketed smooth VLE's two smooth functions against the exact min and max (and IDAES's
own smooth_min where they should agree); IDAES Flashes near the ethanol/water azeotrope -
where the bubble and dew points are millikelvin apart and IDAES's SmoothVLE without the
phase-fraction bound gave a negative vapour fraction - with both forms, and states within
the smooth form's band with the complementarity form, against the independent
numpy/onnxruntime flash.
"""

import functools

import numpy as np
import pytest
from idaes.core.util.math import smooth_min
from scipy.optimize import brentq

import idaes_plugin  # noqa: F401  (pip-only IPOPT)
from idaes_plugin.phase_equilibrium import bracketed_smooth_min, quartic_smooth_max
from validation.flash_campaign import FlashModel, compare
from validation.reference_flash import ReferenceFlash

EPS = 5e-4  # K, IDAES's eps_2
GRID = np.concatenate([[0.0], np.logspace(-8, 2, 41)])  # K


@pytest.mark.unit
def test_bracketed_smooth_min_stays_between_zero_and_the_min():
    a, b = np.meshgrid(GRID, GRID)
    m = bracketed_smooth_min(a, b, EPS)
    exact = np.minimum(a, b)
    rounding = 1e-14 * (a + b)  # cancellation in (a + b) - sqrt(...)
    assert np.all(m >= -rounding)
    assert np.all(m <= exact + rounding)
    # where one argument is zero (a pure component, an azeotrope) it is zero (to round-off)
    assert np.all(np.abs(bracketed_smooth_min(GRID, 0.0, EPS)) <= 1e-14 * GRID)
    # IDAES's smooth_min is negative there
    assert smooth_min(1.0, 0.0, EPS) < 0.0


@pytest.mark.unit
def test_bracketed_smooth_min_is_idaes_smoothing_away_from_zero():
    # arguments far above eps: the fraction tends to eps^2, the value to IDAES's
    a = np.linspace(1.0, 10.0, 19)
    for shift in (-1e-3, 0.0, 2e-4):
        ours = bracketed_smooth_min(a, a + shift, EPS)
        idaes = np.array([smooth_min(x, x + shift, EPS) for x in a])
        assert np.allclose(ours, idaes, rtol=0, atol=1e-10)
    # a clear min: both within eps^2 / (4 |a - b|) of it
    ours = bracketed_smooth_min(a, a + 1.0, EPS)
    assert np.all(np.abs(ours - a) <= EPS**2 / 4)
    # and the error against the exact min is at most eps/2 everywhere on the grid
    x, y = np.meshgrid(GRID, GRID)
    assert np.max(np.minimum(x, y) - bracketed_smooth_min(x, y, EPS)) <= EPS / 2 + 1e-15


@pytest.mark.unit
def test_bracketed_smooth_min_is_real_for_iterates_with_a_negative_argument():
    a = np.linspace(1e-6, 1.0, 50)
    for b in (-1e-3, -0.5, -2.0):
        values = bracketed_smooth_min(a, b, EPS)
        assert np.all(np.isfinite(values))
        assert np.all(np.abs(values - np.minimum(a, b)) <= EPS / 2)
    # near a = -b (a zero-sum, a kink of the earlier (a + b)^2 form) it stays near the min
    near = bracketed_smooth_min(np.linspace(0.49, 0.51, 201), -0.5, EPS)
    assert np.max(np.abs(near + 0.5)) <= EPS / 2


@pytest.mark.unit
def test_quartic_smooth_max_bounds_and_tail():
    eps = 0.01  # K, IDAES's eps_1
    d = np.concatenate([-GRID[::-1], GRID])
    m = quartic_smooth_max(d, 0.0, eps)
    exact = np.maximum(d, 0.0)
    assert np.all(m >= exact)
    assert np.all(m - exact <= eps / 2 * (1 + 1e-12))
    assert quartic_smooth_max(0.0, 0.0, eps) == pytest.approx(eps / 2)
    # the excess decays as eps^4 / (8 |d|^3), IDAES's square root form as eps^2 / (4 |d|)
    far = d[np.abs(d) >= 1.0]
    excess = quartic_smooth_max(far, 0.0, eps) - np.maximum(far, 0.0)
    assert np.all(excess <= eps**4 / (8 * np.abs(far) ** 3) * 1.01 + 1e-13)
    assert quartic_smooth_max(-7.45, 0.0, eps) < 1e-11
    assert 0.5 * (-7.45 + np.sqrt(7.45**2 + eps**2)) > 3e-6


@functools.cache
def _ethanol_water(phase_equilibrium):
    return (
        FlashModel(("ethanol", "water"), "hybrid", phase_equilibrium=phase_equilibrium),
        ReferenceFlash(("ethanol", "water"), "hybrid"),
    )


#: the campaign's state (seed 11, ethanol/water index 91): z near the azeotrope, where the
#: model's bubble and dew points at this pressure are 1.8 mK apart
Z_AZEO, P_AZEO = 0.9259464587198024, 293811.8313271842


@pytest.mark.integration
@pytest.mark.parametrize("phase_equilibrium", ["smooth", "complementarity"])
@pytest.mark.parametrize("offset_K", [-7.451, -0.3, -0.1, 0.1, 0.3, 3.0])
def test_flash_near_azeotrope_is_physical_and_agrees(offset_K, phase_equilibrium):
    """T = T_bub + offset (offsets > 0 are above the dew point, 1.8 mK above T_bub).

    Closer than ~0.07 K to the bubble point the smoothing (eps_1 = 0.01 K: T_eq - T_bub =
    eps_1^4 / (8 |T - T_bub|^3)) exceeds the campaign's 2e-3 in vapour fraction over a 1.8 mK
    gap (0.05 K below: 0.0059; IDAES's square-root form, eps_1^2 / (4 |T - T_bub|), ~0.28).
    """
    model, reference = _ethanol_water(phase_equilibrium)
    z = [Z_AZEO, 1.0 - Z_AZEO]
    t_bub = brentq(lambda T: reference.bubble_pressure(T, z) - P_AZEO, 370.0, 390.0, xtol=1e-10)
    T = t_bub + offset_K + (0.002 if offset_K > 0 else 0.0)
    expected = reference.flash(T, P_AZEO, z)
    assert expected.phases == ("L" if offset_K < 0 else "V")
    status, detail, beta, x, y = model.solve(T, P_AZEO, z)
    assert status == "optimal", detail
    assert -1e-7 <= beta <= 1.0 + 1e-7
    assert compare(beta, x, y, expected) == ""


#: states of the near-lines campaign (validation/flash_campaign.py --near-lines --seed 11):
#: z within 0.01 of the model's azeotrope at T, P a relative 1.4e-3 and 6.1e-3 off the dew
#: pressure (inside every model's temperature domain)
AZEOTROPE_LINE_STATES = [
    (379.5319227300188, 279781.3920463878, 0.8979577142160223),
    (388.71660863102994, 372209.2780251826, 0.8968664775285049),
]


@pytest.mark.integration
@pytest.mark.parametrize("phase_equilibrium", ["smooth", "complementarity"])
@pytest.mark.parametrize("T, P, z1", AZEOTROPE_LINE_STATES)
def test_flash_at_azeotrope_near_the_dew_line_agrees(T, P, z1, phase_equilibrium):
    model, reference = _ethanol_water(phase_equilibrium)
    z = [z1, 1.0 - z1]
    expected = reference.flash(T, P, z)
    status, detail, beta, x, y = model.solve(T, P, z)
    assert status == "optimal", detail
    assert compare(beta, x, y, expected) == ""


#: states of the near-lines campaign inside the models' domains that the smooth VLE gets
#: wrong (within |P/P_line - 1| < 1e-3 of a line: its eps_1 band; validation/reports/
#: flash_campaign.md): (components, T [K], P [Pa], z_1, vapour fraction by the smooth VLE)
SMOOTHING_BAND_STATES = [
    (("methanol", "water"), "hybrid", 369.0134877827182, 306685.82156054536,
     0.9779130732600063),
    (("ethanol", "water"), "hybrid", 409.0429294633743, 677561.8892200754,
     0.9480473825063774),
    (("ethanol", "water"), "hybrid", 366.6530883104113, 179751.82561203843,
     0.8945640543137529),
    (("n_hexane", "n_heptane"), None, 289.08167862353287, 12175.057991297863,
     0.8723276610302796),
]  # fmt: skip


@pytest.mark.integration
@pytest.mark.parametrize("components, activity_model, T, P, z1", SMOOTHING_BAND_STATES)
def test_complementarity_vle_is_exact_inside_the_smoothing_band(
    components, activity_model, T, P, z1
):
    model = FlashModel(components, activity_model, phase_equilibrium="complementarity")
    reference = ReferenceFlash(components, activity_model)
    z = [z1, 1.0 - z1]
    expected = reference.flash(T, P, z)
    status, detail, beta, x, y = model.solve(T, P, z)
    assert status == "optimal", detail
    assert compare(beta, x, y, expected) == ""


@pytest.mark.unit
def test_unknown_phase_equilibrium_form_is_refused():
    from idaes_plugin import vle_config
    from propkg_contract.errors import PropkgError

    with pytest.raises(PropkgError, match="phase_equilibrium='cubic'.*complementarity"):
        vle_config(["benzene", "toluene"], phase_equilibrium="cubic")


def _complementarity_unit(kind: str):
    """The demo's methanol/water heater (330 K subcooled feed, 20 kW on 1 mol/s, 1 atm), or
    a Flash with the same feed and duty, with the hybrid package in the complementarity
    form."""
    import pyomo.environ as pyo
    from idaes.core import FlowsheetBlock
    from idaes.models.properties.modular_properties import GenericParameterBlock
    from idaes.models.unit_models import Flash, Heater

    from idaes_plugin import vle_config

    m = pyo.ConcreteModel()
    m.fs = FlowsheetBlock(dynamic=False)
    m.fs.props = GenericParameterBlock(**vle_config(
        ["methanol", "water"], activity_model="hybrid", phase_equilibrium="complementarity"))
    if kind == "Heater":
        m.fs.unit = Heater(property_package=m.fs.props, has_pressure_change=False)
    else:
        m.fs.unit = Flash(property_package=m.fs.props)
        m.fs.unit.deltaP.fix(0.0)
    inlet = m.fs.unit.inlet
    inlet.flow_mol.fix(1.0)
    inlet.temperature.fix(330.0)
    inlet.pressure.fix(101325.0)
    inlet.mole_frac_comp[0, "methanol"].fix(0.5)
    inlet.mole_frac_comp[0, "water"].fix(0.5)
    m.fs.unit.heat_duty.fix(20000.0)
    return m


@pytest.mark.integration
@pytest.mark.parametrize("kind", ["Heater", "Flash"])
def test_complementarity_initializer_takes_a_unit_from_subcooled_to_two_phase(kind):
    """IDAES's own initializer fails on this start (the known limit of the form);
    ComplementarityInitializer's epsilon continuation converges it, restores the package's
    epsilon and the fixed/free state, and the outlet is the independent numpy/onnxruntime
    flash at the outlet's T and P (vapour fraction and compositions)."""
    import pyomo.environ as pyo
    from idaes.core.util.exceptions import InitializationError

    from idaes_plugin.complementarity_init import ComplementarityInitializer, complementarity_eps

    failing = _complementarity_unit(kind)
    with pytest.raises(InitializationError):
        failing.fs.unit.initialize()
    m = _complementarity_unit(kind)
    unit = m.fs.unit
    free_before = {v.name for v in unit.component_data_objects(pyo.Var) if not v.fixed}
    ComplementarityInitializer().initialize(unit)
    assert {v.name for v in unit.component_data_objects(pyo.Var) if not v.fixed} \
        == free_before
    eps = complementarity_eps(unit)
    assert eps and all(pyo.value(p) == 1e-4 for p in eps)
    out = unit.control_volume.properties_out[0]
    T, P = pyo.value(out.temperature), pyo.value(out.pressure)
    flow = pyo.value(out.flow_mol)
    beta = pyo.value(out.flow_mol_phase["Vap"]) / flow
    x = [pyo.value(out.mole_frac_phase_comp["Liq", c]) for c in ("methanol", "water")]
    y = [pyo.value(out.mole_frac_phase_comp["Vap", c]) for c in ("methanol", "water")]
    expected = ReferenceFlash(("methanol", "water"), "hybrid").flash(T, P, [0.5, 0.5])
    assert 0.05 < expected.beta < 0.95  # two phases: the case the initializer is for
    assert compare(beta, np.array(x), np.array(y), expected) == ""


@pytest.mark.integration
def test_demo_flowsheet_simulates_and_optimizes_alike_in_both_forms():
    """Feed -> Heater -> Flash of the demo, simulated and duty-minimised with the
    complementarity form (its heater and flash initialized by ComplementarityInitializer)
    and with the smooth form: the same states and optimum, to the forms' smoothing."""
    from propkg_cli.demo_flowsheet import FlashCase, run_flowsheet

    quiet = lambda *args: None  # noqa: E731
    _, smooth = run_flowsheet(FlashCase(), progress=quiet)
    _, comp = run_flowsheet(FlashCase(phase_equilibrium="complementarity"), progress=quiet)
    for stage in ("simulation", "optimum"):
        a, b = getattr(smooth, stage), getattr(comp, stage)
        assert 0.1 < a["vapour_flow_mol_s"] < 0.9  # a two-phase flash
        for key, value in a.items():
            if key.endswith("_K"):
                assert b[key] == pytest.approx(value, abs=1e-4), (stage, key)
            elif key.endswith("_W"):
                assert b[key] == pytest.approx(value, rel=1e-5), (stage, key)
            else:
                assert b[key] == pytest.approx(value, abs=1e-5), (stage, key)
