"""Bad command lines: ``propkg_cli.main`` returns 2 with a one-line message on stderr."""

import re

import pytest

from exported_models import MODEL_DIR
from propkg_cli import main
from tests.bad_inputs import ANTOINE_A, ANTOINE_B


def _good_csv(tmp):
    import math

    rows = [f"{t},{math.exp(ANTOINE_A - ANTOINE_B / t)!r}" for t in range(300, 380, 10)]
    path = tmp / "data.csv"
    path.write_text("\n".join(["temperature [K],pressure_sat_comp [Pa]", *rows]) + "\n")
    return str(path)


def _hot_csv(tmp):
    rows = [f"{t},{1e5 + t}" for t in range(560, 640, 10)]  # benzene's Tc is 562 K
    path = tmp / "hot.csv"
    path.write_text("\n".join(["temperature [K],pressure_sat_comp [Pa]", *rows]) + "\n")
    return str(path)


def _fit_into(tmp, output):
    return ["fit", "benzene", _good_csv(tmp), "-o", str(output)]


def _folder_named_onnx(tmp):
    folder = tmp / "model.onnx"
    folder.mkdir()
    return _fit_into(tmp, folder)


def _text_file(tmp, name="x.onnx", text="not onnx"):
    path = tmp / name
    path.write_text(text)
    return str(path)


CASES = {
    # usage errors reported by argparse
    "unknown_command": (lambda tmp: ["frobnicate"], "invalid choice: 'frobnicate'"),
    "fit_without_csv": (lambda tmp: ["fit", "benzene"],
                        "fit takes NAME CSV or A B CSV"),
    "validate_jobs_not_integer": (lambda tmp: ["validate", "--jobs", "two"],
                                  "--jobs: invalid int value: 'two'"),
    "info_unknown_option": (lambda tmp: ["info", "--yaml", "x.onnx"],
                            "unrecognized arguments: --yaml"),
    # propkg's own checks
    "fit_unknown_component": (lambda tmp: ["fit", "unobtainium-xyz", _good_csv(tmp)],
                              "'unobtainium-xyz' is unknown"),
    "fit_missing_csv": (lambda tmp: ["fit", "benzene", str(tmp / "absent.csv")],
                        "absent.csv' does not exist"),
    "fit_output_folder_missing": (lambda tmp: _fit_into(tmp, tmp / "no" / "such" / "b.onnx"),
                                  "does not exist; create it first"),
    "fit_output_is_folder": (_folder_named_onnx, "is a folder"),
    "fit_output_not_onnx": (lambda tmp: _fit_into(tmp, tmp / "b.txt"), "must end in '.onnx'"),
    "fit_above_critical_temperature": (lambda tmp: ["fit", "benzene", _hot_csv(tmp), "-o",
                                                    str(tmp / "b.onnx")], ">= Tc = 562"),
    "info_missing_file": (lambda tmp: ["info", str(tmp / "absent.onnx")], "does not exist"),
    "info_not_onnx": (lambda tmp: ["info", _text_file(tmp)], "not a readable ONNX file"),
    "info_manifest_instead_of_model": (lambda tmp: ["info", str(MODEL_DIR / "manifest.json")],
                                       "not a readable ONNX file"),
    "validate_zero_jobs": (lambda tmp: ["validate", "--jobs", "0"], "--jobs must be >= 1, got 0"),
    "validate_unknown_fluid": (lambda tmp: ["validate", "--skip-mixtures", "--fluids", "nope"],
                               "'nope'"),
    "validate_malformed_pair": (lambda tmp: ["validate", "--fluids", "benzene", "--pairs", "a,b,c"],
                                "'a,b,c' is not of the form a,b"),
    "demo_unknown_refit": (lambda tmp: ["demo", "--output", str(tmp / "out"), "--refit", "nope"],
                           "--refit: .*'nope'"),
}


@pytest.mark.unit
@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_command_line(case, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = CASES[case][0](tmp_path)
    before = sorted(tmp_path.rglob("*"))
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert re.search(r"propkg.*error: ", lines[0])
    assert re.search(CASES[case][1], lines[0]), lines[0]
    assert "fitting" not in captured.out  # refused before any work
    assert sorted(tmp_path.rglob("*")) == before  # nothing written
