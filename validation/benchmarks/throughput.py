"""P1: throughput of a shipped hybrid model: onnxruntime batch vs CoolProp vs Pyomo value().

For one property (saturation pressure of a shipped fluid) on N temperatures spread over the
model's domain, in this run, medians of repeated timings:

* onnxruntime: one call on the whole batch (input shape ``[N, 1]``), on the whole file
  (every output computed) and on the graph pruned to the output;
* :class:`propkg_contract.batch.BatchEvaluator`, both backends (chunked onnxruntime on the
  pruned graph; the CasADi function compiled to C), 1 and 2 threads, for the one output
  and for all outputs of the file;
* CasADi: the same model imported from the ONNX file, evaluated on the batch with ``map``;
* CoolProp ``PropsSI('P', 'T', T, 'Q', 0, fluid)`` called in a Python loop (the way a
  user calls it), and once with the whole array (CoolProp loops in C++); and, as the peer
  for "all outputs", CoolProp's array calls for five of the file's properties (P, saturated
  liquid density and enthalpy, saturated vapour enthalpy, ideal-gas cp);
* Pyomo: ``value()`` of the translated expression, re-evaluated after setting the
  temperature variable (on a subset; time per evaluation is reported).

Targets (issue 12): the one output >= 5x and all outputs >= 2x CoolProp's array call.

Run:  python validation/benchmarks/throughput.py [--fluid water] [--n 100000] [--repeats 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
import pyomo.environ as pyo
from CoolProp.CoolProp import PropsSI

from idaes_plugin.onnx_import import load_model
from idaes_plugin.pyomo_block import add_onnx_block
from propkg_contract.batch import BatchEvaluator
from propkg_contract.metadata import read_metadata
from propkg_contract.reader import onnx_session, run_onnx
from propkg_contract.registry import find_model

COOLPROP_NAMES = {
    "water": "Water",
    "benzene": "Benzene",
    "toluene": "Toluene",
    "methanol": "Methanol",
    "ethanol": "Ethanol",
}


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fluid", default="water", choices=sorted(COOLPROP_NAMES))
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--pyomo-n", type=int, default=2_000)
    args = parser.parse_args()

    path = find_model(args.fluid)
    meta = read_metadata(path)
    low, high = meta.outputs["pressure_sat_comp"].get("domain", meta.domain)["temperature"]
    T = np.linspace(low, 0.999 * high, args.n)
    fluid = COOLPROP_NAMES[args.fluid]

    load_before = os.getloadavg()
    session = onnx_session(path)
    t_onnx = median_time(lambda: run_onnx(session, T), args.repeats)
    p_onnx = run_onnx(session, T)["pressure_sat_comp"]
    pruned = onnx_session(path, outputs=["pressure_sat_comp"])
    t_pruned = median_time(lambda: run_onnx(pruned, T), args.repeats)

    batch_rows, worst_batch = [], 0.0
    reference = run_onnx(session, T)
    for label, outputs in (("pressure_sat_comp", ["pressure_sat_comp"]), ("all outputs", None)):
        for backend in ("onnxruntime", "compiled"):
            for threads in (1, 2):
                evaluator = BatchEvaluator(path, outputs, threads=threads, backend=backend)
                values = evaluator(T)
                worst_batch = max(worst_batch, *(
                    float(np.max(np.abs(v / reference[k] - 1.0))) for k, v in values.items()
                ))  # fmt: skip
                seconds = median_time(lambda e=evaluator: e(T), args.repeats)
                batch_rows.append((f"BatchEvaluator {label}, {backend}, {threads} thr", seconds))

    model = load_model(path)
    f = model.sx_function(("pressure_sat_comp",), None)
    f_map = f.map(args.n)
    t_casadi = median_time(lambda: f_map(T.reshape(1, -1)), args.repeats)

    def coolprop_loop():
        return [PropsSI("P", "T", t, "Q", 0, fluid) for t in T]

    t_cp_loop = median_time(coolprop_loop, max(1, args.repeats // 2))
    p_cp = np.asarray(PropsSI("P", "T", T, "Q", np.zeros_like(T), fluid))
    t_cp_array = median_time(
        lambda: PropsSI("P", "T", T, "Q", np.zeros_like(T), fluid), args.repeats
    )

    q0, q1 = np.zeros_like(T), np.ones_like(T)

    def coolprop_same_properties():
        # the saturated-state and ideal-gas properties among the file's outputs that
        # CoolProp returns from one array call each (P, rho_liq, h_liq, h_vap -> dh_vap,
        # cp_ig): a peer for "all outputs" that does less work than the file (no s_ig, B)
        return [PropsSI(name, "T", T, "Q", q, fluid) for name, q in
                (("P", q0), ("Dmolar", q0), ("Hmolar", q0), ("Hmolar", q1), ("Cp0molar", q1))]

    t_cp_same = median_time(coolprop_same_properties, args.repeats)

    m = pyo.ConcreteModel()
    blk = add_onnx_block(m, "psat", model, outputs=["pressure_sat_comp"])
    subset = T[:: max(1, args.n // args.pyomo_n)]

    def pyomo_loop():
        out = np.empty(subset.size)
        for i, t in enumerate(subset):
            blk.temperature.set_value(t)
            out[i] = pyo.value(blk.pressure_sat_comp)
        return out

    t_pyomo = median_time(pyomo_loop, max(1, args.repeats // 2)) * args.n / subset.size
    p_pyomo = pyomo_loop()

    dev_cp = np.max(np.abs(p_onnx / p_cp - 1.0)) * 100
    dev_pyomo = np.max(np.abs(p_pyomo / p_onnx[:: max(1, args.n // args.pyomo_n)] - 1.0))
    print(f"machine: {os.cpu_count()} cores; fluid {args.fluid}; N = {args.n} temperatures "
          f"in [{low:.1f}, {0.999 * high:.1f}] K; medians of {args.repeats}")
    rows = [
        ("onnxruntime, one call, whole file (all outputs)", t_onnx),
        ("onnxruntime, one call, graph pruned to the output", t_pruned),
        *batch_rows,
        ("CasADi (ONNX re-imported), map over batch", t_casadi),
        ("CoolProp PropsSI, array argument", t_cp_array),
        ("CoolProp PropsSI, array, 5 of the file's properties", t_cp_same),
        ("CoolProp PropsSI, Python loop", t_cp_loop),
        (f"Pyomo value() loop (timed on {subset.size}, scaled)", t_pyomo),
    ]
    print(f"{'evaluator':<58} {'time [s]':>9} {'per state [us]':>14} "
          f"{'vs CoolProp loop':>16} {'vs CoolProp array':>17}")
    for name, seconds in rows:
        print(f"{name:<58} {seconds:>9.4f} {seconds / args.n * 1e6:>14.3f} "
              f"{t_cp_loop / seconds:>15.1f}x {t_cp_array / seconds:>16.2f}x")
    print(f"max |hybrid - CoolProp| = {dev_cp:.4f} %; "
          f"max |Pyomo - onnxruntime| relative = {dev_pyomo:.2e}")
    print(f"max |BatchEvaluator - onnxruntime whole file| relative = {worst_batch:.2e}")
    best_one = min(t for n, t in batch_rows if "pressure_sat_comp" in n)
    best_all = min(t for n, t in batch_rows if "all outputs" in n)
    print(f"target >= 100x CoolProp loop: onnxruntime {t_cp_loop / t_onnx:.0f}x")
    print(f"target >= 5x CoolProp array, one output: best BatchEvaluator "
          f"{t_cp_array / best_one:.2f}x ({args.n / best_one / 1e6:.1f} M states/s)")
    print(f"target >= 2x CoolProp array, all outputs: best BatchEvaluator "
          f"{t_cp_array / best_all:.2f}x ({args.n / best_all / 1e6:.1f} M states/s); "
          f"vs CoolProp's array calls for 5 of the same properties {t_cp_same / best_all:.2f}x")
    print(f"load average (1 min) before / after: {load_before[0]:.1f} / "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
