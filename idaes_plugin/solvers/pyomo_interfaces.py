"""Pyomo solver interfaces that run CasADi's IPOPT in process instead of an ``ipopt`` executable.

Both of Pyomo's IPOPT interfaces are subclassed and only the step that starts the
executable is replaced, so that Pyomo's NL writer (presolve, scaling), its ``.sol`` reader
and its result loading stay Pyomo's own:

* :class:`CasadiIPOPT` subclasses the legacy ``pyomo.solvers.plugins.solvers.IPOPT``
  (``SolverFactory("ipopt")``) and overrides ``_execute_command``;
* :class:`CasadiIpopt` subclasses ``pyomo.contrib.solver.solvers.ipopt.Ipopt`` (the
  ``"ipopt_v2"`` interface that IDAES's ``get_solver()`` and initializers use) and runs
  Pyomo's own ``_run_ipopt`` with its ``subprocess.run`` call answered in process.

In both cases the command line Pyomo builds (``ipopt stub.nl -AMPL key=value ...``) is
handed to :func:`idaes_plugin.solvers.ampl_driver.run`, which behaves like the AMPL
``ipopt`` executable. The same driver is installed as the console script
``propkg-ipopt`` for tools that insist on a real executable.

The in-process route relies on Pyomo internals (``_execute_command``, ``_run_ipopt`` and
its module-level ``subprocess``): the supported Pyomo range is pinned in pyproject.toml and
tests exercise both interfaces.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path
from unittest import mock

import pyomo.contrib.solver.solvers.ipopt as contrib_ipopt_module
from pyomo.common.errors import InfeasibleConstraintException
from pyomo.common.tee import TeeStream
from pyomo.contrib.solver.common.base import Availability
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition
from pyomo.contrib.solver.solvers.ipopt import Ipopt, LegacyIpoptSolver
from pyomo.opt import TerminationCondition as LegacyTermination
from pyomo.solvers.plugins.solvers.IPOPT import IPOPT

from idaes_plugin.solvers import ampl_driver
from propkg_contract.errors import SolverError

logger = logging.getLogger("idaes_plugin.solvers")

#: legacy termination conditions after which the solution is loaded into the model
_LEGACY_SUCCESS = {
    LegacyTermination.optimal,
    LegacyTermination.locallyOptimal,
    LegacyTermination.globallyOptimal,
    LegacyTermination.feasible,
}
_NOT_LOADED = (
    "IPOPT ended with termination condition '%s': the model's variable values were left "
    "unchanged. To load the last iterate anyway, solve with load_solutions=False and call "
    "%s."
)
_NO_ITERATE = (
    "IPOPT ended with termination condition '%s' and returned no iterate: the model's "
    "variable values were left unchanged."
)
_PRESOLVE_INFEASIBLE = (
    "Pyomo's presolve proved the model infeasible before IPOPT ran (termination condition "
    "'provenInfeasible'); the model's variable values were left unchanged. %s"
)


def fixed_outside_bounds(model, limit: int = 5) -> list[str]:
    """Names, values and bounds of fixed variables whose value lies outside their bounds.

    The usual cause of an infeasibility found by Pyomo's presolve in a flowsheet: a feed
    state fixed outside the property package's state bounds. At most ``limit`` entries.
    """
    from pyomo.environ import Var, value

    found = []
    for var in model.component_data_objects(Var, active=True, descend_into=True):
        if not var.fixed or var.value is None:
            continue
        lb, ub, val = var.lb, var.ub, value(var)
        if (lb is not None and val < lb) or (ub is not None and val > ub):
            found.append(f"{var.name} = {val:g} outside [{lb}, {ub}]")
            if len(found) >= limit:
                break
    return found


def violated_fixed_constraints(model, limit: int = 5, tol: float = 1e-8) -> list[str]:
    """Active constraints whose variables are all fixed and whose bounds are violated.

    E.g. a feed's ``mole_frac_sum_check`` (:mod:`idaes_plugin.state_definition`) with
    fixed mole fractions that do not sum to 1. At most ``limit`` entries.
    """
    from pyomo.core.expr.visitor import identify_variables
    from pyomo.environ import Constraint, value

    found = []
    for con in model.component_data_objects(Constraint, active=True, descend_into=True):
        if not all(v.fixed for v in identify_variables(con.body, include_fixed=True)):
            continue
        body = value(con.body, exception=False)
        if body is None:
            continue
        lb, ub = value(con.lower), value(con.upper)
        if (lb is not None and body < lb - tol) or (ub is not None and body > ub + tol):
            found.append(f"{con.name}: {body:g} outside [{lb}, {ub}]")
            if len(found) >= limit:
                break
    return found


def _presolve_hint(model) -> str:
    culprits = [f"fixed outside its bounds: {c}" for c in fixed_outside_bounds(model)]
    culprits += [f"constraint of fixed variables violated: {c}"
                 for c in violated_fixed_constraints(model)]  # fmt: skip
    if not culprits:
        return "Look for contradicting fixed variables and equalities."
    return "; ".join(culprits) + "."

#: (major, minor, micro) reported as the solver version
VERSION_TUPLE = tuple(int(p) for p in ampl_driver.IPOPT_VERSION.split("."))


def driver_executable() -> str:
    """Path reported as "the executable": the ``propkg-ipopt`` console script if installed.

    Nothing is ever started from this path by the in-process interfaces; Pyomo only needs
    an existing executable file to consider the solver available. Falls back to the running
    Python interpreter when the console script is not installed (running from a checkout).
    """
    beside_python = Path(sys.executable).with_name("propkg-ipopt")
    if beside_python.is_file():
        return str(beside_python)
    found = shutil.which("propkg-ipopt")
    return found if found else sys.executable


def _run_driver(cmd: list[str], stream, env=None, cwd=None) -> int:
    """Run the AMPL driver on Pyomo's command line (``cmd[0]`` is the executable)."""
    args = [str(a) for a in cmd]
    # the legacy interface may put a timer program first; find the .nl argument
    start = next((i for i, a in enumerate(args) if a.endswith(".nl")), 1)
    return ampl_driver.run(args[start:], stream, env=env, cwd=cwd)


def refuse_external_functions(model) -> None:
    """Raise :class:`SolverError` if ``model`` uses AMPL external functions.

    CasADi's NL reader cannot evaluate them, and when IDAES's compiled libraries are absent
    Pyomo fails on them deep inside its NL writer; say so before anything is written.
    """
    from pyomo.core.base.external import ExternalFunction

    used = sorted({f"{ef.name} ({getattr(ef, '_library', None) or 'library not found'})"
                   for ef in model.component_objects(ExternalFunction, descend_into=True)})
    if used:
        raise SolverError(
            f"model '{model.name}' uses AMPL external functions {used} (e.g. IDAES's cbrt in "
            "delta_temperature_underwood_callback or its compiled cubic EoS), which the "
            "pip-only IPOPT cannot evaluate; use a formulation without them (e.g. "
            "delta_temperature_lmtd_callback) or an ipopt executable with the IDAES "
            "extensions (PROPKG_IPOPT=system)"
        )


class CasadiIPOPT(IPOPT):
    """Legacy ``SolverFactory("ipopt")`` interface, solved in process by CasADi's IPOPT.

    Unlike Pyomo's executable-based interface, a solve that does not end optimal (or
    feasible) does not overwrite the model's values (a warning says so): the results object
    still holds the last iterate, which ``model.solutions.load_from(results)`` loads on
    request. A model that Pyomo's NL writer proves infeasible (a fixed variable outside its
    bounds) raises :class:`~propkg_contract.errors.SolverError` naming the variables.
    """

    def solve(self, *args, **kwds):
        load = kwds.pop("load_solutions", True)
        if args:
            refuse_external_functions(args[0])
        try:
            results = super().solve(*args, load_solutions=False, **kwds)
        except InfeasibleConstraintException as exc:
            hint = _presolve_hint(args[0]) if args else ""
            raise SolverError(
                f"Pyomo's NL writer proved the model infeasible before IPOPT ran ({exc}); "
                f"nothing was solved and the model's values are unchanged. {hint}"
            ) from None
        if not load or not args:
            return results
        condition = results.solver.termination_condition
        if condition in _LEGACY_SUCCESS and len(results.solution) > 0:
            args[0].solutions.load_from(results)
        else:
            hint = violated_fixed_constraints(args[0])
            extra = " Constraints of fixed variables violated: %s." if hint else "%s"
            if len(results.solution) > 0:
                logger.warning(_NOT_LOADED + extra, condition,
                               "model.solutions.load_from(results)", "; ".join(hint))  # fmt: skip
            else:
                logger.warning(_NO_ITERATE + extra, condition, "; ".join(hint))
        return results

    def _default_executable(self):
        return driver_executable()

    def _get_version(self):
        return VERSION_TUPLE

    def _execute_command(self, command):
        start_time = time.time()
        ostreams = [StringIO()]
        if self._tee:
            ostreams.append(sys.stdout)
        with TeeStream(*ostreams) as tee:
            rc = _run_driver(
                command.cmd,
                tee.STDOUT,
                env=command.env,
                cwd=command.cwd if "cwd" in command else None,
            )
            tee.STDOUT.flush()
        self._last_solve_time = time.time() - start_time
        return [rc, ostreams[0].getvalue()]


class _InProcessSubprocess:
    """Stands in for the ``subprocess`` module inside Pyomo's ipopt module during one solve."""

    PIPE = subprocess.PIPE
    STDOUT = subprocess.STDOUT
    TimeoutExpired = subprocess.TimeoutExpired
    CompletedProcess = subprocess.CompletedProcess

    def run(self, cmd, stdout=None, env=None, cwd=None, **_ignored):
        stream = stdout if stdout not in (None, subprocess.PIPE) else StringIO()
        rc = _run_driver(list(cmd), stream, env=env, cwd=cwd)
        if hasattr(stream, "flush"):
            stream.flush()
        return subprocess.CompletedProcess(cmd, rc)


class CasadiIpopt(Ipopt):
    """``pyomo.contrib.solver`` IPOPT interface (IDAES's ``"ipopt_v2"``), solved in process.

    With ``load_solutions=True`` values are loaded only when IPOPT ends optimal; otherwise
    the model is left unchanged (a warning says so) and
    ``results.solution_loader.load_solution()`` loads the last iterate on request. A model
    that Pyomo's presolve proves infeasible ends with ``provenInfeasible`` (no solution
    loader); the warning names fixed variables that lie outside their bounds.
    """

    def __init__(self, **kwds):
        kwds.setdefault("executable", driver_executable())
        super().__init__(**kwds)

    def available(self) -> Availability:
        return Availability.FullLicense

    def version(self) -> tuple[int, int, int]:
        return VERSION_TUPLE

    def _get_version(self, exe):
        return VERSION_TUPLE

    def solve(self, model, **kwds):
        """Solve; load values only after an optimal (or acceptable) end, see the class doc."""
        load = kwds.get("load_solutions", self.config.load_solutions)
        refuse_external_functions(model)
        results = super().solve(model, **{**kwds, "load_solutions": False})
        condition = results.termination_condition
        if results.solution_status == SolutionStatus.optimal:
            if load:
                results.solution_loader.load_solution()
        elif condition == TerminationCondition.provenInfeasible:
            # no solution loader at all: IPOPT never ran
            logger.warning(_PRESOLVE_INFEASIBLE, _presolve_hint(model))
        elif results.solution_loader is not None and (
            results.solution_loader.get_number_of_solutions()
        ):
            logger.warning(
                _NOT_LOADED, condition.name, "results.solution_loader.load_solution()"
            )
        else:
            logger.warning(_NO_ITERATE, condition.name)
        return results

    def _run_ipopt(self, results, config, nl_info, basename, timer, model):
        with mock.patch.object(contrib_ipopt_module, "subprocess", _InProcessSubprocess()):
            return super()._run_ipopt(results, config, nl_info, basename, timer, model)


class LegacyCasadiIpopt(LegacyIpoptSolver, CasadiIpopt):
    """Legacy-factory wrapper of :class:`CasadiIpopt` (what ``SolverFactory("ipopt_v2")`` makes).

    After a non-optimal end nothing is loaded (not even suffixes such as duals); the last
    iterate stays in the returned results, loadable with ``model.solutions.load_from``.
    """

    def _solution_handler(self, load_solutions, model, results, legacy_results, legacy_soln):
        if results.solution_status != SolutionStatus.optimal:
            load_solutions = False
        return super()._solution_handler(
            load_solutions, model, results, legacy_results, legacy_soln
        )
