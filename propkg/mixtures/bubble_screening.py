r"""Screening of measured bubble-point publications: per-publication weights with reasons.

Two tests in the spirit of NIST ThermoData Engine's consistency checks, each giving a
factor in (0, 1] per publication; the weight of its points is their product:

* **pure end points** - a publication's points at :math:`x_1 = 0` or :math:`1` are
  vapour pressures of the pure components; their median :math:`|\ln(P/P^{sat}_{model})|`
  measures the calibration of its apparatus (temperature, pressure, purity). Factor
  :math:`1/(1 + (d/d_0)^2)` with :math:`d_0` = :data:`END_POINT_SCALE`.
* **offset against the backbone** - the median of :math:`\ln(P/P_{backbone})` over a
  publication's mixture points, compared with the other publications of the pair by a
  robust z-score (median and MAD, floor :data:`OFFSET_FLOOR`); factor
  :math:`1/(1 + (z/z_0)^2)` with :math:`z_0` = :data:`Z_SCALE`. Publications that agree with
  each other keep their weight even where the backbone is wrong; one that is off from
  the others is down-weighted.

The screening uses only each publication's own points, the pure models and the
mechanistic backbone: no fitted parameter, so it can be run on the test publications
without leaking anything (their weights are reported, never used to score).
"""

from __future__ import annotations

from dataclasses import dataclass

import casadi as ca
import numpy as np

from propkg.mixtures.bubble_data import PURE_TOLERANCE, BubblePoints
from propkg.mixtures.excess import evaluate
from propkg.mixtures.hybrid_ge import bubble_point

END_POINT_SCALE = 0.02
OFFSET_FLOOR = 0.005
Z_SCALE = 3.0


@dataclass
class PublicationScreen:
    """Screening outcome of one publication.

    Attributes
    ----------
    source : str
    n_points : int
        Mixture points.
    end_point_ln_dev : float
        Median :math:`|\\ln(P/P^{sat})|` of its pure end points (NaN if none), [-].
    offset_z : float
        Robust z-score of its median :math:`\\ln(P/P_{backbone})`, [-].
    weight : float
        Product of the two factors, [-].
    """

    source: str
    n_points: int
    end_point_ln_dev: float
    offset_z: float
    weight: float

    @property
    def reason(self) -> str:
        """Why the weight is below 0.5 (empty if it is not)."""
        if self.weight >= 0.5:
            return ""
        out = []
        if np.isfinite(self.end_point_ln_dev) and self.end_point_ln_dev > END_POINT_SCALE:
            out.append(f"pure end points off by {100 * self.end_point_ln_dev:.1f} %")
        if abs(self.offset_z) > Z_SCALE:
            out.append(f"offset from the other publications z = {self.offset_z:.1f}")
        if not out:  # two moderate factors
            end = (f"pure end points off by {100 * self.end_point_ln_dev:.1f} %, "
                   if np.isfinite(self.end_point_ln_dev) else "")
            out.append(f"{end}offset z = {self.offset_z:.1f}")
        return "; ".join(out)


def screen_publications(raw: BubblePoints, backbone: ca.Function
                        ) -> tuple[np.ndarray, list[PublicationScreen]]:
    """Weights of the mixture points of ``raw`` and the per-publication screening table.

    Parameters
    ----------
    raw : BubblePoints
        All points of the pair *including* pure end points, with Psat filled.
    backbone : casadi.Function
        ``(T, x1, x2) -> (g, ln gamma_1, ln gamma_2)`` of the mechanistic model.

    Returns
    -------
    (ndarray, list of PublicationScreen)
        Weights of the mixture points (in the order of ``raw`` without its end points)
        and one record per publication.
    """
    pure1 = raw.x1 >= 1 - PURE_TOLERANCE
    pure2 = raw.x1 <= PURE_TOLERANCE
    mix = ~(pure1 | pure2)
    end_dev = np.where(pure1, np.log(raw.P / raw.psat1), np.where(pure2, np.log(
        raw.P / raw.psat2), np.nan))
    _, l1, l2 = evaluate(backbone, raw.T[mix], raw.x1[mix])
    P_bb, _ = bubble_point(l1, l2, raw.x1[mix], raw.psat1[mix], raw.psat2[mix])
    resid = np.log(raw.P[mix] / P_bb)
    src_mix = raw.source[mix]
    pubs = sorted(set(src_mix.tolist()))
    offsets = np.array([np.median(resid[src_mix == p]) for p in pubs])
    centre = np.median(offsets)
    scale = max(1.4826 * np.median(np.abs(offsets - centre)), OFFSET_FLOOR)
    table = []
    weight_of = {}
    for p, off in zip(pubs, offsets, strict=True):
        devs = end_dev[(raw.source == p) & ~mix]
        d = float(np.median(np.abs(devs))) if devs.size else float("nan")
        z = float((off - centre) / scale)
        w = (1.0 / (1.0 + (d / END_POINT_SCALE) ** 2) if np.isfinite(d) else 1.0) / (
            1.0 + (z / Z_SCALE) ** 2)
        table.append(PublicationScreen(p, int(np.sum(src_mix == p)), d, z, float(w)))
        weight_of[p] = float(w)
    return np.array([weight_of[s] for s in src_mix]), table
