"""ReanalysisBar: one line saying how far the background re-analysis has got."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar


class ReanalysisBar(Horizontal):
    """Says "Re-analysing 120/2,431 articles…" beside a bar; hidden while no run goes.

    Screens show one each; the app tells them the progress (``show_progress``),
    and a bar mounted mid-run starts from the app's ``reanalysis_progress``.
    """

    def compose(self) -> ComposeResult:
        yield Label("", classes="reanalysis-label")
        yield ProgressBar(total=1, show_eta=False, classes="reanalysis-progress")

    def on_mount(self) -> None:
        self.show_progress(getattr(self.app, "reanalysis_progress", None))

    def show_progress(self, progress: tuple[int, int] | None) -> None:
        """Show ``(done, total)``, or hide the bar when ``progress`` is None."""
        self.set_class(progress is not None, "-running")
        if progress is None:
            return
        done, total = progress
        self.query_one(Label).update(f"Re-analysing {done:,}/{total:,} articles…")
        self.query_one(ProgressBar).update(total=max(total, 1), progress=done)
