"""Backbones of the hybrid pure-component models against the ``chemicals`` implementations."""

import casadi as ca
import numpy as np
import pytest
from chemicals.heat_capacity import Poling, Poling_integral, Poling_integral_over_T
from chemicals.vapor_pressure import Ambrose_Walton
from chemicals.virial import BVirial_Tsonopoulos
from chemicals.volume import Rackett

from propkg import backbones as bb
from propkg.components import get_constants, names
from tests.tolerances import REGRESSION_RTOL

FLUIDS = names()


def _grid(c):
    return np.linspace(c.T_low, c.Tc * 0.999, 7)


def _casadi(fun):
    T = ca.MX.sym("T")
    return ca.Function("f", [T], [fun(T)])


@pytest.mark.unit
@pytest.mark.parametrize("fluid", FLUIDS)
def test_ambrose_walton_matches_chemicals(fluid):
    c = get_constants(fluid)
    f = _casadi(lambda T: bb.ambrose_walton_ln_pr(T, c.Tc, c.omega))
    for T in _grid(c):
        ref = Ambrose_Walton(T, c.Tc, c.Pc, c.omega)
        assert c.Pc * np.exp(float(f(T))) == pytest.approx(ref, rel=REGRESSION_RTOL)
        assert c.Pc * np.exp(bb.ambrose_walton_ln_pr(T, c.Tc, c.omega)) == pytest.approx(
            ref, rel=REGRESSION_RTOL
        )


@pytest.mark.unit
@pytest.mark.parametrize("fluid", FLUIDS)
def test_rackett_matches_chemicals(fluid):
    c = get_constants(fluid)
    f = _casadi(lambda T: bb.rackett_ln_density(T, c.Tc, c.Pc, c.Zc))
    for T in _grid(c):
        ref = 1.0 / Rackett(T, c.Tc, c.Pc, c.Zc)
        assert np.exp(float(f(T))) == pytest.approx(ref, rel=REGRESSION_RTOL)


@pytest.mark.unit
@pytest.mark.parametrize("fluid", FLUIDS)
def test_tsonopoulos_matches_chemicals(fluid):
    c = get_constants(fluid)
    f = _casadi(lambda T: bb.tsonopoulos_b(T, c.Tc, c.Pc, c.omega))
    for T in _grid(c):
        ref = BVirial_Tsonopoulos(T, c.Tc, c.Pc, c.omega)
        assert float(f(T)) == pytest.approx(ref, rel=REGRESSION_RTOL)


@pytest.mark.unit
@pytest.mark.parametrize("fluid", FLUIDS)
def test_poling_cp_and_integrals_match_chemicals(fluid):
    c = get_constants(fluid)
    cp = _casadi(lambda T: bb.poling_cp(T, c.poling))
    h = _casadi(lambda T: bb.poling_integral(T, c.poling))
    s = _casadi(lambda T: bb.poling_integral_over_T(T, c.poling))
    for T in np.linspace(150.0, 900.0, 7):
        assert float(cp(T)) == pytest.approx(Poling(T, *c.poling), rel=REGRESSION_RTOL)
        assert float(h(T)) == pytest.approx(Poling_integral(T, *c.poling), rel=REGRESSION_RTOL)
        assert float(s(T)) == pytest.approx(
            Poling_integral_over_T(T, *c.poling), rel=REGRESSION_RTOL
        )


@pytest.mark.unit
def test_constants_come_from_chemicals():
    from chemicals import MW, Pc, Tc, omega

    c = get_constants("CO2")
    assert c.name == "carbon_dioxide"
    assert c.cas == "124-38-9"
    assert (c.Tc, c.Pc, c.omega) == (Tc("124-38-9"), Pc("124-38-9"), omega("124-38-9"))
    assert c.molar_mass == pytest.approx(MW("124-38-9") / 1000.0, rel=1e-15)
