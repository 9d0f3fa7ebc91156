"""Put ONNX models into an existing IDAES ``GenericParameterBlock`` configuration."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from idaes_plugin.pure_methods import MODEL_KEY, OnnxPure


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
