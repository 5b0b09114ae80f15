"""Adapters from real record formats to ``CareHistory`` (see ``docs/ssda903.md``).

Examples
--------
>>> from earlysignal.sources import import_ssda903
>>> callable(import_ssda903)
True
"""

from earlysignal.sources.ssda903 import ImportIssue, ImportReport, SSDA903Error, import_ssda903

__all__ = ["ImportIssue", "ImportReport", "SSDA903Error", "import_ssda903"]
