"""The ``logseq`` export profile: page properties (``key:: value``) at the top, then
bullet blocks; each highlight is a block with an ``id::`` property (a UUID derived
from the highlight id, so it is the same on every export) and tags are ``#tag`` or
``#[[multi word]]``."""

from __future__ import annotations

import re
import uuid

from store.export_markdown import (
    ExportItem,
    article_notes,
    entity_index,
    escape_inline_text,
    escape_line,
    grouped_entities,
    highlight_note_texts,
    highlight_notes,
    link_target,
    one_line,
    quotes,
    sorted_highlights,
    text_lines,
)

PROFILE = "logseq"

# Fixed namespace: block UUIDs must not change between exports or machines.
BLOCK_NAMESPACE = uuid.UUID("6d1c55f2-0b8e-5c3a-9a57-6b1d2f3e4a10")

# Characters that end a bare #tag in Logseq; a tag with any of them needs #[[...]].
_BARE_TAG = re.compile(r"[^\s,.;:!?\"'()\[\]{}#`]+")


def block_uuid(highlight_id: str) -> str:
    """The ``id::`` of a highlight's block: uuid5 of its id."""
    return str(uuid.uuid5(BLOCK_NAMESPACE, highlight_id))


def tag_ref(tag: str) -> str:
    """``#tag`` or ``#[[multi word]]``; "" when nothing is left."""
    name = one_line(re.sub(r"[\[\]]", " ", tag.strip().lstrip("#")))
    if not name:
        return ""
    return f"#{name}" if _BARE_TAG.fullmatch(name) else f"#[[{name}]]"


def tag_refs(tags: list[str]) -> list[str]:
    """``tag_ref`` of each, empty ones dropped, first occurrence kept."""
    out: list[str] = []
    for tag in tags:
        ref = tag_ref(tag)
        if ref and ref not in out:
            out.append(ref)
    return out


def _property(key: str, value: str | None) -> list[str]:
    # one line each, and "::" in a value would start a second property
    value = one_line(value or "").replace("::", ": :")
    return [f"{key}:: {value}"] if value else []


def _block(indent: int, text: str) -> list[str]:
    """A bullet block at ``indent`` (tabs) whose content is the user's ``text``."""
    lines = [escape_line(line, PROFILE) for line in text_lines(text)] or [""]
    pad = "\t" * indent
    return [f"{pad}- {lines[0]}"] + [f"{pad}  {line}" if line else "" for line in lines[1:]]


def render(item: ExportItem) -> str:
    """The article's page for Logseq."""
    a = item.article
    out = []
    out += _property("title", a.title)
    out += _property("margin-id", a.id)
    out += _property("source", a.source)
    out += _property("site", a.site)
    out += _property("author", a.author)
    out += _property("published", a.published)
    out += _property("saved", a.added)
    tags = tag_refs(item.annotations.tags)
    if tags:
        out.append("tags:: " + ", ".join(tags))
    out.append("")

    notes = [n for n in article_notes(item.annotations) if n.text.strip()]
    if notes:
        out.append("- ## Notes")
        for note in notes:
            out += _block(1, note.text)

    highlights = sorted_highlights(item.annotations)
    if highlights:
        attached = highlight_notes(item.annotations)
        out.append("- ## Highlights")
        for hl in highlights:
            # Logseq keeps block properties right after a block's first line, so the
            # passage is one line: its words with whitespace collapsed
            quote = escape_line(one_line(hl.exact), PROFILE)
            out += [f"\t- > {quote}".rstrip(), f"\t  id:: {block_uuid(hl.id)}"]
            if hl.orphan:
                out.append("\t\t- *This passage is no longer in the article's text.*")
            for text in highlight_note_texts(hl, attached):
                out += _block(2, text)
            refs = tag_refs(hl.tags)
            if refs:
                out.append("\t\t- " + " ".join(refs))

    found = quotes(item)
    if found:
        out.append("- ## Quotes")
        for q in found:
            speaker = escape_inline_text(q.speaker) if q.speaker else "Unattributed"
            out.append(f"\t- **{speaker}**")
            out.append(f"\t\t- > {escape_line(one_line(q.text), PROFILE)}".rstrip())

    index = entity_index(item)
    if index:
        out.append("- ## Entities")
        for label, entities in grouped_entities(index):
            out.append(f"\t- ### {label}")
            out += [
                f"\t\t- [[{link_target(e.name)}]] ({e.count})"
                for e in entities
                if link_target(e.name)
            ]
    return "\n".join(out).rstrip("\n") + "\n"
