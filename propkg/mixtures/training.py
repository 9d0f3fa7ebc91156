"""Fit the hybrid g^E model of a binary on at most 15 CoolProp bubble points.

For each pair, a hybrid is fitted on top of each available backbone (modified UNIFAC
Dortmund, ChemSep NRTL) and the one with the lower *training* objective is kept, so the
held-out points play no part in any choice. Statistics on the held-out points are computed
afterwards with :func:`bubble_statistics`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import casadi as ca
import numpy as np

from propkg.data import MIXTURES_DIR
from propkg.mixtures.backbones import BACKBONES, Backbone
from propkg.mixtures.excess import binary_excess_function, evaluate
from propkg.mixtures.hybrid_ge import HybridExcessGibbs, bubble_point
from propkg.mixtures.vle_data import BinaryVleData
from propkg_contract.errors import DataError

MAX_TRAINING_POINTS = 15
DATA_DIR = MIXTURES_DIR


def bubble_statistics(fun: ca.Function, arrays: dict) -> dict:
    """Bubble-pressure and vapour-composition errors of a g^E function on data columns.

    Returns ``{"pressure_bubble": {aad_percent, max_percent, n_points},
    "mole_frac_vap": {aad, max, n_points}}``; the ``y`` errors are absolute mole fractions
    (``aad`` = mean of :math:`|y_{1,model} - y_1|`).
    """
    _, l1, l2 = evaluate(fun, arrays["T"], arrays["x1"])
    P, y = bubble_point(l1, l2, arrays["x1"], arrays["psat1"], arrays["psat2"])
    dp = 100.0 * np.abs(P / arrays["P"] - 1.0)
    dy = np.abs(y - arrays["y1"])
    n = int(dp.size)
    return {
        "pressure_bubble": {"aad_percent": float(dp.mean()), "max_percent": float(dp.max()),
                            "n_points": n},
        "mole_frac_vap": {"aad": float(dy.mean()), "max": float(dy.max()), "n_points": n},
    }


@dataclass
class PairFit:
    """Result of fitting one binary.

    Attributes
    ----------
    data : BinaryVleData
    backbones : dict of str -> Backbone
    hybrids : dict of str -> HybridExcessGibbs
        One fitted hybrid per backbone.
    chosen : str
        Backbone of the shipped hybrid (lowest training objective).
    """

    data: BinaryVleData
    backbones: dict[str, Backbone]
    hybrids: dict[str, HybridExcessGibbs]
    chosen: str
    functions: dict[str, ca.Function] = field(default_factory=dict, repr=False)

    @property
    def hybrid(self) -> HybridExcessGibbs:
        """The shipped hybrid."""
        return self.hybrids[self.chosen]

    def function(self, model: str) -> ca.Function:
        """g^E function of ``"hybrid"``, ``"unifac"`` or ``"nrtl"`` (cached)."""
        if model not in self.functions:
            if model == "hybrid":
                self.functions[model] = self.hybrid.function()
            else:
                self.functions[model] = binary_excess_function(
                    self.backbones[model].gibbs_excess_rt, model)
        return self.functions[model]

    def statistics(self, model: str, split: str = "test", series_prefix: str | None = None):
        """:func:`bubble_statistics` of a model on a split of the pair's data."""
        return bubble_statistics(self.function(model), self.data.arrays(split, series_prefix))


def fit_pair(pair: tuple[str, str], data_dir: str | Path = DATA_DIR, **hybrid_options) -> PairFit:
    """Fit hybrids on every backbone of a pair and keep the best on the training data.

    Raises
    ------
    DataError
        If the data set has more than :data:`MAX_TRAINING_POINTS` training points.
    """
    data = BinaryVleData.load(data_dir, pair)
    train = data.arrays("train")
    n_train = train["T"].size
    if n_train > MAX_TRAINING_POINTS:
        raise DataError(f"{pair}: {n_train} training points, at most {MAX_TRAINING_POINTS}")
    T_ref = float(np.round(np.mean(train["T"]), 2))
    backbones, hybrids = {}, {}
    for kind in BACKBONES:
        try:
            backbones[kind] = Backbone.for_pair(kind, pair)
        except DataError:
            continue
        hybrids[kind] = HybridExcessGibbs(backbones[kind], T_ref=T_ref, **hybrid_options).fit(
            train["T"], train["x1"], train["P"], train["y1"], train["psat1"], train["psat2"])
    if not hybrids:
        raise DataError(f"{pair}: neither UNIFAC nor NRTL parameters are available")
    chosen = min(hybrids, key=lambda k: hybrids[k].train_objective_)
    return PairFit(data, backbones, hybrids, chosen)
