"""What the Kubernetes backend applies, and how it reads a resource's status: pure functions.

- ``kserve``: an ``InferenceService`` (serving.kserve.io/v1beta1) per deployment, the
  MLflow model format over protocol v2, the group's MLflow env from a Secret;
- ``primehub``: a ``PhDeployment`` (primehub.io/v1alpha1), as PrimeHub's own console
  creates them: ``modelURI: models:/name/version`` and the MLflow prepackaged image.

Every object carries the label ``primehub-models/id`` (the deployment id, a DNS-1123
label) and ``primehub-models/store`` (its store's id), so the backend finds, adopts and
deletes exactly its own store's objects (``ownership.py``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..record import Record, Share, primary
from .ownership import STORE_LABEL

ID_LABEL = "primehub-models/id"
GROUP_LABEL = "primehub-models/group"
MANAGER = "jupyter-primehub-models"
SECRET_SUFFIX = "-mlflow"  # noqa: S105 (a name suffix, not a password)
LABEL_VALUE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Flavour:
    """The settings a manifest needs (KubernetesBackend's traits)."""

    namespace: str = "default"
    service_account: str = ""
    #: artifact URI prefix → what the cluster can read (mlflow-artifacts:/ → s3://bucket/)
    storage_map: Mapping[str, str] = field(default_factory=dict)
    runtime: str = ""
    cpu: str = "1"
    memory: str = "2Gi"
    # primehub flavour
    model_image: str = "infuseai/mlflow-prepackaged-server:v2.0.0"
    instance_type: str = "cpu-1"
    group_id: str = ""
    user_id: str = ""
    user_name: str = ""
    image_pull_secret: str = ""
    #: the ownership mark (``primehub-models/store``)
    store_id: str = ""


def label_value(text: str) -> str:
    """A Kubernetes label value: ≤ 63 chars of [A-Za-z0-9._-], alphanumeric at both ends."""
    return LABEL_VALUE.sub("-", text)[:63].strip("-._") or "none"


def labels(record: Record, store_id: str = "") -> dict[str, str]:
    found = {
        ID_LABEL: record.id,
        GROUP_LABEL: label_value(record.grp),
        "app.kubernetes.io/managed-by": MANAGER,
    }
    if store_id:
        found[STORE_LABEL] = store_id
    return found


def secret_name(deployment_id: str) -> str:
    """The Secret holding a deployment's MLflow env."""
    return f"{deployment_id}{SECRET_SUFFIX}"[:253]


def env_secret(
    record: Record, env: Mapping[str, str], namespace: str, store_id: str = ""
) -> dict[str, Any]:
    """The group's MLflow env and the deployment's own env, as one Secret."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": secret_name(record.id),
            "namespace": namespace,
            "labels": labels(record, store_id),
        },
        "type": "Opaque",
        "stringData": dict(sorted(env.items())),
    }


def storage_uri(artifact_uri: str, storage_map: Mapping[str, str]) -> str:
    """Where the cluster reads the model: the artifact URI, with a configured prefix swap."""
    for prefix in sorted(storage_map, key=len, reverse=True):
        if artifact_uri.startswith(prefix):
            return storage_map[prefix] + artifact_uri[len(prefix) :]
    return artifact_uri


def _secret_env(record: Record, names: list[str]) -> list[dict[str, Any]]:
    return [
        {"name": n, "valueFrom": {"secretKeyRef": {"name": secret_name(record.id), "key": n}}}
        for n in sorted(names)
    ]


def canary_of(record: Record) -> Share | None:
    """The split's canary (the entry that is not the stable one), or None: no split."""
    shares = record.shares
    if len(shares) < 2:
        return None
    main = primary(shares)
    return next(s for s in shares if s is not main)


def inference_service(
    record: Record, storage: str, env_names: list[str], flavour: Flavour
) -> dict[str, Any]:
    """A KServe InferenceService serving the record's model version (MLflow format). A
    split is KServe's canary: ``storage`` is then the canary's version and
    ``canaryTrafficPercent`` its weight; the rest goes to the revision rolled out before
    (the stable one, which this record's previous apply made)."""
    canary = canary_of(record)
    model: dict[str, Any] = {
        "modelFormat": {"name": "mlflow"},
        "protocolVersion": "v2",
        "storageUri": storage,
        "env": _secret_env(record, env_names),
        "resources": {
            "requests": {"cpu": flavour.cpu, "memory": flavour.memory},
            "limits": {"cpu": flavour.cpu, "memory": flavour.memory},
        },
    }
    if flavour.runtime:
        model["runtime"] = flavour.runtime
    predictor: dict[str, Any] = {
        "minReplicas": record.replicas,
        "maxReplicas": record.replicas,
        "model": model,
    }
    annotations = {
        "primehub-models/model-uri": record.model_uri,
        "primehub-models/version": record.served_version or "",
        "primehub-models/name": record.name,
    }
    if canary is not None:
        predictor["canaryTrafficPercent"] = canary.weight
        annotations["primehub-models/canary-version"] = canary.version or ""
        # Knative's tag routing: the stable and the canary revision get URLs of their own
        annotations["serving.kserve.io/enable-tag-routing"] = "true"
    if flavour.service_account:
        predictor["serviceAccountName"] = flavour.service_account
    return {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {
            "name": record.id,
            "namespace": flavour.namespace,
            "labels": labels(record, flavour.store_id),
            "annotations": annotations,
        },
        "spec": {"predictor": predictor},
    }


def ph_deployment(
    record: Record, env_names: list[str], flavour: Flavour, stopped: bool = False
) -> dict[str, Any]:
    """A PrimeHub PhDeployment, as PrimeHub's console makes one from a model version."""
    predictor: dict[str, Any] = {
        "name": "predictor1",
        "replicas": record.replicas,
        "modelImage": flavour.model_image,
        "modelURI": str(record.serving),
        "instanceType": flavour.instance_type,
    }
    if flavour.image_pull_secret:
        predictor["imagePullSecret"] = flavour.image_pull_secret
    return {
        "apiVersion": "primehub.io/v1alpha1",
        "kind": "PhDeployment",
        "metadata": {
            "name": record.id,
            "namespace": flavour.namespace,
            "labels": labels(record, flavour.store_id),
        },
        "spec": {
            "displayName": record.name,
            "description": record.description,
            "userId": flavour.user_id or flavour.user_name or "jupyter",
            "userName": flavour.user_name or "jupyter",
            "groupId": flavour.group_id or record.grp,
            "groupName": record.grp,
            "stop": stopped,
            "env": _secret_env(record, env_names),
            "endpoint": {"accessType": record.access},
            "predictors": [predictor],
        },
    }


# -- status → phase -------------------------------------------------------------------------


def _condition(status: Mapping[str, Any], kind: str) -> Mapping[str, Any] | None:
    for c in status.get("conditions") or ():
        if c.get("type") == kind:
            return c
    return None


def kserve_phase(obj: Mapping[str, Any] | None) -> tuple[str, str, str | None]:
    """(phase, message, endpoint) of an InferenceService from its status."""
    if not obj:
        return "Deploying", "waiting for the InferenceService to be created", None
    status = obj.get("status") or {}
    ready = _condition(status, "Ready")
    model = status.get("modelStatus") or {}
    failure = model.get("lastFailureInfo") or {}
    url = status.get("url") or (status.get("address") or {}).get("url")
    transition = model.get("transitionStatus")
    target = (model.get("states") or {}).get("targetModelState")
    if transition in ("BlockedByFailedLoad", "InvalidSpec") or target == "FailedToLoad":
        return "Failed", failure.get("message") or failure.get("reason") or transition, url
    if ready is not None and ready.get("status") == "True":
        return "Deployed", "", url
    generation = (obj.get("metadata") or {}).get("generation")
    observed = status.get("observedGeneration")
    if ready is not None and ready.get("status") == "False" and observed == generation:
        reason = ready.get("message") or ready.get("reason") or ""
        if ready.get("reason") in ("RevisionFailed", "ContainerMissing", "ExitCode"):
            return "Failed", reason, url
        return "Deploying", reason, url
    return "Deploying", "", url


def primehub_phase(obj: Mapping[str, Any] | None) -> tuple[str, str, str | None]:
    """(phase, message, endpoint) of a PhDeployment: PrimeHub's phases are ours."""
    if not obj:
        return "Deploying", "waiting for the PhDeployment to be created", None
    status = obj.get("status") or {}
    phase = status.get("phase") or "Deploying"
    if phase not in ("Deploying", "Deployed", "Failed", "Stopping", "Stopped"):
        phase = "Deploying"
    return phase, status.get("message") or "", status.get("endpoint") or None
