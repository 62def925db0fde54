"""End to end: the real app in tmux, driven as a new user would, read back through the CLI."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEED_TITLE = "Ilham Aliyev's visit to White House"

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Tmux:
    """One detached tmux session running a command at 120x40."""

    def __init__(self, command: str, env: dict[str, str]) -> None:
        self.name = f"margin-e2e-{uuid.uuid4().hex[:8]}"
        exports = " ".join(f"{k}={_quote(v)}" for k, v in env.items())
        subprocess.run(
            [
                "tmux",
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                "120",
                "-y",
                "40",
                f"cd {_quote(str(ROOT))} && env -u COLUMNS -u LINES {exports} {command}",
            ],
            check=True,
        )
        # Some tmux versions ignore -x/-y for detached sessions without a client.
        subprocess.run(
            ["tmux", "resize-window", "-t", self.name, "-x", "120", "-y", "40"],
            capture_output=True,
        )

    def screen(self, escapes: bool = False) -> str:
        args = ["tmux", "capture-pane", "-p", "-t", self.name]
        if escapes:
            args.insert(3, "-e")
        result = subprocess.run(args, capture_output=True, text=True)
        return result.stdout

    def keys(self, *keys: str, literal: bool = False) -> None:
        args = ["tmux", "send-keys", "-t", self.name]
        if literal:
            args.append("-l")
        subprocess.run([*args, *keys], check=True)

    def alive(self) -> bool:
        return (
            subprocess.run(["tmux", "has-session", "-t", self.name], capture_output=True).returncode
            == 0
        )

    def wait_for(self, predicate, what: str, timeout: float = 60.0, escapes: bool = False) -> str:
        """Poll the screen until ``predicate(screen)`` holds (a condition, not a fixed delay)."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen(escapes)
            if predicate(screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}; screen was:\n{screen}")

    def kill(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


def _style_before(line: str, word: str) -> str:
    """The last SGR escape sequence before ``word`` in a captured line."""
    found = re.findall(r"\x1b\[[0-9;:]*m", line[: line.index(word)])
    return found[-1] if found else ""


def _quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


def test_new_user_tags_and_notes_the_seed(seeded_root: Path, tmp_path: Path):
    library = tmp_path / "library"
    shutil.copytree(seeded_root, library)
    env = {
        "PYTHONPATH": str(ROOT),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "TEXTUAL_ANIMATIONS": "none",
    }
    tmux = Tmux(f"{_quote(sys.executable)} -m tui --library {_quote(str(library))}", env)
    try:
        tmux.wait_for(lambda s: SEED_TITLE in s, "the library to list the seed")
        tmux.keys("aliyev", literal=True)
        tmux.wait_for(
            lambda s: re.search(r"(?<!\d)1 of \d+ articles", s), "the filter to leave one"
        )
        tmux.keys("Enter")
        tmux.wait_for(lambda s: "Entities" in s and "first official" in s, "the reader")

        def entity_styled(screen: str) -> bool:
            # The analysis arrives after the text: wait until the entity is drawn in
            # another style than the words around it.
            line = next((ln for ln in screen.splitlines() if "first official" in ln), "")
            return "Aliyev" in line and _style_before(line, "Aliyev") != _style_before(
                line, "official"
            )

        tmux.wait_for(entity_styled, "entities to be styled", escapes=True)

        tmux.keys("t")
        tmux.wait_for(lambda s: "Tag this article" in s, "the tag dialog")
        tmux.keys("diplomacy", literal=True)
        tmux.keys("Enter")
        tmux.wait_for(lambda s: "#diplomacy" in s, "the tag on the title line")

        tmux.keys("n")
        tmux.wait_for(lambda s: "ctrl+s saves" in s, "the note editor")
        tmux.keys("Worth rereading after the summit", literal=True)
        tmux.wait_for(lambda s: "after the summit" in s, "the typed note")
        tmux.keys("C-s")
        tmux.wait_for(lambda s: "ctrl+s saves" not in s, "the editor to close")

        tmux.keys("q")
        tmux.wait_for(lambda s: "articles" in s and "Entities" not in s, "the library screen")
        tmux.keys("q")
        deadline = time.monotonic() + 30
        while tmux.alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not tmux.alive(), "q q quits"
    finally:
        tmux.kill()

    listed = subprocess.run(
        [sys.executable, "-m", "tui", "--library", str(library), "list", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert listed.returncode == 0, listed.stderr
    seed = next(a for a in json.loads(listed.stdout) if a["title"].startswith(SEED_TITLE))
    shown = subprocess.run(
        [sys.executable, "-m", "tui", "--library", str(library), "show", seed["id"], "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert shown.returncode == 0, shown.stderr
    article = json.loads(shown.stdout)
    assert "diplomacy" in article["tags"]
    assert [n["text"] for n in article["notes"]] == ["Worth rereading after the summit"]
