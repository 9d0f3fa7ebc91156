r"""Hybrid (backbone x learned factor) pure-component transport models.

Every output y of a :class:`HybridTransportModel` is a mechanistic backbone
(:mod:`propkg.transport.backbones`) times the exponential of a small smooth correction:

.. math::
    \ln y(T) = \ln y^{bb}(T) + \mathrm{NN}_y(x),\qquad
    x = \frac{T - T_{mid,y}}{T_{half,y}}

with :func:`propkg.correction.tanh_net` (one hidden tanh layer) and :math:`[T_{mid} -
T_{half}, T_{mid} + T_{half}]` the output's trained range. The product form keeps every
value positive; outside the trained range the tanh units saturate, so the correction
tends to a constant and the value follows the backbone's temperature dependence (smooth,
physical). The liquid-side backbones and corrections are evaluated at the smoothly
capped temperature of :func:`~propkg.transport.backbones.liquid_temperature`, so the
saturated-liquid outputs and the surface tension stay finite and positive above Tc
(levelling off at their near-critical values; the surface tension small but positive).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from propkg.components import PureConstants, constants_for
from propkg.correction import tanh_net
from propkg.hybrid import casadi_identifier
from propkg.transport import backbones as tb
from propkg_contract.errors import DataError
from propkg_contract.vocabulary import TRANSPORT_OUTPUT_UNITS

#: outputs of a transport model file, in export order, with SI units
OUTPUT_UNITS = TRANSPORT_OUTPUT_UNITS
#: outputs of the saturated liquid (their range ends at LIQUID_TR_MAX Tc)
LIQUID_OUTPUTS = ("visc_d_liq_comp", "therm_cond_liq_comp", "surf_tens_comp")
#: outputs of the dilute gas
VAPOR_OUTPUTS = ("visc_d_vap_comp", "therm_cond_vap_comp")
#: upper end of the trained range of the liquid outputs, reduced temperature
LIQUID_TR_MAX = 0.9
#: upper end of the trained range of the dilute-gas outputs [K] (or CoolProp's Tmax)
VAPOR_T_MAX = 1000.0
#: hidden tanh units of each correction
HIDDEN = 2

BACKBONE_NAMES = {
    "visc_d_liq_comp": "LetsouStiel",
    "visc_d_vap_comp": "Lucas",
    "therm_cond_liq_comp": "SatoRiedel",
    "therm_cond_vap_comp": "Chung (cv from the Poling ideal-gas cp, eta from Lucas)",
    "surf_tens_comp": "BrockBird",
}


@dataclass(frozen=True)
class TransportConstants:
    """Constants a transport backbone needs beyond :class:`PureConstants`.

    Attributes
    ----------
    pure : PureConstants
        Critical constants, acentric factor, molar mass, Zc, ideal-gas cp polynomial.
    Tb : float
        Normal boiling point, [K] (``chemicals.Tb``).
    dipole : float
        Dipole moment, [debye] (``chemicals.dipole_moment``; 0 if unknown, see ``sources``).
    sources : dict
        Fallbacks used, by constant name.
    """

    pure: PureConstants
    Tb: float
    dipole: float
    sources: dict = field(default_factory=dict, compare=False)

    def as_dict(self) -> dict:
        """JSON-ready constants (metadata key ``constants``)."""
        c = self.pure
        return {
            "Tc": c.Tc, "Pc": c.Pc, "omega": c.omega, "molar_mass": c.molar_mass,
            "Zc": c.Zc, "Ttriple": c.Ttriple, "Tb": self.Tb, "dipole_debye": self.dipole,
            "poling_a": list(c.poling), "source": "chemicals",
            **({"fallbacks": self.sources} if self.sources else {}),
        }  # fmt: skip


@cache
def transport_constants(name: str) -> TransportConstants:
    """:class:`TransportConstants` of a shipped component, from ``chemicals`` by CAS.

    Raises
    ------
    DataError
        If ``chemicals`` has no normal boiling point for it.
    """
    from chemicals import Tb, dipole_moment

    pure = constants_for(name)
    tb_value = Tb(pure.cas)
    if tb_value is None:
        raise DataError(f"chemicals has no normal boiling point for '{name}' (CAS {pure.cas})")
    sources = {}
    dipole = dipole_moment(pure.cas)
    if dipole is None:
        dipole = 0.0
        sources["dipole"] = "unknown to chemicals; 0 (non-polar Lucas form)"
    return TransportConstants(pure, float(tb_value), float(dipole), sources)


def default_domains(constants: TransportConstants, t_max_gas: float = VAPOR_T_MAX) -> dict:
    """Trained range of every output, [K]: liquid ones from max(T_triple, 0.45 Tc) to
    0.9 Tc, dilute-gas ones from the same lower end to ``t_max_gas``."""
    c = constants.pure
    liquid = (c.T_low, LIQUID_TR_MAX * c.Tc)
    gas = (c.T_low, float(t_max_gas))
    return {name: liquid if name in LIQUID_OUTPUTS else gas for name in OUTPUT_UNITS}


@dataclass
class HybridTransportModel:
    """Hybrid transport model of one pure component.

    Parameters
    ----------
    constants : TransportConstants
    domains : dict
        Output -> trained range (lower, upper) [K]; also centres the correction's input.
    params : dict
        Output -> parameters of :func:`propkg.correction.tanh_net` (``None``: backbone
        alone, e.g. where CoolProp has no correlation to train on).
    hidden : int
        Hidden units of every correction.
    """

    constants: TransportConstants
    domains: dict
    params: dict = field(default_factory=dict)
    hidden: int = HIDDEN

    # ---- backbones ----------------------------------------------------------------------
    def backbone(self, output: str, T: Any) -> Any:
        """Backbone value of ``output`` at T (numpy or CasADi), SI units."""
        k = self.constants
        c = k.pure
        if output in LIQUID_OUTPUTS:
            te = tb.liquid_temperature(T, c.Tc)
            if output == "visc_d_liq_comp":
                return tb.letsou_stiel_viscosity(te, c.Tc, c.Pc, c.omega, c.molar_mass)
            if output == "therm_cond_liq_comp":
                return tb.sato_riedel_conductivity(te, c.Tc, k.Tb, c.molar_mass)
            return tb.brock_bird_surface_tension(te, c.Tc, c.Pc, k.Tb)
        eta = tb.lucas_gas_viscosity(T, c.Tc, c.Pc, c.Zc, c.molar_mass, k.dipole)
        if output == "visc_d_vap_comp":
            return eta
        if output == "therm_cond_vap_comp":
            cv = tb.ideal_gas_cv(T, c.poling)
            return tb.chung_gas_conductivity(T, c.Tc, c.omega, c.molar_mass, cv, eta)
        raise DataError(f"unknown transport output '{output}'; known: {list(OUTPUT_UNITS)}")

    # ---- the correction -----------------------------------------------------------------
    def scaled_input(self, output: str, T: Any) -> Any:
        """x = (T - T_mid)/T_half of the output's trained range, [-].

        For the saturated-liquid outputs T is the capped
        :func:`~propkg.transport.backbones.liquid_temperature`, so that above Tc the
        correction, like the backbone, levels off.
        """
        lo, hi = self.domains[output]
        if output in LIQUID_OUTPUTS:
            T = tb.liquid_temperature(T, self.constants.pure.Tc)
        return (T - 0.5 * (lo + hi)) / (0.5 * (hi - lo))

    def correction(self, output: str, T: Any) -> Any:
        """ln(y / y_backbone), [-] (0 when the output has no learned parameters)."""
        params = self.params.get(output)
        if params is None:
            return 0.0 * T
        return tanh_net(self.scaled_input(output, T), params, self.hidden)

    def value(self, output: str, T: Any) -> Any:
        """Hybrid value of ``output`` at T, SI units."""
        xp = tb.namespace(T)
        return self.backbone(output, T) * xp.exp(self.correction(output, T))

    # ---- evaluation and export ----------------------------------------------------------
    def casadi_function(self, name: str | None = None):
        """CasADi MX function ``temperature -> (the five outputs of OUTPUT_UNITS)``."""
        import casadi as ca

        T = ca.MX.sym("temperature")
        return ca.Function(
            casadi_identifier((name or self.constants.pure.name) + "_transport"),
            [T],
            [self.value(name_out, T) for name_out in OUTPUT_UNITS],
            ["temperature"],
            list(OUTPUT_UNITS),
        )

    def evaluate(self, T: np.ndarray) -> dict[str, np.ndarray]:
        """Every output on an array of T [K] (numpy, float64)."""
        T = np.atleast_1d(np.asarray(T, dtype=float)).ravel()
        return {name: np.asarray(self.value(name, T), dtype=float) for name in OUTPUT_UNITS}

    def correction_dict(self) -> dict:
        """Parameters of the corrections (metadata key ``correction``)."""
        return {
            name: {
                "form": "ln y = ln y_backbone(T_e) + tanh_net((T_e - T_mid)/T_half), T_e = T "
                "(gas) or the smooth cap of T below 0.995 Tc (liquid outputs)",
                "T_mid": 0.5 * sum(self.domains[name]),
                "T_half": 0.5 * (self.domains[name][1] - self.domains[name][0]),
                "hidden": self.hidden,
                "parameters": None
                if self.params.get(name) is None
                else [float(v) for v in self.params[name]],
                "layout": "[c0, a_1..a_H, w_1..w_H, b_1..b_H]",
            }
            for name in OUTPUT_UNITS
        }


#: weight of the ridge penalty on the correction's parameters
RIDGE = 1e-6


def fit_correction(x: np.ndarray, target: np.ndarray, hidden: int = HIDDEN,
                   ridge: float = RIDGE) -> np.ndarray:
    r"""Parameters of :func:`~propkg.correction.tanh_net` fitted to ``target``.

    .. math:: \min_p \sum_i \left(\mathrm{NN}_p(x_i) - t_i\right)^2 + \lambda\lVert p\rVert^2

    by :func:`propkg.training.fit_tanh` (seeded restarts, Levenberg-Marquardt).

    Parameters
    ----------
    x : array
        Scaled inputs, [-].
    target : array
        ln(y_reference / y_backbone) at x, [-].
    """
    from propkg.training import fit_tanh

    x = np.asarray(x, float)
    return fit_tanh(x, np.asarray(target, float), np.zeros_like(x), np.ones_like(x),
                    hidden=hidden, l2=ridge)
