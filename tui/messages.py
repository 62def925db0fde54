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
    ``analysis_only`` says that only the articles' analyses (entities, quotes)
    changed, not what the library list shows.
    """

    article_ids: tuple[str, ...] = ()
    analysis_only: bool = False


@dataclass
class ReanalysisProgress(Message, bubble=False):
    """The library's background re-analysis (after a taught correction) has done
    ``done`` of ``total`` articles; ``finished`` once the run ended, with
    ``analysed`` articles analysed. ``run`` tells a restarted run's messages
    from those of the run it replaced."""

    run: int
    done: int
    total: int
    finished: bool = False
    analysed: int = 0
