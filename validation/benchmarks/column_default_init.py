"""What stops IDAES's default ``TrayColumn.initialize()`` on the hybrid activity packages.

Two measurements behind issues 10 (item 6) and 11 (item 2):

``methanol_water``
    IDAES's tray-column test specification (10 trays, feed on tray 5, total condenser at
    the bubble point, reflux ratio 1.4, boil-up ratio 1.3, 1 atm) with a 40 mol/s
    equimolar methanol/water feed at 352 K on ``vle_config(["methanol", "water"],
    "hybrid")``. Three runs, each followed by the user's ``get_solver().solve(m)``:
    IDAES's ``initialize()`` as it comes; the same with ``optarg={"max_iter": 1000}``
    (only the iteration limit of IDAES's solves differs); propkg's
    ``TrayColumnInitializer``. Printed: the status of IDAES's last initialization solve
    (from its log), the user's solve, distillate flow and composition, CPU time.

``ternary``
    A 5-tray acetone/methanol/water column (feed on tray 3, reflux 1.4, boil-up 1.3,
    40 mol/s equimolar at 335 K, 1 atm) on the shipped multicomponent hybrid g^E file,
    IDAES's ``initialize()`` then ``get_solver().solve(m)``; checked independently:
    component balances, and every tray's liquid at its bubble point at the tray's
    temperature from :class:`validation.reference_flash.ReferenceFlash` (numpy/onnxruntime).

``walker``
    The cost of IDAES's degrees-of-freedom checks, which walk every active constraint's
    expression tree with Pyomo's ``identify_variables`` (named Expressions expanded at
    every reference, no cache): nodes visited per state block and CPU time of one
    ``degrees_of_freedom(tray)`` for the binary methanol/water and the ternary
    acetone/methanol/water hybrid packages (the shipped multicomponent g^E file); and, for
    the ln gamma outputs of each g^E file at one (T, x), the nodes a walker visits as
    translated today and with the K most profitable shared nodes made variables (greedy
    choice; a variable is one leaf for the walker plus its own defining constraint walked
    once) - the size of the fix a next step could build.

IDAES's degrees-of-freedom checks run with one Pyomo named-expression cache per call
(:mod:`idaes_plugin.model_statistics`, installed with propkg's property methods; the
former ``--cache-dof`` experiment). ``PROPKG_IDAES_STATISTICS_CACHE=0`` measures IDAES as
shipped.

Usage: ``python validation/benchmarks/column_default_init.py [--cases ...]``
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CASES = ("methanol_water", "walker", "ternary")
#: ternary column feed [K]: two-phase (vapour fraction 0.36 by ReferenceFlash); IDAES's
#: initialize() gives the condenser the feed tray's vapour, so a liquid feed cannot work
TERNARY_T_FEED = 335.0
BINARY, TERNARY = ["methanol", "water"], ["acetone", "methanol", "water"]


class _StatusLog(logging.Handler):
    """Keeps IDAES's ``... initialization status ...`` messages of the column."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record):
        message = record.getMessage()
        if "initialization status" in message:
            self.messages.append(message)


def run_column(initializer: str) -> dict:
    """Build the methanol/water column, initialize with ``initializer`` (``idaes``,
    ``idaes_max_iter_1000`` or ``propkg``), then solve as a user would."""
    import idaes.logger as idaeslog
    import pyomo.environ as pyo
    from idaes.core.solvers import get_solver

    from idaes_plugin import vle_config
    from idaes_plugin.column_init import TrayColumnInitializer
    from validation.flowsheets import tray_column

    m = tray_column(vle_config(BINARY, activity_model="hybrid"), 352.0)
    col = m.fs.unit
    handler = _StatusLog()
    logger = logging.getLogger("idaes.init.fs.unit")
    logger.addHandler(handler)
    cpu = time.process_time()
    try:
        if initializer == "propkg":
            TrayColumnInitializer().initialize(col)
        else:
            optarg = {"max_iter": 1000} if initializer.endswith("1000") else None
            col.initialize(optarg=optarg, outlvl=idaeslog.INFO)
    finally:
        logger.removeHandler(handler)
    cpu = time.process_time() - cpu
    results = get_solver().solve(m)
    dist = col.condenser.distillate
    return {
        "initializer": initializer,
        "last_init_solve": handler.messages[-1].split("status")[-1].split("-")[0].strip()
        if handler.messages else "-",
        "user_solve": str(results.solver.termination_condition),
        "D_mol_s": pyo.value(dist.flow_mol[0]),
        "x_D_methanol": pyo.value(dist.mole_frac_comp[0, "methanol"]),
        "init_cpu_s": cpu,
    }


#: the phase variables whose IDAES bounds the package removes (idaes_plugin.state_definition)
PHASE_VARIABLES = ("phase_frac", "flow_mol_phase", "mole_frac_phase_comp")


def phase_variable_extremes(block) -> dict[str, tuple[float, float]]:
    """(min, max) of each of :data:`PHASE_VARIABLES` over every state block in ``block``:
    the package leaves them unbounded, so a physical solution must show min >= 0 (and
    phase fractions <= 1)."""
    import pyomo.environ as pyo

    values: dict[str, list[float]] = {name: [] for name in PHASE_VARIABLES}
    for var in block.component_data_objects(pyo.Var, descend_into=True):
        name = var.parent_component().local_name
        if name in values and var.value is not None:
            values[name].append(var.value)
    return {name: (min(v), max(v)) for name, v in values.items() if v}


def column_checks(col, components: list[str], flow: float) -> dict:
    """Independent checks of a solved column: the worst component balance [mol/s] against
    the equimolar feed of ``flow`` [mol/s], the worst tray |p_bubble/P - 1| of the liquid
    at the tray's temperature by :class:`validation.reference_flash.ReferenceFlash`
    (numpy/onnxruntime, no Pyomo), and :func:`phase_variable_extremes`."""
    import pyomo.environ as pyo

    from validation.reference_flash import ReferenceFlash

    dist, bott = col.condenser.distillate, col.reboiler.bottoms
    balance = max(abs(pyo.value(dist.flow_mol[0] * dist.mole_frac_comp[0, c]
                                + bott.flow_mol[0] * bott.mole_frac_comp[0, c])
                      - flow / len(components))
                  for c in components)  # fmt: skip
    ref = ReferenceFlash(components, "hybrid")
    trays = [col.rectification_section[i] for i in col._rectification_index]
    trays += [col.feed_tray] + [col.stripping_section[i] for i in col._stripping_index]
    bubble = 0.0
    for tray in trays:
        state = tray.properties_out[0]
        x = [pyo.value(state.mole_frac_phase_comp["Liq", c]) for c in components]
        p_bubble = ref.bubble_pressure(pyo.value(state.temperature), x)
        bubble = max(bubble, abs(p_bubble / pyo.value(state.pressure) - 1.0))
    return {"balance_mol_s": balance, "bubble_rel": bubble,
            "extremes": phase_variable_extremes(col)}


def run_idaes_default(components: list[str], T_feed: float, *, trays: int = 10,
                      feed_tray: int = 5, flow: float = 40.0,
                      phase_equilibrium: str | None = None) -> dict:
    """IDAES's default ``TrayColumn.initialize()`` then the user's ``get_solver().solve(m)``
    of IDAES's test specification (:func:`validation.flowsheets.tray_column`) on the hybrid
    package of ``components`` (``phase_equilibrium``: ``vle_config``'s, default its own),
    checked by :func:`column_checks`."""
    import pyomo.environ as pyo
    from idaes.core.solvers import get_solver

    from idaes_plugin import vle_config
    from validation.flowsheets import tray_column

    options = {} if phase_equilibrium is None else {"phase_equilibrium": phase_equilibrium}
    config = vle_config(components, activity_model="hybrid", **options)
    m = tray_column(config, T_feed, trays=trays, feed_tray=feed_tray, flow=flow)
    col = m.fs.unit
    cpu = time.process_time()
    col.initialize()
    cpu = time.process_time() - cpu
    status = str(get_solver().solve(m).solver.termination_condition)
    dist = col.condenser.distillate
    return {"status": status, "init_cpu_s": cpu, "D_mol_s": pyo.value(dist.flow_mol[0]),
            "x_D": [pyo.value(dist.mole_frac_comp[0, c]) for c in components],
            **column_checks(col, components, flow)}


def run_ternary() -> dict:
    """IDAES's default initialization of the ternary column, solve and independent checks."""
    return run_idaes_default(TERNARY, TERNARY_T_FEED, trays=5, feed_tray=3)


def walked_nodes(block) -> int:
    """Nodes ``identify_variables`` visits over the active equalities of ``block``
    (named Expressions expanded at each reference, as IDAES's checks do)."""
    import pyomo.environ as pyo
    from pyomo.core.expr.visitor import StreamBasedExpressionVisitor

    class _Count(StreamBasedExpressionVisitor):
        def initializeWalker(self, expr):
            self.n = 1
            return True, None

        def beforeChild(self, node, child, index):
            self.n += 1
            return True, None

        def finalizeResult(self, result):
            return self.n

    return sum(_Count().walk_expression(c.body)
               for c in block.component_data_objects(pyo.Constraint, active=True)
               if c.equality)  # fmt: skip


def walker_cost(components: list[str]) -> dict:
    """Nodes per tray state block and CPU time of one ``degrees_of_freedom(feed_tray)``."""
    import idaes.core.util.model_statistics as stats

    from idaes_plugin import vle_config
    from validation.flowsheets import tray_column

    m = tray_column(vle_config(components, activity_model="hybrid"), 340.0,
                    trays=5, feed_tray=3)  # fmt: skip
    tray = m.fs.unit.feed_tray
    state = tray.properties_out[0]
    cpu = time.process_time()
    stats.degrees_of_freedom(tray)
    cpu = time.process_time() - cpu
    return {"components": "/".join(components), "state_block_nodes": walked_nodes(state),
            "feed_tray_nodes": walked_nodes(tray), "dof_feed_tray_cpu_s": cpu}


def cut_estimates(path: str, counts=(5, 10, 20)) -> dict[int, int]:
    """Walked nodes of the ln gamma outputs of the g^E file ``path`` at one (T, x), with 0
    and with K greedy cut variables (K in ``counts``)."""
    import casadi as ca

    from idaes_plugin.activity.gibbs_model import OUTPUT_NAMES, load_gibbs_model
    from idaes_plugin.casadi_to_pyomo import program_of

    fun = load_gibbs_model(path).function
    inputs = fun.sx_in()
    ln_gamma = fun(*inputs)[OUTPUT_NAMES.index("log_act_coeff_comp")]
    program, uses = program_of(ca.Function("ln_gamma", inputs, [ln_gamma]))
    producer: dict[int, int] = {}
    operands, outputs = [], []
    for k, (op, args, out, _) in enumerate(program):
        leaf = op in (ca.OP_CONST, ca.OP_INPUT, ca.OP_PARAMETER)
        operands.append(() if leaf else tuple(producer[r] for r in args))
        if op == ca.OP_OUTPUT:
            outputs.append(k)
        else:
            producer[out[0]] = k

    def walked(cut: set[int]) -> int:
        size: list[int] = []
        for ops in operands:
            size.append(1 + sum(1 if i in cut else size[i] for i in ops))
        return sum(size[k] for k in outputs) + sum(size[k] for k in cut)

    candidates = [k for k, (op, *_rest) in enumerate(program)
                  if uses[k] > 1 and op not in (ca.OP_CONST, ca.OP_INPUT, ca.OP_OUTPUT)]
    cut: set[int] = set()
    result = {0: walked(cut)}
    for n in range(1, max(counts) + 1):
        cut.add(min((k for k in candidates if k not in cut), key=lambda k: walked(cut | {k})))
        if n in counts:
            result[n] = walked(cut)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    args = parser.parse_args(argv)
    logging.getLogger("idaes.idaes_plugin").setLevel(logging.ERROR)  # domain notes
    if "methanol_water" in args.cases:
        print("initializer            last init solve   user solve      D [mol/s]  x_D,MeOH  "
              "init CPU [s]")
        for initializer in ("idaes", "idaes_max_iter_1000", "propkg"):
            r = run_column(initializer)
            print(f"{r['initializer']:22s} {r['last_init_solve']:17s} {r['user_solve']:15s} "
                  f"{r['D_mol_s']:9.4f}  {r['x_D_methanol']:.5f}  {r['init_cpu_s']:8.1f}",
                  flush=True)  # fmt: skip
    if "ternary" in args.cases:
        r = run_ternary()
        print(f"ternary column, IDAES initialize(): {r['init_cpu_s']:.1f} s CPU, user solve "
              f"{r['status']}, D = {r['D_mol_s']:.4f} mol/s, x_D (acetone, methanol, water) "
              f"= {', '.join(f'{v:.4f}' for v in r['x_D'])}; worst component balance "
              f"{r['balance_mol_s']:.2e} mol/s; worst tray |p_bubble/P - 1| "
              f"{r['bubble_rel']:.2e}", flush=True)
    if "walker" in args.cases:
        print("package                 nodes/state block  nodes/feed tray  "
              "degrees_of_freedom(feed tray) CPU [s]")
        for components in (BINARY, TERNARY):
            r = walker_cost(components)
            print(f"{r['components']:23s} {r['state_block_nodes']:17,d}  "
                  f"{r['feed_tray_nodes']:15,d}  {r['dof_feed_tray_cpu_s']:.2f}", flush=True)
        from propkg_contract.registry import find_binary_model, find_mixture_model

        print("g^E file: ln gamma nodes walked at one (T, x) with K cut variables")
        for components in (BINARY, TERNARY):
            path = (find_binary_model(*components)[0] if len(components) == 2
                    else find_mixture_model(components))
            cuts = cut_estimates(str(path))
            print(f"{'/'.join(components):23s} " + "  ".join(f"K={k}: {n:,d}"
                                                             for k, n in cuts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
