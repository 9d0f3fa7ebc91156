"""P1: throughput of a shipped hybrid model: onnxruntime batch vs CoolProp vs Pyomo value().

For one property (saturation pressure of a shipped fluid) on N temperatures spread over the
model's domain, in this run, medians of repeated timings:

* onnxruntime: one call on the whole batch (input shape ``[N, 1]``);
* CasADi: the same model imported from the ONNX file, evaluated on the batch with ``map``;
* CoolProp ``PropsSI('P', 'T', T, 'Q', 0, fluid)`` called in a Python loop (the way a
  user calls it), and once with the whole array (CoolProp loops in C++);
* Pyomo: ``value()`` of the translated expression, re-evaluated after setting the
  temperature variable (on a subset; time per evaluation is reported).

Run:  python validation/benchmarks/throughput.py [--fluid water] [--n 100000]
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
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--pyomo-n", type=int, default=2_000)
    args = parser.parse_args()

    path = find_model(args.fluid)
    meta = read_metadata(path)
    low, high = meta.outputs["pressure_sat_comp"].get("domain", meta.domain)["temperature"]
    T = np.linspace(low, 0.999 * high, args.n)
    fluid = COOLPROP_NAMES[args.fluid]

    session = onnx_session(path)
    t_onnx = median_time(lambda: run_onnx(session, T), args.repeats)
    p_onnx = run_onnx(session, T)["pressure_sat_comp"]

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
        ("onnxruntime, one batched call", t_onnx),
        ("CasADi (ONNX re-imported), map over batch", t_casadi),
        ("CoolProp PropsSI, array argument", t_cp_array),
        ("CoolProp PropsSI, Python loop", t_cp_loop),
        (f"Pyomo value() loop (timed on {subset.size}, scaled)", t_pyomo),
    ]
    print(f"{'evaluator':<52} {'time [s]':>10} {'per state [us]':>15} {'vs CoolProp loop':>17}")
    for name, seconds in rows:
        print(f"{name:<52} {seconds:>10.4f} {seconds / args.n * 1e6:>15.3f} "
              f"{t_cp_loop / seconds:>16.1f}x")
    print(f"max |hybrid - CoolProp| = {dev_cp:.4f} %; "
          f"max |Pyomo - onnxruntime| relative = {dev_pyomo:.2e}")
    print(f"target >= 100x CoolProp loop: onnxruntime {t_cp_loop / t_onnx:.0f}x")


if __name__ == "__main__":
    main()
