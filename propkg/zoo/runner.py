"""Run independent tasks on Dask (``dask.distributed``) or serially, with progress.

One mechanism for every batch of independent, CPU-bound tasks (zoo fits, ``propkg
validate``): a :class:`TaskRunner` opens either

* nothing (``serial=True``): the tasks run one after the other in this process;
* a ``LocalCluster`` (default): ``n_workers`` worker *processes* (default: the number of
  cores), one thread each;
* a client of a running cluster (``scheduler="tcp://host:port"``).

Results do not depend on where a task ran: every task runs in one thread with the BLAS /
OpenMP pools limited to one thread (:data:`THREAD_ENV`, set in the worker processes'
environment before they start and again around each task), tasks are submitted in a fixed
order and every outcome is keyed by its task id. A task that raises is returned as a failed
:class:`Outcome` with its error; it never stops the other tasks. Outcomes arrive as they
complete (``distributed.as_completed``) under a ``tqdm`` bar showing done / failed /
remaining and the estimated time to go.
"""

from __future__ import annotations

import logging
import os
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from propkg_contract.errors import PropkgError

#: environment of every worker: one thread per task in the numerical libraries
THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
}


@dataclass
class Outcome:
    """Result of one task.

    Attributes
    ----------
    task_id : str
        The id the task was submitted under.
    ok : bool
        False if the task raised (or its worker died).
    value : Any
        What the task returned (None if it failed).
    error : str
        ``"ExceptionType: message"`` of a failed task, else ``""``.
    seconds : float
        Wall time of the task in its worker, [s] (0 if the worker died).
    cpu_seconds : float
        CPU time of the task's thread, [s]: below ``seconds`` when the core is shared.
    """

    task_id: str
    ok: bool
    value: Any = None
    error: str = ""
    seconds: float = 0.0
    cpu_seconds: float = 0.0


def _error_text(exc: BaseException) -> str:
    """One line naming the error; library errors (not PropkgError) get their last frame."""
    text = f"{type(exc).__name__}: {exc}".splitlines()[0] if str(exc) else type(exc).__name__
    if not isinstance(exc, PropkgError) and exc.__traceback__ is not None:
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        text += f" (at {os.path.basename(frame.filename)}:{frame.lineno})"
    return text


def call_task(function: Callable[..., Any], task_id: str, args: tuple) -> Outcome:
    """Run ``function(*args)`` in one thread and wrap its result or error in an Outcome.

    This is what runs on a worker; exceptions are caught here, so a failing task is an
    ordinary result for the scheduler.
    """
    os.environ.update(THREAD_ENV)
    start, cpu = time.perf_counter(), time.thread_time()
    try:
        value = function(*args)
    except Exception as exc:  # noqa: BLE001 - any task error is reported, never re-raised
        return Outcome(task_id, False, None, _error_text(exc), time.perf_counter() - start,
                       time.thread_time() - cpu)
    return Outcome(task_id, True, value, "", time.perf_counter() - start,
                   time.thread_time() - cpu)


class TaskRunner:
    """Context manager running tasks serially, on a LocalCluster or on a running cluster.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``); its workers should run
        one thread each (``dask worker ADDRESS --nthreads 1``).
    workers : int, optional
        Worker processes of the LocalCluster (default: ``os.cpu_count()``); ignored with
        ``scheduler``.
    serial : bool
        Run in this process, no Dask at all (the reference the distributed runs are
        compared with).

    Examples
    --------
    >>> with TaskRunner(workers=2) as runner:                       # doctest: +SKIP
    ...     for outcome in runner.map(fit, {"water": ("water",)}):
    ...         print(outcome.task_id, outcome.ok)
    """

    def __init__(self, scheduler: str | None = None, workers: int | None = None,
                 serial: bool = False):
        if workers is not None and workers < 1:
            raise PropkgError(f"the number of workers must be >= 1, got {workers}")
        if serial and scheduler:
            raise PropkgError("a serial run uses no scheduler; give one of serial or scheduler")
        self.scheduler = scheduler
        self.workers = workers or os.cpu_count() or 1
        self.serial = serial
        self.client = None
        self._cluster = None

    @property
    def description(self) -> str:
        """Where the tasks run, in words."""
        if self.serial:
            return "serial (this process)"
        if self.scheduler:
            return f"Dask cluster at {self.scheduler}"
        return f"Dask LocalCluster, {self.workers} worker process(es) x 1 thread"

    def __enter__(self) -> TaskRunner:
        if self.serial:
            return self
        from distributed import Client, LocalCluster

        if self.scheduler:
            try:
                self.client = Client(self.scheduler, timeout="20s")
            except OSError as exc:
                raise PropkgError(
                    f"cannot reach the Dask scheduler at '{self.scheduler}': {exc}; start one "
                    "with 'dask scheduler' and 'dask worker ADDRESS --nthreads 1'"
                ) from None
            self.client.run(os.environ.update, THREAD_ENV)
        else:
            self._cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
                env=dict(THREAD_ENV),
            )
            self.client = Client(self._cluster)
        return self

    def __exit__(self, *exc_info) -> None:
        if self.client is not None:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()
        self.client = self._cluster = None

    def n_workers(self) -> int:
        """Workers available now (1 when serial)."""
        if self.client is None:
            return 1
        return len(self.client.scheduler_info(n_workers=-1)["workers"])

    def map(self, function: Callable[..., Any], tasks: Mapping[str, tuple],
            desc: str = "tasks", progress: bool | None = None) -> Iterator[Outcome]:
        """Run ``function(*args)`` for every ``task_id -> args``; yield Outcomes as they end.

        ``function`` must be importable by the workers (a module-level function). Tasks are
        submitted in the order of ``tasks``; the order of the yielded outcomes is the order
        of completion. ``progress=None`` shows the bar only on a terminal.
        """
        from tqdm import tqdm

        bar = tqdm(total=len(tasks), desc=desc, unit="task", disable=None if progress is None
                   else not progress)
        failed = 0

        def report(outcome: Outcome) -> Outcome:
            nonlocal failed
            failed += not outcome.ok
            bar.update()
            bar.set_postfix_str(
                f"done {bar.n - failed}, failed {failed}, remaining {bar.total - bar.n}"
            )
            return outcome

        try:
            if self.client is None:
                for task_id, args in tasks.items():
                    yield report(call_task(function, task_id, args))
                return
            from distributed import as_completed

            futures = {}
            for task_id, args in tasks.items():
                future = self.client.submit(call_task, function, task_id, args, pure=False,
                                            key=f"propkg-{desc}-{task_id}-{os.urandom(4).hex()}")
                futures[future] = task_id
            for future in as_completed(futures):
                try:
                    outcome = future.result()
                except Exception as exc:  # noqa: BLE001 - a dead worker fails its task only
                    outcome = Outcome(futures[future], False, None, _error_text(exc))
                future.release()
                yield report(outcome)
        finally:
            bar.close()
