"""The store's tables as they are now (SQLAlchemy Core); ``migrations.py`` builds them."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, Table, Text

metadata = MetaData()

#: One row per deployment: what is wanted (spec) and what was seen (status).
deployments = Table(
    "deployments",
    metadata,
    Column("id", Text, primary_key=True),
    Column("grp", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("model_uri", Text, nullable=False),
    Column("model_name", Text, nullable=False),
    Column("served_version", Text),
    Column("replicas", Integer, nullable=False),
    Column("env", Text, nullable=False, server_default="[]"),
    Column("access", Text, nullable=False),
    Column("desired", Text, nullable=False),
    Column("phase", Text, nullable=False),
    Column("message", Text, nullable=False, server_default=""),
    Column("endpoint", Text),
    Column("backend", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("history", Text, nullable=False, server_default="[]"),
    Column("runtime", Text, nullable=False, server_default="{}"),
    Column("traffic", Text, nullable=False, server_default="[]"),
)
LIVE = deployments.c.desired != "deleted"
Index(
    "deployments_live_names",
    deployments.c.grp,
    deployments.c.name,
    unique=True,
    sqlite_where=LIVE,
    postgresql_where=LIVE,
)
Index("deployments_by_model", deployments.c.grp, deployments.c.model_name)

#: ``schema`` (the migrations that ran) and ``store_id`` (made when the store was created:
#: the ownership mark on everything a backend creates for this store).
store_info = Table(
    "store_info",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

#: One row: bumped by every write, in the same transaction. Readers that want to know
#: whether anything changed read this one number; writers serialize on its row.
store_revision = Table(
    "store_revision",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("revision", BigInteger, nullable=False),
)

#: Who drives the backend: one row per lease (``reconciler``), expiry in the store's clock.
lease = Table(
    "lease",
    metadata,
    Column("name", Text, primary_key=True),
    Column("holder", Text),
    Column("host", Text),
    Column("expires_at", BigInteger, nullable=False),
)
