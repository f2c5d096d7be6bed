"""Reading JSON from outside within bounds: a document nested deeper than a limit is refused as bad
input (a ValueError, like any malformed JSON) instead of exhausting the recursion of the parser or of
code that walks the document later."""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["MAX_JSON_DEPTH", "JsonTooDeepError", "loads_bounded"]

# Far beyond any document the gateway reads (Greenhouse and Lever web hooks nest about 8 levels),
# far below Python's recursion limit.
MAX_JSON_DEPTH = 64


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


class JsonTooDeepError(ValueError):
    """Raised when a JSON document nests deeper than allowed."""


def loads_bounded(raw: str | bytes | bytearray, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """`json.loads`, refusing documents nested deeper than `max_depth` (JsonTooDeepError); any other
    malformed input raises ValueError as `json.loads` does."""
    try:
        document = json.loads(raw)
    except RecursionError:
        raise JsonTooDeepError(f"the JSON document nests deeper than {max_depth} levels") from None
    text = raw if isinstance(raw, str) else bytes(raw).decode("utf-8", "replace")
    if text.count("[") + text.count("{") <= max_depth:  # cannot nest deeper: nothing to count
        return document
    # The document is valid JSON: without its strings, its brackets alone tell its depth.
    depth = 0
    for bracket in _NOT_BRACKET.sub("", _STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > max_depth:
            raise JsonTooDeepError(f"the JSON document nests deeper than {max_depth} levels")
    return document
