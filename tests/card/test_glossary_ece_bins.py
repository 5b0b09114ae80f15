"""The card's glossary describes the ECE the card computes: equal-mass bins of prediction rows
(``earlysignal.evaluate.metrics.equal_mass_bins`` over the risks of rows), not of children."""

from __future__ import annotations

import numpy as np

from earlysignal.card.texts import _texts_in
from earlysignal.evaluate.metrics import ece, equal_mass_bins


def _ece_line(lang: str) -> str:
    lines = str(_texts_in(lang).glossary()).splitlines()
    return next(x for x in lines if x.lstrip("- ").startswith("ECE"))


def test_the_glossary_bins_rows_as_the_metric_does() -> None:
    # one child seen at 4 prediction times fills 4 places of a bin: the bins are of rows
    p = np.repeat([0.1, 0.2, 0.3, 0.4, 0.5], 4)
    y = np.repeat([0.0, 0.0, 1.0, 0.0, 1.0], 4)
    assert np.bincount(equal_mass_bins(p, 5)).tolist() == [4] * 5
    assert float(ece(y, p, n_bins=5)) > 0
    en, nl = _ece_line("en"), _ece_line("nl")
    assert "prediction times (rows)" in en and "children" not in en
    assert "voorspelmomenten (rijen)" in nl and "kinderen" not in nl
