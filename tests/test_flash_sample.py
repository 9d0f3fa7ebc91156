"""A sample of the flash campaign (validation/flash_campaign.py): IDAES's Flash from its
default initializer against the independent numpy/onnxruntime flash of the same ONNX files.

Includes states that failed before the auxiliary temperatures were bounded physically
(liquids whose dew point lies above the state bounds; a two-phase feed whose bubble point
lies below the state's lower bound), liquids that failed while the outlet started at
z = 1/n and the nominal pressure, Raoult ternary and quaternary states, and an
acetone/water state where a (CoolProp-trained, not shipped) hybrid g^E model predicts two
liquids: there the result must be flagged, never trusted.
"""

import functools

import pytest

import idaes_plugin  # noqa: F401  (pip-only IPOPT)
from idaes_plugin.activity import check_liquid_stability
from propkg_contract.errors import DomainError
from tests.splitting_binary import splitting_acetone_water
from validation.flash_campaign import FlashModel, azeotrope, compare
from validation.reference_flash import ReferenceFlash

SAMPLE = [
    (("benzene", "toluene"), None, 368.0, 101325.0, (0.5,)),
    (("benzene", "toluene"), None, 395.0, 150000.0, (0.3,)),
    (("n_hexane", "n_heptane"), None, 345.0, 60000.0, (0.6,)),
    (("methanol", "water"), "hybrid", 354.33, 184413.0, (0.4314,)),
    (("methanol", "water"), "hybrid", 367.29, 173749.0, (0.4725,)),
    (("methanol", "water"), "hybrid", 345.79, 123532.0, (0.0698,)),
    (("ethanol", "water"), "hybrid", 350.0, 80000.0, (0.3,)),
    (("ethanol", "water"), "hybrid", 365.0, 60000.0, (0.6,)),
    (("acetone", "water"), "hybrid", 340.0, 100000.0, (0.2,)),
    (("acetone", "water"), "hybrid", 275.21, 4089.0, (0.1226,)),  # T_bub 262 K < 273.16 K
    (("acetone", "water"), "hybrid", 319.94, 80685.0, (0.6433,)),  # liquid; outlet at 1/n
    (("acetone", "water"), "hybrid", 432.62, 1325270.0, (0.6552,)),  # liquid; outlet at 1/n
    (("acetone", "water"), "hybrid", 295.5, 32400.0, (0.741,)),  # was "optimal" at beta 0.73
    (("benzene", "toluene", "o_xylene"), None, 390.0, 110000.0, (0.3, 0.3)),
    (("n_hexane", "n_heptane", "n_octane", "cyclohexane"), None, 370.0, 110000.0,
     (0.25, 0.25, 0.25)),
]


@functools.cache
def _system(components, activity_model):
    return FlashModel(components, activity_model), ReferenceFlash(components, activity_model)


@pytest.mark.integration
@pytest.mark.parametrize("components, activity_model, T, P, z_given", SAMPLE)
def test_flash_agrees_with_independent_flash(components, activity_model, T, P, z_given):
    model, reference = _system(components, activity_model)
    z = [*z_given, 1.0 - sum(z_given)]
    status, detail, beta, x, y = model.solve(T, P, z)
    assert status == "optimal", detail
    expected = reference.flash(T, P, z)
    assert expected.liquid_stable
    assert compare(beta, x, y, expected) == ""


@pytest.mark.integration
def test_liquid_the_model_splits_is_flagged_not_trusted():
    """acetone/water, 314.51 K, 51 kPa, z = 0.526: the CoolProp-trained hybrid's liquid
    splits (tests/splitting_binary.py; the shipped refit does not)."""
    path = splitting_acetone_water()
    model = FlashModel(("acetone", "water"), "hybrid", binary_models=[path])
    reference = ReferenceFlash(("acetone", "water"), "hybrid", gibbs_model=path)
    T, P, z = 314.51, 51000.0, [0.526, 0.474]
    expected = reference.flash(T, P, z)
    assert expected.phases == "L" and not expected.liquid_stable
    status, *_ = model.solve(T, P, z)
    if status == "optimal":
        pattern = "overall composition.*unstable against a second liquid"
        with pytest.raises(DomainError, match=pattern):
            check_liquid_stability(model.m)


@pytest.mark.integration
@pytest.mark.parametrize("T, P, z", [
    (390.0, 101325.0, (0.25, 0.25, 0.25, 0.25)),
    (415.0, 150000.0, (0.1, 0.2, 0.3, 0.4)),
])  # fmt: skip
def test_quaternary_flash_agrees_with_independent_flash(T, P, z):
    """benzene/toluene/o-xylene/ethylbenzene (Raoult), IDAES's default initializer, against
    the Rachford-Rice flash of the same ONNX files (issue 10, item 6)."""
    components = ("benzene", "toluene", "o_xylene", "ethylbenzene")
    model, reference = _system(components, None)
    status, detail, beta, x, y = model.solve(T, P, list(z))
    assert status == "optimal", detail
    expected = reference.flash(T, P, list(z))
    assert expected.phases == "LV"
    assert compare(beta, x, y, expected) == ""


@pytest.mark.component
def test_near_lines_helpers_against_the_reference_flash():
    """The reference's dew pressure brackets its own flash's dew point, and the campaign's
    azeotrope of ethanol/water at 351.4 K is the literature's x = 0.894 (Raoult: none)."""
    reference = ReferenceFlash(("ethanol", "water"), "hybrid")
    T, z = 350.0, [0.3, 0.7]
    p_dew = reference.dew_pressure(T, z)
    assert reference.flash(T, p_dew * (1 - 1e-6), z).phases == "V"
    assert reference.flash(T, p_dew * (1 + 1e-6), z).phases == "LV"
    assert azeotrope(reference, 351.4) == pytest.approx(0.894, abs=0.01)
    assert azeotrope(ReferenceFlash(("benzene", "toluene")), 368.0) is None
