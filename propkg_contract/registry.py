"""The manifest of shipped ONNX models (``exported_models/manifest.json``).

Format (``schema_version`` 1)::

    {
      "schema_version": 1,
      "models": [
        {"name": "benzene", "kind": "pure_component", "file": "benzene.onnx",
         "components": [{"name": "benzene", "cas": "71-43-2"}],
         "aliases": ["benzene", "71-43-2", "c6h6"],
         "sha256": "<hex digest of the file>"},
        {"name": "ethanol__water", "kind": "binary_excess_gibbs", "file": "ethanol__water.onnx",
         "components": [{"name": "ethanol", "cas": "64-17-5"},
                        {"name": "water", "cas": "7732-18-5"}],
         "aliases": [], "sha256": "..."}
      ]
    }

Names and aliases are matched case-insensitively. This module depends only on the
standard library; it is the registry of the contract, used by both sides.

**Zoo subfolder.** A model folder may hold a ``zoo/`` subfolder with its own
``manifest.json`` (same format, files relative to ``zoo/``): the model zoo built by
``propkg zoo build``. Look-ups (:func:`find_model`, :func:`find_binary_model`,
:func:`find_mixture_model`) search the folder's own models first, then its zoo, so the
models of the top-level manifest always win and the two manifests are written
independently (:func:`model_collections`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from propkg_contract.errors import MetadataError

MANIFEST_NAME = "manifest.json"
MANIFEST_SCHEMA_VERSION = 1
#: keys every manifest entry has (``sha256`` is computed when the entry is written)
ENTRY_KEYS = ("name", "kind", "file", "components", "sha256")


def sha256_of(path: str | Path) -> str:
    """Hex sha256 digest of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


#: environment variable naming another model folder (same layout: *.onnx + manifest.json)
MODEL_DIR_VARIABLE = "PROPKG_MODEL_DIR"


def default_model_dir() -> Path:
    """Folder of the models looked up by name: ``$PROPKG_MODEL_DIR`` if set, else the
    models shipped with propkg (the ``exported_models`` package).

    Raises
    ------
    MetadataError
        If ``$PROPKG_MODEL_DIR`` names a folder that does not exist.
    """
    override = os.environ.get(MODEL_DIR_VARIABLE)
    if override:
        folder = Path(override)
        if not folder.is_dir():
            raise MetadataError(
                f"{MODEL_DIR_VARIABLE}='{override}' is not a folder; point it at a folder of "
                "*.onnx files with a manifest.json, or unset it to use the shipped models"
            )
        return folder
    from exported_models import MODEL_DIR

    return MODEL_DIR


def resolve_model_path(source: str | os.PathLike) -> Path:
    """File path of a model given as a path or as a registered name, alias or CAS number.

    Raises
    ------
    MetadataError
        If a path does not exist or a name is not registered.
    """
    if not isinstance(source, str | os.PathLike):
        raise MetadataError(
            f"a model is named by a path, a name, an alias or a CAS number; got "
            f"{type(source).__name__} {source!r}"
        )
    path = Path(source)
    if path.suffix.lower() == ".onnx" or path.is_file():
        if not path.is_file():
            raise MetadataError(f"ONNX file '{path}' does not exist")
        return path.resolve()
    return find_model(str(source))


def check_listed_digest(path: str | Path, digest: str) -> None:
    """If a ``manifest.json`` beside ``path`` lists the file, its sha256 must match.

    Raises
    ------
    MetadataError
        If the listed sha256 differs from ``digest`` (the file was modified).
    """
    path = Path(path)
    if not (path.parent / MANIFEST_NAME).is_file():
        return
    for entry in load_manifest(path.parent)["models"]:
        if entry["file"] == path.name and entry["sha256"] != digest:
            raise MetadataError(
                f"model file '{path}' has sha256 {digest}, its manifest says {entry['sha256']}; "
                "the file was modified or damaged: re-install propkg or re-export the model"
            )


def load_manifest(model_dir: str | Path | None = None) -> dict[str, Any]:
    """Read ``manifest.json`` of ``model_dir`` (default: the shipped models)."""
    model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
    path = model_dir / MANIFEST_NAME
    if not path.is_file():
        return {"schema_version": MANIFEST_SCHEMA_VERSION, "models": []}
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MetadataError(f"manifest '{path}' is not readable JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("schema_version") != MANIFEST_SCHEMA_VERSION or (
        not isinstance(data.get("models"), list)
    ):
        version = data.get("schema_version") if isinstance(data, dict) else None
        raise MetadataError(
            f"manifest '{path}' has schema_version {version!r} or no "
            f"'models' list; expected schema_version {MANIFEST_SCHEMA_VERSION}"
        )
    for k, entry in enumerate(data["models"]):
        missing = [key for key in ENTRY_KEYS if not isinstance(entry, dict) or key not in entry]
        if missing:
            raise MetadataError(
                f"manifest '{path}': models[{k}] lacks {missing}; every entry needs "
                f"{list(ENTRY_KEYS)}: re-export the models or repair the manifest"
            )
    return data


#: subfolder of a model folder holding the model zoo (searched after the folder's own models)
ZOO_SUBFOLDER = "zoo"
#: record of a zoo folder: the figures of every shipped model and why the others were left
#: out (``{"shipped": {name: ...}, "left_out": {name: reason}}``, written by propkg.zoo.ship)
ZOO_SHIPPED_RECORD = "zoo_shipped.json"


def model_collections(model_dir: str | Path | None = None) -> list[tuple[Path, dict[str, Any]]]:
    """``(folder, manifest)`` of a model folder and, if it has one, of its ``zoo`` subfolder.

    The folder's own models come first: a name registered in both resolves to the folder's
    own model (see the module docstring).
    """
    model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
    out = [(model_dir, load_manifest(model_dir))]
    zoo = model_dir / ZOO_SUBFOLDER
    if (zoo / MANIFEST_NAME).is_file():
        out.append((zoo, load_manifest(zoo)))
    return out


def write_manifest_entry(model_dir: str | Path, entry: dict[str, Any]) -> Path:
    """Add or replace (by ``name``) one model entry and rewrite the manifest.

    The sha256 of ``entry['file']`` is computed here; entries are kept sorted by name so
    that re-running an export rewrites identical bytes.
    """
    return write_manifest_entries(model_dir, [entry])


def write_manifest_entries(
    model_dir: str | Path, entries: list[dict[str, Any]], remove: tuple[str, ...] = ()
) -> Path:
    """Add or replace (by ``name``) many entries, drop the ``remove`` names, write once.

    The batch form of :func:`write_manifest_entry` (one read and one write of the manifest
    however many entries: a zoo of thousands of models is not O(n^2)); sha256 of every
    entry's file computed here, entries sorted by name.
    """
    model_dir = Path(model_dir)
    new_entries = {}
    for entry in entries:
        for key in ENTRY_KEYS[:-1]:
            if key not in entry:
                raise MetadataError(f"manifest entry {entry!r} lacks '{key}'")
        file_path = model_dir / entry["file"]
        if not file_path.is_file():
            raise MetadataError(
                f"manifest entry '{entry['name']}': file '{file_path}' does not exist"
            )
        new_entry = dict(entry)
        new_entry.setdefault("aliases", [])
        new_entry["sha256"] = sha256_of(file_path)
        new_entries[new_entry["name"]] = new_entry
    manifest = load_manifest(model_dir)
    dropped = set(remove) | set(new_entries)
    models = [m for m in manifest["models"] if m["name"] not in dropped]
    models.extend(new_entries.values())
    models.sort(key=lambda m: m["name"])
    manifest["models"] = models
    path = model_dir / MANIFEST_NAME
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def _keys_of(entry: dict[str, Any]) -> set[str]:
    keys = {entry["name"].lower()}
    keys.update(a.lower() for a in entry.get("aliases", []))
    if len(entry["components"]) == 1:
        keys.add(entry["components"][0]["cas"].lower())
    return keys


#: a CAS registry number (digits, two digits, check digit)
_CAS_PATTERN = re.compile(r"\d{2,7}-\d\d-\d")


def _chemicals_cas(query: str) -> str | None:
    """The CAS number (lowercase) of the ``chemicals`` record that ``query`` names: a CAS
    number chemicals redirects (an enantiomer's to its compound's), or one of the record's
    names and synonyms. Formulas, SMILES and InChIs, which chemicals also resolves (to one of
    several isomers), are not taken; None if nothing qualifies."""
    from chemicals.identifiers import search_chemical

    text = query.strip()
    try:
        meta = search_chemical(text)
    except Exception:  # chemicals raises ValueError (and others) for unknown identifiers
        return None
    names = {n.lower() for n in [meta.common_name, meta.iupac_name, *(meta.synonyms or [])]
             if n}
    if _CAS_PATTERN.fullmatch(text) or text.lower() in names:
        return meta.CASs.lower()
    return None


def find_model(
    name_or_cas: str, kind: str = "pure_component", model_dir: str | Path | None = None
) -> Path:
    """Path of the shipped model whose name, alias or CAS number matches (case-insensitive).

    Failing that, the CAS number of the ``chemicals`` record of which the query is a CAS
    number, name or synonym (:func:`_chemicals_cas`): '54-11-5' ((S)-nicotine) finds the
    zoo's nicotine, 'dibenzopyrazine' its phenazine. The file's sha256 is checked against
    the manifest.

    Raises
    ------
    MetadataError
        If no model matches (the message lists the available names) or the file's sha256
        differs from the manifest.
    """
    if not isinstance(name_or_cas, str) or not name_or_cas.strip():
        raise MetadataError(
            f"a model is looked up by a non-empty name, alias or CAS number; got "
            f"{type(name_or_cas).__name__} {name_or_cas!r}"
        )
    collections = model_collections(model_dir)
    wanted = name_or_cas.strip().lower()
    for key in (wanted, _chemicals_cas(name_or_cas)):
        for folder, manifest in collections:
            for entry in manifest["models"]:
                if key and entry["kind"] == kind and key in _keys_of(entry):
                    return checked_model_file(folder, entry)
    raise MetadataError(
        f"no shipped {kind} model named '{name_or_cas}' in '{collections[0][0]}'"
        + _close_matches_note(collections, kind, wanted)
        + f"; available: {_available(collections, kind)}"
        + (_left_out_note(collections, [name_or_cas], name_or_cas)
           if kind == "pure_component" else "")
    )


#: similarity (difflib ratio) above which a model name is offered as "did you mean"
CLOSE_MATCH_CUTOFF = 0.75


def _close_matches_note(collections, kind: str, wanted: str) -> str:
    """'; did you mean ...' naming up to three models of ``kind`` whose name or alias is
    spelled like ``wanted`` (a typo, another spelling: 'nicotine' -> the zoo's 'nikotin'),
    with a hint that a CAS number also works; '' if none is close."""
    import difflib

    names = {}
    for _, manifest in collections:
        for entry in manifest["models"]:
            if entry["kind"] == kind:
                for key in _keys_of(entry) - {entry["components"][0]["cas"].lower()}:
                    names.setdefault(key, entry["name"])
    close = difflib.get_close_matches(wanted, list(names), n=3, cutoff=CLOSE_MATCH_CUTOFF)
    if not close:
        return ""
    return ("; did you mean " + " or ".join(
        f"'{k}'" + ("" if names[k] == k else f" (model '{names[k]}')") for k in close)
        + "? (a CAS number finds a model whatever its name)")


def file_safe_name(text: str) -> str:
    """Lowercase, every run of other characters than letters and digits one underscore
    (model and file names: 'n-Pentane' -> 'n_pentane')."""
    out = "".join(ch if ch.isalnum() else "_" for ch in text.strip().lower())
    return "_".join(part for part in out.split("_") if part)


def _left_out_note(collections, keys: list[str], fit_args: str) -> str:
    """Why a zoo built the model but did not ship it (its ``zoo_shipped.json``), as a
    sentence for an error message, or ''. ``keys``: candidate model names as given (a pair
    as 'A__B')."""
    wanted = {k.strip().lower() for k in keys} | {
        "__".join(file_safe_name(part) for part in k.split("__")) for k in keys}
    for folder, _ in collections[1:]:
        record = folder / ZOO_SHIPPED_RECORD
        if not record.is_file():
            continue
        try:
            left_out = json.loads(record.read_text(encoding="utf-8")).get("left_out", {})
        except (OSError, ValueError):
            return ""
        for name, reason in left_out.items():
            if name.lower() in wanted:
                return (f". The model zoo built '{name}' but did not ship it: {reason}. "
                        f"Fit one to your own data: propkg fit {fit_args} DATA.csv")
    return ""


def find_transport_model(name_or_cas: str, model_dir: str | Path | None = None) -> Path:
    """Path of the shipped transport model (kind ``pure_component_transport``) of a component.

    Matched by the component's name, alias or CAS number (case-insensitive); the sha256 is
    checked against the manifest.

    Raises
    ------
    MetadataError
        If no transport model matches (the message lists the available ones).
    """
    return find_model(name_or_cas, "pure_component_transport", model_dir)


def _available(collections: list[tuple[Path, dict[str, Any]]], kind: str) -> str:
    """Names of the folder's own models of ``kind`` and the count of its zoo's."""
    names = sorted(m["name"] for m in collections[0][1]["models"] if m["kind"] == kind)
    n_zoo = sum(m["kind"] == kind for _, manifest in collections[1:] for m in manifest["models"])
    return (", ".join(names) or "(none)") + (
        f" and {n_zoo} in its zoo ('propkg list' shows them)" if n_zoo else "")


def checked_model_file(folder: Path, entry: dict[str, Any]) -> Path:
    """Path of a manifest entry's file, its sha256 checked against the entry."""
    path = folder / entry["file"]
    if not path.is_file():
        raise MetadataError(
            f"the manifest of '{folder}' lists model '{entry['name']}' as file "
            f"'{entry['file']}', which does not exist: re-install propkg, re-export "
            "the model or repair the manifest"
        )
    actual = sha256_of(path)
    if actual != entry["sha256"]:
        raise MetadataError(
            f"model file '{path}' has sha256 {actual}, manifest says {entry['sha256']}; "
            "the file was modified or damaged: re-install propkg or re-export the model"
        )
    return path


def _component_matcher(manifests: list[dict[str, Any]]):
    """``matches(component_entry, wanted)``: a mixture file's component against a user's
    name, alias or CAS number (pure models' aliases included), case-insensitively, or
    failing that the CAS number of the ``chemicals`` record the query names
    (:func:`_chemicals_cas`: 'benzol' is benzene)."""
    pure: dict[str, set[str]] = {}
    for manifest in manifests:
        for m in manifest["models"]:
            if m["kind"] == "pure_component":
                pure.setdefault(m["name"], _keys_of(m))
    resolved: dict[str, set[str]] = {}  # query -> the keys it stands for (looked up once)

    def matches(component: dict[str, Any], wanted: str) -> bool:
        keys = {component["name"].lower(), component["cas"].lower()}
        keys |= pure.get(component["name"], set())
        query = wanted.strip().lower()
        if query in keys:
            return True
        if wanted not in resolved:
            resolved[wanted] = {k for k in (_chemicals_cas(wanted),) if k}
        return bool(resolved[wanted] & keys)

    return matches


def find_binary_model(
    component_1: str, component_2: str, model_dir: str | Path | None = None
) -> tuple[Path, bool]:
    """Path of the shipped binary g^E model of a pair and whether its order is swapped.

    Components are matched by name, alias or CAS number, case-insensitively, in either order.
    Returns ``(path, swapped)``; ``swapped`` is True when the file's component order is
    (component_2, component_1).
    """
    for given in (component_1, component_2):
        if not isinstance(given, str) or not given.strip():
            raise MetadataError(
                f"binary models are looked up by two component names; got {component_1!r} "
                f"and {component_2!r}"
            )
    if component_1.strip().lower() == component_2.strip().lower():
        raise MetadataError(
            f"a binary model needs two different components; got '{component_1}' twice"
        )
    collections = model_collections(model_dir)
    matches = _component_matcher([manifest for _, manifest in collections])
    for folder, manifest in collections:
        for entry in manifest["models"]:
            if entry["kind"] != "binary_excess_gibbs":
                continue
            c1, c2 = entry["components"]
            for swapped, (a, b) in ((False, (c1, c2)), (True, (c2, c1))):
                if matches(a, component_1) and matches(b, component_2):
                    return checked_model_file(folder, entry), swapped
    pairs = [f"{a}__{b}" for a, b in ((component_1, component_2),
                                      (component_2, component_1))]
    raise MetadataError(
        f"no shipped binary model for '{component_1}' + '{component_2}'; "
        f"available: {_available(collections, 'binary_excess_gibbs')}"
        + _left_out_note(collections, pairs, f"{component_1} {component_2}")
    )


def find_mixture_model(components: list[str], model_dir: str | Path | None = None) -> Path:
    """Path of the shipped multicomponent g^E model of exactly these components (any order).

    Raises
    ------
    MetadataError
        If none is registered; the message says how to build one from the binaries.
    """
    collections = model_collections(model_dir)
    matches = _component_matcher([manifest for _, manifest in collections])
    wanted = list(components)
    for folder, manifest in collections:
        for entry in manifest["models"]:
            comps = entry["components"]
            if entry["kind"] != "multicomponent_excess_gibbs" or len(comps) != len(wanted):
                continue
            if all(any(matches(c, w) for c in comps) for w in wanted):
                return checked_model_file(folder, entry)
    raise MetadataError(
        f"no shipped multicomponent g^E model for {wanted}; build one from the binary "
        f"models with: propkg mixture {' '.join(wanted)} -o MIX.onnx, then pass "
        "vle_config(..., mixture_model='MIX.onnx')"
    )
