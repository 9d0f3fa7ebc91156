r"""Non-ideal vapour from second virial coefficients (``vle_config(..., vapor_model="virial")``).

The vapour phase follows the pressure-explicit truncated virial equation with the hybrid
second virial coefficients :math:`B_{ii}(T)` of the pure-component ONNX models (output
``second_virial_coef_comp``, :mod:`propkg.virial`) and the arithmetic combining rule:

.. math::
    B_{ij} = \tfrac12 (B_{ii} + B_{jj}),\qquad
    B = \sum_i\sum_j y_i y_j B_{ij},\qquad
    \bar B_i = \frac{\partial (nB)}{\partial n_i} = 2\sum_j y_j B_{ij} - B \\
    Z = 1 + \frac{BP}{RT},\qquad v = \frac{RT}{P} + B,\qquad
    \ln\phi_i = \frac{\bar B_i P}{RT} \\
    g^R = BP,\qquad h^R = P\left(B - T\frac{dB}{dT}\right),\qquad
    s^R = -P\frac{dB}{dT},\qquad c_p^R = -PT\frac{d^2B}{dT^2},\qquad
    c_v = c_p - R\left(1 + \frac{P}{R}\frac{dB}{dT}\right)^2

(Poling, Prausnitz, O'Connell, *The Properties of Gases and Liquids*, 5th ed., Sec. 4-5
and Eqs. 6-4.1, 6-4.2; Smith, Van Ness, Abbott, 7th ed., Sec. 3.5, 6.7, 11.7).
Partial molar properties replace B by :math:`\bar B_i`. The derivatives of :math:`B_{ii}`
are exact CasADi derivatives of the imported ONNX graph (no finite differences). The
arithmetic rule makes :math:`\bar B_i = B_{ii}` (the Lewis fugacity rule) when the mole
fractions sum to one; it is written as the double sum so that other rules fit the same
structure.

The liquid's pure-component reference fugacity becomes that of the real saturated vapour
with the Poynting factor (the gamma-phi form, Poling et al. Eq. 8-4.1):

.. math::
    \ln f_i^L = \ln x_i + \ln\gamma_i + \ln P_i^{sat}
        + \frac{B_{ii} P_i^{sat} + v_i^L (P - P_i^{sat})}{RT}

so that a pure component still boils at its vapour pressure. The liquid enthalpy is left
as it is: the shipped models' ``enth_mol_liq_comp`` is the real liquid (anchored where the
vapour is ideal, with the measured liquid cp), so that :math:`h^V - h^L` at saturation is
now the enthalpy of vaporization itself, where the ideal vapour over-estimates it by
:math:`-h^R`. The liquid entropy gets :math:`-\left[B_{ii}P_i^{sat} + v_i^L
(P_{ref} - P_i^{sat})\right]/T` per mole of i, which keeps the liquid's Gibbs energy
:math:`h - Ts` equal to :math:`g^{ig}_i(T, P_{ref}) + RT\ln(f_i^L/P_{ref})` with IDAES's
liquid pressure term :math:`(P - P_{ref}) v^L` in the enthalpy.

Every fugacity form IDAES asks an EoS for is provided (state, smooth-VLE ``_teq``,
``LogBubbleDew``'s bubble and dew points), so bubble and dew points are those of the
non-ideal model. Valid at low to moderate vapour densities (Z above about 0.8; the
truncated virial equation of state is not a model of the liquid or of dense gas).
"""

from __future__ import annotations

import casadi as ca
from idaes.models.properties.modular_properties.base.utility import get_component_object as cobj
from idaes.models.properties.modular_properties.base.utility import get_method
from pyomo.environ import exp

from idaes_plugin.activity.eos import ActivityCoeffLiquid
from idaes_plugin.ideal_eos import IdealConsistentCp
from idaes_plugin.onnx_import import load_model, parse_units
from idaes_plugin.pure_methods import _attach_units, _derived_units, _translate, component_model
from propkg_contract.errors import PropkgError

#: pure-component output holding B_ii(T), and the one the liquid enthalpy needs
VIRIAL_OUTPUT = "second_virial_coef_comp"
VAPOR_MODELS = ("ideal", "virial")
#: outputs a model file must have for vapor_model="virial"
VIRIAL_NEEDS = (VIRIAL_OUTPUT, "enth_mol_liq_comp")


class VirialModelError(PropkgError):
    """A pure-component file lacks what ``vapor_model="virial"`` needs."""


def check_virial_models(paths: dict[str, str]) -> None:
    """Raise :class:`VirialModelError` unless every file has :data:`VIRIAL_NEEDS`.

    ``paths`` maps component name -> ONNX file.
    """
    for name, path in paths.items():
        outputs = load_model(path).output_names
        missing = [o for o in VIRIAL_NEEDS if o not in outputs]
        if missing:
            raise VirialModelError(
                f"vapor_model='virial': the model of '{name}' ({path}) has no output "
                f"{missing} (its outputs: {list(outputs)}). Use a shipped model (they carry "
                "the hybrid second virial coefficient), re-export it with "
                "'python validation/export_all.py NAME', or keep vapor_model='ideal' "
                "(models fitted on measured data have no B)"
            )


# --- pure and mixture second virial coefficients -------------------------------------------
def _virial_function(model) -> ca.Function:
    """SX function T [K] -> (B, dB/dT, d2B/dT2) of a model, exact CasADi derivatives."""
    T = ca.SX.sym("temperature")
    B = model.sx_function((VIRIAL_OUTPUT,))(T)
    dB = ca.jacobian(B, T)
    d2B = ca.jacobian(dB, T)
    return ca.Function("virial", [T], [B, dB, d2B], ["temperature"], ["B", "dB", "d2B"])


def pure_virial(b, j, T) -> tuple:
    """:math:`B_{jj}`, :math:`dB_{jj}/dT`, :math:`d^2B_{jj}/dT^2` at ``T`` in package units."""
    c = cobj(b, j)
    model = component_model(c)
    if model.units_of("temperature") != "K":
        raise VirialModelError(f"{model.source}: the virial vapour needs temperatures in K")
    values = _translate(
        b, c, T, ("virial",), lambda: _virial_function(model), "virial", (VIRIAL_OUTPUT,)
    )
    units = _derived_units(c)
    declared = parse_units(model.units_of(VIRIAL_OUTPUT), model.source)
    per_k = units.ratio("VOLUME_MOLE", "TEMPERATURE")
    B = _attach_units(values[0], declared, units.VOLUME_MOLE)
    dB = _attach_units(values[1], declared / parse_units("K"), per_k)
    d2B = _attach_units(values[2], declared / parse_units("K"), per_k) / units.TEMPERATURE
    return B, dB, d2B


def combining_rule(Bi, Bj):
    """Cross coefficient :math:`B_{ij} = (B_{ii} + B_{jj})/2` (also for derivatives)."""
    return 0.5 * (Bi + Bj)


def mixture_virial(b, key, T, y: dict) -> dict:
    """B, its T derivatives and the partial molar :math:`\\bar B_j` of a vapour composition.

    Returns ``{"B": (B, dB, d2B), "bar": {j: (Bbar, dBbar, d2Bbar)}}``, cached on ``b``
    under ``key``.
    """
    cache = b.__dict__.setdefault("_propkg_virial_cache", {})
    if key in cache:
        return cache[key]
    comps = list(y)
    pure = {j: pure_virial(b, j, T) for j in comps}
    out = {"bar": {}}
    mix = []
    for order in range(3):
        cross = {(i, j): combining_rule(pure[i][order], pure[j][order])
                 for i in comps for j in comps}  # fmt: skip
        B = sum(y[i] * y[j] * cross[i, j] for i in comps for j in comps)
        mix.append(B)
        for i in comps:
            bar = 2 * sum(y[j] * cross[i, j] for j in comps) - B
            out["bar"].setdefault(i, []).append(bar)
    out["B"] = tuple(mix)
    cache[key] = out
    return out


def _is_vapor(b, p) -> bool:
    return b.params.get_phase(p).is_vapor_phase()


def _state_y(b, p) -> dict:
    return {j: b.mole_frac_phase_comp[p, j] for j in b.components_in_phase(p)}


def _state(b, p) -> dict:
    return mixture_virial(b, ("state", p), b.temperature, _state_y(b, p))


def _ideal_sum(b, p, method):
    """Sum over j of y_j times IDAES's ideal-gas ``method(b, p, j)``."""
    return sum(b.get_mole_frac(p)[p, j] * method(b, p, j) for j in b.components_in_phase(p))


def _ln_phi(b, mix: dict, j, T, P):
    return mix["bar"][j][0] * P / (IdealConsistentCp.gas_constant(b) * T)


class VirialVapour(IdealConsistentCp):
    """Vapour phase of the truncated virial equation (see the module docstring).

    Phases other than vapour are passed to :class:`~idaes_plugin.ideal_eos.IdealConsistentCp`.
    """

    @staticmethod
    def compress_fact_phase(b, p):
        if not _is_vapor(b, p):
            return IdealConsistentCp.compress_fact_phase(b, p)
        B = _state(b, p)["B"][0]
        return 1 + B * b.pressure / (IdealConsistentCp.gas_constant(b) * b.temperature)

    @staticmethod
    def vol_mol_phase(b, p):
        if not _is_vapor(b, p):
            return IdealConsistentCp.vol_mol_phase(b, p)
        R = IdealConsistentCp.gas_constant(b)
        return R * b.temperature / b.pressure + _state(b, p)["B"][0]

    @staticmethod
    def dens_mol_phase(b, p):
        if not _is_vapor(b, p):
            return IdealConsistentCp.dens_mol_phase(b, p)
        return 1 / VirialVapour.vol_mol_phase(b, p)

    # --- caloric properties: ideal gas + departure -----------------------------------------
    @staticmethod
    def enth_mol_phase(b, p):
        if not _is_vapor(b, p):
            return IdealConsistentCp.enth_mol_phase(b, p)
        # IDAES's mixture value sums the (here non-ideal) partial molar ones: sum the ideal
        base = _ideal_sum(b, p, IdealConsistentCp.enth_mol_phase_comp)
        B, dB, _ = _state(b, p)["B"]
        return base + b.pressure * (B - b.temperature * dB)

    @staticmethod
    def enth_mol_phase_comp(b, p, j):
        base = IdealConsistentCp.enth_mol_phase_comp(b, p, j)
        if not _is_vapor(b, p):
            return base
        B, dB, _ = _state(b, p)["bar"][j]
        return base + b.pressure * (B - b.temperature * dB)

    @staticmethod
    def entr_mol_phase(b, p):
        if not _is_vapor(b, p):
            return IdealConsistentCp.entr_mol_phase(b, p)
        base = _ideal_sum(b, p, IdealConsistentCp.entr_mol_phase_comp)
        return base - b.pressure * _state(b, p)["B"][1]

    @staticmethod
    def entr_mol_phase_comp(b, p, j):
        base = IdealConsistentCp.entr_mol_phase_comp(b, p, j)
        if not _is_vapor(b, p):
            return base
        return base - b.pressure * _state(b, p)["bar"][j][1]

    @staticmethod
    def cp_mol_phase(b, p):
        base = IdealConsistentCp.cp_mol_phase(b, p)
        if not _is_vapor(b, p):
            return base
        return base - b.pressure * b.temperature * _state(b, p)["B"][2]

    @staticmethod
    def cp_mol_phase_comp(b, p, j):
        base = IdealConsistentCp.cp_mol_phase_comp(b, p, j)
        if not _is_vapor(b, p):
            return base
        return base - b.pressure * b.temperature * _state(b, p)["bar"][j][2]

    @staticmethod
    def cv_mol_phase(b, p):
        if not _is_vapor(b, p):
            return IdealConsistentCp.cv_mol_phase(b, p)
        R = IdealConsistentCp.gas_constant(b)
        return b.cp_mol_phase[p] - R * (1 + b.pressure * _state(b, p)["B"][1] / R) ** 2

    @staticmethod
    def cv_mol_phase_comp(b, p, j):
        """cv of pure j as a virial gas at the state's T and P (IDAES's ideal phases use the
        pure components' cv too); the mixture's exact cv is :meth:`cv_mol_phase`."""
        if not _is_vapor(b, p):
            return IdealConsistentCp.cv_mol_phase_comp(b, p, j)
        R, T, P = IdealConsistentCp.gas_constant(b), b.temperature, b.pressure
        _, dB, d2B = pure_virial(b, j, T)
        cp = get_method(b, "cp_mol_ig_comp", j)(b, cobj(b, j), T) - P * T * d2B
        return cp - R * (1 + P * dB / R) ** 2

    @staticmethod
    def energy_internal_mol_phase(b, p):
        if not _is_vapor(b, p):
            return IdealConsistentCp.energy_internal_mol_phase(b, p)
        return b.enth_mol_phase[p] - b.pressure * VirialVapour.vol_mol_phase(b, p)

    @staticmethod
    def energy_internal_mol_phase_comp(b, p, j):
        if not _is_vapor(b, p):
            return IdealConsistentCp.energy_internal_mol_phase_comp(b, p, j)
        R = IdealConsistentCp.gas_constant(b)
        v_bar = R * b.temperature / b.pressure + _state(b, p)["bar"][j][0]
        return b.enth_mol_phase_comp[p, j] - b.pressure * v_bar

    # --- fugacities ------------------------------------------------------------------------
    @staticmethod
    def fug_coeff_phase_comp(b, p, j):
        if not _is_vapor(b, p):
            return IdealConsistentCp.fug_coeff_phase_comp(b, p, j)
        return exp(_ln_phi(b, _state(b, p), j, b.temperature, b.pressure))

    @staticmethod
    def fug_coeff_phase_comp_eq(b, p, j, pp):
        if not _is_vapor(b, p):
            return IdealConsistentCp.fug_coeff_phase_comp_eq(b, p, j, pp)
        T = b._teq[pp]
        mix = mixture_virial(b, ("eq", p, *pp), T, _state_y(b, p))
        return exp(_ln_phi(b, mix, j, T, b.pressure))

    @staticmethod
    def fug_phase_comp(b, p, j):
        base = IdealConsistentCp.fug_phase_comp(b, p, j)
        if not _is_vapor(b, p):
            return base
        return base * VirialVapour.fug_coeff_phase_comp(b, p, j)

    @staticmethod
    def fug_phase_comp_eq(b, p, j, pp):
        base = IdealConsistentCp.fug_phase_comp_eq(b, p, j, pp)
        if not _is_vapor(b, p):
            return base
        return base * VirialVapour.fug_coeff_phase_comp_eq(b, p, j, pp)

    @staticmethod
    def log_fug_phase_comp(b, p, j):
        base = IdealConsistentCp.log_fug_phase_comp(b, p, j)
        if not _is_vapor(b, p):
            return base
        return base + _ln_phi(b, _state(b, p), j, b.temperature, b.pressure)

    @staticmethod
    def log_fug_phase_comp_eq(b, p, j, pp):
        base = IdealConsistentCp.log_fug_phase_comp_eq(b, p, j, pp)
        if not _is_vapor(b, p):
            return base
        T = b._teq[pp]
        mix = mixture_virial(b, ("eq", p, *pp), T, _state_y(b, p))
        return base + _ln_phi(b, mix, j, T, b.pressure)

    @staticmethod
    def log_fug_phase_comp_Tbub(b, p, j, pp):
        base = IdealConsistentCp.log_fug_phase_comp_Tbub(b, p, j, pp)
        if not _is_vapor(b, p):
            return base
        T = b.temperature_bubble[pp]
        y = {k: b._mole_frac_tbub[pp[0], pp[1], k] for k in b.components_in_phase(p)}
        mix = mixture_virial(b, ("tbub", *pp), T, y)
        return base + _ln_phi(b, mix, j, T, b.pressure)

    @staticmethod
    def log_fug_phase_comp_Tdew(b, p, j, pp):
        base = IdealConsistentCp.log_fug_phase_comp_Tdew(b, p, j, pp)
        if not _is_vapor(b, p):
            return base
        T = b.temperature_dew[pp]
        y = {k: b.mole_frac_comp[k] for k in b.components_in_phase(p)}
        mix = mixture_virial(b, ("tdew", *pp), T, y)
        return base + _ln_phi(b, mix, j, T, b.pressure)

    @staticmethod
    def log_fug_phase_comp_Pbub(b, p, j, pp):
        base = IdealConsistentCp.log_fug_phase_comp_Pbub(b, p, j, pp)
        if not _is_vapor(b, p):
            return base
        P = b.pressure_bubble[pp]
        y = {k: b._mole_frac_pbub[pp[0], pp[1], k] for k in b.components_in_phase(p)}
        mix = mixture_virial(b, ("pbub", *pp), b.temperature, y)
        return base + _ln_phi(b, mix, j, b.temperature, P)

    @staticmethod
    def log_fug_phase_comp_Pdew(b, p, j, pp):
        base = IdealConsistentCp.log_fug_phase_comp_Pdew(b, p, j, pp)
        if not _is_vapor(b, p):
            return base
        P = b.pressure_dew[pp]
        y = {k: b.mole_frac_comp[k] for k in b.components_in_phase(p)}
        mix = mixture_virial(b, ("pdew", *pp), b.temperature, y)
        return base + _ln_phi(b, mix, j, b.temperature, P)


# --- the liquid: fugacity of the real saturated vapour, with the Poynting factor ------------
def saturation_correction(b, j, T, P):
    r""":math:`[B_{jj} P_j^{sat} + v_j^L (P - P_j^{sat})]/(RT)`, the log of the liquid's
    :math:`\phi_j^{sat}` times its Poynting factor, [-]."""
    c = cobj(b, j)
    B = pure_virial(b, j, T)[0]
    psat = get_method(b, "pressure_sat_comp", j)(b, c, T)
    v = 1 / get_method(b, "dens_mol_liq_comp", j)(b, c, T)
    return (B * psat + v * (P - psat)) / (IdealConsistentCp.gas_constant(b) * T)


def saturation_entropy(b, j):
    r""":math:`-[B_{jj} P_j^{sat} + v_j^L (P_{ref} - P_j^{sat})]/T` at the state, the liquid
    entropy term that matches :func:`saturation_correction` [J/mol/K]."""
    c, T = cobj(b, j), b.temperature
    B = pure_virial(b, j, T)[0]
    psat = get_method(b, "pressure_sat_comp", j)(b, c, T)
    v = 1 / get_method(b, "dens_mol_liq_comp", j)(b, c, T)
    return -(B * psat + v * (b.params.pressure_ref - psat)) / T


def _liquid_class(base: type, name: str) -> type:
    """``base`` (a liquid EoS) with :func:`saturation_correction` in every liquid fugacity
    and :func:`saturation_entropy` in the liquid entropy; vapour calls pass through."""

    def liquid(b, p) -> bool:
        return b.params.get_phase(p).is_liquid_phase()

    def state_log(method, T_of, P_of):
        def wrapped(b, p, j, *pp):
            value = getattr(base, method)(b, p, j, *pp)
            if not liquid(b, p):
                return value
            key = pp[0] if pp else None
            return value + saturation_correction(b, j, T_of(b, key), P_of(b, key))

        return staticmethod(wrapped)

    def state_factor(method, T_of):
        def wrapped(b, p, j, *pp):
            value = getattr(base, method)(b, p, j, *pp)
            if not liquid(b, p):
                return value
            key = pp[0] if pp else None
            return value * exp(saturation_correction(b, j, T_of(b, key), b.pressure))

        return staticmethod(wrapped)

    def entr_mol_phase(b, p):
        value = base.entr_mol_phase(b, p)
        if not liquid(b, p):
            return value
        x = b.get_mole_frac(p)
        return value + sum(x[p, j] * saturation_entropy(b, j) for j in b.components_in_phase(p))

    def entr_mol_phase_comp(b, p, j):
        value = base.entr_mol_phase_comp(b, p, j)
        return value + saturation_entropy(b, j) if liquid(b, p) else value

    def state_T(b, _):
        return b.temperature

    def state_P(b, _):
        return b.pressure

    namespace = {
        "__doc__": f"{base.__name__} with the real saturated vapour's fugacity and the "
        "Poynting factor in the liquid's fugacities, for the virial vapour "
        "(:mod:`idaes_plugin.virial`).",
        "log_fug_phase_comp": state_log("log_fug_phase_comp", state_T, state_P),
        "log_fug_phase_comp_eq": state_log(
            "log_fug_phase_comp_eq", lambda b, pp: b._teq[pp], state_P),
        "log_fug_phase_comp_Tbub": state_log(
            "log_fug_phase_comp_Tbub", lambda b, pp: b.temperature_bubble[pp], state_P),
        "log_fug_phase_comp_Tdew": state_log(
            "log_fug_phase_comp_Tdew", lambda b, pp: b.temperature_dew[pp], state_P),
        "log_fug_phase_comp_Pbub": state_log(
            "log_fug_phase_comp_Pbub", state_T, lambda b, pp: b.pressure_bubble[pp]),
        "log_fug_phase_comp_Pdew": state_log(
            "log_fug_phase_comp_Pdew", state_T, lambda b, pp: b.pressure_dew[pp]),
        "fug_phase_comp": state_factor("fug_phase_comp", state_T),
        "fug_phase_comp_eq": state_factor("fug_phase_comp_eq", lambda b, pp: b._teq[pp]),
        "fug_coeff_phase_comp": state_factor("fug_coeff_phase_comp", state_T),
        "fug_coeff_phase_comp_eq": state_factor(
            "fug_coeff_phase_comp_eq", lambda b, pp: b._teq[pp]),
        "entr_mol_phase": staticmethod(entr_mol_phase),
        "entr_mol_phase_comp": staticmethod(entr_mol_phase_comp),
    }  # fmt: skip
    return type(name, (base,), namespace)


#: Raoult liquid and activity-coefficient liquid for the virial vapour
VirialIdealLiquid = _liquid_class(IdealConsistentCp, "VirialIdealLiquid")
VirialActivityLiquid = _liquid_class(ActivityCoeffLiquid, "VirialActivityLiquid")
_WRAPPED = {IdealConsistentCp: VirialIdealLiquid, ActivityCoeffLiquid: VirialActivityLiquid}


def virial_liquid_config(liquid: dict) -> dict:
    """The ``"Liq"`` phase configuration of :func:`vle_config` with the liquid EoS wrapped
    for the virial vapour (Raoult or an activity model)."""
    eos = liquid["equation_of_state"]
    if eos not in _WRAPPED:
        raise PropkgError(f"vapor_model='virial' does not know the liquid EoS {eos!r}")
    return {**liquid, "equation_of_state": _WRAPPED[eos]}


def phase_configs(vapor_model: str, model_files: dict[str, str], liquid: dict):
    """``(liquid, vapour, non_ideal)`` phase configurations of :func:`vle_config`.

    ``vapor_model`` is ``"ideal"`` (IDAES's ideal gas, the liquid unchanged) or
    ``"virial"`` (:class:`VirialVapour`, the liquid wrapped by :func:`virial_liquid_config`,
    every file checked by :func:`check_virial_models`); ``non_ideal`` tells the caller to use
    ``LogBubbleDew`` (IDAES's ``IdealBubbleDew`` is Raoult's law with an ideal vapour).
    """
    from idaes.core import VaporPhase

    if vapor_model not in VAPOR_MODELS:
        raise PropkgError(
            f"vle_config: vapor_model {vapor_model!r} is not one of {list(VAPOR_MODELS)}")
    if vapor_model == "ideal":
        return liquid, {"type": VaporPhase, "equation_of_state": IdealConsistentCp}, False
    check_virial_models(model_files)
    return virial_liquid_config(liquid), {"type": VaporPhase,
                                          "equation_of_state": VirialVapour}, True


__all__ = ["VAPOR_MODELS", "VirialActivityLiquid", "VirialIdealLiquid", "VirialModelError",
           "VirialVapour", "check_virial_models", "mixture_virial", "phase_configs", "pure_virial",
           "virial_liquid_config"]
