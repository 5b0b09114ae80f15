"""What runs together on one pytest-xdist worker, and in what order (hooks in tests/conftest.py).

The suite runs with ``--dist loadgroup --no-loadscope-reorder`` (pyproject.toml). A worker is
sent whole *units* and a new one when it has two tests or fewer left:

- a test module is one unit, so its module-scoped fixtures and module caches are built once;
- modules that share a session-scoped fixture defined in tests/ (the demo-like card, a simulated
  cohort) or the per-process small study of tests/studies.py are one unit, built on one worker;
- a test marked ``long`` that uses no module-scoped fixture of tests/ is a unit of its own.

Units holding a ``long`` test are sent first, then units holding a ``slow`` test or building a
shared fixture (session or module scope), then the rest (collection order inside each), so the
longest tests start at once and the run ends on short ones instead of one worker finishing the
README demo alone. With ``-n 0`` nothing changes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

CHEAP_SESSION_FIXTURES = frozenset({"shared_data"})
"""Session fixtures that cost nothing to build again (a path): they do not join modules."""

PROCESS_CACHES = {("studies", "small_study"): "small_study"}
"""Functions that build once per process and cache (module, name): the modules calling them
are one unit."""


@dataclass(frozen=True)
class ItemFacts:
    """What the grouping needs to know of one collected test."""

    nodeid: str
    module: str
    shared: frozenset[str] = frozenset()
    long: bool = False
    slow: bool = False
    module_fixture: bool = False


def _clean(name: str) -> str:
    # xdist's loadgroup reads the group after the last '@' if it comes after any ']'
    return re.sub(r"[^\w./:+-]", "_", name)


def plan(tests: Sequence[ItemFacts]) -> tuple[list[int], list[str | None]]:
    """The run order (indices into ``tests``) and each test's xdist group (None: its module).

    Examples
    --------
    >>> a = ItemFacts("t/a.py::x", "t/a.py", shared=frozenset({"sim"}))
    >>> b = ItemFacts("t/b.py::y", "t/b.py")
    >>> c = ItemFacts("t/c.py::z", "t/c.py", shared=frozenset({"sim"}))
    >>> d = ItemFacts("t/d.py::w[1]", "t/d.py", long=True)
    >>> plan([a, b, c, d])
    ([3, 0, 2, 1], ['shared:sim', None, 'shared:sim', 'long:t/d.py::w_1_'])
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(x: str, y: str) -> None:
        rx, ry = find(x), find(y)
        if rx != ry:
            parent[max(rx, ry)] = min(rx, ry)

    alone = [t.long and not t.module_fixture and not t.shared for t in tests]
    for t, own in zip(tests, alone, strict=True):
        if not own:
            find("module:" + t.module)
            for key in sorted(t.shared):
                union("module:" + t.module, "shared:" + key)
    shared_of: dict[str, list[str]] = {}
    for key in sorted(parent):
        if key.startswith("shared:"):
            shared_of.setdefault(find(key), []).append(key.removeprefix("shared:"))
    groups: list[str | None] = []
    units: list[str] = []
    for t, own in zip(tests, alone, strict=True):
        if own:
            unit = group = _clean("long:" + t.nodeid)
        else:
            unit = find("module:" + t.module)
            shared = shared_of.get(unit)
            group = _clean("shared:" + "+".join(shared)) if shared else None
        units.append(unit)
        groups.append(group)
    rank: dict[str, int] = {}
    first: dict[str, int] = {}
    for i, (t, unit) in enumerate(zip(tests, units, strict=True)):
        r = 0 if t.long else 1 if (t.slow or t.shared or t.module_fixture) else 2
        rank[unit] = min(rank.get(unit, r), r)
        first.setdefault(unit, i)
    order = sorted(range(len(tests)), key=lambda i: (rank[units[i]], first[units[i]], i))
    return order, groups


def info(item: Any) -> ItemFacts:
    """The :class:`ItemFacts` of a collected pytest item."""
    nodeid: str = item.nodeid
    module = nodeid.split("::", 1)[0]
    shared: set[str] = set()
    module_fixture = False
    fixtureinfo = getattr(item, "_fixtureinfo", None)
    defs = fixtureinfo.name2fixturedefs if fixtureinfo is not None else {}
    for name, chain in defs.items():
        fixturedef = chain[-1]
        if not fixturedef.baseid:  # pytest's own and plugins' fixtures
            continue
        if fixturedef.scope in ("session", "package") and name not in CHEAP_SESSION_FIXTURES:
            shared.add(f"{fixturedef.baseid}::{name}")
        elif fixturedef.scope in ("module", "class"):
            module_fixture = True
    pymodule = getattr(item, "module", None)  # None for a doctest
    namespace: dict[str, Any] = vars(pymodule) if pymodule is not None else {}
    for (mod, fn), key in PROCESS_CACHES.items():
        value = namespace.get(fn)
        if value is not None and getattr(value, "__module__", None) == mod:
            shared.add(key)
    return ItemFacts(
        nodeid=nodeid,
        module=module,
        shared=frozenset(shared),
        long=item.get_closest_marker("long") is not None,
        slow=item.get_closest_marker("slow") is not None,
        module_fixture=module_fixture,
    )


def arrange(items: list[Any], xdist_group: Any) -> None:
    """Reorder ``items`` in place by :func:`plan` and mark the grouped ones."""
    order, groups = plan([info(item) for item in items])
    for item, group in zip(items, groups, strict=True):
        if group is not None:
            item.add_marker(xdist_group(group))
    items[:] = [items[i] for i in order]


def unit_scheduler(base: type) -> type:
    """xdist's loadgroup scheduler whose unit is the test's group, else its module.

    Examples
    --------
    >>> from xdist.scheduler import LoadGroupScheduling
    >>> split = unit_scheduler(LoadGroupScheduling)._split_scope
    >>> split(None, "t/a.py::x[1]@shared:sim"), split(None, "t/a.py::x[1]"), split(None, "t/a.py")
    ('shared:sim', 't/a.py', 't/a.py')
    """

    class UnitScheduling(base):  # type: ignore[valid-type, misc]
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.rfind("@") > nodeid.rfind("]"):
                return nodeid.rsplit("@", maxsplit=1)[-1]
            return nodeid.split("::", 1)[0]

    return UnitScheduling
