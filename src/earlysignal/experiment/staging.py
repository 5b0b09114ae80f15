"""Staging a run's card folder: built in a temporary folder, moved into place at the very end.

A run that fails or is interrupted leaves no card behind; a finished one replaces an older
folder of the same name only once the new one is complete.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["move_into_place"]


def move_into_place(staged: Path, target: Path) -> None:
    """Move a complete card folder to ``target`` (replacing an older one only at the end).

    The staged folder is copied beside ``target`` first and swapped in with ``os.replace``,
    so ``target`` is always either the old complete folder or the new complete one.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> staged = root / "staged"
    >>> staged.mkdir()
    >>> _ = (staged / "model_card.md").write_text("new")
    >>> move_into_place(staged, root / "card")
    >>> (root / "card" / "model_card.md").read_text()
    'new'
    """
    landing = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        shutil.copytree(staged, landing, dirs_exist_ok=True)
        if target.exists():
            old = target.with_name(f".{target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(target, old)
            os.replace(landing, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(landing, target)
    except BaseException:
        shutil.rmtree(landing, ignore_errors=True)
        raise
