"""The API of a Jupyter server running in its own process, with the same call shape as
the ``api`` fixture (``await api("groups", "team", …)`` → ``Reply``), so the deployment
helpers (``wait_for``, ``score``, ``RequestLoop``) work against it unchanged."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from tests.conftest import Reply, assert_safe


class RemoteApi:
    def __init__(self, base_url: str, token: str):
        self.base = f"{base_url.rstrip('/')}/primehub-models/api"
        self.headers = {"Authorization": f"token {token}"}

    async def __call__(
        self,
        *segments: str,
        params: dict[str, Any] | None = None,
        method: str = "GET",
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        url = f"{self.base}/{'/'.join(quote(s, safe='') for s in segments)}"
        if params:
            url += "?" + urlencode(params, doseq=True)
        # a client per call: the tests' event loops come and go, the servers stay
        async with httpx.AsyncClient(headers=self.headers, timeout=60, trust_env=False) as c:
            r = await c.request(method, url, json=body, headers=headers)
        assert_safe(r.text, r.status_code)
        return Reply(r.status_code, json.loads(r.text) if r.text else None, r.text, r.headers)
