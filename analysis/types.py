"""Plain data types that analysis returns. Offsets are half-open ``[start, end)``
Python ``str`` indices into the text exactly as given."""

from __future__ import annotations

from dataclasses import dataclass, field

ENTITY_TYPES = ("PERSON", "ORG", "PLACE", "MISC")
BLOCK_KINDS = ("title", "heading", "paragraph", "noise")


@dataclass(frozen=True, slots=True)
class Entity:
    """One mention of a named entity."""

    start: int
    end: int
    type: str  # one of ENTITY_TYPES
    text: str  # text[start:end]
    canonical: str  # the full name this mention refers to within the article


@dataclass(frozen=True, slots=True)
class Quote:
    """A quotation (direct speech), with the person it is attributed to."""

    start: int  # includes the opening mark when there is one
    end: int  # includes the closing mark when there is one
    speaker: str | None  # canonical full name, or None when unknown
    confidence: float = 0.0  # 0..1 for the speaker attribution
    speaker_start: int | None = None  # the mention that names the speaker, when in the text
    speaker_end: int | None = None


@dataclass(frozen=True, slots=True)
class Block:
    """A line-level block of the text: title, heading, paragraph or scraped noise."""

    start: int
    end: int
    kind: str  # one of BLOCK_KINDS


@dataclass(frozen=True, slots=True)
class Taught:
    """A correction the user made once, applied to every article.

    action: "add" (text is an entity of ``type``), "retype" (text gets ``type``),
    "rename" (text's canonical becomes ``canonical``), "merge" (same as rename:
    text is an alias of ``canonical``), "reject" (text is never an entity).
    """

    action: str
    text: str
    type: str | None = None
    canonical: str | None = None


@dataclass(slots=True)
class Analysis:
    """Everything analysis finds in one text."""

    title: str | None = None
    blocks: list[Block] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
