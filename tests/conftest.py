"""Shared fixtures: every test runs with an isolated HOME and no user library."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs the property tests on a fixed sequence of examples, so that a result can be
# reproduced; locally they explore new examples on every run.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_articles"
SEED = SAMPLES / "aliyev_white_house.txt"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Keep tests away from the real home, data dirs and library."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("MARGIN_LIBRARY", raising=False)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    os.environ.pop("MARGIN_DEBUG", None)
    yield


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")
