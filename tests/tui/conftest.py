"""The app fixture: a MarginApp on a temporary library seeded with the sample articles."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from store import Library

SEED_TITLE = "Ilham Aliyev's visit to White House"
FIXED_NOW = "2025-11-06T09:00:00Z"


@pytest.fixture(scope="session")
def seeded_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library with the samples, built once per session with a fixed clock so
    snapshots do not change with the date."""
    root = tmp_path_factory.mktemp("seeded") / "library"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("store.library.now", lambda: FIXED_NOW)
        library = Library(root)
        library.seed_samples()
        for article in library.articles():
            library.analysis(article.id)  # cache it, as a library in use would have
    return root


@pytest.fixture
def library(seeded_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Library:
    """A fresh copy of the seeded library for one test."""
    monkeypatch.setattr("store.library.now", lambda: FIXED_NOW)
    root = tmp_path / "library"
    shutil.copytree(seeded_root, root)
    return Library(root)


@pytest.fixture
def seed_id(library: Library) -> str:
    """The id of the seed article (aliyev_white_house.txt)."""
    return next(a.id for a in library.articles() if a.title.startswith(SEED_TITLE))


@pytest.fixture
def app(library: Library):
    """The app on the temporary library."""
    from tui.app import MarginApp

    return MarginApp(library)
