r"""Hybrid (backbone + smooth correction) pure-component property models.

One :class:`HybridPureModel` holds the constants of a component and the learned
parameters of its corrections; every property is an explicit expression of T:

.. math::
    \ln P^{sat}_{sub} &= \ln P_c + \ln P_r^{AW}(T) + \tau\, \mathrm{NN}_P(x),
        \quad \tau = 1 - T/T_c,\ x = (T/T_c - 0.7)/0.25 \\
    \ln \rho^{L}_{sub} &= \ln \rho^{Rackett}(T) + \tau\, \mathrm{NN}_\rho(x) \\
    c_p^{ig} &= c_p^{Poling}(T) + R \sum_k a_k E(\theta_k/T) \\
    h^{ig} &= \int_{T_{ref}}^{T} c_p^{ig}\,dT,\qquad
    s^{ig} = \int_{T_{ref}}^{T} \frac{c_p^{ig}}{T}\,dT \quad (P = P_{ref}) \\
    \Delta h^{vap} &= T\,(v^V - v^L)\,\frac{dP^{sat}}{dT},\qquad
    v^V = Z^V\frac{RT}{P^{sat}},\ v^L = 1/\rho^L \\
    h^L &= h^{ig}(T) - \Delta h^{vap}(T_a) + R\int_{T_a}^{T}
        \left(a_0 + \frac{a_1}{1 - T_r} + a_2 T_r + a_3 T_r^2\right) dT

The saturation corrections vanish at the critical point (factor tau), so the subcritical
Psat(Tc) = Pc and rho(Tc) = Pc/(R Tc Zc) hold exactly; h and s of the ideal gas are
closed-form integrals of cp; the enthalpy of vaporization is derived (Clausius-Clapeyron
with the exact CasADi derivative of ln Psat), never fitted; the liquid enthalpy is the
closed-form integral of a corresponding-states liquid cp fitted on saturated-liquid cp,
so that the liquid cp of a flowsheet (its exact T derivative) is right.

Above the critical point the subcritical functions are undefined (fractional powers of
tau). Every exported output is therefore continued smoothly: the subcritical functions
are evaluated at :math:`T_e` = :func:`backbones.smooth_cap` (T, 0.995 Tc), ln Psat
continues linearly in 1/T (:meth:`HybridPureModel.ln_psat`), the liquid density levels
off at its near-critical value, dh_vap is frozen, the liquid's excess cp is held at its
value at the cap. A supercritical component (CO2, ethylene next to water) thus gets a
finite, growing K-value in Raoult's law; the domains in the metadata say where the
numbers are fitted.
"""

from __future__ import annotations

import re
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
#: reduced temperature of the smooth cap of the subcritical functions, and its width
CAP_TR = 0.995
CAP_WIDTH_TR = 0.002

#: output tensors in export order, with SI units (the contract's vocabulary)
OUTPUT_UNITS = PURE_OUTPUT_UNITS

#: outputs of the ideal gas alone (valid over a wider range than the liquid's)
IDEAL_GAS_OUTPUTS = ("cp_mol_ig_comp", "enth_mol_ig_comp", "entr_mol_ig_comp")

#: number of coefficients of the liquid heat-capacity term (see :meth:`liquid_cp_basis`)
LIQUID_CP_TERMS = 4


def casadi_identifier(name: str) -> str:
    """A valid CasADi function name for a component name.

    CasADi accepts names matching ``[A-Za-z][A-Za-z0-9_]*``; other names (``1_butanol``,
    CAS numbers, hyphens) get their non-alphanumeric characters replaced by ``_`` and the
    prefix ``c_``. Valid names are returned unchanged.
    """
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        return name
    return "c_" + re.sub(r"[^A-Za-z0-9_]", "_", name)


def psat_check_temperatures(t_data_low: float, t_triple: float, Tc: float,
                            n: int) -> np.ndarray:
    """``n`` temperatures [K] on which a vapour pressure must rise with T: from min(lowest
    fitted temperature, max(Ttriple, 0.4 Tc)) to the cap of the subcritical functions
    (``CAP_TR`` Tc), wherever the model's liquid is meant to exist."""
    low = min(t_data_low, max(t_triple or 0.0, 0.4 * Tc))
    return np.linspace(low, CAP_TR * Tc, n)


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
    liq_params, liq_anchor : array, float or None
        Coefficients of the liquid cp term and the anchor temperature [K] of the liquid
        enthalpy (:meth:`enth_liq`); None: no ``enth_mol_liq_comp`` output.
    virial_params : array or None
        Parameters of the correction of the second virial coefficient
        (:mod:`propkg.virial`); None: no ``second_virial_coef_comp`` output.
    virial_polar : (float, float)
        Polar parameters a, b of its Tsonopoulos backbone.
    """

    constants: PureConstants
    psat_params: np.ndarray
    dens_params: np.ndarray
    cp_params: np.ndarray
    zvap_params: np.ndarray | None = None
    hidden: int = 3
    terms: int = 5
    liq_params: np.ndarray | None = None
    liq_anchor: float | None = None
    virial_params: np.ndarray | None = None
    virial_polar: tuple[float, float] = (0.0, 0.0)
    info: dict = field(default_factory=dict)

    # ---- the smooth supercritical continuation ------------------------------------------
    def effective_temperature(self, T: Any) -> Any:
        """T smoothly capped below the critical point, [K] (:func:`backbones.smooth_cap`).

        Cap ``CAP_TR * Tc`` with width ``CAP_WIDTH_TR * Tc``: the subcritical functions are
        evaluated at this temperature, which equals T to within 7e-5 Tc up to 0.98 Tc.
        """
        c = self.constants
        return bb.smooth_cap(T, CAP_TR * c.Tc, CAP_WIDTH_TR * c.Tc)

    def _psat_slope(self) -> float:
        """:math:`B = -d\\ln p^{sat}/d(1/T) = T^2\\, d\\ln p^{sat}/dT` at the cap [K]
        (complex-step derivative of the subcritical function, exact to round-off)."""
        t = CAP_TR * self.constants.Tc
        step = 1e-20 * t
        return float(t * t * np.imag(self.ln_psat_subcritical(t + 1j * step)) / step)

    # ---- single properties, numpy or CasADi ---------------------------------------------
    def ln_psat_subcritical(self, T: Any) -> Any:
        """ln of the saturation pressure [Pa] for T <= Tc (hybrid AW + correction)."""
        c = self.constants
        tau = 1.0 - T / c.Tc
        corr = tanh_net(scaled_input(T, c.Tc), self.psat_params, self.hidden)
        return np.log(c.Pc) + bb.ambrose_walton_ln_pr(T, c.Tc, c.omega) + tau * corr

    def ln_psat(self, T: Any) -> Any:
        r"""ln of the saturation pressure [Pa], continued smoothly above the critical point.

        .. math:: \ln p^{sat}(T) = f(T_e) + B\left(\frac{1}{T_e} - \frac{1}{T}\right),
            \qquad T_e = \mathrm{cap}(T),\quad B = T^2 f'(T)\big|_{T_{cap}}

        with f the subcritical hybrid. Well below the cap :math:`T_e \to T` and the second
        term compensates the shift to first order; above it ln Psat is linear in 1/T
        (Clausius-Clapeyron with the latent heat frozen at the cap), so a supercritical
        component keeps a finite, increasing "vapour pressure" (Raoult's K-value grows
        smoothly) instead of NaN.
        """
        te = self.effective_temperature(T)
        return self.ln_psat_subcritical(te) + self._psat_slope() * (T - te) / (T * te)

    def ln_dens_liq_subcritical(self, T: Any) -> Any:
        """ln of the saturated-liquid molar density [mol/m**3] for T <= Tc."""
        c = self.constants
        tau = 1.0 - T / c.Tc
        corr = tanh_net(scaled_input(T, c.Tc), self.dens_params, self.hidden)
        return bb.rackett_ln_density(T, c.Tc, c.Pc, c.Zc) + tau * corr

    def ln_dens_liq(self, T: Any) -> Any:
        """ln of the liquid molar density [mol/m**3]; above the cap it levels off smoothly
        at the near-critical density (the subcritical function at the capped T)."""
        return self.ln_dens_liq_subcritical(self.effective_temperature(T))

    # ---- liquid heat capacity and enthalpy ----------------------------------------------
    def liquid_cp_basis(self, T: Any) -> list:
        r"""Terms of :math:`(c_p^{L} - c_p^{ig})/R` in corresponding states, [-].

        .. math:: \phi = \left(1,\ \frac{1}{1 - T_r},\ T_r,\ T_r^2\right)

        the structure of the Rowlinson-Bondi equation (Poling et al., 5th ed., Eq. 6-6.4),
        whose coefficients are fitted per fluid.
        """
        tr = T / self.constants.Tc
        return [1.0 + 0.0 * tr, 1.0 / (1.0 - tr), tr, tr * tr]

    def _liquid_cp_integral(self, T: Any) -> Any:
        """Antiderivative in T of ``R * sum(a_k phi_k)`` for T below the cap, [J/mol]."""
        c = self.constants
        xp = bb.namespace(T)
        tr = T / c.Tc
        a = [float(v) for v in self.liq_params]
        return (
            bb.R
            * c.Tc
            * (a[0] * tr - a[1] * xp.log(1.0 - tr) + a[2] * tr * tr / 2 + a[3] * tr**3 / 3)
        )

    def _liquid_excess_enthalpy(self, T: Any) -> Any:
        """Smoothly continued antiderivative: ``Phi(T_e) + phi(T_cap) (T - T_e)``, [J/mol]."""
        te = self.effective_temperature(T)
        t_cap = CAP_TR * self.constants.Tc
        slope = bb.R * sum(
            float(a) * float(p)
            for a, p in zip(self.liq_params, self.liquid_cp_basis(t_cap), strict=True)
        )
        return self._liquid_cp_integral(te) + slope * (T - te)

    def enth_liq(self, T: Any) -> Any:
        r"""Liquid enthalpy on the ideal gas's zero (298.15 K), [J/mol].

        .. math::
            h^L(T) = h^{ig}(T) - \Delta h^{vap}(T_a) + R\int_{T_a}^{T}\sum_k a_k\phi_k\,dT

        anchored at :math:`T_a` (lower end of the liquid range), where the vapour is
        nearly ideal and the derived :math:`\Delta h^{vap}` is accurate; its T derivative
        is the liquid heat capacity :math:`c_p^{ig} + R\sum_k a_k\phi_k`, fitted on
        saturated-liquid cp. Above the cap the term continues linearly (constant excess cp).
        """
        if self.liq_params is None or self.liq_anchor is None:
            raise PropkgError(f"{self.constants.name}: the liquid heat capacity is not fitted")
        ta = float(self.liq_anchor)
        offset = float(self.dh_vap_at(ta)) + float(self._liquid_excess_enthalpy(ta))
        return self.enth_ig(T) + self._liquid_excess_enthalpy(T) - offset

    def dh_vap_expression(self, t):
        r"""Enthalpy of vaporization at a subcritical CasADi symbol ``t``, [J/mol].

        .. math:: \Delta h^{vap} = t (v^V - v^L) \frac{dp^{sat}}{dt},\qquad
            v^V = Z^V R t / p^{sat},\ v^L = 1/\rho^L

        with the exact derivative (``casadi.jacobian``) of the subcritical ln Psat.
        """
        import casadi as ca

        ln_p = self.ln_psat_subcritical(t)
        p = ca.exp(ln_p)
        v_vap = ca.exp(self.ln_z_vap(t, p)) * bb.R * t / p
        v_liq = ca.exp(-self.ln_dens_liq_subcritical(t))
        return t * (v_vap - v_liq) * p * ca.jacobian(ln_p, t)

    def dh_vap_at(self, T: float) -> float:
        """Numeric :meth:`dh_vap_expression` at a subcritical temperature T [K], [J/mol]."""
        import casadi as ca

        t = ca.SX.sym("t")
        return float(ca.Function("dh_vap", [t], [self.dh_vap_expression(t)])(float(T)))

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
        """Non-polar Tsonopoulos B of the saturated vapour's ln Z [m**3/mol] (enters the
        derived enthalpy of vaporization only; the output B is :meth:`second_virial_coef`)."""
        c = self.constants
        return bb.tsonopoulos_b(T, c.Tc, c.Pc, c.omega)

    def second_virial_coef(self, T: Any) -> Any:
        """Hybrid second virial coefficient [m**3/mol] (:func:`propkg.virial.second_virial`)."""
        from propkg.virial import second_virial

        return second_virial(T, self.constants, self.virial_polar, self.virial_params,
                             self.hidden)  # fmt: skip

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
        """CasADi MX function ``temperature -> (outputs of OUTPUT_UNITS)``: six, plus
        ``enth_mol_liq_comp`` and ``second_virial_coef_comp`` when fitted.

        The enthalpy of vaporization uses the exact derivative ``casadi.jacobian`` of
        ln Psat.
        """
        import casadi as ca

        T = ca.MX.sym("temperature")
        p = ca.exp(self.ln_psat(T))
        rho = ca.exp(self.ln_dens_liq(T))
        t = ca.MX.sym("t")
        dh_vap = ca.substitute(self.dh_vap_expression(t), t, self.effective_temperature(T))
        outputs = [p, rho, self.cp_ig(T), self.enth_ig(T), self.entr_ig(T), dh_vap]
        names = list(OUTPUT_UNITS)[: len(outputs)]
        if self.liq_params is not None:
            outputs.append(self.enth_liq(T))
            names.append("enth_mol_liq_comp")
        if self.virial_params is not None:
            outputs.append(self.second_virial_coef(T))
            names.append("second_virial_coef_comp")
        return ca.Function(
            casadi_identifier(name or self.constants.name), [T], outputs, ["temperature"], names
        )

    def evaluate(self, T: np.ndarray) -> dict[str, np.ndarray]:
        """Reference evaluation (CasADi virtual machine, float64) on an array of T [K]."""
        T = np.atleast_1d(np.asarray(T, dtype=float)).ravel()
        f = self.casadi_function()
        values = f(T.reshape(1, -1))
        values = [values] if f.n_out() == 1 else values
        return {k: np.asarray(v).ravel() for k, v in zip(f.name_out(), values, strict=True)}

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
            "enth_mol_liq_comp": {
                "form": "h_L = h_ig(T) - dh_vap(T_a) + R Tc [a0 Tr - a1 ln(1 - Tr) + a2 Tr^2/2 "
                "+ a3 Tr^3/3]_{T_a}^{T}, i.e. cp_L = cp_ig + R (a0 + a1/(1 - Tr) + a2 Tr + "
                "a3 Tr^2); continued above the cap as in 'supercritical_continuation'",
                "parameters": None
                if self.liq_params is None
                else [float(v) for v in self.liq_params],
                "anchor_temperature": self.liq_anchor,
                "layout": "[a0, a1, a2, a3]",
            },
            **({} if self.virial_params is None else {"second_virial_coef_comp": {
                "form": "B = B_Tsonopoulos(T; Tc, Pc, omega, a, b) + (R Tc/Pc) * "
                "tanh_net((Tc/T - 1)/0.6)",
                "hidden": self.hidden,
                "polar_a_b": [float(v) for v in self.virial_polar],
                "parameters": [float(v) for v in self.virial_params],
                "layout": "[c0, a_1..a_H, w_1..w_H, b_1..b_H]",
            }}),
            "supercritical_continuation": {
                "form": "T_e = (T + T_cap - sqrt((T - T_cap)^2 + w^2))/2; ln Psat = "
                "f(T_e) + B (1/T_e - 1/T), B = T^2 df/dT at T_cap; ln rho_L = g(T_e); "
                "dh_vap evaluated at T_e; liquid cp term continued with its value at T_cap",
                "T_cap_over_Tc": CAP_TR,
                "width_over_Tc": CAP_WIDTH_TR,
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
            sources=k.get("fallbacks", {}),
        )
        corr = raw["correction"]
        liq = corr.get("enth_mol_liq_comp", {})
        virial = corr.get("second_virial_coef_comp", {})
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
            liq_params=None if liq.get("parameters") is None else np.asarray(liq["parameters"]),
            liq_anchor=liq.get("anchor_temperature"),
            virial_params=None if not virial else np.asarray(virial["parameters"]),
            virial_polar=tuple(virial.get("polar_a_b", (0.0, 0.0))),
        )
