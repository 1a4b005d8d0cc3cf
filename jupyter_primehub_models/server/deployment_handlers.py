"""REST handlers of deployments: CRUD, stop/start, logs, and the scoring proxy."""

from __future__ import annotations

import aiohttp
from jupyter_server.auth.decorator import authorized
from tornado import web

from ..deployments.service import DeploymentService
from ..errors import ApiError, PayloadTooLarge, Unavailable
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
        match = self.request.headers.get("If-Match", "").strip('"')
        if isinstance(body, dict) and "revision" not in body and match.isdigit():
            body["revision"] = int(match)
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


class LogsHandler(DeploymentApiHandler):
    @web.authenticated
    @authorized
    async def get(self, group: str, id: str) -> None:
        query = self.query(LogsQuery)
        self.reply(await (await self.deployments()).logs(group, id, query))


class InvocationsHandler(DeploymentApiHandler):
    """Scoring, proxied to the deployment's own serving processes only.

    ``private``: Jupyter credentials required. ``public``: this route (and no other)
    also answers requests that carry none, as PrimeHub's public endpoints do.
    """

    def check_xsrf_cookie(self) -> None:
        # XSRF guards cookie-authenticated browsers; a request with no credentials at all
        # can only reach a public deployment, decided in post().
        if not hasattr(self, "_jupyter_current_user"):
            return  # too early: Jupyter calls it again once the user is known
        if self.current_user is None:
            return
        super().check_xsrf_cookie()

    async def post(self, group: str, id: str) -> None:
        deployments = await self.deployments()
        if self.current_user is None:
            try:
                record = await deployments.serving_record(group, id)
            except ApiError:
                record = None
            if record is None or record.access != "public":
                raise web.HTTPError(401, "Authentication required (a Jupyter token or login)")
        else:
            if not self.authorizer.is_authorized(self, self.current_user, "write", AUTH_RESOURCE):
                raise web.HTTPError(403, "Not allowed to score this deployment")
            record = await deployments.serving_record(group, id)
        limit = self.services.settings.invocation_max_bytes
        if len(self.request.body) > limit:
            raise PayloadTooLarge(f"The request body is larger than {limit} bytes")
        headers = {"Content-Type": self.request.headers.get("Content-Type", "application/json")}
        async with deployments.backend.route(record) as upstream:
            try:
                async with deployments.scoring_session().post(
                    f"{upstream}/invocations", data=self.request.body, headers=headers
                ) as answer:
                    self.set_status(answer.status)
                    self.set_header(
                        "Content-Type", answer.headers.get("Content-Type", "application/json")
                    )
                    if (answer.content_length or STREAM_ABOVE + 1) <= STREAM_ABOVE:
                        self.write(await answer.read())  # small: one write, no flushes
                    else:
                        async for chunk in answer.content.iter_chunked(64 * 1024):
                            self.write(chunk)
                            await self.flush()
            except (aiohttp.ClientError, TimeoutError) as err:
                raise Unavailable(
                    f"The serving process of {record.id!r} did not answer ({type(err).__name__})"
                ) from None
        self.finish()
