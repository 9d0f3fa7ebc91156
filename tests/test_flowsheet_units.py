"""Pressure changers with the hybrid methanol/water activity package, IDAES defaults only.

Each unit is built on ``vle_config(["methanol", "water"], activity_model="hybrid")``, only
the feed and the unit's own specification are fixed, and it is initialized with the unit's
default IDAES initializer and solved with ``get_solver()``. Before, the package's
temperature bounds were the g^E model's fitted range (312-374 K), so bubble and dew
temperatures hit them and these units failed to initialize. Independent checks: the
energy balance of the outlet, IDAES's own pump work, and the ideal-gas isentropic relation.
"""

from __future__ import annotations

import idaes.core.util.scaling as iscale
import pyomo.environ as pyo
import pytest
from idaes.core import FlowsheetBlock
from idaes.core.solvers import get_solver
from idaes.core.util.model_statistics import degrees_of_freedom
from idaes.models.properties.modular_properties.base.generic_property import (
    GenericParameterBlock,
)
from idaes.models.unit_models import Compressor, Pump, Valve
from idaes.models.unit_models.pressure_changer import IsentropicPressureChangerInitializer
from pyomo.environ import check_optimal_termination

import idaes_plugin  # noqa: F401  (registers the in-process IPOPT when none is on PATH)
from idaes_plugin import check_domain, vle_config
from tests.methanol_water import fix_feed, methanol_water_flowsheet

pytestmark = pytest.mark.integration


def _initialize_and_solve(m, unit):
    assert degrees_of_freedom(m) == 0
    iscale.calculate_scaling_factors(m)
    unit.default_initializer().initialize(unit)
    results = get_solver().solve(m)
    assert check_optimal_termination(results)


def test_pump_liquid_1_to_5_bar():
    m = methanol_water_flowsheet()
    m.fs.pump = Pump(property_package=m.fs.props)
    fix_feed(m.fs.pump.inlet, 318.0, 1e5)
    m.fs.pump.outlet.pressure.fix(5e5)
    m.fs.pump.efficiency_pump.fix(0.75)
    _initialize_and_solve(m, m.fs.pump)
    inlet = m.fs.pump.control_volume.properties_in[0]
    outlet = m.fs.pump.control_volume.properties_out[0]
    assert pyo.value(outlet.flow_mol_phase["Liq"]) == pytest.approx(1.0, rel=1e-6)
    # IDAES's pump: fluid work = Q dP with Q = F / rho of the liquid
    v = 1.0 / pyo.value(inlet.dens_mol_phase["Liq"])
    work = pyo.value(m.fs.pump.work_mechanical[0])
    assert work == pytest.approx(v * 4e5 / 0.75, rel=1e-4)  # a trace of vapour
    # energy balance with the package's own cp: the work not stored as v dP heats the
    # liquid, dT = (w - v dP) / cp (tens of mK)
    dT = pyo.value(outlet.temperature) - 318.0
    assert dT == pytest.approx((work - v * 4e5) / pyo.value(inlet.cp_mol_phase["Liq"]),
                               rel=2e-3)  # fmt: skip


def test_adiabatic_valve_from_5_bar_at_360_K():
    m = methanol_water_flowsheet()
    m.fs.valve = Valve(property_package=m.fs.props)
    fix_feed(m.fs.valve.inlet, 360.0, 5e5)
    m.fs.valve.outlet.pressure.fix(1e5)
    m.fs.valve.Cv.fix(3e-3)  # mol/s/Pa^0.5; the opening follows from the flow
    m.fs.valve.valve_opening.unfix()
    m.fs.valve.valve_opening[0].set_value(0.5)
    _initialize_and_solve(m, m.fs.valve)
    inlet = m.fs.valve.control_volume.properties_in[0]
    outlet = m.fs.valve.control_volume.properties_out[0]
    # isenthalpic flash to 1 bar: some liquid boils, the outlet cools to its bubble point
    h_in = pyo.value(inlet.enth_mol)
    assert pyo.value(outlet.enth_mol) == pytest.approx(h_in, rel=1e-8, abs=1e-6)
    vap = pyo.value(outlet.phase_frac["Vap"])
    assert 0.0 < vap < 0.5
    assert 340.0 < pyo.value(outlet.temperature) < 360.0
    # the outlet (and its equilibrium temperature) lie inside the g^E model's fitted range
    messages = check_domain(m)
    assert not [msg for msg in messages if "properties_out" in msg]


def test_isentropic_compressor_on_vapour():
    """IDAES's ``Compressor`` (isentropic) from its own default initializer, no guesses.

    Its ``IsentropicPressureChangerInitializer`` starts the isentropic state from the
    outlet estimate. (A bare ``PressureChanger(compressor=True, isentropic)`` gets IDAES's
    generic ``SingleControlVolumeUnitInitializer``, which never initializes
    ``properties_isentropic`` - an IDAES choice a property package cannot change.)
    """
    m = methanol_water_flowsheet()
    m.fs.comp = Compressor(property_package=m.fs.props)
    fix_feed(m.fs.comp.inlet, 400.0, 1e5)
    m.fs.comp.outlet.pressure.fix(3e5)
    m.fs.comp.efficiency_isentropic.fix(0.8)
    assert isinstance(m.fs.comp.default_initializer(), IsentropicPressureChangerInitializer)
    _initialize_and_solve(m, m.fs.comp)
    inlet = m.fs.comp.control_volume.properties_in[0]
    outlet = m.fs.comp.control_volume.properties_out[0]
    assert pyo.value(outlet.flow_mol_phase["Vap"]) == pytest.approx(1.0, rel=1e-6)
    # ideal gas with the package's own cp: T_s ~ T_in (P2/P1)^(R/cp) at the mean cp
    T_s = pyo.value(m.fs.comp.properties_isentropic[0].temperature)
    cp = pyo.value(inlet.cp_mol_phase["Vap"])
    T_est = 400.0 * 3.0 ** (8.314462618 / cp)
    assert T_s == pytest.approx(T_est, rel=0.01)
    work = pyo.value(m.fs.comp.work_mechanical[0])
    h_gain = pyo.value(outlet.enth_mol - inlet.enth_mol)
    assert work == pytest.approx(h_gain, rel=1e-8)
    assert pyo.value(outlet.temperature) > T_s


@pytest.mark.parametrize("T", [300.0, 340.0])  # CO2's Tc is 304.1 K: sub- and supercritical
def test_water_co2_raoult_flash_at_10_bar(T):
    """CO2 shares a Raoult package with water; its Psat is continued smoothly above Tc."""
    from CoolProp.CoolProp import PropsSI
    from idaes.models.unit_models import Flash

    m = pyo.ConcreteModel()
    m.fs = FlowsheetBlock(dynamic=False)
    m.fs.props = GenericParameterBlock(**vle_config(["water", "carbon_dioxide"]))
    m.fs.flash = Flash(property_package=m.fs.props)
    port = m.fs.flash.inlet
    port.flow_mol.fix(1.0)
    port.temperature.fix(T)
    port.pressure.fix(1e6)
    # 70 % water: two phases with Raoult's law (K_CO2 = Psat/P ~ 7 at 300 K, 10 bar)
    port.mole_frac_comp[0, "water"].fix(0.7)
    port.mole_frac_comp[0, "carbon_dioxide"].fix(0.3)
    m.fs.flash.heat_duty.fix(0.0)
    m.fs.flash.deltaP.fix(0.0)
    _initialize_and_solve(m, m.fs.flash)
    out = m.fs.flash.control_volume.properties_out[0]
    x_w = pyo.value(out.mole_frac_phase_comp["Liq", "water"])
    y_co2 = pyo.value(out.mole_frac_phase_comp["Vap", "carbon_dioxide"])
    assert x_w > 0.8 and y_co2 > 0.9  # the liquid is mostly water, the vapour CO2
    # Raoult's law for water with CoolProp's vapour pressure at the outlet temperature
    t_out = pyo.value(out.temperature)
    y_w = pyo.value(out.mole_frac_phase_comp["Vap", "water"])
    assert y_w * 1e6 == pytest.approx(x_w * PropsSI("P", "T", t_out, "Q", 0, "Water"), rel=0.01)
