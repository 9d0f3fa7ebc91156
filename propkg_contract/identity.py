"""Checks of a model file's component identity and data types (part of the one reader).

A model names its components by CAS number; IDAES takes their elemental composition (and
propkg its constants) from ``chemicals`` by that number. A CAS number of another compound
would silently give wrong values, so the reader compares what the metadata says with
``chemicals``' database:

* the CAS check digit (:func:`chemicals.identifiers.check_CAS`, pure arithmetic);
* the molar mass: the metadata's ``molar_mass`` [kg/mol] must agree with chemicals'
  :math:`M_w` [g/mol] / 1000 to :data:`MOLAR_MASS_RTOL` (catches another compound's CAS
  and g/mol given as kg/mol);
* a ``constants["formula"]`` (if given) must have chemicals' element counts for the CAS.

A CAS number chemicals does not know is accepted (a user's own compound). The graph's
inputs and outputs must be float64 tensors (the contract: float64 everywhere).
"""

from __future__ import annotations

import onnx

from propkg_contract.errors import MetadataError
from propkg_contract.metadata import ModelMetadata

#: relative tolerance of the molar mass against chemicals' value
MOLAR_MASS_RTOL = 0.01


def _chemical(cas: str):
    """chemicals' record of a CAS number, or None if unknown (or chemicals is missing)."""
    try:
        from chemicals.identifiers import search_chemical
    except ImportError:  # the check is skipped without chemicals
        return None
    try:
        return search_chemical(cas)
    except Exception:  # chemicals raises ValueError for unknown identifiers
        return None


def _element_counts(formula: str, where: str) -> dict[str, int]:
    from chemicals.elements import simple_formula_parser

    try:
        return {k: int(v) for k, v in simple_formula_parser(formula).items()}
    except Exception as exc:
        raise MetadataError(f"{where}: formula {formula!r} cannot be parsed: {exc}") from None


def check_components(metadata: ModelMetadata, where: str = "<model>") -> None:
    """Compare each component's CAS number, molar mass and formula with ``chemicals``.

    Raises
    ------
    MetadataError
        Naming the component, the metadata value and chemicals' value.
    """
    try:
        from chemicals.identifiers import check_CAS
    except ImportError:  # pragma: no cover - chemicals is a dependency
        return
    formula = metadata.raw.get("constants", {}).get("formula")
    for comp in metadata.components:
        name, cas = comp["name"], comp["cas"]
        if not check_CAS(cas):
            raise MetadataError(
                f"{where}: component '{name}' has CAS number '{cas}', whose check digit is "
                "wrong; give the registry number of the compound (e.g. '71-43-2')"
            )
        record = _chemical(cas)
        if record is None:
            continue
        expected = record.MW / 1000.0
        if abs(comp["molar_mass"] - expected) > MOLAR_MASS_RTOL * expected:
            raise MetadataError(
                f"{where}: component '{name}' has CAS {cas}, which is {record.common_name} "
                f"({record.formula}, {expected:.6g} kg/mol) in chemicals, but its molar_mass "
                f"is {comp['molar_mass']!r} kg/mol: fix the CAS number, or give the molar mass "
                "in kg/mol"
            )
        if formula and len(metadata.components) == 1:
            if _element_counts(formula, where) != _element_counts(record.formula, where):
                raise MetadataError(
                    f"{where}: constants.formula {formula!r} of '{name}' disagrees with "
                    f"chemicals' {record.formula!r} for CAS {cas} ({record.common_name})"
                )


def check_dtypes(proto: onnx.ModelProto, where: str = "<model>") -> None:
    """Every graph input and output must be a float64 tensor.

    Raises
    ------
    MetadataError
        Naming the tensor and its element type.
    """
    initialized = {t.name for t in proto.graph.initializer}
    tensors = [i for i in proto.graph.input if i.name not in initialized]
    for info in [*tensors, *proto.graph.output]:
        elem = info.type.tensor_type.elem_type
        if elem != onnx.TensorProto.DOUBLE:
            kind = onnx.TensorProto.DataType.Name(elem)
            raise MetadataError(
                f"{where}: tensor '{info.name}' is {kind}; propkg models are float64 "
                "(DOUBLE) throughout: re-export the model in float64"
            )
