"""`python -m entrypoints.cli`."""

from __future__ import annotations

from entrypoints.cli import main

raise SystemExit(main())
