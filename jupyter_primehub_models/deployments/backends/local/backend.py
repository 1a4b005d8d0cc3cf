"""The embedded backend: each deployment is ``mlflow models serve`` processes on loopback.

Processes run in their own sessions, so they outlive a Jupyter server that is killed, and
the next one adopts them (``adopt``). ``supervisor.py`` converges each deployment's
processes to its spec; ``processes.py`` starts, pings and kills them; ``logs.py`` holds
their output.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

from jupyter_core.paths import jupyter_data_dir
from traitlets import Float, Int, Tuple, Unicode, default

from ....errors import Conflict
from ...record import Record
from ..base import Backend, Observed
from .logs import log_path, tail
from .processes import Processes, Replica, is_serving_process, pid_alive
from .supervisor import Policy, Spec, Supervisor, Unit


class LocalBackend(Backend):
    """``c.LocalBackend.*``: where state lives, which ports, how patient to be."""

    name = "local"

    state_dir = Unicode(
        help="Logs of the serving processes (default: in the Jupyter data dir)."
    ).tag(config=True)
    port_range = Tuple(
        Int(), Int(), default_value=(20000, 29999), help="Loopback ports for serving processes."
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
    mlflow_command = Unicode(help="The mlflow executable (default: beside this Python).").tag(
        config=True
    )

    @default("state_dir")
    def _default_state_dir(self) -> str:
        return str(Path(jupyter_data_dir()) / "primehub_models")

    @default("mlflow_command")
    def _default_mlflow(self) -> str:
        return str(Path(sys.executable).parent / "mlflow")

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._units: dict[str, Unit] = {}
        self.processes = Processes(self.mlflow_command, self.port_range, self.start_timeout)
        policy = Policy(
            self.health_interval, self.max_restarts, self.restart_window, self.drain_timeout
        )
        self.supervisor = Supervisor(self.processes, policy, self.changed.set)

    # -- Backend ---------------------------------------------------------------------------

    async def adopt(self, records: list[Record]) -> None:
        for record in records:
            replicas = [Replica.recorded(r, ready=True) for r in record.runtime.get("replicas", ())]
            keep = [
                r for r in replicas
                if record.desired == "running" and pid_alive(r.pid)
                and is_serving_process(r.pid, r.port) and await self.processes.ping(r.port)
            ]  # fmt: skip
            for stale in replicas:
                if (
                    stale not in keep
                    and pid_alive(stale.pid)
                    and is_serving_process(stale.pid, stale.port)
                ):
                    await self.processes.kill(stale)
            if keep:
                self.processes.reserve([r.port for r in keep])
                unit = self._unit(record, supervise=False)
                unit.active = keep
                unit.active_spec = Spec(keep[0].model_uri, len(keep), ())
                unit.phase = "Deployed"
                self.log.info("Adopted %d serving process(es) of %s", len(keep), record.id)

    async def apply(self, record: Record, env: Mapping[str, str]) -> None:
        unit = self._unit(record)
        spec = Spec(str(record.serving), record.replicas, tuple(sorted(env.items())))
        if unit.active_spec is not None and unit.active_spec.env == () and unit.active:
            # adopted: we did not know its env; take the current one as what runs
            unit.active_spec = Spec(unit.active_spec.model_uri, unit.active_spec.replicas, spec.env)
        if spec != unit.spec:
            unit.spec = spec
            unit.wake.set()

    async def stop(self, record: Record) -> None:
        unit = self._units.get(record.id)
        if unit is not None:
            unit.spec = None
            self._unit(record)  # an adopted unit's supervisor stops what runs
            unit.wake.set()

    async def delete(self, record: Record) -> None:
        unit = self._units.pop(record.id, None)
        replicas = unit.active if unit else []
        if unit and unit.task:
            unit.task.cancel()
            # (a supervisor that died was logged when it ended)
            await asyncio.gather(unit.task, return_exceptions=True)
            replicas = unit.active
        # processes this server never knew (deleted while it was down)
        known = {r.pid for r in replicas}
        for r in record.runtime.get("replicas", ()):
            found = Replica.recorded(r)
            if found.pid not in known and is_serving_process(found.pid, found.port):
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

    @contextlib.asynccontextmanager
    async def route(self, record: Record) -> AsyncIterator[str]:
        unit = self._units.get(record.id)
        ready = [r for r in unit.active if r.ready and r.alive] if unit else []
        if not ready or unit is None:
            raise Conflict(f"Deployment {record.id!r} is not serving (phase {record.phase})")
        replica = ready[unit.next_replica % len(ready)]
        unit.next_replica += 1
        replica.inflight += 1
        try:
            yield f"http://127.0.0.1:{replica.port}"
        finally:
            replica.inflight -= 1

    async def close(self) -> None:
        tasks = [u.task for u in self._units.values() if u.task]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.processes.aclose()

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
