"""Hybrid pure-component transport properties: viscosity, thermal conductivity, surface
tension (mechanistic backbones of :mod:`.backbones` with a learned correction,
:mod:`.model`; CoolProp reference data, :mod:`.data`; training and export, :mod:`.training`,
:mod:`.export`)."""
