"""The TUI calls one Library from its worker threads and the UI thread at once."""

from __future__ import annotations

import threading

from store import Library


def test_threads_sharing_one_library_lose_nothing(tmp_path) -> None:
    lib = Library(tmp_path / "lib")
    article, _ = lib.add_article("Body of a test article. " * 20, title="T", source="t.txt")
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        try:
            for i in range(25):
                lib.add_note(article.id, f"{name}-{i}")
                lib.add_tags(article.id, [f"{name}{i % 3}"])
                lib.summaries()
        except BaseException as err:  # noqa: BLE001 - reported by the assertion below
            errors.append(err)

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    again = Library(tmp_path / "lib").annotations(article.id)
    assert {n.text for n in again.notes} == {f"w{n}-{i}" for n in range(4) for i in range(25)}
    assert set(again.tags) == {f"w{n}{k}" for n in range(4) for k in range(3)}
