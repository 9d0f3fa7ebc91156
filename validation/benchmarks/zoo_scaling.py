"""Benchmark: the zoo serial vs on a Dask LocalCluster, and a projection to 10,000 compounds.

Measured in one run on this machine (its load average is reported before and after, since
the machine may be shared):

1. a **serial** build (this process) of the pure_coolprop payload over the shipped CoolProp
   datasets, after one warm-up task (imports and caches not counted), first and last;
2. the **same build on a LocalCluster** of ``--workers`` processes x 1 thread, and on
   ``--workers`` ``dask worker`` processes each in its own session
   (:func:`propkg.zoo.cluster.dask_processes`), after one warm-up task per worker; cluster
   start-up is timed separately; all files must be byte-identical to the serial build's;
3. the **overhead per task** of the scheduler + client: ``--overhead-tasks`` no-op tasks
   through the same runner (wall time / tasks), plus the build's own time per task in
   this process (preparing, writing files and records, manifest, summary, report).

Projection (Amdahl, with the measured serial part): a build of N tasks on W workers takes

.. math:: T(W) = T_{start} + N\\,(s_{sched} + s_{client}) + \\frac{N\\,\\bar t}{W} + t_{max}

with :math:`\\bar t` the mean task time and :math:`t_{max}` the longest task (the last
round's tail), against the serial :math:`T(1) = N(\\bar t + s_{client})`.

Usage::

    python validation/benchmarks/zoo_scaling.py [--fluids 20] [--workers 2]
        [--properties pressure_sat_comp] [--report validation/reports/zoo_scaling.md]
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPORT = HERE.parent / "reports" / "zoo_scaling.md"
N_PROJECTED = 10_000
PROJECTED_WORKERS = (10, 100, 1000)


def _files(folder: Path) -> dict[str, bytes]:
    names = [p.name for p in folder.glob("*.onnx")] + ["manifest.json", "zoo_summary.json"]
    return {n: (folder / n).read_bytes() for n in sorted(names)}


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def projection(n: int, workers: int, mean_task: float, max_task: float, sched: float,
               client: float, startup: float) -> float:
    """Projected wall time [s] of ``n`` tasks on ``workers`` (module docstring)."""
    return startup + n * (sched + client) + n * mean_task / workers + max_task


def main(argv: list[str] | None = None) -> int:
    from propkg.zoo import TaskRunner, build_zoo
    from propkg.zoo.build import prepare_tasks, run_payload
    from propkg.zoo.cluster import dask_processes
    from propkg.zoo.coolprop_payload import select

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fluids", type=int, default=20, help="tasks (shipped datasets)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--properties", nargs="+", default=["pressure_sat_comp"])
    parser.add_argument("--overhead-tasks", type=int, default=300)
    parser.add_argument("--report", type=Path, default=REPORT)
    args = parser.parse_args(argv)

    options = {"properties": args.properties}
    fluids = select(options)[: args.fluids]
    requests = [("pure_coolprop", f) for f in fluids]
    specs, _ = prepare_tasks(requests[:1], options)
    warm = functools.partial(run_payload, "pure_coolprop", next(iter(specs.values())).args)
    load_before = _load()
    tmp = Path(tempfile.mkdtemp(prefix="zoo-bench-"))
    runs: dict[str, dict] = {}

    def timed(label: str, runner=None) -> None:
        t0 = time.perf_counter()
        out = build_zoo(requests, tmp / label, options, runner, report=False, progress=False)
        runs[label] = {"wall": time.perf_counter() - t0, "summary": out,
                       "files": _files(tmp / label), "load": os.getloadavg()[0]}
        print(f"{label}: {runs[label]['wall']:.1f} s (load {runs[label]['load']:.1f})",
              flush=True)

    try:
        print(f"load average {load_before} on {os.cpu_count()} cores; {len(fluids)} tasks",
              flush=True)
        warm()
        timed("serial_1")
        t0 = time.perf_counter()
        with TaskRunner(workers=args.workers) as runner:
            startup = time.perf_counter() - t0
            runner.client.run(warm)
            timed("localcluster", runner)
            t0 = time.perf_counter()
            noop = {f"t{i}": (1.0,) for i in range(args.overhead_tasks)}
            outcomes = list(runner.map(math.sqrt, noop, desc="no-op", progress=False))
            sched = (time.perf_counter() - t0) / len(outcomes)
        with dask_processes(args.workers, new_sessions=True, pythonpath=HERE.parents[1]) as addr:
            with TaskRunner(scheduler=addr) as runner:
                runner.client.run(warm)
                timed("sessions", runner)
        timed("serial_2")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load_after = _load()
    identical = all(r["files"] == runs["serial_1"]["files"] for r in runs.values())
    wall_serial = 0.5 * (runs["serial_1"]["wall"] + runs["serial_2"]["wall"])
    dist = runs["sessions"]["summary"]

    def per_task(label: str) -> tuple[float, float]:
        summary = runs[label]["summary"]
        return (float(np.mean(list(summary.seconds.values()))),
                float(np.mean(list(summary.cpu_seconds.values()))))

    task_s = np.array(list(dist.seconds.values()))
    client = sum(dist.client_seconds.values()) / len(fluids)
    client_serial = sum(runs["serial_1"]["summary"].client_seconds.values()) / len(fluids)
    speedup = wall_serial / runs["sessions"]["wall"]
    mean_task, max_task = float(task_s.mean()), float(task_s.max())
    rows = []
    for w in PROJECTED_WORKERS:
        t_w = projection(N_PROJECTED, w, mean_task, max_task, sched, client, startup)
        t_1 = N_PROJECTED * (mean_task + client_serial)
        rows.append((w, t_w, t_1 / t_w, t_1 / t_w / w))
    labels = {
        "serial_1": "serial (this process), first",
        "localcluster": f"LocalCluster, {args.workers} workers x 1 thread (one session)",
        "sessions": f"{args.workers} `dask worker` processes x 1 thread, own sessions",
        "serial_2": "serial (this process), again",
    }
    table = []
    for label, text in labels.items():
        wall, cpu = per_task(label)
        table.append(f"| {text} | {runs[label]['wall']:.1f} | {runs[label]['load']:.1f} | "
                     f"{wall:.2f} | {cpu:.2f} | {wall_serial / runs[label]['wall']:.2f} |")
    lines = [
        "# Zoo scaling: serial vs Dask LocalCluster, projection to 10,000 compounds",
        "",
        f"Measured by `validation/benchmarks/zoo_scaling.py` on {os.cpu_count()} cores shared "
        f"with other sessions: load average (1/5/15 min) **{load_before}** before, "
        f"**{load_after}** after. Payload `pure_coolprop` ({', '.join(args.properties)}), "
        f"{len(fluids)} tasks, one warm-up task per process before timing.",
        "",
        "Runs in this order (serial first and last, to bracket the load drift); speed-up "
        "against the mean of the two serial runs:",
        "",
        "| run | wall time [s] | load (1 min) at end | mean task wall [s] | mean task CPU [s] "
        "| speed-up |",
        "|---|---|---|---|---|---|",
        *table,
        "",
        f"**Speed-up on {args.workers} workers: {speedup:.2f}** (workers in their own sessions). "
        "This kernel shares CPU time per session (autogroup scheduling, "
        "`sched_autogroup_enabled` = "
        f"{Path('/proc/sys/kernel/sched_autogroup_enabled').read_text().strip()}"
        "): on a saturated machine the LocalCluster's workers, started from this session, "
        "split the one share this session gets, so their wall time per task grows while "
        "their CPU time per task stays that of the serial run - the engine adds no work, "
        "the machine gives no more. Workers in their own sessions each get a share, as each "
        "worker of a real cluster has its own core. LocalCluster start-up: "
        f"{startup:.1f} s.",
        "",
        f"Files byte-identical between the two builds: **{'yes' if identical else 'NO'}**.",
        "",
        f"Overhead per task: scheduler + client round trip {1e3 * sched:.1f} ms "
        f"({args.overhead_tasks} no-op tasks on the LocalCluster); the build's own work per "
        f"task in the client {1e3 * client:.1f} ms "
        f"(prepare {1e3 * dist.client_seconds['prepare'] / len(fluids):.1f}"
        f", results {1e3 * dist.client_seconds['results'] / len(fluids):.1f}, manifest + "
        f"summary {1e3 * dist.client_seconds['finish'] / len(fluids):.1f} ms); longest task "
        f"{max_task:.2f} s.",
        "",
        f"## Projection: {N_PROJECTED:,} tasks of this cost",
        "",
        "T(W) = T_start + N (s_sched + s_client) + N t_mean / W + t_max, "
        "against T(1) = N (t_mean + s_client):",
        "",
        "| workers | projected wall time | speed-up | efficiency |",
        "|---|---|---|---|",
        *[f"| {w} | {t / 3600:.2f} h ({t:.0f} s) | {s:.0f} | {e:.0%} |" for w, t, s, e in rows],
        "",
        f"Serial part per task {1e3 * (sched + client):.1f} ms vs {mean_task:.2f} s of work: "
        f"the serial fraction is {(sched + client) / (mean_task + sched + client):.2%}, so "
        f"Amdahl caps the speed-up near {(mean_task + sched + client) / (sched + client):.0f}. "
        "Task times here are measured on a loaded machine (each worker shares its core); "
        "measured-data fits with model selection are longer per task, which lowers the "
        "serial fraction further. Not modelled: fetching the data to each worker (the "
        "payload sends each task's data with it, a few kB) and scheduler memory at 10^4 "
        "tasks (Dask handles ~10^5-10^6 tasks per scheduler).",
    ]
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(f"wrote {args.report}")
    return 0 if identical else 1


if __name__ == "__main__":
    raise SystemExit(main())
