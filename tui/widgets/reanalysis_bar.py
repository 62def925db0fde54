"""ReanalysisBar: one line saying how far the background re-analysis has got."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

BAR_CELLS = 30


class ReanalysisBar(Static):
    """Says "Re-analysing 120/2,431 articles…" beside a bar; hidden while no run goes.

    Screens show one each; the app tells them the progress (``show_progress``),
    and a bar mounted mid-run starts from the app's ``reanalysis_progress``.
    One line of text redrawn in place: Textual's ProgressBar and a Label
    re-laid out the screen on each of the ten updates a second, which made keys
    in the reader wait (measured while 1,000 articles were re-analysed: a key
    reached the screen in 26-47 ms, median of each run; 3-26 ms with this line).
    """

    COMPONENT_CLASSES = {"reanalysis-bar--label", "reanalysis-bar--done", "reanalysis-bar--todo"}
    """The words, and the filled and the empty part of the bar."""

    message = ""
    """What the bar says (empty while hidden)."""

    def on_mount(self) -> None:
        self.show_progress(getattr(self.app, "reanalysis_progress", None))

    def show_progress(self, progress: tuple[int, int] | None) -> None:
        """Show ``(done, total)``, or hide the bar when ``progress`` is None."""
        self.set_class(progress is not None, "-running")
        if progress is None:
            self.message = ""
            return
        done, total = progress
        filled = BAR_CELLS * done // total if total else BAR_CELLS
        self.message = f"Re-analysing {done:,}/{total:,} articles…"
        text = Text(self.message + "  ", self.get_component_rich_style("reanalysis-bar--label"))
        text.append("━" * filled, self.get_component_rich_style("reanalysis-bar--done"))
        text.append(
            "━" * (BAR_CELLS - filled), self.get_component_rich_style("reanalysis-bar--todo")
        )
        text.append(f"  {100 * done // max(total, 1)}%")
        # One line whose size never changes: no layout pass for the screen.
        self.update(text, layout=False)
