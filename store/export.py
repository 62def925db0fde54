"""Markdown export of articles with their annotations, for Obsidian, Logseq and plain
CommonMark readers.

Output is deterministic: the same library gives byte-identical files (stable order
everywhere, no export timestamps), and re-exporting after an edit rewrites only the
files whose text changed.

An export into a folder keeps a manifest there (``.margin-export.json``: each file
margin wrote, with its article id, profile and the SHA-256 of its bytes), so that a
later export removes the file an article left behind when its title changed or it
was deleted. Only files that still hold exactly what margin wrote are removed; a
file the user made or edited since is left where it is and reported.

The manifest also guards each article's own file: a re-export never overwrites a
file the user changed after margin wrote it (notes added in Obsidian or Logseq).
At an article's file name, an existing file is

- left as it is when it already holds exactly the new text (nothing to do);
- overwritten when the manifest lists it and it still holds exactly the bytes
  margin wrote there;
- otherwise kept and reported (``ExportResult.skipped_edited``): it was edited
  since, it is not a plain file any more, or the manifest does not list it (the
  user's own file under that name). When the manifest cannot be used (damaged,
  unreadable, from a newer margin) nothing is known to be margin's, so every such
  file is kept.

A folder without any manifest was exported before margin kept one (or never):
its files are overwritten as they always were, and the manifest starts then.
``force=True`` overwrites whatever is at an article's file name.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from store import export_logseq, export_obsidian, export_plain
from store.errors import StoreError
from store.export_markdown import ExportItem, obsidian_tag
from store.models import Article

__all__ = [
    "MANIFEST",
    "PROFILES",
    "ExportItem",
    "ExportResult",
    "UnknownProfile",
    "export_article",
    "export_articles",
    "export_folder",
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
    _replace(path, data)


# What may be overwritten at an article's file name (the ``guard`` of export_one):
# ANY_FILE (forced, or a folder without a manifest), a SHA-256 (only a plain file
# still holding exactly those bytes), or NO_FILE (nothing that is there already).
ANY_FILE: str | None = None
NO_FILE = ""


def _write_guarded(path: Path, data: bytes, guard: str | None) -> bool:
    """Write ``data`` to ``path`` as ``_write_if_changed`` does, unless ``guard``
    forbids replacing what is there; False when the file was kept as it is."""
    if guard is ANY_FILE:
        _write_if_changed(path, data)
        return True
    try:
        st = path.lstat()
    except FileNotFoundError:
        _replace(path, data)
        return True
    regular = stat.S_ISREG(st.st_mode)
    try:
        current = path.read_bytes() if regular or stat.S_ISLNK(st.st_mode) else None
    except OSError:
        current = None
    if current == data:
        return True
    if not regular or not guard or current is None:
        return False
    if hashlib.sha256(current).hexdigest() != guard:
        return False
    _replace(path, data)
    return True


def _replace(path: Path, data: bytes) -> None:
    """Atomically put ``data`` at ``path``."""
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
    library,
    article: Article,
    renderer: Callable[[ExportItem], str],
    path: Path,
    guard: str | None = ANY_FILE,
) -> str | None:
    """Render one article and write it to ``path`` (atomic; untouched if unchanged).
    Returns the SHA-256 (hex) of the bytes the file now holds, or None when a file
    already there was kept because ``guard`` (ANY_FILE, NO_FILE or the SHA-256 of
    the bytes margin last wrote there) does not allow replacing it."""
    data = _encode(renderer(gather(library, article.id)))
    try:
        if not _write_guarded(path, data, guard):
            return None
    except OSError as err:
        raise StoreError(f"{path}: cannot write ({err.strerror or err})") from None
    return hashlib.sha256(data).hexdigest()


# --- the manifest of an export folder -----------------------------------------

MANIFEST = ".margin-export.json"
MANIFEST_FORMAT = "margin-export"
MANIFEST_VERSION = 1
_SHA_HEX = re.compile(r"[0-9a-f]{64}")


@dataclass
class ExportResult:
    """What an export into a folder did.

    ``paths``: the files written, in the order of the ids asked for (each article
    once). ``removed``: files margin wrote earlier for an article that has since
    been renamed or deleted, removed because they still held exactly what margin
    wrote. ``kept``: such files left in place because they changed after margin
    wrote them (or are no longer plain files); margin forgets them from then on.
    ``skipped_edited``: files of ``paths`` that were not overwritten because they
    changed since margin wrote them, or margin did not write them (see the
    module's docstring), in the order of ``paths``; ``force=True`` overwrites them.
    ``warnings``: one-line messages, e.g. about a manifest that could not be read.
    """

    paths: list[Path]
    removed: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    skipped_edited: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def written(self) -> list[Path]:
        """The files of ``paths`` that now hold this export's text."""
        skipped = set(self.skipped_edited)
        return [p for p in self.paths if p not in skipped]


def _plain_name(name: object) -> bool:
    # A manifest is read from disk: only a bare Markdown file name in the folder
    # itself is ever acted on, never a path that leads elsewhere.
    return (
        isinstance(name, str)
        and name.endswith(".md")
        and not name.startswith(".")
        and "/" not in name
        and "\\" not in name
        and "\0" not in name
        and Path(name).name == name
    )


def _read_manifest(folder: Path) -> tuple[dict[str, dict[str, str]], str | None, bool]:
    """The manifest's entries (file name -> {"id", "profile", "sha256"}), a
    warning when it exists but cannot be used (then nothing is removed), and
    whether it may be replaced: not when a newer margin wrote it, nor when it
    cannot be read at all. No manifest gives no entries and no warning."""
    path = folder / MANIFEST
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}, None, True
    except OSError as err:
        why = err.strerror or err
        return {}, f"{path}: cannot read the export manifest ({why}); no old file removed", False
    try:
        doc = json.loads(raw.decode("utf-8"))
        if not isinstance(doc, dict) or doc.get("format") != MANIFEST_FORMAT:
            raise ValueError("not a margin export manifest")
        version = doc.get("version")
        if (
            isinstance(version, int)
            and not isinstance(version, bool)
            and version > MANIFEST_VERSION
        ):
            why = f"written by a newer margin (version {version}); no old file removed"
            return {}, f"{path}: export manifest {why}", False
        if version != MANIFEST_VERSION:
            raise ValueError(f"bad version {version!r}")
        files = doc.get("files")
        if not isinstance(files, dict):
            raise ValueError("no file list")
    except (UnicodeDecodeError, ValueError) as err:
        # margin's own bookkeeping, damaged: started afresh, which only means the
        # files it listed are never removed.
        return {}, f"{path}: damaged export manifest ({err}); no old file removed", True
    entries = {}
    for name, entry in files.items():
        if (
            _plain_name(name)
            and isinstance(entry, dict)
            and isinstance(entry.get("id"), str)
            and isinstance(entry.get("profile"), str)
            and isinstance(entry.get("sha256"), str)
            and _SHA_HEX.fullmatch(entry["sha256"])
        ):
            entries[name] = {k: entry[k] for k in ("id", "profile", "sha256")}
    return entries, None, True


def _manifest_bytes(entries: dict[str, dict[str, str]]) -> bytes:
    doc = {"format": MANIFEST_FORMAT, "version": MANIFEST_VERSION, "files": entries}
    text = json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1) + "\n"
    return text.encode("utf-8", errors="surrogatepass")


def _holds_exactly(path: Path, sha: str) -> bool | None:
    """True when ``path`` is a plain file holding the bytes with SHA-256 ``sha``;
    None when there is nothing there; False otherwise (changed, a link, a folder)."""
    try:
        st = path.lstat()
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return False
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == sha
    except OSError:
        return False


def _sweep(
    out: Path,
    entries: dict[str, dict[str, str]],
    current: dict[str, str],
    live: set[str],
    result: ExportResult,
) -> None:
    """Remove from ``out`` the files of ``entries`` that an article no longer
    owns: its file name changed (it is in ``current``, article id -> new name,
    under another name) or it was deleted (not in ``live``). Handled entries
    leave ``entries``; the rest stay for a later export."""
    written = {name.casefold() for name in current.values()}
    for name in sorted(entries):
        entry = entries[name]
        if name.casefold() in written:
            continue  # the same file is still an export's output: it was just written
        article_id = entry["id"]
        if article_id not in current and article_id in live:
            continue  # not in this selection: its file stays as it is
        del entries[name]
        path = out / name
        state = _holds_exactly(path, entry["sha256"])
        if state is None:
            continue
        if not state:
            result.kept.append(path)
            continue
        try:
            os.unlink(path)
        except OSError as err:
            result.warnings.append(f"{path}: cannot remove the old export ({err.strerror or err})")
            entries[name] = entry  # try again next time
            continue
        result.removed.append(path)


def _guard(entries: dict[str, dict[str, str]], name: str) -> str:
    """What may be overwritten at ``name`` in a folder with a manifest: the bytes
    margin last wrote there, or nothing when margin did not write it."""
    entry = entries.get(name)
    if entry is None:
        folded = name.casefold()  # one file on a case-insensitive disk
        entry = next((e for n, e in entries.items() if n.casefold() == folded), None)
    return entry["sha256"] if entry is not None else NO_FILE


def _live_ids(library) -> set[str] | None:
    # Any object with ``articles()`` lists what exists; without one nothing is
    # known to be deleted.
    articles = getattr(library, "articles", None)
    if articles is None:
        return None
    return {a.id for a in articles()}


def export_folder(
    library,
    ids: Iterable[str],
    profile: str = "obsidian",
    out_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = 1,
    force: bool = False,
) -> ExportResult:
    """Write one Markdown file per article into ``out_dir`` (created if missing;
    default ``./margin-export``), then remove the files earlier exports into the
    same folder wrote for these articles under an old name, and for articles
    deleted since, when they still hold exactly what margin wrote (see the
    module's docstring); record what was written in the folder's manifest.

    Each write is atomic; a file that already holds exactly the new text is left
    untouched, and one the user edited since margin wrote it is kept and reported
    in ``skipped_edited`` (the module's docstring has the rules) unless ``force``
    is true. ``progress(done, total)`` is called as files are written (an
    exception raised by it stops the export before anything is removed).

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
    legacy = not os.path.lexists(out / MANIFEST)
    entries, warning, writable = _read_manifest(out)
    result = ExportResult(paths=paths, warnings=[warning] if warning else [])
    guards = [ANY_FILE if force or legacy else _guard(entries, name) for name in names]

    from store import export_parallel

    if workers is None:
        workers = export_parallel.auto_workers(library, total)
    if workers > 1 and export_parallel.can_share(library):
        digests = export_parallel.export_in_processes(
            library, articles, paths, profile, progress, workers, guards
        )
    else:
        digests = []
        for done, (article, path, guard) in enumerate(zip(articles, paths, guards, strict=True), 1):
            digests.append(export_one(library, article, renderer, path, guard))
            if progress is not None:
                progress(done, total)
    result.skipped_edited = [
        path for path, digest in zip(paths, digests, strict=True) if digest is None
    ]

    current = {a.id: name for a, name in zip(articles, names, strict=True)}
    live = _live_ids(library)
    if warning is None:
        _sweep(out, entries, current, live if live is not None else set(current), result)
    if not writable:
        return result
    for article, name, digest in zip(articles, names, digests, strict=True):
        # A kept file keeps its old entry (if any), so it still reads as edited.
        if digest is not None:
            entries[name] = {"id": article.id, "profile": profile, "sha256": digest}
    try:
        _write_if_changed(out / MANIFEST, _manifest_bytes(entries))
    except OSError as err:
        raise StoreError(
            f"{out / MANIFEST}: cannot write the export manifest ({err.strerror or err})"
        ) from None
    return result


def export_articles(
    library,
    ids: Iterable[str],
    profile: str = "obsidian",
    out_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = 1,
    force: bool = False,
) -> list[Path]:
    """``export_folder``, returning only each article's file, in the order of
    ``ids`` (each article once; an edited file kept as it was is listed too)."""
    return export_folder(library, ids, profile, out_dir, progress, workers, force).paths


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
