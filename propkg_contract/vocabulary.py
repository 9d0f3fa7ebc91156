"""Property vocabulary of the propkg contract: tensor names, their SI units, constants.

Tensor names follow IDAES's ``<quantity>_<basis>_<phase>_<comp>`` convention
(``pressure_sat_comp``, ``cp_mol_ig_comp`` ...), so an ONNX output plugs into the IDAES
property of the same name. Units are pint/Pyomo strings, always SI; ``"1"`` is
dimensionless. Both the training side (:mod:`propkg`) and the flowsheet side
(:mod:`idaes_plugin`) take names, units and constants from here and nowhere else.
"""

from __future__ import annotations

#: molar gas constant [J/mol/K]: CODATA 2018 exact value N_A k (= scipy.constants.R; IDAES
#: rounds it to 8.314462618, 1.8e-11 relative)
GAS_CONSTANT = 8.31446261815324

#: reference state of the ideal-gas enthalpy and entropy outputs: h(T_REF) = 0 [J/mol],
#: s(T_REF, P_REF) = 0 [J/mol/K]
T_REF = 298.15  # K
P_REF = 101325.0  # Pa

#: name of the symbolic first axis of every input and output tensor
BATCH = "batch"

#: outputs of a pure-component model file, in export order, with SI units
PURE_OUTPUT_UNITS = {
    "pressure_sat_comp": "Pa",
    "dens_mol_liq_comp": "mol/m**3",
    "cp_mol_ig_comp": "J/mol/K",
    "enth_mol_ig_comp": "J/mol",
    "entr_mol_ig_comp": "J/mol/K",
    "dh_vap_mol_comp": "J/mol",
    "enth_mol_liq_comp": "J/mol",
    # second virial coefficient of the pure gas, Z = 1 + B P/(R T) at low density
    "second_virial_coef_comp": "m**3/mol",
}

#: outputs of a pure-component transport model file (kind ``pure_component_transport``), in
#: export order, with SI units: saturated-liquid and dilute-gas viscosity and thermal
#: conductivity, and the surface tension of the saturated liquid
TRANSPORT_OUTPUT_UNITS = {
    "visc_d_liq_comp": "Pa*s",
    "visc_d_vap_comp": "Pa*s",
    "therm_cond_liq_comp": "W/m/K",
    "therm_cond_vap_comp": "W/m/K",
    "surf_tens_comp": "N/m",
}

#: outputs of a binary excess-Gibbs model file (dimensionless), with their shapes
BINARY_OUTPUT_SHAPES = {"gibbs_excess_rt": [BATCH, 1], "log_act_coeff_comp": [BATCH, 2]}
BINARY_INPUT_SHAPES = {"temperature": [BATCH, 1], "mole_frac_comp": [BATCH, 2]}

#: every tensor name the contract knows, with the SI unit whose dimension it must have;
#: a model that declares one of these in units of another dimension is refused
PROPERTY_UNITS = {
    "temperature": "K",
    "pressure": "Pa",
    "mole_frac_comp": "1",
    **PURE_OUTPUT_UNITS,
    **TRANSPORT_OUTPUT_UNITS,
    "dens_mol_vap_comp": "mol/m**3",
    "cp_mol_liq_comp": "J/mol/K",
    "enth_mol_liq_comp": "J/mol",
    "entr_mol_liq_comp": "J/mol/K",
    "gibbs_excess_rt": "1",
    "log_act_coeff_comp": "1",
}

#: the only temperature unit a model may declare (absolute, SI)
TEMPERATURE_UNITS = "K"
