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


class BrokenAtLoad(mlflow.pyfunc.PythonModel):
    """Serving it fails: loading needs a package that is not installed."""

    def load_context(self, context: object) -> None:
        import missing_dependency_for_tests  # noqa: F401

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
    print("\n" + json.dumps(made))


if __name__ == "__main__":
    main(sys.argv[1])
