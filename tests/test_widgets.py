"""The ipywidgets panel, driven through its widget API inside one real kernel, against the
real MLflow; deploys go to the store a standalone reconciler serves.

Each test is one step on the shared kernel and sets up what it needs itself, so the first
failure does not hide the others.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.manager import KernelManager

from tests import servers
from tests.conftest import groups_config
from tests.kernels import standalone_reconciler
from tests.seed_registry import IRIS

pytestmark = pytest.mark.timeout(600)
ROOT = Path(__file__).resolve().parent.parent

SETUP = f"""
import json, time
import jupyter_primehub_models as pm
from jupyter_primehub_models import ModelsPanel
IRIS = {IRIS!r}

def until(check, within=240):
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)
"""


class Kernel:
    """A real IPython kernel; ``run(code)`` executes a cell and returns its stdout."""

    def __init__(self, manager: KernelManager):
        self.manager = manager
        self.client = manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=120)

    def run(self, code: str, timeout: float = 500) -> str:
        out: list[str] = []
        errors: list[str] = []

        def collect(msg: dict[str, Any]) -> None:
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                (out if content["name"] == "stdout" else errors).append(content["text"])
            elif kind == "error":
                errors.append("\n".join(content["traceback"]))

        reply = self.client.execute_interactive(
            textwrap.dedent(code), timeout=timeout, output_hook=collect
        )
        assert reply["content"]["status"] == "ok", "".join(errors)[-4000:]
        # nothing went to stderr unnoticed (a callback error would have been printed there)
        assert not [e for e in errors if "Traceback" in e], errors
        return "".join(out)

    def stop(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def comeback() -> int:
    return servers.free_port()


@pytest.fixture(scope="module")
def kernel(
    tmp_path_factory: pytest.TempPathFactory,
    seeded: Any,
    mlflow_uri: str,
    down_uri: str,
    comeback: int,
) -> Iterator[Kernel]:
    tmp = tmp_path_factory.mktemp("widgets")
    groups = groups_config(
        mlflow_uri, down_uri, comeback={"tracking_uri": f"http://127.0.0.1:{comeback}"}
    )
    with standalone_reconciler(tmp, groups, mlflow_timeout=5) as config_dir:
        env = servers.child_env(JUPYTER_CONFIG_DIR=str(config_dir), PYTHONPATH=str(ROOT))
        manager = KernelManager(kernel_name="python3")
        manager.start_kernel(env=env, cwd=str(tmp))
        kernel = Kernel(manager)
        try:
            kernel.run(SETUP)
            yield kernel
        finally:
            kernel.stop()


def test_browse_models_versions_and_detail(kernel: Kernel) -> None:
    kernel.run("""
        panel = ModelsPanel().wait()
        models = panel.view
        assert type(models).__name__ == "ModelsView", panel.view
        assert IRIS in models.rows, list(models.rows)
        assert "Connected to MLflow at 127.0.0.1" in panel.status.value

        models.search.value = "iris"          # typed: debounced, then one search
        panel.wait()
        assert list(models.rows) == [IRIS], list(models.rows)
        models.rows[IRIS].click()
        panel.wait()
        versions = panel.view
        assert versions.title == IRIS and list(versions.rows) == ["3", "2", "1"]
        assert "@champion" in versions.rows["2"].cells[2].value

        versions.rows["2"].open.click()
        panel.wait()
        detail = panel.view
        page = detail.fields.value
        for text in ("Best on the validation set", "accuracy", "validated", "Registered At",
                     "Last Modified", "models:/" + IRIS + "/2", "Source Run"):
            assert text in page, text
        panel.back.click()
        panel.wait()
        assert panel.view is versions
    """)


def test_the_panel_has_a_copy_for_frontends_without_widgets(kernel: Kernel) -> None:
    kernel.run("""
        plain = ModelsPanel(model=IRIS).wait()
        bundle = plain._repr_mimebundle_()
        assert "application/vnd.jupyter.widget-view+json" in bundle
        assert "<table" in bundle["text/html"] and "3" in bundle["text/plain"]
        assert IRIS in bundle["text/html"], bundle["text/html"][:300]
    """)


def test_deploy_from_the_form_then_predict(kernel: Kernel) -> None:
    kernel.run("""
        deploying = ModelsPanel(model=IRIS).wait()
        deploying.view.rows["1"].deploy.click()
        deploying.wait()
        form = deploying.view
        assert form.model_uri.value == "models:/" + IRIS + "/1"
        assert form.name.value == IRIS

        form.name.value = "   "                 # the server's message lands at the field
        form.submit.click()
        deploying.wait()
        assert "name" in form.errors["name"].value, form.errors["name"].value
        form.name.value = "w"
        form.env.value = "NO_EQUALS_SIGN"       # bad env rows: at the env field
        form.submit.click()
        deploying.wait()
        assert "NAME=value" in form.errors["env"].value

        form.env.value = "APP_MODE=test"
        form.name.value = "widget iris"
        form.submit.click(); form.submit.click()  # a double click deploys once
        deploying.wait()
        status = deploying.view
        assert type(status).__name__ == "DeploymentView", type(status)
        assert [d.name for d in pm.list_deployments()] == ["widget iris"]
        until(lambda: status.deployment and status.deployment.phase == "Deployed"
              and not status.deployment.message)
        assert status.progress.bar_style == "success"
        assert 'data-phase="Deployed"' in status.phase.value
        until(lambda: "dataframe_split" in status.payload.value)   # the saved input example
        status.predict.click()
        deploying.wait()
        answer = status.answer.value.removeprefix("<pre>").removesuffix("</pre>")
        predictions = json.loads(answer)
        assert len(predictions) == 3 and set(predictions) <= {0, 1, 2}, predictions
        pm.delete_deployment(status.id)
    """)


def test_update_an_existing_deployment_from_the_form(kernel: Kernel) -> None:
    kernel.run("""
        existing = pm.deploy("models:/" + IRIS + "/1", name="widget update",
                             env={"APP_MODE": "test"})
        pm.wait_until_deployed(existing.id, timeout=240)
        updating = ModelsPanel(model=IRIS).wait()
        versions = updating.view
        assert "widget update" in versions.rows["1"].deployed_by
        versions.rows["2"].deploy.click()
        updating.wait()
        form = updating.view
        form.target.value = existing.id          # update the existing deployment
        assert form.name.value == "widget update" and "APP_MODE=test" in form.env.value
        form.submit.click()
        updating.wait()
        moved = updating.view
        until(lambda: moved.deployment and moved.deployment.served_version == "2"
              and moved.deployment.phase == "Deployed" and not moved.deployment.message)
        assert [d.id for d in pm.list_deployments()] == [existing.id]
        moved.stop.click()
        updating.wait()
        until(lambda: pm.get_deployment(existing.id).phase == "Stopped")
        pm.delete_deployment(existing.id)
    """)


def test_unconfigured_unreachable_and_missing_are_shown_not_raised(kernel: Kernel) -> None:
    kernel.run("""
        nc = ModelsPanel(group="unconfigured").wait()
        assert "MLflow setting not configured" in nc.status.value and nc.view is None
        down = ModelsPanel(group="down").wait()
        assert "MLflow not reachable" in down.status.value
        assert down.retry.layout.display != "none"
        one = ModelsPanel(model=IRIS).wait()
        assert list(one.view.rows) == ["3", "2", "1"]
        missing = ModelsPanel(model="no such model").wait()
        assert missing.view.rows == {}
        assert "no such model" in missing.error.value, missing.error.value  # shown, not raised
    """)


def test_retry_connects_once_mlflow_is_back(kernel: Kernel, comeback: int, mlflow_uri: str) -> None:
    kernel.run(f"""
        from tests import servers
        back = ModelsPanel(group="comeback").wait()
        assert "MLflow not reachable" in back.status.value and back.view is None
        with servers.forwarder({comeback}, {mlflow_uri!r}):   # MLflow answers there now
            back.retry.click()
            back.wait()
            assert "Connected to MLflow" in back.status.value, back.status.value
            assert back.retry.layout.display == "none"
            assert IRIS in back.view.rows, list(back.view.rows)
    """)


def test_register_a_runs_model_then_edit_the_version(kernel: Kernel, seeded: Any) -> None:
    run_id, model_id = seeded[IRIS][0]["run_id"], seeded[IRIS][0]["model_id"]
    kernel.run(f"""
        import uuid
        name = "widget reg " + uuid.uuid4().hex[:6]
        lineage = ModelsPanel.for_run({run_id!r}).wait()
        runs = lineage.view.run_models
        assert [m.id for m in runs.models] == [{model_id!r}], runs.models
        box, register = runs.rows[{model_id!r}]
        box.value = name
        register.click()
        lineage.wait()
        assert "Registered " + name + " version 1" in runs.said.value, runs.said.value
        assert [v.version for v in pm.list_versions(name)] == ["1"]

        panel = ModelsPanel(model=name).wait()
        panel.view.rows["1"].open.click()
        panel.wait()
        editor = panel.view.editor
        editor.alias.value = "champion"
        editor.set_alias.click()
        panel.wait()
        assert [b.description for b in editor.aliases.children] == ["✕ @champion"]
        assert pm.get_version(name, 1).aliases == ["champion"]
        editor.description.value = "registered from a widget"
        editor.save_description.click()
        panel.wait()
        editor.tag_key.value, editor.tag_value.value = "stage", "candidate"
        editor.set_tag.click()
        panel.wait()
        assert "registered from a widget" in panel.view.fields.value
        assert [b.description for b in editor.tags.children] == ["✕ stage"]
        editor.tags.children[0].click()          # remove the tag
        panel.wait()
        assert pm.get_version(name, 1).tags == {{}}
        editor.aliases.children[0].click()       # remove the alias
        panel.wait()
        assert pm.get_version(name, 1).aliases == []
    """)
