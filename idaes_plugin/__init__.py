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
#: Public names of the ONNX -> Pyomo layer and the IDAES methods, imported on first use
#: (PEP 562) so that ``import idaes_plugin`` stays light.
_LAZY_EXPORTS = {
    "load_model": "idaes_plugin.onnx_import",
    "check_graph": "propkg_contract.ops",
    "OnnxPropertyModel": "idaes_plugin.onnx_import",
    "sx_to_pyomo": "idaes_plugin.casadi_to_pyomo",
    "add_onnx_block": "idaes_plugin.pyomo_block",
    "OnnxPure": "idaes_plugin.pure_methods",
    "HybridVaporPressure": "idaes_plugin.pure_methods",
    "HybridLiquidDensity": "idaes_plugin.pure_methods",
    "HybridIdealGasCp": "idaes_plugin.pure_methods",
    "HybridIdealGasEnthalpy": "idaes_plugin.pure_methods",
    "HybridIdealGasEntropy": "idaes_plugin.pure_methods",
    "HybridLiquidEnthalpy": "idaes_plugin.pure_methods",
    "HybridLiquidEntropy": "idaes_plugin.pure_methods",
    "HybridLiquidCp": "idaes_plugin.pure_methods",
    "check_temperature": "idaes_plugin.pure_methods",
    "check_domain": "idaes_plugin.domains",
    "vle_config": "idaes_plugin.vle_package",
    "with_onnx_methods": "idaes_plugin.config_tools",
    "HybridTransport": "idaes_plugin.transport",
    "add_transport": "idaes_plugin.transport",
    "ViscosityLogMixing": "idaes_plugin.transport_mixing",
    "ThermalConductivityLi": "idaes_plugin.transport_mixing",
    "SurfaceTensionMoleFractionAverage": "idaes_plugin.transport_mixing",
    "TrayColumnInitializer": "idaes_plugin.column_init",
    "ComplementarityInitializer": "idaes_plugin.complementarity_init",
    "assert_units_consistent": "idaes_plugin.units_check",
}


def __getattr__(name):
    if name in _LAZY_EXPORTS:
        import importlib

        return getattr(importlib.import_module(_LAZY_EXPORTS[name]), name)
    raise AttributeError(f"module 'idaes_plugin' has no attribute '{name}'")
