"""``mlflow models serve`` processes: spawn on a free loopback port, wait for ``/ping``,
health-check, and kill a whole process group; adopted processes are known by pid only."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from .logs import last_failure, prepare_log, tail


class StartFailed(Exception):
    """A serving process exited or did not answer ``/ping`` in time."""


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
        return pid_alive(self.pid)

    def describe(self) -> dict[str, Any]:
        return {"pid": self.pid, "port": self.port, "model_uri": self.model_uri}

    @classmethod
    def recorded(cls, runtime: Mapping[str, Any], ready: bool = False) -> Replica:
        """A replica as a record's runtime describes it."""
        return cls(int(runtime["port"]), int(runtime["pid"]), str(runtime["model_uri"]),
                   ready=ready)  # fmt: skip


def pid_alive(pid: int) -> bool:
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


def is_serving_process(pid: int, port: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return (b"mlflow" in cmdline or b"uvicorn" in cmdline) and str(port).encode() in cmdline


class Processes:
    """Starts, pings and kills serving processes; hands out loopback ports."""

    def __init__(self, mlflow_command: str, port_range: tuple[int, int], start_timeout: float):
        self.mlflow_command = mlflow_command
        self.port_range = port_range
        self.start_timeout = start_timeout
        self._ports: set[int] = set()  # handed to a process (starting or serving)
        self._session: aiohttp.ClientSession | None = None

    def reserve(self, ports: list[int]) -> None:
        """Ports of adopted processes: never handed out again while they serve."""
        self._ports.update(ports)

    def release(self, port: int) -> None:
        self._ports.discard(port)

    async def spawn(self, log: Path, model_uri: str, env: Mapping[str, str]) -> Replica:
        port = self._free_port()
        await asyncio.to_thread(prepare_log, log, f"starting {model_uri} on port {port}")
        full_env = {**os.environ, **env}
        full_env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{full_env.get('PATH', '')}"
        cmd = [
            self.mlflow_command, "models", "serve", "-m", model_uri,
            "--env-manager", "local", "-h", "127.0.0.1", "-p", str(port), "-w", "1",
        ]  # fmt: skip
        out = await asyncio.to_thread(open, log, "ab")
        try:
            process = await asyncio.create_subprocess_exec(
                *cmd, stdin=asyncio.subprocess.DEVNULL, stdout=out,
                stderr=asyncio.subprocess.STDOUT, env=full_env, start_new_session=True,
            )  # fmt: skip
        except BaseException:
            self.release(port)
            raise
        finally:
            out.close()
        return Replica(port, process.pid, model_uri, process)

    async def wait_ready(self, replica: Replica, log: Path) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if not replica.alive:
                lines = await asyncio.to_thread(tail, log, 400)
                raise StartFailed(f"the serving process exited:\n{last_failure(lines)}")
            if await self.ping(replica.port):
                replica.ready = True
                return
            await asyncio.sleep(0.1)
        raise StartFailed(f"no answer on /ping within {self.start_timeout:g} s")

    async def ping(self, port: int) -> bool:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2))
        try:
            async with self._session.get(f"http://127.0.0.1:{port}/ping") as answer:
                return answer.status == 200
        except (aiohttp.ClientError, OSError, TimeoutError):
            return False

    async def kill(self, replica: Replica, grace: float = 10.0) -> None:
        """SIGTERM the replica's process group, then SIGKILL after ``grace`` seconds."""
        replica.ready = False
        self.release(replica.port)
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

    async def kill_all(self, replicas: list[Replica]) -> None:
        await asyncio.gather(*(self.kill(r) for r in replicas))

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

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
