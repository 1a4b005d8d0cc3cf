"""The embedded backend: each deployment is ``mlflow models serve`` processes on loopback.

One supervisor task per deployment converges its processes to the spec: start them and
wait for ``/ping``; check health; restart crashed ones with bounded backoff; mark the
deployment ``Failed`` with the last log lines when it gives up. A new model URI or
replica count starts a complete new set beside the old one, switches traffic once it
answers, drains the requests still in flight on the old set, then stops it — no request
is dropped. Processes run in their own sessions, so they outlive a Jupyter server that
is killed, and the next one adopts them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from jupyter_core.paths import jupyter_data_dir
from traitlets import Float, Int, Tuple, Unicode, default

from ...errors import Conflict
from ..store import Record
from .base import Backend, Observed

LOG_TAIL_BYTES = 256 * 1024
MARKER = "[primehub-models "
ERROR_LINE = re.compile(r"\b\w*(Error|Exception)\b")
LOG_ROTATE_BYTES = 5 * 1024 * 1024


class StartFailed(Exception):
    """A serving process exited or did not answer ``/ping`` in time."""


@dataclass(frozen=True)
class Spec:
    model_uri: str
    replicas: int
    env: tuple[tuple[str, str], ...]


@dataclass(eq=False)
class Replica:
    port: int
    pid: int
    model_uri: str
    process: asyncio.subprocess.Process | None = None  # None: adopted from an earlier server
    ready: bool = False
    inflight: int = 0
    failed_pings: int = 0

    @property
    def alive(self) -> bool:
        if self.process is not None:
            return self.process.returncode is None
        return _pid_alive(self.pid)

    def describe(self) -> dict[str, Any]:
        return {"pid": self.pid, "port": self.port, "model_uri": self.model_uri}


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
    next_replica: int = 0
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None

    @property
    def endpoint(self) -> str | None:
        ready = [r for r in self.active if r.ready]
        return f"http://127.0.0.1:{ready[0].port}" if ready else None

    async def sleep(self, seconds: float) -> None:
        """Sleep, unless the spec changes first."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.wake.wait(), seconds)
        self.wake.clear()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is dead for our purposes
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().split(b") ", 1)[1][:1] != b"Z"
    except (OSError, IndexError):
        return True


def _is_serving_process(pid: int, port: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return (b"mlflow" in cmdline or b"uvicorn" in cmdline) and str(port).encode() in cmdline


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
        self._ports: set[int] = set()  # handed to a process (starting or serving)
        self._session: aiohttp.ClientSession | None = None
        self.changed = asyncio.Event()

    # -- Backend ---------------------------------------------------------------------------

    async def adopt(self, records: list[Record]) -> None:
        for record in records:
            replicas = [
                Replica(int(r["port"]), int(r["pid"]), str(r["model_uri"]), ready=True)
                for r in record.runtime.get("replicas", ())
            ]
            keep = [
                r for r in replicas
                if record.desired == "running" and _pid_alive(r.pid)
                and _is_serving_process(r.pid, r.port) and await self._ping(r.port)
            ]  # fmt: skip
            for stale in replicas:
                if (
                    stale not in keep
                    and _pid_alive(stale.pid)
                    and _is_serving_process(stale.pid, stale.port)
                ):
                    await self._kill(stale)
            if keep:
                self._ports.update(r.port for r in keep)
                unit = self._unit(record, supervise=False)
                unit.active = keep
                unit.active_spec = Spec(keep[0].model_uri, len(keep), ())
                unit.phase = "Deployed"
                self.log.info("Adopted %d serving process(es) of %s", len(keep), record.id)

    async def apply(self, record: Record, env: Mapping[str, str]) -> None:
        unit = self._unit(record)
        spec = Spec(serving_uri(record), record.replicas, tuple(sorted(env.items())))
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
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await unit.task
            replicas = unit.active
        # processes this server never knew (deleted while it was down)
        known = {r.pid for r in replicas}
        for r in record.runtime.get("replicas", ()):
            if int(r["pid"]) not in known and _is_serving_process(int(r["pid"]), int(r["port"])):
                replicas.append(Replica(int(r["port"]), int(r["pid"]), str(r["model_uri"])))
        await asyncio.gather(*(self._kill(r) for r in replicas))

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

    async def logs(self, record: Record, tail: int) -> list[str]:
        return await asyncio.to_thread(_tail, self._log_path(record.id), tail)

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
        for unit in self._units.values():
            if unit.task:
                unit.task.cancel()
        await asyncio.gather(
            *(u.task for u in self._units.values() if u.task), return_exceptions=True
        )
        if self._session is not None:
            await self._session.close()

    # -- supervision -----------------------------------------------------------------------

    def _unit(self, record: Record, supervise: bool = True) -> Unit:
        """The record's unit; its supervisor starts once the spec is known (apply or stop)."""
        unit = self._units.get(record.id)
        if unit is None:
            unit = Unit(record.id, self._log_path(record.id))
            self._units[record.id] = unit
        if supervise and unit.task is None:
            unit.task = asyncio.get_running_loop().create_task(self._supervise(unit))
        return unit

    def _set(self, unit: Unit, phase: str, message: str = "") -> None:
        if (unit.phase, unit.message) != (phase, message):
            unit.phase, unit.message = phase, message
        self.changed.set()

    async def _supervise(self, unit: Unit) -> None:
        attempts = 0
        while True:
            spec = unit.spec
            if spec is None:
                if unit.active:
                    self._set(unit, "Stopping")
                    old, unit.active, unit.active_spec = unit.active, [], None
                    await asyncio.gather(*(self._kill(r) for r in old))
                self._set(unit, "Stopped")
                await unit.sleep(3600)
                continue
            if spec == unit.failed_spec and not unit.active:
                await unit.sleep(3600)  # gave up on this spec: wait for a new one
                continue
            if spec != unit.active_spec and spec != unit.failed_spec:
                if await self._roll_out(unit, spec):
                    attempts = 0
                elif not unit.active:
                    attempts += 1
                    if attempts > self.max_restarts:
                        unit.failed_spec = spec
                        why = await self.last_failure(unit)
                        self._set(unit, "Failed", f"Gave up after {attempts} attempts:\n{why}")
                    else:
                        await unit.sleep(min(2**attempts, 30))
                continue
            if not all(r.alive for r in unit.active):
                await self._recover(unit)
                continue
            await unit.sleep(self.health_interval)
            await self._check_health(unit)

    async def _roll_out(self, unit: Unit, spec: Spec) -> bool:
        """Start a whole new set for ``spec``; switch to it once it answers."""
        updating = bool(unit.active)
        if updating:
            self._set(unit, "Deployed", f"Updating to {spec.model_uri}")
        else:
            self._set(unit, "Deploying", f"Starting {spec.model_uri}")
        try:
            fresh = await self._start_set(unit, spec)
        except StartFailed as err:
            if updating:
                unit.failed_spec = spec
                unit.failed_update = spec.model_uri
                current = unit.active_spec.model_uri if unit.active_spec else "?"
                self._set(
                    unit,
                    "Deployed",
                    f"Update to {spec.model_uri} failed; still serving {current}: {err}",
                )
            else:
                self._set(unit, "Deploying", f"Start failed, retrying: {err}")
            return False
        old, unit.active, unit.active_spec = unit.active, fresh, spec
        unit.failed_spec, unit.failed_update = None, None
        self._set(unit, "Deployed")
        if old:
            await self._drain(old)
            await asyncio.gather(*(self._kill(r) for r in old))
        return True

    async def _recover(self, unit: Unit) -> None:
        """Some replicas died: count the crash, then replace them, or give up."""
        now = time.monotonic()
        unit.crashes = [t for t in unit.crashes if now - t < self.restart_window] + [now]
        dead = [r for r in unit.active if not r.alive]
        for replica in dead:
            self._ports.discard(replica.port)
        unit.active = [r for r in unit.active if r.alive]
        if len(unit.crashes) > self.max_restarts:
            tail = await self.last_failure(unit)
            await asyncio.gather(*(self._kill(r) for r in unit.active))
            unit.active, unit.active_spec = [], None
            unit.failed_spec = unit.spec
            self._set(unit, "Failed", f"Crashed {len(unit.crashes)} times; last output:\n{tail}")
            return
        self.log.warning(
            "Deployment %s: %d serving process(es) died; restarting", unit.id, len(dead)
        )
        await unit.sleep(min(2 ** (len(unit.crashes) - 1), 30))
        spec = unit.active_spec
        if not unit.active or spec is None:
            # nothing serves: start over through the roll-out, which counts attempts
            unit.active_spec = None
            self._set(unit, "Deploying", "Restarting after a crash")
            return
        self._set(unit, "Deployed", "Replacing a crashed replica")
        try:
            fresh = await self._start_set(unit, Spec(spec.model_uri, len(dead), spec.env))
        except StartFailed as err:
            self._set(unit, "Deployed", f"Replacing a crashed replica failed: {err}")
            return
        unit.active = unit.active + fresh
        self._set(unit, "Deployed")

    async def _check_health(self, unit: Unit) -> None:
        for replica in list(unit.active):
            if not replica.alive:
                continue
            if await self._ping(replica.port):
                replica.failed_pings = 0
            else:
                replica.failed_pings += 1
                if replica.failed_pings >= 3:  # hung: treat as crashed
                    await self._kill(replica)

    async def _drain(self, replicas: list[Replica]) -> None:
        deadline = time.monotonic() + self.drain_timeout
        while any(r.inflight for r in replicas) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)

    # -- processes -------------------------------------------------------------------------

    def _log_path(self, deployment_id: str) -> Path:
        return Path(self.state_dir) / "logs" / f"{deployment_id}.log"

    async def logs_of(self, unit: Unit, tail: int) -> list[str]:
        return await asyncio.to_thread(_tail, unit.log_path, tail)

    async def last_failure(self, unit: Unit) -> str:
        """The last start's error lines and final lines: what the user needs to see."""
        lines = await self.logs_of(unit, 400)
        starts = [i for i, line in enumerate(lines) if line.startswith(MARKER)]
        section = lines[starts[-1] :] if starts else lines
        errors = [line for line in section if ERROR_LINE.search(line)][-8:]
        last = [line for line in section[-6:] if line not in errors]
        return "\n".join(errors + (["…"] if errors and last else []) + last)

    async def _start_set(self, unit: Unit, spec: Spec) -> list[Replica]:
        replicas: list[Replica] = []
        try:
            for _ in range(spec.replicas):
                replicas.append(await self._spawn(unit, spec))
            await asyncio.gather(*(self._wait_ready(unit, r) for r in replicas))
        except BaseException:
            await asyncio.gather(*(self._kill(r) for r in replicas), return_exceptions=True)
            raise
        return replicas

    async def _spawn(self, unit: Unit, spec: Spec) -> Replica:
        port = self._free_port()
        await asyncio.to_thread(
            _prepare_log, unit.log_path, f"starting {spec.model_uri} on port {port}"
        )
        env = {**os.environ, **dict(spec.env)}
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        cmd = [
            self.mlflow_command, "models", "serve", "-m", spec.model_uri,
            "--env-manager", "local", "-h", "127.0.0.1", "-p", str(port), "-w", "1",
        ]  # fmt: skip
        log = await asyncio.to_thread(open, unit.log_path, "ab")
        try:
            process = await asyncio.create_subprocess_exec(
                *cmd, stdin=asyncio.subprocess.DEVNULL, stdout=log,
                stderr=asyncio.subprocess.STDOUT, env=env, start_new_session=True,
            )  # fmt: skip
        finally:
            log.close()
        replica = Replica(port, process.pid, spec.model_uri, process)
        asyncio.get_running_loop().create_task(self._reap(unit, replica))
        return replica

    async def _reap(self, unit: Unit, replica: Replica) -> None:
        assert replica.process is not None
        await replica.process.wait()
        self._ports.discard(replica.port)
        unit.wake.set()
        self.changed.set()

    async def _wait_ready(self, unit: Unit, replica: Replica) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if not replica.alive:
                raise StartFailed(f"the serving process exited:\n{await self.last_failure(unit)}")
            if await self._ping(replica.port):
                replica.ready = True
                return
            await asyncio.sleep(0.1)
        raise StartFailed(f"no answer on /ping within {self.start_timeout:g} s")

    async def _ping(self, port: int) -> bool:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2))
        try:
            async with self._session.get(f"http://127.0.0.1:{port}/ping") as answer:
                return answer.status == 200
        except (aiohttp.ClientError, OSError, TimeoutError):
            return False

    async def _kill(self, replica: Replica, grace: float = 10.0) -> None:
        replica.ready = False
        self._ports.discard(replica.port)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(replica.pid, sig)
            deadline = time.monotonic() + grace
            while replica.alive and time.monotonic() < deadline:
                if replica.process is not None:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(replica.process.wait(), deadline - time.monotonic())
                else:
                    await asyncio.sleep(0.1)
            if not replica.alive:
                return

    def _free_port(self) -> int:
        """A loopback port free now and not handed to another of our processes."""
        low, high = self.port_range
        for port in range(low, high + 1):
            if port in self._ports:
                continue
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    continue
            self._ports.add(port)
            return port
        raise StartFailed(f"no free port in {low}-{high}")


def serving_uri(record: Record) -> str:
    """What to serve: the version an alias pointed at when it was resolved."""
    if record.served_version and "@" in record.model_uri:
        return f"models:/{record.model_name}/{record.served_version}"
    return record.model_uri


def _prepare_log(path: Path, marker: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.stat().st_size > LOG_ROTATE_BYTES:
        path.replace(path.with_suffix(".log.1"))
    with path.open("a", encoding="utf-8") as f:
        f.write(f"{MARKER}{time.strftime('%Y-%m-%d %H:%M:%S')}] {marker}\n")


def _tail(path: Path, lines: int) -> list[str]:
    try:
        with path.open("rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - LOG_TAIL_BYTES))
            data = f.read()
    except FileNotFoundError:
        return []
    text = data.decode("utf-8", errors="replace").splitlines()
    return text[-lines:] if lines > 0 else []
