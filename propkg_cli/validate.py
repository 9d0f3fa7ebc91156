"""propkg validate: validate the shipped models against the shipped reference data.

Writes one markdown report (validation_report.md) plus figures to the output folder:

* recorded error bounds: each shipped model's held-out errors, recomputed from the ONNX
  file, against the figures recorded in its metadata;
* consistency: cp = dh/dT, ds/dT = cp/T, Psat(Tc) = Pc, Clausius-Clapeyron, on the ONNX
  graph differentiated exactly by CasADi;
* agreement of onnxruntime, CasADi and Pyomo value() evaluations of the same file;
* the pure-component comparison (backbone / hybrid / plain net / Antoine, interpolation and
  extrapolation) and the mixture report (UNIFAC / NRTL / hybrid bubble points, azeotrope,
  infinite dilution - that section needs the optional extra: pip install 'propkg[validation]').

Exit status 1 when any shipped model misses its recorded error bound by more than 10 %
(so CI can run a small subset, e.g. --fluids water --pairs ethanol,water), 2 on bad
arguments. Runs from a plain pip install: the reference data ship with propkg.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from propkg_contract.errors import DataError, PropkgError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="validate the shipped models against the reference datasets, write a report",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--fluids", nargs="+", help="pure fluids (default: all shipped)")
    parser.add_argument(
        "--pairs", nargs="+", help="binaries as a,b (default: all shipped)", metavar="A,B"
    )
    parser.add_argument("--skip-mixtures", action="store_true", help="pure components only")
    parser.add_argument(
        "--jobs", type=int, default=1,
        help="fluids validated in parallel on a Dask LocalCluster of N worker processes "
        "(1: in this process)",
    )
    parser.add_argument(
        "--scheduler", metavar="ADDRESS",
        help="validate the fluids on a running Dask cluster (dask worker ADDRESS --nthreads 1)",
    )
    parser.add_argument(
        "--zoo", nargs="*", metavar="NAME",
        help="validate the shipped model zoo instead of the pure fluids and pairs: every zoo "
        "file, or the named ones (name, alias, CAS; a pair as a,b); against its NIST ThermoML "
        "test publications (fetched once into the propkg cache); writes zoo_validation.md",
    )
    parser.add_argument(
        "--output", default="propkg_validation_output", help="report folder (%(default)s)"
    )
    parser.set_defaults(func=run)


def _validate_fluid(name: str) -> dict:
    """Everything measured for one pure fluid (runs in a worker process)."""
    from propkg_cli.reports.pure import evaluate_fluid
    from propkg_cli.validate_checks import pure_agreement, pure_bounds, pure_consistency
    from propkg_contract.registry import find_model

    path = find_model(name)
    return {
        "comparison": evaluate_fluid(name),
        "bounds": pure_bounds(path),
        "consistency": pure_consistency(path),
        "agreement": pure_agreement(path),
    }


def _selected(args) -> tuple[list[str], list[tuple[str, str]]]:
    from propkg_contract.metadata import read_metadata
    from propkg_contract.registry import find_binary_model, find_model, load_manifest

    manifest = load_manifest()["models"]
    if args.fluids:
        fluids = [read_metadata(find_model(f)).component_names[0] for f in args.fluids]
    else:
        fluids = [m["name"] for m in manifest if m["kind"] == "pure_component"]
    pairs: list[tuple[str, str]] = []
    if not args.skip_mixtures:
        if args.pairs:
            for text in args.pairs:
                parts = [p.strip() for p in text.split(",")]
                if len(parts) != 2:
                    raise DataError(f"--pairs: '{text}' is not of the form a,b")
                path, _ = find_binary_model(*parts)
                pairs.append(tuple(read_metadata(path).component_names))
        else:
            pairs = [
                tuple(c["name"] for c in m["components"])
                for m in manifest
                if m["kind"] == "binary_excess_gibbs"
            ]
    return fluids, pairs


#: result key -> column title of the report's consistency and agreement tables
CONSISTENCY_COLUMNS = {
    "cp_vs_dh_dT": "cp vs dh/dT",
    "ds_dT_vs_cp_over_T": "ds/dT vs cp/T",
    "psat_Tc_vs_Pc": "Psat(Tc)/Pc - 1",
    "clausius_clapeyron": "Clausius-Clapeyron",
    "psat_falls": "largest fall of ln Psat below Tc",
}
AGREEMENT_COLUMNS = {
    "onnx_vs_casadi": "onnxruntime vs CasADi",
    "onnx_vs_pyomo": "onnxruntime vs Pyomo value()",
}


def markdown_table(header, rows) -> list[str]:
    """Markdown table lines."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def fmt_figure(x) -> str:
    if x is None:
        return "-"
    return f"{x:.2e}" if abs(x) < 1e-3 or abs(x) >= 1e4 else f"{x:.4f}"


def _write_report(out: Path, results: dict, bounds: list[dict], mixture_text: str,
                  elapsed: float) -> Path:
    import CoolProp

    import propkg
    from propkg_cli.reports import pure

    comparisons = [r["comparison"] for r in results.values()]
    pure._figures(comparisons, out / "figures")
    pure.write_report(comparisons, elapsed, out / "pure_components.md")
    pure_text = (out / "pure_components.md").read_text(encoding="utf-8")
    misses = [b for b in bounds if not b["ok"]]
    lines = [
        "# propkg validation report",
        "",
        f"propkg {propkg.__version__}, CoolProp {CoolProp.__version__}; {len(results)} pure "
        f"fluids, {len({b['model'] for b in bounds}) - len(results)} binaries; "
        f"{elapsed:.0f} s. Generated by `propkg validate`.",
        "",
        f"**Recorded error bounds:** {len(bounds) - len(misses)}/{len(bounds)} figures within "
        "110 % of the value recorded in the model's metadata"
        + (": misses " + ", ".join(f"{b['model']} {b['quantity']}" for b in misses) if misses
           else "."),
        "",
        "## Recorded vs measured held-out errors (from the ONNX files)",
        "",
        *markdown_table(
            ("model", "quantity", "recorded AAD", "measured AAD", "recorded max",
             "measured max", "ok"),
            [
                (b["model"], b["quantity"], *map(fmt_figure, (b["recorded_aad"], b["measured_aad"],
                 b["recorded_max"], b["measured_max"])), "yes" if b["ok"] else "NO")
                for b in bounds
            ],
        ),
        "",
        "AAD/max in % (vapour composition: absolute mole fraction).",
        "",
        "## Thermodynamic consistency (largest relative residual over the domain)",
        "",
        *markdown_table(
            ("fluid", *CONSISTENCY_COLUMNS.values()),
            [
                (r["consistency"]["model"],
                 *(fmt_figure(r["consistency"][k]) for k in CONSISTENCY_COLUMNS))
                for r in results.values()
            ],
        ),
        "",
        "## Evaluation agreement (largest relative difference, all outputs, 25 points)",
        "",
        *markdown_table(
            ("fluid", *AGREEMENT_COLUMNS.values()),
            [
                (r["agreement"]["model"],
                 *(fmt_figure(r["agreement"][k]) for k in AGREEMENT_COLUMNS))
                for r in results.values()
            ],
        ),
    ]
    lines += ["", pure_text.replace("# Pure-component", "# Part 2 - Pure-component", 1)]
    if mixture_text:
        lines += ["", mixture_text.replace("# ", "# Part 3 - ", 1)]
    path = out / "validation_report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(args: argparse.Namespace) -> int:
    from propkg_cli.validate_checks import binary_bounds
    from propkg_contract.registry import find_binary_model

    start = time.perf_counter()
    if args.jobs < 1:
        raise DataError(f"--jobs must be >= 1, got {args.jobs}")
    if args.zoo is not None and (args.fluids or args.pairs):
        raise DataError("--zoo validates the zoo alone; give --fluids/--pairs in another run")
    fluids, pairs = _selected(args) if args.zoo is None else ([], [])
    out = Path(args.output).resolve()
    try:
        (out / "figures").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PropkgError(f"cannot create output folder '{out}': {exc.strerror}") from None
    if args.zoo is not None:
        from propkg_cli.validate_zoo import run_zoo

        return run_zoo(args.zoo, out, args.jobs, args.scheduler)

    from tqdm import tqdm

    from propkg.zoo.runner import TaskRunner

    runner = TaskRunner(scheduler=args.scheduler, workers=args.jobs,
                        serial=args.jobs == 1 and not args.scheduler)
    outcomes = {}
    with runner:
        tasks = {name: (name,) for name in fluids}
        for outcome in runner.map(_validate_fluid, tasks, desc="pure fluids"):
            outcomes[outcome.task_id] = outcome
    failed = {name: o.error for name, o in outcomes.items() if not o.ok}
    results = {name: outcomes[name].value for name in fluids if name not in failed}
    bounds = [b for r in results.values() for b in r["bounds"]]

    mixture_text = ""
    if pairs:
        from propkg.data import MIXTURES_DIR

        for pair in tqdm(pairs, desc="binaries", unit="pair", disable=None):
            bounds += binary_bounds(find_binary_model(*pair)[0], MIXTURES_DIR)
        if args.pairs is None:
            from propkg_cli.reports.mixtures import main as mixture_report

            print("mixture report (bubble points, azeotrope, infinite dilution) ...", flush=True)
            report = out / "mixtures.md"
            mixture_report(["--report", str(report)])
            mixture_text = report.read_text(encoding="utf-8")

    report = _write_report(out, results, bounds, mixture_text, time.perf_counter() - start)
    misses = [b for b in bounds if not b["ok"]]
    print(f"wrote {report}")
    for name, error in failed.items():
        print(f"FAILED: {name}: {error}")
    for b in misses:
        print(
            f"MISS: {b['model']} {b['quantity']}: measured AAD {fmt_figure(b['measured_aad'])} vs "
            f"recorded {fmt_figure(b['recorded_aad'])} (max {fmt_figure(b['measured_max'])} vs "
            f"{fmt_figure(b['recorded_max'])})"
        )
    print(f"{len(bounds) - len(misses)}/{len(bounds)} recorded error figures met "
          f"({time.perf_counter() - start:.0f} s)")
    return 1 if misses or failed else 0
