"""The zoo's task cache: ``zoo_tasks.json`` in the output folder.

One record per task id: its key (:func:`propkg.zoo.tasks.task_key`), whether it succeeded,
the sha256 of every file it wrote, its report figures or its error, and its wall time.
A task is *up to date* when its key is unchanged and, if it succeeded, every file it wrote
is still there with the same sha256 (a deleted or edited model is refitted). Failures are
cached too (a deterministic failure would fail again); ``retry_failed`` redoes them.

Every finished task appends one line to ``zoo_tasks.log.jsonl`` at once (O(1) per task,
so an interrupted build resumes where it stopped); :meth:`TaskCache.compact` folds the
log into ``zoo_tasks.json`` (atomically) at the end of a build. Loading reads both.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from propkg_contract.errors import DataError
from propkg_contract.registry import sha256_of

CACHE_NAME = "zoo_tasks.json"
LOG_NAME = "zoo_tasks.log.jsonl"
CACHE_SCHEMA_VERSION = 1


class TaskCache:
    """Records of finished tasks, persisted in ``folder / CACHE_NAME``."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.path = self.folder / CACHE_NAME
        self.log = self.folder / LOG_NAME
        self.records: dict[str, dict[str, Any]] = {}
        if self.path.is_file():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise DataError(
                    f"task cache '{self.path}' is not readable JSON ({exc}); delete it to "
                    "rebuild the zoo from scratch"
                ) from None
            if data.get("schema_version") == CACHE_SCHEMA_VERSION:
                self.records = dict(data.get("tasks", {}))
        if self.log.is_file():  # records of a build that stopped before compact()
            for line in self.log.read_text(encoding="utf-8").splitlines():
                try:
                    task_id, record = json.loads(line)
                except (json.JSONDecodeError, ValueError):
                    continue  # a line cut by the interruption: that task is redone
                self.records[task_id] = record

    def up_to_date(self, task_id: str, key: str, retry_failed: bool = False) -> bool:
        """True if ``task_id`` finished with ``key`` and its files are intact."""
        record = self.records.get(task_id)
        if record is None or record.get("key") != key:
            return False
        if not record["ok"]:
            return not retry_failed
        return all(
            (self.folder / name).is_file() and sha256_of(self.folder / name) == digest
            for name, digest in record["files"].items()
        )

    def store(self, task_id: str, record: dict[str, Any]) -> None:
        """Add or replace one record (appended to the log at once)."""
        self.records[task_id] = record
        with open(self.log, "a", encoding="utf-8") as handle:
            handle.write(json.dumps([task_id, record], sort_keys=True) + "\n")

    def compact(self) -> None:
        """Write all records to ``zoo_tasks.json`` atomically and remove the log."""
        text = json.dumps(
            {"schema_version": CACHE_SCHEMA_VERSION, "tasks": self.records}, indent=1,
            sort_keys=True,
        )
        tmp = self.path.with_suffix(".json.tmp")
        tmp.write_text(text + "\n", encoding="utf-8")
        os.replace(tmp, self.path)
        self.log.unlink(missing_ok=True)
