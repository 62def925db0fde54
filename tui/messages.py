"""Messages that cross screens: attributes go down, these go up to the app."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class OpenArticle(Message):
    """Open ``article_id`` in the reader, with the cursor at ``offset`` when given, else at
    the first occurrence of ``find`` when given, else where the reader left it."""

    article_id: str
    offset: int | None = None
    find: str | None = None


@dataclass
class LibraryChanged(Message, bubble=False):
    """Articles were added, removed or annotated; lists showing them should reload.

    Posted to the app, which forwards it to each screen; it must not bubble back up.
    """

    article_ids: tuple[str, ...] = ()
