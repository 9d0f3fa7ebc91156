"""Registry of zoo payloads: name -> module with ``NAME``, ``KIND``, ``select``, ``prepare``
and ``run`` (the interface of :class:`propkg.zoo.tasks.Payload`)."""

from __future__ import annotations

import importlib
from types import ModuleType

from propkg_contract.errors import DataError

#: payload name -> module
PAYLOADS = {
    "pure_coolprop": "propkg.zoo.coolprop_payload",
    "pure_measured": "propkg.zoo.measured_payload",
    "pure_density_measured": "propkg.zoo.density_payload",
    "binary_measured": "propkg.zoo.binary_payload",
}
#: payload of ``--pairs``
PAIR_PAYLOAD: str | None = "binary_measured"


def get_payload(name: str) -> ModuleType:
    """The payload module registered as ``name``.

    Raises
    ------
    DataError
        If no payload of that name is registered.
    """
    if name not in PAYLOADS:
        raise DataError(f"unknown zoo payload '{name}'; available: {sorted(PAYLOADS)}")
    return importlib.import_module(PAYLOADS[name])
