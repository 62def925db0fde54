"""The command line as a script would use it: exit codes, JSON shapes, one-line errors."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "sample_articles" / "aliyev_white_house.txt"
SEED_TITLE = "Ilham Aliyev's visit to White House: a new signal from Caucasus to world-Analysis"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def lib(tmp_path: Path) -> str:
    return str(tmp_path / "lib")


@pytest.fixture
def seeded(lib: str, capsys) -> tuple[str, str]:
    code, out, err = run(capsys, "--library", lib, "import", str(SEED), "--json")
    assert code == 0, err
    return lib, json.loads(out)[0]["id"]


def test_import_json_shape_and_dedup(lib: str, capsys) -> None:
    code, out, _ = run(capsys, "--library", lib, "import", str(SEED), "--json")
    assert code == 0
    first = json.loads(out)
    assert [set(r) for r in first] == [{"id", "title", "status"}]
    assert first[0]["status"] == "added"
    assert first[0]["title"] == SEED_TITLE
    code, out, _ = run(capsys, "--library", lib, "import", str(SEED), "--json")
    assert code == 0
    again = json.loads(out)
    assert again[0]["status"] == "exists" and again[0]["id"] == first[0]["id"]


def test_library_option_after_command(lib: str, capsys) -> None:
    code, out, _ = run(capsys, "import", str(SEED), "--library", lib, "--json")
    assert code == 0
    code, out, _ = run(capsys, "list", "--library", lib, "--json")
    assert [r["title"] for r in json.loads(out)] == [SEED_TITLE]


def test_environment_variable_selects_library(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("MARGIN_LIBRARY", str(tmp_path / "envlib"))
    assert run(capsys, "import", str(SEED))[0] == 0
    assert (tmp_path / "envlib").is_dir()
    code, out, _ = run(capsys, "list", "--json")
    assert len(json.loads(out)) == 1


def test_tag_note_highlight_show(seeded, capsys) -> None:
    lib, aid = seeded
    assert run(capsys, "--library", lib, "tag", aid, "diplomacy", "South Caucasus")[0] == 0
    assert run(capsys, "--library", lib, "untag", aid, "diplomacy")[0] == 0
    assert (
        run(capsys, "--library", lib, "note", aid, "Compare", "with", "the", "2018", "visit")[0]
        == 0
    )
    code, out, err = run(
        capsys,
        "--library", lib, "highlight", aid, "--quote", "energy security",
        "--occurrence", "2", "--note", "key phrase", "--tag", "energy", "--json",
    )  # fmt: skip
    assert code == 0, err
    hl = json.loads(out)
    code, out, _ = run(capsys, "--library", lib, "show", aid, "--json")
    assert code == 0
    data = json.loads(out)
    for key in (
        "id",
        "title",
        "source",
        "text",
        "tags",
        "notes",
        "highlights",
        "entities",
        "quotes",
    ):
        assert key in data
    assert data["tags"] == ["South Caucasus"]
    assert [n["text"] for n in data["notes"]] == ["Compare with the 2018 visit"]
    assert set(data["notes"][0]) >= {"id", "text", "created"}
    (h,) = data["highlights"]
    assert set(h) >= {"id", "start", "end", "exact", "note", "tags"}
    assert h["id"] == hl["id"] and h["exact"] == "energy security"
    assert data["text"][h["start"] : h["end"]] == "energy security"
    first = data["text"].find("energy security")
    assert h["start"] > first  # the second occurrence
    assert h["note"] == "key phrase" and h["tags"] == ["energy"]
    for e in data["entities"]:
        assert data["text"][e["start"] : e["end"]] == e["text"]
    code, out, _ = run(capsys, "--library", lib, "list", "--json")
    (row,) = json.loads(out)
    assert set(row) == {"id", "title", "source", "tags", "highlights", "notes", "added"}
    assert row["highlights"] == 1 and row["notes"] == 1


def test_list_filters_by_tag(seeded, capsys) -> None:
    lib, aid = seeded
    wiki = ROOT / "sample_articles" / "GUM_news_crane.txt"
    run(capsys, "--library", lib, "import", str(wiki), "--tag", "hajj")
    code, out, _ = run(capsys, "--library", lib, "list", "--tag", "hajj", "--json")
    assert [r["title"] for r in json.loads(out)] == ["At least 107 killed in Mecca crane collapse"]


def test_user_errors_are_one_line(seeded, tmp_path: Path, capsys) -> None:
    lib, aid = seeded
    png = tmp_path / "photo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(64))
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    cases = [
        ("import", str(png)),
        ("import", str(empty)),
        ("import", str(tmp_path / "missing.txt")),
        ("show", "nosuchid"),
        ("highlight", aid, "--quote", "words that are not in the article"),
        ("highlight", aid, "--quote", "White House", "--occurrence", "99"),
    ]
    for case in cases:
        code, out, err = run(capsys, "--library", lib, *case)
        assert code == 1, case
        assert err.startswith("margin: ") and err.count("\n") == 1, (case, err)
        assert "Traceback" not in err


def test_usage_error_exits_2(lib: str, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--library", lib, "tag"])
    assert exc.value.code == 2


def test_escape_sequences_never_reach_the_terminal(lib: str, tmp_path: Path, capsys) -> None:
    evil = tmp_path / "evil.txt"
    evil.write_text("Title \x1b]0;pwned\x07 here\n\nBody \x1b[31mred\x1b[0m text by Jane Doe.\n")
    assert run(capsys, "--library", lib, "import", str(evil))[0] == 0
    code, out, _ = run(capsys, "--library", lib, "list")
    assert code == 0 and "\x1b" not in out and "\x07" not in out
    aid = json.loads(run(capsys, "--library", lib, "list", "--json")[1])[0]["id"]
    code, out, _ = run(capsys, "--library", lib, "show", aid)
    assert code == 0 and "\x1b" not in out
    # Stored exactly as imported: the JSON keeps the real characters (escaped by JSON).
    data = json.loads(run(capsys, "--library", lib, "show", aid, "--json")[1])
    assert "\x1b[31m" in data["text"]


def test_analyze_jsonl_keeps_offsets(tmp_path: Path, capsys) -> None:
    src = tmp_path / "in.jsonl"
    docs = [
        {"id": "a", "text": "President Ilham Aliyev met Donald Trump in Washington on Monday."},
        {"id": "b", "text": "“We are ready,” said Angela Merkel in Berlin.\r\nNo more."},
    ]
    src.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs) + "\n")
    code, out, err = run(capsys, "analyze", "--jsonl", str(src))
    assert code == 0, err
    lines = [json.loads(x) for x in out.splitlines()]
    assert [x["id"] for x in lines] == ["a", "b"]
    for doc, got in zip(docs, lines, strict=True):
        assert got["text"] == doc["text"]
        for e in got["entities"]:
            assert set(e) >= {"start", "end", "type", "text"}
            assert doc["text"][e["start"] : e["end"]] == e["text"]
        for q in got["quotes"]:
            assert set(q) >= {"start", "end", "speaker"}
    names = {e["text"] for e in lines[0]["entities"]}
    assert "Ilham Aliyev" in names and "Donald Trump" in names


def test_analyze_jsonl_bad_line(tmp_path: Path, capsys) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_text('{"id": 1, "text": "ok"}\nnot json\n')
    code, _, err = run(capsys, "analyze", "--jsonl", str(src))
    assert code == 1 and ":2:" in err


def _cli(lib: str, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tui", "--library", lib, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        **kw,
    )


def test_two_cli_processes_writing_at_once_lose_nothing(seeded) -> None:
    lib, aid = seeded
    script = (
        "import sys\nfrom tui.cli import main\n"
        "for i in range(15):\n"
        f"    assert main(['--library', {lib!r}, 'note', {aid!r}, sys.argv[1] + str(i)]) == 0\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script, w], cwd=ROOT, stdout=subprocess.DEVNULL)
        for w in ("w1-", "w2-")
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    out = _cli(lib, "show", aid, "--json")
    notes = {n["text"] for n in json.loads(out.stdout)["notes"]}
    assert notes == {f"{w}{i}" for w in ("w1-", "w2-") for i in range(15)}


def test_kill_during_note_keeps_acknowledged_notes(seeded) -> None:
    """kill -9 a process adding notes; every note it acknowledged is still there."""
    lib, aid = seeded
    script = (
        "import sys\nfrom tui.cli import main\n"
        "i = 0\n"
        "while True:\n"
        f"    main(['--library', {lib!r}, 'note', {aid!r}, 'k' + str(i)])\n"
        "    sys.stdout.flush()\n"
        "    i += 1\n"
    )
    rng = random.Random(7)
    acked: set[str] = set()
    for _trial in range(5):
        proc = subprocess.Popen(
            [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        time.sleep(0.3 + rng.random() * 0.5)  # let it start and save a few
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        acked |= {line.split()[0] for line in out.splitlines() if line.startswith("n-")}
        done = _cli(lib, "show", aid, "--json")
        assert done.returncode == 0, done.stderr
        ids = {n["id"] for n in json.loads(done.stdout)["notes"]}
        assert acked <= ids
    assert acked  # the writer did acknowledge saves before being killed


@pytest.fixture
def fresh_code_watch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fingerprint the analysis code afresh: an edit to it during a long test
    session rightly turns the analysis cache (and re-analysis) off."""
    from store import analysis_cache

    monkeypatch.setattr(analysis_cache, "_STARTED_NS", time.time_ns())
    analysis_cache.analysis_code.cache_clear()


def test_reanalyze_after_teaching(seeded, capsys, fresh_code_watch) -> None:
    from store import Library

    lib, aid = seeded
    # Imported but never opened: its analysis is not cached yet.
    code, out, err = run(capsys, "--library", lib, "reanalyze", "--json")
    assert (code, err) == (0, "")
    assert json.loads(out) == {"reanalyzed": 1, "total": 1}
    assert out.count("\n") == 1
    code, out, _ = run(capsys, "--library", lib, "reanalyze", "--json")
    assert json.loads(out) == {"reanalyzed": 0, "total": 0}
    code, out, _ = run(capsys, "--library", lib, "show", aid, "--json")
    assert "Armenia" in {e["text"] for e in json.loads(out)["entities"]}
    Library(lib).teach("reject", "Armenia")
    code, out, err = run(capsys, "--library", lib, "reanalyze")
    # stderr is not a terminal here: no progress line.
    assert (code, err) == (0, "")
    assert out == "re-analysed 1 article\n"
    code, out, _ = run(capsys, "--library", lib, "show", aid, "--json")
    assert "Armenia" not in {e["text"] for e in json.loads(out)["entities"]}
    code, out, _ = run(capsys, "--library", lib, "reanalyze")
    assert out == "Every article's analysis is up to date.\n"


def test_reanalyze_errors_are_one_line(tmp_path: Path, capsys) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    code, out, err = run(capsys, "--library", str(not_a_folder), "reanalyze", "--json")
    assert code == 1 and out == ""
    assert err.startswith("margin: ") and err.count("\n") == 1


def test_reanalyze_shows_progress_on_a_terminal(
    seeded, capsys, monkeypatch: pytest.MonkeyPatch, fresh_code_watch
) -> None:
    lib, _aid = seeded
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, out, err = run(capsys, "--library", lib, "reanalyze", "--json")
    assert code == 0
    assert json.loads(out) == {"reanalyzed": 1, "total": 1}
    # One line redrawn in place, then cleared so that nothing is left behind.
    assert err == "\rRe-analysing 1/1 articles…\r\033[K"


def test_export_keeps_an_edited_file_until_forced(seeded, tmp_path: Path, capsys) -> None:
    lib, article_id = seeded
    out = tmp_path / "out"
    code, _, _ = run(capsys, "--library", lib, "export", article_id, "-o", str(out))
    assert code == 0
    (path,) = out.glob("*.md")
    edited = path.read_bytes() + b"\nMy own line, written in Obsidian.\n"
    path.write_bytes(edited)
    run(capsys, "--library", lib, "note", article_id, "A note added later.")
    code, out_text, err = run(
        capsys, "--library", lib, "export", article_id, "-o", str(out), "--json"
    )
    assert code == 0 and json.loads(out_text) == []
    assert err == "kept 1 edited file; --force overwrites it\n"
    assert path.read_bytes() == edited
    code, _, err = run(capsys, "--library", lib, "export", article_id, "-o", str(out), "--force")
    assert code == 0 and err == ""
    text = path.read_text(encoding="utf-8")
    assert "A note added later." in text and "My own line" not in text


def test_restore_and_merge_report_counts_in_words(seeded, tmp_path: Path, capsys) -> None:
    lib, article_id = seeded
    run(capsys, "--library", lib, "note", article_id, "One note.")
    backup_file = str(tmp_path / "backup.json")
    assert run(capsys, "--library", lib, "backup", backup_file)[0] == 0
    other = str(tmp_path / "other")
    code, out, _ = run(capsys, "--library", other, "restore", backup_file)
    assert code == 0
    assert out == (
        f"restored from {backup_file}: 1 article, 1 note, 0 highlights, 0 taught entities\n"
    )
    run(capsys, "--library", lib, "note", article_id, "A second note.")
    assert run(capsys, "--library", lib, "backup", backup_file)[0] == 0
    code, out, _ = run(capsys, "--library", other, "restore", backup_file, "--merge")
    assert code == 0
    assert "0 articles added, 1 merged" in out
    assert "1 note, 0 highlights and 0 tags added" in out
