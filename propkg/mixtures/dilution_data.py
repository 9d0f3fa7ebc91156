r"""Measured infinite-dilution activity coefficients of a binary, ready for the g^E fit.

The values come from :func:`propkg.measured.load_infinite_dilution` (Brouwer et al. 2021
compilation; no publication of the original measurements, so they are used for training
only, never as held-out figures). The compilation holds a few wrong entries (e.g. values
near 3.3 among values near 0.7 for acetone in methanol), so each direction (solute 1 in 2,
solute 2 in 1) is screened against its own robust centre after removing the backbone's
temperature trend:

.. math:: r_k = \ln\gamma^\infty_k - \ln\gamma^\infty_{bb}(T_k),\quad
          \text{keep } |r_k - \mathrm{median}(r)| \le \max(0.3,\ 4 \times 1.4826\,\mathrm{MAD}(r))

The hybrid's limits are analytic (:func:`propkg.mixtures.hybrid_ge.infinite_dilution_correction`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from propkg_contract.errors import DataError

#: values farther than this (in ln gamma) from the direction's robust centre may be dropped
MIN_SCREEN_WIDTH = 0.3
#: robust sigmas beyond which a value is dropped
SCREEN_SIGMAS = 4.0
#: composition used for the limit of a backbone evaluated numerically
DILUTE_X = 1e-9


@dataclass
class InfiniteDilution:
    """Measured :math:`\\ln\\gamma^\\infty` of a binary in model order.

    Attributes
    ----------
    T : ndarray
        Temperature, [K].
    ln_gamma : ndarray
        Measured :math:`\\ln\\gamma^\\infty` of the dilute component, [-].
    solute : ndarray of int
        0 when component 1 is the dilute one (x1 -> 0), 1 when component 2 is.
    dropped : int
        Values removed by screening.
    source : str
        Citation.
    """

    T: np.ndarray
    ln_gamma: np.ndarray
    solute: np.ndarray
    dropped: int = 0
    source: str = ""

    def __len__(self) -> int:
        return self.T.size

    def backbone_values(self, fun) -> np.ndarray:
        """:math:`\\ln\\gamma^\\infty` of a binary g^E function (``(T, x1, x2) -> (g, ln g1,
        ln g2)``) at the points, evaluated at :data:`DILUTE_X` of the solute."""
        from propkg.mixtures.excess import evaluate

        x1 = np.where(self.solute == 0, DILUTE_X, 1.0 - DILUTE_X)
        _, l1, l2 = evaluate(fun, self.T, x1)
        return np.where(self.solute == 0, l1, l2)

    def summary(self) -> str:
        """One line: counts per direction, T range, values dropped."""
        n1, n2 = int(np.sum(self.solute == 0)), int(np.sum(self.solute == 1))
        return (f"{n1} + {n2} ln gamma_inf values, {self.T.min():.0f}-{self.T.max():.0f} K, "
                f"{self.dropped} dropped by screening ({self.source})")


def load_pair_infinite_dilution(pair: tuple[str, str], backbone_fun=None,
                                T_range: tuple[float, float] | None = None
                                ) -> InfiniteDilution | None:
    """Brouwer :math:`\\ln\\gamma^\\infty` of both directions of a pair, screened; None if the
    compilation has no value for the pair.

    Parameters
    ----------
    pair : (str, str)
        Component names in model order.
    backbone_fun : casadi.Function, optional
        Backbone g^E function; its temperature trend is removed before screening.
    T_range : (float, float), optional
        Keep only values in this temperature range, [K].
    """
    from propkg.measured.infinite_dilution import BROUWER_CITATION, load_infinite_dilution

    parts = []
    for solute, (a, b) in enumerate((pair, pair[::-1])):
        try:
            df = load_infinite_dilution(a, b)
        except DataError:
            continue
        parts.append((df["temperature [K]"].to_numpy(float),
                      df["ln_act_coeff_inf [-]"].to_numpy(float), np.full(len(df), solute)))
    if not parts:
        return None
    T, lng, sol = (np.concatenate(c) for c in zip(*parts, strict=True))
    ok = np.isfinite(T) & np.isfinite(lng)
    if T_range is not None:
        ok &= (T >= T_range[0]) & (T <= T_range[1])
    data = InfiniteDilution(T[ok], lng[ok], sol[ok].astype(int), source=BROUWER_CITATION)
    if not len(data):
        return None
    return screen_infinite_dilution(data, backbone_fun)


def screen_infinite_dilution(data: InfiniteDilution, backbone_fun=None) -> InfiniteDilution:
    """Drop values far from their direction's robust centre (module docstring)."""
    resid = data.ln_gamma - (data.backbone_values(backbone_fun) if backbone_fun is not None
                             else 0.0)
    keep = np.ones(len(data), bool)
    for s in (0, 1):
        m = data.solute == s
        if m.sum() < 3:
            continue
        r = resid[m]
        centre = np.median(r)
        width = max(MIN_SCREEN_WIDTH, SCREEN_SIGMAS * 1.4826 * np.median(np.abs(r - centre)))
        keep[np.flatnonzero(m)[np.abs(r - centre) > width]] = False
    return InfiniteDilution(data.T[keep], data.ln_gamma[keep], data.solute[keep],
                            data.dropped + int((~keep).sum()), data.source)
