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
}
#: payload of ``--pairs`` (None until a binary fit payload is registered)
PAIR_PAYLOAD: str | None = None


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
