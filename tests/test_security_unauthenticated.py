"""With ``ServerApp.allow_unauthenticated_access = False`` (jupyter_server's hardening
switch) a public deployment still answers without a token; nothing else does."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from traitlets.config import Config
from yarl import URL

from tests.deploying import ROWS, wait_for
from tests.seed_registry import IRIS

pytestmark = pytest.mark.timeout(600)


@pytest.fixture
def jp_server_config(jp_server_config: Config) -> Config:
    jp_server_config.ServerApp.allow_unauthenticated_access = False
    return jp_server_config


async def test_public_stays_public_and_private_stays_private(
    api: Any, jp_http_port: int, jp_base_url: str
) -> None:
    base = f"http://127.0.0.1:{jp_http_port}{jp_base_url.rstrip('/')}/primehub-models/api"
    ids = {}
    for access in ("public", "private"):
        made = await api("groups", "team", "deployments", method="POST", body={
            "name": f"switch {access}", "model_uri": f"models:/{IRIS}/1", "access": access,
        })  # fmt: skip
        assert made.status == 201, made.text
        ids[access] = made.body["id"]
    try:
        for deployment_id in ids.values():
            await wait_for(api, "team", deployment_id, lambda b: b["phase"] == "Deployed")
        async with aiohttp.ClientSession() as anonymous:
            url = f"{base}/groups/team/deployments/{{}}/invocations"
            async with anonymous.post(URL(url.format(ids["public"]), encoded=True),
                                      json={"dataframe_split": ROWS}) as r:  # fmt: skip
                assert r.status == 200, await r.text()
            async with anonymous.post(URL(url.format(ids["private"]), encoded=True),
                                      json={"dataframe_split": ROWS}) as r:  # fmt: skip
                assert r.status in (401, 403), await r.text()
            for path in ("/groups", f"/groups/team/deployments/{ids['public']}"):
                async with anonymous.get(URL(base + path, encoded=True)) as r:
                    assert r.status in (401, 403), path
    finally:
        for deployment_id in ids.values():
            await api("groups", "team", "deployments", deployment_id, method="DELETE")
