"""PersonaSpec: bad choices fail with the rule id and the fix; user costs are used."""

from __future__ import annotations

import numpy as np
import pytest

from earlysignal.personas.cluster import fit_personas
from earlysignal.personas.planted import planted_history
from earlysignal.personas.sequences import monthly_states
from earlysignal.personas.spec import PersonaSpec, PersonaSpecError


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"window": 1}, "window must be 2 to 240"),
        ({"distance": "euclid"}, "distance 'euclid' unknown"),
        ({"alphabet": ("foster",)}, "not in the alphabet"),
        ({"substitution": {("foster", "mars"): 1.0}}, "states ['mars'] not in the alphabet"),
        ({"k": 0}, "k must be >= 1"),
    ],
)
def test_bad_specs_name_the_rule(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(PersonaSpecError, match="PERSONA-SPEC") as err:
        PersonaSpec(**kwargs)  # type: ignore[arg-type]
    assert message in str(err.value)


def test_user_substitution_costs_and_indel_are_used() -> None:
    h, _ = planted_history(80, seed=9)
    spec = PersonaSpec(window=12, k=2, substitution={("foster", "kinship_foster"): 0.1}, indel=3.0)
    model = fit_personas(monthly_states(h, spec), spec)
    i, j = spec.alphabet.index("foster"), spec.alphabet.index("kinship_foster")
    assert model.sub[i, j] == model.sub[j, i] == 0.1
    assert model.sub[i, spec.alphabet.index("secure")] == 2.0
    assert model.indel == 3.0
    assert np.all(np.diag(model.sub) == 0)


def test_too_few_complete_windows_is_a_clear_error() -> None:
    h, _ = planted_history(5, seed=1)
    spec = PersonaSpec(window=200)
    with pytest.raises(ValueError, match="PERSONA-DATA: 0 children have a complete 200-month"):
        fit_personas(monthly_states(h, spec), spec)
