r"""Hybrid excess Gibbs energy: mechanistic backbone plus an ``x1*x2``-weighted network.

.. math::

    \frac{g^E}{RT} = \frac{g^E_{bb}(T, x)}{RT} + x_1 x_2\, c(x_1 - x_2, \tau),\qquad
    c(z, \tau) = c_0 + \sum_{k=1}^{H} v_k \tanh(w_k z + u_k \tau + b_k)
        \;[+\, d\,\tau + e\,z + f\,z\tau],\qquad
    \tau = 10\,(T_{ref}/T - 1)

The optional bracket (``linear=True``) is a two-term Redlich-Kister correction,
:math:`x_1x_2[(c_0 + d\tau) + (e + f\tau)(x_1 - x_2)]`, with coefficients linear in
:math:`1/T`: a smooth correction with few parameters, used alone (``n_hidden=0``) or with
the network. Its infinite-dilution limits are analytic,
:math:`\ln\gamma_1^\infty = \ln\gamma_{1,bb}^\infty + c(-1, \tau)` and
:math:`\ln\gamma_2^\infty = \ln\gamma_{2,bb}^\infty + c(+1, \tau)`
(:func:`infinite_dilution_correction`).

* The factor :math:`x_1 x_2` makes the correction vanish for both pure components, so
  :math:`g^E = 0` at :math:`x_i = 1` by construction (as for the backbone).
* Symmetric under swapping the components: the swapped model (component order reversed)
  has the same correction with :math:`w_k \to -w_k`, because :math:`z \to -z` while
  :math:`x_1x_2` and :math:`\tau` are unchanged (:meth:`HybridExcessGibbs.swapped`); the two
  describe the same mixture exactly.
* ``ln gamma_i`` are exact derivatives of the total (:mod:`propkg.mixtures.excess`), so
  Gibbs-Duhem holds to round-off. Only tanh, exp, log, powers: twice differentiable.

The fit (:meth:`HybridExcessGibbs.fit`) is a regularised least-squares problem on the
modified-Raoult bubble pressure and vapour composition of bubble-point data, solved with
CasADi's IPOPT from a few seeded starts.
"""

from __future__ import annotations

import casadi as ca
import numpy as np

from propkg.mixtures.backbones import Backbone
from propkg.mixtures.excess import binary_excess_function, log_activity_coefficients
from propkg_contract.errors import DataError, SolverError

#: parameters of the optional Redlich-Kister terms (d, e, f), after the network's
N_LINEAR = 3


def n_correction_params(n_hidden: int, linear: bool = False) -> int:
    """Length of ``theta``: ``1 + 4 n_hidden`` (+ :data:`N_LINEAR` with the linear terms)."""
    return 1 + 4 * n_hidden + (N_LINEAR if linear else 0)


def correction(z, tau, theta, n_hidden: int):
    """The correction :math:`c(z, \\tau)` (CasADi expression).

    ``theta`` = [c0, v, w, u, b] (length ``1 + 4 n_hidden``), optionally followed by the
    Redlich-Kister terms [d, e, f] (:math:`+ d\\tau + e z + f z\\tau`); the length tells which.
    """
    h = n_hidden
    n = theta.numel() if isinstance(theta, ca.SX | ca.MX | ca.DM) else len(theta)
    if n not in (n_correction_params(h), n_correction_params(h, True)):
        raise DataError(f"correction with {h} hidden units: {n} parameters, expected "
                        f"{n_correction_params(h)} or {n_correction_params(h, True)}")
    c0, v, w, u, b = theta[0], theta[1:1 + h], theta[1 + h:1 + 2 * h], \
        theta[1 + 2 * h:1 + 3 * h], theta[1 + 3 * h:1 + 4 * h]
    out = c0
    for k in range(h):
        out = out + v[k] * ca.tanh(w[k] * z + u[k] * tau + b[k])
    if n == n_correction_params(h, True):
        d, e, f = theta[1 + 4 * h], theta[2 + 4 * h], theta[3 + 4 * h]
        out = out + d * tau + e * z + f * z * tau
    return out


def infinite_dilution_correction(tau, theta, n_hidden: int):
    r"""Correction's part of :math:`(\ln\gamma_1^\infty, \ln\gamma_2^\infty)`:
    :math:`(c(-1, \tau), c(+1, \tau))`, exact for the :math:`x_1x_2\,c` form
    (:math:`\partial(n x_1 x_2 c)/\partial n_1 \to c` as :math:`x_1 \to 0`)."""
    return correction(-1.0, tau, theta, n_hidden), correction(1.0, tau, theta, n_hidden)


def bubble_point(ln1, ln2, x1, psat1, psat2):
    r"""Modified-Raoult bubble pressure and vapour mole fraction (ideal vapour).

    .. math:: P = x_1\gamma_1 P_1^{sat} + x_2\gamma_2 P_2^{sat},\quad
              y_1 = x_1\gamma_1 P_1^{sat}/P

    Works on numpy arrays and CasADi expressions. Pressures in [Pa].
    """
    exp = ca.exp if isinstance(ln1, ca.SX | ca.MX) else np.exp
    p1 = x1 * exp(ln1) * psat1
    p2 = (1 - x1) * exp(ln2) * psat2
    return p1 + p2, p1 / (p1 + p2)


class HybridExcessGibbs:
    """Backbone g^E plus an ``x1*x2``-weighted tanh network, fitted to bubble points.

    Parameters
    ----------
    backbone : Backbone
        The mechanistic model (UNIFAC or NRTL) of the pair.
    n_hidden : int
        Hidden tanh units of the correction.
    T_ref : float
        Reference temperature of the reduced inverse temperature, [K].
    regularization : float
        Weight of the L2 penalty on the network parameters.
    n_starts : int
        Seeded random starts of the fit.
    seed : int
        Seed of the random starts.
    weight_y : float
        Weight of the vapour-composition residuals relative to ``ln P``.
    linear : bool
        Add the Redlich-Kister terms :math:`d\\tau + e z + f z\\tau` to the correction.

    Attributes
    ----------
    theta_ : ndarray
        Fitted network parameters ``[c0, v, w, u, b]`` (after :meth:`fit`).
    train_rms_ : float
        RMS of the training residuals.
    """

    def __init__(self, backbone: Backbone, n_hidden: int = 3, T_ref: float = 350.0,
                 regularization: float = 1e-7, n_starts: int = 4, seed: int = 0,
                 weight_y: float = 0.3, linear: bool = False):
        self.backbone = backbone
        self.linear = bool(linear)
        self.n_hidden = n_hidden
        self.T_ref = float(T_ref)
        self.regularization = regularization
        self.n_starts = n_starts
        self.seed = seed
        self.weight_y = weight_y
        self.theta_ = np.zeros(self.n_params)

    @property
    def n_params(self) -> int:
        """Number of correction parameters (network, plus the linear terms if any)."""
        return n_correction_params(self.n_hidden, self.linear)

    def tau(self, T):
        """Reduced inverse temperature :math:`10 (T_{ref}/T - 1)`, [-]."""
        return 10.0 * (self.T_ref / T - 1.0)

    def gibbs_excess_rt(self, T, x1, x2, theta=None):
        """Total ``g^E/RT`` (CasADi expression); ``theta`` defaults to the fitted one."""
        theta = self.theta_ if theta is None else theta
        bb = self.backbone.gibbs_excess_rt(T, x1, x2)
        return bb + x1 * x2 * correction(x1 - x2, self.tau(T), theta, self.n_hidden)

    def function(self) -> ca.Function:
        """``(T, x1, x2) -> (g^E/RT, ln gamma_1, ln gamma_2)`` with the fitted parameters."""
        theta = [float(v) for v in self.theta_]
        return binary_excess_function(lambda T, a, b: self.gibbs_excess_rt(T, a, b, theta),
                                      "hybrid_gibbs_excess")

    def fit(self, T, x1, P, y1, psat1, psat2) -> HybridExcessGibbs:
        """Fit the network to bubble points (T [K], x1, P [Pa], y1, psat1 [Pa], psat2 [Pa]).

        Residuals are :math:`\\ln(P_{model}/P)` and :math:`w_y (y_{1,model} - y_1)` for every point.

        Raises
        ------
        DataError
            If fewer points than parameters/2 or non-finite data are given.
        SolverError
            If no start converges.
        """
        arrays = [np.asarray(a, float).ravel() for a in (T, x1, P, y1, psat1, psat2)]
        n = arrays[0].size
        if any(a.size != n for a in arrays) or not all(np.isfinite(a).all() for a in arrays):
            raise DataError("hybrid fit: columns of unequal length or non-finite values")
        if 2 * n < self.n_params:
            raise DataError(f"hybrid fit: {n} points for {self.n_params} parameters")
        T, x1, P, y1, ps1, ps2 = arrays
        theta = ca.SX.sym("theta", self.n_params)
        Ts, a_s, b_s = ca.SX.sym("T"), ca.SX.sym("x1"), ca.SX.sym("x2")
        lns = log_activity_coefficients(self.gibbs_excess_rt(Ts, a_s, b_s, theta), [a_s, b_s])
        fun = ca.Function("ln_gamma", [Ts, a_s, b_s, theta], lns)
        res = []  # residuals point by point (tiny problems: <= 15 points)
        for k in range(n):
            l1, l2 = fun(T[k], x1[k], 1 - x1[k], theta)
            Pm, ym = bubble_point(l1, l2, x1[k], ps1[k], ps2[k])
            res += [ca.log(Pm / P[k]), self.weight_y * (ym - y1[k])]
        r = ca.vertcat(*res)
        obj = 0.5 * ca.dot(r, r) + 0.5 * self.regularization * n * ca.dot(theta[1:], theta[1:])
        solver = ca.nlpsol("hybrid_fit", "ipopt", {"x": theta, "f": obj},
                           {"ipopt.print_level": 0, "print_time": False,
                            "ipopt.max_iter": 500, "ipopt.tol": 1e-12})
        rng = np.random.default_rng(self.seed)
        best = None
        for start in range(self.n_starts):
            th0 = 0.0 if start == 0 else 0.5
            x0 = rng.normal(0.0, th0, self.n_params)
            sol = solver(x0=x0)
            if not solver.stats()["success"] and solver.stats()["return_status"] not in (
                    "Solved_To_Acceptable_Level", "Maximum_Iterations_Exceeded"):
                continue
            f = float(sol["f"])
            if best is None or f < best[0]:
                best = (f, np.array(sol["x"]).ravel())
        if best is None:
            raise SolverError(f"hybrid fit of {self.backbone.pair}: no IPOPT start converged")
        self.theta_ = best[1]
        rfun = ca.Function("r", [theta], [r])
        rv = np.array(rfun(self.theta_)).ravel()
        self.train_rms_ = float(np.sqrt(np.mean(rv**2)))
        self.train_objective_ = best[0]
        return self

    def swapped(self) -> HybridExcessGibbs:
        """The same model with the component order reversed (``w -> -w``)."""
        other = HybridExcessGibbs(self.backbone.swapped(), self.n_hidden, self.T_ref,
                                  self.regularization, self.n_starts, self.seed, self.weight_y,
                                  self.linear)
        theta = np.array(self.theta_, float).copy()
        h = self.n_hidden
        theta[1 + h:1 + 2 * h] *= -1.0
        if self.linear:  # z -> -z flips e and f
            theta[2 + 4 * h:4 + 4 * h] *= -1.0
        other.theta_ = theta
        return other

    @classmethod
    def from_metadata(cls, metadata) -> HybridExcessGibbs:
        """Rebuild a hybrid from the metadata of an exported model (backbone from ``thermo``).

        Parameters
        ----------
        metadata : propkg_contract.metadata.ModelMetadata
        """
        pair = tuple(metadata.component_names)
        label = metadata.backbone["gibbs_excess_rt"]["name"]
        kind = Backbone.kind_of_label(label)
        corr = metadata.raw["correction"]
        linear = "d" in corr
        model = cls(Backbone.for_pair(kind, pair), int(corr["n_hidden"]), float(corr["T_ref"]),
                    float(corr["regularization"]), linear=linear)
        model.theta_ = np.array([corr["c0"], *corr["v"], *corr["w"], *corr["u"], *corr["b"],
                                 *([corr["d"], corr["e"], corr["f"]] if linear else [])])
        return model

    def correction_metadata(self) -> dict:
        """The correction's form and parameters, for the ONNX metadata."""
        h = self.n_hidden
        th = self.theta_.tolist()
        out = {
            "form": "gE/RT = backbone + x1*x2*(c0 + sum_k v_k*tanh(w_k*(x1-x2) + u_k*tau + b_k)),"
                    " tau = 10*(T_ref/T - 1)",
            "T_ref": self.T_ref, "n_hidden": h, "c0": th[0], "v": th[1:1 + h],
            "w": th[1 + h:1 + 2 * h], "u": th[1 + 2 * h:1 + 3 * h], "b": th[1 + 3 * h:1 + 4 * h],
            "regularization": self.regularization,
        }
        if self.linear:
            out["form"] = out["form"].replace("b_k))", "b_k)) + d*tau + e*(x1-x2) + "
                                              "f*(x1-x2)*tau")
            out.update(d=th[1 + 4 * h], e=th[2 + 4 * h], f=th[3 + 4 * h])
        return out
