"""Solve an :class:`~idaes_plugin.solvers.nl_reader.NLProblem` with CasADi's bundled IPOPT.

CasADi's wheel ships IPOPT 3.14 with the MUMPS linear solver, so this needs nothing but
``pip install casadi``. The model arrives as SX expressions, so CasADi computes the exact
first and second derivatives (Jacobian of the constraints, Hessian of the Lagrangian) by
algorithmic differentiation.

Sign conventions (IPOPT via CasADi): ``lam_g`` and ``lam_x`` are the multipliers of
``L = f + lam_g' g + lam_x' x``; for a bound ``x >= lb`` the bound multiplier is
``zL = -min(lam_x, 0)``, for ``x <= ub`` it is ``zU = max(lam_x, 0)``.
"""

from __future__ import annotations

import contextlib
import io
import time
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, TextIO

import casadi as ca
import numpy as np

from idaes_plugin.solvers.bounded_cache import get_recent, put_bounded
from idaes_plugin.solvers.nl_reader import NLProblem

#: IPOPT return status -> (AMPL solve_result_num, message), as Ipopt's AmplTNLP writes them
AMPL_STATUS = {
    "Solve_Succeeded": (0, "Optimal Solution Found"),
    "Solved_To_Acceptable_Level": (1, "Solved To Acceptable Level."),
    "Feasible_Point_Found": (2, "Found feasible point for square problem."),
    "Infeasible_Problem_Detected": (
        200,
        "Converged to a locally infeasible point. Problem may be infeasible.",
    ),
    "Diverging_Iterates": (300, "Iterates diverging; problem might be unbounded."),
    "Maximum_Iterations_Exceeded": (400, "Maximum Number of Iterations Exceeded."),
    "Maximum_CpuTime_Exceeded": (401, "Maximum CPU Time Exceeded."),
    "Maximum_WallTime_Exceeded": (402, "Maximum Wall Time Exceeded."),
    "Search_Direction_Becomes_Too_Small": (500, "Search Direction becomes Too Small."),
    "Restoration_Failed": (501, "Restoration Phase Failed."),
    "Error_In_Step_Computation": (
        502,
        "Error in step computation (regularization becomes too large?)!",
    ),
    "Invalid_Number_Detected": (503, "Invalid number in NLP function or derivative detected."),
    "User_Requested_Stop": (504, "Stopping optimization at current point as requested by user."),
}
#: statuses after which real IPOPT writes no .sol file at all
NO_SOLUTION_STATUSES = {"Not_Enough_Degrees_Of_Freedom", "Invalid_Problem_Definition"}

#: linear solvers of HSL / Pardiso that the CasADi wheel does not ship
_UNAVAILABLE_LINEAR_SOLVERS = {"ma27", "ma57", "ma77", "ma86", "ma97", "pardiso", "pardisomkl"}
#: options handled here instead of being passed to IPOPT
_LOCAL_OPTIONS = {"wantsol", "halt_on_ampl_error", "option_file_name"}


@dataclass
class SolveOutcome:
    """What one IPOPT run produced, in the variables of the NL problem (unscaled)."""

    status: str
    solve_result_num: int | None
    message: str
    iterations: int
    wall_time: float
    x: np.ndarray
    lam_g: np.ndarray
    lam_x: np.ndarray
    objective: float

    @property
    def writes_solution(self) -> bool:
        """False when real IPOPT would write no ``.sol`` file (e.g. too few degrees of freedom)."""
        return self.status not in NO_SOLUTION_STATUSES


def _coerce(value: Any) -> Any:
    """IPOPT options arrive as strings from command lines: turn numbers into numbers."""
    if not isinstance(value, str):
        return value
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            continue
    return value


def prepare_ipopt_options(options: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Translate user/AMPL IPOPT options into CasADi ``ipopt.*`` options.

    Returns the options and a list of warnings (e.g. an HSL linear solver mapped to MUMPS).
    """
    notes = []
    ipopt_opts: dict[str, Any] = {}
    for key, value in options.items():
        if key in _LOCAL_OPTIONS:
            continue
        value = _coerce(value)
        if key == "linear_solver" and str(value).lower() in _UNAVAILABLE_LINEAR_SOLVERS:
            notes.append(
                f"linear_solver={value} is not available in CasADi's IPOPT build; using mumps"
            )
            value = "mumps"
        ipopt_opts[key] = value
    return ipopt_opts, notes


def _user_scaling(problem: NLProblem) -> tuple[np.ndarray, np.ndarray, float]:
    var = problem.suffixes.get((0, "scaling_factor"), {})
    con = problem.suffixes.get((1, "scaling_factor"), {})
    obj = problem.suffixes.get((2, "scaling_factor"), {})
    sx = np.ones(problem.n_vars)
    sg = np.ones(problem.n_cons)
    for i, v in var.items():
        sx[i] = v
    for i, v in con.items():
        sg[i] = v
    return sx, sg, float(obj.get(0, 1.0))


#: IPOPT solvers built for recent models, by (model key, options, scaling): building one
#: (CasADi's exact Jacobian and Hessian of the Lagrangian) takes ten times longer than an
#: IDAES initialization sub-problem's solve, and IDAES solves the same model many times
#: with other bounds and initial values (83 solves, 38 models for a five-tray column)
_SOLVER_CACHE: OrderedDict[tuple, tuple[ca.Function, int]] = OrderedDict()
SOLVER_CACHE_SIZE = 16
#: at most this many instructions in the cached solvers' functions (about 80 bytes each:
#: 2e6 is about 160 MB; a five-tray column's largest solver has 1.1e6); a larger solver is
#: not kept
SOLVER_CACHE_INSTRUCTIONS = 2_000_000
_SOLVER_FUNCTIONS = ("nlp_f", "nlp_g", "nlp_grad_f", "nlp_jac_g", "nlp_hess_l")


def _instructions(solver: ca.Function) -> int:
    """The instructions of the functions IPOPT calls (what the solver's memory scales with)."""
    return sum(
        solver.get_function(name).n_instructions()
        for name in _SOLVER_FUNCTIONS
        if solver.has_function(name)
    )


def _solver(
    problem: NLProblem,
    ipopt_opts: dict[str, Any],
    scaling: tuple[np.ndarray, np.ndarray, float] | None,
) -> ca.Function:
    """CasADi's IPOPT for ``problem``'s f and g (scaled by ``scaling``), reused when built
    before for the same model key, options and scaling.

    Bounds and initial values are arguments of the call, so they are not part of the key.
    A problem without ``model_key`` (not read from an NL file) is never cached; the cache
    holds at most :data:`SOLVER_CACHE_SIZE` solvers and
    :data:`SOLVER_CACHE_INSTRUCTIONS` instructions, least recently used out first.
    """
    key = None
    if problem.model_key:
        scale_key = None if scaling is None else np.r_[scaling[0], scaling[1], scaling[2]].tobytes()
        key = (problem.model_key, repr(sorted(ipopt_opts.items())), scale_key)
        cached = get_recent(_SOLVER_CACHE, key)
        if cached is not None:
            return cached
    x, f, g = problem.x, problem.f, problem.g
    if scaling is not None:
        sx, sg, sf = scaling
        xs = ca.SX.sym("xs", problem.n_vars)
        unscaled = xs / sx
        f = sf * ca.substitute(f, x, unscaled)
        g = ca.substitute(g, x, unscaled) * sg if problem.n_cons else g
        x = xs
    solver_opts = {
        "ipopt": ipopt_opts,
        "print_time": False,
        "show_eval_warnings": False,
        "error_on_fail": False,
    }
    solver = ca.nlpsol("propkg_ipopt", "ipopt", {"x": x, "f": f, "g": g}, solver_opts)
    if key is not None:
        put_bounded(_SOLVER_CACHE, key, solver, _instructions(solver), SOLVER_CACHE_SIZE,
                    SOLVER_CACHE_INSTRUCTIONS)
    return solver


def solve_nl_problem(
    problem: NLProblem,
    options: dict[str, Any] | None = None,
    stream: TextIO | None = None,
) -> SolveOutcome:
    """Solve ``problem`` with IPOPT; write IPOPT's log to ``stream`` (nothing if None).

    ``nlp_scaling_method=user-scaling`` applies the ``scaling_factor`` suffixes of the NL
    file here (CasADi's IPOPT interface does not take user scaling): variables
    ``x_s = s_x x``, constraints ``g_s = s_g g``, objective ``f_s = s_f f``; results are
    unscaled before they are returned.
    """
    ipopt_opts, notes = prepare_ipopt_options(dict(options or {}))
    for note in notes:
        warnings.warn(note, stacklevel=2)
    if stream is None:
        ipopt_opts.setdefault("print_level", 0)
        ipopt_opts.setdefault("sb", "yes")

    lbx, ubx, lbg, ubg = problem.lbx, problem.ubx, problem.lbg, problem.ubg
    x0, lam_g0 = problem.x0, problem.lam_g0
    sx = np.ones(problem.n_vars)
    sg = np.ones(problem.n_cons)
    sf = 1.0
    scaled = ipopt_opts.get("nlp_scaling_method") == "user-scaling"
    if scaled:
        sx, sg, sf = _user_scaling(problem)
        lbx, ubx, x0 = lbx * sx, ubx * sx, x0 * sx
        low, up = lbg * sg, ubg * sg
        lbg, ubg = np.where(sg > 0, low, up), np.where(sg > 0, up, low)
        lam_g0 = lam_g0 / np.where(sg == 0, 1.0, sg) * sf
        ipopt_opts["nlp_scaling_method"] = "none"

    buffer = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(buffer if stream is None else stream):
        solver = _solver(problem, ipopt_opts, (sx, sg, sf) if scaled else None)
        result = solver(x0=x0, lbx=lbx, ubx=ubx, lbg=lbg, ubg=ubg, lam_g0=lam_g0)
    wall = time.perf_counter() - start
    stats = solver.stats()
    status = stats.get("return_status", "Unknown")
    code, message = AMPL_STATUS.get(status, (502, f"IPOPT ended with status {status}"))
    x_opt = np.asarray(result["x"]).ravel() / sx
    lam_g = np.asarray(result["lam_g"]).ravel() * sg / sf if problem.n_cons else np.zeros(0)
    lam_x = np.asarray(result["lam_x"]).ravel() * sx / sf
    objective = float(result["f"]) / sf
    if problem.objective_sense:
        objective *= problem.objective_sense
    return SolveOutcome(
        status=status,
        solve_result_num=code,
        message=message,
        iterations=int(stats.get("iter_count", 0)),
        wall_time=wall,
        x=x_opt,
        lam_g=lam_g,
        lam_x=lam_x,
        objective=objective,
    )
