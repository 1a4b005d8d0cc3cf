"""The deployments store: desired state in SQLite (WAL), shared by the server and kernels.

Every write is one transaction. Writers that lost a race are told so: ``update`` takes
the revision the caller read and fails with ``Conflict`` when someone wrote since.
Readers that want to know whether anything changed (the reconciler) poll
``changed()``, which costs one ``PRAGMA data_version`` and sees other processes' commits.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from ..errors import Conflict, NotFound, StoreUnavailable
from .deployed_by import DeploymentRef
from .record import Record, now_ms

T = TypeVar("T")
log = logging.getLogger(__name__)

#: Migrations, in order; ``PRAGMA user_version`` holds how many have run.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE deployments (
        id TEXT PRIMARY KEY,
        grp TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        model_uri TEXT NOT NULL,
        model_name TEXT NOT NULL,
        served_version TEXT,
        replicas INTEGER NOT NULL,
        env TEXT NOT NULL DEFAULT '[]',
        access TEXT NOT NULL,
        desired TEXT NOT NULL,
        phase TEXT NOT NULL,
        message TEXT NOT NULL DEFAULT '',
        endpoint TEXT,
        backend TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        revision INTEGER NOT NULL,
        history TEXT NOT NULL DEFAULT '[]',
        runtime TEXT NOT NULL DEFAULT '{}'
    );
    CREATE UNIQUE INDEX deployments_live_names ON deployments (grp, name)
        WHERE desired != 'deleted';
    CREATE INDEX deployments_by_model ON deployments (grp, model_name);
    """,
)


class Store:
    """The SQLite file. All calls run on one worker thread, never on the event loop.

    It is also the registry's ``DeploymentIndex`` (``for_model``)."""

    def __init__(self, path: Path):
        self.path = path
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="primehub-models-store")
        self._local = threading.local()
        self._data_version: int | None = None
        self._reported: str | None = None

    # -- plumbing --------------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        """The store thread's connection, opened (and migrated) on first use. A store that
        cannot be opened is ``StoreUnavailable``, and the next call tries again."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        try:
            conn = self._open()
        except StoreUnavailable as err:
            if err.message != self._reported:  # said once in the log, not per request
                self._reported = err.message
                log.error("PrimeHub Models: %s", err.message)
            raise
        self._reported = None
        self._local.conn = conn
        return conn

    def _open(self) -> sqlite3.Connection:
        parent = self.path.parent
        parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        parent.chmod(0o700)
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))  # private from birth
        self.path.chmod(0o600)
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout=10000")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._migrate(conn)
        except sqlite3.DatabaseError as err:
            conn.close()
            raise StoreUnavailable(
                f"The deployments store {self.path} is damaged or not a deployments store "
                f"({err}); move it away to start a new one"
            ) from None
        except BaseException:
            conn.close()
            raise
        return conn

    def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn`` on the store thread (blocking; for sync callers)."""
        return self._executor.submit(lambda: fn(self._conn())).result()

    async def _call(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: fn(self._conn()))

    async def open(self) -> None:
        """Open (and migrate) now; ``StoreUnavailable`` if it cannot be used."""
        await self._call(lambda c: None)

    def _migrate(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise StoreUnavailable(
                    f"The deployments store {self.path} was written by a newer version of "
                    f"jupyter-primehub-models (schema {version}; this version knows schema "
                    f"{len(MIGRATIONS)}): it is left as it is. Upgrade the package, or set "
                    "c.PrimeHubModels.state_dir to another folder."
                )
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in filter(str.strip, script.split(";")):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        def close_conn() -> None:
            conn = getattr(self._local, "conn", None)
            if conn is not None:
                conn.close()
                self._local.conn = None

        self._executor.submit(close_conn).result()
        self._executor.shutdown(wait=True)

    # -- reads -----------------------------------------------------------------------------

    async def get(self, deployment_id: str) -> Record:
        row = await self._call(
            lambda c: c.execute(
                "SELECT * FROM deployments WHERE id = ?", (deployment_id,)
            ).fetchone()
        )
        if row is None:
            raise NotFound(f"No deployment {deployment_id!r}")
        return Record.from_row(row)

    async def list(
        self, group: str | None = None, *, include_deleted: bool = False
    ) -> list[Record]:
        where, args = [], []
        if group is not None:
            where.append("grp = ?")
            args.append(group)
        if not include_deleted:
            where.append("desired != 'deleted'")
        sql = "SELECT * FROM deployments"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY created_at, id"
        rows = await self._call(lambda c: c.execute(sql, args).fetchall())
        return [Record.from_row(r) for r in rows]

    async def for_model(self, group: str, model_name: str) -> list[DeploymentRef]:
        """The group's live deployments of one model: the one query behind a whole versions
        page's Deployed By (the registry's ``DeploymentIndex``)."""
        rows = await self._call(
            lambda c: c.execute(
                "SELECT id, name, phase, model_uri, served_version FROM deployments "
                "WHERE grp = ? AND model_name = ? AND desired != 'deleted' ORDER BY created_at",
                (group, model_name),
            ).fetchall()
        )
        return [DeploymentRef(*r) for r in rows]

    async def changed(self) -> bool:
        """Whether any process committed since the last call (one cheap PRAGMA)."""
        version = await self._call(lambda c: c.execute("PRAGMA data_version").fetchone()[0])
        changed = version != self._data_version
        self._data_version = version
        return changed

    # -- writes ----------------------------------------------------------------------------

    async def insert(self, record: Record, max_live: int | None = None) -> Record:
        """Add a deployment; ``Conflict`` if its name is taken in its group, or if the group
        already has ``max_live`` live deployments (counted in the same transaction)."""
        row = record.to_row()
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)

        def insert(c: sqlite3.Connection) -> None:
            c.execute("BEGIN IMMEDIATE")
            try:
                if max_live is not None:
                    (live,) = c.execute(
                        "SELECT COUNT(*) FROM deployments WHERE grp = ? AND desired != 'deleted'",
                        (record.grp,),
                    ).fetchone()
                    if live >= max_live:
                        raise Conflict(
                            f"Group {record.grp!r} has {live} deployments, the most "
                            f"c.PrimeHubModels.max_deployments allows: delete one first"
                        )
                sql = f"INSERT INTO deployments ({columns}) VALUES ({marks})"  # noqa: S608 (ours)
                c.execute(sql, list(row.values()))
                c.execute("COMMIT")
            except sqlite3.IntegrityError:
                c.execute("ROLLBACK")
                raise Conflict(
                    f"A deployment named {record.name!r} already exists in group {record.grp!r}",
                    field="name",
                ) from None
            except BaseException:
                c.execute("ROLLBACK")
                raise

        await self._call(insert)
        return record

    async def update(
        self, deployment_id: str, expected_revision: int | None, **spec: Any
    ) -> Record:
        """Change what is wanted, in one transaction; ``Conflict`` if the revision moved on.

        ``expected_revision`` is the revision the caller read (``None``: no check).
        """
        return await self._call(
            lambda c: self._write(c, deployment_id, expected_revision, spec, True)
        )

    async def set_status(self, deployment_id: str, **status: Any) -> Record:
        """Record what was observed; the revision (of what is wanted) stays."""
        return await self._call(lambda c: self._write(c, deployment_id, None, status, False))

    @staticmethod
    def _write(
        c: sqlite3.Connection,
        deployment_id: str,
        expected_revision: int | None,
        changes: dict[str, Any],
        bump: bool,
    ) -> Record:
        c.execute("BEGIN IMMEDIATE")
        try:
            row = c.execute("SELECT * FROM deployments WHERE id = ?", (deployment_id,)).fetchone()
            if row is None:
                raise NotFound(f"No deployment {deployment_id!r}")
            current = Record.from_row(row)
            if expected_revision is not None and current.revision != expected_revision:
                raise Conflict(
                    f"Deployment {deployment_id!r} changed since revision {expected_revision} "
                    f"(now {current.revision}); reload it and try again"
                )
            revision = current.revision + 1 if bump else current.revision
            fresh = replace(current, **changes, revision=revision, updated_at=now_ms())
            values = fresh.to_row()
            del values["id"]
            assignments = ", ".join(f"{k} = ?" for k in values)
            try:
                c.execute(
                    f"UPDATE deployments SET {assignments} WHERE id = ?",  # noqa: S608 (ours)
                    [*values.values(), deployment_id],
                )
            except sqlite3.IntegrityError:
                raise Conflict(f"A deployment named {fresh.name!r} already exists") from None
            c.execute("COMMIT")
            return fresh
        except BaseException:
            c.execute("ROLLBACK")
            raise

    async def remove(self, deployment_id: str) -> None:
        await self._call(
            lambda c: c.execute("DELETE FROM deployments WHERE id = ?", (deployment_id,))
        )
