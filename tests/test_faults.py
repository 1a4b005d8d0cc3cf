"""MLflow down, hung or not MLflow at all; no Jupyter credentials; the event loop stays free."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from tests import servers
from tests.conftest import assert_safe


@pytest.fixture(scope="module")
def hanging_uri() -> Iterator[str]:
    with servers.hanging_server() as url:
        yield url


@pytest.fixture(scope="module")
def html_uri() -> Iterator[str]:
    with servers.html_server() as url:
        yield url


@pytest.fixture
def extra_groups(hanging_uri: str, html_uri: str) -> dict[str, Any]:
    return {"hung": {"tracking_uri": hanging_uri}, "html": {"tracking_uri": html_uri}}


@pytest.fixture
def mlflow_timeout() -> float:
    return 2.0


async def test_hung_mlflow_is_504_within_the_timeout(api: Any, hanging_uri: str) -> None:
    r = await api("groups", "hung", "models")
    assert r.status == 504
    assert r.body["error"]["code"] == "MLFLOW_UNREACHABLE"
    assert hanging_uri.removeprefix("http://") in r.body["error"]["message"]
    status = await api("groups", "hung", "status")
    assert status.status == 200 and status.body["mlflow"] == "unreachable"
    assert "did not answer within 2 s" in status.body["message"]


async def test_html_answers_are_502_with_a_clear_message(api: Any) -> None:
    for path in (("models",), ("models", "x", "versions"), ("models", "x", "versions", "1")):
        r = await api("groups", "html", *path)
        assert r.status == 502, r.text
        assert r.body["error"]["code"] == "MLFLOW_UNREACHABLE"
        assert "HTTP 500" in r.body["error"]["message"]
        assert "text/html" in r.body["error"]["message"]
        assert "nginx" not in r.text  # the upstream page is not relayed


async def test_event_loop_stays_free_while_mlflow_hangs(api: Any, jp_fetch: Any) -> None:
    """Jupyter keeps answering while requests to a hung MLflow are pending."""
    pending = [asyncio.ensure_future(api("groups", "hung", "models")) for _ in range(8)]
    await asyncio.sleep(0.2)
    for _ in range(20):
        r = await jp_fetch("api", "status")
        assert r.code == 200
        groups = await api("groups")
        assert groups.status == 200
    # all of that was served while every MLflow request was still waiting
    assert not any(p.done() for p in pending)
    done = await asyncio.gather(*pending)
    assert {r.status for r in done} == {504}


async def test_no_token_is_401_in_the_error_shape(
    http_server_client: Any, jp_base_url: str
) -> None:
    for path in ("groups", "groups/team/models", "groups/team/models/x/versions/1", "nothing"):
        url = f"{jp_base_url.rstrip('/')}/primehub-models/api/{path}"
        with pytest.raises(HTTPClientError) as caught:
            await http_server_client.fetch(url)
        response = caught.value.response
        assert response is not None and response.code == 401, path
        assert json.loads(response.body)["error"]["code"] == "UNAUTHORIZED"
        assert_safe(response.body.decode())
