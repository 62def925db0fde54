"""Text that is safe to show in a terminal, and a title guessed from plain text.

Stored text is never edited; these functions work on copies for display, and
``display_safe`` keeps every offset valid because it maps one code point to one.
"""

from __future__ import annotations

import re

__all__ = ["display_safe", "is_noise_line", "title_from_text"]

# C0 controls become their U+2400 "control pictures" (\x1b -> U+241B), DEL becomes
# U+2421. C1 controls (\x9b is a one-byte CSI to some terminals), bidi embeddings,
# overrides and isolates (which can reorder what a reader sees, "Trojan Source") and
# lone surrogates (which cannot be encoded for output) have no pictures of their
# own: they all become U+FFFD, still one code point, so offsets do not move.
_REPLACEMENT = "\ufffd"
_TABLE: dict[int, str] = {c: chr(0x2400 + c) for c in range(0x20) if c not in (0x09, 0x0A)}
_TABLE[0x7F] = "\u2421"
_TABLE.update({c: _REPLACEMENT for c in range(0x80, 0xA0)})
_TABLE.update({c: _REPLACEMENT for c in range(0x202A, 0x202F)})
_TABLE.update({c: _REPLACEMENT for c in range(0x2066, 0x206A)})
_TABLE.update({c: _REPLACEMENT for c in range(0xD800, 0xE000)})

_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]",
)


def display_safe(text: str) -> str:
    """Return ``text`` with every control character made visible and inert.

    Every C0 and C1 control except newline and tab (ESC, BEL, CR, DEL, the one-byte
    CSI ``\\x9b``...), every bidi embedding, override or isolate (U+202A-U+202E,
    U+2066-U+2069) and every lone surrogate is replaced by one visible code point, so
    ``len(display_safe(t)) == len(t)`` and offsets into ``t`` stay valid.
    """
    if _UNSAFE.search(text) is None:
        return text
    return text.translate(_TABLE)


# --- titles -------------------------------------------------------------------

_TITLE_MAX = 160
_WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
# A line that is only a date ("Friday, July 21, 2017", "21 Jul 2017", "2017-07-21").
_DATE_LINE = re.compile(
    rf"^(?:(?:{_WEEKDAYS})\W*)?(?:(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\.?,?\s+\d{{4}}"
    r"|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})"
    r"(?:[,\s]+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?)?\W*$",
    re.IGNORECASE,
)
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")
_EOL = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x85")


def is_noise_line(line: str) -> bool:
    """True for a line that cannot be a title: scraped navigation noise.

    That is a line with no letters ("* * *", "10 | 14"), a single short token (a
    language code such as "EN", a section name such as "News" or "CROSSMEDIA"), or
    only a date. A real one-word headline is rare in news; when every line is noise,
    ``title_from_text`` still falls back to the first line with letters.
    """
    stripped = _MD_HEADING.sub("", line.strip()).strip()
    if not any(ch.isalpha() for ch in stripped):
        return True
    if len(stripped) < 25 and len(_WORD.findall(stripped)) < 2:
        return True
    return _DATE_LINE.match(stripped) is not None


def _clean_title(line: str) -> str:
    # Only the start can show; cutting first keeps a 1 MB line cheap.
    line = line.strip()[: _TITLE_MAX * 4]
    title = _SPACES.sub(" ", _MD_HEADING.sub("", line)).strip()
    title = display_safe(title)
    if len(title) > _TITLE_MAX:
        cut = title.rfind(" ", 0, _TITLE_MAX)
        title = title[: cut if cut > _TITLE_MAX // 2 else _TITLE_MAX].rstrip() + "\u2026"
    return title


def title_from_text(text: str) -> str | None:
    """Guess a title: the first substantial line that is not scraped noise.

    Lines may end in LF, CRLF or a lone CR. The title has its whitespace collapsed,
    control characters made visible and is cut at a word near 160 characters (a
    text whose first line is a whole paragraph gets the paragraph's beginning).
    Returns None when no line has a letter.
    """
    fallback: str | None = None
    # Only the head of a long text can hold its title; this keeps a 1 MB text fast.
    for count, line in enumerate(_iter_lines(text)):
        if count >= 200:
            break
        if not is_noise_line(line):
            return _clean_title(line)
        if fallback is None and any(ch.isalpha() for ch in line):
            fallback = line
    return _clean_title(fallback) if fallback is not None else None


def _iter_lines(text: str):
    start = 0
    n = len(text)
    while start < n:
        match = _EOL.search(text, start)
        end = match.start() if match else n
        line = text[start:end]
        if line.strip():
            yield line
        if match is None:
            break
        start = match.end()
