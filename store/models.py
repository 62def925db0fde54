"""The data model: plain dataclasses, serialised to and from JSON-able dicts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, TypeVar

T = TypeVar("T")


def _from_dict(cls: type[T], data: dict[str, Any]) -> T:
    """Build ``cls`` from ``data``, ignoring keys a newer minor version may add."""
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(slots=True)
class Article:
    """A saved article's metadata. The body lives in its own content-addressed file."""

    id: str
    title: str
    source: str  # path or URL it was imported from ("-" for stdin)
    sha256: str  # of the text, UTF-8 encoded
    added: str  # ISO 8601 UTC
    chars: int = 0
    format: str = "txt"  # txt | md | html
    site: str | None = None
    author: str | None = None
    published: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        return _from_dict(cls, data)


@dataclass(slots=True)
class Highlight:
    """A passage the user highlighted: offsets plus a W3C TextQuoteSelector
    (exact, prefix, suffix; 32 characters each side) to re-attach after edits."""

    id: str  # "hl-" + hex, stable
    start: int
    end: int
    exact: str
    prefix: str = ""
    suffix: str = ""
    note: str = ""
    tags: list[str] = field(default_factory=list)
    created: str = ""
    orphan: bool = False  # could not be re-attached after the article changed

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Highlight:
        return _from_dict(cls, data)


@dataclass(slots=True)
class Note:
    """A note on an article (or on one of its highlights)."""

    id: str  # "n-" + hex, stable
    text: str
    created: str
    updated: str = ""
    highlight_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Note:
        return _from_dict(cls, data)


@dataclass(slots=True)
class TaughtEntity:
    """A correction the user made once, applied to every article (see analysis.Taught)."""

    id: str
    action: str  # add | retype | rename | merge | reject
    text: str
    type: str | None = None
    canonical: str | None = None
    created: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TaughtEntity:
        return _from_dict(cls, data)


@dataclass(slots=True)
class Annotations:
    """Everything the user wrote on one article."""

    article_id: str
    tags: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    highlights: list[Highlight] = field(default_factory=list)
    position: int = 0  # reading position, a text offset


@dataclass(slots=True)
class ArticleSummary:
    """One row of the library list."""

    article: Article
    tags: list[str]
    highlights: int
    notes: int
