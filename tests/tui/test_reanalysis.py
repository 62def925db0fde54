"""Pilot tests of the background re-analysis that follows a taught correction:
progress on the reader and the library screens, the search index fed in batches,
restarts, quitting mid-run, and the palette entry."""

from __future__ import annotations

import asyncio
import re
import threading
import time

import pytest

from analysis import Taught, relevant_rules
from store import Library, analysis_cache
from tests.tui.pilot import open_reader, settle
from tui.app import MarginApp
from tui.messages import LibraryChanged
from tui.screens.library import LibraryScreen
from tui.widgets.reanalysis_bar import ReanalysisBar

PROGRESS = re.compile(r"Re-analysing (\d+)/(\d+) articles…")


@pytest.fixture(autouse=True)
def fresh_code_watch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fingerprint the analysis code afresh for each test, and keep trusting it:
    an edit to the analysis code while the tests run rightly turns the cache
    off (tests/store/test_reanalysis.py checks that), which is not what these
    tests are about."""
    monkeypatch.setattr(analysis_cache, "_STARTED_NS", time.time_ns())
    analysis_cache.analysis_code.cache_clear()
    watch = analysis_cache.analysis_code()
    monkeypatch.setattr(watch, "usable", True)
    monkeypatch.setattr(watch, "unchanged", lambda: True)


class Gate:
    """Holds the re-analysis run before the article number ``at`` (1-based)
    until released, so that a test sees the run in the middle."""

    def __init__(self, library: Library, at: int = 2) -> None:
        self.real = library._reanalyze_one
        self.at = at
        self.calls = 0
        self.blocked = threading.Event()
        self.released = threading.Event()

    async def reached(self, pilot) -> None:
        """Wait until the run is held at the gate."""
        await asyncio.to_thread(self.blocked.wait, 30)
        notes = [n.message for n in pilot.app._notifications]
        assert self.blocked.is_set(), f"the run never reached the gate: {notes}"

    def __call__(self, article_id: str) -> bool:
        self.calls += 1
        if self.calls == self.at:
            self.blocked.set()
            self.released.wait(timeout=30)
        return self.real(article_id)


class FakeIndex:
    """Records what the app asks the search index to re-read."""

    def __init__(self) -> None:
        self.updated: list[str] = []

    def update_article(self, library: Library, article_id: str) -> None:
        self.updated.append(article_id)

    def remove_article(self, article_id: str) -> None:
        self.updated.append(article_id)


async def until(pilot, condition, tries: int = 200) -> None:
    """Let the app run until ``condition()`` holds (a bounded number of turns)."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause()
    assert condition()


# A name the seed article shares with a few other samples: a correction about it
# re-analyses only the articles that mention it.
NAME = "United States"


def mentioning(library: Library, name: str, but: str) -> list[str]:
    """The articles other than ``but`` that a rule about ``name`` reaches."""
    rule = [Taught("reject", name)]
    return [
        a.id for a in library.articles() if a.id != but and relevant_rules(library.text(a.id), rule)
    ]


def bar_text(screen) -> str | None:
    bar = screen.query_one(ReanalysisBar)
    if not bar.has_class("-running"):
        return None
    return bar.message


def test_teaching_reanalyses_the_library_with_progress_on_both_screens(
    library: Library, seed_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(library)
    monkeypatch.setattr(library, "_reanalyze_one", gate)
    others = mentioning(library, NAME, seed_id)
    assert len(others) >= 3
    index = FakeIndex()
    changed: list[LibraryChanged] = []
    loads: list[int] = []

    async def scenario(pilot, reader):
        app = pilot.app
        app.search_index = index
        real_post = app.post_message

        def post(message):
            if isinstance(message, LibraryChanged) and message.analysis_only:
                changed.append(message)
            return real_post(message)

        monkeypatch.setattr(app, "post_message", post)
        library_screen = next(s for s in app.screen_stack if isinstance(s, LibraryScreen))
        monkeypatch.setattr(library_screen, "load", lambda: loads.append(1))
        assert bar_text(reader) is None
        reader.teach(NAME, "reject", None, None)
        await gate.reached(pilot)
        await until(pilot, lambda: bar_text(reader) is not None)
        shown = bar_text(reader)
        done, total = map(int, PROGRESS.fullmatch(shown).groups())
        # The open article was analysed first; the run covers the others.
        assert (done, total) == (1, len(others))
        assert NAME not in {e.text for e in reader.analysis.entities}
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        assert bar_text(app.screen) == shown
        gate.released.set()
        await settle(pilot)
        assert bar_text(app.screen) is None
        assert app.reanalysis_progress is None
        assert any(n.message == f"Re-analysed {len(others)} articles." for n in app._notifications)

    open_reader(library, seed_id, scenario)
    assert library.stale_analyses() == []
    # Every re-analysed article reached the search index, in batches (the open
    # one from the reader), and the library list was not reloaded for them: it
    # shows no entity.
    batched = [aid for message in changed for aid in message.article_ids]
    assert sorted(batched) == sorted([seed_id, *others])
    assert len(changed) < len(others)
    assert set(others) <= set(index.updated)
    assert loads == []


def test_a_newer_correction_restarts_the_run(
    library: Library, seed_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(library)
    monkeypatch.setattr(library, "_reanalyze_one", gate)

    async def scenario(pilot, reader):
        app = pilot.app
        reader.teach(NAME, "reject", None, None)
        await gate.reached(pilot)
        first = next(w for w in app.workers if w.group == "reanalysis")
        reader.teach("American", "reject", None, None)
        await until(pilot, lambda: first.is_cancelled)
        gate.released.set()
        await settle(pilot)
        assert bar_text(reader) is None
        assert not any(w.is_running for w in app.workers)

    open_reader(library, seed_id, scenario)
    assert library.stale_analyses() == []
    names = {e.text for a in library.articles() for e in library.analysis(a.id).entities}
    assert not names & {NAME, "American"}


def test_quitting_mid_run_stops_it(
    library: Library, seed_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(library)
    monkeypatch.setattr(library, "_reanalyze_one", gate)
    seen: dict[str, object] = {}
    others = mentioning(library, NAME, seed_id)

    async def scenario(pilot, reader):
        app = pilot.app
        reader.teach(NAME, "reject", None, None)
        await gate.reached(pilot)
        worker = next(w for w in app.workers if w.group == "reanalysis")
        seen["worker"] = worker

        def release_once_cancelled() -> None:
            # The app cancels its workers as it shuts down, after exit() returns.
            for _ in range(3000):
                if worker.is_cancelled:
                    break
                time.sleep(0.01)
            gate.released.set()

        threading.Thread(target=release_once_cancelled, daemon=True).start()
        app.exit(0)

    open_reader(library, seed_id, scenario)
    worker = seen["worker"]
    assert worker.is_cancelled
    # The article being analysed was finished; the run went no further.
    assert gate.calls == 2
    assert len(library.stale_analyses()) == len(others) - 2


def test_palette_entry_reanalyses_what_another_process_taught(
    library: Library, seed_id: str
) -> None:
    app = MarginApp(library)

    async def main() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            library.reanalyze()
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"reanalyse", "space", *"the", "space", *"library")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("enter")
            await settle(pilot)
            assert "Every article's analysis is up to date." in [
                n.message for n in app._notifications
            ]
            Library(library.root).teach("reject", "Armenia")
            app.action_reanalyse()
            await settle(pilot)
            assert library.stale_analyses() == []

    asyncio.run(main())


def test_undoing_a_correction_brings_back_the_one_it_replaced(
    library: Library, seed_id: str
) -> None:
    first = library.teach("rename", "Ilham Aliyev", canonical="President Ilham Aliyev")

    def renames() -> list[tuple[str, str, str | None]]:
        return [(t.id, t.text, t.canonical) for t in library.taught() if t.action == "rename"]

    async def scenario(pilot, reader):
        reader.teach("Ilham Aliyev", "rename", None, "Aliyev the Younger")
        await settle(pilot)
        assert [r[2] for r in renames()] == ["Aliyev the Younger"]
        await pilot.press("u")
        await settle(pilot)
        assert renames() == [(first.id, "Ilham Aliyev", "President Ilham Aliyev")]
        await pilot.press("U")
        await settle(pilot)
        assert [r[2] for r in renames()] == ["Aliyev the Younger"]
        await pilot.press("u")
        await settle(pilot)
        assert renames() == [(first.id, "Ilham Aliyev", "President Ilham Aliyev")]

    open_reader(library, seed_id, scenario)
    canonicals = {e.canonical for e in library.analysis(seed_id).entities}
    assert "President Ilham Aliyev" in canonicals
    assert "Aliyev the Younger" not in canonicals
