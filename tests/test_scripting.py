"""The scripting API from a kernel-like process, served by the standalone reconciler."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests import servers
from tests.conftest import groups_config
from tests.kernels import standalone_reconciler
from tests.seed_registry import IRIS

SCRIPT = textwrap.dedent(
    f"""
    import json
    import pandas as pd
    import jupyter_primehub_models as pm

    models = {{m.name for m in pm.list_models()}}
    versions = [v.version for v in pm.list_versions({IRIS!r})]
    detail = pm.get_version({IRIS!r}, 2)
    d = pm.deploy("models:/{IRIS}/1", name="from python")
    d = pm.wait_until_deployed(d.id, timeout=240)
    frame = pd.DataFrame([[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]], columns=[
        "sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"])
    predictions = pm.predict(d.id, frame)
    updated = pm.update_deployment(d.id, description="tuned")
    listed = [x.id for x in pm.list_deployments()]
    pm.delete_deployment(d.id)
    print(json.dumps({{
        "models": sorted(models), "versions": versions, "aliases": detail.aliases,
        "id": d.id, "predictions": predictions, "description": updated.description,
        "listed": listed, "after_delete": [x.id for x in pm.list_deployments()],
    }}))
    """
)


@pytest.mark.timeout(600)
def test_scripting_api_and_standalone_reconciler(
    tmp_path: Path, seeded: Any, mlflow_uri: str, down_uri: str
) -> None:
    with standalone_reconciler(tmp_path, groups_config(mlflow_uri, down_uri)) as config_dir:
        env = servers.child_env(JUPYTER_CONFIG_DIR=str(config_dir))
        out = subprocess.run(
            [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=500,
            check=False,
        )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert IRIS in result["models"]
    assert result["versions"] == ["3", "2", "1"]
    assert result["aliases"] == ["champion"]
    assert result["id"].startswith("from-python-")
    assert len(result["predictions"]) == 2
    assert result["description"] == "tuned"
    assert result["listed"] == [result["id"]]
    assert result["after_delete"] == []
