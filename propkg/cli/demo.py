"""``propkg demo``: the main job a new user runs first.

For now it builds IDAES's BT_ideal flash (benzene/toluene, 368 K, 101325 Pa, z = 0.5/0.5),
initializes it with IDAES's own initializer and solves it with the pip-only IPOPT
(CasADi's IPOPT run in process), then prints the result and the solver statistics.
"""

from __future__ import annotations

import argparse
import time


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="build, initialize and solve an IDAES flash with the pip-only IPOPT",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(func=run)


def _build_bt_flash():
    import pyomo.environ as pyo
    from idaes.core import FlowsheetBlock
    from idaes.models.properties.modular_properties.base.generic_property import (
        GenericParameterBlock,
    )
    from idaes.models.properties.modular_properties.examples.BT_ideal import configuration
    from idaes.models.unit_models import Flash

    m = pyo.ConcreteModel()
    m.fs = FlowsheetBlock(dynamic=False)
    m.fs.props = GenericParameterBlock(**configuration)
    m.fs.flash = Flash(property_package=m.fs.props)
    inlet = m.fs.flash.inlet
    inlet.flow_mol.fix(1)
    inlet.temperature.fix(368)
    inlet.pressure.fix(101325)
    inlet.mole_frac_comp[0, "benzene"].fix(0.5)
    inlet.mole_frac_comp[0, "toluene"].fix(0.5)
    m.fs.flash.heat_duty.fix(0)
    m.fs.flash.deltaP.fix(0)
    return m


def run(args: argparse.Namespace) -> int:
    import idaes.logger as idaeslog
    import pyomo.environ as pyo
    from idaes.core.solvers import get_solver

    import idaes_plugin
    from propkg.errors import SolverError

    print("[1/3] building IDAES Flash with the BT_ideal property package ...", flush=True)
    t0 = time.perf_counter()
    m = _build_bt_flash()
    t_build = time.perf_counter() - t0
    route = (
        "CasADi's bundled IPOPT, in process"
        if idaes_plugin.USING_CASADI_IPOPT
        else "the ipopt executable found on this machine"
    )
    print(f"[2/3] initializing with IDAES's default initializer ({route}) ...", flush=True)
    t0 = time.perf_counter()
    m.fs.flash.default_initializer(output_level=idaeslog.WARNING).initialize(m.fs.flash)
    t_init = time.perf_counter() - t0
    print("[3/3] solving with idaes.core.solvers.get_solver() ...", flush=True)
    solver = get_solver()
    t0 = time.perf_counter()
    results = solver.solve(m)
    t_solve = time.perf_counter() - t0
    if not pyo.check_optimal_termination(results):
        raise SolverError(
            f"the flash did not converge: {results.solver.termination_condition}; "
            "re-run with a looser tolerance or check the feed specification"
        )
    vap, liq = m.fs.flash.vap_outlet, m.fs.flash.liq_outlet
    print()
    print("Flash of 1 mol/s benzene/toluene (0.5/0.5) at 368 K, 101325 Pa")
    print(f"  vapour flow   {pyo.value(vap.flow_mol[0]):.5f} mol/s")
    print(f"  liquid flow   {pyo.value(liq.flow_mol[0]):.5f} mol/s")
    for comp in ("benzene", "toluene"):
        print(
            f"  x_{comp:<8} {pyo.value(liq.mole_frac_comp[0, comp]):.4f}   "
            f"y_{comp:<8} {pyo.value(vap.mole_frac_comp[0, comp]):.4f}"
        )
    print(f"  temperature   {pyo.value(vap.temperature[0]):.3f} K")
    print(
        f"timings: build {t_build:.2f} s, initialize {t_init:.2f} s, solve {t_solve:.3f} s "
        f"({results.solver.termination_condition})"
    )
    return 0
