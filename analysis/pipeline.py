"""The analysis pipeline: structure, entities, the user's corrections, quotes."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable

from analysis.entities import find_entities
from analysis.structure import split_blocks, title_of
from analysis.types import ENTITY_TYPES, Analysis, Block, Entity, Quote, Taught

__all__ = ["ANALYSIS_VERSION", "analyze", "apply_taught"]

# Part of every analysis cache key: bump whenever analyze() output can change.
ANALYSIS_VERSION = "18"


def analyze(text: str, taught: Iterable[Taught] = ()) -> Analysis:
    """Analyse ``text``: blocks, title, entities (with ``taught`` applied) and quotes."""
    blocks = split_blocks(text)
    entities = apply_taught(text, find_entities(text, blocks), taught)
    quotes = _quotes(text, blocks, entities)
    return Analysis(title=title_of(text, blocks), blocks=blocks, entities=entities, quotes=quotes)


def _quotes(text: str, blocks: list[Block], entities: list[Entity]) -> list[Quote]:
    try:
        module = importlib.import_module("analysis.quotes")
    except ModuleNotFoundError as exc:
        if exc.name != "analysis.quotes":
            raise
        return []
    return list(module.find_quotes(text, blocks, entities))


def _key(s: str) -> str:
    return " ".join(s.split()).casefold()


def apply_taught(text: str, entities: list[Entity], taught: Iterable[Taught]) -> list[Entity]:
    """Apply the user's corrections, in this order: reject, add, retype, rename/merge.

    Matching is case-insensitive on the mention text or its canonical name. An
    added entity is found wherever its text occurs between word boundaries and
    replaces any recognised entity it overlaps.
    """
    rules = list(taught)
    if not rules:
        return entities
    rejected = {_key(t.text) for t in rules if t.action == "reject"}
    if rejected:
        entities = [
            e
            for e in entities
            if _key(e.text) not in rejected and _key(e.canonical) not in rejected
        ]
    added: list[Entity] = []
    for t in rules:
        if t.action != "add" or not t.text.strip() or t.type not in ENTITY_TYPES:
            continue
        if _key(t.text) in rejected:
            continue
        pattern = re.compile(r"(?<!\w)" + re.escape(t.text) + r"(?!\w)", re.IGNORECASE)
        for m in pattern.finditer(text):
            added.append(Entity(m.start(), m.end(), t.type, m.group(), t.canonical or t.text))
    if added:
        added.sort(key=lambda e: (e.start, -(e.end - e.start)))
        kept_added: list[Entity] = []
        last = -1
        for e in added:
            if e.start >= last:
                kept_added.append(e)
                last = e.end
        spans = [(e.start, e.end) for e in kept_added]
        entities = [
            e for e in entities if not any(s < e.end and e.start < en for s, en in spans)
        ] + kept_added
        entities.sort(key=lambda e: e.start)
    retype = {
        _key(t.text): t.type for t in rules if t.action == "retype" and t.type in ENTITY_TYPES
    }
    rename = {
        _key(t.text): t.canonical
        for t in rules
        if t.action in ("rename", "merge") and t.canonical and t.canonical.strip()
    }
    if retype or rename:
        out = []
        for e in entities:
            k, kc = _key(e.text), _key(e.canonical)
            new_type = retype.get(k) or retype.get(kc) or e.type
            canonical = rename.get(k) or rename.get(kc) or e.canonical
            if canonical != e.canonical and new_type == e.type:
                new_type = retype.get(_key(canonical), new_type)
            if new_type != e.type or canonical != e.canonical:
                e = Entity(e.start, e.end, new_type, e.text, canonical)
            out.append(e)
        entities = out
    return entities
