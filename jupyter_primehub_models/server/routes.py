"""The one route table: every endpoint, its handler, parameters and answers.

Tornado's URL patterns and the OpenAPI document are both generated from it, so the
document cannot drift from what the server routes.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.utils import url_path_join

from ..models import (
    Deployment,
    DeploymentList,
    GroupList,
    LoggedModelList,
    LogLines,
    LogsQuery,
    ModelPage,
    ModelsQuery,
    ModelVersion,
    NotebookQuery,
    RegisteredModel,
    Status,
    VersionDetail,
    VersionPage,
    VersionSignature,
    VersionsQuery,
)
from ..request_bodies import (
    AliasSet,
    DeploymentCreate,
    DeploymentPatch,
    Promote,
    RegistryEdit,
    Rollback,
    VersionCreate,
)
from .base import NotFoundHandler
from .deployment_handlers import (
    DeploymentHandler,
    DeploymentsHandler,
    InvocationsHandler,
    LogsHandler,
    PromoteHandler,
    RollbackHandler,
    StartHandler,
    StopHandler,
)
from .openapi import OpenApiHandler
from .registry_handlers import (
    AliasHandler,
    GroupsHandler,
    ModelHandler,
    ModelsHandler,
    NotebookVersionsHandler,
    RunModelsHandler,
    SignatureHandler,
    StatusHandler,
    VersionHandler,
    VersionsHandler,
)
from .spec import API_BASE, Operation, Route

MLFLOW_ERRORS = (409, 502, 504)
#: what any deployments route may answer besides its own errors: the store is unusable
STORE_ERRORS = (401, 403, 404, 503)
#: what a registry write may answer (MLflow's own refusals keep their meaning)
WRITE_ERRORS = (400, 401, 403, 404, 413, *MLFLOW_ERRORS)
#: what a change of what serves may answer
SERVING_CHANGE_ERRORS = (400, 401, 403, 404, 409, 413, 502, 503, 504)

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
            Operation(
                "patch",
                "Edit the model's description and tags (a tag set to null is deleted).",
                RegisteredModel,
                body=RegistryEdit,
                errors=WRITE_ERRORS,
            ),
        ),
    ),
    Route(
        "/groups/{group}/models/{name}/aliases/{alias}",
        AliasHandler,
        (
            Operation(
                "put",
                "Point an alias at a version (set or move it); deployments following it "
                "roll over at once.",
                RegisteredModel,
                body=AliasSet,
                errors=WRITE_ERRORS,
            ),
            Operation("delete", "Delete an alias.", RegisteredModel, errors=WRITE_ERRORS),
        ),
    ),
    Route(
        "/groups/{group}/notebook-versions",
        NotebookVersionsHandler,
        (
            Operation(
                "get",
                "The versions registered from runs of a notebook (its lineage tag), newest "
                "first, with Deployed By.",
                VersionPage,
                NotebookQuery,
                errors=(400, 401, 403, 404, *MLFLOW_ERRORS),
            ),
        ),
    ),
    Route(
        "/groups/{group}/runs/{run_id}/logged-models",
        RunModelsHandler,
        (
            Operation(
                "get",
                "The models a run logged (what a new version is registered from).",
                LoggedModelList,
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
            Operation(
                "post",
                "Register a run's logged model as a new version (the model is made if new).",
                ModelVersion,
                body=VersionCreate,
                status=201,
                errors=WRITE_ERRORS,
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
            Operation(
                "patch",
                "Edit the version's description and tags (a tag set to null is deleted).",
                VersionDetail,
                body=RegistryEdit,
                errors=WRITE_ERRORS,
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
                "Update a deployment (a new model_uri or traffic swaps versions without "
                "downtime; new weights alone restart nothing).",
                Deployment,
                body=DeploymentPatch,
                errors=SERVING_CHANGE_ERRORS,
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
        "/groups/{group}/deployments/{id}/promote",
        PromoteHandler,
        (
            Operation(
                "post",
                "All traffic to one entry of the split (default: the canary).",
                Deployment,
                body=Promote,
                body_required=False,
                errors=SERVING_CHANGE_ERRORS,
            ),
        ),
        tags=("deployments",),
    ),
    Route(
        "/groups/{group}/deployments/{id}/rollback",
        RollbackHandler,
        (
            Operation(
                "post",
                "Serve again what an earlier history entry served (default: the one before).",
                Deployment,
                body=Rollback,
                body_required=False,
                errors=SERVING_CHANGE_ERRORS,
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
