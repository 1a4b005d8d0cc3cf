"""The handler base: Jupyter auth, argument parsing, the body limit, the one error shape.

Bodies stream in (``stream_request_body``): a body larger than the route allows is
refused with a 413 as soon as its declared length (or the part received) says so, before
it is buffered; tornado then stops reading and closes the connection.
"""

from __future__ import annotations

import json
import logging
from typing import Any, TypeVar

from jupyter_server.base.handlers import APIHandler
from tornado import web

from ..errors import CODE_FOR_STATUS, ApiError, InvalidArgument, PayloadTooLarge, error_body
from ..membership import ACTOR, VIEWER, user_name
from ..models import ApiModel, Query
from ..services import Services
from .spec import Route, parse_query

Q = TypeVar("Q", bound=Query)

log = logging.getLogger(__name__)

AUTH_RESOURCE = "primehub_models"
#: Bodies with a method that carries one.
WITH_BODY = ("POST", "PATCH", "PUT")


@web.stream_request_body
class ApiHandler(APIHandler):
    """Parses, calls one service method, serializes. Nothing else lives here."""

    auth_resource = AUTH_RESOURCE
    route: Route | None = None
    routes: tuple[Route, ...] = ()

    def initialize(  # type: ignore[override]
        self, route: Route | None = None, routes: tuple[Route, ...] = ()
    ) -> None:
        super().initialize()
        self.route = route
        self.routes = routes
        self._chunks: list[bytes] = []
        self._received = 0

    def body_limit(self) -> int:
        """The largest body this route takes (JSON routes; the scoring route has its own)."""
        return int(self.services.settings.json_max_bytes)

    async def prepare(self) -> None:
        await super().prepare()
        # what this user may see, for everything this request calls (membership.py)
        VIEWER.set(await self.services.membership.groups_of(self.current_user))
        ACTOR.set(user_name(self.current_user))
        if self.request.method not in WITH_BODY:
            return
        limit = self.body_limit()
        declared = self.request.headers.get("Content-Length")
        if declared and declared.isascii() and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge(f"The request body is larger than {limit} bytes")
        # tornado stops reading a (chunked) body that goes on past the limit
        self.request.connection.set_max_body_size(limit + 64 * 1024)  # type: ignore[union-attr]

    def data_received(self, chunk: bytes) -> None:
        if self._finished:  # refused already; tornado closes once the answer is out
            return
        self._received += len(chunk)
        if self._received > self.body_limit():
            # answer now: tornado then stops reading, and closes the connection
            self._chunks.clear()
            err = PayloadTooLarge(f"The request body is larger than {self.body_limit()} bytes")
            self.log_exception(type(err), err, None)
            self.send_error(err.status, exc_info=(type(err), err, None))
            return
        self._chunks.append(chunk)

    @property
    def body(self) -> bytes:
        """The request body, as it arrived."""
        return b"".join(self._chunks)

    @property
    def services(self) -> Services:
        return self.settings["primehub_models"]

    def get_login_url(self) -> str:
        # ``@web.authenticated`` on an API: no redirect to a login page, a 401 in our shape.
        if not self.current_user:
            raise web.HTTPError(401, "Authentication required (a Jupyter token or login)")
        return super().get_login_url()

    # -- arguments ------------------------------------------------------------------------

    def query(self, model: type[Q]) -> Q:
        """The query string, validated by the parameters this route declares (``model``)."""
        assert self.route is not None, "a handler without a route"
        declared = self.route.operation(self.request.method or "GET").query
        assert declared is model, f"{self.route.path} declares {declared}, not {model}"
        return parse_query(model, self.request.query_arguments)

    def json_body_or_empty(self) -> Any:
        """The JSON body, or ``{}`` when there is none (a POST whose body is optional)."""
        return self.json_body() if (self.body or b"").strip() else {}

    def json_body(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            raise InvalidArgument("The request body is not valid JSON") from None
        except RecursionError:
            raise InvalidArgument("The request body is nested too deeply") from None

    # -- answers --------------------------------------------------------------------------

    def reply(self, body: ApiModel | dict[str, Any], status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        if isinstance(body, ApiModel):
            self.finish(body.model_dump_json())
        else:
            self.finish(json.dumps(body, ensure_ascii=False, allow_nan=False))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Every error leaves in the spec's shape; never a traceback, never a secret."""
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, ApiError):
            status, body = exc.status, exc.to_json()
        elif isinstance(exc, web.HTTPError):
            status = exc.status_code
            code = CODE_FOR_STATUS.get(status, "INTERNAL" if status >= 500 else "INVALID_ARGUMENT")
            message = exc.log_message % exc.args if exc.log_message else self._reason
            body = error_body(code, message or code)
        else:
            status = 500
            body = error_body("INTERNAL", "Internal error; the Jupyter server log has details.")
        self.clear_header("Content-Type")
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(json.dumps(body, ensure_ascii=False))

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, ApiError):
            log.info("%s %s -> %s %s", self.request.method, self.request.path, value.code, value)
            return
        super().log_exception(typ, value, tb)


class NotFoundHandler(ApiHandler):
    """Anything under the API base that no route matches: a 404 in the error shape."""

    @web.authenticated
    def _missing(self, *args: Any, **kwargs: Any) -> None:
        raise web.HTTPError(404, "No such endpoint: %s", self.request.path)

    get = post = put = patch = delete = _missing
