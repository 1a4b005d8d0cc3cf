"""Drives a backend towards the store's desired state, like a Kubernetes controller.

It wakes when this process writes the store (``kick``), when the backend sees a
change (a process became ready or died), or when ``PRAGMA data_version`` says another
process (a kernel) committed; otherwise it resyncs every ``resync`` seconds. Each pass
is one query plus one status write per deployment whose status actually changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from .backends.base import Backend
from .environment import Environments
from .record import Record, RecordCache, now_ms
from .store import Store

log = logging.getLogger(__name__)


class Reconciler:
    def __init__(
        self,
        store: Store,
        backend: Backend,
        environments: Environments,
        cache: RecordCache,
        *,
        poll: float = 0.5,
        resync: float = 10.0,
    ):
        self.store = store
        self.backend = backend
        #: the groups in force and each deployment's environment
        self.environments = environments
        #: every pass leaves the records it saw here (the scoring path reads them)
        self.cache = cache
        self.poll = poll
        self.resync = resync
        self._kick = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.passes = 0

    def kick(self) -> None:
        self._kick.set()

    async def start(self) -> None:
        records = await self.store.list(include_deleted=True)
        await self.backend.adopt([r for r in records if r.backend == self.backend.name])
        await self.reconcile_once()
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.backend.close()

    async def _run(self) -> None:
        idle = 0.0
        while True:
            waits = [
                asyncio.ensure_future(self._kick.wait()),
                asyncio.ensure_future(self.backend.changed.wait()),
            ]
            done, pending = await asyncio.wait(waits, timeout=self.poll)
            for w in pending:
                w.cancel()
            woken = bool(done)
            self._kick.clear()
            self.backend.changed.clear()
            idle = 0.0 if woken else idle + self.poll
            try:
                if woken or await self.store.changed() or idle >= self.resync:
                    idle = 0.0
                    await self.reconcile_once()
            except Exception as err:
                log.error("PrimeHub Models: reconcile pass failed", exc_info=err)

    async def reconcile_once(self) -> None:
        self.passes += 1
        seen = []
        for record in await self.store.list(include_deleted=True):
            if record.backend == self.backend.name:
                try:
                    record = await self._reconcile(record)
                except Exception as err:
                    log.error("PrimeHub Models: cannot reconcile %s", record.id, exc_info=err)
            if record is not None:
                seen.append(record)
        self.cache.replace_all(seen)

    async def _group_removed(self, record: Record) -> Record:
        """The record's group is gone from the configuration: nothing of it may run (it
        would run with no binding, or the server's own). Stopped, and said so once; when
        the group comes back, the next pass serves it again."""
        message = (
            f"group removed: {record.grp!r} is no longer configured; not serving until it is "
            "back in c.PrimeHubModels.groups or groups_file"
        )
        await self.backend.stop(record)
        if record.phase == "Stopped" and record.message == message:
            return record
        log.warning("PrimeHub Models: deployment %s: %s", record.id, message)
        await self.backend.note(record, message)
        return await self.store.set_status(
            record.id, phase="Stopped", message=message, endpoint=None
        )

    async def _reconcile(self, record: Record) -> Record | None:
        """One record towards its desired state; the record as now stored (None: removed)."""
        if record.desired == "deleted":
            await self.backend.delete(record)
            await self.store.remove(record.id)
            return None
        if record.damaged:  # shown as damaged; nothing is done to it until it is deleted
            return record
        group = self.environments.groups.get(record.grp)
        if group is None:
            return await self._group_removed(record)
        if record.desired == "stopped":
            await self.backend.stop(record)
        else:
            await self.backend.apply(record, self.environments.for_record(record))
        seen = self.backend.status(record)
        changes: dict[str, object] = {}
        if seen.phase != record.phase:
            changes["phase"] = seen.phase
        if seen.message != record.message:
            changes["message"] = seen.message
        if seen.endpoint != record.endpoint:
            changes["endpoint"] = seen.endpoint
        if dict(seen.runtime) != record.runtime and (seen.runtime or record.desired != "running"):
            changes["runtime"] = dict(seen.runtime)
        failed = seen.failed_update
        last = record.history[-1] if record.history else {}
        if failed and not (last.get("status") == "failed" and last.get("model_uri") == failed):
            entry = {
                "model_uri": failed,
                "at": now_ms(),
                "status": "failed",
                "message": seen.message,
            }
            changes["history"] = [*record.history, entry]
        if changes:
            return await self.store.set_status(record.id, **changes)
        return record
