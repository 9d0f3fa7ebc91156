"""P3: scale-up: N flash units in one flowsheet, hybrid-ONNX package vs IDAES's BT_ideal.

For N in (1, 10, 50, 100) the script builds one flowsheet holding N adiabatic flashes of
benzene/toluene (feed temperatures spread over 362-372 K), once with IDAES's BT_ideal
package and once with ``idaes_plugin.vle_config(["benzene", "toluene"])``; initializes every
flash with IDAES's default initializer (a failed initialization is counted and reported,
not fatal); then raises every feed temperature by 2 K and solves
the whole flowsheet with ``get_solver()``. It prints build, initialization, NL-write and
solve times, IPOPT iterations, and the hybrid/IDAES ratios, all measured in this run.

Run:  python validation/benchmarks/scaling.py [--sizes 1 10 50 100]
"""

from __future__ import annotations

import argparse
import os
import time

import idaes.logger as idaeslog
import pyomo.environ as pyo
from common import timed_nl_write, timed_solve  # benchmark helpers
from idaes.core import FlowsheetBlock
from idaes.core.solvers import get_solver
from idaes.core.util.exceptions import InitializationError
from idaes.models.properties.modular_properties.base.generic_property import (
    GenericParameterBlock,
)
from idaes.models.properties.modular_properties.examples.BT_ideal import configuration
from idaes.models.unit_models import Flash

import idaes_plugin
from idaes_plugin.vle_package import vle_config


def build(config, n: int) -> pyo.ConcreteModel:
    m = pyo.ConcreteModel()
    m.fs = FlowsheetBlock(dynamic=False)
    m.fs.props = GenericParameterBlock(**config)
    m.fs.units = pyo.Set(initialize=range(n))
    m.fs.flash = Flash(m.fs.units, property_package=m.fs.props)
    for i in m.fs.units:
        inlet = m.fs.flash[i].inlet
        inlet.flow_mol.fix(1)
        inlet.temperature.fix(362 + 10 * i / max(n - 1, 1))
        inlet.pressure.fix(101325)
        inlet.mole_frac_comp[0, "benzene"].fix(0.5)
        inlet.mole_frac_comp[0, "toluene"].fix(0.5)
        m.fs.flash[i].heat_duty.fix(0)
        m.fs.flash[i].deltaP.fix(0)
    return m




def measure(config, n: int) -> dict:
    out, cpu = {}, {}
    start, cpu_start = time.perf_counter(), time.process_time()
    m = build(config, n)
    out["build"] = time.perf_counter() - start
    cpu["build"] = time.process_time() - cpu_start
    start = time.perf_counter()
    out["init_failures"] = 0
    for i in m.fs.units:
        init = m.fs.flash[i].default_initializer(output_level=idaeslog.ERROR)
        try:
            init.initialize(m.fs.flash[i])
        except InitializationError:  # counted and reported; the flowsheet solve goes on
            out["init_failures"] += 1
    out["init"] = time.perf_counter() - start
    for i in m.fs.units:
        m.fs.flash[i].inlet.temperature[0].value += 2.0
    cpu_start = time.process_time()
    out["nl_write"], out["nl_bytes"] = timed_nl_write(m)
    out["solve"], results, out["iters"] = timed_solve(get_solver(), m)
    cpu["write+solve"] = time.process_time() - cpu_start
    out["ok"] = pyo.check_optimal_termination(results)
    out["total"] = out["build"] + out["nl_write"] + out["solve"]
    # process CPU time of the same phases (the in-process IPOPT included): on a machine
    # shared with other jobs it is less disturbed by them than wall time
    out["cpu"] = cpu["build"] + cpu["write+solve"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 50, 100])
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; in-process CasADi IPOPT: "
          f"{idaes_plugin.USING_CASADI_IPOPT}")
    packages = {"IDAES BT_ideal": configuration, "hybrid ONNX": vle_config(["benzene", "toluene"])}
    header = (f"{'N':>4} {'package':<15} {'build':>7} {'init':>7} {'NL write':>8} "
              f"{'NL kB':>7} {'solve':>7} {'iters':>5} {'build+write+solve':>18} {'CPU':>7} "
              f"{'ok':>3} {'init fails':>10}")
    print(header)
    for n in args.sizes:
        rows = {name: measure(cfg, n) for name, cfg in packages.items()}
        for name, r in rows.items():
            print(f"{n:>4} {name:<15} {r['build']:>7.2f} {r['init']:>7.2f} {r['nl_write']:>8.3f} "
                  f"{r['nl_bytes'] / 1e3:>7.0f} {r['solve']:>7.3f} {r['iters']:>5} "
                  f"{r['total']:>18.2f} {r['cpu']:>7.2f} {'y' if r['ok'] else 'n':>3} "
                  f"{r['init_failures']:>10}")
        ref, hyb = rows["IDAES BT_ideal"], rows["hybrid ONNX"]
        print(f"{n:>4} {'ratio hyb/IDAES':<15} {hyb['build'] / ref['build']:>7.2f} "
              f"{hyb['init'] / ref['init']:>7.2f} {hyb['nl_write'] / ref['nl_write']:>8.2f} "
              f"{hyb['nl_bytes'] / ref['nl_bytes']:>7.2f} {hyb['solve'] / ref['solve']:>7.2f} "
              f"{hyb['iters'] / max(ref['iters'], 1):>5.2f} {hyb['total'] / ref['total']:>18.2f} "
              f"{hyb['cpu'] / ref['cpu']:>7.2f}")
        print(f"     load average (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("times in seconds; CPU = process CPU time of build+write+solve; "
          "target: build+write+solve <= 1.5x IDAES at N = 100")


if __name__ == "__main__":
    main()
