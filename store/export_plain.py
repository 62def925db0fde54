"""The ``plain`` export profile: CommonMark only. No front matter (plain readers show
YAML as text), no wikilinks, block ids, callouts or #tags: metadata is a list and
tags are plain words."""

from __future__ import annotations

from store.export_markdown import (
    ExportItem,
    entity_index,
    escape_inline_text,
    escape_line,
    grouped_entities,
    highlight_note_texts,
    highlight_notes,
    is_url,
    notes_section,
    quotes,
    sorted_highlights,
    text_lines,
)

PROFILE = "plain"


def _quote_block(lines: list[str]) -> list[str]:
    return [("> " + escape_line(line, PROFILE)).rstrip() if line.strip() else ">" for line in lines]


def _tag_list(tags: list[str]) -> str:
    seen: list[str] = []
    for tag in tags:
        clean = escape_inline_text(tag)
        if clean and clean not in seen:
            seen.append(clean)
    return ", ".join(seen)


def render(item: ExportItem) -> str:
    """The article's Markdown for any CommonMark reader."""
    a = item.article
    out = [f"# {escape_inline_text(a.title)}", ""]
    meta = [("ID", f"`{a.id}`" if "`" not in a.id else escape_inline_text(a.id))]
    if a.source and a.source != "-":
        meta.append(
            ("Source", f"<{a.source}>" if is_url(a.source) else escape_inline_text(a.source))
        )
    for label, value in (("Site", a.site), ("Author", a.author), ("Published", a.published)):
        if value:
            meta.append((label, escape_inline_text(value)))
    meta.append(("Saved", escape_inline_text(a.added)))
    tags = _tag_list(item.annotations.tags)
    if tags:
        meta.append(("Tags", tags))
    out += [f"- {label}: {value}" for label, value in meta] + [""]

    out += notes_section(item, PROFILE)

    highlights = sorted_highlights(item.annotations)
    if highlights:
        attached = highlight_notes(item.annotations)
        out += ["## Highlights", ""]
        for hl in highlights:
            out += _quote_block(text_lines(hl.exact) or [""]) + [""]
            if hl.orphan:
                out += ["*This passage is no longer in the article's text.*", ""]
            for text in highlight_note_texts(hl, attached):
                out += [escape_line(line, PROFILE) for line in text_lines(text)] + [""]
            tags = _tag_list(hl.tags)
            if tags:
                out += [f"Tags: {tags}", ""]

    found = quotes(item)
    if found:
        out += ["## Quotes", ""]
        for q in found:
            speaker = escape_inline_text(q.speaker) if q.speaker else "Unattributed"
            out += [f"**{speaker}:**", ""] + _quote_block(text_lines(q.text)) + [""]

    index = entity_index(item)
    if index:
        out += ["## Entities", ""]
        for label, entities in grouped_entities(index):
            out += [f"### {label}", ""]
            out += [f"- {escape_inline_text(e.name)} ({e.count})" for e in entities]
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
