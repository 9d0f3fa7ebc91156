"""Checks run by ``propkg validate`` on the shipped ONNX files.

* :func:`pure_bounds` / :func:`binary_bounds` / :func:`zoo_pure_bounds` - recompute each
  model's held-out error statistics from the file itself and compare them with the values
  recorded in its metadata (a model "misses" when a measured figure exceeds the recorded
  one by > 10 %); zoo files against their NIST ThermoML test publications;
* :func:`pure_consistency` - thermodynamic identities on the ONNX graph, differentiated
  exactly by CasADi: cp = dh/dT, ds/dT = cp/T, Psat(Tc) = Pc, and Clausius-Clapeyron
  (dh_vap = T (v_vap - v_liq) dPsat/dT with the model's saturated volumes), and that
  Psat rises with T up to Tc (:func:`psat_largest_fall`);
* :func:`pure_agreement` - onnxruntime vs CasADi (ONNX re-imported) vs Pyomo ``value()``
  of the idaes_plugin translation, on a grid over the validity domain.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

#: a recorded error figure may be exceeded by at most this factor
BOUND_TOLERANCE = 1.10
#: measured figures below this are treated as equal to the recorded ones (round-off), [%]
BOUND_FLOOR = 1e-9


def _bound_row(model: str, quantity: str, recorded: dict, measured: dict, key: str) -> dict:
    rec_aad, rec_max = recorded.get(key), recorded.get(key.replace("aad", "max"))
    mes_aad, mes_max = measured[key], measured[key.replace("aad", "max")]
    ok = mes_aad <= BOUND_TOLERANCE * rec_aad + BOUND_FLOOR
    if rec_max is not None:
        ok = ok and mes_max <= BOUND_TOLERANCE * rec_max + BOUND_FLOOR
    return {
        "model": model,
        "quantity": quantity,
        "recorded_aad": rec_aad,
        "measured_aad": mes_aad,
        "recorded_max": rec_max,
        "measured_max": mes_max,
        "ok": bool(ok),
    }


def pure_bounds(path: Path, dataset_dir: Path | None = None) -> list[dict]:
    """Measured vs recorded held-out errors of every output of a pure-component file."""
    from propkg.datasets import load_dataset, subset
    from propkg.evaluate import statistics
    from propkg_contract.metadata import read_metadata
    from propkg_contract.reader import run_onnx

    meta = read_metadata(path)
    name = meta.component_names[0]
    test = subset(load_dataset(name, dataset_dir), "test")
    pred = run_onnx(path, test["temperature"])
    if "enth_mol_liq_comp" in pred:
        # liquid cp = d h_L/dT, by central differences of the file's output
        step = 1e-3
        plus = run_onnx(path, test["temperature"] + step)["enth_mol_liq_comp"]
        minus = run_onnx(path, test["temperature"] - step)["enth_mol_liq_comp"]
        pred["cp_mol_liq_comp"] = (plus - minus) / (2 * step)
    sources = {output: (test, pred) for output in pred}
    if "ideal_gas" in meta.training_data:
        # the ideal gas is recorded against its own wide-range test rows
        from propkg.datasets import load_ideal_gas_dataset
        from propkg.hybrid import IDEAL_GAS_OUTPUTS

        ig_test = subset(load_ideal_gas_dataset(name, dataset_dir), "test")
        ig_pred = run_onnx(path, ig_test["temperature"])
        sources.update({output: (ig_test, ig_pred) for output in IDEAL_GAS_OUTPUTS})
    rows = []
    for output, recorded in sorted(meta.error_statistics.items()):
        if not isinstance(recorded, dict) or "aad_percent" not in recorded:
            continue
        ref, values = sources.get(output, (test, pred))
        if output not in values or output not in ref:
            continue
        measured = statistics(values[output], ref[output], output)
        rows.append(_bound_row(name, output, recorded, measured, "aad_percent"))
    return rows


#: fitted output of a zoo pure file -> (ThermoML loader in propkg.measured, value column)
ZOO_PURE_DATA = {
    "pressure_sat_comp": ("load_pure_vapor_pressure", "pressure [Pa]"),
    "dens_mol_liq_comp": ("load_liquid_density", "dens_mol [mol/m**3]"),
}


def zoo_pure_bounds(path: Path) -> list[dict]:
    """Measured vs recorded held-out figures of a pure file fitted to NIST ThermoML data
    (the model zoo): each output fitted to data, on the points of the test publications
    its metadata name, taken by the payload's rule (below 0.999 Tc, repeats dropped:
    :func:`propkg.zoo.measured_payload.fitted_points`)."""
    import propkg.measured as measured
    from propkg.evaluate import statistics
    from propkg.zoo.measured_payload import fitted_points
    from propkg_contract.metadata import read_metadata
    from propkg_contract.reader import run_onnx

    meta = read_metadata(path)
    cas, name = meta.components[0]["cas"], meta.component_names[0]
    rows = []
    for output, (loader, column) in ZOO_PURE_DATA.items():
        recorded = meta.error_statistics.get(output)
        if not (meta.fitted_to_data(output) and isinstance(recorded, dict)
                and recorded.get("test_publications")):
            continue
        T, y, src = fitted_points(getattr(measured, loader)(cas), column,
                                  float(meta.raw["constants"]["Tc"]))
        test = np.isin(src, recorded["test_publications"])
        pred = np.ravel(run_onnx(path, T=T[test])[output])
        rows.append(_bound_row(name, output, recorded, statistics(pred, y[test], output),
                               "aad_percent"))
    return rows


def _onnx_excess_function(path: Path):
    """CasADi ``(T, x1, x2) -> (g^E/RT, ln gamma_1, ln gamma_2)`` of a binary ONNX file."""
    import casadi as ca

    from propkg_contract.reader import casadi_import

    graph = casadi_import(path, "onnx_ge")
    T, x1, x2 = ca.MX.sym("T"), ca.MX.sym("x1"), ca.MX.sym("x2")
    res = graph(temperature=T, mole_frac_comp=ca.horzcat(x1, x2))
    ln_gamma = res["log_act_coeff_comp"]
    return ca.Function(
        "onnx_ge", [T, x1, x2], [res["gibbs_excess_rt"], ln_gamma[0], ln_gamma[1]]
    ).expand()


def binary_bounds(path: Path, data_dir: Path) -> list[dict]:
    """Measured vs recorded held-out bubble-pressure and y errors of a binary file."""
    from propkg.mixtures.training import bubble_statistics
    from propkg.mixtures.vle_data import BinaryVleData
    from propkg_contract.metadata import read_metadata

    meta = read_metadata(path)
    if "test_publications" in meta.training_data:
        return _measured_binary_bounds(path, meta)
    pair = tuple(meta.component_names)
    data = BinaryVleData.load(data_dir, pair)
    measured = bubble_statistics(_onnx_excess_function(path), data.arrays("test"))
    recorded = meta.error_statistics
    name = "/".join(pair)
    rows = [
        _bound_row(
            name, "pressure_bubble", recorded["pressure_bubble"],
            measured["pressure_bubble"], "aad_percent",
        ),
        _bound_row(name, "mole_frac_vap", recorded["mole_frac_vap"],
                   measured["mole_frac_vap"], "aad"),
    ]
    return rows


def _measured_binary_bounds(path: Path, meta) -> list[dict]:
    """Bubble-pressure figures of a file fitted to measured data, recomputed on its test
    publications (NIST ThermoML, Psat from the shipped pure models)."""
    from propkg.mixtures.bubble_data import PurePsat, thermoml_points
    from propkg.mixtures.measured_training import bubble_pressure_errors, drop_duplicates

    pair = tuple(meta.component_names)
    psat = [PurePsat(n) for n in pair]
    raw = drop_duplicates(thermoml_points(*pair, *psat)).with_psat(*psat)
    test = raw.subset(raw.mixture & np.isin(raw.source, meta.training_data["test_publications"]))
    measured = bubble_pressure_errors(_onnx_excess_function(path), test)
    return [_bound_row("/".join(pair), "pressure_bubble", meta.error_statistics["pressure_bubble"],
                       measured, "aad_percent")]


def _rel(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def pure_consistency(path: Path, n: int = 60) -> dict:
    """Largest relative residuals of the identities, on ``n`` points over the domain."""
    from idaes_plugin.onnx_import import load_model
    from propkg.hybrid import HybridPureModel
    from propkg_contract.metadata import read_metadata
    from propkg_contract.vocabulary import GAS_CONSTANT

    meta = read_metadata(path)
    onnx_model = load_model(path)
    low, high = meta.domain["temperature"]
    T = np.linspace(low, high, n)

    def values(output: str, wrt: str | None = None) -> np.ndarray:
        fun = onnx_model.sx_function((output,), wrt)
        return np.array([float(fun(t)) for t in T])

    cp = values("cp_mol_ig_comp")
    dh_dT = values("enth_mol_ig_comp", "temperature")
    ds_dT = values("entr_mol_ig_comp", "temperature")
    psat = values("pressure_sat_comp")
    dpsat_dT = values("pressure_sat_comp", "temperature")
    rho_l = values("dens_mol_liq_comp")
    dh_vap = values("dh_vap_mol_comp")
    hybrid = HybridPureModel.from_metadata(meta.raw)
    R = GAS_CONSTANT
    if "supercritical_continuation" in meta.raw.get("correction", {}):
        # dh_vap is the identity at the capped temperature T_e (= T within 7e-5 Tc in
        # the domain), with the subcritical Psat and liquid density
        te = np.asarray(hybrid.effective_temperature(T), float)
        import casadi as ca

        t = ca.SX.sym("t")
        sub = ca.Function("sub", [t], [ca.exp(hybrid.ln_psat_subcritical(t)),
                                       ca.jacobian(ca.exp(hybrid.ln_psat_subcritical(t)), t),
                                       ca.exp(hybrid.ln_dens_liq_subcritical(t))])  # fmt: skip
        psat_e, dpsat_e, rho_e = (np.asarray(v, float).ravel() for v in sub(te.reshape(1, -1)))
    else:
        te, psat_e, dpsat_e, rho_e = T, psat, dpsat_dT, rho_l
    z_vap = np.exp(np.asarray(hybrid.ln_z_vap(te, psat_e), float))
    clapeyron = te * (z_vap * R * te / psat_e - 1.0 / rho_e) * dpsat_e
    Tc, Pc = meta.raw["constants"]["Tc"], meta.raw["constants"]["Pc"]
    return {
        "model": meta.component_names[0],
        "cp_vs_dh_dT": _rel(dh_dT, cp),
        "ds_dT_vs_cp_over_T": _rel(ds_dT, cp / T),
        # the subcritical function passes through the critical point exactly; the exported
        # one is continued smoothly past it (within 0.2 % at Tc)
        "psat_Tc_vs_Pc": abs(float(np.exp(hybrid.ln_psat_subcritical(Tc))) / Pc - 1.0),
        "clausius_clapeyron": _rel(clapeyron, dh_vap),
        "psat_falls": psat_largest_fall(path),
    }


def psat_largest_fall(path: Path, n: int = 2000) -> float:
    """Largest fall of ln Psat [-] between neighbouring points of ``n`` of
    :func:`propkg.hybrid.psat_check_temperatures` (from the file's domain), from
    onnxruntime; 0 when Psat rises everywhere, as Clausius-Clapeyron with dh_vap > 0
    requires below the critical point."""
    from propkg.hybrid import psat_check_temperatures
    from propkg_contract.metadata import read_metadata
    from propkg_contract.reader import run_onnx

    meta = read_metadata(path)
    constants = meta.raw["constants"]
    T = psat_check_temperatures(meta.domain["temperature"][0], constants.get("Ttriple"),
                                constants["Tc"], n)
    ln_p = np.log(run_onnx(path, T=T)["pressure_sat_comp"])
    return float(max(0.0, -np.min(np.diff(ln_p))))


def pure_agreement(path: Path, n: int = 25) -> dict:
    """Largest relative difference between onnxruntime, CasADi and Pyomo evaluations."""
    import pyomo.environ as pyo

    from idaes_plugin.onnx_import import load_model
    from idaes_plugin.pyomo_block import add_onnx_block
    from propkg_contract.reader import run_onnx

    model = load_model(path)
    low, high = model.domain_of("temperature")
    T = np.linspace(low, high, n)
    ort = run_onnx(path, T)
    outputs = list(model.output_names)
    fun = model.sx_function(tuple(outputs), None)
    cas = {o: np.array([float(fun(t)[i]) for t in T]) for i, o in enumerate(outputs)}
    m = pyo.ConcreteModel()
    blk = add_onnx_block(m, "onnx", model)
    pyomo_vals = {o: np.empty(n) for o in outputs}
    for k, t in enumerate(T):
        blk.temperature.set_value(t)
        for o in outputs:
            pyomo_vals[o][k] = pyo.value(getattr(blk, o))
    scale = {o: np.maximum(np.abs(ort[o]), np.max(np.abs(ort[o])) * 1e-12) for o in outputs}
    return {
        "model": model.metadata.component_names[0],
        "onnx_vs_casadi": max(float(np.max(np.abs(cas[o] - ort[o]) / scale[o])) for o in outputs),
        "onnx_vs_pyomo": max(
            float(np.max(np.abs(pyomo_vals[o] - ort[o]) / scale[o])) for o in outputs
        ),
    }
