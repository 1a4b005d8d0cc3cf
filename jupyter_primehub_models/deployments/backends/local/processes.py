"""Serving processes: started on a Unix socket the backend binds and hands over, pinged,
and killed — only ever when they are provably ours.

The socket lives in a folder only the Jupyter server's user can enter (0700), so no other
user of the host can score a private deployment behind the proxy's back, and no other
process can answer on its address. A process is known again after a server restart by
its pid, the start time the kernel records for it and its command line: a recycled pid
belongs to someone else, and is never signalled.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import secrets
import signal
import socket
import stat
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..base import Upstream
from .logs import last_failure, open_log, prepare_log, tail

log = logging.getLogger(__name__)

SERVE_MODULE = "jupyter_primehub_models.deployments.backends.local.serve"
#: A socket path must fit in sockaddr_un (108 bytes on Linux) with room for its name.
MAX_SOCKET_DIR = 80


class StartFailed(Exception):
    """A serving process exited or did not answer ``/ping`` in time."""


def start_time(pid: int) -> int | None:
    """When the kernel started process ``pid`` (clock ticks since boot); None if gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b") ", 1)[1].split()
    except (OSError, IndexError):
        return None
    if fields[0] == b"Z":  # a zombie is dead for our purposes
        return None
    return int(fields[19])


def command_line(pid: int) -> str:
    try:
        return (
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
    except OSError:
        return ""


@dataclass(eq=False)
class Replica:
    pid: int
    model_uri: str
    #: its Unix socket; None for a process of an earlier release, which listens on a port
    socket: str | None = None
    port: int | None = None
    #: its start time (``start_time``), recorded at spawn: how we know it is still ours
    started: int | None = None
    #: the id of the store whose record started it (also on its command line)
    store: str | None = None
    process: asyncio.subprocess.Process | None = None  # None: adopted from an earlier server
    ready: bool = False
    inflight: int = 0
    failed_pings: int = 0

    @property
    def ours(self) -> bool:
        """Still the process we started (not a pid the kernel gave to someone else)."""
        if self.process is not None:
            return self.process.returncode is None
        cmdline = command_line(self.pid)
        if self.socket is not None:
            return (
                self.started is not None
                and start_time(self.pid) == self.started
                and SERVE_MODULE in cmdline
                and self.socket in cmdline
                and (self.store is None or f"--store {self.store} " in f"{cmdline} ")
            )
        # an earlier release's `mlflow models serve -p <port>` (its start time unknown)
        return (
            start_time(self.pid) is not None
            and "models serve" in cmdline
            and f"-p {self.port} " in f"{cmdline} "
        )

    @property
    def alive(self) -> bool:
        return self.ours

    @property
    def upstream(self) -> Upstream:
        version = self.model_uri.rpartition("/")[2]
        version = version if version.isdigit() else None
        if self.socket is not None:
            return Upstream("http://localhost", self.socket, version)
        return Upstream(f"http://127.0.0.1:{self.port}", version=version)

    @property
    def address(self) -> str:
        return f"unix:{self.socket}" if self.socket else f"http://127.0.0.1:{self.port}"

    def describe(self) -> dict[str, Any]:
        found: dict[str, Any] = {"pid": self.pid, "model_uri": self.model_uri}
        if self.socket is not None:
            found.update(socket=self.socket, started=self.started)
            if self.store:
                found["store"] = self.store
        else:
            found["port"] = self.port
        return found

    @classmethod
    def recorded(cls, runtime: Mapping[str, Any], ready: bool = False) -> Replica:
        """A replica as a record's runtime describes it."""
        return cls(
            pid=int(runtime["pid"]), model_uri=str(runtime["model_uri"]),
            socket=runtime.get("socket"),
            port=int(runtime["port"]) if runtime.get("port") is not None else None,
            started=runtime.get("started"), store=runtime.get("store"), ready=ready,
        )  # fmt: skip


def private_dir(path: Path) -> Path:
    """``path`` as a folder only this user can enter (made 0700; refused if someone else
    owns it, or if it is a link)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise OSError(f"{path} is not a folder")
    if info.st_uid != os.getuid():
        raise OSError(f"{path} belongs to another user")
    if stat.S_IMODE(info.st_mode) != 0o700:
        path.chmod(0o700)
    return path


def default_socket_dir(state_dir: str) -> Path:
    """``<state_dir>/sockets`` when its paths fit a Unix socket address, else a private
    folder of this user's in the temp dir, named after the state dir."""
    preferred = Path(state_dir) / "sockets"
    if len(str(preferred)) <= MAX_SOCKET_DIR:
        return preferred
    digest = hashlib.sha256(str(Path(state_dir).resolve()).encode()).hexdigest()[:12]
    base = os.environ.get("XDG_RUNTIME_DIR") or "/tmp"  # noqa: S108 (a private 0700 folder)
    return Path(base) / f"primehub-models-{os.getuid()}-{digest}"


class Processes:
    """Starts, pings and kills serving processes."""

    def __init__(self, python: str, socket_dir: Path, start_timeout: float, log_max_bytes: int):
        self.python = python
        self.socket_dir = socket_dir
        self.start_timeout = start_timeout
        self.log_max_bytes = log_max_bytes
        #: the ownership mark every process it starts carries (the backend sets it)
        self.store_id = ""

    async def spawn(
        self, unit_id: str, log_path: Path, model_uri: str, env: Mapping[str, str]
    ) -> Replica:
        directory = await asyncio.to_thread(private_dir, self.socket_dir)
        name = hashlib.sha256(unit_id.encode()).hexdigest()[:10]
        path = str(directory / f"{name}-{secrets.token_hex(3)}.sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(path)
            listener.listen(256)
            await asyncio.to_thread(
                prepare_log, log_path, f"starting {model_uri} on {path}", self.log_max_bytes
            )
            out = await asyncio.to_thread(open_log, log_path)
            try:
                fd = listener.fileno()
                process = await asyncio.create_subprocess_exec(
                    self.python, "-m", SERVE_MODULE, "--fd", str(fd), "--socket", path,
                    "--model-uri", model_uri, "--deployment", unit_id,
                    *(("--store", self.store_id) if self.store_id else ()),
                    stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=asyncio.subprocess.STDOUT,
                    env=dict(env), start_new_session=True, pass_fds=(fd,),
                )  # fmt: skip
            finally:
                os.close(out)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            raise
        finally:
            listener.close()  # the child holds it now
        return Replica(
            pid=process.pid, model_uri=model_uri, socket=path,
            started=start_time(process.pid), store=self.store_id or None, process=process,
        )  # fmt: skip

    async def wait_ready(self, replica: Replica, log_path: Path) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if not replica.alive:
                lines = await asyncio.to_thread(tail, log_path, 400)
                raise StartFailed(f"the serving process exited:\n{last_failure(lines)}")
            if await self.ping(replica):
                replica.ready = True
                return
            await asyncio.sleep(0.1)
        raise StartFailed(f"no answer on /ping within {self.start_timeout:g} s")

    async def ping(self, replica: Replica, within: float = 2.0) -> bool:
        """``GET /ping`` answered 200 (over the replica's socket or port)."""
        writer = None
        try:
            async with asyncio.timeout(within):
                if replica.socket is not None:
                    reader, writer = await asyncio.open_unix_connection(replica.socket)
                else:
                    reader, writer = await asyncio.open_connection("127.0.0.1", replica.port)
                writer.write(b"GET /ping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                await writer.drain()
                status = await reader.readline()
        except (OSError, TimeoutError):
            return False
        finally:
            if writer is not None:
                writer.close()
        return status.split(b" ", 2)[1:2] == [b"200"]

    async def kill(self, replica: Replica, grace: float = 10.0) -> None:
        """SIGTERM the replica's process group, then SIGKILL after ``grace`` seconds; a
        process that is not ours any more is left alone."""
        replica.ready = False
        if not replica.ours:
            self._forget(replica)
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if not replica.ours:
                break
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(replica.pid, sig)
            deadline = time.monotonic() + grace
            while replica.ours and time.monotonic() < deadline:
                if replica.process is not None:
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(deadline - time.monotonic()):
                            await replica.process.wait()
                else:
                    await asyncio.sleep(0.1)
        self._forget(replica)

    async def kill_all(self, replicas: list[Replica]) -> None:
        await asyncio.gather(*(self.kill(r) for r in replicas))

    @staticmethod
    def _forget(replica: Replica) -> None:
        if replica.socket is not None:
            with contextlib.suppress(OSError):
                os.unlink(replica.socket)
