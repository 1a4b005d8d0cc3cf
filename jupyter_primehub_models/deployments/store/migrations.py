"""Versioned migrations of the store, run once under a lock by whichever process opens it
first; the same steps for SQLite and PostgreSQL.

A store's schema is how many steps have run (``store_info.schema``; a SQLite file from the
first release, which had no ``store_info``, says it with ``PRAGMA user_version``). A store
written by a newer schema is refused, never rewritten. Each step builds its own tables
(not ``schema.py``'s, which are the current shape), so an old store always upgrades the
way it was built.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import URL

from ...errors import StoreUnavailable
from . import schema
from .engine import lock_migrations, shown

LEASE = "reconciler"


def _create_deployments(conn: Connection) -> None:
    """1: the deployments table of the first release."""
    meta = MetaData()
    table = Table(
        "deployments", meta,
        Column("id", Text, primary_key=True), Column("grp", Text, nullable=False),
        Column("name", Text, nullable=False),
        Column("description", Text, nullable=False, server_default=""),
        Column("model_uri", Text, nullable=False), Column("model_name", Text, nullable=False),
        Column("served_version", Text), Column("replicas", Integer, nullable=False),
        Column("env", Text, nullable=False, server_default="[]"),
        Column("access", Text, nullable=False), Column("desired", Text, nullable=False),
        Column("phase", Text, nullable=False),
        Column("message", Text, nullable=False, server_default=""),
        Column("endpoint", Text), Column("backend", Text, nullable=False),
        Column("created_at", BigInteger, nullable=False),
        Column("updated_at", BigInteger, nullable=False),
        Column("revision", Integer, nullable=False),
        Column("history", Text, nullable=False, server_default="[]"),
        Column("runtime", Text, nullable=False, server_default="{}"),
    )  # fmt: skip
    live = table.c.desired != "deleted"
    Index("deployments_live_names", table.c.grp, table.c.name, unique=True,
          sqlite_where=live, postgresql_where=live)  # fmt: skip
    Index("deployments_by_model", table.c.grp, table.c.model_name)
    meta.create_all(conn)


def _create_team_tables(conn: Connection) -> None:
    """2: the store's id and schema, the change counter, the reconciler lease."""
    meta = MetaData()
    info = Table("store_info", meta, Column("key", Text, primary_key=True),
                 Column("value", Text, nullable=False))  # fmt: skip
    revision = Table("store_revision", meta, Column("id", Integer, primary_key=True),
                     Column("revision", BigInteger, nullable=False))  # fmt: skip
    lease = Table("lease", meta, Column("name", Text, primary_key=True),
                  Column("holder", Text), Column("host", Text),
                  Column("expires_at", BigInteger, nullable=False))  # fmt: skip
    meta.create_all(conn)
    conn.execute(info.insert(), [{"key": "store_id", "value": uuid.uuid4().hex[:12]},
                                 {"key": "schema", "value": "2"}])  # fmt: skip
    conn.execute(revision.insert().values(id=1, revision=0))
    conn.execute(lease.insert().values(name=LEASE, holder=None, host=None, expires_at=0))


def _add_traffic(conn: Connection) -> None:
    """3: a deployment's traffic split (JSON; empty in older rows: model_uri at 100)."""
    conn.execute(text("ALTER TABLE deployments ADD COLUMN traffic TEXT NOT NULL DEFAULT '[]'"))


#: The steps, in order; a store at schema N has run the first N.
MIGRATIONS: tuple[Callable[[Connection], None], ...] = (
    _create_deployments, _create_team_tables, _add_traffic,
)  # fmt: skip
SCHEMA = len(MIGRATIONS)


@dataclass(frozen=True)
class StoreInfo:
    store_id: str
    schema: int


def current_schema(conn: Connection) -> int:
    """How many steps have run (SQLite also says it in ``user_version``, which the first
    release wrote and read: the higher of the two counts)."""
    tables = set(inspect(conn).get_table_names())
    found = 1 if "deployments" in tables else 0
    if "store_info" in tables:
        found = int(
            conn.execute(
                select(schema.store_info.c.value).where(schema.store_info.c.key == "schema")
            ).scalar_one()
        )
    if conn.dialect.name == "sqlite":
        found = max(found, int(conn.exec_driver_sql("PRAGMA user_version").scalar_one()))
    return found


def migrate(conn: Connection, url: URL) -> StoreInfo:
    """Bring the store to ``SCHEMA`` (in the caller's write transaction) and say what it is."""
    lock_migrations(conn)
    found = current_schema(conn)
    if found > SCHEMA:
        raise StoreUnavailable(
            f"The deployments store {shown(url)} was written by a newer version of "
            f"jupyter-primehub-models (schema {found}; this version knows schema {SCHEMA}): "
            "it is left as it is. Upgrade the package, or point c.PrimeHubModels.db_url "
            "(or state_dir) elsewhere."
        )
    for step in MIGRATIONS[found:]:
        step(conn)
    if found < SCHEMA:
        conn.execute(
            update(schema.store_info)
            .where(schema.store_info.c.key == "schema")
            .values(value=str(SCHEMA))
        )
        if conn.dialect.name == "sqlite":  # what the first release checks
            conn.execute(text(f"PRAGMA user_version = {SCHEMA}"))
    store_id = conn.execute(
        select(schema.store_info.c.value).where(schema.store_info.c.key == "store_id")
    ).scalar_one()
    return StoreInfo(store_id=store_id, schema=SCHEMA)
