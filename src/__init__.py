"""intrro-gateway: the integration gateway between the Intrro referral platform and applicant tracking systems.

The folders under `src/` install as this one package: `intrro_gateway.domain`, `.ports`, `.services`,
`.adapters`, `.sandboxes` and `.entrypoints`.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("intrro-gateway")
except PackageNotFoundError:  # pragma: no cover - running from a tree that was never installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
