"""Properties derived from a model's outputs by exact differentiation of the imported graph.

A hybrid model ships the primary outputs; whatever is a derivative of them is formed here
with CasADi on the SX graph of :class:`~idaes_plugin.onnx_import.OnnxPropertyModel` and then
translated to Pyomo like any output, so derived properties are as exact as the model:

.. math::

    \\Delta h^{vap}(T) = R T^2 \\frac{d \\ln p^{sat}}{dT}
    \\quad\\text{(Clausius-Clapeyron, ideal vapour, liquid volume neglected)}

    h^{liq}(T) = h^{ig}(T) - \\Delta h^{vap}(T)\\ \\text{(or the model's own } h^{liq}),
    \\qquad
    c_p^{liq}(T) = \\frac{d h^{liq}}{dT}, \\qquad c_p^{ig}(T) = \\frac{d h^{ig}}{dT}

The model's own ``dh_vap_mol_comp`` output is used when present, Clausius-Clapeyron
otherwise. All functions take the temperature in K and return SI values (J/mol, J/mol/K).
"""

from __future__ import annotations

import functools

import casadi as ca

from idaes_plugin.onnx_import import OnnxPropertyModel
from propkg_contract.errors import MetadataError, UnitsError
from propkg_contract.vocabulary import GAS_CONSTANT

#: SI units of the quantities defined here
DERIVED_UNITS = {
    "dh_vap_mol_comp": "J/mol",
    "latent_heat_comp": "J/mol",
    "enth_mol_liq_comp": "J/mol",
    "cp_mol_liq_comp": "J/mol/K",
    "cp_mol_ig_comp": "J/mol/K",
}


def _si_factor(model: OnnxPropertyModel, output: str, si: str) -> float:
    from pyomo.environ import units as pyunits

    from idaes_plugin.onnx_import import parse_units

    return pyunits.convert_value(
        1.0, from_units=parse_units(model.units_of(output)), to_units=parse_units(si)
    )


def _outputs_at(model: OnnxPropertyModel, T: ca.SX) -> dict[str, ca.SX]:
    if model.units_of("temperature") != "K":
        raise UnitsError(
            f"{model.source}: derived properties need the temperature input in 'K', the "
            f"model declares {model.units_of('temperature')!r}"
        )
    values = model.function(T)
    values = [values] if len(model.output_names) == 1 else list(values)
    return dict(zip(model.output_names, values, strict=True))


def _dh_vap(model: OnnxPropertyModel, y: dict, T: ca.SX) -> ca.SX:
    if "dh_vap_mol_comp" in y:
        return y["dh_vap_mol_comp"] * _si_factor(model, "dh_vap_mol_comp", "J/mol")
    if "pressure_sat_comp" not in y:
        raise MetadataError(
            f"{model.source} has neither 'dh_vap_mol_comp' nor 'pressure_sat_comp'; the "
            "enthalpy of vaporisation cannot be formed"
        )
    return GAS_CONSTANT * T**2 * ca.jacobian(ca.log(y["pressure_sat_comp"]), T)


def liquid_on_gas_reference(model: OnnxPropertyModel) -> bool:
    """True if the model's ``enth_mol_liq_comp`` shares the zero of ``enth_mol_ig_comp``.

    Declared in the metadata as ``reference_state["enth_mol_liq_comp"] ==
    "enth_mol_ig_comp"``: then :math:`h^{ig}(T) - h^{liq}(T)` is the model's latent heat of
    the ideal liquid and both are referred to the package's reference with the vapour's
    formation enthalpy.
    """
    if "enth_mol_liq_comp" not in model.output_names:
        return False
    ref = model.metadata.raw.get("reference_state", {})
    return ref.get("enth_mol_liq_comp") == "enth_mol_ig_comp"


def _h_liq(model: OnnxPropertyModel, y: dict, T: ca.SX) -> ca.SX:
    if "enth_mol_liq_comp" in y:
        return y["enth_mol_liq_comp"] * _si_factor(model, "enth_mol_liq_comp", "J/mol")
    return _h_ig(model, y) - _dh_vap(model, y, T)


def _h_ig(model: OnnxPropertyModel, y: dict) -> ca.SX:
    if "enth_mol_ig_comp" not in y:
        raise MetadataError(f"{model.source} has no 'enth_mol_ig_comp' output")
    return y["enth_mol_ig_comp"] * _si_factor(model, "enth_mol_ig_comp", "J/mol")


def derived_inputs(model: OnnxPropertyModel, name: str) -> tuple[str, ...]:
    """Model outputs that the derived quantity ``name`` is formed from."""
    has = set(model.output_names)
    dh_vap = ("dh_vap_mol_comp",) if "dh_vap_mol_comp" in has else ("pressure_sat_comp",)
    if name == "dh_vap_mol_comp":
        return dh_vap
    if name == "latent_heat_comp" and liquid_on_gas_reference(model):
        return ("enth_mol_ig_comp", "enth_mol_liq_comp")
    if name == "latent_heat_comp":
        return dh_vap
    if name in ("enth_mol_liq_comp", "cp_mol_liq_comp"):
        if "enth_mol_liq_comp" in has:
            return ("enth_mol_liq_comp",)
        return ("enth_mol_ig_comp", *dh_vap)
    if name == "cp_mol_ig_comp":
        return ("enth_mol_ig_comp",)
    raise KeyError(f"unknown derived property '{name}'; known: {sorted(DERIVED_UNITS)}")


@functools.lru_cache(maxsize=256)
def derived_function(model: OnnxPropertyModel, name: str) -> ca.Function:
    """SX function temperature [K] -> derived quantity ``name`` (see :data:`DERIVED_UNITS`).

    ``enth_mol_liq_comp`` is :math:`h^{ig}(T) - \\Delta h^{vap}(T)` on the model's own
    enthalpy reference (the caller subtracts its value at the package's reference).
    """
    T = ca.SX.sym("temperature")
    y = _outputs_at(model, T)
    if name == "dh_vap_mol_comp":
        value = _dh_vap(model, y, T)
    elif name == "enth_mol_liq_comp":
        value = _h_liq(model, y, T)
    elif name == "latent_heat_comp":
        if liquid_on_gas_reference(model):
            value = _h_ig(model, y) - _h_liq(model, y, T)
        else:
            value = _dh_vap(model, y, T)
    elif name == "cp_mol_liq_comp":
        value = ca.jacobian(_h_liq(model, y, T), T)
    elif name == "cp_mol_ig_comp":
        value = ca.jacobian(_h_ig(model, y), T)
    else:
        raise KeyError(f"unknown derived property '{name}'; known: {sorted(DERIVED_UNITS)}")
    value = ca.cse(value)  # exact: merges structurally identical nodes only
    return ca.Function(f"derived_{name}", [T], [value], ["temperature"], [name])
