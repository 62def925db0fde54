"""Text-quote anchors for highlights (the W3C TextQuoteSelector Hypothesis uses).

A highlight keeps its offsets plus ``exact`` (the highlighted text) and 32
characters of ``prefix`` and ``suffix``. When an article's text changes, the
highlight is re-attached by its quote; one that cannot be found is kept as an
orphan rather than dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

CONTEXT = 32
# Bounds the work on a quote that occurs very often (a single letter, say).
MAX_CANDIDATES = 2000
# A quote that is no longer verbatim in the text re-attaches only to a passage at
# least this similar (rapidfuzz 0..100), and only when it is long enough for the
# similarity to mean something.
FUZZY_CUTOFF = 90.0
FUZZY_MIN_LENGTH = 16


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a quote sits in a text."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


def selector(text: str, start: int, end: int) -> Anchor:
    """The anchor of ``text[start:end]``; ValueError when the offsets are outside it."""
    check_span(text, start, end)
    return Anchor(
        start,
        end,
        text[start:end],
        text[max(0, start - CONTEXT) : start],
        text[end : end + CONTEXT],
    )


def check_span(text: str, start: int, end: int) -> None:
    """Raise ValueError unless ``0 <= start < end <= len(text)`` with whole numbers."""
    for name, value in (("start", start), ("end", end)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"highlight {name} must be a whole number, not {value!r}")
    if not 0 <= start < end <= len(text):
        raise ValueError(
            f"highlight {start}..{end} is not a non-empty span inside the text (0..{len(text)})"
        )


def _occurrences(text: str, exact: str) -> list[int]:
    found = []
    pos = text.find(exact)
    while pos >= 0 and len(found) < MAX_CANDIDATES:
        found.append(pos)
        pos = text.find(exact, pos + 1)
    return found


def _context_score(text: str, pos: int, anchor: Anchor) -> float:
    from rapidfuzz.fuzz import ratio

    end = pos + len(anchor.exact)
    score = 0.0
    if anchor.prefix:
        before = text[max(0, pos - len(anchor.prefix)) : pos]
        score += ratio(before, anchor.prefix, processor=None)
    else:
        score += 100.0 if pos == 0 else 50.0
    if anchor.suffix:
        after = text[end : end + len(anchor.suffix)]
        score += ratio(after, anchor.suffix, processor=None)
    else:
        score += 100.0 if end == len(text) else 50.0
    return score


def _in_context(text: str, pos: int, anchor: Anchor) -> bool:
    end = pos + len(anchor.exact)
    return (
        text[max(0, pos - len(anchor.prefix)) : pos] == anchor.prefix
        and text[end : end + len(anchor.suffix)] == anchor.suffix
    )


def reanchor(text: str, anchor: Anchor) -> Anchor | None:
    """Find ``anchor``'s quote in a new version of the text, or None (an orphan).

    In order: the quote at its old offsets with its old context; the occurrence
    with its exact old context nearest the old offset; the occurrence whose
    context is most like the old context (ties go to the nearest); a
    near-verbatim passage for long quotes.
    """
    exact = anchor.exact
    if not exact:
        return None
    if text[anchor.start : anchor.end] == exact and _in_context(text, anchor.start, anchor):
        return selector(text, anchor.start, anchor.end)
    candidates = _occurrences(text, exact)
    if text[anchor.start : anchor.end] == exact and anchor.start not in candidates:
        candidates.append(anchor.start)  # beyond the cap on a very frequent quote
    if not candidates:
        return _fuzzy(text, anchor)
    in_context = [pos for pos in candidates if _in_context(text, pos, anchor)]
    if in_context:
        best = min(in_context, key=lambda pos: abs(pos - anchor.start))
    else:
        best = max(
            candidates,
            key=lambda pos: (_context_score(text, pos, anchor), -abs(pos - anchor.start)),
        )
    return selector(text, best, best + len(exact))


def _fuzzy(text: str, anchor: Anchor) -> Anchor | None:
    if not FUZZY_MIN_LENGTH <= len(anchor.exact) <= len(text):
        return None
    from rapidfuzz.fuzz import partial_ratio_alignment

    found = partial_ratio_alignment(anchor.exact, text, processor=None, score_cutoff=FUZZY_CUTOFF)
    if found is None or found.dest_end <= found.dest_start:
        return None
    return selector(text, found.dest_start, found.dest_end)
