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

as inequality constraints (imposed when the unconstrained optimum violates them). A
solution is then checked numerically on a fine grid (:data:`STABILITY_CHECK_X`, steps of
0.005, :data:`N_STABILITY_CHECK_T` temperatures, as dense as the spinodal check of
``idaes_plugin.activity.stability``); where it still splits between the constraint points,
the worst point of each such temperature becomes a constraint too and the fit is repeated
(a narrow split of the backbone at dilute compositions otherwise survives: tripropylene
glycol/water at x1 = 0.03-0.055). Two optional terms:

* measured infinite-dilution activity coefficients (:mod:`.dilution_data`), with the
  analytic limits of the hybrid: :math:`w_\infty\,\overline{\rho_\infty(\ln\gamma^\infty_{model}
  - \ln\gamma^\infty)}` (soft-L1, scale :data:`F_SCALE_INFINITE`);
* a pressure scale :math:`s_p` per publication (nuisance parameters for the systematic
  offsets between publications, relative to their mean: :math:`r_i \to r_i + s_{p(i)}`
  with :math:`\sum_p s_p = 0`, penalty :math:`\lambda_s\sum_p s_p^2`), fitted with the
  correction and dropped for prediction. The last offset is minus the sum of the others
  (an exact reparameterisation of offsets relative to their mean), so each point depends
  on one offset and the Hessian stays sparse.

The weights :math:`w_i`, :math:`\lambda`, :math:`w_\infty` and :math:`\lambda_s` are
parameters of one compiled IPOPT problem (and of its copy with the stability constraints,
compiled on first need), so leave-one-publication-out folds (weights zeroed on a
publication) and settings reuse it; a setting without offsets fixes them at zero by their
bounds (IPOPT then removes them). Exact first and second derivatives come from CasADi's
algorithmic differentiation; only points that can carry weight (not the test
publications) enter the problem.
"""

from __future__ import annotations

import casadi as ca
import numpy as np

from propkg.mixtures.bubble_data import BubblePoints
from propkg.mixtures.dilution_data import InfiniteDilution
from propkg.mixtures.excess import binary_excess_function, evaluate, log_activity_coefficients
from propkg.mixtures.hybrid_ge import (
    HybridExcessGibbs,
    correction,
    infinite_dilution_correction,
    n_correction_params,
)
from propkg_contract.errors import DataError, SolverError

F_SCALE = 0.01
STABILITY_MARGIN = 0.05
#: weight of the mean squared temperature slope of the network, d c / d tau, [-]
SLOPE_PENALTY = 1e-4
STABILITY_X = np.linspace(0.02, 0.98, 25)
N_STABILITY_T = 4
#: grid on which a fit that imposes stability is checked numerically after the solve (the
#: spinodal check of idaes_plugin.activity.stability uses the same density): mole fractions
#: in steps of 0.005, 15 temperatures; a split between the constraint grid's points gets
#: its worst points added as constraints (:data:`MAX_STABILITY_REFINEMENTS` rounds)
STABILITY_CHECK_X = np.linspace(0.0, 1.0, 201)[1:-1]
N_STABILITY_CHECK_T = 15
MAX_STABILITY_REFINEMENTS = 3
#: scale of the soft-L1 loss on ln gamma_inf, [-] (the compilation scatters by ~0.1)
F_SCALE_INFINITE = 0.1


def _soft_l1(r, scale: float):
    """Soft-L1 loss :math:`2 f^2(\\sqrt{1 + (r/f)^2} - 1)` of residuals ``r`` (CasADi)."""
    return 2 * scale**2 * (ca.sqrt(1 + (r / scale) ** 2) - 1)


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


def stability_grid(T_low: float, T_high: float, n_T: int = N_STABILITY_T
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Temperatures and compositions of the stability constraints (flattened grid)."""
    temps = np.linspace(T_low, T_high, n_T)
    TT, XX = np.meshgrid(temps, STABILITY_X, indexing="ij")
    return TT.ravel(), XX.ravel()


class RobustBubbleFit:
    """One compiled IPOPT problem: hybrid correction of a given form on fixed points.

    Parameters
    ----------
    model : HybridExcessGibbs
        Gives the backbone, ``n_hidden``, ``linear`` and ``T_ref``; its ``theta_`` is not used.
    points : BubblePoints
        Points with ``psat1``, ``psat2`` filled (may be empty when ``infinite_dilution`` is
        given).
    stability_T : (float, float) or None
        Temperature range [K] over which intrinsic stability is imposed; None: no constraint.
    f_scale : float
        Scale of the soft-L1 loss in :math:`\\ln P`, [-].
    infinite_dilution : InfiniteDilution, optional
        Measured :math:`\\ln\\gamma^\\infty`; their soft-L1 term (scale
        :data:`F_SCALE_INFINITE`) enters with the weight given to :meth:`solve`.
    offsets : bool
        Give every publication a pressure scale :math:`s_p` (a nuisance parameter,
        :math:`r_i = \\ln(P_{model} e^{s_p}/P_i)`, :math:`\\sum_p s_p = 0`, penalty
        :math:`\\lambda_s \\sum_p s_p^2`), fitted with the correction and never used for
        prediction. Parameterised by all but the last offset (:math:`s_P = -\\sum_{p<P}
        s_p`), so that each point depends on one offset and the Hessian stays sparse.
    n_stability_T : int
        Temperatures of the stability grid.
    trainable : array of bool, optional
        Points that may get a nonzero weight in :meth:`solve` (default: all); only these
        enter the compiled problem (e.g. not the test publications), while
        :meth:`residuals` covers all points.
    """

    def __init__(self, model: HybridExcessGibbs, points: BubblePoints,
                 stability_T: tuple[float, float] | None = None, f_scale: float = F_SCALE,
                 infinite_dilution: InfiniteDilution | None = None, offsets: bool = False,
                 n_stability_T: int = N_STABILITY_T, trainable=None):
        self.model = model
        self.points = points
        self.trainable = np.ones(len(points), bool) if trainable is None else \
            np.asarray(trainable, bool)
        train = points.subset(self.trainable)
        bb = binary_excess_function(model.backbone.gibbs_excess_rt, "backbone")
        h = model.n_hidden
        theta = ca.SX.sym("theta", model.n_params)
        Ts, a, b = ca.SX.sym("T"), ca.SX.sym("x1"), ca.SX.sym("x2")
        gc = a * b * correction(a - b, model.tau(Ts), theta, h)  # the correction term alone
        n = len(train)
        # every publication (also those without trainable points) has an offset, as before
        self.publications = points.publications() if offsets else []
        w, lam, w_inf, lam_s = (ca.SX.sym("w", n), ca.SX.sym("lam"), ca.SX.sym("w_inf"),
                                ca.SX.sym("lam_s"))
        obj = lam * ca.dot(theta, theta)  # the terms that do not depend on the offsets
        data, data_offsets = 0, 0
        r = ca.SX(0, 1)
        n_s = max(len(self.publications) - 1, 0)
        u = ca.SX.sym("s", n_s)  # offsets of all publications but the last
        if n:
            r = self._bubble_residuals(bb, gc, theta, Ts, a, b, train)
            w_mean = ca.fmax(ca.sum1(w), 1e-12)
            data = ca.dot(w, _soft_l1(r, f_scale)) / w_mean
            if self.publications:
                # offsets relative to the consensus: they sum to zero (the last one is minus
                # the sum of the others), so a common shift cannot trade against the
                # correction; each point sees only its own publication's offset
                s_all = ca.vertcat(u, -ca.sum1(u))
                index = {pub: k for k, pub in enumerate(self.publications)}
                s_point = s_all[[index[src] for src in train.source]]
                data_offsets = ca.dot(w, _soft_l1(r + s_point, f_scale)) / w_mean \
                    + lam_s * ca.dot(s_all, s_all)
            # temperature slope of the correction at the points: along an isobar T and x move
            # together, so only this penalty stops it from trading one for the other
            tau_s = ca.SX.sym("tau")
            slope = ca.Function("slope", [a, b, tau_s, theta], [ca.jacobian(
                correction(a - b, tau_s, theta, h), tau_s)])
            dc = slope.map(n)(train.x1[None, :], 1 - train.x1[None, :],
                              model.tau(train.T)[None, :], ca.repmat(theta, 1, n))
            obj += SLOPE_PENALTY * ca.dot(w, (dc.T) ** 2) / w_mean
        self._residual = ca.Function("r", [theta], [r if self.trainable.all() else (
            self._bubble_residuals(bb, gc, theta, Ts, a, b, points) if len(points) else r)])
        self.infinite_dilution = infinite_dilution
        self._inf_residual = None
        self.n_infinite = 0 if infinite_dilution is None else len(infinite_dilution)
        v = ca.SX.sym("v", self.n_infinite)  # weights of the ln gamma_inf values
        if self.n_infinite:
            ri = self._infinite_residuals(bb, theta, infinite_dilution)
            self._inf_residual = ca.Function("r_inf", [theta], [ri])
            obj += w_inf * ca.dot(v, _soft_l1(ri, F_SCALE_INFINITE)) / ca.fmax(ca.sum1(v), 1e-12)
        p = ca.vertcat(w, lam, w_inf, lam_s, v)
        # theta and n_publications - 1 offsets (none without publication offsets)
        self._nlp = {"x": ca.vertcat(theta, u), "p": p,
                     "f": obj + (data_offsets if self.publications else data)}
        self._options = {"ipopt.print_level": 0, "print_time": False, "ipopt.max_iter": 200,
                         "ipopt.tol": 1e-8, "ipopt.sb": "yes"}
        self._solvers: dict = {}
        self._solved: dict = {}  # (offsets fixed, start, parameters) -> result of that solve
        self._curvature_expr = self._curvature = self._fine_curvature = None
        if stability_T is not None:
            xs = ca.SX.sym("x")
            gcx = ca.substitute(gc, ca.vertcat(a, b), ca.vertcat(xs, 1 - xs))
            self._theta, self._bb = theta, bb
            self._d2c = ca.Function("d2c", [Ts, xs, theta], [ca.hessian(gcx, xs)[0]])
            self._set_stability_grid(*stability_grid(*stability_T, n_T=n_stability_T))
            temps = np.linspace(*stability_T, N_STABILITY_CHECK_T)
            TT, XX = np.meshgrid(temps, STABILITY_CHECK_X, indexing="ij")
            self._check_grid = TT.ravel(), XX.ravel()
            self._fine_curvature = self._numeric_curvature(*self._check_grid)

    def _curvature_parts(self, Tg: np.ndarray, xg: np.ndarray):
        """The backbone's plus the ideal mixing curvature at the grid (numbers) and the
        mapped correction curvature (a CasADi Function of (T, x, theta) rows)."""
        d2bb = np.asarray(second_derivative_function(self._bb).map(Tg.size)(
            Tg[None, :], xg[None, :])).ravel()
        return d2bb + 1.0 / xg + 1.0 / (1.0 - xg), self._d2c.map(Tg.size)

    def _set_stability_grid(self, Tg: np.ndarray, xg: np.ndarray) -> None:
        """Symbolic curvature constraints at the grid points (drops a compiled stable solver)."""
        fixed, d2c = self._curvature_parts(Tg, xg)
        D2 = d2c(Tg[None, :], xg[None, :], ca.repmat(self._theta, 1, Tg.size))
        self._stability_grid = Tg, xg
        self._curvature_expr = D2.T + fixed
        self._curvature = ca.Function("curvature", [self._theta], [self._curvature_expr])
        self._solvers.pop(True, None)

    def _numeric_curvature(self, Tg: np.ndarray, xg: np.ndarray):
        """theta -> curvature at the grid, evaluated numerically (no symbolic expansion)."""
        fixed, d2c = self._curvature_parts(Tg, xg)
        T_row, x_row = Tg[None, :], xg[None, :]
        return lambda th: np.asarray(d2c(T_row, x_row, np.tile(
            np.asarray(th, float).reshape(-1, 1), (1, Tg.size)))).ravel() + fixed

    def splits(self, theta) -> bool:
        """True if ``theta`` splits the liquid somewhere on the fine check grid (False when
        the problem imposes no stability)."""
        return self._fine_curvature is not None and bool(
            self._fine_curvature(theta).min() <= 0.0)

    def _refine_stability_grid(self, theta) -> bool:
        """Add the fine check grid's worst point of every check temperature at which
        ``theta`` splits the liquid to the constraint grid; False if nothing splits."""
        values = self._fine_curvature(theta).reshape(N_STABILITY_CHECK_T, -1)
        if values.min() > 0.0:
            return False
        TT, XX = (g.reshape(values.shape) for g in self._check_grid)
        rows = np.flatnonzero(values.min(axis=1) <= 0.0)
        cols = values[rows].argmin(axis=1)
        Tg, xg = self._stability_grid
        self._set_stability_grid(np.r_[Tg, TT[rows, cols]], np.r_[xg, XX[rows, cols]])
        return True

    def _solver(self, stable: bool) -> ca.Function:
        """IPOPT solver of the problem with or without the stability constraints (compiled
        on first need: most fits never need the constraints)."""
        if stable not in self._solvers:
            nlp = dict(self._nlp)
            if stable:
                nlp["g"] = self._curvature_expr
            name = "robust_bubble_fit" + ("_stable" if stable else "")
            self._solvers[stable] = ca.nlpsol(name, "ipopt", nlp, self._options)
        return self._solvers[stable]

    @staticmethod
    def _bubble_residuals(bb, gc, theta, Ts, a, b, points: BubblePoints):
        """:math:`\\ln(P_{model}/P)` at the points (CasADi, backbone evaluated once)."""
        n = len(points)
        _, l1_bb, l2_bb = evaluate(bb, points.T, points.x1)
        lc1, lc2 = log_activity_coefficients(gc, [a, b])
        lnc = ca.Function("ln_gamma_c", [Ts, a, b, theta], [lc1, lc2])
        L1, L2 = lnc.map(n)(points.T[None, :], points.x1[None, :], 1 - points.x1[None, :],
                            ca.repmat(theta, 1, n))
        # ln P_model = ln(x1 gamma1 P1sat + x2 gamma2 P2sat), as a log-sum-exp so that a
        # wild trial step cannot overflow (training only: fmax never reaches a file)
        a1 = L1.T + l1_bb + np.log(points.x1 * points.psat1)
        a2 = L2.T + l2_bb + np.log((1 - points.x1) * points.psat2)
        top = ca.fmax(a1, a2)
        return top + ca.log(ca.exp(a1 - top) + ca.exp(a2 - top)) - np.log(points.P)

    def _infinite_residuals(self, bb, theta, data: InfiniteDilution):
        """:math:`\\ln\\gamma^\\infty_{model} - \\ln\\gamma^\\infty` (backbone numerically at
        the dilute limit, correction analytic)."""
        model = self.model
        tau = ca.SX.sym("tau")
        c1, c2 = infinite_dilution_correction(tau, theta, model.n_hidden)
        lim = ca.Function("c_inf", [tau, theta], [c1, c2])
        m = len(data)
        C1, C2 = lim.map(m)(model.tau(data.T)[None, :], ca.repmat(theta, 1, m))
        corr = ca.if_else(ca.DM(data.solute == 0), C1.T, C2.T)
        return corr + data.backbone_values(bb) - data.ln_gamma

    def infinite_dilution_residuals(self, theta) -> np.ndarray:
        """:math:`\\ln\\gamma^\\infty_{model} - \\ln\\gamma^\\infty` for ``theta`` (empty without
        data)."""
        if self._inf_residual is None:
            return np.zeros(0)
        return np.asarray(self._inf_residual(theta)).ravel()

    @staticmethod
    def _run(solver, x0, p, **bounds):
        """(objective, parameters) of one IPOPT solve, or None if it did not converge."""
        sol = solver(x0=x0, p=p, **bounds)
        if solver.stats()["return_status"] not in (
                "Solve_Succeeded", "Solved_To_Acceptable_Level", "Maximum_Iterations_Exceeded"):
            return None
        f, x = float(sol["f"]), np.array(sol["x"]).ravel()
        if "lbg" in bounds and float(np.min(np.asarray(sol["g"]))) < bounds["lbg"] - 1e-6:
            return None  # stopped before reaching stability
        return (f, x) if np.isfinite(f) else None

    def _solve_from(self, x0: np.ndarray, p: np.ndarray, fixed: bool):
        """(objective, parameters) of one start (offsets fixed at zero if ``fixed``), with
        the stability constraints imposed if the unconstrained optimum splits into two
        liquids; None if it did not converge."""
        n = self.model.n_params
        free = np.full(n, np.inf)
        off = np.zeros(x0.size - n) if fixed else np.full(x0.size - n, np.inf)
        box = {"lbx": np.r_[-free, -off], "ubx": np.r_[free, off]}
        sol = self._run(self._solver(False), x0, p, **box)
        if sol is None or self._curvature is None:
            return sol
        theta = sol[1][:n]
        if float(np.min(np.asarray(self._curvature(theta)))) >= STABILITY_MARGIN \
                and not self.splits(theta):
            return sol
        for _ in range(MAX_STABILITY_REFINEMENTS + 1):
            sol = self._run(self._solver(True), sol[1], p, lbg=STABILITY_MARGIN, ubg=np.inf,
                            **box)
            if sol is None or not self._refine_stability_grid(sol[1][:n]):
                return sol
        return None  # still splits between the grid points: not a usable solution

    def residuals(self, theta) -> np.ndarray:
        """:math:`\\ln(P_{model}/P)` at every point for parameters ``theta``."""
        return np.asarray(self._residual(theta)).ravel()

    def solve(self, weights, regularization: float, starts: list[np.ndarray],
              infinite_weight: float = 0.0, offset_regularization: float | None = None,
              infinite_point_weights=None) -> np.ndarray:
        """Best correction parameters over ``starts`` (lowest objective among converged
        solves; the publication offsets, if any, are fitted and dropped).

        Parameters
        ----------
        weights : array
            Weight of every bubble point (zero leaves it out).
        regularization : float
            :math:`\\lambda` of :math:`\\lambda\\lVert\\theta\\rVert^2`.
        starts : list of arrays
            Starting correction parameters.
        infinite_weight : float
            Weight of the :math:`\\ln\\gamma^\\infty` term (0: not used).
        offset_regularization : float or None
            :math:`\\lambda_s` of the publication offsets; None fixes them at zero.
        infinite_point_weights : array, optional
            Weight of every :math:`\\ln\\gamma^\\infty` value (default 1; zero leaves it out).

        Raises
        ------
        SolverError
            If no start converges.
        """
        best = None
        fixed = offset_regularization is None
        v = np.ones(self.n_infinite) if infinite_point_weights is None else \
            np.asarray(infinite_point_weights, float)
        weights = np.asarray(weights, float)
        if np.any(weights[~self.trainable] != 0):
            raise DataError(f"robust bubble-point fit of {self.model.backbone.pair}: "
                            f"{int(np.sum(weights[~self.trainable] != 0))} point(s) outside "
                            "the trainable points have a nonzero weight; build the problem "
                            "with them trainable")
        p = np.concatenate([weights[self.trainable], [
            regularization, infinite_weight,
            0.0 if offset_regularization is None else offset_regularization], v])
        n_s = max(len(self.publications) - 1, 0)
        for x0 in starts:
            x0 = np.concatenate([np.asarray(x0, float)[:self.model.n_params], np.zeros(n_s)])
            key = (fixed, x0.tobytes(), p.tobytes())
            if key not in self._solved:  # IPOPT is deterministic: a repeated solve is reused
                self._solved[key] = self._solve_from(x0, p, fixed)
            sol = self._solved[key]
            if sol is not None and (best is None or sol[0] < best[0]):
                best = sol
        if best is None:
            raise SolverError(f"robust bubble-point fit of {self.model.backbone.pair} "
                              f"(n_hidden={self.model.n_hidden}): no IPOPT start converged")
        return best[1][:self.model.n_params]


def starting_points(n_hidden: int, seed: int = 0, n_random: int = 2,
                    linear: bool = False) -> list[np.ndarray]:
    """Zero (the backbone) for a correction without hidden units, else seeded small random
    starts (a zero start is a saddle of the tanh layer); linear terms start at zero."""
    n = n_correction_params(n_hidden, linear)
    if n_hidden == 0:
        return [np.zeros(n)]
    rng = np.random.default_rng(seed)
    out = [rng.normal(0.0, 0.3, n) for _ in range(n_random)]
    for x in out:
        x[n_correction_params(n_hidden):] = 0.0
    return out
