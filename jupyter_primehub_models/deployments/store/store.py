"""The deployments store: desired state in SQLite (the default, one file) or PostgreSQL
(a team's), shared by servers, kernels and the hub service.

Every write is one transaction that bumps the store's revision: writers serialize on it,
and a reader that wants to know whether anything changed anywhere (the reconciler) reads
that one number (``changed``). Writers that lost a race are told so: ``update`` takes the
revision the caller read and fails with ``Conflict`` when someone wrote since. Calls run
on the store's own thread, never on the event loop, each within ``timeout`` seconds.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ...errors import ApiError, Conflict, NotFound, StoreUnavailable
from ..deployed_by import DeploymentRef
from ..record import Record, now_ms
from . import engine as engines
from . import lease
from .migrations import StoreInfo, migrate
from .schema import LIVE, deployments, store_revision

T = TypeVar("T")
#: how a store call runs (``Store._on_thread``)
READ, TRANSACTION, WRITE = "read", "transaction", "write"
log = logging.getLogger(__name__)


class Store:
    """One store (``url``: a SQLAlchemy URL, or the path of a SQLite file).

    It is also the registry's ``DeploymentIndex`` (``for_model``)."""

    def __init__(
        self, url: str | Path, engine_kwargs: Mapping[str, Any] | None = None, timeout: float = 15
    ):
        self.url = engines.parse_url(url)
        self.engine_kwargs = dict(engine_kwargs or {})
        self.timeout = timeout
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="primehub-models-store")
        self._engine: Engine | None = None
        self._info: StoreInfo | None = None
        self._lock = threading.Lock()
        self._revision: int | None = None
        self._reported: str | None = None

    @property
    def shown_url(self) -> str:
        return engines.shown(self.url)

    # -- plumbing --------------------------------------------------------------------------

    def _ready(self) -> Engine:
        """The engine, opened (and the store migrated) on first use. A store that cannot be
        opened is ``StoreUnavailable``, and the next call tries again."""
        with self._lock:
            if self._engine is not None:
                return self._engine
            try:
                engine = engines.create(self.url, self.engine_kwargs)
                try:
                    writer = engine.connect().execution_options(**{engines.WRITES: True})
                    with writer as conn, conn.begin():
                        self._info = migrate(conn, self.url)
                except BaseException:
                    engine.dispose()
                    raise
            except SQLAlchemyError as err:
                raise self._report(self._damaged(err)) from None
            except StoreUnavailable as err:
                raise self._report(err) from None
            self._reported = None
            self._engine = engine
            return engine

    def _damaged(self, err: SQLAlchemyError) -> StoreUnavailable:
        if self.url.get_backend_name() == "sqlite":
            return StoreUnavailable(
                f"The deployments store {self.url.database} is damaged or not a deployments "
                f"store ({engines.unavailable(self.url, err).message.split(': ', 1)[-1]}); "
                "move it away to start a new one"
            )
        return engines.unavailable(self.url, err)

    def _report(self, err: StoreUnavailable) -> StoreUnavailable:
        if err.message != self._reported:  # said once in the log, not per request
            self._reported = err.message
            log.error("PrimeHub Models: %s", err.message)
        return err

    def _on_thread(self, fn: Callable[[Connection], T], mode: str) -> T:
        """``fn(conn)`` as ``mode`` says: ``read`` (one statement, no transaction around it:
        no BEGIN/COMMIT round trips), ``transaction``, or ``write`` (a transaction that
        bumps the store's revision first)."""
        engine = self._ready()
        try:
            with engine.connect() as conn:
                if mode == READ:
                    return fn(conn.execution_options(isolation_level="AUTOCOMMIT"))
                conn = conn.execution_options(**{engines.WRITES: True})
                with conn.begin():
                    if mode == WRITE:  # every write bumps the store's revision, first (the lock)
                        revision = conn.execute(
                            update(store_revision)
                            .values(revision=store_revision.c.revision + 1)
                            .returning(store_revision.c.revision)
                        ).scalar_one()
                    result = fn(conn)
        except (ApiError, IntegrityError):
            raise
        except SQLAlchemyError as err:
            raise self._report(engines.unavailable(self.url, err)) from None
        if mode == WRITE and self._revision == revision - 1:
            self._revision = revision  # our own write is no news to us
        return result

    async def _call(self, fn: Callable[[Connection], T], mode: str = READ) -> T:
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor, self._on_thread, fn, mode)
        try:
            async with asyncio.timeout(self.timeout):
                return await asyncio.shield(future)
        except TimeoutError:
            raise StoreUnavailable(
                f"The deployments store {self.shown_url} did not answer within {self.timeout:g} s"
            ) from None

    async def open(self) -> StoreInfo:
        """Open (and migrate) now; ``StoreUnavailable`` if it cannot be used."""
        await self._call(lambda c: None)
        assert self._info is not None
        return self._info

    def close(self) -> None:
        def dispose() -> None:
            with self._lock:
                if self._engine is not None:
                    self._engine.dispose()
                    self._engine = None

        self._executor.submit(dispose).result()
        self._executor.shutdown(wait=True)

    # -- reads -----------------------------------------------------------------------------

    async def get(self, deployment_id: str) -> Record:
        row = await self._call(
            lambda c: (
                c.execute(select(deployments).where(deployments.c.id == deployment_id))
                .mappings()
                .first()
            )
        )
        if row is None:
            raise NotFound(f"No deployment {deployment_id!r}")
        return Record.from_row(row)

    async def list(
        self, group: str | None = None, *, include_deleted: bool = False
    ) -> list[Record]:
        query = select(deployments).order_by(deployments.c.created_at, deployments.c.id)
        if group is not None:
            query = query.where(deployments.c.grp == group)
        if not include_deleted:
            query = query.where(LIVE)
        rows = await self._call(lambda c: c.execute(query).mappings().all())
        return [Record.from_row(r) for r in rows]

    async def for_model(self, group: str, model_name: str) -> list[DeploymentRef]:
        """The group's live deployments of one model: the one query behind a whole versions
        page's Deployed By (the registry's ``DeploymentIndex``)."""
        d = deployments.c
        query = (
            select(d.id, d.name, d.phase, d.model_uri, d.served_version, d.traffic)
            .where(d.grp == group, d.model_name == model_name, LIVE)
            .order_by(d.created_at)
        )
        rows = await self._call(lambda c: c.execute(query).all())
        return [DeploymentRef(*r) for r in rows]

    async def changed(self) -> bool:
        """Whether any other process wrote since the last call (one one-row read)."""
        revision = await self._call(
            lambda c: c.execute(select(store_revision.c.revision)).scalar_one()
        )
        changed = revision != self._revision
        self._revision = revision
        return changed

    # -- the lease -------------------------------------------------------------------------

    async def take_lease(
        self, me: str, host: str, ttl: float, dead: str | None = None
    ) -> lease.Holder:
        """Take or renew the reconciler lease for ``me`` (also from ``dead``, a holder known
        to be gone); who holds it now."""
        return await self._call(
            lambda c: lease.take(c, me, host, int(ttl * 1000), dead), TRANSACTION
        )

    async def give_up_lease(self, me: str) -> None:
        await self._call(lambda c: lease.give_up(c, me), TRANSACTION)

    async def lease_holder(self) -> lease.Holder:
        return await self._call(lease.read)

    # -- writes ----------------------------------------------------------------------------

    async def insert(self, record: Record, max_live: int | None = None) -> Record:
        """Add a deployment; ``Conflict`` if its name is taken in its group, or if the group
        already has ``max_live`` live deployments (counted in the same transaction)."""

        def add(c: Connection) -> None:
            if max_live is not None:
                live = c.execute(
                    select(func.count()).where(deployments.c.grp == record.grp, LIVE)
                ).scalar_one()
                if live >= max_live:
                    raise Conflict(
                        f"Group {record.grp!r} has {live} deployments, the most "
                        f"c.PrimeHubModels.max_deployments allows: delete one first"
                    )
            c.execute(insert(deployments).values(**record.to_row()))

        try:
            await self._call(add, mode=WRITE)
        except IntegrityError:
            raise Conflict(
                f"A deployment named {record.name!r} already exists in group {record.grp!r}",
                field="name",
            ) from None
        return record

    async def update(
        self, deployment_id: str, expected_revision: int | None, **spec: Any
    ) -> Record:
        """Change what is wanted, in one transaction; ``Conflict`` if the revision moved on.

        ``expected_revision`` is the revision the caller read (``None``: no check).
        """
        return await self._write(deployment_id, expected_revision, spec, bump=True)

    async def set_status(self, deployment_id: str, **status: Any) -> Record:
        """Record what was observed; the revision (of what is wanted) stays."""
        return await self._write(deployment_id, None, status, bump=False)

    async def _write(
        self, deployment_id: str, expected: int | None, changes: dict[str, Any], bump: bool
    ) -> Record:
        def write(c: Connection) -> Record:
            row = (
                c.execute(select(deployments).where(deployments.c.id == deployment_id))
                .mappings()
                .first()
            )
            if row is None:
                raise NotFound(f"No deployment {deployment_id!r}")
            current = Record.from_row(row)
            if expected is not None and current.revision != expected:
                raise Conflict(
                    f"Deployment {deployment_id!r} changed since revision {expected} "
                    f"(now {current.revision}); reload it and try again"
                )
            revision = current.revision + 1 if bump else current.revision
            fresh = replace(current, **changes, revision=revision, updated_at=now_ms())
            values = fresh.to_row()
            del values["id"]
            c.execute(update(deployments).where(deployments.c.id == deployment_id).values(values))
            return fresh

        try:
            return await self._call(write, mode=WRITE)
        except IntegrityError:
            raise Conflict(f"A deployment named {changes.get('name')!r} already exists") from None

    async def remove(self, deployment_id: str) -> None:
        await self._call(
            lambda c: c.execute(delete(deployments).where(deployments.c.id == deployment_id)),
            mode=WRITE,
        )
