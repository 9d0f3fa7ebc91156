"""Bad model lookups, registry folders and manifests: typed errors naming the problem."""

import json

import pytest

from propkg_contract.errors import MetadataError
from propkg_contract.registry import MODEL_DIR_VARIABLE, find_binary_model, find_model
from tests import bad_inputs as bi


def _entry(**changes):
    entry = {"name": "benzene", "kind": "pure_component", "file": "benzene.onnx",
             "components": [{"name": "benzene", "cas": "71-43-2"}], "sha256": "0" * 64}
    entry.update(changes)
    return entry


def _folder(manifest=None, text=None, copy=False):
    """A model folder with the given manifest (dict or raw text); None: no manifest."""
    def build(tmp):
        folder = tmp / "models"
        folder.mkdir()
        if copy:
            bi.shipped_copy(folder)
        if text is not None:
            (folder / "manifest.json").write_text(text)
        elif manifest is not None:
            (folder / "manifest.json").write_text(json.dumps(manifest))
        return folder
    return build


LOOKUPS = {
    "unknown_name": (lambda: find_model("unobtainium"), "'unobtainium'.*available: .*benzene"),
    "empty_name": (lambda: find_model("   "), "non-empty name"),
    "none_name": (lambda: find_model(None), "NoneType None"),
    "number_name": (lambda: find_model(71432), "int 71432"),
    "binary_name_as_pure": (lambda: find_model("ethanol__water"),
                            "pure_component.*'ethanol__water'"),
    "pure_name_as_binary": (lambda: find_model("benzene", "binary_excess_gibbs"),
                            "binary_excess_gibbs model named 'benzene'"),
    "unknown_kind": (lambda: find_model("benzene", "mixture"), "no shipped mixture model"),
    "binary_unknown_pair": (lambda: find_binary_model("benzene", "water"),
                            "'benzene' \\+ 'water'.*available: .*ethanol__water"),
    "binary_same_component": (lambda: find_binary_model("water", "Water"), "two different"),
    "binary_none": (lambda: find_binary_model("water", None), "two component names"),
}


@pytest.mark.unit
@pytest.mark.parametrize("case", sorted(LOOKUPS))
def test_bad_lookup(case):
    call, pattern = LOOKUPS[case]
    with pytest.raises(MetadataError, match=pattern):
        call()


FOLDERS = {
    "folder_missing": (lambda tmp: tmp / "absent", "PROPKG_MODEL_DIR=.*absent.*not a folder"),
    "folder_is_a_file": (lambda tmp: bi.shipped_copy(tmp), "not a folder"),
    "no_manifest": (_folder(), "available: \\(none\\)"),
    "garbage_manifest": (_folder(text="garbage{"), "manifest.*not readable JSON"),
    "manifest_is_a_list": (_folder(text="[1, 2]"), "schema_version"),
    "manifest_schema_2": (_folder({"schema_version": 2, "models": []}), "schema_version 2"),
    "entry_without_kind": (_folder({"schema_version": 1, "models": [
        {k: v for k, v in _entry().items() if k != "kind"}]}), "models\\[0\\] lacks \\['kind'\\]"),
    "entry_without_sha256": (_folder({"schema_version": 1, "models": [
        {k: v for k, v in _entry().items() if k != "sha256"}]}), "lacks \\['sha256'\\]"),
    "listed_file_missing": (_folder({"schema_version": 1, "models": [_entry()]}),
                            "'benzene.onnx', which does not exist"),
    "listed_file_sha256_differs": (_folder({"schema_version": 1, "models": [_entry()]}, copy=True),
                                   "sha256 .* manifest says 0000"),
}


@pytest.mark.unit
@pytest.mark.parametrize("case", sorted(FOLDERS))
def test_bad_model_folder(case, tmp_path, monkeypatch):
    build, pattern = FOLDERS[case]
    monkeypatch.setenv(MODEL_DIR_VARIABLE, str(build(tmp_path)))
    with pytest.raises(MetadataError, match=pattern):
        find_model("benzene")
