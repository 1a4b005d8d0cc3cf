"""The route table's types: what each endpoint is, takes and answers. Pure data.

``routes.py`` lists the routes with them; tornado's URL patterns, the handlers' query
parsing (``parse_query``) and the OpenAPI document (``openapi.py``) all come from that
one list, so none of them can drift from the others.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..models import ApiModel, Query, parse_as

API_BASE = "/primehub-models/api"
PATH_PARAM = re.compile(r"\{(\w+)\}")
Q = TypeVar("Q", bound=Query)


@dataclass(frozen=True)
class Operation:
    method: str
    summary: str
    response: type[ApiModel] | None
    #: the query parameters it takes (one model: validation, defaults and the document)
    query: type[Query] | None = None
    errors: tuple[int, ...] = (401, 403, 404)
    body: type[ApiModel] | None = None
    #: False: the body may be left out (every field of it has a default)
    body_required: bool = True
    status: int = 200
    #: scoring: any JSON (or CSV) in and out, as MLflow's scoring server takes and gives
    scoring: bool = False


@dataclass(frozen=True)
class Route:
    path: str
    handler: type
    operations: tuple[Operation, ...]
    tags: tuple[str, ...] = field(default=("registry",))

    @property
    def pattern(self) -> str:
        return API_BASE + PATH_PARAM.sub(r"(?P<\1>[^/]+)", self.path)

    @property
    def path_params(self) -> list[str]:
        return PATH_PARAM.findall(self.path)

    def operation(self, method: str) -> Operation:
        for op in self.operations:
            if op.method == method.lower():
                return op
        raise LookupError(f"{self.path} has no {method} operation")


def is_list(model: type[Query], name: str) -> bool:
    return typing.get_origin(model.model_fields[name].annotation) is list


def parse_query(model: type[Q], arguments: Mapping[str, Sequence[bytes]]) -> Q:
    """A query string (tornado's ``query_arguments``) as ``model``; ``InvalidArgument``
    naming the parameter at fault. Empty values count as absent; a list parameter takes
    repeated and comma-separated values; any other takes its last value."""
    values: dict[str, Any] = {}
    for name in model.model_fields:
        raw = [v.decode("utf-8", errors="replace") for v in arguments.get(name, ())]
        raw = [v for v in raw if v != ""]
        if not raw:
            continue
        if is_list(model, name):
            values[name] = [part for v in raw for part in v.split(",") if part]
        else:
            values[name] = raw[-1]
    return parse_as(model, values, "The query")
