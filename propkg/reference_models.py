"""Comparison models for the hybrids: backbone alone, plain network, Antoine.

These are the peers the hybrid models are measured against (validation report, demo):

* the backbone alone: Ambrose-Walton vapour pressure, Rackett liquid density, Poling
  ideal-gas heat capacity, with constants from ``chemicals``;
* a plain tanh network with as many parameters as the hybrid's correction, trained on the
  same points with the same optimiser and L2 penalty, on ln Psat, ln rho or cp/R;
* Antoine's equation :math:`\\ln P = A - B/(T + C)` fitted to the same points.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import least_squares

from propkg import backbones as bb
from propkg.components import PureConstants
from propkg.correction import tanh_net
from propkg.hybrid import HybridPureModel, scaled_input
from propkg.training import HIDDEN, fit_tanh

#: properties with a backbone, a plain-net and a hybrid form
COMPARED_PROPERTIES = ("pressure_sat_comp", "dens_mol_liq_comp", "cp_mol_ig_comp")


def fit_antoine(T: np.ndarray, P: np.ndarray) -> np.ndarray:
    """Antoine parameters (A, B [K], C [K]) of :math:`\\ln P = A - B/(T + C)` by least squares.

    Started from the C = 0 linear fit; C is kept above -0.99 min(T).
    """
    A = np.column_stack([np.ones_like(T), -1.0 / T])
    a0, b0 = np.linalg.lstsq(A, np.log(P), rcond=None)[0]
    sol = least_squares(
        lambda p: p[0] - p[1] / (T + p[2]) - np.log(P),
        [a0, b0, 0.0],
        bounds=([-np.inf, -np.inf, -0.99 * T.min()], [np.inf, np.inf, np.inf]),
        xtol=1e-15,
        ftol=1e-15,
        gtol=1e-15,
    )
    return sol.x


def antoine(T: np.ndarray, params: np.ndarray) -> np.ndarray:
    """Antoine vapour pressure [Pa] at temperatures ``T`` [K]."""
    return np.exp(params[0] - params[1] / (T + params[2]))


def plain_net_fit(c: PureConstants, T: np.ndarray, y: np.ndarray, prop: str) -> np.ndarray:
    """Parameters of a plain tanh network on ln y (cp: y/R) in the hybrid's scaled input."""
    x = scaled_input(T, c.Tc)
    target = np.log(y) if prop != "cp_mol_ig_comp" else y / bb.R
    return fit_tanh(x, target, np.zeros_like(T), np.ones_like(T), HIDDEN)


def plain_net_eval(c: PureConstants, T: np.ndarray, params: np.ndarray, prop: str) -> np.ndarray:
    """Property values [SI] of the plain network fitted by :func:`plain_net_fit`."""
    out = tanh_net(scaled_input(T, c.Tc), params, HIDDEN)
    return np.exp(out) if prop != "cp_mol_ig_comp" else bb.R * out


def backbone_eval(c: PureConstants, T: np.ndarray, prop: str) -> np.ndarray:
    """Property values [SI] of the mechanistic backbone alone."""
    if prop == "pressure_sat_comp":
        return c.Pc * np.exp(bb.ambrose_walton_ln_pr(T, c.Tc, c.omega))
    if prop == "dens_mol_liq_comp":
        return np.exp(bb.rackett_ln_density(T, c.Tc, c.Pc, c.Zc))
    if prop == "cp_mol_ig_comp":
        return bb.poling_cp(T, c.poling)
    raise ValueError(f"no backbone comparison for '{prop}'; choose from {COMPARED_PROPERTIES}")


def hybrid_eval(model: HybridPureModel, T: np.ndarray, prop: str) -> np.ndarray:
    """Property values [SI] of a hybrid model (numpy evaluation of its CasADi form)."""
    if prop == "pressure_sat_comp":
        return np.exp(model.ln_psat(T))
    if prop == "dens_mol_liq_comp":
        return np.exp(model.ln_dens_liq(T))
    if prop == "cp_mol_ig_comp":
        return model.cp_ig(T)
    raise ValueError(f"no hybrid comparison for '{prop}'; choose from {COMPARED_PROPERTIES}")


#: thermo vapour-pressure methods that are not an independent correlation of measured data
#: (CoolProp-derived, or corresponding states from Tc, Pc, omega like the backbone)
EXCLUDED_PSAT_METHODS = frozenset(
    {
        "COOLPROP",
        "HEOS_FIT",
        "AMBROSE_WALTON",
        "LEE_KESLER_PSAT",
        "EDALAT",
        "SANJARI",
        "BOILING_CRITICAL",
    }
)


def chemicals_vapor_pressure(cas: str):
    """The ``chemicals`` vapour-pressure correlation a hybrid is compared with, or None.

    The first method of ``thermo.VaporPressure(CASRN=cas)`` (its default, then its ranked
    methods) that is not in :data:`EXCLUDED_PSAT_METHODS` (e.g. ``WAGNER_MCGARRY``,
    ``ANTOINE_POLING``, ``DIPPR_PERRY_8E``).

    Returns
    -------
    tuple or None
        ``(method, Tmin [K], Tmax [K], psat)`` with ``psat(T)`` [Pa] of a scalar T [K],
        valid only inside ``[Tmin, Tmax]``; None if thermo has no such method.
    """
    from thermo import VaporPressure

    from propkg.ideal_gas_backbone import first_thermo_method

    obj = VaporPressure(CASRN=cas)
    found = first_thermo_method(obj, EXCLUDED_PSAT_METHODS)
    if found is None:
        return None
    method, (lo, hi) = found
    return method, lo, hi, lambda T: obj.calculate(float(T), method)


#: thermo liquid-volume methods that are not an independent correlation of measured data
#: (CoolProp-derived, unfitted corresponding-states estimates like the Rackett backbone, or
#: one constant value)
EXCLUDED_VOLUME_METHODS = frozenset(
    {
        "COOLPROP",
        "HEOS_FIT",
        "MMSNM0",
        "HTCOSTALD",
        "YEN_WOODS_SAT",
        "RACKETT",
        "YAMADA_GUNN",
        "BHIRUD_NORMAL",
        "TOWNSEND_HALES",
        "CAMPBELL_THODOS",
        "EOS",
        "COMMON_CHEMISTRY",
        "CRC_INORG_L_CONST",
    }
)


def chemicals_liquid_density(cas: str):
    """The ``chemicals`` saturated-liquid density correlation a hybrid is compared with, or
    None: as :func:`chemicals_vapor_pressure` with ``thermo.VolumeLiquid`` and
    :data:`EXCLUDED_VOLUME_METHODS`; ``rho(T)`` [mol/m**3] = 1 / V_m."""
    from thermo import VolumeLiquid

    from propkg.ideal_gas_backbone import first_thermo_method

    obj = VolumeLiquid(CASRN=cas)
    found = first_thermo_method(obj, EXCLUDED_VOLUME_METHODS)
    if found is None:
        return None
    method, (lo, hi) = found

    def rho(T):
        v = obj.calculate(float(T), method)
        return 1.0 / v if v else float("nan")

    return method, lo, hi, rho
