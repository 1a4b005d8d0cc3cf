"""The REST API's request bodies: what a caller may send, with the limits the API holds
it to (``parse_as`` turns a refusal into ``INVALID_ARGUMENT`` naming the field)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from .models import Access, ApiModel, EnvVar

#: MLflow's own rules for an alias (``mlflow.utils.validation``)
ALIAS = re.compile(r"^[\w\-]{1,255}$")
RESERVED_ALIAS = re.compile(r"^(latest|[vV]\d+)$", re.I)
#: MLflow's limit for a registry tag's key; ours for values and descriptions
MAX_TAG_KEY = 250
MAX_TAG_VALUE = 8000
MAX_DESCRIPTION = 65536
MAX_SHARES = 4


def check_alias(alias: str) -> str:
    """``alias`` if MLflow takes it as an alias name; ``ValueError`` saying why not."""
    if not ALIAS.match(alias):
        raise ValueError(
            f"{alias[:80]!r} is not an alias: 1 to 255 letters, digits, underscores (_) "
            "and dashes (-)"
        )
    if RESERVED_ALIAS.match(alias):
        raise ValueError(f"{alias!r} is reserved by MLflow (latest, v<number>)")
    return alias


class TrafficSpec(ApiModel):
    model_uri: str = Field(min_length=1, max_length=1024)
    weight: int = Field(ge=0, le=100, description="Percent of the requests.")


def check_traffic(shares: list[TrafficSpec]) -> list[TrafficSpec]:
    if not 1 <= len(shares) <= MAX_SHARES:
        raise ValueError(f"1 to {MAX_SHARES} entries")
    total = sum(s.weight for s in shares)
    if total != 100:
        raise ValueError(f"the weights sum to {total}, not 100")
    uris = [s.model_uri.strip() for s in shares]
    if len(set(uris)) != len(uris):
        raise ValueError("each model URI at most once")
    return shares


Traffic = Annotated[list[TrafficSpec], AfterValidator(check_traffic)]


class DeploymentCreate(ApiModel):
    name: str = Field(min_length=1, max_length=63)
    model_uri: str | None = Field(
        None, min_length=1, max_length=1024, description="One entry at 100 (or give traffic)."
    )
    traffic: Traffic | None = Field(
        None, description="1 to 4 model URIs of one registered model, weights summing to 100."
    )
    description: str = Field("", max_length=4096)
    replicas: int = Field(
        1, ge=1, le=1024, description="Per traffic entry; at most c.PrimeHubModels.max_replicas."
    )
    env: list[EnvVar] = Field(default_factory=list, max_length=100)
    access: Access = "private"

    @model_validator(mode="after")
    def _one_target(self) -> DeploymentCreate:
        if (self.model_uri is None) == (self.traffic is None):
            raise ValueError("give model_uri or traffic (one of the two)")
        return self

    def shares(self) -> list[TrafficSpec]:
        if self.traffic is not None:
            return self.traffic
        assert self.model_uri is not None
        return [TrafficSpec(model_uri=self.model_uri, weight=100)]


class DeploymentPatch(ApiModel):
    name: str | None = Field(None, min_length=1, max_length=63)
    model_uri: str | None = Field(
        None, min_length=1, max_length=1024, description="All traffic to this URI."
    )
    traffic: Traffic | None = Field(None, description="A new split; weights alone restart nothing.")
    description: str | None = Field(None, max_length=4096)
    replicas: int | None = Field(
        None, ge=1, le=1024, description="At most c.PrimeHubModels.max_replicas."
    )
    env: list[EnvVar] | None = Field(None, max_length=100)
    access: Access | None = None
    revision: int | None = Field(None, description="The revision this change is based on.")

    @model_validator(mode="after")
    def _one_target(self) -> DeploymentPatch:
        if self.model_uri is not None and self.traffic is not None:
            raise ValueError("give model_uri or traffic, not both")
        return self


class Promote(ApiModel):
    model_uri: str | None = Field(
        None,
        max_length=1024,
        description="The traffic entry that gets all traffic (default: the canary, the entry "
        "with the least weight).",
    )
    revision: int | None = Field(None, description="The revision this change is based on.")


class Rollback(ApiModel):
    to: int | None = Field(
        None,
        ge=0,
        description="The history entry (n) to serve again (default: the last one before "
        "the current that served something else).",
    )
    revision: int | None = Field(None, description="The revision this change is based on.")


class AliasSet(ApiModel):
    version: str = Field(pattern=r"^[1-9][0-9]{0,9}$", description="The version it names.")


def _check_tags(tags: dict[str, str | None]) -> dict[str, str | None]:
    for key, value in tags.items():
        if not key.strip() or len(key) > MAX_TAG_KEY or not key.isprintable():
            raise ValueError(f"tag key {key[:80]!r}: 1 to {MAX_TAG_KEY} printable characters")
        if value is not None and len(value) > MAX_TAG_VALUE:
            raise ValueError(f"tag {key[:80]!r}: a value of at most {MAX_TAG_VALUE} characters")
    return tags


Tags = Annotated[dict[str, str | None], AfterValidator(_check_tags)]


class RegistryEdit(ApiModel):
    """A model's or a version's description and tags (a tag set to null is deleted)."""

    description: str | None = Field(None, max_length=MAX_DESCRIPTION)
    tags: Tags | None = Field(
        None, max_length=100, description="Tags to set; a null value deletes the tag."
    )


class VersionCreate(ApiModel):
    """A run's logged model registered as a new version (the model is made if it is new)."""

    model_id: str = Field(pattern=r"^m-[0-9a-f]{1,64}$", description="The LoggedModel (MLflow 3).")
    run_id: str | None = Field(
        None, pattern=r"^[0-9a-zA-Z]{1,64}$", description="Default: the run that logged it."
    )
    description: str = Field("", max_length=MAX_DESCRIPTION)


#: Every request body the API takes (their defaults may be left out).
REQUEST_SCHEMAS: tuple[type[ApiModel], ...] = (
    DeploymentCreate, DeploymentPatch, Promote, Rollback, AliasSet, RegistryEdit, VersionCreate,
)  # fmt: skip
