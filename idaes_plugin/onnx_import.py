"""Pyomo units of propkg ONNX models; the models themselves come from the contract's reader.

:func:`propkg_contract.reader.load_model` checks a file (op policy, finite weights, metadata,
tensor names, unit dimensions, manifest sha256) and imports it into CasADi as an
:class:`~propkg_contract.reader.OnnxPropertyModel`. This module turns the unit strings of
its metadata into Pyomo units for the Vars and Expressions built from it.
"""

from __future__ import annotations

import functools

from propkg_contract.reader import OnnxPropertyModel, load_model, unit_quantity

__all__ = ["OnnxPropertyModel", "load_model", "parse_units"]


@functools.lru_cache(maxsize=256)
def parse_units(text: str, where: str = "<model>"):
    """Parse a metadata unit string (pint notation, ``"1"`` = dimensionless) into Pyomo units.

    The string is checked by the contract's :func:`propkg_contract.reader.unit_quantity`
    (readable, no numeric factor) and then read by Pyomo's own pint registry.

    Raises
    ------
    UnitsError
        If pint cannot read the string or it carries a numeric factor.
    """
    from pyomo.core.base.units_container import _PyomoUnit
    from pyomo.environ import units as pyunits

    unit_quantity(text, where)
    registry = pyunits._pint_registry
    return _PyomoUnit(registry.Quantity(registry.parse_expression(text)).units, registry)
