"""Property-based tests: arbitrary Unicode survives a save, anchors survive edits."""

from __future__ import annotations

import tempfile

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from store.anchoring import Anchor, reanchor, selector
from store.library import Library, normalize_tags

texts = st.text(min_size=1, max_size=300).filter(lambda t: t.strip())


@settings(max_examples=40, deadline=None)
@given(
    text=texts,
    title=st.text(max_size=80),
    tags=st.lists(st.text(max_size=20), max_size=5),
    note=st.text(min_size=1, max_size=200).filter(lambda t: t.strip()),
    data=st.data(),
)
def test_article_and_annotations_round_trip(text, title, tags, note, data) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    with tempfile.TemporaryDirectory() as root:
        lib = Library(root)
        art, status = lib.add_article(text, title=title, source="prop", tags=tags)
        assert status == "added"
        hl = lib.add_highlight(art.id, start, end, note=note, tags=tags)
        n = lib.add_note(art.id, note, highlight_id=hl.id)
        reopened = Library(root)
        assert reopened.text(art.id) == text
        got = reopened.get(art.id)
        assert got == art
        if title.split() and len(" ".join(title.split())) <= 200:
            assert got.title == " ".join(title.split())
        ann = reopened.annotations(art.id)
        assert ann.tags == normalize_tags(tags)
        assert ann.notes == [n]
        (back,) = ann.highlights
        assert back == hl
        assert (back.start, back.end, back.exact) == (start, end, text[start:end])
        assert back.prefix == text[max(0, start - 32) : start]
        assert back.suffix == text[end : end + 32]
        summary = reopened.summaries()[0]
        assert (summary.highlights, summary.notes) == (1, 1)


@st.composite
def edited(draw):
    """A text, a span in it, and a new text with an insertion or deletion
    outside that span."""
    text = draw(st.text(min_size=2, max_size=200))
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    before = draw(st.booleans())
    if before:
        at = draw(st.integers(0, start))
        cut = draw(st.integers(0, start - at))
        insert = draw(st.text(max_size=40))
        new = text[:at] + insert + text[at + cut :]
        shift = len(insert) - cut
    else:
        at = draw(st.integers(end, len(text)))
        cut = draw(st.integers(0, len(text) - at))
        insert = draw(st.text(max_size=40))
        new = text[:at] + insert + text[at + cut :]
        shift = 0
    return text, start, end, new, start + shift


@settings(max_examples=300, deadline=None)
@given(edited())
def test_quote_reattaches_after_an_edit_elsewhere(case) -> None:
    text, start, end, new, expected = case
    old = selector(text, start, end)
    found = reanchor(new, old)
    assert found is not None
    assert new[found.start : found.end] == old.exact
    if new.count(old.exact) == 1:
        assert found.start == expected


@settings(max_examples=200, deadline=None)
@given(text=st.text(min_size=1, max_size=200), quote=st.text(min_size=1, max_size=30))
def test_missing_quote_is_an_orphan_or_a_close_match(text, quote) -> None:
    assume(quote not in text)
    found = reanchor(text, Anchor(0, len(quote), quote, "", ""))
    if found is not None:
        from rapidfuzz.fuzz import ratio

        assert len(quote) >= 16
        assert ratio(found.exact, quote) >= 80
        assert text[found.start : found.end] == found.exact


def test_same_words_at_the_old_offset_do_not_capture_the_highlight() -> None:
    old_text = "Aliyev met Biden today."
    old = selector(old_text, 11, 16)
    new_text = "Reporters: Biden says Aliyev met Biden today."
    assert new_text[11:16] == "Biden"
    found = reanchor(new_text, old)
    assert found is not None and found.start == new_text.rindex("Biden")
