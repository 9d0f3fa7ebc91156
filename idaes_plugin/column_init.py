r"""An initializer for IDAES's ``TrayColumn`` that converges hard specifications and raises.

IDAES 2.13's ``TrayColumn.initialize()`` initializes the feed tray, the condenser (from
the feed tray's vapour), the reboiler (from the feed tray's liquid) and every other tray
(each from the same two inlets), solves the sections with the outer inlets held, and ends
with one solve of the whole column; it never checks that last solve. With the hybrid
methanol/water package at IDAES's test specification (reflux ratio 1.4, boil-up ratio
1.3, 40 mol/s equimolar feed at 352 K, 1 atm) that last solve stops at IPOPT's iteration
limit (466 iterations needed; 24 with IDAES's bounds on the computed phase variables
removed, which is not shipped: ``validation/reports/column_default_init.md``); what makes
that start hard, measured on the column:

* the reboiler was initialized from the *feed tray's* liquid (19.8 mol/s) while the
  stripping section returns 35.7 mol/s to it, and the stripping section's vapour inlet was
  held at the reboiler's first vapour flow (11.2 mol/s) where the specification needs
  ~24 mol/s: the last solve starts with a 15.8 mol/s gap in one material balance;
* at this specification the distillate (21.2 mol/s) carries more than all the methanol
  fed (20 mol/s), so the bottoms are nearly pure water (x_methanol ~ 1e-4): a sharp
  composition front sits in the stripping section, and the Newton steps from the
  inconsistent start cross the smoothed bubble/dew kinks of the saturated tray inlets
  (IDAES's ``SmoothVLE``), so IPOPT's line search stalls (steps of 3e-3, restoration);
  started at the same point with ``max_iter=1000`` it converges after 466 iterations (456
  of them in IPOPT's restoration phase), to the steady state this initializer reaches
  (``validation/benchmarks/column_default_init.py``, report
  ``validation/reports/column_default_init.md``).

This initializer keeps IDAES's order of unit initializations but (1) initializes one tray
per section and copies it to the others (IDAES gives every tray of a section the same two
inlets, so they are identical), (2) re-initializes the reboiler from the bottom tray's
liquid at the boil-up ratio that the held vapour flow implies, so that the first solve of
the whole column starts from a consistent point, and (3) moves the boil-up ratio from
there to the user's value by continuation: a full step first, halved after a failed step
(from the last converged point), grown after a success. The warm-started solves use
``bound_push = bound_frac = 1e-8`` (IPOPT's default 1e-2 moves the tiny phase fractions
of the saturated inlets and raised the initial violation from ~1 to 371 here). A column
that cannot be initialized raises ``InitializationError`` (IDAES's ``postcheck`` also
verifies every constraint), and the model's fixed/free state is restored either way.

References
----------
IDAES-PSE 2.13, ``idaes/models_extra/column_models/tray_column.py`` (the sequence this
follows) and ``idaes/core/initialization/initializer_base.py`` (the initializer API).
"""

from __future__ import annotations

import logging

from idaes.core.solvers import get_solver
from idaes.core.util.exceptions import InitializationError
from idaes.core.util.initialization import fix_state_vars, propagate_state, revert_state_vars
from pyomo.common.config import ConfigValue
from pyomo.environ import Var, check_optimal_termination, value

from idaes_plugin.solver_initializer import SolverInitializer

logger = logging.getLogger("idaes_plugin.column_init")

#: IPOPT options of the warm-started whole-column solves (see the module doc); a
#: continuation step that needs more than ``max_iter`` iterations is too long and is halved
WARM_START_OPTIONS = {"bound_push": 1e-8, "bound_frac": 1e-8, "max_iter": 100}
#: step factors of the boil-up continuation after a converged and after a failed step
STEP_GROWTH, STEP_CUT = 1.5, 0.5


def _variables(block) -> list:
    return list(block.component_data_objects(Var, descend_into=True))


def _snapshot(variables: list) -> list:
    return [v.value for v in variables]


def _restore(variables: list, values: list) -> None:
    for v, x in zip(variables, values, strict=True):
        if not v.fixed:
            v.set_value(x, skip_validation=True)


def copy_tray_values(source, destinations) -> None:
    """Copy the values of every free variable of tray ``source`` to the same variables of
    each tray in ``destinations`` (trays of one column: same structure)."""
    names = [(v.getname(fully_qualified=True, relative_to=source), v.value)
             for v in _variables(source)]  # fmt: skip
    for tray in destinations:
        for name, x in names:
            target = tray.find_component(name)
            if target is not None and not target.fixed and x is not None:
                target.set_value(x, skip_validation=True)


def _section_arcs(column, section: str) -> list:
    """The expanded blocks of the liquid and vapour arcs inside a column section."""
    return [arc.expanded_block for kind in ("liq", "vap")
            for arc in getattr(column, f"{section}_{kind}_stream").values()]  # fmt: skip


def _solve(solver, block, log_name: str) -> bool:
    results = solver.solve(block)
    ok = check_optimal_termination(results)
    logger.info("%s: %s", log_name, "optimal" if ok else results.solver.termination_condition)
    return ok


def _boilup_continuation(column, solver, target: float, max_halvings: int) -> None:
    """Move ``column.reboiler.boilup_ratio`` from its value to ``target``, each step a
    solve of the whole column from the last converged point."""
    ratio = column.reboiler.boilup_ratio
    variables = _variables(column)
    start = value(ratio)
    done, step, halvings = 0.0, 1.0, 0
    while done < 1.0:
        step = min(step, 1.0 - done)
        saved = _snapshot(variables)
        ratio.fix(start + (done + step) * (target - start))
        if _solve(solver, column, f"{column.name}: boil-up ratio {value(ratio):.4g}"):
            done += step
            step *= STEP_GROWTH
            continue
        _restore(variables, saved)
        halvings += 1
        step *= STEP_CUT
        if halvings > max_halvings:
            ratio.fix(start + done * (target - start))
            raise InitializationError(
                f"{column.name}: the boil-up ratio could not be moved from "
                f"{value(ratio):.4g} (last converged column) to {target:.4g} in "
                f"{max_halvings} step halvings; check the specification (reflux and "
                "boil-up ratios, feed) or give a solver with more iterations"
            )


class TrayColumnInitializer(SolverInitializer):
    """Initializer for IDAES's ``TrayColumn`` (total or partial condenser, one feed).

    IDAES's unit-by-unit sequence with one tray per section, a reboiler consistent with
    the bottom tray, and continuation in the boil-up ratio (see :mod:`idaes_plugin.
    column_init`). Raises ``InitializationError`` if any step fails or the final column
    does not satisfy its constraints.

    Usage: ``TrayColumnInitializer().initialize(m.fs.column)``.
    """

    CONFIG = SolverInitializer.CONFIG()
    CONFIG.declare("max_halvings", ConfigValue(default=8, domain=int,
                                               description="Failed boil-up steps allowed"))

    def initialization_routine(self, model):
        """Run the sequence; returns the results of the last whole-column solve."""
        cfg = self.config
        options = dict(cfg.solver_options or {})
        solver = get_solver(cfg.solver, options)
        warm = get_solver(cfg.solver, {**WARM_START_OPTIONS, **options})
        col = model
        n_trays = col.config.number_of_trays
        rect = list(col._rectification_index)
        strip = list(col._stripping_index)
        unit_args = {"solver": cfg.solver, "optarg": options}

        feed_flags = col.feed_tray.initialize(**unit_args)
        propagate_state(destination=col.condenser.inlet, source=col.feed_tray.vap_out)
        col.condenser.initialize(**unit_args)
        propagate_state(destination=col.reboiler.inlet, source=col.feed_tray.liq_out)
        col.reboiler.initialize(**unit_args)

        # one tray per section, copied to the others (IDAES gives them identical inlets)
        for i in rect:
            propagate_state(destination=col.rectification_section[i].liq_in,
                            source=col.condenser.reflux)  # fmt: skip
            propagate_state(destination=col.rectification_section[i].vap_in,
                            source=col.feed_tray.vap_out)  # fmt: skip
        for i in strip:
            propagate_state(destination=col.stripping_section[i].liq_in,
                            source=col.feed_tray.liq_out)  # fmt: skip
            propagate_state(destination=col.stripping_section[i].vap_in,
                            source=col.reboiler.vapor_reboil)  # fmt: skip
        col.rectification_section[rect[0]].initialize(**unit_args)
        copy_tray_values(col.rectification_section[rect[0]],
                         [col.rectification_section[i] for i in rect[1:]])  # fmt: skip
        col.stripping_section[strip[0]].initialize(**unit_args)
        copy_tray_values(col.stripping_section[strip[0]],
                         [col.stripping_section[i] for i in strip[1:]])  # fmt: skip

        # sections with their outer inlets held, then the feed tray, then the condenser
        held = {
            "rect_liq": col.rectification_section[rect[0]].properties_in_liq,
            "rect_vap": col.rectification_section[rect[-1]].properties_in_vap,
            "strip_liq": col.stripping_section[strip[0]].properties_in_liq,
            "strip_vap": col.stripping_section[strip[-1]].properties_in_vap,
        }
        flags = {key: fix_state_vars(sb) for key, sb in held.items()}
        col.feed_tray.deactivate()
        col.condenser.deactivate()
        col.reboiler.deactivate()
        arcs = [col.feed_liq_in, col.feed_liq_out, col.feed_vap_in, col.feed_vap_out,
                col.condenser_vap_in, col.condenser_reflux_out, col.reboiler_liq_in,
                col.reboiler_vap_out]  # fmt: skip
        for arc in arcs:
            arc.expanded_block.deactivate()
        try:
            # each section alone (IPOPT's line search is global: one section's trouble
            # would stall the other's progress)
            sections = {"rectification": col.rectification_section,
                        "stripping": col.stripping_section}  # fmt: skip
            for name, section in sections.items():
                others = [b for key, tray in sections.items() if key != name
                          for b in [tray, *_section_arcs(col, key)]]  # fmt: skip
                for block in others:
                    block.deactivate()
                solved = _solve(solver, col, f"{col.name}: {section.local_name}")
                for block in others:
                    block.activate()
                if not solved:
                    raise InitializationError(f"{col.name}: {section.local_name} (outer "
                                              "inlets held) did not converge")
            revert_state_vars(held["rect_vap"], flags.pop("rect_vap"))
            revert_state_vars(held["strip_liq"], flags.pop("strip_liq"))
            col.feed_tray.activate()
            for arc in arcs[:4]:
                arc.expanded_block.activate()
            if not _solve(solver, col, f"{col.name}: sections + feed tray"):
                raise InitializationError(f"{col.name}: sections + feed tray did not converge")
            revert_state_vars(held["rect_liq"], flags.pop("rect_liq"))
            col.condenser.activate()
            for arc in arcs[4:6]:
                arc.expanded_block.activate()
            if not _solve(solver, col, f"{col.name}: sections + feed tray + condenser"):
                raise InitializationError(f"{col.name}: column + condenser did not converge")
        finally:
            for key, flag in flags.items():
                revert_state_vars(held[key], flag)
            for block in (col.feed_tray, col.condenser, col.reboiler):
                block.activate()
            for arc in arcs:
                arc.expanded_block.activate()

        # reboiler from the bottom tray's liquid, at the boil-up the held vapour implies
        target = value(col.reboiler.boilup_ratio)
        liquid = value(col.stripping_section[n_trays].liq_out.flow_mol[0])
        vapour = value(col.stripping_section[n_trays].vap_in.flow_mol[0])
        consistent = vapour / max(liquid - vapour, 1e-3 * liquid)
        propagate_state(destination=col.reboiler.inlet,
                        source=col.stripping_section[n_trays].liq_out)  # fmt: skip
        col.reboiler.boilup_ratio.fix(consistent)
        col.reboiler.initialize(**unit_args)
        if not _solve(warm, col, f"{col.name}: whole column at boil-up {consistent:.4g}"):
            raise InitializationError(
                f"{col.name}: the whole column did not converge at the boil-up ratio "
                f"{consistent:.4g} of the initialized sections"
            )
        _boilup_continuation(col, warm, target, cfg.max_halvings)
        col.reboiler.boilup_ratio.fix(target)
        col.feed_tray.properties_in_feed.release_state(flags=feed_flags)
        # one more warm-started solve of the released column: it leaves the column at
        # IPOPT's optimum, from which a user's get_solver().solve() (bound_push 1e-2)
        # converges; without it that solve stopped at max_iter on the methanol/water column
        if not _solve(warm, col, f"{col.name}: final warm-started solve"):
            raise InitializationError(
                f"{col.name}: the column did not converge after the feed state was released"
            )
        return None
