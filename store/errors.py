"""Errors the store raises. Each carries a one-line message fit for a user."""

from __future__ import annotations


class StoreError(Exception):
    """Base class: ``str(err)`` is a one-line message for the user."""


class LibraryCorrupt(StoreError):
    """A library file cannot be read; it is left untouched."""


class LibraryTooNew(StoreError):
    """A library file was written by a newer margin (higher schema version)."""


class LibraryBusy(StoreError):
    """Another process held the library lock for too long."""


class NotFound(StoreError):
    """No article, note or highlight with that id."""


class SaveFailed(StoreError):
    """A write did not reach the disk (disk full, permission...); old data is intact."""
