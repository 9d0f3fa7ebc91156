"""Zoo tasks: the pluggable payload interface, task keys and the hash of propkg's sources.

A **payload** turns one requested item (a compound, or a pair ``(a, b)``) into a
:class:`TaskSpec` in the client (:meth:`Payload.prepare`: resolve the name, read and hash
the input data) and runs it on a worker (:attr:`Payload.run`, a module-level function of
``TaskSpec.args``). A run returns a :class:`TaskResult`: the exported files as *bytes*
(written by the client, so workers need no shared file system), the manifest entry and
the figures of the zoo report.

The **task key** (:func:`task_key`) is the sha256 of everything that determines a task's
result: payload name, item, data sha256, settings and the sha256 of the installed propkg
and propkg_contract sources (:func:`source_digest`). A task whose key is unchanged is not
redone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

#: packages whose source files enter every task key
SOURCE_PACKAGES = ("propkg", "propkg_contract")
#: source files that cannot change a task's result (presentation only): not in the digest
NOT_IN_DIGEST = ("propkg/zoo/report.py",)


@dataclass(frozen=True)
class TaskSpec:
    """One prepared task.

    Attributes
    ----------
    task_id : str
        Unique id and file stem of the model (``water``, ``ethanol__water``).
    payload : str
        Name of the payload (:data:`propkg.zoo.payloads.PAYLOADS`).
    args : tuple
        Arguments of the payload's ``run`` (picklable; data as values, not paths).
    inputs : dict
        JSON-serialisable description of the inputs that enters the key (``item``,
        ``data_sha256``, ``settings``).
    """

    task_id: str
    payload: str
    args: tuple
    inputs: dict = field(default_factory=dict)


@dataclass
class TaskResult:
    """What a payload's run returns (pickled back to the client).

    Attributes
    ----------
    files : dict
        File name -> bytes of every exported file (one ONNX file per model).
    entry : dict
        Manifest entry without ``sha256`` (``name``, ``kind``, ``file``, ``components``,
        ``aliases``), for :func:`propkg_contract.registry.write_manifest_entry`.
    summary : dict
        Figures of the zoo report: ``kind``, ``components``, ``property``,
        ``held_out`` (split label), ``n_test``, ``hybrid_aad_percent``,
        ``backbone_aad_percent``, ``reference_aad_percent`` and ``reference`` (an
        independent correlation, e.g. chemicals' or UNIFAC, or None) and
        ``hybrid_aad_on_reference_points`` (the hybrid on the points the reference's AAD
        is over). The entry's ``name`` is the task id.
    """

    files: dict[str, bytes]
    entry: dict[str, Any]
    summary: dict[str, Any]


class Payload(Protocol):
    """Interface of a zoo payload (see the module docstring)."""

    name: str
    kind: str
    #: module-level function of ``TaskSpec.args`` returning a :class:`TaskResult`
    run: Callable[..., TaskResult]

    def prepare(self, item: str | tuple[str, str], options: dict) -> TaskSpec:
        """Resolve ``item``, read and hash its data; raise a PropkgError if impossible."""
        ...

    def select(self, options: dict) -> list:
        """Items chosen by the payload's rule when no list is given."""
        ...


def source_digest(packages: tuple[str, ...] = SOURCE_PACKAGES) -> str:
    """sha256 of the ``*.py`` files of the installed ``packages`` (relative path + bytes).

    Any change of the training code changes every task key, so the zoo is refitted
    (except the files of :data:`NOT_IN_DIGEST`, which only present results).
    """
    import importlib

    digest = hashlib.sha256()
    for package in packages:
        root = Path(importlib.import_module(package).__file__).parent
        for path in sorted(root.rglob("*.py")):
            name = path.relative_to(root.parent).as_posix()
            if "__pycache__" in path.parts or name in NOT_IN_DIGEST:
                continue
            digest.update(name.encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


def task_key(spec: TaskSpec, sources: str) -> str:
    """sha256 of a task's payload, inputs and the propkg source digest."""
    text = json.dumps(
        {"payload": spec.payload, "task_id": spec.task_id, "inputs": spec.inputs,
         "sources": sources},
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def sha256_bytes(*blobs: bytes) -> str:
    """sha256 of byte strings, each followed by a separator."""
    digest = hashlib.sha256()
    for blob in blobs:
        digest.update(blob)
        digest.update(b"\0")
    return digest.hexdigest()
