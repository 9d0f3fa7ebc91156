"""Bad flowsheet states: never "optimal"; a status, a typed error or a warning names the state.

A flash of benzene/toluene with propkg's Raoult package (``vle_config``), feed fixed to one
bad value at a time. Routes: IDAES's ``get_solver("ipopt_v2")`` (Pyomo's presolve; an
infeasible status and a warning naming the variable or constraint), the legacy
``get_solver()`` (a SolverError or a non-optimal status), IDAES's default Flash initializer
(a DomainError), and :func:`idaes_plugin.check_domain`.
"""

import logging
import re

import pyomo.environ as pyo
import pytest
from idaes.core.solvers import get_solver
from pyomo.opt import TerminationCondition

import idaes_plugin
from idaes_plugin.vle_package import vle_config
from propkg_contract.errors import DomainError, SolverError
from validation.flowsheets import bt_flash

FEED = "fs.flash.control_volume.properties_in[0.0]"
F = re.escape(FEED)


@pytest.fixture(scope="module")
def config():
    return vle_config(["benzene", "toluene"])


def _flash(config, **feed):
    m = bt_flash(config)
    inlet = m.fs.flash.inlet
    for name, value in feed.items():
        if name in ("benzene", "toluene"):
            inlet.mole_frac_comp[0, name].fix(value)
        else:
            getattr(inlet, name)[0].fix(value)
    return m


OUT_OF_BOUNDS = {
    "temperature_far_above": ({"temperature": 1500.0}, f"{F}.temperature = 1500 outside"),
    "temperature_below": ({"temperature": 100.0}, f"{F}.temperature = 100 outside"),
    "pressure_above": ({"pressure": 1e9}, f"{F}.pressure = 1e\\+09 outside"),
    "pressure_negative": ({"pressure": -101325.0}, f"{F}.pressure = -101325 outside"),
    "flow_negative": ({"flow_mol": -1.0}, f"{F}.flow_mol = -1 outside"),
    "mole_fraction_negative": ({"benzene": -0.1, "toluene": 1.1},
                               f"{F}.mole_frac_comp\\[benzene\\] = -0.1 outside"),
    "mole_fractions_sum_to_1.4": ({"benzene": 0.9, "toluene": 0.5},
                                  f"{F}.mole_frac_sum_check: 1.4 outside"),
    "mole_fractions_sum_to_0.6": ({"benzene": 0.3, "toluene": 0.3},
                                  f"{F}.mole_frac_sum_check: 0.6 outside"),
}


@pytest.mark.component
@pytest.mark.parametrize("case", sorted(OUT_OF_BOUNDS))
def test_presolve_reports_infeasible_feed(case, config, caplog):
    """ipopt_v2 route: infeasible status, the warning names the feed variable or check."""
    feed, pattern = OUT_OF_BOUNDS[case]
    m = _flash(config, **feed)
    with caplog.at_level(logging.WARNING):
        results = get_solver("ipopt_v2").solve(m)
    assert results.solver.termination_condition == TerminationCondition.infeasible
    assert re.search(pattern, caplog.text), caplog.text


@pytest.mark.component
@pytest.mark.parametrize("case", ["temperature_far_above", "flow_negative"])
def test_legacy_route_raises_solver_error_naming_the_feed(case, config):
    feed, pattern = OUT_OF_BOUNDS[case]
    with pytest.raises(SolverError, match=pattern):
        get_solver().solve(_flash(config, **feed))


@pytest.mark.component
def test_mole_fractions_not_summing_to_one_are_never_optimal(config, caplog):
    """The legacy route runs IPOPT on the violated check: not optimal, the check is named."""
    m = _flash(config, benzene=0.9, toluene=0.5)
    results = get_solver().solve(m)
    assert results.solver.termination_condition != TerminationCondition.optimal
    assert f"{FEED}.mole_frac_sum_check: 1.4 outside" in caplog.text


@pytest.mark.component
@pytest.mark.parametrize("z", [(0.9, 0.5), (0.3, 0.3)])
def test_initializer_refuses_mole_fractions_not_summing_to_one(config, z):
    m = _flash(config, benzene=z[0], toluene=z[1])
    with pytest.raises(DomainError, match=f"{F}.*sum to {sum(z):g}, not 1"):
        m.fs.flash.default_initializer().initialize(m.fs.flash)


@pytest.mark.component
def test_check_domain_names_the_feed_temperature(config):
    m = _flash(config, temperature=1500.0)
    with pytest.warns(UserWarning, match=f"{F}.temperature = 1500 K is outside"):
        problems = idaes_plugin.check_domain(m, raise_error=False)
    assert any(f"{FEED}.temperature = 1500 K is outside" in p for p in problems), problems


@pytest.mark.component
def test_good_feed_still_solves_optimal(config):
    """The checks leave a valid feed alone (the vapour flow is tested elsewhere)."""
    m = _flash(config)
    m.fs.flash.default_initializer().initialize(m.fs.flash)
    results = get_solver().solve(m)
    assert results.solver.termination_condition == TerminationCondition.optimal
    assert 0.0 < pyo.value(m.fs.flash.vap_outlet.flow_mol[0]) < 1.0
