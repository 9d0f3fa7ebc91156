"""IDAES pure-component property methods backed by propkg ONNX models.

The classes plug into a ``GenericParameterBlock`` configuration exactly like IDAES's
``RPP4`` or ``Perrys``: either one class per property, or the namespace :class:`OnnxPure`
for all of them::

    "benzene": {
        "type": Component,
        "pressure_sat_comp": OnnxPure,          # or HybridVaporPressure
        "dens_mol_liq_comp": OnnxPure,
        "enth_mol_ig_comp": OnnxPure,
        "enth_mol_liq_comp": OnnxPure,
        "parameter_data": {"onnx_model": "benzene",   # shipped name, CAS or .onnx path
                           "mw": (78.11e-3, pyunits.kg / pyunits.mol),
                           "enth_mol_form_vap_comp_ref": (82.9e3, pyunits.J / pyunits.mol)},
    }

Enthalpies and entropies follow IDAES's convention (as in ``RPP4``): the model's value is
taken relative to the package's ``temperature_ref`` and the formation value at that
reference is added,

.. math::

    h^{ig}_j(T) = \\Delta h_{f,j}^{vap} + h^{model}_j(T) - h^{model}_j(T_{ref})

so the model's own reference state (``reference_state`` in the metadata, 298.15 K for the
shipped models) drops out. The ideal-liquid enthalpy of a model without an
``enth_mol_liq_comp`` output is :math:`h^{ig}_j(T) - \\Delta h^{vap}_j(T)`, with the
enthalpy of vaporisation from the model's ``dh_vap_mol_comp`` output or, failing that, from
Clausius-Clapeyron, :math:`\\Delta h^{vap} = R T^2\\, d\\ln p^{sat}/dT`, differentiated
exactly by CasADi (:mod:`idaes_plugin.derived`). Likewise ``cp_ig = dh_ig/dT`` when the
model has no ``cp_mol_ig_comp`` output, and the liquid's ``cp = dh_liq/dT`` always.
Temperatures that are plain numbers (IDAES's bubble/dew initial guesses) are evaluated by
CasADi directly; :func:`check_domain` (:mod:`idaes_plugin.domains`) reports states outside
the validity domains of the outputs they use.

Model outputs are built once per state block and temperature expression; shared
subexpressions are named Pyomo ``Expression`` s in a sub-block of the state block, so the
NL file stays small. Units are checked when the package is built: the metadata unit string
of every output used is converted with Pyomo units to the package's derived units.
"""

from __future__ import annotations

import functools
import math

import idaes.logger as idaeslog
import pyomo.environ as pyo
from pyomo.core.base.units_container import UnitsError as PyomoUnitsError
from pyomo.core.base.units_container import _PyomoUnit
from pyomo.core.expr.numeric_expr import NPV_ProductExpression
from pyomo.core.expr.numvalue import is_potentially_variable
from pyomo.environ import units as pyunits

from idaes_plugin.casadi_to_pyomo import indexed_subexpressions, sx_to_pyomo
from idaes_plugin.derived import (
    DERIVED_UNITS,
    derived_function,
    derived_inputs,
    liquid_on_gas_reference,
)
from idaes_plugin.domains import record_domain
from idaes_plugin.model_statistics import install as _install_statistics_cache
from idaes_plugin.onnx_import import OnnxPropertyModel, load_model, parse_units
from idaes_plugin.state_expressions import add_sub_block, state_values
from propkg_contract.errors import DomainError, MetadataError, UnitsError
from propkg_contract.vocabulary import GAS_CONSTANT

_log = idaeslog.getLogger(__name__)
# IDAES's degrees-of-freedom checks with Pyomo's named-expression cache, one per call
# (identical results; idaes_plugin.model_statistics)
_install_statistics_cache()

#: parameter_data key naming the ONNX model of a component
MODEL_KEY = "onnx_model"


def parameter_model(cobj, key: str, what: str, resolve=load_model, kind: str | None = None,
                    hint: str = "shipped model name, CAS or .onnx path") -> OnnxPropertyModel:
    """The ONNX model that ``parameter_data[key]`` of an IDAES component names, loaded once
    per component and key.

    ``parameter_data[key]`` is an :class:`OnnxPropertyModel` or a source for ``resolve``
    (default :func:`load_model`: a shipped model name, CAS number or .onnx path); ``what``
    names the kind of method and ``hint`` what the entry may be in the error message; with
    ``kind`` the model's metadata kind is checked.

    Raises
    ------
    MetadataError
        If the key is missing or the model is not of ``kind``.
    """
    cache = cobj.__dict__.setdefault("_propkg_models", {})
    if key in cache:
        return cache[key]
    source = cobj.config.parameter_data.get(key)
    if source is None:
        raise MetadataError(
            f"component '{cobj.local_name}' uses a propkg {what} method but its "
            f"parameter_data has no '{key}' entry ({hint})"
        )
    model = source if isinstance(source, OnnxPropertyModel) else resolve(source)
    if kind is not None and model.metadata.kind != kind:
        raise MetadataError(
            f"component '{cobj.local_name}': {model.source} is a {model.metadata.kind} "
            f"model; '{key}' needs a {kind} model"
        )
    cache[key] = model
    return model


def component_model(cobj) -> OnnxPropertyModel:
    """The ONNX model named by ``parameter_data['onnx_model']`` of an IDAES component."""
    return parameter_model(cobj, MODEL_KEY, "ONNX property")


def _check_output_units(cobj, model: OnnxPropertyModel, output: str, target) -> None:
    """Raise if an output's declared unit cannot be converted to ``target`` (Pyomo units)."""
    declared = parse_units(model.units_of(output), model.source)
    try:
        pyunits.convert_value(1.0, from_units=declared, to_units=target)
    except PyomoUnitsError:
        raise UnitsError(
            f"component '{cobj.local_name}': output '{output}' of {model.source} is in "
            f"'{model.units_of(output)}', which cannot be converted to the package's "
            f"'{pyunits.get_units(target)}'"
        ) from None


class _PackageUnits:
    """The derived units of a property package, each Pyomo units expression built once.

    IDAES's lookup builds a new expression on every attribute access; keeping one object
    per unit lets :func:`_attach_units` memoise conversion factors by identity (a factor
    costs ~0.1 ms with ``pyunits.convert_value``, and IDAES's bubble/dew initialisation
    asks for the vapour pressure hundreds of times).
    """

    def __init__(self, derived):
        self._derived = derived
        self._units: dict = {}

    def __getattr__(self, name: str):  # PRESSURE, TEMPERATURE, ENERGY_MOLE, ...
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._units:
            self._units[name] = getattr(self._derived, name)
        return self._units[name]

    def ratio(self, numerator: str | None, denominator: str):
        """``numerator / denominator`` (``None``: 1), built once."""
        key = (numerator, denominator)
        if key not in self._units:
            top = 1 if numerator is None else getattr(self, numerator)
            self._units[key] = top / getattr(self, denominator)
        return self._units[key]


def _derived_units(cobj) -> _PackageUnits:
    params = cobj.parent_block()
    units = params.__dict__.get("_propkg_units")
    if units is None:
        units = params.__dict__["_propkg_units"] = _PackageUnits(
            params.get_metadata().derived_units
        )
    return units


@functools.lru_cache(maxsize=64)
def _declared_ratio(numerator: str | None, denominator: str):
    """Pyomo units ``numerator / denominator`` of metadata unit strings (None: 1), cached."""
    top = 1 if numerator is None else parse_units(numerator)
    return top / parse_units(denominator)


def _temperature_number(model: OnnxPropertyModel, T):
    """``T`` as a dimensionless number in the model's temperature units."""
    target = parse_units(model.units_of("temperature"), model.source)
    return pyunits.convert(T, to_units=target) / target


_AFFINE_MAPS: dict[tuple[int, int], tuple] = {}


def _number_in(T, target) -> float:
    """The value of the constant ``T`` (a float, or ``value * unit`` as IDAES's bubble/dew
    initialization passes it) in ``target`` units.

    Same number as ``value(pyunits.convert(T, to_units=target))``; the common
    ``float * unit`` form is converted by the memoised affine map of its unit (a temperature
    unit may have an offset) instead of walking the expression's units each time.
    """
    args = getattr(T, "args", None)
    if (
        type(T) is NPV_ProductExpression
        and type(args[0]) is float
        and isinstance(args[1], _PyomoUnit)
    ):
        key = (id(args[1]), id(target))
        entry = _AFFINE_MAPS.get(key)
        if entry is None:
            if len(_AFFINE_MAPS) > 1024:
                _AFFINE_MAPS.clear()
            offset = pyunits.convert_value(0.0, from_units=args[1], to_units=target)
            slope = pyunits.convert_value(1.0, from_units=args[1], to_units=target) - offset
            entry = _AFFINE_MAPS[key] = (args[1], target, slope, offset)  # ids stay theirs
        slope, offset = entry[2], entry[3]
        return args[0] if (slope, offset) == (1.0, 0.0) else slope * args[0] + offset
    return pyo.value(pyunits.convert(T, to_units=target))


def _output_domains(model: OnnxPropertyModel, outputs) -> dict[str, tuple[float, float]]:
    """Temperature domain of each of ``outputs`` (its own, else the model's) [K]."""
    domains = {}
    for name in outputs:
        bounds = model.domain_of("temperature", name)
        if bounds is not None:
            domains[name] = bounds
    return domains


def check_temperature(cobj, T, outputs=None) -> None:
    """Raise :class:`DomainError` if the value of ``T`` is outside an output's domain.

    ``outputs`` defaults to every output of the component's model.
    """
    model = component_model(cobj)
    value = pyo.value(pyunits.convert(T, to_units=pyunits.K), exception=False)
    if value is None:
        return
    for name, (lo, hi) in _output_domains(model, outputs or model.output_names).items():
        if not lo <= value <= hi:
            raise DomainError(
                f"component '{cobj.local_name}': temperature {value:.6g} K is outside the "
                f"validity domain [{lo:.6g}, {hi:.6g}] K of output '{name}' of {model.source}"
            )


def _translate(b, cobj, T, key: tuple, build_function, label: str, outputs) -> list:
    """Dimensionless Pyomo expressions of ``build_function()`` (an SX function of T) at ``T``.

    Cached per (state block, component, key, T). Quantities of the component's state
    function come from its one translation at ``T``
    (:func:`idaes_plugin.state_expressions.state_values`); anything else is translated on
    its own, with shared subexpressions as named Expressions in a sub-block
    ``propkg_<component>_<label>`` of the state block. The model ``outputs`` the function
    depends on are recorded for :func:`check_domain`.
    """
    model = component_model(cobj)
    if not is_potentially_variable(T):
        # a number (IDAES's bubble/dew initial guesses): evaluated now, by CasADi
        target = parse_units(model.units_of("temperature"), model.source)
        t_number = {"temperature": _number_in(T, target)}
        fun = build_function()
        values = fun(*[t_number[n] for n in model.input_names])
        values = [values] if fun.n_out() == 1 else list(values)
        return [float(v) for v in values]
    for message in record_domain(
        b, T, f"component '{cobj.local_name}'", model.source, _output_domains(model, outputs)
    ):
        _log.warning(message)
    cache = b.__dict__.setdefault("_propkg_cache", {})
    full_key = (cobj.local_name, key, id(T))
    if full_key not in cache:
        # one translation per (state block, component, T) shared by every property
        values = state_values(b, cobj.local_name, model, T, key)
        if values is None:
            t_number = {"temperature": _temperature_number(model, T)}
            values = sx_to_pyomo(
                build_function(), [t_number[n] for n in model.input_names],
                subexpression=indexed_subexpressions(
                    add_sub_block(b, f"propkg_{cobj.local_name}_{label}")
                ),
            )  # fmt: skip
        cache[full_key] = (T, values)  # keep T alive so that its id stays unique
    return cache[full_key][1]


def _model_values(
    b, cobj, T, outputs: tuple[str, ...], wrt: str | None = None, log: bool = False
) -> list:
    """Dimensionless expressions of model outputs at ``T`` (numbers in the model's units).

    ``wrt`` and ``log`` select derivatives and logarithms as in
    :meth:`OnnxPropertyModel.sx_function`.
    """
    model = component_model(cobj)
    label = ("log_" if log else "") + "_".join(outputs) + (f"_d{wrt}" if wrt else "")
    return _translate(
        b, cobj, T, (outputs, wrt, log), lambda: model.sx_function(outputs, wrt, log), label,
        outputs,
    )  # fmt: skip


def _derived_value(b, cobj, T, name: str, target):
    """A property of :mod:`idaes_plugin.derived` at ``T``, in ``target`` units."""
    model = component_model(cobj)
    (value,) = _translate(
        b, cobj, T, ("derived", name), lambda: derived_function(model, name), f"derived_{name}",
        derived_inputs(model, name),
    )  # fmt: skip
    return _attach_units(value, parse_units(DERIVED_UNITS[name]), target)


def _reference_value(cobj, b, output: str) -> float:
    """Model output at the package's ``temperature_ref`` (a number in the model's units)."""
    model = component_model(cobj)
    t_ref = pyo.value(b.params.temperature_ref)  # in the package's base units
    memo = cobj.__dict__.setdefault("_propkg_reference_values", {})
    if (output, t_ref) not in memo:
        t_kelvin = pyo.value(pyunits.convert(b.params.temperature_ref, to_units=pyunits.K))
        t_model = pyunits.convert_value(
            t_kelvin, from_units=pyunits.K, to_units=parse_units(model.units_of("temperature"))
        )
        memo[(output, t_ref)] = float(model.evaluate([output], temperature=t_model)[0])
    return memo[(output, t_ref)]


def _attach_units(value, declared, target):
    """``value`` (a number in ``declared`` units) as an expression in ``target`` units.

    The conversion factor is computed once, numerically, instead of letting
    ``pyunits.convert`` walk the (large) model expression to find its units; a factor of
    exactly 1 is not written at all.
    """
    factor = _conversion_factor(declared, target)
    return (value if factor == 1.0 else factor * value) * target


_FACTORS: dict[tuple[int, int], tuple] = {}


def _conversion_factor(declared, target) -> float:
    """``pyunits.convert_value(1, declared, target)``, memoised by the objects' identity
    (the memo holds them, so that their ids stay theirs)."""
    key = (id(declared), id(target))
    entry = _FACTORS.get(key)
    if entry is None:
        if len(_FACTORS) > 1024:
            _FACTORS.clear()
        factor = pyunits.convert_value(1.0, from_units=declared, to_units=target)
        entry = _FACTORS[key] = (declared, target, factor)
    return entry[2]


def _with_units(cobj, value, output: str, target):
    model = component_model(cobj)
    return _attach_units(value, parse_units(model.units_of(output), model.source), target)


def _formation_param(cobj, name: str, units) -> None:
    """Add ``cobj.<name>`` (fixed Var, as IDAES does) from parameter_data; default 0."""
    from idaes.core.util.misc import set_param_from_config

    if hasattr(cobj, name):
        return
    cobj.add_component(name, pyo.Var(units=units, doc=f"{name} (propkg ONNX method)"))
    if name in cobj.config.parameter_data:
        set_param_from_config(cobj, param=name)
    else:
        getattr(cobj, name).fix(0.0)


def _include_formation(cobj) -> bool:
    return bool(cobj.parent_block().config.include_enthalpy_of_formation)


class HybridVaporPressure:
    """Saturation pressure :math:`p^{sat}_j(T)` [Pa] from an ONNX model's ``pressure_sat_comp``.

    ``return_expression(b, cobj, T, dT=True)`` returns :math:`dp^{sat}/dT` [Pa/K], the
    exact derivative of the imported graph (CasADi), as IDAES's bubble/dew methods need.
    """

    @staticmethod
    def build_parameters(cobj):
        model = component_model(cobj)
        model.require_outputs(["pressure_sat_comp"])
        _check_output_units(cobj, model, "pressure_sat_comp", _derived_units(cobj).PRESSURE)

    @staticmethod
    def return_expression(b, cobj, T, dT=False):
        if dT:
            return HybridVaporPressure.dT_expression(b, cobj, T)
        (psat,) = _model_values(b, cobj, T, ("pressure_sat_comp",))
        return _with_units(cobj, psat, "pressure_sat_comp", _derived_units(cobj).PRESSURE)

    @staticmethod
    def return_log_expression(b, cobj, T, dT=False):
        """:math:`\\ln(p^{sat}/[p])` in the package's pressure units (IDAES's log form).

        With ``dT=True``: :math:`d\\ln p^{sat}/dT` [1/K]. Both are exact transforms of the
        graph; a model built on :math:`\\ln p^{sat}` gives it without ``log(exp(.))``.
        """
        if dT:
            return HybridVaporPressure.dT_log_expression(b, cobj, T)
        model = component_model(cobj)
        (log_p,) = _model_values(b, cobj, T, ("pressure_sat_comp",), log=True)
        declared = parse_units(model.units_of("pressure_sat_comp"), model.source)
        factor = _conversion_factor(declared, _derived_units(cobj).PRESSURE)
        return log_p if factor == 1.0 else log_p + math.log(factor)

    @staticmethod
    def dT_log_expression(b, cobj, T):
        model = component_model(cobj)
        (dlnp,) = _model_values(b, cobj, T, ("pressure_sat_comp",), wrt="temperature", log=True)
        declared = _declared_ratio(None, model.units_of("temperature"))
        return _attach_units(dlnp, declared, _derived_units(cobj).ratio(None, "TEMPERATURE"))

    @staticmethod
    def dT_expression(b, cobj, T):
        model = component_model(cobj)
        (dpdt,) = _model_values(b, cobj, T, ("pressure_sat_comp",), wrt="temperature")
        units = _declared_ratio(model.units_of("pressure_sat_comp"), model.units_of("temperature"))
        target = _derived_units(cobj).ratio("PRESSURE", "TEMPERATURE")
        return _attach_units(dpdt, units, target)


class HybridLiquidDensity:
    """Molar density of the pure liquid :math:`\\rho_j(T)` [mol/m**3], ``dens_mol_liq_comp``."""

    @staticmethod
    def build_parameters(cobj):
        model = component_model(cobj)
        model.require_outputs(["dens_mol_liq_comp"])
        _check_output_units(cobj, model, "dens_mol_liq_comp", _derived_units(cobj).DENSITY_MOLE)

    @staticmethod
    def return_expression(b, cobj, T):
        (rho,) = _model_values(b, cobj, T, ("dens_mol_liq_comp",))
        return _with_units(cobj, rho, "dens_mol_liq_comp", _derived_units(cobj).DENSITY_MOLE)

    @staticmethod
    def dT_expression(b, cobj, T):
        """:math:`d\\rho_j/dT` [mol/m**3/K], the exact derivative of the imported graph."""
        model = component_model(cobj)
        (drho,) = _model_values(b, cobj, T, ("dens_mol_liq_comp",), wrt="temperature")
        units = parse_units(model.units_of("dens_mol_liq_comp")) / parse_units(
            model.units_of("temperature")
        )
        derived = _derived_units(cobj)
        return _attach_units(drho, units, derived.DENSITY_MOLE / derived.TEMPERATURE)


def _has(cobj, output: str) -> bool:
    return output in component_model(cobj).output_names


class HybridIdealGasCp:
    """Ideal-gas heat capacity :math:`c_{p,j}^{ig}(T)` [J/mol/K].

    The model's ``cp_mol_ig_comp`` output, or :math:`dh^{ig}/dT` of its ``enth_mol_ig_comp``
    by exact differentiation when there is no such output.
    """

    @staticmethod
    def build_parameters(cobj):
        model = component_model(cobj)
        target = _derived_units(cobj).HEAT_CAPACITY_MOLE
        if _has(cobj, "cp_mol_ig_comp"):
            _check_output_units(cobj, model, "cp_mol_ig_comp", target)
        else:
            model.require_outputs(["enth_mol_ig_comp"])

    @staticmethod
    def return_expression(b, cobj, T):
        target = _derived_units(cobj).HEAT_CAPACITY_MOLE
        if _has(cobj, "cp_mol_ig_comp"):
            (cp,) = _model_values(b, cobj, T, ("cp_mol_ig_comp",))
            return _with_units(cobj, cp, "cp_mol_ig_comp", target)
        return _derived_value(b, cobj, T, "cp_mol_ig_comp", target)


class HybridIdealGasEnthalpy:
    """Ideal-gas enthalpy [J/mol]: :math:`\\Delta h_f^{vap} + h^{model}(T) - h^{model}(T_{ref})`."""

    @staticmethod
    def build_parameters(cobj):
        model = component_model(cobj)
        units = _derived_units(cobj)
        model.require_outputs(["enth_mol_ig_comp"])
        _check_output_units(cobj, model, "enth_mol_ig_comp", units.ENERGY_MOLE)
        if _include_formation(cobj):
            _formation_param(cobj, "enth_mol_form_vap_comp_ref", units.ENERGY_MOLE)

    @staticmethod
    def return_expression(b, cobj, T):
        units = _derived_units(cobj).ENERGY_MOLE
        (h,) = _model_values(b, cobj, T, ("enth_mol_ig_comp",))
        h_ref = _reference_value(cobj, b, "enth_mol_ig_comp")
        h = _with_units(cobj, h - h_ref, "enth_mol_ig_comp", units)
        if _include_formation(cobj):
            h = h + cobj.enth_mol_form_vap_comp_ref
        return h


class HybridIdealGasEntropy:
    """Ideal-gas entropy at :math:`p_{ref}` [J/mol/K]:
    :math:`s_f^{vap} + s^{model}(T) - s^{model}(T_{ref})`."""

    @staticmethod
    def build_parameters(cobj):
        model = component_model(cobj)
        units = _derived_units(cobj)
        model.require_outputs(["entr_mol_ig_comp"])
        _check_output_units(cobj, model, "entr_mol_ig_comp", units.ENTROPY_MOLE)
        _formation_param(cobj, "entr_mol_form_vap_comp_ref", units.ENTROPY_MOLE)

    @staticmethod
    def return_expression(b, cobj, T):
        units = _derived_units(cobj).ENTROPY_MOLE
        (s,) = _model_values(b, cobj, T, ("entr_mol_ig_comp",))
        s_ref = _reference_value(cobj, b, "entr_mol_ig_comp")
        return _with_units(cobj, s - s_ref, "entr_mol_ig_comp", units) + (
            cobj.entr_mol_form_vap_comp_ref
        )


def enthalpy_of_vaporization(b, cobj, T):
    """:math:`\\Delta h^{vap}_j(T)` [J/mol]: ``dh_vap_mol_comp`` output or Clausius-Clapeyron.

    .. math:: \\Delta h^{vap} = R T^2 \\frac{1}{p^{sat}} \\frac{dp^{sat}}{dT}

    (ideal vapour, liquid volume neglected), with the exact derivative of the graph.
    """
    units = _derived_units(cobj).ENERGY_MOLE
    if _has(cobj, "dh_vap_mol_comp"):
        (dh,) = _model_values(b, cobj, T, ("dh_vap_mol_comp",))
        return _with_units(cobj, dh, "dh_vap_mol_comp", units)
    return _derived_value(b, cobj, T, "dh_vap_mol_comp", units)


class HybridLiquidEnthalpy:
    """Ideal-liquid enthalpy [J/mol].

    With an ``enth_mol_liq_comp`` output on its own reference:
    :math:`\\Delta h_f^{liq} + h^{model}_{liq}(T) - h^{model}_{liq}(T_{ref})` (as ``Perrys``).
    With an ``enth_mol_liq_comp`` output that shares the ideal gas's zero (metadata
    ``reference_state["enth_mol_liq_comp"] == "enth_mol_ig_comp"``, the shipped hybrid
    models): :math:`\\Delta h_f^{vap} + h^{model}_{liq}(T) - h^{model}_{ig}(T_{ref})`.
    Otherwise :math:`h^{ig}_j(T) - \\Delta h^{vap}_j(T)`. The last two are consistent with
    the vapour enthalpy of :class:`HybridIdealGasEnthalpy`.
    """

    @staticmethod
    def build_parameters(cobj):
        model = component_model(cobj)
        units = _derived_units(cobj)
        if _has(cobj, "enth_mol_liq_comp") and not liquid_on_gas_reference(model):
            _check_output_units(cobj, model, "enth_mol_liq_comp", units.ENERGY_MOLE)
            if _include_formation(cobj):
                _formation_param(cobj, "enth_mol_form_liq_comp_ref", units.ENERGY_MOLE)
            return
        HybridIdealGasEnthalpy.build_parameters(cobj)
        if not _has(cobj, "dh_vap_mol_comp"):
            model.require_outputs(["pressure_sat_comp"])

    @staticmethod
    def return_expression(b, cobj, T):
        units = _derived_units(cobj).ENERGY_MOLE
        model = component_model(cobj)
        if _has(cobj, "enth_mol_liq_comp") and not liquid_on_gas_reference(model):
            (h,) = _model_values(b, cobj, T, ("enth_mol_liq_comp",))
            h_ref = _reference_value(cobj, b, "enth_mol_liq_comp")
            h = _with_units(cobj, h - h_ref, "enth_mol_liq_comp", units)
            if _include_formation(cobj):
                h = h + cobj.enth_mol_form_liq_comp_ref
            return h
        # the model's h_liq on the gas's zero, or h_ig(T) - dh_vap(T), as one translated
        # function (shared subexpressions), minus h_ig(T_ref) of the model, plus the
        # vapour's formation enthalpy
        joule_per_mol = parse_units("J/mol")
        h_ref = _reference_value(cobj, b, "enth_mol_ig_comp") * _conversion_factor(
            parse_units(model.units_of("enth_mol_ig_comp")), joule_per_mol
        )
        h = _derived_value(b, cobj, T, "enth_mol_liq_comp", units)
        h = h - _attach_units(h_ref, joule_per_mol, units)
        if _include_formation(cobj):
            h = h + cobj.enth_mol_form_vap_comp_ref
        return h


class HybridLiquidCp:
    """Ideal-liquid heat capacity [J/mol/K], :math:`d h^{liq}/dT` by exact differentiation.

    Of the model's ``enth_mol_liq_comp`` output if present, else of
    :math:`h^{ig} - \\Delta h^{vap}` (see :mod:`idaes_plugin.derived`).
    """

    @staticmethod
    def build_parameters(cobj):
        model = component_model(cobj)
        if not _has(cobj, "enth_mol_liq_comp"):
            model.require_outputs(["enth_mol_ig_comp"])
            if not _has(cobj, "dh_vap_mol_comp"):
                model.require_outputs(["pressure_sat_comp"])

    @staticmethod
    def return_expression(b, cobj, T):
        target = _derived_units(cobj).HEAT_CAPACITY_MOLE
        return _derived_value(b, cobj, T, "cp_mol_liq_comp", target)


class HybridLiquidEntropy:
    """Ideal-liquid entropy [J/mol/K] (no pressure dependence, as IDAES's ideal liquid).

    With an ``entr_mol_liq_comp`` output it is used like ``Perrys``; otherwise the saturated
    liquid reached from the ideal gas at :math:`p_{ref}`:

    .. math:: s^{liq}_j = s^{ig}_j(T) - R \\ln(p^{sat}_j / p_{ref}) - L_j(T) / T

    with the latent heat :math:`L_j = h^{ig}_j - h^{liq}_j` of the package's own enthalpies
    (``latent_heat_comp`` of :mod:`idaes_plugin.derived`), so that the liquid's Gibbs energy
    :math:`h - Ts = g^{ig}_j + RT\\ln(p^{sat}_j/p_{ref})` matches the fugacity
    :math:`p^{sat}_j` of the phase equilibrium.
    """

    @staticmethod
    def build_parameters(cobj):
        model = component_model(cobj)
        units = _derived_units(cobj)
        if _has(cobj, "entr_mol_liq_comp"):
            _check_output_units(cobj, model, "entr_mol_liq_comp", units.ENTROPY_MOLE)
            _formation_param(cobj, "entr_mol_form_liq_comp_ref", units.ENTROPY_MOLE)
            return
        HybridIdealGasEntropy.build_parameters(cobj)
        model.require_outputs(["pressure_sat_comp"])

    @staticmethod
    def return_expression(b, cobj, T):
        units = _derived_units(cobj).ENTROPY_MOLE
        if _has(cobj, "entr_mol_liq_comp"):
            (s,) = _model_values(b, cobj, T, ("entr_mol_liq_comp",))
            s_ref = _reference_value(cobj, b, "entr_mol_liq_comp")
            return _with_units(cobj, s - s_ref, "entr_mol_liq_comp", units) + (
                cobj.entr_mol_form_liq_comp_ref
            )
        derived = _derived_units(cobj)
        R = _attach_units(GAS_CONSTANT, pyunits.J / pyunits.mol / pyunits.K, units)
        log_p = HybridVaporPressure.return_log_expression(b, cobj, T)  # ln(p_sat / [p])
        log_p_ref = pyo.log(b.params.pressure_ref / derived.PRESSURE)
        T_base = pyunits.convert(T, to_units=derived.TEMPERATURE)
        return (
            HybridIdealGasEntropy.return_expression(b, cobj, T)
            - R * (log_p - log_p_ref)
            - _derived_value(b, cobj, T, "latent_heat_comp", _derived_units(cobj).ENERGY_MOLE)
            / T_base
        )


class OnnxPure:
    """Namespace of all ONNX-backed pure-component methods, usable like ``RPP4``."""

    pressure_sat_comp = HybridVaporPressure
    dens_mol_liq_comp = HybridLiquidDensity
    cp_mol_ig_comp = HybridIdealGasCp
    enth_mol_ig_comp = HybridIdealGasEnthalpy
    entr_mol_ig_comp = HybridIdealGasEntropy
    enth_mol_liq_comp = HybridLiquidEnthalpy
    cp_mol_liq_comp = HybridLiquidCp
    entr_mol_liq_comp = HybridLiquidEntropy
