"""The shipped model zoo (``exported_models/zoo``): found like the 20 shipped models, right
against measured ThermoML data, usable in ``vle_config``; the registry's zoo subfolder.

A sample only (three pure models, one pair); ``validation/zoo_measured.py`` covers all.
"""

import json
import shutil

import numpy as np
import pytest
from scipy.optimize import brentq

from exported_models import MODEL_DIR
from propkg.holdout import HELD_OUT_ONE_OF_TWO, K_FOLD_LABEL
from propkg.mixtures.backbones import IDEAL_LABEL
from propkg_contract.errors import MetadataError
from propkg_contract.registry import (
    ZOO_SUBFOLDER,
    find_binary_model,
    find_model,
    load_manifest,
    write_manifest_entries,
)
from tests.tolerances import CROSS_IMPLEMENTATION_RTOL, NLP_SOLUTION_ATOL

ZOO = MODEL_DIR / ZOO_SUBFOLDER
_ZOO_MODELS = load_manifest(ZOO)["models"] if (ZOO / "manifest.json").is_file() else []
_PURE = sorted((m for m in _ZOO_MODELS if m["kind"] == "pure_component"),
               key=lambda m: m["name"])
_PAIRS = sorted((m for m in _ZOO_MODELS if m["kind"] == "binary_excess_gibbs"),
                key=lambda m: m["name"])
_SHIPPED = json.loads((ZOO / "zoo_shipped.json").read_text(encoding="utf-8"))["shipped"] \
    if (ZOO / "zoo_shipped.json").is_file() else {}
#: pure models fitted to measured liquid densities only (payload pure_density_measured)
_DENSITY = [m for m in _PURE
            if _SHIPPED.get(m["name"], {}).get("property") == "dens_mol_liq_comp"]
_PSAT = [m for m in _PURE if m not in _DENSITY]
#: a deterministic sample of the shipped zoo: first, middle and last Psat model by name
SAMPLE = [_PSAT[k]["name"] for k in sorted({0, len(_PSAT) // 2, len(_PSAT) - 1})] \
    if _PSAT else []
#: first and last density model by name
DENSITY_SAMPLE = sorted({_DENSITY[0]["name"], _DENSITY[-1]["name"]}) if _DENSITY else []
#: and the first by name of the vapour-pressure models that kept a fitted density
DENSITY_SAMPLE += sorted(
    n for n, s in _SHIPPED.items()
    if s.get("also_fitted", {}).get("dens_mol_liq_comp", {}).get("kept"))[:1]
#: and the first by name of those tested on one of two publications (second campaign)
SAMPLE += sorted(n for n, s in _SHIPPED.items() if s["held_out"] == HELD_OUT_ONE_OF_TWO
                 and s.get("property", "pressure_sat_comp") == "pressure_sat_comp")[:1]
#: pairs on the ideal-solution backbone (neither UNIFAC groups nor NRTL parameters)
_IDEAL_PAIRS = [m for m in _PAIRS if _SHIPPED.get(m["name"], {}).get("backbone") == IDEAL_LABEL]
#: the first pair by name on a UNIFAC/NRTL backbone and the first on the ideal solution
_PAIR_SAMPLE = [m for m in _PAIRS if m not in _IDEAL_PAIRS][:1] + _IDEAL_PAIRS[:1]


@pytest.mark.unit
def test_the_zoo_is_shipped_beside_the_20_and_does_not_duplicate_them():
    top = load_manifest(MODEL_DIR)["models"]
    top_cas = {c["cas"] for m in top if m["kind"] == "pure_component" for c in m["components"]}
    zoo_cas = {m["components"][0]["cas"] for m in _PURE}
    assert len(_PURE) >= 100 and len(_PAIRS) >= 1
    assert not top_cas & zoo_cas
    assert len([m for m in top if m["kind"] == "pure_component"]) == 20


@pytest.mark.integration
@pytest.mark.parametrize("name", SAMPLE)
def test_a_zoo_model_is_found_by_name_alias_and_cas_and_matches_thermoml_test_points(name):
    """The file's Psat on the measured points of its test publications (ThermoML, not
    fitted) has the AAD its metadata records, below the Ambrose-Walton backbone's on the
    same points (``chemicals``' Ambrose_Walton and constants: the rule the zoo ships by)."""
    from chemicals import Pc, Tc, omega
    from chemicals.vapor_pressure import Ambrose_Walton

    entry = next(m for m in _PSAT if m["name"] == name)
    cas = entry["components"][0]["cas"]
    path = find_model(name)
    assert path.parent == ZOO
    assert find_model(cas) == path
    assert all(find_model(alias.upper()) == path for alias in entry["aliases"])
    aad, T, P, stats = _psat_test_publication_aad(path, cas)
    assert aad == pytest.approx(stats["aad_percent"], rel=CROSS_IMPLEMENTATION_RTOL)
    backbone = np.array([Ambrose_Walton(t, Tc(cas), Pc(cas), omega(cas)) for t in T])
    assert aad < 100 * np.mean(np.abs(backbone / P - 1))


def _psat_test_publication_aad(path, cas):
    """(AAD % of the file's Psat on the ThermoML points of the test publications its metadata
    names, by the loader and onnxruntime, below 0.999 Tc and without repeated data sets as
    the zoo's payload takes them; T; P; the recorded statistics)."""
    from propkg.components import constants_for
    from propkg.zoo.coolprop_payload import thermoml_psat_points
    from propkg_contract.metadata import read_metadata
    from propkg_contract.reader import run_onnx

    stats = read_metadata(path).error_statistics["pressure_sat_comp"]
    T, P, src = thermoml_psat_points(constants_for(cas))  # below 0.999 Tc, repeats dropped
    held = np.isin(src, stats["test_publications"])
    assert held.sum() == stats["n_points"] > 0
    T, P = T[held], P[held]
    pred = np.ravel(run_onnx(path, T=T)["pressure_sat_comp"])
    return 100 * np.mean(np.abs(pred / P - 1)), T, P, stats


@pytest.mark.integration
@pytest.mark.parametrize(("name", "large"), [("2_ethylhexanol", True), ("1_butanol", False),
                                             ("4_methylmorpholine", True)])
def test_vle_config_warns_when_a_compounds_test_publication_error_is_large(name, large, caplog):
    """The zoo Psat's AAD on its ThermoML test publications, measured here with onnxruntime,
    decides the warning: 2-ethylhexanol misses them by about 90 % (its backbone by more),
    1-butanol by about 2 %, 4-methylmorpholine by about 30 %; the warning adds that the
    critical constants are estimates exactly when chemicals has only group-contribution
    values of Tc (4-methylmorpholine)."""
    from chemicals.critical import Tc_methods

    from idaes_plugin import vle_config
    from idaes_plugin.held_out import HELD_OUT_WARNING_PERCENT
    from propkg.components import ESTIMATION_METHODS

    path = find_model(name)
    cas = next(m for m in _PSAT if m["name"] == name)["components"][0]["cas"]
    aad, _, _, _ = _psat_test_publication_aad(path, cas)
    with caplog.at_level("WARNING"):
        vle_config([name, "toluene"], activity_model=None)
    warned = f"vapour pressure of '{name}' ({path.name}) misses its held-out data" in caplog.text
    assert (aad > HELD_OUT_WARNING_PERCENT) == large
    assert warned == large
    if warned:
        assert f"{aad:.1f} % AAD" in caplog.text
        estimated = set(Tc_methods(cas)) <= ESTIMATION_METHODS
        assert ("group-contribution estimates" in caplog.text) == estimated
        assert estimated == (name == "4_methylmorpholine")


@pytest.mark.integration
@pytest.mark.parametrize("name", DENSITY_SAMPLE)
def test_a_density_zoo_model_matches_thermoml_test_points_better_than_rackett(name):
    """A compound fitted to measured liquid densities (only, or beside its vapour
    pressure): found by name and CAS; its density on the near-saturation points of its
    test publications (ThermoML, not fitted) has the recorded AAD, below Rackett's
    (``chemicals.volume.Rackett`` with ``chemicals`` constants) on the same points; the
    metadata of a density-only file say Psat was not fitted."""
    from chemicals.volume import Rackett

    from propkg.components import constants_for
    from propkg.measured import load_liquid_density
    from propkg.zoo.measured_payload import first_occurrences
    from propkg_contract.metadata import read_metadata
    from propkg_contract.reader import run_onnx

    entry = next(m for m in _PURE if m["name"] == name)
    cas = entry["components"][0]["cas"]
    path = find_model(name)
    assert path.parent == ZOO and find_model(cas) == path
    meta = read_metadata(path)
    assert meta.fitted_to_data("dens_mol_liq_comp")
    assert meta.fitted_to_data("pressure_sat_comp") == (entry not in _DENSITY)
    stats = meta.error_statistics["dens_mol_liq_comp"]
    c = constants_for(cas)
    df = load_liquid_density(cas)
    df = df[df["temperature [K]"] < 0.999 * c.Tc]
    # the payload's data rule: a point repeated (same T and value) counts once
    df = df[first_occurrences(df["temperature [K]"].to_numpy(),
                              df["dens_mol [mol/m**3]"].to_numpy(), df["source"].to_numpy())]
    held = df[df["source"].isin(set(stats["test_publications"]))]
    assert len(held) == stats["n_points"] > 0
    T, rho = held["temperature [K]"].to_numpy(), held["dens_mol [mol/m**3]"].to_numpy()
    pred = np.ravel(run_onnx(path, T=T)["dens_mol_liq_comp"])
    aad = 100 * np.mean(np.abs(pred / rho - 1))
    assert aad == pytest.approx(stats["aad_percent"], rel=CROSS_IMPLEMENTATION_RTOL)
    rackett = np.array([1.0 / Rackett(t, c.Tc, c.Pc, c.Zc) for t in T])
    assert aad < 100 * np.mean(np.abs(rackett / rho - 1))


@pytest.mark.unit
def test_pairs_are_selected_only_from_pure_models_with_a_fitted_psat():
    from propkg.mixtures.bubble_data import PurePsat
    from propkg.zoo.binary_payload import modelled_cas
    from propkg_contract.errors import DataError

    cas = modelled_cas()
    assert {m["components"][0]["cas"] for m in _PSAT} <= cas
    assert not {m["components"][0]["cas"] for m in _DENSITY} & cas
    with pytest.raises(DataError, match="no fitted vapour pressure"):
        PurePsat(_DENSITY[0]["name"])  # what every pair fit and comparison loads
    assert PurePsat(_PSAT[0]["name"]).domain[0] > 0


@pytest.mark.unit
def test_vle_config_warns_that_a_density_only_file_has_an_estimated_psat(caplog):
    from idaes_plugin import vle_config

    assert _DENSITY and _PSAT
    with caplog.at_level("WARNING"):
        vle_config([_DENSITY[0]["name"], "toluene"], activity_model=None)
    assert f"vapour pressure of '{_DENSITY[0]['name']}'" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING"):
        vle_config([_PSAT[0]["name"], "toluene"], activity_model=None)
    assert "Ambrose-Walton backbone alone" not in caplog.text


@pytest.mark.component
@pytest.mark.parametrize("entry", _PAIR_SAMPLE, ids=lambda e: e["name"])
def test_vle_config_with_a_zoo_pair_solves_its_bubble_temperature(entry):
    """IDAES bubble temperature of a zoo pair (both pure models and the g^E file found by
    name) equals an independent root of x1 g1 Psat1 + x2 g2 Psat2 = P from onnxruntime,
    at 30 % of the temperature range common to the three files; for a pair on a UNIFAC or
    NRTL backbone and for one on the ideal solution (g^E = 0 + learned correction)."""
    import pyomo.environ as pyo
    from idaes.core import FlowsheetBlock
    from idaes.models.properties.modular_properties import GenericParameterBlock

    import idaes_plugin  # noqa: F401  (registers the pip-only IPOPT)
    from idaes_plugin.pure_methods import MODEL_KEY
    from idaes_plugin.vle_package import vle_config
    from propkg_contract.metadata import read_metadata
    from propkg_contract.reader import run_onnx

    a, b = (c["name"] for c in entry["components"])
    path, swapped = find_binary_model(a, b)
    assert path.parent == ZOO and not swapped
    cfg = vle_config([a, b], activity_model="hybrid")
    assert [cfg["components"][n]["parameter_data"][MODEL_KEY] for n in (a, b)] == [
        str(find_model(a)), str(find_model(b))]
    domains = [_psat_domain(find_model(n)) for n in (a, b)]
    domains.append(tuple(read_metadata(path).domain["temperature"]))
    lo, hi = max(d[0] for d in domains), min(d[1] for d in domains)
    x1, T0 = 0.4, lo + 0.3 * (hi - lo)

    def pressure(T):
        x = np.array([[x1, 1 - x1]])
        ln_g = np.ravel(run_onnx(path, T=[T], mole_frac_comp=x)["log_act_coeff_comp"])
        ps = [float(np.ravel(run_onnx(find_model(n), T=[T])["pressure_sat_comp"])[0])
              for n in (a, b)]
        return x1 * np.exp(ln_g[0]) * ps[0] + (1 - x1) * np.exp(ln_g[1]) * ps[1]

    P = pressure(T0)
    t_ref = brentq(lambda T: pressure(T) - P, lo, hi, xtol=1e-10)
    m = pyo.ConcreteModel()
    m.fs = FlowsheetBlock(dynamic=False)
    m.fs.props = GenericParameterBlock(**cfg)
    m.fs.sb = m.fs.props.build_state_block([0], defined_state=True)
    sb = m.fs.sb[0]
    sb.flow_mol.fix(1.0)
    sb.temperature.fix(T0)
    sb.pressure.fix(P)
    sb.mole_frac_comp[a].fix(x1)
    sb.mole_frac_comp[b].fix(1 - x1)
    sb.temperature_bubble  # noqa: B018 (build on demand)
    m.fs.sb.initialize()
    assert pyo.check_optimal_termination(pyo.SolverFactory("ipopt").solve(m))
    t_bubble = pyo.value(sb.temperature_bubble["Vap", "Liq"])
    assert t_bubble == pytest.approx(t_ref, abs=NLP_SOLUTION_ATOL)


def _psat_domain(path) -> tuple[float, float]:
    """Temperature domain [K] of a pure file's Psat output."""
    from propkg_contract.metadata import read_metadata

    meta = read_metadata(path)
    out = meta.outputs["pressure_sat_comp"]
    return tuple(out.get("domain", meta.domain)["temperature"])


@pytest.fixture
def folder(tmp_path):
    """A model folder with water (top level) and, in its zoo, a second copy of water's
    file registered as 'aqua' and a binary of 'aqua' + ethanol (ethanol/water's file)."""
    top, zoo = tmp_path / "models", tmp_path / "models" / ZOO_SUBFOLDER
    zoo.mkdir(parents=True)
    for name in ("water", "ethanol"):
        shutil.copy(find_model(name), top / f"{name}.onnx")
    write_manifest_entries(top, [
        {"name": n, "kind": "pure_component", "file": f"{n}.onnx",
         "components": [{"name": n, "cas": c}], "aliases": [a]}
        for n, c, a in (("water", "7732-18-5", "h2o"), ("ethanol", "64-17-5", "etoh"))])
    shutil.copy(find_model("water"), zoo / "aqua.onnx")
    shutil.copy(find_binary_model("ethanol", "water")[0], zoo / "ethanol__aqua.onnx")
    write_manifest_entries(zoo, [
        {"name": "aqua", "kind": "pure_component", "file": "aqua.onnx",
         "components": [{"name": "aqua", "cas": "7732-18-5"}], "aliases": ["h2o", "oxidane"]},
        {"name": "ethanol__aqua", "kind": "binary_excess_gibbs", "file": "ethanol__aqua.onnx",
         "components": [{"name": "ethanol", "cas": "64-17-5"},
                        {"name": "aqua", "cas": "7732-18-5"}]}])
    return top


@pytest.mark.unit
def test_registry_searches_the_folder_first_then_its_zoo(folder):
    zoo = folder / ZOO_SUBFOLDER
    assert find_model("7732-18-5", model_dir=folder) == folder / "water.onnx"
    assert find_model("H2O", model_dir=folder) == folder / "water.onnx"
    assert find_model("oxidane", model_dir=folder) == zoo / "aqua.onnx"
    assert find_binary_model("Oxidane", "etoh", model_dir=folder) == (
        zoo / "ethanol__aqua.onnx", True)
    with pytest.raises(MetadataError, match=r"available: ethanol, water and 1 in its zoo"):
        find_model("unobtainium", model_dir=folder)
    (zoo / "aqua.onnx").write_bytes((zoo / "aqua.onnx").read_bytes() + b"\0")
    with pytest.raises(MetadataError, match=r"aqua\.onnx' has sha256 .* manifest says"):
        find_model("aqua", model_dir=folder)
    assert find_model("water", model_dir=folder) == folder / "water.onnx"


@pytest.mark.unit
def test_a_model_the_zoo_left_out_is_named_with_the_ship_rules_reason(folder):
    """Looking up a compound or pair the zoo built but did not ship says why (the ship
    rule's own reason, as recorded by the build) and how to fit one; other misses do not."""
    from propkg.zoo.ship import ships
    from propkg_contract.registry import ZOO_SHIPPED_RECORD

    summary = {"hybrid_aad_percent": 0.258, "backbone_aad_percent": 0.233, "n_test": 12,
               "held_out": "held out by publication"}
    shipped, reason = ships({"ok": True, "summary": summary})
    assert not shipped
    (folder / ZOO_SUBFOLDER / ZOO_SHIPPED_RECORD).write_text(json.dumps(
        {"shipped": {}, "left_out": {"n_pentane": reason, "ethanol__n_pentane": reason}}))
    with pytest.raises(MetadataError) as caught:
        find_model("n-Pentane", model_dir=folder)
    assert f"built 'n_pentane' but did not ship it: {reason}" in str(caught.value)
    assert "propkg fit n-Pentane DATA.csv" in str(caught.value)
    with pytest.raises(MetadataError, match="built 'ethanol__n_pentane' but did not ship"):
        find_binary_model("n-pentane", "ethanol", model_dir=folder)
    with pytest.raises(MetadataError) as caught:
        find_model("unobtainium", model_dir=folder)
    assert "did not ship" not in str(caught.value)


@pytest.mark.unit
def test_ship_rule_needs_held_out_publications_and_a_better_test_error_than_the_backbone():
    from propkg.zoo.ship import ships

    def task(hybrid, backbone, held="held out by publication", n_test=10):
        return {"ok": True, "summary": {"hybrid_aad_percent": hybrid, "n_test": n_test,
                                        "backbone_aad_percent": backbone, "held_out": held}}

    assert ships(task(1.0, 2.0)) == (True, "")
    assert ships(task(1.0, 2.0, "test publications (2)"))[0]
    assert ships(task(1.0, 2.0, HELD_OUT_ONE_OF_TWO))[0]
    assert "held-out publications" in ships(task(1.0, 2.0, K_FOLD_LABEL))[1]
    assert "does not beat" in ships(task(2.0, 2.0))[1]
    assert "held-out publications" in ships(task(1.0, 2.0, "5-fold over temperature"))[1]
    assert "held-out publications" in ships(task(1.0, 2.0, n_test=0))[1]
    failed = ships({"ok": False, "stage": "prepare", "error": "DataError: no data"})
    assert failed == (False, "build failed (prepare): DataError: no data")
    json.dumps(failed)


@pytest.mark.unit
def test_zoo_pairs_without_unifac_groups_or_nrtl_parameters_are_shipped_on_the_ideal_solution():
    """Glycerol (zoo) + water: thermo's DDBST tables have no Dortmund groups for glycerol's
    InChIKey and ChemSep no NRTL pair: check_backbones says why, and such pairs ship on
    the ideal-solution backbone (its metadata name, no ``*_ideal`` outputs)."""
    import thermo.unifac as tu

    from propkg.zoo.binary_payload import check_backbones
    from propkg_contract.errors import DataError
    from propkg_contract.metadata import read_metadata

    tu.load_group_assignments_DDBST()
    assert "PEDCQBHIVMGVHV-UHFFFAOYSA-N" not in tu.DDBST_MODIFIED_UNIFAC_assignments
    with pytest.raises(DataError, match=r"glycerol/water: no UNIFAC \(Dortmund\) or NRTL "
                       r"backbone \(unifac: no DDBST .*PEDCQBHIVMGVHV.*; nrtl: ChemSep has no "
                       r"NRTL parameters.*fitted on the ideal solution"):
        check_backbones(("glycerol", "water"))
    assert _IDEAL_PAIRS
    for entry in _IDEAL_PAIRS:
        pair = tuple(c["name"] for c in entry["components"])
        with pytest.raises(DataError, match="no UNIFAC"):
            check_backbones(pair)
        meta = read_metadata(ZOO / entry["file"])
        assert meta.backbone["gibbs_excess_rt"]["name"] == IDEAL_LABEL
        assert sorted(meta.outputs) == ["gibbs_excess_rt", "log_act_coeff_comp"]


@pytest.mark.integration
def test_an_ideal_backbone_zoo_pair_beats_raoults_law_on_its_thermoml_test_publications():
    """The first ideal-backbone pair's file, evaluated with onnxruntime on the measured
    bubble points of its test publications (ThermoML, never fitted; Psat from the pure
    files), has the bubble-pressure AAD its metadata records and beats Raoult's law (its
    backbone) with the same Psat on the same points."""
    entry = _IDEAL_PAIRS[0]
    aad, raoult, stats = _test_publication_aads(ZOO / entry["file"])
    assert aad == pytest.approx(stats["aad_percent"], rel=CROSS_IMPLEMENTATION_RTOL)
    assert aad < raoult


def _test_publication_aads(path) -> tuple[float, float, dict]:
    """Bubble-pressure AAD [%] of a pair file (onnxruntime, Psat from the pure files) and of
    Raoult's law on the measured bubble points of its test publications (ThermoML, never
    fitted), and the statistics its metadata records."""
    from propkg.mixtures.bubble_data import PurePsat, thermoml_points
    from propkg.mixtures.measured_training import drop_duplicates
    from propkg_contract.metadata import read_metadata
    from propkg_contract.reader import run_onnx

    meta = read_metadata(path)
    a, b = meta.component_names
    psat = PurePsat(a), PurePsat(b)
    raw = drop_duplicates(thermoml_points(a, b, *psat))
    test = raw.subset(raw.mixture & np.isin(raw.source,
                                            meta.raw["training_data"]["test_publications"]))
    stats = meta.error_statistics["pressure_bubble"]
    assert len(test) == stats["n_points"] > 0
    x = np.column_stack([test.x1, 1 - test.x1])
    ln_g = np.asarray(run_onnx(path, T=test.T, mole_frac_comp=x)["log_act_coeff_comp"])
    p1, p2 = psat[0](test.T), psat[1](test.T)
    model = x[:, 0] * np.exp(ln_g[:, 0]) * p1 + x[:, 1] * np.exp(ln_g[:, 1]) * p2
    raoult = x[:, 0] * p1 + x[:, 1] * p2
    return (100 * np.mean(np.abs(model / test.P - 1)),
            100 * np.mean(np.abs(raoult / test.P - 1)), stats)


@pytest.mark.integration
@pytest.mark.parametrize(("pair", "large"), [(("1_3_propanediol", "water"), True),
                                             (("1_4_dioxane", "cyclohexane"), False)])
def test_vle_config_warns_when_a_pairs_test_publication_error_is_large(pair, large, caplog):
    """The hybrid's bubble-pressure AAD on the pair's ThermoML test publications, measured
    here with onnxruntime, decides the warning: 1,3-propanediol/water misses them by tens of
    percent (and the screening flags that publication), 1,4-dioxane/cyclohexane by about 1 %."""
    from idaes_plugin import vle_config
    from idaes_plugin.held_out import HELD_OUT_WARNING_PERCENT

    path, _ = find_binary_model(*pair)
    aad, _, stats = _test_publication_aads(path)
    with caplog.at_level("WARNING"):
        vle_config(list(pair), activity_model="hybrid")
    warned = "misses the bubble pressures of its test publications" in caplog.text
    assert (aad > HELD_OUT_WARNING_PERCENT) == large
    assert warned == large
    if warned:
        assert f"{aad:.1f} % AAD" in caplog.text
        assert "the screening flags test data of its own" in caplog.text


@pytest.mark.integration
def test_a_zoo_compounds_fitted_density_reaches_an_idaes_state_block(caplog):
    """vle_config with a vapour-pressure zoo compound that kept a fitted liquid density
    (the first by name): in an IDAES state block of it (x = 1 - 1e-6 in toluene, ideal
    mixture, 10 bar: liquid) the liquid molar density at a point of its density test
    publications (ThermoML, not fitted) is the measured one within 0.3 %, closer than
    Rackett (chemicals); the plugin warns about the density's domain only outside the
    density's own training range."""
    import logging

    import pyomo.environ as pyo
    from chemicals.volume import Rackett
    from idaes.core import FlowsheetBlock
    from idaes.models.properties.modular_properties import GenericParameterBlock

    import idaes_plugin  # noqa: F401  (registers the pip-only IPOPT)
    from idaes_plugin.vle_package import vle_config
    from propkg.components import constants_for
    from propkg.measured import load_liquid_density
    from propkg_contract.metadata import read_metadata

    name = next(n for n, s in sorted(_SHIPPED.items())
                if s.get("also_fitted", {}).get("dens_mol_liq_comp", {}).get("kept"))
    meta = read_metadata(find_model(name))
    c = constants_for(meta.components[0]["cas"])
    stats = meta.error_statistics["dens_mol_liq_comp"]
    df = load_liquid_density(c.cas)
    held = df[df["source"].isin(stats["test_publications"])]
    T0, rho = (float(held[k].iloc[0]) for k in ("temperature [K]", "dens_mol [mol/m**3]"))
    m = pyo.ConcreteModel()
    m.fs = FlowsheetBlock(dynamic=False)
    m.fs.props = GenericParameterBlock(**vle_config([name, "toluene"], activity_model=None))
    m.fs.sb = m.fs.props.build_state_block([0], defined_state=True)
    sb = m.fs.sb[0]
    sb.flow_mol.fix(1.0)
    sb.temperature.fix(T0)
    sb.pressure.fix(1e6)
    sb.mole_frac_comp[name].fix(1 - 1e-6)
    sb.mole_frac_comp["toluene"].fix(1e-6)
    with caplog.at_level(logging.WARNING):
        m.fs.sb.initialize()
        assert pyo.check_optimal_termination(pyo.SolverFactory("ipopt").solve(m))
        rho_idaes = pyo.value(sb.dens_mol_phase["Liq"])
    assert pyo.value(sb.phase_frac["Liq"]) == pytest.approx(1.0, abs=1e-6)
    rackett = 1.0 / Rackett(T0, c.Tc, c.Pc, c.Zc)
    assert abs(rho_idaes / rho - 1) < min(3e-3, abs(rackett / rho - 1))
    lo, hi = meta.outputs["dens_mol_liq_comp"]["domain"]["temperature"]
    warned = any("dens_mol_liq_comp" in r.getMessage() and "validity domain" in r.getMessage()
                 for r in caplog.records)
    assert warned == (not lo <= T0 <= hi)


@pytest.mark.unit
def test_vle_config_covers_measured_liquid_below_a_metadata_triple_point(caplog):
    """2-heptanol: chemicals' only melting-point table says 353.65 K, ThermoML has liquid
    densities of it from 293 K (loader, independent of the model). vle_config's default
    lower bound reaches down to those data (not to the table's 353.65 K), says so and names
    temperature_bounds; given them, the package starts where the user asked; a pair of
    CoolProp-trained fluids gets no such warning."""
    from chemicals import Tm, Tm_methods

    from idaes_plugin import vle_config
    from propkg.measured import load_liquid_density
    from propkg_contract.metadata import read_metadata

    cas = "543-49-7"
    tables = [m for m in Tm_methods(cas) if m != "JOBACK"]
    assert [Tm(cas, method=m) for m in tables] == [353.65]
    lowest = load_liquid_density(cas)["temperature [K]"].min()
    assert lowest < 300.0
    assert read_metadata(find_model("2_heptanol")).raw["constants"]["Ttriple"] == 353.65
    with caplog.at_level("WARNING"):
        cfg = vle_config(["2_heptanol", "acetone"], activity_model=None)
    assert "triple point of '2_heptanol'" in caplog.text
    assert "temperature_bounds=" in caplog.text
    t_low = cfg["state_bounds"]["temperature"][0]
    assert lowest <= t_low < 300.0
    assert cfg["parameter_data"]["temperature_auxiliary_lower"] <= t_low
    caplog.clear()
    with caplog.at_level("WARNING"):
        cfg = vle_config(["2_heptanol", "acetone"], activity_model=None,
                         temperature_bounds=(250.0, 300.0, 1000.0))
        vle_config(["water", "ethanol"], activity_model=None)
    assert "triple point" not in caplog.text
    assert cfg["state_bounds"]["temperature"][0] == 250.0


@pytest.mark.unit
@pytest.mark.parametrize(("query", "model"), [("54-11-5", "nikotin"),
                                              ("dibenzopyrazine", "phenazine"),
                                              ("benzol", "benzene")])
def test_a_model_is_found_by_any_name_or_cas_chemicals_gives_its_compound(query, model):
    """(S)-nicotine's CAS number and phenazine's synonym are in no manifest; chemicals
    resolves them to the record of the shipped file's CAS number, and the lookup follows."""
    from chemicals.identifiers import search_chemical

    path = find_model(model)
    assert query.lower() not in {model, *next(
        m for m in _ZOO_MODELS + load_manifest(MODEL_DIR)["models"]
        if m["name"] == model).get("aliases", [])}
    cas = read_metadata_cas(path)
    assert search_chemical(query).CASs == cas
    assert find_model(query) == path


@pytest.mark.unit
@pytest.mark.parametrize("query", ["C2H6O", "CCO"])
def test_a_formula_or_smiles_is_not_taken_for_one_of_its_isomers(query):
    """chemicals resolves 'C2H6O' and 'CCO' to ethanol, but a formula names two compounds
    (dimethyl ether too): the lookup refuses rather than guess."""
    from propkg_contract.errors import MetadataError

    with pytest.raises(MetadataError, match=f"no shipped pure_component model named '{query}'"):
        find_model(query)


@pytest.mark.unit
def test_a_pair_is_found_by_a_name_chemicals_gives_its_component():
    """'benzol' is no name or alias in any manifest; chemicals knows it as benzene, so the
    binary lookup finds the benzene/toluene file, in either order."""
    from chemicals.identifiers import search_chemical

    from propkg_contract.registry import find_binary_model

    assert search_chemical("benzol").CASs == "71-43-2"
    path, swapped = find_binary_model("benzene", "toluene")
    assert find_binary_model("benzol", "toluene") == (path, swapped)
    assert find_binary_model("toluene", "benzol") == (path, not swapped)


@pytest.mark.unit
def test_a_misspelt_name_is_answered_with_the_model_it_resembles():
    """'nicotine' is neither a name, an alias nor a chemicals synonym of the zoo's file (chemicals
    calls 54-11-5 'nikotin'); the error offers the model whose file carries nicotine's CAS
    number, and an unrelated word gets no suggestion."""
    import re

    with pytest.raises(MetadataError, match="did you mean") as caught:
        find_model("nicotine")
    offered = re.findall(r"'([^']+)'", str(caught.value).split("did you mean")[1].split("?")[0])
    assert find_model("54-11-5") in {find_model(name) for name in offered}
    with pytest.raises(MetadataError) as caught:
        find_model("xyzzyq")
    assert "did you mean" not in str(caught.value)


def read_metadata_cas(path) -> str:
    from propkg_contract.metadata import read_metadata

    return read_metadata(path).components[0]["cas"]
