r"""Activity-coefficient liquid for IDAES's modular property framework (``GenericParameterBlock``).

IDAES's modular framework has no activity-coefficient equation of state; this one extends
``Ideal`` (``idaes/models/properties/modular_properties/eos/ideal.py``) for the liquid
phase with a propkg g^E model (binary or multicomponent; hybrid, UNIFAC or NRTL) from an
ONNX file:

.. math::

    f_i^L = x_i\,\gamma_i(T, x)\,P_i^{sat}(T),\qquad
    \ln f_i^L = \ln x_i + \ln\gamma_i(T, x) + \ln P_i^{sat}(T)

with :math:`P_i^{sat}` from the component's ``pressure_sat_comp`` method (the shipped
hybrid pure-component models with :func:`idaes_plugin.vle_config`). The vapour stays ideal.
Every fugacity variant that IDAES asks an EoS for is provided: at the state
(``fug_phase_comp``, ``log_fug_phase_comp``), at the smooth-VLE equilibrium temperature
(``*_eq``) and at the bubble/dew points of ``LogBubbleDew`` (``*_Tbub``, ``*_Tdew``,
``*_Pbub``, ``*_Pdew``, with the composition of the incipient liquid where it differs).
Caloric properties of the liquid add the excess terms of the same model,

.. math::

    h^E = -RT^2\frac{\partial (g^E/RT)}{\partial T},\quad
    \bar h^E_i = -RT^2\frac{\partial \ln\gamma_i}{\partial T},\quad
    s^E = \frac{h^E - g^E}{T}

(exact CasADi derivatives). Note that IDAES's ideal liquid entropy has no ideal-mixing term;
only the excess entropy is added to it here.

Configuration (what :func:`idaes_plugin.activity.liquid_phase_config` returns)::

    "Liq": {"type": LiquidPhase, "equation_of_state": ActivityCoeffLiquid,
            "equation_of_state_options": {"model": "<path>.onnx", "activity_model": "hybrid",
                                          "model_components": ["ethanol", "water"]}}

``model_components`` names the package components in the model's order. Bubble and dew
points need ``LogBubbleDew`` (IDAES's ``IdealBubbleDew`` is Raoult's law and ignores the EoS).
"""

from __future__ import annotations

import idaes.logger as idaeslog
from idaes.core.util.exceptions import ConfigurationError
from idaes.models.properties.modular_properties.base.utility import get_component_object as cobj
from idaes.models.properties.modular_properties.base.utility import get_method
from pyomo.environ import Block, exp, value
from pyomo.environ import units as pyunits

from idaes_plugin.activity.gibbs_model import MODEL_SUFFIX, load_gibbs_model
from idaes_plugin.casadi_to_pyomo import indexed_subexpressions
from idaes_plugin.domains import record_domain
from idaes_plugin.ideal_eos import IdealConsistentCp as Ideal

_log = idaeslog.getLogger(__name__)

OPTION_KEYS = ("model", "activity_model", "model_components")


def _options(pobj) -> dict:
    opts = pobj.config.equation_of_state_options
    if opts is None or any(k not in opts for k in OPTION_KEYS):
        raise ConfigurationError(
            f"phase '{pobj.local_name}' uses ActivityCoeffLiquid; its equation_of_state_options "
            f"must give {list(OPTION_KEYS)}, got {None if opts is None else sorted(opts)}")
    return opts


def _model(b, p):
    opts = _options(b.params.get_phase(p))
    return load_gibbs_model(opts["model"], opts["activity_model"]), list(opts["model_components"])


def _is_liquid(b, p) -> bool:
    return b.params.get_phase(p).is_liquid_phase()


def _excess(b, p, key, T, x: dict) -> dict:
    """Pyomo expressions of g^E/RT, ln gamma, and their T derivatives, cached per key.

    ``T`` is a Pyomo temperature, ``x`` maps component -> mole fraction expression.
    Returns ``{"g", "dg", "d2g", "ln": {j: ...}, "dln": {j: ...}, "d2ln": {j: ...}}``.
    The temperature is recorded for :func:`idaes_plugin.domains.check_domain`.
    """
    cache = b.__dict__.setdefault("_propkg_excess_cache", {})
    if key in cache:
        return cache[key]
    model, order = _model(b, p)
    domain = model.metadata.domain.get("temperature")
    if domain is not None:
        for message in record_domain(b, T, f"g^E model '{model.activity_model}' of phase "
                                     f"'{p}'", model.source,
                                     {"gibbs_excess_rt": tuple(domain)}):
            _log.warning(message)
    name = "_propkg_excess_" + "_".join(str(k) for k in (key if isinstance(key, tuple)
                                                       else (key,)))
    sub = Block(concrete=True)
    b.add_component(name, sub)
    t = pyunits.convert(T, to_units=pyunits.K) / pyunits.K
    out = model.pyomo_expressions(t, [x[j] for j in order], indexed_subexpressions(sub))
    result = {"g": out["gibbs_excess_rt"], "dg": out["d_gibbs_excess_rt_dT"],
              "d2g": out["d2_gibbs_excess_rt_dT2"],
              "ln": dict(zip(order, out["log_act_coeff_comp"], strict=True)),
              "dln": dict(zip(order, out["d_log_act_coeff_comp_dT"], strict=True)),
              "d2ln": dict(zip(order, out["d2_log_act_coeff_comp_dT2"], strict=True))}
    cache[key] = result
    return result


def _state_excess(b, p, T=None, key="state"):
    x = {j: b.mole_frac_phase_comp[p, j] for j in b.components_in_phase(p)}
    return _excess(b, p, key, b.temperature if T is None else T, x)


def _psat(b, j, T):
    return get_method(b, "pressure_sat_comp", j)(b, cobj(b, j), T)


class ActivityCoeffLiquid(Ideal):
    """Liquid phase with activity coefficients from a propkg g^E ONNX model (N components)."""

    @staticmethod
    def build_parameters(b):
        """Check the options and load the model when the parameter block is built."""
        opts = _options(b)
        if opts["activity_model"] not in MODEL_SUFFIX:
            raise ConfigurationError(
                f"activity_model {opts['activity_model']!r} is not one of {sorted(MODEL_SUFFIX)}")
        model = load_gibbs_model(opts["model"], opts["activity_model"])
        comps = list(b.parent_block().component_list)
        order = list(opts["model_components"])
        if sorted(order) != sorted(comps):
            raise ConfigurationError(
                f"phase '{b.local_name}': the g^E model {model.source} is for "
                f"{model.component_names} (as package components {order}), but the package "
                f"has components {comps}: give a g^E model of exactly the package's components")

    @staticmethod
    def act_coeff_phase_comp(b, p, j):
        if not _is_liquid(b, p):
            return 1
        return exp(_state_excess(b, p)["ln"][j])

    @staticmethod
    def act_phase_comp(b, p, j):
        return b.mole_frac_phase_comp[p, j] * ActivityCoeffLiquid.act_coeff_phase_comp(b, p, j)

    @staticmethod
    def fug_phase_comp(b, p, j):
        if not _is_liquid(b, p):
            return Ideal.fug_phase_comp(b, p, j)
        ln = _state_excess(b, p)["ln"][j]
        return b.mole_frac_phase_comp[p, j] * exp(ln) * _psat(b, j, b.temperature)

    @staticmethod
    def fug_phase_comp_eq(b, p, j, pp):
        if not _is_liquid(b, p):
            return Ideal.fug_phase_comp_eq(b, p, j, pp)
        ln = _state_excess(b, p, b._teq[pp], ("teq", *pp))["ln"][j]
        return b.mole_frac_phase_comp[p, j] * exp(ln) * _psat(b, j, b._teq[pp])

    @staticmethod
    def fug_phase_comp_eq_values(b, p, pp) -> dict:
        r"""Numeric ``fug_phase_comp_eq`` [Pa] of every component of phase ``p`` at the
        current values of its mole fractions and of :math:`T_{eq}`: for the liquid
        :math:`x_j \gamma_j(T_{eq}, x) p^{sat}_j(T_{eq})` with :math:`\ln\gamma_j` from the
        g^E model's own CasADi function (the Pyomo expression of the same function, walked
        by ``value()`` without a cache of its shared nodes, costs ~0.1 s per component for
        the ternary hybrid). Used for initial guesses
        (:mod:`idaes_plugin.initial_split`)."""
        comps = list(b.components_in_phase(p))
        if not _is_liquid(b, p):
            return {j: value(Ideal.fug_phase_comp_eq(b, p, j, pp)) for j in comps}
        model, order = _model(b, p)
        T = value(pyunits.convert(b._teq[pp], to_units=pyunits.K))
        x = {j: value(b.mole_frac_phase_comp[p, j]) for j in comps}
        ln = dict(zip(order, model.evaluate(T, [x[j] for j in order])["log_act_coeff_comp"],
                      strict=True))
        return {j: x[j] * float(exp(ln[j])) * value(_psat(b, j, b._teq[pp])) for j in comps}

    @staticmethod
    def log_fug_phase_comp(b, p, j):
        base = Ideal.log_fug_phase_comp(b, p, j)
        if not _is_liquid(b, p):
            return base
        return base + _state_excess(b, p)["ln"][j]

    @staticmethod
    def log_fug_phase_comp_eq(b, p, j, pp):
        base = Ideal.log_fug_phase_comp_eq(b, p, j, pp)
        if not _is_liquid(b, p):
            return base
        return base + _state_excess(b, p, b._teq[pp], ("teq", *pp))["ln"][j]

    @staticmethod
    def fug_coeff_phase_comp(b, p, j):
        if not _is_liquid(b, p):
            return 1
        return exp(_state_excess(b, p)["ln"][j]) * _psat(b, j, b.temperature) / b.pressure

    @staticmethod
    def fug_coeff_phase_comp_eq(b, p, j, pp):
        if not _is_liquid(b, p):
            return 1
        ln = _state_excess(b, p, b._teq[pp], ("teq", *pp))["ln"][j]
        return exp(ln) * _psat(b, j, b._teq[pp]) / b.pressure

    # --- bubble and dew points (LogBubbleDew) -------------------------------------------
    @staticmethod
    def log_fug_phase_comp_Tbub(b, p, j, pp):
        base = Ideal.log_fug_phase_comp_Tbub(b, p, j, pp)
        if not _is_liquid(b, p):
            return base
        x = {k: b.mole_frac_comp[k] for k in b.components_in_phase(p)}
        return base + _excess(b, p, ("tbub", *pp), b.temperature_bubble[pp], x)["ln"][j]

    @staticmethod
    def log_fug_phase_comp_Tdew(b, p, j, pp):
        base = Ideal.log_fug_phase_comp_Tdew(b, p, j, pp)
        if not _is_liquid(b, p):
            return base
        x = {k: b._mole_frac_tdew[pp[0], pp[1], k] for k in b.components_in_phase(p)}
        return base + _excess(b, p, ("tdew", *pp), b.temperature_dew[pp], x)["ln"][j]

    @staticmethod
    def log_fug_phase_comp_Pbub(b, p, j, pp):
        base = Ideal.log_fug_phase_comp_Pbub(b, p, j, pp)
        if not _is_liquid(b, p):
            return base
        x = {k: b.mole_frac_comp[k] for k in b.components_in_phase(p)}
        return base + _excess(b, p, ("pbub", *pp), b.temperature, x)["ln"][j]

    @staticmethod
    def log_fug_phase_comp_Pdew(b, p, j, pp):
        base = Ideal.log_fug_phase_comp_Pdew(b, p, j, pp)
        if not _is_liquid(b, p):
            return base
        x = {k: b._mole_frac_pdew[pp[0], pp[1], k] for k in b.components_in_phase(p)}
        return base + _excess(b, p, ("pdew", *pp), b.temperature, x)["ln"][j]

    # --- caloric properties: excess terms of the same g^E ----------------------------------
    @staticmethod
    def enth_mol_phase(b, p):
        base = Ideal.enth_mol_phase(b, p)
        if not _is_liquid(b, p):
            return base
        R, T = Ideal.gas_constant(b), b.temperature
        return base - R * T**2 * _state_excess(b, p)["dg"] / pyunits.K

    @staticmethod
    def enth_mol_phase_comp(b, p, j):
        base = Ideal.enth_mol_phase_comp(b, p, j)
        if not _is_liquid(b, p):
            return base
        R, T = Ideal.gas_constant(b), b.temperature
        return base - R * T**2 * _state_excess(b, p)["dln"][j] / pyunits.K

    @staticmethod
    def cp_mol_phase(b, p):
        """Ideal-solution cp plus :math:`c_p^E = -R(2T\\,\\partial_T G + T^2\\partial_T^2 G)`,
        :math:`G = g^E/RT`: the exact T derivative of :meth:`enth_mol_phase`."""
        base = Ideal.cp_mol_phase(b, p)
        if not _is_liquid(b, p):
            return base
        ex, R, T = _state_excess(b, p), Ideal.gas_constant(b), b.temperature
        return base - R * (2 * T * ex["dg"] / pyunits.K + T**2 * ex["d2g"] / pyunits.K**2)

    @staticmethod
    def cp_mol_phase_comp(b, p, j):
        """Partial molar cp: pure liquid's plus the T derivative of :math:`\\bar h^E_j`."""
        base = Ideal.cp_mol_phase_comp(b, p, j)
        if not _is_liquid(b, p):
            return base
        ex, R, T = _state_excess(b, p), Ideal.gas_constant(b), b.temperature
        return base - R * (2 * T * ex["dln"][j] / pyunits.K
                           + T**2 * ex["d2ln"][j] / pyunits.K**2)

    @staticmethod
    def entr_mol_phase(b, p):
        base = Ideal.entr_mol_phase(b, p)
        if not _is_liquid(b, p):
            return base
        ex, R, T = _state_excess(b, p), Ideal.gas_constant(b), b.temperature
        return base - R * (T * ex["dg"] / pyunits.K + ex["g"])

    @staticmethod
    def entr_mol_phase_comp(b, p, j):
        base = Ideal.entr_mol_phase_comp(b, p, j)
        if not _is_liquid(b, p):
            return base
        ex, R, T = _state_excess(b, p), Ideal.gas_constant(b), b.temperature
        return base - R * (T * ex["dln"][j] / pyunits.K + ex["ln"][j])

    @staticmethod
    def gibbs_mol_phase(b, p):
        return sum(b.get_mole_frac(p)[p, j] * b.gibbs_mol_phase_comp[p, j]
                   for j in b.components_in_phase(p))


def log_gamma_expression(b, p, j):
    """ln gamma_j of the liquid at the state (Pyomo expression), for reports and tests."""
    return _state_excess(b, p)["ln"][j]


__all__ = ["ActivityCoeffLiquid", "log_gamma_expression"]
