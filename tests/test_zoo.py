"""propkg zoo: a real Dask cluster (scheduler + 2 workers as separate processes) builds the
same bytes as a serial build; resume redoes only what changed; failures are reported.

Payloads: the CoolProp-trained pure fit (``pure_coolprop``, vapour pressure only, one
hidden unit, so that each task takes a few seconds) and the binary g^E fit to measured
ThermoML bubble points (``binary_measured``, the three pairs with the fewest points and two
publications); ``pure_measured`` on one small compound.
"""

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from propkg_cli import main

REPO = Path(__file__).resolve().parents[1]
FLUIDS = ("propane", "n_butane", "isobutane", "ethylene", "propylene")
#: registered component whose dataset is made unreadable (the task fails on the worker)
BROKEN = "toluene"
UNKNOWN = "unobtainium"
PAIRS = (("benzene", "n_heptane"), ("benzene", "methanol"), ("o_xylene", "n_octane"))
BAD_PAIR = ("water", UNKNOWN)
SETTINGS = ["--properties", "pressure_sat_comp", "--hidden", "1"]


def _write_dataset(folder: Path, name: str, csv_text: str) -> None:
    """A dataset CSV and its sidecar with the CSV's sha256 (as propkg.datasets writes)."""
    import hashlib

    from propkg.datasets import default_dataset_dir

    (folder / f"{name}.csv").write_text(csv_text, encoding="utf-8")
    sidecar = json.loads((default_dataset_dir() / f"{name}.json").read_text(encoding="utf-8"))
    sidecar["sha256"] = hashlib.sha256(csv_text.encode()).hexdigest()
    (folder / f"{name}.json").write_text(json.dumps(sidecar), encoding="utf-8")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """Copies of five shipped datasets and a sixth whose CSV has a non-number cell."""
    from propkg.datasets import default_dataset_dir

    folder = tmp_path_factory.mktemp("data")
    for name in FLUIDS:
        for suffix in (".csv", ".json"):
            shutil.copy(default_dataset_dir() / f"{name}{suffix}", folder)
    lines = (default_dataset_dir() / f"{BROKEN}.csv").read_text(encoding="utf-8").splitlines()
    cells = lines[3].split(",")
    cells[1] = "not-a-number"
    lines[3] = ",".join(cells)
    _write_dataset(folder, BROKEN, "\n".join(lines) + "\n")
    return folder


@pytest.fixture(scope="module")
def item_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("items") / "components.txt"
    path.write_text("# zoo test\n" + "\n".join((*FLUIDS, BROKEN, UNKNOWN)) + "\n\n")
    return path


@pytest.fixture(scope="module")
def pair_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("items") / "pairs.txt"
    path.write_text("\n".join(",".join(p) for p in (*PAIRS, BAD_PAIR)) + "\n")
    return path


@pytest.fixture(scope="module")
def serial_zoo(tmp_path_factory, data_dir, item_file, pair_file):
    """The reference: ``propkg zoo build --serial`` (in this process)."""
    out = tmp_path_factory.mktemp("serial")
    code = main(["zoo", "build", "--components", str(item_file), "--pairs", str(pair_file),
                 "--data", str(data_dir), "--serial", *SETTINGS, "--output", str(out)])
    assert code == 1  # three tasks fail
    return out


@pytest.fixture(scope="module")
def cluster():
    """A Dask scheduler and two one-thread workers, each its own OS process (Popen)."""
    from propkg.zoo.cluster import dask_processes

    with dask_processes(2, pythonpath=REPO) as address:
        yield address


def _model_files(folder: Path) -> dict[str, bytes]:
    names = [p.name for p in folder.glob("*.onnx")] + ["manifest.json", "zoo_summary.json"]
    return {name: (folder / name).read_bytes() for name in sorted(names)}


@pytest.mark.integration
def test_cluster_build_is_byte_identical_to_serial_build(cluster, serial_zoo, data_dir,
                                                         item_file, pair_file, tmp_path,
                                                         capsys):
    from distributed import Client

    with Client(cluster) as client:
        before = client.run(lambda dask_worker: dask_worker.state.executed_count)
    out = tmp_path / "dist"
    code = main(["zoo", "build", "--components", str(item_file), "--pairs", str(pair_file),
                 "--data", str(data_dir), "--scheduler", cluster, *SETTINGS, "--output",
                 str(out)])
    printed = capsys.readouterr().out
    assert code == 1, printed
    assert f"Dask cluster at {cluster}" in printed
    with Client(cluster) as client:
        after = client.run(lambda dask_worker: dask_worker.state.executed_count)
    ran_on = [after[w] - before.get(w, 0) for w in after]
    assert sorted(ran_on)[0] >= 1  # both workers worked
    assert sum(ran_on) >= len(FLUIDS) + len(PAIRS) + 1
    serial, dist = _model_files(serial_zoo), _model_files(out)
    models = [f"{n}.onnx" for n in FLUIDS] + [f"{a}__{b}.onnx" for a, b in PAIRS]
    assert sorted(dist) == sorted(models + ["manifest.json", "zoo_summary.json"])
    assert serial == dist


@pytest.mark.integration
def test_zoo_models_are_right_and_failures_are_reported(serial_zoo):
    """Against CoolProp directly; the two failing tasks carry their errors, at their stage."""
    import CoolProp.CoolProp as CP

    from propkg.components import get_constants
    from propkg_contract.reader import run_onnx
    from propkg_contract.registry import find_model

    summary = json.loads((serial_zoo / "zoo_summary.json").read_text())["tasks"]
    assert summary[BROKEN]["stage"] == "run"
    assert f"'{BROKEN}.csv' line 4" in summary[BROKEN]["error"]  # no temporary path
    assert "not-a-number" in summary[BROKEN]["error"]
    assert summary[UNKNOWN]["stage"] == "prepare"
    assert f"unknown component '{UNKNOWN}'" in summary[UNKNOWN]["error"]
    assert summary[",".join(BAD_PAIR)]["stage"] == "prepare"
    assert f"'{UNKNOWN}' is not one of the mixture components" in summary[
        ",".join(BAD_PAIR)]["error"]
    report = (serial_zoo / "zoo_report.md").read_text()
    assert f"| {UNKNOWN} | prepare |" in report and f"| {BROKEN} | run |" in report
    assert (serial_zoo / "figures" / "zoo_errors.png").read_bytes()[:4] == b"\x89PNG"
    for name in FLUIDS:
        c = get_constants(name)
        T = np.linspace(c.T_low, c.T_high, 7)
        psat = run_onnx(find_model(name, model_dir=serial_zoo), T=T)["pressure_sat_comp"]
        ref = np.array([CP.PropsSI("P", "T", t, "Q", 0, c.coolprop) for t in T])
        assert np.max(np.abs(np.ravel(psat) / ref - 1)) < 1e-3, name
        figures = summary[name]["summary"]
        assert figures["hybrid_aad_percent"] < figures["backbone_aad_percent"]


@pytest.mark.integration
def test_resume_redoes_nothing_then_only_the_changed_task(serial_zoo, data_dir, item_file,
                                                          tmp_path):
    from propkg.zoo import build_zoo

    out, data = tmp_path / "zoo", tmp_path / "data"
    shutil.copytree(serial_zoo, out)
    shutil.copytree(data_dir, data)
    requests = [("pure_coolprop", n) for n in (*FLUIDS, BROKEN, UNKNOWN)]
    requests += [("binary_measured", p) for p in (*PAIRS, BAD_PAIR)]
    options = {"data": str(data), "properties": ["pressure_sat_comp"], "hidden": 1}
    before = _model_files(out)
    again = build_zoo(requests, out, options, progress=False)
    assert again.ran == []
    assert again.reused == sorted((*FLUIDS, BROKEN, *(f"{a}__{b}" for a, b in PAIRS)))
    assert _model_files(out) == before
    # one input changes: a training vapour pressure of propane, +1 %
    lines = (data / "propane.csv").read_text().splitlines()
    header = lines[0].split(",")
    row = next(i for i, line in enumerate(lines) if line.endswith(",train"))
    cells = lines[row].split(",")
    col = header.index("pressure_sat_comp [Pa]")
    cells[col] = repr(float(cells[col]) * 1.01)
    lines[row] = ",".join(cells)
    _write_dataset(data, "propane", "\n".join(lines) + "\n")
    changed = build_zoo(requests, out, options, progress=False)
    assert changed.ran == ["propane"]
    after = _model_files(out)
    assert after["propane.onnx"] != before["propane.onnx"]
    assert {k: v for k, v in after.items() if k.startswith(FLUIDS[1:])} == {
        k: v for k, v in before.items() if k.startswith(FLUIDS[1:])}
    # a deleted model file is rebuilt, nothing else
    (out / "ethylene.onnx").unlink()
    assert build_zoo(requests, out, options, progress=False).ran == ["ethylene"]


@pytest.mark.integration
def test_a_raising_task_fails_alone_on_the_cluster(cluster):
    from propkg.zoo.runner import TaskRunner

    with TaskRunner(scheduler=cluster) as runner:
        assert runner.n_workers() == 2
        outcomes = {o.task_id: o for o in runner.map(
            math.sqrt, {"four": (4.0,), "minus": (-1.0,), "nine": (9.0,)}, progress=False)}
    assert outcomes["four"].value == 2.0 and outcomes["nine"].value == 3.0
    assert not outcomes["minus"].ok and "ValueError: math domain error" in outcomes["minus"].error


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "flag", "message"),
    [
        ("water,ethanol\n", "--components", "has a comma"),
        ("ethanol\n", "--pairs", "is not of the form A,B"),
        ("# nothing\n", "--components", "lists nothing"),
    ],
)
def test_bad_item_files_get_one_line_errors(tmp_path, capsys, text, flag, message):
    items = tmp_path / "items.txt"
    items.write_text(text)
    assert main(["zoo", "build", flag, str(items), "--serial", "--output",
                 str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.integration
def test_list_shows_the_zoo_with_held_out_figures(serial_zoo, capsys):
    assert main(["list", "--models", str(serial_zoo)]) == 0
    lines = capsys.readouterr().out.splitlines()
    summary = json.loads((serial_zoo / "zoo_summary.json").read_text())["tasks"]
    for name in FLUIDS:
        row = next(line for line in lines if line.startswith(name + " "))
        assert f"Psat {summary[name]['summary']['hybrid_aad_percent']:.3g}" in row
    assert lines[-1] == f"{len(FLUIDS) + len(PAIRS)} model(s)"


@pytest.mark.integration
def test_measured_payload_reports_the_error_of_its_onnx_file_on_test_publications(tmp_path):
    """pure_measured on real ThermoML data: the summary's held-out AAD is the ONNX file's
    error on the measured points of the test publications its metadata names, and none of
    those publications was fitted."""
    from propkg.measured import load_pure_vapor_pressure
    from propkg.zoo import build_zoo
    from propkg_contract.metadata import read_metadata
    from propkg_contract.reader import run_onnx

    out = tmp_path / "zoo"
    result = build_zoo([("pure_measured", "diethylamine")], out, progress=False)
    assert result.ran == ["diethylamine"] and not result.failed
    meta = read_metadata(out / "diethylamine.onnx")
    split = meta.training_data["split"]["pressure_sat_comp"]
    tests = set(split["test_publications"])
    df = load_pure_vapor_pressure("109-89-7")
    held = df[df["source"].isin(tests)]
    assert 0 < len(held) == split["n_test_points"] < len(df)
    assert meta.training_data["n_points"]["pressure_sat_comp"] <= len(df) - len(held)
    T, P = held["temperature [K]"].to_numpy(), held["pressure [Pa]"].to_numpy()
    pred = np.ravel(run_onnx(out / "diethylamine.onnx", T=T)["pressure_sat_comp"])
    figures = json.loads((out / "zoo_summary.json").read_text())["tasks"]["diethylamine"]
    assert figures["summary"]["hybrid_aad_percent"] == pytest.approx(
        100 * np.mean(np.abs(pred / P - 1)), rel=1e-9)
    assert "ThermoML" in meta.training_data["source"]
    # its liquid densities (17 near-saturation points, 4 publications) are a second fitted
    # property: the figures are the file's density error on their own test publications,
    # Rackett's as chemicals computes it, and the correction stays only if it beats Rackett
    from chemicals.volume import Rackett

    from propkg.components import constants_for
    from propkg.measured import load_liquid_density

    dens = figures["summary"]["also_fitted"]["dens_mol_liq_comp"]
    d_split = meta.training_data["split"]["dens_mol_liq_comp"]
    rho_df = load_liquid_density("109-89-7")
    held = rho_df[rho_df["source"].isin(set(d_split["test_publications"]))]
    assert 0 < len(held) == d_split["n_test_points"] == dens["n_test"] < len(rho_df)
    T, rho = held["temperature [K]"].to_numpy(), held["dens_mol [mol/m**3]"].to_numpy()
    pred = np.ravel(run_onnx(out / "diethylamine.onnx", T=T)["dens_mol_liq_comp"])
    assert dens["hybrid_aad_percent"] == pytest.approx(100 * np.mean(np.abs(pred / rho - 1)),
                                                       rel=1e-9)
    c = constants_for("109-89-7")
    rackett = np.array([1.0 / Rackett(t, c.Tc, c.Pc, c.Zc) for t in T])
    assert dens["backbone_aad_percent"] == pytest.approx(
        100 * np.mean(np.abs(rackett / rho - 1)), rel=1e-4)
    assert dens["kept"] == (dens["hybrid_aad_percent"] < dens["backbone_aad_percent"])
    assert meta.fitted_to_data("dens_mol_liq_comp") == dens["kept"]
    # a kept density is valid over its own training temperatures, Psat over its own
    fitted = rho_df[~rho_df["source"].isin(set(d_split["test_publications"]))]
    dens_domain = meta.outputs["dens_mol_liq_comp"]["domain"]["temperature"]
    if dens["kept"]:
        assert dens_domain == pytest.approx([fitted["temperature [K]"].min(),
                                             fitted["temperature [K]"].max()])
    psat_fitted = df[~df["source"].isin(tests)]["temperature [K]"]
    assert meta.outputs["pressure_sat_comp"]["domain"]["temperature"] == pytest.approx(
        [psat_fitted.min(), psat_fitted.max()])


@pytest.mark.integration
def test_a_density_correction_that_does_not_beat_rackett_is_dropped_from_the_file(tmp_path):
    """Two fitted properties, the second (densities equal to Rackett's within 0.01 %, five
    publications) cannot beat its backbone on its test publications: the file's density is
    Rackett as chemicals computes it, the metadata list it as without data and say why;
    the vapour pressure keeps its fitted correction (a +4 % offset of every publication
    from Ambrose-Walton is learned)."""
    from chemicals.vapor_pressure import Ambrose_Walton
    from chemicals.volume import Rackett

    from propkg.components import constants_for
    from propkg.zoo.measured_payload import fit_and_export
    from propkg_contract.metadata import read_metadata
    from propkg_contract.reader import run_onnx

    c = constants_for("toluene")
    rng = np.random.default_rng(7)
    T = np.tile(np.linspace(0.5 * c.Tc, 0.7 * c.Tc, 8), 5)
    src = np.repeat([f"10.0/pub{i}" for i in range(5)], 8)
    P = np.array([Ambrose_Walton(t, c.Tc, c.Pc, c.omega) for t in T]) * 1.04
    P *= 1 + 1e-3 * rng.standard_normal(T.size)
    rho = np.array([1.0 / Rackett(t, c.Tc, c.Pc, c.Zc) for t in T])
    rho *= 1 + 1e-4 * rng.standard_normal(T.size)
    points = {"pressure_sat_comp": (T, P, src, "a"), "dens_mol_liq_comp": (T, rho, src, "b")}
    result = fit_and_export(c.cas, points, 3)
    dens = result.summary["also_fitted"]["dens_mol_liq_comp"]
    assert not dens["kept"]
    assert result.summary["hybrid_aad_percent"] < 0.5 < result.summary["backbone_aad_percent"]
    path = tmp_path / "toluene.onnx"
    path.write_bytes(result.files["toluene.onnx"])
    meta = read_metadata(path)
    out = run_onnx(path, T=T)
    assert "dens_mol_liq_comp" in meta.training_data["properties_without_data"]
    assert "does not beat" in meta.training_data["corrections_dropped"]["dens_mol_liq_comp"]
    assert meta.fitted_to_data("pressure_sat_comp")
    rackett = np.array([1.0 / Rackett(t, c.Tc, c.Pc, c.Zc) for t in T])
    # rtol 1e-5: the model caps T smoothly below Tc (3e-6 here); a kept correction fitted
    # to the 1e-4 noise would differ by more
    np.testing.assert_allclose(np.ravel(out["dens_mol_liq_comp"]), rackett, rtol=1e-5)
    # propkg list marks the density figure as the backbone's, not the Psat one
    from propkg_cli.list import model_rows
    from propkg_contract.registry import write_manifest_entries

    write_manifest_entries(tmp_path, [{**result.entry, "file": path.name}])
    (row,) = model_rows(tmp_path)
    assert row["backbone_only"] == ["rho_liq"]
    assert set(row["held_out_aad_percent"]) == {"Psat", "rho_liq"}


@pytest.mark.integration
def test_density_payload_reports_the_error_of_its_onnx_file_and_keeps_the_psat_backbone(
        tmp_path):
    """pure_density_measured on real ThermoML data: the summary's held-out AAD is the ONNX
    file's density error on the test publications its metadata names (none of them fitted),
    the Rackett backbone's too; its vapour pressure is Ambrose-Walton as ``chemicals``
    computes it (nothing was fitted to it)."""
    from chemicals.vapor_pressure import Ambrose_Walton
    from chemicals.volume import Rackett

    from propkg.components import constants_for
    from propkg.measured import load_liquid_density
    from propkg.zoo import build_zoo
    from propkg_contract.metadata import read_metadata
    from propkg_contract.reader import run_onnx

    name, cas = "pentaerythritol_tetravalerate", "15834-04-5"
    out = tmp_path / "zoo"
    result = build_zoo([("pure_density_measured", cas)], out, progress=False,
                       options={"min_points": 10, "min_publications": 2})
    assert result.ran == [name] and not result.failed
    path = out / f"{name}.onnx"
    meta = read_metadata(path)
    split = meta.training_data["split"]["dens_mol_liq_comp"]
    assert "pressure_sat_comp" in meta.training_data["properties_without_data"]
    df = load_liquid_density(cas)
    held = df[df["source"].isin(set(split["test_publications"]))]
    assert 0 < len(held) == split["n_test_points"] < len(df)
    T, rho = held["temperature [K]"].to_numpy(), held["dens_mol [mol/m**3]"].to_numpy()
    pred = run_onnx(path, T=T)
    task = json.loads((out / "zoo_summary.json").read_text())["tasks"][name]["summary"]
    assert task["property"] == "dens_mol_liq_comp"
    assert task["hybrid_aad_percent"] == pytest.approx(
        100 * np.mean(np.abs(np.ravel(pred["dens_mol_liq_comp"]) / rho - 1)), rel=1e-9)
    c = constants_for(cas)
    backbone = np.array([1.0 / Rackett(t, c.Tc, c.Pc, c.Zc) for t in T])
    # rel 1e-4: the model caps T smoothly below Tc (HybridPureModel.effective_temperature)
    assert task["backbone_aad_percent"] == pytest.approx(
        100 * np.mean(np.abs(backbone / rho - 1)), rel=1e-4)
    aw = np.array([Ambrose_Walton(t, c.Tc, c.Pc, c.omega) for t in T])
    # rtol 1e-3: the smooth cap moves T by ~1e-4 K, and Psat here is 1e-12..1e-8 Pa where
    # d ln P / dT is steep
    np.testing.assert_allclose(np.ravel(pred["pressure_sat_comp"]), aw, rtol=1e-3)


@pytest.mark.integration
def test_binary_figures_are_the_onnx_files_bubble_pressure_error(serial_zoo):
    """Modified Raoult with gamma from the exported file and Psat from the pure models, on
    the measured points of the test publications its metadata names."""
    from propkg.mixtures.bubble_data import PurePsat, thermoml_points
    from propkg.mixtures.measured_training import prepare_points
    from propkg_contract.metadata import read_metadata
    from propkg_contract.reader import run_onnx

    summary = json.loads((serial_zoo / "zoo_summary.json").read_text())["tasks"]
    for a, b in PAIRS:
        path = serial_zoo / f"{a}__{b}.onnx"
        tests = read_metadata(path).training_data["test_publications"]
        psat = PurePsat(a), PurePsat(b)
        points, _ = prepare_points((a, b), thermoml_points(a, b, *psat), *psat)
        held = points.subset(np.isin(points.source, tests))
        x = np.column_stack([held.x1, 1 - held.x1])
        ln_gamma = np.asarray(run_onnx(path, T=held.T, mole_frac_comp=x)["log_act_coeff_comp"])
        P = (x[:, 0] * np.exp(ln_gamma[:, 0]) * held.psat1
             + x[:, 1] * np.exp(ln_gamma[:, 1]) * held.psat2)
        figures = summary[f"{a}__{b}"]["summary"]
        assert figures["n_test"] == len(held.T) > 0
        assert figures["hybrid_aad_percent"] == pytest.approx(
            100 * np.mean(np.abs(P / held.P - 1)), rel=1e-9)


@pytest.mark.integration
def test_a_pair_with_a_supercritical_component_is_skipped_with_the_reason():
    """n-hexane + CO2: every measured bubble point lies above 0.95 Tc of CO2 (Tc from
    ``chemicals``), where Psat x gamma does not apply; the task is refused with the count."""
    from chemicals import Tc

    from propkg.measured import load_bubble_points
    from propkg.zoo.binary_payload import prepare
    from propkg_contract.errors import DataError

    df = load_bubble_points("110-54-3", "124-38-9")
    x = df["mole_frac_liq [-]"].to_numpy()
    mixture = (x > 0) & (x < 1)
    above = int((mixture & (df["temperature [K]"].to_numpy() >= 0.95 * Tc("124-38-9"))).sum())
    assert above == mixture.sum() > 0
    with pytest.raises(DataError, match=rf"0 of {above} measured mixture .* {above} lie at or "
                       r"above 0\.95 x the lower critical .*supercritical"):
        prepare(("n_hexane", "carbon_dioxide"), {"min_publications": 3})


@pytest.mark.integration
def test_measured_payload_drops_data_sets_repeated_under_another_doi():
    """ThermoML lists 1-chloro-2-methylpropane's vapour pressures of one paper under two
    DOIs: the repeats (same T and P, counted with pandas) are dropped before the split, so
    no point of a test publication can also be fitted."""
    from propkg.measured import load_pure_vapor_pressure
    from propkg.zoo.measured_payload import prepare

    df = load_pure_vapor_pressure("513-36-0")
    rounded = df.assign(T=df["temperature [K]"].round(3), P=df["pressure [Pa]"].round(0))
    repeats = int(rounded.duplicated(["T", "P"]).sum())
    assert repeats >= 3
    cas, points, _ = prepare("513-36-0", {}).args
    T, P, _src, _digest = points["pressure_sat_comp"]
    assert cas == "513-36-0" and T.size == len(df) - repeats
    assert len({(round(t, 3), round(p)) for t, p in zip(T, P, strict=True)}) == T.size
