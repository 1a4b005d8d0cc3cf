"""The Kubernetes backend's adoption rule, through the official client against an HTTP
server answering as the API server does (its list answer's shape, its deletes): this
store's orphan is deleted with its Secret, another store's object and unmarked objects no
record names are left alone (and said once), an unmarked object our records name and our
own marked object are adopted, and an unchanged object is not applied again."""

from __future__ import annotations

import contextlib
import http.server
import json
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyter_primehub_models.deployments.backends.kubernetes import KubernetesBackend
from jupyter_primehub_models.deployments.backends.kubernetes_manifests import ID_LABEL
from jupyter_primehub_models.deployments.backends.ownership import (
    DIGEST_ANNOTATION,
    STORE_LABEL,
)
from tests.test_kubernetes_backend import _kubeconfig, record

OURS = "0a1b2c3d4e5f"
ISVC = "/apis/serving.kserve.io/v1beta1/namespaces/team-a/inferenceservices"


def item(name: str, store: str | None, digest: str | None = None) -> dict[str, Any]:
    labels = {ID_LABEL: name, "primehub-models/group": "team",
              "app.kubernetes.io/managed-by": "jupyter-primehub-models"}  # fmt: skip
    if store:
        labels[STORE_LABEL] = store
    meta: dict[str, Any] = {
        "name": name, "namespace": "team-a", "labels": labels, "generation": 1,
        "resourceVersion": "4711", "uid": f"uid-{name}",
        "creationTimestamp": "2026-11-30T10:00:00Z", "managedFields": [],
    }  # fmt: skip
    if digest:
        meta["annotations"] = {DIGEST_ANNOTATION: digest}
    return {"apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService",
            "metadata": meta, "spec": {"predictor": {"minReplicas": 1}},
            "status": {"conditions": [{"type": "Ready", "status": "True"}]}}  # fmt: skip


LISTED = {
    "apiVersion": "serving.kserve.io/v1beta1",
    "kind": "InferenceServiceList",
    "metadata": {"continue": "", "resourceVersion": "4712"},
    "items": [
        item("ours-wanted-aaaaaa", OURS, digest="d" * 32),
        item("ours-orphan-bbbbbb", OURS),
        item("theirs-cccccc", "ffffffffffff"),
        item("unmarked-named-dddddd", None),
        item("unmarked-stranger-eeeeee", None),
    ],
}


@contextlib.contextmanager
def api_server() -> Iterator[tuple[str, list[str]]]:
    """Answers the list (``LISTED``, less what was deleted) and deletes, as the API server
    does; every call is recorded."""
    calls: list[str] = []
    items = list(LISTED["items"])

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _answer(self, body: dict[str, Any], status: int = 200) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            calls.append(f"GET {self.path}")
            if self.path.startswith(ISVC + "?"):
                self._answer({**LISTED, "items": items})
            else:
                self._answer({"kind": "Status", "code": 404, "reason": "NotFound"}, 404)

        def do_DELETE(self) -> None:
            calls.append(f"DELETE {self.path}")
            items[:] = [i for i in items if not self.path.endswith("/" + i["metadata"]["name"])]
            self._answer({"kind": "Status", "apiVersion": "v1", "status": "Success"})

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", calls
    finally:
        server.shutdown()
        server.server_close()


async def test_adoption_deletes_only_this_stores_orphans(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    records = [
        record(id="ours-wanted-aaaaaa", grp="team"),
        record(id="unmarked-named-dddddd", grp="team"),
    ]
    with api_server() as (url, calls):
        backend = KubernetesBackend(kubeconfig=str(_kubeconfig(tmp_path, url)),
                                    namespace="team-a", request_timeout=5)  # fmt: skip
        backend.store_id = OURS
        with caplog.at_level(logging.INFO):
            await backend.adopt(records)
            await backend.adopt(records)  # a second time: nothing new is said or done twice
        await backend.close()
    deletes = sorted(c for c in calls if c.startswith("DELETE"))
    assert deletes == [
        "DELETE /api/v1/namespaces/team-a/secrets/ours-orphan-bbbbbb-mlflow",
        f"DELETE {ISVC}/ours-orphan-bbbbbb",
    ]
    said = [r.getMessage() for r in caplog.records if "is not ours" in r.getMessage()]
    assert len(said) == 2, said  # once each, however often adoption runs
    assert any("theirs-cccccc" in m for m in said)
    assert any("unmarked-stranger-eeeeee" in m for m in said)
    # our unchanged object is not applied again: its digest is known
    assert backend._applied == {"ours-wanted-aaaaaa": "d" * 32}
