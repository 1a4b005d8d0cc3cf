"""The demo's example notebook really trains and registers models (executed by a kernel)."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient


def mlflow_get(uri: str, endpoint: str, **params: Any) -> dict[str, Any]:
    url = f"{uri}/api/2.0/mlflow/{endpoint}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 (loopback)
        return json.load(answer)


@pytest.mark.timeout(600)
def test_example_notebook_registers_versioned_models(
    repo_root: Path, mlflow_uri: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_uri)
    nb = nbformat.read(repo_root / "examples" / "register_models.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = "".join(
        out.get("text", "") for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs
    )
    assert f"Tracking server: {mlflow_uri}" in printed

    flowers = mlflow_get(mlflow_uri, "registered-models/get", name="flower-classifier")
    assert {a["alias"]: a["version"] for a in flowers["registered_model"]["aliases"]} == {
        "champion": "2"
    }
    versions = mlflow_get(mlflow_uri, "model-versions/search", filter="name = 'flower-classifier'")[
        "model_versions"
    ]
    assert sorted(int(v["version"]) for v in versions) == [1, 2, 3]
    wine = mlflow_get(
        mlflow_uri, "model-versions/search", filter="name = 'wine-quality-regressor'"
    )["model_versions"]
    assert len(wine) == 2
    assert all(v["status"] == "READY" and v["run_id"] for v in versions + wine)
