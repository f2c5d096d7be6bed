"""`python -m entrypoints.cli`."""

from __future__ import annotations

from intrro_gateway.entrypoints.cli import main

raise SystemExit(main())
