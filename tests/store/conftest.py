"""Fixtures for the store tests: a fresh library folder per test."""

from __future__ import annotations

from pathlib import Path

import pytest

import analysis
from store.library import Library


@pytest.fixture
def library(tmp_path: Path) -> Library:
    """An empty library in a temporary folder."""
    lib = Library(tmp_path / "lib")
    yield lib
    lib.close()


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Texts that analysis.analyze was really run on."""
    calls: list[str] = []
    real = analysis.analyze

    def analyze(text, taught=()):
        calls.append(text)
        return real(text, taught)

    monkeypatch.setattr(analysis, "analyze", analyze)
    return calls
