"""``propkg validate``: report, recorded-bound check that can fail, one-line errors."""

import json

import onnx
import pytest

from propkg_cli import main
from propkg_cli.validate_checks import BOUND_TOLERANCE, pure_bounds
from propkg_contract.metadata import attach_metadata, metadata_from_proto, validate_metadata
from propkg_contract.registry import find_model


@pytest.mark.integration
def test_validate_subset_writes_report_and_passes(tmp_path, capsys):
    out = tmp_path / "val"
    code = main(["validate", "--fluids", "water", "--skip-mixtures", "--output", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    report = (out / "validation_report.md").read_text()
    assert "7/7 figures within 110 %" in report  # 6 outputs + liquid cp (d h_L/dT)
    assert "| water | pressure_sat_comp |" in report
    assert "Clausius-Clapeyron" in report and "onnxruntime vs Pyomo value()" in report
    for figure in ("pure_psat_aad.png", "pure_psat_extrap_curves.png", "pure_dhvap_dev.png"):
        data = (out / "figures" / figure).read_bytes()
        assert len(data) > 5_000 and data[:4] == b"\x89PNG"


@pytest.mark.unit
def test_a_model_that_misses_its_recorded_bound_is_flagged(tmp_path):
    proto = onnx.load(str(find_model("water")))
    raw = json.loads(metadata_from_proto(proto).to_json())
    recorded = raw["error_statistics"]["pressure_sat_comp"]
    recorded["aad_percent"] /= 2 * BOUND_TOLERANCE  # claim twice as good as it is
    attach_metadata(proto, validate_metadata(raw))
    doctored = tmp_path / "water.onnx"
    onnx.save(proto, str(doctored))
    rows = {r["quantity"]: r for r in pure_bounds(doctored)}
    assert not rows["pressure_sat_comp"]["ok"]
    assert rows["dens_mol_liq_comp"]["ok"]
    # liquid cp (d h_L/dT) and the wide-range ideal gas are re-measured too, and met
    assert rows["cp_mol_liq_comp"]["ok"] and rows["cp_mol_ig_comp"]["ok"]


@pytest.mark.unit
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--fluids", "unobtainium"], "no shipped pure_component model named 'unobtainium'"),
        (["--jobs", "0"], "--jobs must be >= 1"),
        (["--pairs", "ethanol"], "is not of the form a,b"),
    ],
)
def test_bad_arguments_get_one_line_errors(tmp_path, capsys, argv, message):
    assert main(["validate", "--output", str(tmp_path), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


@pytest.mark.unit
@pytest.mark.parametrize("command", [["validate", "--fluids", "water", "--skip-mixtures"],
                                     ["demo", "--refit", "water"]])
def test_a_damaged_model_file_is_refused_in_one_line(tmp_path, monkeypatch, capsys, command):
    import shutil

    from propkg_contract.registry import MODEL_DIR_VARIABLE, default_model_dir

    models = tmp_path / "models"
    shutil.copytree(default_model_dir(), models)
    with open(models / "water.onnx", "ab") as handle:
        handle.write(b"\0")
    monkeypatch.setenv(MODEL_DIR_VARIABLE, str(models))
    assert main([*command, "--output", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "sha256" in err and "water.onnx" in err and "Traceback" not in err


@pytest.mark.component
def test_a_measured_binary_that_misses_its_recorded_bound_is_flagged(tmp_path):
    """Binary files fitted to measured data: the bound is recomputed on their ThermoML test
    publications; the shipped file passes, one claiming half its error does not."""
    from propkg_cli.validate_checks import binary_bounds
    from propkg_contract.registry import find_binary_model

    path = find_binary_model("methanol", "water")[0]
    assert all(r["ok"] for r in binary_bounds(path, tmp_path))
    proto = onnx.load(str(path))
    raw = json.loads(metadata_from_proto(proto).to_json())
    raw["error_statistics"]["pressure_bubble"]["aad_percent"] /= 2 * BOUND_TOLERANCE
    attach_metadata(proto, validate_metadata(raw))
    doctored = tmp_path / "methanol__water.onnx"
    onnx.save(proto, str(doctored))
    assert not binary_bounds(doctored, tmp_path)[0]["ok"]
