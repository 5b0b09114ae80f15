"""The care-history simulator with ground truth: ``simulate`` and ``oracle_risk``.

See ``docs/simulator.md`` for the mechanisms, parameters and sources, the calibration table,
the oracle and the bias scenarios.

Examples
--------
>>> from earlysignal.synth import simulate
>>> sim = simulate(200, years=2, seed=0)
>>> sorted(sim.truth)
['children', 'placements', 'providers']
"""

from earlysignal.synth.oracle import oracle_risk
from earlysignal.synth.params import SimParams
from earlysignal.synth.scenarios import SCENARIOS, BiasScenario
from earlysignal.synth.simulation import Simulation, simulate
from earlysignal.synth.targets import TARGETS, calibration_table

__all__ = [
    "SCENARIOS",
    "TARGETS",
    "BiasScenario",
    "SimParams",
    "Simulation",
    "calibration_table",
    "oracle_risk",
    "simulate",
]
