"""The interfaces the core needs, as `typing.Protocol` classes; each module has its own errors."""
