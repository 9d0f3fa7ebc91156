"""State bounds of vle_config, per-output validity domains, check_domain, and cp = dh/dT."""

from __future__ import annotations

import warnings

import pyomo.environ as pyo
import pytest
from idaes.core import FlowsheetBlock
from idaes.models.properties.modular_properties.base.generic_property import (
    GenericParameterBlock,
)
from pyomo.core.expr.calculus.derivatives import Modes, differentiate

from idaes_plugin import check_domain, load_model, vle_config
from idaes_plugin.domains import DomainWarning
from idaes_plugin.vle_package import BoundsError
from propkg_contract.errors import DomainError, PropkgError
from tests.tolerances import IDENTITY_RTOL


def _state(components, activity_model=None, T=335.0, P=1e5, x=0.4, **kwargs):
    m = pyo.ConcreteModel()
    m.fs = FlowsheetBlock(dynamic=False)
    m.fs.pp = GenericParameterBlock(**vle_config(components, activity_model, **kwargs))
    m.fs.sb = m.fs.pp.build_state_block([0], defined_state=True)
    sb = m.fs.sb[0]
    sb.temperature.set_value(T)
    sb.pressure.set_value(P)
    fracs = dict(zip(components, (x, 1.0 - x), strict=True))
    for j, v in fracs.items():
        sb.mole_frac_comp[j].set_value(v)
        for p in ("Liq", "Vap"):
            sb.mole_frac_phase_comp[p, j].set_value(v)
    return m, sb


@pytest.mark.unit
@pytest.mark.parametrize(
    ("argument", "value"),
    [
        ("temperature_bounds", (400.0, 300.0, 500.0)),
        ("temperature_bounds", (-1.0, 300.0, 500.0)),
        ("temperature_bounds", (250.0, 300.0)),
        ("pressure_bounds", (1e5, 1e5, 1e6)),
        ("pressure_bounds", (0.0, 1e5, 1e6)),
        ("pressure_bounds", ("a", 1e5, 1e6)),
    ],
)
def test_vle_config_refuses_bad_bounds(argument, value):
    with pytest.raises(BoundsError, match=argument):
        vle_config(["benzene", "toluene"], **{argument: value})
    assert issubclass(BoundsError, PropkgError)


@pytest.mark.unit
def test_vle_config_bounds_are_physical_and_user_choosable():
    cfg = vle_config(["methanol", "water"], activity_model="hybrid")
    lo, nominal, hi, _ = cfg["state_bounds"]["temperature"]
    # the lowest triple point (methanol's 175.6 K): bubble/dew temperatures share it
    assert (lo, hi) == (pytest.approx(175.61, abs=0.01), 1000.0)
    assert lo < nominal < hi
    p_lo, _, p_hi, _ = cfg["state_bounds"]["pressure"]
    assert p_lo <= 1e3 and p_hi >= 5e6  # vacuum to 50 bar
    cfg = vle_config(["benzene", "toluene"], temperature_bounds=(250, 300, 700),
                     pressure_bounds=(1e4, 2e5, 3e6))  # fmt: skip
    assert cfg["state_bounds"]["temperature"][:3] == (250.0, 300.0, 700.0)
    assert cfg["state_bounds"]["pressure"][:3] == (1e4, 2e5, 3e6)


@pytest.mark.unit
def test_per_output_domains_are_read():
    model = load_model("propane")
    liquid = model.domain_of("temperature", "pressure_sat_comp")
    gas = model.domain_of("temperature", "cp_mol_ig_comp")
    # the ideal gas is trained on 200-1500 K, far beyond the liquid's range
    assert gas[0] <= 200.0 and gas[1] >= 1500.0
    assert liquid[1] < 369.9  # below propane's critical temperature
    assert model.domain_of("temperature", "no_such_output") == model.domain_of("temperature")


@pytest.mark.component
@pytest.mark.parametrize(
    ("components", "activity_model"),
    [(["benzene", "toluene"], None), (["methanol", "water"], "hybrid"),
     (["ethanol", "water"], "nrtl")],
)  # fmt: skip
@pytest.mark.parametrize(("T", "P"), [(300.0, 5e5), (345.0, 1e5), (380.0, 2e4)])
def test_cp_mol_phase_is_slope_of_enth_mol_phase(components, activity_model, T, P):
    """cp_mol_phase = d enth_mol_phase/dT at constant P and x (excess enthalpy included),
    against Pyomo's own differentiation of the enthalpy expression."""
    _, sb = _state(components, activity_model, T=T, P=P)
    for p in ("Liq", "Vap"):
        slope = differentiate(sb.enth_mol_phase[p].expr, wrt=sb.temperature,
                              mode=Modes.reverse_numeric)  # fmt: skip
        assert pyo.value(sb.cp_mol_phase[p]) == pytest.approx(slope, rel=1e-8), p
        for j in components:
            slope_j = differentiate(sb.enth_mol_phase_comp[p, j].expr, wrt=sb.temperature,
                                    mode=Modes.reverse_numeric)  # fmt: skip
            assert pyo.value(sb.cp_mol_phase_comp[p, j]) == pytest.approx(
                slope_j, rel=IDENTITY_RTOL
            ), (p, j)


@pytest.mark.component
def test_check_domain_warns_for_ge_model_and_pure_outputs():
    m, sb = _state(["methanol", "water"], "hybrid", T=335.0)
    sb.enth_mol_phase["Liq"]  # builds the g^E and pure-component expressions at the state
    assert [msg for msg in check_domain(m) if "fs.sb[0].temperature" in msg] == []
    sb.temperature.set_value(420.0)  # above the g^E model's 312-374 K, inside the bounds
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        messages = check_domain(m)
    ge = [msg for msg in messages if "g^E model" in msg and "fs.sb[0].temperature" in msg]
    assert len(ge) == 1
    assert "420 K" in ge[0] and "methanol__water.onnx" in ge[0] and "gibbs_excess_rt" in ge[0]
    assert any(issubclass(w.category, DomainWarning) for w in caught)
    with pytest.raises(DomainError, match="g\\^E model 'hybrid'"):
        check_domain(m, raise_error=True)
