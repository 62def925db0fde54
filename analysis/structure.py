"""Line-level structure of an article: title, headings, paragraphs, scraped noise,
and sentences within paragraphs.

Scraped pages leave debris between paragraphs: language switches ("EN"), section
names ("News"), counters ("77"), domain names, share-button labels ("10Sources"),
all-caps tags, the first name under a photo. These lines are marked as noise so
the reader can dim them; nothing is deleted and offsets are never shifted.
"""

from __future__ import annotations

import re

from analysis.types import Block

__all__ = ["split_blocks", "sentences", "title_of", "is_title_case"]

# Whitespace that scrapers leave on "blank" lines, including no-break and zero-width spaces.
_BLANK = " \t\r\f\v\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u202f\u205f\u3000\ufeff"
_LINE_RE = re.compile(r"[^\n]+")
_WORD_RE = re.compile(r"\S+")
_SENTENCE_END = ".!?…"
_CLOSERS = "\"'”’»)]"
# A line that reads like prose: ends a sentence, possibly inside closing quotes.
_PROSE_END_RE = re.compile(r"[.!?…:;,][\"'”’»)\]]*$")
_DOMAIN_RE = re.compile(r"^(?:https?://)?[\w-]+(?:\.[\w-]+)+(?:/\S*)?$", re.ASCII | re.IGNORECASE)
_LETTER_RE = re.compile(r"[^\W\d_]")
# The whitespace-separated words that hold a letter, in one scan.
_LETTER_WORD_RE = re.compile(r"\S*[^\W\d_]\S*")
_DIGIT_RE = re.compile(r"\d")

# Words that stay lower case in English Title Case headlines.
SMALL_WORDS = frozenset(
    "a an and as at but by for from in into nor of on onto or over per the to up upon "
    "vs via with without than off out is are was be".split()
)

# Abbreviations after which a period does not end a sentence.
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt ft gen col lt sgt capt cmdr adm maj gov sen rep rev
    hon pres supt insp det no nos vol vols fig figs ed eds approx dept est inc corp ltd
    co bros assn univ ave blvd rd hwy jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri sat sun etc vs cf al e.g i.e a.m p.m u.s u.k u.n
    e.u d.c""".split()
)


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _BLANK:
        start += 1
    while end > start and text[end - 1] in _BLANK:
        end -= 1
    return start, end


def _is_noise(line: str) -> bool:
    """A short line that is not prose and carries no sentence: scraped debris."""
    words = line.split()
    if not words or len(line) > 40 or len(words) > 3:
        return False
    if _PROSE_END_RE.search(line) and len(words) > 1:
        return False
    if not _LETTER_RE.search(line):
        return True  # counters, dates, bullets
    if _DOMAIN_RE.match(line):
        return True
    if len(words) == 1:
        return True  # a lone word between paragraphs is a label, tag or caption
    # Two or three tokens that mix digits into words ("10 Sources", "Page 2 of 9").
    return sum(1 for w in words if _DIGIT_RE.search(w)) >= len(words) - 1 and not any(
        w[:1].isupper() and len(w) > 2 and w.isalpha() for w in words[:1]
    )


def is_title_case(line: str) -> bool:
    """True when most content words of ``line`` start with a capital (headline style)."""
    content = [
        w for w in _LETTER_WORD_RE.findall(line) if w.lower().strip("\"'“”‘’()") not in SMALL_WORDS
    ]
    if len(content) < 2:
        return False
    caps = sum(1 for w in content if w.lstrip("\"'“‘(")[:1].isupper())
    return caps >= 0.75 * len(content) and caps >= 2


def _is_heading(line: str) -> bool:
    words = line.split()
    if len(words) > 16 or len(line) > 140:
        return False
    if line[-1] in _SENTENCE_END and not line.endswith("?"):
        return False
    if line[-1] in ",;":
        return False
    first = line.lstrip("\"'“‘(#*-–— ")[:1]
    return bool(first) and (first.isupper() or first.isdigit())


def split_blocks(text: str) -> list[Block]:
    """Split ``text`` into line blocks: title, heading, paragraph or noise.

    Each non-blank line is one block; offsets exclude surrounding whitespace.
    The title is the first substantial line that is not noise.
    """
    blocks: list[Block] = []
    title_done = False
    for m in _LINE_RE.finditer(text):
        start, end = _strip(text, m.start(), m.end())
        if start == end:
            continue
        line = text[start:end]
        if _is_noise(line):
            kind = "noise"
        elif not title_done and len(line.split()) <= 30 and _LETTER_RE.search(line):
            kind = "title"
        elif _is_heading(line):
            kind = "heading"
        else:
            kind = "paragraph"
        if kind != "noise":
            title_done = True
        blocks.append(Block(start, end, kind))
    return blocks


def title_of(text: str, blocks: list[Block]) -> str | None:
    """The title text, or None when the text has no title line."""
    for b in blocks:
        if b.kind == "title":
            return text[b.start : b.end]
    return None


_SENT_BREAK_RE = re.compile(
    r"(?P<end>[.!?…]+)(?P<close>[\"'”’»)\]]*)(?P<space>\s+)(?=[\"“‘«(\[]*[^\W_a-z])"
)
_INITIAL_RE = re.compile(r"(?:^|[\s(])(?:[^\W\d_]\.)+$")
_LAST_WORD_RE = re.compile(r"([\w.]+)$")


def sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into sentences, as ``(start, end)`` offsets.

    A period after a known abbreviation ("Mr.", "Jan.", "Inc.") or an initial
    ("J. R. Smith", "U.S.") does not end a sentence unless the next word is one
    that cannot continue a name.
    """
    if end is None:
        end = len(text)
    out: list[tuple[int, int]] = []
    for m in _LINE_RE.finditer(text, start, end):
        out.extend(_line_sentences(text, m.start(), m.end()))
    return out


def _line_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    pos = start
    for m in _SENT_BREAK_RE.finditer(text, start, end):
        if m.group("end") == ".":
            before = text[max(start, m.start() - 30) : m.start() + 1]
            word = _LAST_WORD_RE.search(before)
            token = word.group(1).lower().rstrip(".") if word else ""
            if token in ABBREVIATIONS or _INITIAL_RE.search(before):
                continue
        cut = m.end("close")
        s, e = _strip(text, pos, cut)
        if s < e:
            out.append((s, e))
        pos = m.end()
    s, e = _strip(text, pos, end)
    if s < e:
        out.append((s, e))
    return out
