"""The OpenAPI document is complete and true: every route is in it, every answer fits it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from jupyter_primehub_models.server.base import ApiHandler, NotFoundHandler
from jupyter_primehub_models.server.routes import API_BASE
from tests import servers
from tests.conftest import LiveLab, groups_config, live_lab_on
from tests.seed_registry import CHINESE, IRIS, ODD


def routed_patterns(router: Any) -> list[tuple[str, type]]:
    """(pattern, handler) of every rule in the tornado app, nested routers included."""
    found = []
    for rule in getattr(router, "rules", ()):
        target = rule.target
        if isinstance(target, type):
            found.append((rule.matcher.regex.pattern, target))
        else:
            found += routed_patterns(target)
    return found


def schema_for(doc: dict[str, Any], operation: dict[str, Any], status: int) -> dict[str, Any]:
    response = operation["responses"][str(status)]
    schema = response["content"]["application/json"]["schema"]
    return {**schema, "components": doc["components"]}


async def test_every_routed_endpoint_is_documented(jp_serverapp: Any, api: Any) -> None:
    doc = (await api("openapi.json")).body
    ours = [
        (p, h) for p, h in routed_patterns(jp_serverapp.web_app.default_router)
        if issubclass(h, ApiHandler) and h is not NotFoundHandler
    ]  # fmt: skip
    assert ours, "no routes of the extension are registered"
    documented = set()
    for path, item in doc["paths"].items():
        for method in item:
            documented.add((path, method))
    for pattern, handler in ours:
        path = pattern.split(API_BASE, 1)[1].removesuffix("/?$")
        template = path.replace("(?P<", "{").replace(">[^/]+)", "}")
        methods = [
            m
            for m in ("get", "post", "patch", "put", "delete")
            if m in handler.__dict__
            or any(
                m in b.__dict__
                for b in handler.__mro__[:-1]
                if b not in (ApiHandler,) and b.__module__.startswith("jupyter_primehub")
            )
        ]
        assert methods, handler
        for method in methods:
            assert (template, method) in documented, f"{method.upper()} {template} not documented"
    assert len(documented) == sum(len(item) for item in doc["paths"].values())


async def test_live_answers_fit_their_schemas(api: Any, seeded: Any) -> None:
    doc = (await api("openapi.json")).body
    jsonschema.Draft202012Validator.check_schema({"$ref": "#/x", "x": {}})
    calls = [
        ("/groups", {}, ("groups",)),
        ("/groups/{group}/status", {}, ("groups", "team", "status")),
        ("/groups/{group}/status", {}, ("groups", "unconfigured", "status")),
        ("/groups/{group}/status", {}, ("groups", "down", "status")),
        ("/groups/{group}/models", {"max_results": 2}, ("groups", "team", "models")),
        ("/groups/{group}/models", {"filter": "x"}, ("groups", "team", "models")),
        ("/groups/{group}/models", {}, ("groups", "unconfigured", "models")),
        ("/groups/{group}/models", {}, ("groups", "down", "models")),
        ("/groups/{group}/models/{name}", {}, ("groups", "team", "models", ODD)),
        ("/groups/{group}/models/{name}", {}, ("groups", "team", "models", "nope")),
        ("/groups/{group}/models/{name}/versions", {"run_data": "true"},
         ("groups", "team", "models", IRIS, "versions")),
        ("/groups/{group}/models/{name}/versions", {"max_results": -1},
         ("groups", "team", "models", IRIS, "versions")),
        ("/groups/{group}/models/{name}/versions/{version}", {},
         ("groups", "team", "models", CHINESE, "versions", "1")),
        ("/groups/{group}/models/{name}/versions/{version}", {},
         ("groups", "team", "models", IRIS, "versions", "42")),
    ]  # fmt: skip
    seen_statuses = set()
    for path, params, segments in calls:
        reply = await api(*segments, params=params)
        operation = doc["paths"][path]["get"]
        assert str(reply.status) in operation["responses"], (path, reply.status, reply.text)
        jsonschema.validate(reply.body, schema_for(doc, operation, reply.status))
        seen_statuses.add(reply.status)
    assert {200, 400, 404, 409, 502} <= seen_statuses


#: The operations that write the registry (MLflow's models, versions, aliases): fuzzed
#: against a scratch MLflow of their own, since the fuzzer learns real names from the
#: answers it reads and would otherwise change the registry the other tests share.
REGISTRY_WRITES = "^(patch_Model|put_Alias|delete_Alias|patch_Version|post_Versions)$"


def fuzz(lab: LiveLab, tmp_path: Path, selection: list[str]) -> dict[str, int]:
    """Schemathesis on ``lab``'s document (the operations ``selection`` picks): no server
    error, no schema violation; how many cases each operation got."""
    report = tmp_path / f"report-{len(list(tmp_path.iterdir()))}.json"
    cmd = [
        str(Path(sys.executable).parent / "schemathesis"), "run", f"{lab.api}/openapi.json",
        "--header", f"Authorization: token {lab.token}",
        "--checks", "not_a_server_error,response_schema_conformance,status_code_conformance,"
        "content_type_conformance",
        "--max-examples", "40", "--seed", "1", "--workers", "1", "--request-timeout", "30",
        "--phases", "examples,coverage,fuzzing",
        "--suppress-health-check", "all",
        "--report", "ndjson", "--report-ndjson-path", str(report), *selection,
    ]  # fmt: skip
    # One worker: schemathesis' workers are threads, and Hypothesis parses lambda sources
    # with ast.parse; CPython 3.11 keeps the AST constructor's recursion counter in
    # interpreter-wide state, so two threads parsing at once fail with "AST constructor
    # recursion depth mismatch". Run in the test's own folder: schemathesis keeps a cache
    # in its working directory.
    out = subprocess.run(
        cmd, capture_output=True, text=True, timeout=420, check=False, cwd=tmp_path
    )
    text = out.stdout + out.stderr
    assert out.returncode == 0, text[-6000:]
    assert "Server error" not in text
    cases: dict[str, int] = {}
    for line in report.read_text().splitlines():
        event = json.loads(line).get("ScenarioFinished")
        if event:
            assert event["status"] in ("success", "skip"), event
            label = event["recorder"]["label"]
            cases[label] = cases.get(label, 0) + len(event["recorder"].get("cases", {}))
    return cases


@pytest.fixture(scope="module")
def scratch_lab(tmp_path_factory: pytest.TempPathFactory, down_uri: str) -> Iterator[LiveLab]:
    """A Jupyter server on an MLflow of its own (empty), for fuzzing the registry writes."""
    root = tmp_path_factory.mktemp("scratch-lab")
    with servers.mlflow_server(tmp_path_factory.mktemp("scratch-mlflow")) as uri:
        servers.mlflow_call(uri, "registered-models/create", {"name": "scratch model"})
        with live_lab_on(root, groups_config(uri, down_uri), "scratch-" + "5" * 40) as lab:
            yield lab


@pytest.mark.timeout(900)
def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    live_lab: LiveLab, tmp_path: Path
) -> None:
    """Property-based fuzzing of every documented operation on a live Jupyter server."""
    cases = fuzz(live_lab, tmp_path, ["--exclude-operation-id-regex", REGISTRY_WRITES])
    for path in ("/groups/{group}/status", "/groups/{group}/models",
                 "/groups/{group}/models/{name}", "/groups/{group}/models/{name}/versions",
                 "/groups/{group}/models/{name}/versions/{version}"):  # fmt: skip
        assert cases.get(f"GET {path}", 0) >= 20, (path, cases)


@pytest.mark.timeout(900)
def test_schemathesis_on_the_registry_writes(scratch_lab: LiveLab, tmp_path: Path) -> None:
    """The registry writes, fuzzed against a registry nobody else reads."""
    cases = fuzz(scratch_lab, tmp_path, ["--include-operation-id-regex", REGISTRY_WRITES])
    for label in ("PATCH /groups/{group}/models/{name}",
                  "PUT /groups/{group}/models/{name}/aliases/{alias}",
                  "POST /groups/{group}/models/{name}/versions"):  # fmt: skip
        assert cases.get(label, 0) >= 20, (label, cases)
