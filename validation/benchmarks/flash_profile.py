"""Where one benzene/toluene flash spends its CPU time: IDAES BT_ideal vs the hybrid package.

Runs the P2 flash of ``flash_bt_ideal.py`` (build, IDAES's default initializer, feed +3 K,
NL write, solve) repeatedly for both packages, interleaved, and adds up the process CPU
time spent inside each phase by wrapping the functions that do it (for the duration of
this script only):

* ``build``: ``validation.flowsheets.bt_flash`` (of which ``translation``: the hybrid's
  ONNX -> Pyomo translation, :func:`idaes_plugin.state_expressions.state_values`);
* ``DOF checks``: IDAES's ``variables_in_activated_equalities_set`` (each
  ``degrees_of_freedom`` call walks every constraint with named Expressions expanded);
* ``numeric p_sat``: the hybrid's numeric evaluations for IDAES's bubble/dew guesses;
* ``NL write`` (Pyomo's writer), ``NL read`` (:func:`idaes_plugin.solvers.nl_reader.read_nl`),
  ``nlpsol construct`` (CasADi builds the NLP, its Jacobian and Hessian), ``IPOPT run``;
* ``GC``: Python's cyclic garbage collector (``gc.callbacks``), wherever it ran (its
  pauses are not counted in the other phases: a full collection of a large heap lands in
  whichever phase allocates at that moment).

Phases may nest (the translation runs inside the build; the GC anywhere). Means per flash
over the repetitions after one warm-up flash.

Run:  python validation/benchmarks/flash_profile.py [--repeats 9]
"""

from __future__ import annotations

import argparse
import collections
import gc
import os
import time

import casadi as ca
import flash_bt_ideal  # noqa: F401  (benchmark helpers: puts the checkout on sys.path)
import idaes.core.util.model_statistics as model_statistics
from flash_bt_ideal import run_once
from idaes.models.properties.modular_properties.examples.BT_ideal import configuration
from pyomo.repn.plugins import nl_writer

import idaes_plugin.pure_methods as pure_methods
import idaes_plugin.solvers.ampl_driver as ampl_driver
from idaes_plugin.vle_package import vle_config

PHASES = ("build", "translation", "DOF checks", "numeric p_sat", "NL write", "NL read",
          "nlpsol construct", "IPOPT run", "GC")  # fmt: skip


class PhaseClock:
    """CPU seconds per phase, accumulated by wrapped functions (outermost call only)."""

    def __init__(self):
        self.seconds = collections.Counter()
        self._depth = collections.Counter()
        self._gc_start = 0.0

    def wrap(self, owner, name: str, phase: str, only=None) -> None:
        """Replace ``owner.name`` by a timed wrapper (``only(args)``: time only when true)."""
        function = getattr(owner, name)

        def timed(*args, **kwargs):
            if self._depth[phase] or (only is not None and not only(args)):
                return function(*args, **kwargs)
            self._depth[phase] += 1
            start, collected = time.process_time(), self.seconds["GC"]
            try:
                return function(*args, **kwargs)
            finally:  # without the collector's pauses, which land anywhere
                elapsed = time.process_time() - start
                self.seconds[phase] += elapsed - (self.seconds["GC"] - collected)
                self._depth[phase] -= 1

        setattr(owner, name, timed)

    def gc_callback(self, event: str, _info: dict) -> None:
        if event == "start":
            self._gc_start = time.process_time()
        else:
            self.seconds["GC"] += time.process_time() - self._gc_start


def instrument(clock: PhaseClock) -> None:
    import validation.flowsheets  # noqa: F401

    clock.wrap(flash_bt_ideal, "bt_flash", "build")
    clock.wrap(pure_methods, "state_values", "translation")
    clock.wrap(pure_methods, "_number_in", "numeric p_sat")
    clock.wrap(model_statistics, "variables_in_activated_equalities_set", "DOF checks")
    clock.wrap(nl_writer._NLWriter_impl, "write", "NL write")
    clock.wrap(ampl_driver, "read_nl", "NL read")
    nlpsol = ca.nlpsol

    def timed_nlpsol(*args, **kwargs):
        start = time.process_time()
        solver = nlpsol(*args, **kwargs)
        clock.seconds["nlpsol construct"] += time.process_time() - start
        return _TimedSolver(solver, clock)

    ca.nlpsol = timed_nlpsol
    gc.callbacks.append(clock.gc_callback)


class _TimedSolver:
    """A CasADi nlpsol whose calls (the IPOPT runs) are timed."""

    def __init__(self, solver, clock: PhaseClock):
        self._solver, self._clock = solver, clock

    def __call__(self, **kwargs):
        start = time.process_time()
        try:
            return self._solver(**kwargs)
        finally:
            self._clock.seconds["IPOPT run"] += time.process_time() - start

    def stats(self):
        return self._solver.stats()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    packages = {"IDAES BT_ideal": configuration, "hybrid ONNX": vle_config(["benzene", "toluene"])}
    clocks = {name: PhaseClock() for name in packages}
    totals = collections.Counter()
    shared = PhaseClock()  # one set of wrappers; its counts are moved to the package's clock

    instrument(shared)
    for config in packages.values():  # warm-up
        run_once(config)
    shared.seconds.clear()
    for _ in range(args.repeats):
        for name, config in packages.items():  # interleaved: drifts hit both alike
            start = time.process_time()
            run_once(config)
            totals[name] += time.process_time() - start
            clocks[name].seconds.update(shared.seconds)
            shared.seconds.clear()
    n = args.repeats
    print(f"CPU ms per flash, means over {n} flashes per package (phases may nest)")
    print(f"{'phase':<18} {'IDAES':>8} {'hybrid':>8} {'hybrid - IDAES':>15}")
    for phase in ("total", *PHASES):
        a = (totals["IDAES BT_ideal"] if phase == "total"
             else clocks["IDAES BT_ideal"].seconds[phase]) / n * 1e3  # fmt: skip
        b = (totals["hybrid ONNX"] if phase == "total"
             else clocks["hybrid ONNX"].seconds[phase]) / n * 1e3  # fmt: skip
        print(f"{phase:<18} {a:>8.1f} {b:>8.1f} {b - a:>15.1f}")
    print(f"load average (1, 5 min): {os.getloadavg()[0]:.1f}, {os.getloadavg()[1]:.1f} "
          f"on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
