r"""Binary hybrid g^E fitted to infinite-dilution activity coefficients alone.

For a pair without measured bubble points (acetone/water: none in the ThermoML tables),
the correction is fitted to the measured :math:`\ln\gamma^\infty` of both directions
(:mod:`.dilution_data`, Brouwer 2021) with the intrinsic-stability constraint of
:class:`propkg.mixtures.robust_fit.RobustBubbleFit` over the whole temperature domain:

.. math::

    \min_\theta\; w_\infty\,\overline{\rho_\infty(\ln\gamma^\infty_{model} -
    \ln\gamma^\infty)} + \lambda\lVert\theta\rVert^2
    \quad\text{s.t.}\quad \frac{\partial^2 (g_{mix}/RT)}{\partial x_1^2} \ge \epsilon

The correction is the two-term Redlich-Kister form with coefficients linear in
:math:`1/T` (``n_hidden = 0``, ``linear = True``): its constant and temperature terms
are set by the two dilute limits; :math:`\lambda` (:data:`DILUTION_REGULARIZATION`) keeps
it near the backbone where the data say nothing (a prior: the backbone). The settings are
fixed, not chosen on held-out data (the compilation has no publication column); the
reported figure is the 5-fold error over temperature blocks of the :math:`\ln\gamma^\infty`
values (:func:`temperature_block_error`), labelled as such.
"""

from __future__ import annotations

import time

import numpy as np

from propkg.holdout import temperature_block_folds
from propkg.mixtures.backbones import BACKBONES, Backbone
from propkg.mixtures.bubble_data import BubblePoints
from propkg.mixtures.dilution_data import InfiniteDilution, load_pair_infinite_dilution
from propkg.mixtures.excess import binary_excess_function
from propkg.mixtures.hybrid_ge import HybridExcessGibbs
from propkg.mixtures.measured_training import MeasuredFit
from propkg.mixtures.robust_fit import RobustBubbleFit
from propkg_contract.errors import DataError

#: lambda of the correction (prior: the backbone)
DILUTION_REGULARIZATION = 1e-3
#: weight of the ln gamma_inf term
DILUTION_WEIGHT = 1.0
#: temperatures of the stability constraint grid over the domain
N_STABILITY_T = 12


def _no_points() -> BubblePoints:
    empty = np.zeros(0)
    out = BubblePoints(empty, empty, empty, np.zeros(0, dtype=str))
    out.psat1, out.psat2 = empty, empty
    return out


def fit_infinite_dilution_pair(pair: tuple[str, str], T_domain: tuple[float, float],
                               data: InfiniteDilution | None = None, backbone: str = "unifac",
                               regularization: float = DILUTION_REGULARIZATION,
                               weight: float = DILUTION_WEIGHT) -> MeasuredFit:
    """Fit the hybrid of a pair to :math:`\\ln\\gamma^\\infty` with stability on its domain.

    Parameters
    ----------
    pair : (str, str)
        Component names in model order.
    T_domain : (float, float)
        Temperature domain of the model, [K]; stability is imposed over all of it.
    data : InfiniteDilution, optional
        Measured values; default: Brouwer 2021 of the pair, screened.
    backbone : str
        ``"unifac"`` or ``"nrtl"``.

    Raises
    ------
    DataError
        If there are no measured values.
    """
    start, cpu = time.perf_counter(), time.process_time()
    bb = {kind: Backbone.for_pair(kind, pair) for kind in dict.fromkeys((backbone, *BACKBONES))}
    fun = binary_excess_function(bb[backbone].gibbs_excess_rt, backbone)
    if data is None:
        data = load_pair_infinite_dilution(pair, fun, T_domain)
    if data is None or not len(data):
        raise DataError(f"{pair}: no infinite-dilution activity coefficients to fit in "
                        f"{list(T_domain)} K")
    problem = _problem(bb[backbone], data, T_domain)
    hybrid = problem.model
    hybrid.theta_ = problem.solve(np.zeros(0), regularization, [np.zeros(hybrid.n_params)],
                                  infinite_weight=weight)
    setting = {"backbone": backbone, "n_hidden": 0, "linear": True,
               "regularization": regularization, "infinite_weight": weight,
               "offset_regularization": None}
    return MeasuredFit(tuple(pair), _no_points(), [], hybrid, bb, [], tuple(T_domain),
                       time.perf_counter() - start, time.process_time() - cpu,
                       infinite_dilution=data, setting=setting, domain_T=tuple(T_domain))


def _problem(bb: Backbone, data: InfiniteDilution, T_domain) -> RobustBubbleFit:
    T_ref = float(np.round(np.mean(data.T), 2))
    hybrid = HybridExcessGibbs(bb, 0, T_ref, regularization=DILUTION_REGULARIZATION,
                               linear=True)
    return RobustBubbleFit(hybrid, _no_points(), tuple(T_domain), infinite_dilution=data,
                           n_stability_T=N_STABILITY_T)


def temperature_block_error(fit: MeasuredFit) -> dict:
    """5-fold error over temperature blocks of the :math:`\\ln\\gamma^\\infty` values (NOT held
    out by publication: the compilation has none): each block is predicted by a refit on
    the others, with the fit's settings.

    Returns
    -------
    dict
        ``{"hybrid": {...}, "<backbone>": {...}}``, each with ``mae``, ``mean_signed`` (of
        :math:`\\ln\\gamma^\\infty_{model} - \\ln\\gamma^\\infty`), ``n_points``, and ``split``.
    """
    data, s = fit.infinite_dilution, fit.setting
    kind = s["backbone"]
    problem = _problem(fit.backbones[kind], data, fit.stability_T)
    pred = np.full(len(data), np.nan)
    for held in temperature_block_folds(data.T):
        theta = problem.solve(np.zeros(0), s["regularization"], [np.zeros(problem.model.n_params)],
                              infinite_weight=s["infinite_weight"],
                              infinite_point_weights=(~held).astype(float))
        pred[held] = problem.infinite_dilution_residuals(theta)[held]
    base = problem.infinite_dilution_residuals(np.zeros(problem.model.n_params))
    split = "5-fold over temperature blocks of the ln gamma_inf values (not by publication)"
    return {m: {"mae": float(np.mean(np.abs(r))), "mean_signed": float(np.mean(r)),
                "n_points": len(data), "split": split} for m, r in (("hybrid", pred), (kind, base))}
