"""``ModelsPanel``: group, status, and a stack of views (models → versions → detail → …)."""

from __future__ import annotations

import contextlib
import html
from typing import Any

import ipywidgets as w

from .. import scripting
from ..models import Status
from .base import View
from .views import ModelsView, VersionsView
from .worker import Worker

TONES = {
    "ok": "var(--jp-success-color1, #388e3c)",
    "not_configured": "var(--jp-warn-color1, #f57c00)",
    "unreachable": "var(--jp-error-color1, #d32f2f)",
}
#: How long displaying a panel waits for its first loads (for the HTML copy).
FALLBACK_WAIT = 3.0
NOT_CONFIGURED = (
    "Ask your administrator to bind this group to an MLflow server: a tracking URI in the "
    "group's settings (c.PrimeHubModels.groups or groups_file, key tracking_uri; or "
    "MLFLOW_TRACKING_URI)."
)


def banner(state: str, title: str, text: str, detail: str = "") -> str:
    extra = (
        f'<div style="opacity:.75;font-size:90%">{html.escape(detail)}</div>'
        if detail and detail != text
        else ""
    )
    return (
        f'<div data-state="{state}" style="border-left:3px solid {TONES.get(state, "gray")};'
        'padding:4px 8px;background:var(--jp-layout-color2, rgba(127,127,127,.08))">'
        + (f"<b>{html.escape(title)}</b><br>" if title else "")
        + f"{html.escape(text)}{extra}</div>"
    )


def status_html(status: Status) -> str:
    """The sidebar's three banners, in the same words."""
    if status.mlflow == "not_configured":
        return banner("not_configured", "MLflow setting not configured", NOT_CONFIGURED,
                      status.message)  # fmt: skip
    if status.mlflow == "unreachable":
        text = (
            f"The MLflow server at {status.host or '?'} is not running or cannot be reached. "
            "Check the tracking URI in the group settings, then retry."
        )
        return banner("unreachable", "MLflow not reachable", text, status.message)
    return banner("ok", "", f"Connected to MLflow at {status.host or '?'}")


class ModelsPanel(w.VBox):
    """The group's MLflow Model Registry in the notebook: browse, deploy, predict.

    ``ModelsPanel()`` opens at the models list, ``ModelsPanel(model="name")`` at one
    model's versions; ``ModelsPanel.for_run()`` and ``ModelsPanel.for_notebook()`` list
    the versions a run, or this notebook's runs, registered. Everything slow runs in the
    background; ``wait()`` blocks until the panel is idle (for scripts and tests).
    """

    def __init__(
        self,
        model: str | None = None,
        *,
        group: str | None = None,
        page_size: int = 50,
        _start: Any = None,
    ) -> None:
        self.page_size = page_size
        self.worker = Worker(self.show_error, self._set_busy)
        self.group_picker = w.Dropdown(description="Group", layout=w.Layout(width="auto"))
        self.status = w.HTML()
        self.retry = w.Button(description="Retry", layout=w.Layout(display="none", width="auto"))
        self.back = w.Button(description="← Back", layout=w.Layout(width="auto"), disabled=True)
        self.title = w.HTML()
        self.busy = w.HTML()
        self.error = w.HTML()
        self.body = w.VBox()
        self._stack: list[View] = []
        self._start = _start or (
            lambda panel: VersionsView(panel, model) if model else ModelsView(panel)
        )
        self.group: str | None = group
        super().__init__(
            [
                w.HBox([self.group_picker, self.retry, self.busy]),
                self.status,
                w.HBox([self.back, self.title]),
                self.error,
                self.body,
            ],
            _dom_classes=["primehub-models-panel"],
        )
        self.back.on_click(lambda _: self.go_back())
        self.retry.on_click(lambda _: self.check_status())
        self.worker.run(scripting.list_groups, self._groups_loaded)

    # -- other ways in --------------------------------------------------------------------

    @classmethod
    def for_run(cls, run_id: str | None = None, *, group: str | None = None) -> ModelsPanel:
        """The versions registered from a run's models (default: this kernel's last run)."""
        run_id = run_id or scripting.default_run_id()
        if not run_id:
            raise ValueError("No run_id given and no MLflow run in this kernel yet")
        return cls._lineage(group, f"Versions from run {run_id}",
                            lambda g: scripting.versions_for_run(run_id, group=g),
                            run_id=run_id)  # fmt: skip

    @classmethod
    def for_notebook(cls, path: str | None = None, *, group: str | None = None) -> ModelsPanel:
        """The versions registered from the runs of a notebook (default: this one)."""
        from ..lineage import current_notebook

        path = path or current_notebook()
        if not path:
            raise ValueError("No notebook path given, and this kernel is not a notebook's")
        return cls._lineage(group, f"Versions from {path.rsplit('/', 1)[-1]}",
                            lambda g: scripting.versions_for_notebook(path, group=g))  # fmt: skip

    @classmethod
    def _lineage(cls, group: str | None, title: str, load: Any,
                 run_id: str | None = None) -> ModelsPanel:  # fmt: skip
        """A panel that opens at the versions ``load(group)`` lists, across models (a
        run's: with its logged models to register)."""
        return cls(
            group=group,
            _start=lambda panel: VersionsView(
                panel, None, title=title, load=lambda: load(panel.group), run_id=run_id
            ),
        )

    # -- navigation -------------------------------------------------------------------------

    @property
    def view(self) -> View | None:
        return self._stack[-1] if self._stack else None

    def show(self, view: View) -> None:
        """Push a view (it loads itself in the background)."""
        if self.view is not None:
            self.view.hide()
        self._stack.append(view)
        self._render()
        view.load()

    def go_back(self) -> None:
        if len(self._stack) > 1:
            self._stack.pop().hide()
            self._render()
            if self.view is not None:
                self.view.load()

    def replace(self, view: View) -> None:
        """Show ``view`` instead of the current one (a form after it is submitted)."""
        if self._stack:
            self._stack.pop().hide()
        self.show(view)

    def _render(self) -> None:
        view = self.view
        self.error.value = ""
        self.back.disabled = len(self._stack) <= 1
        self.title.value = f"<b>{html.escape(view.title)}</b>" if view else ""
        self.body.children = (view.widget,) if view else ()

    # -- group and status ------------------------------------------------------------------

    def _groups_loaded(self, groups: Any) -> None:
        names = [(g.display_name, g.name) for g in groups.groups]
        if not names:
            self.status.value = banner(
                "not_configured", "No groups are configured",
                "Set c.PrimeHubModels.groups or groups_file in jupyter_server_config.py.",
            )  # fmt: skip
            return
        known = [n for _, n in names]
        self.group = self.group if self.group in known else (groups.default or known[0])
        self.group_picker.options = names
        self.group_picker.value = self.group
        self.group_picker.observe(self._group_changed, names="value")
        self.check_status()

    def _group_changed(self, change: dict[str, Any]) -> None:
        self.group = change["new"]
        for view in self._stack:
            view.hide()
        self._stack.clear()
        self._render()
        self.check_status()

    def check_status(self) -> None:
        group = self.group
        self.worker.run(lambda: scripting.status(group=group), self._status_loaded)

    def _status_loaded(self, status: Status) -> None:
        self.status.value = status_html(status)
        self.retry.layout.display = "" if status.mlflow == "unreachable" else "none"
        if status.mlflow == "ok" and not self._stack:
            self.show(self._start(self))

    # -- feedback --------------------------------------------------------------------------

    def show_error(self, message: str) -> None:
        self.error.value = banner("unreachable", "", message)

    def clear_error(self) -> None:
        self.error.value = ""

    def _set_busy(self, busy: bool) -> None:
        self.busy.value = "<i>Loading…</i>" if busy else ""

    def wait(self, timeout: float = 120) -> ModelsPanel:
        """Block until every background call (and pending search) has finished."""
        self.worker.wait(timeout)
        return self

    # -- without a widget frontend ----------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        """The widget, plus an HTML/text copy of what it shows for frontends without
        widgets (nbconvert, GitHub, a terminal): the first loads get a moment to land."""
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        with contextlib.suppress(TimeoutError):
            self.worker.wait(FALLBACK_WAIT, include_timers=False)
        view = self.view
        content = view.fallback_html() if view is not None else ""
        bundle["text/html"] = self.status.value + self.error.value + content
        title = view.title if view is not None else "ModelsPanel"
        bundle["text/plain"] = f"{title}\n{view.fallback_text() if view else ''}".strip()
        return bundle
