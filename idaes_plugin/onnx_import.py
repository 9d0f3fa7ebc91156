"""Pyomo units of propkg ONNX models; the models themselves come from the contract's reader.

:func:`propkg_contract.reader.load_model` checks a file (op policy, finite weights, metadata,
tensor names, unit dimensions, manifest sha256) and imports it into CasADi as an
:class:`~propkg_contract.reader.OnnxPropertyModel`. This module turns the unit strings of
its metadata into Pyomo units for the Vars and Expressions built from it.
"""

from __future__ import annotations

import functools

from propkg_contract.errors import UnitsError
from propkg_contract.reader import OnnxPropertyModel, load_model

__all__ = ["OnnxPropertyModel", "load_model", "parse_units"]


@functools.lru_cache(maxsize=256)
def parse_units(text: str, where: str = "<model>"):
    """Parse a metadata unit string (pint notation, ``"1"`` = dimensionless) into Pyomo units.

    Raises
    ------
    UnitsError
        If Pyomo's pint registry cannot read the string or it carries a numeric factor.
    """
    from pyomo.core.base.units_container import _PyomoUnit
    from pyomo.environ import units as pyunits

    registry = pyunits._pint_registry
    try:
        quantity = registry.Quantity(registry.parse_expression(text))
    except Exception as exc:  # pint raises several error types
        raise UnitsError(f"{where}: unit string {text!r}, which pint cannot read: {exc}") from None
    if quantity.magnitude != 1:
        raise UnitsError(f"{where}: unit string {text!r} has a numeric factor; give a plain unit")
    return _PyomoUnit(quantity.units, registry)
