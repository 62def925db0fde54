"""The ArticleView on its own: wrapping, offsets, spans, selection, safe display."""

from __future__ import annotations

import asyncio

from hypothesis import example, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from textual.app import App, ComposeResult

from tui.widgets.article_view import ArticleView, Span, display_safe, wrap_starts


@given(st.text(alphabet=st.sampled_from("ab cd\u4e2d "), max_size=300), st.integers(4, 60))
@settings(max_examples=150, deadline=None)
@example(" aaa\u4e2d", 4)  # a wide character ending a word that was already cut at a space
def test_wrapped_lines_cover_the_paragraph_and_fit(line: str, width: int):
    starts = wrap_starts(line, width)
    assert starts[0] == 0
    assert starts == sorted(set(starts))
    pieces = [line[a:b] for a, b in zip(starts, [*starts[1:], len(line)], strict=True)]
    assert "".join(pieces) == line
    for piece in pieces:
        assert cell_len(piece) <= width or len(piece) == 1


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_display_safe_keeps_length_and_drops_controls(text: str):
    shown = display_safe(text)
    assert len(shown) == len(text)
    assert not any(ord(c) < 32 and c != "\n" for c in shown)
    assert "\x1b" not in shown and "\x9b" not in shown


class ViewApp(App):
    def __init__(self, text: str, **spans) -> None:
        super().__init__()
        self.text = text
        self.spans = spans

    def compose(self) -> ComposeResult:
        yield ArticleView()

    def on_mount(self) -> None:
        view = self.query_one(ArticleView)
        view.load(self.text, **self.spans)
        view.focus()


def run_view(text: str, scenario, **spans) -> None:
    app = ViewApp(text, **spans)

    async def main() -> None:
        async with app.run_test(size=(60, 20)) as pilot:
            await pilot.pause()
            await scenario(pilot, app.query_one(ArticleView))

    asyncio.run(main())


def test_escape_sequences_never_reach_the_screen():
    text = "Title\n\nA \x1b[31mred\x1b[0m word and a bell\x07.\n"

    async def scenario(pilot, view):
        rendered = "".join(
            seg.text for y in range(view.line_count) for seg in view._render_text_line(y)
        )
        assert "\x1b" not in rendered and "\x07" not in rendered
        assert "\u241b[31m" in rendered

    run_view(text, scenario)


def test_offsets_round_trip_through_the_screen():
    text = ("word " * 200).strip() + "\n\nsecond paragraph here\n"

    async def scenario(pilot, view):
        for offset in range(0, len(text), 37):
            y = view.line_of(offset)
            x = view.column_of(offset) + 2
            assert view.offset_at(x, y) == offset

    run_view(text, scenario)


def test_restyle_redraws_only_the_lines_of_the_changed_span():
    text = "\n\n".join(f"Paragraph {i} " + "text " * 30 for i in range(50))

    async def scenario(pilot, view):
        view._cache.update({y: view._render_text_line(y) for y in range(view.line_count)})
        start = text.index("Paragraph 20")
        view.set_spans(highlights=[Span(start, start + 12, "highlight", "hl-1")])
        missing = [y for y in range(view.line_count) if y not in view._cache]
        assert missing == [view.line_of(start)]

    run_view(text, scenario)


def test_selection_extends_with_motion_and_mouse():
    text = "alpha beta gamma delta\nsecond line of text\n"

    async def scenario(pilot, view):
        view.move_cursor(6)
        await pilot.press("v", "right", "right", "right")
        assert view.selection == (6, 10)
        assert text[6:10] == "beta"
        await pilot.press("escape")
        assert view.selection is None
        await pilot.mouse_down(ArticleView, offset=(2 + 1, 0))
        await pilot.hover(ArticleView, offset=(2 + 5, 0))
        await pilot.mouse_up(ArticleView, offset=(2 + 5, 0))
        assert view.selection == (1, 6)  # from the pressed cell to the released one, inclusive

    run_view(text, scenario)


def test_spans_at_reports_nested_layers():
    text = "He said “Ilham Aliyev came”, they noted.\n"
    quote = Span(8, 27, "quote", "Zaur Mammadov")
    entity = Span(9, 21, "entity", "PERSON")

    async def scenario(pilot, view):
        found = view.spans_at(10)
        assert found["quote"] == [quote] and found["entity"] == [entity]
        assert view.spans_at(2) == {"entity": [], "quote": [], "highlight": []}

    run_view(text, scenario, quotes=[quote], entities=[entity])


def test_copy_puts_the_stored_text_of_the_selection_on_the_clipboard():
    text = "alpha beta\x1b[31m gamma\n"

    async def scenario(pilot, view):
        view.select(6, 15)
        await pilot.press("y")
        assert pilot.app.clipboard == text[6:15]

    run_view(text, scenario)
