"""``Library.reanalyze`` in a child process, for an app that must stay responsive.

Analysis is pure Python: run in a thread of the app's process, it shares one
interpreter lock with the thread that draws the screen. Measured on a 2-core
machine shared with other work, 1,000 articles re-analysed while a reader
pressed a key every 50 ms: in a thread, a key reached the screen in 35-42 ms
(median, 98-158 ms at the 95th percentile) and the run did 60-87 articles/s;
in a child process, 8 ms (54 ms) and 132 articles/s. Starting the child costs
a few tenths of a second, so small runs stay in the calling thread
(``CHILD_MIN``).

The child (``python -m store.reanalysis ROOT``) writes one JSON object per line
on its stdout: ``{"analysed": [ids]}``, ``{"progress": [done, total]}``, then
``{"done": n}`` or ``{"error": message}``. A line ``stop`` on its stdin, or the
end of its stdin (the parent went away), stops it after the article at hand;
each cache file is written atomically, so stopping never leaves a torn one.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from store import analysis_cache
from store.errors import StoreError

__all__ = ["CHILD_MIN", "reanalyze_in_child"]

CHILD_MIN = 100
"""Fewer stale articles than this are re-analysed in the calling thread."""

REPORT_EVERY = 0.1
"""Seconds between two progress lines of the child."""


def reanalyze_in_child(
    root: str | Path,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    analysed: Callable[[str], None] | None = None,
) -> int:
    """``Library(root).reanalyze()`` run by a child Python process, with the same
    callbacks (called in this thread; ``progress`` at most every tenth of a
    second, ``analysed`` in batches just before it). ``cancel()`` is asked
    whenever the child reports; once true the child stops after its current
    article. Returns how many articles the child analysed; a failure in the
    child is raised here as a StoreError with its one-line message."""
    analysis_cache.check_unchanged()
    env = dict(os.environ)
    # The child imports this very code, also from a checkout that is not installed.
    here = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH")) if p)
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(
            [sys.executable, "-m", "store.reanalysis", str(root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            env=env,
            text=True,
            encoding="utf-8",
        )
        count: int | None = None
        failure: str | None = None
        stopped = False
        try:
            assert proc.stdout is not None and proc.stdin is not None
            for line in proc.stdout:
                try:
                    message = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(message, dict):
                    continue
                if "analysed" in message and analysed is not None:
                    for article_id in message["analysed"]:
                        analysed(article_id)
                if "progress" in message and progress is not None:
                    progress(*message["progress"])
                if "done" in message:
                    count = int(message["done"])
                if "error" in message:
                    failure = str(message["error"])
                if not stopped and cancel is not None and cancel():
                    stopped = True
                    with contextlib.suppress(OSError):
                        proc.stdin.write("stop\n")
                        proc.stdin.flush()
            proc.wait()
        finally:
            if proc.poll() is None:
                # A callback raised: stop the child as it would stop for cancel.
                with contextlib.suppress(OSError):
                    proc.stdin.close()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            for pipe in (proc.stdin, proc.stdout):
                with contextlib.suppress(OSError):
                    if pipe is not None:
                        pipe.close()
        if failure is not None:
            raise StoreError(failure)
        if count is None:
            errors.seek(0)
            lines = errors.read().decode("utf-8", "replace").strip().splitlines()
            why = lines[-1] if lines else f"exit status {proc.returncode}"
            raise StoreError(f"the re-analysis process stopped: {why}")
        return count


def _child(root: str) -> int:
    """The child's side: re-analyse ``root``, report on stdout, stop when told."""
    from store.library import Library

    stop = threading.Event()

    def watch_stdin() -> None:
        for line in sys.stdin:
            if line.strip() == "stop":
                break
        stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    batch: list[str] = []
    last = [0.0]

    def send(message: dict) -> None:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    def flush() -> None:
        if batch:
            send({"analysed": list(batch)})
            batch.clear()

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or now - last[0] >= REPORT_EVERY:
            last[0] = now
            flush()
            send({"progress": [done, total]})

    try:
        count = Library(root, create=False).reanalyze(
            progress=progress, cancel=stop.is_set, analysed=batch.append
        )
    except StoreError as error:
        flush()
        send({"error": " ".join(str(error).split())})
        return 1
    flush()
    send({"done": count})
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(_child(sys.argv[1]))
    except BrokenPipeError:
        # The parent went away; what was analysed is cached already.
        raise SystemExit(1) from None
