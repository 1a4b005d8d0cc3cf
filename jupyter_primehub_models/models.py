"""Typed objects the services return; the REST API's JSON and OpenAPI schemas come from them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import InvalidArgument

M = TypeVar("M", bound=BaseModel)

#: What a models page may be ordered by (MLflow's own keys).
ORDER_KEYS = ("name", "timestamp", "last_updated_timestamp")
ORDER_BY = re.compile(rf"^\s*({'|'.join(ORDER_KEYS)})(\s+(ASC|DESC))?\s*$", re.I)
MAX_PAGE = 1000


def parse_as(model: type[M], data: Any, what: str = "The request body") -> M:
    """``data`` as ``model``, or ``InvalidArgument`` naming the first field at fault."""
    if not isinstance(data, Mapping):
        raise InvalidArgument(f"{what} must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        field = str(first["loc"][0]) if first["loc"] else None
        message = str(first["msg"]).removeprefix("Value error, ")
        raise InvalidArgument(f"{where}: {message}", field=field) from None


class ApiModel(BaseModel):
    """Typed, documented answer objects: the REST API's JSON and the scripting API's values."""

    #: answers always carry every field, defaults included: the document says so
    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)

    def _repr_html_(self) -> str:  # a table in a notebook
        from .display import object_html

        return object_html(self)


class MlflowBinding(ApiModel):
    configured: bool
    ui_url: str | None = Field(description="What the browser opens for the MLflow UI.")


class Group(ApiModel):
    name: str
    display_name: str
    mlflow: MlflowBinding


class GroupList(ApiModel):
    groups: list[Group]
    default: str | None
    config_error: str | None = Field(
        None, description="Why the last configuration load failed (the previous one is in force)."
    )


class Status(ApiModel):
    mlflow: Literal["ok", "not_configured", "unreachable"]
    message: str
    ui_url: str | None
    host: str | None = Field(None, description="The configured MLflow host (no credentials).")


class RegisteredModel(ApiModel):
    name: str
    description: str
    latest_version: str | None
    creation_timestamp: int | None = Field(description="Epoch milliseconds.")
    last_updated_timestamp: int | None = Field(description="Epoch milliseconds.")
    tags: dict[str, str]
    aliases: dict[str, str] = Field(description="Alias → version.")
    ui_url: str | None


class ModelPage(ApiModel):
    models: list[RegisteredModel]
    next_page_token: str | None


class DeployedBy(ApiModel):
    id: str
    name: str
    phase: str
    weight: int = Field(100, description="The percent of the traffic this version gets.")


class ModelVersion(ApiModel):
    name: str = Field(description="The registered model's name.")
    version: str
    status: str
    creation_timestamp: int | None
    last_updated_timestamp: int | None
    run_id: str | None
    source: str | None
    model_id: str | None = Field(description="MLflow 3 LoggedModel id, when the source is one.")
    aliases: list[str]
    model_uri: str = Field(description="models:/<name>/<version>")
    deployed_by: list[DeployedBy]
    parameters: dict[str, str] | None = Field(
        None, description="The run's parameters (only with run_data=true)."
    )
    metrics: dict[str, float | None] | None = Field(
        None, description="The run's latest metric values (only with run_data=true)."
    )


class VersionPage(ApiModel):
    versions: list[ModelVersion]
    next_page_token: str | None


class SourceRun(ApiModel):
    id: str
    name: str | None
    experiment_id: str | None
    status: str | None
    start_time: int | None
    end_time: int | None
    tags: dict[str, str]
    ui_url: str | None


class LoggedModel(ApiModel):
    id: str
    name: str | None
    experiment_id: str | None
    artifact_uri: str | None
    status: str | None
    parameters: dict[str, str]
    metrics: dict[str, float | None]
    tags: dict[str, str]
    ui_url: str | None


class LoggedModelList(ApiModel):
    models: list[LoggedModel]


class SourceNotebook(ApiModel):
    path: str = Field(description="The notebook the source run came from, as the run records it.")
    lab_path: str | None = Field(
        description="The same notebook relative to this Jupyter server's root, when it is there."
    )


class SchemaField(ApiModel):
    name: str | None
    type: str
    required: bool
    default: str | None = Field(None, description="A parameter's default, as JSON.")


class VersionSignature(ApiModel):
    inputs: list[SchemaField] | None
    outputs: list[SchemaField] | None
    params: list[SchemaField] | None
    flavors: list[str]
    input_example: Any | None = Field(description="A request body for …/invocations.")
    input_example_source: Literal["saved", "signature"] | None = Field(
        description="saved: the example logged with the model; signature: built from it."
    )


class VersionDetail(ModelVersion):
    description: str
    source_run: SourceRun | None
    source_notebook: SourceNotebook | None
    parameters: dict[str, str]  # type: ignore[assignment]
    metrics: dict[str, float | None]  # type: ignore[assignment]
    tags: dict[str, str]
    logged_model: LoggedModel | None
    ui_url: str | None


Phase = Literal["Deploying", "Deployed", "Failed", "Stopping", "Stopped"]
Access = Literal["private", "public"]


class EnvVar(ApiModel):
    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=128)
    value: str = Field(max_length=32768)


class TrafficShare(ApiModel):
    model_uri: str = Field(description="A version, or an alias to follow.")
    weight: int = Field(ge=0, le=100, description="Percent of the requests.")
    version: str | None = Field(None, description="The version it resolved to.")


Action = Literal[
    "create", "update", "alias_moved", "weights", "promote", "rollback", "stop", "start"
]


class HistoryEntry(ApiModel):
    n: int = Field(description="The entry's number (what a rollback names).")
    action: Action
    at: int = Field(description="Epoch milliseconds.")
    by: str | None = Field(description="Who made the change (null: the registry, by itself).")
    model_uri: str = Field(description="The entry with the most traffic.")
    version: str | None = Field(None, description="The version served (an alias resolved).")
    traffic: list[TrafficShare] = Field(description="What serves after the change.")
    previous: list[TrafficShare] | None = Field(
        description="What served before the change (null: nothing did)."
    )
    status: Literal["failed"] | None = Field(None, description="Set when this update failed.")
    message: str | None = None


class Deployment(ApiModel):
    id: str = Field(description="DNS-1123 label: the name plus a random suffix.")
    name: str
    description: str
    group: str
    model_uri: str = Field(description="The traffic entry with the most weight.")
    traffic: list[TrafficShare] = Field(
        description="What serves, 1 to 4 entries whose weights sum to 100."
    )
    model_name: str = Field(description="The registered model the URI names.")
    version: str | None = Field(description="The version the URI pins (null: it follows an alias).")
    alias: str | None = Field(description="The alias the URI follows (null: a pinned version).")
    served_version: str | None = Field(description="The version the model URI resolved to.")
    phase: Phase
    message: str
    endpoint: str | None = Field(description="The backend's own address (may change).")
    replicas: int
    env: list[EnvVar] = Field(description="Values of secret-looking names are masked.")
    access: Access
    created_at: int
    updated_at: int
    revision: int = Field(description="Send it back with a PATCH to refuse lost updates.")
    history: list[HistoryEntry]
    backend: str
    scoring_url: str | None = Field(
        None,
        description="Team mode: the stable scoring address on the group's hub service "
        "(null: this server's …/invocations).",
    )


class DeploymentList(ApiModel):
    deployments: list[Deployment]


class LogLines(ApiModel):
    lines: list[str]


# -- query parameters (the route table declares them; the OpenAPI document shows them) ------


class Query(BaseModel):
    """A route's query parameters: validated once, by the route that declares them."""

    #: a query string also carries Jupyter's own arguments (token, a cache buster)
    model_config = ConfigDict(extra="ignore")


class PageQuery(Query):
    max_results: int = Field(100, ge=1, le=MAX_PAGE, description="Page size.")
    page_token: str | None = Field(
        None, max_length=1024, description="next_page_token of the previous page."
    )


class ModelsQuery(PageQuery):
    search: str | None = Field(
        None, max_length=256, description="Text the model name contains (case-insensitive)."
    )
    filter: str | None = Field(None, max_length=2000, description="An MLflow search filter.")
    order_by: list[str] = Field(
        default_factory=list,
        max_length=10,
        description=f"{', '.join(ORDER_KEYS)}, then ASC or DESC; comma-separated or repeated.",
    )

    @field_validator("filter")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        if value is not None and not value.isprintable():
            raise ValueError("must be printable text")
        return value

    @field_validator("order_by")
    @classmethod
    def _orderable(cls, value: list[str]) -> list[str]:
        for item in value:
            if not ORDER_BY.match(item):
                raise ValueError(
                    f"{item[:80]!r}: use one of {', '.join(ORDER_KEYS)}, then ASC or DESC"
                )
        return [item.strip() for item in value]


class VersionsQuery(PageQuery):
    run_data: bool = Field(False, description="Add each version's run parameters and metrics.")


class NotebookQuery(Query):
    path: str = Field(
        min_length=1,
        max_length=4096,
        description="A notebook, relative to the Jupyter server's root (as JupyterLab names it).",
    )


class LogsQuery(Query):
    tail: int = Field(200, ge=0, le=10000, description="How many lines.")


class ErrorDetail(ApiModel):
    #: built by ``errors.error_body``, which leaves ``field`` out when there is none
    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=False)

    code: str
    message: str
    field: str | None = Field(None, description="The request body's field at fault, if one.")


class ErrorBody(ApiModel):
    error: ErrorDetail


#: Every schema the API answers with, for the OpenAPI document.
SCHEMAS: tuple[type[ApiModel], ...] = (
    GroupList,
    Status,
    RegisteredModel,
    ModelPage,
    VersionPage,
    VersionDetail,
    VersionSignature,
    ModelVersion,
    LoggedModelList,
    Deployment,
    DeploymentList,
    LogLines,
    ErrorBody,
)
