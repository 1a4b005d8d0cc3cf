"""The wheel carries the prebuilt lab extension and enables the server extension by itself."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.servers import child_env

BIN = Path(sys.executable).parent


@pytest.mark.timeout(600)
def test_wheel_holds_prebuilt_lab_extension_and_server_config(
    repo_root: Path, tmp_path: Path
) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(repo_root)],
        check=True, timeout=550, env=child_env(),
    )  # fmt: skip
    (wheel,) = tmp_path.glob("jupyter_primehub_models-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    data = next(n.split("/data/")[0] for n in names if ".data/data/" in n) + "/data/"
    share = data + "share/jupyter/labextensions/jupyter-primehub-models/"
    assert share + "package.json" in names
    assert share + "install.json" in names
    assert share + "schemas/jupyter-primehub-models/plugin.json" in names
    assert any(n.startswith(share + "static/remoteEntry.") for n in names)
    assert data + "etc/jupyter/jupyter_server_config.d/jupyter_primehub_models.json" in names
    assert "jupyter_primehub_models/server/routes.py" in names
    metadata = (
        zipfile.ZipFile(wheel)
        .read(next(n for n in names if n.endswith(".dist-info/METADATA")))
        .decode()
    )
    assert "Requires-Dist: mlflow<3.18,>=3.17" in metadata


def test_server_and_lab_extensions_are_enabled_and_ok() -> None:
    server = subprocess.run(
        [str(BIN / "jupyter"), "server", "extension", "list"],
        capture_output=True, text=True, check=True, env=child_env(),
    )  # fmt: skip
    out = server.stdout + server.stderr
    assert "jupyter_primehub_models" in out
    assert "Validating jupyter_primehub_models" in out
    line = next(x for x in out.splitlines() if "jupyter_primehub_models 0" in x)
    assert "OK" in line
    lab = subprocess.run(
        [str(BIN / "jupyter"), "labextension", "list"],
        capture_output=True, text=True, check=True, env=child_env(),
    )  # fmt: skip
    line = next(x for x in (lab.stdout + lab.stderr).splitlines() if "jupyter-primehub-models" in x)
    assert "enabled" in line and "OK" in line
