"""Start the demo: MLflow (SQLite, in .demo/), example models, JupyterLab bound to them.

Run through ``bash scripts/demo.sh`` (which installs first). Options:
  --reseed   run the example notebook again even if the registry has models
  --port N   JupyterLab's port (default 8888, or the next free one)
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import child_env, free_port, mlflow_server, stop  # noqa: E402

#: Where the demo keeps MLflow's data, its configuration and the deployments store.
DEMO = Path(os.environ.get("PRIMEHUB_MODELS_DEMO_DIR") or ROOT / ".demo")
NOTEBOOK = ROOT / "examples" / "register_models.ipynb"


def registry_is_empty(uri: str) -> bool:
    url = f"{uri}/api/2.0/mlflow/registered-models/search?max_results=1"
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 (loopback)
        return not json.load(answer).get("registered_models")


def run_example_notebook(uri: str) -> None:
    import nbformat
    from nbclient import NotebookClient

    print(f"==> executing {NOTEBOOK.relative_to(ROOT)} against {uri}", flush=True)
    os.environ["MLFLOW_TRACKING_URI"] = uri
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        nb, timeout=600, resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    ).execute()
    nbformat.write(nb, DEMO / "register_models.executed.ipynb")


def write_config(uri: str) -> Path:
    config = DEMO / "config"
    config.mkdir(parents=True, exist_ok=True)
    groups = {
        "demo": {"display_name": "Demo team", "tracking_uri": uri},
        "no-mlflow": {"display_name": "A group without MLflow"},
    }
    (DEMO / "groups.json").write_text(json.dumps(groups, indent=2))
    server = {
        "PrimeHubModels": {
            "groups_file": str(DEMO / "groups.json"),
            "default_group": "demo",
            "state_dir": str(DEMO / "state"),  # the deployments store
        },
        "LocalBackend": {"state_dir": str(DEMO / "state")},
    }
    (config / "jupyter_server_config.json").write_text(json.dumps(server, indent=2))
    return config


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def stop_on_signals() -> None:
    """Ctrl-C, and SIGTERM (a service manager, or a shell that started us in the background
    with SIGINT ignored), both stop everything the demo started. Installed again after the
    example notebook ran: nbclient's kernel handling puts the default handlers back."""
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)


def stop_deployments() -> None:
    """The demo's deployments' serving processes (the demo is not a server that must
    outlive itself; they start again with the next demo)."""
    import asyncio

    from jupyter_primehub_models.deployments.backends.local.processes import Processes, Replica
    from jupyter_primehub_models.deployments.store import Store

    db = DEMO / "state" / "deployments.sqlite"
    if not db.exists():
        return
    store = Store(db)

    async def stop() -> None:
        records = await store.list(include_deleted=True)
        replicas = [Replica.recorded(r) for rec in records for r in rec.runtime.get("replicas", ())]
        await Processes(sys.executable, DEMO, 10, 0).kill_all(replicas)

    try:
        asyncio.run(stop())
    finally:
        store.close()


def main() -> None:
    stop_on_signals()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--port", type=int, default=8888)
    args = parser.parse_args()
    DEMO.mkdir(exist_ok=True)
    print("==> starting MLflow (SQLite in .demo/); this takes about 30 s", flush=True)
    with mlflow_server(DEMO, free_port(5000)) as uri:
        print(f"    MLflow UI: {uri}", flush=True)
        if args.reseed or registry_is_empty(uri):
            run_example_notebook(uri)
            stop_on_signals()
        config = write_config(uri)
        cmd = [
            sys.executable, "-m", "jupyter", "lab", f"--port={args.port}",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={ROOT / 'examples'}",
        ]  # fmt: skip
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        print("==> starting JupyterLab; open the Models sidebar (cube icon). Ctrl-C stops all.")
        lab = subprocess.Popen(
            cmd, env=child_env(JUPYTER_CONFIG_DIR=str(config)), start_new_session=True
        )
        try:
            lab.wait()
        except KeyboardInterrupt:
            print("\n==> stopping JupyterLab, the deployments and MLflow", flush=True)
        finally:
            stop(lab)
            stop_deployments()


if __name__ == "__main__":
    main()
