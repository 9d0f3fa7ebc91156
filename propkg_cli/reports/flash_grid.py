"""IDAES Flash of a binary with an activity-coefficient liquid, and an independent check.

:func:`build_flash` builds a fresh flowsheet (``GenericParameterBlock`` from
:func:`idaes_plugin.vle_config` with an activity model, one ``Flash``, inlet T, P and feed fixed,
no heat duty, no pressure drop); :func:`solve_flash` runs IDAES's default initialization
and one IPOPT solve. :func:`equilibrium_deviation` checks a two-phase solution against
modified Raoult's law evaluated with onnxruntime on the same ONNX files
(:math:`y_i P = x_i \\gamma_i P_i^{sat}`), independent of Pyomo.
"""

from __future__ import annotations

import numpy as np

GRID_X = tuple(float(v) for v in np.round(np.linspace(0.05, 0.95, 10), 4))
GRID_T = (352.5, 355.0, 358.0, 362.0, 367.0)


def build_flash(components=("ethanol", "water"), activity_model="hybrid", T=360.0,
                z1=0.3, P=101325.0):
    """A solved-ready Flash model (degrees of freedom 0)."""
    import pyomo.environ as pyo
    from idaes.core import FlowsheetBlock
    from idaes.models.properties.modular_properties import GenericParameterBlock
    from idaes.models.unit_models import Flash

    from idaes_plugin import vle_config

    m = pyo.ConcreteModel()
    m.fs = FlowsheetBlock(dynamic=False)
    m.fs.props = GenericParameterBlock(
        **vle_config(list(components), activity_model=activity_model)
    )
    m.fs.flash = Flash(property_package=m.fs.props)
    inlet = m.fs.flash.inlet
    inlet.flow_mol.fix(1.0)
    inlet.temperature.fix(T)
    inlet.pressure.fix(P)
    inlet.mole_frac_comp[0, components[0]].fix(z1)
    inlet.mole_frac_comp[0, components[1]].fix(1.0 - z1)
    m.fs.flash.heat_duty.fix(0.0)
    m.fs.flash.deltaP.fix(0.0)
    return m


def solve_flash(m) -> tuple[bool, str]:
    """IDAES default initialization then IPOPT; returns (converged, message)."""
    import pyomo.environ as pyo

    try:
        m.fs.flash.initialize()
        res = pyo.SolverFactory("ipopt").solve(m)
    except Exception as exc:  # initialization errors are a 'not converged'
        return False, f"{type(exc).__name__}: {str(exc)[:120]}"
    ok = pyo.check_optimal_termination(res)
    return ok, str(res.solver.termination_condition)


def outlet_state(m, components=("ethanol", "water")) -> dict:
    """T [K], P [Pa], vapour fraction and phase compositions of the flash outlet.

    ``T_eq`` is the smooth-VLE equilibrium temperature at which the phase compositions are
    in equilibrium (equal to T inside the two-phase region, smoothed near its boundaries).
    """
    import pyomo.environ as pyo

    sb = m.fs.flash.control_volume.properties_out[0]
    return {"T": pyo.value(sb.temperature), "P": pyo.value(sb.pressure),
            "T_eq": pyo.value(sb._teq["Vap", "Liq"]),
            "vap_frac": pyo.value(sb.phase_frac["Vap"]),
            "x": [pyo.value(sb.mole_frac_phase_comp["Liq", j]) for j in components],
            "y": [pyo.value(sb.mole_frac_phase_comp["Vap", j]) for j in components]}


def equilibrium_deviation(state: dict, components=("ethanol", "water"),
                          activity_model="hybrid") -> float:
    """Max relative deviation of y_i P from x_i gamma_i Psat_i at T_eq (onnxruntime)."""
    import onnxruntime as ort

    from idaes_plugin.activity.gibbs_model import MODEL_SUFFIX
    from propkg_contract.registry import find_binary_model, find_model

    path, swapped = find_binary_model(*components)
    order = list(components[::-1] if swapped else components)
    sess = ort.InferenceSession(str(path))
    x = {j: v for j, v in zip(components, state["x"], strict=True)}
    ln = sess.run([f"log_act_coeff_comp{MODEL_SUFFIX[activity_model]}"],
                  {"temperature": np.array([[state["T_eq"]]]),
                   "mole_frac_comp": np.array([[x[order[0]], x[order[1]]]])})[0][0]
    gam = dict(zip(order, np.exp(ln), strict=True))
    dev = 0.0
    for j, yj in zip(components, state["y"], strict=True):
        ps = ort.InferenceSession(str(find_model(j))).run(
            ["pressure_sat_comp"], {"temperature": np.array([[state["T_eq"]]])})[0][0, 0]
        dev = max(dev, abs(x[j] * gam[j] * ps / (yj * state["P"]) - 1.0))
    return dev


def run_flash_grid(components=("ethanol", "water"), activity_model="hybrid",
                   grid_x=GRID_X, grid_T=GRID_T) -> dict:
    """Solve the Flash on every (z1, T) of the grid from a fresh model each time."""
    import idaes.logger as idaeslog

    idaeslog.getLogger("idaes").setLevel(idaeslog.ERROR)
    cases, table = [], ["| T [K] | z1 | converged | vapour fraction | x1 | y1 "
                        "| max rel. dev. of y P = x gamma Psat |",
                        "|---|---|---|---|---|---|---|"]
    for T in grid_T:
        for z1 in grid_x:
            m = build_flash(components, activity_model, T, float(z1))
            ok, msg = solve_flash(m)
            row = {"T": T, "z1": float(z1), "ok": ok, "msg": msg}
            if ok:
                st = outlet_state(m, components)
                row.update(st)
                two_phase = 1e-4 < st["vap_frac"] < 1 - 1e-4
                row["two_phase"] = two_phase
                row["dev"] = equilibrium_deviation(st, components, activity_model) \
                    if two_phase else float("nan")
                table.append(f"| {T:.1f} | {z1:.3f} | yes | {st['vap_frac']:.4f} "
                             f"| {st['x'][0]:.4f} | {st['y'][0]:.4f} | {row['dev']:.1e} |")
            else:
                table.append(f"| {T:.1f} | {z1:.3f} | **no** ({msg}) | | | | |")
            cases.append(row)
    devs = [c["dev"] for c in cases if c.get("two_phase")]
    return {
        "description": f"{components[0]}/{components[1]}, activity model '{activity_model}', "
                       f"P = 101325 Pa, adiabatic Flash of a feed at T; grid: z1 in "
                       f"{list(grid_x)} x T in {list(grid_T)} K; each case a fresh model, "
                       f"IDAES default `initialize()`, then IPOPT (SolverFactory('ipopt')).",
        "n_cases": len(cases), "n_converged": sum(c["ok"] for c in cases),
        "n_two_phase": len(devs), "n_checked": len(devs),
        "max_rel_dev": max(devs) if devs else float("nan"), "cases": cases, "table": table,
    }
