"""Notebook lineage end to end: a kernel started by Jupyter for a notebook logs and
registers a model; the run carries the notebook, and the notebook finds its versions."""

from __future__ import annotations

import json
import textwrap
from typing import Any

import httpx
import pytest

from tests.conftest import LiveLab
from tests.kernels import run_in_notebook_kernel
from tests.seed_registry import IRIS

MODEL = "lineage-model"


@pytest.mark.timeout(600)
async def test_runs_carry_their_notebook_and_the_notebook_finds_its_versions(
    live_lab: LiveLab, mlflow_uri: str, seeded: Any
) -> None:
    folder = live_lab.root / "notebooks" / "lineage"
    folder.mkdir(parents=True, exist_ok=True)
    empty = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (folder / "train.ipynb").write_text(json.dumps(empty))
    code = textwrap.dedent(
        f"""
        import json, warnings
        warnings.filterwarnings("ignore")
        import mlflow
        from sklearn.datasets import load_iris
        from sklearn.linear_model import LogisticRegression
        import jupyter_primehub_models as pm
        from jupyter_primehub_models import ModelsPanel

        mlflow.set_tracking_uri({mlflow_uri!r})
        mlflow.set_experiment("lineage")
        X, y = load_iris(return_X_y=True, as_frame=True)
        with mlflow.start_run() as run:     # no tagging code: the context provider does it
            mlflow.sklearn.log_model(LogisticRegression(max_iter=300).fit(X, y), name="model",
                                     registered_model_name={MODEL!r}, input_example=X.head(2))
        tags = mlflow.get_run(run.info.run_id).data.tags
        versions = pm.versions_for_notebook()
        panel = ModelsPanel.for_notebook().wait()
        by_run = ModelsPanel.for_run().wait()
        shared = pm.deploy("models:/{IRIS}/1", name="from the kernel")  # the server serves it
        print(json.dumps({{
            "run": run.info.run_id, "tags": tags,
            "versions": [[v.name, v.version, v.run_id] for v in versions],
            "panel": list(panel.view.rows), "panel_title": panel.view.title,
            "by_run": list(by_run.view.rows),
            "html": pm.versions_for_notebook()._repr_html_(), "deployment": shared.id,
        }}))
        """
    )
    out = await run_in_notebook_kernel(live_lab.url, live_lab.token, "lineage/train.ipynb", code)
    result = json.loads(out.strip().splitlines()[-1])
    notebook = str((folder / "train.ipynb").resolve())
    tags = result["tags"]
    assert tags["primehub.notebook"] == notebook
    assert tags["mlflow.source.name"] == notebook
    assert tags["mlflow.source.type"] == "NOTEBOOK"

    mine = [v for v in result["versions"] if v[2] == result["run"]]
    assert mine and mine[0][0] == MODEL
    version = mine[0][1]
    assert f"{MODEL}/{version}" in result["panel"]
    assert result["panel_title"] == "Versions from train.ipynb"
    assert result["by_run"] == [f"{MODEL}/{version}"]
    assert MODEL in result["html"] and "<table" in result["html"]

    # the sidebar's version detail links the notebook, relative to the Jupyter root
    auth = {"Authorization": f"token {live_lab.token}"}
    async with httpx.AsyncClient(timeout=30, headers=auth) as http:
        r = await http.get(f"{live_lab.api}/groups/team/models/{MODEL}/versions/{version}")
    assert r.status_code == 200, r.text
    assert r.json()["source_notebook"] == {"path": notebook, "lab_path": "lineage/train.ipynb"}

    # a deployment the kernel made is the server's too (one store): listed, then deleted
    async with httpx.AsyncClient(timeout=30, headers=auth) as http:
        listed = (await http.get(f"{live_lab.api}/groups/team/deployments")).json()
        assert result["deployment"] in [d["id"] for d in listed["deployments"]]
        gone = await http.delete(f"{live_lab.api}/groups/team/deployments/{result['deployment']}")
        assert gone.status_code == 202, gone.text

    # the REST route the notebook's "Models from this notebook" tab reads: by Lab's path
    async with httpx.AsyncClient(timeout=30, headers=auth) as http:
        url = f"{live_lab.api}/groups/team/notebook-versions"
        page = await http.get(url, params={"path": "lineage/train.ipynb"})
        assert page.status_code == 200, page.text
        found = [(v["name"], v["version"]) for v in page.json()["versions"]]
        assert (MODEL, version) in found
        for bad in ("../lineage/train.ipynb", "lineage/../../x.ipynb", ""):
            refused = await http.get(url, params={"path": bad})
            assert refused.status_code == 400, (bad, refused.text)
            assert refused.json()["error"]["code"] == "INVALID_ARGUMENT"
        other = await http.get(url, params={"path": "lineage/never-ran.ipynb"})
        assert other.status_code == 200 and other.json()["versions"] == []
