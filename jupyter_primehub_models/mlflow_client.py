"""A small async client of MLflow's REST API: one per group, with that group's credentials.

``mlflow.MlflowClient`` is deliberately not used here: it reads credentials and timeouts
from the process environment (so one process cannot serve two groups with two tokens)
and retries for minutes, which would hang the UI when a server is down.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Mapping
from typing import Any

import httpx

from .config import GroupConfig
from .errors import ApiError, Conflict, InvalidArgument, MlflowUnreachable, NotFound

log = logging.getLogger(__name__)

API = "/api/2.0/mlflow/"

#: MLflow's error codes → ours. Anything else unexpected is MLflow's problem (502).
MLFLOW_ERRORS: dict[str, type[ApiError]] = {
    "RESOURCE_DOES_NOT_EXIST": NotFound,
    "NOT_FOUND": NotFound,
    "INVALID_PARAMETER_VALUE": InvalidArgument,
    "BAD_REQUEST": InvalidArgument,
    "INVALID_STATE": InvalidArgument,
    "RESOURCE_ALREADY_EXISTS": Conflict,
}


def auth_headers(group: GroupConfig) -> dict[str, str]:
    """Authorization for the group: a bearer token, basic credentials, or URL userinfo."""
    env = group.env
    if env.get("MLFLOW_TRACKING_TOKEN"):
        return {"Authorization": f"Bearer {env['MLFLOW_TRACKING_TOKEN']}"}
    user, password = env.get("MLFLOW_TRACKING_USERNAME"), env.get("MLFLOW_TRACKING_PASSWORD")
    if not user and group.tracking_uri:
        userinfo = httpx.URL(group.tracking_uri).userinfo.decode()
        if userinfo:
            user, _, password = userinfo.partition(":")
    if user:
        token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
        return {"Authorization": f"Basic {token}"}
    return {}


def _verify(env: Mapping[str, str]) -> bool | str:
    if env.get("MLFLOW_TRACKING_INSECURE_TLS", "").lower() == "true":
        return False
    return env.get("MLFLOW_TRACKING_SERVER_CERT_PATH") or True


class MlflowRestClient:
    """MLflow REST calls for one group, pooled, each under a hard deadline."""

    def __init__(self, group: GroupConfig, timeout: float):
        if not group.tracking_uri:
            raise ValueError(f"group {group.name!r} has no tracking URI")
        self.group = group
        self.timeout = timeout
        url = httpx.URL(group.tracking_uri)
        self._base = str(url.copy_with(username=None, password=None)).rstrip("/") + API
        self._http = httpx.AsyncClient(
            headers={"Accept": "application/json", **auth_headers(group)},
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
            verify=_verify(group.env),
            cert=group.env.get("MLFLOW_TRACKING_CLIENT_CERT_PATH") or None,
            follow_redirects=False,
            trust_env=False,
        )

    async def get(self, endpoint: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return await self.request("GET", endpoint, params=params)

    async def post(self, endpoint: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return await self.request("POST", endpoint, json=body)

    async def request(
        self,
        method: str,
        endpoint: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        host = self.group.host
        try:
            async with asyncio.timeout(self.timeout):
                response = await self._http.request(
                    method, self._base + endpoint, params=params, json=json
                )
        except (TimeoutError, httpx.TimeoutException):
            raise MlflowUnreachable(
                f"MLflow at {host} did not answer within {self.timeout:g} s", status=504
            ) from None
        except httpx.HTTPError as err:
            raise MlflowUnreachable(
                f"MLflow at {host} is not reachable ({type(err).__name__})"
            ) from None
        return self._decode(response, endpoint)

    def _decode(self, response: httpx.Response, endpoint: str) -> dict[str, Any]:
        host = self.group.host
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code == 200 and isinstance(body, dict):
            return body
        kind = response.headers.get("content-type", "no content type").split(";")[0]
        if response.status_code in (401, 403):
            raise MlflowUnreachable(
                f"MLflow at {host} refused this group's credentials (HTTP {response.status_code})"
            )
        if isinstance(body, dict) and 400 <= response.status_code < 500:
            error = MLFLOW_ERRORS.get(str(body.get("error_code")))
            if error is not None:
                raise error(str(body.get("message") or body.get("error_code"))[:500])
        status = response.status_code
        log.warning("MLflow %s %s answered HTTP %s (%s)", host, endpoint, status, kind)
        raise MlflowUnreachable(
            f"MLflow at {host} answered {endpoint} with HTTP {response.status_code} ({kind}); "
            "is the tracking URI an MLflow server?"
        )

    async def aclose(self) -> None:
        await self._http.aclose()


class ClientPool:
    """One client per group binding, rebuilt when the binding changes."""

    def __init__(self, timeout: float):
        self.timeout = timeout
        self._clients: dict[str, tuple[tuple[Any, ...], MlflowRestClient]] = {}

    def get(self, group: GroupConfig) -> MlflowRestClient:
        key = group.cache_key()
        held = self._clients.get(group.name)
        if held is not None and held[0] == key:
            return held[1]
        client = MlflowRestClient(group, self.timeout)
        self._clients[group.name] = (key, client)
        if held is not None:
            self._close_later(held[1])
        return client

    @staticmethod
    def _close_later(client: MlflowRestClient) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        task = loop.create_task(client.aclose())
        task.add_done_callback(lambda t: t.exception() if not t.cancelled() else None)

    async def aclose(self) -> None:
        clients = [client for _, client in self._clients.values()]
        self._clients.clear()
        await asyncio.gather(*(c.aclose() for c in clients), return_exceptions=True)
