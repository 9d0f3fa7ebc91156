"""Small IDAES flowsheets shared by the tests and benchmarks (IDAES's BT_ideal package by
default, or any package configuration)."""

import pyomo.environ as pyo
from idaes.core import FlowsheetBlock
from idaes.models.properties.modular_properties.base.generic_property import (
    GenericParameterBlock,
)
from idaes.models.properties.modular_properties.examples.BT_ideal import configuration
from idaes.models.unit_models import Flash, Heater

#: IDAES's expected vapour fraction of the BT_ideal flash at 368 K, 101325 Pa, z = 0.5/0.5
BT_FLASH_VAPOUR_FLOW = 0.39612  # mol/s for a 1 mol/s feed


def fix_bt_feed(port, temperature: float) -> None:
    """Fix a port to 1 mol/s benzene/toluene (0.5/0.5) at ``temperature`` [K], 101325 Pa."""
    port.flow_mol.fix(1)
    port.temperature.fix(temperature)
    port.pressure.fix(101325)
    port.mole_frac_comp[0, "benzene"].fix(0.5)
    port.mole_frac_comp[0, "toluene"].fix(0.5)


def bt_flash(config=None) -> pyo.ConcreteModel:
    """Adiabatic, isobaric flash of 1 mol/s benzene/toluene (0.5/0.5) at 368 K, 101325 Pa."""
    m = pyo.ConcreteModel()
    m.fs = FlowsheetBlock(dynamic=False)
    m.fs.props = GenericParameterBlock(**(config or configuration))
    m.fs.flash = Flash(property_package=m.fs.props)
    fix_bt_feed(m.fs.flash.inlet, 368)
    m.fs.flash.heat_duty.fix(0)
    m.fs.flash.deltaP.fix(0)
    return m


def bt_heater_flash(config=None) -> pyo.ConcreteModel:
    """Feed (1 mol/s, 0.5/0.5, 350 K) -> Heater -> adiabatic Flash, connected by an Arc."""
    from pyomo.network import Arc

    m = pyo.ConcreteModel()
    m.fs = FlowsheetBlock(dynamic=False)
    m.fs.props = GenericParameterBlock(**(config or configuration))
    m.fs.heater = Heater(property_package=m.fs.props, has_pressure_change=False)
    m.fs.flash = Flash(property_package=m.fs.props)
    m.fs.s01 = Arc(source=m.fs.heater.outlet, destination=m.fs.flash.inlet)
    pyo.TransformationFactory("network.expand_arcs").apply_to(m)
    fix_bt_feed(m.fs.heater.inlet, 350)
    m.fs.heater.heat_duty.fix(5000)
    m.fs.flash.heat_duty.fix(0)
    m.fs.flash.deltaP.fix(0)
    return m


def tray_column(config, T_feed: float, *, trays: int = 10, feed_tray: int = 5,
                flow: float = 40.0) -> pyo.ConcreteModel:
    """IDAES's tray-column test specification on the package ``config``: total condenser at
    the bubble point, reflux ratio 1.4, boil-up ratio 1.3, 1 atm, an equimolar feed of
    ``flow`` [mol/s] at ``T_feed`` [K] (IDAES's own test: 40 mol/s benzene/toluene at 368 K)."""
    from idaes.models_extra.column_models import TrayColumn
    from idaes.models_extra.column_models.condenser import CondenserType, TemperatureSpec

    m = pyo.ConcreteModel()
    m.fs = FlowsheetBlock(dynamic=False)
    m.fs.props = GenericParameterBlock(**config)
    m.fs.unit = TrayColumn(
        number_of_trays=trays,
        feed_tray_location=feed_tray,
        condenser_type=CondenserType.totalCondenser,
        condenser_temperature_spec=TemperatureSpec.atBubblePoint,
        property_package=m.fs.props,
        has_heat_transfer=False,
        has_pressure_change=False,
    )
    col = m.fs.unit
    components = list(m.fs.props.component_list)
    col.feed.flow_mol.fix(flow)
    col.feed.temperature.fix(T_feed)
    col.feed.pressure.fix(101325.0)
    for c in components:
        col.feed.mole_frac_comp[0, c].fix(1.0 / len(components))
    col.condenser.reflux_ratio.fix(1.4)
    col.condenser.condenser_pressure.fix(101325.0)
    col.reboiler.boilup_ratio.fix(1.3)
    return m
