"""Shared pieces of the Markdown export: what one article exports, escaping of user
text so it cannot break the document's structure, tag and link clean-up, and the
entity index. The profile renderers (``export_obsidian``, ``export_logseq``,
``export_plain``) build on these; none of this touches the disk.
"""

from __future__ import annotations

import collections
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from store.models import Annotations, Article, Highlight, Note

ENTITY_GROUPS = (
    ("PERSON", "People"),
    ("ORG", "Organisations"),
    ("PLACE", "Places"),
    ("MISC", "Other"),
)
_TYPE_RANK = {etype: i for i, (etype, _) in enumerate(ENTITY_GROUPS)}


@dataclass(frozen=True, slots=True)
class ExportItem:
    """Everything one article's export is made of. ``analysis`` is an
    ``analysis.Analysis`` (entities, quotes) or None when there is none."""

    article: Article
    text: str
    annotations: Annotations
    analysis: object | None = None


@dataclass(frozen=True, slots=True)
class EntityCount:
    """One entity of the index: its canonical name, type and number of mentions."""

    name: str
    type: str
    count: int


@dataclass(frozen=True, slots=True)
class QuoteView:
    """A quotation as exported: who said it (None when unknown) and the words."""

    start: int
    speaker: str | None
    text: str


# --- escaping ---------------------------------------------------------------
#
# User text (notes, highlighted passages, quotes) goes into the document line by line.
# Two reversible escapes keep it from changing the document's structure:
#   line level: a line whose first non-space character would open a block (heading,
#     blockquote, fence, thematic break or setext underline, HTML block, math block)
#     gets a backslash in front of that character; a line already starting with a
#     backslash gets one more, so the escape is injective and ``unescape`` undoes it.
#   inline: characters in ``inline`` that would open a construct spanning the rest
#     of the document (Obsidian's ``%%`` comments, a trailing ``^block-id``, Logseq's
#     ``key:: value``) get a backslash, as does any such character after a backslash.

_BLOCK_START = re.compile(
    r"""
    \\                               # an existing escape: doubled
    | \#{1,6}(?:[ \t]|$)             # ATX heading
    | >                              # blockquote
    | `{3} | ~{3}                    # code fence
    | (?:=+|-+)[ \t]*$               # setext underline
    | (?:\*[ \t]*){3,}$ | (?:_[ \t]*){3,}$ | (?:-[ \t]*){3,}$   # thematic break
    | <                              # HTML block
    | \$\$                           # Obsidian math block
    """,
    re.VERBOSE,
)
_LIST_START = re.compile(r"(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)")
_LOGSEQ_PROPERTY = re.compile(r"[^\s:]+::")
_BLOCK_ID_TAIL = re.compile(r"\^[A-Za-z0-9-]+[ \t]*$")


_LIST_PREFIX = re.compile(r"(?:(?:[-+*]|\d{1,9}[.)])[ \t]+(?=\S))*")


def _indent(line: str) -> int | None:
    """Length of the leading spaces and tabs, or None when they are four or more
    spaces (indented code, which never spans further). Tabs count as possibly less
    than four columns, since the column they reach depends on where the line lands."""
    ws = len(line) - len(line.lstrip(" \t"))
    if ws > 3 and "\t" not in line[:ws]:
        return None
    return ws


def _split_start(line: str) -> tuple[str, str]:
    """``(prefix, rest)``: the indent, then any list markers that open nested list
    items (``- 1. ``); ``rest`` is where a block could start."""
    indent = _indent(line)
    if indent is None:
        return line, ""
    markers = _LIST_PREFIX.match(line, indent)
    end = markers.end() if markers else indent
    return line[:end], line[end:]


def _escape_line_start(line: str, lists: bool) -> str:
    indent = _indent(line)
    if indent is None:
        return line
    rest = line[indent:]
    if _BLOCK_START.match(rest) or (lists and _LIST_START.match(rest)):
        return line[:indent] + "\\" + rest
    if lists:
        return line
    # a list item may itself open a heading, quote or fence: escape that instead
    prefix, rest = _split_start(line)
    if rest and _BLOCK_START.match(rest):
        return prefix + "\\" + rest
    return line


def _unescape_line_start(line: str) -> str:
    indent = _indent(line)
    if indent is None:
        return line
    if line[indent : indent + 1] == "\\":
        return line[:indent] + line[indent + 1 :]
    prefix, rest = _split_start(line)
    if rest.startswith("\\"):
        return prefix + rest[1:]
    return line


def _inline_targets(line: str, profile: str) -> set[int]:
    """Positions of characters that must be escaped in ``line`` for ``profile``."""
    hits: set[int] = set()
    if profile == "obsidian":
        for m in re.finditer(r"%{2,}", line):
            hits.update(range(m.start(), m.end()))
        m = _BLOCK_ID_TAIL.search(line)
        if m and (m.start() == 0 or line[m.start() - 1] in " \t"):
            hits.add(m.start())
    elif profile == "logseq":
        for m in re.finditer(r":{2,}", line):
            hits.update(range(m.start(), m.end()))
    return hits


_INLINE_CHARS = {"obsidian": "%^", "logseq": ":", "plain": ""}


def escape_line(line: str, profile: str) -> str:
    """Escape one line of user text for ``profile`` (reversed by ``unescape_line``)."""
    chars = _INLINE_CHARS[profile]
    if chars and any(ch in line for ch in chars):
        hits = _inline_targets(line, profile)
        out = []
        for i, ch in enumerate(line):
            if ch in chars and (i in hits or (i > 0 and line[i - 1] == "\\")):
                out.append("\\")
            out.append(ch)
        line = "".join(out)
    return _escape_line_start(line, lists=profile == "logseq")


def unescape_line(line: str, profile: str) -> str:
    """Undo ``escape_line``: recovers the user's text from an exported line."""
    line = _unescape_line_start(line)
    chars = _INLINE_CHARS[profile]
    if not chars:
        return line
    out = []
    i = 0
    while i < len(line):
        if line[i] == "\\" and i + 1 < len(line) and line[i + 1] in chars:
            i += 1
        out.append(line[i])
        i += 1
    return "".join(out)


def text_lines(text: str) -> list[str]:
    """Markdown's lines of ``text``: CRLF and CR become LF; leading and trailing
    blank lines go (they carry nothing and would break a list item)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def normalise_user_text(text: str) -> str:
    """``text`` as an export keeps it: what ``unescape`` of the exported lines gives."""
    return "\n".join(text_lines(text))


def one_line(text: str) -> str:
    """Collapse all whitespace (newlines included) to single spaces."""
    return " ".join(text.split())


_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~%^$=&])")


@functools.lru_cache(maxsize=65536)  # speakers and entity names recur across a library
def escape_inline_text(text: str) -> str:
    """Escape a one-line value (a title, a speaker) so Markdown shows it as written."""
    text = one_line(text)
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    # what is left that could open a block at the start: a list marker
    m = _LIST_START.match(text)
    if m:
        marker = m.group(0).rstrip()
        escaped = "\\" + marker if marker in "-+" else marker[:-1] + "\\" + marker[-1]
        text = escaped + text[len(marker) :]
    return text


# --- tags and links ----------------------------------------------------------

_TAG_KEEP = {"Lu", "Ll", "Lt", "Lm", "Lo", "Nd", "Mn", "Mc"}


@functools.lru_cache(maxsize=65536)  # a library uses few distinct tags, many times
def obsidian_tag(tag: str) -> str:
    """A valid Obsidian tag for ``tag``, or "" when nothing usable is left.

    Leading ``#`` go; whitespace and any character other than a letter, digit,
    ``_``, ``-`` or ``/`` become ``-`` (runs collapse); empty ``/`` levels go; a tag
    of digits only (Obsidian needs one non-digit) gets a ``y`` in front, as Obsidian's
    own help suggests for years: ``2025`` -> ``y2025``.
    """
    tag = unicodedata.normalize("NFC", tag).strip().lstrip("#")
    chars = []
    for ch in tag:
        if ch in "_-/" or unicodedata.category(ch) in _TAG_KEEP:
            chars.append(ch)
        else:
            chars.append("-")
    tag = re.sub(r"-{2,}", "-", "".join(chars))
    parts = [p.strip("-") for p in tag.split("/")]
    tag = "/".join(p for p in parts if p)
    if tag and all(ch == "/" or unicodedata.category(ch) == "Nd" for ch in tag):
        tag = "y" + tag
    return tag


def obsidian_tags(tags: Iterable[str]) -> list[str]:
    """``obsidian_tag`` of each, empty ones dropped, first occurrence kept."""
    out: list[str] = []
    for tag in tags:
        clean = obsidian_tag(tag)
        if clean and clean not in out:
            out.append(clean)
    return out


@functools.lru_cache(maxsize=65536)  # the same names recur across a whole library
def link_target(name: str) -> str:
    """``name`` made safe inside ``[[...]]``: no brackets, pipes, ``#`` or ``^``."""
    return one_line(re.sub(r"[\[\]|#^]", " ", name))


def block_id(highlight_id: str) -> str:
    """A valid block id (letters, digits, dashes) for a highlight, ``hl-...``."""
    clean = re.sub(r"[^A-Za-z0-9-]+", "-", highlight_id).strip("-")
    if not clean.startswith("hl-"):
        clean = "hl-" + clean
    return clean


# --- what goes in -------------------------------------------------------------


def sorted_highlights(annotations: Annotations) -> list[Highlight]:
    """Highlights in reading order (start, end, id)."""
    return sorted(annotations.highlights, key=lambda h: (h.start, h.end, h.id))


def _note_key(note: Note) -> tuple[str, str]:
    return (note.created, note.id)


def article_notes(annotations: Annotations) -> list[Note]:
    """Notes on the article itself, oldest first; a note whose highlight is gone
    is kept here rather than lost."""
    ids = {h.id for h in annotations.highlights}
    notes = [n for n in annotations.notes if not n.highlight_id or n.highlight_id not in ids]
    return sorted(notes, key=_note_key)


def highlight_notes(annotations: Annotations) -> dict[str, list[Note]]:
    """Notes attached to each highlight, oldest first."""
    out: dict[str, list[Note]] = {}
    for note in sorted(annotations.notes, key=_note_key):
        if note.highlight_id:
            out.setdefault(note.highlight_id, []).append(note)
    return out


def highlight_note_texts(highlight: Highlight, notes: dict[str, list[Note]]) -> list[str]:
    """The highlight's own note, then the notes attached to it; blank ones dropped."""
    texts = [highlight.note] + [n.text for n in notes.get(highlight.id, [])]
    return [t for t in texts if t.strip()]


def quotes(item: ExportItem) -> list[QuoteView]:
    """The analysis' quotations in reading order, with their words from the text."""
    found = getattr(item.analysis, "quotes", None) or []
    out = []
    for q in sorted(found, key=lambda q: (q.start, q.end)):
        if 0 <= q.start < q.end <= len(item.text):
            speaker = one_line(q.speaker) if q.speaker else None
            out.append(QuoteView(q.start, speaker or None, item.text[q.start : q.end]))
    return out


def entity_index(item: ExportItem) -> list[EntityCount]:
    """Entities by canonical name with mention counts, most mentioned first, then
    by name. An entity's type is the one most of its mentions have."""
    found = getattr(item.analysis, "entities", None) or []
    raw = collections.Counter([(e.canonical or e.text, e.type) for e in found])
    by_name: dict[str, dict[str, int]] = {}
    for (name, etype), count in raw.items():
        name = _index_name(name)
        if name:
            types = by_name.get(name)
            if types is None:
                by_name[name] = {etype: count}
            else:
                types[etype] = types.get(etype, 0) + count
    out = []
    for name, types in by_name.items():
        if len(types) == 1:
            ((etype, count),) = types.items()
            out.append(EntityCount(name, etype, count))
            continue
        etype = min(types, key=lambda t: (-types[t], _TYPE_RANK.get(t, len(_TYPE_RANK)), t))
        out.append(EntityCount(name, etype, sum(types.values())))
    out.sort(key=_index_order)
    return out


# The same names recur across a whole library.
_index_name = functools.lru_cache(maxsize=65536)(one_line)


def _index_order(e: EntityCount) -> tuple[int, str]:
    return (-e.count, e.name)


def grouped_entities(index: list[EntityCount]) -> list[tuple[str, list[EntityCount]]]:
    """The index split by type, in the fixed order People, Organisations, Places,
    Other (unknown types go with Other)."""
    groups: dict[str, list[EntityCount]] = {label: [] for _, label in ENTITY_GROUPS}
    labels = dict(ENTITY_GROUPS)
    for e in index:
        groups[labels.get(e.type, "Other")].append(e)
    return [(label, groups[label]) for _, label in ENTITY_GROUPS if groups[label]]


def is_url(source: str) -> bool:
    """True for an http(s) URL that can stand in an autolink ``<...>``."""
    return bool(re.fullmatch(r"https?://[^\s<>]+", source or ""))


def notes_section(item: ExportItem, profile: str) -> list[str]:
    """The "## Notes" section: the article's notes as a Markdown list (none: no section)."""
    notes = [n for n in article_notes(item.annotations) if n.text.strip()]
    if not notes:
        return []
    out = ["## Notes", ""]
    for note in notes:
        lines = [escape_line(line, profile) for line in text_lines(note.text)]
        if lines:
            out.append("- " + lines[0])
            out += [("  " + line) if line else "" for line in lines[1:]]
    out.append("")
    return out
