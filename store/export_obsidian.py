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
    article_notes,
    block_id,
    entity_index,
    escape_inline_text,
    escape_line,
    grouped_entities,
    highlight_note_texts,
    highlight_notes,
    is_url,
    link_target,
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

    def resolve(self, kind: type, value: object, implicit: object) -> str:
        """The tag a scalar would be read back with (decides when it needs
        quotes); remembered, as the same names and tags recur across a library."""
        if kind is yaml.ScalarNode:
            return _resolve_scalar(value, implicit)
        return super().resolve(kind, value, implicit)


_RESOLVER = yaml.resolver.Resolver()


@functools.lru_cache(maxsize=65536)
def _resolve_scalar(value: str, implicit: tuple[bool, bool]) -> str:
    # Depends on the arguments only: this dumper adds no path resolvers.
    return _RESOLVER.resolve(yaml.ScalarNode, value, implicit)


_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # PyYAML folds some line breaks (NEL, LS, PS) inside single-quoted scalars into
    # spaces; double quotes escape every such character, so the value reads back exactly.
    style = '"' if _BREAKS.search(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


class _NotPlain(Exception):
    """A value other than a string, None, list or dict: left to the representer."""


def _node(value: object) -> yaml.Node:
    # The nodes PyYAML's safe representer (with _represent_str and block style)
    # makes for these types, built directly: its generic dispatch was most of the
    # cost of a front matter. The YAML library still serialises and emits them.
    if isinstance(value, str):
        return yaml.ScalarNode(_STR, value, style='"' if _BREAKS.search(value) else None)
    if value is None:
        return yaml.ScalarNode(_NULL, "null")
    if isinstance(value, list):
        return yaml.SequenceNode(_SEQ, [_node(v) for v in value], flow_style=False)
    if isinstance(value, dict):
        pairs = [(_node(k), _node(v)) for k, v in value.items()]
        return yaml.MappingNode(_MAP, pairs, flow_style=False)
    raise _NotPlain


_OPTIONS = {"allow_unicode": True, "width": 2**31 - 1}  # never fold long titles


def dump_front_matter(data: dict) -> str:
    """``data`` as a ``---`` fenced YAML block (a safe dumper, so it always parses)."""
    try:
        body = yaml.serialize(_node(data), Dumper=_Dumper, **_OPTIONS)
    except _NotPlain:
        body = yaml.dump(
            data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, **_OPTIONS
        )
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

    notes = [n for n in article_notes(item.annotations) if n.text.strip()]
    if notes:
        out += ["## Notes", ""]
        for note in notes:
            lines = [escape_line(line, PROFILE) for line in text_lines(note.text)]
            if lines:
                out.append("- " + lines[0])
                out += [("  " + line) if line else "" for line in lines[1:]]
        out.append("")

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
