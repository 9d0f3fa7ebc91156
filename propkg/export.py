"""Export of hybrid pure-component models to self-describing ONNX files.

The CasADi MX function of a :class:`~propkg.hybrid.HybridPureModel` is exported with
``casadi.GraphBuilder(f, {}).export_onnx``, which writes fixed ``[1, 1]`` tensors. Every
node of the graph is element-wise on scalars, so the first axis of the input and
output tensors is then renamed to the symbolic dimension ``"batch"``: onnxruntime
evaluates an array ``[n, 1]`` of temperatures in one call. ``Identity`` nodes (left by
``casadi.jacobian``) are removed, the op set is checked against :data:`ALLOWED_OPS`, the
propkg metadata is attached, and the file is registered in the manifest.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

import propkg
from propkg.hybrid import OUTPUT_UNITS, P_REF, T_REF, HybridPureModel
from propkg.onnx_batch import BATCH, set_batch_dimension
from propkg_contract.errors import UnsupportedOperationError
from propkg_contract.metadata import attach_metadata, validate_metadata
from propkg_contract.registry import write_manifest_entry

#: ONNX opset written by CasADi 3.8's GraphBuilder; checked at export
OPSET = 16
ALLOWED_OPS = frozenset(
    "Add Sub Mul Div Pow Exp Log Sqrt Tanh MatMul Gemm Constant Neg Sigmoid Softplus".split()
)


def _remove_identity(graph) -> None:
    """Remove ``Identity`` nodes by rewiring their consumers (and graph outputs)."""
    output_names = {o.name for o in graph.output}
    while True:
        node = next((n for n in graph.node if n.op_type == "Identity"), None)
        if node is None:
            return
        src, dst = node.input[0], node.output[0]
        graph.node.remove(node)
        if dst in output_names:
            # the producer of src writes dst directly; consumers of src read dst
            for n in graph.node:
                for i, name in enumerate(n.output):
                    if name == src:
                        n.output[i] = dst
                for i, name in enumerate(n.input):
                    if name == src:
                        n.input[i] = dst
        else:
            for n in graph.node:
                for i, name in enumerate(n.input):
                    if name == dst:
                        n.input[i] = src


def check_ops(graph, where: str) -> None:
    """Raise :class:`UnsupportedOperationError` for any op outside :data:`ALLOWED_OPS`."""
    for node in graph.node:
        if node.op_type not in ALLOWED_OPS:
            raise UnsupportedOperationError(
                f"ONNX node '{node.name}' of {where} uses op '{node.op_type}', which is not in "
                f"the smooth op set; supported: {sorted(ALLOWED_OPS)}"
            )


def casadi_to_onnx(function, where: str):
    """Export a scalar-input CasADi MX function to an ``onnx.ModelProto`` with a batch axis."""
    import casadi as ca
    import onnx

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.onnx"
        ca.GraphBuilder(function, {}).export_onnx(str(path))
        proto = onnx.load(str(path))
    opsets = {o.domain: o.version for o in proto.opset_import}
    if opsets.get("", None) != OPSET:
        raise UnsupportedOperationError(
            f"CasADi wrote opset {opsets} for {where}; propkg pins opset {OPSET}"
        )
    _remove_identity(proto.graph)
    set_batch_dimension(proto.graph)
    check_ops(proto.graph, where)
    onnx.checker.check_model(proto, full_check=True)
    return proto


def _scaling_factor(values: np.ndarray) -> float:
    magnitude = float(np.max(np.abs(values)))
    return float(10.0 ** (-np.round(np.log10(magnitude)))) if magnitude > 0 else 1.0


def build_metadata(
    model: HybridPureModel,
    training: dict,
    error_statistics: dict,
    domain: tuple[float, float],
) -> dict:
    """propkg metadata dictionary of an exported pure-component model.

    Parameters
    ----------
    model : HybridPureModel
        The trained model.
    training : dict
        ``training_data`` entry: ``sha256``, ``source``, ``n_points`` ...
    error_statistics : dict
        Per-output statistics on held-out data (see :mod:`propkg.evaluate`).
    domain : (float, float)
        Validity range of temperature, [K].
    """
    c = model.constants
    lo, hi = float(domain[0]), float(domain[1])
    grid = np.linspace(lo, hi, 50)
    values = model.evaluate(grid)
    outputs = {
        name: {
            "units": units,
            "scaling_factor": _scaling_factor(values[name]),
            "domain": {"temperature": [lo, hi]},
            "shape": [BATCH, 1],
        }
        for name, units in OUTPUT_UNITS.items()
    }
    return {
        "schema_version": 1,
        "kind": "pure_component",
        "components": [{"name": c.name, "cas": c.cas, "molar_mass": c.molar_mass}],
        "inputs": {"temperature": {"units": "K", "shape": [BATCH, 1], "scaling_factor": 1e-2}},
        "outputs": outputs,
        "domain": {"temperature": [lo, hi]},
        "reference_state": {"temperature": T_REF, "pressure": P_REF},
        "constants": c.as_dict(),
        "backbone": {
            "pressure_sat_comp": {
                "name": "AmbroseWalton",
                "parameters": {"Tc": c.Tc, "Pc": c.Pc, "omega": c.omega},
            },
            "dens_mol_liq_comp": {
                "name": "Rackett",
                "parameters": {"Tc": c.Tc, "Pc": c.Pc, "Z_RA": c.Zc},
            },
            "ideal_gas": {
                "name": "Poling"
                if "ideal_gas" not in c.sources
                else f"Poling form ({c.sources['ideal_gas']['name']})",
                "outputs": ["cp_mol_ig_comp", "enth_mol_ig_comp", "entr_mol_ig_comp"],
                "parameters": {"a": list(c.poling)},
                **(
                    {"coefficients_from": c.sources["ideal_gas"]}
                    if "ideal_gas" in c.sources
                    else {}
                ),
            },
            "dh_vap_mol_comp": {
                "name": "ClausiusClapeyron",
                "parameters": {
                    "formula": "dh_vap = T (v_V - v_L) dPsat/dT, exact d ln Psat/dT",
                    "vapour_volume": "Z R T/Psat, ln Z = ln(1 + B Psat/(R T)) + (Psat/Pc)^2 "
                    "tanh_net (correction 'vapour_compressibility'), B of Tsonopoulos "
                    "(non-polar form)",
                    "liquid_volume": "1/dens_mol_liq_comp",
                },
            },
        },
        "correction": model.correction_dict(),
        "training_data": training,
        "error_statistics": error_statistics,
        "propkg_version": propkg.__version__,
        "opset": OPSET,
        "notes": "enth_mol_ig_comp and entr_mol_ig_comp are 0 at 298.15 K (entropy at "
        "101325 Pa); add formation values for absolute values.",
    }


def export_model(
    model: HybridPureModel,
    path: str | Path,
    training: dict,
    error_statistics: dict,
    domain: tuple[float, float] | None = None,
) -> Path:
    """Write ``model`` to an ONNX file with validated metadata; return the path."""
    import onnx

    c = model.constants
    domain = domain or (c.T_low, c.T_high)
    path = Path(path)
    proto = casadi_to_onnx(model.casadi_function(c.name), where=str(path))
    meta = validate_metadata(build_metadata(model, training, error_statistics, domain), str(path))
    attach_metadata(proto, meta)
    proto.producer_name = "propkg"
    proto.producer_version = propkg.__version__
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(proto, str(path))
    return path


def register(model_dir: str | Path, model: HybridPureModel, file_name: str) -> Path:
    """Add the exported file of ``model`` to ``model_dir/manifest.json``."""
    c = model.constants
    names = (c.name, c.name.replace("_", " "), c.coolprop, *c.aliases)
    aliases = sorted({a.lower() for a in names})
    return write_manifest_entry(
        model_dir,
        {
            "name": c.name,
            "kind": "pure_component",
            "file": file_name,
            "components": [{"name": c.name, "cas": c.cas}],
            "aliases": aliases + [c.cas],
        },
    )
