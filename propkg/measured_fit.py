"""Robust fit of a hybrid pure-component model to measured data from several publications.

Per property column (``pressure_sat_comp``, ``dens_mol_liq_comp``, ``cp_mol_ig_comp``):

1. **split** (:mod:`propkg.holdout`): test publications by the committed rule (or the
   ``role`` column, or k-fold over temperature blocks with < 3 publications);
2. **screen** the points (:func:`screen_points`, :mod:`propkg.screening`): outliers,
   offset publications and conflicting duplicates are excluded, others down-weighted;
3. **weights**: :math:`\\sigma_i = u_i / y_i` (relative standard uncertainty, column
   ``uncertainty_<name>``) or, without uncertainties, the robust scale
   (:func:`robust_sigma`), divided by the screening weight;
4. **select** the network size and L2 penalty (:data:`TANH_SETTINGS`, the backbone alone
   among them) by the mean validation AAD over the validation folds of
   :func:`propkg.holdout.plan_split` (leave-one-publication-out over the training
   publications and extrapolation folds over their temperature range); a vapour-pressure
   setting whose final fit makes ln Psat fall with T anywhere below the critical point
   (:func:`psat_decreasing_at`) is not admissible and the choice is made again without it;
5. **fit** the correction on all training points with the soft-L1 loss

   .. math:: \\min_p \\sum_i 2 f^2 \\left(\\sqrt{1 + (r_i/\\sigma_i f)^2} - 1\\right)
       + \\lambda\\lVert p\\rVert^2, \\qquad r_i = \\ln y_i^{model} - \\ln y_i

   (:func:`scipy.optimize.least_squares`, ``loss='soft_l1'``, ``f_scale`` = :data:`F_SCALE`);
6. **error** on the test publications only (never on training points).

Properties without data keep the backbone (zero correction).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from propkg.components import PureConstants
from propkg.correction import einstein_size, tanh_net_size
from propkg.evaluate import statistics
from propkg.holdout import MIN_PUBLICATIONS, Split, plan_split
from propkg.hybrid import HybridPureModel
from propkg.training import (
    L2_EINSTEIN,
    MIN_POINTS,
    RESTARTS,
    TERMS,
    fit_cp_ig,
    fit_liquid_density,
    fit_vapor_pressure,
    fit_vapour_compressibility,
)
from propkg_contract.errors import DataError

#: points of the grid on which a fitted ln Psat must rise with T (:func:`psat_decreasing_at`)
PSAT_CHECK_POINTS = 400
#: candidate (hidden units, L2 penalty) of the tanh corrections, simplest first; the
#: first is the backbone alone (no correction), chosen when no correction beats its
#: validation AAD by SIMPLICITY_MARGIN; l2 = 1 is a strong penalty (a parameter of one
#: costs as much as a point one sigma off)
TANH_SETTINGS = (
    {"hidden": 0, "backbone": True},
    {"hidden": 0, "l2": 1e-6},
    {"hidden": 1, "l2": 1.0},
    {"hidden": 1, "l2": 1e-2},
    {"hidden": 1, "l2": 1e-5},
    {"hidden": 2, "l2": 1.0},
    {"hidden": 2, "l2": 1e-2},
    {"hidden": 2, "l2": 1e-5},
    {"hidden": 3, "l2": 1e-2},
    {"hidden": 3, "l2": 1e-5},
)
CP_SETTINGS = ({"terms": TERMS, "l2": L2_EINSTEIN},)
LOSS = "soft_l1"
#: soft-L1 transition, in units of sigma
F_SCALE = 2.0
#: a more complex setting must beat the simpler ones' validation AAD by this factor
SIMPLICITY_MARGIN = 1.05
#: restarts of each fit during the selection (the final fit uses training.RESTARTS)
SELECTION_RESTARTS = 2
#: the publication-offset test may exclude at most this fraction of the training
#: publications (see screen_points)
MAX_EXCLUDED_FRACTION = 0.5
#: floor of the robust scale (relative)
SCALE_FLOOR = 1e-3
SIGMA_FLOOR = 1e-6
#: relative scale of the soft-L1 loss of the preliminary (screening) fit
PRELIM_SCALE = 0.01
#: property column -> (model key, settings)
FITTED = {
    "pressure_sat_comp": ("psat", TANH_SETTINGS),
    "dens_mol_liq_comp": ("dens", TANH_SETTINGS),
    "cp_mol_ig_comp": ("cp", CP_SETTINGS),
}


@dataclass
class PropertyData:
    """Measured points of one property.

    Attributes
    ----------
    name : str
        Property column, e.g. ``pressure_sat_comp``.
    T, y : arrays
        Temperatures [K] and values [SI units of the column].
    uncertainty : array or None
        Standard uncertainties of ``y`` [same units]; NaN where not given.
    publication : array of str or None
        Publication of each point (``source`` column).
    role : array of str or None
        ``role`` column of the points.
    """

    name: str
    T: np.ndarray
    y: np.ndarray
    uncertainty: np.ndarray | None = None
    publication: np.ndarray | None = None
    role: np.ndarray | None = None


@dataclass
class PropertyFit:
    """Result of :func:`fit_property`; ``params`` for the chosen ``setting``."""

    name: str
    params: np.ndarray
    setting: dict
    split: Split
    flagged: np.ndarray
    statistics: dict
    fit_seconds: float
    selection: list = field(default_factory=list)
    screening: dict = field(default_factory=dict)


def _model(c: PureConstants, key: str, params: np.ndarray, setting: dict) -> HybridPureModel:
    """A model with only the correction ``key`` set (the others zero)."""
    hidden = setting.get("hidden", 0)
    terms = setting.get("terms", TERMS)
    zeros = np.zeros(tanh_net_size(hidden))
    cp = np.zeros(einstein_size(terms))
    cp[terms:] = np.log(1000.0)
    parts = {"psat": zeros, "dens": zeros, "cp": cp, key: params}
    return HybridPureModel(c, parts["psat"], parts["dens"], parts["cp"], None, hidden, terms)


def predict(c: PureConstants, key: str, params: np.ndarray, setting: dict, T) -> np.ndarray:
    """Prediction [SI] of one property of the model with correction ``params``."""
    m = _model(c, key, params, setting)
    if key == "psat":
        return np.exp(m.ln_psat(T))
    if key == "dens":
        return np.exp(m.ln_dens_liq(T))
    return m.cp_ig(T)


def backbone(c: PureConstants, key: str, T) -> np.ndarray:
    """The backbone alone (zero correction) of one property at T [K]."""
    setting = {"hidden": 0} if key != "cp" else CP_SETTINGS[0]
    size = tanh_net_size(0) if key != "cp" else einstein_size(setting["terms"])
    return predict(c, key, np.zeros(size), setting, T)


def _fit(c, key, T, y, sigma, setting, restarts) -> np.ndarray:
    if setting.get("backbone"):
        return np.zeros(tanh_net_size(setting["hidden"]))
    if key == "cp":
        return fit_cp_ig(c, T, y, setting["terms"])
    fit = fit_vapor_pressure if key == "psat" else fit_liquid_density
    options = {"l2": setting["l2"], "restarts": restarts, "sigma": sigma}
    return fit(c, T, y, setting["hidden"], loss=LOSS, f_scale=F_SCALE, **options)


def screen_points(
    c: PureConstants, data: PropertyData, rows: np.ndarray
) -> tuple[np.ndarray, list]:
    """Screening weights in [0, 1] and reasons of the points ``rows`` (the training points).

    A weight 0 excludes the point, 0.5 down-weights it; reasons are one line each. Only
    the training points are screened, so test publications influence nothing.

    Vapour pressure and liquid density: :func:`propkg.screening.screen_pure` against the
    backbone (publication offsets, point outliers, conflicting duplicates). If its
    publication-offset test would exclude more than :data:`MAX_EXCLUDED_FRACTION` of the
    publications (the "consensus" is then no consensus), or fewer than :data:`MIN_POINTS`
    points would be left, it is re-run without the publication-offset test.
    Ideal-gas cp: not screened (weight 1).
    """
    import pandas as pd

    from propkg.screening import PureScreeningSettings, screen_pure

    weight, reasons = np.ones(data.T.size), [""] * data.T.size
    key = FITTED[data.name][0]
    if key == "cp":
        return weight, reasons
    frame = {"temperature [K]": data.T[rows], "value": data.y[rows]}
    if data.publication is not None:
        frame["source"] = data.publication[rows]
    frame = pd.DataFrame(frame)

    def ln_reference(T):
        return np.log(backbone(c, key, T))

    result = screen_pure(frame, "value", ln_reference)
    by_offset = result.data["reason"].str.startswith("publication offset").to_numpy()
    n_pubs = frame["source"].nunique() if "source" in frame else 1
    excluded_pubs = frame["source"][by_offset].nunique() if "source" in frame else 0
    if (excluded_pubs > MAX_EXCLUDED_FRACTION * n_pubs
            or (result.data["weight"].to_numpy() > 0).sum() < MIN_POINTS):
        no_offsets = PureScreeningSettings(min_publications=np.iinfo(np.int32).max)
        result = screen_pure(frame, "value", ln_reference, settings=no_offsets)
    weight[rows] = result.data["weight"].to_numpy(dtype=float)
    for i, reason in zip(np.flatnonzero(rows), result.data["reason"], strict=True):
        reasons[i] = reason
    return weight, reasons


def robust_sigma(c: PureConstants, key: str, T, y) -> float:
    """Relative scale of the points without uncertainty: 1.4826 MAD of ln residuals.

    The residuals are those of a preliminary two-unit tanh correction (weak penalty,
    soft-L1 loss with a scale of :data:`PRELIM_SCALE`); at least :data:`SCALE_FLOOR`.
    """
    from propkg.screening.robust import robust_scale

    if key == "cp":
        pred = predict(c, key, fit_cp_ig(c, T, y), CP_SETTINGS[0], T)
    else:
        fit = fit_vapor_pressure if key == "psat" else fit_liquid_density
        sigma = np.full(T.size, PRELIM_SCALE)
        prelim = fit(c, T, y, 2, l2=1e-6, restarts=1, sigma=sigma, loss=LOSS, f_scale=1.0)
        pred = predict(c, key, prelim, {"hidden": 2}, T)
    return max(robust_scale(np.log(pred) - np.log(y)), SCALE_FLOOR)


def _aad(pred, ref) -> float:
    return float(100.0 * np.mean(np.abs(pred / ref - 1.0)))


def fit_property(
    c: PureConstants, data: PropertyData, say: Callable[[str], None] = lambda _m: None,
    min_publications: int = MIN_PUBLICATIONS,
) -> PropertyFit:
    """Split, screen, select, fit and evaluate one property (module docstring, steps 1-6).

    ``min_publications=2`` opts in to the two-publication split of :mod:`propkg.holdout`.
    """
    key, settings = FITTED[data.name]
    T, y = data.T, data.y
    split = plan_split(T, data.publication, data.role, min_publications)
    train = ~split.test
    if train.sum() < MIN_POINTS:
        raise DataError(
            f"{c.name} {data.name}: {int(train.sum())} training points after holding out "
            f"the test publications, at least {MIN_POINTS} are needed"
        )
    weight, reasons = screen_points(c, data, train)
    flagged = train & (weight == 0.0)
    if flagged.any():
        say(f"screening excluded {int(flagged.sum())} of {int(train.sum())} training points")
    use = train & ~flagged
    sigma = np.full(T.size, robust_sigma(c, key, T[use], y[use]))
    if data.uncertainty is not None:
        rel = data.uncertainty / np.abs(y)
        sigma = np.where(np.isfinite(rel), np.maximum(rel, SIGMA_FLOOR), sigma)
    sigma = sigma / np.where(weight > 0, weight, 1.0)  # down-weighted points: larger sigma
    selection, candidates = [], []
    for setting in settings if len(settings) > 1 else ():
        scores, oof = [], np.full(T.size, np.nan)
        for fold in split.folds:
            fit_rows = use & ~fold
            if fit_rows.sum() < MIN_POINTS or not (fold & use).any():
                continue
            p = _fit(c, key, T[fit_rows], y[fit_rows], sigma[fit_rows], setting, 2)
            oof[fold] = predict(c, key, p, setting, T[fold])
            scores.append(_aad(oof[fold & use], y[fold & use]))
        score = float(np.mean(scores)) if scores else np.inf
        selection.append({**setting, "validation_aad_percent": score})
        candidates.append((score, setting, oof, selection[-1]))
    seconds = 0.0
    while True:
        oof_best = _simplest_within_margin(candidates)
        setting = settings[0] if oof_best is None or not np.isfinite(oof_best[0]) \
            else oof_best[1]
        say(f"fitting {data.name} of {c.name} on {int(use.sum())} points, setting {setting} ...")
        start = time.perf_counter()
        params = _fit(c, key, T[use], y[use], sigma[use], setting, RESTARTS)
        seconds += time.perf_counter() - start
        falling = psat_decreasing_at(c, params, setting, T[use].min()) if key == "psat" \
            else None
        if falling is None:
            break
        # ln Psat must rise with T below Tc (dh_vap > 0): the setting is not admissible
        say(f"  {setting}: ln Psat falls with T at {falling:.1f} K; setting rejected")
        chosen = next((cand for cand in candidates if cand[1] is setting), None)
        if chosen is None:  # the backbone fallback: cannot fall with sound constants
            raise DataError(f"{c.name}: the vapour-pressure backbone falls with T at "
                            f"{falling:.1f} K; check Tc, Pc and omega")
        chosen[3]["rejected"] = (
            f"ln Psat of the final fit falls with T at {falling:.1f} K (dh_vap < 0)")
        candidates.remove(chosen)
    say(f"  final fit in {seconds:.2f} s")
    stats = _held_out_statistics(c, key, data, split, params, setting, oof_best)
    kinds = [r.split(":")[0] for r, f in zip(reasons, flagged, strict=True) if f]
    screening = {k: kinds.count(k) for k in sorted(set(kinds))}
    return PropertyFit(
        data.name, params, setting, split, flagged, stats, seconds, selection, screening
    )


def _simplest_within_margin(candidates: list[tuple]) -> tuple | None:
    """The chosen ``(score, setting, oof, selection record)``: in the candidates' order
    (simplest first), a later one replaces the current choice only when its validation
    score is below the choice's by more than :data:`SIMPLICITY_MARGIN`."""
    best = None
    for cand in candidates:
        if best is None or cand[0] < best[0] / SIMPLICITY_MARGIN:
            best = cand
    return best


def psat_decreasing_at(c: PureConstants, params: np.ndarray, setting: dict,
                       t_data_low: float, n: int = PSAT_CHECK_POINTS) -> float | None:
    """The lowest temperature [K] where the fitted ln Psat falls with T, or None.

    Checked on ``n`` points of :func:`propkg.hybrid.psat_check_temperatures`:
    Clausius-Clapeyron, d ln Psat/dT = dh_vap/(R T^2 dZ), requires a rising Psat wherever
    the liquid exists; a tanh correction fitted on a narrow range can turn it over outside
    that range (camphene, fitted on 357-433 K, had Psat = 9e8 Pa at 500 K).
    """
    from propkg.hybrid import psat_check_temperatures

    T = psat_check_temperatures(t_data_low, c.Ttriple, c.Tc, n)
    ln_p = np.log(predict(c, "psat", params, setting, T))
    falling = np.flatnonzero(np.diff(ln_p) <= 0.0)
    return float(T[falling[0]]) if falling.size else None


def _held_out_statistics(c, key, data, split, params, setting, oof_best) -> dict:
    """Error of the model on the test publications (or the k-fold out-of-fold error)."""
    if not split.k_fold:
        rows = split.test
        pred = predict(c, key, params, setting, data.T[rows])
    else:
        if oof_best is None or oof_best[1] != setting:
            # a single setting (cp): out-of-fold predictions of that setting
            oof = np.full(data.T.size, np.nan)
            for fold in split.folds:
                if (~fold).sum() >= MIN_POINTS:
                    p = _fit(c, key, data.T[~fold], data.y[~fold], None, setting, 2)
                    oof[fold] = predict(c, key, p, setting, data.T[fold])
        else:
            oof = oof_best[2]
        rows = np.isfinite(oof)
        pred = oof[rows]
    ref = data.y[rows]
    stats = statistics(pred, ref, data.name)
    stats["median_percent"] = float(100.0 * np.median(np.abs(pred / ref - 1.0)))
    stats["held_out"] = split.label
    stats["backbone_aad_percent"] = _aad(backbone(c, key, data.T[rows]), ref)
    if split.test_publications:
        stats["test_publications"] = split.test_publications
    return stats


def training_record(data: dict[str, PropertyData], fits: dict[str, PropertyFit], source: str,
                    sha256: str | dict[str, str], dropped: dict[str, str] | None = None) -> dict:
    """``training_data`` metadata of a measured fit: data hash (of the file, or per
    property of its points) and source, points fitted, loss, and per property its
    screening, split and chosen settings.

    ``properties_without_data`` lists the fitted properties (:data:`FITTED`) whose output
    is the backbone alone: no data, or a correction ``dropped`` (property -> reason,
    recorded under ``corrections_dropped``).
    """
    dropped = dropped or {}
    record = {
        "sha256": sha256,
        "source": source,
        "n_points": {},
        "loss": f"{LOSS}, f_scale = {F_SCALE} sigma (sigma = relative standard uncertainty "
        "or the robust scale of the screening residuals)",
        "screening": {},
        "split": {},
        "settings": {},
        "properties_without_data": [k for k in FITTED if k not in fits or k in dropped],
        "notes": "properties without data keep the backbone (zero correction); "
        "enth/entr_mol_ig_comp follow cp_mol_ig_comp, dh_vap_mol_comp is derived",
    }
    if dropped:
        record["corrections_dropped"] = dict(dropped)
    for name, f in fits.items():
        train = ~f.split.test
        record["n_points"][name] = int((train & ~f.flagged).sum())
        record["screening"][name] = {
            "n_flagged": int(f.flagged.sum()),
            "excluded_by_reason": f.screening,
            "rule": "propkg.screening.screen_pure against the backbone (publication offsets, "
            "point outliers, conflicting duplicates); test publications not fitted",
        }
        record["split"][name] = {
            "held_out": f.split.label,
            "n_test_points": int(f.split.test.sum()),
            "test_publications": f.split.test_publications,
            "n_validation_folds": len(f.split.folds),
            "rule": "propkg.holdout",
        }
        record["settings"][name] = {"chosen": f.setting, "candidates": f.selection}
        if data[name].publication is not None:
            record["split"][name]["n_publications"] = len(set(data[name].publication.tolist()))
    return record


def pad_tanh(params: np.ndarray, hidden: int, to: int) -> np.ndarray:
    """Parameters of a tanh net with ``hidden`` units written as one with ``to`` units.

    The extra units get zero amplitude, weight and bias, so the function is unchanged.
    """
    p = np.asarray(params, dtype=float)
    pad = np.zeros(to - hidden)
    a, w, b = p[1 : 1 + hidden], p[1 + hidden : 1 + 2 * hidden], p[1 + 2 * hidden :]
    return np.concatenate([p[:1], a, pad, w, pad, b, pad])


def fit_measured(
    c: PureConstants,
    data: dict[str, PropertyData],
    progress: Callable[[str], None] | None = None,
    min_publications: int = MIN_PUBLICATIONS,
) -> tuple[HybridPureModel, dict[str, PropertyFit]]:
    """Fit every property present in ``data`` and assemble one hybrid model.

    The tanh corrections of different properties may select different sizes; they are
    padded (:func:`pad_tanh`) to the largest. A ``dens_mol_vap_comp`` column, with
    ``pressure_sat_comp`` at the same temperatures, fits the vapour-compressibility
    correction (plain least squares, no selection) on the training rows of both.
    ``min_publications=2`` opts in to the two-publication split of :mod:`propkg.holdout`.
    """
    say = progress or (lambda _msg: None)
    fits = {name: fit_property(c, d, say, min_publications) for name, d in data.items()
            if name in FITTED}
    hidden = max([f.setting.get("hidden", 1) for f in fits.values() if "hidden" in f.setting] + [1])
    params = {"psat": np.zeros(tanh_net_size(hidden)), "dens": np.zeros(tanh_net_size(hidden))}
    params["cp"] = np.zeros(einstein_size(TERMS))
    params["cp"][TERMS:] = np.log(1000.0)
    for f in fits.values():
        key = FITTED[f.name][0]
        params[key] = f.params if key == "cp" else pad_tanh(f.params, f.setting["hidden"], hidden)
    zvap = None
    if "dens_mol_vap_comp" in data and "pressure_sat_comp" in data:
        vap, sat = data["dens_mol_vap_comp"], data["pressure_sat_comp"]
        psat_split = fits["pressure_sat_comp"].split
        train_vap = ~plan_split(vap.T, vap.publication, vap.role, min_publications).test
        if vap.publication is not None:  # never a test publication of Psat either
            train_vap &= ~np.isin(vap.publication, psat_split.test_publications)
        train_sat = ~psat_split.test
        common, i_vap, i_sat = np.intersect1d(
            vap.T[train_vap], sat.T[train_sat], return_indices=True
        )
        i_vap = np.flatnonzero(train_vap)[i_vap]
        i_sat = np.flatnonzero(train_sat)[i_sat]
        if common.size >= MIN_POINTS:
            say(f"fitting dens_mol_vap_comp of {c.name} on {common.size} points ...")
            zvap = fit_vapour_compressibility(c, common, sat.y[i_sat], vap.y[i_vap], hidden)
    model = HybridPureModel(c, params["psat"], params["dens"], params["cp"], zvap, hidden, TERMS)
    model.info["fit_seconds"] = {name: f.fit_seconds for name, f in fits.items()}
    return model, fits
