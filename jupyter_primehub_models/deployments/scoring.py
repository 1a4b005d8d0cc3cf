"""Scoring through the stable endpoint: one request to a deployment's serving processes.

Every deployment has its own cap on requests in flight (``max_inflight``), so one slow
public deployment cannot hold the proxy's connections against the others; a request
that finds no room within ``queue_timeout`` is a 503. The local backend's serving
processes are reached over their Unix sockets, one connection pool per socket; the
cluster backends over HTTP. Error answers lose MLflow's Python ``stack_trace`` (paths,
versions: nothing for an anonymous caller of a public deployment); the trace goes to the
deployment's own log, for its group.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import OrderedDict
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

import aiohttp

from ..errors import Unavailable
from ..streams import read_limited
from .backends.base import Backend, Upstream
from .record import Record

#: The header every scoring answer carries: the version that served it.
VERSION_HEADER = "X-Model-Version"
SCORING_TIMEOUT = aiohttp.ClientTimeout(total=300, sock_connect=10)
#: Error answers up to this size are read and cleaned; larger ones are not passed on.
ERROR_LIMIT = 4 * 1024 * 1024
#: Connection pools kept for Unix sockets (one per serving process).
POOLS = 256


@dataclass
class Answer:
    """A scoring answer as it is passed on: status, content type, body (``stream`` is the
    upstream's body still to read, for large successful answers)."""

    status: int
    content_type: str
    body: bytes | None
    stream: aiohttp.StreamReader | None = None
    #: the version that answered (``X-Model-Version``), when known
    version: str | None = None


def scrub(body: bytes) -> tuple[bytes, str | None]:
    """An error body without ``stack_trace``: (the body to send, the trace taken out)."""
    try:
        data = json.loads(body)
    except ValueError:
        return body, None
    if not isinstance(data, dict) or "stack_trace" not in data:
        return body, None
    trace = data.pop("stack_trace")
    return json.dumps(data).encode(), str(trace) if trace else None


class Scorer:
    def __init__(self, max_inflight: int = 64, queue_timeout: float = 30.0):
        self.max_inflight = max_inflight
        self.queue_timeout = queue_timeout
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._http: aiohttp.ClientSession | None = None
        self._unix: OrderedDict[str, aiohttp.ClientSession] = OrderedDict()

    def _session(self, upstream: Upstream) -> aiohttp.ClientSession:
        if upstream.unix_socket is None:
            if self._http is None or self._http.closed:
                self._http = aiohttp.ClientSession(
                    timeout=SCORING_TIMEOUT, connector=aiohttp.TCPConnector(limit=0)
                )
            return self._http
        path = upstream.unix_socket
        session = self._unix.get(path)
        if session is None or session.closed:
            session = aiohttp.ClientSession(
                timeout=SCORING_TIMEOUT, connector=aiohttp.UnixConnector(path=path, limit=0)
            )
            self._unix[path] = session
            while len(self._unix) > POOLS:
                _, old = self._unix.popitem(last=False)
                asyncio.get_running_loop().create_task(old.close())
        self._unix.move_to_end(path)
        return session

    @contextlib.asynccontextmanager
    async def post(
        self,
        backend: Backend,
        record: Record,
        body: bytes,
        headers: Mapping[str, str],
        *,
        stream_above: int | None = None,
    ) -> AsyncIterator[Answer]:
        """Send one scoring request; the answer (streamed when larger than
        ``stream_above`` and successful). ``Unavailable`` when there is no room or the
        serving process did not answer; ``Conflict`` when nothing serves."""
        slot = self._slots.setdefault(record.id, asyncio.Semaphore(self.max_inflight))
        try:
            async with asyncio.timeout(self.queue_timeout):
                await slot.acquire()
        except TimeoutError:
            raise Unavailable(
                f"Deployment {record.id!r} has {self.max_inflight} requests in flight "
                "(c.PrimeHubModels.max_inflight); try again"
            ) from None
        try:
            async with backend.route(record) as upstream:
                try:
                    async with self._session(upstream).post(
                        f"{upstream.url}/invocations", data=body, headers=dict(headers)
                    ) as answer:
                        found = await self._answer(backend, record, answer, stream_above)
                        found.version = answer.headers.get(VERSION_HEADER) or upstream.version
                        yield found
                except (aiohttp.ClientError, TimeoutError, OSError) as err:
                    raise Unavailable(
                        f"The serving process of {record.id!r} did not answer "
                        f"({type(err).__name__})"
                    ) from None
        finally:
            slot.release()

    async def _answer(
        self,
        backend: Backend,
        record: Record,
        answer: aiohttp.ClientResponse,
        stream_above: int | None,
    ) -> Answer:
        kind = answer.headers.get("Content-Type", "application/octet-stream")
        if answer.status >= 400:
            raw = await read_limited(answer.content, ERROR_LIMIT)
            if raw is None:
                message = {
                    "error_code": "INTERNAL_ERROR",
                    "message": "The scoring server's error answer was too large",
                }
                return Answer(answer.status, "application/json", json.dumps(message).encode())
            raw, trace = scrub(raw)
            if trace:
                await backend.note(record, f"scoring answered {answer.status}:\n{trace}")
            return Answer(answer.status, kind, raw)
        size = answer.content_length
        if stream_above is not None and (size is None or size > stream_above):
            return Answer(answer.status, kind, None, answer.content)
        return Answer(answer.status, kind, await answer.read())

    async def aclose(self) -> None:
        sessions = [*self._unix.values(), *([self._http] if self._http else [])]
        self._unix.clear()
        await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)
