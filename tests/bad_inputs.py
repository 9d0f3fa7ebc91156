"""Builders of bad inputs shared by the ``test_bad_inputs_*`` catalogue.

Model files are either tiny graphs built with ``onnx.helper`` (one Antoine-like vapour
pressure, ``p = exp(a - b / T)``) or copies of a shipped file written to a temporary folder
with one thing changed; the shipped files are never modified.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from exported_models import MODEL_DIR
from propkg_contract.metadata import METADATA_KEY

#: a benzene-like vapour pressure, ln(p/Pa) = A - B/T
ANTOINE_A, ANTOINE_B = 22.0, 3800.0


def tiny_metadata(**changes) -> dict:
    """Valid metadata of :func:`tiny_model`; keyword arguments replace top-level keys."""
    meta = {
        "schema_version": 1,
        "kind": "pure_component",
        "components": [{"name": "benzene", "cas": "71-43-2", "molar_mass": 0.07811184}],
        "inputs": {"temperature": {"units": "K"}},
        "outputs": {"pressure_sat_comp": {"units": "Pa", "scaling_factor": 1e-5}},
        "domain": {"temperature": [280.0, 500.0]},
        "backbone": {"pressure_sat_comp": {"name": "Antoine", "parameters": {}}},
        "training_data": {"sha256": "0" * 64, "source": "test", "n_points": {}},
        "error_statistics": {},
        "propkg_version": "0.1.0",
    }
    meta.update(changes)
    return meta


def tiny_model(
    metadata: dict | None = None,
    *,
    a: float = ANTOINE_A,
    b: float = ANTOINE_B,
    op: str = "Exp",
    op_domain: str = "",
    extra_input: str | None = None,
    input_type: int = TensorProto.DOUBLE,
    input_name: str = "temperature",
) -> onnx.ModelProto:
    """``pressure_sat_comp = op(a - b / temperature)``, float64, batch axis, with metadata."""
    nodes = [
        helper.make_node("Constant", [], ["a"], name="const_a",
                         value=numpy_helper.from_array(np.array([a]), "a_value")),
        helper.make_node("Constant", [], ["b"], name="const_b",
                         value=numpy_helper.from_array(np.array([b]), "b_value")),
        helper.make_node("Div", ["b", input_name], ["b_over_t"], name="div"),
        helper.make_node("Sub", ["a", "b_over_t"], ["ln_p"], name="sub"),
        helper.make_node(op, ["ln_p"], ["pressure_sat_comp"], name="last", domain=op_domain),
    ]  # fmt: skip
    inputs = [helper.make_tensor_value_info(input_name, input_type, ["batch", 1])]
    if extra_input:
        inputs.append(helper.make_tensor_value_info(extra_input, TensorProto.DOUBLE, ["batch", 1]))
    outputs = [helper.make_tensor_value_info("pressure_sat_comp", TensorProto.DOUBLE, ["batch", 1])]
    graph = helper.make_graph(nodes, "tiny", inputs, outputs)
    opsets = [helper.make_opsetid("", 17)]
    if op_domain:
        opsets.append(helper.make_opsetid(op_domain, 1))
    proto = helper.make_model(graph, opset_imports=opsets)
    proto.ir_version = 8
    meta = tiny_metadata() if metadata is None else metadata
    if meta is not False:
        entry = proto.metadata_props.add()
        entry.key = METADATA_KEY
        entry.value = meta if isinstance(meta, str) else json.dumps(meta)
    return proto


def save(proto: onnx.ModelProto, folder: Path, name: str = "model.onnx") -> Path:
    """Write ``proto`` to ``folder/name`` and return the path."""
    path = Path(folder) / name
    onnx.save(proto, str(path))
    return path


def shipped_copy(folder: Path, name: str = "benzene") -> Path:
    """Copy of a shipped model file in ``folder`` (no manifest beside it)."""
    target = Path(folder) / f"{name}.onnx"
    shutil.copyfile(MODEL_DIR / f"{name}.onnx", target)
    return target


def mutate_metadata(path: Path, change: Callable[[dict], None]) -> Path:
    """Apply ``change`` to the metadata dict of the ONNX file at ``path`` (in place)."""
    proto = onnx.load(str(path))
    entry = next(p for p in proto.metadata_props if p.key == METADATA_KEY)
    meta = json.loads(entry.value)
    change(meta)
    entry.value = json.dumps(meta)
    onnx.save(proto, str(path))
    return path


def mutate_graph(path: Path, change: Callable[[onnx.ModelProto], None]) -> Path:
    """Apply ``change`` to the graph of the ONNX file at ``path`` (in place)."""
    proto = onnx.load(str(path))
    change(proto)
    onnx.save(proto, str(path))
    return path


def first_constant(proto: onnx.ModelProto) -> onnx.NodeProto:
    """The first ``Constant`` node holding a float tensor of more than zero elements."""
    for node in proto.graph.node:
        if node.op_type == "Constant":
            for attr in node.attribute:
                if attr.name == "value" and attr.t.data_type == TensorProto.DOUBLE:
                    return node
    raise LookupError("no float64 Constant node")


def set_constant(node: onnx.NodeProto, value: float) -> None:
    """Replace the first element of a ``Constant`` node's tensor by ``value``."""
    attr = next(a for a in node.attribute if a.name == "value")
    array = numpy_helper.to_array(attr.t).copy()
    array.flat[0] = value
    attr.t.CopyFrom(numpy_helper.from_array(array, attr.t.name))
