"""The deployments store, on SQLite (the default) and on a real PostgreSQL: migrations,
optimistic concurrency across processes, the change signal, the lease, and failures that
say what is wrong without the password."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from traitlets import TraitError

from jupyter_primehub_models.config import PrimeHubModels
from jupyter_primehub_models.deployments.record import Record, now_ms
from jupyter_primehub_models.deployments.store import SCHEMA, Store
from jupyter_primehub_models.errors import Conflict, StoreUnavailable
from tests import servers

REPO = Path(__file__).resolve().parent.parent
WORKER = textwrap.dedent(
    """
    import asyncio, sys
    from jupyter_primehub_models.deployments.store import Store
    from jupyter_primehub_models.errors import Conflict

    async def main(url, rounds):
        store = Store(url)
        conflicts = 0
        for _ in range(rounds):
            while True:  # read, change, write back; a lost race is retried, never lost
                record = await store.get("d-1")
                try:
                    await store.update(
                        "d-1", record.revision, description=str(int(record.description) + 1)
                    )
                    break
                except Conflict:
                    conflicts += 1
        store.close()
        print(conflicts)

    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
    """
)


def record(**changes: object) -> Record:
    at = now_ms()
    values: dict[str, object] = {
        "id": "d-1", "grp": "team", "name": "one", "model_uri": "models:/m/1",
        "model_name": "m", "replicas": 1, "access": "private", "desired": "running",
        "phase": "Deploying", "backend": "local", "created_at": at, "updated_at": at,
        "revision": 1, "description": "0",
    }  # fmt: skip
    values.update(changes)
    return Record(**values)  # type: ignore[arg-type]


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new store's URL: a SQLite file, or a database of its own on a real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'deployments.sqlite'}"
    return str(request.getfixturevalue("postgres_url"))


async def test_two_processes_writing_at_once_lose_nothing(url: str) -> None:
    store = Store(url)
    await store.insert(record())
    rounds = 60
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", WORKER, url, str(rounds), stdout=asyncio.subprocess.PIPE, cwd=REPO
        )
        for _ in range(2)
    ]
    for worker in workers:
        await worker.communicate()
        assert worker.returncode == 0
    final = await store.get("d-1")
    assert final.description == str(2 * rounds)  # every increment landed
    assert final.revision == 1 + 2 * rounds
    store.close()


async def test_the_same_stale_revision_from_two_stores_is_exactly_one_conflict(url: str) -> None:
    one, two = Store(url), Store(url)  # two servers' connections to the same store
    await one.insert(record())
    read = (await two.get("d-1")).revision
    results = await asyncio.gather(
        one.update("d-1", read, description="from one"),
        two.update("d-1", read, description="from two"),
        return_exceptions=True,
    )
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(conflicts) == 1, results
    (won,) = [r for r in results if isinstance(r, Record)]
    assert (await one.get("d-1")).description == won.description
    one.close()
    two.close()


async def test_stale_revision_is_a_conflict_and_status_keeps_the_revision(url: str) -> None:
    store = Store(url)
    await store.insert(record())
    fresh = await store.update("d-1", 1, description="a")
    assert fresh.revision == 2
    with pytest.raises(Conflict):
        await store.update("d-1", 1, description="b")
    seen = await store.set_status("d-1", phase="Deployed", endpoint="http://127.0.0.1:1")
    assert seen.revision == 2 and seen.phase == "Deployed"
    assert (await store.get("d-1")).description == "a"
    store.close()


async def test_names_are_unique_among_live_deployments(url: str) -> None:
    store = Store(url)
    await store.insert(record())
    with pytest.raises(Conflict):
        await store.insert(record(id="d-2"))
    await store.update("d-1", None, desired="deleted")
    await store.insert(record(id="d-2"))  # a deleted deployment's name is free again
    assert [r.id for r in await store.list("team")] == ["d-2"]
    assert [r.id for r in await store.for_model("team", "m")] == ["d-2"]
    store.close()


async def test_change_signal_sees_other_writers_not_our_own(url: str) -> None:
    store, other = Store(url), Store(url)
    await store.changed()
    assert not await store.changed()
    await store.insert(record())
    assert not await store.changed()  # our own write is no news
    await other.set_status("d-1", phase="Deployed")
    assert await store.changed()  # another process committed
    assert not await store.changed()
    assert (await store.get("d-1")).phase == "Deployed"
    store.close()
    other.close()


async def test_one_store_id_and_migrations_run_once(url: str) -> None:
    first = await Store(url).open()
    stores = [Store(url) for _ in range(3)]
    infos = await asyncio.gather(*(s.open() for s in stores))  # opened at once: one id
    assert {i.store_id for i in infos} == {first.store_id}
    assert {i.schema for i in infos} == {SCHEMA}
    for s in stores:
        s.close()


async def test_the_lease_has_one_holder_and_passes_on_when_it_expires(url: str) -> None:
    a, b = Store(url), Store(url)
    held = await a.take_lease("a", "host-a", ttl=3)
    assert held.holder == "a" and held.live
    refused = await b.take_lease("b", "host-b", ttl=3)
    assert refused.holder == "a"  # b sees who holds it, and does not get it
    assert (await a.take_lease("a", "host-a", ttl=3)).holder == "a"  # renewed

    async def expired() -> bool:
        return not (await b.lease_holder()).live

    deadline = asyncio.get_running_loop().time() + 10
    while not await expired():  # the store's own clock moves past the expiry
        assert asyncio.get_running_loop().time() < deadline, "the lease never expired"
        await asyncio.sleep(0.2)
    assert (await b.take_lease("b", "host-b", ttl=3)).holder == "b"
    assert (await a.take_lease("a", "host-a", ttl=3)).holder == "b"
    await b.give_up_lease("b")  # a clean shutdown frees it at once
    assert (await a.take_lease("a", "host-a", ttl=3)).holder == "a"
    a.close()
    b.close()


async def test_a_store_of_a_newer_schema_is_refused_naming_both(url: str) -> None:
    store = Store(url)
    await store.open()
    store.close()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE store_info SET value = '9' WHERE key = 'schema'"))
    engine.dispose()
    with pytest.raises(StoreUnavailable, match=f"schema 9; this version knows schema {SCHEMA}"):
        await Store(url).open()


def test_a_sqlite_store_of_the_first_release_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "deployments.sqlite"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.executescript((REPO / "tests" / "data" / "store-schema1.sql").read_text())
        before = conn.execute("SELECT * FROM deployments ORDER BY id").fetchall()

    async def check() -> None:
        store = Store(path)
        info = await store.open()
        assert info.schema == SCHEMA and len(info.store_id) == 12
        records = {r.id: r for r in await store.list(include_deleted=True)}
        assert set(records) == {"iris-prod-abc121", "iris-canary-abc122", "old-one-abc123"}
        prod = records["iris-prod-abc121"]
        assert prod.env == [{"name": "MODE", "value": "fast"}] and prod.description == "the first"
        assert prod.history[0]["status"] == "created" and prod.runtime["replicas"][0]["pid"] == 1
        await store.update(prod.id, prod.revision, description="upgraded")  # writable
        store.close()

    asyncio.run(check())
    with contextlib.closing(sqlite3.connect(path)) as conn:
        after = conn.execute("SELECT * FROM deployments ORDER BY id").fetchall()
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA  # old code refuses
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert all(row[-1] == "[]" for row in after)  # schema 3's traffic: empty (model_uri at 100)
    changed = [(b, a[:-1]) for b, a in zip(before, after, strict=True) if b != a[:-1]]
    assert len(changed) == 1 and changed[0][1][3] == "upgraded"  # nothing else was touched
    assert (path.stat().st_mode & 0o777) == 0o600


async def test_an_unreachable_database_is_a_quick_503_without_the_password() -> None:
    port = servers.free_port()
    url = f"postgresql+psycopg://primehub:pw-31d7-never-shown@127.0.0.1:{port}/x"
    store = Store(url)
    started = asyncio.get_running_loop().time()
    with pytest.raises(StoreUnavailable) as refused:
        await store.list()
    assert asyncio.get_running_loop().time() - started < store.timeout
    assert refused.value.status == 503
    assert "pw-31d7-never-shown" not in refused.value.message
    assert "127.0.0.1" in refused.value.message  # where it tried
    store.close()


async def test_a_wrong_password_is_said_without_it(postgres_admin: str) -> None:
    url = postgres_admin.replace(":pg-pw-", ":wrong-pw-")
    store = Store(url)
    with pytest.raises(StoreUnavailable) as refused:
        await store.open()
    assert "wrong-pw" not in refused.value.message and "pg-pw" not in refused.value.message
    assert "authentication failed" in refused.value.message
    store.close()


@pytest.mark.parametrize(
    "value",
    ["not a url", "mysql://u:secret-x@h/db", "sqlite://", "postgresql+psycopg://u:secret-x@:bad"],
)
def test_a_malformed_db_url_is_a_configuration_error_naming_the_key(value: str) -> None:
    with pytest.raises(TraitError) as refused:
        PrimeHubModels(db_url=value)
    assert "PrimeHubModels.db_url" in str(refused.value)
    assert "secret-x" not in str(refused.value)
