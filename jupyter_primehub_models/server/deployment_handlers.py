"""REST handlers of deployments: CRUD, stop/start, logs, and the scoring proxy."""

from __future__ import annotations

from jupyter_server.auth.decorator import allow_unauthenticated, authorized
from jupyter_server.utils import ensure_async
from tornado import web

from ..deployments.record import Record
from ..deployments.scoring import VERSION_HEADER
from ..deployments.service import DeploymentService
from ..errors import ApiError, InvalidArgument
from ..membership import viewing
from ..models import LogsQuery
from .base import AUTH_RESOURCE, ApiHandler

#: Answers larger than this (or of unknown length) are streamed chunk by chunk.
STREAM_ABOVE = 1024 * 1024


class DeploymentApiHandler(ApiHandler):
    async def deployments(self) -> DeploymentService:
        await self.services.ensure_started()
        return self.services.deployments


class DeploymentsHandler(DeploymentApiHandler):
    @web.authenticated
    @authorized
    async def get(self, group: str) -> None:
        self.reply(await (await self.deployments()).list(group))

    @web.authenticated
    @authorized
    async def post(self, group: str) -> None:
        self.reply(await (await self.deployments()).create(group, self.json_body()), status=201)


class DeploymentHandler(DeploymentApiHandler):
    @web.authenticated
    @authorized
    async def get(self, group: str, id: str) -> None:
        self.reply(await (await self.deployments()).get(group, id))

    @web.authenticated
    @authorized
    async def patch(self, group: str, id: str) -> None:
        body = self.json_body()
        revision = if_match(self.request.headers.get("If-Match"))
        if isinstance(body, dict) and "revision" not in body and revision is not None:
            body["revision"] = revision
        self.reply(await (await self.deployments()).update(group, id, body))

    @web.authenticated
    @authorized
    async def delete(self, group: str, id: str) -> None:
        self.reply(await (await self.deployments()).delete(group, id), status=202)


class StopHandler(DeploymentApiHandler):
    @web.authenticated
    @authorized
    async def post(self, group: str, id: str) -> None:
        self.reply(await (await self.deployments()).stop(group, id))


class StartHandler(DeploymentApiHandler):
    @web.authenticated
    @authorized
    async def post(self, group: str, id: str) -> None:
        self.reply(await (await self.deployments()).start(group, id))


class PromoteHandler(DeploymentApiHandler):
    @web.authenticated
    @authorized
    async def post(self, group: str, id: str) -> None:
        self.reply(await (await self.deployments()).promote(group, id, self.json_body_or_empty()))


class RollbackHandler(DeploymentApiHandler):
    @web.authenticated
    @authorized
    async def post(self, group: str, id: str) -> None:
        body = self.json_body_or_empty()
        self.reply(await (await self.deployments()).rollback(group, id, body))


class LogsHandler(DeploymentApiHandler):
    @web.authenticated
    @authorized
    async def get(self, group: str, id: str) -> None:
        query = self.query(LogsQuery)
        self.reply(await (await self.deployments()).logs(group, id, query))


class InvocationsHandler(DeploymentApiHandler):
    """Scoring, proxied to the deployment's own serving processes only.

    ``private``: Jupyter credentials required. ``public``: this route (and no other)
    also answers requests that carry none, as PrimeHub's public endpoints do, also when
    ``ServerApp.allow_unauthenticated_access`` is off (``@allow_unauthenticated``).
    """

    def body_limit(self) -> int:
        return int(self.services.settings.invocation_max_bytes)

    def check_xsrf_cookie(self) -> None:
        # XSRF guards cookie-authenticated browsers; a request with no credentials at all
        # can only reach a public deployment, decided in post().
        if not hasattr(self, "_jupyter_current_user"):
            return  # too early: Jupyter calls it again once the user is known
        if self.current_user is None:
            return
        super().check_xsrf_cookie()

    @allow_unauthenticated
    async def post(self, group: str, id: str) -> None:
        deployments = await self.deployments()
        # a public deployment answers whoever asks; a private one only its group's members
        visible = self.services.registry.visible(group)
        with viewing(None):
            try:
                record: Record | None = await deployments.serving_record(group, id)
            except ApiError:
                record = None
        if record is not None and record.access != "public" and not visible:
            record = None  # another group's private deployment: as if it did not exist
        if self.current_user is None:
            if record is None or record.access != "public":
                raise web.HTTPError(401, "Authentication required (a Jupyter token or login)")
        else:
            allowed = await ensure_async(
                self.authorizer.is_authorized(self, self.current_user, "write", AUTH_RESOURCE)
            )
            if not allowed:
                raise web.HTTPError(403, "Not allowed to score this deployment")
            if record is None:
                record = await deployments.serving_record(group, id)  # says why: 404, 409
        headers = {"Content-Type": self.request.headers.get("Content-Type", "application/json")}
        async with deployments.scoring(
            record, self.body, headers, stream_above=STREAM_ABOVE
        ) as answer:
            self.set_status(answer.status)
            if answer.version is not None:
                self.set_header(VERSION_HEADER, answer.version)
            if answer.stream is None:
                self.write(answer.body or b"")  # small: one write, no flushes
            else:
                self.set_header("Content-Type", answer.content_type)
                async for chunk in answer.stream.iter_chunked(64 * 1024):
                    self.write(chunk)
                    await self.flush()
        # the scoring server's own type (Jupyter's APIHandler would say JSON)
        self.finish(set_content_type=answer.content_type)


def if_match(value: str | None) -> int | None:
    """The revision an ``If-Match`` header names (``3`` or ``"3"``); a 400 if it names none."""
    if value is None or not value.strip():
        return None
    tag = value.strip().removeprefix("W/").strip('"')
    if not (tag.isascii() and tag.isdigit() and len(tag) <= 18):
        raise InvalidArgument(
            f"If-Match: {value[:40]!r} is not a deployment revision", field="revision"
        )
    return int(tag)
