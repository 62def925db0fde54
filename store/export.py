"""Markdown export of articles with their annotations, for Obsidian, Logseq and plain
CommonMark readers.

Output is deterministic: the same library gives byte-identical files (stable order
everywhere, no export timestamps), and re-exporting after an edit rewrites only the
files whose text changed.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

from store import export_logseq, export_obsidian, export_plain
from store.errors import StoreError
from store.export_markdown import ExportItem, obsidian_tag
from store.models import Article

__all__ = [
    "PROFILES",
    "ExportItem",
    "UnknownProfile",
    "export_article",
    "export_articles",
    "export_to_stream",
    "file_name",
    "obsidian_tag",
    "render",
]

PROFILES = ("obsidian", "logseq", "plain")

_RENDERERS = {
    "obsidian": export_obsidian.render,
    "logseq": export_logseq.render,
    "plain": export_plain.render,
}

SLUG_MAX_CHARS = 60
SLUG_MAX_BYTES = 120  # UTF-8; with the id and ".md" well under the usual 255-byte limit
SHORT_ID = 10


class UnknownProfile(StoreError):
    """The export profile is not one of PROFILES."""


def _renderer(profile: str) -> Callable[[ExportItem], str]:
    try:
        return _RENDERERS[profile]
    except KeyError:
        raise UnknownProfile(
            f"unknown export profile {profile!r}: use one of {', '.join(PROFILES)}"
        ) from None


def render(item: ExportItem, profile: str = "obsidian") -> str:
    """The Markdown of one article (already gathered into an ExportItem)."""
    return _renderer(profile)(item)


def _slug(title: str) -> str:
    # Letters and digits of any script survive (a Cyrillic title keeps its words);
    # apostrophes vanish so "Aliyev's" gives "aliyevs"; anything else is a separator.
    slug = ""
    for word in _words(title):
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > SLUG_MAX_CHARS or len(candidate.encode("utf-8")) > SLUG_MAX_BYTES:
            if not slug:  # one very long word: cut it
                slug = _cut(word)
            break
        slug = candidate
    return unicodedata.normalize("NFC", slug)


_ASCII_WORD = re.compile(r"[a-z0-9]+")


def _words(title: str) -> list[str]:
    if title.isascii():
        # What the general rule below gives for ASCII (NFKC and casefold change
        # nothing but case there), without a category look-up per character.
        return _ASCII_WORD.findall(title.lower().replace("'", "").replace("`", ""))
    return _unicode_words(title)


def _unicode_words(title: str) -> list[str]:
    title = unicodedata.normalize("NFKC", title).casefold()
    title = re.sub(r"['\u2019\u02bc`]", "", title)
    words = []
    current: list[str] = []
    for ch in title:
        if unicodedata.category(ch)[0] in "LN" or unicodedata.category(ch) in ("Mn", "Mc"):
            current.append(ch)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def _cut(word: str) -> str:
    out = word[:SLUG_MAX_CHARS]
    while len(out.encode("utf-8")) > SLUG_MAX_BYTES:
        out = out[:-1]
    # never end on a combining mark cut from its letter
    while out and unicodedata.category(out[-1]) in ("Mn", "Mc"):
        out = out[:-1]
    return out


def _short_id(article_id: str, length: int = SHORT_ID) -> str:
    clean = re.sub(r"[^A-Za-z0-9]", "", article_id).lower()
    return clean[:length] or "article"


def file_name(article: Article, id_length: int = SHORT_ID) -> str:
    """A stable, filesystem-safe file name: the title's slug and a short id, e.g.
    ``ilham-aliyevs-visit-to-white-house-a1b2c3d4e5.md``. Only letters, digits and
    dashes (any script), so it is valid on Windows, macOS and Linux; length-capped."""
    slug = _slug(article.title)
    short = _short_id(article.id, id_length)
    return f"{slug}-{short}.md" if slug else f"{short}.md"


def gather(library, article_id: str) -> ExportItem:
    """Collect what one article's export needs from the library (cached analysis)."""
    article, text, annotations, analysis = library.read_all(article_id)
    return ExportItem(article=article, text=text, annotations=annotations, analysis=analysis)


def export_article(library, article_id: str, profile: str = "obsidian") -> tuple[str, str]:
    """One article as ``(file name, markdown text)``."""
    renderer = _renderer(profile)
    item = gather(library, article_id)
    return file_name(item.article), renderer(item)


def _unique_names(articles: list[Article]) -> list[str]:
    """File names for ``articles``; where two collide (same slug, same short id) the
    id part grows until they differ, so no export overwrites another."""
    names = [file_name(a) for a in articles]
    length = SHORT_ID
    while len({n.casefold() for n in names}) < len(names) and length < 64:
        length *= 2
        counts: dict[str, int] = {}
        for n in names:
            counts[n.casefold()] = counts.get(n.casefold(), 0) + 1
        names = [
            file_name(a, length) if counts[n.casefold()] > 1 else n
            for a, n in zip(articles, names, strict=True)
        ]
    return names


def _resolve(library, ids: Iterable[str]) -> list[Article]:
    """The articles for ``ids`` (full ids or prefixes), each once, in the given order."""
    seen: dict[str, Article] = {}
    for i in ids:
        article = library.get(i)
        seen.setdefault(article.id, article)
    return list(seen.values())


def _write_if_changed(path: Path, data: bytes) -> None:
    """Atomically replace ``path`` with ``data`` unless it already holds exactly that
    (unchanged files keep their modification time, which sync tools rely on)."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return
    except OSError:
        pass
    # One temp name per file (not mkstemp's random one): each file has one writer, and
    # a temp left by a crash is simply overwritten next time.
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _encode(markdown: str) -> bytes:
    # a lone surrogate (possible in a title restored from JSON) cannot be UTF-8
    return markdown.encode("utf-8", errors="replace")


def export_one(
    library, article: Article, renderer: Callable[[ExportItem], str], path: Path
) -> None:
    """Render one article and write it to ``path`` (atomic; untouched if unchanged)."""
    data = _encode(renderer(gather(library, article.id)))
    try:
        _write_if_changed(path, data)
    except OSError as err:
        raise StoreError(f"{path}: cannot write ({err.strerror or err})") from None


def export_articles(
    library,
    ids: Iterable[str],
    profile: str = "obsidian",
    out_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = 1,
) -> list[Path]:
    """Write one Markdown file per article into ``out_dir`` (created if missing;
    default ``./margin-export``). Each write is atomic; a file that already holds
    exactly the new text is left untouched. ``progress(done, total)`` is called as
    files are written (an exception raised by it stops the export). Returns the
    paths in the order of ``ids`` (each article once).

    ``workers``: processes to share the export between (1, the default, starts
    none; None picks one per CPU, up to four, for 2,000 articles or more). Worth it
    when rendering, not file creation, is the bottleneck: see bench/export.py."""
    renderer = _renderer(profile)
    out = Path(out_dir) if out_dir is not None else Path.cwd() / "margin-export"
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StoreError(
            f"{out}: cannot create the export folder ({err.strerror or err})"
        ) from None
    articles = _resolve(library, ids)
    names = _unique_names(articles)
    paths = [out / name for name in names]
    total = len(articles)

    from store import export_parallel

    if workers is None:
        workers = export_parallel.auto_workers(library, total)
    if workers > 1 and export_parallel.can_share(library):
        export_parallel.export_in_processes(library, articles, paths, profile, progress, workers)
        return paths
    for done, (article, path) in enumerate(zip(articles, paths, strict=True), 1):
        export_one(library, article, renderer, path)
        if progress is not None:
            progress(done, total)
    return paths


def export_to_stream(library, ids: Iterable[str], profile: str, stream: TextIO) -> None:
    """Write the articles to one stream (stdout). A single article is written as its
    file would be; several are each preceded by an HTML comment naming their file,
    ``<!-- margin: NAME.md -->``, which every Markdown reader hides."""
    renderer = _renderer(profile)
    articles = _resolve(library, ids)
    names = _unique_names(articles)
    for n, (article, name) in enumerate(zip(articles, names, strict=True)):
        markdown = renderer(gather(library, article.id))
        if len(articles) > 1:
            stream.write(("\n" if n else "") + f"<!-- margin: {name} -->\n")
        stream.write(markdown)
    stream.flush()
