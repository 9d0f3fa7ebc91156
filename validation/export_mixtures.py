"""Export the shipped multicomponent g^E models (maintainers; after the binaries change).

Each file is built by :func:`propkg.mixtures.multicomponent.build` from the shipped binary
models of its pairs (the same as ``propkg mixture A B C -o FILE``) and registered in
``exported_models/manifest.json``.

Usage (from the repository root)::

    python validation/export_mixtures.py
"""

import sys

from propkg.mixtures.multicomponent import build, export
from propkg_contract.registry import default_model_dir, write_manifest_entry

#: component sets shipped as multicomponent files (every pair has a shipped binary)
SHIPPED_MIXTURES = (("acetone", "methanol", "water"),)


def main() -> int:
    model_dir = default_model_dir()
    for names in SHIPPED_MIXTURES:
        model = build(list(names))
        name = "__".join(model.names)
        path = export(model, model_dir / f"{name}.onnx")
        write_manifest_entry(model_dir, {
            "name": name, "kind": "multicomponent_excess_gibbs", "file": path.name,
            "components": [{"name": n, "cas": c["cas"]} for n, c in zip(
                model.names, (m for m in _components(model)), strict=True)],
            "aliases": [],
        })
        print(f"{path.name}: pairs {[p.source.split('/')[-1] for p in model.pairs]}, "
              f"binary limits {model.binary_limit_deviation()}")
    return 0


def _components(model):
    from propkg.mixtures.components import component

    return [component(n).as_metadata() for n in model.names]


if __name__ == "__main__":
    sys.exit(main())
