"""The one route table: every endpoint, its handler, parameters and answers.

Tornado's URL patterns and the OpenAPI document are both generated from it, so the
document cannot drift from what the server routes.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.utils import url_path_join

from ..models import (
    Deployment,
    DeploymentCreate,
    DeploymentList,
    DeploymentPatch,
    GroupList,
    LogLines,
    LogsQuery,
    ModelPage,
    ModelsQuery,
    RegisteredModel,
    Status,
    VersionDetail,
    VersionPage,
    VersionSignature,
    VersionsQuery,
)
from .base import NotFoundHandler
from .deployment_handlers import (
    DeploymentHandler,
    DeploymentsHandler,
    InvocationsHandler,
    LogsHandler,
    StartHandler,
    StopHandler,
)
from .openapi import OpenApiHandler
from .registry_handlers import (
    GroupsHandler,
    ModelHandler,
    ModelsHandler,
    SignatureHandler,
    StatusHandler,
    VersionHandler,
    VersionsHandler,
)
from .spec import API_BASE, Operation, Route

MLFLOW_ERRORS = (409, 502, 504)
#: what any deployments route may answer besides its own errors: the store is unusable
STORE_ERRORS = (401, 403, 404, 503)

ROUTES: tuple[Route, ...] = (
    Route(
        "/openapi.json",
        OpenApiHandler,
        (Operation("get", "This document.", None, errors=(401, 403)),),
        tags=("meta",),
    ),
    Route(
        "/groups",
        GroupsHandler,
        (
            Operation(
                "get",
                "The groups the user can pick and their MLflow bindings.",
                GroupList,
                errors=(401, 403),
            ),
        ),
    ),
    Route(
        "/groups/{group}/status",
        StatusHandler,
        (Operation("get", "Whether the group's MLflow is configured and answering.", Status),),
    ),
    Route(
        "/groups/{group}/models",
        ModelsHandler,
        (
            Operation(
                "get",
                "Registered models, one page.",
                ModelPage,
                ModelsQuery,
                errors=(400, 401, 403, 404, *MLFLOW_ERRORS),
            ),
        ),
    ),
    Route(
        "/groups/{group}/models/{name}",
        ModelHandler,
        (
            Operation(
                "get",
                "One registered model.",
                RegisteredModel,
                errors=(401, 403, 404, *MLFLOW_ERRORS),
            ),
        ),
    ),
    Route(
        "/groups/{group}/models/{name}/versions",
        VersionsHandler,
        (
            Operation(
                "get",
                "A model's versions, newest first, with Deployed By.",
                VersionPage,
                VersionsQuery,
                errors=(400, 401, 403, 404, *MLFLOW_ERRORS),
            ),
        ),
    ),
    Route(
        "/groups/{group}/models/{name}/versions/{version}",
        VersionHandler,
        (
            Operation(
                "get",
                "One version's detail: run, parameters, metrics, tags.",
                VersionDetail,
                errors=(401, 403, 404, *MLFLOW_ERRORS),
            ),
        ),
    ),
    Route(
        "/groups/{group}/models/{name}/versions/{version}/signature",
        SignatureHandler,
        (
            Operation(
                "get",
                "The version's signature and an input example (from its MLmodel file).",
                VersionSignature,
                errors=(401, 403, 404, *MLFLOW_ERRORS),
            ),
        ),
    ),
    Route(
        "/groups/{group}/deployments",
        DeploymentsHandler,
        (
            Operation("get", "The group's deployments.", DeploymentList, errors=STORE_ERRORS),
            Operation(
                "post",
                "Deploy a model version (or an alias) as a new deployment.",
                Deployment,
                body=DeploymentCreate,
                status=201,
                errors=(400, 401, 403, 404, 409, 413, 502, 503, 504),
            ),
        ),
        tags=("deployments",),
    ),
    Route(
        "/groups/{group}/deployments/{id}",
        DeploymentHandler,
        (
            Operation("get", "One deployment.", Deployment, errors=STORE_ERRORS),
            Operation(
                "patch",
                "Update a deployment (a new model_uri swaps versions without downtime).",
                Deployment,
                body=DeploymentPatch,
                errors=(400, 401, 403, 404, 409, 413, 502, 503, 504),
            ),
            Operation(
                "delete",
                "Stop and delete a deployment.",
                Deployment,
                status=202,
                errors=STORE_ERRORS,
            ),
        ),
        tags=("deployments",),
    ),
    Route(
        "/groups/{group}/deployments/{id}/stop",
        StopHandler,
        (
            Operation(
                "post", "Stop serving (the deployment stays).", Deployment, errors=STORE_ERRORS
            ),
        ),
        tags=("deployments",),
    ),
    Route(
        "/groups/{group}/deployments/{id}/start",
        StartHandler,
        (
            Operation(
                "post",
                "Serve again (an alias is resolved anew).",
                Deployment,
                errors=(400, 401, 403, 404, 409, 502, 503, 504),
            ),
        ),
        tags=("deployments",),
    ),
    Route(
        "/groups/{group}/deployments/{id}/logs",
        LogsHandler,
        (
            Operation(
                "get",
                "The serving processes' recent output (secrets masked).",
                LogLines,
                LogsQuery,
                errors=(400, 401, 403, 404, 502, 503),
            ),
        ),
        tags=("deployments",),
    ),
    Route(
        "/groups/{group}/deployments/{id}/invocations",
        InvocationsHandler,
        (
            Operation(
                "post",
                "Score with the deployment (MLflow scoring protocol), proxied.",
                None,
                scoring=True,
                errors=(401, 403, 404, 409, 413, 503),
            ),
        ),
        tags=("deployments",),
    ),
)


def tornado_handlers(base_url: str) -> list[tuple[str, type, dict[str, Any]]]:
    """Each route's handler gets its route (its query parameters) and the whole table
    (the OpenAPI document)."""
    rules: list[tuple[str, type, dict[str, Any]]] = [
        (
            url_path_join(base_url, route.pattern) + "/?$",
            route.handler,
            {"route": route, "routes": ROUTES},
        )
        for route in ROUTES
    ]
    rules.append((url_path_join(base_url, API_BASE) + "(?:/.*)?$", NotFoundHandler, {}))
    return rules
