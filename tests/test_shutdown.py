"""Stopping never hangs. A task cancelled just as what it awaits completes still ends (on
Python 3.11 ``asyncio.wait_for`` drops such a cancellation: the reconciler's loop then ran
on, and a stopping Jupyter server waited for it until CI's timeout), and a task that does
not end in time is named in the log and left behind rather than waited for."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

import pytest
from traitlets.config import Config

from jupyter_primehub_models.config import PrimeHubModels
from jupyter_primehub_models.deployments.backends.local.supervisor import Unit
from jupyter_primehub_models.deployments.store import Store
from jupyter_primehub_models.deployments.tasks import cancel_and_wait
from jupyter_primehub_models.services import build_services


async def turns(n: int) -> None:
    """Let the event loop run ``n`` times round (callbacks of finished calls land)."""
    for _ in range(n):
        await asyncio.sleep(0)


async def test_a_loop_of_store_calls_ends_whenever_it_is_cancelled(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    await store.open()

    async def poll() -> None:  # the reconciler's loop, flat out
        while True:
            await store.changed()

    try:
        # cancelled at every point of a call: before it, on the store's thread, and in the
        # loop turns that hand its answer back
        for round_ in range(600):
            task = asyncio.create_task(poll())
            await turns(round_ % 30)
            task.cancel()
            done, _ = await asyncio.wait([task], timeout=10)
            assert done, f"round {round_}: cancelled, the loop went on"
            assert task.cancelled()
    finally:
        store.close()


async def test_a_supervisor_woken_as_it_is_cancelled_ends(tmp_path: Path) -> None:
    for woken_turns_before in range(6):
        unit = Unit("d-1", tmp_path / "log")
        task = asyncio.create_task(unit.sleep(3600))
        await turns(1)
        unit.wake.set()  # a new spec, or a process that exited
        await turns(woken_turns_before)
        if task.cancel():  # (False: it had already woken and returned)
            with pytest.raises(asyncio.CancelledError):
                await task


async def test_the_services_close_while_the_reconciler_polls_flat_out(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for round_ in range(40):
        state = tmp_path / str(round_)
        config = Config()
        config.PrimeHubModels.state_dir = config.LocalBackend.state_dir = str(state)
        config.PrimeHubModels.db_url = f"sqlite:///{state}.sqlite"
        settings = PrimeHubModels(config=config)
        services = build_services(settings, environ={})
        services.reconciler.poll = 0.0  # a store call every loop turn
        await services.ensure_started()
        await turns(round_)
        closing = asyncio.create_task(services.aclose())
        done, _ = await asyncio.wait([closing], timeout=60)
        assert done, f"round {round_}: the services did not close"
        closing.result()
        assert "did not stop" not in caplog.text, f"round {round_}"


async def test_a_task_that_will_not_end_is_named_and_left(
    caplog: pytest.LogCaptureFixture,
) -> None:
    release = asyncio.Event()

    async def deaf() -> None:  # swallows every cancellation until released
        while not release.is_set():
            with contextlib.suppress(asyncio.CancelledError):
                await release.wait()

    task = asyncio.create_task(deaf())
    await turns(1)
    with caplog.at_level(logging.ERROR):
        assert not await cancel_and_wait([task], "the deaf task", within=0.2)
    assert "the deaf task did not stop within 0.2 s after being cancelled" in caplog.text
    assert not task.done()
    release.set()
    await task
    assert await cancel_and_wait([], "nothing")
