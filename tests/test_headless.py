"""The core packages stay headless: importing them never pulls in Textual or Rich."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FORBIDDEN = ("textual", "rich", "tui")


@pytest.mark.parametrize(
    "modules",
    [
        ["store", "store.library", "store.models", "store.storage"],
        ["analysis", "analysis.ingest", "analysis.pipeline"],
        ["store.search", "store.export", "store.backup"],
    ],
)
def test_core_does_not_import_ui(modules: list[str]) -> None:
    code = (
        "import importlib, json, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = json.loads(out.stdout)
    bad = [m for m in loaded if m.split(".")[0] in FORBIDDEN]
    assert bad == []


def test_analysis_does_not_import_store() -> None:
    code = (
        "import importlib, json, sys\n"
        "import analysis, analysis.pipeline, analysis.ingest\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert [m for m in json.loads(out.stdout) if m.split(".")[0] == "store"] == []


def test_cli_commands_do_not_import_textual(tmp_path) -> None:
    code = (
        "import json, sys\n"
        "from tui.cli import main\n"
        f"rc = main(['--library', {str(tmp_path / 'lib')!r}, 'list', '--json'])\n"
        "assert rc == 0, rc\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = json.loads(out.stderr.strip().splitlines()[-1])
    assert [m for m in loaded if m.split(".")[0] in ("textual", "rich")] == []
