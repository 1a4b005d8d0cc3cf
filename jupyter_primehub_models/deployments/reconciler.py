"""Drives a backend towards the store's desired state, like a Kubernetes controller.

Any number of processes may share a store; the one holding the store's lease drives the
backend (``leading``), the others only keep their view of the records fresh (the scoring
path routes by it) and write desired state through the service. The lease is renewed
every third of its TTL; a process that cannot renew it in time stops driving, and when
the holder dies another takes over within the TTL and adopts what runs.

A pass runs when this process writes the store (``kick``), when the backend sees a
change (a process became ready or died), or when the store's revision says another
process committed; otherwise every ``resync`` seconds. Each pass is one query plus one
status write per deployment whose status actually changed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid

from ..errors import ApiError
from . import history
from .backends.base import Backend
from .environment import Environments
from .record import Record, RecordCache
from .store import Store
from .tasks import cancel_and_wait

log = logging.getLogger(__name__)


def gone(holder: str) -> bool:
    """Whether lease holder ``holder`` ("host:pid:nonce") was a process of this host that
    no longer runs (another host's, or one still running: not known to be gone)."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:  # a zombie (killed, not yet reaped by its parent) is gone too
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b") ", 1)[1][:1] == b"Z"
    except (OSError, IndexError):
        return False


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
        lease_ttl: float = 15.0,
        may_lead: bool = True,
    ):
        self.store = store
        self.backend = backend
        #: the groups in force and each deployment's environment
        self.environments = environments
        #: every pass leaves the records it saw here (the scoring path reads them)
        self.cache = cache
        self.poll = poll
        self.resync = resync
        self.lease_ttl = lease_ttl
        #: False in team mode on a user's server: the hub service drives the backend
        self.may_lead = may_lead
        #: who this process is to the lease: host, pid and a nonce (a pid can be reused)
        self.identity = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.leading = False
        self._lease_until = 0.0  # (monotonic) when the lease we hold runs out
        self._dead: str | None = None  # a holder seen gone: taken over on the next try
        self._trouble: str | None = None  # the store's error, as last logged
        self._kick = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.passes = 0

    def kick(self) -> None:
        self._kick.set()

    async def start(self) -> None:
        info = await self.store.open()
        self.backend.store_id = info.store_id
        await self._keep_lease()
        if not self.leading:
            await self.observe_once()
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._run()), loop.create_task(self._lease_loop())]

    async def stop(self) -> None:
        await cancel_and_wait(self._tasks, "the reconciler")
        self._tasks = []
        if self.leading:
            try:
                await self._save_runtime()
            except Exception as err:  # (the store may be gone too: nothing more to do)
                log.warning("PrimeHub Models: cannot record what runs at shutdown: %s", err)
        await self.backend.close()
        if self.leading:  # the next process need not wait for the TTL
            self.leading = False
            try:
                await self.store.give_up_lease(self.identity)
            except Exception as err:  # it then lapses after lease_ttl: said, not hidden
                reason = err.message if isinstance(err, ApiError) else type(err).__name__
                log.warning("PrimeHub Models: cannot give up the lease (it lapses after "
                            "%g s): %s", self.lease_ttl, reason)  # fmt: skip

    async def _save_runtime(self) -> None:
        """Before letting go: what runs now is in the store (a process that became ready
        since the last pass too), so that whoever leads next adopts it, never loses it."""
        for record in await self.store.list():
            if record.backend != self.backend.name or record.damaged:
                continue
            seen = self.backend.status(record)
            if seen.runtime and dict(seen.runtime) != record.runtime:
                await self.store.set_status(record.id, runtime=dict(seen.runtime),
                                            phase=seen.phase, endpoint=seen.endpoint)  # fmt: skip

    # -- the lease -------------------------------------------------------------------------

    async def _lease_loop(self) -> None:
        while True:
            await asyncio.sleep(self.lease_ttl / 3)
            try:
                await self._keep_lease()
            except ApiError:  # (the store is unavailable: said by the run loop)
                pass
            except Exception as err:
                log.error("PrimeHub Models: the reconciler lease", exc_info=err)

    async def _keep_lease(self) -> None:
        """Take or renew the lease; lead when it became ours, step back when it is not."""
        if not self.may_lead:
            return
        asked = time.monotonic()
        try:
            holder = await self.store.take_lease(self.identity, socket.gethostname(),
                                                 self.lease_ttl, self._dead)  # fmt: skip
        except Exception:
            if self.leading and time.monotonic() >= self._lease_until:
                await self._step_back("the store could not renew the lease in time")
            raise
        self._dead = None
        if holder.holder == self.identity:
            self._lease_until = asked + self.lease_ttl
            if not self.leading:
                await self._lead()
            return
        if self.leading:
            await self._step_back(f"{holder.holder} holds the lease now")
        if holder.live and holder.holder and gone(holder.holder):
            # its process on this host is gone (killed, crashed): no need to wait for the
            # TTL; the next try takes it over
            self._dead = holder.holder
            await self._keep_lease()

    async def _lead(self) -> None:
        log.info("PrimeHub Models: this process drives the %s backend (lease %s)",
                 self.backend.name, self.identity)  # fmt: skip
        records = await self.store.list(include_deleted=True)
        await self.backend.adopt([r for r in records if r.backend == self.backend.name])
        self.leading = True
        await self.reconcile_once()

    async def _step_back(self, why: str) -> None:
        log.warning("PrimeHub Models: no longer driving the backend: %s", why)
        self.leading = False
        await self.backend.release()

    async def _run(self) -> None:
        idle = 0.0
        while True:
            waits = [
                asyncio.ensure_future(self._kick.wait()),
                asyncio.ensure_future(self.backend.changed.wait()),
            ]
            try:
                done, _ = await asyncio.wait(waits, timeout=self.poll)
            finally:  # (cancelled too: nothing is left waiting)
                for w in waits:
                    w.cancel()
            woken = bool(done)
            self._kick.clear()
            self.backend.changed.clear()
            idle = 0.0 if woken else idle + self.poll
            try:
                if woken or await self.store.changed() or idle >= self.resync:
                    idle = 0.0
                    if self.leading:
                        await self.reconcile_once()
                    else:
                        await self.observe_once()
                if self._trouble is not None:
                    log.info("PrimeHub Models: the store answers again; reconciling resumed")
                    self._trouble = None
            except ApiError as err:  # (the store is unavailable: it says why, once)
                if err.message != self._trouble:
                    log.error("PrimeHub Models: reconcile pass failed: %s", err.message)
                self._trouble = err.message
            except Exception as err:
                log.error("PrimeHub Models: reconcile pass failed", exc_info=err)

    async def observe_once(self) -> None:
        """Not the lease holder: only refresh this process's view of the records."""
        self.cache.replace_all(await self.store.list(include_deleted=True))

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
            changes["history"] = history.append(
                record, last.get("action") or "update", record.shares, by=last.get("by"),
                status="failed", model_uri=failed, message=seen.message,
            )  # fmt: skip
        if changes:
            return await self.store.set_status(record.id, **changes)
        return record
