"""The zoo report: ``zoo_report.md`` and ``figures/zoo_errors.png`` in the zoo folder.

Coverage (requested / fitted / failed per kind), the distribution of the held-out error of
the hybrid models against the backbone alone and the independent reference (``chemicals``
correlation for pure components, UNIFAC for binaries), one row per model, and every
failed or skipped task with its error.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

FIGURE = "figures/zoo_errors.png"
#: summary key -> label of the compared models
SERIES = {
    "hybrid_aad_percent": "hybrid",
    "backbone_aad_percent": "backbone alone",
    "reference_aad_percent": "reference correlation",
}


def _fmt(x) -> str:
    return "-" if x is None else (f"{x:.3g}" if abs(x) < 100 else f"{x:.0f}")


def _table(header, rows) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]


def _figure(folder: Path, by_kind: dict[str, list[dict]], coverage: dict) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kinds = sorted(by_kind) or ["pure_component"]
    fig, axes = plt.subplots(1, len(kinds) + 1, figsize=(5 * (len(kinds) + 1), 4))
    ax = axes[0]
    names = sorted(coverage)
    fitted = [coverage[k]["fitted"] for k in names]
    failed = [coverage[k]["failed"] for k in names]
    ax.bar(names, fitted, label="fitted")
    ax.bar(names, failed, bottom=fitted, label="failed / skipped")
    ax.set_ylabel("tasks")
    ax.set_ylim(0, 1.3 * max([f + g for f, g in zip(fitted, failed, strict=True)] + [1]))
    ax.set_title("coverage")
    ax.legend(loc="upper right")
    for ax, kind in zip(axes[1:], kinds, strict=True):
        for key, label in SERIES.items():
            values = np.sort([s[key] for s in by_kind.get(kind, []) if s.get(key) is not None])
            if values.size:
                ax.step(values, np.arange(1, values.size + 1) / values.size, where="post",
                        label=f"{label} (median {np.median(values):.3g} %)")
        ax.set_xscale("log")
        ax.set_xlabel("held-out AAD [%]")
        ax.set_ylabel("fraction of models")
        ax.set_title(kind)
        ax.legend(fontsize=8)
    fig.tight_layout()
    path = folder / FIGURE
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_report(folder: Path, cache, task_ids: list[str], summary) -> Path:
    """Write the markdown report and its figure; return the report's path."""
    ok = {t: cache.records[t]["summary"] for t in sorted(task_ids) if cache.records[t]["ok"]}
    by_kind: dict[str, list[dict]] = {}
    for s in ok.values():
        by_kind.setdefault(s["kind"], []).append(s)
    coverage: dict[str, dict[str, int]] = {}
    for task_id in task_ids:
        record = cache.records[task_id]
        kind = record["summary"]["kind"] if record["ok"] else record["payload"]
        coverage.setdefault(kind, {"fitted": 0, "failed": 0})
        coverage[kind]["fitted" if record["ok"] else "failed"] += 1
    prep = {k: v for k, v in summary.failed.items() if v["stage"] == "prepare"}
    if prep:
        coverage.setdefault("not prepared", {"fitted": 0, "failed": 0})["failed"] += len(prep)
    _figure(folder, by_kind, coverage)
    task_seconds = sum(cache.records[t].get("seconds", 0.0) for t in summary.ran)
    lines = [
        "# propkg model zoo",
        "",
        f"{len(task_ids) + len(prep)} tasks requested: {len(summary.ran)} fitted in this build, "
        f"{len(summary.reused)} up to date from an earlier build, {len(summary.failed)} failed "
        f"or skipped. Ran on {summary.where}; {summary.wall_seconds:.1f} s wall time, "
        f"{task_seconds:.1f} s of task time in this build. Written by `propkg zoo build`.",
        "",
        f"![coverage and held-out errors]({FIGURE})",
        "",
        "## Held-out error distribution",
        "",
    ]
    rows = []
    for kind, items in sorted(by_kind.items()):
        for key, label in SERIES.items():
            values = np.array([s[key] for s in items if s.get(key) is not None])
            if values.size:
                mine = ("hybrid_aad_on_reference_points" if key == "reference_aad_percent"
                        else "hybrid_aad_percent")
                better = sum(1 for s in items if s.get(key) is not None
                             and s.get(mine) is not None and s[mine] <= s[key])
                rows.append((kind, label, values.size, _fmt(float(np.median(values))),
                             _fmt(float(np.percentile(values, 90))), _fmt(float(values.max())),
                             "-" if key == "hybrid_aad_percent" else f"{better}/{values.size}"))
    lines += _table(("kind", "model", "n models", "median AAD %", "90th pct %", "max %",
                     "hybrid <= it"), rows)
    lines += [
        "",
        "AAD of the property named per model on its held-out points (test publications for "
        "measured data, the test rows for CoolProp data); the reference correlation is "
        "evaluated only inside its own temperature limits, and 'hybrid <= it' compares the "
        "hybrid on those same points.",
        "",
        "## Models",
        "",
        *_table(
            ("model", "kind", "property", "held out", "n test", "hybrid %", "backbone %",
             "reference %", "reference"),
            [(t, s["kind"], s["property"], s["held_out"], s["n_test"],
              _fmt(s["hybrid_aad_percent"]), _fmt(s["backbone_aad_percent"]),
              _fmt(s["reference_aad_percent"]), s["reference"]) for t, s in ok.items()],
        ),
        "",
        "## Failed or skipped",
        "",
    ]
    if summary.failed:
        lines += _table(("task", "stage", "error"),
                        [(t, f["stage"], f["error"].replace("|", "/"))
                         for t, f in sorted(summary.failed.items())])
    else:
        lines.append("None.")
    path = folder / "zoo_report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
