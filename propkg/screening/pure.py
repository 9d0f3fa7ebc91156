"""Screening of measured pure-component data (vapour pressure, saturated-liquid density).

Each point gets ``flag`` (``ok`` / ``downweight`` / ``exclude``), a one-line ``reason`` and a
``weight`` in [0, 1]. The reference is a mechanistic backbone (Ambrose-Walton ln Psat,
Rackett ln rho) plus a smooth robust correction fitted in ln(value) vs T:

.. math::
    r_i = \\ln y_i - \\ln y_{backbone}(T_i),\\qquad
    e_i = r_i - \\sum_{k=0}^{3} c_k \\left(\\frac{T_m}{T_i} - 1\\right)^k

(Tukey-biweight fit of the c_k on the rows of non-test publications). Tests, in order:

1. *publication offset*: where at least ``min_overlapping`` (2) other publications measured
   within ``overlap_window`` (3 % in T) of a publication's points, its median e differs from
   theirs (median of one value per publication) by more than
   ``max(k_pub * 1.4826 MAD of their values, floor_pub)`` (needs >= 3 publications) -> the
   whole publication is excluded; the worst is excluded first and the rest are judged again
   without it, then the smooth fit is repeated without the excluded publications. A
   publication is never judged by the others' extrapolation, nor by one other publication
   (which of the two is wrong is then unknown); test publications serve as no reference;
2. *point outlier*: ``|e_i - median(e)| > max(k_point * 1.4826 MAD(e), floor_point)``
   (a transcription error, a digit swap) -> excluded;
3. *conflicting duplicate*: two rows within ``dup_dT`` K whose ln values differ by more
   than ``max(k_point * scale, floor_dup)`` -> the one further from the smooth fit is
   excluded, naming its partner.

Test publications never enter the smooth fit; if the caller passes the model being
evaluated as the reference (``reference_is_model=True``), their points are never flagged
by tests 1-2 (which use it).

References
----------
NIST ThermoData Engine: Diky, V. et al., J. Chem. Inf. Model. 49 (2009) 503 (quality
assessment of measured data before fitting); Hampel (1974) for the MAD scale.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from propkg.screening.robust import (
    DOWNWEIGHT,
    EXCLUDE,
    OK,
    add_reason,
    combine_flag,
    robust_scale,
    tukey_lstsq,
)
from propkg_contract.errors import DataError

T_COL = "temperature [K]"


@dataclass(frozen=True)
class PureScreeningSettings:
    """Thresholds of :func:`screen_pure` (ln units: 0.01 is about 1 %)."""

    k_point: float = 5.0
    floor_point: float = 0.01
    k_pub: float = 4.0
    floor_pub: float = 0.05
    min_publications: int = 3
    overlap_window: float = 0.03
    min_overlapping: int = 2
    dup_dT: float = 0.01
    floor_dup: float = 0.02
    smooth_degree: int = 3
    downweight: float = 0.5


@dataclass
class ScreeningResult:
    """``data``: input copy + ``flag``, ``reason``, ``weight``; ``sets``: per publication."""

    data: object
    sets: object


def _pct(d_ln: float) -> str:
    return f"{100 * np.expm1(d_ln):+.1f} %"


def _local_offset(lnT: np.ndarray, e: np.ndarray, mask: np.ndarray,
                  other_rows: dict[str, np.ndarray], s: PureScreeningSettings):
    """(offset, threshold, n other publications) of the publication of the rows ``mask``,
    or None; ``other_rows``: each other reference publication -> its row indices.

    At each of its points i, every other publication q with points within
    ``|ln T_j - ln T_i| <= overlap_window`` gives one value, the median of those e_j; where
    at least ``min_overlapping`` publications do, the local consensus is the median of their
    values and the local spread their 1.4826 MAD. The offset is the median over the judged
    points of e_i - consensus, the threshold ``max(k_pub * median spread, floor_pub)``.
    None if no point of the publication is judged (no two other publications near its temperatures:
    a disagreement with a single other publication cannot tell which of the two is wrong).
    """
    d, spread, seen = [], [], set()
    for i in np.flatnonzero(mask):
        values, names = [], []
        for q, rows in other_rows.items():
            near = rows[np.abs(lnT[rows] - lnT[i]) <= s.overlap_window]
            if near.size:
                values.append(float(np.median(e[near])))
                names.append(q)
        if len(values) >= s.min_overlapping:
            v = np.array(values)
            d.append(e[i] - float(np.median(v)))
            spread.append(robust_scale(v))
            seen.update(names)
    if not d:
        return None
    return float(np.median(d)), max(s.k_pub * float(np.median(spread)), s.floor_pub), len(seen)


def screen_pure(
    df,
    value_col: str,
    ln_reference: Callable[[np.ndarray], np.ndarray],
    test_sources: Iterable[str] = (),
    reference_is_model: bool = False,
    settings: PureScreeningSettings | None = None,
) -> ScreeningResult:
    """Flag outliers, offset publications and conflicting duplicates of one pure property.

    Parameters
    ----------
    df : pandas.DataFrame
        ``temperature [K]``, ``value_col`` (positive), optional ``source`` (else one set).
    value_col : str
        e.g. ``"pressure [Pa]"`` or ``"dens_mol [mol/m**3]"``.
    ln_reference : callable
        ln of the reference value at T [K] (backbone, or the model being evaluated).
    test_sources : iterable of str
        Publications held out for testing: never fitted; see ``reference_is_model``.
    reference_is_model : bool
        True if ``ln_reference`` is the model being evaluated: then points of test
        publications are never flagged by the tests that use it.

    Returns
    -------
    ScreeningResult
        ``data`` (copy of ``df`` + ``flag``, ``reason``, ``weight``) and ``sets``
        (per publication: points, offset [%], flag).

    Raises
    ------
    DataError
        Missing column, non-finite or non-positive values, fewer than 4 points.
    """
    import pandas as pd

    s = settings or PureScreeningSettings()
    for col in (T_COL, value_col):
        if col not in df.columns:
            raise DataError(f"screening needs a '{col}' column; columns: {list(df.columns)}")
    T = df[T_COL].to_numpy(dtype=float)
    y = df[value_col].to_numpy(dtype=float)
    if not (np.isfinite(T).all() and np.isfinite(y).all() and (T > 0).all() and (y > 0).all()):
        raise DataError(f"'{T_COL}' and '{value_col}' must be finite and positive")
    n = len(T)
    if n < s.smooth_degree + 2:
        raise DataError(f"screening needs >= {s.smooth_degree + 2} points, got {n}")
    sources = (df["source"].astype(str).to_numpy() if "source" in df.columns
               else np.array(["(no source)"] * n))
    is_test = np.isin(sources, list(test_sources))
    protected = is_test if reference_is_model else np.zeros(n, dtype=bool)

    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.log(y) - np.asarray(ln_reference(T), dtype=float)
    if not np.isfinite(r).all():
        raise DataError(f"the reference is not finite at T = {T[~np.isfinite(r)][:3]} K")
    Tm = float(np.median(T))
    X = np.vander(Tm / T - 1.0, s.smooth_degree + 1, increasing=True)
    fit_rows = ~is_test if (~is_test).sum() >= s.smooth_degree + 2 else np.ones(n, dtype=bool)
    fit = tukey_lstsq(X[fit_rows], r[fit_rows], floor=s.floor_point / s.k_point)
    e = r - X @ fit.coef

    flags = [OK] * n
    reasons = [""] * n
    # 1. publication offsets, judged where other publications measured the same temperatures
    uniq = list(dict.fromkeys(sources))
    offsets: dict[str, float] = {}
    pub_excluded = np.zeros(n, dtype=bool)
    if len(uniq) >= s.min_publications:
        references = [src for src in uniq if not is_test[sources == src].any()]
        lnT = np.log(T)
        rows_of = {src: np.flatnonzero(sources == src) for src in uniq}
        done: set[str] = set()
        while True:
            judged = {}
            offsets = {src: offsets[src] for src in done}  # the excluded keep theirs
            for src in uniq:
                mask = (sources == src) & ~pub_excluded
                if src in done or not mask.any():
                    continue
                local = _local_offset(lnT, e, mask,
                                      {q: rows_of[q] for q in references if q != src}, s)
                if local is not None:
                    judged[src] = local
                    offsets[src] = local[0]
            ratios = {src: abs(off) / thr for src, (off, thr, _) in judged.items()
                      if not ((sources == src) & protected).all()}
            if not ratios or max(ratios.values()) <= 1.0:
                break
            worst = max(ratios, key=ratios.get)
            done.add(worst)
            off, thr, n_other = judged[worst]
            mask = (sources == worst) & ~protected
            pub_excluded |= mask
            references = [q for q in references if q != worst]
            for i in np.flatnonzero(mask):
                flags[i] = EXCLUDE
                add_reason(reasons, i, f"publication offset: {worst} lies {_pct(off)} from "
                           f"{n_other} other publications at the same temperatures "
                           f"(threshold {_pct(thr)})")
        if pub_excluded.any():  # the smooth fit without the excluded publications
            keep = fit_rows & ~pub_excluded
            if keep.sum() >= s.smooth_degree + 2:
                fit = tukey_lstsq(X[keep], r[keep], floor=s.floor_point / s.k_point)
                e = r - X @ fit.coef
    # 2. point outliers (against the rows not already excluded as a publication)
    base = ~pub_excluded
    dev = e - float(np.median(e[base]))
    scale = max(robust_scale(dev[base]), s.floor_point / s.k_point)
    thr_point = max(s.k_point * scale, s.floor_point)
    for i in np.flatnonzero((np.abs(dev) > thr_point) & ~protected & base):
        flags[i] = EXCLUDE
        quantity = value_col.split(" [")[0]
        add_reason(reasons, i, f"outlier: {quantity} {_pct(dev[i])} from the smooth fit of all "
                   f"data ({abs(dev[i]) / scale:.0f} robust sigmas, threshold "
                   f"{thr_point / scale:.0f})")
    # 3. conflicting duplicates (same T within dup_dT)
    order = np.argsort(T, kind="stable")
    thr_dup = max(s.k_point * scale, s.floor_dup)
    for a, b in zip(order[:-1], order[1:], strict=True):
        if abs(T[b] - T[a]) <= s.dup_dT and abs(np.log(y[b] / y[a])) > thr_dup:
            worse, other = (a, b) if abs(dev[a]) > abs(dev[b]) else (b, a)
            if protected[worse]:
                continue
            flags[worse] = combine_flag(flags[worse], EXCLUDE)
            add_reason(reasons, worse, f"conflicting duplicate: row {other} at T = "
                       f"{T[other]:.6g} K gives {y[other]:.6g}, this row "
                       f"{_pct(np.log(y[worse] / y[other]))} off")
    weight = np.array([{OK: 1.0, DOWNWEIGHT: s.downweight, EXCLUDE: 0.0}[f] for f in flags])
    out = df.copy()
    out["flag"], out["reason"], out["weight"] = flags, reasons, weight
    rows = []
    for src in uniq:
        m = sources == src
        off = offsets.get(src)
        rows.append({"source": src, "points": int(m.sum()), "test": bool(is_test[m].any()),
                     "offset [%]": np.nan if off is None else 100 * np.expm1(off),
                     "excluded": int((weight[m] == 0).sum())})
    return ScreeningResult(data=out, sets=pd.DataFrame(rows))


def ln_psat_backbone(name_or_cas: str) -> Callable[[np.ndarray], np.ndarray]:
    """ln Psat [Pa] of the Ambrose-Walton backbone with constants from ``chemicals``."""
    from propkg.backbones import ambrose_walton_ln_pr
    from propkg.components import constants_for

    c = constants_for(name_or_cas)
    return lambda T: np.log(c.Pc) + ambrose_walton_ln_pr(np.asarray(T, dtype=float), c.Tc, c.omega)


def ln_density_backbone(name_or_cas: str) -> Callable[[np.ndarray], np.ndarray]:
    """ln rho_liq [mol/m**3] of the Rackett backbone with constants from ``chemicals``."""
    from propkg.backbones import rackett_ln_density
    from propkg.components import constants_for

    c = constants_for(name_or_cas)
    return lambda T: rackett_ln_density(np.asarray(T, dtype=float), c.Tc, c.Pc, c.Zc)


def ln_psat_measured(name_or_cas: str, wheel=None) -> Callable[[np.ndarray], np.ndarray]:
    """ln Psat [Pa]: Ambrose-Walton corrected by the screened ThermoML vapour pressures.

    .. math:: \\ln P^{sat}(T) = \\ln P_{AW}(T) + \\sum_{k=0}^{3} c_k (T_m/\\tilde T - 1)^k,
        \\quad \\tilde T = \\mathrm{clip}(T, T_{min}, T_{max})

    with the c_k fitted (Tukey biweight) to the points :func:`screen_vapor_pressure` keeps;
    the correction is held constant outside the measured range [T_min, T_max]. Falls back
    to the backbone alone when fewer than 8 points are kept or ThermoML has none.
    """
    from propkg.measured import load_pure_vapor_pressure

    base = ln_psat_backbone(name_or_cas)
    try:
        df = load_pure_vapor_pressure(name_or_cas, wheel=wheel)
    except DataError:
        return base
    kept = screen_vapor_pressure(df, name_or_cas).data
    kept = kept[kept["flag"] == OK]
    if len(kept) < 8:
        return base
    T = kept[T_COL].to_numpy(dtype=float)
    r = np.log(kept["pressure [Pa]"].to_numpy(dtype=float)) - base(T)
    Tm, lo, hi = float(np.median(T)), float(T.min()), float(T.max())
    coef = tukey_lstsq(np.vander(Tm / T - 1.0, 4, increasing=True), r, floor=1e-3).coef

    def ln_psat(T):
        x = Tm / np.clip(np.asarray(T, dtype=float), lo, hi) - 1.0
        return base(T) + np.vander(np.atleast_1d(x), 4, increasing=True) @ coef

    return ln_psat


def screen_vapor_pressure(df, name_or_cas: str, test_sources: Iterable[str] = (),
                          ln_psat: Callable | None = None, **kwargs) -> ScreeningResult:
    """:func:`screen_pure` of ``pressure [Pa]`` against the Ambrose-Walton backbone.

    ``ln_psat`` (ln Psat [Pa] of T [K]) replaces the backbone and is then treated as the
    model being evaluated (test publications are not flagged by it).
    """
    ref = ln_psat if ln_psat is not None else ln_psat_backbone(name_or_cas)
    return screen_pure(df, "pressure [Pa]", ref, test_sources, ln_psat is not None, **kwargs)


def screen_liquid_density(df, name_or_cas: str, test_sources: Iterable[str] = (),
                          ln_density: Callable | None = None, **kwargs) -> ScreeningResult:
    """:func:`screen_pure` of ``dens_mol [mol/m**3]`` against the Rackett backbone."""
    ref = ln_density if ln_density is not None else ln_density_backbone(name_or_cas)
    return screen_pure(df, "dens_mol [mol/m**3]", ref, test_sources, ln_density is not None,
                       **kwargs)
