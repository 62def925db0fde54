"""Search the whole library as you type; Enter opens the article at the match."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from tui.messages import OpenArticle

KIND_LABEL = {
    "entity": "entity",
    "note": "note",
    "highlight": "highlight",
    "quote": "quote",
    "tag": "tag",
    "title": "title",
}


ARTICLES_SHOWN = 6
"""Articles listed under one hit; the entity page (ctrl+e) lists every one."""


class SearchScreen(ModalScreen[None]):
    """One query box over entities, notes, highlights, quotes, tags and titles."""

    BINDINGS = [
        Binding("escape", "close", "Close", tooltip="Back to where you were"),
        Binding("down", "focus_results", "Results", show=False),
        Binding(
            "ctrl+e",
            "entity_page",
            "Entity page",
            tooltip="Every article, mention, quote and note of the highlighted entity",
            priority=True,
        ),
    ]
    """Search keys: type, arrows to the results, Enter opens."""

    def __init__(self) -> None:
        super().__init__()
        self.hits: list = []
        self._targets: list[tuple[str, int | None, str]] = []
        self._hit_of: list[object] = []  # the hit behind each option

    def compose(self) -> ComposeResult:
        with Vertical(id="search-dialog", classes="dialog"):
            yield Label("Search the library", classes="dialog-title")
            yield Input(
                placeholder="A name (typos are fine), a phrase, tag:T type:PERSON speaker:S",
                id="search-input",
            )
            yield OptionList(id="search-results")
            yield Label("Building the index…", classes="dialog-hint", id="search-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.ensure_index()

    @work(thread=True, exclusive=True, group="search-build")
    def ensure_index(self) -> None:
        """Build the index once per app run, in the background."""
        try:
            from store.search import SearchIndex
        except ImportError:
            self.app.call_from_thread(self._hint, "Search is not available in this build.")
            return
        if self.app.search_index is None:
            try:
                self.app.search_index = SearchIndex.build(self.app.library)
            except Exception as error:
                self.app.call_from_thread(self._hint, f"Could not build the index: {error}")
                return
        self.app.call_from_thread(self._ready)

    def _hint(self, text: str) -> None:
        self.query_one("#search-hint", Label).update(text)

    def _ready(self) -> None:
        self._hint("Type to search · ↓ to the results · Enter opens · ctrl+e entity page")
        query = self.query_one(Input).value
        if query.strip():
            self.run_search(query)

    @on(Input.Changed, "#search-input")
    def _changed(self, event: Input.Changed) -> None:
        if self.app.search_index is not None:
            self.run_search(event.value)

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, query: str) -> None:
        """Query the index off the UI thread; only the latest query's results are shown."""
        worker = get_current_worker()
        try:
            hits = (
                self.app.search_index.search(query, scope="all", limit=50) if query.strip() else []
            )
        except ValueError as error:
            # A filter being typed ("type:P" on the way to "type:PERSON") is not an error
            # worth more than the hint line.
            if not worker.is_cancelled:
                self.app.call_from_thread(self._show, query, [], str(error))
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show, query, hits)

    def _show(self, query: str, hits: list, error: str | None = None) -> None:
        if query != self.query_one(Input).value:
            # A slower search for an earlier query: its results would replace newer ones.
            return
        results = self.query_one("#search-results", OptionList)
        results.clear_options()
        self.hits = hits
        self._targets = []
        self._hit_of = []
        options: list[Option] = []
        for hit in hits:
            articles = getattr(hit, "articles", []) or []
            start = getattr(hit, "start", None)
            article_id = getattr(hit, "article_id", None)
            kind = KIND_LABEL.get(hit.kind, hit.kind)
            head = Text.assemble((f"{kind:<9}", "dim"), (hit.text[:70], "bold"))
            if getattr(hit, "type", None):
                head.append(f"  {hit.type.lower()}", style="dim italic")
            if article_id and not articles:
                self._targets.append((article_id, start, hit.text))
                self._hit_of.append(hit)
                options.append(Option(head))
                continue
            for ref in articles[:ARTICLES_SHOWN]:
                line = head.copy()
                line.append(f"\n         {ref.title[:70]}", style="")
                if getattr(ref, "count", 0) > 1:
                    line.append(f"  ×{ref.count}", style="dim")
                self._targets.append((ref.id, start if article_id == ref.id else None, hit.text))
                self._hit_of.append(hit)
                options.append(Option(line))
            hidden = len(articles) - ARTICLES_SHOWN
            if hidden > 0:
                # Without this row a name in 300 articles looks like one in six.
                more = "article" if hidden == 1 else "articles"
                what = "ctrl+e lists them all" if hit.kind == "entity" else "refine the query"
                note = Text(f"         … and {hidden:,} more {more} · {what}", style="dim")
                self._targets.append((articles[ARTICLES_SHOWN].id, None, hit.text))
                self._hit_of.append(hit)
                options.append(Option(note, disabled=True))
        results.add_options(options)
        if error:
            self._hint(error)
            return
        self._hint(f"{len(hits)} results · Enter opens" if query.strip() else "Type to search")

    def action_focus_results(self) -> None:
        results = self.query_one("#search-results", OptionList)
        results.focus()
        if results.option_count and results.highlighted is None:
            results.highlighted = 0

    @on(Input.Submitted, "#search-input")
    def _submitted(self) -> None:
        if self._targets:
            self._open(0)

    @on(OptionList.OptionSelected, "#search-results")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._open(event.option_index)

    def _open(self, index: int) -> None:
        article_id, offset, text = self._targets[index]
        self.dismiss(None)
        self.app.post_message(OpenArticle(article_id, offset, find=text))

    def action_entity_page(self) -> None:
        results = self.query_one("#search-results", OptionList)
        index = results.highlighted if results.highlighted is not None else 0
        hits = self._hit_of[index:] + self._hit_of[:index]
        hit = next((h for h in hits if h.kind == "entity" and getattr(h, "key", None)), None)
        if hit is None or self.app.search_index is None:
            self.notify("No entity among the results.", severity="warning")
            return
        from store.errors import StoreError
        from tui.screens.entity_page import EntityPageScreen

        try:
            page = self.app.search_index.entity_page(hit.key)
        except StoreError as error:
            self.notify(str(error), severity="error")
            return
        self.app.push_screen(EntityPageScreen(page))

    def action_close(self) -> None:
        self.dismiss(None)
