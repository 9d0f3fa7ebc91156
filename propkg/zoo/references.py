"""Independent reference correlations the zoo report compares each hybrid model with.

Vapour pressure: the method ``thermo.VaporPressure`` ranks first for the CAS number (the
``chemicals`` data: DIPPR/Perry's, Antoine, Wagner coefficients ...), excluding CoolProp
(the data the CoolProp payload is trained on) and the corresponding-states estimates
(the backbone's family), evaluated only inside the method's own temperature limits.
Saturated-liquid density: the same with ``thermo.VolumeLiquid`` (rho = 1 / V_m), excluding
CoolProp, the unfitted corresponding-states estimates (Rackett, COSTALD, ...: the backbone's
family) and single constant values. The correlations: :mod:`propkg.reference_models`.
"""

from __future__ import annotations

import numpy as np

from propkg.reference_models import chemicals_liquid_density, chemicals_vapor_pressure


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
