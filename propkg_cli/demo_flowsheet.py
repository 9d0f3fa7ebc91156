"""The demo flowsheet: Feed -> Heater -> Flash with the one-call hybrid property package.

Built with ``idaes_plugin.vle_config`` (hybrid pure-component models and, for non-ideal
pairs, the hybrid activity-coefficient model), initialized with IDAES's own initializers,
solved and optimized with ``idaes.core.solvers.get_solver()`` (the pip-only IPOPT when no
executable exists).

The optimization minimises the heater duty subject to a recovery specification: at least
``recovery_spec`` mol/s of the light component in the flash vapour.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from propkg_contract.errors import SolverError


@dataclass
class FlashCase:
    """The demo's process specification (SI units)."""

    components: tuple[str, str] = ("methanol", "water")
    activity_model: str | None = "hybrid"
    feed_flow: float = 1.0  # mol/s
    feed_light_fraction: float = 0.5
    feed_temperature: float = 330.0  # K
    pressure: float = 101325.0  # Pa
    heater_duty_guess: float = 20000.0  # W
    recovery_spec: float = 0.35  # mol/s of the light component in the vapour
    #: vle_config's phase-equilibrium form; "complementarity" is initialized with
    #: idaes_plugin.complementarity_init.ComplementarityInitializer
    phase_equilibrium: str = "smooth"


@dataclass
class FlashResult:
    """Numbers of the simulated and the optimized flowsheet, for printing and the report."""

    timings: dict[str, float] = field(default_factory=dict)
    simulation: dict[str, float] = field(default_factory=dict)
    optimum: dict[str, float] = field(default_factory=dict)
    iterations: dict[str, int] = field(default_factory=dict)


def build_flowsheet(case: FlashCase):
    """Feed -> Heater -> adiabatic Flash with the hybrid package; all specs fixed (DOF 0)."""
    import pyomo.environ as pyo
    from idaes.core import FlowsheetBlock
    from idaes.models.properties.modular_properties.base.generic_property import (
        GenericParameterBlock,
    )
    from idaes.models.unit_models import Feed, Flash, Heater
    from pyomo.network import Arc

    from idaes_plugin import vle_config

    light, heavy = case.components
    m = pyo.ConcreteModel()
    m.fs = FlowsheetBlock(dynamic=False)
    m.fs.props = GenericParameterBlock(
        **vle_config(list(case.components), activity_model=case.activity_model,
                     phase_equilibrium=case.phase_equilibrium)
    )
    m.fs.feed = Feed(property_package=m.fs.props)
    m.fs.heater = Heater(property_package=m.fs.props, has_pressure_change=False)
    m.fs.flash = Flash(property_package=m.fs.props)
    m.fs.s01 = Arc(source=m.fs.feed.outlet, destination=m.fs.heater.inlet)
    m.fs.s02 = Arc(source=m.fs.heater.outlet, destination=m.fs.flash.inlet)
    pyo.TransformationFactory("network.expand_arcs").apply_to(m)
    inlet = m.fs.feed.outlet
    inlet.flow_mol.fix(case.feed_flow)
    inlet.temperature.fix(case.feed_temperature)
    inlet.pressure.fix(case.pressure)
    inlet.mole_frac_comp[0, light].fix(case.feed_light_fraction)
    inlet.mole_frac_comp[0, heavy].fix(1.0 - case.feed_light_fraction)
    m.fs.heater.heat_duty.fix(case.heater_duty_guess)
    m.fs.flash.heat_duty.fix(0.0)
    m.fs.flash.deltaP.fix(0.0)
    return m


def _iterations(results) -> int:
    try:
        return int(results.solver.iterations)
    except (AttributeError, TypeError, ValueError):
        return -1


def _check(results, what: str) -> None:
    import pyomo.environ as pyo

    if not pyo.check_optimal_termination(results):
        raise SolverError(
            f"{what} did not converge (termination: {results.solver.termination_condition}); "
            "check the feed specification or loosen the recovery spec"
        )


def _stream_summary(m, case: FlashCase) -> dict[str, float]:
    import pyomo.environ as pyo

    light, heavy = case.components
    vap, liq = m.fs.flash.vap_outlet, m.fs.flash.liq_outlet
    return {
        "heater_duty_W": pyo.value(m.fs.heater.heat_duty[0]),
        "heater_outlet_T_K": pyo.value(m.fs.heater.outlet.temperature[0]),
        "flash_T_K": pyo.value(vap.temperature[0]),
        "vapour_flow_mol_s": pyo.value(vap.flow_mol[0]),
        "liquid_flow_mol_s": pyo.value(liq.flow_mol[0]),
        f"y_{light}": pyo.value(vap.mole_frac_comp[0, light]),
        f"x_{light}": pyo.value(liq.mole_frac_comp[0, light]),
        f"y_{heavy}": pyo.value(vap.mole_frac_comp[0, heavy]),
        f"x_{heavy}": pyo.value(liq.mole_frac_comp[0, heavy]),
        f"{light}_in_vapour_mol_s": pyo.value(
            vap.flow_mol[0] * vap.mole_frac_comp[0, light]
        ),
    }


def run_flowsheet(case: FlashCase, progress=print) -> tuple[object, FlashResult]:
    """Build, initialize, simulate and optimize; return the model and the numbers."""
    import idaes.logger as idaeslog
    import pyomo.environ as pyo
    from idaes.core.solvers import get_solver
    from idaes.core.util.initialization import propagate_state
    from idaes.core.util.model_statistics import degrees_of_freedom

    out = FlashResult()
    t0 = time.perf_counter()
    m = build_flowsheet(case)
    out.timings["build_s"] = time.perf_counter() - t0
    if degrees_of_freedom(m) != 0:
        raise SolverError(f"demo flowsheet has {degrees_of_freedom(m)} degrees of freedom, not 0")

    progress("initializing Feed, Heater and Flash with IDAES's default initializers ...")
    t0 = time.perf_counter()
    for unit, arc in ((m.fs.feed, m.fs.s01), (m.fs.heater, m.fs.s02), (m.fs.flash, None)):
        if case.phase_equilibrium == "complementarity" and unit is not m.fs.feed:
            from idaes_plugin.complementarity_init import ComplementarityInitializer

            initializer = ComplementarityInitializer(output_level=idaeslog.ERROR)
        else:
            initializer = unit.default_initializer(output_level=idaeslog.ERROR)
        initializer.initialize(unit)
        if arc is not None:
            propagate_state(arc)
    out.timings["initialize_s"] = time.perf_counter() - t0

    progress("simulating (square problem) ...")
    solver = get_solver()
    t0 = time.perf_counter()
    results = solver.solve(m)
    out.timings["simulate_s"] = time.perf_counter() - t0
    _check(results, "the flowsheet simulation")
    out.simulation = _stream_summary(m, case)
    out.iterations["simulate"] = _iterations(results)

    progress(
        f"optimizing: minimise heater duty s.t. {case.components[0]} in vapour >= "
        f"{case.recovery_spec} mol/s ..."
    )
    light = case.components[0]
    vap = m.fs.flash.vap_outlet
    m.fs.heater.heat_duty.unfix()
    m.fs.heater.heat_duty.setlb(0.0)
    m.recovery_spec = pyo.Constraint(
        expr=vap.flow_mol[0] * vap.mole_frac_comp[0, light] >= case.recovery_spec
    )
    m.min_duty = pyo.Objective(expr=m.fs.heater.heat_duty[0] * 1e-3)  # kW
    m.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    t0 = time.perf_counter()
    results = solver.solve(m)
    out.timings["optimize_s"] = time.perf_counter() - t0
    _check(results, "the duty minimisation")
    out.optimum = _stream_summary(m, case)
    # the dual of a >= constraint of a minimisation is d(min duty [kW]) / d(spec [mol/s])
    out.optimum["recovery_multiplier_kW_per_mol_s"] = m.dual[m.recovery_spec]
    out.iterations["optimize"] = _iterations(results)
    return m, out
