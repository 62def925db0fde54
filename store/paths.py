"""Where a library lives and how its folder is laid out.

A library folder::

    library.json                  articles (metadata only), taught entities, schema
    library.json.bak              the previous version of library.json
    bodies/<sha[:2]>/<sha>.txt    article texts, content-addressed, written once
    annotations/<id[:2]>/<id>.json  one small database per article: tags, notes,
                                  highlights, reading position (plus its .bak)
    trash/                        annotations of deleted articles, kept for recovery
    derived/                      rebuildable caches only; may be deleted at any time
    .lock                         the inter-process lock
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "MARGIN_LIBRARY"
APP_NAME = "margin"


def default_root() -> Path:
    """``$MARGIN_LIBRARY`` when set, else platformdirs' user data dir for "margin"."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


class Layout:
    """The paths inside one library folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.db = root / "library.json"
        self.lock = root / ".lock"
        self.bodies = root / "bodies"
        self.annotations = root / "annotations"
        self.trash = root / "trash"
        self.derived = root / "derived"

    def body(self, sha256: str) -> Path:
        """The file holding the text whose UTF-8 SHA-256 is ``sha256``."""
        return self.bodies / sha256[:2] / f"{sha256}.txt"

    def shard(self, article_id: str) -> Path:
        """The annotation database of one article."""
        return self.annotations / article_id[:2] / f"{article_id}.json"

    def analysis_cache(self, article_id: str) -> Path:
        """The cached analysis of one article (derived)."""
        return self.derived / "analysis" / article_id[:2] / f"{article_id}.json"

    @property
    def summary_cache(self) -> Path:
        """Per-article tag and count summaries (derived)."""
        return self.derived / "summaries.json"

    @property
    def version_file(self) -> Path:
        """The change counter (derived)."""
        return self.derived / "version"
