"""Exports of a run for Dutch public bodies and for people with lived experience.

Built from a run's card data (``model_card.json``) and written in Dutch through
:mod:`earlysignal.i18n`:

- :mod:`earlysignal.publish.algoritmeregister`: the fields of the Algoritmeregister
  publication standard 1.0.0, checked against its lengths and choice lists (JSON and CSV);
- :mod:`earlysignal.publish.iama`: the IAMA questions with the answers the run can give;
- :mod:`earlysignal.publish.review`: the lived-experience review pack (simulated children only)
  and the reviews taken back into the card;
- :mod:`earlysignal.publish.facts`: the run's facts the exports use (data, never sentences).

``earlysignal card RUN --algoritmeregister FILE --iama FILE --review-pack DIR --reviews FILE``
writes them (:mod:`earlysignal.publish.command`). See ``docs/i18n.md``.
"""
