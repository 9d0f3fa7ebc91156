"""Robust statistics shared by the screening tests: MAD scale, Tukey-biweight least squares.

References
----------
Hampel, F. R. J. Am. Stat. Assoc. 69 (1974) 383 (MAD, 1.4826 consistency factor);
Beaton, A. E.; Tukey, J. W. Technometrics 16 (1974) 147 (biweight).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: MAD -> standard deviation of a normal distribution
MAD_TO_SIGMA = 1.4826
#: Tukey biweight tuning constant (95 % efficiency under normal errors)
TUKEY_C = 4.685

#: flag values and their meaning
OK, DOWNWEIGHT, EXCLUDE = "ok", "downweight", "exclude"


def robust_scale(r: np.ndarray) -> float:
    r"""Robust standard deviation, :math:`1.4826\,\mathrm{median}|r - \mathrm{median}(r)|`."""
    r = np.asarray(r, dtype=float)
    if r.size == 0:
        return 0.0
    return float(MAD_TO_SIGMA * np.median(np.abs(r - np.median(r))))


def robust_z(r: np.ndarray, floor: float) -> tuple[np.ndarray, float]:
    """Robust z-scores ``(r - median) / max(scale, floor)`` and the scale used."""
    r = np.asarray(r, dtype=float)
    scale = max(robust_scale(r), floor)
    return (r - np.median(r)) / scale, scale


@dataclass
class RobustFit:
    """Result of :func:`tukey_lstsq`: ``coef``, ``weights`` (0 for rejected rows), ``scale``."""

    coef: np.ndarray
    weights: np.ndarray
    scale: float


def tukey_lstsq(X: np.ndarray, y: np.ndarray, floor: float = 1e-6, iters: int = 30) -> RobustFit:
    r"""Linear least squares with Tukey biweight iteratively reweighted (IRLS).

    .. math::
        w_i = \left[1 - \left(\frac{e_i}{c\,s}\right)^2\right]^2 \ \text{if}\ |e_i| < c s,
        \ \text{else}\ 0,\qquad s = \max(1.4826\,\mathrm{MAD}(e), s_{floor})

    started from an L1-like fit (three Huber steps), so a minority of shifted points
    (a whole offset publication) gets weight 0 instead of dragging the fit.

    Parameters
    ----------
    X : (n, p) array
        Design matrix.
    y : (n,) array
        Observations.
    floor : float
        Lower bound of the scale s (same units as y).
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.ones(len(y))
    coef = np.zeros(X.shape[1])
    scale = floor
    for it in range(iters):
        sw = np.sqrt(w)
        coef_new = np.linalg.lstsq(X * sw[:, None], y * sw, rcond=None)[0]
        e = y - X @ coef_new
        scale = max(robust_scale(e[w > 0]) if (w > 0).any() else 0.0, floor)
        u = np.abs(e) / scale
        if it < 3:  # Huber steps (k = 1.345) to get near the L1 solution first
            w = np.minimum(1.0, 1.345 / np.maximum(u, 1e-12))
        else:
            w = np.where(u < TUKEY_C, (1 - (u / TUKEY_C) ** 2) ** 2, 0.0)
        if it > 3 and np.allclose(coef_new, coef, rtol=1e-10, atol=1e-12):
            coef = coef_new
            break
        coef = coef_new
    return RobustFit(coef=coef, weights=w, scale=scale)


def add_reason(reasons: list[str], i: int, text: str) -> None:
    """Append a reason to row ``i`` (reasons joined with '; ')."""
    reasons[i] = f"{reasons[i]}; {text}" if reasons[i] else text


def combine_flag(current: str, new: str) -> str:
    """The stronger of two flags (exclude > downweight > ok)."""
    order = {OK: 0, DOWNWEIGHT: 1, EXCLUDE: 2}
    return new if order[new] > order[current] else current
