"""Pharmacokinetics: compartment models with cited parameters, dosing, simulation and route comparison.

Everything here is educational: simulations show typical population curves, not predictions for a person,
and nothing in this package is dosing advice.
"""
