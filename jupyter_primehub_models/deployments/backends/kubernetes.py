"""The ``kubernetes`` backend: each deployment as a KServe InferenceService (default) or a
PrimeHub PhDeployment, applied with the official client (server-side apply).

The records, ids and REST API are the same as with ``local``; only where the model runs
changes. Client calls are blocking, so each runs in a thread under a hard timeout.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping
from typing import Any, ClassVar
from urllib.parse import urlsplit

import aiohttp
from traitlets import Dict, Enum, Float, Unicode

from ...errors import InvalidArgument
from ..record import Record
from .base import Observed
from .kubernetes_manifests import (
    ID_LABEL,
    MANAGER,
    Flavour,
    canary_of,
    env_secret,
    inference_service,
    kserve_phase,
    ph_deployment,
    primehub_phase,
    secret_name,
    storage_uri,
)
from .ownership import DIGEST_ANNOTATION, STORE_LABEL, Found
from .remote import RemoteBackend

KSERVE = ("serving.kserve.io", "v1beta1", "inferenceservices")
PRIMEHUB = ("primehub.io", "v1alpha1", "phdeployments")
POD_LABEL = {"kserve": "serving.kserve.io/inferenceservice", "primehub": "primehub.io/phdeployment"}


class KubernetesBackend(RemoteBackend):
    """``c.KubernetesBackend.*``: where and how deployments run on a cluster."""

    name: ClassVar[str] = "kubernetes"
    workers: ClassVar[int] = 4
    log_source: ClassVar[str] = "the pods"

    namespace = Unicode("default", help="Namespace of the group's deployments.").tag(config=True)
    flavour = Enum(
        ["kserve", "primehub"], "kserve",
        help="kserve: InferenceService (serving.kserve.io/v1beta1); primehub: PhDeployment.",
    ).tag(config=True)  # fmt: skip
    kubeconfig = Unicode(
        "", help="A kubeconfig file; empty: in-cluster credentials, else ~/.kube/config."
    ).tag(config=True)
    context = Unicode("", help="The kubeconfig context (empty: its current one).").tag(config=True)
    request_timeout = Float(10.0, help="Seconds any Kubernetes API call may take.").tag(config=True)
    service_account = Unicode(
        "", help="kserve: the predictor's service account (its storage credentials)."
    ).tag(config=True)
    storage_map = Dict(
        help="kserve: artifact URI prefix → what the cluster reads, e.g. "
        "{'mlflow-artifacts:/': 's3://mlflow/artifacts/'}."
    ).tag(config=True)
    runtime = Unicode("", help="kserve: a ServingRuntime name (empty: KServe picks).").tag(
        config=True
    )
    cpu = Unicode("1", help="CPU request and limit per replica.").tag(config=True)
    memory = Unicode("2Gi", help="Memory request and limit per replica.").tag(config=True)
    model_image = Unicode(
        "infuseai/mlflow-prepackaged-server:v2.0.0",
        help="primehub: the MLflow prepackaged server image.",
    ).tag(config=True)
    instance_type = Unicode("cpu-1", help="primehub: the instance type.").tag(config=True)
    group_ids = Dict(help="primehub: group name → PrimeHub group id.").tag(config=True)
    user_name = Unicode(
        os.environ.get("JUPYTERHUB_USER", ""), help="primehub: the owner's user name."
    ).tag(config=True)
    user_id = Unicode("", help="primehub: the owner's PrimeHub user id.").tag(config=True)
    image_pull_secret = Unicode("", help="primehub: the image pull secret.").tag(config=True)

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._client: Any = None
        self._storage: dict[tuple[str, str, str, str | None], str] = {}
        #: deployment id → digest of the Secret last applied
        self._secrets: dict[str, str] = {}

    @staticmethod
    def reason(err: BaseException) -> str:
        """A safe one-line reason (never a header or a token)."""
        status = getattr(err, "status", None)
        reason = getattr(err, "reason", None)
        if status is not None and reason is not None:
            return f"Kubernetes API answered {status} {reason}"
        if isinstance(err, TimeoutError) or "Timeout" in type(err).__name__:
            return "the Kubernetes API did not answer in time"
        if type(err).__name__ in ("MaxRetryError", "NewConnectionError", "ProtocolError"):
            return "the Kubernetes API is not reachable"
        text = str(err).splitlines()[0] if str(err) else type(err).__name__
        return text[:300]

    def trouble(self, err: BaseException) -> Observed:
        """The object itself was refused (422, …): Failed; else the cluster could not be
        asked: keep trying."""
        status = getattr(err, "status", None)
        if isinstance(status, int) and 400 <= status < 500 and status not in (401, 403, 429):
            return Observed("Failed", self.reason(err))
        return Observed("Deploying", self.reason(err))

    # -- the client -----------------------------------------------------------------------

    def _api(self) -> Any:
        if self._client is None:
            from kubernetes import client, config

            if self.kubeconfig or not os.environ.get("KUBERNETES_SERVICE_HOST"):
                api = config.new_client_from_config(
                    config_file=self.kubeconfig or None, context=self.context or None
                )
            else:
                config.load_incluster_config()
                api = client.ApiClient()
            self._client = api
        return self._client

    async def _call(self, make: Callable[[Any], Any]) -> Any:
        """``make(api_client)`` in a thread, under the hard timeout."""
        return await self._run(lambda: make(self._api()), self.request_timeout + 2)

    def check_traffic(self, entries: int) -> None:
        most = 1 if self.flavour == "primehub" else 2
        if entries > most:
            why = (
                "the kubernetes backend's primehub flavour (PhDeployment) serves one model URI"
                if self.flavour == "primehub"
                else "the kubernetes backend (KServe) splits traffic with one canary: at most 2 "
                "entries"
            )
            raise InvalidArgument(f"traffic: {why}", field="traffic")

    def _flavour(self, record: Record) -> Flavour:
        return Flavour(
            namespace=self.namespace, service_account=self.service_account,
            storage_map=dict(self.storage_map), runtime=self.runtime, cpu=self.cpu,
            memory=self.memory, model_image=self.model_image, instance_type=self.instance_type,
            group_id=str(self.group_ids.get(record.grp, "")), user_id=self.user_id,
            user_name=self.user_name, image_pull_secret=self.image_pull_secret,
            store_id=self.store_id,
        )  # fmt: skip

    @property
    def _resource(self) -> tuple[str, str, str]:
        return KSERVE if self.flavour == "kserve" else PRIMEHUB

    # -- the interface --------------------------------------------------------------------

    async def adopt(self, records: list[Record]) -> None:
        """Take over this store's objects that still exist (an unchanged one is not applied
        again); delete those no record wants; leave everything else alone."""
        try:
            found = await self._list_labelled()
        except Exception as err:
            self.log.warning(
                "PrimeHub Models: cannot list Kubernetes objects: %s", self.reason(err)
            )
            return
        adopted = await self._sort_out(found, records, f"{self._resource[2][:-1]}")
        for name, digest in adopted.items():
            if digest:
                self._applied[name] = digest

    async def _delete_orphan(self, name: str) -> None:
        await self._delete_objects(name)

    async def apply(self, record: Record, env: Mapping[str, str]) -> None:
        try:
            manifest, secret = await self._manifests(record, env, stopped=False)
            await self._ensure(record, manifest, secret)
            await self._observe(record)
        except Exception as err:
            self._failed(record, err)

    async def stop(self, record: Record) -> None:
        try:
            if self.flavour == "primehub":
                manifest, _ = await self._manifests(record, {}, stopped=True)
                await self._ensure(record, manifest, None)
                await self._observe(record)
            else:  # an InferenceService has no "stopped": remove it, keep the Secret
                await self._delete_object(record.id)
                self._applied.pop(record.id, None)
                self._observed[record.id] = Observed("Stopped")
        except Exception as err:
            self._failed(record, err)

    async def delete(self, record: Record) -> None:
        await self._delete_objects(record.id)
        self.forget(record)
        self._secrets.pop(record.id, None)

    def _read_logs(self, record: Record, tail: int) -> list[str]:
        from kubernetes import client

        selector = f"{POD_LABEL[self.flavour]}={record.id}"
        timeout = self.request_timeout
        core = client.CoreV1Api(self._api())
        lines: list[str] = []
        pods = core.list_namespaced_pod(
            self.namespace, label_selector=selector, _request_timeout=timeout
        )
        for pod in pods.items:
            for container in pod.spec.containers:
                text = core.read_namespaced_pod_log(
                    pod.metadata.name, self.namespace, container=container.name,
                    tail_lines=tail, _request_timeout=timeout,
                )  # fmt: skip
                lines += [f"[{pod.metadata.name}/{container.name}] {x}"
                          for x in text.splitlines()]  # fmt: skip
        return lines[-tail:] if tail else []

    def _disconnect(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            client.close()

    # -- helpers --------------------------------------------------------------------------

    async def _manifests(
        self, record: Record, env: Mapping[str, str], stopped: bool
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        flavour = self._flavour(record)
        secret = env_secret(record, env, self.namespace, self.store_id)
        names = list(secret["stringData"])
        if self.flavour == "primehub":
            return ph_deployment(record, names, flavour, stopped=stopped), secret
        canary = canary_of(record)
        version = canary.version if canary is not None else record.served_version
        storage = await self._storage_uri(record, env, version or "")
        return inference_service(record, storage, names, flavour), secret

    async def _storage_uri(self, record: Record, env: Mapping[str, str], version: str) -> str:
        """The version's artifact location (MLflow's get-download-uri), mapped for the cluster."""
        # each group's own MLflow says where its version lives: never another group's answer
        key = (record.grp, env.get("MLFLOW_TRACKING_URI", ""), record.model_name, version)
        if key not in self._storage:
            self._storage[key] = await download_uri(
                env, record.model_name, version, self.request_timeout
            )
        return storage_uri(self._storage[key], self.storage_map)

    async def _ensure(
        self, record: Record, manifest: dict[str, Any], secret: dict[str, Any] | None
    ) -> None:
        """Server-side apply of what changed since we last applied it. The manifest's digest
        lives on the object (a restarted server sees it is unchanged); the Secret's, which
        would be a hash of its values, only in memory (re-applying it changes nothing)."""
        digest = spec_digest(manifest)
        secret_digest = spec_digest(secret) if secret is not None else None
        send_manifest = self._applied.get(record.id) != digest
        send_secret = secret is not None and self._secrets.get(record.id) != secret_digest
        if not send_manifest and not send_secret:
            return
        marked = {**manifest, "metadata": {**manifest["metadata"], "annotations": {
            **manifest["metadata"].get("annotations", {}), DIGEST_ANNOTATION: digest}}}  # fmt: skip
        group, version, plural = self._resource
        timeout = self.request_timeout

        def apply(api: Any) -> None:
            from kubernetes import client

            if send_secret:
                assert secret is not None
                client.CoreV1Api(api).patch_namespaced_secret(
                    secret["metadata"]["name"], self.namespace, secret,
                    field_manager=MANAGER, force=True, _request_timeout=timeout,
                    _content_type="application/apply-patch+yaml",
                )  # fmt: skip
            if send_manifest:
                client.CustomObjectsApi(api).patch_namespaced_custom_object(
                    group, version, self.namespace, plural, record.id, marked,
                    field_manager=MANAGER, force=True, _request_timeout=timeout,
                    _content_type="application/apply-patch+yaml",
                )  # fmt: skip

        await self._call(apply)
        self._applied[record.id] = digest
        if secret_digest is not None:
            self._secrets[record.id] = secret_digest

    async def _observe(self, record: Record) -> None:
        group, version, plural = self._resource
        timeout = self.request_timeout

        def get(api: Any) -> Any:
            from kubernetes import client
            from kubernetes.client.exceptions import ApiException

            try:
                return client.CustomObjectsApi(api).get_namespaced_custom_object(
                    group, version, self.namespace, plural, record.id, _request_timeout=timeout
                )
            except ApiException as err:
                if err.status == 404:
                    return None
                raise

        obj = await self._call(get)
        if obj is None:
            self._applied.pop(record.id, None)  # gone behind our back: apply again
        read = kserve_phase if self.flavour == "kserve" else primehub_phase
        phase, message, endpoint = read(obj)
        self._observed[record.id] = Observed(
            phase, message, endpoint,
            runtime={"kind": plural, "namespace": self.namespace, "name": record.id},
        )  # fmt: skip

    async def _list_labelled(self) -> list[Found]:
        """Every object of our kind in the namespace with a ``primehub-models/id`` label."""
        group, version, plural = self._resource
        timeout = self.request_timeout

        def items(api: Any) -> list[Found]:
            from kubernetes import client

            found = client.CustomObjectsApi(api).list_namespaced_custom_object(
                group, version, self.namespace, plural, label_selector=ID_LABEL,
                _request_timeout=timeout,
            )  # fmt: skip
            return labelled(found)

        return await self._call(items)

    async def _delete_object(self, name: str) -> None:
        group, version, plural = self._resource
        timeout = self.request_timeout

        def delete(api: Any) -> None:
            from kubernetes import client
            from kubernetes.client.exceptions import ApiException

            try:
                client.CustomObjectsApi(api).delete_namespaced_custom_object(
                    group, version, self.namespace, plural, name, _request_timeout=timeout
                )
            except ApiException as err:
                if err.status != 404:
                    raise

        await self._call(delete)

    async def _delete_objects(self, name: str) -> None:
        """The deployment's object, then its Secret (the delete cascades to it)."""
        await self._delete_object(name)
        timeout = self.request_timeout

        def delete_secret(api: Any) -> None:
            from kubernetes import client
            from kubernetes.client.exceptions import ApiException

            try:
                client.CoreV1Api(api).delete_namespaced_secret(
                    secret_name(name), self.namespace, _request_timeout=timeout
                )
            except ApiException as err:
                if err.status != 404:
                    raise

        await self._call(delete_secret)


async def download_uri(env: Mapping[str, str], name: str, version: str, within: float) -> str:
    """``model-versions/get-download-uri`` with the group's own MLflow binding."""
    from ...mlflow_client import REASONS

    tracking = env.get("MLFLOW_TRACKING_URI", "")
    if not tracking.startswith(("http://", "https://")):
        raise RuntimeError("the group has no MLflow tracking URI")
    headers: dict[str, str] = {}
    if env.get("MLFLOW_TRACKING_TOKEN"):
        headers["Authorization"] = f"Bearer {env['MLFLOW_TRACKING_TOKEN']}"
    auth = None
    if env.get("MLFLOW_TRACKING_USERNAME"):
        auth = aiohttp.BasicAuth(env["MLFLOW_TRACKING_USERNAME"],
                                 env.get("MLFLOW_TRACKING_PASSWORD", ""))  # fmt: skip
    url = tracking.rstrip("/") + "/api/2.0/mlflow/model-versions/get-download-uri"
    try:
        async with (
            aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=within), headers=headers, auth=auth
            ) as http,
            http.get(url, params={"name": name, "version": version}) as r,
        ):
            body = await r.json(content_type=None)
    except (aiohttp.ClientError, OSError, TimeoutError) as err:
        host = urlsplit(tracking).netloc.rsplit("@", 1)[-1]
        reason = REASONS.get(type(err).__name__, type(err).__name__)
        raise RuntimeError(f"MLflow at {host} is not reachable ({reason})") from None
    uri = (body or {}).get("artifact_uri") if isinstance(body, dict) else None
    if not uri:
        raise RuntimeError(f"MLflow has no artifact location for {name} version {version}")
    return str(uri)


def labelled(answer: Mapping[str, Any]) -> list[Found]:
    """A ``list_namespaced_custom_object`` answer as found objects (name, mark, digest)."""
    out = []
    for item in answer.get("items") or ():
        meta = item.get("metadata") or {}
        out.append(Found(
            name=meta["name"],
            store=(meta.get("labels") or {}).get(STORE_LABEL),
            digest=(meta.get("annotations") or {}).get(DIGEST_ANNOTATION),
        ))  # fmt: skip
    return out


def spec_digest(obj: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()[:32]
