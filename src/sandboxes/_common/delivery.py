"""Web hook deliveries in background tasks: batches sent at once, after a delay, or held and released in
reverse order; waiting until every one has finished; the HTTP client they go out on.

A sandbox's dispatcher subclasses `DeliveryQueue` with its own send type and says how one send goes out
(`deliver`: the ATS's headers, signature and retries); what it records of each attempt is its own too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import httpx

SendT = TypeVar("SendT")


@dataclass
class DeliveryQueue(Generic[SendT]):
    """Schedules batches of sends on the running event loop and keeps track of them until they end."""

    client: httpx.AsyncClient | None = None
    """The client deliveries go out on; None: one the queue opens for itself (closed by `aclose`)."""
    _held: list[SendT] = field(default_factory=list)
    _unscheduled: list[tuple[list[SendT], float]] = field(default_factory=list)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _owned_client: httpx.AsyncClient | None = None

    async def deliver(self, send: SendT) -> None:
        """Send one delivery and record its outcome (the sandbox's dispatcher says how)."""
        raise NotImplementedError

    def dispatch(self, sends: list[SendT], *, reorder: bool, delay_s: float) -> None:
        """Hold the sends until `release()` (`reorder`), or schedule them to go out after `delay_s`."""
        if reorder:
            self._held.extend(sends)
        else:
            self.schedule(sends, delay_s)

    def release(self) -> None:
        """Send the held (reordered) deliveries, last fired first."""
        held, self._held = self._held, []
        if held:
            self.schedule(list(reversed(held)), 0.0)

    async def flush(self) -> None:
        """Release held deliveries and wait until every pending delivery has finished."""
        self.release()
        pending, self._unscheduled = self._unscheduled, []
        for sends, delay in pending:
            self.schedule(sends, delay)
        current = asyncio.get_running_loop()
        while self._tasks:
            tasks = list(self._tasks)
            local = [task for task in tasks if task.get_loop() is current]
            if local:
                await asyncio.gather(*local)
            if len(local) < len(tasks):
                # Deliveries started by an app served on another loop (Starlette's TestClient
                # runs one in a thread): they cannot be awaited from here, so poll until done.
                await asyncio.sleep(0.01)

    async def aclose(self) -> None:
        """Close the HTTP client the queue opened for itself, if any."""
        if self._owned_client is not None:
            await self._owned_client.aclose()
            self._owned_client = None

    def schedule(self, sends: list[SendT], delay: float) -> None:
        """Deliver the sends in order in a background task after `delay` seconds (kept until `flush`
        when no event loop runs yet)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._unscheduled.append((sends, delay))
            return
        task = loop.create_task(self._deliver_all(sends, delay))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def post(
        self, url: str, body: bytes, headers: Mapping[str, str]
    ) -> tuple[int | None, str | None]:
        """POST one delivery: (the answer's status, None), or (None, the error) when it failed."""
        try:
            response = await self.http().post(url, content=body, headers=dict(headers))
        except httpx.HTTPError as exc:
            return None, repr(exc)
        return response.status_code, None

    def http(self) -> httpx.AsyncClient:
        """The client deliveries go out on."""
        if self.client is not None:
            return self.client
        if self._owned_client is None:
            self._owned_client = httpx.AsyncClient(timeout=10.0)
        return self._owned_client

    async def _deliver_all(self, sends: list[SendT], delay: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        for send in sends:
            await self.deliver(send)
