"""The Ray Serve application that serves one deployment: an MLflow pyfunc model answering
MLflow's scoring protocol (``/invocations``, ``/ping``, ``/version``) with MLflow's own
request parsing and response encoding, so answers match ``mlflow models serve``.

Imported on the Ray workers: the cluster needs this package (a local head shares the
environment; a remote cluster gets it through ``c.RayBackend.runtime_env``).
"""

from __future__ import annotations

from typing import Any

from ray import serve
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response


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

    async def __call__(self, request: Request) -> Response:
        leaf = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        if leaf in ("ping", "health"):
            return PlainTextResponse("\n")
        if leaf == "version":
            import mlflow

            return PlainTextResponse(mlflow.__version__)
        if leaf != "invocations" or request.method != "POST":
            return PlainTextResponse("Not found", status_code=404)
        import asyncio

        from mlflow.exceptions import MlflowException
        from mlflow.pyfunc.scoring_server import invocations

        body = await request.body()
        content_type = request.headers.get("content-type", "application/json")
        try:
            answer: Any = await asyncio.to_thread(
                invocations, body, content_type, self.model, self.input_schema
            )
        except MlflowException as err:  # what MLflow's own server answers for it
            return Response(err.serialize_as_json(), status_code=err.get_http_status_code(),
                            media_type="application/json")  # fmt: skip
        return Response(answer.response, status_code=answer.status, media_type=answer.mimetype)


def build(model_uri: str, replicas: int, actor_options: dict[str, Any],
          autoscaling: dict[str, Any] | None, marks: dict[str, str]) -> Any:  # fmt: skip
    """The application for ``serve.run``: replicas, or an autoscaling config; ``marks``
    (store id, spec digest) ride along as the deployment's user_config."""
    options: dict[str, Any] = {"ray_actor_options": actor_options, "user_config": marks}
    if autoscaling:
        options["autoscaling_config"] = {"min_replicas": replicas, **autoscaling}
    else:
        options["num_replicas"] = replicas
    return MlflowModel.options(**options).bind(model_uri)
