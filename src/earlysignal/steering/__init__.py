"""Steering with data, fairly: units (providers, regions, municipalities) compared on their
children's outcomes after case-mix adjustment, with funnel limits, shrinkage and rank intervals.

Descriptive, like :mod:`earlysignal.indicators`: a signal for questions to a provider or a
region, never a league table and never a verdict. Modules, one job each:

* :mod:`~earlysignal.steering.spec` -- what to compare (frozen specs) and ``SteeringError``;
* :mod:`~earlysignal.steering.units` -- placements in the period, their outcomes and case mix;
  measures per unit;
* :mod:`~earlysignal.steering.casemix` -- expected counts, cross-fitted by unit;
* :mod:`~earlysignal.steering.funnel` -- observed / expected, exact intervals, funnel limits,
  over-dispersion;
* :mod:`~earlysignal.steering.shrinkage` -- empirical Bayes estimates and rank intervals;
* :mod:`~earlysignal.steering.costs` -- the user's tariffs and what fewer moves are worth;
* :mod:`~earlysignal.steering.compare` -- all of it for one history;
* :mod:`~earlysignal.steering.report` -- disclosure control, pseudonyms, the report (HTML,
  Markdown) and the ``earlysignal steer`` command.

Examples
--------
>>> from earlysignal.steering import SteeringSpec
>>> SteeringSpec(by="region").by
'region'
"""

from earlysignal.steering.spec import SteeringError, SteeringSpec

__all__ = ["SteeringError", "SteeringSpec"]
