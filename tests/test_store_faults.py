"""A damaged deployments store: one bad row spoils nothing else; a store from a newer
version, or a file that is not a store, is refused with a clear 503 while the registry
half keeps working; once the file is fixed, the next request works (nothing cached)."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from traitlets.config import Config

from jupyter_primehub_models.deployments.record import Record, now_ms
from jupyter_primehub_models.deployments.store import MIGRATIONS, Store
from tests.seed_registry import IRIS

pytestmark = pytest.mark.timeout(300)


def stopped(deployment_id: str, name: str) -> Record:
    at = now_ms()
    return Record(
        id=deployment_id, grp="team", name=name, model_uri=f"models:/{IRIS}/1",
        model_name=IRIS, served_version="1", replicas=1, access="private", desired="stopped",
        phase="Stopped", backend="local", created_at=at, updated_at=at, revision=1,
    )  # fmt: skip


@pytest.fixture(params=["bad-row", "newer-schema", "not-a-database"])
def damage(request: pytest.FixtureRequest, state_dir: Path) -> str:
    state_dir.mkdir(parents=True)
    db = state_dir / "deployments.sqlite"
    if request.param == "not-a-database":
        db.write_bytes(b"this is no SQLite file\n" * 200)
        return "not-a-database"
    store = Store(db)

    async def fill() -> None:
        await store.insert(stopped("good-aaaaaa", "good"))
        await store.insert(stopped("bad-bbbbbb", "bad"))

    asyncio.run(fill())
    store.close()
    with contextlib.closing(sqlite3.connect(db)) as conn:
        if request.param == "bad-row":
            conn.execute("UPDATE deployments SET env = '{not json' WHERE id = 'bad-bbbbbb'")
        else:
            conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 41}")
        conn.commit()
    return str(request.param)


@pytest.fixture
def jp_server_config(jp_server_config: Config, damage: str) -> Config:
    return jp_server_config


async def test_damage_is_contained(
    api: Any, damage: str, state_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # the registry half works whatever the store's state, Deployed By included
    models = await api("groups", "team", "models")
    assert models.status == 200, models.text
    versions = await api("groups", "team", "models", IRIS, "versions")
    assert versions.status == 200, versions.text

    listed = await api("groups", "team", "deployments")
    if damage == "bad-row":
        assert listed.status == 200, listed.text
        by_id = {d["id"]: d for d in listed.body["deployments"]}
        assert by_id["good-aaaaaa"]["phase"] == "Stopped"
        bad = by_id["bad-bbbbbb"]
        assert bad["phase"] == "Failed" and "damaged" in bad["message"], bad
        one = await api("groups", "team", "deployments", "bad-bbbbbb")
        assert one.status == 200 and one.body["phase"] == "Failed"
        gone = await api("groups", "team", "deployments", "bad-bbbbbb", method="DELETE")
        assert gone.status == 202, gone.text
        return

    assert listed.status == 503, listed.text
    error = listed.body["error"]
    assert error["code"] == "STORE_UNAVAILABLE"
    if damage == "newer-schema":
        # names both versions, and leaves the file as it is
        assert str(len(MIGRATIONS) + 41) in error["message"]
        assert str(len(MIGRATIONS)) in error["message"] and "newer" in error["message"]
    else:
        assert "not a deployments store" in error["message"] or "damaged" in error["message"]
    assert any("deployments store" in r.getMessage() for r in caplog.records)

    # fixed (an admin moves the file away): the next request opens a fresh store
    (state_dir / "deployments.sqlite").rename(state_dir / "deployments.sqlite.bad")
    for extra in ("deployments.sqlite-wal", "deployments.sqlite-shm"):
        with contextlib.suppress(FileNotFoundError):
            (state_dir / extra).unlink()
    again = await api("groups", "team", "deployments")
    assert again.status == 200, again.text
    assert again.body == {"deployments": []}
