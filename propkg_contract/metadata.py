"""The propkg metadata contract stored inside every exported ONNX file.

An exported model carries one ``metadata_props`` entry whose key is :data:`METADATA_KEY`
and whose value is a JSON object. This module is the single definition of that object:
propkg writes it, :mod:`idaes_plugin` reads it. It depends on nothing but the standard
library and ``onnx``, so that the plugin can import it without importing training code.

Schema (``schema_version`` 1)::

    {
      "schema_version": 1,
      "kind": "pure_component" | "binary_excess_gibbs" | "multicomponent_excess_gibbs"
              | "pure_component_transport",
      "components": [{"name": "benzene", "cas": "71-43-2", "molar_mass": 0.0781118}],
      "inputs":  {"temperature": {"units": "K"}, ...},
      "outputs": {"pressure_sat_comp": {"units": "Pa", "scaling_factor": 1e-5}, ...},
      "domain":  {"temperature": [lower, upper]},
      "backbone": {"<output or group>": {"name": "AmbroseWalton", "parameters": {...}}},
      "training_data": {"sha256": "...", "source": "CoolProp 7.x", "n_points": {...}},
      "error_statistics": {"<output>": {"aad_percent": 0.01, "max_percent": 0.05,
                                        "n_points": 200, "reference": "CoolProp"}},
      "propkg_version": "0.1.0",
      "opset": 17
    }

Units are strings in the notation of Pyomo/pint (``"K"``, ``"Pa"``, ``"mol/m**3"``,
``"J/mol/K"``), always SI. ``molar_mass`` is in kg/mol. Any further keys are allowed
and kept (``correction``, ``constants``, ``notes`` ...).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from propkg_contract.errors import MetadataError

METADATA_KEY = "propkg"
SCHEMA_VERSION = 1
KINDS = (
    "pure_component",
    "binary_excess_gibbs",
    "multicomponent_excess_gibbs",
    "pure_component_transport",
)
REQUIRED_KEYS = (
    "schema_version",
    "kind",
    "components",
    "inputs",
    "outputs",
    "domain",
    "backbone",
    "training_data",
    "error_statistics",
    "propkg_version",
)


@dataclass(frozen=True)
class ModelMetadata:
    """Validated propkg metadata of one ONNX model.

    Attributes mirror the JSON keys of the schema in the module docstring; ``raw`` keeps
    the whole validated dictionary, unknown keys included.
    """

    kind: str
    components: list[dict[str, Any]]
    inputs: dict[str, dict[str, Any]]
    outputs: dict[str, dict[str, Any]]
    domain: dict[str, list[float]]
    backbone: dict[str, Any]
    training_data: dict[str, Any]
    error_statistics: dict[str, Any]
    propkg_version: str
    raw: dict[str, Any] = field(repr=False)

    @property
    def component_names(self) -> list[str]:
        """Names of the components, in model order."""
        return [c["name"] for c in self.components]

    def fitted_to_data(self, output: str) -> bool:
        """False if ``training_data`` lists ``output`` under ``properties_without_data``
        (the output is its backbone alone: nothing measured was fitted to it)."""
        return output not in (self.training_data or {}).get("properties_without_data", [])

    def units_of(self, tensor_name: str) -> str:
        """Return the unit string of an input or output tensor."""
        for group in (self.inputs, self.outputs):
            if tensor_name in group:
                return group[tensor_name]["units"]
        raise MetadataError(
            f"tensor '{tensor_name}' is neither an input nor an output of this model; "
            f"inputs: {sorted(self.inputs)}, outputs: {sorted(self.outputs)}"
        )

    def to_json(self) -> str:
        """Serialise to the JSON text stored in the ONNX file (sorted keys, stable)."""
        return json.dumps(self.raw, sort_keys=True, indent=None, separators=(",", ":"))


def _require(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise MetadataError(f"propkg metadata of {where}: {message}")


def validate_metadata(data: Mapping[str, Any], where: str = "<model>") -> ModelMetadata:
    """Check a metadata dictionary against the schema and return it as :class:`ModelMetadata`.

    Parameters
    ----------
    data : Mapping
        The decoded JSON object.
    where : str
        Name of the file or object it came from, used in error messages.

    Raises
    ------
    MetadataError
        Naming the first key that is missing or malformed.
    """
    _require(isinstance(data, Mapping), where, f"expected a JSON object, got {type(data).__name__}")
    missing = [k for k in REQUIRED_KEYS if k not in data]
    _require(not missing, where, f"missing required key(s) {missing}")
    version = data["schema_version"]
    _require(
        version == SCHEMA_VERSION,
        where,
        f"schema_version is {version!r}, this propkg reads version {SCHEMA_VERSION}; "
        "re-export the model with a matching propkg",
    )
    _require(data["kind"] in KINDS, where, f"kind {data['kind']!r} is not one of {KINDS}")
    comps = data["components"]
    _require(
        isinstance(comps, list) and len(comps) >= 1,
        where,
        "'components' must be a non-empty list of {name, cas, molar_mass}",
    )
    for i, comp in enumerate(comps):
        _require(isinstance(comp, Mapping), where, f"components[{i}] is not an object")
        for key in ("name", "cas"):
            _require(
                isinstance(comp.get(key), str) and comp[key],
                where,
                f"components[{i}] has no string '{key}'",
            )
        mw = comp.get("molar_mass")
        _require(
            isinstance(mw, int | float) and mw > 0,
            where,
            f"components[{i}] molar_mass must be a positive number in kg/mol, got {mw!r}",
        )
    for group in ("inputs", "outputs"):
        tensors = data[group]
        _require(
            isinstance(tensors, Mapping) and tensors,
            where,
            f"'{group}' must be a non-empty object of tensor name -> {{units: ...}}",
        )
        for name, spec in tensors.items():
            _require(
                isinstance(spec, Mapping) and isinstance(spec.get("units"), str),
                where,
                f"{group[:-1]} '{name}' has no 'units' string",
            )
    domain = data["domain"]
    _require(isinstance(domain, Mapping), where, "'domain' must be an object")
    for name in data["inputs"]:
        if name not in domain:
            continue
        bounds = domain[name]
        ok = (
            isinstance(bounds, list | tuple)
            and len(bounds) == 2
            and all(isinstance(b, int | float) and math.isfinite(b) for b in bounds)
            and bounds[0] < bounds[1]
        )
        _require(
            ok, where, f"domain of '{name}' must be [lower, upper], lower < upper; got {bounds!r}"
        )
    _require("temperature" in domain, where, "'domain' must give the temperature range [K]")
    t_range = domain["temperature"]
    _require(
        isinstance(t_range, list | tuple) and len(t_range) == 2
        and isinstance(t_range[0], int | float) and t_range[0] > 0,
        where,
        f"the temperature domain {domain['temperature']!r} must be absolute temperatures in K "
        "(lower bound > 0)",
    )
    for key in ("backbone", "training_data", "error_statistics"):
        _require(isinstance(data[key], Mapping), where, f"'{key}' must be an object")
    _require(isinstance(data["propkg_version"], str), where, "'propkg_version' must be a string")
    raw = json.loads(json.dumps(dict(data)))  # deep copy, JSON-clean
    return ModelMetadata(
        kind=raw["kind"],
        components=raw["components"],
        inputs=raw["inputs"],
        outputs=raw["outputs"],
        domain={k: list(v) for k, v in raw["domain"].items()},
        backbone=raw["backbone"],
        training_data=raw["training_data"],
        error_statistics=raw["error_statistics"],
        propkg_version=raw["propkg_version"],
        raw=raw,
    )


def attach_metadata(model_proto: Any, metadata: ModelMetadata) -> None:
    """Store ``metadata`` in ``model_proto.metadata_props`` (replacing an earlier entry)."""
    props = model_proto.metadata_props
    for i in reversed(range(len(props))):
        if props[i].key == METADATA_KEY:
            del props[i]
    entry = props.add()
    entry.key = METADATA_KEY
    entry.value = metadata.to_json()


def metadata_from_proto(model_proto: Any, where: str = "<model>") -> ModelMetadata:
    """Read and validate the propkg metadata of an in-memory ``onnx.ModelProto``."""
    entries = [p.value for p in model_proto.metadata_props if p.key == METADATA_KEY]
    _require(
        len(entries) == 1,
        where,
        f"expected one metadata_props entry '{METADATA_KEY}', found {len(entries)}; "
        "was this file exported by propkg?",
    )
    try:
        data = json.loads(entries[0])
    except json.JSONDecodeError as exc:
        raise MetadataError(f"propkg metadata of {where} is not valid JSON: {exc}") from None
    return validate_metadata(data, where)


def read_metadata(path: str | Path) -> ModelMetadata:
    """Load an ONNX file's propkg metadata without loading its weights into a runtime."""
    import onnx

    path = Path(path)
    if not path.is_file():
        raise MetadataError(f"ONNX file '{path}' does not exist")
    try:
        proto = onnx.load(str(path), load_external_data=False)
    except Exception as exc:  # onnx raises DecodeError and others
        raise MetadataError(f"'{path}' is not a readable ONNX file: {exc}") from None
    return metadata_from_proto(proto, where=str(path))
