"""Reader benchmark: the ArticleView on a long article, and time to the first frame.

- open: ``ArticleView.load`` of a synthetic W-word article with S spans (wrapping
  every paragraph, building the span layers), rendering the first screenful of
  lines and one turn of the event loop in which the app paints, inside a headless
  ``App.run_test`` at 120x40;
- restyle: adding one highlight (``set_spans``) and re-rendering the lines it drops
  from the cache (the widget's work; the compositor's copy to the terminal is not in it);
- key: one cursor-down (``action_cursor_down``) and re-rendering the lines it drops
  (likewise);
- first_frame: process start (the parent's clock before ``Popen``) to the first
  refresh of the app's library screen, headless, on a library of N articles (the
  list itself fills in from a worker after that frame; ``list`` is the time until
  it is filled); bare_textual: the same measurement for a one-Static Textual app.

Usage::

    python bench/reader.py                        # table, 100k words / 5,000 spans
    python bench/reader.py --words 100000 --spans 5000 --json
    python bench/reader.py --articles 10000 --runs 5

Figures are medians over --runs runs. The library of N articles is built once into
a temporary folder (or --library-dir, reused when it already holds N articles).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = (
    "the of and to in a is that for on with as was by said it from at his be have are "
    "government minister policy energy security region cooperation president visit talks "
    "agreement economic national international relations strategic development support"
).split()
NAMES = [
    ("PERSON", "Ilham Aliyev"),
    ("PERSON", "Donald Trump"),
    ("PERSON", "Nikol Pashinyan"),
    ("ORG", "European Union"),
    ("ORG", "Baku Political Scientists Club"),
    ("PLACE", "Azerbaijan"),
    ("PLACE", "Washington"),
    ("MISC", "Shusha Global Forum"),
]


def synthetic(words: int, spans: int, seed: int = 7):
    """A ``words``-word article in ~80-word paragraphs and ``spans`` spans over it."""
    from tui.widgets.article_view import Span

    rng = random.Random(seed)
    parts: list[str] = []
    count = 0
    while count < words:
        n = min(rng.randint(40, 120), words - count)
        parts.append(" ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + ".")
        count += n
    text = "\n\n".join(parts)
    # Spans on word boundaries, spread over the text: 60% entities, 10% quotes, 30% highlights.
    bounds = [i + 1 for i, c in enumerate(text) if c == " "]
    picks = sorted(rng.sample(bounds[:-10], min(spans, len(bounds) - 10)))
    entities, quotes, highlights = [], [], []
    for i, start in enumerate(picks):
        end = text.find(" ", start + 3)
        end = end if end > 0 else len(text)
        bucket = i % 10
        if bucket < 6:
            kind, name = NAMES[i % len(NAMES)]
            entities.append(Span(start, end, "entity", kind))
        elif bucket == 6:
            quotes.append(Span(start, min(len(text), end + 60), "quote", "Zaur Mammadov"))
        else:
            highlights.append(Span(start, end, "highlight", f"hl-{i}"))
    return text, entities, quotes, highlights


def measure_view(words: int, spans: int, runs: int) -> dict[str, float]:
    """open/restyle/key medians in milliseconds."""
    from textual.app import App, ComposeResult

    from tui.widgets.article_view import ArticleView, Span

    text, entities, quotes, highlights = synthetic(words, spans)

    class Bench(App):
        def compose(self) -> ComposeResult:
            yield ArticleView()

    def render_dropped(view: ArticleView) -> None:
        top = view.scroll_offset.y
        for y in range(view.scrollable_content_region.height):
            if top + y not in view._cache:
                view.render_line(y)

    opens, restyles, keys = [], [], []

    async def main() -> None:
        app = Bench()
        async with app.run_test(size=(120, 40)) as pilot:
            view = app.query_one(ArticleView)
            await pilot.pause()
            for run in range(runs):
                t = time.perf_counter()
                view.load(
                    text,
                    entities=entities,
                    quotes=quotes,
                    highlights=highlights,
                    position=len(text) // 2,
                )
                render_dropped(view)
                await pilot.pause()  # one turn of the event loop: the compositor paints
                opens.append(time.perf_counter() - t)
                render_dropped(view)
                extra = list(highlights)
                for i in range(5):
                    start = view.cursor + 2 + i * 7
                    extra = [*extra, Span(start, start + 5, "highlight", f"new-{run}-{i}")]
                    t = time.perf_counter()
                    view.set_spans(highlights=extra)
                    render_dropped(view)
                    restyles.append(time.perf_counter() - t)
                for _ in range(10):
                    t = time.perf_counter()
                    view.action_cursor_down()
                    render_dropped(view)
                    keys.append(time.perf_counter() - t)
                    await pilot.pause()

    asyncio.run(main())
    ms = 1000.0
    return {
        "open_ms": statistics.median(opens) * ms,
        "restyle_ms": statistics.median(restyles) * ms,
        "key_ms": statistics.median(keys) * ms,
    }


# What `margin --library DIR` does (tui.cli -> tui.app.run), headless at 120x40.
CHILD_MARGIN = """
import sys
from pathlib import Path
import tui.cli
from tui.app import MarginApp

MarginApp(root=Path(sys.argv[1])).run(headless=True, size=(120, 40))
"""

CHILD_BARE = """
import os
import time
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("hello")

    def on_mount(self):
        self.call_after_refresh(self._frame)

    def _frame(self):
        with open(os.environ["MARGIN_FIRST_FRAME"], "a") as marks:
            marks.write(f"frame {time.time()}\\n")
        self.exit()

Bare().run(headless=True, size=(120, 40))
"""


def time_child(code: str, *args: str) -> dict[str, float]:
    """Seconds from just before Popen to each mark the child writes (the app writes
    ``frame`` at the library screen's first refresh and ``list`` once it is filled,
    then exits, when MARGIN_FIRST_FRAME and MARGIN_EXIT_WHEN_LISTED are set)."""
    with tempfile.TemporaryDirectory() as tmp:
        marks_file = Path(tmp) / "marks"
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "MARGIN_FIRST_FRAME": str(marks_file),
            "MARGIN_EXIT_WHEN_LISTED": "1",
        }
        start = time.time()
        result = subprocess.run(
            [sys.executable, "-c", code, *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=300,
        )
        marks = {}
        if marks_file.exists():
            for line in marks_file.read_text().splitlines():
                name, _, stamp = line.partition(" ")
                marks.setdefault(name, float(stamp) - start)
    if "frame" not in marks:
        raise SystemExit(f"bench child failed: {result.stderr.strip()[-400:]}")
    return marks


def build_library(root: Path, articles: int) -> Path:
    """A library of ``articles`` short synthetic articles (reused when already built)."""
    from store import Library

    library = Library(root)
    have = len(library.articles())
    if have >= articles:
        return root
    rng = random.Random(11)
    batch = []
    for i in range(have, articles):
        body = " ".join(rng.choice(WORDS) for _ in range(300))
        kind, name = NAMES[i % len(NAMES)]
        batch.append(
            {
                "text": f"Article {i} on {name}\n\n{name} said {body}.\n",
                "title": f"Article {i} on {name}",
                "source": f"bench/{i}.txt",
                "tags": [kind.lower()],
            }
        )
        if len(batch) == 1000:
            library.add_articles(batch)
            batch = []
    if batch:
        library.add_articles(batch)
    return root


def measure_start(articles: int, runs: int, library_dir: Path | None) -> dict[str, float]:
    """first_frame/list/bare medians in milliseconds."""
    with tempfile.TemporaryDirectory() as tmp:
        root = build_library(library_dir or Path(tmp) / "library", articles)
        time_child(CHILD_BARE)  # warm the file cache for both
        time_child(CHILD_MARGIN, str(root))
        frames, lists, bare = [], [], []
        for _ in range(runs):
            marks = time_child(CHILD_MARGIN, str(root))
            frames.append(marks["frame"])
            lists.append(marks.get("list", float("nan")))
            bare.append(time_child(CHILD_BARE)["frame"])
    ms = 1000.0
    return {
        "first_frame_ms": statistics.median(frames) * ms,
        "list_ms": statistics.median(lists) * ms,
        "bare_textual_ms": statistics.median(bare) * ms,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=100_000)
    parser.add_argument("--spans", type=int, default=5_000)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--library-dir", type=Path, default=None)
    parser.add_argument("--json", action="store_true", help="one line of JSON")
    args = parser.parse_args()

    view = measure_view(args.words, args.spans, args.runs)
    start = measure_start(args.articles, args.runs, args.library_dir)
    result = {**view, **start}
    if args.json:
        keys = ("open_ms", "restyle_ms", "key_ms", "first_frame_ms", "bare_textual_ms")
        print(json.dumps({k: round(result[k], 2) for k in keys}))
        return 0
    ratio = result["first_frame_ms"] / result["bare_textual_ms"]
    rows = [
        (f"open ({args.words:,} words, {args.spans:,} spans)", result["open_ms"], "<= 300"),
        ("restyle after adding a highlight", result["restyle_ms"], "<= 10"),
        ("cursor key", result["key_ms"], "<= 16"),
        (
            f"first frame, {args.articles:,} articles",
            result["first_frame_ms"],
            f"{ratio:.2f}x bare",
        ),
        ("  list filled", result["list_ms"], ""),
        ("bare Textual first frame", result["bare_textual_ms"], ""),
    ]
    print(f"{'measure (median of ' + str(args.runs) + ')':<44}{'ms':>10}  target")
    for name, value, target in rows:
        print(f"{name:<44}{value:>10.1f}  {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
