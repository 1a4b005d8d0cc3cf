"""Group configuration: traitlets, groups files (JSON, YAML, reloaded), environment fallback."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from traitlets import TraitError
from traitlets.config import Config

from jupyter_primehub_models.config import PrimeHubModels
from jupyter_primehub_models.groups import NOT_CONFIGURED_HINT, GroupSource, strip_userinfo


def source(environ: dict[str, str] | None = None, **config: Any) -> GroupSource:
    return GroupSource(PrimeHubModels(config=Config({"PrimeHubModels": config})), environ or {})


def test_groups_trait() -> None:
    current = source(
        groups={
            "a": {"tracking_uri": "http://mlflow-a:5000/", "display_name": "Team A"},
            "b": {
                "tracking_uri": "https://u:p@mlflow-b",
                "ui_url": "https://ui.b",
                "env": {"X": 1},
            },
            "c": {},
        },
        default_group="b",
    ).current()
    assert current.error is None and current.default == "b"
    a, b, c = (current.groups[n] for n in "abc")
    assert (a.tracking_uri, a.ui_url, a.display_name) == (
        "http://mlflow-a:5000",
        "http://mlflow-a:5000",
        "Team A",
    )
    assert b.ui_url == "https://ui.b" and b.env == {"X": "1"} and b.host == "mlflow-b"
    assert not c.configured and c.display_name == "c"


def test_default_is_first_group_when_unset_or_unknown() -> None:
    assert source(groups={"x": {}, "y": {}}).current().default == "x"
    assert source(groups={"x": {}, "y": {}}, default_group="zzz").current().default == "x"


@pytest.mark.parametrize(
    ("groups", "names"),
    [
        ({"a": {"trackinguri": "http://x"}}, ["groups['a']", "trackinguri"]),
        ({"a": "http://x"}, ["groups['a']", "mapping"]),
        ({"a": {"env": {"BAD-NAME": "1"}}}, ["groups['a'].env", "BAD-NAME"]),
        ({"a": {"env": ["X"]}}, ["groups['a'].env"]),
        ({"a": {"display_name": 3}}, ["groups['a'].display_name"]),
        ({"": {}}, ["group name"]),
    ],
)
def test_invalid_groups_name_the_key(groups: dict[str, Any], names: list[str]) -> None:
    current = source(groups=groups).current()
    assert current.groups == {}
    assert current.error is not None
    for name in names:
        assert name in current.error


@pytest.mark.parametrize("uri", ["file:///tmp/mlruns", "databricks", "sqlite:///x.db", "http://"])
def test_non_http_tracking_uri_makes_the_group_not_configured(uri: str) -> None:
    group = source(groups={"a": {"tracking_uri": uri}}).current().groups["a"]
    assert not group.configured
    assert group.problem is not None and "groups['a'].tracking_uri" in group.problem


def test_timeout_is_validated() -> None:
    with pytest.raises(TraitError, match="mlflow_timeout"):
        PrimeHubModels(mlflow_timeout=0)


def test_env_fallback_like_a_primehub_notebook() -> None:
    environ = {
        "PRIMEHUB_GROUP": "phusers",
        "MLFLOW_TRACKING_URI": "http://mlflow.phusers:5000",
        "MLFLOW_UI_URL": "https://hub.example/mlflow",
        "MLFLOW_TRACKING_USERNAME": "u",
        "MLFLOW_TRACKING_PASSWORD": "p",
        "AWS_SECRET_ACCESS_KEY": "s",
        "UNRELATED": "x",
    }
    current = source(environ).current()
    group = current.groups["phusers"]
    assert current.default == "phusers"
    assert group.tracking_uri == "http://mlflow.phusers:5000"
    assert group.ui_url == "https://hub.example/mlflow"
    assert group.env == {
        "MLFLOW_TRACKING_USERNAME": "u",
        "MLFLOW_TRACKING_PASSWORD": "p",
        "AWS_SECRET_ACCESS_KEY": "s",
    }


def test_env_fallback_without_anything_is_one_unconfigured_default_group() -> None:
    current = source({}).current()
    assert list(current.groups) == ["default"]
    assert not current.groups["default"].configured
    assert "MLflow setting not configured" in NOT_CONFIGURED_HINT


def write(path: Path, text: str) -> None:
    path.write_text(text)
    # make sure the modification is seen even on a coarse-grained clock
    stamp = path.stat().st_mtime_ns + 1_000_000_000
    os.utime(path, ns=(stamp, stamp))


def test_yaml_groups_file_is_reloaded_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "groups.yaml"
    write(path, "team:\n  tracking_uri: http://one:5000\n")
    groups = source(groups_file=str(path))
    assert groups.current().groups["team"].tracking_uri == "http://one:5000"
    write(path, "team:\n  tracking_uri: http://two:5000\nother: {}\n")
    current = groups.current()
    assert current.groups["team"].tracking_uri == "http://two:5000"
    assert set(current.groups) == {"team", "other"}


def test_json_groups_file_and_a_broken_edit_keeps_the_last_good(tmp_path: Path) -> None:
    path = tmp_path / "groups.json"
    write(path, json.dumps({"team": {"tracking_uri": "http://one:5000"}}))
    groups = source(groups_file=str(path))
    assert groups.current().error is None
    write(path, '{"team": {"tracking_uri": "http://one:5000", "token": "SECRET-VALUE"')
    current = groups.current()
    assert current.groups["team"].tracking_uri == "http://one:5000"
    assert current.error is not None and "not valid JSON" in current.error
    assert "SECRET-VALUE" not in current.error  # file content is never echoed
    write(path, json.dumps({"team": {"tracking_uri": "http://three:5000"}}))
    assert groups.current().error is None
    assert groups.current().groups["team"].tracking_uri == "http://three:5000"


def test_broken_yaml_reports_the_line_not_the_content(tmp_path: Path) -> None:
    path = tmp_path / "groups.yml"
    write(path, "team:\n  tracking_uri: http://x\n  env: {AWS_SECRET_ACCESS_KEY: hush: now}\n")
    current = source(groups_file=str(path)).current()
    assert current.error is not None and "line 3" in current.error
    assert "hush" not in current.error


def test_missing_groups_file(tmp_path: Path) -> None:
    current = source(groups_file=str(tmp_path / "nope.yaml")).current()
    assert current.groups == {}
    assert current.error is not None and "nope.yaml" in current.error


def test_strip_userinfo() -> None:
    assert strip_userinfo("http://u:p@h:1/x") == "http://h:1/x"
    assert strip_userinfo("http://h:1/x") == "http://h:1/x"
