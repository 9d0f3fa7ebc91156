"""One benzene/toluene Flash: IDAES BT_ideal vs the ONNX replica vs the shipped hybrid models.

The flash of IDAES's BT_ideal example (1 mol/s, z = 0.5/0.5, 368 K, 101325 Pa, adiabatic,
no pressure drop) is built with three property packages, side by side in one run:

* ``IDAES BT_ideal``: IDAES's own example package (RPP4 / Perry's methods);
* ``ONNX replica``: the same configuration with the mechanism-only ONNX replica of those
  correlations (:mod:`validation.replicas.bt_ideal`) in place of the built-in methods;
* ``hybrid ONNX``: ``idaes_plugin.vle_config(["benzene", "toluene"])`` on the shipped models.

Each repetition builds the flowsheet, initialises the flash with IDAES's default
initializer, raises the feed temperature by 3 K, writes the NL file (Pyomo's NLWriter, to
memory) and solves with ``get_solver()`` (the in-process CasADi IPOPT when no ``ipopt``
executable exists). Medians over the repetitions are printed; the first (cold) build, which
for the ONNX packages includes the ONNX -> CasADi import, is printed separately. The
replica's largest relative deviation from IDAES over all flash variables is printed too.

Run:  python validation/benchmarks/flash_bt_ideal.py [--repeats 9] [--cache]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

import idaes.logger as idaeslog
import pyomo.environ as pyo
from common import bt_flash, timed_nl_write, timed_solve  # benchmark helpers
from idaes.core.solvers import get_solver
from idaes.models.properties.modular_properties.examples.BT_ideal import configuration

import idaes_plugin
from idaes_plugin.config_tools import with_onnx_methods
from idaes_plugin.vle_package import vle_config
from validation.replicas.bt_ideal import export_bt_ideal_replica

REPLACED = ("dens_mol_liq_comp", "enth_mol_liq_comp", "enth_mol_ig_comp", "pressure_sat_comp")


def replica_configuration(paths) -> dict:
    """BT_ideal's configuration with the ONNX replica in place of RPP4 / Perry's."""
    return with_onnx_methods(configuration, paths, REPLACED)


def run_once(config) -> tuple[dict, pyo.ConcreteModel]:
    out = {}
    cpu_start = time.process_time()
    start = time.perf_counter()
    m = bt_flash(config)
    out["build"] = time.perf_counter() - start
    start = time.perf_counter()
    m.fs.flash.default_initializer(output_level=idaeslog.ERROR).initialize(m.fs.flash)
    out["init"] = time.perf_counter() - start
    m.fs.flash.inlet.temperature[0].value += 3.0
    cpu_write = time.process_time()
    out["nl_write"], out["nl_bytes"] = timed_nl_write(m)
    cpu_write = time.process_time() - cpu_write
    out["solve"], result, out["iters"] = timed_solve(get_solver(), m)
    out["ok"] = pyo.check_optimal_termination(result)
    out["total"] = out["build"] + out["init"] + out["solve"]
    # process CPU time of build+init+solve (the in-process IPOPT included; the separate NL
    # write excluded): on a machine shared with other jobs it is less disturbed by them
    # than wall time
    out["cpu"] = time.process_time() - cpu_start - cpu_write
    return out, m


def _values(m) -> dict:
    return {v.name: pyo.value(v, exception=False)
            for v in m.fs.flash.component_data_objects(pyo.Var)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument(
        "--cache", action="store_true",
        help="keep the pip-only IPOPT's model and solver caches on (default off: every "
        "repetition then costs what the first solve of a model costs; with them, the "
        "repetitions after the first reuse the solvers built for the same NL models)")
    args = parser.parse_args()
    if not args.cache:
        from idaes_plugin.solvers import casadi_ipopt, nl_reader

        nl_reader.MODEL_CACHE_SIZE = casadi_ipopt.SOLVER_CACHE_SIZE = 0
    tmp = tempfile.mkdtemp(prefix="propkg_bt_replica_")
    start = time.perf_counter()
    hybrid = vle_config(["benzene", "toluene"])
    config_time = time.perf_counter() - start
    packages = {
        "IDAES BT_ideal": configuration,
        "ONNX replica": replica_configuration(export_bt_ideal_replica(tmp)),
        "hybrid ONNX": hybrid,
    }
    print(f"in-process CasADi IPOPT: {idaes_plugin.USING_CASADI_IPOPT}; "
          f"repeats: {args.repeats} (medians); NL model/solver caches "
          f"{'on' if args.cache else 'off'}")  # fmt: skip
    rows, models, cold = {}, {}, {}
    for _ in range(args.repeats):  # interleaved, so that drifts hit every package alike
        for name, config in packages.items():
            result, models[name] = run_once(config)
            cold.setdefault(name, result["build"])
            rows.setdefault(name, []).append(result)
    header = (f"{'package':<15} {'cold build':>10} {'build':>7} {'init':>7} {'NL write':>8} "
              f"{'NL bytes':>8} {'solve':>7} {'iters':>5} {'build+init+solve':>16} {'CPU':>6} "
              f"{'ok':>3}")
    print(header)
    med = {}
    for name, runs in rows.items():
        med[name] = {k: statistics.median(r[k] for r in runs)
                     for k in ("build", "init", "nl_write", "nl_bytes", "solve", "iters", "total",
                               "cpu")}
        ok = all(r["ok"] for r in runs)
        r = med[name]
        print(f"{name:<15} {cold[name]:>10.3f} {r['build']:>7.3f} {r['init']:>7.3f} "
              f"{r['nl_write']:>8.4f} {r['nl_bytes']:>8.0f} {r['solve']:>7.3f} "
              f"{r['iters']:>5.0f} {r['total']:>16.3f} {r['cpu']:>6.3f} {'y' if ok else 'n':>3}")
    ref = med["IDAES BT_ideal"]
    for name in ("ONNX replica", "hybrid ONNX"):
        r = med[name]
        print(f"{'ratio ' + name.split()[0] + '/IDAES':<15} {'':>10} "
              f"{r['build'] / ref['build']:>7.2f} {r['init'] / ref['init']:>7.2f} "
              f"{r['nl_write'] / ref['nl_write']:>8.2f} {r['nl_bytes'] / ref['nl_bytes']:>8.2f} "
              f"{r['solve'] / ref['solve']:>7.2f} {r['iters'] / max(ref['iters'], 1):>5.2f} "
              f"{r['total'] / ref['total']:>16.2f} {r['cpu'] / ref['cpu']:>6.2f}")
    a, b = _values(models["IDAES BT_ideal"]), _values(models["ONNX replica"])
    worst = max(abs(b[k] - v) / max(abs(v), 1e-12) for k, v in a.items() if v is not None)
    print(f"replica vs IDAES, largest relative difference over {len(a)} flash variables: "
          f"{worst:.2e}")
    print(f"one-off vle_config(['benzene', 'toluene']) incl. manifest lookup, sha256 check, "
          f"ONNX scan and CasADi import of both models: {config_time:.3f} s")
    print("times in seconds; CPU = process CPU time of build+init+solve; "
          "targets: build+init+solve <= 1.2x and iterations <= 1.1x IDAES")
    print(f"load average (1, 5 min): {os.getloadavg()[0]:.1f}, {os.getloadavg()[1]:.1f} "
          f"on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
