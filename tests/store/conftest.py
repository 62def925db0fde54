"""Fixtures for the store tests: a fresh library folder per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.library import Library


@pytest.fixture
def library(tmp_path: Path) -> Library:
    """An empty library in a temporary folder."""
    lib = Library(tmp_path / "lib")
    yield lib
    lib.close()
