"""KKT multipliers of the in-process IPOPT against an analytic solution.

Problem (minimise)::

    f = (x - 2)^2 + (y - 1)^2 + (z - 3)^2
    c1:  x + y <= 2            (active, multiplier 1)
    c2:  0 <= z - x <= 1       (range, upper side active, multiplier 1/2)
    c3:  x - y >= -10          (inactive, multiplier 0)
    y <= 1/4                   (active bound, multiplier 1/2)

Stationarity 2(x-2) + mu1 - mu2 = 0, 2(y-1) + mu1 + nu = 0, 2(z-3) + mu2 = 0 with
x + y = 2, z - x = 1, y = 1/4 gives x = 7/4, z = 11/4, mu1 = 1, mu2 = 1/2, nu = 1/2.
In Pyomo's (AMPL's) sign convention the dual of an active ``<=`` constraint of a
minimisation is -mu; Ipopt reports the upper-bound multiplier as ipopt_zU_out = -nu.
Maximising -f gives the same point with the signs of all multipliers reversed.
"""

import pyomo.environ as pyo
import pytest

import idaes_plugin  # noqa: F401  (registers the in-process IPOPT)
from tests.tolerances import NLP_SOLUTION_ATOL

SOLVERS = ["casadi_ipopt", "casadi_ipopt_v2"]


def kkt_model(sense):
    m = pyo.ConcreteModel()
    m.x = pyo.Var(initialize=0.0)
    m.y = pyo.Var(initialize=0.0, bounds=(None, 0.25))
    m.z = pyo.Var(initialize=0.0)
    f = (m.x - 2) ** 2 + (m.y - 1) ** 2 + (m.z - 3) ** 2
    m.obj = pyo.Objective(expr=f if sense == pyo.minimize else -f, sense=sense)
    m.c1 = pyo.Constraint(expr=m.x + m.y <= 2)
    m.c2 = pyo.Constraint(expr=pyo.inequality(0, m.z - m.x, 1))
    m.c3 = pyo.Constraint(expr=m.x - m.y >= -10)
    m.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    m.ipopt_zL_out = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    m.ipopt_zU_out = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    return m


@pytest.mark.component
@pytest.mark.parametrize("solver_name", SOLVERS)
@pytest.mark.parametrize("sense", [pyo.minimize, pyo.maximize], ids=["min", "max"])
def test_primal_and_multipliers_match_analytic_kkt(solver_name, sense):
    m = kkt_model(sense)
    solver = pyo.SolverFactory(solver_name)
    if solver_name.endswith("_v2"):
        # exact duals need the unpresolved, unscaled problem (Pyomo warns otherwise)
        solver.config.writer_config.linear_presolve = False
        solver.config.writer_config.scale_model = False
    results = solver.solve(m, options={"tol": 1e-10})
    assert results.solver.termination_condition == pyo.TerminationCondition.optimal
    assert pyo.value(m.x) == pytest.approx(1.75, abs=NLP_SOLUTION_ATOL)
    assert pyo.value(m.y) == pytest.approx(0.25, abs=NLP_SOLUTION_ATOL)
    assert pyo.value(m.z) == pytest.approx(2.75, abs=NLP_SOLUTION_ATOL)
    sign = 1 if sense == pyo.minimize else -1
    assert m.dual[m.c1] == pytest.approx(-sign * 1.0, abs=NLP_SOLUTION_ATOL)
    assert m.dual[m.c2] == pytest.approx(-sign * 0.5, abs=NLP_SOLUTION_ATOL)
    assert m.dual[m.c3] == pytest.approx(0.0, abs=NLP_SOLUTION_ATOL)
    assert m.ipopt_zU_out[m.y] == pytest.approx(-sign * 0.5, abs=NLP_SOLUTION_ATOL)
    assert m.ipopt_zL_out.get(m.y, 0.0) == pytest.approx(0.0, abs=NLP_SOLUTION_ATOL)


@pytest.mark.component
def test_user_scaling_suffixes_are_applied_and_undone():
    """``nlp_scaling_method=user-scaling`` with scaling_factor suffixes in the NL file."""
    m = kkt_model(pyo.minimize)
    m.scaling_factor = pyo.Suffix(direction=pyo.Suffix.EXPORT)
    m.scaling_factor[m.x] = 10.0
    m.scaling_factor[m.z] = 0.1
    m.scaling_factor[m.c1] = 5.0
    m.scaling_factor[m.c2] = 0.5
    m.scaling_factor[m.obj] = 3.0
    solver = pyo.SolverFactory("casadi_ipopt_v2")
    solver.config.writer_config.linear_presolve = False
    solver.config.writer_config.scale_model = False  # the suffixes go into the NL file
    results = solver.solve(m, options={"tol": 1e-10, "nlp_scaling_method": "user-scaling"})
    assert results.solver.termination_condition == pyo.TerminationCondition.optimal
    assert pyo.value(m.x) == pytest.approx(1.75, abs=NLP_SOLUTION_ATOL)
    assert pyo.value(m.z) == pytest.approx(2.75, abs=NLP_SOLUTION_ATOL)
    assert m.dual[m.c1] == pytest.approx(-1.0, abs=NLP_SOLUTION_ATOL)
    assert m.dual[m.c2] == pytest.approx(-0.5, abs=NLP_SOLUTION_ATOL)
    assert m.ipopt_zU_out[m.y] == pytest.approx(-0.5, abs=NLP_SOLUTION_ATOL)
