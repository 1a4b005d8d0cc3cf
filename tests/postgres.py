"""A real PostgreSQL server for the tests: Debian's ``postgresql`` binaries, a cluster in
a temp dir on a free loopback port, run as an unprivileged user (the server refuses root),
stopped at the end. Each test gets a database of its own (``fresh_database``)."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from tests.servers import free_port

USER = "primehub"
PASSWORD = "pg-pw-7c1e9d-never-shown"


def binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _as_owner(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    """Run a PostgreSQL program as the cluster's owner (``postgres`` when we are root)."""
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    return subprocess.run(cmd, check=True, capture_output=True, timeout=120, **kwargs)  # type: ignore[call-overload]


class PostgresServer:
    """A cluster of our own in a temp dir; ``stop()`` and ``start()`` take the server down
    and bring it back (its data kept), as a database outage would."""

    def __init__(self) -> None:
        bin_dir = binaries()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="primehub-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://{USER}:{PASSWORD}@127.0.0.1:{self.port}/postgres"
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        pwfile = self.root / "pw"
        pwfile.write_text(PASSWORD)
        if os.geteuid() == 0:
            shutil.chown(pwfile, "postgres", "postgres")
        _as_owner([str(self.bin / "initdb"), "-D", str(self.data), "-U", USER,
                   "--pwfile", str(pwfile), "-A", "scram-sha-256", "-E", "UTF8",
                   "--no-sync"])  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off"
        _as_owner([str(self.bin / "pg_ctl"), "-D", str(self.data), "-l",
                   str(self.root / "log"), "-w", "-t", "60", "-o", options, "start"])  # fmt: skip

    def stop(self) -> None:
        _as_owner([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w",
                   "stop"])  # fmt: skip

    def remove(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError):
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def postgres() -> Iterator[PostgresServer]:
    """A started cluster, removed at the end."""
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.remove()


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A started cluster's admin URL (``postgresql+psycopg://…/postgres``)."""
    with postgres() as server:
        yield server.url


def fresh_database(admin_url: str) -> str:
    """A new empty database on the server; its URL."""
    import psycopg

    name = f"store_{uuid.uuid4().hex[:10]}"
    plain = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + f"/{name}"
