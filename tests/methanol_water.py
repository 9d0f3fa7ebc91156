"""Flowsheet pieces shared by the unit-model tests with the hybrid methanol/water package."""

from __future__ import annotations

import pyomo.environ as pyo
from idaes.core import FlowsheetBlock
from idaes.models.properties.modular_properties.base.generic_property import (
    GenericParameterBlock,
)

from idaes_plugin import vle_config


def methanol_water_flowsheet() -> pyo.ConcreteModel:
    """A steady-state flowsheet with ``vle_config(["methanol", "water"], "hybrid")`` as
    ``m.fs.props``."""
    m = pyo.ConcreteModel()
    m.fs = FlowsheetBlock(dynamic=False)
    m.fs.props = GenericParameterBlock(
        **vle_config(["methanol", "water"], activity_model="hybrid")
    )
    return m


def fix_feed(port, T: float, P: float, x_methanol: float = 0.4, flow: float = 1.0) -> None:
    """Fix a port's flow [mol/s], T [K], P [Pa] and methanol mole fraction."""
    port.flow_mol.fix(flow)
    port.temperature.fix(T)
    port.pressure.fix(P)
    port.mole_frac_comp[0, "methanol"].fix(x_methanol)
    port.mole_frac_comp[0, "water"].fix(1.0 - x_methanol)
