"""The model zoo: many hybrid models built as independent tasks on Dask, resumably.

Modules
-------
``runner``
    :class:`~propkg.zoo.runner.TaskRunner`: serial, ``LocalCluster`` (one thread per
    worker process) or a running cluster; failures are outcomes, never aborts; progress.
``tasks``
    The payload interface, task keys (data sha256 + settings + sha256 of the propkg
    sources).
``payloads``
    Registry of payloads (``pure_coolprop``: the CoolProp-trained pure fit).
``cache``
    ``zoo_tasks.json``: what is up to date.
``build``
    :func:`~propkg.zoo.build.build_zoo`: prepare, skip, run, write files, manifest, summary.
``report``
    ``zoo_report.md`` and its figure.
"""

from propkg.zoo.build import BuildSummary, build_zoo
from propkg.zoo.runner import Outcome, TaskRunner

__all__ = ["BuildSummary", "Outcome", "TaskRunner", "build_zoo"]
