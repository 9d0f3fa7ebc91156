"""Ship a built zoo: copy the models that beat their backbone into a model folder's zoo.

A model **ships** (:func:`ships`) only when its build task succeeded, its error was
measured on held-out publications (pure: a label starting "held out by publication", also
the two-publication rule; binary: at least one test publication) and its test error is
strictly below its backbone's on the same points (pure: Ambrose-Walton Psat; binary: its
own g^E backbone, UNIFAC-Dortmund or NRTL, with the same pure Psat models); a binary ships
only if it was built on the pure models that ship (the sha256 its task recorded). Every
other model is listed with the reason it stayed out.

:func:`ship_zoo` copies the shipping files of one or more zoo builds (``propkg zoo build``
output folders) into ``target`` (e.g. ``exported_models/zoo``), writes its
``manifest.json`` (:func:`propkg_contract.registry.write_manifest_entries`; entries as the
build wrote them, pure models with ``chemicals``' common and IUPAC names added as aliases
when no top-level model uses them) and ``zoo_shipped.json`` (the figures of every shipped
model and the reason of every model left out). Files of ``target`` not shipped now are
removed. Nothing outside ``target`` is written.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from propkg.zoo.build import SUMMARY_NAME
from propkg.zoo.cache import TaskCache
from propkg_contract.errors import DataError, MetadataError
from propkg_contract.registry import (
    MANIFEST_NAME,
    ZOO_SHIPPED_RECORD,
    load_manifest,
    sha256_of,
    write_manifest_entries,
)


def ships(task: dict[str, Any]) -> tuple[bool, str]:
    """Whether a task of ``zoo_summary.json`` ships, and the reason if not."""
    if not task.get("ok"):
        return False, f"build failed ({task.get('stage', 'run')}): {task.get('error', '')}"
    s = task["summary"]
    by_publication = (str(s.get("held_out", "")).startswith("held out by publication")
                      or str(s.get("held_out", "")).startswith("test publications"))
    if not by_publication or not s.get("n_test"):
        return False, f"no error on held-out publications ({s.get('held_out')})"
    hybrid, backbone = s.get("hybrid_aad_percent"), s.get("backbone_aad_percent")
    if hybrid is None or backbone is None:
        return False, "no test error of the hybrid or of its backbone"
    if not hybrid < backbone:
        return False, (f"test AAD {hybrid:.3g} % does not beat its backbone's "
                       f"{backbone:.3g} %")
    return True, ""


def _extra_aliases(entry: dict[str, Any], taken: set[str]) -> list[str]:
    """``chemicals``' common and IUPAC names of a pure entry not used at the top level."""
    if entry["kind"] != "pure_component":
        return []
    try:
        from chemicals.identifiers import search_chemical

        found = search_chemical(entry["components"][0]["cas"])
        names = [found.common_name, found.iupac_name]
    except Exception:  # chemicals raises ValueError for an unknown CAS
        return []
    return [n.lower() for n in names if n and n.lower() not in taken]


def _built_on_shipped(record: dict[str, Any], zoo_pure: dict[str, str],
                      top: Path) -> tuple[bool, str]:
    """Whether a binary task was built on the pure models that ship (its task record's
    ``pure_models_sha256`` against the zoo's pure files and the top-level models)."""
    from propkg_contract.registry import find_model

    built_on = record.get("inputs", {}).get("pure_models_sha256")
    if not built_on:
        return False, "its build does not record the sha256 of its pure models"
    for name, digest in built_on.items():
        shipped = zoo_pure.get(name)
        if shipped is None:
            try:
                shipped = sha256_of(find_model(name, model_dir=top))
            except MetadataError:
                return False, f"its component '{name}' has no shipped pure model"
        if shipped != digest:
            return False, f"built on another pure model of '{name}' than the shipped one"
    return True, ""


def ship_zoo(builds: list[str | Path], target: str | Path,
             top_level: str | Path | None = None) -> dict[str, Any]:
    """Copy the shipping models of ``builds`` into ``target``; the shipped/left-out record.

    Parameters
    ----------
    builds : list of path
        Zoo build folders (each with ``zoo_summary.json`` and ``manifest.json``), in
        order; a task id present in two builds is taken from the later one.
    target : path
        The zoo folder to write (created; its previous models are replaced).
    top_level : path, optional
        The model folder whose own names and aliases the zoo's added aliases must not
        shadow (default: ``target``'s parent).

    Raises
    ------
    DataError
        If a build folder lacks its summary or manifest.
    """
    target = Path(target)
    top = Path(top_level) if top_level is not None else target.parent
    taken = {k.lower() for m in load_manifest(top)["models"]
             for k in [m["name"], *m.get("aliases", []), *(c["cas"] for c in m["components"])]}
    tasks: dict[str, tuple[Path, dict, dict]] = {}
    inputs: dict[str, dict] = {}
    for build in map(Path, builds):
        if not (build / SUMMARY_NAME).is_file() or not (build / MANIFEST_NAME).is_file():
            raise DataError(f"'{build}' is not a zoo build folder (no {SUMMARY_NAME} or "
                            f"{MANIFEST_NAME}); run propkg zoo build --output {build}")
        entries = {m["name"]: m for m in load_manifest(build)["models"]}
        summary = json.loads((build / SUMMARY_NAME).read_text(encoding="utf-8"))["tasks"]
        for task_id, task in summary.items():
            tasks[task_id] = (build, task, entries.get(task_id, {}))
        inputs.update(TaskCache(build).records)
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob("*.onnx"):
        old.unlink()
    (target / MANIFEST_NAME).unlink(missing_ok=True)
    shipped, left_out, entries = {}, {}, []
    pure_sha: dict[str, str] = {}
    order = sorted(tasks.items(), key=lambda kv: (kv[1][2].get("kind") != "pure_component",
                                                   kv[0]))
    for task_id, (build, task, entry) in order:
        ok, reason = ships(task)
        if ok and not entry:
            ok, reason = False, "no manifest entry in its build"
        if ok and entry["kind"] != "pure_component":
            ok, reason = _built_on_shipped(inputs.get(task_id, {}), pure_sha, top)
        if not ok:
            left_out[task_id] = reason
            continue
        shutil.copyfile(build / entry["file"], target / entry["file"])
        if entry["kind"] == "pure_component":
            pure_sha[entry["name"]] = sha256_of(target / entry["file"])
        aliases = sorted({*entry.get("aliases", []), *_extra_aliases(entry, taken)})
        entries.append({**{k: v for k, v in entry.items() if k != "sha256"}, "aliases": aliases})
        shipped[task_id] = task["summary"]
    write_manifest_entries(target, entries)
    record = {"schema_version": 1, "shipped": shipped, "left_out": left_out}
    (target / ZOO_SHIPPED_RECORD).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n",
                                       encoding="utf-8")
    return record
