"""Background work for the panels: the kernel's thread only ever waits on widgets.

Every MLflow or store call goes through the scripting API (its own event loop, a timeout
per call) from a small thread pool; results and errors come back to a callback, and an
error is always shown in the panel, never lost in a thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from ..errors import ApiError

log = logging.getLogger(__name__)
T = TypeVar("T")


def message_of(error: BaseException) -> str:
    """What the user reads: our API's message, or the exception's own line (no traceback)."""
    if isinstance(error, ApiError):
        return error.message
    if isinstance(error, TimeoutError):
        return "The call did not finish in time."
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".rstrip(": ")


class Worker:
    def __init__(self, on_error: Callable[[str], None], on_busy: Callable[[bool], None]):
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="primehub-panel")
        self._on_error = on_error
        self._on_busy = on_busy
        self._lock = threading.Lock()
        self._pending: set[Future[Any]] = set()
        self._timers: set[threading.Timer] = set()

    def run(
        self,
        work: Callable[[], T],
        then: Callable[[T], None] | None = None,
        *,
        quiet: bool = False,
    ) -> Future[Any]:
        """``work()`` in the pool, then ``then(result)``; an error goes to the panel."""

        def job() -> None:
            try:
                result = work()
                if then is not None:
                    then(result)
            except Exception as err:  # shown in the panel, logged with its traceback
                log.debug("PrimeHub Models panel: %s", err, exc_info=True)
                self._on_error(message_of(err))

        future = self._pool.submit(job)
        with self._lock:
            self._pending.add(future)
            busy = bool(self._pending) and not quiet
        if busy:
            self._on_busy(True)
        future.add_done_callback(self._done)
        return future

    def later(
        self, seconds: float, action: Callable[[], None], *, track: bool = True
    ) -> threading.Timer:
        """``action()`` after a pause: a search debounce (``track``: ``wait()`` waits for
        it) or a live refresh (not tracked: it re-arms itself while its view is shown)."""

        def fire() -> None:
            with self._lock:
                self._timers.discard(timer)
            try:
                action()
            except Exception as err:
                log.debug("PrimeHub Models panel: %s", err, exc_info=True)
                self._on_error(message_of(err))

        timer = threading.Timer(seconds, fire)
        timer.daemon = True
        if track:
            with self._lock:
                self._timers.add(timer)
        timer.start()
        return timer

    def cancel(self, timer: threading.Timer | None) -> None:
        if timer is not None:
            timer.cancel()
            with self._lock:
                self._timers.discard(timer)

    def _done(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)
            idle = not self._pending
        if idle:
            self._on_busy(False)

    def idle(self, include_timers: bool = True) -> bool:
        with self._lock:
            return not self._pending and not (include_timers and self._timers)

    def wait(self, timeout: float = 120, include_timers: bool = True) -> None:
        """Until nothing is pending (tests, scripts); TimeoutError after ``timeout``."""
        deadline = time.monotonic() + timeout
        while not self.idle(include_timers):
            if time.monotonic() > deadline:
                raise TimeoutError("the panel is still busy")
            time.sleep(0.02)
