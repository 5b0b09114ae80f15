"""The README's quick start and Python example stay true: the commands run, the card is sound."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def test_python_example_runs() -> None:
    text = README.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert blocks, "README.md must hold a Python example"
    namespace: dict[str, object] = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    frame = namespace["frame"]
    assert "label_breakdown_180d" in frame.columns  # type: ignore[attr-defined]
    assert frame.height > 1000  # type: ignore[attr-defined]


def quick_start_commands() -> list[list[str]]:
    """The commands of the README's quick-start bash block, comments removed, ``&&`` split."""
    quick = README.read_text().split("## Quick start", 1)[1]
    block = re.search(r"```bash\n(.*?)```", quick, flags=re.DOTALL)
    assert block, "the README's quick start must hold a bash block"
    commands = []
    for line in block.group(1).strip().splitlines():
        code = line.split("#")[0].strip()
        commands += [shlex.split(part) for part in code.split("&&") if part.strip()]
    return commands


def test_quick_start_commands_exist_and_ci_runs_the_test_command() -> None:
    commands = [" ".join(c) for c in quick_start_commands()]
    assert commands == ["pip install uv", "uv run earlysignal demo", "uv run pytest"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "run --locked pytest" in ci  # CI runs the README's test command


@pytest.mark.slow
@pytest.mark.long
def test_quick_start_runs_and_writes_a_sound_card(tmp_path: Path) -> None:
    """Run the quick start for real (in a temporary folder) and check the card it writes.

    ``pip install uv`` is skipped when uv is already there; ``uv run pytest`` is the command
    running this test, so it is not run again. ``uv run earlysignal demo`` runs as written, from
    a temporary working folder (``UV_PROJECT`` points uv at this repository) with a temporary
    MLflow store, so the repository is left untouched.
    """
    from earlysignal.card import validate_card
    from earlysignal.card.consistency import check_card

    env = {
        **os.environ,
        "UV_PROJECT": str(ROOT),
        "MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'mlruns.db'}",
        "MPLBACKEND": "Agg",
    }
    ran = []
    for cmd in quick_start_commands():
        if cmd[:3] == ["pip", "install", "uv"] and shutil.which("uv"):
            continue
        if cmd[:3] == ["uv", "run", "pytest"]:
            continue
        done = subprocess.run(
            cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1800, check=False
        )
        output = f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        assert done.returncode == 0, f"{' '.join(cmd)} failed:\n{output}"
        ran.append((cmd, done.stdout))
    assert [c for c, _ in ran] == [["uv", "run", "earlysignal", "demo"]]
    cards = sorted((tmp_path / "earlysignal-output").glob("breakdown_180d-*/model_card.json"))
    assert len(cards) == 1, "the demo must write exactly one card in ./earlysignal-output"
    keep = os.environ.get("EARLYSIGNAL_DEMO_CARD_OUT")
    if keep:  # the real demo card, kept for a look (and for the card tests, if wanted)
        shutil.copytree(cards[0].parent, keep, dirs_exist_ok=True)
    assert f"{cards[0].parent.name}/model_card.html" in ran[0][1]  # the demo says where it is
    card = json.loads(cards[0].read_text())
    validate_card(card)
    assert check_card(card) == []
    html = (cards[0].parent / "model_card.html").read_text()
    assert "DEMO: SIMULATED DATA, NOT FOR USE ON CHILDREN" in html
    assert html.index("DEMO: SIMULATED DATA") < html.index('<h2 id="summary">')
