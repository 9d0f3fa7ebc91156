"""ONNX export of a binary hybrid fitted to measured bubble points (:mod:`.measured_training`).

Same graph as the CoolProp-trained binaries (:mod:`propkg.mixtures.export`: hybrid outputs
plus ``*_unifac`` / ``*_nrtl`` backbones, through the contract's one writer); the metadata
record the measured data by reference (publications, sha256 of the points, never the
points), the screening weights, the settings chosen by leave-one-publication-out and the
held-out figures on the test publications for the hybrid and each backbone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from propkg.mixtures.components import component
from propkg.mixtures.export import INPUT_SHAPES, export_onnx, outputs_and_backbones
from propkg.mixtures.measured_training import MeasuredFit
from propkg.mixtures.robust_fit import F_SCALE


def temperature_domain(fit: MeasuredFit) -> list[float]:
    """[floor(min T), ceil(max T)] of all the pair's points (fitting and test), [K], or the
    fit's own domain if it has one."""
    if fit.domain_T is not None:
        return [float(v) for v in fit.domain_T]
    return [float(np.floor(fit.points.T.min())), float(np.ceil(fit.points.T.max()))]



def _binary_head(fit: MeasuredFit) -> dict:
    """Metadata entries every binary g^E file of a measured fit starts with (schema, kind,
    components, inputs, outputs, domain, backbone, correction), in the file's key order."""
    outputs, backbone = outputs_and_backbones(fit.hybrid, fit.backbones)
    return {
        "schema_version": 1,
        "kind": "binary_excess_gibbs",
        "components": [component(n).as_metadata() for n in fit.pair],
        "inputs": {"temperature": {"units": "K", "shape": INPUT_SHAPES["temperature"]},
                   "mole_frac_comp": {"units": "1", "shape": INPUT_SHAPES["mole_frac_comp"]}},
        "outputs": outputs,
        "domain": {"temperature": temperature_domain(fit), "mole_frac_comp": [0.0, 1.0]},
        "backbone": backbone,
        "correction": fit.hybrid.correction_metadata(),
    }


def measured_metadata(fit: MeasuredFit, source: str, pure_models: dict[str, str],
                      screening: list | None = None) -> dict:
    """The propkg metadata of a measured-data binary fit.

    Parameters
    ----------
    fit : MeasuredFit
    source : str
        Where the points come from (citation or user file name).
    pure_models : dict
        Component name -> file name and sha256 of the pure model that gave Psat.
    screening : list of SetScreen, optional
    """
    from propkg import __version__ as propkg_version

    test = fit.statistics("test")
    fit_pts = fit.points.subset(~fit.test_mask)
    split = (f"test publications ({len(fit.test_sources)}), rule: sha256 order of the "
             "publication labels until >= 20 % of the points")
    if test:
        pressure = dict(test["hybrid"], split=split, reference=source)
        alone = {k: {"pressure_bubble": dict(v, split=split)} for k, v in test.items()
                 if k != "hybrid"}
    else:  # one publication: nothing held out; say so instead of a number
        pressure = dict(fit.statistics("fit")["hybrid"], split="fitting data (not held out: "
                        "one publication)", reference=source)
        alone = {}
    return {
        **_binary_head(fit),
        "training_data": {
            "sha256": fit_pts.sha256(),
            "source": source,
            "kind": "measured bubble points (T, P, x), isothermal and isobaric",
            "targets": f"ln P_bubble of modified Raoult (ideal vapour), soft-L1 loss, scale "
                       f"{F_SCALE}, weights: screening / sqrt(points of the publication)",
            "pure_psat": pure_models,
            "n_points": {"fit": len(fit_pts), "test": int(fit.test_mask.sum())},
            "fit_publications": sorted(set(fit_pts.source.tolist())),
            "test_publications": list(fit.test_sources),
            "stability": ("d2(g_mix/RT)/dx1^2 >= 0.05 imposed on "
                          f"{list(fit.stability_T)} K" if fit.stability_T else "not imposed"),
            "selection": [{k: (None if isinstance(v, float) and not np.isfinite(v) else v)
                           for k, v in s.items()} for s in fit.selection],
            "selection_rule": "simplest setting within one standard error of the best "
                              "leave-one-publication-out score",
            "screening": [{"source": s.source, "weight": round(s.weight, 4),
                           "reason": s.reason} for s in (screening or [])],
            "setting": fit.setting,
            "infinite_dilution": (fit.infinite_dilution.summary() if fit.infinite_dilution
                                  is not None else "none for this pair"),
        },
        "error_statistics": {"pressure_bubble": pressure, "backbones_alone": alone},
        "propkg_version": propkg_version,
        "notes": "ln gamma_i = exact derivative of gE/RT (CasADi AD); outputs without suffix "
                 "are the hybrid, *_unifac / *_nrtl the backbones alone; Psat not included: "
                 "use the pure-component models' pressure_sat_comp (those named in "
                 "training_data.pure_psat); error statistics in percent of bubble pressure, "
                 "mean_signed_percent = mean of 100 (P_model/P - 1)",
    }


def export_measured(fit: MeasuredFit, path: str | Path, source: str,
                    pure_models: dict[str, str], screening: list | None = None) -> Path:
    """Write the ONNX file of a measured-data fit (contract writer, checked round trip)."""
    extra = {k: fit.function(k) for k in fit.backbones}
    return export_onnx(fit.function("hybrid"),
                       measured_metadata(fit, source, pure_models, screening), path, extra)


def dilution_metadata(fit: MeasuredFit, pure_models: dict[str, str], dilution_error: dict,
                      coolprop_statistics: dict) -> dict:
    """Metadata of a fit to infinite-dilution data alone (:mod:`.dilution_fit`).

    Parameters
    ----------
    fit : MeasuredFit
        From :func:`propkg.mixtures.dilution_fit.fit_infinite_dilution_pair`.
    pure_models : dict
        Component name -> pure model named for Psat in bubble-point use.
    dilution_error : dict
        :func:`propkg.mixtures.dilution_fit.temperature_block_error`.
    coolprop_statistics : dict
        :func:`propkg.mixtures.training.bubble_statistics` of the hybrid on the shipped
        CoolProp test points (a reference peer, not measurements): ``pressure_bubble`` and
        ``mole_frac_vap``, recorded as the file's bounds for ``propkg validate``.
    """
    from propkg import __version__ as propkg_version

    data = fit.infinite_dilution
    peer = "CoolProp HEOS mixture (reference peer, NOT measurements; shipped test points)"
    return {
        **_binary_head(fit),
        "training_data": {
            "source": data.source,
            "kind": "infinite-dilution activity coefficients (both directions); no measured "
                    "bubble points exist for the pair in the ThermoML tables used",
            "targets": "ln gamma_inf, soft-L1 loss; lambda ||theta||^2 keeps the backbone "
                       "where the data say nothing",
            "n_points": {"ln_gamma_inf": len(data), "dropped_by_screening": data.dropped},
            "T_range_K": [float(data.T.min()), float(data.T.max())],
            "pure_psat": pure_models,
            "stability": (f"d2(g_mix/RT)/dx1^2 >= 0.05 imposed on {list(fit.stability_T)} K "
                          "(the whole domain)"),
            "setting": fit.setting,
        },
        "error_statistics": {
            "ln_act_coeff_inf": {k: v for k, v in dilution_error.items()},
            "pressure_bubble": dict(coolprop_statistics["pressure_bubble"], reference=peer,
                                    split="CoolProp test points"),
            "mole_frac_vap": dict(coolprop_statistics["mole_frac_vap"], reference=peer,
                                  split="CoolProp test points"),
        },
        "propkg_version": propkg_version,
        "notes": "ln gamma_i = exact derivative of gE/RT (CasADi AD); outputs without suffix "
                 "are the hybrid, *_unifac / *_nrtl the backbones alone; fitted to "
                 "infinite-dilution data only (no bubble points): bubble-pressure figures are "
                 "against CoolProp's mixture model, not against measurements",
    }


def export_dilution(fit: MeasuredFit, path: str | Path, pure_models: dict[str, str],
                    dilution_error: dict, coolprop_statistics: dict) -> Path:
    """Write the ONNX file of a fit to infinite-dilution data (contract writer)."""
    extra = {k: fit.function(k) for k in fit.backbones}
    return export_onnx(fit.function("hybrid"), dilution_metadata(
        fit, pure_models, dilution_error, coolprop_statistics), path, extra)
