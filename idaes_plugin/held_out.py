"""Warn when a pure-component model's recorded held-out vapour-pressure error is large.

A pure file of the model zoo (``propkg zoo build``) or of ``propkg fit NAME DATA.csv``
records in its metadata the vapour-pressure error on its test publications, measured data it
was never fitted to (``error_statistics.pressure_sat_comp``: ``aad_percent``, ``n_points``,
``test_publications``, the backbone's figure). Most shipped files lie within a few percent;
37 of the 300 shipped zoo Psat models miss their test publications by more than 10 %
(2-ethylhexanol 90 %, with its Ambrose-Walton backbone at 127 %): they ship because they beat
the backbone, not because they are accurate there. :func:`warn_if_poor_psat` tells the user
of :func:`idaes_plugin.vle_config`, as :func:`idaes_plugin.activity.warn_if_poor_held_out`
does for a binary g^E file's bubble pressures.
"""

from __future__ import annotations

import logging
from pathlib import Path

_log = logging.getLogger("idaes.idaes_plugin")

#: held-out AAD [%] (test-publication vapour pressures, bubble pressures) above which
#: vle_config warns (shipped measured models: median about 2 %; CoolProp-trained below 1 %)
HELD_OUT_WARNING_PERCENT = 10.0


def warn_if_poor_psat(metadata, path: Path) -> str | None:
    """Log (and return) a warning if the model's recorded vapour-pressure AAD on held-out
    data exceeds :data:`HELD_OUT_WARNING_PERCENT` (only for a vapour pressure fitted to
    data; a backbone-alone Psat gets its own warning from ``vle_config``)."""
    figure = (metadata.error_statistics or {}).get("pressure_sat_comp")
    if (not isinstance(figure, dict) or not isinstance(figure.get("aad_percent"), int | float)
            or figure["aad_percent"] <= HELD_OUT_WARNING_PERCENT
            or not metadata.fitted_to_data("pressure_sat_comp")):
        return None
    name = metadata.components[0]["name"]
    backbone = figure.get("backbone_aad_percent")
    if backbone is None:
        backbone = (figure.get("backbone_alone") or {}).get("aad_percent")
    pubs = figure.get("test_publications") or []
    message = (
        f"vle_config: the vapour pressure of '{name}' ({Path(path).name}) misses its held-out "
        f"data (measured points it was not fitted to) by {figure['aad_percent']:.1f} % AAD "
        f"over {figure.get('n_points', '?')} points"
        + (f" of {len(pubs)} publication(s)" if pubs else "")
        + (f" (its backbone alone: {backbone:.1f} %)" if isinstance(backbone, int | float)
           else "")
        + ": bubble and dew points with it may be off by as much; compare with your own "
        "measurements before relying on it")
    fallbacks = (metadata.raw.get("constants", {}) or {}).get("fallbacks", {}) or {}
    if "group-contribution estimate" in str(fallbacks.get("Tc", "")):
        message += (" (its critical temperature and pressure are group-contribution "
                    "estimates: chemicals has no measured ones, so its backbone and its "
                    "critical point are uncertain too)")
    _log.warning(message)
    return message
