"""``propkg demo`` end to end: numbers printed, report and non-empty figures written."""

import re

import pytest

from propkg_cli import main


@pytest.mark.integration
def test_demo_writes_report_and_figures(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "sha256 verified" in printed
    match = re.search(r"equals the shipped file to ([0-9.e+-]+)", printed)
    assert match and float(match.group(1)) <= 1e-12  # deterministic re-fit
    match = re.search(r"methanol in vapour ([0-9.]+) mol/s", printed)
    assert match and float(match.group(1)) == pytest.approx(0.35, abs=1e-6)
    report = (out / "report.md").read_text()
    assert "Optimum duty" in report
    for name in ("parity_psat.png", "deviation_methanol.png", "flash_txy.png"):
        figure = out / "figures" / name
        assert figure.stat().st_size > 10_000
        assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"figures/{name}" in report


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
