"""The Ray Serve application that serves one deployment: a router (the ingress, answering
MLflow's scoring protocol: ``/invocations``, ``/ping``, ``/version``) in front of one
Serve deployment per model version of the traffic split, each an MLflow pyfunc model with
MLflow's own request parsing and response encoding, so answers match ``mlflow models
serve``. The router sends each request to a version by weight (smooth weighted
round-robin: exact shares) and names it in ``X-Model-Version``; the weights live in its
``user_config``, so shifting them reconfigures the router and restarts nothing.

Imported on the Ray workers: the cluster needs this package (a local head shares the
environment; a remote cluster gets it through ``c.RayBackend.runtime_env``).
"""

from __future__ import annotations

from typing import Any

from ray import serve
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

ROUTER = "router"
#: model deployments are named ``model-v<version>``
MODEL_PREFIX = "model-v"


@serve.deployment(name="model")
class MlflowModel:
    def __init__(self, model_uri: str):
        import os

        import mlflow.pyfunc

        os.environ["_MLFLOW_IS_IN_SERVING_ENVIRONMENT"] = "true"  # as MLflow's scoring server
        self.model_uri = model_uri
        print(f"[primehub-models] loading {model_uri}", flush=True)  # the replica's log
        self.model = mlflow.pyfunc.load_model(model_uri)
        self.input_schema = self.model.metadata.get_input_schema()
        print(f"[primehub-models] serving {model_uri}", flush=True)

    def reconfigure(self, config: dict[str, Any]) -> None:
        """Serve hands the user_config here: the ownership mark and the spec's digest, which
        the backend reads back from Serve's details (nothing in it changes serving)."""
        self.marks = dict(config)

    async def score(self, body: bytes, content_type: str) -> tuple[int, str, bytes]:
        """One scoring request: (status, media type, body), as MLflow's server answers."""
        import asyncio

        from mlflow.exceptions import MlflowException
        from mlflow.pyfunc.scoring_server import invocations

        try:
            answer: Any = await asyncio.to_thread(
                invocations, body, content_type, self.model, self.input_schema
            )
        except MlflowException as err:  # what MLflow's own server answers for it
            return err.get_http_status_code(), "application/json", err.serialize_as_json().encode()
        response = answer.response
        return answer.status, answer.mimetype, response.encode() if isinstance(
            response, str) else bytes(response)  # fmt: skip


@serve.deployment(name=ROUTER)
class Router:
    def __init__(self, models: dict[str, Any], versions: dict[str, str]):
        #: deployment name → its handle, and the version it serves
        self.models = models
        self.versions = versions
        self.weights: dict[str, int] = {}
        self._turns: dict[str, int] = {}

    def reconfigure(self, config: dict[str, Any]) -> None:
        """The weights (deployment name → percent) and the ownership marks (store id, spec
        digest, read back from Serve's details)."""
        self.marks = dict(config)
        self.weights = {k: int(v) for k, v in dict(config.get("weights") or {}).items()}

    def pick(self) -> str:
        weights = {name: self.weights.get(name, 0) for name in self.models}
        if not any(weights.values()):
            weights = dict.fromkeys(self.models, 1)
        total = sum(weights.values())
        for name, weight in weights.items():
            self._turns[name] = self._turns.get(name, 0) + weight
        chosen = max(weights, key=lambda name: self._turns[name])
        self._turns[chosen] -= total
        return chosen

    async def __call__(self, request: Request) -> Response:
        leaf = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        if leaf in ("ping", "health"):
            return PlainTextResponse("\n")
        if leaf == "version":
            import mlflow

            return PlainTextResponse(mlflow.__version__)
        if leaf != "invocations" or request.method != "POST":
            return PlainTextResponse("Not found", status_code=404)
        body = await request.body()
        content_type = request.headers.get("content-type", "application/json")
        name = self.pick()
        status, media_type, answer = await self.models[name].score.remote(body, content_type)
        return Response(answer, status_code=status, media_type=media_type,
                        headers={"X-Model-Version": self.versions[name]})  # fmt: skip


def model_name(version: str) -> str:
    """The Serve deployment of one version of the split."""
    return f"{MODEL_PREFIX}{version}"


def build(models: dict[str, str], weights: dict[str, int], replicas: int,
          actor_options: dict[str, Any], autoscaling: dict[str, Any] | None,
          marks: dict[str, str]) -> Any:  # fmt: skip
    """The application for ``serve.run``: one deployment per version (``models``: version
    → model URI) with ``replicas`` (or an autoscaling config) and the router in front;
    ``weights`` (deployment name → percent) and ``marks`` (store id, spec digest) ride
    along as the router's user_config."""
    options: dict[str, Any] = {"ray_actor_options": actor_options}
    if autoscaling:
        options["autoscaling_config"] = {"min_replicas": replicas, **autoscaling}
    else:
        options["num_replicas"] = replicas
    # Each deployment's version is what makes its replicas what they are (Serve restarts
    # replicas only when it changes): a version's model URI and actor options; the
    # router's set of versions. Weights, replicas and marks change in place.
    handles = {
        model_name(version): MlflowModel.options(
            name=model_name(version), **options, version=_version(uri, actor_options),
            user_config={"store": marks.get("store", ""), "model_uri": uri}, _internal=True,
        ).bind(uri)
        for version, uri in models.items()
    }  # fmt: skip
    versions = {model_name(version): version for version in models}
    router = Router.options(
        num_replicas=1, ray_actor_options={"num_cpus": 0}, version=_version(sorted(versions)),
        user_config={**marks, "weights": weights}, _internal=True,
    )  # fmt: skip
    return router.bind(handles, versions)


def _version(*parts: Any) -> str:
    import hashlib
    import json

    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]
