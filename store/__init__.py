"""Persistence: the TinyDB-backed library, its models, search index and export.

Headless: never imports textual, rich or tui.
"""

from store.errors import (
    LibraryBusy,
    LibraryCorrupt,
    LibraryTooNew,
    NotFound,
    SaveFailed,
    StoreError,
)
from store.models import Annotations, Article, ArticleSummary, Highlight, Note, TaughtEntity


def __getattr__(name: str):
    # The Library (with TinyDB, filelock and the analysis cache behind it) loads on
    # first use, so that `import store.errors` stays cheap for the app's first frame.
    if name == "Library":
        from store.library import Library

        return Library
    raise AttributeError(f"module 'store' has no attribute {name!r}")


__all__ = [
    "Annotations",
    "Article",
    "ArticleSummary",
    "Highlight",
    "Library",
    "LibraryBusy",
    "LibraryCorrupt",
    "LibraryTooNew",
    "Note",
    "NotFound",
    "SaveFailed",
    "StoreError",
    "TaughtEntity",
]
