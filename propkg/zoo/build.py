"""Build a model zoo: prepare, skip what is up to date, fit the rest on Dask, export.

:func:`build_zoo` is the engine behind ``propkg zoo build``:

1. every requested item is **prepared** by its payload in the client (name resolved, data
   read and hashed); an item that cannot be prepared (unknown compound, no data) is a
   failed task with its error, never an abort;
2. tasks whose key is unchanged and whose files are intact are **reused**
   (:class:`propkg.zoo.cache.TaskCache`);
3. the others **run** through a :class:`propkg.zoo.runner.TaskRunner` (serial, a
   LocalCluster or a running Dask cluster); each finished task's files are written by the
   client and recorded in the cache at once (an interrupted build resumes);
4. the **manifest** (``manifest.json``, written once per build by
   :func:`propkg_contract.registry.write_manifest_entries`) lists every model of a
   successful task, ``zoo_summary.json`` the figures and errors of
   all tasks (deterministic: no times, hosts or paths), and :mod:`propkg.zoo.report` writes
   ``zoo_report.md`` and its figure.

The output folder has the layout of a model folder (``*.onnx`` + ``manifest.json``), so
``PROPKG_MODEL_DIR=OUTPUT`` makes the zoo's models available by name.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from propkg.zoo.cache import TaskCache
from propkg.zoo.payloads import get_payload
from propkg.zoo.runner import TaskRunner
from propkg.zoo.tasks import TaskResult, TaskSpec, source_digest, task_key
from propkg_contract.errors import DataError, PropkgError
from propkg_contract.registry import write_manifest_entries

SUMMARY_NAME = "zoo_summary.json"


@dataclass
class BuildSummary:
    """What a build did.

    Attributes
    ----------
    output : Path
        The zoo folder.
    ran : list of str
        Task ids fitted in this build (successfully).
    reused : list of str
        Task ids up to date from an earlier build.
    failed : dict
        Task id -> ``{"stage": "prepare" | "run", "error": str}`` of the failed tasks.
    seconds : dict
        Task id -> wall time [s] in its worker, of the tasks run now.
    cpu_seconds : dict
        Task id -> CPU time [s] of the task's thread, of the tasks run now.
    wall_seconds : float
        Wall time of the whole build, [s].
    where : str
        Where the tasks ran (:attr:`TaskRunner.description`).
    client_seconds : dict
        Time [s] spent in this process: ``prepare`` (names, data hashes), ``keys`` (source
        digest, up-to-date checks), ``results`` (writing files and cache records) and
        ``finish`` (manifest, summary, cache compaction, report).
    """

    output: Path
    ran: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    failed: dict[str, dict[str, str]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    wall_seconds: float = 0.0
    where: str = ""
    client_seconds: dict[str, float] = field(default_factory=dict)


def run_payload(payload: str, args: tuple) -> TaskResult:
    """Run one task of ``payload`` (the function the workers execute)."""
    return get_payload(payload).run(*args)


def _item_id(item) -> str:
    return item if isinstance(item, str) else ",".join(item)


def prepare_tasks(
    requests: list[tuple[str, Any]], options: dict
) -> tuple[dict[str, TaskSpec], dict[str, dict[str, str]]]:
    """Prepare ``(payload, item)`` requests; return specs by task id and failures by item."""
    specs: dict[str, TaskSpec] = {}
    failed: dict[str, dict[str, str]] = {}
    for payload, item in requests:
        try:
            spec = get_payload(payload).prepare(item, options)
        except PropkgError as exc:
            failed[_item_id(item)] = {"stage": "prepare", "error": f"{type(exc).__name__}: {exc}"}
            continue
        if spec.task_id in specs:
            failed[_item_id(item)] = {
                "stage": "prepare",
                "error": f"duplicate: '{_item_id(item)}' is the same task as "
                f"'{specs[spec.task_id].inputs.get('item')}' ({spec.task_id})",
            }
            continue
        specs[spec.task_id] = spec
    return specs, failed


def _write_result(folder: Path, result: TaskResult, old_files: dict[str, str]) -> dict[str, str]:
    """Write a task's files (and remove files it wrote before but not now); their sha256."""
    from propkg_contract.registry import sha256_of

    for name in set(old_files) - set(result.files):
        (folder / name).unlink(missing_ok=True)
    digests = {}
    for name, blob in sorted(result.files.items()):
        if Path(name).name != name:
            raise DataError(f"a zoo payload returned the file name '{name}'; plain names only")
        (folder / name).write_bytes(blob)
        digests[name] = sha256_of(folder / name)
    return digests


def write_summary(folder: Path, cache: TaskCache, task_ids: list[str],
                  prepare_failures: dict[str, dict[str, str]]) -> Path:
    """``zoo_summary.json``: figures or error of every task of this build, sorted by id."""
    tasks = {}
    for task_id in sorted(task_ids):
        record = cache.records[task_id]
        entry = {"ok": record["ok"], "files": record["files"]}
        entry.update({"summary": record["summary"]} if record["ok"] else
                     {"error": record["error"], "stage": "run"})
        tasks[task_id] = entry
    for item, failure in sorted(prepare_failures.items()):
        tasks[item] = {"ok": False, "files": {}, **failure}
    path = folder / SUMMARY_NAME
    path.write_text(json.dumps({"schema_version": 1, "tasks": tasks}, indent=1, sort_keys=True)
                    + "\n", encoding="utf-8")
    return path


def build_zoo(
    requests: list[tuple[str, Any]],
    output: str | Path,
    options: dict | None = None,
    runner: TaskRunner | None = None,
    retry_failed: bool = False,
    progress: bool | None = None,
    report: bool = True,
) -> BuildSummary:
    """Build (or update) a zoo in ``output`` (module docstring, steps 1-4).

    Parameters
    ----------
    requests : list of (payload, item)
        Payload name (:data:`propkg.zoo.payloads.PAYLOADS`) and item (a name or CAS, or a
        pair ``(a, b)``).
    output : str or Path
        The zoo folder (created if needed; the user's input files are never modified).
    options : dict
        Payload options (``data``: data folder or file; payload settings).
    runner : TaskRunner, optional
        An *entered* runner; default: a serial run in this process.
    retry_failed : bool
        Redo tasks that failed with the same key before.
    """
    start = time.perf_counter()
    options = dict(options or {})
    folder = Path(output)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(f"cannot create the zoo folder '{folder}': {exc.strerror}") from None
    runner = runner or TaskRunner(serial=True)
    summary = BuildSummary(folder.resolve(), where=runner.description)
    clock = {"prepare": 0.0, "keys": 0.0, "results": 0.0, "finish": 0.0}
    tick = time.perf_counter()
    specs, summary.failed = prepare_tasks(requests, options)
    prepare_failures = dict(summary.failed)
    clock["prepare"], tick = time.perf_counter() - tick, time.perf_counter()
    cache = TaskCache(folder)
    sources = source_digest()
    keys = {task_id: task_key(spec, sources) for task_id, spec in specs.items()}
    todo = {}
    for task_id, spec in specs.items():
        if cache.up_to_date(task_id, keys[task_id], retry_failed):
            summary.reused.append(task_id)
        else:
            todo[task_id] = (spec.payload, spec.args)
    clock["keys"] = time.perf_counter() - tick
    for outcome in runner.map(run_payload, todo, desc="zoo", progress=progress):
        tick = time.perf_counter()
        task_id = outcome.task_id
        old = cache.records.get(task_id, {}).get("files", {})
        record = {"key": keys[task_id], "ok": outcome.ok, "seconds": round(outcome.seconds, 3),
                  "payload": specs[task_id].payload, "inputs": specs[task_id].inputs}
        if outcome.ok:
            try:
                record["files"] = _write_result(folder, outcome.value, old)
            except (PropkgError, OSError) as exc:
                outcome.ok, outcome.error = False, f"{type(exc).__name__}: {exc}"
                record["ok"] = False
            else:
                record.update(summary=outcome.value.summary, entry=outcome.value.entry)
                summary.ran.append(task_id)
        if not outcome.ok:
            for name in old:
                (folder / name).unlink(missing_ok=True)
            record.update(files={}, error=outcome.error)
        summary.seconds[task_id] = outcome.seconds
        summary.cpu_seconds[task_id] = outcome.cpu_seconds
        cache.store(task_id, record)
        clock["results"] += time.perf_counter() - tick
    tick = time.perf_counter()
    records = {task_id: cache.records[task_id] for task_id in specs}
    write_manifest_entries(
        folder,
        [r["entry"] for r in records.values() if r["ok"]],
        remove=tuple(task_id for task_id, r in records.items() if not r["ok"]),
    )
    for task_id, record in records.items():
        if not record["ok"]:
            summary.failed[task_id] = {"stage": "run", "error": record["error"]}
    write_summary(folder, cache, list(specs), prepare_failures)
    cache.compact()
    summary.ran.sort()
    summary.reused.sort()
    if report:
        from propkg.zoo.report import write_report

        summary.wall_seconds = time.perf_counter() - start
        write_report(folder, cache, list(specs), summary)
    clock["finish"] = time.perf_counter() - tick
    summary.client_seconds = clock
    summary.wall_seconds = time.perf_counter() - start
    return summary
