"""Quotation spans in news text, with their speakers.

Real scraped articles break the textbook rules: a closing mark whose opening
was lost, an opening that is never closed, quotes that run over several
paragraphs with or without the opening mark repeated, apostrophes that look
like single quotes, and scare quotes that are not speech. The marks are found
once per text (``str.find`` per glyph) and the scanner works per paragraph on
those sparse marks only, skipping paragraphs without any, so its cost grows
with the number of marks, not characters.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from analysis.speakers import Attributor, VerbIndex
from analysis.types import Block, Entity, Quote

__all__ = ["find_quotes", "quote_spans"]

# Double-level marks drive the scanner. Single marks are mostly apostrophes
# (don't, Aliyev’s, ’90s, students’) or nested quotes, so they only count as
# clear balanced pairs in body paragraphs (_scan_single).
_DOUBLE_GLYPHS = '"“”„‟«»‹›'
_SINGLE_GLYPHS = "‘’'"
_LINE = re.compile(r"[^\n]*\S[^\n]*")
_WORD = re.compile(r"[^\W_]+(?:[’'\-][^\W_]+)*")
_OPEN_PUNCT = "([{—–-/\u00a0"
_CLOSE_PUNCT = ".,;:!?)]}…—–-"

# family -> the glyphs that may close it
_CLOSERS = {"“": '”“"', "„": "“”", "‟": "”", '"': '"”“', "«": "»", "‹": "›", "»": "«"}
_OPENERS = "“„‟«‹"
_CLOSING = "”»›"

# A paragraph may continue an open quote through unmarked paragraphs; beyond
# this many it is more likely a lost closing mark than a long quotation.
_MAX_CARRY = 4
_MIN_UNBALANCED_WORDS = 4
_MIN_SPEECH_WORDS = 5
_MIN_TERM_WORDS = 1
# verbs that may stand right before a title without saying it: "told “Fox News”",
# "read “The Art of the Deal”", "labeled “Mostly True”", "a plan called “Peace Now”"
_NOT_SAYING = frozenset(
    "tell tells told telling read reads label labels labeled labelled dubs dubbed brands"
    " branded calls called calling".split()
)
# “A,” the minister of foreign affairs said on Tuesday, “b.”
_MAX_GAP_WORDS = 12


@dataclass(slots=True)
class _Seg:
    """A quote piece inside one paragraph: kind is 'pair', 'open' or 'close'."""

    kind: str
    start: int
    end: int
    first: bool  # the first mark event of the paragraph


def _positions(text: str, glyphs: str) -> list[int]:
    """Sorted positions of any of ``glyphs`` in ``text``.

    ``str.find`` per glyph is several times faster than a character-class regex
    over text with non-ASCII characters, and the marks are sparse.
    """
    found: list[int] = []
    find = text.find
    for g in glyphs:
        i = find(g)
        while i >= 0:
            found.append(i)
            i = find(g, i + 1)
    found.sort()
    return found


def _scan(text: str, start: int, end: int, marks: list[int]) -> list[_Seg]:
    """Find top-level quote pieces in ``text[start:end]`` (one paragraph).

    ``marks`` are the positions of the double-level quote marks in that range.
    """
    segs: list[_Seg] = []
    stack: list[tuple[str, int]] = []
    events = 0
    # straight marks left in the paragraph: an even number left means the next one
    # opens, whatever its spacing looks like (communities," For example ...".)
    straight_left = text.count('"', start, end)
    for i in marks:
        ch = text[i]
        left = text[i - 1] if i > start else " "
        right = text[i + 1] if i + 1 < end else " "
        opens_look = not right.isspace() and (left.isspace() or left in _OPEN_PUNCT)
        closes_look = not left.isspace() and (right.isspace() or right in _CLOSE_PUNCT)
        top = stack[-1][0] if stack else None
        can_close = top is not None and ch in _CLOSERS.get(top, "")
        if ch == '"':
            straight_left -= 1
            if left.isdigit() and not can_close:
                continue  # inches: 6'2"
            if can_close and (closes_look or not opens_look):
                action = "close"
            elif opens_look or not closes_look or (straight_left % 2 == 1 and not stack):
                action = "open"
            else:
                action = "close"
        elif ch in _OPENERS:
            # „…“ closes with “; a scraper's “…“ too, when it looks closing.
            if can_close and closes_look and not opens_look:
                action = "close"
            else:
                action = "open"
        elif ch in _CLOSING:
            if ch == "»" and opens_look and not can_close and not closes_look:
                action = "open"  # Danish »…«
            elif (
                not can_close
                and ch == "”"
                and ((opens_look and not closes_look) or not text[start:i].strip())
            ):
                action = "open"  # ”…” as some scrapers and Swedish write it
            else:
                action = "close"
        else:
            continue
        if action == "open":
            family = ch if ch in _CLOSERS else "“"
            stack.append((family, i))
            continue
        # closing: pop to the matching family, or an unmatched close
        idx = None
        for k in range(len(stack) - 1, -1, -1):
            if ch in _CLOSERS.get(stack[k][0], ""):
                idx = k
                break
        if idx is None:
            if not stack:
                segs.append(_Seg("close", start, i + 1, events == 0))
                events += 1
            continue
        open_pos = stack[idx][1]
        del stack[idx:]
        if not stack:
            segs.append(_Seg("pair", open_pos, i + 1, events == 0))
            events += 1
    if stack:
        segs.append(_Seg("open", stack[0][1], _rstrip(text, start, end), events == 0))
    return segs


def _scan_single(text: str, start: int, end: int, marks: list[int]) -> list[tuple[int, int]]:
    """Balanced single-quote pairs in one paragraph (British style: ‘…,’ she said).

    Only clear pairs count: an opening mark after a space or bracket and
    before a letter, a closing mark after punctuation or after a letter other
    than "s" (students’ union) and before a space, punctuation or the end.
    Nested single quotes inside double quotes are dropped later as overlaps.
    """
    pairs: list[tuple[int, int]] = []
    open_at = -1
    for i in marks:
        ch = text[i]
        left = text[i - 1] if i > start else " "
        right = text[i + 1] if i + 1 < end else " "
        if open_at < 0:
            if (
                ch in "‘'"
                and (left.isspace() or left in _OPEN_PUNCT or left in '“"')
                and (right.isalpha() or (ch == "‘" and right.isdigit()))
            ):
                open_at = i
            continue
        if ch in "’'" and (right.isspace() or right in _CLOSE_PUNCT or right in '”"'):
            if left in ",.!?…" or (left.isalnum() and left not in "sS"):
                pairs.append((open_at, i + 1))
                open_at = -1
    return pairs


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _lstrip(text: str, start: int, end: int) -> int:
    while start < end and text[start].isspace():
        start += 1
    return start


def _units(text: str, blocks: list[Block]) -> list[tuple[int, int, str]]:
    """Paragraph-like units (start, end, kind) in text order."""
    if not blocks:
        return [(m.start(), m.end(), "paragraph") for m in _LINE.finditer(text)]
    units = []
    n = len(text)
    for b in sorted(blocks, key=lambda b: b.start):
        s, e = max(0, b.start), min(n, b.end)
        if e > s:
            units.append((s, e, b.kind))
    return units


def _close_start(text: str, verbs: VerbIndex, ustart: int, close_end: int) -> int:
    """Where a quote that has only its closing mark begins.

    After an introducing colon whose clause carries a reporting verb ("He
    emphasized that ...:"), else at the paragraph start.
    """
    pos = ustart
    while True:
        c = text.find(":", pos, close_end)
        if c < 0:
            return ustart
        if verbs.between(ustart, c):
            return _lstrip(text, c + 1, close_end)
        pos = c + 1


def quote_spans(
    text: str, blocks: list[Block] | None = None, verbs: VerbIndex | None = None
) -> list[tuple[int, int, bool]]:
    """All candidate quotation spans ``(start, end, balanced)`` before the speech filter.

    ``balanced`` is False for spans built from an unmatched mark or a
    multi-paragraph carry. Spans are sorted and never overlap. ``verbs`` is
    the text's reporting-verb index when the caller already has one.
    """
    if verbs is None:
        verbs = VerbIndex(text)
    units = _units(text, blocks or [])
    out: list[tuple[int, int, bool]] = []
    # an open quote carried from an earlier paragraph: its start, the end of
    # the last paragraph it certainly covers, and how many unmarked
    # paragraphs have been passed since
    pending: tuple[int, int] | None = None
    carried = 0
    singles: list[tuple[int, int]] = []

    def flush() -> None:
        nonlocal pending, carried
        if pending is not None:
            out.append((pending[0], pending[1], False))
        pending = None
        carried = 0

    # most paragraphs hold no quote mark: the marks are found once and a paragraph
    # without any is never scanned
    doubles = _positions(text, _DOUBLE_GLYPHS)
    single_marks = _positions(text, _SINGLE_GLYPHS)
    at = bisect.bisect_left
    # a paragraph without marks changes nothing unless a quote is open: jump ahead
    marks = sorted(doubles + single_marks)
    unit_starts = [u[0] for u in units]
    u = 0
    while u < len(units):
        if pending is None:
            k = at(marks, units[u][0])
            if k == len(marks):
                break
            u = max(u, bisect.bisect_right(unit_starts, marks[k]) - 1)
        ustart, uend, kind = units[u]
        u += 1
        if kind == "noise":
            continue
        i, j = at(doubles, ustart), at(doubles, uend)
        segs = _scan(text, ustart, uend, doubles[i:j]) if i < j else []
        if kind in ("title", "heading"):
            flush()
            out.extend((s.start, s.end, True) for s in segs if s.kind == "pair")
            continue
        # headlines use single quotes for anything; only body text gets British-style quotes
        i, j = at(single_marks, ustart), at(single_marks, uend)
        if i < j:
            singles.extend(_scan_single(text, ustart, uend, single_marks[i:j]))
        if pending is not None:
            if not segs:
                carried += 1
                if carried > _MAX_CARRY:
                    flush()
                continue
            first = segs[0]
            if first.kind == "close" and first.first:
                out.append((pending[0], first.end, False))
                pending = None
                carried = 0
                segs = segs[1:]
            elif (
                carried == 0
                and first.first
                and first.kind in ("pair", "open")
                and _lstrip(text, ustart, uend) == first.start
            ):
                # the convention: each continued paragraph repeats the opening mark
                if first.kind == "open":
                    pending = (pending[0], first.end)
                    continue
                out.append((pending[0], first.end, False))
                pending = None
                segs = segs[1:]
            else:
                flush()
        prev_end = ustart
        for seg in segs:
            if seg.kind == "pair":
                out.append((seg.start, seg.end, True))
            elif seg.kind == "close":
                if seg.first:
                    s = _lstrip(text, _close_start(text, verbs, ustart, seg.end), seg.end)
                else:
                    s = _close_start(text, verbs, prev_end, seg.end)
                    if s == prev_end:
                        continue  # a stray mark after a quote: nothing says where it began
                if seg.end - s > 1:
                    out.append((s, seg.end, False))
            else:
                pending = (seg.start, seg.end)
                carried = 0
            prev_end = seg.end
    flush()
    out.extend((a, b, True) for a, b in singles)
    out.sort()
    merged: list[tuple[int, int, bool]] = []
    for s, e, bal in out:
        if merged and s < merged[-1][1]:
            continue
        merged.append((s, e, bal))
    return merged


def _content_words(text: str, start: int, end: int) -> list[str]:
    # the first words decide: speech length and Title Case need no more
    return _WORD.findall(text, start, min(end, start + 200))


def _is_title_case(words: list[str]) -> bool:
    # one pass: this runs for every quote. "The Art of the Deal": small function
    # words stay lowercase in titles, so only capitalised or longer words count
    alpha = caps = counted = 0
    left = len(words)
    for w in words:
        left -= 1
        c = w[0]
        if not c.isalpha():
            continue
        alpha += 1
        if c.isupper():
            caps += 1
            counted += 1
        elif len(w) > 3:
            counted += 1
            # caps >= 0.7 * counted needs 3 * caps >= 7 * (lower-case words); stop
            # once even capitals in every word left cannot reach that
            if 3 * (caps + left) < 7 * (counted - caps):
                return False
    return alpha >= 2 and caps >= 2 and caps >= 0.7 * counted


def find_quotes(text: str, blocks: list[Block], entities: list[Entity]) -> list[Quote]:
    """Direct quotations in ``text`` with their speakers.

    ``blocks`` are the line blocks (noise is skipped, headings never carry a
    quote over); ``entities`` give the names speakers resolve to. Quotes are
    sorted, never overlap, and include their marks when present. Short quoted
    terms (scare quotes) and titles count only when a reporting verb attributes
    them.
    """
    verbs = VerbIndex(text)
    spans = quote_spans(text, blocks, verbs)
    if not spans:
        return []
    attributor = Attributor(text, blocks, entities, spans, verbs)
    quotes: list[Quote] = []
    for s, e, balanced in spans:
        if s > 0 and text[s - 1] == "=":
            continue  # a markup attribute left by a scraper: <tweet author="…">
        words = _content_words(text, s, e)
        n = len(words)
        if n == 0:
            continue
        if not balanced and n < _MIN_UNBALANCED_WORDS:
            continue
        title = _is_title_case(words) or (n == 1 and words[0][0].isupper())
        if (
            title
            and n < _MIN_SPEECH_WORDS
            and not _said_after(text, verbs, s, e)
            and not _said_right_before(text, verbs, s)
        ):
            # a title, a programme or a rating: “Morning Joe”, “Mostly False”; but
            # “Here comes Big Daddy,” she said
            if balanced and quotes and _interrupted(text, verbs, quotes[-1], Quote(s, e, None)):
                quotes[-1] = _joined(quotes[-1], e)  # “Here he is,” she said. “The Donald.”
            continue
        speech = n >= _MIN_SPEECH_WORDS and not title
        attr = attributor.attribute(s, e, require_verb=not speech)
        if not speech and (n < _MIN_TERM_WORDS or attr is None or not attr.adjacent):
            if balanced and quotes and _interrupted(text, verbs, quotes[-1], Quote(s, e, None)):
                quotes[-1] = _joined(quotes[-1], e)  # “I would,” she said. “I would, Donald.”
            continue
        if attr is None:
            q = Quote(s, e, None, 0.0)
        else:
            q = Quote(s, e, attr.speaker, attr.confidence, attr.speaker_start, attr.speaker_end)
        if quotes and _interrupted(text, verbs, quotes[-1], q):
            quotes[-1] = _joined(quotes[-1], e)
        else:
            quotes.append(q)
    return quotes


def _joined(p: Quote, end: int) -> Quote:
    """The quote ``p`` extended to ``end`` with its speaker: one utterance split by its source."""
    return Quote(p.start, end, p.speaker, p.confidence, p.speaker_start, p.speaker_end)


def _said_right_before(text: str, verbs: VerbIndex, s: int) -> bool:
    """Whether a reporting verb leads straight into the quote at ``s`` (chanting “U-S-A!”)."""
    vs = verbs.between(max(0, s - 25), s)
    if not vs or vs[-1].word in _NOT_SAYING:
        return False
    return text[vs[-1].end : s].strip() in ("", ",", ":")


def _said_after(text: str, verbs: VerbIndex, s: int, e: int) -> bool:
    """Whether the quote ``text[s:e]`` ends a clause inside its marks and a reporting
    verb follows within three words (“Here comes Big Daddy,” she said)."""
    if text[e - 2 : e - 1] not in (",", "?", "!") or e - s < 4:
        return False
    vs = verbs.between(e, min(len(text), e + 40))
    if not vs:
        return False
    between = text[e : vs[0].start]
    return len(between.split()) <= 3 and "\n" not in between


def _interrupted(text: str, verbs: VerbIndex, prev: Quote, q: Quote) -> bool:
    """Whether ``q`` continues ``prev`` after its attribution: “A,” she said, “b.”

    One utterance split by its source is one quotation with one speaker.
    """
    if prev.speaker is None or q.speaker not in (None, prev.speaker):
        return False
    gap = text[prev.end : q.start]
    if "\n" in gap or len(gap.split()) > _MAX_GAP_WORDS:
        return False
    # the first part ends a clause inside its marks (“A,” / “A.”) and the gap ends
    # one too (said, / said. / said:); "called it “x” and called for “y”" is two quotes
    first_end = text[prev.end - 2 : prev.end - 1]
    if first_end not in (",", ".", "?", "!", "…", "-", "—"):
        return False
    gap_end = gap.rstrip()[-1:]
    if gap_end not in (",", ".", ":"):
        return False
    if first_end in (".", "?", "!") and gap_end != ".":
        return False  # “A.” To which she said, “B.”: the gap introduces the next quote
    # one reporting verb: “A,” she said, adding later, “b.” is two quotations
    return len(verbs.between(prev.end, q.start)) == 1
