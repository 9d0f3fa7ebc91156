r"""Fit a binary's hybrid g^E to measured bubble points, with settings chosen by publication.

Procedure (:func:`fit_measured_pair`):

1. The test publications are set aside by the committed rule
   :func:`propkg.mixtures.bubble_data.test_publications`; nothing below sees them.
2. Every setting (each available backbone alone, and backbone x :data:`NETWORK_GRID`
   hidden units and regularisation) is scored by leave-one-publication-out on the other
   publications: each fold zeroes the weights of one publication, refits (warm start from
   the fit on all of them) and records the bubble-pressure AAD on it; the score is the
   mean over folds weighted by their screening weight. With more than :data:`MAX_FOLDS`
   fitting publications, folds are groups of whole publications
   (:func:`publication_folds`), to keep a fit under 30 s.
3. The setting with the lowest score is refitted on all fitting publications from several
   starts; the result is the shipped hybrid.
4. Bubble-pressure AAD and mean signed deviation on the test publications are computed for
   the hybrid and for each backbone alone.

Point weights: screening weight of the point divided by :math:`\sqrt{n_{pub}}` (the number of
points of its publication), so that one large publication does not outweigh many small
ones.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import casadi as ca
import numpy as np

from propkg.mixtures.backbones import BACKBONES, Backbone
from propkg.mixtures.bubble_data import BubblePoints, test_publications
from propkg.mixtures.excess import binary_excess_function, evaluate
from propkg.mixtures.hybrid_ge import HybridExcessGibbs, bubble_point
from propkg.mixtures.robust_fit import RobustBubbleFit, starting_points
from propkg_contract.errors import DataError, SolverError

#: (n_hidden, regularisation) pairs tried on each available backbone
NETWORK_GRID = ((0, 1e-6), (1, 1e-6), (2, 1e-5))
#: at most this many folds; with more fitting publications, whole publications are grouped
MAX_FOLDS = 6
#: fewest fitting publications for leave-one-publication-out; below, the default is used
MIN_FIT_PUBLICATIONS = 2
DEFAULT_SETTING = ("unifac", 0, 1e-6)


def bubble_pressure_errors(fun: ca.Function, points: BubblePoints) -> dict:
    """Bubble-pressure errors of a g^E function on points (modified Raoult, ideal vapour).

    Returns ``{aad_percent, mean_signed_percent, max_percent, n_points, n_publications}``
    with the deviations :math:`100 (P_{model}/P - 1)`.
    """
    _, l1, l2 = evaluate(fun, points.T, points.x1)
    P, _ = bubble_point(l1, l2, points.x1, points.psat1, points.psat2)
    dev = 100.0 * (P / points.P - 1.0)
    return {"aad_percent": float(np.mean(np.abs(dev))), "mean_signed_percent": float(dev.mean()),
            "max_percent": float(np.max(np.abs(dev))), "n_points": int(dev.size),
            "n_publications": len(points.publications())}


def drop_duplicates(points: BubblePoints) -> BubblePoints:
    """Drop points repeated in a later publication (same T to 1 mK, P to 1 Pa, x to 1e-5;
    publications in sorted order): ThermoML holds some data sets twice under two DOIs, and
    a copy in another publication would make leave-one-publication-out see its own data."""
    seen, keep = set(), np.zeros(len(points), bool)
    order = np.lexsort((np.arange(len(points)), points.source))
    for i in order:
        key = (round(points.T[i], 3), round(points.P[i]), round(points.x1[i], 5))
        if key not in seen:
            seen.add(key)
            keep[i] = True
    return points.subset(keep)


def prepare_points(pair: tuple[str, str], raw: BubblePoints, psat1, psat2,
                   screen: bool = True) -> tuple[BubblePoints, list]:
    """Mixture points with Psat and screening weights, and the screening table.

    Parameters
    ----------
    raw : BubblePoints
        All points of the pair, pure end points included (:func:`read_bubble_csv`,
        :func:`points_from_frame`); their own ``weight`` multiplies the screening weight.
    psat1, psat2 : callable
        Saturation pressures [Pa] of the components at T [K] (:class:`PurePsat`).
    screen : bool
        Apply :func:`propkg.mixtures.bubble_screening.screen_publications` (backbone:
        Dortmund UNIFAC, else NRTL).
    """
    from propkg.mixtures.bubble_screening import screen_publications

    raw = drop_duplicates(raw).with_psat(psat1, psat2)
    points = raw.subset(raw.mixture)
    if not screen:
        return points, []
    kind = "unifac"
    try:
        bb = Backbone.for_pair(kind, pair)
    except DataError:
        bb = Backbone.for_pair("nrtl", pair)
    weights, table = screen_publications(raw, binary_excess_function(bb.gibbs_excess_rt))
    points.weight = points.weight * weights
    return points, table


def publication_weights(points: BubblePoints) -> np.ndarray:
    """Screening weight over :math:`\\sqrt{n_{pub}}`, normalised to mean 1."""
    counts = {p: np.sum(points.source == p) for p in points.publications()}
    w = points.weight / np.sqrt([counts[s] for s in points.source])
    return w / w.mean()


@dataclass
class MeasuredFit:
    """Result of :func:`fit_measured_pair`.

    Attributes
    ----------
    pair : tuple of str
        Component names in model order.
    points : BubblePoints
        All points (with Psat).
    test_sources : list of str
        Held-out publications.
    hybrid : HybridExcessGibbs
        Final model (trained on all but the test publications).
    backbones : dict of str -> Backbone
    selection : list of dict
        Leave-one-publication-out score of every setting tried.
    stability_T : (float, float) or None
        Temperature range of the stability constraints, [K].
    fit_seconds : float
        Wall time of selection and final fit, [s].
    fit_cpu_seconds : float
        CPU time of this process for the same, [s].
    """

    pair: tuple[str, str]
    points: BubblePoints
    test_sources: list[str]
    hybrid: HybridExcessGibbs
    backbones: dict[str, Backbone]
    selection: list[dict]
    stability_T: tuple[float, float] | None
    fit_seconds: float
    fit_cpu_seconds: float = float("nan")
    _functions: dict = field(default_factory=dict, repr=False)

    @property
    def test_mask(self) -> np.ndarray:
        """True for points of the test publications."""
        return np.isin(self.points.source, self.test_sources)

    def function(self, model: str) -> ca.Function:
        """g^E function of ``"hybrid"`` or a backbone kind (cached)."""
        if model not in self._functions:
            self._functions[model] = (self.hybrid.function() if model == "hybrid" else
                                      binary_excess_function(
                                          self.backbones[model].gibbs_excess_rt, model))
        return self._functions[model]

    def statistics(self, split: str = "test") -> dict:
        """:func:`bubble_pressure_errors` of the hybrid and each backbone on a split
        (``"test"``, ``"fit"`` or ``"all"``); empty if the split has no points."""
        mask = {"test": self.test_mask, "fit": ~self.test_mask,
                "all": np.ones(len(self.points), bool)}[split]
        if not mask.any():
            return {}
        pts = self.points.subset(mask)
        return {m: bubble_pressure_errors(self.function(m), pts)
                for m in ("hybrid", *self.backbones)}


def publication_folds(sources: list[str], max_folds: int = MAX_FOLDS) -> list[list[str]]:
    """Folds of whole publications: one per publication, or, with more than ``max_folds``
    publications, ``max_folds`` groups dealt round-robin in sha256 order (deterministic)."""
    if len(sources) <= max_folds:
        return [[s] for s in sources]
    order = sorted(sources, key=lambda s: hashlib.sha256(s.encode()).hexdigest())
    return [order[k::max_folds] for k in range(max_folds)]


def _lopo_score(problem: RobustBubbleFit, weights, lam, theta0, fit_mask, folds) -> float:
    """Mean over folds of the held-out bubble-pressure AAD [%] (each fold: whole
    publications left out of the fit), weighted by the fold's mean screening weight so that
    a publication screened out does not decide the setting."""
    scores, fold_weights = [], []
    h = problem.model.n_hidden
    for fold in folds:
        held = np.isin(problem.points.source, fold)
        w = np.where(fit_mask & ~held, weights, 0.0)
        if lam is None:  # the backbone alone
            theta = np.zeros(problem.model.n_params)
        else:
            try:
                theta = problem.solve(w, lam, [theta0, *starting_points(h)])
            except SolverError:
                return float("inf")
        r = problem.residuals(theta)[held]
        scores.append(100.0 * np.mean(np.abs(np.expm1(r))))
        fold_weights.append(np.mean(problem.points.weight[held]))
    return float(np.average(scores, weights=fold_weights))


def fit_measured_pair(pair: tuple[str, str], points: BubblePoints, stable: bool = True,
                      progress: Callable[[str], None] | None = None,
                      grid=NETWORK_GRID, backbones=BACKBONES) -> MeasuredFit:
    """Select settings by leave-one-publication-out and fit the hybrid (see module doc).

    Parameters
    ----------
    pair : (str, str)
        Component names in model order.
    points : BubblePoints
        Validated points with ``psat1``/``psat2`` filled.
    stable : bool
        Impose intrinsic stability (no liquid-liquid split) over the data's temperature
        range; set False for a pair that really splits.
    progress : callable, optional
        Receives one-line progress messages.

    Raises
    ------
    DataError
        If no backbone has parameters for the pair or Psat is missing.
    """
    say = progress or (lambda msg: None)
    start, cpu_start = time.perf_counter(), time.process_time()
    if points.psat1 is None or points.psat2 is None:
        raise DataError(f"{pair}: bubble points without pure-component Psat")
    test = test_publications(points)
    fit_mask = ~np.isin(points.source, test)
    fit_sources = sorted(set(points.source[fit_mask].tolist()))
    T_fit = points.T[fit_mask]
    T_ref = float(np.round(np.mean(T_fit), 2))
    stability_T = (float(np.floor(points.T.min())), float(np.ceil(points.T.max()))) \
        if stable else None
    weights = publication_weights(points)
    bbs = {}
    for kind in backbones:
        try:
            bbs[kind] = Backbone.for_pair(kind, pair)
        except DataError as exc:
            say(f"{kind}: not available ({exc})")
    if not bbs:
        raise DataError(f"{pair}: neither UNIFAC nor NRTL parameters are available")
    say(f"{len(points)} points, {len(points.publications())} publications; test: "
        f"{len(test)} publication(s), {int((~fit_mask).sum())} points")
    problems: dict = {}

    def problem(kind, h):
        if (kind, h) not in problems:
            problems[kind, h] = RobustBubbleFit(HybridExcessGibbs(bbs[kind], h, T_ref), points,
                                                stability_T)
        return problems[kind, h]

    selection, warm = [], {}
    settings = [(k, h, lam) for k in bbs for h, lam in grid]
    if len(fit_sources) >= MIN_FIT_PUBLICATIONS:
        folds = publication_folds(fit_sources)
        settings += [(k, 0, None) for k in bbs]  # each backbone alone (theta = 0)
        for kind, h, lam in settings:
            prob = problem(kind, h)
            try:
                theta0 = np.zeros(prob.model.n_params) if lam is None else prob.solve(
                    np.where(fit_mask, weights, 0.0), lam, starting_points(h))
                score = _lopo_score(prob, weights, lam, theta0, fit_mask, folds)
                warm[kind, h, lam] = theta0
            except SolverError:
                score = float("inf")
            selection.append({"backbone": kind, "n_hidden": h, "regularization": lam,
                              "lopo_aad_percent": score})
            label = "backbone alone" if lam is None else f"n_hidden={h} lambda={lam:.0e}"
            say(f"{kind:6s} {label}: leave-one-publication-out AAD {score:.3f} %")
        ranked = sorted(selection, key=lambda s: s["lopo_aad_percent"])
        kind, h, lam = (ranked[0][k] for k in ("backbone", "n_hidden", "regularization"))
    else:
        kind, h, lam = DEFAULT_SETTING if DEFAULT_SETTING[0] in bbs else (next(iter(bbs)),
                                                                          *DEFAULT_SETTING[1:])
        say(f"{len(fit_sources)} fitting publication(s): no selection, default {kind}, "
            f"n_hidden={h}, lambda={lam:.0e}")
    prob = problem(kind, h)
    hybrid = HybridExcessGibbs(bbs[kind], h, T_ref,
                               regularization=0.0 if lam is None else lam)
    hybrid.theta_ = np.zeros(hybrid.n_params) if lam is None else prob.solve(
        np.where(fit_mask, weights, 0.0), lam,
        [w for w in [warm.get((kind, h, lam))] if w is not None] + starting_points(h, n_random=3))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    label = "backbone alone" if lam is None else f"n_hidden={h}, lambda={lam:.0e}"
    say(f"chosen {kind}, {label}; fit time {seconds:.1f} s wall, "
        f"{cpu:.1f} s CPU")
    return MeasuredFit(tuple(pair), points, test, hybrid, bbs, selection, stability_T, seconds,
                       cpu)
