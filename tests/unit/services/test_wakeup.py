"""The work signal: a commit's `ready()` wakes idle waiters at once, and no signal is lost."""

from __future__ import annotations

import asyncio
import threading

from intrro_gateway.services.wakeup import Wakeup

LONG = 30.0  # a wait that only ends early when signalled


async def test_ready_wakes_a_waiting_waiter() -> None:
    wakeup = Wakeup()
    waiter = wakeup.waiter()
    waiting = asyncio.create_task(waiter.wait(LONG))
    await asyncio.sleep(0)
    assert not waiting.done()
    wakeup.ready()
    assert await asyncio.wait_for(waiting, LONG) is True


async def test_a_signal_between_clear_and_wait_is_kept() -> None:
    wakeup = Wakeup()
    waiter = wakeup.waiter()
    waiter.clear()
    wakeup.ready()  # work committed while the worker was still claiming
    assert await waiter.wait(LONG) is True


async def test_clear_forgets_earlier_signals_and_the_timeout_still_ends_the_wait() -> None:
    wakeup = Wakeup()
    waiter = wakeup.waiter()
    wakeup.ready()
    waiter.clear()
    assert await waiter.wait(0.01) is False


async def test_stop_ends_the_wait() -> None:
    waiter = Wakeup().waiter()
    stop = asyncio.Event()
    waiting = asyncio.create_task(waiter.wait(LONG, stop))
    await asyncio.sleep(0)
    stop.set()
    assert await asyncio.wait_for(waiting, LONG) is True


async def test_a_closed_waiter_is_not_rung_and_every_other_one_is() -> None:
    wakeup = Wakeup()
    first, second, closed = wakeup.waiter(), wakeup.waiter(), wakeup.waiter()
    closed.close()
    wakeup.ready()
    assert await first.wait(0) and await second.wait(0)
    assert await closed.wait(0) is False


async def test_a_commit_on_another_thread_wakes_a_waiter_on_this_loop() -> None:
    wakeup = Wakeup()
    waiter = wakeup.waiter()
    waiting = asyncio.create_task(waiter.wait(LONG))
    await asyncio.sleep(0)
    thread = threading.Thread(target=wakeup.ready)
    thread.start()
    assert await asyncio.wait_for(waiting, LONG) is True
    thread.join()


async def test_the_relay_runs_while_someone_relays_and_is_cancelled_after_the_last() -> None:
    started, cancelled = asyncio.Event(), asyncio.Event()

    async def relay(wakeup: Wakeup) -> None:
        started.set()
        wakeup.ready()
        try:
            await asyncio.Event().wait()
        finally:
            cancelled.set()

    wakeup = Wakeup(relay)
    waiter = wakeup.waiter()
    async with wakeup.relaying():
        async with wakeup.relaying():
            await asyncio.wait_for(started.wait(), LONG)
        assert not cancelled.is_set()  # one user is still inside
        assert await waiter.wait(LONG) is True
    assert cancelled.is_set()
