"""Finding iJw messages (folder or zip), loading the XSDs, and reading in parallel.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "a.xml").write_text("<x/>"); _ = (d / "notes.txt").write_text("")
>>> items, ignored = discover(d)
>>> [n for n, _ in items], ignored
(['a.xml'], ['notes.txt'])
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from earlysignal.sources._report import IssueLog, SourceIssue
from earlysignal.sources.ijw_read import MESSAGE_CODES, ProductRow, ReadResult, read_messages

__all__ = ["discover", "load_schemas", "read_parallel"]


def discover(src: str | Path) -> tuple[list[tuple[str, Callable[[], bytes]]], list[str]]:
    """Messages in a folder (recursive ``*.xml``) or a zip file, in name order.

    Returns (name, reader) pairs and the names of the other files (not read).
    """
    p = Path(src)
    if not p.exists():
        raise FileNotFoundError(f"{src}: no such folder or zip file of iJw messages")
    items: list[tuple[str, Callable[[], bytes]]] = []
    ignored: list[str] = []
    if p.is_file() and zipfile.is_zipfile(p):
        zf = zipfile.ZipFile(p)
        for name in sorted(zf.namelist()):
            if name.endswith("/"):
                continue
            if name.lower().endswith(".xml"):
                items.append((name, _zip_reader(zf, name)))
            else:
                ignored.append(name)
        return items, ignored
    if p.is_file():
        return [(p.name, p.read_bytes)], []
    found: list[tuple[str, str]] = []  # (relative name, full path); os.walk is fast on big trees
    root = str(p)
    for dirpath, _dirs, files in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        prefix = "" if rel_dir == "." else rel_dir + "/"
        for f in files:
            rel = prefix + f
            if f.lower().endswith(".xml"):
                found.append((rel, os.path.join(dirpath, f)))
            else:
                ignored.append(rel)
    found.sort()
    ignored.sort()
    return [(rel, partial(_read_path, full)) for rel, full in found], ignored


def _read_path(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


def _zip_reader(zf: zipfile.ZipFile, name: str) -> Callable[[], bytes]:
    return lambda: zf.read(name)


def load_schemas(xsd_dir: str | Path) -> dict[str, Any]:
    """Load the message schemas found in ``xsd_dir`` with ``xmlschema`` (imported lazily)."""
    import xmlschema

    d = Path(xsd_dir)
    if not d.is_dir():
        raise FileNotFoundError(f"--xsd {xsd_dir}: no such folder of iJw XSD files")
    schemas: dict[str, Any] = {}
    for msg in MESSAGE_CODES:
        f = d / f"{msg}.xsd"
        if f.is_file():
            schemas[msg] = xmlschema.XMLSchema(str(f))
    if not schemas:
        raise FileNotFoundError(
            f"--xsd {xsd_dir}: no JW301.xsd, JW305.xsd or JW307.xsd there (with basisschema.xsd)"
        )
    return schemas


def _read_chunk(
    args: tuple[str, list[str], bytes, str | None],
) -> tuple[ReadResult, list[SourceIssue]]:
    """Worker: read the named members of ``src`` (folder or zip) in a separate process."""
    src, names, key, xsd = args
    p = Path(src)
    if p.is_file() and zipfile.is_zipfile(p):
        zf = zipfile.ZipFile(p)
        items = [(n, _zip_reader(zf, n)) for n in names]
    else:
        items = [(n, (p / n).read_bytes) for n in names]
    log = IssueLog("ijw", "repair")
    schemas = load_schemas(xsd) if xsd else None
    return read_messages(items, key=key, log=log, schemas=schemas), log.items


def read_parallel(
    src: str | Path,
    names: list[str],
    *,
    key: bytes,
    log: IssueLog,
    xsd_dir: str | Path | None,
    workers: int,
) -> ReadResult:
    """Read messages in ``workers`` processes (chunks of files); results merged in name order."""
    from concurrent.futures import ProcessPoolExecutor

    n = max(1, min(workers, len(names)))
    size = -(-len(names) // n)
    chunks = [names[i : i + size] for i in range(0, len(names), size)]
    out = ReadResult()
    with ProcessPoolExecutor(max_workers=n) as pool:
        args = [(str(src), c, key, None if xsd_dir is None else str(xsd_dir)) for c in chunks]
        for part, issues in pool.map(_read_chunk, args):
            base = len(out.messages)
            out.messages.extend(part.messages)
            out.products.extend(
                ProductRow(r.msg + base, *(getattr(r, f) for f in _ROW_FIELDS[1:]))
                for r in part.products
            )
            out.files_read += part.files_read
            for d_out, d_in in ((out.excluded, part.excluded), (out.ignored, part.ignored)):
                for k, v in d_in.items():
                    d_out[k] = d_out.get(k, 0) + v
            for i in issues:
                severity = (
                    "error" if (log.mode == "raise" and i.severity != "warning") else (i.severity)
                )
                log.items.append(
                    SourceIssue(
                        i.rule, severity, i.file, i.row, i.element, i.value, i.message, i.fix
                    )
                )
    return out


_ROW_FIELDS = ("msg", "toewijzing", "category", "code", "begin", "end", "reason", "status")
