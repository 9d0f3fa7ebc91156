"""propkg mixture: export one multicomponent g^E model from the binary models.

    propkg mixture acetone methanol water -o amw.onnx
    propkg mixture benzene toluene o-xylene --backbone unifac --binary bt.onnx -o btx.onnx

The file holds g^E/RT = backbone(T, x) + sum over pairs x_i x_j c_ij(x_i - x_j, tau_ij(T)),
with the multicomponent UNIFAC-Dortmund or NRTL backbone and the learned correction c_ij of
each pair's binary model (shipped, or given with --binary); ln gamma_i are exact derivatives
of that one function. A pair without a binary model keeps the backbone alone (a warning
names it). Use it in a flowsheet with
vle_config([...], activity_model="hybrid", mixture_model="amw.onnx").
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

from propkg_contract.errors import DataError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "mixture",
        help="export a multicomponent g^E model built from binary models",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("components", nargs="+", help="component names, aliases or CAS numbers")
    parser.add_argument("-o", "--output", type=Path, required=True, help="ONNX file to write")
    parser.add_argument("--backbone", choices=("unifac", "nrtl"),
                        help="multicomponent backbone (default: the binaries' majority)")
    parser.add_argument("--binary", type=Path, action="append", default=[], metavar="FILE",
                        help="a binary g^E ONNX file to use for its pair (repeatable)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from propkg.mixtures.multicomponent import build, export
    from propkg_contract.metadata import read_metadata

    out = args.output
    if out.suffix.lower() != ".onnx":
        raise DataError(f"-o {out}: the output must be an .onnx file")
    if not out.resolve().parent.is_dir():
        raise DataError(f"-o {out}: folder '{out.resolve().parent}' does not exist")
    binaries = {}
    for path in args.binary:
        names = tuple(read_metadata(path).component_names)
        if len(names) != 2:
            raise DataError(f"--binary {path}: not a binary model (components {list(names)})")
        binaries[names] = path
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = build(args.components, binaries, args.backbone)
        path = export(model, out)
    for w in caught:
        if issubclass(w.category, UserWarning):
            print(f"warning: {w.message}")
    print(f"wrote {path}: {', '.join(model.names)}, backbone {model.backbone_kind}, "
          f"{len(model.pairs)} pair correction(s)")
    for pair, dev in model.binary_limit_deviation().items():
        print(f"  binary limit {pair}: max |g^E/RT - binary file| = {dev:.1e}")
    return 0
