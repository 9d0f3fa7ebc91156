"""Flash convergence campaign: IDAES's Flash on propkg packages vs an independent TP flash.

For a fixed list of systems (Raoult and hybrid activity packages; binaries, ternaries and a
quaternary), states are drawn with a seed inside each package's state bounds: T uniform; P
log-uniform from 0.7x the lower to 1.3x the higher saturation pressure at T (clipped to the
pressure bounds); z uniform on the simplex with every z_i >= 0.02. Each state is an
isothermal, isobaric ``Flash`` (inlet T, P, z fixed; outlet temperature fixed at T,
``deltaP = 0``) started from IDAES's default Flash initializer and solved with
``get_solver()``. The result is compared with :mod:`reference_flash` (numpy + onnxruntime
from the same ONNX files): vapour fraction to :data:`BETA_TOL`, the compositions of the
phases present to :data:`COMPOSITION_TOL`.

A spec fails if initialization raises, the solve is not optimal, or the answer differs;
"optimal but wrong" is reported separately, and so are states where the g^E model itself
predicts two liquid phases (the reference's tangent-plane test; whether
``check_liquid_stability`` flags IDAES's answer is recorded), which no vapour-liquid
package can represent. Usage::

    python validation/flash_campaign.py --n 1000 --seed 11 --out results.jsonl \
        [--workers 2] [--systems methanol,water ...] [--plot fig.png]

Every state's outcome is appended to ``--out`` (JSON lines) as soon as it is known; a
second run with the same file skips the states already there (resume). States are drawn
per system from ``(seed, system index)``, so they do not depend on the other systems
chosen or on the order of execution. ``--workers N`` spreads chunks of states over a Dask
cluster of N one-thread worker processes, each in its own session
(:func:`propkg.zoo.cluster.dask_processes`; ``--scheduler ADDRESS`` for an existing
cluster). Prints progress, the rate per system and every failure.

``--near-lines`` draws a second, separate set of states (its own random stream, same
systems) on the phase boundaries instead: T and z as above, then P a relative distance
delta from the reference's bubble or dew pressure at (T, z) (line and side of it at random,
|delta| log-uniform in :data:`LINE_DELTAS`); for a binary whose model has an azeotrope at T
(an interior extremum of the bubble pressure over x) half of the states take z within 0.01
of the azeotropic composition. The summary then adds the rate per line and decade of
|delta|.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import math
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from validation.reference_flash import ReferenceFlash  # noqa: E402

#: the systems of the campaign: (components, activity model or None for Raoult)
SYSTEMS = (
    (("benzene", "toluene"), None),
    (("n_hexane", "n_heptane"), None),
    (("methanol", "water"), "hybrid"),
    (("ethanol", "water"), "hybrid"),
    (("acetone", "water"), "hybrid"),
    (("acetone", "methanol", "water"), "hybrid"),
    (("benzene", "toluene", "o_xylene"), None),
    (("n_hexane", "n_heptane", "n_octane", "cyclohexane"), None),
    # the other shipped binary g^E files (added after the first runs: appended, so the
    # states of the systems above, drawn from (seed, index), are unchanged)
    (("acetone", "methanol"), "hybrid"),
    (("ethanol", "benzene"), "hybrid"),
    (("benzene", "toluene"), "hybrid"),
)
#: share of the states per system, relative to 1: the hybrid ternary's Flash takes about
#: 60 s (IDAES's degrees-of-freedom counts walk its g^E expressions at every
#: initialization step) against about 3 s for the others
WEIGHTS = (1, 1, 1, 1, 1, 0.1, 1, 1, 1, 1, 1)
BETA_TOL = 2e-3
COMPOSITION_TOL = 1e-3
Z_MIN = 0.02
P_FACTORS = (0.7, 1.3)
#: states per task sent to a worker
CHUNK = 2
#: --near-lines: range of |P / P_line - 1|, log-uniform
LINE_DELTAS = (1e-4, 3e-2)
#: --near-lines: half width of the z window around a binary azeotrope
AZEOTROPE_WINDOW = 0.01


@dataclass
class Outcome:
    """One flash of the campaign (a JSON line of the results file)."""

    system: str
    index: int
    T: float
    P: float
    z: list[float]
    status: str  # "ok", "init_error", "not_optimal", "wrong", "model_lle"
    detail: str = ""
    beta: float = math.nan
    beta_ref: float = math.nan
    phases_ref: str = ""
    flagged: bool | None = None  # model_lle: did check_liquid_stability flag IDAES's answer
    seconds: float = math.nan
    line: str = ""  # --near-lines: "bubble" / "dew" / "azeotrope bubble"...
    delta: float = math.nan  # --near-lines: P / P_line - 1
    in_domain: bool | None = None  # T inside every model file's temperature domain


class FlashModel:
    """One IDAES Flash of a system, built once and reset to its built values per state.

    ``options`` go to :func:`idaes_plugin.vle_config` (``mixture_model``, ``vapor_model``...).
    """

    def __init__(self, components, activity_model, **options):
        import pyomo.environ as pyo
        from idaes.core import FlowsheetBlock
        from idaes.models.properties.modular_properties.base.generic_property import (
            GenericParameterBlock,
        )
        from idaes.models.unit_models import Flash

        from idaes_plugin.vle_package import vle_config

        self.components = list(components)
        self.config = vle_config(self.components, activity_model=activity_model, **options)
        m = pyo.ConcreteModel()
        m.fs = FlowsheetBlock(dynamic=False)
        m.fs.props = GenericParameterBlock(**self.config)
        m.fs.flash = Flash(property_package=m.fs.props)
        self.m = m
        self.names = list(m.fs.props.component_list)
        self._built = [(v, v.value, v.fixed) for v in m.component_data_objects(pyo.Var)]

    def bounds(self):
        t = self.config["state_bounds"]["temperature"]
        p = self.config["state_bounds"]["pressure"]
        return (t[0], t[2]), (p[0], p[2])

    def solve(self, T: float, P: float, z) -> tuple[str, str, float, np.ndarray, np.ndarray]:
        """(status, detail, beta, x, y) of an isothermal flash from a fresh state."""
        import pyomo.environ as pyo
        from idaes.core.solvers import get_solver
        from idaes.core.util.exceptions import InitializationError
        from pyomo.opt import TerminationCondition

        for v, value, fixed in self._built:
            v.set_value(value, skip_validation=True)
            v.fixed = fixed
        flash = self.m.fs.flash
        inlet = flash.inlet
        inlet.flow_mol.fix(1.0)
        inlet.temperature.fix(T)
        inlet.pressure.fix(P)
        for name, zi in zip(self.names, z, strict=True):
            inlet.mole_frac_comp[0, name].fix(zi)
        flash.control_volume.properties_out[0].temperature.fix(T)
        flash.heat_duty.unfix()
        flash.deltaP.fix(0.0)
        try:
            flash.default_initializer().initialize(flash)
        except (InitializationError, ValueError, ArithmeticError) as exc:
            return "init_error", f"{type(exc).__name__}: {str(exc)[:160]}", math.nan, None, None
        results = get_solver().solve(self.m)
        condition = results.solver.termination_condition
        if condition != TerminationCondition.optimal:
            return "not_optimal", str(condition), math.nan, None, None
        vap = pyo.value(flash.vap_outlet.flow_mol[0])
        liq = pyo.value(flash.liq_outlet.flow_mol[0])
        beta = vap / (vap + liq)
        x = np.array([pyo.value(flash.liq_outlet.mole_frac_comp[0, n]) for n in self.names])
        y = np.array([pyo.value(flash.vap_outlet.mole_frac_comp[0, n]) for n in self.names])
        return "optimal", "", beta, x, y

    def liquid_split_flagged(self) -> bool:
        """True if ``check_liquid_stability`` flags the solved model's liquid."""
        from idaes_plugin.activity import check_liquid_stability
        from propkg_contract.errors import DomainError

        try:
            check_liquid_stability(self.m)
        except DomainError:
            return True
        return False


def system_label(components, activity_model) -> str:
    """``"methanol/water (hybrid)"``, ``"benzene/toluene (Raoult)"``."""
    return "/".join(components) + f" ({activity_model or 'Raoult'})"


def compare(beta, x, y, ref) -> str:
    """Empty if IDAES's answer matches the reference, else what differs."""
    problems = []
    if abs(beta - ref.beta) > BETA_TOL:
        problems.append(f"beta {beta:.4f} vs {ref.beta:.4f} ({ref.phases})")
    if ref.beta < 1.0 and np.max(np.abs(x - ref.x)) > COMPOSITION_TOL:
        problems.append(f"x {np.round(x, 4)} vs {np.round(ref.x, 4)}")
    if ref.beta > 0.0 and np.max(np.abs(y - ref.y)) > COMPOSITION_TOL:
        problems.append(f"y {np.round(y, 4)} vs {np.round(ref.y, 4)}")
    return "; ".join(problems)


def draw_z(n_components: int, rng) -> list[float]:
    """Uniform on the simplex with every z_i >= :data:`Z_MIN` (a scaled flat Dirichlet)."""
    return list(Z_MIN + (1.0 - n_components * Z_MIN) * rng.dirichlet(np.ones(n_components)))


def draw_states(ref: ReferenceFlash, t_bounds, p_bounds, n: int, rng) -> list[tuple]:
    """n states (T, P, z) of the campaign's distribution."""
    states = []
    while len(states) < n:
        T = float(rng.uniform(*t_bounds))
        psat = ref.psat(T)
        lo = max(P_FACTORS[0] * psat.min(), p_bounds[0])
        hi = min(P_FACTORS[1] * psat.max(), p_bounds[1])
        if lo >= hi:  # the pressure range lies outside the bounds at this T: draw again
            continue
        P = float(np.exp(rng.uniform(np.log(lo), np.log(hi))))
        states.append((T, P, draw_z(len(ref.components), rng)))
    return states


def azeotrope(ref: ReferenceFlash, T: float) -> float | None:
    """x_1 of a binary's azeotrope at T (an extremum of the bubble pressure inside
    [:data:`Z_MIN`, 1 - :data:`Z_MIN`]), or None."""
    if len(ref.components) != 2:
        return None
    x1 = np.linspace(Z_MIN, 1.0 - Z_MIN, 193)
    p = ref.bubble_pressure(T, np.column_stack([x1, 1.0 - x1]))
    slope = np.diff(p)
    turns = np.nonzero(np.sign(slope[:-1]) != np.sign(slope[1:]))[0]
    if len(turns) == 0:
        return None
    i = turns[0] + 1
    lo, hi = x1[i - 1], x1[i + 1]
    sense = 1.0 if slope[i - 1] > 0 else -1.0  # maximum (positive azeotrope) or minimum
    for _ in range(60):  # golden-section search of the extremum
        a, b = lo + 0.382 * (hi - lo), lo + 0.618 * (hi - lo)
        pa, pb = (sense * ref.bubble_pressure(T, [v, 1.0 - v]) for v in (a, b))
        lo, hi = (a, hi) if pa < pb else (lo, b)
    return 0.5 * (lo + hi)


def draw_line_states(ref: ReferenceFlash, t_bounds, p_bounds, n: int, rng) -> list[tuple]:
    """n states (T, P, z, line, delta) near the reference's bubble and dew lines."""
    states = []
    while len(states) < n:
        T = float(rng.uniform(*t_bounds))
        z = draw_z(len(ref.components), rng)
        line = "bubble" if rng.uniform() < 0.5 else "dew"
        delta = float(np.exp(rng.uniform(*np.log(LINE_DELTAS)))) * rng.choice((-1.0, 1.0))
        near_azeotrope = rng.uniform() < 0.5
        x_az = azeotrope(ref, T) if near_azeotrope else None
        if x_az is not None:
            z1 = float(np.clip(x_az + rng.uniform(-AZEOTROPE_WINDOW, AZEOTROPE_WINDOW),
                               Z_MIN, 1.0 - Z_MIN))
            z, line = [z1, 1.0 - z1], "azeotrope " + line
        p_line = (ref.bubble_pressure(T, z) if line.endswith("bubble")
                  else ref.dew_pressure(T, z))  # fmt: skip
        P = p_line * (1.0 + delta)
        if not p_bounds[0] <= P <= p_bounds[1]:
            continue
        states.append((T, float(P), z, line, delta))
    return states


#: per process: system index -> (FlashModel, ReferenceFlash, label, states, T domain)
_SYSTEMS: dict[tuple, tuple] = {}


def _system(k: int, n: int, seed: int, activity_model: str, near_lines: bool = False,
            phase_equilibrium: str | None = None):
    key = (k, n, seed, activity_model, near_lines, phase_equilibrium)
    if key not in _SYSTEMS:
        components, activity = SYSTEMS[k]
        activity = activity and activity_model
        options = {} if phase_equilibrium is None else {"phase_equilibrium": phase_equilibrium}
        model = FlashModel(components, activity, **options)
        ref = ReferenceFlash(components, activity)
        if near_lines:
            states = draw_line_states(ref, *model.bounds(), n,
                                      np.random.default_rng([seed, k, 1]))
        else:
            states = [(*state, "", math.nan) for state in
                      draw_states(ref, *model.bounds(), n, np.random.default_rng([seed, k]))]
        _SYSTEMS[key] = (model, ref, system_label(components, activity), states,
                         ref.temperature_domain())
    return _SYSTEMS[key]


def solve_states(k: int, indices: list[int], n: int, seed: int,
                 activity_model: str = "hybrid", near_lines: bool = False,
                 phase_equilibrium: str | None = None) -> list[dict]:
    """Flash states ``indices`` of system ``k`` (of ``n`` drawn); outcomes as dicts.

    Runs in a worker (or in the calling process); the Flash model is built once per process
    and system and reset to its built values per state.
    """
    _quiet()
    model, ref, label, states, (t_lo, t_hi) = _system(k, n, seed, activity_model,
                                                      near_lines, phase_equilibrium)
    out = []
    for i in indices:
        T, P, z, line, delta = states[i]
        start = time.perf_counter()
        status, detail, beta, x, y = model.solve(T, P, z)
        expected = ref.flash(T, P, z)
        flagged = None
        if not expected.liquid_stable:
            flagged = status == "optimal" and model.liquid_split_flagged()
            status, detail = "model_lle", (f"the g^E model predicts two liquids here "
                                           f"(IDAES: {status}, beta {beta:.4f})")  # fmt: skip
        elif status == "optimal":
            detail = compare(beta, x, y, expected)
            status = "wrong" if detail else "ok"
        out.append(asdict(Outcome(label, i, T, P, list(z), status, detail, float(beta),
                                  expected.beta, expected.phases, flagged,
                                  time.perf_counter() - start, line, delta,
                                  t_lo <= T <= t_hi)))
    return out


def _quiet() -> None:
    import idaes_plugin  # noqa: F401  (pip-only IPOPT)

    logging.getLogger("idaes").setLevel(logging.CRITICAL)
    logging.getLogger("idaes_plugin").setLevel(logging.ERROR)
    logging.getLogger("pyomo").setLevel(logging.ERROR)


def load_outcomes(path: Path) -> list[Outcome]:
    """Outcomes already in a results file (none if it does not exist)."""
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Outcome(**json.loads(line)) for line in lines if line.strip()]


def summarize(outcomes: list[Outcome]) -> str:
    """Rate per system and overall, then one line per failure."""
    lines = []
    for system in dict.fromkeys(o.system for o in outcomes):
        mine = [o for o in outcomes if o.system == system]
        good = sum(o.status == "ok" for o in mine)
        lle = sum(o.status == "model_lle" for o in mine)
        rest = len(mine) - lle
        extra = f" (+ {lle} in the model's two-liquid region)" if lle else ""
        phases = ", ".join(f"{ph} {sum(o.phases_ref == ph for o in mine)}"
                           for ph in ("L", "LV", "V"))
        lines.append(f"{system}: {good}/{rest} agree{extra} (reference {phases}), "
                     f"{np.nanmean([o.seconds for o in mine]):.1f} s per flash")  # fmt: skip
    good = sum(o.status == "ok" for o in outcomes)
    wrong = sum(o.status == "wrong" for o in outcomes)
    lle = [o for o in outcomes if o.status == "model_lle"]
    rest = len(outcomes) - len(lle)
    lines.append(f"overall: {good}/{rest} agree ({100.0 * good / max(rest, 1):.2f} %) outside "
                 f"the g^E models' two-liquid regions, {wrong} optimal at a wrong answer")
    if lle:
        flagged = sum(bool(o.flagged) for o in lle)
        optimal = sum("IDAES: optimal" in o.detail for o in lle)
        lines.append(f"  {len(lle)} states where the g^E model predicts two liquids (no VLE "
                     f"answer is right there): IDAES optimal in {optimal}, of which "
                     f"check_liquid_stability flags {flagged}")  # fmt: skip
    for o in sorted(outcomes, key=lambda o: (o.system, o.index)):
        if o.status != "ok":
            z = ", ".join(f"{v:.4f}" for v in o.z)
            lines.append(f"  {o.status}: {o.system} #{o.index} T={o.T:.2f} K P={o.P:.0f} Pa "
                         f"z=({z}) ref {o.phases_ref} beta={o.beta_ref:.4f}: {o.detail}")
    return "\n".join(lines)


def summarize_by_delta(outcomes: list[Outcome]) -> str:
    """Agreement per line (bubble, dew, azeotrope ...) and decade of |P / P_line - 1|,
    separately for T inside and outside the model files' temperature domains."""
    decades = [(1e-4, 1e-3), (1e-3, 1e-2), (1e-2, 1e-1)]
    lines = []
    for inside in (True, False):
        where = "inside" if inside else "outside"
        chosen = [o for o in outcomes if bool(o.in_domain) == inside
                  and o.status != "model_lle"]  # fmt: skip
        good = sum(o.status == "ok" for o in chosen)
        lines.append(f"T {where} the models' domains: {good}/{len(chosen)} agree; by line "
                     "and |P/P_line - 1| in " + ", ".join(f"[{lo:g}, {hi:g})"
                                                        for lo, hi in decades) + ":")
        for line in sorted({o.line for o in chosen if o.line}):
            cells = []
            for lo, hi in decades:
                mine = [o for o in chosen if o.line == line and lo <= abs(o.delta) < hi]
                cells.append(f"{sum(o.status == 'ok' for o in mine)}/{len(mine)}")
            lines.append(f"  {line}: " + ", ".join(cells))
    return "\n".join(lines)


def plot_outcomes(outcomes: list[Outcome], path: Path) -> None:
    """States in the T-P plane per system, failures marked; the rate in each title."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = list(dict.fromkeys(o.system for o in outcomes))
    cols = min(4, len(systems))
    rows = math.ceil(len(systems) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3.4 * rows), squeeze=False)
    for ax, system in zip(axes.flat, systems, strict=False):
        mine = [o for o in outcomes if o.system == system]
        for status, style in (("ok", "."), ("init_error", "x"), ("not_optimal", "s"),
                              ("wrong", "^"), ("model_lle", "d")):  # fmt: skip
            pts = [(o.T, o.P) for o in mine if o.status == status]
            if pts:
                t, p = zip(*pts, strict=True)
                ax.semilogy(t, p, style, label=f"{status} ({len(pts)})",
                            ms=3 if status == "ok" else 6)  # fmt: skip
        good = sum(o.status == "ok" for o in mine)
        rest = sum(o.status != "model_lle" for o in mine)
        ax.set_title(f"{system}\n{good}/{rest} agree", fontsize=8)
        ax.set_xlabel("T [K]")
        ax.set_ylabel("P [Pa]")
        ax.legend(fontsize=6)
    for ax in list(axes.flat)[len(systems):]:
        ax.set_visible(False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def _tasks(counts: dict[int, int], done) -> list[tuple[int, int, list[int]]]:
    """(system index, its number of states, chunk of state indices) not yet done."""
    tasks = []
    for k, count in sorted(counts.items(), key=lambda kc: WEIGHTS[kc[0]]):  # slow ones first
        label = system_label(*SYSTEMS[k])
        todo = [i for i in range(count) if (label, i) not in done]
        tasks += [(k, count, todo[j:j + CHUNK]) for j in range(0, len(todo), CHUNK)]
    return tasks


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="flashes in total (%(default)s)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--systems", nargs="+", help="subset, e.g. methanol,water")
    parser.add_argument("--out", type=Path, help="results (JSON lines; resumed if present)")
    parser.add_argument("--plot", type=Path, help="PNG of the states in the T-P plane")
    parser.add_argument("--workers", type=int, default=0,
                        help="Dask cluster of this many one-thread processes (0: serial)")
    parser.add_argument("--scheduler", help="address of a running Dask scheduler")
    parser.add_argument("--activity-model", default="hybrid",
                        help="g^E model of the activity systems (hybrid, unifac, nrtl)")
    parser.add_argument("--near-lines", action="store_true",
                        help="states near the bubble and dew lines and azeotropes")
    parser.add_argument("--phase-equilibrium",
                        help="vle_config's phase_equilibrium (default: vle_config's)")
    args = parser.parse_args(argv)
    chosen = [k for k, (components, _) in enumerate(SYSTEMS)
              if not args.systems or ",".join(components) in args.systems]
    share = sum(WEIGHTS[k] for k in chosen)
    counts = {k: max(1, round(args.n * WEIGHTS[k] / share)) for k in chosen}
    outcomes = load_outcomes(args.out) if args.out else []
    labels = {system_label(*SYSTEMS[k]) for k in chosen}
    count_of = {system_label(*SYSTEMS[k]): counts[k] for k in chosen}
    outcomes = [o for o in outcomes if o.system in labels and o.index < count_of[o.system]]
    tasks = _tasks(counts, {(o.system, o.index) for o in outcomes})
    total = len(outcomes) + sum(len(t[2]) for t in tasks)
    print(f"{len(outcomes)} states already done, {total - len(outcomes)} to go", flush=True)
    start = time.perf_counter()

    def record(batch: list[dict]) -> None:
        new = [Outcome(**d) for d in batch]
        outcomes.extend(new)
        if args.out:
            with args.out.open("a", encoding="utf-8") as f:
                f.writelines(json.dumps(d) + "\n" for d in batch)
        good = sum(o.status == "ok" for o in outcomes)
        print(f"  {len(outcomes)}/{total} flashes, {good} agree; last: {new[0].system} "
              f"({time.perf_counter() - start:.0f} s)", flush=True)

    if tasks and (args.workers or args.scheduler):
        from distributed import Client, as_completed

        from propkg.zoo.cluster import dask_processes

        # by reference to the importable module (not __main__), so workers import it
        from validation.flash_campaign import solve_states as task

        with contextlib.ExitStack() as stack:
            address = args.scheduler or stack.enter_context(dask_processes(
                args.workers, new_sessions=True, pythonpath=Path(__file__).parent.parent))
            client = stack.enter_context(Client(address))
            futures = [client.submit(task, k, idx, n, args.seed, args.activity_model,
                                     args.near_lines, args.phase_equilibrium, pure=False)
                       for k, n, idx in tasks]
            for future in as_completed(futures):
                record(future.result())
    else:
        for k, n, idx in tasks:
            record(solve_states(k, idx, n, args.seed, args.activity_model, args.near_lines,
                                args.phase_equilibrium))
    print(summarize(outcomes))
    if args.near_lines:
        print(summarize_by_delta(outcomes))
    if args.plot:
        plot_outcomes(outcomes, args.plot)
        print(f"wrote {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
