"""Helpers the Pilot tests share: waiting for the app to settle, and running a
scenario with an article open in the reader."""

from __future__ import annotations

import asyncio

from store import Library
from tui.app import MarginApp
from tui.screens.reader import ReaderScreen


async def settle(pilot) -> None:
    """Wait until no worker runs (a worker may start another from its end)."""
    for _ in range(10):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in pilot.app.workers):
            break
    await pilot.pause()


def open_reader(
    library: Library, article_id: str, scenario, size: tuple[int, int] = (120, 40)
) -> MarginApp:
    """Run ``await scenario(pilot, reader)`` with ``article_id`` open in the reader;
    returns the app once it has exited."""
    app = MarginApp(library, open_article=article_id)

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, ReaderScreen)
            await scenario(pilot, app.screen)

    asyncio.run(main())
    return app
