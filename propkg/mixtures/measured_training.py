r"""Fit a binary's hybrid g^E to measured bubble points, with settings chosen by publication.

Procedure (:func:`fit_measured_pair`):

1. The test publications are set aside by the committed rule
   :func:`propkg.mixtures.bubble_data.test_publications`; nothing below sees them.
2. Every setting (:func:`settings_grid`: each available backbone alone - UNIFAC (Dortmund)
   and NRTL (ChemSep) where they have parameters, else the ideal solution
   (:data:`propkg.mixtures.backbones.IDEAL`, g^E = 0) -, and backbone x
   correction form (tanh network of :data:`NETWORK_GRID`, Redlich-Kister terms linear in
   1/T of :data:`LINEAR_GRID`) x ln gamma_inf weight (:data:`INFINITE_WEIGHTS`, Brouwer
   data) x publication offsets (:data:`OFFSET_REGULARIZATIONS`)) is scored by
   leave-one-publication-out on the other publications: each fold zeroes the weights of
   one publication, refits (warm start from the fit on all of them) and records the
   bubble-pressure AAD on it; the score is the mean over folds weighted by their
   screening weight. With more than :data:`MAX_FOLDS` fitting publications, folds are
   groups of whole publications (:func:`publication_folds`), to keep a fit short.
3. The simplest setting whose score is within one standard error of the lowest
   (:func:`one_standard_error_choice`) is refitted on all fitting publications from several
   starts; the result is the shipped hybrid.
4. Bubble-pressure AAD and mean signed deviation on the test publications are computed for
   the hybrid and for each backbone alone.

Point weights: screening weight of the point (:mod:`propkg.screening.binary`) divided by
:math:`\sqrt{n_{pub}}` (the number of points of its publication), so that one large
publication does not outweigh many small ones.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import casadi as ca
import numpy as np

from propkg.mixtures.backbones import BACKBONES, IDEAL, Backbone
from propkg.mixtures.bubble_data import BubblePoints, test_publications
from propkg.mixtures.dilution_data import InfiniteDilution, load_pair_infinite_dilution
from propkg.mixtures.excess import binary_excess_function, evaluate
from propkg.mixtures.hybrid_ge import HybridExcessGibbs, bubble_point
from propkg.mixtures.robust_fit import RobustBubbleFit, starting_points
from propkg_contract.errors import DataError, SolverError

#: (n_hidden, regularisation) pairs tried on each available backbone
NETWORK_GRID = ((0, 1e-6), (1, 1e-6), (2, 1e-5))
#: (n_hidden, regularisation) of the Redlich-Kister corrections (c0 + d tau + e z + f z tau)
LINEAR_GRID = ((0, 1e-5),)
#: weights of the ln gamma_inf term tried when the pair has measured values (0: not used)
INFINITE_WEIGHTS = (0.0, 0.1)
#: regularisations lambda_s of the per-publication pressure offsets (None: no offsets)
OFFSET_REGULARIZATIONS = (None, 0.01)
#: at most this many folds; with more fitting publications, whole publications are grouped
MAX_FOLDS = 6
#: fewest fitting publications for leave-one-publication-out; below, the default is used
MIN_FIT_PUBLICATIONS = 2
#: (backbone, n_hidden, regularisation, linear) fitted when fewer than
#: MIN_FIT_PUBLICATIONS publications allow no selection: the Redlich-Kister correction
#: (linear in 1/T), chosen on validation publications only by the lowest median AAD ratio
#: to the backbone (``validation/zoo_single_publication.py``: each fitting publication of the
#: zoo pairs with several, fitted alone and scored on the others): lambda 1e-2 on UNIFAC or
#: NRTL (ratio 0.92, beats the backbone in 62 % of 87 cases; c0 with lambda 1e-6: 1.01,
#: 41 %), and lambda 1e-5 on the ideal solution (:data:`IDEAL_DEFAULT_SETTING`: shrinking
#: towards g^E = 0 costs, ratio 0.23 vs 0.84 with lambda 1e-2, 29 cases)
DEFAULT_SETTING = ("unifac", 0, 1e-2, True)
IDEAL_DEFAULT_SETTING = (IDEAL, 0, 1e-5, True)


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


@dataclass
class SetScreen:
    """Screening outcome of one data set (publication and type) for reports and metadata."""

    source: str
    n_points: int
    weight: float
    reason: str


def prepare_points(pair: tuple[str, str], raw: BubblePoints, psat1, psat2,
                   screen: bool = True) -> tuple[BubblePoints, list[SetScreen]]:
    """Mixture points with Psat and screening weights, and the screening table.

    Parameters
    ----------
    raw : BubblePoints
        All points of the pair, pure end points included (:func:`read_bubble_csv`,
        :func:`points_from_frame`); their own ``weight`` multiplies the screening weight.
    psat1, psat2 : callable
        Saturation pressures [Pa] of the components at T [K] (:class:`PurePsat`).
    screen : bool
        Apply :func:`propkg.screening.binary.screen_bubble_points` (NIST-TDE-like quality
        factor per set; the test publications never enter its consensus fit).
    """
    import pandas as pd

    from propkg.mixtures.components import component
    from propkg.screening.binary import screen_bubble_points

    raw = drop_duplicates(raw).with_psat(psat1, psat2)
    points = raw.subset(raw.mixture)
    if not screen:
        return points, []
    frame = {"temperature [K]": raw.T, "pressure [Pa]": raw.P, "mole_frac_liq [-]": raw.x1,
             "source": raw.source}
    if np.isfinite(raw.y1).any():
        frame["mole_frac_vap [-]"] = raw.y1
    result = screen_bubble_points(pd.DataFrame(frame), component(pair[0]).cas,
                                  component(pair[1]).cas, test_sources=test_publications(points),
                                  psat=(psat1, psat2), psat_is_model=True)
    weights = result.data["weight"].to_numpy(dtype=float)
    points.weight = points.weight * weights[raw.mixture]
    reasons = result.data["reason"].astype(str).to_numpy()
    table = []
    for _, row in result.sets.iterrows():
        rows = np.flatnonzero(raw.source == row["source"])
        text = next((reasons[i] for i in rows if reasons[i]), "")
        table.append(SetScreen(str(row["source"]), int(row["points"]),
                               float(0.0 if row["flag"] == "exclude" else row["Q"]), text))
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
    final_fit_cpu_seconds : float
        CPU time of the final fit alone (the chosen setting on all fitting publications,
        compilation of its problem included if the selection had not compiled it), [s].
    infinite_dilution : InfiniteDilution or None
        Measured ln gamma_inf available to the fit (used if the setting's weight > 0).
    setting : dict
        The chosen setting (keys of :func:`settings_grid`).
    domain_T : (float, float) or None
        Temperature domain of the model, [K]; None: that of the points.
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
    infinite_dilution: InfiniteDilution | None = None
    setting: dict = field(default_factory=dict)
    domain_T: tuple[float, float] | None = None
    final_fit_cpu_seconds: float = float("nan")
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


def _lopo_score(problem: RobustBubbleFit, weights, setting: dict, theta0, fit_mask,
                folds) -> tuple[float, float]:
    """Mean over folds of the held-out bubble-pressure AAD [%] (each fold: whole
    publications left out of the fit), weighted by the fold's mean screening weight so that
    a publication screened out does not decide the setting, and its standard error
    (weighted standard deviation of the fold scores over sqrt(number of folds))."""
    scores, fold_weights = [], []
    for fold in folds:
        held = np.isin(problem.points.source, fold)
        w = np.where(fit_mask & ~held, weights, 0.0)
        if setting["regularization"] is None:  # the backbone alone
            theta = np.zeros(problem.model.n_params)
        else:
            try:
                theta = _solve(problem, w, setting, [theta0, *starting_points(
                    problem.model.n_hidden, linear=problem.model.linear)])
            except SolverError:
                return float("inf"), float("inf")
        r = problem.residuals(theta)[held]
        scores.append(100.0 * np.mean(np.abs(np.expm1(r))))
        fold_weights.append(np.mean(problem.points.weight[held]))
    fw = np.asarray(fold_weights) if sum(fold_weights) > 0 else np.ones(len(scores))
    mean = float(np.average(scores, weights=fw))
    spread = float(np.sqrt(np.average((np.asarray(scores) - mean) ** 2, weights=fw)))
    return mean, spread / np.sqrt(len(scores))


def complexity(setting: dict) -> tuple:
    """Order of simplicity of a setting: backbone alone, then fewer correction terms, then
    without gamma_inf, then without publication offsets."""
    if setting["regularization"] is None:
        return (0,)
    return (1, setting["n_hidden"], int(setting["linear"]), int(setting["infinite_weight"] > 0),
            int(setting["offset_regularization"] is not None))


def one_standard_error_choice(selection: list[dict]) -> int:
    """Index of the simplest setting (:func:`complexity`) whose leave-one-publication-out
    score is within one standard error of the best score (the one-standard-error rule,
    Hastie, Tibshirani & Friedman, Elements of Statistical Learning, 2nd ed., sec. 7.10):
    with fold scores dominated by disagreement between publications, the plain minimum
    over many settings picks noise."""
    best = min(range(len(selection)), key=lambda k: selection[k]["lopo_aad_percent"])
    limit = selection[best]["lopo_aad_percent"] + selection[best]["lopo_standard_error"]
    ok = [k for k, s in enumerate(selection) if s["lopo_aad_percent"] <= limit]
    return min(ok, key=lambda k: (complexity(selection[k]), selection[k]["lopo_aad_percent"]))


def _solve(problem: RobustBubbleFit, weights, setting: dict, starts) -> np.ndarray:
    """:meth:`RobustBubbleFit.solve` with a setting's regularisation, gamma_inf weight and
    publication-offset regularisation."""
    return problem.solve(weights, setting["regularization"], starts,
                         infinite_weight=setting["infinite_weight"],
                         offset_regularization=setting["offset_regularization"])


def settings_grid(kinds, grid=NETWORK_GRID, linear_grid=LINEAR_GRID, has_infinite=False,
                  infinite_weights=INFINITE_WEIGHTS,
                  offset_regularizations=OFFSET_REGULARIZATIONS) -> list[dict]:
    """Every setting tried: each backbone alone, and backbone x correction form (network
    ``(n_hidden, lambda)`` of ``grid``; Redlich-Kister ``(n_hidden, lambda)`` of
    ``linear_grid``) x gamma_inf weight (only with data) x publication-offset
    regularisation."""
    out = []
    w_inf = infinite_weights if has_infinite else (0.0,)
    for kind in kinds:
        forms = [(h, lam, False) for h, lam in grid] + [(h, lam, True) for h, lam in linear_grid]
        for h, lam, linear in forms:
            for wi in w_inf:
                for ls in offset_regularizations:
                    out.append({"backbone": kind, "n_hidden": h, "linear": linear,
                                "regularization": lam, "infinite_weight": wi,
                                "offset_regularization": ls})
    for kind in kinds:
        out.append({"backbone": kind, "n_hidden": 0, "linear": False, "regularization": None,
                    "infinite_weight": 0.0, "offset_regularization": None})
    return out


def setting_label(setting: dict) -> str:
    """Short text of a setting for progress lines and reports."""
    if setting["regularization"] is None:
        return f"{setting['backbone']} alone"
    form = f"RK2+{setting['n_hidden']}tanh" if setting["linear"] else \
        f"{setting['n_hidden']}tanh"
    extra = ""
    if setting["infinite_weight"]:
        extra += f", gamma_inf x{setting['infinite_weight']:g}"
    if setting["offset_regularization"] is not None:
        extra += f", offsets lambda_s {setting['offset_regularization']:g}"
    return f"{setting['backbone']} {form} lambda {setting['regularization']:.0e}{extra}"


def fit_measured_pair(pair: tuple[str, str], points: BubblePoints, stable: bool = True,
                      progress: Callable[[str], None] | None = None,
                      grid=NETWORK_GRID, backbones=BACKBONES, infinite_dilution="brouwer",
                      linear_grid=LINEAR_GRID, infinite_weights=INFINITE_WEIGHTS,
                      offset_regularizations=OFFSET_REGULARIZATIONS) -> MeasuredFit:
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
    grid, linear_grid : sequence of (int, float)
        ``(n_hidden, lambda)`` of the network corrections and of the Redlich-Kister ones.
    infinite_dilution : "brouwer", InfiniteDilution or None
        Measured ln gamma_inf for the loss: the Brouwer values of the pair (default, if it
        has any), given ones, or none.
    infinite_weights, offset_regularizations : sequence
        gamma_inf weights and publication-offset regularisations tried (None: no offsets).

    Raises
    ------
    DataError
        If Psat is missing. A pair for which none of ``backbones`` has parameters gets the
        ideal-solution backbone (g^E = 0).
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
    if not bbs:  # the ideal solution: the learned correction is the whole g^E
        bbs[IDEAL] = Backbone.for_pair(IDEAL, pair)
        say(f"{pair}: neither UNIFAC nor NRTL parameters; backbone: {bbs[IDEAL].label}")
    if isinstance(infinite_dilution, str):
        infinite_dilution = load_pair_infinite_dilution(
            pair, binary_excess_function(next(iter(bbs.values())).gibbs_excess_rt, "bb"),
            stability_T or (float(points.T.min()), float(points.T.max())))
    if infinite_dilution is not None:
        say(infinite_dilution.summary())
    say(f"{len(points)} points, {len(points.publications())} publications; test: "
        f"{len(test)} publication(s), {int((~fit_mask).sum())} points")
    problems: dict = {}
    use_offsets = any(ls is not None for ls in offset_regularizations)

    def problem(kind, h, linear):
        if (kind, h, linear) not in problems:
            problems[kind, h, linear] = RobustBubbleFit(
                HybridExcessGibbs(bbs[kind], h, T_ref, linear=linear), points, stability_T,
                infinite_dilution=infinite_dilution, offsets=use_offsets, trainable=fit_mask)
        return problems[kind, h, linear]

    selection, warm = [], {}
    settings = settings_grid(bbs, grid, linear_grid, infinite_dilution is not None,
                             infinite_weights, offset_regularizations)
    if len(fit_sources) >= MIN_FIT_PUBLICATIONS:
        folds = publication_folds(fit_sources)
        for k, setting in enumerate(settings):
            prob = problem(setting["backbone"], setting["n_hidden"], setting["linear"])
            note = {}
            try:
                theta0 = np.zeros(prob.model.n_params) if setting["regularization"] is None \
                    else _solve(prob, np.where(fit_mask, weights, 0.0), setting,
                                starting_points(setting["n_hidden"], linear=setting["linear"]))
                if prob.splits(theta0):  # the backbone alone, where it splits the liquid
                    raise SolverError("splits the liquid where stability is imposed")
                score, error = _lopo_score(prob, weights, setting, theta0, fit_mask, folds)
                warm[k] = theta0
            except SolverError as exc:
                score = error = float("inf")
                note = {"rejected": str(exc)}
            selection.append(dict(setting, lopo_aad_percent=score, lopo_standard_error=error,
                                  **note))
            say(f"{setting_label(setting)}: leave-one-publication-out AAD {score:.3f} "
                f"+- {error:.3f} %")
        best = one_standard_error_choice(selection)
        chosen = settings[best]
    else:
        kind = DEFAULT_SETTING[0] if DEFAULT_SETTING[0] in bbs else next(iter(bbs))
        default = IDEAL_DEFAULT_SETTING if kind == IDEAL else DEFAULT_SETTING
        chosen = {"backbone": kind, "n_hidden": default[1], "linear": default[3],
                  "regularization": default[2],
                  "infinite_weight": INFINITE_WEIGHTS[-1] if infinite_dilution else 0.0,
                  "offset_regularization": None}
        best = None
        say(f"{len(fit_sources)} fitting publication(s): no selection, default "
            f"{setting_label(chosen)}")
    kind, h, lam, linear = (chosen[k] for k in ("backbone", "n_hidden", "regularization",
                                                "linear"))
    final_start = time.process_time()
    prob = problem(kind, h, linear)
    hybrid = HybridExcessGibbs(bbs[kind], h, T_ref, regularization=0.0 if lam is None else lam,
                               linear=linear)
    hybrid.theta_ = np.zeros(hybrid.n_params) if lam is None else _solve(
        prob, np.where(fit_mask, weights, 0.0), chosen,
        [w for w in [warm.get(best)] if w is not None]
        + starting_points(h, n_random=3, linear=linear))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    final_cpu = time.process_time() - final_start
    say(f"chosen {setting_label(chosen)}; fit time {seconds:.1f} s wall, {cpu:.1f} s CPU "
        f"(final fit {final_cpu:.2f} s CPU)")
    return MeasuredFit(tuple(pair), points, test, hybrid, bbs, selection, stability_T, seconds,
                       cpu, infinite_dilution=infinite_dilution, setting=chosen,
                       final_fit_cpu_seconds=final_cpu)
