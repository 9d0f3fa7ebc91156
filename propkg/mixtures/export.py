"""Export fitted binary g^E models to ONNX (CasADi ``GraphBuilder``) with propkg metadata.

The exported graph has inputs ``temperature`` (shape [batch, 1], K) and ``mole_frac_comp``
(shape [batch, 2], model order) and outputs ``gibbs_excess_rt`` ([batch, 1]) and
``log_act_coeff_comp`` ([batch, 2]) of the hybrid, all float64; the backbones alone are
extra outputs of the same graph, ``gibbs_excess_rt_<b>`` and ``log_act_coeff_comp_<b>``
for ``<b>`` in {unifac, nrtl}, so that a flowsheet can switch models without another file
(not for the ideal-solution backbone, g^E = 0: Raoult's law needs no file,
:func:`exported_backbones`).
The scalar model is written in CasADi SX,
differentiated exactly, then inlined into an MX function whose component extraction and
assembly are products with constant unit vectors, so the ONNX graph uses only
Add/Sub/Mul/Div/Pow/Exp/Log/Tanh/Gemm/Constant; the contract's writer adds the batch axis.
"""

from __future__ import annotations

import functools
from pathlib import Path

import casadi as ca
import numpy as np

from propkg.mixtures.backbones import IDEAL
from propkg.mixtures.components import COOLPROP_PAIRS, component
from propkg.mixtures.training import PairFit, fit_pair
from propkg_contract.registry import write_manifest_entry
from propkg_contract.vocabulary import BINARY_INPUT_SHAPES, BINARY_OUTPUT_SHAPES
from propkg_contract.writer import write_onnx

INPUT_SHAPES = BINARY_INPUT_SHAPES
OUTPUT_SHAPES = BINARY_OUTPUT_SHAPES
BACKBONE_SUFFIXES = ("unifac", "nrtl")


def exported_backbones(backbones: dict) -> dict:
    """The backbones that get their own outputs: all but the ideal solution (g^E = 0, a
    constant that would not carry the batch axis; Raoult's law is
    ``vle_config(..., activity_model=None)``)."""
    return {k: v for k, v in backbones.items() if k != IDEAL}


def output_names(suffixes=()) -> list[str]:
    """Output tensor names: the hybrid's, then ``<name>_<suffix>`` for each backbone."""
    names = list(OUTPUT_SHAPES)
    for suffix in suffixes:
        names += [f"{n}_{suffix}" for n in OUTPUT_SHAPES]
    return names


def mx_function(functions: dict[str, ca.Function], n: int,
                name: str = "binary_gibbs_excess") -> ca.Function:
    """Exported MX signature ``(temperature [1], mole_frac_comp [n]) -> outputs``.

    ``functions`` maps an output suffix (``""`` for the hybrid, ``"unifac"``, ``"nrtl"``) to
    an SX function ``(T, x_1 ... x_n) -> (g, ln gamma_1 ... ln gamma_n)``; its outputs become
    ``gibbs_excess_rt<_suffix>`` and ``log_act_coeff_comp<_suffix>``. Components are
    extracted and reassembled by products with constant unit vectors (``Gemm``), so the
    graph acts row by row on a batch.
    """
    T = ca.MX.sym("temperature", 1, 1)
    x = ca.MX.sym("mole_frac_comp", n, 1)
    eye = np.eye(n)
    xs = [ca.mtimes(ca.DM(eye[k:k + 1, :]), x) for k in range(n)]
    outs = []
    for fun in functions.values():
        values = fun.call([T, *xs], True, False)
        ln_gamma = functools.reduce(
            lambda acc, k: acc + values[1 + k] * ca.DM(eye[:, k:k + 1]), range(1, n),
            values[1] * ca.DM(eye[:, :1]))
        outs += [values[0], ln_gamma]
    suffixes = [s for s in functions if s]
    return ca.Function(name, [T, x], outs, list(INPUT_SHAPES), output_names(suffixes))


def export_onnx(fun: ca.Function, metadata: dict, path: str | Path,
                extra: dict | None = None) -> Path:
    """Write the ONNX file of ``fun`` (and the ``extra`` backbones) with ``metadata``.

    Goes through the contract's one writer, which checks the op policy, the CasADi round
    trip and batch evaluation at a few states.
    """
    from propkg import __version__ as propkg_version

    points = [{"temperature": T, "mole_frac_comp": [x1, 1.0 - x1]}
              for T, x1 in ((300.0, 0.3), (360.0, 0.9), (330.0, 0.0))]
    return write_onnx(mx_function({"": fun, **exported_backbones(extra or {})}, 2), metadata,
                      path,
                      check_points=points,
                      producer_version=propkg_version)


def outputs_and_backbones(hybrid, backbones: dict) -> tuple[dict, dict]:
    """The ``outputs`` and ``backbone`` metadata entries of a binary file: the hybrid's
    outputs and, per backbone alone, ``*_<kind>`` outputs with its parameters."""
    outputs = {}
    backbones = exported_backbones(backbones)
    for name in output_names(backbones):
        base = "gibbs_excess_rt" if name.startswith("gibbs") else "log_act_coeff_comp"
        outputs[name] = {"units": "1", "shape": OUTPUT_SHAPES[base], "scaling_factor": 1.0}
    backbone = {"gibbs_excess_rt": hybrid.backbone.as_metadata()}
    backbone.update({f"gibbs_excess_rt_{k}": b.as_metadata() for k, b in backbones.items()})
    return outputs, backbone


def metadata_for(fit: PairFit) -> dict:
    """The propkg metadata of a fitted pair's shipped hybrid."""
    from propkg import __version__ as propkg_version

    pair = fit.data.pair
    prov = fit.data.provenance
    temps = fit.data.arrays()["T"]
    hyb = fit.hybrid
    stats = {model: fit.statistics(model) for model in ("hybrid", *fit.backbones)}
    outputs, backbone = outputs_and_backbones(hyb, fit.backbones)
    return {
        "schema_version": 1,
        "kind": "binary_excess_gibbs",
        "components": [component(n).as_metadata() for n in pair],
        "inputs": {"temperature": {"units": "K", "shape": INPUT_SHAPES["temperature"]},
                   "mole_frac_comp": {"units": "1", "shape": INPUT_SHAPES["mole_frac_comp"]}},
        "outputs": outputs,
        "domain": {"temperature": [float(np.floor(temps.min())), float(np.ceil(temps.max()))],
                   "mole_frac_comp": [0.0, 1.0]},
        "backbone": backbone,
        "correction": hyb.correction_metadata(),
        "training_data": {
            "sha256": prov["sha256"],
            "source": f"CoolProp {prov['coolprop_version']} {prov['coolprop_mixture']}",
            "coolprop_version": prov["coolprop_version"],
            "coolprop_gitrevision": prov["coolprop_gitrevision"],
            "interaction_parameters": prov["interaction_parameters"],
            "pure_psat": prov["pure_psat"],
            "targets": "bubble pressure (ln P) and 0.3*y1 of modified Raoult, ideal vapour",
            "n_points": prov["n_points"],
            "isotherms_K": prov["isotherms_K"],
        },
        "error_statistics": {
            "pressure_bubble": dict(stats["hybrid"]["pressure_bubble"],
                                    reference=prov["coolprop_mixture"], split="test"),
            "mole_frac_vap": dict(stats["hybrid"]["mole_frac_vap"],
                                  reference=prov["coolprop_mixture"], split="test"),
            "backbones_alone": {k: v for k, v in stats.items() if k != "hybrid"},
        },
        "propkg_version": propkg_version,
        "notes": "ln gamma_i = exact derivative of gE/RT (CasADi AD); outputs without suffix "
                 "are the hybrid, *_unifac / *_nrtl the backbones alone; Psat not included: "
                 "use the pure-component models' pressure_sat_comp",
    }


def export_pair(fit: PairFit, model_dir: str | Path) -> Path:
    """Export one fitted pair as ``<c1>__<c2>.onnx`` (no manifest entry)."""
    name = f"{fit.data.pair[0]}__{fit.data.pair[1]}"
    extra = {k: fit.function(k) for k in fit.backbones}
    return export_onnx(fit.function("hybrid"), metadata_for(fit), Path(model_dir) / f"{name}.onnx",
                       extra)


def manifest_entry(pair: tuple[str, str]) -> dict:
    """The manifest entry of a shipped binary."""
    name = f"{pair[0]}__{pair[1]}"
    return {"name": name, "kind": "binary_excess_gibbs", "file": f"{name}.onnx",
            "components": [{"name": n, "cas": component(n).cas} for n in pair],
            "aliases": [f"{pair[1]}__{pair[0]}"]}


def export_all(model_dir: str | Path | None = None, pairs=COOLPROP_PAIRS) -> list[Path]:
    """Fit on CoolProp data and export the CoolProp-trained shipped pairs, then write their
    manifest entries (the others come from ``validation/measured_binary.py --export``)."""
    from propkg_contract.registry import default_model_dir

    model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
    paths = [export_pair(fit_pair(pair), model_dir) for pair in pairs]
    for pair in pairs:
        write_manifest_entry(model_dir, manifest_entry(pair))
    return paths


if __name__ == "__main__":  # pragma: no cover
    for p in export_all():
        print(p)
