"""The registry half of the REST API, through a real Jupyter server, against a real MLflow."""

from __future__ import annotations

from typing import Any

import pytest

from tests.seed_registry import BIG, CHINESE, EMPTY, IRIS, ODD


async def test_groups_lists_bindings_without_secrets(api: Any, mlflow_uri: str) -> None:
    r = await api("groups")
    assert r.status == 200
    groups = {g["name"]: g for g in r.body["groups"]}
    assert r.body["default"] == "team"
    assert groups["team"] == {
        "name": "team",
        "display_name": "Team A",
        "mlflow": {"configured": True, "ui_url": mlflow_uri},
    }
    assert groups["unconfigured"]["mlflow"] == {"configured": False, "ui_url": None}
    # credentials in the tracking URI never reach the browser; ui_url is used as given
    assert groups["basic"]["mlflow"]["ui_url"] == "http://mlflow.example.test"
    assert "alice" not in r.text


async def test_status_ok_not_configured_unreachable(api: Any, down_uri: str) -> None:
    ok = await api("groups", "team", "status")
    assert ok.status == 200 and ok.body["mlflow"] == "ok"

    basic = await api("groups", "basic", "status")  # basic auth from URL userinfo
    assert basic.body["mlflow"] == "ok"

    nc = await api("groups", "unconfigured", "status")
    assert nc.status == 200
    assert nc.body["mlflow"] == "not_configured"
    assert "MLflow setting not configured" in nc.body["message"]
    assert "tracking_uri" in nc.body["message"]  # says how to fix it

    down = await api("groups", "down", "status")
    assert down.body["mlflow"] == "unreachable"
    assert down_uri.removeprefix("http://") in down.body["message"]  # names the host


async def test_unknown_group_is_not_found(api: Any) -> None:
    for path in (("groups", "nope", "status"), ("groups", "nope", "models")):
        r = await api(*path)
        assert r.status == 404
        assert r.body["error"]["code"] == "NOT_FOUND"


async def test_not_configured_and_unreachable_errors(api: Any) -> None:
    r = await api("groups", "unconfigured", "models")
    assert r.status == 409 and r.body["error"]["code"] == "MLFLOW_NOT_CONFIGURED"
    r = await api("groups", "down", "models")
    assert r.status == 502 and r.body["error"]["code"] == "MLFLOW_UNREACHABLE"


async def test_models_list_pages_through_everything(api: Any, seeded: dict[str, Any]) -> None:
    names: list[str] = []
    token = None
    pages = 0
    while True:
        params = {"max_results": 2, **({"page_token": token} if token else {})}
        r = await api("groups", "team", "models", params=params)
        assert r.status == 200, r.text
        assert len(r.body["models"]) <= 2
        names += [m["name"] for m in r.body["models"]]
        pages += 1
        token = r.body["next_page_token"]
        if not token:
            break
    assert set(seeded) <= set(names)
    assert len(names) == len(set(names))
    assert pages >= 2


async def test_model_fields(api: Any, mlflow_uri: str) -> None:
    r = await api("groups", "team", "models", params={"search": "iris-class"})
    assert [m["name"] for m in r.body["models"]] == [IRIS]
    model = r.body["models"][0]
    assert model["latest_version"] == "3"
    assert model["description"] == "Iris species classifier"
    assert model["tags"] == {"team": "vision"}
    assert model["aliases"] == {"champion": "2", "challenger": "3"}
    assert model["ui_url"] == f"{mlflow_uri}/#/models/{IRIS}"
    assert isinstance(model["creation_timestamp"], int)
    assert model["last_updated_timestamp"] >= model["creation_timestamp"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("IRIS", {IRIS}),  # case-insensitive
        ("it's", {ODD}),  # a single quote does not break the filter
        ('"quality" 100', {ODD}),  # nor a double quote
        ("100% ?#+", {ODD}),
        ("鳶尾花", {CHINESE}),
        ("\\'; DROP", set()),  # nothing escapes the literal
    ],
)
async def test_search_text_is_escaped(api: Any, text: str, expected: set[str]) -> None:
    r = await api("groups", "team", "models", params={"search": text})
    assert r.status == 200, r.text
    assert {m["name"] for m in r.body["models"]} == expected


async def test_filter_and_order_by(api: Any) -> None:
    r = await api("groups", "team", "models", params={"filter": "tags.team = 'vision'"})
    assert [m["name"] for m in r.body["models"]] == [IRIS]
    r = await api("groups", "team", "models", params={"order_by": "name DESC"})
    names = [m["name"] for m in r.body["models"]]
    assert names == sorted(names, reverse=True)
    r = await api("groups", "team", "models", params={"order_by": ["timestamp ASC"]})
    stamps = [m["last_updated_timestamp"] for m in r.body["models"]]
    assert stamps == sorted(stamps)


@pytest.mark.parametrize(
    "params",
    [
        {"max_results": 0},
        {"max_results": 1001},
        {"max_results": "ten"},
        {"page_token": "not-a-token"},
        {"page_token": "W10="},  # base64 of [] (MLflow 3.17 answers 500 to it)
        {"page_token": "bnVsbA=="},  # null
        {"page_token": "मनीष منش"},  # not ASCII
        {"page_token": "eyJvZmZzZXQiOiA5OTk5OTk5OTk5OTk5OTk5OTk5OX0="},  # huge offset
        {"filter": "bogus clause"},
        {"filter": "name = "},
        {"order_by": "size DESC"},
        {"order_by": "name; DROP TABLE"},
    ],
)
async def test_bad_list_arguments_are_400(api: Any, params: dict[str, Any]) -> None:
    r = await api("groups", "team", "models", params=params)
    assert r.status == 400, r.text
    assert r.body["error"]["code"] == "INVALID_ARGUMENT"
    assert r.body["error"]["message"]


@pytest.mark.parametrize("name", [IRIS, ODD, CHINESE, EMPTY])
async def test_get_model_by_awkward_name(api: Any, name: str) -> None:
    r = await api("groups", "team", "models", name)
    assert r.status == 200, r.text
    assert r.body["name"] == name


@pytest.mark.parametrize("name", ["no such model", "a/b", "50%", "x:y", "  "])
async def test_missing_model_is_404(api: Any, name: str) -> None:
    for suffix in ((), ("versions",), ("versions", "1")):
        r = await api("groups", "team", "models", name, *suffix)
        assert r.status == 404, (name, suffix, r.text)
        assert r.body["error"]["code"] == "NOT_FOUND"


async def test_unrouted_paths_answer_in_the_error_shape(api: Any) -> None:
    for raw in ("groups/team/models/a/b/versions", "nothing-here", "groups/team/models/a/b/c/d/e"):
        r = await api(raw_path=raw)
        assert r.status == 404, raw
        assert r.body["error"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize("name", [IRIS, ODD, CHINESE])
async def test_versions_newest_first_with_aliases(
    api: Any, seeded: dict[str, Any], name: str
) -> None:
    r = await api("groups", "team", "models", name, "versions")
    assert r.status == 200, r.text
    versions = r.body["versions"]
    expected = [v["version"] for v in reversed(seeded[name])]
    assert [v["version"] for v in versions] == expected
    by_version = {v["version"]: v for v in versions}
    for made in seeded[name]:
        v = by_version[made["version"]]
        assert v["run_id"] == made["run_id"]
        assert v["model_uri"] == f"models:/{name}/{made['version']}"
        assert v["source"] == f"models:/{made['model_id']}"
        assert v["model_id"] == made["model_id"]
        assert v["status"] == "READY"
        assert v["deployed_by"] == []
        assert v["parameters"] is None and v["metrics"] is None
    if name == IRIS:
        assert by_version["2"]["aliases"] == ["champion"]
        assert by_version["3"]["aliases"] == ["challenger"]
        assert by_version["1"]["aliases"] == []
    if name == ODD:
        assert by_version["1"]["aliases"] == ["prod"]


async def test_versions_paging_and_empty_model(api: Any) -> None:
    first = await api("groups", "team", "models", IRIS, "versions", params={"max_results": 2})
    assert [v["version"] for v in first.body["versions"]] == ["3", "2"]
    token = first.body["next_page_token"]
    assert token
    second = await api(
        "groups", "team", "models", IRIS, "versions", params={"max_results": 2, "page_token": token}
    )
    assert [v["version"] for v in second.body["versions"]] == ["1"]
    assert second.body["next_page_token"] is None
    empty = await api("groups", "team", "models", EMPTY, "versions")
    assert empty.body == {"versions": [], "next_page_token": None}


async def test_versions_with_run_data(api: Any, seeded: dict[str, Any]) -> None:
    r = await api("groups", "team", "models", IRIS, "versions", params={"run_data": "true"})
    assert r.status == 200, r.text
    for v in r.body["versions"]:
        made = next(m for m in seeded[IRIS] if m["version"] == v["version"])
        assert v["parameters"] == {"C": made["C"], "max_iter": "300"}
        assert set(v["metrics"]) == {"accuracy", "f1"}
        assert 0.5 < v["metrics"]["accuracy"] <= 1.0
    bad = await api("groups", "team", "models", IRIS, "versions", params={"run_data": "maybe"})
    assert bad.status == 400


async def test_version_detail(api: Any, seeded: dict[str, Any], mlflow_uri: str) -> None:
    made = seeded[IRIS][1]
    r = await api("groups", "team", "models", IRIS, "versions", "2")
    assert r.status == 200, r.text
    d = r.body
    assert d["version"] == "2" and d["name"] == IRIS
    assert d["description"] == "Best on the validation set"
    assert d["aliases"] == ["champion"]
    assert d["tags"] == {"validated": "true"}
    assert d["parameters"] == {"C": "1.0", "max_iter": "300"}
    assert set(d["metrics"]) == {"accuracy", "f1"}
    run = d["source_run"]
    assert run["id"] == made["run_id"]
    assert run["experiment_id"] == made["experiment_id"]
    assert run["name"].startswith("iris-class")
    assert (
        run["ui_url"] == f"{mlflow_uri}/#/experiments/{made['experiment_id']}/runs/{made['run_id']}"
    )
    logged = d["logged_model"]
    assert logged["id"] == made["model_id"]
    assert logged["parameters"]["C"] == "1.0"
    assert d["ui_url"] == f"{mlflow_uri}/#/models/{IRIS}/versions/2"
    assert d["model_uri"] == f"models:/{IRIS}/2"
    assert isinstance(d["creation_timestamp"], int)
    assert isinstance(d["last_updated_timestamp"], int)


async def test_version_detail_cold_and_warm_agree(api: Any) -> None:
    """The first detail (no cached origin) and a later one give the same answer."""
    cold = await api("groups", "team", "models", ODD, "versions", "2")
    await api("groups", "team", "models", ODD, "versions")
    warm = await api("groups", "team", "models", ODD, "versions", "2")
    assert cold.status == warm.status == 200
    assert cold.body == warm.body
    assert cold.body["source_run"]["id"]
    assert cold.body["name"] == ODD


@pytest.mark.parametrize("version", ["99", "0", "abc", "1.5", "-1", "99999999999"])
async def test_missing_version_is_404(api: Any, version: str) -> None:
    r = await api("groups", "team", "models", IRIS, "versions", version)
    assert r.status == 404, r.text
    assert r.body["error"]["code"] == "NOT_FOUND"


async def test_signature_and_saved_input_example(api: Any) -> None:
    r = await api("groups", "team", "models", IRIS, "versions", "1", "signature")
    assert r.status == 200, r.text
    sig = r.body
    names = [f["name"] for f in sig["inputs"]]
    assert names[:2] == ["sepal length (cm)", "sepal width (cm)"] and len(names) == 4
    assert {f["type"] for f in sig["inputs"]} == {"double"}
    assert sig["outputs"][0]["type"] == "long"
    assert "sklearn" in sig["flavors"] and "python_function" in sig["flavors"]
    assert sig["input_example_source"] == "saved"
    split = sig["input_example"]["dataframe_split"]
    assert split["columns"] == names and len(split["data"]) == 3


async def test_signature_of_a_model_without_one(api: Any) -> None:
    """The pyfunc model was logged with no signature and no example: all empty, still 200."""
    from tests.seed_registry import BROKEN

    r = await api("groups", "team", "models", BROKEN, "versions", "1", "signature")
    assert r.status == 200, r.text
    assert r.body["inputs"] is None and r.body["input_example"] is None
    assert r.body["flavors"] == ["python_function"]


@pytest.mark.parametrize("version", ["99", "abc"])
async def test_signature_of_missing_version_is_404(api: Any, version: str) -> None:
    r = await api("groups", "team", "models", IRIS, "versions", version, "signature")
    assert r.status == 404, r.text
    assert r.body["error"]["code"] == "NOT_FOUND"


def test_example_built_from_a_signature() -> None:
    from jupyter_primehub_models.model_files import _fields, example_from_signature

    inputs = _fields('[{"type": "double", "name": "a"}, {"type": "string", "name": "b"}]')
    assert example_from_signature(inputs) == {
        "dataframe_split": {"columns": ["a", "b"], "data": [[0.0, ""]]}
    }
    tensor = _fields('[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 3]}}]')
    assert tensor is not None and tensor[0].type == "tensor float32 (-1, 3)"
    assert example_from_signature(tensor) is None


async def test_source_notebook_resolves_under_the_jupyter_root(
    api: Any, seeded: dict[str, Any], mlflow_uri: str, jp_root_dir: Any, tmp_path: Any
) -> None:
    """A run tagged with its notebook gets a path Lab can open, only when it is under root."""
    from tests.servers import mlflow_call

    run_id = seeded[CHINESE][0]["run_id"]

    def tag(value: str) -> None:
        body = {"run_id": run_id, "key": "primehub.notebook", "value": value}
        mlflow_call(mlflow_uri, "runs/set-tag", body)

    notebook = jp_root_dir / "work" / "train 1.ipynb"
    notebook.parent.mkdir()
    notebook.write_text("{}")
    outside = tmp_path / "elsewhere.ipynb"
    outside.write_text("{}")
    try:
        for path, expected in [
            (str(notebook), "work/train 1.ipynb"),
            (str(outside), None),
            (str(jp_root_dir / "gone.ipynb"), None),
            ("../../etc/passwd", None),
        ]:
            tag(path)
            r = await api("groups", "team", "models", CHINESE, "versions", "1")
            assert r.status == 200, r.text
            assert r.body["source_notebook"] == {"path": path, "lab_path": expected}
    finally:
        tag("")


async def test_a_large_mlmodel_is_read_to_its_end(api: Any, seeded: Any) -> None:
    """Its MLmodel (~300 KB of metadata) arrives in many network reads: all of them are
    read, so the signature at its end is there."""
    r = await api("groups", "team", "models", BIG, "versions", "1", "signature")
    assert r.status == 200, r.text
    assert r.body["flavors"] == ["python_function"]
    names = {f["name"] for f in r.body["inputs"] or ()}
    assert "sepal length (cm)" in names, r.body
