"""The PostgreSQL store goes down under a running server: the API answers a quick
``STORE_UNAVAILABLE`` 503 (never a traceback, never the password), the event loop stays
free, a running deployment keeps serving, and once the database is back everything works
again (the reconciler resumes: a stop reaches the serving process)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from traitlets.config import Config

from tests.deploying import score, until, wait_for
from tests.postgres import PASSWORD, PostgresServer, fresh_database, postgres
from tests.seed_registry import IRIS
from tests.servers import kill_recorded_processes

pytestmark = pytest.mark.timeout(600)


@pytest.fixture
def database() -> Iterator[PostgresServer]:
    """A PostgreSQL server of this test's own: the test takes it down."""
    with postgres() as server:
        yield server


@pytest.fixture
def db_url(database: PostgresServer) -> Iterator[str]:
    url = fresh_database(database.url)
    yield url
    kill_recorded_processes(Path(), url)  # whatever the test left running


@pytest.fixture
def jp_server_config(jp_server_config: Config, db_url: str) -> Config:
    jp_server_config.PrimeHubModels.db_url = db_url
    jp_server_config.PrimeHubModels.lease_ttl = 6.0
    return jp_server_config


async def test_the_database_going_down_and_coming_back(
    api: Any, database: PostgresServer, caplog: pytest.LogCaptureFixture
) -> None:
    made = await api("groups", "team", "deployments", method="POST",
                     body={"name": "through it", "model_uri": f"models:/{IRIS}/1"})  # fmt: skip
    assert made.status == 201, made.text
    deployment_id = made.body["id"]
    await wait_for(api, "team", deployment_id, lambda d: d["phase"] == "Deployed")
    assert (await score(api, deployment_id)).status == 200

    await asyncio.to_thread(database.stop)
    try:
        listed = await api("groups", "team", "deployments")
        assert listed.status == 503 and listed.body["error"]["code"] == "STORE_UNAVAILABLE"
        assert "127.0.0.1" in listed.body["error"]["message"]
        assert PASSWORD not in listed.text
        # the registry half works; Deployed By says nothing rather than failing the page
        versions = await api("groups", "team", "models", IRIS, "versions")
        assert versions.status == 200, versions.text
        # the running deployment keeps serving, through a lease lapse and all
        for _ in range(3):
            assert (await score(api, deployment_id)).status == 200
        refused = await api("groups", "team", "deployments", deployment_id)
        assert refused.status == 503 and "cannot be used" in refused.body["error"]["message"]
    finally:
        await asyncio.to_thread(database.start)

    async def answers() -> bool:
        return (await api("groups", "team", "deployments")).status == 200

    await until(answers, 30, "the store answering again")
    body = await wait_for(api, "team", deployment_id, lambda d: d["phase"] == "Deployed")
    assert (await score(api, deployment_id)).status == 200
    # the reconciler drives the backend again: only it writes "Stopped", once the
    # serving process is gone
    stopped = await api("groups", "team", "deployments", deployment_id, "stop", method="POST")
    assert stopped.status == 200, stopped.text
    await wait_for(api, "team", deployment_id, lambda d: d["phase"] == "Stopped")
    assert body["id"] == deployment_id
    for record in caplog.records:
        assert PASSWORD not in record.getMessage()
        assert "Traceback" not in record.getMessage()
