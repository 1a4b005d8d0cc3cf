"""One supervisor task per deployment converges its serving processes to the spec.

Start them and wait for ``/ping``; check health; restart crashed ones with bounded
backoff; mark the deployment ``Failed`` with the last log lines when it gives up. A
deployment serves one set of replicas per model URI of its traffic split. A new model URI
starts its set beside the running ones, switches traffic once it answers, drains the
requests still in flight on the sets it replaces, then stops them — no request is
dropped; a new replica count or env starts every set anew, the same way. New weights
restart nothing: the proxy routes by them at once (``Unit.pick``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .logs import LOG_ROTATE_BYTES, last_failure, rotate, tail
from .processes import Processes, Replica, StartFailed

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Spec:
    #: the model URIs served (pinned), one set of ``replicas`` processes each
    models: tuple[str, ...]
    replicas: int
    env: tuple[tuple[str, str], ...]


@dataclass(eq=False)
class Unit:
    """One deployment's processes and what the supervisor knows of them."""

    id: str
    log_path: Path
    spec: Spec | None = None
    active: list[Replica] = field(default_factory=list)
    active_spec: Spec | None = None
    phase: str = "Deploying"
    message: str = ""
    failed_spec: Spec | None = None
    failed_update: str | None = None
    crashes: list[float] = field(default_factory=list)
    #: failed starts of the current spec, in a row
    attempts: int = 0
    #: the record's revision when it was seen Failed (a later one tries again)
    failed_revision: int | None = None
    next_replica: int = 0
    #: the record's weights (model URI → percent), and the ones routed by now: they become
    #: the record's once the sets they name run
    weights: dict[str, int] = field(default_factory=dict)
    routing: dict[str, int] = field(default_factory=dict)
    #: smooth weighted round-robin state (model URI → current weight)
    _turns: dict[str, int] = field(default_factory=dict)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None

    def pick(self) -> Replica | None:
        """The replica for the next request: a model URI by weight (smooth weighted
        round-robin: exact shares, evenly spread), then its ready replicas in turn. A set
        with no weight gets nothing while another has some."""
        ready: dict[str, list[Replica]] = {}
        for replica in self.active:
            if replica.ready and replica.alive:
                ready.setdefault(replica.model_uri, []).append(replica)
        if not ready:
            return None
        weights = {uri: self.routing.get(uri, 0) for uri in ready}
        if not any(weights.values()):
            weights = dict.fromkeys(ready, 1)
        total = sum(weights.values())
        for uri, weight in weights.items():
            self._turns[uri] = self._turns.get(uri, 0) + weight
        chosen = max(weights, key=lambda uri: self._turns[uri])
        self._turns[chosen] -= total
        for uri in [u for u in self._turns if u not in weights]:
            del self._turns[uri]
        replicas = ready[chosen]
        self.next_replica += 1
        return replicas[self.next_replica % len(replicas)]

    @property
    def endpoint(self) -> str | None:
        ready = [r for r in self.active if r.ready]
        return ready[0].address if ready else None

    async def sleep(self, seconds: float) -> None:
        """Sleep, unless the spec changes first."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self.wake.wait()
        self.wake.clear()

    async def last_failure(self) -> str:
        return last_failure(await asyncio.to_thread(tail, self.log_path, 400))


@dataclass
class Policy:
    """How patient the supervisor is (``c.LocalBackend`` settings)."""

    health_interval: float = 5.0
    max_restarts: int = 3
    restart_window: float = 600.0
    drain_timeout: float = 60.0
    log_max_bytes: int = LOG_ROTATE_BYTES


class Supervisor:
    def __init__(self, processes: Processes, policy: Policy, changed: Callable[[], None]):
        self.processes = processes
        self.policy = policy
        #: tells the reconciler something changed (a phase, a process)
        self._changed = changed
        #: a task per process started here, waiting for it to exit (cancelled at close)
        self.reapers: set[asyncio.Task[None]] = set()

    def start(self, unit: Unit) -> None:
        """Supervise ``unit`` in a task of its own (once)."""
        if unit.task is None:
            unit.task = asyncio.get_running_loop().create_task(self._supervise(unit))
            unit.task.add_done_callback(lambda task: self._ended(unit, task))

    def _ended(self, unit: Unit, task: asyncio.Task[None]) -> None:
        if task.cancelled():
            return
        err = task.exception()
        if err is not None:
            log.error("PrimeHub Models: the supervisor of %s died", unit.id, exc_info=err)

    def _set(self, unit: Unit, phase: str, message: str = "") -> None:
        unit.phase, unit.message = phase, message
        self._changed()

    async def _supervise(self, unit: Unit) -> None:
        while True:
            try:
                await self._step(unit)
            except asyncio.CancelledError:
                raise
            except Exception as err:  # whatever it is, the deployment says so: Failed
                log.error("PrimeHub Models: supervising %s failed", unit.id, exc_info=err)
                await self._give_up(unit, f"Cannot run the serving process: {_reason(err)}")

    async def _give_up(self, unit: Unit, why: str) -> None:
        """Stop trying this spec (a new spec, start, stop or delete move on from here)."""
        unit.failed_spec = unit.spec
        try:
            await self.processes.kill_all(unit.active)
        except Exception as err:
            log.error("PrimeHub Models: cannot stop %s's processes", unit.id, exc_info=err)
        unit.active, unit.active_spec = [], None
        self._set(unit, "Failed", why)
        await unit.sleep(3600)

    async def _step(self, unit: Unit) -> None:
        spec = unit.spec
        if spec is None:
            if unit.active:
                self._set(unit, "Stopping")
                old, unit.active, unit.active_spec = unit.active, [], None
                await self.processes.kill_all(old)
            self._set(unit, "Stopped")
            await unit.sleep(3600)
            return
        if spec == unit.failed_spec and not unit.active:
            await unit.sleep(3600)  # gave up on this spec: wait for a new one
            return
        if spec != unit.active_spec and spec != unit.failed_spec:
            if await self._roll_out(unit, spec):
                unit.attempts = 0
            elif not unit.active:
                unit.attempts += 1
                if unit.attempts > self.policy.max_restarts:
                    unit.failed_spec = spec
                    why = await unit.last_failure()
                    self._set(unit, "Failed", f"Gave up after {unit.attempts} attempts:\n{why}")
                else:
                    await unit.sleep(min(2**unit.attempts, 30))
            return
        if not all(r.alive for r in unit.active):
            await self._recover(unit)
            return
        await unit.sleep(self.policy.health_interval)
        await self._check_health(unit)

    async def _roll_out(self, unit: Unit, spec: Spec) -> bool:
        """Start the sets ``spec`` adds (every set, if the replica count or env changed);
        switch to them once they answer, then drain and stop the sets they replace."""
        running = unit.active_spec
        same_kind = running is not None and (running.replicas, running.env) == (
            spec.replicas, spec.env)  # fmt: skip
        kept = [r for r in unit.active if same_kind and r.model_uri in spec.models]
        adding = [uri for uri in spec.models if not any(r.model_uri == uri for r in kept)]
        updating = bool(unit.active)
        shown = ", ".join(adding)
        if updating:
            self._set(unit, "Deployed", f"Updating to {shown}")
        else:
            self._set(unit, "Deploying", f"Starting {shown}")
        try:
            fresh = await self._start_set(
                unit, [uri for uri in adding for _ in range(spec.replicas)], dict(spec.env)
            )
        except StartFailed as err:
            if updating:
                unit.failed_spec = spec
                unit.failed_update = adding[0] if len(adding) == 1 else shown
                current = ", ".join(unit.active_spec.models) if unit.active_spec else "?"
                self._set(
                    unit, "Deployed", f"Update to {shown} failed; still serving {current}: {err}"
                )
            else:
                self._set(unit, "Deploying", f"Start failed, retrying: {err}")
            return False
        old = [r for r in unit.active if r not in kept]
        unit.active, unit.active_spec = kept + fresh, spec
        unit.routing = dict(unit.weights)
        unit.failed_spec, unit.failed_update = None, None
        self._set(unit, "Deployed")
        if old:
            await self._drain(old)
            await self.processes.kill_all(old)
        return True

    async def _recover(self, unit: Unit) -> None:
        """Some replicas died: count the crash, then replace them, or give up."""
        now = time.monotonic()
        window = self.policy.restart_window
        unit.crashes = [t for t in unit.crashes if now - t < window] + [now]
        dead = [r for r in unit.active if not r.alive]
        unit.active = [r for r in unit.active if r.alive]
        if len(unit.crashes) > self.policy.max_restarts:
            tail_lines = await unit.last_failure()
            await self.processes.kill_all(unit.active)
            unit.active, unit.active_spec = [], None
            unit.failed_spec = unit.spec
            self._set(
                unit, "Failed", f"Crashed {len(unit.crashes)} times; last output:\n{tail_lines}"
            )
            return
        log.warning("Deployment %s: %d serving process(es) died; restarting", unit.id, len(dead))
        await unit.sleep(min(2 ** (len(unit.crashes) - 1), 30))
        spec = unit.active_spec
        if not unit.active or spec is None:
            # nothing serves: start over through the roll-out, which counts attempts
            unit.active_spec = None
            self._set(unit, "Deploying", "Restarting after a crash")
            return
        self._set(unit, "Deployed", "Replacing a crashed replica")
        try:
            fresh = await self._start_set(unit, [r.model_uri for r in dead], dict(spec.env))
        except StartFailed as err:
            self._set(unit, "Deployed", f"Replacing a crashed replica failed: {err}")
            return
        unit.active = unit.active + fresh
        self._set(unit, "Deployed")

    async def _check_health(self, unit: Unit) -> None:
        # the log rotates while the processes write to it (access lines pile up)
        await asyncio.to_thread(rotate, unit.log_path, self.policy.log_max_bytes)
        for replica in list(unit.active):
            if not replica.alive:
                continue
            if await self.processes.ping(replica):
                replica.failed_pings = 0
            else:
                replica.failed_pings += 1
                if replica.failed_pings >= 3:  # hung: treat as crashed
                    await self.processes.kill(replica)

    async def _drain(self, replicas: list[Replica]) -> None:
        deadline = time.monotonic() + self.policy.drain_timeout
        while any(r.inflight for r in replicas) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)

    async def _start_set(self, unit: Unit, models: list[str], env: dict[str, str]) -> list[Replica]:
        """One process per entry of ``models`` (a model URI), all answering, or none."""
        replicas: list[Replica] = []
        try:
            for model_uri in models:
                replica = await self.processes.spawn(unit.id, unit.log_path, model_uri, env)
                reaper = asyncio.get_running_loop().create_task(self._reap(unit, replica))
                self.reapers.add(reaper)
                reaper.add_done_callback(self.reapers.discard)
                replicas.append(replica)
            await asyncio.gather(*(self.processes.wait_ready(r, unit.log_path) for r in replicas))
        except BaseException:
            await asyncio.gather(
                *(self.processes.kill(r) for r in replicas), return_exceptions=True
            )
            raise
        return replicas

    async def _reap(self, unit: Unit, replica: Replica) -> None:
        assert replica.process is not None
        await replica.process.wait()
        unit.wake.set()
        self._changed()


def _reason(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0] if text else ''}".rstrip(": ")[:500]
