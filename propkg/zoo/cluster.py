"""A throw-away Dask cluster of separate OS processes (``dask scheduler`` + ``dask worker``).

What tests and benchmarks use to exercise the ``--scheduler`` route exactly as a real
cluster is used: the scheduler and each worker are their own processes started with
:class:`subprocess.Popen` (this interpreter, ``-m distributed.cli.dask_scheduler`` /
``dask_worker --nthreads 1``), and are stopped by their process ids on exit.

``new_sessions=True`` starts each process in its own session (``setsid``). On Linux with
autogroup scheduling (``/proc/sys/kernel/sched_autogroup_enabled``) a saturated machine
shares CPU time per *session*, so workers of one session split one share between them;
in their own sessions each worker gets a share, as each worker of a real cluster has its
own core.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from propkg.zoo.runner import THREAD_ENV
from propkg_contract.errors import PropkgError


@contextlib.contextmanager
def dask_processes(n_workers: int = 2, new_sessions: bool = False, timeout: float = 120.0,
                   pythonpath: str | os.PathLike | None = None) -> Iterator[str]:
    """Start a scheduler and ``n_workers`` one-thread workers; yield the scheduler address.

    Parameters
    ----------
    n_workers : int
        Worker processes (each ``--nthreads 1``).
    new_sessions : bool
        Start every process in its own session (see the module docstring).
    timeout : float
        Seconds to wait for the scheduler and all workers, [s].
    pythonpath : path, optional
        Folder put first on the processes' ``PYTHONPATH`` (e.g. a source checkout).
    """
    from distributed import Client

    env = dict(os.environ, **THREAD_ENV)
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join(
            [str(pythonpath), *filter(None, [os.environ.get("PYTHONPATH")])])
    procs: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="propkg-dask-") as tmp:
        info = Path(tmp) / "scheduler.json"

        def start(*args: str) -> None:
            procs.append(subprocess.Popen(
                [sys.executable, "-m", *args, "--no-dashboard"], env=env, cwd=tmp,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=new_sessions))

        try:
            start("distributed.cli.dask_scheduler", "--port", "0", "--scheduler-file",
                  str(info))
            deadline = time.monotonic() + timeout
            while not info.is_file():
                if time.monotonic() > deadline or procs[0].poll() is not None:
                    raise PropkgError("the Dask scheduler did not start")
                time.sleep(0.2)
            for _ in range(n_workers):
                start("distributed.cli.dask_worker", "--scheduler-file", str(info),
                      "--nthreads", "1")
            address = json.loads(info.read_text())["address"]
            with Client(address, timeout=f"{timeout}s") as client:
                client.wait_for_workers(n_workers, timeout=timeout)
            yield address
        finally:
            for proc in reversed(procs):
                proc.terminate()
            for proc in procs:
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
