"""The model card: one card-data dict rendered to Markdown, self-contained HTML and JSON.

The card data follows a published JSON Schema (``schema/model_card.schema.json``, rendered in
``docs/model_card_schema.md``) and is the single source: the runner builds it from what the
run measured, logs it to MLflow as ``model_card/model_card.json``, and ``earlysignal card
RUN_ID`` re-renders the card from that artifact alone. Sections follow Mitchell et al. (2019)
and the Hugging Face template; TRIPOD+AI, the EU AI Act, the AVG, IAMA and the
Algoritmeregister are mapped item by item in three states (:mod:`earlysignal.card.standards`).
The card opens with a plain-language summary; the board's figures (the decision rule in
children, who gets flagged, competing endings, stop rules) come from
:mod:`earlysignal.card.board`, and :func:`earlysignal.card.consistency.check_card` checks that
a card agrees with itself.

Examples
--------
>>> from earlysignal.card import new_card, render_markdown
>>> card = new_card(run_id="r", experiment="e", run_name="n", outcome="breakdown",
...                 horizon_days=180)
>>> "## TRIPOD+AI checklist" in render_markdown(card)
True
"""

from __future__ import annotations

from earlysignal.card.render import (
    CARD_FILES,
    CardValidationError,
    card_blocks,
    card_schema,
    known_fraction,
    new_card,
    render_html,
    render_markdown,
    schema_markdown,
    validate_card,
    write_card,
)
from earlysignal.card.standards import (
    NOT_MEASURED,
    SECTIONS,
    TO_BE_COMPLETED,
    compliance,
    is_known,
    unknown,
)

__all__ = [
    "CARD_FILES",
    "NOT_MEASURED",
    "SECTIONS",
    "TO_BE_COMPLETED",
    "CardValidationError",
    "card_blocks",
    "card_schema",
    "compliance",
    "is_known",
    "known_fraction",
    "new_card",
    "render_html",
    "render_markdown",
    "schema_markdown",
    "unknown",
    "validate_card",
    "write_card",
]
