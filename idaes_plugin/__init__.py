"""idaes_plugin: propkg's ONNX property models in Pyomo and IDAES, plus a pip-only IPOPT.

Importing this package registers, when no ``ipopt`` executable is on PATH, an in-process
IPOPT (CasADi's bundled IPOPT 3.14 with MUMPS) under Pyomo's ``"ipopt"`` and ``"ipopt_v2"``
names so that IDAES's defaults work unmodified (see :mod:`idaes_plugin.solvers`).
"""

# --- solver registration (lead) -------------------------------------------------------
from idaes_plugin.solvers import register as _register_solvers

#: True when CasADi's in-process IPOPT answers to SolverFactory("ipopt") / "ipopt_v2"
USING_CASADI_IPOPT = _register_solvers()

# --- ONNX -> Pyomo and IDAES property methods (idaes_plugin helper) --------------------
