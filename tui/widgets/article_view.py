"""ArticleView: one long article on Textual's Line API.

Paragraphs are wrapped once per width into a flat table of visual lines; a Strip is
rendered per line on demand and cached. Styling comes from sorted span layers
(blocks, quotes, entities, highlights, selection, cursor) looked up with bisect, so a
restyle only drops the cached lines a changed span touches.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from rich.cells import cell_len, get_character_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.color import Color, ColorParseError
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from analysis.sanitize import display_safe as _display_safe

GUTTER = 2
MAX_MEASURE = 100


def display_safe(text: str) -> str:
    """``analysis.sanitize.display_safe`` plus tabs as spaces: same length, one cell each."""
    return _display_safe(text).replace("\t", " ")


class Span(NamedTuple):
    """A styled range of the text: ``kind`` is entity, quote or highlight."""

    start: int
    end: int
    kind: str
    label: str  # entity type, speaker, or highlight id
    ref: object = None  # the analysis or store object behind the span


class _Layer:
    """Spans of one kind sorted by start, with a running max of ends for overlap queries."""

    __slots__ = ("spans", "starts", "max_end")

    def __init__(self, spans: Iterable[Span]) -> None:
        self.spans: list[Span] = sorted(spans, key=lambda s: (s.start, s.end))
        self.starts = [s.start for s in self.spans]
        self.max_end: list[int] = []
        running = -1
        for span in self.spans:
            running = max(running, span.end)
            self.max_end.append(running)

    def overlapping(self, start: int, end: int) -> list[Span]:
        """Spans intersecting ``[start, end)`` (an empty range matches spans containing it)."""
        found: list[Span] = []
        i = (
            bisect_left(self.starts, end) - 1
            if end > start
            else bisect_right(self.starts, start) - 1
        )
        while i >= 0 and self.max_end[i] > start:
            span = self.spans[i]
            if span.end > start:
                found.append(span)
            i -= 1
        found.reverse()
        return found

    def at(self, offset: int) -> list[Span]:
        return self.overlapping(offset, offset + 1)

    def next_after(self, offset: int) -> Span | None:
        i = bisect_right(self.starts, offset)
        return self.spans[i] if i < len(self.spans) else None

    def previous_before(self, offset: int) -> Span | None:
        i = bisect_left(self.starts, offset) - 1
        return self.spans[i] if i >= 0 else None


def wrap_starts(line: str, width: int) -> list[int]:
    """Relative offsets where each visual line of ``line`` starts when wrapped at ``width`` cells."""
    width = max(1, width)
    n = len(line)
    if cell_len(line) == n:
        if n <= width:
            return [0]
        starts = [0]
        pos = 0
        while n - pos > width:
            cut = line.rfind(" ", pos, pos + width)
            cut = pos + width if cut <= pos else cut + 1
            starts.append(cut)
            pos = cut
        return starts
    # Wide or zero-width characters: measure cell by cell.
    starts = [0]
    used = 0
    last_space = -1
    pos = 0
    for i, char in enumerate(line):
        w = get_character_cell_size(char)
        if used + w > width and i > pos:
            cut = last_space + 1 if last_space >= pos else i
            starts.append(cut)
            used = cell_len(line[cut:i])
            pos = cut
            last_space = -1
            if used + w > width and i > pos:
                # The word since the space is itself too long with this character.
                starts.append(i)
                used = 0
                pos = i
        used += w
        if char == " ":
            last_space = i
    return starts


def _parse_color(raw: str, fallback: Color) -> Color:
    """A theme variable as a Color: "#rrggbb", "ansi_blue", or either with " N%" opacity
    (the ANSI themes write "ansi_default 50%", which Color.parse rejects)."""
    try:
        return Color.parse(raw)
    except ColorParseError:
        pass
    name, _, alpha = raw.rpartition(" ")
    try:
        value = Color.parse(name)
        if value.ansi is not None:
            return value
        return value.with_alpha(float(alpha.rstrip("%")) / 100)
    except (ColorParseError, ValueError):
        return fallback


@dataclass(frozen=True)
class Palette:
    """Rich styles for every layer, derived from the app theme's variables."""

    base: Style
    kinds: dict[str, Style]
    entity: dict[str, Style]
    quote: Style
    highlight: Style
    selection: Style
    cursor: Style
    gutter_quote: Style
    gutter_highlight: Style

    @classmethod
    def from_variables(cls, variables: dict[str, str]) -> Palette:
        background = Color.parse(variables.get("background", "#000000")).with_alpha(1.0)

        foreground = Color.parse(variables.get("foreground", "#e0e0e0"))

        def color(name: str) -> Color:
            raw = variables.get(name, "auto 87%").strip()
            if raw.startswith("auto"):
                # "auto N%": the readable foreground at N% over the background.
                value = foreground.with_alpha(float(raw[4:].strip(" %") or 100) / 100)
            else:
                value = _parse_color(raw, foreground)
            if value.ansi is not None:
                # A terminal palette colour has no RGB to blend: use it as it is.
                return value
            return background.blend(value, value.a).with_alpha(1.0) if value.a < 1 else value

        def fg(name: str, **extra: bool) -> Style:
            return Style(color=color(name).rich_color, **extra)

        def bg(name: str) -> Style:
            return Style(bgcolor=color(name).rich_color)

        return cls(
            base=fg("foreground"),
            kinds={
                "title": fg("text-primary", bold=True, underline=True),
                "heading": fg("text-primary", bold=True),
                "noise": fg("text-disabled", italic=True),
                "paragraph": Style(),
            },
            entity={
                "PERSON": fg("text-accent", bold=True),
                "ORG": fg("text-primary", bold=True),
                "PLACE": fg("text-success", bold=True),
                "MISC": fg("text-secondary", bold=True),
            },
            quote=fg("text-secondary", italic=True),
            highlight=bg("warning-muted"),
            selection=bg("primary-muted"),
            cursor=Style(reverse=True),
            gutter_quote=fg("secondary"),
            gutter_highlight=fg("warning"),
        )


class ArticleView(ScrollView, can_focus=True):
    """The article, wrapped to the view, with a text cursor and a keyboard selection.

    Offsets are indices into the stored text; what is drawn is ``display_safe(text)``.
    """

    ALLOW_SELECT = False  # selection is ours (keyboard and mouse), offsets into the text

    BINDINGS: list[BindingType] = [
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("left", "cursor_left", "Left", show=False),
        Binding("right", "cursor_right", "Right", show=False),
        Binding("space,pagedown", "page_down", "Page", show=False),
        Binding("b,pageup", "page_up", "Page up", show=False),
        Binding("home,g", "cursor_home", "Top", show=False),
        Binding("end,G", "cursor_end", "Bottom", show=False),
        Binding("v", "toggle_selection", "Select", tooltip="Start or end a selection"),
        Binding("escape", "clear_selection", "Clear selection", show=False),
        Binding("y,ctrl+c", "copy", "Copy", tooltip="Copy the selection", show=False),
        Binding("right_square_bracket", "next_highlight", "Next highlight", show=False),
        Binding("left_square_bracket", "previous_highlight", "Prev highlight", show=False),
        Binding("e", "next_entity", "Next entity", show=False),
        Binding("E", "previous_entity", "Prev entity", show=False),
        Binding("quotation_mark", "next_quote", "Next quote", show=False),
    ]
    """Cursor, page, selection and jump keys (the key contract in DESIGN.md)."""

    DEFAULT_CSS = """
    ArticleView { background: $surface; scrollbar-gutter: stable; }
    """

    class CursorMoved(Message):
        """The cursor or the selection changed."""

        def __init__(self, view: ArticleView, offset: int) -> None:
            super().__init__()
            self.view = view
            self.offset = offset

        @property
        def control(self) -> ArticleView:
            return self.view

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.text = ""
        self._display = ""
        self._para_starts: list[int] = [0]
        self._para_ends: list[int] = [0]
        self._para_kind: list[str] = ["paragraph"]
        self._line_start: list[int] = [0]
        self._line_end: list[int] = [0]
        self._line_para: list[int] = [0]
        self._width = 0
        self._cache: dict[int, Strip] = {}
        self._style_cache: dict[tuple, Style] = {}
        self._palette: Palette | None = None
        self.entities = _Layer(())
        self.quotes = _Layer(())
        self.highlights = _Layer(())
        self.cursor = 0
        self.anchor: int | None = None
        self._goal_column: int | None = None
        self._dragging = False

    # --- content --------------------------------------------------------
    def load(
        self,
        text: str,
        *,
        blocks: Sequence = (),
        entities: Iterable[Span] = (),
        quotes: Iterable[Span] = (),
        highlights: Iterable[Span] = (),
        position: int = 0,
    ) -> None:
        """Show ``text`` with its spans; ``blocks`` are analysis Blocks (start, end, kind)."""
        self.text = text
        self._display = display_safe(text)
        starts: list[int] = []
        ends: list[int] = []
        pos = 0
        while True:
            nl = text.find("\n", pos)
            if nl < 0:
                starts.append(pos)
                ends.append(len(text))
                break
            starts.append(pos)
            ends.append(nl)
            pos = nl + 1
        self._para_starts, self._para_ends = starts, ends
        self._para_kind = self._kinds_for(blocks)
        self.entities = _Layer(entities)
        self.quotes = _Layer(quotes)
        self.highlights = _Layer(highlights)
        self.cursor = max(0, min(position, len(text)))
        self.anchor = None
        self._width = 0
        if self.size.width:
            self._rewrap()
            self.scroll_to_cursor(center=True, animate=False)

    def _kinds_for(self, blocks: Sequence) -> list[str]:
        kinds = ["paragraph"] * len(self._para_starts)
        ordered = sorted(blocks, key=lambda b: b.start)
        block_starts = [b.start for b in ordered]
        for p, start in enumerate(self._para_starts):
            i = bisect_right(block_starts, start) - 1
            if i >= 0 and ordered[i].end > start:
                kinds[p] = ordered[i].kind
        return kinds

    def set_blocks(self, blocks: Sequence) -> None:
        """Mark paragraphs as title, heading, paragraph or noise (restyles every line)."""
        self._para_kind = self._kinds_for(blocks)
        self._cache.clear()
        self.refresh()

    def set_spans(
        self,
        *,
        entities: Iterable[Span] | None = None,
        quotes: Iterable[Span] | None = None,
        highlights: Iterable[Span] | None = None,
    ) -> None:
        """Replace one or more span layers, redrawing only the lines whose spans changed."""
        changed: set[tuple[int, int]] = set()
        for name, spans in (("entities", entities), ("quotes", quotes), ("highlights", highlights)):
            if spans is None:
                continue
            old: _Layer = getattr(self, name)
            new = _Layer(spans)
            before = {(s.start, s.end, s.label) for s in old.spans}
            after = {(s.start, s.end, s.label) for s in new.spans}
            changed |= {(start, end) for start, end, _ in before ^ after}
            setattr(self, name, new)
        for start, end in changed:
            self._invalidate_range(start, end)

    # --- geometry -------------------------------------------------------
    @property
    def measure(self) -> int:
        """Cells available for text on one line."""
        return max(8, min(MAX_MEASURE, self.scrollable_content_region.width - GUTTER - 1))

    def _rewrap(self) -> None:
        width = self.measure
        self._width = width
        line_start: list[int] = []
        line_end: list[int] = []
        line_para: list[int] = []
        display = self._display
        for p, (start, end) in enumerate(zip(self._para_starts, self._para_ends, strict=True)):
            rel = wrap_starts(display[start:end], width)
            for i, r in enumerate(rel):
                line_start.append(start + r)
                line_end.append(start + rel[i + 1] if i + 1 < len(rel) else end)
                line_para.append(p)
        self._line_start, self._line_end, self._line_para = line_start, line_end, line_para
        self._cache.clear()
        self.virtual_size = Size(self.scrollable_content_region.width, len(line_start))
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        if self.measure != self._width:
            self._rewrap()
            self.scroll_to_cursor(center=False, animate=False)

    def on_mount(self) -> None:
        self.watch(self.app, "theme", self._theme_changed, init=False)

    def _theme_changed(self) -> None:
        self._palette = None
        self._style_cache.clear()
        self._cache.clear()
        self.refresh()

    @property
    def line_count(self) -> int:
        """Visual lines at the current width."""
        return len(self._line_start)

    def line_of(self, offset: int) -> int:
        """The visual line showing text ``offset``."""
        return max(0, bisect_right(self._line_start, offset) - 1)

    def _line_max(self, y: int) -> int:
        """Last cursor offset on line ``y`` (a paragraph's last line allows its end)."""
        end = self._line_end[y]
        last_of_para = y + 1 >= len(self._line_para) or self._line_para[y + 1] != self._line_para[y]
        return end if last_of_para else max(self._line_start[y], end - 1)

    def column_of(self, offset: int) -> int:
        y = self.line_of(offset)
        return cell_len(self._display[self._line_start[y] : offset])

    def offset_at(self, x: int, y: int) -> int:
        """Text offset under content cell (x, y) in virtual coordinates."""
        if not self._line_start:
            return 0
        y = max(0, min(y, len(self._line_start) - 1))
        start = self._line_start[y]
        limit = self._line_max(y)
        column = max(0, x - GUTTER)
        used = 0
        offset = start
        while offset < limit:
            w = get_character_cell_size(self._display[offset])
            if used + w > column:
                break
            used += w
            offset += 1
        return offset

    # --- rendering ------------------------------------------------------
    @property
    def palette(self) -> Palette:
        if self._palette is None:
            self._palette = Palette.from_variables(self.app.get_css_variables())
        return self._palette

    def _invalidate_range(self, start: int, end: int) -> None:
        if not self._line_start:
            return
        first = self.line_of(start)
        last = self.line_of(max(start, end - 1))
        for y in range(first, last + 1):
            self._cache.pop(y, None)
        self.refresh_lines(first, last - first + 1)

    def _invalidate_line_of(self, offset: int) -> None:
        self._invalidate_range(offset, offset + 1)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        strip = self._cache.get(index)
        if strip is None:
            if index >= len(self._line_start):
                strip = Strip.blank(width, self.rich_style)
            else:
                strip = self._render_text_line(index)
                self._cache[index] = strip
        style = self.rich_style
        return strip.crop_extend(scroll_x, scroll_x + width, style).apply_style(style)

    def _style(self, key: tuple) -> Style:
        style = self._style_cache.get(key)
        if style is None:
            kind, quote, etype, highlighted, selected, cursor = key
            pal = self.palette
            style = pal.base + pal.kinds.get(kind, Style())
            if quote:
                style += pal.quote
            if etype:
                style += pal.entity.get(etype, pal.entity["MISC"])
            if highlighted:
                style += pal.highlight
            if selected:
                style += pal.selection
            if cursor:
                style += pal.cursor
            self._style_cache[key] = style
        return style

    def _render_text_line(self, y: int) -> Strip:
        start, end = self._line_start[y], self._line_end[y]
        kind = self._para_kind[self._line_para[y]]
        quotes = self.quotes.overlapping(start, max(end, start + 1))
        entities = self.entities.overlapping(start, end) if end > start else []
        highlights = self.highlights.overlapping(start, max(end, start + 1))
        selection = self.selection
        show_cursor = start <= self.cursor <= self._line_max(y)
        bounds = {start, end}
        for layer in (quotes, entities, highlights):
            for span in layer:
                if start < span.start < end:
                    bounds.add(span.start)
                if start < span.end < end:
                    bounds.add(span.end)
        if selection is not None:
            for b in selection:
                if start < b < end:
                    bounds.add(b)
        if show_cursor and self.cursor < end:
            bounds.add(self.cursor)
            bounds.add(self.cursor + 1)
        cuts = sorted(b for b in bounds if start <= b <= end)
        pal = self.palette
        gutter_style = pal.base
        gutter_char = " "
        if highlights:
            gutter_char, gutter_style = "▌", pal.gutter_highlight
        elif quotes:
            gutter_char, gutter_style = "│", pal.gutter_quote
        segments = [Segment(gutter_char, gutter_style), Segment(" ", pal.base)]
        display = self._display
        for a, b in zip(cuts, cuts[1:], strict=False):
            if a >= b:
                continue
            key = (
                kind,
                any(q.start <= a < q.end for q in quotes),
                next((e.label for e in entities if e.start <= a < e.end), None),
                any(h.start <= a < h.end for h in highlights),
                selection is not None and selection[0] <= a < selection[1],
                show_cursor and a == self.cursor,
            )
            segments.append(Segment(display[a:b], self._style(key)))
        if show_cursor and self.cursor >= end:
            segments.append(Segment(" ", self._style((kind, False, None, False, False, True))))
        return Strip(segments)

    # --- cursor and selection -------------------------------------------
    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected ``[start, end)`` range, or None when nothing is selected."""
        if self.anchor is None:
            return None
        start, end = sorted((self.anchor, self.cursor))
        # Inclusive of the character under the cursor, as in vim's visual mode.
        return (start, min(end + 1, len(self.text))) if len(self.text) > start else None

    def move_cursor(self, offset: int, *, center: bool = False, keep_goal: bool = False) -> None:
        """Put the cursor at text ``offset`` (clamped), extending the selection when active."""
        offset = max(0, min(offset, len(self.text)))
        old_selection = self.selection
        old = self.cursor
        self.cursor = offset
        if not keep_goal:
            self._goal_column = None
        if self._line_start:
            if old_selection is not None or self.anchor is not None:
                lo = min(old, offset, self.anchor if self.anchor is not None else offset)
                hi = max(old, offset, self.anchor if self.anchor is not None else offset)
                self._invalidate_range(lo, hi + 1)
            else:
                self._invalidate_line_of(old)
                self._invalidate_line_of(offset)
            self.scroll_to_cursor(center=center, animate=False)
        self.post_message(self.CursorMoved(self, offset))

    def scroll_to_cursor(self, *, center: bool = False, animate: bool = False) -> None:
        """Scroll so the cursor line is visible (centred when asked)."""
        if not self._line_start:
            return
        y = self.line_of(self.cursor)
        height = self.scrollable_content_region.height or 1
        top = self.scroll_offset.y
        if center:
            self.scroll_to(y=max(0, y - height // 3), animate=animate, immediate=True)
        elif y < top:
            self.scroll_to(y=y, animate=animate, immediate=True)
        elif y >= top + height:
            self.scroll_to(y=y - height + 1, animate=animate, immediate=True)

    def select(self, start: int, end: int) -> None:
        """Select ``[start, end)`` and put the cursor on its last character."""
        self.clear_selection()
        self.anchor = max(0, min(start, len(self.text)))
        self.move_cursor(max(start, end - 1))

    def clear_selection(self) -> None:
        """Drop the selection, keeping the cursor."""
        selection = self.selection
        self.anchor = None
        if selection is not None:
            self._invalidate_range(selection[0], selection[1] + 1)
            self.post_message(self.CursorMoved(self, self.cursor))

    def _vertical(self, delta: int) -> None:
        if not self._line_start:
            return
        y = self.line_of(self.cursor)
        target = max(0, min(len(self._line_start) - 1, y + delta))
        if self._goal_column is None:
            self._goal_column = self.column_of(self.cursor)
        goal = self._goal_column
        self.move_cursor(self.offset_at(goal + GUTTER, target), keep_goal=True)

    def action_cursor_down(self) -> None:
        self._vertical(1)

    def action_cursor_up(self) -> None:
        self._vertical(-1)

    def action_cursor_left(self) -> None:
        self.move_cursor(self.cursor - 1)

    def action_cursor_right(self) -> None:
        self.move_cursor(self.cursor + 1)

    def action_page_down(self) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        self.scroll_to(y=self.scroll_offset.y + height, animate=False, immediate=True)
        self._vertical(height)

    def action_page_up(self) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        self.scroll_to(y=max(0, self.scroll_offset.y - height), animate=False, immediate=True)
        self._vertical(-height)

    def action_cursor_home(self) -> None:
        self.move_cursor(0)

    def action_cursor_end(self) -> None:
        self.move_cursor(len(self.text))

    def action_toggle_selection(self) -> None:
        """``v``: start a selection at the cursor, or end (keep) the current one."""
        if self.anchor is None:
            self.anchor = self.cursor
            self._invalidate_line_of(self.cursor)
            self.post_message(self.CursorMoved(self, self.cursor))
        else:
            self.notify("Selection kept: h highlights it, n notes it, c adds an entity")

    def action_clear_selection(self) -> None:
        self.clear_selection()

    def action_copy(self) -> None:
        """Copy the selected text (as stored, not as displayed) to the clipboard."""
        selection = self.selection
        if selection is None:
            self.notify("Nothing selected: v starts a selection, or drag with the mouse.")
            return
        self.app.copy_to_clipboard(self.text[selection[0] : selection[1]])
        self.notify(f"Copied {selection[1] - selection[0]} characters.", timeout=2)

    def _jump(self, span: Span | None, what: str) -> None:
        if span is None:
            self.notify(f"No {what}", severity="warning")
            return
        self.move_cursor(span.start, center=True)

    def _jump_forward(self, layer: _Layer, what: str) -> None:
        self._jump(layer.next_after(self.cursor) or (layer.spans[0] if layer.spans else None), what)

    def _jump_backward(self, layer: _Layer, what: str) -> None:
        prev = layer.previous_before(self.cursor)
        self._jump(prev or (layer.spans[-1] if layer.spans else None), what)

    def action_next_highlight(self) -> None:
        self._jump_forward(self.highlights, "highlights")

    def action_previous_highlight(self) -> None:
        self._jump_backward(self.highlights, "highlights")

    def action_next_entity(self) -> None:
        self._jump_forward(self.entities, "entities")

    def action_previous_entity(self) -> None:
        self._jump_backward(self.entities, "entities")

    def action_next_quote(self) -> None:
        self._jump_forward(self.quotes, "quotes")

    def spans_at(self, offset: int | None = None) -> dict[str, list[Span]]:
        """Entities, quotes and highlights at ``offset`` (default: the cursor)."""
        offset = self.cursor if offset is None else offset
        return {
            "entity": self.entities.at(offset),
            "quote": self.quotes.at(offset),
            "highlight": self.highlights.at(offset),
        }

    # --- mouse ----------------------------------------------------------
    def _mouse_offset(self, event: events.MouseEvent) -> int | None:
        point = event.get_content_offset(self)
        if point is None:
            return None
        return self.offset_at(point.x + self.scroll_offset.x, point.y + self.scroll_offset.y)

    async def on_mouse_down(self, event: events.MouseDown) -> None:
        offset = self._mouse_offset(event)
        if offset is None or event.button != 1:
            return
        self.focus()
        self.clear_selection()
        self.anchor = offset
        self._dragging = True
        self.capture_mouse()
        self.move_cursor(offset)

    async def on_mouse_move(self, event: events.MouseMove) -> None:
        if not self._dragging:
            return
        point = event.get_content_offset_capture(self)
        offset = self.offset_at(point.x + self.scroll_offset.x, point.y + self.scroll_offset.y)
        if offset != self.cursor:
            self.move_cursor(offset)

    async def on_mouse_up(self, event: events.MouseUp) -> None:
        if not self._dragging:
            return
        self._dragging = False
        self.release_mouse()
        if self.anchor == self.cursor:
            self.anchor = None
            self._invalidate_line_of(self.cursor)
            self.post_message(self.CursorMoved(self, self.cursor))
