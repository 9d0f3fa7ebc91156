"""CoolProp reference data of the transport models: training and held-out temperatures.

- ``visc_d_liq_comp`` [Pa s], ``therm_cond_liq_comp`` [W/m/K]: saturated liquid,
  ``PropsSI('V'|'L', 'T', T, 'Q', 0)``;
- ``surf_tens_comp`` [N/m]: ``PropsSI('I', 'T', T, 'Q', 0)``;
- ``visc_d_vap_comp``, ``therm_cond_vap_comp``: dilute gas, ``PropsSI('V'|'L', 'T', T,
  'Dmolar', 1e-3)`` (a density of 1e-3 mol/m**3, i.e. well below 1 Pa: the zero-density
  limit of CoolProp's correlations, the "low-pressure gas" of an IDAES ideal vapour).

Where CoolProp has no correlation (acetone and ethylene viscosity and conductivity,
cyclohexane conductivity), the fallback reference is ``thermo``'s :data:`FALLBACK_METHOD`
(C. Bell's fits of NIST REFPROP, whose transport correlations those are), over the
method's own temperature limits; :data:`CHECK_METHOD` (DIPPR, Perry's 8th ed.) is an
independent cross-check.

Training uses at most :data:`N_TRAIN` Chebyshev-Lobatto temperatures of an output's
range (ends included); the held-out points are the :data:`N_HELDOUT` midpoints of a
uniform grid over the same range, none of which is a training temperature.
"""

from __future__ import annotations

import numpy as np

from propkg_contract.errors import DataError

#: training points per output (the brief's limit is 12)
N_TRAIN = 12
#: held-out points per output
N_HELDOUT = 40
#: molar density of the dilute-gas reference states [mol/m**3]
DILUTE_DENSITY = 1e-3

#: thermo method used where CoolProp has no correlation, and an independent cross-check
FALLBACK_METHOD = "REFPROP_FIT"
CHECK_METHOD = "DIPPR_PERRY_8E"

_THERMO_CLASSES = {
    "visc_d_liq_comp": "ViscosityLiquid",
    "visc_d_vap_comp": "ViscosityGas",
    "therm_cond_liq_comp": "ThermalConductivityLiquid",
    "therm_cond_vap_comp": "ThermalConductivityGas",
}

_QUERIES = {
    "visc_d_liq_comp": ("V", "Q", 0.0),
    "therm_cond_liq_comp": ("L", "Q", 0.0),
    "surf_tens_comp": ("I", "Q", 0.0),
    "visc_d_vap_comp": ("V", "Dmolar", DILUTE_DENSITY),
    "therm_cond_vap_comp": ("L", "Dmolar", DILUTE_DENSITY),
}


def training_temperatures(domain: tuple[float, float], n: int = N_TRAIN) -> np.ndarray:
    """Chebyshev-Lobatto temperatures of ``domain`` (ends included), [K]."""
    lo, hi = domain
    k = np.arange(n)
    return 0.5 * (lo + hi) - 0.5 * (hi - lo) * np.cos(np.pi * k / (n - 1))


def heldout_temperatures(domain: tuple[float, float], n: int = N_HELDOUT) -> np.ndarray:
    """Midpoints of ``n`` equal intervals of ``domain``, [K] (never a training point)."""
    lo, hi = domain
    edges = np.linspace(lo, hi, n + 1)
    return 0.5 * (edges[1:] + edges[:-1])


def coolprop_t_max(fluid: str) -> float:
    """Upper temperature limit of CoolProp's equation of state for ``fluid``, [K]."""
    from CoolProp.CoolProp import PropsSI

    return float(PropsSI("Tmax", fluid))


def coolprop_missing(fluid: str, output: str, T: float) -> str | None:
    """Why CoolProp cannot give ``output`` of ``fluid`` at T (None if it can)."""
    try:
        coolprop_values(fluid, output, np.array([T]))
    except DataError as exc:
        return str(exc)
    return None


def coolprop_values(fluid: str, output: str, T: np.ndarray) -> np.ndarray:
    """CoolProp's value of a transport ``output`` at each T [K], SI units.

    Raises
    ------
    DataError
        If CoolProp has no correlation for it (the message says which) or returns a
        non-finite value.
    """
    from CoolProp.CoolProp import PropsSI

    if output not in _QUERIES:
        raise DataError(f"unknown transport output '{output}'; known: {sorted(_QUERIES)}")
    key, spec, spec_value = _QUERIES[output]
    out = np.empty(len(T))
    for i, t in enumerate(np.asarray(T, float)):
        try:
            out[i] = PropsSI(key, "T", float(t), spec, spec_value, fluid)
        except ValueError as exc:
            reason = str(exc).split(":")[0].strip()
            raise DataError(f"CoolProp '{fluid}' {output} at {t:.6g} K: {reason}") from None
    if not np.all(np.isfinite(out)) or np.any(out <= 0):
        raise DataError(f"CoolProp '{fluid}' {output}: non-finite or non-positive values")
    return out


def _thermo_object(cas: str, output: str):
    import thermo

    if output not in _THERMO_CLASSES:
        raise DataError(f"thermo has no fallback for transport output '{output}'")
    return getattr(thermo, _THERMO_CLASSES[output])(CASRN=cas)


def thermo_limits(cas: str, output: str, method: str = FALLBACK_METHOD) -> tuple | None:
    """Temperature limits [K] of a ``thermo`` method for ``output`` (None if it has none)."""
    if output not in _THERMO_CLASSES:
        return None
    limits = _thermo_object(cas, output).T_limits.get(method)
    return None if limits is None else (float(limits[0]), float(limits[1]))


def thermo_values(cas: str, output: str, T: np.ndarray, method: str = FALLBACK_METHOD):
    """Values of ``output`` from a ``thermo`` method at each T [K], SI units.

    Raises
    ------
    DataError
        If the method does not exist for the chemical or returns non-finite values.
    """
    obj = _thermo_object(cas, output)
    if method not in obj.all_methods:
        raise DataError(f"thermo has no method {method} for {output} of CAS {cas}")
    out = np.array([obj.calculate(float(t), method) for t in np.asarray(T, float)], float)
    if not np.all(np.isfinite(out)) or np.any(out <= 0):
        raise DataError(f"thermo {method} {output} of CAS {cas}: non-finite or non-positive")
    return out
