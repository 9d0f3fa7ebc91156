r"""Robust fit of the hybrid g^E network to measured bubble pressures (soft-L1 loss, IPOPT).

The hybrid's :math:`g^E/RT` is the backbone's plus :math:`x_1x_2\,c(z,\tau)`
(:mod:`propkg.mixtures.hybrid_ge`). Because :math:`\ln\gamma_i` is linear in :math:`g^E`,

.. math:: \ln\gamma_i = \ln\gamma_i^{bb}(T, x) + \ln\gamma_i^{c}(T, x; \theta)

so the backbone part is evaluated once per point and only the small network enters the
optimisation. The objective is

.. math::

    \min_\theta \frac{\sum_i w_i\,\rho(r_i)}{\sum_i w_i} + \lambda\,\lVert\theta\rVert^2,\quad
    r_i = \ln\frac{P_{model}(T_i, x_i;\theta)}{P_i},\quad
    \rho(r) = 2 f^2\left(\sqrt{1 + (r/f)^2} - 1\right)

(soft-L1 with scale :math:`f` = :data:`F_SCALE`: quadratic for :math:`|r| \ll f`, linear
beyond, so a few bad points cannot dominate), plus :data:`SLOPE_PENALTY` times the
weighted mean of :math:`(\partial c/\partial\tau)^2` at the points: along an isobar T and x
move together, and without it the network explains composition effects by temperature
and extrapolates badly to other isotherms. Optionally the mixture is kept
intrinsically stable (no spurious liquid-liquid split): on a grid of temperatures and
compositions

.. math:: \frac{\partial^2 (g_{mix}/RT)}{\partial x_1^2} = \frac{1}{x_1} + \frac{1}{x_2}
          + \frac{\partial^2 (g^E/RT)}{\partial x_1^2} \ge \epsilon

as inequality constraints. The weights :math:`w_i` are parameters of one compiled IPOPT
problem, so leave-one-publication-out folds (weights zeroed on a publication) reuse it.
"""

from __future__ import annotations

import casadi as ca
import numpy as np

from propkg.mixtures.bubble_data import BubblePoints
from propkg.mixtures.excess import binary_excess_function, evaluate, log_activity_coefficients
from propkg.mixtures.hybrid_ge import HybridExcessGibbs, correction
from propkg_contract.errors import SolverError

F_SCALE = 0.01
STABILITY_MARGIN = 0.05
#: weight of the mean squared temperature slope of the network, d c / d tau, [-]
SLOPE_PENALTY = 1e-4
STABILITY_X = np.linspace(0.02, 0.98, 25)
N_STABILITY_T = 4


def second_derivative_function(fun: ca.Function) -> ca.Function:
    """``(T, x1) -> d2(g^E/RT)/dx1^2`` along the simplex (exact AD) of a g^E function."""
    T, x = ca.SX.sym("T"), ca.SX.sym("x")
    g = fun(T, x, 1 - x)[0]
    return ca.Function("d2g", [T, x], [ca.hessian(g, x)[0]])


def mixing_curvature(fun: ca.Function, T, x1) -> np.ndarray:
    r""":math:`\partial^2 (g_{mix}/RT)/\partial x_1^2` of a g^E function; < 0 means unstable."""
    T, x1 = np.broadcast_arrays(np.asarray(T, float), np.asarray(x1, float))
    d2 = second_derivative_function(fun).map(T.size)(T.ravel()[None, :], x1.ravel()[None, :])
    return np.asarray(d2).reshape(T.shape) + 1.0 / x1 + 1.0 / (1.0 - x1)


def stability_grid(T_low: float, T_high: float) -> tuple[np.ndarray, np.ndarray]:
    """Temperatures and compositions of the stability constraints (flattened grid)."""
    temps = np.linspace(T_low, T_high, N_STABILITY_T)
    TT, XX = np.meshgrid(temps, STABILITY_X, indexing="ij")
    return TT.ravel(), XX.ravel()


class RobustBubbleFit:
    """One compiled IPOPT problem: hybrid network of a given size on fixed points.

    Parameters
    ----------
    model : HybridExcessGibbs
        Gives the backbone, ``n_hidden`` and ``T_ref``; its ``theta_`` is not used.
    points : BubblePoints
        Points with ``psat1``, ``psat2`` filled.
    stability_T : (float, float) or None
        Temperature range [K] over which intrinsic stability is imposed; None: no constraint.
    f_scale : float
        Scale of the soft-L1 loss in :math:`\\ln P`, [-].
    """

    def __init__(self, model: HybridExcessGibbs, points: BubblePoints,
                 stability_T: tuple[float, float] | None = None, f_scale: float = F_SCALE):
        self.model = model
        self.points = points
        bb = binary_excess_function(model.backbone.gibbs_excess_rt, "backbone")
        _, l1_bb, l2_bb = evaluate(bb, points.T, points.x1)
        h = model.n_hidden
        theta = ca.SX.sym("theta", model.n_params)
        Ts, a, b = ca.SX.sym("T"), ca.SX.sym("x1"), ca.SX.sym("x2")
        gc = a * b * correction(a - b, model.tau(Ts), theta, h)  # the network term alone
        lc1, lc2 = log_activity_coefficients(gc, [a, b])
        lnc = ca.Function("ln_gamma_c", [Ts, a, b, theta], [lc1, lc2])
        n = len(points)
        L1, L2 = lnc.map(n)(points.T[None, :], points.x1[None, :], 1 - points.x1[None, :],
                            ca.repmat(theta, 1, n))
        # ln P_model = ln(x1 gamma1 P1sat + x2 gamma2 P2sat), as a log-sum-exp so that a
        # wild trial step cannot overflow (training only: fmax never reaches a file)
        a1 = L1.T + l1_bb + np.log(points.x1 * points.psat1)
        a2 = L2.T + l2_bb + np.log((1 - points.x1) * points.psat2)
        top = ca.fmax(a1, a2)
        r = top + ca.log(ca.exp(a1 - top) + ca.exp(a2 - top)) - np.log(points.P)
        self._residual = ca.Function("r", [theta], [r])
        w = ca.SX.sym("w", n)
        lam = ca.SX.sym("lam")
        rho = 2 * f_scale**2 * (ca.sqrt(1 + (r / f_scale) ** 2) - 1)
        # temperature slope of the network at the points: along an isobar T and x move
        # together, so only this penalty stops the network from trading one for the other
        tau_s = ca.SX.sym("tau")
        slope = ca.Function("slope", [a, b, tau_s, theta], [ca.jacobian(
            correction(a - b, tau_s, theta, h), tau_s)])
        dc = slope.map(n)(points.x1[None, :], 1 - points.x1[None, :],
                          model.tau(points.T)[None, :], ca.repmat(theta, 1, n))
        obj = (ca.dot(w, rho) + SLOPE_PENALTY * ca.dot(w, (dc.T) ** 2)) / ca.sum1(w) \
            + lam * ca.dot(theta, theta)
        nlp = {"x": theta, "p": ca.vertcat(w, lam), "f": obj}
        options = {"ipopt.print_level": 0, "print_time": False, "ipopt.max_iter": 200,
                   "ipopt.tol": 1e-8, "ipopt.sb": "yes"}
        self._solver = ca.nlpsol("robust_bubble_fit", "ipopt", nlp, options)
        self._stable_solver = self._curvature = None
        if stability_T is not None:
            Tg, xg = stability_grid(*stability_T)
            d2bb = np.asarray(second_derivative_function(bb).map(Tg.size)(
                Tg[None, :], xg[None, :])).ravel()
            xs = ca.SX.sym("x")
            gcx = ca.substitute(gc, ca.vertcat(a, b), ca.vertcat(xs, 1 - xs))
            d2c = ca.Function("d2c", [Ts, xs, theta], [ca.hessian(gcx, xs)[0]])
            D2 = d2c.map(Tg.size)(Tg[None, :], xg[None, :], ca.repmat(theta, 1, Tg.size))
            curvature = D2.T + d2bb + 1.0 / xg + 1.0 / (1.0 - xg)
            self._curvature = ca.Function("curvature", [theta], [curvature])
            # built on first need: most fits are stable without the constraints
            self._stable_nlp = (dict(nlp, g=curvature), options)

    @staticmethod
    def _run(solver, x0, p, **bounds):
        """(objective, parameters) of one IPOPT solve, or None if it did not converge."""
        sol = solver(x0=x0, p=p, **bounds)
        if solver.stats()["return_status"] not in (
                "Solve_Succeeded", "Solved_To_Acceptable_Level", "Maximum_Iterations_Exceeded"):
            return None
        f, x = float(sol["f"]), np.array(sol["x"]).ravel()
        if bounds and float(np.min(np.asarray(sol["g"]))) < bounds["lbg"] - 1e-6:
            return None  # stopped before reaching stability
        return (f, x) if np.isfinite(f) else None

    def residuals(self, theta) -> np.ndarray:
        """:math:`\\ln(P_{model}/P)` at every point for parameters ``theta``."""
        return np.asarray(self._residual(theta)).ravel()

    def solve(self, weights, regularization: float, starts: list[np.ndarray]) -> np.ndarray:
        """Best parameters over ``starts`` (lowest objective among converged solves).

        Raises
        ------
        SolverError
            If no start converges.
        """
        best = None
        p = np.concatenate([np.asarray(weights, float), [regularization]])
        for x0 in starts:
            sol = self._run(self._solver, x0, p)
            if sol is not None and self._curvature is not None and float(
                    np.min(np.asarray(self._curvature(sol[1])))) < STABILITY_MARGIN:
                # the unconstrained optimum splits into two liquids: impose stability
                if self._stable_solver is None:
                    self._stable_solver = ca.nlpsol("robust_bubble_fit_stable", "ipopt",
                                                    *self._stable_nlp)
                sol = self._run(self._stable_solver, sol[1], p, lbg=STABILITY_MARGIN,
                                ubg=np.inf)
            if sol is not None and (best is None or sol[0] < best[0]):
                best = sol
        if best is None:
            raise SolverError(f"robust bubble-point fit of {self.model.backbone.pair} "
                              f"(n_hidden={self.model.n_hidden}): no IPOPT start converged")
        return best[1]


def starting_points(n_hidden: int, seed: int = 0, n_random: int = 2) -> list[np.ndarray]:
    """Zero (the backbone) for a network without hidden units, else seeded small random
    starts (a zero start is a saddle of the tanh layer)."""
    n = 1 + 4 * n_hidden
    if n_hidden == 0:
        return [np.zeros(n)]
    rng = np.random.default_rng(seed)
    return [rng.normal(0.0, 0.3, n) for _ in range(n_random)]
