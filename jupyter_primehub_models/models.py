"""Typed objects the services return; the REST API's JSON and OpenAPI schemas come from them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ApiModel(BaseModel):
    """Typed, documented answer objects: the REST API's JSON and the scripting API's values."""

    model_config = ConfigDict(extra="forbid")

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


class HistoryEntry(ApiModel):
    model_uri: str
    at: int = Field(description="Epoch milliseconds.")
    version: str | None = Field(None, description="The version served (an alias resolved).")
    status: Literal["failed"] | None = Field(None, description="Set when this update failed.")
    message: str | None = None


class Deployment(ApiModel):
    id: str = Field(description="DNS-1123 label: the name plus a random suffix.")
    name: str
    description: str
    group: str
    model_uri: str
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


class DeploymentList(ApiModel):
    deployments: list[Deployment]


class LogLines(ApiModel):
    lines: list[str]


class DeploymentCreate(ApiModel):
    name: str = Field(min_length=1, max_length=63)
    model_uri: str = Field(min_length=1, max_length=1024)
    description: str = Field("", max_length=4096)
    replicas: int = Field(1, ge=1, le=16)
    env: list[EnvVar] = Field(default_factory=list, max_length=100)
    access: Access = "private"


class DeploymentPatch(ApiModel):
    name: str | None = Field(None, min_length=1, max_length=63)
    model_uri: str | None = Field(None, min_length=1, max_length=1024)
    description: str | None = Field(None, max_length=4096)
    replicas: int | None = Field(None, ge=1, le=16)
    env: list[EnvVar] | None = Field(None, max_length=100)
    access: Access | None = None
    revision: int | None = Field(None, description="The revision this change is based on.")


class ErrorDetail(ApiModel):
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
    Deployment,
    DeploymentList,
    DeploymentCreate,
    DeploymentPatch,
    LogLines,
    ErrorBody,
)
