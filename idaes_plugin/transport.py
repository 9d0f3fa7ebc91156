"""IDAES pure-component transport methods backed by propkg transport ONNX models.

A transport model file (kind ``pure_component_transport``, see
:mod:`propkg.transport`) gives, as functions of T, the saturated-liquid and dilute-gas
viscosity and thermal conductivity and the surface tension of one component. Its methods
plug into a ``GenericParameterBlock`` configuration as IDAES's ``ChapmanEnskog`` or
``Eucken`` do::

    "water": {
        ...,
        "visc_d_phase_comp": {"Vap": HybridTransport, "Liq": HybridTransport},
        "therm_cond_phase_comp": {"Vap": HybridTransport, "Liq": HybridTransport},
        "parameter_data": {..., "onnx_transport_model": "water"},   # name, CAS or .onnx
    }

and the phases take mixing rules: IDAES's ``ViscosityWilke`` and ``ThermalConductivityWMS``
for the vapour, those of :mod:`idaes_plugin.transport_mixing` for the liquid
(:func:`transport_phase_methods`). The pure-component surface tension, for which IDAES has
no component hook, is :func:`surface_tension_comp`. :func:`add_transport` adds all of
this to a :func:`idaes_plugin.vle_config` configuration.

The five outputs are translated once per state block and temperature into named Pyomo
expressions (sub-block ``propkg_<component>_transport``) with exact derivatives; the
temperatures are recorded for :func:`idaes_plugin.check_domain`.
"""

from __future__ import annotations

import idaes.logger as idaeslog
import pyomo.environ as pyo
from pyomo.core.expr.numvalue import is_potentially_variable
from pyomo.environ import units as pyunits

from idaes_plugin.casadi_to_pyomo import indexed_subexpressions, sx_to_pyomo
from idaes_plugin.domains import record_domain
from idaes_plugin.onnx_import import OnnxPropertyModel, load_model, parse_units
from idaes_plugin.pure_methods import (
    _attach_units,
    _check_output_units,
    _derived_units,
    parameter_model,
)
from idaes_plugin.state_expressions import add_sub_block
from propkg_contract.errors import MetadataError, PropkgError
from propkg_contract.registry import find_transport_model

_log = idaeslog.getLogger(__name__)

#: parameter_data key naming the transport model of a component
TRANSPORT_MODEL_KEY = "onnx_transport_model"
#: metadata kind of a transport model
TRANSPORT_KIND = "pure_component_transport"
#: output of the model for (property, phase type) and the package's derived unit
_OUTPUTS = {
    ("visc_d", "liquid"): ("visc_d_liq_comp", "DYNAMIC_VISCOSITY"),
    ("visc_d", "vapor"): ("visc_d_vap_comp", "DYNAMIC_VISCOSITY"),
    ("therm_cond", "liquid"): ("therm_cond_liq_comp", "THERMAL_CONDUCTIVITY"),
    ("therm_cond", "vapor"): ("therm_cond_vap_comp", "THERMAL_CONDUCTIVITY"),
    ("surf_tens", "liquid"): ("surf_tens_comp", "SURFACE_TENSION"),
}


def transport_model(cobj) -> OnnxPropertyModel:
    """The transport model named by ``parameter_data['onnx_transport_model']`` (component
    name, CAS or .onnx path of a ``pure_component_transport`` model).

    Raises
    ------
    MetadataError
        If the key is missing or the file is not a ``pure_component_transport`` model.
    """
    return parameter_model(cobj, TRANSPORT_MODEL_KEY, "transport", _load_transport,
                           kind=TRANSPORT_KIND,
                           hint="component name, CAS or .onnx path of a transport model")


def _load_transport(source) -> OnnxPropertyModel:
    """A transport model from an .onnx path or a component's name or CAS number."""
    is_path = str(source).lower().endswith(".onnx")
    return load_model(source if is_path else find_transport_model(source))


def _phase_type(b, p) -> str:
    pobj = b.params.get_phase(p)
    if pobj.is_liquid_phase():
        return "liquid"
    if pobj.is_vapor_phase():
        return "vapor"
    raise PropkgError(
        f"phase '{p}' is neither liquid nor vapour; propkg transport models have "
        "saturated-liquid and dilute-gas outputs only"
    )


def _values(b, cobj, T) -> dict:
    """Dimensionless expressions (numbers in the model's units) of every output at ``T``.

    One translation per (state block, component, T); numbers when T is a number.
    """
    model = transport_model(cobj)
    t_number = pyunits.convert(T, to_units=pyunits.K) / pyunits.K
    names = model.output_names
    if not is_potentially_variable(T):
        return dict(zip(names, (float(v) for v in model.evaluate(
            names, temperature=pyo.value(t_number))), strict=True))  # fmt: skip
    cache = b.__dict__.setdefault("_propkg_transport_cache", {})
    key = (cobj.local_name, id(T))
    if key not in cache:
        domains = {n: model.domain_of("temperature", n) for n in names}
        for message in record_domain(b, T, f"component '{cobj.local_name}'", model.source,
                                     domains):  # fmt: skip
            _log.warning(message)
        sub = add_sub_block(b, f"propkg_{cobj.local_name}_transport")
        exprs = sx_to_pyomo(model.sx_function(names), [t_number],
                            subexpression=indexed_subexpressions(sub))  # fmt: skip
        cache[key] = (T, dict(zip(names, exprs, strict=True)))
    return cache[key][1]


def _expression(b, cobj, phase_type: str, quantity: str, T):
    output, unit_name = _OUTPUTS[(quantity, phase_type)]
    model = transport_model(cobj)
    target = getattr(_derived_units(cobj), unit_name)
    value = _values(b, cobj, T)[output]
    return _attach_units(value, parse_units(model.units_of(output), model.source), target)


def _build(cobj, p, quantity: str) -> None:
    model = transport_model(cobj)
    pobj = cobj.parent_block().get_phase(p)
    phase_type = "liquid" if pobj.is_liquid_phase() else "vapor"
    output, unit_name = _OUTPUTS[(quantity, phase_type)]
    model.require_outputs([output])
    _check_output_units(cobj, model, output, getattr(_derived_units(cobj), unit_name))


class HybridTransport:
    """Pure-component viscosity and thermal conductivity of a propkg transport model.

    In a liquid phase the saturated-liquid outputs, in a vapour phase the dilute-gas ones
    (``visc_d_liq_comp`` / ``visc_d_vap_comp``, ``therm_cond_liq_comp`` /
    ``therm_cond_vap_comp``), as functions of T only (no pressure dependence, as IDAES's
    ideal phases).
    """

    class visc_d_phase_comp:
        """Dynamic viscosity :math:`\\mu_j(T)` [Pa s]."""

        @staticmethod
        def build_parameters(cobj, p):
            _build(cobj, p, "visc_d")

        @staticmethod
        def return_expression(b, cobj, p, T):
            return _expression(b, cobj, _phase_type(b, p), "visc_d", T)

    class therm_cond_phase_comp:
        """Thermal conductivity :math:`\\lambda_j(T)` [W/m/K]."""

        @staticmethod
        def build_parameters(cobj, p):
            _build(cobj, p, "therm_cond")

        @staticmethod
        def return_expression(b, cobj, p, T):
            return _expression(b, cobj, _phase_type(b, p), "therm_cond", T)


def surface_tension_comp(b, cobj, T):
    """Surface tension of the pure saturated liquid :math:`\\sigma_j(T)` [N/m]."""
    return _expression(b, cobj, "liquid", "surf_tens", T)


def transport_phase_methods(phase_type: str) -> dict:
    """Phase-config entries of the transport mixing rules for a liquid or vapour phase.

    Vapour: IDAES's ``ViscosityWilke`` and ``ThermalConductivityWMS``. Liquid: the rules of
    :mod:`idaes_plugin.transport_mixing` (log mixing, Li, mole-fraction average).
    """
    if phase_type == "vapor":
        from idaes.models.properties.modular_properties.transport_properties import (
            ThermalConductivityWMS,
            ViscosityWilke,
        )

        return {"visc_d_phase": ViscosityWilke, "therm_cond_phase": ThermalConductivityWMS}
    from idaes_plugin.transport_mixing import (
        SurfaceTensionMoleFractionAverage,
        ThermalConductivityLi,
        ViscosityLogMixing,
    )

    return {
        "visc_d_phase": ViscosityLogMixing,
        "therm_cond_phase": ThermalConductivityLi,
        "surf_tens_phase": SurfaceTensionMoleFractionAverage,
    }


def _find(name: str):
    try:
        return find_transport_model(name)
    except MetadataError:
        return None


def add_transport(config: dict, required: bool | None = None) -> bool:
    """Add transport methods to a :func:`idaes_plugin.vle_config` configuration, in place.

    Every component needs a shipped transport model (found by its name with
    :func:`propkg_contract.registry.find_transport_model`, or already named by
    ``parameter_data['onnx_transport_model']``).

    Parameters
    ----------
    config : dict
        The configuration (``components``, ``phases`` with ``Liq`` and ``Vap``).
    required : bool or None
        True: raise if a component has no transport model; False: add nothing; None: add
        the methods when every component has one, else nothing.

    Returns
    -------
    bool
        Whether the methods were added.
    """
    if required not in (None, True, False):
        raise PropkgError(
            f"vle_config: transport must be True, False or None (automatic); got {required!r}"
        )
    if required is False:
        return False
    sources = {}
    for name, entry in config["components"].items():
        source = entry["parameter_data"].get(TRANSPORT_MODEL_KEY) or _find(name)
        if source is None:
            if required:
                raise MetadataError(
                    f"vle_config(transport=True): no transport model for component '{name}'; "
                    "export one with `python validation/transport.py NAME` or pass "
                    "transport=False"
                )
            return False
        sources[name] = source
    for name, entry in config["components"].items():
        entry["parameter_data"][TRANSPORT_MODEL_KEY] = str(sources[name])
        entry["visc_d_phase_comp"] = {"Vap": HybridTransport, "Liq": HybridTransport}
        entry["therm_cond_phase_comp"] = {"Vap": HybridTransport, "Liq": HybridTransport}
    config["phases"]["Vap"].update(transport_phase_methods("vapor"))
    config["phases"]["Liq"].update(transport_phase_methods("liquid"))
    return True
