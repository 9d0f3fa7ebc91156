"""``propkg info``: print the propkg metadata of an ONNX model file.

The metadata is validated on load; a malformed file gives a one-line error. ``--json``
prints the whole metadata object.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "info",
        help="print the metadata of a propkg ONNX model",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("model", type=Path, help="ONNX file")
    parser.add_argument("--json", action="store_true", help="print the full metadata as JSON")
    parser.set_defaults(func=run)


def summary(meta, opset: int | None = None) -> str:
    """Human-readable summary of a :class:`propkg_contract.metadata.ModelMetadata`.

    ``opset`` is the file's real opset; a metadata entry that disagrees is shown beside it.
    """
    raw = meta.raw
    recorded = raw.get("opset")
    opset_text = str(opset if opset is not None else recorded or "?")
    if opset is not None and recorded is not None and recorded != opset:
        opset_text += f" (metadata says {recorded}: written by an older propkg)"
    lines = [
        f"kind:        {meta.kind}",
        "components:  "
        + ", ".join(
            f"{c['name']} (CAS {c['cas']}, M = {c['molar_mass']} kg/mol)" for c in meta.components
        ),
        f"propkg:      {meta.propkg_version}, schema {raw['schema_version']}, "
        f"opset {opset_text}",
        "domain:      "
        + ", ".join(f"{k} [{v[0]:.6g}, {v[1]:.6g}]" for k, v in meta.domain.items()),
        "inputs:",
    ]
    for name, spec in meta.inputs.items():
        lines.append(f"  {name} [{spec['units']}] shape {spec.get('shape', '?')}")
    lines.append("outputs:")
    for name, spec in meta.outputs.items():
        stats = meta.error_statistics.get(name, {})
        err = (
            f"AAD {stats['aad_percent']:.4g} %, max {stats['max_percent']:.4g} % "
            f"vs {stats.get('reference', '?')}"
            if "aad_percent" in stats
            else "no error statistics"
        )
        lines.append(f"  {name} [{spec['units']}]: {err}")
    lines.append("backbone:")
    for name, spec in meta.backbone.items():
        lines.append(f"  {name}: {spec.get('name', spec)}")
    td = meta.training_data
    lines.append(f"training data: {td.get('source', '?')}, sha256 {td.get('sha256', '?')}")
    if "reference_state" in raw:
        lines.append(f"reference state: {raw['reference_state']}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    import onnx

    from propkg_contract.metadata import read_metadata
    from propkg_contract.ops import file_opset

    meta = read_metadata(args.model)
    if args.json:
        print(json.dumps(meta.raw, indent=2, sort_keys=True))
    else:
        print(f"{args.model}")
        print(summary(meta, file_opset(onnx.load(str(args.model), load_external_data=False))))
    return 0
