"""Small SSDA903 returns for the tests, written from text."""

from __future__ import annotations

from pathlib import Path

EPISODE_COLS = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,URN"
HEADER = "CHILD,SEX,DOB,ETHNIC\n1,2,01/01/2008,WBRI\n"


def write_return(
    folder: Path,
    year: int,
    episodes: list[str],
    header: str = HEADER,
    *,
    name: str = "{year}-{table}.csv",
    **tables: str,
) -> Path:
    """Write one return: episode rows (without the header line), the header table and others."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name.format(year=year, table="episodes")).write_text(
        "\n".join([EPISODE_COLS, *episodes]) + "\n"
    )
    (folder / name.format(year=year, table="header")).write_text(header)
    for table, text in tables.items():
        (folder / name.format(year=year, table=table)).write_text(text)
    return folder
