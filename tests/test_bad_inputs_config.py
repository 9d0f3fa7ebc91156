"""Bad arguments of vle_config and add_onnx_block: typed errors naming the argument."""

import pyomo.environ as pyo
import pytest

from exported_models import MODEL_DIR
from idaes_plugin.pyomo_block import add_onnx_block
from idaes_plugin.vle_package import vle_config
from propkg_contract.errors import MetadataError, PropkgError

BT = ["benzene", "toluene"]

VLE = {
    "string_not_list": (lambda: vle_config("water"), PropkgError,
                        "single str 'water'.*\\['water'\\]"),
    "none": (lambda: vle_config(None), PropkgError, "NoneType None"),
    "empty": (lambda: vle_config([]), PropkgError, "at least one component"),
    "duplicate_alias": (lambda: vle_config(["benzene", "Benzene"]), PropkgError, "given twice"),
    "duplicate_by_cas": (lambda: vle_config(["benzene", "71-43-2"]), PropkgError, "given twice"),
    "integer_component": (lambda: vle_config([1, 2]), MetadataError, "got int 1"),
    "unknown_component": (lambda: vle_config(["benzene", "unobtainium"]), MetadataError,
                          "'unobtainium'"),
    "missing_path": (lambda: vle_config(["/nonexistent/x.onnx", "toluene"]), MetadataError,
                     "x.onnx' does not exist"),
    "binary_file_as_component": (lambda: vle_config([MODEL_DIR / "ethanol__water.onnx"]),
                                 PropkgError, "binary_excess_gibbs.*one pure-component"),
    "unknown_activity_model": (lambda: vle_config(["ethanol", "water"], activity_model="wilson"),
                               PropkgError, "'wilson' is not one of"),
    "activity_ternary_not_shipped": (
        lambda: vle_config(["ethanol", "water", "methanol"], activity_model="hybrid"),
        MetadataError, "no shipped multicomponent g\\^E model.*propkg mixture"),
    "activity_pair_not_shipped": (lambda: vle_config(["benzene", "water"], activity_model="nrtl"),
                                  MetadataError, "no shipped binary model"),
    "negative_reference_temperature": (lambda: vle_config(BT, temperature_ref=-5.0), PropkgError,
                                       "temperature_ref = -5.0"),
    "zero_reference_pressure": (lambda: vle_config(BT, pressure_ref=0.0), PropkgError,
                                "pressure_ref = 0.0"),
    "nan_reference_temperature": (lambda: vle_config(BT, temperature_ref=float("nan")),
                                  PropkgError, "temperature_ref = nan"),
    "string_reference_pressure": (lambda: vle_config(BT, pressure_ref="1 atm"), PropkgError,
                                  "pressure_ref = '1 atm'"),
}


@pytest.mark.unit
@pytest.mark.parametrize("case", sorted(VLE))
def test_bad_vle_config_argument(case):
    call, error, pattern = VLE[case]
    with pytest.raises(error, match=pattern):
        call()


def _block(**kwargs):
    m = pyo.ConcreteModel()
    args = {"parent": m, "name": "b", "source": "benzene", **kwargs}
    return add_onnx_block(args.pop("parent"), args.pop("name"), args.pop("source"), **args)


def _twice():
    m = pyo.ConcreteModel()
    add_onnx_block(m, "b", "benzene")
    add_onnx_block(m, "b", "benzene")


BLOCK = {
    "unknown_output": (lambda: _block(outputs=["foo"]), MetadataError,
                       "no output\\(s\\) \\['foo'\\]"),
    "outputs_as_string": (lambda: _block(outputs="pressure_sat_comp"), PropkgError,
                          "string 'pressure_sat_comp'"),
    "derivative_of_unknown_output": (lambda: _block(derivatives=[("foo", "temperature")]),
                                     MetadataError, "\\['foo'\\]"),
    "derivative_wrt_unknown_input": (
        lambda: _block(derivatives=[("pressure_sat_comp", "pressure")]), MetadataError,
        "respect to 'pressure'"),
    "derivatives_not_pairs": (lambda: _block(derivatives=["pressure_sat_comp"]), PropkgError,
                              "\\(output, input\\) pairs"),
    "parent_none": (lambda: _block(parent=None), PropkgError, "parent must be a Pyomo Block"),
    "name_not_identifier": (lambda: _block(name="my block"), PropkgError, "'my block'"),
    "name_integer": (lambda: _block(name=3), PropkgError, "got 3"),
    "name_taken": (_twice, PropkgError, "already has a component named 'b'"),
    "source_integer": (lambda: _block(source=42), MetadataError, "got int 42"),
    "source_unknown": (lambda: _block(source="unobtainium"), MetadataError, "'unobtainium'"),
}


@pytest.mark.unit
@pytest.mark.parametrize("case", sorted(BLOCK))
def test_bad_add_onnx_block_argument(case):
    call, error, pattern = BLOCK[case]
    with pytest.raises(error, match=pattern):
        call()
