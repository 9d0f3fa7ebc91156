r"""Mechanistic (corresponding-states) backbones of the hybrid transport models.

Each function is written once with plain arithmetic, ``exp``/``log`` and powers of
positive quantities, so that the same code evaluates numpy arrays (training, reference
evaluator) and CasADi expressions (exact derivatives, ONNX export). The tests check each
one against its ``chemicals`` implementation.

===========================  ===========================  ================================
property                     backbone                     inputs
===========================  ===========================  ================================
saturated-liquid viscosity   Letsou-Stiel (1973)          Tc, Pc, omega, M
dilute-gas viscosity         Lucas (1980), polar form     Tc, Pc, Zc, M, dipole moment
saturated-liquid conduct.    Sato-Riedel                  Tc, Tb, M
dilute-gas conductivity      Chung et al. (1984)          Tc, omega, M, cv_ig, gas viscosity
surface tension              Brock-Bird (1955)            Tc, Pc, Tb
===========================  ===========================  ================================

None is a fitted correlation of the fluid itself: all are predictive from critical
constants, the normal boiling point, the dipole moment and the ideal-gas heat capacity.
The liquid-side backbones contain fractional powers of :math:`1 - T_r` or polynomials
that turn negative far above :math:`T_c`; :func:`liquid_temperature` caps their
temperature smoothly below :math:`T_c` so that they stay finite and positive for every T.
"""

from __future__ import annotations

import math
from typing import Any

from propkg.backbones import R, namespace, poling_cp, smooth_cap

#: reduced temperature of the smooth cap of the liquid-side backbones, and its width
LIQUID_CAP_TR = 0.995
LIQUID_CAP_WIDTH_TR = 0.002


def liquid_temperature(T: Any, Tc: float) -> Any:
    r"""T smoothly capped below the critical point, [K].

    .. math:: T_e = \mathrm{cap}(T;\ 0.995\,T_c,\ 0.002\,T_c)

    (:func:`propkg.backbones.smooth_cap`): equal to T within 7e-5 Tc up to 0.98 Tc, always
    below 0.995 Tc, so the saturated-liquid backbones level off at their near-critical
    values instead of becoming undefined.
    """
    return smooth_cap(T, LIQUID_CAP_TR * Tc, LIQUID_CAP_WIDTH_TR * Tc)


def letsou_stiel_viscosity(T: Any, Tc: float, Pc: float, omega: float, M: float) -> Any:
    r"""Saturated-liquid viscosity of Letsou and Stiel, [Pa s].

    .. math::
        \mu\,\xi = \left(1.5174 - 2.135 T_r + 0.75 T_r^2\right)10^{-5}
            + \omega\left(4.2552 - 7.674 T_r + 3.4 T_r^2\right)10^{-5},\qquad
        \xi = \frac{2173.424\,T_c^{1/6}}{\sqrt{M}\,P_c^{2/3}}

    with M in g/mol and Pc in Pa (``chemicals.viscosity.Letsou_Stiel``).

    Parameters
    ----------
    T : float, array or CasADi expression
        Temperature, [K] (use :func:`liquid_temperature` above 0.98 Tc).
    Tc, Pc, omega, M : float
        Critical temperature [K], critical pressure [Pa], acentric factor [-], molar mass
        [kg/mol].

    References
    ----------
    Letsou, A., Stiel, L. I., AIChE J. 19 (1973) 409-411; Poling, Prausnitz, O'Connell,
    The Properties of Gases and Liquids, 5th ed., Eq. 9-11.1.
    """
    tr = T / Tc
    xi0 = (1.5174 - tr * (2.135 - 0.75 * tr)) * 1e-5
    xi1 = (4.2552 - tr * (7.674 - 3.4 * tr)) * 1e-5
    xi = 2173.424 * Tc ** (1.0 / 6.0) / (1e3 * M) ** 0.5 * Pc ** (-2.0 / 3.0)
    return (xi0 + omega * xi1) / xi


def lucas_polarity_factor(Tc: float, Pc: float, Zc: float, dipole: float) -> tuple[float, float]:
    r"""Constants (F0, F1) of the Lucas polarity factor :math:`F_p^\circ = F_0 + F_1 T_r`.

    .. math::
        \mu_r = 52.46\,\frac{\mu^2 P_c}{T_c^2},\qquad F_p^\circ = \begin{cases}
        1 & \mu_r < 0.022\\ 1 + 30.55(0.292 - Z_c)^{1.72} & 0.022 \le \mu_r < 0.075\\
        1 + 30.55(0.292 - Z_c)^{1.72}\,(0.96 + 0.1(T_r - 0.7)) & \mu_r \ge 0.075
        \end{cases}

    (dipole in debye, Pc in bar). The branch depends only on constants, so the factor is a
    linear, smooth function of T; the absolute value of the original, |0.96 + 0.1(Tr -
    0.7)|, is its argument for every Tr > -8.9.
    """
    pc_bar = Pc * 1e-5
    mu_r = 52.46 * dipole * dipole * pc_bar / (Tc * Tc)
    if mu_r < 0.022:
        return 1.0, 0.0
    amp = 30.55 * max(0.292 - Zc, 0.0) ** 1.72
    if mu_r < 0.075:
        return 1.0 + amp, 0.0
    return 1.0 + amp * (0.96 - 0.07), amp * 0.1


def lucas_gas_viscosity(
    T: Any, Tc: float, Pc: float, Zc: float, M: float, dipole: float
) -> Any:
    r"""Dilute-gas viscosity of Lucas, [Pa s].

    .. math::
        \eta\,\xi = \left[0.807 T_r^{0.618} - 0.357 e^{-0.449 T_r} + 0.340 e^{-4.058 T_r}
            + 0.018\right] F_p^\circ,\qquad
        \xi = 0.176\left(\frac{T_c}{M^3 P_c^4}\right)^{1/6}

    with :math:`\eta` in micropoise, M in g/mol, Pc in bar and :math:`F_p^\circ` of
    :func:`lucas_polarity_factor` (quantum factor 1: no He, H2, D2 here)
    (``chemicals.viscosity.Lucas_gas``).

    References
    ----------
    Lucas, K., Phase Equilibria and Fluid Properties in the Chemical Industry, DECHEMA
    (1980); Poling et al., 5th ed., Eqs. 9-4.14 to 9-4.19.
    """
    xp = namespace(T)
    tr = T / Tc
    mw = 1e3 * M
    pc_bar = Pc * 1e-5
    xi = 0.176 * (Tc / (mw**3 * pc_bar**4)) ** (1.0 / 6.0)
    f0, f1 = lucas_polarity_factor(Tc, Pc, Zc, dipole)
    reduced = (
        0.807 * xp.exp(0.618 * xp.log(tr)) - 0.357 * xp.exp(-0.449 * tr)
        + 0.340 * xp.exp(-4.058 * tr) + 0.018
    )  # fmt: skip
    return reduced * (f0 + f1 * tr) / xi * 1e-7


def sato_riedel_conductivity(T: Any, Tc: float, Tb: float, M: float) -> Any:
    r"""Saturated-liquid thermal conductivity of Sato and Riedel, [W/m/K].

    .. math::
        \lambda = \frac{1.1053}{\sqrt{M}}\,
        \frac{3 + 20(1 - T_r)^{2/3}}{3 + 20(1 - T_{br})^{2/3}}

    with M in g/mol (``chemicals.thermal_conductivity.Sato_Riedel``).

    References
    ----------
    Reid, Prausnitz, Sherwood, The Properties of Gases and Liquids, 3rd ed. (1977),
    Eq. 10-9.5.
    """
    xp = namespace(T)
    tau = 1.0 - T / Tc
    tau_b = 1.0 - Tb / Tc
    num = 3.0 + 20.0 * xp.exp(2.0 / 3.0 * xp.log(tau))
    return 1.1053 / (1e3 * M) ** 0.5 * num / (3.0 + 20.0 * tau_b ** (2.0 / 3.0))


def chung_gas_conductivity(
    T: Any, Tc: float, omega: float, M: float, cv: Any, viscosity: Any
) -> Any:
    r"""Dilute-gas thermal conductivity of Chung et al., [W/m/K].

    .. math::
        \frac{\lambda M}{\eta\,c_v} = \frac{3.75\,\Psi}{c_v/R},\qquad
        \Psi = 1 + \alpha\,\frac{0.215 + 0.28288\alpha - 1.061\beta + 0.26665 Z}
            {0.6366 + \beta Z + 1.061\alpha\beta}

    :math:`\alpha = c_v/R - 3/2`, :math:`\beta = 0.7862 - 0.7109\omega + 1.3168\omega^2`,
    :math:`Z = 2 + 10.5 T_r^2` (``chemicals.thermal_conductivity.Chung``).

    Parameters
    ----------
    cv : float, array or CasADi expression
        Ideal-gas isochoric heat capacity :math:`c_p^{ig} - R`, [J/mol/K].
    viscosity : float, array or CasADi expression
        Dilute-gas viscosity, [Pa s].

    References
    ----------
    Chung, T. H., Lee, L. L., Starling, K. E., Ind. Eng. Chem. Fundam. 23 (1984) 8-13;
    Poling et al., 5th ed., Eq. 10-3.14.
    """
    tr = T / Tc
    alpha = cv / R - 1.5
    beta = 0.7862 - 0.7109 * omega + 1.3168 * omega * omega
    z = 2.0 + 10.5 * tr * tr
    psi = 1.0 + alpha * (
        (0.215 + 0.28288 * alpha - 1.061 * beta + 0.26665 * z)
        / (0.6366 + beta * z + 1.061 * alpha * beta)
    )
    return 3.75 * psi * R * viscosity / M


def ideal_gas_cv(T: Any, poling: tuple[float, ...]) -> Any:
    """Ideal-gas isochoric heat capacity :math:`c_p^{Poling}(T) - R`, [J/mol/K]."""
    return poling_cp(T, poling) - R


def brock_bird_surface_tension(T: Any, Tc: float, Pc: float, Tb: float) -> Any:
    r"""Surface tension of Brock and Bird, [N/m].

    .. math::
        \sigma = P_c^{2/3} T_c^{1/3} Q (1 - T_r)^{11/9}\,10^{-3},\qquad
        Q = 0.1196\left[1 + \frac{T_{br}\ln(P_c/1.01325)}{1 - T_{br}}\right] - 0.279

    with Pc in bar (``chemicals.interface.Brock_Bird``).

    References
    ----------
    Brock, J. R., Bird, R. B., AIChE J. 1 (1955) 174-177; Poling et al., 5th ed.,
    Eq. 12-3.5.
    """
    xp = namespace(T)
    pc_bar = Pc * 1e-5
    tbr = Tb / Tc
    q = 0.1196 * (1.0 + tbr * math.log(pc_bar / 1.01325) / (1.0 - tbr)) - 0.279
    tau = 1.0 - T / Tc
    return pc_bar ** (2.0 / 3.0) * Tc ** (1.0 / 3.0) * q * xp.exp(11.0 / 9.0 * xp.log(tau)) * 1e-3
