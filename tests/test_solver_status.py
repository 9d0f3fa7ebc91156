"""Termination reporting, options, and model safety of the in-process IPOPT."""

import pyomo.environ as pyo
import pytest
from pyomo.opt import SolverStatus, TerminationCondition

import idaes_plugin  # noqa: F401
from propkg_contract.errors import SolverError
from tests.tolerances import NLP_SOLUTION_ATOL

SOLVERS = ["casadi_ipopt", "casadi_ipopt_v2"]


def infeasible_model():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(initialize=3.0)
    m.y = pyo.Var(initialize=4.0)
    m.obj = pyo.Objective(expr=m.x**2 + m.y**2)
    m.low = pyo.Constraint(expr=m.x + m.y <= 1)
    m.high = pyo.Constraint(expr=m.x + m.y >= 2)
    return m


def rosenbrock():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(initialize=-1.2)
    m.y = pyo.Var(initialize=1.0)
    m.obj = pyo.Objective(expr=100 * (m.y - m.x**2) ** 2 + (1 - m.x) ** 2)
    return m


@pytest.mark.component
@pytest.mark.parametrize("solver_name", SOLVERS)
def test_infeasible_problem_is_reported_and_values_kept(solver_name):
    m = infeasible_model()
    results = pyo.SolverFactory(solver_name).solve(m)
    assert results.solver.termination_condition == TerminationCondition.infeasible
    assert (pyo.value(m.x), pyo.value(m.y)) == (3.0, 4.0)


@pytest.mark.component
@pytest.mark.parametrize("solver_name", SOLVERS)
def test_iteration_limit_is_reported_and_values_kept(solver_name):
    m = rosenbrock()
    results = pyo.SolverFactory(solver_name).solve(m, options={"max_iter": 3})
    assert results.solver.termination_condition == TerminationCondition.maxIterations
    assert (pyo.value(m.x), pyo.value(m.y)) == (-1.2, 1.0)


@pytest.mark.component
def test_last_iterate_is_loaded_on_request():
    m = rosenbrock()
    results = pyo.SolverFactory("casadi_ipopt").solve(
        m, options={"max_iter": 3}, load_solutions=False
    )
    assert results.solver.termination_condition == TerminationCondition.maxIterations
    m.solutions.load_from(results)
    assert pyo.value(m.x) != -1.2


@pytest.mark.component
@pytest.mark.parametrize("solver_name", SOLVERS)
def test_rosenbrock_optimum_and_iteration_options(solver_name):
    m = rosenbrock()
    results = pyo.SolverFactory(solver_name).solve(m, options={"tol": 1e-10, "max_iter": 100})
    assert results.solver.termination_condition == TerminationCondition.optimal
    assert results.solver.status == SolverStatus.ok
    assert pyo.value(m.x) == pytest.approx(1.0, abs=NLP_SOLUTION_ATOL)
    assert pyo.value(m.y) == pytest.approx(1.0, abs=NLP_SOLUTION_ATOL)


@pytest.mark.component
@pytest.mark.parametrize("solver_name", SOLVERS)
def test_square_system_without_objective_and_fixed_variables(solver_name):
    m = pyo.ConcreteModel()
    m.a = pyo.Var(initialize=2.0)
    m.a.fix()
    m.x = pyo.Var(initialize=1.0, bounds=(0, None))
    m.y = pyo.Var(initialize=1.0)
    m.c1 = pyo.Constraint(expr=pyo.exp(m.x) + m.y == m.a + 3)
    m.c2 = pyo.Constraint(expr=m.x * m.y == m.a)
    results = pyo.SolverFactory(solver_name).solve(m)
    assert results.solver.termination_condition == TerminationCondition.optimal
    assert pyo.value(pyo.exp(m.x) + m.y) == pytest.approx(5.0, abs=1e-7)
    assert pyo.value(m.x * m.y) == pytest.approx(2.0, abs=1e-7)
    assert pyo.value(m.a) == 2.0


@pytest.mark.component
def test_tee_prints_ipopt_log(capfd):
    pyo.SolverFactory("casadi_ipopt").solve(rosenbrock(), tee=True)
    out = capfd.readouterr().out
    assert "Number of Iterations" in out and "EXIT: Optimal Solution Found" in out


@pytest.mark.component
def test_too_few_degrees_of_freedom_writes_no_solution():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(initialize=1.0)
    m.c1 = pyo.Constraint(expr=m.x**2 == 4)
    m.c2 = pyo.Constraint(expr=m.x**3 == 8)
    m.x.setlb(0)
    results = pyo.SolverFactory("casadi_ipopt_v2").solve(m, load_solutions=False)
    assert results.solver.termination_condition == TerminationCondition.error
    assert pyo.value(m.x) == 1.0


@pytest.mark.component
def test_hsl_linear_solver_request_falls_back_to_mumps():
    m = rosenbrock()
    with pytest.warns(UserWarning, match="ma57 is not available.*mumps"):
        results = pyo.SolverFactory("casadi_ipopt").solve(m, options={"linear_solver": "ma57"})
    assert results.solver.termination_condition == TerminationCondition.optimal


def presolve_infeasible_model():
    """A fixed variable outside its bounds: Pyomo's presolve proves infeasibility."""
    m = pyo.ConcreteModel()
    m.t = pyo.Var(bounds=(250.0, 500.0), initialize=300.0)
    m.t.fix(1500.0)
    m.y = pyo.Var(initialize=1.0)
    m.c = pyo.Constraint(expr=m.y**3 == m.t)
    return m


@pytest.mark.component
def test_presolve_infeasible_is_a_status_naming_the_fixed_variable(caplog):
    m = presolve_infeasible_model()
    results = pyo.SolverFactory("casadi_ipopt_v2").solve(m)
    assert results.solver.termination_condition == TerminationCondition.infeasible
    assert pyo.value(m.y) == 1.0
    assert "presolve proved the model infeasible" in caplog.text
    assert "t = 1500 outside [250.0, 500.0]" in caplog.text


@pytest.mark.component
def test_presolve_infeasible_legacy_interface_raises_solver_error():
    m = presolve_infeasible_model()
    with pytest.raises(SolverError, match=r"proved the model infeasible.*t = 1500 outside"):
        pyo.SolverFactory("casadi_ipopt").solve(m)
    assert pyo.value(m.y) == 1.0


@pytest.mark.component
@pytest.mark.parametrize("solver_name", SOLVERS)
def test_non_optimal_end_logs_that_values_were_kept(solver_name, caplog):
    results = pyo.SolverFactory(solver_name).solve(rosenbrock(), options={"max_iter": 3})
    assert results.solver.termination_condition == TerminationCondition.maxIterations
    assert "values were left unchanged" in caplog.text
