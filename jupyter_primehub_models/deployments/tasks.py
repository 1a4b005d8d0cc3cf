"""Ending background tasks (the reconciler's loops, the alias poll, the supervisors).

A shutdown waits for them a bounded time: a task that does not end in time is named in the
log and left behind, so that stopping Jupyter never hangs on one. (Timeouts in these tasks
use ``asyncio.timeout``, never ``asyncio.wait_for``: on Python 3.11 ``wait_for`` drops a
cancellation that arrives just as what it waits for completes, and the task runs on.)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

log = logging.getLogger(__name__)

#: how long a shutdown waits for a task to end after cancelling it
STOP_WITHIN = 30.0


async def cancel_and_wait(
    tasks: Iterable[asyncio.Task[Any]], what: str, within: float = STOP_WITHIN
) -> bool:
    """Cancel ``tasks`` and wait until they end, at most ``within`` seconds; False (and said
    in the log, naming ``what``) when some did not. Each task logs its own failures, so an
    exception one ended with is only retrieved here."""
    tasks = list(tasks)
    for task in tasks:
        task.cancel()
    if not tasks:
        return True
    done, running = await asyncio.wait(tasks, timeout=within)
    for task in done:
        if not task.cancelled():
            task.exception()
    if running:
        log.error("PrimeHub Models: %s did not stop within %g s after being cancelled "
                  "(%d task(s) left running)", what, within, len(running))  # fmt: skip
    return not running
