"""The API's one error shape, ``{"error": {"code", "message"}}``, and its HTTP statuses."""

from __future__ import annotations

from typing import Any, ClassVar

STATUS_CODES: dict[str, int] = {
    "MLFLOW_NOT_CONFIGURED": 409,
    "MLFLOW_UNREACHABLE": 502,
    "NOT_FOUND": 404,
    "INVALID_ARGUMENT": 400,
    "CONFLICT": 409,
    "UNAUTHORIZED": 401,
    "FORBIDDEN": 403,
    "PAYLOAD_TOO_LARGE": 413,
    "UNAVAILABLE": 503,
    "STORE_UNAVAILABLE": 503,
    "INTERNAL": 500,
}

#: HTTP status → code, for errors raised by tornado or Jupyter rather than by us.
CODE_FOR_STATUS: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "INVALID_ARGUMENT",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
}


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    detail: dict[str, Any] = {"code": code, "message": message}
    if field:
        detail["field"] = field
    return {"error": detail}


class ApiError(Exception):
    """An error meant for the API's caller: a code, a safe message, an HTTP status."""

    code: ClassVar[str] = "INTERNAL"

    def __init__(self, message: str, status: int | None = None, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status or STATUS_CODES[self.code]
        #: the request body's field at fault, so a form can show the message beside it
        self.field = field

    def to_json(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.field)


class NotConfigured(ApiError):
    code = "MLFLOW_NOT_CONFIGURED"


class MlflowUnreachable(ApiError):
    """MLflow did not answer in time (504), or answered with something unusable (502)."""

    code = "MLFLOW_UNREACHABLE"


class NotFound(ApiError):
    code = "NOT_FOUND"


class InvalidArgument(ApiError):
    code = "INVALID_ARGUMENT"


class Conflict(ApiError):
    code = "CONFLICT"


class PayloadTooLarge(ApiError):
    code = "PAYLOAD_TOO_LARGE"


class Unavailable(ApiError):
    """A deployment that is not serving, or whose serving process did not answer."""

    code = "UNAVAILABLE"


class StoreUnavailable(ApiError):
    """The deployments store cannot be used (damaged, from a newer version, unreachable);
    the registry half keeps working, and the next request tries the store again."""

    code = "STORE_UNAVAILABLE"


class Forbidden(ApiError):
    """MLflow (an auth server) refused this group's credentials for what was asked."""

    code = "FORBIDDEN"
