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


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """Start a cluster; yields the admin URL (``postgresql+psycopg://…/postgres``)."""
    bin_dir = binaries()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="primehub-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data = root / "data"
    pwfile = root / "pw"
    pwfile.write_text(PASSWORD)
    if os.geteuid() == 0:
        shutil.chown(pwfile, "postgres", "postgres")
    port = free_port()
    _as_owner([str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "--pwfile", str(pwfile),
               "-A", "scram-sha-256", "-E", "UTF8", "--no-sync"])  # fmt: skip
    options = f"-p {port} -c listen_addresses=127.0.0.1 -k {root} -c fsync=off"
    _as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w",
               "-t", "60", "-o", options, "start"])  # fmt: skip
    try:
        yield f"postgresql+psycopg://{USER}:{PASSWORD}@127.0.0.1:{port}/postgres"
    finally:
        with contextlib.suppress(subprocess.SubprocessError):
            _as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w",
                       "stop"])  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


def fresh_database(admin_url: str) -> str:
    """A new empty database on the server; its URL."""
    import psycopg

    name = f"store_{uuid.uuid4().hex[:10]}"
    plain = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + f"/{name}"
