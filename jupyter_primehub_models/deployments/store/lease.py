"""The reconciler lease: one row saying which process drives the backend, until when.

A process takes the lease when it is free or expired, and keeps it by renewing it before
it expires; times are the store's clock (``engine.now_ms``), so hosts need not agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, or_, select, update

from .engine import now_ms
from .migrations import LEASE
from .schema import lease


@dataclass(frozen=True)
class Holder:
    holder: str | None
    host: str | None
    expires_at: int
    #: the store's clock when this was read
    now: int

    @property
    def live(self) -> bool:
        return self.holder is not None and self.expires_at > self.now


def take(conn: Connection, me: str, host: str, ttl_ms: int, dead: str | None = None) -> Holder:
    """Take or renew the lease for ``me`` if it is ours, free, expired, or held by
    ``dead`` (a holder the caller saw is gone); who holds it now."""
    at = now_ms(conn)
    free = [lease.c.holder == me, lease.c.holder.is_(None), lease.c.expires_at <= at]
    if dead is not None:
        free.append(lease.c.holder == dead)
    conn.execute(
        update(lease)
        .where(lease.c.name == LEASE)
        .where(or_(*free))
        .values(holder=me, host=host, expires_at=at + ttl_ms)
    )
    return read(conn, at)


def give_up(conn: Connection, me: str) -> None:
    """Free the lease if ``me`` holds it (a clean shutdown: the next one need not wait)."""
    conn.execute(
        update(lease)
        .where(lease.c.name == LEASE, lease.c.holder == me)
        .values(holder=None, host=None, expires_at=0)
    )


def read(conn: Connection, at: int | None = None) -> Holder:
    row = conn.execute(
        select(lease.c.holder, lease.c.host, lease.c.expires_at).where(lease.c.name == LEASE)
    ).one()
    return Holder(row.holder, row.host, row.expires_at, now_ms(conn) if at is None else at)
