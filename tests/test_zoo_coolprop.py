"""CoolProp-trained zoo models of CoolProp fluids propkg had no model of
(``validation/zoo_coolprop.py``): found like the others, equal to CoolProp, tested on every
NIST ThermoML publication, and the build path that makes them."""

import json

import numpy as np
import pytest

from exported_models import MODEL_DIR
from propkg_contract.errors import DataError
from propkg_contract.registry import ZOO_SUBFOLDER, find_model, load_manifest
from tests.tolerances import CROSS_IMPLEMENTATION_RTOL

ZOO = MODEL_DIR / ZOO_SUBFOLDER


def _coolprop_zoo_files() -> list:
    """Shipped zoo pure files trained on CoolProp datasets made at build time (and tested on
    ThermoML)."""
    from propkg.zoo.coolprop_payload import GENERATED_DATA, trained_on_coolprop
    from propkg_contract.metadata import read_metadata

    out = []
    for m in load_manifest(ZOO)["models"] if (ZOO / "manifest.json").is_file() else []:
        if m["kind"] != "pure_component":
            continue
        meta = read_metadata(ZOO / m["file"])
        generated = str((meta.training_data or {}).get("file", "")).startswith(GENERATED_DATA)
        split = meta.error_statistics.get("pressure_sat_comp", {}).get("split")
        assert generated == trained_on_coolprop(split), m["name"]
        if generated:
            out.append(m)
    return sorted(out, key=lambda m: m["name"])


@pytest.mark.unit
def test_a_coolprop_fluid_without_a_registry_entry_has_chemicals_constants():
    """R22 is no registry entry: its CoolProp name gives the fluid's entry, the constants
    are chemicals' for CoolProp's CAS number; an unknown name still fails with a hint."""
    import CoolProp.CoolProp as CP
    from chemicals import Tc

    from propkg.components import get_constants

    c = get_constants("R22")
    assert (c.name, c.coolprop) == ("r22", "R22")
    assert c.cas == CP.get_fluid_param_string("R22", "CAS") == "75-45-6"
    assert c.Tc == pytest.approx(Tc("75-45-6"))
    assert get_constants("r1233zd(e)").aliases.count("trans-1-chloro-3,3,3-trifluoropropene")
    with pytest.raises(DataError, match="CoolProp names"):
        get_constants("unobtainium")


@pytest.mark.integration
def test_a_shipped_coolprop_zoo_model_equals_coolprop_and_its_thermoml_figure():
    """The first CoolProp-trained zoo file by name: found by CAS and CoolProp name; its Psat
    is CoolProp's (PropsSI) inside its domain; its recorded test-publication AAD is the
    onnxruntime error on the ThermoML points of the publications it names (loader)."""
    import CoolProp.CoolProp as CP

    from propkg.components import get_constants
    from propkg.zoo.coolprop_payload import thermoml_psat_points
    from propkg_contract.metadata import read_metadata
    from propkg_contract.reader import run_onnx

    files = _coolprop_zoo_files()
    assert len(files) >= 30
    entry = files[0]
    path = ZOO / entry["file"]
    meta = read_metadata(path)
    cas = meta.components[0]["cas"]
    fluid = get_constants(entry["name"]).coolprop
    assert CP.get_fluid_param_string(fluid, "CAS") == cas
    assert find_model(cas) == path == find_model(fluid)
    lo, hi = meta.outputs["pressure_sat_comp"].get("domain", meta.domain)["temperature"]
    T = np.linspace(lo, hi, 7)
    psat = np.ravel(run_onnx(path, T=T)["pressure_sat_comp"])
    ref = np.array([CP.PropsSI("P", "T", t, "Q", 0, fluid) for t in T])
    assert np.max(np.abs(psat / ref - 1)) < 2e-3
    recorded = meta.error_statistics["pressure_sat_comp"]
    Tm, pm, src = thermoml_psat_points(get_constants(fluid))
    test = np.isin(src, recorded["test_publications"])
    assert test.all() and test.sum() == recorded["n_points"]
    pred = np.ravel(run_onnx(path, T=Tm)["pressure_sat_comp"])
    aad = 100 * np.mean(np.abs(pred / pm - 1))
    assert aad == pytest.approx(recorded["aad_percent"], rel=CROSS_IMPLEMENTATION_RTOL)
    assert aad < recorded["backbone_alone"]["aad_percent"]


@pytest.mark.unit
def test_propkg_list_names_each_figures_own_reference():
    """A CoolProp-trained zoo file's Psat figure is on ThermoML test publications, its density
    and cp figures on CoolProp: the list says so per figure instead of one reference for all
    (it used to print the Psat one)."""
    from propkg_cli.list import model_rows

    names = {m["name"] for m in _coolprop_zoo_files()}
    rows = [r for r in model_rows() if r["name"] in names]
    assert len(rows) == len(names) >= 30
    for row in rows:
        by_figure = row["held_out_by_figure"]
        assert by_figure["Psat"].startswith("test publications"), row["name"]
        assert by_figure["rho_liq"].startswith("CoolProp"), row["name"]
        assert row["held_out"].startswith("Psat: test publications") and "rho_liq" in row[
            "held_out"]


@pytest.mark.integration
def test_the_coolprop_payload_tests_on_every_thermoml_publication(tmp_path):
    """``propkg zoo build --payload pure_coolprop --thermoml-test`` on n-pentane's CoolProp
    datasets: the task's held-out figure is on ThermoML publications (so the ship rule can
    judge it), the file records them, and the input is not changed."""
    from propkg.datasets import generate_dataset, generate_ideal_gas_dataset
    from propkg.measured import load_pure_vapor_pressure
    from propkg.zoo.ship import ships
    from propkg_cli import main
    from propkg_contract.metadata import read_metadata

    data = tmp_path / "data"
    generate_dataset("n-Pentane", data)
    generate_ideal_gas_dataset("n-Pentane", data)
    before = {p.name: p.read_bytes() for p in data.iterdir()}
    items = tmp_path / "items.txt"
    items.write_text("n-Pentane\n")
    out = tmp_path / "build"
    assert main(["zoo", "build", "--payload", "pure_coolprop", "--components", str(items),
                 "--data", str(data), "--thermoml-test", "--serial", "--output",
                 str(out)]) == 0
    assert {p.name: p.read_bytes() for p in data.iterdir()} == before
    task = json.loads((out / "zoo_summary.json").read_text())["tasks"]["n_pentane"]
    assert task["summary"]["held_out"].startswith("test publications")
    assert ships(task)[0] == (task["summary"]["hybrid_aad_percent"]
                              < task["summary"]["backbone_aad_percent"])
    recorded = read_metadata(out / "n_pentane.onnx").error_statistics["pressure_sat_comp"]
    assert sorted(recorded["test_publications"]) == sorted(
        set(load_pure_vapor_pressure("109-66-0")["source"]))
    assert recorded["coolprop_test_rows"]["n_points"] == 100


@pytest.mark.unit
def test_the_ideal_gas_range_ends_where_coolprops_cp0_stops_rising():
    """R152a's ideal-gas polynomial in CoolProp peaks and later turns negative: its dataset
    ends before the fall (CoolProp's cp0 one step further is lower); water's and argon's
    (a constant 5/2 R) keep the full 200-1500 K."""
    import CoolProp

    from propkg.components import get_constants
    from propkg.datasets import IG_SCAN_STEP, IG_T_HIGH, ideal_gas_upper

    def cp0(fluid, T):
        state = CoolProp.AbstractState("HEOS", fluid)
        state.update(CoolProp.DmolarT_INPUTS, 1e-6, T)
        return state.cp0molar()

    top = ideal_gas_upper(get_constants("R152A"))
    assert top < 1000.0
    assert cp0("R152A", top + IG_SCAN_STEP) < cp0("R152A", top)
    assert cp0("R152A", 1400.0) < 0.0  # why the range must end
    assert ideal_gas_upper(get_constants("water")) == IG_T_HIGH
    assert ideal_gas_upper(get_constants("Argon")) == IG_T_HIGH
