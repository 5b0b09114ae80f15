"""What may be published about each persona: disclosure-protected data, never sentences.

Only distributions over the children of a persona are computed; no child's sequence leaves
this module. Per persona (children with a complete window; children assigned on a partial
window are counted apart):

* ``n_children`` and ``n_partial``, protected by :func:`earlysignal.disclosure.protect` (no
  count under 10, counts rounded to 5, complementary suppression across personas); with a
  publication ledger in use (:mod:`earlysignal.ledger`), they, the rates' numerators and the
  number of children followed for the whole window are published through it (tables
  :data:`LEDGER_TABLES`): a count within 9 children of one published before for a persona,
  *whatever its number* (clustering can swap the numbers), repeats that figure or stays
  hidden, and so do the rates computed from them;
* ``age_median`` (whole years), ``moves_mean`` (0.1), and shares to whole percent computed
  from the *rounded* counts (``rate_of``): ``moved_3plus_rate``, ``return_home_rate``,
  ``reentry_rate`` (of those who went home), ``breakdown_rate`` (a placement ended with
  ``breakdown`` in the window); each hidden when a support count (children with or without)
  is under 10 or the persona is hidden;
* ``first_move_month`` (median month of the first move among the children who moved);
* the **synthesised modal pathway**: the most common state in each month, as runs of months,
  labelled as synthesised (it need not be any child's pathway);
* the **shared pathway**: the most common exact sequence, only when at least ``min_count``
  children share it exactly (its count rounded);
* ``distribution``: the share of the persona's children in each state per month (0.01, the
  rounded count over the rounded size, so no finer than the counts), a
  cell left out when fewer than 10 children are in it, and ``transitions``: month-to-month
  transition rates between states (0.01), left out when fewer than 10 children of the persona
  were ever in the from-state or fewer than 10 made the transition.

Examples
--------
>>> runs([0, 0, 1, 1, 1, 2])
[(0, 0, 1), (1, 2, 4), (2, 5, 5)]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from earlysignal.disclosure import DEFAULT_POLICY, DisclosurePolicy, protect, round_count
from earlysignal.ledger import current_ledger
from earlysignal.personas.cluster import PersonaModel
from earlysignal.personas.sequences import SequenceSet

__all__ = ["LEDGER_TABLES", "PersonaDescription", "describe_personas", "runs"]

LEDGER_TABLES = {
    "summary": "personas.summary",
    "followed": "personas.followed",
    "shared": "personas.shared_pathway",
    "unassigned": "personas.unassigned",
}
"""The persona report's definition names in the publication ledger (:mod:`earlysignal.ledger`)."""

RATES = ("moved_3plus_rate", "return_home_rate", "reentry_rate", "breakdown_rate")


def runs(states: list[int] | npt.NDArray[np.int8]) -> list[tuple[int, int, int]]:
    """Runs of equal states as ``(state, first month, last month)``."""
    out: list[tuple[int, int, int]] = []
    for m, s in enumerate(int(x) for x in states):
        if out and out[-1][0] == s:
            out[-1] = (s, out[-1][1], m)
        else:
            out.append((s, m, m))
    return out


@dataclass(frozen=True)
class PersonaDescription:
    """Published data about the personas (every value protected)."""

    summary: pl.DataFrame
    pathways: dict[int, dict[str, Any]]
    distribution: pl.DataFrame
    transitions: pl.DataFrame
    quality: list[dict[str, Any]]
    alphabet: tuple[str, ...]
    window: int
    k: int
    n_clustered: int
    distance: str
    notes: dict[str, Any] = field(default_factory=dict)


def _small_hidden(count: int, pol: DisclosurePolicy) -> int | None:
    """A published count: rounded, or None (hidden) under ``min_count``."""
    return round_count(count, pol.rounding) if count >= pol.min_count else None


def _one_count(
    kids: npt.NDArray[np.str_], pol: DisclosurePolicy, keep: bool, table: str
) -> int | None:
    """One published count of children (rounded; None under ``min_count``), through the
    publication ledger when one is in use (one cell per call: matched whatever the persona)."""
    if not keep:
        return _small_hidden(int(kids.size), pol)
    one = pl.DataFrame(
        {"n": [int(kids.size)], "_m": [kids.astype(str).tolist()]},
        schema={"n": pl.Int64, "_m": pl.List(pl.String)},
    )
    out = protect(one, count_cols=["n"], policy=pol, members={"n": "_m"}, table=table)
    value = out["n"][0]
    return None if value is None else int(value)


def _share(x: float) -> float:
    return round(float(x), 2)


def describe_personas(
    seqs: SequenceSet,
    model: PersonaModel,
    labels: npt.NDArray[np.int64],
    *,
    policy: DisclosurePolicy | None = None,
) -> PersonaDescription:
    """Describe each persona with distributions only, under the disclosure policy.

    Parameters
    ----------
    seqs
        All sequences (complete and partial).
    model
        The fitted personas.
    labels
        Persona of each row of ``seqs`` (``-1``: none), from
        :func:`~earlysignal.personas.cluster.assign`.
    policy
        Disclosure policy (default: counts under 10 hidden, rounding to 5).
    """
    pol = policy or DEFAULT_POLICY
    idx = {s: i for i, s in enumerate(seqs.alphabet)}
    moved = idx.get("moved", -1)
    home = idx.get("home_after_return", -2)
    out_states = {home, idx.get("left_care", -2)}
    complete = seqs.complete
    rows: list[dict[str, Any]] = []
    pathways: dict[int, dict[str, Any]] = {}
    dist_rows: list[dict[str, Any]] = []
    trans_rows: list[dict[str, Any]] = []
    n_states = len(seqs.alphabet)
    keep = current_ledger() is not None  # each count's children, for the publication ledger
    ids: list[dict[str, list[str]]] = []
    for p in range(model.k):
        members = (labels == p) & complete
        codes = seqs.codes[members]
        n = int(members.sum())
        n_moves = (codes == moved).sum(axis=1) if moved >= 0 else np.zeros(n, np.int64)
        went_home = (codes == home).any(axis=1)
        reentered = np.zeros(n, bool)
        for i in np.flatnonzero(went_home):
            first_home = int(np.argmax(codes[i] == home))
            later = codes[i, first_home:]
            reentered[i] = bool(np.isin(later, list(out_states), invert=True).any())
        movers = n_moves > 0
        first_move = np.argmax(codes == moved, axis=1)[movers] if moved >= 0 else np.array([])
        bd = seqs.breakdowns[members] > 0
        if keep:
            partial = (labels == p) & ~complete
            kids = seqs.child_id[members].astype(str)
            ids.append(
                {
                    "_m_children": kids.tolist(),
                    "_m_partial": seqs.child_id[partial].astype(str).tolist(),
                    # the rates' numerators, so that a rate repeats with its counts
                    "_m_m3": kids[n_moves >= 3].tolist(),
                    "_m_rh": kids[went_home].tolist(),
                    "_m_re": kids[reentered].tolist(),
                    "_m_bd": kids[bd].tolist(),
                }
            )
        ages = seqs.age_at_entry[members]
        rows.append(
            {
                "persona": p + 1,
                "n_children": n,
                "n_partial": int(((labels == p) & ~complete).sum()),
                "age_median": float(np.round(np.nanmedian(ages))) if n else None,
                "moves_mean": round(float(n_moves.mean()), 1) if n else None,
                "first_move_month": float(np.median(first_move)) + 1 if movers.any() else None,
                "moved_3plus_rate": _share((n_moves >= 3).mean()) if n else None,
                "return_home_rate": _share(went_home.mean()) if n else None,
                "reentry_rate": _share(reentered.sum() / went_home.sum())
                if went_home.any()
                else None,
                "breakdown_rate": _share(bd.mean()) if n else None,
                "m3_pos": int((n_moves >= 3).sum()),
                "m3_neg": int((n_moves < 3).sum()),
                "rh_pos": int(went_home.sum()),
                "rh_neg": int((~went_home).sum()),
                "re_pos": int(reentered.sum()),
                "re_neg": int((went_home & ~reentered).sum()),
                "bd_pos": int(bd.sum()),
                "bd_neg": int((~bd).sum()),
                "movers": int(movers.sum()),
            }
        )
        if n < pol.min_count:
            continue
        modal = np.array(
            [np.bincount(codes[:, m], minlength=n_states).argmax() for m in range(seqs.window)]
        )
        uniq, inverse, counts = np.unique(codes, axis=0, return_inverse=True, return_counts=True)
        top = int(counts.argmax())
        n_shared = (
            _one_count(
                seqs.child_id[members][inverse.ravel() == top], pol, keep, LEDGER_TABLES["shared"]
            )
            if counts[top] >= pol.min_count
            else None
        )
        shared = None if n_shared is None else {"runs": runs(uniq[top]), "n": n_shared}
        pathways[p + 1] = {"modal_runs": runs(modal), "synthesised": True, "shared": shared}
        for m in range(seqs.window):
            count = np.bincount(codes[:, m], minlength=n_states)
            dist_rows += [
                {
                    "persona": p + 1,
                    "month": m + 1,
                    "state": seqs.alphabet[s],
                    # from the rounded counts: never finer than the published count
                    "share": _share(
                        round_count(int(v), pol.rounding) / round_count(n, pol.rounding)
                    ),
                }
                for s, v in enumerate(count)
                if v >= pol.min_count
            ]
        a, b = codes[:, :-1].ravel(), codes[:, 1:].ravel()
        counts2 = np.zeros((n_states, n_states))
        np.add.at(counts2, (a, b), 1.0)
        pair = (codes[:, :-1].astype(np.int64) * n_states + codes[:, 1:]).astype(np.int64)
        children_making = np.zeros(n_states * n_states, np.int64)
        for row in pair:
            children_making[np.unique(row)] += 1
        for s in range(n_states):
            ever = int((codes == s).any(axis=1).sum())
            total = counts2[s].sum()
            if ever < pol.min_class or total == 0:
                continue
            trans_rows += [
                {
                    "persona": p + 1,
                    "from_state": seqs.alphabet[s],
                    "to_state": seqs.alphabet[t],
                    "rate": _share(counts2[s, t] / total),
                }
                for t in range(n_states)
                if children_making[s * n_states + t] >= pol.min_class
            ]
    frame = pl.DataFrame(rows)
    members = None
    if keep:
        frame = frame.with_columns(
            pl.Series(c, [r[c] for r in ids], dtype=pl.List(pl.String))
            for c in ("_m_children", "_m_partial", "_m_m3", "_m_rh", "_m_re", "_m_bd")
        )
        members = {
            "n_children": "_m_children",
            "n_partial": "_m_partial",
            "m3_pos": "_m_m3",
            "rh_pos": "_m_rh",
            "re_pos": "_m_re",
            "bd_pos": "_m_bd",
        }
    support = {
        "moved_3plus_rate": ["m3_pos", "m3_neg"],
        "return_home_rate": ["rh_pos", "rh_neg"],
        "reentry_rate": ["re_pos", "re_neg"],
        "breakdown_rate": ["bd_pos", "bd_neg"],
        "age_median": ["n_children"],
        "moves_mean": ["n_children"],
        "first_move_month": ["movers"],
    }
    summary = protect(
        frame,
        count_cols=["n_children", "n_partial"],
        by=["persona"],
        rate_cols=list(support),
        rate_support=support,
        rate_of={
            "moved_3plus_rate": ("m3_pos", "n_children"),
            "return_home_rate": ("rh_pos", "n_children"),
            "reentry_rate": ("re_pos", "rh_pos"),
            "breakdown_rate": ("bd_pos", "n_children"),
        },
        policy=pol,
        members=members,
        table=LEDGER_TABLES["summary"],
        ledger_by_group=False,
    )
    published = set(summary.filter(pl.col("n_children").is_not_null())["persona"].to_list())
    pathways = {p: v for p, v in pathways.items() if p in published}
    empty_dist = {"persona": pl.Int64, "month": pl.Int64, "state": pl.String, "share": pl.Float64}
    distribution = pl.DataFrame(dist_rows, schema=empty_dist).filter(
        pl.col("persona").is_in(list(published))
    )
    empty_trans = {
        "persona": pl.Int64,
        "from_state": pl.String,
        "to_state": pl.String,
        "rate": pl.Float64,
    }
    transitions = pl.DataFrame(trans_rows, schema=empty_trans).filter(
        pl.col("persona").is_in(list(published))
    )
    return PersonaDescription(
        summary=summary,
        pathways=pathways,
        distribution=distribution,
        transitions=transitions,
        quality=model.quality,
        alphabet=seqs.alphabet,
        window=seqs.window,
        k=model.k,
        n_clustered=_one_count(seqs.child_id[complete], pol, keep, LEDGER_TABLES["followed"]) or 0,
        distance=model.spec.distance,
        notes={
            "unassigned": _one_count(
                seqs.child_id[labels < 0], pol, keep, LEDGER_TABLES["unassigned"]
            )
        },
    )
