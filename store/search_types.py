"""What the library search takes in and gives back: plain records of an article,
parsed queries, hits and entity pages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "KINDS",
    "SCOPES",
    "ArticleRecord",
    "ArticleRef",
    "EntityPage",
    "Hit",
    "Mention",
    "Query",
    "parse_query",
    "record_from_library",
]

SCOPES = ("all", "entities", "notes")
KINDS = ("entity", "title", "tag", "note", "highlight", "quote")
_TYPE_ALIASES = {
    "person": "PERSON",
    "per": "PERSON",
    "people": "PERSON",
    "org": "ORG",
    "organisation": "ORG",
    "organization": "ORG",
    "place": "PLACE",
    "loc": "PLACE",
    "location": "PLACE",
    "gpe": "PLACE",
    "misc": "MISC",
}

# --------------------------------------------------------------------------- results


@dataclass(slots=True)
class ArticleRef:
    """An article a hit occurs in, with how many times."""

    id: str
    title: str
    count: int


@dataclass(slots=True)
class Hit:
    """One search result. ``to_json`` gives the shape DESIGN.md specifies."""

    kind: str  # one of KINDS
    text: str
    score: float  # 0..100, best first
    type: str | None = None
    articles: list[ArticleRef] = field(default_factory=list)
    article_id: str | None = None
    start: int | None = None
    end: int | None = None
    speaker: str | None = None
    key: str | None = None

    def to_json(self) -> dict[str, Any]:
        """``{"kind","text","score","type" (entities),"articles":[{"id","title","count"}]}``
        plus ``article_id``, ``start``, ``end``, ``speaker``, ``key`` when known."""
        out: dict[str, Any] = {"kind": self.kind, "text": self.text, "score": round(self.score, 1)}
        if self.kind == "entity":
            out["type"] = self.type
        out["articles"] = [{"id": a.id, "title": a.title, "count": a.count} for a in self.articles]
        for name in ("article_id", "start", "end", "speaker", "key"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out


@dataclass(slots=True)
class Mention:
    """One mention of an entity in an article's text."""

    article_id: str
    start: int
    end: int
    text: str


@dataclass(slots=True)
class EntityPage:
    """Everything the library knows about one entity cluster."""

    key: str
    name: str
    type: str
    aliases: list[str]
    articles: list[ArticleRef]
    mentions: list[Mention]
    quotes: list[Hit]  # quotes the entity speaks
    notes: list[Hit]  # the user's notes and highlights that mention it


# --------------------------------------------------------------------------- input


@dataclass(slots=True)
class ArticleRecord:
    """What the index needs of one article, as plain values.

    entities: ``(text, type, canonical, start, end)``; quotes: ``(text, speaker,
    start, end)``; notes: ``(id, text)`` or ``(id, text, start, end)``;
    highlights: ``(id, exact, note, start, end, tags)``.
    """

    id: str
    title: str
    tags: list[str] = field(default_factory=list)
    entities: list[tuple] = field(default_factory=list)
    quotes: list[tuple] = field(default_factory=list)
    notes: list[tuple] = field(default_factory=list)
    highlights: list[tuple] = field(default_factory=list)


def record_from_library(library, article_id: str) -> ArticleRecord:
    """Read one article's record (metadata, analysis, annotations) from a Library."""
    article = library.get(article_id)
    aid = article.id
    analysis = library.analysis(aid)
    ann = library.annotations(aid)
    text = library.text(aid) if analysis.quotes else ""
    by_id = {h.id: h for h in ann.highlights}
    notes = []
    for note in ann.notes:
        hl = by_id.get(note.highlight_id) if note.highlight_id else None
        notes.append((note.id, note.text, hl.start if hl else None, hl.end if hl else None))
    return ArticleRecord(
        id=aid,
        title=article.title,
        tags=list(ann.tags),
        entities=[(e.text, e.type, e.canonical, e.start, e.end) for e in analysis.entities],
        quotes=[(text[q.start : q.end], q.speaker, q.start, q.end) for q in analysis.quotes],
        notes=notes,
        highlights=[(h.id, h.exact, h.note, h.start, h.end, list(h.tags)) for h in ann.highlights],
    )


# --------------------------------------------------------------------------- queries

_FILTER = re.compile(r'(?<!\S)(tag|type|speaker):(?:"([^"]*)"|(\S+))', re.IGNORECASE)


@dataclass(slots=True)
class Query:
    """A parsed query: free text plus the ``tag:``, ``type:`` and ``speaker:`` filters."""

    text: str
    tags: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    speakers: list[str] = field(default_factory=list)

    @property
    def has_filters(self) -> bool:
        return bool(self.tags or self.types or self.speakers)


def parse_query(query: str) -> Query:
    """Split ``query`` into free text and filters (``tag:"two words"`` is allowed).

    Raises ValueError with a one-line message for an unknown entity type."""
    parsed = Query(text="")

    def take(match: re.Match) -> str:
        name = match.group(1).casefold()
        value = match.group(2) if match.group(2) is not None else match.group(3)
        if name == "tag":
            parsed.tags.append(value)
        elif name == "type":
            upper = value.upper()
            etype = upper if upper in ("PERSON", "ORG", "PLACE", "MISC") else None
            etype = etype or _TYPE_ALIASES.get(value.casefold())
            if etype is None:
                raise ValueError(f"unknown entity type {value!r}: use PERSON, ORG, PLACE or MISC")
            parsed.types.append(etype)
        else:
            parsed.speakers.append(value)
        return " "

    parsed.text = " ".join(_FILTER.sub(take, query).split())
    return parsed
