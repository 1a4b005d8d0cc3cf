"""The deployments store: migrations, optimistic concurrency across processes, change signal."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from jupyter_primehub_models.deployments.record import Record, now_ms
from jupyter_primehub_models.deployments.store import MIGRATIONS, Store
from jupyter_primehub_models.errors import Conflict

REPO = Path(__file__).resolve().parent.parent
WORKER = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path
    from jupyter_primehub_models.deployments.store import Store
    from jupyter_primehub_models.errors import Conflict

    async def main(path, rounds):
        store = Store(Path(path))
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


async def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "deployments.sqlite"
    store = Store(path)
    await store.insert(record())
    rounds = 60
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", WORKER, str(path), str(rounds), stdout=asyncio.subprocess.PIPE
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


async def test_stale_revision_is_a_conflict_and_status_keeps_the_revision(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    await store.insert(record())
    fresh = await store.update("d-1", 1, description="a")
    assert fresh.revision == 2
    with pytest.raises(Conflict):
        await store.update("d-1", 1, description="b")
    seen = await store.set_status("d-1", phase="Deployed", endpoint="http://127.0.0.1:1")
    assert seen.revision == 2 and seen.phase == "Deployed"
    assert (await store.get("d-1")).description == "a"
    store.close()


async def test_names_are_unique_among_live_deployments(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    await store.insert(record())
    with pytest.raises(Conflict):
        await store.insert(record(id="d-2"))
    await store.update("d-1", None, desired="deleted")
    await store.insert(record(id="d-2"))  # a deleted deployment's name is free again
    assert [r.id for r in await store.list("team")] == ["d-2"]
    store.close()


async def test_migrations_and_change_signal_across_processes(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    store = Store(path)
    await store.changed()
    assert not await store.changed()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    subprocess.run(  # noqa: ASYNC221 (a short helper process in a test)
        [sys.executable, "-c", textwrap.dedent(f"""
            import asyncio
            from pathlib import Path
            from tests.test_store import record
            from jupyter_primehub_models.deployments.store import Store
            s = Store(Path({str(path)!r}))
            asyncio.run(s.insert(record(id="other")))
            s.close()
        """)],
        check=True, cwd=REPO,
    )  # fmt: skip
    assert await store.changed()  # another process committed
    assert [r.id for r in await store.list()] == ["other"]
    store.close()
    reopened = Store(path)  # migrations are not run twice
    assert [r.id for r in await reopened.list()] == ["other"]
    reopened.close()
