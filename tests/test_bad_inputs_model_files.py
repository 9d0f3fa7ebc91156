"""Bad model files: each is refused by the one reader with a typed error naming the problem.

Tiny graphs are built with ``onnx.helper``; other cases mutate a copy of a shipped file in a
temporary folder (see :mod:`tests.bad_inputs`).
"""

import json
import math

import onnx
import pytest
from onnx import TensorProto, helper

from propkg_contract.errors import MetadataError, UnitsError, UnsupportedOperationError
from propkg_contract.reader import load_model
from propkg_contract.registry import write_manifest_entry
from tests import bad_inputs as bi


def _meta_change(**changes):
    return lambda tmp: bi.save(bi.tiny_model(bi.tiny_metadata(**changes)), tmp)


def _tiny(**kwargs):
    return lambda tmp: bi.save(bi.tiny_model(**kwargs), tmp)


def _shipped(change_meta=None, change_graph=None, name="benzene"):
    def build(tmp):
        path = bi.shipped_copy(tmp, name)
        if change_meta:
            bi.mutate_metadata(path, change_meta)
        if change_graph:
            bi.mutate_graph(path, change_graph)
        return path

    return build


def _set_weight(value):
    return lambda proto: bi.set_constant(bi.first_constant(proto), value)


def _unit(group, tensor, units):
    def change(meta):
        meta[group][tensor]["units"] = units

    return change


def _component(key, value):
    def change(meta):
        meta["components"][0][key] = value

    return change


def _add_node(op, domain=""):
    def change(proto):
        out = proto.graph.output[0].name
        proto.graph.node[-1].output[0] = "_before"
        proto.graph.node.append(helper.make_node(op, ["_before"], [out], name="bad", domain=domain))
        if domain:
            proto.opset_import.append(helper.make_opsetid(domain, 1))

    return change


def _garbage(content: bytes):
    def build(tmp):
        path = tmp / "model.onnx"
        path.write_bytes(content)
        return path

    return build


def _tampered_listed_file(tmp):
    """A file listed in a manifest beside it, modified after the manifest was written."""
    path = bi.save(bi.tiny_model(), tmp, "tiny.onnx")
    write_manifest_entry(tmp, {"name": "tiny", "kind": "pure_component", "file": "tiny.onnx",
                               "components": [{"name": "benzene", "cas": "71-43-2"}]})
    bi.save(bi.tiny_model(a=bi.ANTOINE_A + 0.1), tmp, "tiny.onnx")
    return path


def _drop_output(proto):
    del proto.graph.output[-1]


def _rename_input(proto):
    old = proto.graph.input[0].name
    proto.graph.input[0].name = "T"
    for node in proto.graph.node:
        for k, name in enumerate(node.input):
            if name == old:
                node.input[k] = "T"


CASES = {
    # weights
    "nan_weight": (_shipped(change_graph=_set_weight(math.nan)), MetadataError, "NaN or infinite"),
    "inf_weight": (_shipped(change_graph=_set_weight(math.inf)), MetadataError, "NaN or infinite"),
    "minus_inf_weight_tiny": (_tiny(b=-math.inf), MetadataError, "weight tensor 'const_b'"),
    "nan_weight_tiny": (_tiny(a=math.nan), MetadataError, "weight tensor 'const_a'"),
    # ops
    "relu": (_tiny(op="Relu"), UnsupportedOperationError, "op 'Relu'"),
    "abs": (_tiny(op="Abs"), UnsupportedOperationError, "op 'Abs'"),
    "floor": (_tiny(op="Floor"), UnsupportedOperationError, "op 'Floor'"),
    "sign": (_tiny(op="Sign"), UnsupportedOperationError, "op 'Sign'"),
    "custom_domain_op": (_tiny(op="MyExp", op_domain="com.example"), UnsupportedOperationError,
                         "com.example"),
    "relu_appended_to_shipped": (_shipped(change_graph=_add_node("Relu")),
                                 UnsupportedOperationError, "node 'bad'.*Relu"),
    "custom_op_in_shipped": (_shipped(change_graph=_add_node("Smooth", "ai.custom")),
                             UnsupportedOperationError, "ai.custom"),
    # units
    "temperature_degC": (_meta_change(inputs={"temperature": {"units": "degC"}}), UnitsError,
                         "'degC'.*absolute temperature"),
    "temperature_degF": (_meta_change(inputs={"temperature": {"units": "degF"}}), UnitsError,
                         "'degF'"),
    "temperature_degR": (_meta_change(inputs={"temperature": {"units": "degR"}}), UnitsError,
                         "'degR'"),
    "temperature_in_Pa": (_meta_change(inputs={"temperature": {"units": "Pa"}}), UnitsError,
                          "'temperature'.*'Pa'"),
    "psat_in_K": (_shipped(_unit("outputs", "pressure_sat_comp", "K")), UnitsError,
                  "'pressure_sat_comp'.*'K'"),
    "density_in_kg_per_m3": (_shipped(_unit("outputs", "dens_mol_liq_comp", "kg/m**3")),
                             UnitsError, "'dens_mol_liq_comp'"),
    "unreadable_unit": (_shipped(_unit("outputs", "cp_mol_ig_comp", "J/mol/Kelvinz")), UnitsError,
                        "Kelvinz"),
    "unit_with_factor": (_shipped(_unit("outputs", "pressure_sat_comp", "1000*Pa")), UnitsError,
                         "numeric factor"),
    "unit_not_string": (_shipped(_unit("outputs", "pressure_sat_comp", 1)), MetadataError,
                        "'pressure_sat_comp' has no 'units'"),
    # names
    "undeclared_extra_input": (_tiny(extra_input="pressure"), MetadataError,
                               r"graph inputs \['temperature', 'pressure'\]"),
    "renamed_input": (_shipped(change_graph=_rename_input), MetadataError, r"graph inputs \['T'\]"),
    "declared_output_missing": (_shipped(change_graph=_drop_output), MetadataError,
                                "dh_vap_mol_comp"),
    "float32_input": (_tiny(input_type=TensorProto.FLOAT), MetadataError, "float64"),
    # metadata
    "no_metadata": (_tiny(metadata=False), MetadataError, "was this file exported by propkg"),
    "metadata_not_json": (_tiny(metadata="{not json"), MetadataError, "not valid JSON"),
    "metadata_not_object": (_tiny(metadata="[1, 2]"), MetadataError, "expected a JSON object"),
    "missing_kind": (_shipped(lambda m: m.pop("kind")), MetadataError, r"\['kind'\]"),
    "unknown_kind": (_meta_change(kind="mixture"), MetadataError, "kind 'mixture'"),
    "schema_version_2": (_meta_change(schema_version=2), MetadataError, "schema_version is 2"),
    "no_components": (_meta_change(components=[]), MetadataError, "'components'"),
    "zero_molar_mass": (_shipped(_component("molar_mass", 0.0)), MetadataError, "molar_mass"),
    "molar_mass_in_g_per_mol": (_shipped(_component("molar_mass", 78.11)), MetadataError,
                                "molar_mass.*kg/mol"),
    "domain_reversed": (_meta_change(domain={"temperature": [500.0, 280.0]}), MetadataError,
                        "lower < upper"),
    "domain_nan": (_shipped(lambda m: m["domain"].update(temperature=[math.nan, 500.0])),
                   MetadataError, "domain of 'temperature'"),
    "domain_missing_temperature": (_meta_change(domain={}), MetadataError, "temperature range"),
    "domain_below_zero_kelvin": (_meta_change(domain={"temperature": [-10.0, 300.0]}),
                                 MetadataError, "absolute"),
    # identity against chemicals
    "cas_of_another_compound": (_shipped(_component("cas", "108-88-3")), MetadataError,
                                "108-88-3.*toluene"),
    "formula_of_another_compound": (
        _shipped(lambda m: m["constants"].update(formula="C7H8")), MetadataError, "C7H8"),
    "malformed_cas": (_shipped(_component("cas", "71-43-3")), MetadataError, "check digit"),
    # files
    "not_onnx_bytes": (_garbage(b"this is not an onnx file"), MetadataError,
                       "not a readable ONNX file"),
    "empty_file": (_garbage(b""), MetadataError, "model.onnx"),
    "missing_file": (lambda tmp: tmp / "absent.onnx", MetadataError, "does not exist"),
    "sha256_differs_from_manifest_beside": (_tampered_listed_file, MetadataError,
                                            "sha256.*manifest"),
}


@pytest.mark.unit
@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_model_file_is_refused(case, tmp_path):
    build, error, pattern = CASES[case]
    path = build(tmp_path)
    with pytest.raises(error, match=pattern):
        load_model(path)


@pytest.mark.unit
def test_tiny_model_itself_is_accepted(tmp_path):
    """The builders' baseline is a valid model: the catalogue tests one change at a time."""
    model = load_model(bi.save(bi.tiny_model(), tmp_path))
    assert model.evaluate(["pressure_sat_comp"], temperature=350.0)[0] == pytest.approx(
        math.exp(bi.ANTOINE_A - bi.ANTOINE_B / 350.0), rel=1e-12)


@pytest.mark.unit
def test_shipped_copy_is_accepted(tmp_path):
    assert "pressure_sat_comp" in load_model(bi.shipped_copy(tmp_path)).output_names


@pytest.mark.unit
def test_user_file_is_never_modified(tmp_path):
    path = bi.save(bi.tiny_model(op="Relu"), tmp_path)
    before = path.read_bytes()
    with pytest.raises(UnsupportedOperationError):
        load_model(path)
    assert path.read_bytes() == before and json.loads(
        onnx.load(str(path)).metadata_props[0].value)["kind"] == "pure_component"
