r"""An independent TP flash from the ONNX files: numpy + onnxruntime, no Pyomo, no IDAES.

The reference the flowsheet flash campaign (:mod:`flash_campaign`), the multicomponent
tests and validation compare IDAES with; any number of components. Phases: ideal vapour,
liquid with activity coefficients (1 for Raoult's law),

.. math::

    K_i = \frac{\gamma_i(T, x)\, p_i^{sat}(T)}{P},\qquad
    \sum_i \frac{z_i (K_i - 1)}{1 + \beta (K_i - 1)} = 0 \quad\text{(Rachford-Rice)}

with :math:`p^{sat}_i` from the pure-component files and :math:`\ln\gamma_i` from a g^E file
(binary or multicomponent, its hybrid, UNIFAC or NRTL output), both evaluated by
onnxruntime.

Stability (Michelsen 1982, tangent-plane distance, ideal vapour): the feed as a liquid is
unstable against a vapour if :math:`\sum_i z_i\gamma_i(z)p_i^{sat}/P > 1` (the bubble
pressure exceeds P); the feed as a vapour is unstable against a liquid if the trial
:math:`W_i = z_i P/(\gamma_i(w)p^{sat}_i)`, iterated with :math:`w = W/\sum W`, ends with
:math:`\sum_i W_i > 1`. One phase is stable: that phase. Both unstable: two phases, found by
successive substitution of :math:`K` with Rachford-Rice solved by bisection to machine
precision. Liquid-liquid splits are not computed (a vapour-liquid package cannot represent
them), but a liquid found unstable against a second liquid (:meth:`ReferenceFlash.liquid_split`,
tangent-plane test over trial compositions) is flagged: there the g^E model itself predicts
two liquids and no vapour-liquid answer is right.

References
----------
Michelsen, M. L. Fluid Phase Equilib. 9 (1982) 1-19 and 21-40.
Rachford, H. H.; Rice, J. D. J. Pet. Technol. 4 (1952) 19.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import numpy as np

from propkg_contract.metadata import read_metadata
from propkg_contract.reader import onnx_session, run_onnx
from propkg_contract.registry import find_binary_model, find_mixture_model, find_model

#: trial compositions of the liquid-liquid tangent-plane test: about this many grid points
TRIAL_POINTS = 400


@dataclass
class FlashResult:
    """Vapour fraction and phase compositions of a TP flash (NaN for an absent phase)."""

    beta: float
    x: np.ndarray
    y: np.ndarray
    phases: str  # "L", "V" or "LV"
    liquid_stable: bool = True  # False: the liquid would split in two (see liquid_split)


def gibbs_output(activity_model: str) -> str:
    """Output of a g^E file for a model name: ``log_act_coeff_comp`` (hybrid) + ``_unifac``..."""
    return "log_act_coeff_comp" + ("" if activity_model == "hybrid" else f"_{activity_model}")


def simplex_grid(n: int, points: int = TRIAL_POINTS) -> np.ndarray:
    """Interior points of the n-component simplex on a regular grid of about ``points`` rows.

    Step 1/m with m the smallest integer giving at least ``points`` interior points
    (every mole fraction >= 1/m); for n = 2 the binary grid of m - 1 points.
    """
    m = n
    while math.comb(m - 1, n - 1) < points:
        m += 1
    rows = []
    for cuts in combinations(range(1, m), n - 1):  # stars and bars: compositions k/m, k >= 1
        edges = (0, *cuts, m)
        rows.append([(edges[i + 1] - edges[i]) / m for i in range(n)])
    return np.array(rows)


class ReferenceFlash:
    """TP flash of a mixture of any number of components from its ONNX files.

    Parameters
    ----------
    components : sequence of str
        Shipped pure-model names (or aliases), in the order of the compositions given and
        returned.
    activity_model : str or None
        None for Raoult's law, else the g^E output to use: ``"hybrid"``, ``"unifac"``,
        ``"nrtl"`` (``log_act_coeff_comp`` + ``_unifac``/``_nrtl``).
    gibbs_model : path, optional
        The g^E file (binary or multicomponent, components in any order). Default: the
        shipped binary file for two components, the shipped multicomponent file for more.
    """

    def __init__(self, components, activity_model: str | None = None,
                 gibbs_model: str | Path | None = None):
        self.components = list(components)
        pure = [find_model(c) for c in self.components]
        self.names = [read_metadata(p).component_names[0] for p in pure]
        self._psat = [onnx_session(p, outputs=["pressure_sat_comp"]) for p in pure]
        self._gamma = None
        #: the model files used: the pure models, then the g^E file (activity systems)
        self.model_files = list(pure)
        if activity_model is None:
            return
        if gibbs_model is None:
            gibbs_model = (find_binary_model(*self.components)[0] if len(pure) == 2
                           else find_mixture_model(self.components))
        self.model_files.append(Path(gibbs_model))
        file_names = read_metadata(gibbs_model).component_names
        if sorted(file_names) != sorted(self.names):
            raise ValueError(f"g^E file {gibbs_model} is for {file_names}, not {self.names}")
        self._to_file = [self.names.index(c) for c in file_names]  # file column k <- ours
        self._from_file = [file_names.index(c) for c in self.names]  # our column i <- file
        self._gamma = onnx_session(Path(gibbs_model), outputs=[gibbs_output(activity_model)])

    def psat(self, T: float) -> np.ndarray:
        """Vapour pressures [Pa] at T [K]."""
        return np.array([run_onnx(s, T=[T])["pressure_sat_comp"][0] for s in self._psat])

    def log_gamma(self, T: float, x) -> np.ndarray:
        """ln gamma at T [K] of one composition (shape (n,)) or a batch (shape (m, n))."""
        x = np.asarray(x, dtype=float)
        if self._gamma is None:
            return np.zeros_like(x)
        batch = np.atleast_2d(x)
        (ln,) = run_onnx(self._gamma, T=np.full(len(batch), T),
                         mole_frac_comp=batch[:, self._to_file]).values()  # fmt: skip
        ln = np.asarray(ln).reshape(batch.shape)[:, self._from_file]
        return ln.reshape(x.shape)

    def gamma(self, T: float, x) -> np.ndarray:
        """Activity coefficients at T [K] and liquid composition(s) x (1 for Raoult)."""
        return np.exp(self.log_gamma(T, x))

    def liquid_split(self, T: float, x) -> bool:
        r"""True if a liquid of composition x at T is unstable against a second liquid.

        Tangent-plane distance of trial liquids w,

        .. math:: \mathrm{tpd}(w) = \sum_i w_i\,[\ln w_i + \ln\gamma_i(w)
            - \ln x_i - \ln\gamma_i(x)] < 0 \text{ for some } w,

        over a grid of the simplex (:func:`simplex_grid`, one onnxruntime batch), the five
        lowest points then refined by Michelsen's successive substitution
        :math:`W_i = x_i\gamma_i(x)/\gamma_i(w)`, :math:`w = W/\sum W` (Raoult's law is
        always stable).
        """
        if self._gamma is None:
            return False
        x = np.asarray(x, dtype=float)
        d = np.log(x) + self.log_gamma(T, x)
        w = simplex_grid(len(x))
        tpd = np.sum(w * (np.log(w) + self.log_gamma(T, w) - d), axis=1)
        if tpd.min() < -1e-9:
            return True
        for trial in w[np.argsort(tpd)[:5]]:
            for _ in range(100):
                W = np.exp(d - self.log_gamma(T, trial))
                trial_new = W / W.sum()
                if np.max(np.abs(trial_new - trial)) < 1e-12:
                    break
                trial = trial_new
            if np.sum(trial * (np.log(trial) + self.log_gamma(T, trial) - d)) < -1e-9:
                return True
        return False

    def bubble_pressure(self, T: float, x) -> float | np.ndarray:
        r""":math:`\sum_i x_i\gamma_i p_i^{sat}` [Pa] of one liquid (n,) or a batch (m, n)."""
        x = np.asarray(x, dtype=float)
        p = np.sum(x * self.gamma(T, x) * self.psat(T), axis=-1)
        return float(p) if x.ndim == 1 else p

    def dew_pressure(self, T: float, y, tol: float = 1e-12, max_iter: int = 500) -> float:
        r"""Dew pressure [Pa] of vapour y at T [K]:
        :math:`P = 1 / \sum_i y_i / (\gamma_i(x) p_i^{sat})` with the incipient liquid
        :math:`x_i = y_i P / (\gamma_i p_i^{sat})` normalised, by successive substitution
        from :math:`\gamma = 1`."""
        y = np.asarray(y, dtype=float)
        psat = self.psat(T)
        gamma = np.ones_like(y)
        P = 1.0 / np.sum(y / psat)
        for _ in range(max_iter):
            x = y * P / (gamma * psat)
            gamma = self.gamma(T, x / x.sum())
            P_new = 1.0 / np.sum(y / (gamma * psat))
            if abs(P_new / P - 1.0) < tol:
                return float(P_new)
            P = P_new
        return float(P)

    def temperature_domain(self) -> tuple[float, float]:
        """Intersection [K] of the temperature domains of :attr:`model_files`."""
        domains = [read_metadata(f).domain["temperature"] for f in self.model_files]
        return max(d[0] for d in domains), min(d[1] for d in domains)

    def flash(self, T: float, P: float, z, tol: float = 1e-12, max_iter: int = 500) -> FlashResult:
        """TP flash at T [K], P [Pa], overall composition z."""
        z = np.asarray(z, dtype=float)
        psat = self.psat(T)
        liquid_unstable = np.sum(z * self.gamma(T, z) * psat) / P > 1.0
        w = z * P / psat
        for _ in range(max_iter):
            w_new = z * P / (self.gamma(T, w / w.sum()) * psat)
            if np.max(np.abs(w_new - w)) < tol * max(1.0, w.sum()):
                w = w_new
                break
            w = w_new
        vapour_unstable = w.sum() > 1.0
        nan = np.full_like(z, np.nan)
        if not liquid_unstable:
            return FlashResult(0.0, z.copy(), nan, "L", not self.liquid_split(T, z))
        if not vapour_unstable:
            return FlashResult(1.0, nan, z.copy(), "V")
        x, y = w / w.sum(), z * self.gamma(T, z) * psat / P
        y = y / y.sum()
        beta = 0.5
        for _ in range(max_iter):
            K = self.gamma(T, x) * psat / P
            beta = rachford_rice(z, K)
            x_new = z / (1.0 + beta * (K - 1.0))
            y_new = K * x_new
            x_new, y_new = x_new / x_new.sum(), y_new / y_new.sum()
            done = max(np.max(np.abs(x_new - x)), np.max(np.abs(y_new - y))) < tol
            x, y = x_new, y_new
            if done:
                break
        if beta <= 0.0:
            return FlashResult(0.0, z.copy(), nan, "L", not self.liquid_split(T, z))
        if beta >= 1.0:
            return FlashResult(1.0, nan, z.copy(), "V")
        return FlashResult(float(beta), x, y, "LV", not self.liquid_split(T, x))


def rachford_rice(z: np.ndarray, K: np.ndarray) -> float:
    """Vapour fraction in [0, 1] solving Rachford-Rice by bisection (clipped at the ends)."""

    def g(beta):
        return float(np.sum(z * (K - 1.0) / (1.0 + beta * (K - 1.0))))

    if g(0.0) <= 0.0:
        return 0.0
    if g(1.0) >= 0.0:
        return 1.0
    lo, hi = 0.0, 1.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if g(mid) > 0.0:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-15:
            break
    return 0.5 * (lo + hi)
