"""jupyter_server's authorization rules hold on the scoring route: an asynchronous
authorizer's "no" is a no, and the server's hardening switch leaves public deployments
public (and nothing else open)."""

from __future__ import annotations

from typing import Any

import pytest
from traitlets.config import Config

from tests.authorizers import AsyncDenyScoring
from tests.deploying import score, wait_for
from tests.seed_registry import IRIS

pytestmark = pytest.mark.timeout(600)


@pytest.fixture
def jp_server_config(jp_server_config: Config) -> Config:
    jp_server_config.ServerApp.authorizer_class = AsyncDenyScoring
    return jp_server_config


async def test_an_async_authorizer_that_denies_scoring_is_obeyed(api: Any) -> None:
    made = await api("groups", "team", "deployments", method="POST",
                     body={"name": "denied", "model_uri": f"models:/{IRIS}/1"})  # fmt: skip
    assert made.status == 201, made.text  # creating is allowed by this authorizer
    d = await wait_for(api, "team", made.body["id"], lambda b: b["phase"] == "Deployed")
    try:
        scored = await score(api, d["id"])
        assert scored.status == 403, scored.text
        assert scored.body["error"]["code"] == "FORBIDDEN"
    finally:
        await api("groups", "team", "deployments", d["id"], method="DELETE")
