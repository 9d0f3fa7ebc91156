"""The one writer of propkg ONNX files.

Every exporter (pure-component models, binary g^E models, the mechanism-only replicas)
hands a CasADi function and a metadata dictionary to :func:`write_onnx`, which

1. exports the function with ``casadi.GraphBuilder(f, {}).export_onnx`` (fixed ``[1, n]``
   tensors, opset :data:`~propkg_contract.ops.OPSET`);
2. removes ``Identity`` nodes (left by ``casadi.jacobian`` and output renaming);
3. makes the first axis of every input and output the symbolic ``"batch"``: the graphs act
   row by row (element-wise ops, ``Gemm`` with constant right-hand matrices), so
   onnxruntime evaluates ``[batch, n]`` arrays in one call;
4. refuses ops outside the contract's op policy (:func:`propkg_contract.ops.check_graph`);
5. writes the true opset and the tensor shapes into the metadata, validates it against the
   schema and attaches it;
6. checks the written file: its CasADi re-import reproduces the function, and onnxruntime
   on a batch of the check points equals the function point by point (1e-12).

The function's input and output names are the tensor names (property vocabulary of
:mod:`propkg_contract.vocabulary`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import casadi as ca
import numpy as np
import onnx

from propkg_contract.errors import UnsupportedOperationError
from propkg_contract.metadata import attach_metadata, validate_metadata
from propkg_contract.ops import OPSET, check_graph, file_opset
from propkg_contract.reader import casadi_import, check_weights
from propkg_contract.vocabulary import BATCH

#: largest relative difference between the written file and the function at check points
ROUND_TRIP_RTOL = 1e-12
#: absolute floor of that comparison, for outputs that vanish at a check point (ln gamma of
#: a pure component is 0 in the function and ~1e-17 in a batched evaluation)
ROUND_TRIP_ATOL = 1e-13


def remove_identity(graph: onnx.GraphProto) -> None:
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


def set_batch_dimension(graph: onnx.GraphProto) -> None:
    """Make the first axis of every graph input and output the symbolic ``"batch"``."""
    for value in list(graph.input) + list(graph.output):
        dim = value.type.tensor_type.shape.dim[0]
        dim.ClearField("dim_value")
        dim.dim_param = BATCH


def _row_shapes(function: ca.Function) -> tuple[dict[str, list], dict[str, list]]:
    """``[batch, n]`` shape of every input and output of a function of column vectors."""
    shapes_in = {function.name_in(k): [BATCH, function.size1_in(k)] for k in range(function.n_in())}
    shapes_out = {
        function.name_out(k): [BATCH, function.size1_out(k)] for k in range(function.n_out())
    }
    return shapes_in, shapes_out


def _to_proto(function: ca.Function, where: str) -> onnx.ModelProto:
    if function.is_a("SXFunction"):  # GraphBuilder exports MX graphs: inline the SX one
        args = [ca.MX.sym(function.name_in(k), function.sparsity_in(k))
                for k in range(function.n_in())]
        function = ca.Function(function.name(), args, function.call(args, True, False),
                               function.name_in(), function.name_out())
    with tempfile.TemporaryDirectory(prefix="propkg_export_") as tmp:
        path = Path(tmp) / "model.onnx"
        try:
            ca.GraphBuilder(function, {}).export_onnx(str(path))
        except RuntimeError as exc:
            message = str(exc).strip().splitlines()[-1]
            raise UnsupportedOperationError(
                f"CasADi cannot export {where} to ONNX: {message}"
            ) from None
        return onnx.load(str(path))


def _check_points(function: ca.Function, points: Sequence[Mapping[str, Any]], where: str,
                  path: Path) -> None:
    """The written file must reproduce ``function`` in CasADi and, batched, in onnxruntime."""
    from propkg_contract.reader import onnx_session

    back = casadi_import(path, "round_trip").expand()
    names_in = [function.name_in(k) for k in range(function.n_in())]
    names_out = [function.name_out(k) for k in range(function.n_out())]
    expected = []
    for point in points:
        args = [ca.DM(np.reshape(np.asarray(point[n], float), (-1, 1))) for n in names_in]
        ref = function.call(args)
        got = back.call(args)
        for name, a, b in zip(names_out, ref, got, strict=True):
            a, b = np.asarray(a).ravel(), np.asarray(b).ravel()
            if not np.allclose(b, a, rtol=ROUND_TRIP_RTOL, atol=ROUND_TRIP_ATOL):
                raise UnsupportedOperationError(
                    f"CasADi re-import of {where} differs from the exported function in "
                    f"'{name}' at {dict(point)}: {b} vs {a}"
                )
        expected.append([np.asarray(a).ravel() for a in ref])
    session = onnx_session(path)
    feed = {
        n: np.array([np.reshape(np.asarray(p[n], float), -1) for p in points]) for n in names_in
    }
    batch = dict(zip(names_out, session.run(names_out, feed), strict=True))
    for k, row in enumerate(expected):
        for name, ref in zip(names_out, row, strict=True):
            got = np.asarray(batch[name])[k].ravel()
            if not np.allclose(got, ref, rtol=ROUND_TRIP_RTOL, atol=ROUND_TRIP_ATOL):
                raise UnsupportedOperationError(
                    f"{where} does not evaluate row by row in a batch ('{name}', row {k}: "
                    f"{got} vs {ref}); it cannot be written with a batch axis"
                )


def write_onnx(
    function: ca.Function,
    metadata: Mapping[str, Any],
    path: str | Path,
    check_points: Sequence[Mapping[str, Any]] = (),
    producer_version: str | None = None,
) -> Path:
    """Write ``function`` with ``metadata`` to a propkg ONNX file; return the path.

    Parameters
    ----------
    function : casadi.Function
        MX or SX function of column-vector inputs; its input and output names are the
        tensor names. It must act row by row on a batch (checked at ``check_points``).
    metadata : Mapping
        propkg metadata (:mod:`propkg_contract.metadata`). ``opset`` and the ``shape`` of
        every declared tensor are filled in here from the written graph.
    path : path
        Destination; parent folders are created.
    check_points : sequence of mappings
        Input name -> value; the written file is re-imported and evaluated there (CasADi
        and one batched onnxruntime call) and must equal ``function`` to 1e-12.
    producer_version : str, optional
        Written as the file's ``producer_version``.

    Raises
    ------
    UnsupportedOperationError
        An op outside the contract's policy, a wrong opset, or a file that does not
        reproduce ``function``.
    MetadataError
        Metadata that do not satisfy the schema.
    """
    path = Path(path)
    where = f"'{path.name}'"
    proto = _to_proto(function, where)
    if file_opset(proto) != OPSET:
        raise UnsupportedOperationError(
            f"CasADi wrote opset {file_opset(proto)} for {where}; the contract pins opset {OPSET}"
        )
    remove_identity(proto.graph)
    set_batch_dimension(proto.graph)
    check_graph(proto, where)
    check_weights(proto, where)
    data = dict(metadata)
    shapes_in, shapes_out = _row_shapes(function)
    data["inputs"] = {k: dict(v, shape=shapes_in.get(k, v.get("shape")))
                      for k, v in metadata["inputs"].items()}
    data["outputs"] = {k: dict(v, shape=shapes_out.get(k, v.get("shape")))
                       for k, v in metadata["outputs"].items()}
    data["opset"] = file_opset(proto)
    attach_metadata(proto, validate_metadata(data, str(path)))
    proto.producer_name = "propkg"
    if producer_version:
        proto.producer_version = producer_version
    onnx.checker.check_model(proto, full_check=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(proto, str(path))
    if check_points:
        _check_points(function, check_points, where, path)
    return path
