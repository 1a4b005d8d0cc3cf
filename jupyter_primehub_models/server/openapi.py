"""The OpenAPI 3.1 document of the REST API, generated from the route table and models."""

from __future__ import annotations

from functools import cache
from typing import Any

from jupyter_server.auth.decorator import authorized
from jupyter_server.utils import url_path_join
from pydantic.json_schema import models_json_schema
from tornado import web

from .._version import __version__
from ..models import SCHEMAS, Query
from ..request_bodies import REQUEST_SCHEMAS
from .base import ApiHandler
from .spec import API_BASE, Route, is_list

REF = "#/components/schemas/{model}"
ERROR_REF = {"$ref": REF.format(model="ErrorBody")}
STATUS_TEXT = {
    400: "Invalid argument (INVALID_ARGUMENT).",
    401: "Not authenticated (UNAUTHORIZED).",
    403: "Not allowed (FORBIDDEN).",
    404: "No such group, model or version (NOT_FOUND).",
    409: "MLflow not configured (MLFLOW_NOT_CONFIGURED), a conflict, or not serving (CONFLICT).",
    413: "The request body is too large (PAYLOAD_TOO_LARGE).",
    503: "The deployments store cannot be used (STORE_UNAVAILABLE), or the serving process "
    "did not answer or has no room (UNAVAILABLE).",
    502: "MLflow is unreachable or answered with an error (MLFLOW_UNREACHABLE), or the "
    "deploy backend could not be asked (UNAVAILABLE).",
    504: "MLflow did not answer within the timeout (MLFLOW_UNREACHABLE).",
}


@cache
def _schemas() -> dict[str, Any]:
    _, defs = models_json_schema(
        [(model, "serialization") for model in SCHEMAS]
        + [(model, "validation") for model in REQUEST_SCHEMAS],
        ref_template=REF,
    )
    return dict(defs.get("$defs", {}))


def query_parameters(model: type[Query] | None) -> list[dict[str, Any]]:
    """A query model's fields as OpenAPI query parameters (the same limits it enforces)."""
    if model is None:
        return []
    properties = model.model_json_schema()["properties"]
    parameters = []
    for name in model.model_fields:
        schema = dict(properties[name])
        description = schema.pop("description", "")
        schema.pop("title", None)
        options = schema.pop("anyOf", None)
        if options:  # "X | None": absent is the null
            schema.update(next(o for o in options if o.get("type") != "null"))
            if schema.get("default", ...) is None:
                del schema["default"]
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": False,
            "description": description,
            "schema": schema,
        }
        if is_list(model, name):
            parameter.update(style="form", explode=True)
        parameters.append(parameter)
    return parameters


def build_document(
    routes: tuple[Route, ...], server_url: str, examples: dict[str, str] | None = None
) -> dict[str, Any]:
    """The document; ``examples`` gives path parameters a real value (the default group)."""
    examples = examples or {}
    paths: dict[str, Any] = {}
    for route in routes:
        item: dict[str, Any] = {}
        for op in route.operations:
            parameters = [
                {
                    "name": name,
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "minLength": 1},
                    **({"example": examples[name]} if name in examples else {}),
                }
                for name in route.path_params
            ] + query_parameters(op.query)
            ok = {"$ref": REF.format(model=op.response.__name__)} if op.response else {}
            responses: dict[str, Any] = {
                str(op.status): {
                    "description": "OK",
                    "content": {"application/json": {"schema": ok}},
                }
            }
            for status in op.errors:
                responses[str(status)] = {
                    "description": STATUS_TEXT[status],
                    "content": {"application/json": {"schema": ERROR_REF}},
                }
            if op.scoring:  # the scoring server's own answers pass through in its shape
                responses[str(op.status)]["headers"] = {
                    "X-Model-Version": {
                        "description": "The model version that served the request.",
                        "schema": {"type": "string"},
                    }
                }
                for family in ("4XX", "5XX"):
                    responses[family] = {
                        "description": "The scoring server's own error, passed through.",
                        "content": {"application/json": {"schema": {}}, "text/plain": {}},
                    }
            extra: dict[str, Any] = {}
            if op.body is not None:
                extra["requestBody"] = {
                    "required": op.body_required,
                    "content": {
                        "application/json": {"schema": {"$ref": REF.format(model=op.body.__name__)}}
                    },
                }
            elif op.scoring:
                extra["requestBody"] = {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"type": "object"}},
                        "text/csv": {"schema": {"type": "string"}},
                    },
                }
                extra["security"] = [{"token": []}, {}]  # public deployments need none
            item[op.method] = {
                **extra,
                "summary": op.summary,
                "operationId": f"{op.method}_{route.handler.__name__.removesuffix('Handler')}",
                "tags": list(route.tags),
                "parameters": parameters,
                "responses": responses,
            }
        paths[route.path] = item
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "PrimeHub Models",
            "version": __version__,
            "description": "A group's MLflow Model Registry and deployments, from Jupyter.",
        },
        "servers": [{"url": server_url}],
        "security": [{"token": []}],
        "paths": paths,
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "token": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "`token <Jupyter token>`",
                }
            },
        },
    }


class OpenApiHandler(ApiHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        default = self.services.registry.groups.current().default
        examples = {"group": default} if default else {}
        self.reply(build_document(self.routes, url_path_join(self.base_url, API_BASE), examples))
