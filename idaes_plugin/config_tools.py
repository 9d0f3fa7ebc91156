"""Put ONNX models into an existing IDAES ``GenericParameterBlock`` configuration."""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping

from idaes_plugin.pure_methods import MODEL_KEY, OnnxPure
from propkg_contract.errors import PropkgError


def checked_components(components, caller: str = "vle_config") -> list:
    """The component list of a package, refused unless it is a non-empty sequence of names.

    A bare string is refused (``vle_config("water")`` would otherwise iterate over its
    letters), as are ``None`` and empty sequences.

    Raises
    ------
    PropkgError
        Naming the argument and what to write instead.
    """
    if isinstance(components, str | bytes | os.PathLike):
        raise PropkgError(
            f"{caller}: components must be a list of names or paths, got the single "
            f"{type(components).__name__} {components!r}; write [{str(components)!r}]"
        )
    if components is None or not isinstance(components, Iterable):
        raise PropkgError(
            f"{caller}: components must be a list of names or paths, got "
            f"{type(components).__name__} {components!r}"
        )
    components = list(components)
    if not components:
        raise PropkgError(f"{caller} needs at least one component, got an empty list")
    return components


def check_reference_state(temperature_ref, pressure_ref, caller: str = "vle_config") -> None:
    """Refuse a reference temperature [K] or pressure [Pa] that is not a positive number.

    Raises
    ------
    PropkgError
        Naming the argument and its value.
    """
    for name, value, unit in (("temperature_ref", temperature_ref, "K"),
                              ("pressure_ref", pressure_ref, "Pa")):  # fmt: skip
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok or not math.isfinite(value) or value <= 0:
            raise PropkgError(
                f"{caller}: {name} = {value!r} must be a positive, finite number in {unit} "
                "(an absolute temperature or pressure)"
            )


def with_onnx_methods(
    configuration: Mapping,
    models: Mapping[str, str | os.PathLike],
    properties: Iterable[str],
) -> dict:
    """A copy of ``configuration`` whose components use ONNX models for ``properties``.

    Parameters
    ----------
    configuration : mapping
        An IDAES modular-property configuration (e.g. ``BT_ideal.configuration``); it is
        not modified.
    models : mapping
        Component name -> shipped model name, CAS number or ``.onnx`` path.
    properties : iterable of str
        Pure-component properties to take from the models (``"pressure_sat_comp"``,
        ``"dens_mol_liq_comp"``, ``"enth_mol_ig_comp"``, ...), each served by
        :class:`~idaes_plugin.pure_methods.OnnxPure`; all other methods and parameters of
        the configuration are kept.
    """
    properties = tuple(properties)
    components = {}
    for name, comp in configuration["components"].items():
        comp = dict(comp)
        if name in models:
            comp["parameter_data"] = {**comp["parameter_data"], MODEL_KEY: str(models[name])}
            comp.update({prop: OnnxPure for prop in properties})
        components[name] = comp
    return {**configuration, "components": components}
