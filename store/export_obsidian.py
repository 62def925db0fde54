"""The ``obsidian`` export profile: YAML front matter (properties), then the article's
notes, highlights with ``^hl-...`` block ids, quotes as callouts and an entity index
with wikilinks."""

from __future__ import annotations

import functools
import re

import yaml

from store.export_markdown import (
    EntityCount,
    ExportItem,
    block_id,
    entity_index,
    escape_inline_text,
    escape_line,
    grouped_entities,
    highlight_note_texts,
    highlight_notes,
    is_url,
    link_target,
    notes_section,
    obsidian_tags,
    one_line,
    quotes,
    sorted_highlights,
    text_lines,
)

PROFILE = "obsidian"


def front_matter(item: ExportItem, index: list[EntityCount] | None = None) -> dict:
    """The properties block, in a fixed key order."""
    a = item.article
    if index is None:
        index = entity_index(item)
    names = [link_target(e.name) for e in index]
    aliases = []
    title = getattr(item.analysis, "title", None)
    if title and one_line(title) != one_line(a.title):
        aliases.append(one_line(title))
    return {
        "id": a.id,
        "title": a.title,
        "source": a.source,
        "site": a.site,
        "author": a.author,
        "published": a.published,
        "saved": a.added,
        "tags": obsidian_tags(item.annotations.tags),
        "aliases": aliases,
        "entities": [f"[[{n}]]" for n in names if n],
    }


# libyaml's emitter is about ten times faster than PyYAML's pure-Python one, which
# matters for a whole-library export; both give the same text for these values.
_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_BaseDumper):  # type: ignore[misc, valid-type]
    """The safe dumper, with line breaks in strings always written as escapes."""


_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # PyYAML folds some line breaks (NEL, LS, PS) inside single-quoted scalars into
    # spaces; double quotes escape every such character, so the value reads back exactly.
    style = '"' if _BREAKS.search(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_RESOLVER = yaml.resolver.Resolver()
_OPTIONS = {"allow_unicode": True, "width": 2**31 - 1}  # never fold long titles
_NULL = yaml.ScalarEvent(None, "tag:yaml.org,2002:null", (True, False), "null")
_OPEN = (yaml.StreamStartEvent(), yaml.DocumentStartEvent(explicit=False))
_CLOSE = (yaml.DocumentEndEvent(explicit=False), yaml.StreamEndEvent())
_SEQ_END = yaml.SequenceEndEvent()
_MAP_END = yaml.MappingEndEvent()


class _NotPlain(Exception):
    """A value other than a string, None, list or dict: left to the representer."""


def _reads_as_str(value: str) -> bool:
    """True when ``value`` written plain reads back as a string (not a number,
    boolean, null or date), which is when the emitter may leave it unquoted."""
    return _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == _STR


@functools.lru_cache(maxsize=65536)  # the same keys, names and tags recur across a library
def _scalar(value: str) -> yaml.ScalarEvent:
    # Events are only read by the emitter, so one per distinct value is shared.
    style = '"' if _BREAKS.search(value) else None
    return yaml.ScalarEvent(None, _STR, (_reads_as_str(value), True), value, style=style)


def _events(value: object, out: list[yaml.Event]) -> None:
    # The events PyYAML's safe representer and serializer produce for these types
    # (with _represent_str and block style), made directly: the generic dispatch,
    # node graph and per-node resolver calls were most of a front matter's cost.
    # PyYAML's emitter still writes every character, quoting included.
    if isinstance(value, str):
        out.append(_scalar(value))
    elif value is None:
        out.append(_NULL)
    elif isinstance(value, list):
        out.append(yaml.SequenceStartEvent(None, _SEQ, True, flow_style=False))
        for item in value:
            if type(item) is str:
                out.append(_scalar(item))
            else:
                _events(item, out)
        out.append(_SEQ_END)
    elif isinstance(value, dict):
        out.append(yaml.MappingStartEvent(None, _MAP, True, flow_style=False))
        for key, item in value.items():
            _events(key, out)
            _events(item, out)
        out.append(_MAP_END)
    else:
        raise _NotPlain


def dump_front_matter(data: dict) -> str:
    """``data`` as a ``---`` fenced YAML block (a safe dumper, so it always parses)."""
    events: list[yaml.Event] = list(_OPEN)
    try:
        _events(data, events)
    except _NotPlain:
        body = yaml.dump(
            data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, **_OPTIONS
        )
    else:
        events += _CLOSE
        body = yaml.emit(events, Dumper=_Dumper, **_OPTIONS)
    return f"---\n{body}---\n"


def _quote_block(lines: list[str], prefix: str = "> ") -> list[str]:
    return [
        (prefix + escape_line(line, PROFILE)).rstrip() if line.strip() else ">" for line in lines
    ]


def render(item: ExportItem) -> str:
    """The article's Markdown for Obsidian."""
    a = item.article
    index = entity_index(item)
    out = [dump_front_matter(front_matter(item, index)), f"# {escape_inline_text(a.title)}", ""]
    if a.source and a.source != "-":
        source = f"<{a.source}>" if is_url(a.source) else escape_inline_text(a.source)
        out += [f"Source: {source}", ""]

    out += notes_section(item, PROFILE)

    highlights = sorted_highlights(item.annotations)
    if highlights:
        attached = highlight_notes(item.annotations)
        out += ["## Highlights", ""]
        for hl in highlights:
            quote = _quote_block(text_lines(hl.exact) or [""])
            quote[-1] = f"{quote[-1]} ^{block_id(hl.id)}"
            out += quote + [""]
            if hl.orphan:
                out += ["*This passage is no longer in the article's text.*", ""]
            for text in highlight_note_texts(hl, attached):
                out += [escape_line(line, PROFILE) for line in text_lines(text)] + [""]
            tags = obsidian_tags(hl.tags)
            if tags:
                out += [" ".join("#" + t for t in tags), ""]

    found = quotes(item)
    if found:
        out += ["## Quotes", ""]
        for q in found:
            speaker = escape_inline_text(q.speaker) if q.speaker else "Unattributed"
            out += [f"> [!quote] {speaker}"] + _quote_block(text_lines(q.text)) + [""]

    if index:
        out += ["## Entities", ""]
        for label, entities in grouped_entities(index):
            out += [f"### {label}", ""]
            out += [
                f"- [[{link_target(e.name)}]] ({e.count})" for e in entities if link_target(e.name)
            ]
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
