"""The one reader of propkg ONNX files: checks, CasADi import, onnxruntime sessions.

A file is accepted only if

* every node is a smooth or structural op of the default ONNX domain
  (:func:`propkg_contract.ops.check_graph`);
* every weight (initializer or ``Constant`` node) is finite;
* it carries valid propkg metadata (:mod:`propkg_contract.metadata`) whose input names equal
  the graph's inputs and whose outputs the graph produces;
* every unit string is readable by pint, plain (no numeric factor), and has the dimension
  that the property name implies (:data:`propkg_contract.vocabulary.PROPERTY_UNITS`); the
  temperature is in kelvin (no degC: an offset unit cannot be scaled);
* its inputs and outputs are float64, and each component's CAS number, molar mass and
  formula agree with ``chemicals`` (:mod:`propkg_contract.identity`);
* (for a file loaded by path) its sha256 matches the entry of a ``manifest.json`` beside it
  that lists it.

The accepted graph is imported with ``casadi.GraphBuilder(path).create(name,
{"symbolic": True})``, the batch axis bound to 1, and expanded to an SX function: the
numeric reference (the "oracle") that the Pyomo translation and every derivative are
checked against. Derivatives are CasADi's algorithmic differentiation of that graph.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import casadi as ca
import numpy as np
import onnx
from onnx import numpy_helper

from propkg_contract.errors import MetadataError, UnitsError, UnsupportedOperationError
from propkg_contract.identity import check_components, check_dtypes
from propkg_contract.metadata import ModelMetadata, metadata_from_proto
from propkg_contract.ops import check_graph, replace_softplus
from propkg_contract.registry import check_listed_digest, resolve_model_path, sha256_of
from propkg_contract.vocabulary import PROPERTY_UNITS, TEMPERATURE_UNITS


@functools.lru_cache(maxsize=1)
def _unit_registry():
    import pint

    return pint.UnitRegistry()


@functools.lru_cache(maxsize=256)
def unit_quantity(text: str, where: str = "<model>", tensor: str | None = None):
    """pint quantity of a metadata unit string (``"1"`` = dimensionless).

    Raises
    ------
    UnitsError
        If pint cannot read the string or it carries a numeric factor.
    """
    registry = _unit_registry()
    label = f"tensor '{tensor}' declares unit {text!r}" if tensor else f"unit string {text!r}"
    try:
        quantity = registry.Quantity(registry.parse_expression(text))
    except Exception as exc:  # pint raises several error types
        raise UnitsError(f"{where}: {label}, which pint cannot read: {exc}") from None
    if not isinstance(quantity.magnitude, int | float) or quantity.magnitude != 1:
        raise UnitsError(f"{where}: {label} with a numeric factor; give a plain unit")
    return quantity


def check_units(metadata: ModelMetadata, where: str = "<model>") -> None:
    """Check that every tensor's unit parses and has the dimension its name implies.

    Raises
    ------
    UnitsError
        Naming the tensor, the declared and the expected units.
    """
    registry = _unit_registry()
    for group in (metadata.inputs, metadata.outputs):
        for name, spec in group.items():
            declared = spec["units"]
            quantity = unit_quantity(declared, where, name)
            if name == "temperature" and declared.strip() != TEMPERATURE_UNITS:
                raise UnitsError(
                    f"{where}: tensor 'temperature' declares unit {declared!r}; propkg models "
                    f"take the absolute temperature in {TEMPERATURE_UNITS!r} (offset units such "
                    "as degC cannot be scaled): re-export the model with 'K'"
                )
            expected = PROPERTY_UNITS.get(name)
            if expected is None:
                continue
            if quantity.dimensionality != registry.parse_expression(expected).dimensionality:
                raise UnitsError(
                    f"{where}: tensor '{name}' declares unit {declared!r}; an IDAES "
                    f"'{name}' must have the dimension of {expected!r}"
                )


def check_weights(proto: onnx.ModelProto, where: str = "<model>") -> None:
    """Refuse a graph whose initializers or ``Constant`` tensors hold NaN or infinity.

    Raises
    ------
    MetadataError
        Naming the tensor and how many of its entries are not finite.
    """
    tensors = [(t.name, t) for t in proto.graph.initializer]
    for node in proto.graph.node:
        if node.op_type == "Constant":
            label = node.name or node.output[0]
            tensors += [(label, a.t) for a in node.attribute if a.name == "value"]
    for name, tensor in tensors:
        values = numpy_helper.to_array(tensor)
        if values.dtype.kind in "fc":
            bad = int(np.size(values) - np.count_nonzero(np.isfinite(values)))
            if bad:
                raise MetadataError(
                    f"{where}: weight tensor '{name}' holds {bad} NaN or infinite value(s); "
                    "the model file is damaged or was trained badly: re-export it"
                )


def _graph_input_names(proto: onnx.ModelProto) -> list[str]:
    initialized = {t.name for t in proto.graph.initializer}
    return [i.name for i in proto.graph.input if i.name not in initialized]


def check_names(proto: onnx.ModelProto, metadata: ModelMetadata, where: str) -> None:
    """Graph inputs must equal the metadata inputs; declared outputs must exist.

    Raises
    ------
    MetadataError
        Naming the tensors that differ.
    """
    graph_inputs = _graph_input_names(proto)
    if sorted(graph_inputs) != sorted(metadata.inputs):
        raise MetadataError(
            f"{where}: graph inputs {graph_inputs} do not match the metadata inputs "
            f"{sorted(metadata.inputs)}; input tensors must carry the property names"
        )
    graph_outputs = [o.name for o in proto.graph.output]
    missing = [n for n in metadata.outputs if n not in graph_outputs]
    if missing:
        raise MetadataError(
            f"{where}: metadata declares output(s) {missing} that the graph does not produce; "
            f"graph outputs: {graph_outputs}"
        )


def casadi_import(path: str | Path, name: str = "onnx_model") -> ca.Function:
    """CasADi MX function of an ONNX file, symbolic import, batch axis bound to 1.

    Raises
    ------
    UnsupportedOperationError
        If CasADi cannot import the graph (an op/attribute combination it lacks).
    """
    try:
        builder = ca.GraphBuilder(str(path), {})
        for param in builder.dynamic_params():
            builder.bind_dim(param, 1)
        return builder.create(name, {"symbolic": True})
    except RuntimeError as exc:
        message = str(exc).strip().splitlines()[-1]
        raise UnsupportedOperationError(
            f"CasADi's ONNX import of {path} failed: {message}"
        ) from None


@dataclass(frozen=True, eq=False)
class OnnxPropertyModel:
    """An accepted propkg ONNX model, imported into CasADi.

    Attributes
    ----------
    source : str
        File path (or ``"<in-memory>"``) the model came from.
    metadata : ModelMetadata
        Validated propkg metadata.
    input_names, output_names : tuple of str
        Tensor names in the order of :attr:`function`'s inputs and outputs.
    function : casadi.Function
        SX function, one argument per input tensor and one result per output tensor, with
        the graph's shapes (the batch dimension bound to 1).
    input_shapes, output_shapes : tuple of (rows, cols)
        Shapes of the inputs and outputs of :attr:`function`; elements are taken in
        column-major order wherever tensors are flattened.
    """

    source: str
    metadata: ModelMetadata
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    function: ca.Function = field(repr=False)
    input_shapes: tuple[tuple[int, int], ...] = ()
    output_shapes: tuple[tuple[int, int], ...] = ()

    def size_of(self, tensor: str) -> int:
        """Number of elements of an input or output tensor (1 for scalars)."""
        if tensor in self.input_names:
            rows, cols = self.input_shapes[self.input_names.index(tensor)]
        else:
            rows, cols = self.output_shapes[self.output_names.index(tensor)]
        return rows * cols

    def units_of(self, tensor: str) -> str:
        """Unit string of an input or output tensor."""
        return self.metadata.units_of(tensor)

    def domain_of(self, tensor: str = "temperature", output: str | None = None):
        """Validity domain ``(lower, upper)`` of an input, or None if not given.

        With ``output``, the output's own domain (``outputs[output]["domain"]``) if the
        metadata gives one, else the model's global domain.
        """
        bounds = None
        if output is not None:
            bounds = self.metadata.outputs.get(output, {}).get("domain", {}).get(tensor)
        if bounds is None:
            bounds = self.metadata.domain.get(tensor)
        return None if bounds is None else (float(bounds[0]), float(bounds[1]))

    def require_outputs(self, names: Iterable[str]) -> None:
        """Raise :class:`MetadataError` unless every name is an output of the model."""
        missing = [n for n in names if n not in self.output_names]
        if missing:
            raise MetadataError(
                f"ONNX model {self.source} has no output(s) {missing}; it provides "
                f"{list(self.output_names)}"
            )

    def sx_function(
        self, outputs: Sequence[str], wrt_derivative: str | None = None, log: bool = False
    ) -> ca.Function:
        """SX function of the model inputs returning the selected outputs.

        Parameters
        ----------
        outputs : sequence of str
            Output tensor names.
        wrt_derivative : str, optional
            Input name; if given, the function returns the derivatives
            :math:`\\partial y_k / \\partial x` of the selected outputs instead, formed by
            CasADi's algorithmic differentiation of the imported graph (exact).
        log : bool
            Return :math:`\\ln y_k` (or its derivative) instead of :math:`y_k`. CasADi
            simplifies ``log(exp(z))`` to ``z``, so a model that ends in ``exp`` (a vapour
            pressure built on :math:`\\ln p^{sat}`) gives its logarithm without round-off.
        """
        self.require_outputs(outputs)
        return _sx_function(self, tuple(outputs), wrt_derivative, log)

    def evaluate(
        self, outputs: Sequence[str], wrt_derivative: str | None = None, log: bool = False,
        **inputs,
    ):  # fmt: skip
        """Numeric values of outputs (or their derivatives) at the given inputs.

        Inputs are floats or array-likes of the input's size; the result concatenates the
        (column-major flattened) outputs, one float per output for scalar outputs.
        """
        fun = self.sx_function(outputs, wrt_derivative, log)
        args = [
            np.reshape(np.asarray(inputs[name], dtype=float), shape, order="F")
            for name, shape in zip(self.input_names, self.input_shapes, strict=True)
        ]
        values = fun(*args)
        values = [values] if fun.n_out() == 1 else list(values)
        return np.concatenate([np.ravel(np.array(v), order="F") for v in values])


@functools.lru_cache(maxsize=256)
def _sx_function(model: OnnxPropertyModel, outputs: tuple[str, ...], wrt: str | None, log: bool):
    syms = model.function.sx_in()
    values = model.function(*syms)
    values = [values] if len(model.output_names) == 1 else list(values)
    chosen = [values[model.output_names.index(n)] for n in outputs]
    if log:
        chosen = [ca.log(y) for y in chosen]
        outputs = tuple(f"log_{n}" for n in outputs)
    if wrt is not None:
        if wrt not in model.input_names:
            raise MetadataError(
                f"ONNX model {model.source} has no input '{wrt}'; inputs: {model.input_names}"
            )
        x = syms[model.input_names.index(wrt)]
        if x.numel() != 1:
            raise UnsupportedOperationError(
                f"derivatives with respect to the non-scalar input '{wrt}' of "
                f"{model.source} are not provided; only scalar inputs"
            )
        chosen = [ca.jacobian(ca.vec(y), x) for y in chosen]
        names = [f"d_{n}_d_{wrt}" for n in outputs]
    else:
        names = list(outputs)
    chosen = [ca.cse(y) for y in chosen]  # exact: merges structurally identical nodes only
    return ca.Function("propkg_model", syms, chosen, list(model.input_names), names)


def load_model(source: str | os.PathLike | onnx.ModelProto) -> OnnxPropertyModel:
    """Load, check and import a propkg ONNX model (cached per file content).

    Parameters
    ----------
    source : path, shipped model name/alias/CAS, or onnx.ModelProto
        The model. Names are looked up in the registry (sha256 checked); a path whose
        folder holds a ``manifest.json`` listing the file is checked against it too.

    Raises
    ------
    UnsupportedOperationError
        A node is non-smooth, unknown or from a custom domain (checked before CasADi).
    MetadataError
        Metadata missing or malformed, tensor names that differ from the graph's,
        non-finite weights, or a sha256 that differs from the manifest's.
    UnitsError
        A unit string is unreadable or has the wrong dimension for its property.
    """
    if isinstance(source, onnx.ModelProto):
        return _load_proto(source, "<in-memory>")
    path = resolve_model_path(source)
    digest = sha256_of(path)
    check_listed_digest(path, digest)
    return _load_file(str(path), digest)


@functools.lru_cache(maxsize=64)
def _load_file(path: str, digest: str) -> OnnxPropertyModel:
    del digest  # part of the cache key only: a rewritten file is re-imported
    try:
        proto = onnx.load(path)
    except Exception as exc:
        raise MetadataError(f"'{path}' is not a readable ONNX file: {exc}") from None
    return _load_proto(proto, path)


def _load_proto(proto: onnx.ModelProto, where: str) -> OnnxPropertyModel:
    check_graph(proto, where)
    check_weights(proto, where)
    check_dtypes(proto, where)
    metadata = metadata_from_proto(proto, where)
    check_names(proto, metadata, where)
    check_units(metadata, where)
    check_components(metadata, where)
    proto = replace_softplus(proto)
    with tempfile.TemporaryDirectory(prefix="propkg_onnx_") as tmp:
        tmp_path = os.path.join(tmp, "model.onnx")
        onnx.save(proto, tmp_path)
        mx_fun = casadi_import(tmp_path, "propkg_model")
    input_names = tuple(mx_fun.name_in())
    graph_outputs = tuple(mx_fun.name_out())
    output_names = tuple(n for n in graph_outputs if n in metadata.outputs)
    input_shapes = tuple(tuple(mx_fun.size_in(k)) for k in range(len(input_names)))
    output_shapes = tuple(tuple(mx_fun.size_out(graph_outputs.index(n))) for n in output_names)
    syms = [ca.SX.sym(n, *shape) for n, shape in zip(input_names, input_shapes, strict=True)]
    mx_values = mx_fun.expand()(*syms)
    mx_values = [mx_values] if len(graph_outputs) == 1 else list(mx_values)
    selected = [mx_values[graph_outputs.index(n)] for n in output_names]
    sx_fun = ca.Function("propkg_model", syms, selected, list(input_names), list(output_names))
    return OnnxPropertyModel(
        where, metadata, input_names, output_names, sx_fun, input_shapes, output_shapes
    )


def onnx_session(path: str | Path, threads: int = 1, outputs: Sequence[str] | None = None):
    """An onnxruntime CPU session of an ONNX file.

    Parameters
    ----------
    path : path
        The file.
    threads : int
        Intra-op threads (1: deterministic and cheapest per call for small batches).
    outputs : sequence of str, optional
        Keep only these outputs: the graph is pruned to what they need before the session
        is built, so asking for one output costs only that output.
    """
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    if outputs is None:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    proto = prune_outputs(onnx.load(str(path)), outputs, str(path))
    return ort.InferenceSession(
        proto.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )


def prune_outputs(proto: onnx.ModelProto, outputs: Sequence[str], where: str) -> onnx.ModelProto:
    """Copy of ``proto`` that computes only ``outputs`` (nodes they do not need removed)."""
    available = [o.name for o in proto.graph.output]
    missing = [n for n in outputs if n not in available]
    if missing:
        raise MetadataError(f"{where} has no output(s) {missing}; outputs: {available}")
    needed = set(outputs)
    keep = []
    for node in reversed(proto.graph.node):
        if needed.intersection(node.output):
            keep.append(node)
            needed.update(i for i in node.input if i)
    out = onnx.ModelProto()
    out.CopyFrom(proto)
    del out.graph.node[:]
    out.graph.node.extend(reversed(keep))
    kept_outputs = [o for o in proto.graph.output if o.name in outputs]
    del out.graph.output[:]
    out.graph.output.extend(kept_outputs)
    used = {i for n in keep for i in n.input}
    inits = [t for t in proto.graph.initializer if t.name in used]
    del out.graph.initializer[:]
    out.graph.initializer.extend(inits)
    return out


def run_onnx(path_or_session, T=None, **inputs) -> dict[str, np.ndarray]:
    """Evaluate an ONNX model with onnxruntime on a batch of states in one call.

    ``T`` (temperatures [K]) is shorthand for ``temperature=``; every input is reshaped to
    ``[batch, width]`` (width 1 for scalars). Returns output name -> array (flattened for
    ``[batch, 1]`` outputs, ``[batch, width]`` otherwise). For large batches,
    :class:`~propkg_contract.batch.BatchEvaluator` is several times faster (chunks that stay
    in the CPU cache, threads, a compiled backend).
    """
    session = (
        onnx_session(path_or_session) if isinstance(path_or_session, str | Path)
        else path_or_session
    )  # fmt: skip
    if T is not None:
        inputs["temperature"] = T
    feed = {}
    for spec in session.get_inputs():
        if spec.name not in inputs:
            raise MetadataError(
                f"ONNX model input '{spec.name}' was not given; got {sorted(inputs)}"
            )
        value = np.asarray(inputs[spec.name], dtype=np.float64)
        width = spec.shape[-1] if isinstance(spec.shape[-1], int) else 1
        feed[spec.name] = value.reshape(-1, width)
    names = [o.name for o in session.get_outputs()]
    values = session.run(names, feed)
    return {
        k: (np.asarray(v).ravel() if np.asarray(v).shape[-1] == 1 else np.asarray(v))
        for k, v in zip(names, values, strict=True)
    }


def __getattr__(name: str):
    """``BatchEvaluator`` lives in :mod:`propkg_contract.batch` (which builds on this module)
    and is importable from here too."""
    if name == "BatchEvaluator":
        from propkg_contract.batch import BatchEvaluator

        return BatchEvaluator
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
