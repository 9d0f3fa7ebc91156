r"""An independent TP flash from the ONNX files: numpy + onnxruntime, no Pyomo, no IDAES.

The reference the flowsheet flash campaign (:mod:`flash_campaign`) compares IDAES's Flash
with. Phases: ideal vapour, liquid with activity coefficients (1 for Raoult's law),

.. math::

    K_i = \frac{\gamma_i(T, x)\, p_i^{sat}(T)}{P},\qquad
    \sum_i \frac{z_i (K_i - 1)}{1 + \beta (K_i - 1)} = 0 \quad\text{(Rachford-Rice)}

with :math:`p^{sat}_i` from the pure-component files and :math:`\ln\gamma_i` from the binary
g^E file, both evaluated by onnxruntime.

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

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from propkg_contract.reader import onnx_session, run_onnx
from propkg_contract.registry import find_binary_model, find_model


@dataclass
class FlashResult:
    """Vapour fraction and phase compositions of a TP flash (NaN for an absent phase)."""

    beta: float
    x: np.ndarray
    y: np.ndarray
    phases: str  # "L", "V" or "LV"
    liquid_stable: bool = True  # False: the liquid would split in two (see liquid_split)


class ReferenceFlash:
    """TP flash of a mixture from its ONNX files.

    Parameters
    ----------
    components : sequence of str
        Shipped model names, in the order of the compositions given and returned.
    activity_model : str or None
        None for Raoult's law, else the binary g^E model's name (``"hybrid"``, ``"unifac"``,
        ``"nrtl"``): outputs ``log_act_coeff_comp`` (+ ``_unifac``/``_nrtl``).
    binary_model : path, optional
        A binary file to use instead of the shipped one (components in its order).
    """

    def __init__(self, components, activity_model: str | None = None,
                 binary_model: str | Path | None = None):
        self.components = list(components)
        self._psat = [
            onnx_session(find_model(c), outputs=["pressure_sat_comp"]) for c in self.components
        ]
        self._gamma = None
        if activity_model is not None:
            path, swapped = find_binary_model(*self.components) if binary_model is None \
                else (Path(binary_model), False)
            suffix = "" if activity_model == "hybrid" else f"_{activity_model}"
            self._gamma = onnx_session(Path(path), outputs=[f"log_act_coeff_comp{suffix}"])
            self._order = [1, 0] if swapped else [0, 1]

    def psat(self, T: float) -> np.ndarray:
        """Vapour pressures [Pa] at T [K]."""
        return np.array([run_onnx(s, T=[T])["pressure_sat_comp"][0] for s in self._psat])

    def gamma(self, T: float, x: np.ndarray) -> np.ndarray:
        """Activity coefficients at T [K] and liquid composition x (1 for Raoult)."""
        if self._gamma is None:
            return np.ones(len(self.components))
        x_model = np.asarray(x, dtype=float)[self._order]
        (ln,) = run_onnx(self._gamma, T=[T], mole_frac_comp=x_model.reshape(1, 2)).values()
        return np.exp(np.asarray(ln).reshape(-1)[self._order])

    def liquid_split(self, T: float, x, n_trial: int = 399) -> bool:
        r"""True if a liquid of composition x at T is unstable against a second liquid.

        Tangent-plane distance of trial liquids w on a grid of binary compositions,

        .. math:: \mathrm{tpd}(w) = \sum_i w_i\,[\ln w_i + \ln\gamma_i(w)
            - \ln x_i - \ln\gamma_i(x)] < 0 \text{ for some } w,

        evaluated by onnxruntime in one batch (Raoult's law is always stable).
        """
        if self._gamma is None:
            return False
        x = np.asarray(x, dtype=float)
        w1 = np.linspace(0.0, 1.0, n_trial + 2)[1:-1]
        w = np.column_stack([w1, 1.0 - w1])
        (ln_w,) = run_onnx(self._gamma, T=np.full(n_trial, T),
                           mole_frac_comp=w[:, self._order]).values()  # fmt: skip
        ln_w = np.asarray(ln_w).reshape(n_trial, 2)[:, self._order]
        ln_x = np.log(self.gamma(T, x))
        tpd = np.sum(w * (np.log(w) + ln_w - np.log(x) - ln_x), axis=1)
        return bool(tpd.min() < -1e-9)

    def bubble_pressure(self, T: float, x) -> float:
        """:math:`\\sum_i x_i\\gamma_i p_i^{sat}` [Pa]."""
        x = np.asarray(x, dtype=float)
        return float(np.sum(x * self.gamma(T, x) * self.psat(T)))

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
