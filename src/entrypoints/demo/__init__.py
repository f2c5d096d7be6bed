"""`intrro-gateway demo`: the whole flow on this machine, with no account anywhere, as a timeline."""

from __future__ import annotations

from entrypoints.demo._run import DemoResult, run_demo
from entrypoints.demo._script import DemoFailedError, DemoOptions

__all__ = ["DemoFailedError", "DemoOptions", "DemoResult", "run_demo"]
