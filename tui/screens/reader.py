"""The reader: the article beside its margin, and every annotation action."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from analysis.types import Analysis
from store.errors import StoreError
from store.models import Annotations, Article, Highlight
from tui.messages import LibraryChanged
from tui.screens.errors import report
from tui.screens.history import History, Step
from tui.widgets.annotation_panel import AnnotationPanel, Item
from tui.widgets.article_view import ArticleView, Span
from tui.widgets.reanalysis_bar import ReanalysisBar

EDGE_MARKS = " ,;:!?\"'“”‘’«»()[]{}–—"
"""Marks trimmed from both ends of a selection taught as an entity (a full
stop stays: 'U.S.', 'Inc.')."""


def entity_spans(analysis: Analysis | None) -> list[Span]:
    """ArticleView spans for the analysis' entity mentions."""
    if analysis is None:
        return []
    return [Span(e.start, e.end, "entity", e.type, e) for e in analysis.entities]


def quote_spans(analysis: Analysis | None) -> list[Span]:
    """ArticleView spans for the analysis' quotes (labelled with their speakers)."""
    if analysis is None:
        return []
    return [Span(q.start, q.end, "quote", q.speaker or "", q) for q in analysis.quotes]


def highlight_spans(annotations: Annotations) -> list[Span]:
    """ArticleView spans for the highlights that are attached to the text."""
    return [
        Span(h.start, h.end, "highlight", h.id, h) for h in annotations.highlights if not h.orphan
    ]


class ReaderScreen(Screen):
    """One article: read it, move through it, and annotate it."""

    BINDINGS = [
        Binding("h", "highlight", "Highlight", tooltip="Highlight the selection", id="highlight"),
        Binding(
            "n", "note", "Note", tooltip="Note on the selection, else on the article", id="note"
        ),
        Binding("t", "tag", "Tag", tooltip="Tag the article (several, comma separated)", id="tag"),
        Binding(
            "c",
            "correct",
            "Entity",
            tooltip="Correct the entity at the cursor, or add the selection as one",
            id="correct",
        ),
        Binding("u", "undo", "Undo", tooltip="Undo the last annotation action", id="undo"),
        Binding("U,ctrl+r", "redo", "Redo", tooltip="Redo what was undone", id="redo"),
        Binding("x", "export", "Export", tooltip="Export this article as Markdown", id="export"),
        Binding(
            "tab",
            "switch_focus",
            "Panel",
            tooltip="Move between the article and the margin",
            show=False,
        ),
        Binding("q", "back", "Back", tooltip="Back to the library", id="back"),
    ]
    """Annotation keys (the ArticleView adds movement, selection and jumps)."""

    def __init__(self, article_id: str, offset: int | None = None, find: str | None = None) -> None:
        super().__init__()
        self.article_id = article_id
        self.start_offset = offset
        self.find = find
        self.article: Article | None = None
        self.text = ""
        self.analysis: Analysis | None = None
        self.annotations = Annotations(article_id)
        self.history = History()
        self._saved_position: int | None = None
        self._cursor = 0  # kept here too: the view is gone by the time the screen unmounts

    def compose(self) -> ComposeResult:
        with Vertical(id="reader"):
            yield Static("", id="article-title")
            with Horizontal(id="reader-body"):
                yield ArticleView(id="article")
                yield AnnotationPanel(id="panel")
            yield ReanalysisBar()
            yield Static("", id="status")
        yield Footer()

    @property
    def view(self) -> ArticleView:
        return self.query_one("#article", ArticleView)

    @property
    def panel(self) -> AnnotationPanel:
        return self.query_one("#panel", AnnotationPanel)

    @property
    def library(self) -> Any:
        return self.app.library

    # --- loading --------------------------------------------------------
    def on_mount(self) -> None:
        self.app.fit_footers()
        self.view.loading = True
        self.view.focus()
        self.load()

    @work(thread=True, exclusive=True, group="reader-load")
    def load(self) -> None:
        """Read the article and its annotations off the UI thread, show them, then
        fetch the analysis (which may have to be computed) and restyle."""
        try:
            article = self.library.get(self.article_id)
            text = self.library.text(article.id)
            annotations = self.library.annotations(article.id)
        except StoreError as error:
            self.app.call_from_thread(self._failed, error)
            return
        self.app.call_from_thread(self._loaded, article, text, annotations, None)
        try:
            analysis = self.library.analysis(article.id)
        except Exception as error:  # analysis is derived: read on without it
            self.app.call_from_thread(report, self, error, "analyse the article")
            return
        self.app.call_from_thread(self._analysed, analysis)

    def _failed(self, error: StoreError) -> None:
        report(self, error, "open the article")
        self.dismiss() if self.is_modal else self.app.pop_screen()

    def _loaded(
        self, article: Article, text: str, annotations: Annotations, analysis: Analysis | None
    ) -> None:
        self.article, self.text, self.annotations, self.analysis = (
            article,
            text,
            annotations,
            analysis,
        )
        self.article_id = article.id
        position = self.start_offset
        if position is None and self.find:
            found = text.find(self.find)
            position = found if found >= 0 else text.casefold().find(self.find.casefold())
        if position is None or position < 0:
            position = annotations.position
        self._saved_position = annotations.position
        self.view.load(
            text,
            blocks=analysis.blocks if analysis else (),
            entities=entity_spans(analysis),
            quotes=quote_spans(analysis),
            highlights=highlight_spans(annotations),
            position=position or 0,
        )
        self.view.loading = False
        self._cursor = self.view.cursor
        self.panel.show(annotations, analysis, text)
        self._show_title()
        self._show_status()

    def _show_title(self) -> None:
        if self.article is None:
            return
        title = Text(self.article.title, style="bold")
        site = self.article.site or ""
        if site:
            title.append(f"  {site}", style="dim")
        if self.annotations.tags:
            title.append("  " + " ".join(f"#{t}" for t in self.annotations.tags), style="italic")
        self.query_one("#article-title", Static).update(title)

    # --- status line ----------------------------------------------------
    @on(ArticleView.CursorMoved)
    def _cursor_moved(self, event: ArticleView.CursorMoved) -> None:
        self._cursor = event.offset
        self._show_status()

    def _show_status(self) -> None:
        view = self.view
        status = Text()
        selection = view.selection
        found = view.spans_at()
        if selection is not None:
            status.append(f"Selected {selection[1] - selection[0]} characters", style="bold")
            status.append("  h highlight · n note · c entity · escape clears", style="dim")
        elif found["quote"]:
            quote = found["quote"][0]
            speaker = quote.label or "unknown speaker"
            confidence = getattr(quote.ref, "confidence", 0.0)
            status.append("Quote · ", style="dim")
            status.append(speaker, style="bold")
            if quote.label:
                status.append(f"  ({confidence:.0%} sure)", style="dim")
        if found["entity"] and selection is None:
            entity = found["entity"][0]
            canonical = getattr(entity.ref, "canonical", "")
            if status:
                status.append("  ·  ")
            status.append(f"{entity.label} ", style="dim")
            status.append(canonical or view.text[entity.start : entity.end], style="bold")
            status.append("  c corrects it", style="dim")
        if found["highlight"] and selection is None:
            highlight = found["highlight"][0].ref
            if status:
                status.append("  ·  ")
            status.append("Highlight", style="bold")
            if isinstance(highlight, Highlight) and highlight.note:
                status.append(f": {' '.join(highlight.note.split())[:60]}", style="italic")
        if not status and view.text:
            status.append(f"{view.cursor * 100 // max(1, len(view.text))}%", style="dim")
        self.query_one("#status", Static).update(status)

    # --- annotation actions ---------------------------------------------
    def _attempt(self, action: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except StoreError as error:
            report(self, error, action)
            return None

    def _record(self, label: str, undo: Callable[[], None], redo: Callable[[], None]) -> None:
        self.history.push(Step(label, undo, redo))
        self.refresh_bindings()

    def refresh_annotations(self) -> None:
        """Re-read the annotations and restyle what changed."""
        annotations = self._attempt(
            "read the annotations", lambda: self.library.annotations(self.article_id)
        )
        if annotations is None:
            return
        self.annotations = annotations
        self.view.set_spans(highlights=highlight_spans(annotations))
        self.panel.show(annotations, self.analysis, self.text)
        self._show_title()
        self._show_status()
        self.app.post_message(LibraryChanged((self.article_id,)))

    def _highlight_at_selection(self) -> Highlight | None:
        selection = self.view.selection
        for highlight in self.annotations.highlights:
            if selection and (highlight.start, highlight.end) == selection and not highlight.orphan:
                return highlight
        return None

    def action_highlight(self) -> None:
        selection = self.view.selection
        if selection is None:
            self.notify("Press v to start a selection, move, then h to highlight it.")
            return
        if self._highlight_at_selection() is not None:
            self.notify("That passage is already highlighted.")
            return
        start, end = selection
        article_id = self.article_id
        created = self._attempt(
            "save the highlight", lambda: self.library.add_highlight(article_id, start, end)
        )
        if created is None:
            return
        box = {"id": created.id}

        def undo() -> None:
            self.library.delete_highlight(article_id, box["id"])

        def redo() -> None:
            box["id"] = self.library.add_highlight(article_id, start, end).id

        self._record("highlight", undo, redo)
        self.view.clear_selection()
        self.refresh_annotations()
        self.notify("Highlighted. n adds a note to it.", timeout=3)

    def action_note(self) -> None:
        from tui.dialogs.note import NoteDialog

        selection = self.view.selection
        existing = self._highlight_at_selection()
        article_id = self.article_id
        if selection is None:

            def save(text: str) -> None:
                note = self.library.add_note(article_id, text)
                box = {"id": note.id}

                def undo() -> None:
                    self.library.delete_note(article_id, box["id"])

                def redo() -> None:
                    box["id"] = self.library.add_note(article_id, text).id

                self._record("note", undo, redo)

            title, initial = "Note on the article", ""
        else:
            start, end = selection

            def save(text: str) -> None:
                if existing is None:
                    created = self.library.add_highlight(article_id, start, end, note=text)
                    box = {"id": created.id}

                    def undo() -> None:
                        self.library.delete_highlight(article_id, box["id"])

                    def redo() -> None:
                        box["id"] = self.library.add_highlight(article_id, start, end, note=text).id

                else:
                    previous = existing.note

                    def undo() -> None:
                        self.library.update_highlight(article_id, existing.id, note=previous)

                    def redo() -> None:
                        self.library.update_highlight(article_id, existing.id, note=text)

                    redo()
                self._record("note", undo, redo)

            title = f"Note on “{' '.join(self.text[start:end].split())[:50]}”"
            initial = existing.note if existing else ""

        def done(saved: str | None) -> None:
            if saved is not None:
                self.view.clear_selection()
                self.refresh_annotations()
                self.notify("Note saved.", timeout=3)

        self.app.push_screen(NoteDialog(save, title=title, text=initial), done)

    def action_tag(self) -> None:
        from tui.dialogs.tag import TagDialog

        known = self._attempt("read the tags", self._library_tags) or []

        def done(tags: list[str] | None) -> None:
            if tags:
                self.add_tags(tags)

        self.app.push_screen(TagDialog(known), done)

    def _library_tags(self) -> list[str]:
        tags: set[str] = set()
        for summary in self.library.summaries():
            tags.update(summary.tags)
        return sorted(tags, key=str.lower)

    def add_tags(self, tags: list[str]) -> None:
        """Tag the article (undoable)."""
        article_id = self.article_id
        before = set(self.annotations.tags)
        if self._attempt("save the tags", lambda: self.library.add_tags(article_id, tags)) is None:
            return
        after = self._attempt("read the tags", lambda: self.library.annotations(article_id))
        added = [t for t in (after.tags if after else tags) if t not in before]
        if added:
            self._record(
                "tag",
                lambda: self.library.remove_tags(article_id, added),
                lambda: self.library.add_tags(article_id, added),
            )
        self.refresh_annotations()
        self.notify(f"Tagged {', '.join(added)}" if added else "Already tagged.", timeout=3)

    @on(AnnotationPanel.Delete)
    def _delete(self, event: AnnotationPanel.Delete) -> None:
        self.delete_item(event.item)

    def delete_item(self, item: Item) -> None:
        """Delete a tag, note or highlight (undoable)."""
        article_id = self.article_id
        library = self.library
        if item.kind == "tag":
            tag = item.key
            if (
                self._attempt("remove the tag", lambda: library.remove_tags(article_id, [tag]))
                is None
            ):
                return
            self._record(
                "untag",
                lambda: library.add_tags(article_id, [tag]),
                lambda: library.remove_tags(article_id, [tag]),
            )
        elif item.kind == "note":
            note = next((n for n in self.annotations.notes if n.id == item.key), None)
            if note is None:
                return
            box = {"id": note.id}
            if (
                self._attempt("delete the note", lambda: library.delete_note(article_id, note.id))
                is None
            ):
                return

            def undo_note() -> None:
                box["id"] = library.add_note(article_id, note.text, note.highlight_id).id

            self._record(
                "delete note", undo_note, lambda: library.delete_note(article_id, box["id"])
            )
        elif item.kind == "highlight":
            hl = next((h for h in self.annotations.highlights if h.id == item.key), None)
            if hl is None:
                return
            box = {"id": hl.id}
            if (
                self._attempt(
                    "delete the highlight", lambda: library.delete_highlight(article_id, hl.id)
                )
                is None
            ):
                return

            def undo_highlight() -> None:
                box["id"] = library.add_highlight(article_id, hl.start, hl.end, hl.note, hl.tags).id

            self._record(
                "delete highlight",
                undo_highlight,
                lambda: library.delete_highlight(article_id, box["id"]),
            )
        else:
            return
        self.refresh_annotations()
        self.notify(f"Deleted the {item.kind}. u undoes it.", timeout=3)

    def action_undo(self) -> None:
        self._step(self.history.undo, "Undid", "Nothing to undo.")

    def action_redo(self) -> None:
        self._step(self.history.redo, "Redid", "Nothing to redo.")

    def _step(self, fn: Callable[[], Step | None], verb: str, empty: str) -> None:
        try:
            step = fn()
        except StoreError as error:
            report(self, error, verb.lower().replace("did", "do"))
            return
        if step is None:
            self.notify(empty, severity="warning", timeout=2)
            return
        if step.label.startswith("entity"):
            self.reanalyse()
        self.refresh_annotations()
        self.notify(f"{verb} {step.label}.", timeout=2)

    # --- entity corrections ---------------------------------------------
    def action_correct(self) -> None:
        from tui.dialogs.entity import EntityDialog

        view = self.view
        selection = view.selection
        if selection is not None:
            # A selection made by keys easily takes the comma or quote mark next
            # to a name; taught with it, the name would be found only beside it.
            text = " ".join(view.text[selection[0] : selection[1]].split()).strip(EDGE_MARKS)
            if not text:
                self.notify("The selection is empty: select the words of the entity.")
                return
            dialog = EntityDialog(text)
        else:
            found = view.spans_at()["entity"]
            if not found:
                self.notify("Put the cursor on an entity, or select text to add one.")
                return
            entity = found[0].ref
            text = view.text[found[0].start : found[0].end]
            dialog = EntityDialog(text, type=entity.type, canonical=entity.canonical)

        def done(result: tuple[str, str | None, str | None] | None) -> None:
            if result is not None:
                self.teach(text, *result)

        self.app.push_screen(dialog, done)

    def teach(self, text: str, action: str, type: str | None, canonical: str | None) -> None:
        """Teach the library a correction (applied to every article) and re-render."""
        library = self.library

        def save() -> tuple[Any, list[Any]]:
            # A correction replaces the earlier ones about the same text that it
            # contradicts; undo brings those back.
            before = library.taught()
            taught = library.teach(action, text, type, canonical)
            kept = {t.id for t in library.taught()}
            return taught, [t for t in before if t.id not in kept and t.id != taught.id]

        try:
            saved = self._attempt("save the correction", save)
        except ValueError as error:  # the library refuses an empty or untyped entity
            self.notify(f"Not taught: {error}.", severity="warning")
            return
        if saved is None:
            return
        taught, replaced = saved
        box = {"id": taught.id, "replaced": replaced}

        def undo() -> None:
            library.forget(box["id"])
            for entity in box["replaced"]:
                library.add_taught_entity(entity)

        def redo() -> None:
            again, box["replaced"] = save()
            box["id"] = again.id

        self._record(f"entity {action}", undo, redo)
        self.view.clear_selection()
        self.reanalyse()
        self.notify(f"Taught: {action} “{text}”. It applies to every article.", timeout=4)

    @work(thread=True, exclusive=True, group="reader-analyse")
    def reanalyse(self) -> None:
        """Fetch the analysis again (after a taught entity) and restyle; then the
        rest of the library is re-analysed in the background."""
        try:
            analysis = self.library.analysis(self.article_id)
        except Exception as error:
            self.app.call_from_thread(report, self, error, "analyse the article")
        else:
            self.app.call_from_thread(self._analysed, analysis, True)
        # The open article first, so that it is restyled without waiting.
        self.app.call_from_thread(self.app.start_reanalysis)

    def _analysed(self, analysis: Analysis, changed: bool = False) -> None:
        first = self.analysis is None
        self.analysis = analysis
        if first:
            self.view.set_blocks(analysis.blocks)
        self.view.set_spans(entities=entity_spans(analysis), quotes=quote_spans(analysis))
        self.panel.show(self.annotations, analysis, self.text)
        self._show_status()
        if changed:
            self.app.post_message(LibraryChanged((self.article_id,), analysis_only=True))

    # --- navigation -----------------------------------------------------
    @on(AnnotationPanel.Jump)
    def _jump(self, event: AnnotationPanel.Jump) -> None:
        self.view.clear_selection()
        self.view.move_cursor(event.start, center=True)

    def action_switch_focus(self) -> None:
        if self.view.has_focus:
            self.panel.query_one("TabbedContent Tabs").focus()
        else:
            self.view.focus()

    def action_export(self) -> None:
        from tui.dialogs.export import ExportDialog

        self.app.push_screen(ExportDialog([self.article_id]))

    def save_position(self) -> None:
        """Remember where the reader is in this article."""
        position = self._cursor
        if self.article is None or position == self._saved_position:
            return
        try:
            self.library.set_position(self.article_id, position)
        except StoreError as error:
            report(self, error, "save the reading position")
            return
        self._saved_position = position

    def action_back(self) -> None:
        self.save_position()
        self.app.pop_screen()

    def on_unmount(self) -> None:
        self.save_position()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "undo":
            return True if self.history.can_undo else None
        if action == "redo":
            return True if self.history.can_redo else None
        return True
