"""Log and register real sklearn models into an MLflow server; print what was made as JSON.

Run as ``python tests/seed_registry.py <tracking_uri>`` (a subprocess, so the test process
never touches MLflow's process-wide state).
"""

from __future__ import annotations

import json
import sys
import warnings

import mlflow
from mlflow import MlflowClient
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

#: Names chosen to break naive code: spaces, %, ?, #, +, both quote kinds, unicode, emoji.
IRIS = "iris-classifier"
ODD = 'wine "quality" 100% ?#+ it\'s'
CHINESE = "鳶尾花分類 🌸"
EMPTY = "empty-model"
BROKEN = "broken-at-load"
LEAKY = "leaky-at-load"
SLOW = "slow-model"
BIG = "big-mlmodel"
#: What the leaky model also prints: the value of a secret in the Jupyter server's own env.
AMBIENT_LEAK = "ambient-leak-7c2e9b-never-shown"


class BrokenAtLoad(mlflow.pyfunc.PythonModel):
    """Serving it fails: loading needs a package that is not installed."""

    def load_context(self, context: object) -> None:
        import missing_dependency_for_tests  # noqa: F401

    def predict(self, context: object, model_input: object) -> object:
        return model_input


class LeakyAtLoad(mlflow.pyfunc.PythonModel):
    """Serving it fails, after printing its deployment's APP_API_TOKEN in every disguise a
    log can hold it (raw, URL-encoded, base64, split across two lines) and a value of the
    server's own environment."""

    def load_context(self, context: object) -> None:
        import base64
        import os
        import urllib.parse

        token = os.environ.get("APP_API_TOKEN", "")
        half = len(token) // 2
        print("raw", token, flush=True)
        print("url", urllib.parse.quote(token, safe=""), flush=True)
        print("b64", base64.b64encode(("bearer:" + token).encode()).decode(), flush=True)
        print("split", token[:half], flush=True)
        print(token[half:], "(continued)", flush=True)
        print("ambient", AMBIENT_LEAK, flush=True)
        raise RuntimeError(f"the token {token} was refused")

    def predict(self, context: object, model_input: object) -> object:
        return model_input


class Slow(mlflow.pyfunc.PythonModel):
    """Answers after SLOW_SECONDS (default 60): a deployment that holds its requests."""

    def predict(self, context: object, model_input: object) -> object:
        import os
        import time

        time.sleep(float(os.environ.get("SLOW_SECONDS", "60")))
        return model_input


class Echo(mlflow.pyfunc.PythonModel):
    def predict(self, context: object, model_input: object) -> object:
        return model_input


def main(uri: str) -> None:
    warnings.filterwarnings("ignore")
    mlflow.set_tracking_uri(uri)
    client = MlflowClient(uri)
    X, y = load_iris(return_X_y=True, as_frame=True)
    mlflow.set_experiment("seed-iris")
    made: dict[str, list[dict[str, object]]] = {}
    plan = [(IRIS, [0.1, 1.0, 10.0]), (ODD, [0.5, 2.0]), (CHINESE, [1.0])]
    for name, strengths in plan:
        for c in strengths:
            with mlflow.start_run(run_name=f"{name[:10]} C={c}") as run:
                model = LogisticRegression(C=c, max_iter=300).fit(X, y)
                mlflow.log_params({"C": c, "max_iter": 300})
                mlflow.log_metrics(
                    {
                        "accuracy": float(model.score(X, y)),
                        "f1": float(f1_score(y, model.predict(X), average="macro")),
                    }
                )
                info = mlflow.sklearn.log_model(
                    model, name="model", registered_model_name=name, input_example=X.head(3)
                )
                version = info.registered_model_version
                made.setdefault(name, []).append(
                    {
                        "version": str(version),
                        "run_id": run.info.run_id,
                        "model_id": info.model_id,
                        "C": str(c),
                        "experiment_id": run.info.experiment_id,
                    }
                )
    client.update_registered_model(IRIS, description="Iris species classifier")
    client.set_registered_model_tag(IRIS, "team", "vision")
    client.set_registered_model_alias(IRIS, "champion", "2")
    client.set_registered_model_alias(IRIS, "challenger", "3")
    client.set_model_version_tag(IRIS, "2", "validated", "true")
    client.update_model_version(IRIS, "2", description="Best on the validation set")
    client.set_registered_model_alias(ODD, "prod", "1")
    client.create_registered_model(EMPTY)
    made[EMPTY] = []
    with mlflow.start_run(run_name="broken"):
        info = mlflow.pyfunc.log_model(
            name="model", python_model=BrokenAtLoad(), registered_model_name=BROKEN,
            pip_requirements=["mlflow"],
        )  # fmt: skip
        made[BROKEN] = [{"version": str(info.registered_model_version)}]
    with mlflow.start_run(run_name="leaky"):
        info = mlflow.pyfunc.log_model(
            name="model", python_model=LeakyAtLoad(), registered_model_name=LEAKY,
            pip_requirements=["mlflow"],
        )  # fmt: skip
        made[LEAKY] = [{"version": str(info.registered_model_version)}]
    with mlflow.start_run(run_name="slow"):
        info = mlflow.pyfunc.log_model(
            name="model", python_model=Slow(), registered_model_name=SLOW,
            pip_requirements=["mlflow"],
        )  # fmt: skip
        made[SLOW] = [{"version": str(info.registered_model_version)}]
    with mlflow.start_run(run_name="big"):
        # an MLmodel of ~300 KB: MLflow sends it in many network reads
        info = mlflow.pyfunc.log_model(
            name="model", python_model=Echo(), registered_model_name=BIG,
            pip_requirements=["mlflow"], input_example=X.head(2),
            metadata={"notes": "long notes " * 30000},
        )  # fmt: skip
        made[BIG] = [{"version": str(info.registered_model_version)}]
    print("\n" + json.dumps(made))


if __name__ == "__main__":
    main(sys.argv[1])
