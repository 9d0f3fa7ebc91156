"""Flash convergence campaign: IDAES's Flash on propkg packages vs an independent TP flash.

For a fixed list of systems (Raoult and hybrid activity packages), states are drawn with a
seed inside each package's state bounds: T uniform; P log-uniform from 0.7x the lower to
1.3x the higher saturation pressure at T (clipped to the pressure bounds); z uniform in
[0.02, 0.98]. Each state is an isothermal, isobaric ``Flash`` (inlet T, P, z fixed; outlet
temperature fixed at T, ``deltaP = 0``) started from IDAES's default Flash initializer and
solved with ``get_solver()``. The result is compared with :mod:`reference_flash` (numpy +
onnxruntime from the same ONNX files): vapour fraction to :data:`BETA_TOL`, the
compositions of the phases present to :data:`COMPOSITION_TOL`.

A spec fails if initialization raises, the solve is not optimal, or the answer differs;
"optimal but wrong" is reported separately, and so are states where the g^E model itself
predicts two liquid phases (the reference's tangent-plane test), which no vapour-liquid
package can represent. Usage::

    python validation/flash_campaign.py --n 1000 --seed 11 [--systems methanol,water ...]

Prints a progress line per system and the failures; writes nothing unless ``--plot`` is
given (a figure of the failures in the T-P plane).
"""

from __future__ import annotations

import argparse
import logging
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference_flash import ReferenceFlash  # noqa: E402

#: the systems of the campaign: (components, activity model or None for Raoult)
SYSTEMS = (
    (("benzene", "toluene"), None),
    (("n_hexane", "n_heptane"), None),
    (("methanol", "water"), "hybrid"),
    (("ethanol", "water"), "hybrid"),
    (("acetone", "water"), "hybrid"),
)
BETA_TOL = 2e-3
COMPOSITION_TOL = 1e-3
Z_RANGE = (0.02, 0.98)
P_FACTORS = (0.7, 1.3)


@dataclass
class Outcome:
    """One flash of the campaign."""

    system: str
    T: float
    P: float
    z: list[float]
    status: str  # "ok", "init_error", "not_optimal", "wrong", "model_lle"
    detail: str = ""
    beta: float = math.nan
    beta_ref: float = math.nan
    extra: dict = field(default_factory=dict)


class FlashModel:
    """One IDAES Flash of a system, built once and reset to its built values per state."""

    def __init__(self, components, activity_model, binary_models=None):
        import pyomo.environ as pyo
        from idaes.core import FlowsheetBlock
        from idaes.models.properties.modular_properties.base.generic_property import (
            GenericParameterBlock,
        )
        from idaes.models.unit_models import Flash

        from idaes_plugin.vle_package import vle_config

        self.components = list(components)
        self.config = vle_config(self.components, activity_model=activity_model,
                                 binary_models=binary_models)
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
        z1 = float(rng.uniform(*Z_RANGE))
        states.append((T, P, [z1, 1.0 - z1]))
    return states


def run_system(model: FlashModel, ref: ReferenceFlash, label: str, states,
               progress=print) -> list[Outcome]:  # fmt: skip
    """Flash every state of one system; a progress line every 10 states."""
    outcomes, start = [], time.perf_counter()
    for k, (T, P, z) in enumerate(states, start=1):
        status, detail, beta, x, y = model.solve(T, P, z)
        expected = ref.flash(T, P, z)
        if not expected.liquid_stable:
            status, detail = "model_lle", (f"the g^E model predicts two liquids here "
                                           f"(IDAES: {status}, beta {beta:.4f})")  # fmt: skip
        elif status == "optimal":
            detail = compare(beta, x, y, expected)
            status = "wrong" if detail else "ok"
        outcomes.append(Outcome(label, T, P, z, status, detail, beta, expected.beta))
        if k % 10 == 0 or k == len(states):
            good = sum(o.status == "ok" for o in outcomes)
            progress(f"  {label}: {k}/{len(states)} flashes, {good} agree, "
                     f"{time.perf_counter() - start:.0f} s")  # fmt: skip
    return outcomes


def summarize(outcomes: list[Outcome]) -> str:
    """Rate per system and overall, then one line per failure."""
    lines = []
    for system in dict.fromkeys(o.system for o in outcomes):
        mine = [o for o in outcomes if o.system == system]
        good = sum(o.status == "ok" for o in mine)
        lines.append(f"{system}: {good}/{len(mine)} agree")
    good = sum(o.status == "ok" for o in outcomes)
    wrong = sum(o.status == "wrong" for o in outcomes)
    lle = sum(o.status == "model_lle" for o in outcomes)
    lines.append(f"overall: {good}/{len(outcomes)} agree ({100.0 * good / len(outcomes):.1f} %), "
                 f"{wrong} optimal at a wrong answer")  # fmt: skip
    if lle:
        rest = len(outcomes) - lle
        lines.append(f"  {lle} states where the g^E model predicts two liquids (no VLE answer "
                     f"is right there); on the other {rest}: {good}/{rest} agree "
                     f"({100.0 * good / rest:.2f} %)")  # fmt: skip
    for o in outcomes:
        if o.status != "ok":
            lines.append(f"  {o.status}: {o.system} T={o.T:.2f} K P={o.P:.0f} Pa z1={o.z[0]:.4f}"
                         f" beta_ref={o.beta_ref:.4f}: {o.detail}")  # fmt: skip
    return "\n".join(lines)


def plot_failures(outcomes: list[Outcome], path: Path) -> None:
    """States in the T-P plane per system, failures marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = list(dict.fromkeys(o.system for o in outcomes))
    fig, axes = plt.subplots(1, len(systems), figsize=(4 * len(systems), 3.5), squeeze=False)
    for ax, system in zip(axes[0], systems, strict=True):
        for status, style in (("ok", "."), ("init_error", "x"), ("not_optimal", "s"),
                              ("wrong", "^"), ("model_lle", "d")):  # fmt: skip
            pts = [(o.T, o.P) for o in outcomes if o.system == system and o.status == status]
            if pts:
                t, p = zip(*pts, strict=True)
                ax.semilogy(t, p, style, label=f"{status} ({len(pts)})", ms=4)
        ax.set_title(system, fontsize=9)
        ax.set_xlabel("T [K]")
        ax.set_ylabel("P [Pa]")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="flashes in total (%(default)s)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--systems", nargs="+", help="subset, e.g. methanol,water")
    parser.add_argument("--plot", type=Path, help="PNG of the failures in the T-P plane")
    parser.add_argument("--activity-model", default="hybrid",
                        help="g^E model of the activity systems (hybrid, unifac, nrtl)")
    args = parser.parse_args(argv)
    import idaes_plugin  # noqa: F401  (pip-only IPOPT)

    logging.getLogger("idaes").setLevel(logging.CRITICAL)
    logging.getLogger("idaes_plugin").setLevel(logging.ERROR)
    logging.getLogger("pyomo").setLevel(logging.ERROR)
    chosen = [s for s in SYSTEMS if not args.systems or ",".join(s[0]) in args.systems]
    rng = np.random.default_rng(args.seed)
    per_system = math.ceil(args.n / len(chosen))
    outcomes = []
    for components, activity_model in chosen:
        activity_model = activity_model and args.activity_model
        model = FlashModel(components, activity_model)
        ref = ReferenceFlash(components, activity_model)
        states = draw_states(ref, *model.bounds(), per_system, rng)
        outcomes += run_system(model, ref, system_label(components, activity_model), states)
    print(summarize(outcomes))
    if args.plot:
        plot_failures(outcomes, args.plot)
        print(f"wrote {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
