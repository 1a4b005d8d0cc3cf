"""One serving process of the local backend: MLflow's own scoring server on a socket the
backend bound and handed over.

    python -m jupyter_primehub_models.deployments.backends.local.serve \\
        --fd 3 --socket /…/sockets/<id>-<n>.sock --model-uri models:/name/3

It does what ``mlflow models serve -m <uri> --env-manager local`` does — download the
model's artifacts, then run ``mlflow.pyfunc.scoring_server.app:app`` under uvicorn with
one worker — so answers and errors are MLflow's own, with two differences that make it
safe on a shared host: it listens on a Unix socket in a folder only the Jupyter server's
user can enter (no TCP port another user could reach), and it never binds anything
itself (the backend bound the socket before starting it, so no other process can be on
that address: readiness proves the answer is ours). ``--socket`` is only there to name
the process in ``ps`` and for the backend to recognise it.
"""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="primehub-models-serve", description=__doc__)
    parser.add_argument("--fd", type=int, required=True, help="the bound, listening socket")
    parser.add_argument("--socket", required=True, help="its path (for identification)")
    parser.add_argument("--model-uri", required=True)
    parser.add_argument("--deployment", default="", help="its deployment (for identification)")
    parser.add_argument("--store", default="", help="its store's id: the ownership mark")
    parser.add_argument("--timeout", type=int, default=None, help="seconds per request")
    args = parser.parse_args(argv)
    print(f"[primehub-models] downloading {args.model_uri}", flush=True)

    from mlflow.environment_variables import MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT
    from mlflow.pyfunc import scoring_server
    from mlflow.tracking.artifact_utils import _download_artifact_from_uri
    from mlflow.utils.file_utils import path_to_local_file_uri

    local = _download_artifact_from_uri(args.model_uri)
    os.environ[scoring_server._SERVER_MODEL_PATH] = path_to_local_file_uri(local)
    timeout = args.timeout or MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT.get()
    os.environ[MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT.name] = str(timeout)
    print(f"[primehub-models] serving {args.model_uri} on {args.socket}", flush=True)

    import uvicorn

    uvicorn.run("mlflow.pyfunc.scoring_server.app:app", fd=args.fd, workers=1)


if __name__ == "__main__":
    main(sys.argv[1:])
