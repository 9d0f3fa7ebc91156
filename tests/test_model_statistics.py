"""idaes_plugin.model_statistics: IDAES's degrees-of-freedom checks with Pyomo's
named-expression cache return exactly what IDAES's own functions return (independent
reference: the original IDAES functions on the same models)."""

import pyomo.environ as pyo
import pytest
from idaes.core.util import model_statistics as ms

from idaes_plugin import model_statistics
from propkg_cli.reports.flash_grid import build_flash


@pytest.fixture(scope="module")
def flash():
    m = build_flash(("ethanol", "water"), "hybrid", T=358.0, z1=0.3)
    m.fs.flash.control_volume.properties_out[0].entr_mol_phase  # noqa: B018 (build it)
    return m


@pytest.mark.component
def test_installed_with_the_property_methods_and_same_sets_as_idaes(flash):
    assert all(getattr(getattr(ms, n), "propkg_cached", False) for n in model_statistics.WRAPPED)
    for name in model_statistics.WRAPPED:
        cached, plain = getattr(ms, name)(flash), model_statistics.original(name)(flash)
        assert len(cached) > 0 or "inequalities" in name  # the flash has no inequality
        assert set(map(id, cached)) == set(map(id, plain))
    dof = ms.degrees_of_freedom(flash)
    flash.fs.flash.inlet.temperature.unfix()
    assert ms.degrees_of_freedom(flash) == dof + 1  # the cache does not outlive a call
    flash.fs.flash.inlet.temperature.fix()


@pytest.mark.unit
def test_named_expression_shared_by_constraints_counts_its_variables_once():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(3), initialize=1.0)
    m.e = pyo.Expression(expr=m.x[0] * m.x[1])
    m.c1 = pyo.Constraint(expr=m.e == 1)
    m.c2 = pyo.Constraint(expr=m.e + m.x[2] == 2)
    m.c3 = pyo.Constraint(expr=m.e <= 5)
    for name in model_statistics.WRAPPED:
        cached = getattr(ms, name)(m)
        assert set(map(id, cached)) == set(map(id, model_statistics.original(name)(m)))
    assert ms.degrees_of_freedom(m) == 1
