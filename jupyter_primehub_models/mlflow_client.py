"""A small async client of MLflow's REST API: one per group, with that group's credentials.

``mlflow.MlflowClient`` is deliberately not used here: it reads credentials and timeouts
from the process environment (so one process cannot serve two groups with two tokens)
and retries for minutes, which would hang the UI when a server is down.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import ssl
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from .errors import ApiError, Conflict, Forbidden, InvalidArgument, MlflowUnreachable, NotFound
from .groups import GroupConfig, split_userinfo, strip_userinfo
from .streams import read_limited

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


#: Plain words for the usual connection failures.
REASONS = {
    "ClientConnectorError": "connection refused or host unknown",
    "ClientConnectorDNSError": "host name unknown",
    "ServerDisconnectedError": "the server closed the connection",
    "ClientConnectorCertificateError": "TLS certificate not trusted",
    "ClientConnectorSSLError": "TLS handshake failed",
}


def auth_headers(group: GroupConfig) -> dict[str, str]:
    """Authorization for the group: a bearer token, basic credentials, or URL userinfo."""
    env = group.env
    if env.get("MLFLOW_TRACKING_TOKEN"):
        return {"Authorization": f"Bearer {env['MLFLOW_TRACKING_TOKEN']}"}
    user, password = env.get("MLFLOW_TRACKING_USERNAME"), env.get("MLFLOW_TRACKING_PASSWORD")
    if not user and group.tracking_uri:
        _, user, password = split_userinfo(group.tracking_uri)
    if user:
        token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
        return {"Authorization": f"Basic {token}"}
    return {}


def _tls(env: Mapping[str, str]) -> ssl.SSLContext | bool:
    """TLS as MLflow's own variables describe it: insecure, a CA bundle, a client cert."""
    if env.get("MLFLOW_TRACKING_INSECURE_TLS", "").lower() == "true":
        return False
    ca, cert = (
        env.get("MLFLOW_TRACKING_SERVER_CERT_PATH"),
        env.get("MLFLOW_TRACKING_CLIENT_CERT_PATH"),
    )
    if not ca and not cert:
        return True
    context = ssl.create_default_context(cafile=ca or None)
    if cert:
        context.load_cert_chain(cert)
    return context


def _query(params: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Query parameters, a list value repeating its key (MLflow's ``order_by``)."""
    pairs: list[tuple[str, str]] = []
    for key, value in (params or {}).items():
        for item in value if isinstance(value, (list, tuple)) else (value,):
            pairs.append((key, str(item)))
    return pairs


class MlflowRestClient:
    """MLflow REST calls for one group, pooled, each under a hard deadline."""

    def __init__(self, group: GroupConfig, timeout: float):
        if not group.tracking_uri:
            raise ValueError(f"group {group.name!r} has no tracking URI")
        self.group = group
        self.timeout = timeout
        parts = urlsplit(strip_userinfo(group.tracking_uri))
        self._root = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
        self._base = self._root + API
        self._headers = {"Accept": "application/json", **auth_headers(group)}
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        # made on first use, inside the event loop that will use it
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                headers=self._headers,
                connector=aiohttp.TCPConnector(limit=32, ssl=_tls(self.group.env)),
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                trust_env=False,
            )
        return self._session

    async def get(self, endpoint: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return await self.request("GET", endpoint, params=params)

    async def post(self, endpoint: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return await self.request("POST", endpoint, body=body)

    async def patch(self, endpoint: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return await self.request("PATCH", endpoint, body=body)

    async def delete(self, endpoint: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return await self.request("DELETE", endpoint, body=body)

    async def request(
        self,
        method: str,
        endpoint: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        async with self._deadline(), self._http().request(
            method, self._base + endpoint, params=_query(params), json=body,
            allow_redirects=False,
        ) as response:  # fmt: skip
            raw = await response.read()
        return self._decode(response.status, response.headers.get("Content-Type"), raw, endpoint)

    @contextlib.asynccontextmanager
    async def _deadline(self) -> AsyncIterator[None]:
        """The call's hard deadline; a timeout or a connection failure says so in words."""
        host = self.group.host
        try:
            async with asyncio.timeout(self.timeout):
                yield
        except TimeoutError:
            raise MlflowUnreachable(
                f"MLflow at {host} did not answer within {self.timeout:g} s", status=504
            ) from None
        except (aiohttp.ClientError, OSError) as err:
            reason = REASONS.get(type(err).__name__, type(err).__name__)
            raise MlflowUnreachable(f"MLflow at {host} is not reachable ({reason})") from None

    async def version_file(self, name: str, version: str, path: str, limit: int) -> bytes | None:
        """A file of a version's model directory (``MLmodel``…); None when absent or too big.

        MLflow's ``model-versions/get-artifact`` reads it wherever the artifacts live
        (proxied, file store, cloud), as MLflow's own UI does for the schema.
        """
        params = {"name": name, "version": version, "path": path}
        async with self._deadline(), self._http().get(
            self._root + "/model-versions/get-artifact", params=params,
            allow_redirects=False,
        ) as response:  # fmt: skip
            if response.status in (401, 403):
                raise MlflowUnreachable(
                    f"MLflow at {self.group.host} refused this group's credentials "
                    f"(HTTP {response.status})"
                )
            if response.status != 200 or (response.content_length or 0) > limit:
                return None
            return await read_limited(response.content, limit)

    def _decode(
        self, status: int, content_type: str | None, raw: bytes, endpoint: str
    ) -> dict[str, Any]:
        host = self.group.host
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        if status == 200 and isinstance(body, dict):
            return body
        kind = (content_type or "no content type").split(";")[0]
        if status == 403:  # an auth server: these credentials may not do this
            said = body.get("message") if isinstance(body, dict) else None
            if said is None and kind.startswith("text/"):
                said = raw[:500].decode(errors="replace").strip()
            raise Forbidden(f"MLflow at {host} refused {endpoint}: {said or 'HTTP 403'}")
        if status == 401:
            raise MlflowUnreachable(
                f"MLflow at {host} refused this group's credentials (HTTP {status})"
            )
        if isinstance(body, dict) and 400 <= status < 500:
            error = MLFLOW_ERRORS.get(str(body.get("error_code")))
            if error is not None:
                raise error(str(body.get("message") or body.get("error_code"))[:500])
        log.warning("MLflow %s %s answered HTTP %s (%s)", host, endpoint, status, kind)
        raise MlflowUnreachable(
            f"MLflow at {host} answered {endpoint} with HTTP {status} ({kind}); "
            "is the tracking URI an MLflow server?"
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


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
