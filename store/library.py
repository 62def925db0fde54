"""The one facade through which the TUI and the CLI read and write a library.

CONTRACT STUB: signatures are fixed; the implementation is being written.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from store.models import Annotations, Article, ArticleSummary, Highlight, Note, TaughtEntity


class Library:
    """A library folder. Every mutation is durable (on disk) when it returns."""

    def __init__(self, root: str | Path, *, create: bool = True) -> None:
        raise NotImplementedError

    @staticmethod
    def default_root() -> Path:
        """``$MARGIN_LIBRARY`` or platformdirs' user data dir for "margin"."""
        raise NotImplementedError

    # --- articles -------------------------------------------------------
    def add_article(
        self,
        text: str,
        *,
        title: str,
        source: str,
        format: str = "txt",
        site: str | None = None,
        author: str | None = None,
        published: str | None = None,
        tags: Iterable[str] = (),
    ) -> tuple[Article, str]:
        """Save an article. Returns (article, status) with status "added", "exists"
        (same content already saved: nothing changes) or "updated" (same source,
        new content: text replaced, highlights re-anchored, orphans kept)."""
        raise NotImplementedError

    def import_document(self, doc, tags: Iterable[str] = ()) -> tuple[Article, str]:
        """Save an ``analysis.ingest.Document`` (text plus metadata); as add_article."""
        raise NotImplementedError

    def seed_samples(self) -> int:
        """Import the bundled sample articles (package ``margin_samples``); returns how
        many were added. The app calls this the first time it opens an empty library."""
        raise NotImplementedError

    def import_record(self, article: Article, text: str, annotations: Annotations) -> str:
        """Restore one article exactly as backed up (ids, dates, annotations kept).
        Returns "added" or "exists"."""
        raise NotImplementedError

    def articles(self, tag: str | None = None) -> list[Article]:
        raise NotImplementedError

    def summaries(self, tag: str | None = None) -> list[ArticleSummary]:
        raise NotImplementedError

    def get(self, article_id: str) -> Article:
        """By id or unique id prefix; raises NotFound."""
        raise NotImplementedError

    def text(self, article_id: str) -> str:
        raise NotImplementedError

    def delete_article(self, article_id: str) -> None:
        raise NotImplementedError

    def is_empty(self) -> bool:
        raise NotImplementedError

    # --- annotations ----------------------------------------------------
    def annotations(self, article_id: str) -> Annotations:
        raise NotImplementedError

    def add_tags(self, article_id: str, tags: Iterable[str]) -> list[str]:
        raise NotImplementedError

    def remove_tags(self, article_id: str, tags: Iterable[str]) -> list[str]:
        raise NotImplementedError

    def add_note(self, article_id: str, text: str, highlight_id: str | None = None) -> Note:
        raise NotImplementedError

    def update_note(self, article_id: str, note_id: str, text: str) -> Note:
        raise NotImplementedError

    def delete_note(self, article_id: str, note_id: str) -> None:
        raise NotImplementedError

    def add_highlight(
        self, article_id: str, start: int, end: int, note: str = "", tags: Iterable[str] = ()
    ) -> Highlight:
        raise NotImplementedError

    def update_highlight(
        self,
        article_id: str,
        highlight_id: str,
        note: str | None = None,
        tags: Iterable[str] | None = None,
    ) -> Highlight:
        raise NotImplementedError

    def delete_highlight(self, article_id: str, highlight_id: str) -> None:
        raise NotImplementedError

    def set_position(self, article_id: str, offset: int) -> None:
        raise NotImplementedError

    # --- analysis (derived, cached, rebuildable) -------------------------
    def analysis(self, article_id: str):  # -> analysis.Analysis
        raise NotImplementedError

    # --- taught entities --------------------------------------------------
    def taught(self) -> list[TaughtEntity]:
        raise NotImplementedError

    def teach(
        self, action: str, text: str, type: str | None = None, canonical: str | None = None
    ) -> TaughtEntity:
        raise NotImplementedError

    def add_taught_entity(self, entity: TaughtEntity) -> None:
        """Restore a taught entity exactly as backed up (id and date kept)."""
        raise NotImplementedError

    def forget(self, taught_id: str) -> None:
        raise NotImplementedError
