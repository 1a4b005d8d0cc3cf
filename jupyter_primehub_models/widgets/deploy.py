"""Deploying from the panel: the form (create or update) and a deployment's live status."""

from __future__ import annotations

import html
import json
import threading
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from .. import scripting
from .. import scripting_writes as writes
from ..display import key_values, when
from ..errors import InvalidArgument
from ..model_uri import ModelUri
from ..models import Deployment, TrafficShare
from .base import AUTO, View, phase_html
from .worker import message_of

if TYPE_CHECKING:
    from .panel import ModelsPanel

NEW = ""
FIELDS = ("name", "model_uri", "description", "replicas", "env", "access")
REFRESH = 1.0
SETTLED = ("Deployed", "Failed", "Stopped")


def parse_env(text: str) -> list[dict[str, str]]:
    """``NAME=value`` lines (blank lines and ``#`` comments skipped)."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if not sep:
            raise InvalidArgument(f"env line {number}: write NAME=value", field="env")
        rows.append({"name": name.strip(), "value": value})
    return rows


class DeployForm(View):
    """``+ Create new deployment`` or update an existing one, prefilled with the version."""

    title = "Deploy"

    def __init__(self, panel: ModelsPanel, model_uri: str, model: str, aliases: list[str]):
        super().__init__(panel)
        self.title = f"Deploy {model_uri}"
        style = {"description_width": "110px"}
        wide = w.Layout(width="95%")
        self.target = w.Dropdown(options=[("+ Create new deployment", NEW)], value=NEW,
                                 description="Deployment", style=style, layout=wide)  # fmt: skip
        self.model_uri = w.Dropdown(
            options=[model_uri, *(str(ModelUri(model, alias=a)) for a in aliases)],
            value=model_uri, description="Model URI", style=style, layout=wide,
        )  # fmt: skip
        self.name = w.Text(value=model[:63], description="Name", style=style, layout=wide)
        self.description = w.Textarea(description="Description", style=style, layout=wide)
        self.replicas = w.BoundedIntText(value=1, min=1, max=16, description="Replicas",
                                         style=style)  # fmt: skip
        self.access = w.Dropdown(options=[("Private (Jupyter token)", "private"),
                                          ("Public (no token)", "public")],
                                 description="Access", style=style)  # fmt: skip
        self.env = w.Textarea(placeholder="NAME=value, one per line",
                              description="Environment", style=style, layout=wide)  # fmt: skip
        self.errors = {f: w.HTML() for f in FIELDS}
        self.general = w.HTML()
        self.submit = w.Button(description="Deploy", button_style="primary", layout=AUTO)
        self.deployments: list[Deployment] = []
        self._submitting = threading.Lock()
        self.widget = w.VBox(
            [
                self.target,
                self.model_uri, self.errors["model_uri"],
                self.name, self.errors["name"],
                self.description, self.errors["description"],
                self.replicas, self.errors["replicas"],
                self.access, self.errors["access"],
                self.env, self.errors["env"],
                self.general,
                self.submit,
            ]
        )  # fmt: skip
        self.target.observe(self._target_changed, names="value")
        self.submit.on_click(lambda _: self.send())

    def load(self) -> None:
        group = self.panel.group
        self.panel.worker.run(lambda: scripting.list_deployments(group=group), self._listed)

    def _listed(self, deployments: list[Deployment]) -> None:
        self.deployments = list(deployments)
        self.target.options = [("+ Create new deployment", NEW)] + [
            (f"Update {d.name} ({d.model_uri})", d.id) for d in self.deployments
        ]

    def _target_changed(self, change: dict[str, Any]) -> None:
        chosen = next((d for d in self.deployments if d.id == change["new"]), None)
        if chosen is not None:
            self.name.value = chosen.name
            self.description.value = chosen.description
            self.replicas.value = chosen.replicas
            self.access.value = chosen.access
            self.env.value = "\n".join(f"{e.name}={e.value}" for e in chosen.env)

    def send(self) -> None:
        """Submit once: a second click while the first is on its way does nothing."""
        if not self._submitting.acquire(blocking=False):
            return
        self.submit.disabled = True
        self.submit.description = "Submitting…"
        for label in (*self.errors.values(), self.general):
            label.value = ""
        group, target = self.panel.group, self.target.value

        def work() -> Deployment:
            spec: dict[str, Any] = {
                "name": self.name.value.strip(),
                "model_uri": self.model_uri.value,
                "description": self.description.value,
                "replicas": self.replicas.value,
                "env": parse_env(self.env.value),
                "access": self.access.value,
            }
            if target == NEW:
                body = {**spec, "env": {e["name"]: e["value"] for e in spec["env"]}}
                return scripting.deploy(body.pop("model_uri"), group=group, **body)
            current = next((d for d in self.deployments if d.id == target), None)
            return scripting.update_deployment(
                target, group=group, revision=current.revision if current else None, **spec
            )

        def done(deployment: Deployment) -> None:
            self.panel.replace(DeploymentView(self.panel, deployment.id))

        def attempt() -> None:
            try:
                done(work())
            except Exception as err:
                field = getattr(err, "field", None)
                label = self.errors.get(field or "", self.general)
                label.value = (
                    '<span style="color:var(--jp-error-color1, #d32f2f)">'
                    f"{html.escape(message_of(err))}</span>"
                )
            finally:
                self.submit.disabled = False
                self.submit.description = "Deploy"
                self._submitting.release()

        self.panel.worker.run(attempt)


def split_text(traffic: list[TrafficShare]) -> str:
    """``v1 90 % · v2 10 %`` (one entry: its version)."""
    if len(traffic) == 1:
        return f"v{traffic[0].version or '?'}"
    return " · ".join(f"v{t.version or '?'} {t.weight} %" for t in traffic)


class DeploymentView(View):
    """Phase (live until it settles), endpoint, model URI, history; predict; stop/start."""

    def __init__(self, panel: ModelsPanel, deployment_id: str):
        super().__init__(panel)
        self.id = deployment_id
        self.title = f"Deployment {deployment_id}"
        self.deployment: Deployment | None = None
        self.phase = w.HTML()
        self.progress = w.FloatProgress(value=0, min=0, max=1, layout=w.Layout(width="95%"))
        self.fields = w.HTML()
        self.payload = w.Textarea(placeholder='{"dataframe_split": …}', rows=6,
                                  layout=w.Layout(width="95%"))  # fmt: skip
        self.predict = w.Button(description="Predict", layout=AUTO, disabled=True)
        self.answer = w.HTML()
        self.stop = w.Button(description="Stop", layout=AUTO)
        self.start = w.Button(description="Start", layout=AUTO)
        self.promote = w.Button(description="Promote canary", layout=AUTO,
                                tooltip="All traffic to the canary")  # fmt: skip
        self.rollback = w.Button(
            description="Roll back", layout=AUTO,
            tooltip="Serve again what served before the last change",
        )  # fmt: skip
        self.widget = w.VBox(
            [
                self.phase, self.progress,
                w.HBox([self.stop, self.start, self.promote, self.rollback]), self.fields,
                w.HTML("<b>Predict</b>"), self.payload, self.predict, self.answer,
            ]
        )  # fmt: skip
        self._timer: threading.Timer | None = None
        self._shown = False
        self._example_for: str | None = None
        self.predict.on_click(lambda _: self._predict())
        self.stop.on_click(lambda _: self._act(scripting.stop_deployment))
        self.start.on_click(lambda _: self._act(scripting.start_deployment))
        self.promote.on_click(lambda _: self._act(writes.promote))
        self.rollback.on_click(lambda _: self._act(writes.rollback))

    def load(self) -> None:
        self._shown = True
        self._refresh(quiet=False)

    def hide(self) -> None:
        self._shown = False
        self.panel.worker.cancel(self._timer)

    def _refresh(self, quiet: bool = True) -> None:
        group = self.panel.group
        self.panel.worker.run(
            lambda: scripting.get_deployment(self.id, group=group), self._show, quiet=quiet
        )

    def _show(self, d: Deployment) -> None:
        self.deployment = d
        self.title = f"Deployment {d.name}"
        self.phase.value = f"<b>{html.escape(d.name)}</b> {phase_html(d.phase)}" + (
            f'<div style="opacity:.8">{html.escape(d.message)}</div>' if d.message else ""
        )
        done = d.phase == "Deployed" and not d.message
        self.progress.value = 1 if d.phase in SETTLED else 0.5
        self.progress.bar_style = {"Deployed": "success", "Failed": "danger"}.get(d.phase, "info")
        self.predict.disabled = not done
        self.stop.disabled = d.phase in ("Stopped", "Stopping")
        self.start.disabled = d.phase not in ("Stopped", "Failed")
        self.promote.disabled = len(d.traffic) < 2
        self.rollback.disabled = sum(h.status != "failed" for h in d.history) < 2
        history = "<br>".join(
            f"{html.escape(h.action)}: {html.escape(split_text(h.traffic))} "
            f"{html.escape(when(h.at))}"
            + (f" by {html.escape(h.by)}" if h.by else "")
            + (f" — failed: {html.escape(h.message or '')}" if h.status == "failed" else "")
            for h in reversed(d.history)
        )
        self.fields.value = (
            key_values(
                [
                    (
                        "Model URI",
                        d.model_uri
                        + (f" (version {d.served_version})" if d.served_version else ""),
                    ),
                    ("Traffic", split_text(d.traffic)),
                    ("Endpoint", f"…/groups/{d.group}/deployments/{d.id}/invocations"),
                    ("Replicas", str(d.replicas)),
                    ("Access", d.access),
                    ("Updated", when(d.updated_at)),
                ]
            )
            + f"<b>History</b><br>{history}"
        )
        self._prefill(d)
        moving = d.phase not in SETTLED or (d.phase == "Deployed" and bool(d.message))
        if self._shown and moving:
            self._timer = self.panel.worker.later(REFRESH, self._refresh, track=False)

    def _prefill(self, d: Deployment) -> None:
        """The served version's input example, once per version, unless the user typed."""
        key = f"{d.model_uri}#{d.served_version}"
        if self._example_for == key or not d.served_version or self.payload.value.strip():
            return
        self._example_for = key
        name = d.model_name
        group = self.panel.group

        def fill(signature: Any) -> None:
            if signature.input_example is not None and not self.payload.value.strip():
                self.payload.value = json.dumps(signature.input_example)

        self.panel.worker.run(
            lambda: scripting.get_signature(name, d.served_version or "", group=group),
            fill, quiet=True,
        )  # fmt: skip

    def _predict(self) -> None:
        try:
            data = json.loads(self.payload.value)
        except ValueError as err:
            self.answer.value = f"<i>Not valid JSON: {html.escape(str(err))}</i>"
            return
        group = self.panel.group

        def show(result: Any) -> None:
            self.answer.value = f"<pre>{html.escape(json.dumps(result, indent=1))}</pre>"

        self.panel.worker.run(lambda: scripting.predict(self.id, data, group=group), show)

    def _act(self, action: Any) -> None:
        group = self.panel.group
        self.panel.worker.run(lambda: action(self.id, group=group), self._show)

    def fallback_html(self) -> str:
        return self.phase.value + self.fields.value

    def fallback_text(self) -> str:
        d = self.deployment
        return f"{d.name}: {d.phase} {d.model_uri}" if d else ""
