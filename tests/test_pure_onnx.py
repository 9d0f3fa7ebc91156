"""Shipped pure-component ONNX files: metadata, manifest, onnxruntime vs reference, round trip."""

import casadi as ca
import numpy as np
import onnx
import pytest

from propkg.components import get_constants, names
from propkg.datasets import load_dataset, load_ideal_gas_dataset, subset
from propkg.evaluate import deviations
from propkg.hybrid import IDEAL_GAS_OUTPUTS, OUTPUT_UNITS, HybridPureModel
from propkg.virial import load_virial_dataset, virial_statistics
from propkg_contract.metadata import read_metadata
from propkg_contract.ops import OPSET, SUPPORTED_OPS
from propkg_contract.reader import run_onnx
from propkg_contract.registry import default_model_dir, find_model, load_manifest, sha256_of
from propkg_contract.vocabulary import BATCH
from tests.tolerances import CROSS_IMPLEMENTATION_RTOL

FLUIDS = names()
MODEL_DIR = default_model_dir()


def _path(fluid):
    return MODEL_DIR / f"{fluid}.onnx"


def _close(actual, expected, rtol):
    """Relative agreement; outputs that cross zero (h, s at 298.15 K) use rtol * max|ref|."""
    np.testing.assert_allclose(
        actual, expected, rtol=rtol, atol=rtol * float(np.max(np.abs(expected)))
    )


@pytest.mark.unit
def test_manifest_lists_twenty_fluids_with_matching_sha256():
    manifest = load_manifest(MODEL_DIR)
    pure = {m["name"]: m for m in manifest["models"] if m["kind"] == "pure_component"}
    assert set(FLUIDS) <= set(pure)
    for fluid in FLUIDS:
        entry = pure[fluid]
        assert entry["file"] == f"{fluid}.onnx"
        assert entry["sha256"] == sha256_of(_path(fluid))


@pytest.mark.unit
@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("n-hexane", "n_hexane"),
        ("hexane", "n_hexane"),
        ("CO2", "carbon_dioxide"),
        ("carbon dioxide", "carbon_dioxide"),
        ("R-134a", "r134a"),
        ("1,1,1,2-tetrafluoroethane", "r134a"),
        ("7732-18-5", "water"),
        ("o-xylene", "o_xylene"),
        ("IsoButane", "isobutane"),
    ],
)
def test_find_model_by_alias(alias, name):
    assert find_model(alias, model_dir=MODEL_DIR).name == f"{name}.onnx"


@pytest.mark.unit
@pytest.mark.parametrize("fluid", FLUIDS)
def test_metadata_is_complete(fluid):
    meta = read_metadata(_path(fluid))
    assert meta.kind == "pure_component"
    assert meta.component_names == [fluid]
    assert meta.inputs["temperature"] == {
        "units": "K",
        "shape": [BATCH, 1],
        "scaling_factor": 1e-2,
    }
    assert {k: v["units"] for k, v in meta.outputs.items()} == OUTPUT_UNITS
    lo, hi = meta.domain["temperature"]
    c = get_constants(fluid)
    assert (lo, hi) == (pytest.approx(c.T_low), pytest.approx(0.98 * c.Tc))
    virial = load_virial_dataset(fluid)
    for name, spec in meta.outputs.items():
        # the ideal gas and B have their own, wide domains; the rest the liquid's
        wanted = [200.0, 1500.0] if name in IDEAL_GAS_OUTPUTS else [lo, hi]
        if name == "second_virial_coef_comp":
            wanted = [virial["sidecar"]["T_low"], virial["sidecar"]["T_high"]]
        assert spec["domain"]["temperature"] == wanted, name
        assert spec["scaling_factor"] > 0
    raw = meta.raw
    assert raw["opset"] == OPSET
    assert raw["reference_state"] == {"temperature": 298.15, "pressure": 101325.0,
                                      "enth_mol_liq_comp": "enth_mol_ig_comp"}  # fmt: skip
    for key in ("Tc", "Pc", "omega", "Zc", "molar_mass"):
        assert raw["constants"][key] > 0
    dataset = load_dataset(fluid)
    assert meta.training_data["sha256"] == dataset["sha256"]
    ideal_gas = load_ideal_gas_dataset(fluid)
    assert meta.training_data["ideal_gas"]["sha256"] == ideal_gas["sha256"]
    assert meta.training_data["second_virial_coef_comp"]["sha256"] == virial["sha256"]


@pytest.mark.unit
@pytest.mark.parametrize("fluid", FLUIDS)
def test_graph_is_smooth_float64_with_batch_axis(fluid):
    proto = onnx.load(str(_path(fluid)))
    assert {o.domain: o.version for o in proto.opset_import}[""] == OPSET
    assert {n.op_type for n in proto.graph.node} <= SUPPORTED_OPS
    assert [i.name for i in proto.graph.input] == ["temperature"]
    assert [o.name for o in proto.graph.output] == list(OUTPUT_UNITS)
    for value in list(proto.graph.input) + list(proto.graph.output):
        assert value.type.tensor_type.elem_type == onnx.TensorProto.DOUBLE
        dims = value.type.tensor_type.shape.dim
        assert (dims[0].dim_param, dims[1].dim_value) == (BATCH, 1)


@pytest.mark.component
@pytest.mark.parametrize("fluid", FLUIDS)
def test_onnxruntime_matches_casadi_reference_on_dense_grid(fluid):
    meta = read_metadata(_path(fluid))
    model = HybridPureModel.from_metadata(meta.raw)
    lo, hi = meta.domain["temperature"]
    T = np.concatenate([[lo, hi], np.linspace(lo, hi, 301)])
    onnx_values = run_onnx(_path(fluid), T)
    reference = model.evaluate(T)
    for name in OUTPUT_UNITS:
        _close(onnx_values[name], reference[name], CROSS_IMPLEMENTATION_RTOL)
    single = run_onnx(_path(fluid), T[:1])
    for name in OUTPUT_UNITS:
        assert single[name].shape == (1,)
        _close(single[name], reference[name][:1], CROSS_IMPLEMENTATION_RTOL)


@pytest.mark.component
@pytest.mark.parametrize("fluid", ["water", "r134a", "n_octane"])
def test_casadi_graphbuilder_round_trip(fluid):
    """Re-import as the IDAES plugin does: GraphBuilder -> symbolic MX -> expand to SX."""
    builder = ca.GraphBuilder(str(_path(fluid)), {})
    assert builder.dynamic_params() == [BATCH]
    builder.bind_dim(BATCH, 1)
    sx = builder.create(fluid, {"symbolic": True}).expand()
    meta = read_metadata(_path(fluid))
    model = HybridPureModel.from_metadata(meta.raw)
    lo, hi = meta.domain["temperature"]
    T = np.linspace(lo, hi, 11)
    reference = model.evaluate(T)
    values = [np.asarray(sx(t)).ravel() for t in T]
    for k, name in enumerate(sx.name_out()):
        _close(np.array([v[k] for v in values]).ravel(), reference[name], 1e-12)


@pytest.mark.component
@pytest.mark.parametrize("fluid", FLUIDS)
def test_onnx_matches_held_out_coolprop_data(fluid):
    """Independent reference: the shipped file against held-out CoolProp data."""
    meta = read_metadata(_path(fluid))
    aad = {}
    # saturation and liquid outputs on [T_low, 0.98 Tc], the ideal gas on 200-1500 K
    for test in (subset(load_dataset(fluid), "test"),
                 subset(load_ideal_gas_dataset(fluid), "test")):  # fmt: skip
        values = run_onnx(_path(fluid), test["temperature"])
        names_here = [n for n in OUTPUT_UNITS if n in test and n not in aad]
        if "pressure_sat_comp" in test:
            names_here = [n for n in names_here if n not in IDEAL_GAS_OUTPUTS]
        aad.update({n: np.mean(np.abs(deviations(values[n], test[n], n))) for n in names_here})
    assert aad["pressure_sat_comp"] <= 0.05
    assert aad["dens_mol_liq_comp"] <= 0.1
    assert aad["cp_mol_ig_comp"] <= 1.0  # 200-1500 K; the Poling backbone alone: 5-40 %
    assert aad["dh_vap_mol_comp"] <= 1.0
    assert set(aad) == set(OUTPUT_UNITS) - {"enth_mol_liq_comp", "second_virial_coef_comp"}
    for name, value in aad.items():
        stated = meta.error_statistics[name]["aad_percent"]
        assert value == pytest.approx(stated, rel=1e-9, abs=1e-12), name
    # B on its own held-out temperatures, in percent where |B| > 0.1 R Tc/Pc
    test = subset(load_virial_dataset(fluid), "test")
    values = run_onnx(_path(fluid), test["temperature"])["second_virial_coef_comp"]
    stats = virial_statistics(values, test["second_virial_coef_comp"], get_constants(fluid))
    assert stats["aad_percent"] <= 0.2
    stated = meta.error_statistics["second_virial_coef_comp"]
    assert stats["aad_cm3_per_mol"] == pytest.approx(stated["aad_cm3_per_mol"], rel=1e-9)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda d: d["outputs"]["pressure_sat_comp"].pop("units"), "has no 'units'"),
        (lambda d: d.pop("training_data"), "missing required key"),
        (lambda d: d["domain"].update(temperature=[400.0, 300.0]), "lower < upper"),
    ],
)
def test_tampered_metadata_is_rejected(tmp_path, edit, match):
    import json

    from propkg_contract.errors import MetadataError
    from propkg_contract.metadata import METADATA_KEY

    proto = onnx.load(str(_path("water")))
    entry = next(p for p in proto.metadata_props if p.key == METADATA_KEY)
    data = json.loads(entry.value)
    edit(data)
    entry.value = json.dumps(data)
    path = tmp_path / "water.onnx"
    onnx.save(proto, str(path))
    with pytest.raises(MetadataError, match=match):
        read_metadata(path)


@pytest.mark.unit
def test_modified_model_file_fails_manifest_check(tmp_path):
    import shutil

    from propkg_contract.errors import MetadataError

    shutil.copy(MODEL_DIR / "manifest.json", tmp_path / "manifest.json")
    shutil.copy(_path("water"), tmp_path / "water.onnx")
    assert find_model("water", model_dir=tmp_path) == tmp_path / "water.onnx"
    with open(tmp_path / "water.onnx", "ab") as handle:
        handle.write(b"\0")
    with pytest.raises(MetadataError, match="sha256"):
        find_model("water", model_dir=tmp_path)
