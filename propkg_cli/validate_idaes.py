"""``propkg validate --zoo``: each zoo file inside an IDAES property package.

For every zoo file, :func:`zoo_bubble_check` builds ``vle_config`` packages the way a user
would (components by name, models found by the registry), solves the bubble temperature of
an IDAES state block with the pip-only IPOPT, and compares it with an independent root of
the modified Raoult condition evaluated on the ONNX files by onnxruntime (no Pyomo, no
CasADi):

    sum_i x_i gamma_i(T, x) Psat_i(T) = P

(Raoult's law, gamma_i = 1, for a pure file; the pair's ``log_act_coeff_comp`` for a binary
file). A pure file is paired with a shipped top-level fluid (the one whose vapour-pressure
domain overlaps its own most, ties by name), at x = 0.4 of the zoo compound; a pair at
x1 = 0.4. The state: T0 at 30 % of the temperature range common to the files and the
package's state bounds (10-90 % tried
when the bubble pressure there falls outside the package's pressure bounds), P = the
bubble pressure at T0 rounded to two significant digits (so the bubble temperature is a
root to find, not T0). A check passes when IDAES ends optimal and its bubble temperature is
within :data:`BUBBLE_T_TOLERANCE` of the root; for a pure file also the package's pure
liquid density (``dens_mol_liq_comp``, the fitted one where the file has it) at T0 within
:data:`DENSITY_RTOL` of onnxruntime's.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from pathlib import Path

import numpy as np

from propkg_contract.errors import DataError

#: largest |T_bubble(IDAES) - T_bubble(onnxruntime root)| accepted [K]
BUBBLE_T_TOLERANCE = 1e-6
#: largest relative difference of a pure file's liquid density, IDAES vs onnxruntime
DENSITY_RTOL = 1e-10
#: mole fraction of the first (zoo) component
X1 = 0.4
#: fractions of the common temperature range tried for T0, first the one used when it fits
T_FRACTIONS = (0.3, 0.5, 0.1, 0.7, 0.9)


def _psat_domain(path: Path) -> tuple[float, float]:
    """Temperature domain [K] of a pure file's Psat (its own, else the file's)."""
    from propkg_contract.reader import load_model

    return load_model(path).domain_of("temperature", output="pressure_sat_comp")


@functools.cache
def _pure_psat_domains(folder: Path) -> tuple[tuple[str, float, float], ...]:
    """(name, Psat domain [K]) of the pure files at the top level of a model folder."""
    from propkg_contract.registry import load_manifest

    if not (folder / "manifest.json").is_file():
        return ()
    return tuple((m["name"], *_psat_domain(folder / m["file"]))
                 for m in load_manifest(folder)["models"] if m["kind"] == "pure_component")


def _partner(domain: tuple[float, float], name: str) -> str:
    """The shipped top-level pure fluid whose Psat domain overlaps ``domain`` most; where
    none overlaps it (a cryogen such as nitrogen), the zoo's other pure file that does."""
    from propkg_contract.registry import ZOO_SUBFOLDER, default_model_dir

    folder = default_model_dir()
    for where in (folder, folder / ZOO_SUBFOLDER):
        best = [(min(hi, domain[1]) - max(lo, domain[0]), other)
                for other, lo, hi in _pure_psat_domains(where) if other != name]
        if best and max(best)[0] > 0.0:
            break
    if not best:
        raise DataError(f"the model folder '{folder}' has no pure fluid of its own to pair a "
                        "zoo compound with in a vle_config package")
    return max(sorted(best, key=lambda item: item[1]), key=lambda item: item[0])[1]


def _reference(pure: list[Path], binary: Path | None):
    """``(psat(T), pressure(T), (lo, hi))``: the pure files' Psat [Pa] and the bubble
    pressure [Pa] at x = (X1, 1 - X1) from onnxruntime (one session per file), and the
    temperature range [K] common to the files."""
    from propkg_contract.reader import load_model, onnx_session, run_onnx

    domains = [_psat_domain(p) for p in pure]
    if binary is not None:
        domains.append(load_model(binary).domain_of("temperature"))
    lo, hi = max(d[0] for d in domains), min(d[1] for d in domains)
    x = np.array([X1, 1 - X1])
    psat_sessions = [onnx_session(p, outputs=["pressure_sat_comp"]) for p in pure]
    gamma_session = None if binary is None else \
        onnx_session(binary, outputs=["log_act_coeff_comp"])

    def psat(T: float) -> np.ndarray:
        return np.array([float(np.ravel(run_onnx(s, T=[T])["pressure_sat_comp"])[0])
                         for s in psat_sessions])

    def pressure(T: float) -> float:
        gamma = np.ones(2)
        if gamma_session is not None:
            out = run_onnx(gamma_session, T=[T], mole_frac_comp=x[None, :])
            gamma = np.exp(np.ravel(out["log_act_coeff_comp"]))
        return float(np.sum(x * gamma * psat(T)))

    return psat, pressure, (lo, hi)


@contextlib.contextmanager
def _quiet():
    """IDAES's and Pyomo's log at ERROR only (a sweep of hundreds of packages; what the
    warnings say, e.g. a density-only file's estimated Psat, is in the zoo report)."""
    loggers = [logging.getLogger(name) for name in ("idaes", "pyomo")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def _raoult_dew_sum(psat, P: float, T: float) -> float:
    """sum_i y_i P / Psat_i(T) at y = (X1, 1 - X1): above 1 when T is below the dew point."""
    ps = psat(T)
    return X1 * P / ps[0] + (1 - X1) * P / ps[1]


def _round_pressure(p: float, p_lo: float, p_hi: float) -> float | None:
    """``p`` rounded to the fewest significant digits (two or more) that stay inside
    (p_lo, p_hi): a round pressure, so its bubble point is a root to find, not T0."""
    for digits in range(2, 10):
        rounded = float(f"{p:.{digits}g}")
        if p_lo < rounded < p_hi:
            return rounded
    return None


def zoo_bubble_check(path: Path, entry: dict) -> dict:
    """IDAES bubble temperature of one zoo file's package vs the onnxruntime root."""
    with _quiet():
        return _bubble_check(path, entry)


def _bubble_check(path: Path, entry: dict) -> dict:
    import idaes.logger as idaeslog
    import pyomo.environ as pyo
    from idaes.core import FlowsheetBlock
    from idaes.models.properties.modular_properties import GenericParameterBlock
    from scipy.optimize import brentq

    import idaes_plugin  # noqa: F401  (registers the pip-only IPOPT)
    from idaes_plugin.vle_package import vle_config
    from propkg_contract.registry import find_binary_model, find_model

    if entry["kind"] == "pure_component":
        name = entry["name"]
        names = [name, _partner(_psat_domain(path), name)]
        binary, activity = None, None
    else:
        names = [c["name"] for c in entry["components"]]
        binary, activity = path, "hybrid"
        found, swapped = find_binary_model(*names)
        if found.name != path.name or swapped:
            raise ValueError(f"the registry finds {found.name} for {names}, not {path.name}")
    pure = [find_model(n) for n in names]
    cfg = vle_config(names, activity_model=activity)
    psat, pressure, (lo, hi) = _reference(pure, binary)
    row = {"model": entry["name"], "components": names, "ok": False, "skipped": False,
           "note": ""}
    t_bounds = cfg["state_bounds"]["temperature"]
    if t_bounds[0] >= hi:  # the default lower bound above the models' common data range
        row["note"] = (f"lower bound from the triple points {t_bounds[0]:.2f} K is above the "
                       f"models' common range; temperature_bounds from {lo:.2f} K given")
        cfg = vle_config(names, activity_model=activity,
                         temperature_bounds=(lo, min(max(300.0, lo + 1.0), 999.0), 1000.0))
        t_bounds = cfg["state_bounds"]["temperature"]
    p_bounds = cfg["state_bounds"]["pressure"]
    lo, hi = max(lo, t_bounds[0]), min(hi, t_bounds[2])  # inside the package's state bounds
    if hi <= lo:
        return {**row, "status": f"no common temperature range ({lo:.1f} > {hi:.1f} K)"}
    p_low, p_high = p_bounds[0], p_bounds[2]
    p_lo, p_hi = pressure(lo), pressure(hi)
    for fraction in T_FRACTIONS:
        T0 = lo + fraction * (hi - lo)
        P = _round_pressure(pressure(T0), p_lo, p_hi)
        if P is not None and 1.01 * p_low < P < 0.99 * p_high:
            break
    else:
        return {**row, "status": "bubble pressure outside the package's pressure bounds"}
    t_ref = brentq(lambda T: pressure(T) - P, lo, hi, xtol=1e-12)
    if binary is None and _raoult_dew_sum(psat, P, t_bounds[2]) > 1.0:
        return {**row, "skipped": True, "status": (
            f"the dew point at {P:.4g} Pa lies above the package's upper temperature bound "
            f"{t_bounds[2]:.0f} K (Raoult's law on the ONNX Psat): IDAES's bubble/dew "
            "initialization cannot bracket it")}
    m = pyo.ConcreteModel()
    m.fs = FlowsheetBlock(dynamic=False)
    m.fs.props = GenericParameterBlock(**cfg)
    m.fs.sb = m.fs.props.build_state_block([0], defined_state=True)
    sb = m.fs.sb[0]
    sb.flow_mol.fix(1.0)
    sb.temperature.fix(T0)
    sb.pressure.fix(P)
    sb.mole_frac_comp[names[0]].fix(X1)
    sb.mole_frac_comp[names[1]].fix(1 - X1)
    sb.temperature_bubble  # noqa: B018 (built on demand)
    m.fs.sb.initialize(outlvl=idaeslog.ERROR, state_vars_fixed=True)  # all fixed above
    result = pyo.SolverFactory("ipopt").solve(m)
    optimal = pyo.check_optimal_termination(result)
    t_idaes = pyo.value(sb.temperature_bubble["Vap", "Liq"])
    diff = abs(t_idaes - t_ref)
    density = _density_difference(sb, names[0], pure[0]) if binary is None else None
    ok = optimal and diff <= BUBBLE_T_TOLERANCE
    if density is not None:
        ok = ok and density <= DENSITY_RTOL
    return {**row, "T0": T0, "P": P, "T_ref": t_ref, "T_idaes": t_idaes, "abs_diff_K": diff,
            "density_rel_diff": density, "status": str(result.solver.termination_condition),
            "ok": bool(ok)}


def _density_difference(sb, name: str, path: Path) -> float:
    """|rho_L(IDAES) - rho_L(onnxruntime)| / rho_L of the pure liquid ``name`` at the state
    block's temperature: the package's ``dens_mol_liq_comp`` method (the pure file's output
    through the plugin)."""
    import pyomo.environ as pyo
    from idaes.models.properties.modular_properties.base.utility import get_method

    from propkg_contract.reader import run_onnx

    cobj = sb.params.get_component(name)
    rho = pyo.value(get_method(sb, "dens_mol_liq_comp", name)(sb, cobj, sb.temperature))
    ref = float(np.ravel(run_onnx(path, T=[pyo.value(sb.temperature)])["dens_mol_liq_comp"])[0])
    return abs(rho - ref) / abs(ref)
