"""The README's quick start and Python example stay true."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_python_example_runs() -> None:
    text = README.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert blocks, "README.md must hold a Python example"
    namespace: dict[str, object] = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    frame = namespace["frame"]
    assert "label_breakdown_180d" in frame.columns  # type: ignore[attr-defined]
    assert frame.height > 1000  # type: ignore[attr-defined]


def test_quick_start_is_two_commands_that_exist() -> None:
    text = README.read_text()
    quick = text.split("## Quick start", 1)[1]
    block = re.search(r"```bash\n(.*?)```", quick, flags=re.DOTALL)
    assert block
    lines = [ln.split("#")[0].strip() for ln in block.group(1).strip().splitlines()]
    assert len(lines) == 2
    assert lines[0].endswith("earlysignal demo") and lines[1] == "uv run pytest"
    ci = (README.parent / ".ci" / "run").read_text()
    assert "run --locked pytest" in ci  # CI runs the README's test command
