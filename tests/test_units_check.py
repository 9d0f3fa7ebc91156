"""idaes_plugin.assert_units_consistent: Pyomo's units check with the units of named
expressions computed once. It must flag exactly what Pyomo flags (independent reference:
Pyomo's own check on the same models) and be usable on the hybrid flash."""

import pyomo.environ as pyo
import pytest
from pyomo.core.base.units_container import InconsistentUnitsError, UnitsError
from pyomo.util.check_units import assert_units_consistent as pyomo_check

from idaes_plugin import assert_units_consistent

u = pyo.units


def _model(bad_inside_named: bool, bad_use: bool) -> pyo.ConcreteModel:
    """A named expression (K) used by three constraints; errors planted on request."""
    m = pyo.ConcreteModel()
    m.T = pyo.Var(initialize=300.0, units=u.K)
    m.P = pyo.Var(initialize=1e5, units=u.Pa)
    inner = m.T + (m.P if bad_inside_named else 2.0 * m.T)
    m.e = pyo.Expression(expr=inner)
    m.shared = pyo.Expression(expr=m.e * 2.0 + m.T)  # a named expression using one
    m.c1 = pyo.Constraint(expr=m.shared == 600.0 * u.K)
    m.c2 = pyo.Constraint(expr=m.shared + m.e <= 900.0 * u.K)
    m.c3 = pyo.Constraint(expr=m.shared + (m.P if bad_use else m.T) >= 0.0 * u.K)
    return m


@pytest.mark.unit
@pytest.mark.parametrize("bad_inside_named, bad_use",
                         [(False, False), (True, False), (False, True)])
def test_flags_what_pyomo_flags(bad_inside_named, bad_use):
    m = _model(bad_inside_named, bad_use)
    try:
        pyomo_check(m)
        expected = None
    except (UnitsError, InconsistentUnitsError) as exc:
        expected = type(exc)
    if expected is None:
        assert_units_consistent(m)
    else:
        with pytest.raises(expected):
            assert_units_consistent(m)
    assert (expected is None) == (not bad_inside_named and not bad_use)


@pytest.mark.unit
def test_pyomo_is_restored_after_the_check():
    from pyomo.core.base.units_container import PintUnitExtractionVisitor as Visitor

    before = (Visitor.beforeChild, Visitor.exitNode)
    assert_units_consistent(_model(False, False))
    with pytest.raises((UnitsError, InconsistentUnitsError)):
        assert_units_consistent(_model(False, True))
    assert (Visitor.beforeChild, Visitor.exitNode) == before
