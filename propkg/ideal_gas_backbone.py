"""Coefficients of the ideal-gas heat-capacity backbone (Poling form) of any chemical.

The hybrid pure-component models use the Poling polynomial

.. math:: c_p^{ig}/R = a_0 + a_1 T + a_2 T^2 + a_3 T^3 + a_4 T^4

as ideal-gas backbone (closed-form h and s). The coefficients come, in this order, from

1. ``chemicals``' table of Poling et al. (``Cp_data_Poling``, all five coefficients given);
2. ``thermo``'s :class:`~thermo.heat_capacity.HeatCapacityGas` (its default method, or the
   next ranked method whose range spans at least :data:`MIN_SPAN` K; CoolProp and
   Lastovka-Shaw methods excluded), refitted in the Poling form over that method's range
   clipped to [:data:`FIT_LOW`, :data:`FIT_HIGH`] K;
3. the Lastovka-Shaw similarity-variable correlation (needs only the formula),
   :func:`chemicals.heat_capacity.Lastovka_Shaw`, refitted the same way over
   [:data:`FIT_LOW`, :data:`FIT_HIGH`] K.

The refit minimises relative deviations on :data:`N_FIT` points (linear least squares in
scaled temperature, so unique and deterministic); its maximum deviation is recorded.

References
----------
Poling, Prausnitz, O'Connell, The Properties of Gases and Liquids, 5th ed., App. A.
Lastovka, V.; Shaw, J. M. Fluid Phase Equilib. 356 (2013) 338.
"""

from __future__ import annotations

import math

import numpy as np

from propkg_contract.errors import DataError

FIT_LOW = 150.0
FIT_HIGH = 1000.0
MIN_SPAN = 300.0
N_FIT = 200
#: thermo methods never used as backbone (CoolProp-derived, or the correlation of step 3)
EXCLUDED_METHODS = ("COOLPROP", "HEOS_FIT", "LASTOVKA_SHAW")


def _refit_poling(T: np.ndarray, cp: np.ndarray) -> tuple[tuple[float, ...], float]:
    r"""Poling coefficients a0..a4 minimising :math:`\sum_i (c_p^{fit}/c_{p,i} - 1)^2`.

    Returns the coefficients of cp/R and the maximum relative deviation [-].
    """
    from scipy.constants import R

    scale = float(T.max())
    t = T / scale
    basis = np.column_stack([t**k for k in range(5)]) * (R / cp)[:, None]
    coef = np.linalg.lstsq(basis, np.ones_like(T), rcond=None)[0]
    a = tuple(float(coef[k] / scale**k) for k in range(5))
    fitted = R * sum(a[k] * T**k for k in range(5))
    return a, float(np.max(np.abs(fitted / cp - 1.0)))


def first_thermo_method(obj, excluded, limits=(0.0, np.inf), min_span: float = 0.0):
    """First usable method of a ``thermo`` T-dependent property object, or None.

    Walks ``obj.method`` (thermo's default) then ``obj.ranked_methods`` (those available),
    skipping ``excluded`` methods and those whose range clipped to ``limits`` [K] spans
    less than ``min_span`` [K]. Returns ``(method, (Tmin, Tmax))`` with the clipped range.
    """
    ranked = [obj.method] + [m for m in obj.ranked_methods if m in obj.all_methods]
    for method in ranked:
        if method is None or method in excluded:
            continue
        lo, hi = obj.T_limits[method]
        lo, hi = max(float(lo), limits[0]), min(float(hi), limits[1])
        if hi - lo >= min_span:
            return method, (lo, hi)
    return None


def _thermo_method(cas: str):
    """(HeatCapacityGas object, method, (Tmin, Tmax)) of the first usable method, or None."""
    from thermo import HeatCapacityGas

    obj = HeatCapacityGas(CASRN=cas)
    found = first_thermo_method(obj, EXCLUDED_METHODS, (FIT_LOW, FIT_HIGH), MIN_SPAN)
    return None if found is None else (obj, *found)


def lastovka_shaw_cp(T: np.ndarray, cas: str) -> np.ndarray:
    """Lastovka-Shaw ideal-gas cp [J/mol/K] of a chemical from its formula (chemicals)."""
    from chemicals.elements import similarity_variable, simple_formula_parser
    from chemicals.heat_capacity import Lastovka_Shaw
    from chemicals.identifiers import search_chemical

    meta = search_chemical(cas)
    atoms = simple_formula_parser(meta.formula)
    alpha = similarity_variable(atoms, meta.MW)
    return np.array([Lastovka_Shaw(float(t), alpha, False, meta.MW) for t in np.ravel(T)])


def ideal_gas_coefficients(cas: str) -> tuple[tuple[float, ...], dict]:
    """Poling-form coefficients of cp/R of a chemical and a record of where they came from.

    Parameters
    ----------
    cas : str
        CAS number.

    Returns
    -------
    a : tuple of 5 floats
        Coefficients of cp/R, [-, 1/K, 1/K**2, 1/K**3, 1/K**4].
    record : dict
        ``name`` ("Poling", "thermo HeatCapacityGas refit" or "Lastovka-Shaw refit"),
        and for refits the ``method``, ``fit_range_K`` and ``max_refit_deviation``.

    Raises
    ------
    DataError
        If none of the three sources applies (no formula known).
    """
    from chemicals import heat_capacity as hc

    table = hc.Cp_data_Poling
    if cas in table.index:
        row = table.loc[cas]
        a = tuple(float(row[k]) for k in ("a0", "a1", "a2", "a3", "a4"))
        if all(math.isfinite(v) for v in a):
            return a, {"name": "Poling", "source": "chemicals Cp_data_Poling"}
    found = _thermo_method(cas)
    if found is not None:
        obj, method, (lo, hi) = found
        T = np.linspace(lo, hi, N_FIT)
        cp = np.array([obj.calculate(float(t), method) for t in T])
        if np.all(np.isfinite(cp)) and np.all(cp > 0):
            a, dev = _refit_poling(T, cp)
            return a, {
                "name": "thermo HeatCapacityGas refit",
                "method": str(method),
                "fit_range_K": [lo, hi],
                "max_refit_deviation": dev,
                "source": "thermo HeatCapacityGas, refitted in the Poling form",
            }
    try:
        T = np.linspace(FIT_LOW, FIT_HIGH, N_FIT)
        cp = lastovka_shaw_cp(T, cas)
    except Exception as exc:  # chemicals raises for unknown formulas
        raise DataError(
            f"no ideal-gas heat capacity for CAS {cas}: no Poling coefficients, no thermo "
            f"method and no formula for Lastovka-Shaw ({exc})"
        ) from None
    a, dev = _refit_poling(T, cp)
    return a, {
        "name": "Lastovka-Shaw refit",
        "method": "LASTOVKA_SHAW",
        "fit_range_K": [FIT_LOW, FIT_HIGH],
        "max_refit_deviation": dev,
        "source": "chemicals.heat_capacity.Lastovka_Shaw, refitted in the Poling form",
    }
