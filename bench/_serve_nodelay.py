"""`intrro-gateway serve …` with TCP_NODELAY set on the listening socket (inherited by every accepted one).

Used by `bench/ingress.py --tcp-nodelay` to measure the gateway as it would run once `bind()` in
`entrypoints/serving.py` makes its sockets with `IPPROTO_TCP`: a socket made with protocol 0 is
skipped by asyncio's own TCP_NODELAY set-up, so a response whose body is written after its head waits
for the client's delayed ACK (about 40 ms) on a kept-alive connection. Everything else is the shipped
command.
"""

from __future__ import annotations

import socket
import sys

import _common  # noqa: F401 - first: takes `bench/` (and its domain.py) off the import path

import intrro_gateway.entrypoints.cli.commands.serve as serve_command
import intrro_gateway.entrypoints.serving as serving
from intrro_gateway.entrypoints.cli import main

_shipped_bind = serving.bind


def bind_nodelay(host: str, port: int) -> socket.socket:
    """The shipped `bind`, with TCP_NODELAY on the listening socket."""
    sock = _shipped_bind(host, port)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


if __name__ == "__main__":
    serving.bind = bind_nodelay
    vars(serve_command)["bind"] = bind_nodelay
    sys.exit(main(sys.argv[1:]))
