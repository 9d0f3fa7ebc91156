"""Synthetic measured data with planted errors, to measure what screening catches.

Clean data come from the backbones plus noise: vapour pressures from Ambrose-Walton times
a smooth factor, bubble points from modified Raoult's law with a Redlich-Kister g^E
(isotherms with pure end points, and isobars solved for T). The planted errors are the
usual faults of compiled data: a publication shifted by a constant factor, a set with the
component order swapped, a transcription error (two adjacent leading digits swapped),
a duplicate row with a conflicting value. Used by ``tests/test_screening.py`` and
``validation/screening.py``.
"""

from __future__ import annotations

import numpy as np

from propkg.screening.binary import _ln_gammas, _ln_p_calc
from propkg.screening.pure import ln_psat_backbone

#: Redlich-Kister parameters (A, dA, B, dB) of the synthetic mixture
RK_DEFAULT = (1.4, 0.0, 0.3, 0.0)
T_MID = 340.0  # reference temperature of the RK temperature terms, [K]


def digit_swap(value: float, min_change: float = 0.03) -> float:
    """Swap two adjacent leading digits of ``value`` (6 significant digits) so it moves.

    The first of the pairs (1st, 2nd), (2nd, 3rd), (3rd, 4th) digits that changes the
    value by more than ``min_change`` (in ln) is swapped; e.g. 48213.7 -> 84213.7.
    """
    text = f"{value:.6g}"
    pos = [i for i, ch in enumerate(text) if ch.isdigit()]
    for i, j in zip(pos[:3], pos[1:4], strict=False):
        chars = list(text)
        chars[i], chars[j] = chars[j], chars[i]
        new = float("".join(chars))
        if new > 0 and abs(np.log(new / value)) > min_change:
            return new
    raise ValueError(f"no swap of two leading digits of {text} changes it by > {min_change}")


def _pick_swappable(rng, values, candidates) -> int:
    """A random candidate row whose value :func:`digit_swap` can move."""
    for i in rng.permutation(candidates):
        try:
            digit_swap(float(values[i]))
        except ValueError:
            continue
        return int(i)
    raise ValueError("no row can take a digit swap")


def vapor_pressure_sets(name: str, seed: int, n_pub: int = 6, n_per: int = 12,
                        T_range: tuple[float, float] = (300.0, 520.0), noise: float = 0.003):
    """Clean vapour pressures of ``n_pub`` publications (sources ``10.9999/pub<k>``).

    ln P = ln P_AW(T) + 0.03 (T/500 - 1) + noise * N(0, 1).
    """
    import pandas as pd

    rng = np.random.default_rng(seed)
    ln_ref = ln_psat_backbone(name)
    frames = []
    for k in range(n_pub):
        T = np.sort(rng.uniform(*T_range, n_per))
        lnP = ln_ref(T) + 0.03 * (T / 500.0 - 1) + noise * rng.standard_normal(n_per)
        frames.append(pd.DataFrame({"temperature [K]": T, "pressure [Pa]": np.exp(lnP),
                                    "source": f"10.9999/pub{k}"}))
    return pd.concat(frames, ignore_index=True)


def plant_pure_errors(df, seed: int, shift: float = 1.08, dup_factor: float = 1.06,
                      value_col: str = "pressure [Pa]"):
    """Plant a shifted publication (``10.9999/pub1`` times ``shift``), a digit swap and a
    conflicting duplicate (a copied row times ``dup_factor``, appended last).

    Returns ``(data, planted)`` with ``planted`` = row indices of each error.
    """
    import pandas as pd

    rng = np.random.default_rng(1000 + seed)
    df = df.copy()
    shifted = (df["source"] == "10.9999/pub1").to_numpy()
    df.loc[shifted, value_col] *= shift
    outlier = _pick_swappable(rng, df[value_col].to_numpy(), np.flatnonzero(~shifted))
    df.loc[outlier, value_col] = digit_swap(float(df.loc[outlier, value_col]))
    original = int(rng.choice([i for i in np.flatnonzero(~shifted) if i != outlier]))
    dup = df.loc[[original]].assign(**{value_col: df.loc[original, value_col] * dup_factor})
    df = pd.concat([df, dup], ignore_index=True)
    return df, {"shifted": np.flatnonzero(shifted), "outlier": outlier,
                "duplicate": len(df) - 1, "duplicated": original}


def _bubble_T(x1: float, P: float, la, lb, rk, T_hi: float) -> float:
    from scipy.optimize import brentq

    def f(T):
        t = np.array([T])
        return float(_ln_p_calc(np.array([x1]), t, rk, la(t), lb(t), T_MID)[0]) - np.log(P)

    return brentq(f, 0.3 * T_hi, 0.999 * T_hi)


def bubble_point_sets(a: str, b: str, seed: int, vapour: bool = False,
                      rk=RK_DEFAULT, noise: float = 0.003):
    """Clean bubble points: 3 isotherms (310, 330, 350 K; x = 0, 0.1, ..., 1; sources
    ``10.9999/iso<k>``) and, unless ``vapour``, 3 isobars (50, 101.325, 200 kPa; 10 random
    x; ``10.9999/bar<k>``). With ``vapour`` the isotherms carry ``mole_frac_vap [-]``.
    """
    import pandas as pd

    rng = np.random.default_rng(seed)
    rk = np.asarray(rk, dtype=float)
    from propkg.components import constants_for

    la, lb = ln_psat_backbone(a), ln_psat_backbone(b)
    T_hi = min(constants_for(a).Tc, constants_for(b).Tc)
    frames = []
    for k, T0 in enumerate((310.0, 330.0, 350.0)):
        x = np.linspace(0.0, 1.0, 11)
        frames.append(pd.DataFrame({"temperature [K]": np.full(11, T0), "mole_frac_liq [-]": x,
                                    "type": "isothermal", "source": f"10.9999/iso{k}"}))
    if not vapour:
        for k, P in enumerate((50e3, 101325.0, 200e3)):
            x = np.sort(rng.uniform(0.02, 0.98, 10))
            T = np.array([_bubble_T(xi, P, la, lb, rk, T_hi) for xi in x])
            frames.append(pd.DataFrame({"temperature [K]": T, "mole_frac_liq [-]": x,
                                        "type": "isobaric", "source": f"10.9999/bar{k}"}))
    df = pd.concat(frames, ignore_index=True)
    T, x = df["temperature [K]"].to_numpy(), df["mole_frac_liq [-]"].to_numpy()
    lnP = _ln_p_calc(x, T, rk, la(T), lb(T), T_MID)
    df["pressure [Pa]"] = np.exp(lnP + noise * rng.standard_normal(len(df)))
    if vapour:
        g1, _ = _ln_gammas(x, T, rk, T_MID)
        y = np.clip(x * np.exp(g1 + la(T) - lnP) + 0.002 * rng.standard_normal(len(df)), 0, 1)
        y[x == 0], y[x == 1] = 0.0, 1.0
        df["mole_frac_vap [-]"] = y
    return df


def plant_binary_errors(df, seed: int, shift: float = 1.15):
    """Swap the component order of ``10.9999/iso1``, shift ``10.9999/bar1`` by ``shift`` and
    digit-swap one inner point of ``10.9999/iso2``. Returns ``(data, planted)``."""
    df = df.copy()
    swapped = (df["source"] == "10.9999/iso1").to_numpy()
    shifted = (df["source"] == "10.9999/bar1").to_numpy()
    df.loc[swapped, "mole_frac_liq [-]"] = 1 - df.loc[swapped, "mole_frac_liq [-]"]
    df.loc[shifted, "pressure [Pa]"] *= shift
    rng = np.random.default_rng(seed)
    inner = (df["source"] == "10.9999/iso2") & df["mole_frac_liq [-]"].between(0.05, 0.95)
    outlier = _pick_swappable(rng, df["pressure [Pa]"].to_numpy(), np.flatnonzero(inner.to_numpy()))
    df.loc[outlier, "pressure [Pa]"] = digit_swap(float(df.loc[outlier, "pressure [Pa]"]))
    return df, {"swapped": swapped, "shifted": shifted, "outlier": outlier}
