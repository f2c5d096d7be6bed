"""`intrro-gateway demo`: the whole flow on this machine, with no account anywhere, as a timeline."""

from __future__ import annotations

from intrro_gateway.entrypoints.demo._options import DemoFailedError, DemoOptions
from intrro_gateway.entrypoints.demo._run import DemoResult, run_demo

__all__ = ["DemoFailedError", "DemoOptions", "DemoResult", "run_demo"]
