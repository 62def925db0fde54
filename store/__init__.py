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
from store.library import Library
from store.models import Annotations, Article, ArticleSummary, Highlight, Note, TaughtEntity

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
