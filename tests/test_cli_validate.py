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


@pytest.mark.integration
def test_validate_zoo_sweeps_named_zoo_files_against_thermoml(tmp_path, capsys):
    """``propkg validate --zoo``: a vapour-pressure file with a fitted density (two
    figures), a density-only file and a pair, each re-measured on its ThermoML test
    publications; the recorded Psat figure equals the file's error computed here from the
    loader's points (an independent path: no payload code)."""
    import numpy as np
    from chemicals import Tc

    from propkg.measured import load_pure_vapor_pressure
    from propkg_contract.metadata import read_metadata
    from propkg_contract.reader import run_onnx

    out = tmp_path / "val"
    code = main(["validate", "--zoo", "1_1_1_trichloroethane", "triglyme", "1_butanol,water",
                 "--output", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "4/4 recorded error figures met; 3/3 files pass in IDAES, 0 fail" in printed
    report = (out / "zoo_validation.md").read_text()
    assert "3 zoo files (2 pure, 1 binary)" in report
    for row in ("| 1_1_1_trichloroethane | dens_mol_liq_comp |", "| triglyme | dens_mol_liq_comp |",
                "| 1_butanol/water | pressure_bubble |"):
        assert row in report
    assert (out / "figures" / "zoo_bounds.png").read_bytes()[:4] == b"\x89PNG"
    path = find_model("1_1_1_trichloroethane")
    stats = read_metadata(path).error_statistics["pressure_sat_comp"]
    df = load_pure_vapor_pressure("71-55-6")
    held = df[df["source"].isin(stats["test_publications"])
              & (df["temperature [K]"] < 0.999 * Tc("71-55-6"))]
    T, P = held["temperature [K]"].to_numpy(), held["pressure [Pa]"].to_numpy()
    aad = 100 * np.mean(np.abs(np.ravel(run_onnx(path, T=T)["pressure_sat_comp"]) / P - 1))
    line = next(r for r in report.splitlines()
                if r.startswith("| 1_1_1_trichloroethane | pressure_sat_comp |"))
    assert float(line.split("|")[4]) == pytest.approx(aad, rel=1e-3)


@pytest.mark.integration
def test_validate_zoo_flags_a_zoo_file_that_claims_a_better_density(tmp_path, monkeypatch,
                                                                   capsys):
    """A zoo file whose metadata claim half its density error: a MISS, exit status 1; its
    vapour-pressure figure still passes; an unknown name is a one-line error."""
    from propkg_contract.registry import MODEL_DIR_VARIABLE, write_manifest_entries

    source = find_model("1_1_1_trichloroethane")
    proto = onnx.load(str(source))
    raw = json.loads(metadata_from_proto(proto).to_json())
    raw["error_statistics"]["dens_mol_liq_comp"]["aad_percent"] /= 2 * BOUND_TOLERANCE
    attach_metadata(proto, validate_metadata(raw))
    zoo = tmp_path / "models" / "zoo"
    zoo.mkdir(parents=True)
    onnx.save(proto, str(zoo / source.name))
    write_manifest_entries(zoo, [{"name": "1_1_1_trichloroethane", "kind": "pure_component",
                                  "file": source.name, "components": raw["components"],
                                  "aliases": ["71-55-6"]}])
    monkeypatch.setenv(MODEL_DIR_VARIABLE, str(tmp_path / "models"))
    assert main(["validate", "--zoo", "--output", str(tmp_path / "out")]) == 1
    printed = capsys.readouterr().out
    assert "MISS: 1_1_1_trichloroethane dens_mol_liq_comp" in printed
    assert "1/2 recorded error figures met" in printed
    assert main(["validate", "--zoo", "unobtainium", "--output", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "'unobtainium' is no model of the zoo" in err and "Traceback" not in err


@pytest.mark.component
def test_a_psat_that_falls_with_temperature_is_found_in_the_exported_file(tmp_path):
    """propane with a steep negative tanh step in its Psat correction at Tr = 0.7: the
    numpy model's ln Psat falls there (independent of ONNX), and so does the exported file
    by onnxruntime; the shipped file rises everywhere up to Tc."""
    import numpy as np

    from propkg.export import export_model
    from propkg.hybrid import HybridPureModel
    from propkg_cli.validate_checks import psat_largest_fall
    from propkg_contract.reader import load_model

    model = HybridPureModel.from_metadata(load_model(find_model("propane")).metadata.raw)
    assert psat_largest_fall(find_model("propane")) == 0.0
    hidden = model.hidden
    params = np.zeros_like(model.psat_params)
    params[1], params[1 + hidden], params[1 + 2 * hidden] = -5.0, 20.0, 0.0
    model.psat_params = params
    tc = model.constants.Tc
    T = np.linspace(0.65 * tc, 0.75 * tc, 400)
    assert np.min(np.diff(np.asarray(model.ln_psat(T)))) < 0.0
    path = export_model(model, tmp_path / "falling.onnx", {}, {})
    assert psat_largest_fall(path) > 0.01
