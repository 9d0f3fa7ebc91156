"""The configuration the propkg initializers share (IDAES's initializer API).

:class:`SolverInitializer` is IDAES's ``InitializerBase`` with a solver name, solver options
and a post-check tolerance at IPOPT's own acceptance; :class:`idaes_plugin.column_init.
TrayColumnInitializer` and :class:`idaes_plugin.complementarity_init.
ComplementarityInitializer` extend it.
"""

from __future__ import annotations

from idaes.core.initialization import InitializerBase
from pyomo.common.config import ConfigValue


class SolverInitializer(InitializerBase):
    """``InitializerBase`` with ``solver``, ``solver_options`` and a 1e-4 post-check."""

    CONFIG = InitializerBase.CONFIG()
    # IDAES's postcheck default (1e-5, absolute) is stricter than what IPOPT accepts as
    # optimal (constr_viol_tol = 1e-4, unscaled): a column converged "optimal" showed a
    # 2.1e-5 residual in a balance of ~1e6 J/s. Check to IPOPT's own acceptance.
    CONFIG.get("constraint_tolerance").set_default_value(1e-4)
    CONFIG.get("constraint_tolerance").reset()
    CONFIG.declare("solver", ConfigValue(default=None,
                                         description="Solver name (None: IDAES's default)"))
    CONFIG.declare("solver_options", ConfigValue(default=None, domain=dict,
                                                 description="Options of that solver"))
