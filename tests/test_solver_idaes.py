"""IDAES's defaults run unmodified on the pip-only IPOPT (no ipopt executable needed)."""

import pyomo.environ as pyo
import pytest
from idaes.core.initialization import BlockTriangularizationInitializer, InitializationStatus
from idaes.core.solvers import get_solver
from idaes.core.util.initialization import propagate_state
from idaes.core.util.model_statistics import degrees_of_freedom

import idaes_plugin
from validation.flowsheets import BT_FLASH_VAPOUR_FLOW, bt_flash, bt_heater_flash


def vapour_flow(m):
    return pyo.value(m.fs.flash.vap_outlet.flow_mol[0])


@pytest.mark.unit
def test_standard_names_are_answered_by_casadi_when_no_executable():
    if idaes_plugin.solvers.ipopt_executable_on_system() is not None:
        assert not idaes_plugin.USING_CASADI_IPOPT
        return
    assert idaes_plugin.USING_CASADI_IPOPT
    assert isinstance(pyo.SolverFactory("ipopt"), idaes_plugin.solvers.CasadiIPOPT)
    assert isinstance(pyo.SolverFactory("ipopt_v2"), idaes_plugin.solvers.CasadiIpopt)
    assert pyo.SolverFactory("ipopt").available()
    assert pyo.SolverFactory("ipopt_v2").available()


@pytest.mark.integration
def test_bt_flash_with_idaes_default_solver():
    m = bt_flash()
    assert degrees_of_freedom(m) == 0
    results = get_solver().solve(m)
    assert pyo.check_optimal_termination(results)
    assert vapour_flow(m) == pytest.approx(BT_FLASH_VAPOUR_FLOW, abs=1e-4)


@pytest.mark.integration
@pytest.mark.parametrize("initializer", ["default", "block_triangularization"])
def test_bt_flash_initializers_without_solver_argument(initializer):
    m = bt_flash()
    if initializer == "default":
        init = m.fs.flash.default_initializer()
    else:
        init = BlockTriangularizationInitializer()
    status = init.initialize(m.fs.flash)
    assert status == InitializationStatus.Ok
    assert vapour_flow(m) == pytest.approx(BT_FLASH_VAPOUR_FLOW, abs=1e-4)


@pytest.mark.integration
def test_bt_flash_legacy_initialize_method():
    m = bt_flash()
    m.fs.flash.initialize()
    assert vapour_flow(m) == pytest.approx(BT_FLASH_VAPOUR_FLOW, abs=1e-4)


@pytest.mark.integration
def test_heater_flash_recovery_optimisation():
    """Maximise benzene in the vapour over heater duty, vapour purity >= 0.6."""
    m = bt_heater_flash()
    m.fs.heater.default_initializer().initialize(m.fs.heater)
    propagate_state(m.fs.s01)
    m.fs.flash.default_initializer().initialize(m.fs.flash)
    m.fs.heater.heat_duty.unfix()
    m.fs.heater.heat_duty.setlb(0)
    m.fs.heater.heat_duty.setub(1e5)
    vap = m.fs.flash.vap_outlet
    m.purity = pyo.Constraint(expr=vap.mole_frac_comp[0, "benzene"] >= 0.6)
    m.recovery = pyo.Objective(
        expr=vap.flow_mol[0] * vap.mole_frac_comp[0, "benzene"], sense=pyo.maximize
    )
    m.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    results = get_solver().solve(m)
    assert pyo.check_optimal_termination(results)
    # the purity constraint binds at the optimum: more duty would vaporise more toluene
    assert pyo.value(vap.mole_frac_comp[0, "benzene"]) == pytest.approx(0.6, abs=1e-6)
    assert m.dual[m.purity] < 0
    duty = pyo.value(m.fs.heater.heat_duty[0])
    assert 0 < duty < 1e5
    # an independent check of optimality: any feasible perturbation of the duty is worse
    best = pyo.value(m.recovery)
    for factor in (0.98, 1.02):
        m.fs.heater.heat_duty.fix(duty * factor)
        m.del_component(m.recovery)
        m.purity.deactivate()
        assert pyo.check_optimal_termination(get_solver().solve(m))
        feasible = pyo.value(vap.mole_frac_comp[0, "benzene"]) >= 0.6 - 1e-8
        recovery = pyo.value(vap.flow_mol[0] * vap.mole_frac_comp[0, "benzene"])
        assert not feasible or recovery <= best + 1e-9
        m.purity.activate()
        m.recovery = pyo.Objective(
            expr=vap.flow_mol[0] * vap.mole_frac_comp[0, "benzene"], sense=pyo.maximize
        )
