"""The Kubernetes backend without a cluster: manifests validated against the real CRDs,
objects round-tripped through the official client's serializers, phases read from status
documents, and a real (refusing) API address; against a cluster when KUBECONFIG says so."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import os
import socket
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from jupyter_primehub_models.deployments.backends.kubernetes import KubernetesBackend
from jupyter_primehub_models.deployments.backends.kubernetes_manifests import (
    ID_LABEL,
    Flavour,
    env_secret,
    inference_service,
    kserve_phase,
    ph_deployment,
    primehub_phase,
    storage_uri,
)
from jupyter_primehub_models.deployments.record import Record
from jupyter_primehub_models.errors import Unavailable
from tests.seed_registry import IRIS
from tests.servers import hanging_server

CRDS = Path(__file__).parent / "data" / "crds"
KSERVE_CRD = CRDS / "serving.kserve.io_inferenceservices.yaml"
PRIMEHUB_CRD = CRDS / "primehub.io_phdeployments.yaml"


def strict(schema: Any) -> Any:
    """A CRD's structural OpenAPI v3 schema as JSON Schema: int-or-string, preserved
    unknown fields and nullable understood; any other unknown field refused (as a typo
    would be pruned silently by the API server, the test must catch it instead)."""
    if isinstance(schema, list):
        return [strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: strict(v) for k, v in schema.items() if not k.startswith("x-kubernetes-")}
    if schema.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if schema.get("nullable"):
        out["type"] = [out["type"], "null"] if "type" in out else out.get("type")
    if (
        out.get("type") == "object"
        and "properties" in out
        and "additionalProperties" not in out
        and not schema.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


@cache
def crd_schema(path: Path, version: str) -> dict[str, Any]:
    crd = yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    found = next(v for v in crd["spec"]["versions"] if v["name"] == version)
    return strict(found["schema"]["openAPIV3Schema"])


def validate(manifest: dict[str, Any], path: Path, version: str) -> None:
    schema = crd_schema(path, version)
    spec_schema = schema["properties"]["spec"]
    jsonschema.validate(manifest["spec"], spec_schema)
    group = yaml.safe_load(path.read_text().split("\nspec:", 1)[1].split("names:", 1)[0] or "{}")
    assert manifest["apiVersion"].endswith("/" + version), group
    meta = manifest["metadata"]
    assert meta["labels"][ID_LABEL] == meta["name"]
    assert len(meta["name"]) <= 63 and meta["name"].replace("-", "").isalnum()


def record(**changes: Any) -> Record:
    base = {
        "id": "iris-prod-a1b2c3", "grp": "team A", "name": "Iris prod",
        "model_uri": f"models:/{IRIS}/2", "model_name": IRIS, "served_version": "2",
        "replicas": 2, "access": "private", "desired": "running", "phase": "Deploying",
        "backend": "kubernetes", "created_at": 1, "updated_at": 1, "revision": 1,
        "description": "the champion", "env": [{"name": "APP_MODE", "value": "prod"}],
    }  # fmt: skip
    return Record(**{**base, **changes})


ENV = {
    "MLFLOW_TRACKING_URI": "http://mlflow.team-a.svc:5000",
    "MLFLOW_TRACKING_TOKEN": "s3cr3t-token",
    "APP_MODE": "prod",
}
FLAVOUR = Flavour(namespace="team-a", service_account="mlflow-s3", runtime="kserve-mlserver",
                  group_id="3f1c-group", user_name="alice", user_id="u-42")  # fmt: skip


@pytest.mark.parametrize(
    "rec",
    [record(), record(model_uri=f"models:/{IRIS}@champion", replicas=1, access="public")],
)
def test_inference_service_is_valid_against_the_kserve_crd(rec: Record) -> None:
    isvc = inference_service(rec, "s3://mlflow/1/models/m-1/artifacts", sorted(ENV), FLAVOUR)
    validate(isvc, KSERVE_CRD, "v1beta1")
    predictor = isvc["spec"]["predictor"]
    assert predictor["model"]["modelFormat"] == {"name": "mlflow"}
    assert predictor["model"]["protocolVersion"] == "v2"
    assert predictor["minReplicas"] == predictor["maxReplicas"] == rec.replicas
    assert predictor["serviceAccountName"] == "mlflow-s3"
    # the group's env by reference to the Secret: no value in the manifest
    env = {e["name"]: e for e in predictor["model"]["env"]}
    assert set(env) == set(ENV)
    assert env["MLFLOW_TRACKING_TOKEN"]["valueFrom"]["secretKeyRef"] == {
        "name": "iris-prod-a1b2c3-mlflow",
        "key": "MLFLOW_TRACKING_TOKEN",
    }
    assert "s3cr3t" not in json.dumps(isvc)
    assert isvc["metadata"]["labels"]["primehub-models/group"] == "team-A"


@pytest.mark.parametrize("stopped", [False, True])
def test_ph_deployment_is_valid_against_the_primehub_crd(stopped: bool) -> None:
    rec = record(access="public")
    phd = ph_deployment(rec, sorted(ENV), FLAVOUR, stopped=stopped)
    validate(phd, PRIMEHUB_CRD, "v1alpha1")
    spec = phd["spec"]
    assert spec["predictors"][0]["modelURI"] == f"models:/{IRIS}/2"  # as PrimeHub's console
    assert spec["predictors"][0]["modelImage"].startswith("infuseai/mlflow-prepackaged-server")
    assert spec["endpoint"] == {"accessType": "public"}
    assert spec["stop"] is stopped
    assert (spec["groupId"], spec["groupName"], spec["userName"]) == ("3f1c-group", "team A",
                                                                      "alice")  # fmt: skip
    assert all("valueFrom" in e for e in spec["env"])
    assert "s3cr3t" not in json.dumps(phd)


@pytest.mark.parametrize(
    ("path", "version", "make", "spoil"),
    [
        (KSERVE_CRD, "v1beta1", lambda: inference_service(record(), "s3://x", [], FLAVOUR),
         lambda m: m["spec"]["predictor"].__setitem__("minReplicas", "two")),
        (KSERVE_CRD, "v1beta1", lambda: inference_service(record(), "s3://x", [], FLAVOUR),
         lambda m: m["spec"]["predictor"]["model"].__setitem__("storageURI", "typo")),
        (PRIMEHUB_CRD, "v1alpha1", lambda: ph_deployment(record(), [], FLAVOUR),
         lambda m: m["spec"]["predictors"][0].pop("instanceType")),
        (PRIMEHUB_CRD, "v1alpha1", lambda: ph_deployment(record(), [], FLAVOUR),
         lambda m: m["spec"].__setitem__("stop", "yes")),
    ],
)  # fmt: skip
def test_the_validator_catches_broken_manifests(path: Path, version: str, make: Any,
                                                spoil: Any) -> None:  # fmt: skip
    manifest = make()
    validate(manifest, path, version)
    broken = copy.deepcopy(manifest)
    spoil(broken)
    with pytest.raises(jsonschema.ValidationError):
        validate(broken, path, version)


def test_objects_round_trip_through_the_client_serializers() -> None:
    from kubernetes import client

    api = client.ApiClient()
    secret = env_secret(record(), ENV, "team-a")
    typed = api.deserialize(json.dumps(secret), "V1Secret", "application/json")
    assert isinstance(typed, client.V1Secret)
    assert typed.string_data == ENV and typed.metadata.labels[ID_LABEL] == "iris-prod-a1b2c3"
    assert api.sanitize_for_serialization(typed) == secret
    for manifest in (
        inference_service(record(), "s3://x", sorted(ENV), FLAVOUR),
        ph_deployment(record(), sorted(ENV), FLAVOUR),
    ):
        assert api.sanitize_for_serialization(manifest) == manifest
        assert json.loads(json.dumps(api.sanitize_for_serialization(manifest))) == manifest


def test_storage_uri_mapping() -> None:
    mapping = {"mlflow-artifacts:/": "s3://mlflow/artifacts/", "mlflow-artifacts:/9/": "gs://b/"}
    assert storage_uri("mlflow-artifacts:/1/models/m-1/artifacts", mapping) == (
        "s3://mlflow/artifacts/1/models/m-1/artifacts"
    )
    assert storage_uri("mlflow-artifacts:/9/m", mapping) == "gs://b/m"  # the longest prefix
    assert storage_uri("s3://elsewhere/m", mapping) == "s3://elsewhere/m"


# Status documents as KServe and PrimeHub write them
KSERVE_READY = {
    "metadata": {"generation": 2},
    "status": {
        "observedGeneration": 2,
        "url": "http://iris-prod-a1b2c3.team-a.example.com",
        "address": {"url": "http://iris-prod-a1b2c3-predictor.team-a.svc.cluster.local"},
        "conditions": [
            {"type": kind, "status": "True", "lastTransitionTime": "2026-11-26T10:00:00Z"}
            for kind in ("IngressReady", "PredictorReady", "Ready")
        ],
        "modelStatus": {"transitionStatus": "UpToDate",
                        "states": {"activeModelState": "Loaded", "targetModelState": "Loaded"},
                        "copies": {"failedCopies": 0, "totalCopies": 2}},
    },
}  # fmt: skip
KSERVE_LOADING = {
    "metadata": {"generation": 1},
    "status": {
        "observedGeneration": 1,
        "conditions": [{"type": "PredictorReady", "status": "False", "reason": "Progressing"},
                       {"type": "Ready", "status": "False", "reason": "Progressing",
                        "message": "Revision \"iris-prod-a1b2c3-predictor-00001\" not ready"}],
        "modelStatus": {"transitionStatus": "InProgress",
                        "states": {"activeModelState": "Pending", "targetModelState": "Loading"}},
    },
}  # fmt: skip
KSERVE_FAILED = {
    "metadata": {"generation": 1},
    "status": {
        "observedGeneration": 1,
        "conditions": [{"type": "Ready", "status": "False", "reason": "RevisionFailed"}],
        "modelStatus": {
            "transitionStatus": "BlockedByFailedLoad",
            "states": {"activeModelState": "", "targetModelState": "FailedToLoad"},
            "lastFailureInfo": {"reason": "ModelLoadFailed", "location": "iris-prod-a1b2c3",
                                "message": "ModuleNotFoundError: No module named 'sklearn'"},
            "copies": {"failedCopies": 1},
        },
    },
}  # fmt: skip


def test_kserve_status_to_phase() -> None:
    for doc in (KSERVE_READY, KSERVE_LOADING, KSERVE_FAILED):  # real shapes, valid to the CRD
        jsonschema.validate(
            doc["status"], crd_schema(KSERVE_CRD, "v1beta1")["properties"]["status"]
        )
    assert kserve_phase(KSERVE_READY) == (
        "Deployed",
        "",
        "http://iris-prod-a1b2c3.team-a.example.com",
    )
    phase, message, _ = kserve_phase(KSERVE_LOADING)
    assert phase == "Deploying" and "not ready" in message
    phase, message, _ = kserve_phase(KSERVE_FAILED)
    assert phase == "Failed" and "No module named 'sklearn'" in message
    assert kserve_phase(None)[0] == "Deploying"
    stale = copy.deepcopy(KSERVE_READY)
    stale["metadata"]["generation"] = 3  # an update not yet observed: still Ready (rolling)
    assert kserve_phase(stale)[0] == "Deployed"


ENDPOINT = "https://hub.example.com/deployment/iris-prod-a1b2c3/api/v1.0/predictions"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ({"phase": "Deployed", "endpoint": ENDPOINT, "replicas": 2, "availableReplicas": 2,
          "message": "Deployment is being deployed and available now"},
         ("Deployed", "Deployment is being deployed and available now", ENDPOINT)),
        ({"phase": "Deploying", "replicas": 2, "availableReplicas": 0,
          "message": "Deployment is being deployed and not available now"},
         ("Deploying", "Deployment is being deployed and not available now", None)),
        ({"phase": "Failed", "message": "Failed because of wrong image settings"},
         ("Failed", "Failed because of wrong image settings", None)),
        ({"phase": "Stopped", "message": "Deployment has been stopped"},
         ("Stopped", "Deployment has been stopped", None)),
    ],
)  # fmt: skip
def test_primehub_status_to_phase(status: dict[str, Any], expected: tuple[str, str, Any]) -> None:
    schema = crd_schema(PRIMEHUB_CRD, "v1alpha1")["properties"]["status"]
    jsonschema.validate(status, schema)
    assert primehub_phase({"status": status}) == expected


def _kubeconfig(tmp_path: Path, server: str) -> Path:
    """A kubeconfig whose API server is ``server`` (a closed port, or one that hangs)."""
    config = {
        "apiVersion": "v1", "kind": "Config", "current-context": "nowhere",
        "clusters": [{"name": "nowhere", "cluster": {"server": server}}],
        "users": [{"name": "me", "user": {"token": "kube-t0ken-never-shown"}}],
        "contexts": [{"name": "nowhere", "context": {"cluster": "nowhere", "user": "me"}}],
    }  # fmt: skip
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(config))
    return path


def _closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.mark.parametrize("flavour", ["kserve", "primehub"])
@pytest.mark.parametrize("cluster", ["refusing", "hanging"])
async def test_an_unreachable_cluster_is_reported_not_raised(
    tmp_path: Path, mlflow_uri: str, seeded: Any, flavour: str, cluster: str
) -> None:
    """apply() asks the real MLflow for the artifact location, then meets an API server
    that refuses or never answers: the deployment stays Deploying with the reason, the
    event loop keeps running meanwhile, and no secret leaks."""
    with contextlib.ExitStack() as stack:
        server = _closed_port() if cluster == "refusing" else stack.enter_context(hanging_server())
        await _unreachable(tmp_path, mlflow_uri, flavour, server, cluster)


async def _unreachable(
    tmp_path: Path, mlflow_uri: str, flavour: str, server: str, cluster: str
) -> None:
    backend = KubernetesBackend(kubeconfig=str(_kubeconfig(tmp_path, server)), flavour=flavour,
                                request_timeout=3,
                                storage_map={"mlflow-artifacts:/": "s3://bucket/"})  # fmt: skip
    rec = record(grp="team", served_version="1", model_uri=f"models:/{IRIS}/1")
    env = {"MLFLOW_TRACKING_URI": mlflow_uri, "MLFLOW_TRACKING_TOKEN": "s3cr3t-token"}
    ticks = 0

    async def heartbeat() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.05)
            ticks += 1

    beat = asyncio.ensure_future(heartbeat())
    try:
        await backend.apply(rec, env)
    finally:
        beat.cancel()
    seen = backend.status(rec)
    assert seen.phase == "Deploying"
    assert "not reachable" in seen.message or "did not answer" in seen.message, seen.message
    assert "s3cr3t" not in seen.message and "kube-t0ken" not in seen.message
    if cluster == "hanging":
        assert ticks > 20  # the event loop kept running while the client waited
    if flavour == "kserve":  # the real MLflow answered with the version's artifact location
        (artifact,) = backend._storage.values()
        assert artifact.startswith("mlflow-artifacts:/") and "/models/m-" in artifact
    # the pods' logs cannot be read: an error (502) with the reason, not a 200 "log line"
    with pytest.raises(Unavailable) as failed:
        await backend.logs(rec, 10)
    assert failed.value.status == 502 and failed.value.code == "UNAVAILABLE"
    assert "Cannot read the logs of the pods" in failed.value.message
    assert "not reachable" in failed.value.message or "did not answer" in failed.value.message
    assert "kube-t0ken" not in failed.value.message
    await backend.adopt([rec])  # listing fails: logged, not raised
    await backend.close()


@pytest.mark.skipif(not os.environ.get("KUBECONFIG"), reason="no cluster: set KUBECONFIG to "
                    "a cluster with KServe installed to run the backend against it")  # fmt: skip
async def test_against_a_real_cluster(mlflow_uri: str, seeded: Any) -> None:
    namespace = os.environ.get("PRIMEHUB_MODELS_TEST_NAMESPACE", "default")
    backend = KubernetesBackend(namespace=namespace)
    rec = record(id="pm-test-" + os.urandom(3).hex(), grp="team", served_version="1",
                 model_uri=f"models:/{IRIS}/1", replicas=1)  # fmt: skip
    try:
        await backend.apply(rec, {"MLFLOW_TRACKING_URI": mlflow_uri})
        assert backend.status(rec).phase in ("Deploying", "Deployed", "Failed")
        assert rec.id in await backend._list_ours()
    finally:
        await backend.delete(rec)
    assert rec.id not in await backend._list_ours()


async def test_an_artifact_location_is_never_another_groups(
    tmp_path: Path, mlflow_uri: str, seeded: Any, down_uri: str
) -> None:
    """Group A's version 1 of a model was looked up; group B's model of the same name and
    version lives on B's MLflow (down): B is not handed A's artifact location."""
    backend = KubernetesBackend(kubeconfig=str(_kubeconfig(tmp_path, _closed_port())),
                                request_timeout=3)  # fmt: skip
    a = record(grp="team", served_version="1", model_uri=f"models:/{IRIS}/1")
    b = record(id="other-team-b1", grp="other", served_version="1",
               model_uri=f"models:/{IRIS}/1")  # fmt: skip
    await backend.apply(a, {"MLFLOW_TRACKING_URI": mlflow_uri})
    assert "Kubernetes API" in backend.status(a).message  # A got its location, then no cluster
    await backend.apply(b, {"MLFLOW_TRACKING_URI": down_uri})
    seen = backend.status(b)
    assert "MLflow at" in seen.message and "not reachable" in seen.message, seen.message
    await backend.close()


def test_a_split_is_a_kserve_canary_valid_against_the_crd() -> None:
    split = [{"model_uri": f"models:/{IRIS}/2", "weight": 90, "version": "2"},
             {"model_uri": f"models:/{IRIS}/3", "weight": 10, "version": "3"}]  # fmt: skip
    rec = record(traffic=split)
    isvc = inference_service(rec, "s3://mlflow/1/models/m-3/artifacts", sorted(ENV), FLAVOUR)
    validate(isvc, KSERVE_CRD, "v1beta1")
    predictor = isvc["spec"]["predictor"]
    assert predictor["canaryTrafficPercent"] == 10  # the rest: the revision rolled out before
    assert predictor["model"]["storageUri"] == "s3://mlflow/1/models/m-3/artifacts"
    annotations = isvc["metadata"]["annotations"]
    assert annotations["primehub-models/canary-version"] == "3"
    assert annotations["primehub-models/version"] == "2"
    assert annotations["serving.kserve.io/enable-tag-routing"] == "true"
    promoted = inference_service(record(), "s3://x", [], FLAVOUR)  # one entry: no canary
    assert "canaryTrafficPercent" not in promoted["spec"]["predictor"]


class TestPrimehubFlavour:
    """A Jupyter server whose backend is the primehub flavour (its cluster refuses)."""

    @pytest.fixture
    def jp_server_config(self, jp_server_config: Any, tmp_path: Path) -> Any:
        jp_server_config.PrimeHubModels.deploy_backend = "kubernetes"
        jp_server_config.KubernetesBackend.flavour = "primehub"
        jp_server_config.KubernetesBackend.kubeconfig = str(_kubeconfig(tmp_path, _closed_port()))
        return jp_server_config

    async def test_it_refuses_a_split_naming_the_backend(self, api: Any, seeded: Any) -> None:
        split = [{"model_uri": f"models:/{IRIS}/1", "weight": 90},
                 {"model_uri": f"models:/{IRIS}/2", "weight": 10}]  # fmt: skip
        r = await api("groups", "team", "deployments", method="POST",
                      body={"name": "split on primehub", "traffic": split})  # fmt: skip
        assert r.status == 400, r.text
        assert r.body["error"]["field"] == "traffic"
        assert "primehub flavour" in r.body["error"]["message"]
        assert "PhDeployment" in r.body["error"]["message"]
        listed = await api("groups", "team", "deployments")
        assert listed.body["deployments"] == []  # nothing stored
