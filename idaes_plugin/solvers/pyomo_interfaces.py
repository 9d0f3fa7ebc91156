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
from pyomo.common.tee import TeeStream
from pyomo.contrib.solver.common.base import Availability
from pyomo.contrib.solver.common.results import SolutionStatus
from pyomo.contrib.solver.solvers.ipopt import Ipopt, LegacyIpoptSolver
from pyomo.opt import TerminationCondition as LegacyTermination
from pyomo.solvers.plugins.solvers.IPOPT import IPOPT

from idaes_plugin.solvers import ampl_driver

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


class CasadiIPOPT(IPOPT):
    """Legacy ``SolverFactory("ipopt")`` interface, solved in process by CasADi's IPOPT.

    Unlike Pyomo's executable-based interface, a solve that does not end optimal (or
    feasible) does not overwrite the model's values: the results object still holds the
    last iterate, which ``model.solutions.load_from(results)`` loads on request.
    """

    def solve(self, *args, **kwds):
        load = kwds.pop("load_solutions", True)
        results = super().solve(*args, load_solutions=False, **kwds)
        if not load or not args:
            return results
        condition = results.solver.termination_condition
        if condition in _LEGACY_SUCCESS and len(results.solution) > 0:
            args[0].solutions.load_from(results)
        elif len(results.solution) > 0:
            logger.warning(_NOT_LOADED, condition, "model.solutions.load_from(results)")
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
    the model is left unchanged and ``results.solution_loader.load_solution()`` loads the
    last iterate on request.
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
        results = super().solve(model, **{**kwds, "load_solutions": False})
        if load and results.solution_status == SolutionStatus.optimal:
            results.solution_loader.load_solution()
        elif load and results.solution_loader.get_number_of_solutions():
            logger.warning(
                _NOT_LOADED,
                results.termination_condition.name,
                "results.solution_loader.load_solution()",
            )
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
