"""Small builders of CBS-shaped files for the CBS adapter tests."""

from __future__ import annotations

from pathlib import Path

import polars as pl

HULP = [
    "RINPERSOONS",
    "RINPERSOON",
    "JGDHHULPVORM",
    "JGDHGELDIGHEIDBEGINDATUM",
    "JGDHGELDIGHEIDEINDDATUM",
]
BESCHERM = [
    "RINPERSOONS",
    "RINPERSOON",
    "JGDBMAATREGEL",
    "JGDBGELDIGHEIDBEGINDATUM",
    "JGDBGELDIGHEIDEINDDATUM",
]
PERSONS = ["RINPERSOONS", "RINPERSOON", "GBAGESLACHT", "GBAGEBOORTEJAAR", "GBAGEBOORTEMAAND"]


def write_csv(path: Path, columns: list[str], rows: list[tuple[str, ...]]) -> Path:
    pl.DataFrame(rows, schema={c: pl.String for c in columns}, orient="row").write_csv(path)
    return path


def persons(folder: Path, ids: tuple[str, ...] = ("000000001", "000000002")) -> Path:
    rows = [("R", i, "2", "2008", "05") for i in ids]
    return write_csv(folder / "GBAPERSOON2020TABV1.csv", PERSONS, rows)


def hulp(folder: Path, rows: list[tuple[str, ...]], year: int = 2020, version: int = 1) -> Path:
    return write_csv(folder / f"JGDHULP{year}BUSV{version}.csv", HULP, rows)


def bescherm(folder: Path, rows: list[tuple[str, ...]], year: int = 2020) -> Path:
    return write_csv(folder / f"JGDBESCHERM{year}BUSV1.csv", BESCHERM, rows)
