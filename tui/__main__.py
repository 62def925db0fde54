"""``python -m tui`` is the ``margin`` command."""

from tui.cli import main

raise SystemExit(main())
