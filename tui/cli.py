"""The ``margin`` command line: the scripting face of the library.

Only ``margin`` (no command) and ``margin PATH|URL`` open the Textual app; every
other command imports the headless ``store`` and ``analysis`` packages alone, so it
starts fast. Exit codes: 0 ok, 1 user error (one line on stderr), 2 usage.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

COMMANDS = (
    "import",
    "list",
    "show",
    "tag",
    "untag",
    "note",
    "highlight",
    "search",
    "export",
    "analyze",
    "backup",
    "restore",
    "delete",
    "reanalyze",
)


class UserError(Exception):
    """A problem the user can fix; printed as one line, exit code 1."""


def _safe(text: str) -> str:
    """Text fit for a terminal: control and escape characters become visible symbols."""
    from analysis.ingest import display_safe

    return display_safe(text)


def _dump(data: Any) -> None:
    """Print one JSON document (control characters are escaped by json)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _open_library(args: argparse.Namespace):
    from store import Library

    root = Path(args.library).expanduser() if getattr(args, "library", None) else None
    return Library(root if root is not None else Library.default_root())


def _resolve(lib, article_id: str):
    return lib.get(article_id)


# --- commands -----------------------------------------------------------------


def _read_sources(sources: Sequence[str]):
    """Yield a Document for each readable input, or an IngestError for each that is not."""
    from analysis import ingest

    for source in sources:
        try:
            if source == "-":
                yield ingest.read_stdin()
            elif source.startswith(("http://", "https://")):
                yield ingest.fetch_url(source)
            elif Path(source).is_dir():
                paths = list(ingest.iter_paths([source]))
                if not paths:
                    raise ingest.IngestError(
                        f"{source}: no .txt, .md, .markdown, .html or .htm files in it"
                    )
                for path in paths:
                    try:
                        yield ingest.read_path(path)
                    except ingest.IngestError as err:
                        yield err
            else:
                yield ingest.read_path(source)
        except ingest.IngestError as err:
            yield err


IMPORT_BATCH = 200  # documents saved with one write of the library index


def cmd_import(args: argparse.Namespace) -> int:
    from analysis.ingest import IngestError

    lib = _open_library(args)
    results: list[dict[str, Any]] = []
    failures = 0
    batch: list[Any] = []

    def flush() -> None:
        for article, status in lib.import_documents(batch, tags=args.tag or ()):
            results.append({"id": article.id, "title": article.title, "status": status})
            if not args.json:
                print(f"{article.id}  {status:<7}  {_safe(article.title)}", flush=True)
        batch.clear()

    for item in _read_sources(args.paths):
        if isinstance(item, IngestError):
            failures += 1
            print(f"margin: {_one_line(str(item))}", file=sys.stderr)
            continue
        batch.append(item)
        if len(batch) >= IMPORT_BATCH:
            flush()
    if batch:
        flush()
    if args.json:
        _dump(results)
    return 1 if failures else 0


def _summary_json(s) -> dict[str, Any]:
    a = s.article
    return {
        "id": a.id,
        "title": a.title,
        "source": a.source,
        "tags": list(s.tags),
        "highlights": s.highlights,
        "notes": s.notes,
        "added": a.added,
    }


def cmd_list(args: argparse.Namespace) -> int:
    lib = _open_library(args)
    rows = [_summary_json(s) for s in lib.summaries(tag=args.tag)]
    if args.json:
        _dump(rows)
        return 0
    if not rows:
        print("No articles." if not args.tag else f"No articles tagged {_safe(args.tag)!r}.")
        return 0
    for r in rows:
        tags = " ".join("#" + t for t in r["tags"])
        counts = f"{r['highlights']}h {r['notes']}n"
        line = f"{r['id']}  {r['added'][:10]}  {counts:>7}  {r['title']}"
        if tags:
            line += f"  {tags}"
        print(_safe(line))
    return 0


def _article_json(lib, article_id: str) -> dict[str, Any]:
    article = lib.get(article_id)
    text = lib.text(article.id)
    ann = lib.annotations(article.id)
    result = lib.analysis(article.id)
    return {
        "id": article.id,
        "title": article.title,
        "source": article.source,
        "site": article.site,
        "author": article.author,
        "published": article.published,
        "added": article.added,
        "text": text,
        "tags": list(ann.tags),
        "notes": [
            {"id": n.id, "text": n.text, "created": n.created, "highlight_id": n.highlight_id}
            for n in ann.notes
        ],
        "highlights": [
            {
                "id": h.id,
                "start": h.start,
                "end": h.end,
                "exact": h.exact,
                "note": h.note,
                "tags": list(h.tags),
                "orphan": h.orphan,
            }
            for h in ann.highlights
        ],
        "entities": [
            {
                "start": e.start,
                "end": e.end,
                "type": e.type,
                "text": e.text,
                "canonical": e.canonical,
            }
            for e in result.entities
        ],
        "quotes": [
            {
                "start": q.start,
                "end": q.end,
                "speaker": q.speaker,
                "confidence": round(q.confidence, 3),
            }
            for q in result.quotes
        ],
    }


def cmd_show(args: argparse.Namespace) -> int:
    lib = _open_library(args)
    data = _article_json(lib, args.id)
    if args.json:
        _dump(data)
        return 0
    out: list[str] = [data["title"], "=" * min(len(data["title"]), 78)]
    meta = [f"id: {data['id']}", f"source: {data['source']}", f"added: {data['added']}"]
    for key in ("site", "author", "published"):
        if data[key]:
            meta.append(f"{key}: {data[key]}")
    out += meta
    if data["tags"]:
        out.append("tags: " + ", ".join(data["tags"]))
    if data["notes"]:
        out += ["", "Notes:"] + [f"  [{n['id']}] {n['text']}" for n in data["notes"]]
    if data["highlights"]:
        out += ["", "Highlights:"]
        for h in data["highlights"]:
            flag = " (orphan)" if h["orphan"] else ""
            out.append(f"  [{h['id']}]{flag} “{h['exact']}”")
            if h["note"]:
                out.append(f"      note: {h['note']}")
            if h["tags"]:
                out.append("      tags: " + ", ".join(h["tags"]))
    if data["quotes"]:
        out += ["", "Quotes:"]
        text = data["text"]
        for q in data["quotes"]:
            snippet = " ".join(text[q["start"] : q["end"]].split())
            if len(snippet) > 100:
                snippet = snippet[:97] + "…"
            out.append(f"  {q['speaker'] or '(unknown)'}: {snippet}")
    if data["entities"]:
        counts: dict[tuple[str, str], int] = {}
        for e in data["entities"]:
            key = (e["type"], e["canonical"])
            counts[key] = counts.get(key, 0) + 1
        out += ["", "Entities:"]
        for (etype, name), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            out.append(f"  {etype:<6} {name} ×{n}")
    out += ["", data["text"]]
    print(_safe("\n".join(out)))
    return 0


def cmd_tag(args: argparse.Namespace) -> int:
    lib = _open_library(args)
    article = lib.get(args.id)
    if args.command == "tag":
        tags = lib.add_tags(article.id, args.tags)
    else:
        tags = lib.remove_tags(article.id, args.tags)
    if args.json:
        _dump({"id": article.id, "tags": tags})
    else:
        print(_safe(f"{article.id}  tags: {', '.join(tags) if tags else '(none)'}"))
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    lib = _open_library(args)
    article = lib.get(args.id)
    text = " ".join(args.text)
    if text == "-":
        text = sys.stdin.read()
    if not text.strip():
        raise UserError("the note is empty")
    note = lib.add_note(article.id, text)
    if args.json:
        _dump({"id": note.id, "article": article.id, "text": note.text, "created": note.created})
    else:
        print(f"{note.id}  noted on {article.id}")
    return 0


def _find_occurrence(text: str, quote: str, occurrence: int) -> tuple[int, int]:
    """Offsets of the ``occurrence``-th (1-based) match of ``quote`` in ``text``:
    exact first, then with any run of white space matching any other."""
    import re

    starts: list[tuple[int, int]] = []
    i = text.find(quote)
    while i != -1:
        starts.append((i, i + len(quote)))
        i = text.find(quote, i + 1)
    if not starts:
        words = quote.split()
        if words:
            pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
            starts = [(m.start(), m.end()) for m in pattern.finditer(text)]
    if not starts:
        raise UserError("the quoted text is not in the article")
    if occurrence < 1 or occurrence > len(starts):
        raise UserError(
            f"--occurrence {occurrence}: the text occurs {len(starts)} time"
            + ("s" if len(starts) != 1 else "")
        )
    return starts[occurrence - 1]


def cmd_highlight(args: argparse.Namespace) -> int:
    lib = _open_library(args)
    article = lib.get(args.id)
    if not args.quote:
        raise UserError("--quote TEXT is required")
    start, end = _find_occurrence(lib.text(article.id), args.quote, args.occurrence)
    hl = lib.add_highlight(article.id, start, end, note=args.note or "", tags=args.tag or ())
    if args.json:
        _dump(
            {
                "id": hl.id,
                "article": article.id,
                "start": hl.start,
                "end": hl.end,
                "exact": hl.exact,
                "note": hl.note,
                "tags": list(hl.tags),
            }
        )
    else:
        print(f"{hl.id}  highlighted {hl.start}-{hl.end} in {article.id}")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from store.search import SearchIndex

    lib = _open_library(args)
    if args.limit < 1:
        raise UserError("--limit must be at least 1")
    index = SearchIndex.build(lib)
    # A one-shot process: the index lives until exit, so the collector need not
    # walk its hundreds of thousands of objects before the first query.
    gc.freeze()
    hits = index.search(args.query, scope=args.scope, limit=args.limit)
    if args.json:
        _dump([h.to_json() for h in hits])
        return 0
    if not hits:
        print("No matches.")
        return 0
    for h in hits:
        label = h.kind if h.kind != "entity" else f"entity/{h.type}"
        text = " ".join(h.text.split())
        if len(text) > 80:
            text = text[:77] + "…"
        if h.kind == "quote" and getattr(h, "speaker", None):
            text = f"{h.speaker}: {text}"
        arts = ", ".join(
            f"{a.id} {a.title[:40]}" + (f" ×{a.count}" if a.count > 1 else "")
            for a in h.articles[:5]
        )
        more = f" (+{len(h.articles) - 5} more)" if len(h.articles) > 5 else ""
        print(_safe(f"{h.score:5.1f}  {label:<14} {text}\n       {arts}{more}"))
    return 0


def _select_ids(lib, args: argparse.Namespace) -> list[str]:
    ids: list[str] = [lib.get(i).id for i in args.ids]
    if args.tag:
        ids += [a.id for a in lib.articles(tag=args.tag)]
    if getattr(args, "search", None):
        from store.search import SearchIndex

        for hit in SearchIndex.build(lib).search(args.search, limit=1000):
            if hit.article_id:
                ids.append(hit.article_id)
            ids += [a.id for a in hit.articles]
    if not args.ids and not args.tag and not getattr(args, "search", None):
        ids = [a.id for a in lib.articles()]
    seen: set[str] = set()
    return [i for i in ids if not (i in seen or seen.add(i))]


def cmd_export(args: argparse.Namespace) -> int:
    from store import export

    lib = _open_library(args)
    ids = _select_ids(lib, args)
    if not ids:
        raise UserError("nothing to export: no article matches")
    if args.output in (None, "-"):
        export.export_to_stream(lib, ids, args.profile, sys.stdout)
        return 0
    out = Path(args.output).expanduser()
    if out.exists() and not out.is_dir():
        raise UserError(f"{args.output}: not a folder")
    result = export.export_folder(lib, ids, profile=args.profile, out_dir=out, force=args.force)
    written = result.written
    # Kept and removed files go to stderr with --json, so stdout stays one document.
    notes = sys.stderr if args.json else sys.stdout
    for warning in result.warnings:
        print(f"margin: {_one_line(warning)}", file=sys.stderr)
    if args.json:
        _dump([str(p) for p in written])
    else:
        print(f"exported {len(written)} article{'s' if len(written) != 1 else ''} to {out}")
    if result.removed:
        n = len(result.removed)
        print(
            f"removed {n} old file{'s' if n != 1 else ''} of renamed or deleted articles",
            file=notes,
        )
    for path in result.kept:
        print(
            _safe(
                f"kept {path}: edited since it was exported (its article was renamed or deleted)"
            ),
            file=notes,
        )
    if result.skipped_edited:
        n = len(result.skipped_edited)
        print(
            f"kept {n} edited file{'s' if n != 1 else ''}; "
            f"--force overwrites {'them' if n != 1 else 'it'}",
            file=sys.stderr,
        )
    return 0


def _analysis_json(text: str, result, *, full: bool) -> dict[str, Any]:
    entities = []
    for e in result.entities:
        item = {"start": e.start, "end": e.end, "type": e.type, "text": e.text}
        item["canonical"] = e.canonical
        entities.append(item)
    quotes = [
        {"start": q.start, "end": q.end, "speaker": q.speaker, "confidence": round(q.confidence, 3)}
        for q in result.quotes
    ]
    data: dict[str, Any] = {"entities": entities, "quotes": quotes}
    if full:
        data["title"] = result.title
        data["blocks"] = [{"start": b.start, "end": b.end, "kind": b.kind} for b in result.blocks]
    return data


def cmd_analyze(args: argparse.Namespace) -> int:
    from analysis import analyze

    if args.jsonl:
        stream = sys.stdin if args.jsonl == "-" else None
        try:
            fh = stream or open(args.jsonl, encoding="utf-8")  # noqa: SIM115
        except OSError as err:
            raise UserError(f"{args.jsonl}: {err.strerror or err}") from None
        with fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    doc = json.loads(line)
                    text = doc["text"]
                    if not isinstance(text, str):
                        raise TypeError
                except (ValueError, KeyError, TypeError):
                    raise UserError(
                        f"{args.jsonl}:{lineno}: expected a JSON object with a string 'text'"
                    ) from None
                out = {"id": doc.get("id"), "text": text}
                out.update(_analysis_json(text, analyze(text), full=False))
                sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        return 0
    if not args.file:
        raise UserError("give a FILE or --jsonl IN.jsonl")
    from analysis import ingest

    doc = ingest.read_stdin() if args.file == "-" else ingest.read_path(args.file)
    result = analyze(doc.text)
    if args.json:
        data = {"source": doc.source, "text": doc.text}
        data.update(_analysis_json(doc.text, result, full=True))
        _dump(data)
        return 0
    print(_safe(f"{result.title or doc.title or doc.source}"))
    print(f"{len(result.entities)} entities, {len(result.quotes)} quotes")
    counts: dict[tuple[str, str], int] = {}
    for e in result.entities:
        counts[(e.type, e.canonical)] = counts.get((e.type, e.canonical), 0) + 1
    for (etype, name), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        print(_safe(f"  {etype:<6} {name} ×{n}"))
    for q in result.quotes:
        snippet = " ".join(doc.text[q.start : q.end].split())
        if len(snippet) > 100:
            snippet = snippet[:97] + "…"
        print(_safe(f"  {q.speaker or '(unknown)'} ({q.confidence:.2f}): {snippet}"))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from store import backup

    lib = _open_library(args)
    counts = backup.backup(lib, Path(args.file).expanduser())
    if args.json:
        _dump(counts)
    else:
        print(f"backed up to {args.file}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from store import backup

    lib = _open_library(args)
    path = Path(args.file).expanduser()
    if not path.is_file():
        raise UserError(f"{args.file}: no such file")
    counts = backup.restore(lib, path, merge=args.merge)
    if args.json:
        _dump(counts)
    else:
        if args.merge:
            print(
                f"merged {args.file}: {_count(counts['articles'], 'article')} added, "
                f"{counts['merged']} merged, {counts['skipped']} unchanged; "
                f"{_count(counts['notes'], 'note')}, {_count(counts['highlights'], 'highlight')} "
                f"and {_count(counts['tags'], 'tag')} added, "
                f"{counts['updated']} notes or highlights updated, "
                f"{_count(counts['taught'], 'taught entity', 'taught entities')} added"
            )
        else:
            print(
                f"restored from {args.file}: {_count(counts['articles'], 'article')}, "
                f"{_count(counts['notes'], 'note')}, {_count(counts['highlights'], 'highlight')}, "
                f"{_count(counts['taught'], 'taught entity', 'taught entities')}"
            )
    return 0


def _count(n: int, one: str, many: str | None = None) -> str:
    """``n`` with the noun in the right number: "1 note", "2 notes"."""
    return f"{n} {one if n == 1 else many or one + 's'}"


def cmd_delete(args: argparse.Namespace) -> int:
    lib = _open_library(args)
    article = lib.get(args.id)
    lib.delete_article(article.id)
    print(_safe(f"{article.id}  deleted  {article.title}"))
    return 0


def cmd_reanalyze(args: argparse.Namespace) -> int:
    import time

    lib = _open_library(args)
    counts = {"done": 0, "total": 0}
    shown = [0.0]
    live = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        counts.update(done=done, total=total)
        now = time.monotonic()
        # A terminal is redrawn ten times a second at most, not once per article.
        if live and (done == total or now - shown[0] >= 0.1):
            shown[0] = now
            sys.stderr.write(f"\rRe-analysing {done:,}/{total:,} articles…")
            sys.stderr.flush()

    try:
        analysed = lib.reanalyze(progress=progress)
    finally:
        if live and shown[0]:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
    total = counts["total"]
    if args.json:
        sys.stdout.write(json.dumps({"reanalyzed": analysed, "total": total}) + "\n")
    elif not total:
        print("Every article's analysis is up to date.")
    else:
        skipped = total - analysed
        line = f"re-analysed {analysed:,} article{'s' if analysed != 1 else ''}"
        if skipped:
            line += f" ({skipped:,} skipped: deleted, already up to date or unreadable)"
        print(line)
    return 0


# --- parsing ------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--library",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="library folder (default: $MARGIN_LIBRARY or the user data dir)",
    )
    parser = argparse.ArgumentParser(
        prog="margin",
        description="Read news articles and write in their margins.",
        epilog="With no command, opens the reader. 'margin PATH|URL' imports and opens it.",
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], int], help: str, json_flag=True):
        p = sub.add_parser(name, help=help, parents=[common], description=help)
        p.set_defaults(func=func)
        if json_flag:
            p.add_argument("--json", action="store_true", help="print one JSON document")
        return p

    p = add("import", cmd_import, "import files, folders, URLs or '-' (stdin)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--tag", action="append", metavar="T", help="tag every imported article")

    p = add("list", cmd_list, "list the saved articles")
    p.add_argument("--tag", metavar="T", help="only articles with this tag")

    p = add("show", cmd_show, "an article with its annotations")
    p.add_argument("id")

    for name, help in (("tag", "add tags to an article"), ("untag", "remove tags")):
        p = add(name, cmd_tag, help)
        p.add_argument("id")
        p.add_argument("tags", nargs="+", metavar="TAG")

    p = add("note", cmd_note, "add a note to an article ('-' reads it from stdin)")
    p.add_argument("id")
    p.add_argument("text", nargs="+", metavar="TEXT")

    p = add("highlight", cmd_highlight, "highlight a passage, found by its text")
    p.add_argument("id")
    p.add_argument("--quote", required=True, metavar="TEXT", help="the passage, as in the text")
    p.add_argument("--occurrence", type=int, default=1, metavar="N", help="which match (1-based)")
    p.add_argument("--note", metavar="T", help="a note on the highlight")
    p.add_argument("--tag", action="append", metavar="T", help="tag the highlight")

    p = add("search", cmd_search, "fuzzy search across the library")
    p.add_argument("query", metavar="QUERY")
    p.add_argument("--scope", choices=("entities", "notes", "all"), default="all")
    p.add_argument("--limit", type=int, default=20, metavar="N")

    p = add("export", cmd_export, "export articles with their notes as Markdown")
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("--tag", metavar="T", help="articles with this tag")
    p.add_argument("--search", metavar="QUERY", help="articles matching a search")
    p.add_argument("--profile", choices=("obsidian", "logseq", "plain"), default="obsidian")
    p.add_argument("-o", "--output", metavar="DIR|-", help="a folder, or '-' for stdout (default)")
    p.add_argument(
        "--force", action="store_true", help="overwrite files edited since they were exported"
    )

    p = add("analyze", cmd_analyze, "entities and quotes of a file, or of JSON lines")
    p.add_argument("file", nargs="?", metavar="FILE")
    p.add_argument("--jsonl", metavar="IN.jsonl", help='lines {"id","text"} in, one line out each')

    p = add("backup", cmd_backup, "write the whole library to one JSON file")
    p.add_argument("file", metavar="FILE")

    p = add("restore", cmd_restore, "restore a backup into an empty library, or merge it")
    p.add_argument("file", metavar="FILE")
    p.add_argument(
        "--merge",
        action="store_true",
        help="merge into a library that is not empty: new articles are added, and "
        "articles already there get the backup's notes, highlights and tags",
    )

    p = add("delete", cmd_delete, "delete an article and its annotations", json_flag=False)
    p.add_argument("id")

    p = add(
        "reanalyze",
        cmd_reanalyze,
        "analyse again the articles that predate a taught correction",
        json_flag=False,
    )
    p.add_argument(
        "--json",
        action="store_true",
        help='print one line {"reanalyzed": n, "total": m} (m were stale, n re-analysed)',
    )
    return parser


def _open_tui(args: argparse.Namespace, target: str | None) -> int:
    article_id = None
    if target is not None:
        from analysis import ingest

        lib = _open_library(args)
        if target.startswith(("http://", "https://")):
            doc = ingest.fetch_url(target)
        else:
            doc = ingest.read_path(target)
        article, _status = lib.import_document(doc)
        article_id = article.id
        root = lib.root
    else:
        root = Path(args.library).expanduser() if getattr(args, "library", None) else None
    from tui.app import run

    return run(root, open_article=article_id)


def _split_target(argv: list[str]) -> tuple[str | None, list[str]]:
    """``margin [--library DIR] PATH|URL``: the first word that is neither an option
    nor a command is a file or URL to open; returns it and the other words."""
    i = 0
    while i < len(argv):
        word = argv[i]
        if word == "--library":
            i += 2
            continue
        if word.startswith("-") or word in COMMANDS:
            return None, argv
        return word, argv[:i] + argv[i + 1 :]
    return None, argv


def _run(argv: Sequence[str]) -> int:
    parser = _parser()
    target, rest = _split_target(list(argv))
    args = parser.parse_args(rest)
    if args.command is None:
        return _open_tui(args, target)
    return args.func(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``margin`` console script."""
    from analysis.ingest import IngestError
    from store.errors import StoreError

    argv = sys.argv[1:] if argv is None else argv
    try:
        return _run(argv)
    except (UserError, StoreError, IngestError) as err:
        print(f"margin: {_one_line(str(err))}", file=sys.stderr)
        return 1
    except ValueError as err:
        print(f"margin: {_one_line(str(err))}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader of our output went away (e.g. `margin list | head`).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as err:
        where = f"{err.filename}: " if getattr(err, "filename", None) else ""
        print(f"margin: {where}{err.strerror or err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # noqa: BLE001 - a user never sees a traceback
        if os.environ.get("MARGIN_DEBUG"):
            raise
        print(
            f"margin: internal error: {type(err).__name__}: {_one_line(str(err))} "
            "(set MARGIN_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return 1


def _one_line(message: str) -> str:
    return " ".join(message.split()) or "error"


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
