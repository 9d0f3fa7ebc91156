"""Independent reference correlations the zoo report compares each hybrid model with.

Vapour pressure: the method ``thermo.VaporPressure`` ranks first for the CAS number (the
``chemicals`` data: DIPPR/Perry's, Antoine, Wagner coefficients ...), excluding CoolProp
(the data the CoolProp payload is trained on) and the corresponding-states estimates
(the backbone's family), evaluated only inside the method's own temperature limits.
Saturated-liquid density: the same with ``thermo.VolumeLiquid`` (rho = 1 / V_m), excluding
CoolProp, the unfitted corresponding-states estimates (Rackett, COSTALD, ...: the backbone's
family) and single constant values.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: thermo vapour-pressure methods never used as the reference correlation
EXCLUDED_PSAT_METHODS = frozenset({
    "COOLPROP", "HEOS_FIT", "AMBROSE_WALTON", "LEE_KESLER_PSAT", "EDALAT", "SANJARI",
    "BOILING_CRITICAL",
})


#: thermo liquid-volume methods never used as the reference correlation
EXCLUDED_VOLUME_METHODS = frozenset({
    "COOLPROP", "HEOS_FIT", "MMSNM0", "HTCOSTALD", "YEN_WOODS_SAT", "RACKETT", "YAMADA_GUNN",
    "BHIRUD_NORMAL", "TOWNSEND_HALES", "CAMPBELL_THODOS", "EOS", "COMMON_CHEMISTRY",
    "CRC_INORG_L_CONST",
})


def _first_method(obj, excluded: frozenset, transform: Callable[[float], float]):
    for method in [obj.method, *getattr(obj, "ranked_methods", [])]:
        if method is None or method in excluded or method not in obj.all_methods:
            continue
        lo, hi = obj.T_limits[method]
        return (method, float(lo), float(hi),
                lambda T, m=method: transform(obj.calculate(float(T), m)))
    return None


def chemicals_vapor_pressure(cas: str) -> tuple[str, float, float, Callable] | None:
    """(method, T_min [K], T_max [K], Psat(T) [Pa]) of the reference correlation, or None."""
    from thermo import VaporPressure

    return _first_method(VaporPressure(CASRN=cas), EXCLUDED_PSAT_METHODS, float)


def chemicals_liquid_density(cas: str) -> tuple[str, float, float, Callable] | None:
    """(method, T_min [K], T_max [K], rho_L(T) [mol/m**3]) of the reference correlation, or
    None."""
    from thermo import VolumeLiquid

    def rho(v):
        return 1.0 / v if v else float("nan")

    return _first_method(VolumeLiquid(CASRN=cas), EXCLUDED_VOLUME_METHODS, rho)


def reference_psat_aad(
    cas: str, T: np.ndarray, p_ref: np.ndarray
) -> tuple[float | None, str, np.ndarray]:
    """AAD [%] of the reference correlation against ``p_ref`` at ``T`` inside its limits.

    Returns ``(aad, label, used)``: ``used`` marks the points the AAD is over (compare
    other models on the same points); ``aad`` is None when there is no correlation or no
    point lies inside its limits (the label then says why).
    """
    return _reference_aad(chemicals_vapor_pressure(cas), T, p_ref)


def reference_density_aad(
    cas: str, T: np.ndarray, rho_ref: np.ndarray
) -> tuple[float | None, str, np.ndarray]:
    """As :func:`reference_psat_aad`, for saturated-liquid densities [mol/m**3]."""
    return _reference_aad(chemicals_liquid_density(cas), T, rho_ref)


def _reference_aad(found, T, p_ref) -> tuple[float | None, str, np.ndarray]:
    T, p_ref = np.asarray(T, dtype=float), np.asarray(p_ref, dtype=float)
    used = np.zeros(T.size, dtype=bool)
    if found is None:
        return None, "no chemicals correlation", used
    method, lo, hi, correlation = found
    inside = np.flatnonzero((T >= lo) & (T <= hi))
    if not inside.size:
        return None, f"chemicals {method}: no test point in {lo:.1f}-{hi:.1f} K", used
    pred = np.array([correlation(t) for t in T[inside]])
    ok = np.isfinite(pred) & (pred > 0)
    if not ok.any():
        return None, f"chemicals {method}: no finite value", used
    used[inside[ok]] = True
    aad = float(100.0 * np.mean(np.abs(pred[ok] / p_ref[used] - 1.0)))
    return aad, f"chemicals {method} ({int(ok.sum())} of {T.size} test points)", used


def aad_percent(pred, ref) -> float:
    """Average absolute relative deviation, [%]."""
    return float(100.0 * np.mean(np.abs(np.asarray(pred) / np.asarray(ref) - 1.0)))
