"""The embedded backend: each deployment is serving processes on this machine.

Each process is MLflow's own scoring server (``serve.py``) on a Unix socket in a private
folder. Processes run in their own sessions, so they outlive a Jupyter server that is
killed, and the next one adopts them (``adopt``). ``supervisor.py`` converges each
deployment's processes to its spec; ``processes.py`` starts, pings and kills them;
``logs.py`` holds their output.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import sys
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

from jupyter_core.paths import jupyter_data_dir
from traitlets import Float, Int, Unicode, default

from ....errors import Conflict
from ...environment import base_env
from ...record import Record
from ...tasks import cancel_and_wait
from ..base import Backend, Observed, Upstream
from .logs import LOG_ROTATE_BYTES, append, log_path, tail
from .processes import Processes, Replica, default_socket_dir
from .supervisor import Policy, Spec, Supervisor, Unit


class LocalBackend(Backend):
    """``c.LocalBackend.*``: where state lives, how patient to be."""

    name = "local"

    state_dir = Unicode(
        help="Logs of the serving processes (default: in the Jupyter data dir)."
    ).tag(config=True)
    socket_dir = Unicode(
        help="The private (0700) folder of the serving processes' sockets (default: "
        "<state_dir>/sockets, or a folder of this user's in the temp dir when that path "
        "is too long for a socket address)."
    ).tag(config=True)
    serving_python = Unicode(
        help="The Python that runs serving processes (default: this one)."
    ).tag(config=True)
    start_timeout = Float(300.0, help="Seconds a serving process may take to answer /ping.").tag(
        config=True
    )
    health_interval = Float(5.0, help="Seconds between health checks.").tag(config=True)
    max_restarts = Int(
        3, help="Crashes (or failed starts) tolerated within restart_window before Failed."
    ).tag(config=True)
    restart_window = Float(600.0, help="Seconds over which crashes are counted.").tag(config=True)
    drain_timeout = Float(60.0, help="Seconds to wait for in-flight requests on a swap.").tag(
        config=True
    )
    log_max_bytes = Int(
        LOG_ROTATE_BYTES, help="A deployment's log rotates (while it runs) past this size."
    ).tag(config=True)

    @default("state_dir")
    def _default_state_dir(self) -> str:
        return str(Path(jupyter_data_dir()) / "primehub_models")

    @default("socket_dir")
    def _default_socket_dir(self) -> str:
        return str(default_socket_dir(self.state_dir))

    @default("serving_python")
    def _default_python(self) -> str:
        return sys.executable

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._units: dict[str, Unit] = {}
        self._not_ours: set[int] = set()
        self.processes = Processes(
            self.serving_python, Path(self.socket_dir), self.start_timeout, self.log_max_bytes
        )
        policy = Policy(
            self.health_interval, self.max_restarts, self.restart_window, self.drain_timeout,
            self.log_max_bytes,
        )  # fmt: skip
        self.supervisor = Supervisor(self.processes, policy, self.changed.set)

    # -- Backend ---------------------------------------------------------------------------

    async def adopt(self, records: list[Record]) -> None:
        self.processes.store_id = self.store_id
        for record in records:
            replicas = [Replica.recorded(r, ready=True) for r in record.runtime.get("replicas", ())]
            ours = [r for r in replicas if r.ours]
            self._left_alone(record, [r for r in replicas if r not in ours])
            keep = [r for r in ours if record.desired == "running" and await self.processes.ping(r)]
            await self.processes.kill_all([r for r in ours if r not in keep])
            if keep:
                unit = self._unit(record, supervise=False)
                unit.active = keep
                # an earlier release's processes (on ports) are replaced, without downtime,
                # by processes on sockets: no spec is taken as running for them
                legacy = any(r.socket is None for r in keep)
                models = tuple(dict.fromkeys(r.model_uri for r in keep))
                per_set = max(sum(r.model_uri == uri for r in keep) for uri in models)
                unit.active_spec = None if legacy else Spec(models, per_set, ())
                unit.routing = _weights(record)
                unit.phase = "Deployed"
                self.log.info("Adopted %d serving process(es) of %s", len(keep), record.id)

    def _left_alone(self, record: Record, strangers: list[Replica]) -> None:
        for replica in strangers:
            if replica.pid not in self._not_ours:
                self._not_ours.add(replica.pid)
                self.log.info(
                    "PrimeHub Models: pid %d recorded for %s is not a process of ours any "
                    "more (another start time or command line): left alone",
                    replica.pid, record.id,
                )  # fmt: skip

    async def apply(self, record: Record, env: Mapping[str, str]) -> None:
        unit = self._unit(record)
        full = {**base_env(), **env}
        models = tuple(str(s.serving) for s in record.shares)
        spec = Spec(models, record.replicas, tuple(sorted(full.items())))
        if unit.active_spec is not None and unit.active_spec.env == () and unit.active:
            # adopted: we did not know its env; take the current one as what runs
            unit.active_spec = Spec(unit.active_spec.models, unit.active_spec.replicas, spec.env)
        unit.weights = _weights(record)
        if spec == unit.active_spec:
            unit.routing = dict(unit.weights)  # new weights alone: routed by at once
        if unit.phase != "Failed":
            unit.failed_revision = None
        elif spec == unit.failed_spec:
            if unit.failed_revision is None:
                unit.failed_revision = record.revision
            elif record.revision > unit.failed_revision:
                # changed since it failed (started again): try this spec once more
                unit.failed_spec, unit.failed_revision, unit.attempts = None, None, 0
                unit.phase, unit.message = "Deploying", ""
                unit.wake.set()
        if spec != unit.spec:
            unit.spec = spec
            unit.wake.set()

    async def stop(self, record: Record) -> None:
        unit = self._units.get(record.id)
        if unit is not None:
            unit.spec = None
            self._unit(record)  # an adopted unit's supervisor stops what runs
            unit.wake.set()
            return
        # not supervised here (a record this server never ran): what it records, if ours
        recorded = [Replica.recorded(r) for r in record.runtime.get("replicas", ())]
        await self.processes.kill_all([r for r in recorded if r.ours])

    async def delete(self, record: Record) -> None:
        unit = self._units.pop(record.id, None)
        replicas = unit.active if unit else []
        if unit and unit.task:
            # (a supervisor that died was logged when it ended)
            await cancel_and_wait([unit.task], f"the supervisor of {record.id}")
            replicas = unit.active
        # processes this server never knew (deleted while it was down)
        known = {r.pid for r in replicas}
        for r in record.runtime.get("replicas", ()):
            found = Replica.recorded(r)
            if found.pid not in known:
                replicas.append(found)
        await self.processes.kill_all(replicas)

    def status(self, record: Record) -> Observed:
        unit = self._units.get(record.id)
        if unit is None:
            phase = "Stopped" if record.desired == "stopped" else "Deploying"
            return Observed(phase=phase, message="" if phase == "Stopped" else record.message)
        return Observed(
            phase=unit.phase,
            message=unit.message,
            endpoint=unit.endpoint,
            runtime={"replicas": [r.describe() for r in unit.active]},
            failed_update=unit.failed_update,
        )

    async def logs(self, record: Record, tail_lines: int) -> list[str]:
        return await asyncio.to_thread(tail, log_path(self.state_dir, record.id), tail_lines)

    async def note(self, record: Record, text: str) -> None:
        await asyncio.to_thread(append, log_path(self.state_dir, record.id), text)

    @contextlib.asynccontextmanager
    async def route(self, record: Record) -> AsyncIterator[Upstream]:
        unit = self._units.get(record.id)
        if unit is None:
            # this process does not run it (a kernel, or a server that is not the one
            # serving): the processes the store records, on this host
            yield self._recorded_upstream(record)
            return
        replica = unit.pick()
        if replica is None:
            raise Conflict(f"Deployment {record.id!r} is not serving (phase {record.phase})")
        replica.inflight += 1
        try:
            yield replica.upstream
        finally:
            replica.inflight -= 1

    def _recorded_upstream(self, record: Record) -> Upstream:
        replicas = [Replica.recorded(r) for r in record.runtime.get("replicas", ())]
        usable = [r for r in replicas if (r.socket is None or Path(r.socket).exists()) and r.ours]
        if record.phase != "Deployed" or not usable:
            raise Conflict(f"Deployment {record.id!r} is not serving (phase {record.phase})")
        weights = _weights(record)
        shares = [weights.get(r.model_uri, 0) for r in usable]
        return random.choices(usable, weights=shares if any(shares) else None)[0].upstream

    async def close(self) -> None:
        tasks = [u.task for u in self._units.values() if u.task]
        await cancel_and_wait([*tasks, *self.supervisor.reapers], "the local backend's supervisors")

    async def release(self) -> None:
        """Supervise nothing more; the processes keep serving, routed to by their records,
        and the next lease holder adopts them."""
        await self.close()
        self._units.clear()

    # -- units -----------------------------------------------------------------------------

    def _unit(self, record: Record, supervise: bool = True) -> Unit:
        """The record's unit; its supervisor starts once the spec is known (apply or stop)."""
        unit = self._units.get(record.id)
        if unit is None:
            unit = Unit(record.id, log_path(self.state_dir, record.id))
            self._units[record.id] = unit
        if supervise:
            self.supervisor.start(unit)
        return unit


def _weights(record: Record) -> dict[str, int]:
    """Model URI served (pinned) → its percent of the record's traffic."""
    return {str(s.serving): s.weight for s in record.shares}
