"""One entity across the library: its articles, mentions, quotes and the user's notes."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from tui.messages import OpenArticle


def _context(text: str, start: int, end: int, width: int = 76) -> Text:
    """The mention with some words either side, the mention itself in bold."""
    side = max(10, (width - (end - start)) // 2)
    lo, hi = max(0, start - side), min(len(text), end + side)
    line = Text("…" if lo > 0 else "")
    line.append(text[lo:start].replace("\n", " "))
    line.append(text[start:end].replace("\n", " "), style="bold")
    line.append(text[end:hi].replace("\n", " "))
    if hi < len(text):
        line.append("…")
    return line


class EntityPageScreen(ModalScreen[None]):
    """Shows ``store.search``'s EntityPage; Enter opens the article at the item."""

    BINDINGS = [Binding("escape,q", "close", "Close", tooltip="Back to the search")]
    """Entity page keys."""

    def __init__(self, page) -> None:
        super().__init__()
        self.page = page
        self._targets: list[tuple[str, int | None] | None] = []

    def compose(self) -> ComposeResult:
        page = self.page
        with Vertical(id="entity-page", classes="dialog"):
            title = Text.assemble((page.name, "bold"), (f"  {page.type.lower()}", "dim italic"))
            yield Label(title, classes="dialog-title")
            aliases = [a for a in page.aliases if a != page.name]
            if aliases:
                yield Label("Also: " + ", ".join(aliases), classes="dialog-hint")
            yield OptionList(*self._options(), id="entity-page-list")
            yield Label("Enter opens the article there · escape closes", classes="dialog-hint")

    def _options(self) -> list[Option]:
        page = self.page
        library = self.app.library
        titles = {ref.id: ref.title for ref in page.articles}
        options: list[Option] = []

        def heading(text: str) -> None:
            options.append(Option(Text(text, style="bold underline"), disabled=True))
            self._targets.append(None)

        heading(f"Articles ({len(page.articles)})")
        for ref in page.articles:
            options.append(Option(Text.assemble(ref.title, (f"  ×{ref.count}", "dim"))))
            first = next((m.start for m in page.mentions if m.article_id == ref.id), None)
            self._targets.append((ref.id, first))
        heading(f"Mentions ({len(page.mentions)})")
        texts: dict[str, str] = {}
        for mention in page.mentions[:300]:
            if mention.article_id not in texts:
                try:
                    texts[mention.article_id] = library.text(mention.article_id)
                except Exception:
                    texts[mention.article_id] = ""
                title = titles.get(mention.article_id, mention.article_id)
                options.append(Option(Text(title, style="italic"), disabled=True))
                self._targets.append(None)
            line = Text("  ").append_text(
                _context(texts[mention.article_id], mention.start, mention.end)
            )
            options.append(Option(line))
            self._targets.append((mention.article_id, mention.start))
        for label, hits in (("Quotes", page.quotes), ("Notes and highlights", page.notes)):
            heading(f"{label} ({len(hits)})")
            for hit in hits:
                options.append(Option(Text(" ".join(hit.text.split())[:140])))
                self._targets.append((hit.article_id, hit.start) if hit.article_id else None)
        return options

    @on(OptionList.OptionSelected, "#entity-page-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        target = self._targets[event.option_index]
        if target is None:
            return
        article_id, offset = target
        self.app.pop_screen()  # this page
        if len(self.app.screen_stack) > 1 and self.app.screen.__class__.__name__ == "SearchScreen":
            self.app.pop_screen()
        self.app.post_message(OpenArticle(article_id, offset))

    def action_close(self) -> None:
        self.dismiss(None)
