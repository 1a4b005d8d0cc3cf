"""Opening a store's database: the URL, the engine, and what differs between SQLite and
PostgreSQL (how a write transaction locks, the store's clock, private files).

Errors of the database become ``StoreUnavailable`` with a short reason: never the SQL,
its parameters (deployment env) or the password of ``db_url``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from ...errors import StoreUnavailable

#: Execution option of a connection whose transactions write (SQLite: BEGIN IMMEDIATE).
WRITES = "primehub_models_writes"
#: The advisory lock migrations run under (PostgreSQL): any fixed number, ours.
MIGRATION_LOCK = 0x7072686D  # "prhm"


def parse_url(value: str | Path) -> URL:
    """``value`` as a SQLAlchemy URL (a path is a SQLite file); ``ValueError`` saying what
    is wrong, without the password."""
    if isinstance(value, Path):
        return URL.create("sqlite", database=str(value))
    try:
        url = make_url(value)
    except (ArgumentError, ValueError):
        raise ValueError(
            "not a SQLAlchemy database URL (sqlite:///path/to/file, "
            "postgresql+psycopg://user:password@host:5432/db)"
        ) from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError(f"{url.get_backend_name()!r} is not supported (sqlite or postgresql)")
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        raise ValueError("a SQLite store needs a file (sqlite:///path/to/file)")
    return url


def shown(url: URL) -> str:
    """The URL as messages may show it: the password hidden."""
    return url.render_as_string(hide_password=True)


def create(url: URL, kwargs: Mapping[str, Any] | None = None) -> Engine:
    """An engine for the store at ``url``; ``kwargs`` (``c.PrimeHubModels.db_kwargs``) go to
    ``create_engine`` over our defaults."""
    options = dict(kwargs or {})
    try:
        if url.get_backend_name() == "sqlite":
            return _sqlite(url, options)
        return _postgresql(url, options)
    except (NoSuchModuleError, ModuleNotFoundError) as err:
        raise StoreUnavailable(
            f"The deployments store {shown(url)} needs a database driver that is not "
            f"installed ({err}); for PostgreSQL: pip install 'psycopg[binary]'"
        ) from None


def _sqlite(url: URL, options: dict[str, Any]) -> Engine:
    path = Path(url.database or "")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))  # private from birth
    path.chmod(0o600)
    options.setdefault("connect_args", {}).setdefault("timeout", 10)
    engine = create_engine(url, **options)

    @event.listens_for(engine, "connect")
    def _connect(dbapi: Any, _record: Any) -> None:
        dbapi.isolation_level = None  # SQLAlchemy says BEGIN, below
        cursor = dbapi.cursor()
        for pragma in ("busy_timeout=10000", "journal_mode=WAL", "synchronous=NORMAL"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT":
            return  # a one-statement read: no transaction around it
        # a writer takes the write lock first, so read-check-write is one atomic step
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get(WRITES) else "BEGIN")

    return engine


def _postgresql(url: URL, options: dict[str, Any]) -> Engine:
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    connect = options.setdefault("connect_args", {})
    connect.setdefault("connect_timeout", 5)
    # no statement waits for ever: a stuck database is a 503, not a hung thread
    connect.setdefault("options", "-c statement_timeout=10000 -c lock_timeout=10000")
    options.setdefault("pool_pre_ping", True)
    options.setdefault("pool_size", 2)
    options.setdefault("max_overflow", 2)
    options.setdefault("pool_timeout", 10)
    return create_engine(url, **options)


def now_ms(conn: Connection) -> int:
    """The store's clock: the database server's for PostgreSQL (several hosts share it),
    this host's for a SQLite file (only this host opens it)."""
    if conn.dialect.name == "postgresql":
        value = conn.execute(text("SELECT extract(epoch FROM clock_timestamp()) * 1000"))
        return int(value.scalar_one())
    return int(time.time() * 1000)


def lock_migrations(conn: Connection) -> None:
    """Migrations run once, under a lock (SQLite: the write transaction is the lock)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})


def unavailable(url: URL, err: SQLAlchemyError) -> StoreUnavailable:
    """A database error as the API and the log may show it."""
    reason = str(err.orig) if isinstance(err, DBAPIError) and err.orig is not None else ""
    reason = (reason or type(err).__name__).strip().splitlines()[0][:300]
    if url.password:
        reason = reason.replace(str(url.password), "********")
    return StoreUnavailable(f"The deployments store {shown(url)} cannot be used: {reason}")
