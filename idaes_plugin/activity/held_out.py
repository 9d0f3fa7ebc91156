"""Warn when a g^E model's recorded held-out error is large.

A binary g^E file fitted to measured bubble points (``propkg fit A B``, the model zoo)
records in its metadata the bubble-pressure error on its test publications, data it never
saw (``error_statistics.pressure_bubble``; its backbones alone under
``error_statistics.backbones_alone.<unifac|nrtl>``), and the screening quality factor Q of
every publication (``training_data.screening``, in the spirit of NIST TDE's Q_VLE). Most
shipped pairs lie within a few percent; a few do not (1,3-propanediol/water: 65 %, against a
test publication whose Q is 0.24). :func:`warn_if_poor_held_out` tells the user of
:func:`idaes_plugin.vle_config` when that figure exceeds :data:`HELD_OUT_WARNING_PERCENT`,
and whether the test data themselves were flagged by the screening.
"""

from __future__ import annotations

import logging

from idaes_plugin.activity.gibbs_model import GibbsExcessModel
from idaes_plugin.held_out import HELD_OUT_WARNING_PERCENT

_log = logging.getLogger("idaes.idaes_plugin.activity")

#: screening quality factor below which a test publication is called suspect (the zoo
#: report's "passes the screening" is Q >= 0.5)
SUSPECT_Q = 0.5


def held_out_bubble_error(model: GibbsExcessModel) -> dict | None:
    """The recorded test-publication bubble-pressure statistics of ``model``'s activity
    model (the hybrid's, or its backbone's alone for "unifac"/"nrtl"), None if not recorded."""
    stats = model.metadata.raw.get("error_statistics", {}) or {}
    if model.activity_model != "hybrid":
        stats = (stats.get("backbones_alone", {}) or {}).get(model.activity_model, {}) or {}
    figure = stats.get("pressure_bubble")
    if not isinstance(figure, dict) or not isinstance(figure.get("aad_percent"), int | float):
        return None
    return figure


def warn_if_poor_held_out(model: GibbsExcessModel) -> str | None:
    """Log (and return) a warning if ``model``'s held-out bubble-pressure AAD exceeds
    :data:`HELD_OUT_WARNING_PERCENT`; the message names the test publications' screening
    quality factors when any is below :data:`SUSPECT_Q`."""
    figure = held_out_bubble_error(model)
    if figure is None or figure["aad_percent"] <= HELD_OUT_WARNING_PERCENT:
        return None
    training = model.metadata.raw.get("training_data", {})
    training = training if isinstance(training, dict) else {}
    tests = set(training.get("test_publications", []))
    q = {s["source"]: s["weight"] for s in training.get("screening", [])
         if isinstance(s, dict) and s.get("source") in tests}
    suspect = {src: w for src, w in q.items() if w < SUSPECT_Q}
    signed = figure.get("mean_signed_percent")
    message = (
        f"the {model.activity_model} g^E model {model.source} misses the bubble pressures of "
        f"its test publications (measured data it was not fitted to) by "
        f"{figure['aad_percent']:.1f} % AAD"
        + (f" (mean signed {signed:+.1f} %)" if isinstance(signed, int | float) else "")
        + f" over {figure.get('n_points', '?')} points of "
        f"{figure.get('n_publications', '?')} publication(s): bubble and dew points with "
        "it may be off by as much")
    if suspect:
        listed = ", ".join(f"{src} (Q = {w:.2f})" for src, w in sorted(suspect.items()))
        message += (f"; the screening flags test data of its own: {listed}, so the figure "
                    "may say more about those data than about the model")
    message += "; compare with your own measurements before relying on it"
    _log.warning(message)
    return message
