"""Adapters from real record formats to ``CareHistory`` (``docs/ssda903.md``, ``docs/cbs.md``).

Examples
--------
>>> from earlysignal.sources import import_ssda903
>>> callable(import_ssda903)
True
"""

from earlysignal.sources.cbs import CBSError, CBSImportReport, import_cbs
from earlysignal.sources.ssda903 import ImportIssue, ImportReport, SSDA903Error, import_ssda903

__all__ = [
    "CBSError",
    "CBSImportReport",
    "ImportIssue",
    "ImportReport",
    "SSDA903Error",
    "import_cbs",
    "import_ssda903",
]
