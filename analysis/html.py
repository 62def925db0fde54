"""Main text and metadata from an HTML page.

trafilatura finds the article in the page (no menus, scripts, styles, comments);
when it finds nothing, a plain parse keeps every visible block instead. Either way
paragraphs come out separated by one blank line.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from html.parser import HTMLParser

__all__ = ["HtmlText", "declared_charset", "extract_html"]


@dataclass(slots=True)
class HtmlText:
    """What ``extract_html`` finds in a page."""

    text: str
    title: str | None = None
    site: str | None = None
    author: str | None = None
    published: str | None = None  # ISO "YYYY-MM-DD"


_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
# Pages that declare Latin-1 or ASCII are in practice windows-1252 (the WHATWG
# Encoding Standard decodes them so), which has curly quotes where Latin-1 has
# invisible C1 controls.
_WHATWG_ALIASES = {"latin_1": "cp1252", "ascii": "cp1252", "iso8859_1": "cp1252"}


def normalise_charset(name: str | None) -> str | None:
    """A Python codec name for a declared charset, or None when it is unknown."""
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None
    codec = codec.replace("-", "_")
    return _WHATWG_ALIASES.get(codec, codec)


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in a ``<meta>`` tag within its first 4 KB."""
    match = _META_CHARSET.search(data[:4096])
    return normalise_charset(match.group(1).decode("ascii")) if match else None


def extract_html(html: str, url: str | None = None) -> HtmlText:
    """Extract the main text (paragraphs separated by blank lines) and metadata."""
    found = _trafilatura(html, url)
    fallback = None
    if found is None or not found.text.strip():
        fallback = _plain_text(html)
        if found is None:
            found = HtmlText(text=fallback.text, title=fallback.title)
        else:
            found.text = fallback.text
    if not found.title:
        found.title = (fallback or _plain_text(html)).title
    return found


def _trafilatura(html: str, url: str | None) -> HtmlText | None:
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            # No guessing a date from the file's own timestamp or the URL alone.
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception:  # noqa: BLE001 - a parser crash on odd markup means "found nothing"
        return None
    if doc is None:
        return None
    body = getattr(doc, "body", None)
    text = _blocks_text(body) if body is not None else ""
    if not text.strip():
        text = getattr(doc, "text", None) or ""
    date = getattr(doc, "date", None)
    return HtmlText(
        text=text,
        title=_clean(getattr(doc, "title", None)),
        site=_clean(getattr(doc, "sitename", None)),
        author=_clean(getattr(doc, "author", None)),
        published=date[:10] if date and re.match(r"\d{4}-\d{2}-\d{2}", date) else None,
    )


def _clean(value: str | None) -> str | None:
    if not value:
        return None
    value = " ".join(value.split())
    return value or None


# trafilatura's XML: <head>, <p>, <quote>, <code>, <list><item>, <table><row><cell>.
_CONTAINERS = {"div", "quote", "main", "body", "doc", "section"}


def _blocks_text(body) -> str:
    blocks: list[str] = []
    _collect(body, blocks)
    return "\n\n".join(b for b in blocks if b)


def _inline_text(elem) -> str:
    parts: list[str] = [elem.text or ""]
    for node in elem.iterdescendants():
        parts.append("\n" if node.tag == "lb" else node.text or "")
        parts.append(node.tail or "")
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _collect(elem, blocks: list[str]) -> None:
    for child in elem:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "list":
            items = [_inline_text(item) for item in child if item.tag == "item"]
            blocks.append("\n".join(f"- {item}" for item in items if item))
        elif tag == "table":
            rows = []
            for row in child.iter("row"):
                cells = [_inline_text(cell) for cell in row if cell.tag in ("cell", "head")]
                rows.append(" | ".join(c for c in cells if c))
            blocks.append("\n".join(r for r in rows if r))
        elif tag in _CONTAINERS and any(isinstance(c.tag, str) for c in child):
            _collect(child, blocks)
        elif tag == "code":
            blocks.append("".join(child.itertext()).strip("\n"))
        elif tag in ("graphic", "comments"):
            continue
        else:
            blocks.append(_inline_text(child))


# --- fallback: every visible block -------------------------------------------

_SKIP = {"script", "style", "noscript", "template", "svg", "math", "iframe", "object"}
_BLOCK = {
    "address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "td", "th",
    "tr", "ul",
}  # fmt: skip
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}  # fmt: skip


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.skip_depth = 0
        self.in_title = False
        self.title_parts: list[str] = []

    def _flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(text)
        self.current = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "title":
            self.in_title = True
        if tag in _SKIP and tag not in _VOID:
            self.skip_depth += 1
        elif tag in _BLOCK:
            self._flush()

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in _BLOCK:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in _SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in _BLOCK:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)
        elif not self.skip_depth:
            self.current.append(data)


def _plain_text(html: str) -> HtmlText:
    parser = _TextParser()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 - keep what was parsed before the bad markup
        pass
    parser._flush()
    title = _clean("".join(parser.title_parts))
    return HtmlText(text="\n\n".join(parser.blocks), title=title)
