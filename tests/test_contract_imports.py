"""The arrows point one way: training -> contract <- Pyomo/IDAES; only the CLI imports both.

Each check runs a fresh interpreter, imports one side (and does real work with it), and
lists the modules it loaded: an import that crosses the line fails here, whether it sits at
module level or inside a function that the work calls.
"""

import json
import subprocess
import sys
import textwrap

import pytest

TRAINING = ("propkg",)
PLUGIN = ("idaes_plugin",)
MODELLING = ("pyomo", "idaes")
CLI = ("propkg_cli",)


def _loaded_modules(code: str) -> set[str]:
    program = textwrap.dedent(code) + textwrap.dedent(
        """
        import json, sys
        print("MODULES=" + json.dumps(sorted(sys.modules)))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-2000:]
    line = next(x for x in result.stdout.splitlines() if x.startswith("MODULES="))
    return set(json.loads(line.removeprefix("MODULES=")))


def _offenders(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in packages)


@pytest.mark.integration
def test_plugin_building_a_package_loads_no_training_code():
    modules = _loaded_modules(
        """
        import pyomo.environ as pyo
        from idaes.core import FlowsheetBlock
        from idaes.models.properties.modular_properties import GenericParameterBlock
        import idaes_plugin

        m = pyo.ConcreteModel()
        m.fs = FlowsheetBlock(dynamic=False)
        m.fs.props = GenericParameterBlock(
            **idaes_plugin.vle_config(["ethanol", "water"], activity_model="hybrid"))
        m.fs.sb = m.fs.props.build_state_block([0], defined_state=True)
        pyo.value(m.fs.sb[0].enth_mol_phase["Liq"])
        """
    )
    assert "idaes_plugin.activity.eos" in modules  # the work really ran
    assert _offenders(modules, TRAINING + CLI) == []


@pytest.mark.integration
def test_training_and_export_load_no_pyomo_idaes_or_plugin(tmp_path):
    modules = _loaded_modules(
        f"""
        from propkg.pipeline import fit_component, export_fitted

        model, dataset = fit_component("water")
        export_fitted(model, dataset, {str(tmp_path)!r})
        """
    )
    assert (tmp_path / "water.onnx").is_file()
    assert _offenders(modules, PLUGIN + MODELLING + CLI) == []


@pytest.mark.unit
def test_contract_loads_neither_side():
    modules = _loaded_modules(
        """
        from propkg_contract.reader import load_model, run_onnx
        from propkg_contract.registry import find_model
        import propkg_contract.writer

        model = load_model("water")
        run_onnx(find_model("water"), [300.0])
        """
    )
    assert _offenders(modules, TRAINING + PLUGIN + MODELLING + CLI) == []
