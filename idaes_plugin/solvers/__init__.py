"""A pip-only IPOPT for Pyomo and IDAES: CasADi's bundled IPOPT 3.14 (MUMPS), run in process.

Always registered (clear names, never shadowing anything):

* ``SolverFactory("casadi_ipopt")`` - legacy Pyomo interface;
* ``SolverFactory("casadi_ipopt_v2")`` - the ``pyomo.contrib.solver`` interface (also
  ``pyomo.contrib.solver.common.factory.SolverFactory("casadi_ipopt")``).

When no ``ipopt`` executable can be found (on PATH or in IDAES's binary folder),
:func:`register` also installs them under Pyomo's ``"ipopt"`` and ``"ipopt_v2"`` names, so
IDAES's defaults (``get_solver()``, ``FlashInitializer()``, ``initialize()``,
``BlockTriangularizationInitializer``) work unmodified. A real executable always wins:
then nothing is shadowed. Set ``PROPKG_IPOPT=casadi`` to use CasADi's IPOPT even when an
executable exists, ``PROPKG_IPOPT=system`` to never alias the standard names.
"""

from __future__ import annotations

import os

from idaes_plugin.solvers.pyomo_interfaces import (
    CasadiIPOPT,
    CasadiIpopt,
    LegacyCasadiIpopt,
    driver_executable,
)

__all__ = [
    "CasadiIPOPT",
    "CasadiIpopt",
    "LegacyCasadiIpopt",
    "driver_executable",
    "ipopt_executable_on_system",
    "register",
]

_DOC = "IPOPT 3.14 (MUMPS) bundled with CasADi, run in process by propkg"


def ipopt_executable_on_system() -> str | None:
    """Path of a real ``ipopt`` executable that Pyomo would find, or None."""
    import idaes  # noqa: F401  (IDAES adds its binary folder to Pyomo's search path)
    from pyomo.common import Executable

    return Executable("ipopt").path()


def _register_as(legacy_name: str, v2_name: str, v2_legacy_name: str) -> None:
    from pyomo.contrib.solver.common.factory import SolverFactory as V2SolverFactory
    from pyomo.opt import SolverFactory as LegacySolverFactory

    LegacySolverFactory.unregister(legacy_name)
    LegacySolverFactory.register(legacy_name, _DOC)(CasadiIPOPT)
    LegacySolverFactory.unregister(v2_legacy_name)
    V2SolverFactory.register(name=v2_name, legacy_name=v2_legacy_name, doc=_DOC)(
        CasadiIpopt, LegacyCasadiIpopt
    )


def register() -> bool:
    """Register the in-process IPOPT; return True if it now answers to ``"ipopt"``.

    Pyomo's own solver plugins are loaded first (``import pyomo.environ``) so that they
    cannot re-register the executable-based classes over these later.
    """
    import pyomo.environ  # noqa: F401

    _register_as("casadi_ipopt", "casadi_ipopt", "casadi_ipopt_v2")
    choice = os.environ.get("PROPKG_IPOPT", "auto").lower()
    if choice == "system":
        return False
    if choice != "casadi" and ipopt_executable_on_system() is not None:
        return False
    _register_as("ipopt", "ipopt", "ipopt_v2")
    return True
