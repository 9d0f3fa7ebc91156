"""Mechanistic backbones of the hybrid pure-component models.

Each function is written once with plain arithmetic and ``exp``/``log``, so that the same
code evaluates numpy arrays (reference evaluator, training) and CasADi MX/SX expressions
(exact derivatives, ONNX export). The tests check each one against the ``chemicals``
implementation to 1e-12.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from propkg_contract.vocabulary import GAS_CONSTANT as R  # [J/mol/K], = scipy.constants.R


def namespace(x: Any) -> ModuleType:
    """Return :mod:`casadi` if ``x`` is a CasADi symbol/matrix, else :mod:`numpy`."""
    module = type(x).__module__
    if module.startswith("casadi"):
        import casadi

        return casadi
    return np


def ambrose_walton_ln_pr(T: Any, Tc: float, omega: float) -> Any:
    r"""Ambrose-Walton corresponding-states reduced vapour pressure, ln(Psat/Pc).

    .. math::
        \ln P_r = f^{(0)} + \omega f^{(1)} + \omega^2 f^{(2)},\qquad
        f^{(i)} = \frac{a_i\tau + b_i\tau^{1.5} + c_i\tau^{2.5} + d_i\tau^5}{T_r},
        \quad \tau = 1 - T/T_c

    Parameters
    ----------
    T : float, array or CasADi expression
        Temperature, [K].
    Tc : float
        Critical temperature, [K].
    omega : float
        Acentric factor, [-].

    Returns
    -------
    ln_pr : same type as ``T``
        Natural log of the reduced vapour pressure, [-].

    Notes
    -----
    Defined for T <= Tc; the fractional powers of tau are NaN above Tc. Equals 0 at Tc.

    References
    ----------
    Ambrose, D.; Walton, J. Pure Appl. Chem. 61 (1989) 1395; as in
    :func:`chemicals.vapor_pressure.Ambrose_Walton`.
    """
    Tr = T / Tc
    tau = 1.0 - Tr
    t15 = tau**1.5
    t25 = tau**2.5
    t5 = tau**5
    f0 = -5.97616 * tau + 1.29874 * t15 - 0.60394 * t25 - 1.06841 * t5
    f1 = -5.03365 * tau + 1.11505 * t15 - 5.41217 * t25 - 7.46628 * t5
    f2 = -0.64771 * tau + 2.41539 * t15 - 4.26979 * t25 + 3.25259 * t5
    return (f0 + omega * f1 + omega * omega * f2) / Tr


def rackett_ln_density(T: Any, Tc: float, Pc: float, Zc: float) -> Any:
    r"""Rackett saturated-liquid molar density, as ln(rho) with rho in [mol/m**3].

    .. math::
        V_s = \frac{R T_c}{P_c} Z_{RA}^{1 + (1 - T_r)^{2/7}},\qquad
        \ln \rho = \ln\frac{P_c}{R T_c} - \left[1 + \tau^{2/7}\right]\ln Z_{RA}

    Parameters
    ----------
    T : float, array or CasADi expression
        Temperature, [K].
    Tc, Pc, Zc : float
        Critical temperature [K], pressure [Pa], and Rackett parameter (here Zc) [-].

    Notes
    -----
    Defined for T <= Tc; equals the critical density Pc/(R Tc Zc) at Tc.

    References
    ----------
    Rackett, H. G. J. Chem. Eng. Data 15 (1970) 514; :func:`chemicals.volume.Rackett`.
    """
    tau = 1.0 - T / Tc
    return np.log(Pc / (R * Tc)) - (1.0 + tau ** (2.0 / 7.0)) * np.log(Zc)


def poling_cp(T: Any, a: tuple[float, ...]) -> Any:
    r"""Poling ideal-gas heat capacity polynomial.

    .. math:: c_p^{ig} = R (a_0 + a_1 T + a_2 T^2 + a_3 T^3 + a_4 T^4)

    Parameters
    ----------
    T : float, array or CasADi expression
        Temperature, [K].
    a : tuple of 5 floats
        Coefficients of cp/R, [-, 1/K, 1/K**2, 1/K**3, 1/K**4].

    Returns
    -------
    cp : same type as ``T``
        Ideal-gas heat capacity, [J/mol/K].

    References
    ----------
    Poling, Prausnitz, O'Connell, The Properties of Gases and Liquids, 5th ed., App. A;
    :func:`chemicals.heat_capacity.Poling`.
    """
    a0, a1, a2, a3, a4 = a
    return R * (a0 + T * (a1 + T * (a2 + T * (a3 + a4 * T))))


def poling_integral(T: Any, a: tuple[float, ...]) -> Any:
    r"""Antiderivative of :func:`poling_cp` in T, [J/mol].

    .. math:: \int c_p\,dT = R (a_0 T + a_1 T^2/2 + a_2 T^3/3 + a_3 T^4/4 + a_4 T^5/5)
    """
    a0, a1, a2, a3, a4 = a
    return R * T * (a0 + T * (a1 / 2 + T * (a2 / 3 + T * (a3 / 4 + a4 * T / 5))))


def poling_integral_over_T(T: Any, a: tuple[float, ...]) -> Any:
    r"""Antiderivative of cp/T for :func:`poling_cp`, [J/mol/K].

    .. math::
        \int \frac{c_p}{T}dT = R (a_0 \ln T + a_1 T + a_2 T^2/2 + a_3 T^3/3 + a_4 T^4/4)
    """
    a0, a1, a2, a3, a4 = a
    xp = namespace(T)
    return R * (a0 * xp.log(T) + T * (a1 + T * (a2 / 2 + T * (a3 / 3 + a4 * T / 4))))


def tsonopoulos_b(
    T: Any, Tc: float, Pc: float, omega: float, a: float = 0.0, b: float = 0.0
) -> Any:
    r"""Second virial coefficient by the Tsonopoulos correlation (polar form if a, b != 0).

    .. math::
        B = \frac{R T_c}{P_c}\left(f^{(0)} + \omega f^{(1)} + \frac{a}{T_r^6}
        - \frac{b}{T_r^8}\right),\quad
        f^{(0)} = 0.1445 - \frac{0.33}{T_r} - \frac{0.1385}{T_r^2} - \frac{0.0121}{T_r^3}
        - \frac{0.000607}{T_r^8},\quad
        f^{(1)} = 0.0637 + \frac{0.331}{T_r^2} - \frac{0.423}{T_r^3} - \frac{0.008}{T_r^8}

    Parameters
    ----------
    T : float, array or CasADi expression
        Temperature, [K].
    Tc, Pc, omega : float
        Critical temperature [K], pressure [Pa], acentric factor [-].
    a, b : float
        Polar parameters [-] (:func:`propkg.virial.tsonopoulos_polar_parameters`); 0, 0
        (default) is the non-polar form.

    Returns
    -------
    B : same type as ``T``
        Second virial coefficient, [m**3/mol].

    Notes
    -----
    With a = b = 0 (the non-polar form, used in the vapour volume of the derived enthalpy
    of vaporization) B of water, alcohols and ammonia is too weakly negative; the polar
    terms are written only when a or b is non-zero, so the non-polar graph is unchanged.

    References
    ----------
    Tsonopoulos, C. AIChE J. 20 (1974) 263; Poling, Prausnitz, O'Connell, The Properties
    of Gases and Liquids, 5th ed., Sec. 4-5;
    :func:`chemicals.virial.BVirial_Tsonopoulos_extended`.
    """
    inv = Tc / T  # 1/Tr, written as one division (no ONNX Reciprocal)
    inv2 = inv * inv
    inv3 = inv2 * inv
    inv8 = inv3 * inv3 * inv2
    f0 = 0.1445 - 0.33 * inv - 0.1385 * inv2 - 0.0121 * inv3 - 0.000607 * inv8
    f1 = 0.0637 + 0.331 * inv2 - 0.423 * inv3 - 0.008 * inv8
    reduced = f0 + omega * f1
    if a != 0.0 or b != 0.0:
        inv6 = inv3 * inv3
        reduced = reduced + a * inv6 - b * inv8
    return reduced * R * Tc / Pc


def smooth_cap(T: Any, T_cap: float, width: float) -> Any:
    r"""Smooth minimum of T and a cap, [K] (algebraic, no overflow, C-infinity).

    .. math:: T_{eff} = \tfrac12\left(T + T_{cap} - \sqrt{(T - T_{cap})^2 + w^2}\right)

    :math:`T_{eff} < T_{cap}` for every T; :math:`T_{eff} \to T` well below the cap (the
    shift is :math:`w^2 / (4 (T_{cap} - T))`) and :math:`T_{eff} \to T_{cap}` above it.
    Used to evaluate backbones that are undefined above the critical point (fractional
    powers of :math:`1 - T/T_c`) at a temperature that never reaches it.

    Parameters
    ----------
    T : float, array or CasADi expression
        Temperature, [K].
    T_cap : float
        Cap, [K].
    width : float
        Width w of the transition, [K].
    """
    xp = namespace(T)
    d = T - T_cap
    return 0.5 * (T + T_cap - xp.sqrt(d * d + width * width))
