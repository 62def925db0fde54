"""Crash and concurrency: kill -9 of a writer, and two writer processes at once."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

from store.library import Library

REPO = Path(__file__).resolve().parents[2]

# A writer that acknowledges each save on stdout only after the call returned.
WRITER = r"""
import os, sys, time
from store.library import Library

root, tag, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
lib = Library(root, lock_timeout=60)
target = next(a.id for a in lib.articles() if a.source == "seed")
print("ready", flush=True)
while go != "-" and not os.path.exists(go):
    time.sleep(0.001)
for i in range(count):
    if i % 10 == 3:
        art, status = lib.add_article(f"{tag} article {i}\n", title=f"{tag} {i}", source=f"{tag}-{i}")
        print(f"a {art.id}", flush=True)
    elif i % 10 == 7:
        lib.add_tags(target, [f"{tag}-{i}"])
        print(f"t {tag}-{i}", flush=True)
    else:
        note = lib.add_note(target, f"{tag}-{i}")
        print(f"n {note.id} {note.text}", flush=True)
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def _writer(root: Path, tag: str, count: int, go: str = "-") -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(root), tag, str(count), go],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )


def _check_acks(root: Path, acks: list[str]) -> None:
    lib = Library(root, create=False)
    target = _target(lib)
    ann = lib.annotations(target)
    notes = {(n.id, n.text) for n in ann.notes}
    tags = set(ann.tags)
    for ack in acks:
        kind, _, rest = ack.partition(" ")
        if kind == "n":
            nid, _, text = rest.partition(" ")
            assert (nid, text) in notes, f"acknowledged note {rest!r} lost"
        elif kind == "a":
            assert lib.text(rest).endswith("\n"), f"acknowledged article {rest} lost"
        elif kind == "t":
            assert rest in tags, f"acknowledged tag {rest!r} lost"


def _target(lib: Library) -> str:
    return next(a.id for a in lib.articles() if a.source == "seed")


def _seed(root: Path) -> None:
    Library(root).add_article("The article every writer annotates.\n", title="t", source="seed")


def test_two_writer_processes_lose_nothing(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    _seed(root)
    go = tmp_path / "go"
    procs = [_writer(root, tag, 200, str(go)) for tag in ("A", "B")]
    for p in procs:
        assert p.stdout.readline() == "ready\n"
    go.touch()
    acks = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        acks += out.splitlines()
    assert len(acks) == 400
    _check_acks(root, acks)
    lib = Library(root)
    target = _target(lib)
    assert len(lib.annotations(target).notes) == 2 * 160
    assert len(lib.articles()) == 1 + 2 * 20
    assert len(lib.annotations(target).tags) == 2 * 20


def test_kill_9_never_loses_an_acknowledged_save(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    _seed(root)
    rng = random.Random(int(os.environ.get("MARGIN_KILL_SEED", "20261128")))
    all_acks: list[str] = []
    trials = 30
    for trial in range(trials):
        proc = _writer(root, f"k{trial}", 100_000)
        assert proc.stdout.readline() == "ready\n", proc.stderr.read()
        # Kill at a random moment: sometimes before the first save, mostly during
        # a stream of saves (one to a few ms each, most of it in fsync).
        time.sleep(rng.uniform(0.0, 0.08))
        proc.kill()
        out, _ = proc.communicate(timeout=30)
        # A line cut short by the kill was never a complete acknowledgement.
        lines = out.split("\n")[:-1]
        all_acks += lines
        _check_acks(root, all_acks)
    # The kills landed among saves, not only before the first one.
    assert len(all_acks) >= 10


def test_threads_of_one_process_lose_nothing(tmp_path: Path) -> None:
    import threading

    lib = Library(tmp_path / "lib")
    art, _ = lib.add_article("Shared by threads.\n", title="t", source="seed")
    errors: list[BaseException] = []

    def work(tag: str) -> None:
        try:
            for i in range(40):
                lib.add_note(art.id, f"{tag}-{i}")
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(t,)) for t in "AB"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    texts = {n.text for n in lib.annotations(art.id).notes}
    assert texts == {f"{t}-{i}" for t in "AB" for i in range(40)}
