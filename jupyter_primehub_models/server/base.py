"""The handler base: Jupyter auth, argument parsing, and the one error shape."""

from __future__ import annotations

import json
import logging
from typing import Any

from jupyter_server.base.handlers import APIHandler
from tornado import web

from ..errors import CODE_FOR_STATUS, ApiError, InvalidArgument, error_body
from ..models import ApiModel
from ..services import Services

log = logging.getLogger(__name__)

AUTH_RESOURCE = "primehub_models"


class ApiHandler(APIHandler):
    """Parses, calls one service method, serializes. Nothing else lives here."""

    auth_resource = AUTH_RESOURCE

    @property
    def services(self) -> Services:
        return self.settings["primehub_models"]

    def get_login_url(self) -> str:
        # ``@web.authenticated`` on an API: no redirect to a login page, a 401 in our shape.
        if not self.current_user:
            raise web.HTTPError(401, "Authentication required (a Jupyter token or login)")
        return super().get_login_url()

    # -- arguments ------------------------------------------------------------------------

    def str_arg(self, name: str, max_len: int = 4096) -> str | None:
        value = self.get_query_argument(name, None)
        if value is None or value == "":
            return None
        if len(value) > max_len:
            raise InvalidArgument(f"{name} must be at most {max_len} characters")
        return value

    def int_arg(self, name: str) -> int | None:
        value = self.get_query_argument(name, None)
        if value is None or value == "":
            return None
        try:
            return int(value)
        except ValueError:
            raise InvalidArgument(f"{name} must be an integer, not {value[:40]!r}") from None

    def bool_arg(self, name: str) -> bool:
        value = (self.get_query_argument(name, None) or "false").lower()
        if value not in ("true", "false", "1", "0"):
            raise InvalidArgument(f"{name} must be true or false")
        return value in ("true", "1")

    def list_arg(self, name: str) -> list[str]:
        return [
            part for value in self.get_query_arguments(name) for part in value.split(",") if part
        ]

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
