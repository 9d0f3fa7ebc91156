"""Screening of measured binary bubble points, per data set, in the spirit of NIST TDE's Q_VLE.

A data set is one publication and one type (``isothermal`` / ``isobaric``). Every point is
compared as a bubble pressure at its measured T and x (so both types are treated alike)
with modified Raoult's law and a two-parameter Redlich-Kister g^E:

.. math::
    P = x_1\\gamma_1 P^{sat}_1(T) + x_2\\gamma_2 P^{sat}_2(T),\\quad
    \\ln\\gamma_1 = x_2^2[A + B(3x_1 - x_2)],\\ \\ln\\gamma_2 = x_1^2[A - B(3x_2 - x_1)],

with :math:`A = a_0 + a_1(T_m/T - 1)`, :math:`B = b_0 + b_1(T_m/T - 1)` fitted (robust
soft-L1 loss) to the set itself ("own fit") or to all other non-test sets ("consensus").
Tests, each giving a score in [0, 1] (1 = pass):

- *end points*: points with x1 >= 0.995 (x1 <= 0.005) against Psat of component 1 (2):
  score ``min(1, tol / max|ln P - ln Psat|)``, tol = ``tol_end`` (0.03) for Psat from
  measurements or given by the caller, ``tol_end_backbone`` (0.10) for the Ambrose-Walton
  backbone alone (its error is several %, up to ~30 % for alcohols at low T);
- *swapped order*: the own fit with x mirrored is ``swap_ratio`` times better (rms) than
  the direct one and the direct one is poor (> ``swap_min``) -> score 0 (set excluded);
- *agreement*: median ln-residual of the set against the consensus of the other sets:
  ``min(1, tol_agree / |offset|)``;
- *point outliers*: ``|e - median| > max(k_point * 1.4826 MAD, floor_point)`` of the own
  fit -> those points excluded (no effect on the set's score);
- *infinite dilution* (if measured ln gamma_inf are given, e.g. Brouwer 2021): the own
  fit's ln gamma_inf at x -> 0 and x -> 1 against the median measured value within
  ``inf_dT`` (50) K of the set's median temperature, score
  ``min(1, tol_inf / max|difference|)`` (tol_inf = 0.4: a two-parameter fit extrapolated
  to infinite dilution is rough);
- with vapour compositions ``mole_frac_vap [-]`` (isothermal sets): the Redlich-Kister
  area test ``D = 100 |int ln(g1/g2) dx| / int |ln(g1/g2)| dx``, score ``min(1, 10/D)``,
  and the Van Ness point test, mean |y - y_own fit|, score ``min(1, 0.01/mean)``.

The quality factor Q is the product of the scores; a set's points get ``weight = Q``
(``flag`` ``downweight`` if Q < 1, ``exclude`` and weight 0 if Q < ``q_exclude`` or a
hard test fails). If the Psat functions given are the model being evaluated
(``psat_is_model=True``), sets of ``test_sources`` are never flagged by the end-point test.

References
----------
Redlich, O.; Kister, A. T. Ind. Eng. Chem. 40 (1948) 345 (area test);
Van Ness, H. C.; Byer, S. M.; Gibbs, R. E. AIChE J. 19 (1973) 238 (point test);
Kang, J. W. et al. J. Chem. Eng. Data 55 (2010) 3631 (NIST TDE quality factor Q_VLE).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from propkg.screening.pure import ScreeningResult, ln_psat_backbone, ln_psat_measured
from propkg.screening.robust import DOWNWEIGHT, EXCLUDE, OK, add_reason, robust_scale
from propkg_contract.errors import DataError

T_COL, P_COL, X_COL, Y_COL = ("temperature [K]", "pressure [Pa]", "mole_frac_liq [-]",
                              "mole_frac_vap [-]")


@dataclass(frozen=True)
class BinaryScreeningSettings:
    """Thresholds of :func:`screen_bubble_points` (ln P units: 0.01 is about 1 %)."""

    tol_end: float = 0.03
    tol_end_backbone: float = 0.10
    tol_agree: float = 0.05
    swap_ratio: float = 0.5
    swap_min: float = 0.03
    k_point: float = 5.0
    floor_point: float = 0.02
    area_limit: float = 10.0
    point_limit: float = 0.01
    q_exclude: float = 0.2
    tol_inf: float = 0.4
    inf_dT: float = 50.0


def _ln_gammas(x1, T, p, Tm):
    tt = Tm / T - 1.0
    A = p[0] + p[1] * tt
    B = p[2] + p[3] * tt
    x2 = 1.0 - x1
    return x2**2 * (A + B * (3 * x1 - x2)), x1**2 * (A - B * (3 * x2 - x1))


def _ln_p_calc(x1, T, p, lps1, lps2, Tm):
    g1, g2 = _ln_gammas(x1, T, p, Tm)
    return np.logaddexp(np.log(np.maximum(x1, 1e-300)) + g1 + lps1,
                        np.log(np.maximum(1 - x1, 1e-300)) + g2 + lps2)


def _fit(x1, T, lnP, lps1, lps2, Tm, loss="soft_l1"):
    """Robust (soft-L1) fit of the 4 Redlich-Kister parameters; returns (params, residuals)."""
    from scipy.optimize import least_squares

    n_par = 4 if len(x1) >= 8 and np.ptp(T) > 1.0 else 2
    def res(q):
        p = np.zeros(4)
        p[[0, 2] if n_par == 2 else slice(None)] = q
        return lnP - _ln_p_calc(x1, T, p, lps1, lps2, Tm)

    sol = least_squares(res, np.zeros(n_par), loss=loss, f_scale=0.02, method="trf")
    p = np.zeros(4)
    p[[0, 2] if n_par == 2 else slice(None)] = sol.x
    return p, res(sol.x)


def _rms(e):
    return float(np.sqrt(np.mean(e**2))) if len(e) else 0.0


def _vapour_tests(x1, y1, T, P, lps1, lps2, p_own, Tm, s):
    """(area D [%], point-test mean |dy|) of a set with vapour compositions, NaN if n/a."""
    inner = (x1 > 1e-6) & (x1 < 1 - 1e-6) & (y1 > 1e-6) & (y1 < 1 - 1e-6)
    D = np.nan
    if inner.sum() >= 5 and x1[inner].min() < 0.2 and x1[inner].max() > 0.8:
        xi = x1[inner]
        lr = (np.log(y1[inner] * P[inner] / xi) - lps1[inner]
              - np.log((1 - y1[inner]) * P[inner] / (1 - xi)) + lps2[inner])
        o = np.argsort(xi)
        num = np.trapezoid(lr[o], xi[o])
        den = np.trapezoid(np.abs(lr[o]), xi[o])
        D = 100.0 * abs(num) / den if den > 0 else np.nan
    g1, _ = _ln_gammas(x1, T, p_own, Tm)
    y_calc = x1 * np.exp(g1 + lps1) / np.exp(_ln_p_calc(x1, T, p_own, lps1, lps2, Tm))
    dy = float(np.mean(np.abs(y1 - y_calc)))
    return D, dy


def _infinite_dilution_dev(p_own, xs, Ts, Tm, gamma_inf, dT: float) -> float | None:
    """Largest |ln gamma_inf (own fit) - measured| of the two ends at the set's median T.

    The measured value is the median of the entries within ``dT`` K of that temperature
    (ln gamma_inf varies slowly with T, and a median ignores a minority of wrong entries
    in a compilation). An end is compared only if the set reaches x1 <= 0.1 (x1 >= 0.9)
    there: the own fit is not extrapolated across the whole composition range. None if
    no end can be compared.
    """
    T0 = float(np.median(Ts))
    devs = []
    reached = (xs.min() <= 0.1, xs.max() >= 0.9)
    for end, table, ok in zip((0.0, 1.0), gamma_inf, reached, strict=True):
        if table is None or len(table) == 0 or not ok:
            continue
        near = np.abs(table["temperature [K]"].to_numpy(dtype=float) - T0) <= dT
        if not near.any():
            continue
        measured = float(np.median(table["ln_act_coeff_inf [-]"].to_numpy(dtype=float)[near]))
        g1, g2 = _ln_gammas(np.array([end]), np.array([T0]), p_own, Tm)
        devs.append(abs((g1 if end == 0.0 else g2)[0] - measured))
    return max(devs) if devs else None


def screen_bubble_points(
    df,
    a: str,
    b: str,
    test_sources: Iterable[str] = (),
    psat: tuple[Callable, Callable] | None = None,
    psat_is_model: bool = False,
    settings: BinaryScreeningSettings | None = None,
    gamma_inf: tuple | None = None,
) -> ScreeningResult:
    """Per-set consistency tests and quality factors of binary bubble points.

    Parameters
    ----------
    df : pandas.DataFrame
        ``temperature [K]``, ``pressure [Pa]``, ``mole_frac_liq [-]`` (of ``a``), optional
        ``mole_frac_vap [-]``, ``type`` and ``source`` (as from
        :func:`propkg.measured.load_bubble_points`).
    a, b : str
        The components (name, alias or CAS), ``a`` first.
    test_sources : iterable of str
        Held-out publications: never part of a consensus fit.
    psat : (callable, callable) or {"backbone", "measured"}, optional
        Psat [Pa] of a and b at T [K]; default (``"backbone"``) the Ambrose-Walton backbone;
        ``"measured"``: the backbone corrected by the screened ThermoML vapour pressures of
        each component (:func:`propkg.screening.pure.ln_psat_measured`).
    psat_is_model : bool
        True if ``psat`` is the model being evaluated (test sets then skip the end-point test).
    gamma_inf : (DataFrame or None, DataFrame or None), optional
        Measured ln gamma_inf of ``a`` in ``b`` and of ``b`` in ``a`` (``temperature [K]``,
        ``ln_act_coeff_inf [-]``, e.g. :func:`propkg.measured.load_infinite_dilution`):
        enables the infinite-dilution test.

    Returns
    -------
    ScreeningResult
        ``data`` (copy + ``flag``, ``reason``, ``weight``) and ``sets`` (one row per set with
        each test's value, score and pass, and ``Q``).
    """
    import pandas as pd

    s = settings or BinaryScreeningSettings()
    for col in (T_COL, P_COL, X_COL):
        if col not in df.columns:
            raise DataError(f"screening needs a '{col}' column; columns: {list(df.columns)}")
    T = df[T_COL].to_numpy(dtype=float)
    P = df[P_COL].to_numpy(dtype=float)
    x1 = df[X_COL].to_numpy(dtype=float)
    if not (np.isfinite(T).all() and np.isfinite(P).all() and (T > 0).all() and (P > 0).all()):
        raise DataError(f"'{T_COL}' and '{P_COL}' must be finite and positive")
    if not (np.isfinite(x1).all() and ((x1 >= 0) & (x1 <= 1)).all()):
        raise DataError(f"'{X_COL}' must lie in [0, 1]")
    y1 = df[Y_COL].to_numpy(dtype=float) if Y_COL in df.columns else None
    n = len(T)
    backbone = psat is None or (isinstance(psat, str) and psat == "backbone")
    if backbone:
        la, lb = ln_psat_backbone(a), ln_psat_backbone(b)
    elif isinstance(psat, str) and psat == "measured":
        la, lb = ln_psat_measured(a), ln_psat_measured(b)
    elif isinstance(psat, str):
        raise DataError(f"psat='{psat}' is not understood; give 'backbone', 'measured' or "
                        "two callables")
    else:
        la, lb = (lambda t: np.log(psat[0](t))), (lambda t: np.log(psat[1](t)))
    with np.errstate(invalid="ignore"):
        lps1, lps2 = np.asarray(la(T), dtype=float), np.asarray(lb(T), dtype=float)
    usable = np.isfinite(lps1) & np.isfinite(lps2)
    lnP = np.log(P)
    Tm = float(np.median(T))
    src = df["source"].astype(str).to_numpy() if "source" in df.columns else np.full(n, "(none)")
    typ = df["type"].astype(str).to_numpy() if "type" in df.columns else np.full(n, "")
    keys = [f"{u} {t}".strip() for u, t in zip(src, typ, strict=True)]
    tests = set(test_sources)
    flags, reasons, weight = [OK] * n, [""] * n, np.ones(n)
    key_arr = np.array(keys)
    # pass 1: each set alone (own fit, mirrored fit, point outliers)
    own = {}
    clean = usable.copy()  # rows fit for a consensus: not outliers, not in a swapped set
    for key in dict.fromkeys(keys):
        idx = np.flatnonzero((key_arr == key) & usable)
        if len(idx) < 3:
            for i in np.flatnonzero(key_arr == key):
                add_reason(reasons, i, "set not screened (fewer than 3 points with Psat)")
            clean[idx] = False
            continue
        xs, Ts, ls1, ls2, lP = x1[idx], T[idx], lps1[idx], lps2[idx], lnP[idx]
        p_own, e_own = _fit(xs, Ts, lP, ls1, ls2, Tm)
        _, e_mir = _fit(1 - xs, Ts, lP, ls1, ls2, Tm)
        scale = max(robust_scale(e_own), s.floor_point / s.k_point)
        d = e_own - np.median(e_own)
        outliers = np.abs(d) > max(s.k_point * scale, s.floor_point)
        swapped = (float(np.median(np.abs(ls1 - ls2))) > 0.1 and _rms(e_own) > s.swap_min
                   and _rms(e_mir) < s.swap_ratio * _rms(e_own))
        clean[idx[outliers]] = False
        if swapped:
            clean[idx] = False
        own[key] = (idx, p_own, e_own, e_mir, d, scale, outliers, swapped)
    # pass 2: tests and quality factor of each set
    rows = []
    test_rows = np.isin(src, list(tests))
    for key, (idx, p_own, e_own, e_mir, d, scale, outliers, swapped) in own.items():
        xs, Ts, ls1, ls2, lP = x1[idx], T[idx], lps1[idx], lps2[idx], lnP[idx]
        source = src[idx[0]]
        row = {"set": key, "source": source, "points": len(idx), "test": source in tests,
               "rms_own": _rms(e_own), "rms_mirrored": _rms(e_mir)}
        scores, fails = {}, []
        # end points
        dev = []
        if not (psat_is_model and row["test"]):
            for sel, ls in ((xs >= 0.995, ls1), (xs <= 0.005, ls2)):
                dev += list(np.abs(lP[sel] - ls[sel]))
        if dev:
            row["end_dev"] = float(max(dev))
            tol = s.tol_end_backbone if backbone else s.tol_end
            scores["end"] = min(1.0, tol / max(row["end_dev"], 1e-300))
            if scores["end"] < 1:
                fails.append(f"pure end point {100 * np.expm1(row['end_dev']):.0f} % from Psat")
        if swapped:
            scores["order"] = 0.0
            fails.append(f"swapped component order: fits {row['rms_own'] / row['rms_mirrored']:.0f}"
                         " x better with x mirrored")
        # agreement with the consensus of the other (non-test, clean) sets
        others = clean & (key_arr != key) & ~test_rows
        if others.sum() >= 5 and not swapped:
            p_con, _ = _fit(x1[others], T[others], lnP[others], lps1[others], lps2[others], Tm,
                            loss="cauchy")
            e_con = lP - _ln_p_calc(xs, Ts, p_con, ls1, ls2, Tm)
            row["offset"] = float(np.median(e_con[~outliers]))
            scores["agree"] = min(1.0, s.tol_agree / max(abs(row["offset"]), 1e-300))
            if scores["agree"] < 1:
                fails.append(f"{100 * np.expm1(row['offset']):+.0f} % from the other publications")
        # infinite dilution against independent measurements
        if gamma_inf is not None:
            dev_inf = _infinite_dilution_dev(p_own, xs, Ts, Tm, gamma_inf, s.inf_dT)
            if dev_inf is not None:
                row["inf_dev"] = dev_inf
                scores["inf"] = min(1.0, s.tol_inf / max(dev_inf, 1e-300))
                if scores["inf"] < 1:
                    fails.append(f"ln gamma_inf {dev_inf:.2f} from the measured values")
        # vapour compositions
        if y1 is not None and np.isfinite(y1[idx]).all() and "isobaric" not in key:
            row["area_D"], row["point_dy"] = _vapour_tests(xs, y1[idx], Ts, np.exp(lP), ls1, ls2,
                                                           p_own, Tm, s)
            if np.isfinite(row["area_D"]):
                scores["area"] = min(1.0, s.area_limit / max(row["area_D"], 1e-300))
                if scores["area"] < 1:
                    fails.append(f"area test D = {row['area_D']:.0f} % > {s.area_limit:.0f} %")
            scores["point"] = min(1.0, s.point_limit / max(row["point_dy"], 1e-300))
            if scores["point"] < 1:
                fails.append(f"point test mean |dy| = {row['point_dy']:.3f} > {s.point_limit}")
        Q = float(np.prod(list(scores.values()))) if scores else 1.0
        row.update({f"score_{k}": v for k, v in scores.items()})
        set_flag = EXCLUDE if swapped or Q < s.q_exclude else (DOWNWEIGHT if Q < 1 else OK)
        row.update({"Q": Q, "flag": set_flag, "outliers": int(outliers.sum())})
        text = f"set {key}: Q = {Q:.2f} ({'; '.join(fails)})" if fails else ""
        for i in idx:
            flags[i], weight[i] = set_flag, (0.0 if set_flag == EXCLUDE else Q)
            if text:
                add_reason(reasons, i, text)
        for j in np.flatnonzero(outliers):
            i = idx[j]
            flags[i], weight[i] = EXCLUDE, 0.0
            add_reason(reasons, i, f"outlier: pressure {100 * np.expm1(d[j]):+.1f} % from the "
                       f"set's own fit ({abs(d[j]) / scale:.0f} robust sigmas)")
        rows.append(row)
    for i in np.flatnonzero(~usable):
        add_reason(reasons, i, "not screened: the Psat reference is undefined at this T")
    out = df.copy()
    out["flag"], out["reason"], out["weight"] = flags, reasons, weight
    return ScreeningResult(data=out, sets=pd.DataFrame(rows))
