"""Training and held-out validation of one component's hybrid transport model.

For each output: CoolProp values at :func:`~propkg.transport.data.training_temperatures`
(at most 12) fix the correction (:func:`~propkg.transport.model.fit_correction` of
ln(y_CoolProp / y_backbone)); the absolute relative deviations of the hybrid and of the
backbone alone are then measured at the held-out temperatures. An output CoolProp does
not cover is trained on ``thermo``'s REFPROP fit instead (over that method's limits), also
compared with DIPPR (:data:`~propkg.transport.data.CHECK_METHOD`); one neither covers keeps
the backbone alone (``params[output] = None``), with the reason recorded.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np

from propkg.transport.data import (
    CHECK_METHOD,
    FALLBACK_METHOD,
    coolprop_missing,
    coolprop_t_max,
    coolprop_values,
    heldout_temperatures,
    thermo_limits,
    thermo_values,
    training_temperatures,
)
from propkg.transport.model import (
    OUTPUT_UNITS,
    VAPOR_T_MAX,
    HybridTransportModel,
    default_domains,
    fit_correction,
    transport_constants,
)


def deviation_statistics(y: np.ndarray, reference: np.ndarray) -> dict:
    """AAD and maximum absolute relative deviation, [%]."""
    dev = 100.0 * np.abs(np.asarray(y) / np.asarray(reference) - 1.0)
    return {"aad_percent": float(np.mean(dev)), "max_percent": float(np.max(dev)),
            "n_points": int(dev.size)}  # fmt: skip


def train_transport(name: str) -> tuple[HybridTransportModel, dict]:
    """Fit the transport model of a shipped component and validate it on held-out points.

    Returns
    -------
    model : HybridTransportModel
    report : dict
        ``outputs``: per output ``domain``, ``n_train``, ``hybrid`` and ``backbone``
        statistics on held-out points (or ``skipped`` with the reason); ``training_sha256``
        of the training values; ``source`` (CoolProp version).
    """
    import CoolProp
    import thermo

    constants = transport_constants(name)
    fluid = constants.pure.coolprop
    domains = default_domains(constants, min(VAPOR_T_MAX, coolprop_t_max(fluid)))
    model = HybridTransportModel(constants, domains)
    outputs, digest = {}, hashlib.sha256()
    for output in OUTPUT_UNITS:
        reason = coolprop_missing(fluid, output, float(np.mean(domains[output])))
        if reason is None:
            source = (lambda T, o=output: coolprop_values(fluid, o, T))  # noqa: E731
            label = f"CoolProp {CoolProp.__version__}, held-out temperatures"
        elif thermo_limits(constants.pure.cas, output) is not None:
            lo, hi = thermo_limits(constants.pure.cas, output)
            domains[output] = (max(domains[output][0], lo), min(domains[output][1], hi))
            source = (lambda T, o=output: thermo_values(constants.pure.cas, o, T))  # noqa: E731
            label = (f"thermo {thermo.__version__} {FALLBACK_METHOD} (fallback: {reason}), "
                     "held-out temperatures")  # fmt: skip
        else:
            model.params[output] = None
            outputs[output] = {"domain": list(domains[output]), "skipped": reason}
            continue
        domain = domains[output]
        t_train = training_temperatures(domain)
        y_train = source(t_train)
        digest.update(json.dumps([output, t_train.tolist(), y_train.tolist()]).encode())
        target = np.log(y_train / model.backbone(output, t_train))
        model.params[output] = fit_correction(model.scaled_input(output, t_train), target)
        t_test = heldout_temperatures(domain)
        y_test = source(t_test)
        outputs[output] = {
            "domain": list(domain),
            "n_train": int(t_train.size),
            "hybrid": deviation_statistics(model.value(output, t_test), y_test),
            "backbone": deviation_statistics(model.backbone(output, t_test), y_test),
            "reference": label,
        }
        if reason is not None:
            outputs[output]["coolprop_missing"] = reason
            check = thermo_values(constants.pure.cas, output, t_test, CHECK_METHOD)
            outputs[output]["hybrid_vs_" + CHECK_METHOD] = deviation_statistics(
                model.value(output, t_test), check)
    report = {
        "component": name,
        "outputs": outputs,
        "training_sha256": digest.hexdigest(),
        "source": f"CoolProp {CoolProp.__version__}",
    }
    return model, report
