r"""Hybrid (backbone + smooth correction) pure-component property models.

One :class:`HybridPureModel` holds the constants of a component and the learned
parameters of three corrections; every property is an explicit expression of T:

.. math::
    \ln P^{sat} &= \ln P_c + \ln P_r^{AW}(T) + \tau\, \mathrm{NN}_P(x),
        \quad \tau = 1 - T/T_c,\ x = (T/T_c - 0.7)/0.25 \\
    \ln \rho^{L} &= \ln \rho^{Rackett}(T) + \tau\, \mathrm{NN}_\rho(x) \\
    c_p^{ig} &= c_p^{Poling}(T) + R \sum_k a_k E(\theta_k/T) \\
    h^{ig} &= \int_{T_{ref}}^{T} c_p^{ig}\,dT,\qquad
    s^{ig} = \int_{T_{ref}}^{T} \frac{c_p^{ig}}{T}\,dT \quad (P = P_{ref}) \\
    \Delta h^{vap} &= T\,(v^V - v^L)\,\frac{dP^{sat}}{dT},\qquad
    v^V = \frac{Z R T}{P^{sat}},\ v^L = 1/\rho^L

The corrections vanish at the critical point (factor tau), so Psat(Tc) = Pc and
rho(Tc) = Pc/(R Tc Zc) hold exactly; h and s are closed-form integrals of cp; the
enthalpy of vaporization is derived (Clausius-Clapeyron with the exact CasADi derivative
of ln Psat; the saturated vapour's Z from the second virial coefficient B of Tsonopoulos
plus a learned term that vanishes at low pressure), never fitted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from propkg import backbones as bb
from propkg.components import PureConstants, constants_for
from propkg.correction import einstein_cp, einstein_h, einstein_s, tanh_net
from propkg_contract.errors import PropkgError
from propkg_contract.vocabulary import PURE_OUTPUT_UNITS, T_REF

TR_CENTER = 0.7
TR_HALF_WIDTH = 0.25

#: output tensors in export order, with SI units (the contract's vocabulary)
OUTPUT_UNITS = PURE_OUTPUT_UNITS


def scaled_input(T: Any, Tc: float) -> Any:
    """Input of the tanh corrections, x = (T/Tc - 0.7)/0.25, [-]."""
    return (T / Tc - TR_CENTER) / TR_HALF_WIDTH


@dataclass
class HybridPureModel:
    """Hybrid property model of one pure component.

    Parameters
    ----------
    constants : PureConstants
        Component constants from ``chemicals``.
    psat_params, dens_params : array
        Parameters of the tanh corrections (see :func:`propkg.correction.tanh_net`);
        zeros give the backbone alone.
    cp_params : array
        Parameters of the Einstein correction (see :func:`propkg.correction.einstein_cp`).
    zvap_params : array or None
        Parameters of the tanh correction of ln Z of the saturated vapour; None or zeros
        give the truncated virial equation alone.
    hidden : int
        Hidden units of the tanh corrections.
    terms : int
        Number of Einstein terms of the cp correction.
    """

    constants: PureConstants
    psat_params: np.ndarray
    dens_params: np.ndarray
    cp_params: np.ndarray
    zvap_params: np.ndarray | None = None
    hidden: int = 3
    terms: int = 5
    info: dict = field(default_factory=dict)

    # ---- single properties, numpy or CasADi ---------------------------------------------
    def ln_psat(self, T: Any) -> Any:
        """ln of the saturation pressure [Pa]."""
        c = self.constants
        tau = 1.0 - T / c.Tc
        corr = tanh_net(scaled_input(T, c.Tc), self.psat_params, self.hidden)
        return np.log(c.Pc) + bb.ambrose_walton_ln_pr(T, c.Tc, c.omega) + tau * corr

    def ln_dens_liq(self, T: Any) -> Any:
        """ln of the saturated-liquid molar density [mol/m**3]."""
        c = self.constants
        tau = 1.0 - T / c.Tc
        corr = tanh_net(scaled_input(T, c.Tc), self.dens_params, self.hidden)
        return bb.rackett_ln_density(T, c.Tc, c.Pc, c.Zc) + tau * corr

    def cp_ig(self, T: Any) -> Any:
        """Ideal-gas heat capacity [J/mol/K]."""
        return bb.poling_cp(T, self.constants.poling) + bb.R * einstein_cp(
            T, self.cp_params, self.terms
        )

    def _h_antiderivative(self, T: Any) -> Any:
        return bb.poling_integral(T, self.constants.poling) + bb.R * einstein_h(
            T, self.cp_params, self.terms
        )

    def _s_antiderivative(self, T: Any) -> Any:
        return bb.poling_integral_over_T(T, self.constants.poling) + bb.R * einstein_s(
            T, self.cp_params, self.terms
        )

    def enth_ig(self, T: Any) -> Any:
        """Ideal-gas enthalpy relative to 298.15 K [J/mol]."""
        return self._h_antiderivative(T) - float(self._h_antiderivative(T_REF))

    def entr_ig(self, T: Any) -> Any:
        """Ideal-gas entropy at 101325 Pa relative to 298.15 K [J/mol/K]."""
        return self._s_antiderivative(T) - float(self._s_antiderivative(T_REF))

    def second_virial(self, T: Any) -> Any:
        """Second virial coefficient of the saturated vapour [m**3/mol]."""
        c = self.constants
        return bb.tsonopoulos_b(T, c.Tc, c.Pc, c.omega)

    def ln_z_vap(self, T: Any, p: Any) -> Any:
        """ln of the saturated-vapour compressibility factor at T [K] and p [Pa]."""
        c = self.constants
        xp = bb.namespace(T)
        base = xp.log(1.0 + self.second_virial(T) * p / (bb.R * T))
        if self.zvap_params is None:
            return base
        pr = p / c.Pc
        return base + pr * pr * tanh_net(scaled_input(T, c.Tc), self.zvap_params, self.hidden)

    # ---- CasADi -------------------------------------------------------------------------
    def casadi_function(self, name: str | None = None):
        """CasADi MX function ``temperature -> (six outputs of OUTPUT_UNITS)``.

        The enthalpy of vaporization uses the exact derivative ``casadi.jacobian`` of
        ln Psat.
        """
        import casadi as ca

        T = ca.MX.sym("temperature")
        ln_p = self.ln_psat(T)
        p = ca.exp(ln_p)
        ln_rho = self.ln_dens_liq(T)
        rho = ca.exp(ln_rho)
        dlnp_dT = ca.jacobian(ln_p, T)
        v_vap = ca.exp(self.ln_z_vap(T, p)) * bb.R * T / p
        v_liq = ca.exp(-ln_rho)
        dh_vap = T * (v_vap - v_liq) * p * dlnp_dT
        outputs = [p, rho, self.cp_ig(T), self.enth_ig(T), self.entr_ig(T), dh_vap]
        return ca.Function(
            name or self.constants.name, [T], outputs, ["temperature"], list(OUTPUT_UNITS)
        )

    def evaluate(self, T: np.ndarray) -> dict[str, np.ndarray]:
        """Reference evaluation (CasADi virtual machine, float64) on an array of T [K]."""
        T = np.atleast_1d(np.asarray(T, dtype=float)).ravel()
        f = self.casadi_function()
        values = f(T.reshape(1, -1))
        return {k: np.asarray(v).ravel() for k, v in zip(OUTPUT_UNITS, values, strict=True)}

    # ---- (de)serialisation for the ONNX metadata -----------------------------------------
    def correction_dict(self) -> dict:
        """Parameters of the corrections (metadata key ``correction``)."""
        return {
            "pressure_sat_comp": {
                "form": "ln Psat = ln Pc + AW(T) + (1 - T/Tc) * tanh_net((T/Tc - 0.7)/0.25)",
                "hidden": self.hidden,
                "parameters": [float(v) for v in self.psat_params],
                "layout": "[c0, a_1..a_H, w_1..w_H, b_1..b_H]",
            },
            "dens_mol_liq_comp": {
                "form": "ln rho = ln rho_Rackett(T) + (1 - T/Tc) * tanh_net((T/Tc - 0.7)/0.25)",
                "hidden": self.hidden,
                "parameters": [float(v) for v in self.dens_params],
                "layout": "[c0, a_1..a_H, w_1..w_H, b_1..b_H]",
            },
            "vapour_compressibility": {
                "form": "ln Zv = ln(1 + B Psat/(R T)) + (Psat/Pc)^2 * tanh_net((T/Tc - 0.7)/0.25)",
                "hidden": self.hidden,
                "parameters": None
                if self.zvap_params is None
                else [float(v) for v in self.zvap_params],
                "layout": "[c0, a_1..a_H, w_1..w_H, b_1..b_H]",
            },
            "cp_mol_ig_comp": {
                "form": "cp = cp_Poling(T) + R * sum_k a_k E(theta_k/T), "
                "E(x) = x^2 e^x/(e^x - 1)^2; h, s closed-form integrals",
                "terms": self.terms,
                "parameters": [float(v) for v in self.cp_params],
                "layout": "[a_1..a_K, ln theta_1..ln theta_K]",
            },
        }

    @classmethod
    def from_metadata(cls, raw: dict) -> HybridPureModel:
        """Rebuild the model from the ``raw`` metadata of an exported file."""
        name = raw["components"][0]["name"]
        k = raw["constants"]
        try:
            base = constants_for(name)
            coolprop, aliases = base.coolprop, base.aliases
        except PropkgError:
            coolprop, aliases = "", ()
        constants = PureConstants(
            name=name,
            cas=raw["components"][0]["cas"],
            coolprop=coolprop,
            Tc=k["Tc"],
            Pc=k["Pc"],
            omega=k["omega"],
            molar_mass=k["molar_mass"],
            Ttriple=k["Ttriple"],
            Zc=k["rackett_Z_RA"],
            poling=tuple(k["poling_a"]),
            aliases=aliases,
        )
        corr = raw["correction"]
        return cls(
            constants=constants,
            psat_params=np.asarray(corr["pressure_sat_comp"]["parameters"]),
            dens_params=np.asarray(corr["dens_mol_liq_comp"]["parameters"]),
            cp_params=np.asarray(corr["cp_mol_ig_comp"]["parameters"]),
            zvap_params=None
            if corr["vapour_compressibility"]["parameters"] is None
            else np.asarray(corr["vapour_compressibility"]["parameters"]),
            hidden=corr["pressure_sat_comp"]["hidden"],
            terms=corr["cp_mol_ig_comp"]["terms"],
        )
