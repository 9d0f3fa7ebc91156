r"""An initializer for IDAES units whose property package uses :class:`ComplementarityVLE`.

:class:`idaes_plugin.phase_equilibrium.ComplementarityVLE` (``vle_config(...,
phase_equilibrium="complementarity")``) writes the phase equilibrium as two smoothed
complementarities, :math:`\mathrm{smin}(s_p, F_p, \epsilon) = 0`, i.e.
:math:`s_p F_p = \epsilon^2/4` with both positive. IDAES's unit initializers start the
outlet at the inlet state. From a subcooled liquid to a two-phase outlet (the demo's
methanol/water Heater: 330 K, 20 kW on 1 mol/s, outlet 350.26 K) the vapour's slack starts
at :math:`s_V \approx` 17 K with :math:`F_V \approx 10^{-10}` mol/s. The solution has
:math:`s_V \approx 0` and :math:`F_V \approx` 0.3 mol/s. Newton's steps from that corner of
the hyperbola :math:`s_V F_V = \epsilon^2/4` do not reach it: IPOPT ends "locally
infeasible" at :math:`\epsilon` = 1e-4 mol/s (the default) and at 1 mol/s alike.

Continuation in :math:`\epsilon` (solve with a large smoothing, then tighten it) does
reach it, from the point where IDAES's initializer stopped, with the unit's inlet states
held. :class:`ComplementarityInitializer` runs IDAES's own ``unit.initialize()``
first. Only when that raises ``InitializationError`` and the unit has complementarity
constraints, it solves the unit at :data:`EPS_CONTINUATION` and then at the package's own
:math:`\epsilon` (each solve starting from the last). The result is the solution at the
package's :math:`\epsilon`, and every :math:`\epsilon` is restored. The demo heater takes
five solves, with outlet temperatures 350.42, 350.264, 350.2632, ... K, to the smooth
form's 350.26315 K (the two forms differ by their smoothing, here 0.5 microkelvin).
Whether it worked is IDAES's postcheck (every constraint converged). The fixed/free state
of the model is restored either way.

References
----------
Dabadghao et al. (2022), the complementarity formulation of
:class:`idaes_plugin.phase_equilibrium.ComplementarityVLE`.
IDAES-PSE 2.13, ``idaes/core/initialization/initializer_base.py`` (the initializer API).
"""

from __future__ import annotations

import logging

from idaes.core.solvers import get_solver
from idaes.core.util.exceptions import InitializationError
from pyomo.common.config import ConfigValue
from pyomo.environ import Param, check_optimal_termination, value

from idaes_plugin.solver_initializer import SolverInitializer

_log = logging.getLogger("idaes.idaes_plugin.complementarity_init")

#: smoothing parameters [mol/s] solved in turn, from the relaxed to the package's own
#: (those not above the package's value are skipped)
EPS_CONTINUATION = (1.0, 0.1, 1e-2, 1e-3)
#: prefix of the smoothing parameters ComplementarityVLE adds to a state block
EPS_PREFIX = "eps_t_"


def complementarity_eps(block) -> list:
    """The ComplementarityVLE smoothing parameters of every state block inside ``block``."""
    return [p for p in block.component_data_objects(Param, descend_into=True)
            if p.parent_component().local_name.startswith(EPS_PREFIX)]


class ComplementarityInitializer(SolverInitializer):
    """IDAES's ``unit.initialize()``, then, if it fails on a complementarity package, an
    epsilon continuation from where it stopped (module docstring).

    Usage: ``ComplementarityInitializer().initialize(m.fs.heater)``; a unit that
    IDAES's own initializer converges is left as that initializer leaves it.
    """

    CONFIG = SolverInitializer.CONFIG()
    CONFIG.declare("eps_continuation", ConfigValue(
        default=EPS_CONTINUATION, domain=tuple,
        description="Smoothing parameters [mol/s] solved before the package's own"))

    def initialization_routine(self, model):
        """IDAES's unit initializer; on failure the epsilon continuation. Returns the
        results of the last solve (None when IDAES's initializer converged)."""
        cfg = self.config
        options = dict(cfg.solver_options or {})
        try:
            model.initialize(solver=cfg.solver, optarg=options)
            return None
        except InitializationError as exc:
            params = complementarity_eps(model)
            if not params:
                raise
            _log.info(f"{model.name}: IDAES's initializer failed ({exc}); continuation in "
                      "the complementarity smoothing parameter")
        solver = get_solver(cfg.solver, options)
        own = [(p, value(p)) for p in params]
        target = min(v for _, v in own)
        path = [e for e in cfg.eps_continuation if e > target] + [None]
        try:
            for eps in path:
                for p, v in own:
                    p.set_value(v if eps is None else eps)
                results = solver.solve(model)
                label = "the package's own" if eps is None else f"{eps:g} mol/s"
                if not check_optimal_termination(results):
                    raise InitializationError(
                        f"{model.name}: the complementarity continuation did not converge at "
                        f"epsilon = {label} (termination "
                        f"{results.solver.termination_condition}); initialize with "
                        "phase_equilibrium='smooth' or give the unit a better start")
                _log.info(f"{model.name}: converged at epsilon = {label}")
        finally:
            for p, v in own:
                p.set_value(v)
        return results
