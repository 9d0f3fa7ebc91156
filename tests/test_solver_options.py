"""IPOPT options reach CasADi's IPOPT as they reach the AMPL ``ipopt`` executable."""

import pyomo.environ as pyo
import pytest

import idaes_plugin  # noqa: F401
from idaes_plugin.solvers.ampl_driver import collect_options, parse_option_tokens
from idaes_plugin.solvers.casadi_ipopt import prepare_ipopt_options
from propkg_contract.errors import SolverError


@pytest.mark.unit
def test_command_line_environment_and_option_file(tmp_path):
    (tmp_path / "my.opt").write_text("# comment\nmax_iter 77\nmu_init 0.01\ntol 1e-3\n")
    options = collect_options(
        ["-AMPL", 'linear_solver="ma57"', "tol=1e-9", "option_file_name=my.opt"],
        {"ipopt_options": "print_level=3 tol=1e-4"},
        tmp_path,
    )
    # command line beats environment, both beat the options file
    assert options == {
        "print_level": "3",
        "tol": "1e-9",
        "linear_solver": "ma57",
        "max_iter": "77",
        "mu_init": "0.01",
    }


@pytest.mark.unit
def test_default_ipopt_opt_in_working_directory_is_read(tmp_path):
    (tmp_path / "ipopt.opt").write_text("max_iter 5\n")
    assert collect_options([], {}, tmp_path) == {"max_iter": "5"}


@pytest.mark.unit
def test_missing_option_file_and_dangling_key_are_errors(tmp_path):
    with pytest.raises(SolverError, match="options file .*does not exist"):
        collect_options(["option_file_name=nope.opt"], {}, tmp_path)
    with pytest.raises(SolverError, match="'tol' has no value"):
        parse_option_tokens(["tol"])


@pytest.mark.unit
def test_numbers_are_typed_and_hsl_is_mapped_to_mumps():
    options, notes = prepare_ipopt_options(
        {"max_iter": "12", "tol": "1e-7", "linear_solver": "ma27", "mu_strategy": "adaptive"}
    )
    assert options == {
        "max_iter": 12,
        "tol": 1e-7,
        "linear_solver": "mumps",
        "mu_strategy": "adaptive",
    }
    assert notes and "ma27" in notes[0]


@pytest.mark.component
def test_option_file_through_pyomo_changes_the_solve(tmp_path):
    m = pyo.ConcreteModel()
    m.x = pyo.Var(initialize=-1.2)
    m.y = pyo.Var(initialize=1.0)
    m.o = pyo.Objective(expr=100 * (m.y - m.x**2) ** 2 + (1 - m.x) ** 2)
    opt_file = tmp_path / "limits.opt"
    opt_file.write_text("max_iter 2\n")
    results = pyo.SolverFactory("casadi_ipopt").solve(
        m, options={"option_file_name": str(opt_file)}
    )
    assert results.solver.termination_condition == pyo.TerminationCondition.maxIterations
