"""The NL reader builds the same functions that Pyomo wrote (checked against Pyomo value())."""

import io
import subprocess
import sys

import casadi as ca
import numpy as np
import pyomo.environ as pyo
import pytest
from pyomo.repn.plugins.nl_writer import NLWriter

from idaes_plugin.solvers.nl_reader import read_nl
from propkg_contract.errors import SolverError
from tests.tolerances import CROSS_IMPLEMENTATION_RTOL

UNARY = {
    "exp": pyo.exp,
    "log": pyo.log,
    "log10": pyo.log10,
    "sqrt": pyo.sqrt,
    "tanh": pyo.tanh,
    "sin": pyo.sin,
    "cos": pyo.cos,
    "tan": pyo.tan,
    "sinh": pyo.sinh,
    "cosh": pyo.cosh,
    "asinh": pyo.asinh,
    "atanh": lambda v: pyo.atanh(v / 4),
    "acosh": lambda v: pyo.acosh(v + 1),
    "atan": pyo.atan,
    "asin": lambda v: pyo.asin(v / 4),
    "acos": lambda v: pyo.acos(v / 4),
    "abs": abs,
    "neg": lambda v: -v,
}


def write_nl(m, tmp_path):
    path = tmp_path / "model.nl"
    with open(path, "w") as handle:
        info = NLWriter().write(m, handle, symbolic_solver_labels=False, linear_presolve=False)
    return path, info


READERS = pytest.mark.parametrize("casadi_import", [True, False], ids=["casadi", "python"])


@pytest.mark.unit
@READERS
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_functions_round_trip(tmp_path, name, casadi_import):
    m = pyo.ConcreteModel()
    m.x = pyo.Var(initialize=1.3, bounds=(0.5, 3))
    m.y = pyo.Var(initialize=0.7)
    m.c = pyo.Constraint(expr=UNARY[name](m.x) * m.y + m.y**2 / (1 + m.x) == 1)
    m.o = pyo.Objective(expr=(m.x - 2) ** 2 + m.x * m.y)
    path, info = write_nl(m, tmp_path)
    problem = read_nl(path, use_casadi_import=casadi_import)
    point = np.array([pyo.value(v) for v in info.variables])
    g_val, f_val = (float(v) for v in ca.Function("g", [problem.x], [problem.g, problem.f])(point))
    # the writer moves constant terms of a body into its bounds
    assert g_val - problem.ubg[0] == pytest.approx(
        pyo.value(m.c.body) - pyo.value(m.c.upper), rel=CROSS_IMPLEMENTATION_RTOL, abs=1e-14
    )
    assert f_val == pytest.approx(pyo.value(m.o), rel=CROSS_IMPLEMENTATION_RTOL)
    x_index = [v.name for v in info.variables].index("x")
    assert (problem.lbx[x_index], problem.ubx[x_index]) == (0.5, 3.0)


@pytest.mark.unit
@READERS
def test_expr_if_and_sums(tmp_path, casadi_import):
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(5), initialize=lambda m, i: 0.3 * i + 0.1)
    m.c = pyo.Constraint(
        expr=pyo.Expr_if(IF=m.x[0] <= 0.5, THEN=m.x[1] ** 2, ELSE=m.x[2]) + sum(m.x.values()) == 3
    )
    m.o = pyo.Objective(expr=sum((m.x[i] - i) ** 2 for i in range(5)), sense=pyo.maximize)
    path, info = write_nl(m, tmp_path)
    problem = read_nl(path, use_casadi_import=casadi_import)
    point = np.array([pyo.value(v) for v in info.variables])
    g_val = float(ca.Function("g", [problem.x], [problem.g])(point))
    assert g_val - problem.ubg[0] == pytest.approx(pyo.value(m.c.body) - 3, abs=1e-14)
    f_val = float(ca.Function("f", [problem.x], [problem.f])(point))
    assert problem.objective_sense == -1
    assert -f_val == pytest.approx(pyo.value(m.o), rel=CROSS_IMPLEMENTATION_RTOL)


@pytest.mark.unit
@READERS
def test_no_objective_gives_zero_objective(tmp_path, casadi_import):
    m = pyo.ConcreteModel()
    m.x = pyo.Var(initialize=1.0)
    m.c = pyo.Constraint(expr=pyo.exp(m.x) == 2)
    path, _ = write_nl(m, tmp_path)
    problem = read_nl(path, use_casadi_import=casadi_import)
    assert problem.n_objectives == 0 and problem.objective_sense == 0
    assert float(ca.Function("f", [problem.x], [problem.f])(0.3)) == 0.0


@pytest.mark.unit
def test_comments_in_expression_lines_are_ignored(tmp_path):
    m = pyo.ConcreteModel()
    m.x = pyo.Var(initialize=1.0)
    m.c = pyo.Constraint(expr=pyo.exp(m.x) + m.x**2 == 2)
    path = tmp_path / "labelled.nl"
    with open(path, "w") as handle:
        NLWriter().write(m, handle, symbolic_solver_labels=True)
    assert "#" in path.read_text()
    problem = read_nl(path)
    value = float(ca.Function("g", [problem.x], [problem.g])(0.5))
    assert value - problem.ubg[0] == pytest.approx(np.exp(0.5) + 0.25 - 2, rel=1e-14)


@pytest.mark.unit
def test_external_function_is_refused(tmp_path):
    path = tmp_path / "ext.nl"
    path.write_text(
        "g3 1 1 0\n 1 1 0 0 1\n 1 0\n 0 0\n 1 0 0\n 0 0 0 1\n 0 0 0 0 0\n 1 0\n 0 0\n"
        " 0 0 0 0 0\nF0 1 -1 cubic_root\nC0\nf0 1\nv0\nr\n4 0\nb\n3\nk0\nJ0 1\n0 0\n"
    )
    with pytest.raises(SolverError, match="external function"):
        read_nl(path)


@pytest.mark.unit
def test_binary_nl_is_refused(tmp_path):
    path = tmp_path / "bin.nl"
    path.write_text("b3 1 1 0\n" + "0\n" * 9)
    with pytest.raises(SolverError, match="not in text"):
        read_nl(path)


@pytest.mark.integration
def test_console_script_solves_like_the_ampl_executable(tmp_path):
    """The ``propkg-ipopt`` entry point is driven by Pyomo's stock executable interface."""
    from idaes_plugin.solvers import driver_executable

    exe = driver_executable()
    assert exe != sys.executable, "propkg-ipopt console script missing: pip install the project"
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.split()[0] == "Ipopt"
    m = pyo.ConcreteModel()
    m.x = pyo.Var(initialize=-1.2)
    m.y = pyo.Var(initialize=1.0)
    m.o = pyo.Objective(expr=100 * (m.y - m.x**2) ** 2 + (1 - m.x) ** 2)
    from pyomo.solvers.plugins.solvers.IPOPT import IPOPT

    solver = IPOPT(executable=exe)
    log = io.StringIO()
    results = solver.solve(m, logfile=str(tmp_path / "log.txt"))
    log.write(str(results))
    assert results.solver.termination_condition == pyo.TerminationCondition.optimal
    assert pyo.value(m.x) == pytest.approx(1.0, abs=1e-6)


@pytest.mark.unit
@pytest.mark.parametrize("maximize", [False, True])
def test_both_readers_build_the_same_idaes_flash(tmp_path, maximize):
    from validation.flowsheets import bt_flash

    m = bt_flash()
    if maximize:
        m.obj = pyo.Objective(expr=m.fs.flash.vap_outlet.flow_mol[0], sense=pyo.maximize)
        m.fs.flash.heat_duty.unfix()
    path, info = write_nl(m, tmp_path)
    fast, slow = read_nl(path), read_nl(path, use_casadi_import=False)
    assert fast.objective_sense == slow.objective_sense == (-1 if maximize else 0)
    rng = np.random.default_rng(0)
    start = np.array([pyo.value(v, exception=False) or 1.0 for v in info.variables])
    point = start * (1 + 0.01 * rng.random(fast.n_vars))
    fast_fun = ca.Function("a", [fast.x], [fast.f, fast.g])
    slow_fun = ca.Function("b", [slow.x], [slow.f, slow.g])
    f_fast, g_fast = (np.asarray(v).ravel() for v in fast_fun(point))
    f_slow, g_slow = (np.asarray(v).ravel() for v in slow_fun(point))
    np.testing.assert_allclose(g_fast, g_slow, rtol=1e-13, atol=1e-9)
    np.testing.assert_allclose(f_fast, f_slow, rtol=1e-13)
    for name in ("lbx", "ubx", "lbg", "ubg", "x0"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(slow, name))


@pytest.mark.unit
def test_scaling_suffixes_and_comments_keep_the_fast_reader(tmp_path):
    """An IDAES model written with scaling_factor suffixes and symbolic labels (comments):
    CasADi's importer still reads it (the suffix segments and comments are taken out
    first), it builds the same functions as the Python reader (which the other tests
    check against Pyomo's value()), and both return the scaling factors IDAES holds."""
    from idaes.core.util.scaling import get_scaling_factor, set_scaling_factor

    from validation.flowsheets import bt_flash

    m = bt_flash()
    for k, v in enumerate(m.fs.flash.control_volume.properties_out[0].component_data_objects(
            pyo.Var, descend_into=False)):
        if not v.fixed:
            set_scaling_factor(v, 2.0 ** (k % 4))
    for i, con in enumerate(m.fs.flash.component_objects(pyo.Constraint, descend_into=True)):
        for c in con.values():
            set_scaling_factor(c, 10.0 ** (i % 3))
    path = tmp_path / "scaled.nl"
    with open(path, "w") as handle:
        info = NLWriter().write(m, handle, symbolic_solver_labels=True, scale_model=False,
                                linear_presolve=False)
    text = path.read_text()
    body = text.split("\n", 10)[-1]
    assert "\nS" in body and "#" in body  # suffix segments and comments in the body
    fast, slow = read_nl(path), read_nl(path, use_casadi_import=False)
    assert (fast.reader, slow.reader) == ("casadi", "python")
    assert fast.suffixes == slow.suffixes
    var_sf = fast.suffixes[(0, "scaling_factor")]
    con_sf = fast.suffixes[(1, "scaling_factor")]
    expected_var = {i: get_scaling_factor(v) for i, v in enumerate(info.variables)}
    expected_con = {i: get_scaling_factor(c) for i, c in enumerate(info.constraints)}
    assert var_sf == {i: f for i, f in expected_var.items() if f is not None}
    assert con_sf == {i: f for i, f in expected_con.items() if f is not None}
    assert len(var_sf) >= 3 and len(con_sf) > 10
    rng = np.random.default_rng(1)
    start = np.array([pyo.value(v, exception=False) or 1.0 for v in info.variables])
    point = start * (1 + 0.01 * rng.random(fast.n_vars))
    g_fast = np.asarray(ca.Function("a", [fast.x], [fast.g])(point)).ravel()
    g_slow = np.asarray(ca.Function("b", [slow.x], [slow.g])(point)).ravel()
    assert np.isfinite(g_fast).mean() > 0.9  # (dew/bubble temperatures start at 1 K)
    np.testing.assert_allclose(g_fast, g_slow, rtol=1e-13, atol=1e-9)
    for name in ("lbx", "ubx", "lbg", "ubg", "x0"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(slow, name))


@pytest.mark.unit
def test_errors_after_a_suffix_segment_name_the_files_line(tmp_path):
    """Suffix segments are blanked, not removed: an error names the file's own line."""
    m = pyo.ConcreteModel()
    m.x = pyo.Var(initialize=1.0)
    m.c = pyo.Constraint(expr=pyo.exp(m.x) == 2)
    m.scaling_factor = pyo.Suffix(direction=pyo.Suffix.EXPORT)
    m.scaling_factor[m.x] = 2.0
    path = tmp_path / "model.nl"
    with open(path, "w") as handle:
        NLWriter().write(m, handle, scale_model=False)
    lines = path.read_text().split("\n")
    assert any(line.startswith("S") for line in lines)
    where = next(i for i, line in enumerate(lines) if line.startswith("o44"))
    lines[where] = "o99"
    path.write_text("\n".join(lines))
    with pytest.raises(SolverError, match=rf"line {where + 1}: AMPL opcode o99"):
        read_nl(path)


def _parametric_model(p_value, y_upper, y_start):
    """min (x - p)^2 + (y - 2p)^2 s.t. x + y = 3p, y <= y_upper; p is a fixed variable, so
    Pyomo writes its value into the expressions as a constant."""
    m = pyo.ConcreteModel()
    m.p = pyo.Var(initialize=p_value)
    m.p.fix()
    m.x = pyo.Var(initialize=0.0)
    m.y = pyo.Var(initialize=y_start, bounds=(None, y_upper))
    m.c = pyo.Constraint(expr=m.x * m.p + m.y * m.p == 3 * m.p**2)
    m.o = pyo.Objective(expr=(m.x - m.p) ** 2 + (m.y - 2 * m.p) ** 2)
    return m


@pytest.mark.unit
@READERS
def test_a_repeated_model_reuses_its_expressions_but_reads_bounds_and_start(
    tmp_path, casadi_import
):
    first = _parametric_model(1.0, 10.0, 0.5)
    second = _parametric_model(1.0, 1.5, 0.25)  # same model, other bound and start
    third = _parametric_model(2.0, 10.0, 0.5)  # other constant in the expressions
    problems, infos = [], []
    for i, m in enumerate((first, second, third)):
        (tmp_path / str(i)).mkdir()
        path, info = write_nl(m, tmp_path / str(i))
        problems.append(read_nl(path, use_casadi_import=casadi_import))
        infos.append(info)
    assert problems[0].model_key == problems[1].model_key != problems[2].model_key
    for m, problem, info in zip((first, second, third), problems, infos, strict=True):
        names = [v.name for v in info.variables]
        y = names.index("y")
        assert problem.ubx[y] == m.y.ub
        assert problem.x0[y] == m.y.value
        point = np.array([1.3, 0.7])
        for var, value in zip(info.variables, point, strict=True):
            var.set_value(float(value))
        g_val = float(ca.Function("g", [problem.x], [problem.g])(point))
        assert g_val - problem.ubg[0] == pytest.approx(
            pyo.value(m.c.body) - pyo.value(m.c.upper), rel=CROSS_IMPLEMENTATION_RTOL
        )


@pytest.mark.component
def test_solves_of_repeated_models_follow_their_own_bounds_and_constants():
    """Analytic optimum: x = p, y = 2p when y <= y_upper is inactive, else y = y_upper and
    x = 3p - y_upper. A cached solver that kept an old constant or bound would miss it."""
    import idaes_plugin  # noqa: F401  (registers the in-process IPOPT)
    from idaes_plugin.solvers import casadi_ipopt

    casadi_ipopt._SOLVER_CACHE.clear()
    solver = pyo.SolverFactory("casadi_ipopt")
    cases = [(1.0, 10.0, 1.0, 2.0), (1.0, 1.5, 1.5, 1.5), (2.0, 10.0, 2.0, 4.0)]
    cases.append(cases[0])
    for p_value, y_upper, x_opt, y_opt in cases:
        m = _parametric_model(p_value, y_upper, 0.0)
        results = solver.solve(m, options={"tol": 1e-10})
        assert results.solver.termination_condition == pyo.TerminationCondition.optimal
        assert pyo.value(m.x) == pytest.approx(x_opt, abs=1e-7)
        assert pyo.value(m.y) == pytest.approx(y_opt, abs=1e-7)
    assert len(casadi_ipopt._SOLVER_CACHE) == 2  # p = 1 built once, p = 2 once


@pytest.mark.unit
def test_the_caches_keep_to_their_bounds(tmp_path, monkeypatch):
    """At most MODEL_CACHE_SIZE models and no solver larger than the instruction budget;
    a model that is not cached still solves to the analytic optimum."""
    import idaes_plugin  # noqa: F401  (registers the in-process IPOPT)
    from idaes_plugin.solvers import casadi_ipopt, nl_reader

    monkeypatch.setattr(nl_reader, "MODEL_CACHE_SIZE", 2)
    monkeypatch.setattr(casadi_ipopt, "SOLVER_CACHE_INSTRUCTIONS", 1)
    nl_reader._MODEL_CACHE.clear()
    casadi_ipopt._SOLVER_CACHE.clear()
    keys = []
    for p_value in (1.0, 2.0, 3.0):
        (tmp_path / str(p_value)).mkdir()
        path, _ = write_nl(_parametric_model(p_value, 10.0, 0.0), tmp_path / str(p_value))
        keys.append(read_nl(path).model_key)
    assert list(nl_reader._MODEL_CACHE) == keys[1:]
    m = _parametric_model(3.0, 10.0, 0.0)
    assert pyo.check_optimal_termination(pyo.SolverFactory("casadi_ipopt").solve(m))
    assert (pyo.value(m.x), pyo.value(m.y)) == pytest.approx((3.0, 6.0), abs=1e-7)
    assert not casadi_ipopt._SOLVER_CACHE
