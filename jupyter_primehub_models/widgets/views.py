"""The panel's browsing views: models list, versions table, version detail."""

from __future__ import annotations

import html
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from .. import scripting
from ..display import Table, key_values, plain, table, when
from ..models import ModelVersion, RegisteredModel, VersionDetail
from .base import AUTO, View, link_button
from .deploy import DeployForm, DeploymentView
from .editing import RunModels, VersionEditor

if TYPE_CHECKING:
    from .panel import ModelsPanel

SEARCH_DELAY = 0.3


class ModelsView(View):
    """The group's models: a search box, one button per model, "More models"."""

    title = "Models"

    def __init__(self, panel: ModelsPanel):
        super().__init__(panel)
        self.search = w.Text(placeholder="Search models by name", continuous_update=True,
                             layout=w.Layout(width="100%"))  # fmt: skip
        self.list = w.VBox()
        self.more = w.Button(description="More models", layout=w.Layout(display="none"))
        self.empty = w.HTML()
        self.rows: dict[str, w.Button] = {}
        self.models: list[RegisteredModel] = []
        self._next: str | None = None
        self._timer: threading.Timer | None = None
        self._generation = 0
        self.widget = w.VBox([self.search, self.empty, self.list, self.more])
        self.search.observe(self._typed, names="value")
        self.more.on_click(lambda _: self._fetch(self._next))

    def load(self) -> None:
        self._fetch(None)

    def _typed(self, _: Any) -> None:
        self.panel.worker.cancel(self._timer)
        self._timer = self.panel.worker.later(SEARCH_DELAY, lambda: self._fetch(None))

    def _fetch(self, token: str | None) -> None:
        self._generation += 1
        generation, text, group = self._generation, self.search.value.strip(), self.panel.group

        def got(page: tuple[Table[RegisteredModel], str | None]) -> None:
            if generation != self._generation:
                return  # a newer search or page replaced this one
            models, self._next = page
            self.models = [*self.models, *models] if token else list(models)
            self._show(text)

        self.panel.worker.run(
            lambda: scripting.list_models_page(
                text or None, group=group, max_results=self.panel.page_size, page_token=token
            ),
            got,
        )

    def _show(self, text: str) -> None:
        buttons = []
        self.rows = {}
        for m in self.models:
            meta = f"v{m.latest_version}" if m.latest_version else "no versions"
            aliases = " ".join(f"@{a}" for a in m.aliases)
            button = link_button(
                m.name, f"{m.name} · {meta} · updated {when(m.last_updated_timestamp)} {aliases}"
            )
            button.on_click(lambda _, name=m.name: self.panel.show(VersionsView(self.panel, name)))
            self.rows[m.name] = button
            label = w.HTML(
                f'<span style="opacity:.7">{html.escape(meta)} · '
                f"{html.escape(when(m.last_updated_timestamp))} {html.escape(aliases)}</span>"
            )
            buttons.append(w.HBox([button, label]))
        self.list.children = buttons
        self.more.layout.display = "" if self._next else "none"
        if self.models:
            self.empty.value = ""
        elif text:
            self.empty.value = f"<i>No model name contains “{html.escape(text)}”.</i>"
        else:
            self.empty.value = (
                "<i>No registered models yet. Register one from a notebook with "
                "mlflow.&lt;flavor&gt;.log_model(…, registered_model_name=…).</i>"
            )

    def fallback_html(self) -> str:
        return Table(self.models)._repr_html_()

    def fallback_text(self) -> str:
        return "\n".join(f"{m.name}  v{m.latest_version or '-'}" for m in self.models)


class VersionRow:
    """The widgets of one version in the table (tests and users click them)."""

    def __init__(self, view: VersionsView, v: ModelVersion, show_model: bool):
        panel = view.panel
        label = f"{v.name} v{v.version}" if show_model else f"Version {v.version}"
        self.open = link_button(label, f"Open {v.name} version {v.version}")
        self.open.on_click(lambda _: panel.show(VersionDetailView(panel, v.name, v.version)))
        self.deploy = w.Button(description="Deploy", layout=AUTO, button_style="primary")
        self.deploy.on_click(lambda _: panel.show(deploy_form(panel, v)))
        self.deployed_by: dict[str, w.Button] = {}
        for d in v.deployed_by:
            button = link_button(d.name, f"Deployment {d.name}: {d.phase}")
            button.on_click(lambda _, i=d.id: panel.show(deployment_view(panel, i)))
            self.deployed_by[d.name] = button
        aliases = " ".join(f"@{a}" for a in v.aliases)
        self.cells: list[w.Widget] = [
            self.open,
            w.HTML(html.escape(when(v.creation_timestamp))),
            w.HTML(html.escape(aliases)),
            w.HBox(list(self.deployed_by.values())),
            self.deploy,
        ]


class VersionsView(View):
    """Versions newest first: Version, Registered At, aliases, Deployed By, Deploy."""

    def __init__(
        self,
        panel: ModelsPanel,
        model: str | None,
        *,
        title: str | None = None,
        load: Callable[[], list[ModelVersion]] | None = None,
        run_id: str | None = None,
    ):
        super().__init__(panel)
        self.model = model
        self.title = title or (model or "")
        self._load = load or (
            lambda: scripting.list_versions(
                model or "", group=panel.group, max_results=panel.page_size
            )
        )
        self.rows: dict[str, VersionRow] = {}
        self.versions: list[ModelVersion] = []
        grid = w.Layout(grid_template_columns="repeat(5, auto)", grid_gap="2px 12px",
                        align_items="center")  # fmt: skip
        self.grid = w.GridBox(layout=grid)
        self.empty = w.HTML()
        #: a run's view: its logged models, to register as new versions
        self.run_models = RunModels(panel, run_id, self.load) if run_id else None
        extra = [self.run_models.widget] if self.run_models else []
        self.widget = w.VBox([self.empty, self.grid, *extra])

    def load(self) -> None:
        self.panel.worker.run(self._load, self._show)
        if self.run_models is not None:
            self.run_models.load()

    def _show(self, versions: list[ModelVersion]) -> None:
        self.versions = list(versions)
        many_models = self.model is None
        headers = ["Version", "Registered At", "Aliases", "Deployed By", ""]
        cells: list[w.Widget] = [w.HTML(f"<b>{h}</b>") for h in headers]
        self.rows = {}
        for v in self.versions:
            row = VersionRow(self, v, many_models)
            self.rows[f"{v.name}/{v.version}" if many_models else v.version] = row
            cells.extend(row.cells)
        self.grid.children = cells if self.versions else ()
        if self.versions:
            self.empty.value = ""
        elif many_models:
            self.empty.value = "<i>No model versions were registered from these runs yet.</i>"
        else:
            self.empty.value = "<i>This model has no versions yet.</i>"

    def fallback_html(self) -> str:
        return Table(self.versions)._repr_html_()

    def fallback_text(self) -> str:
        return "\n".join(
            f"{v.name} v{v.version}  {when(v.creation_timestamp)}" for v in self.versions
        )


class VersionDetailView(View):
    """Registered At, Last Modified, Source Run, model URI, Parameters, Metrics, Tags."""

    def __init__(self, panel: ModelsPanel, model: str, version: str):
        super().__init__(panel)
        self.model, self.version = model, version
        self.title = f"{model}, version {version}"
        self.detail: VersionDetail | None = None
        self.fields = w.HTML()
        self.deploy = w.Button(description="Deploy", button_style="primary", layout=AUTO,
                               disabled=True)  # fmt: skip
        self.deployed_by = w.HBox()
        self.editor = VersionEditor(panel, model, version, self._show, self.load)
        self.widget = w.VBox(
            [w.HBox([self.deploy, self.deployed_by]), self.fields, self.editor.widget]
        )
        self.deploy.on_click(lambda _: self.detail and panel.show(deploy_form(panel, self.detail)))

    def load(self) -> None:
        group = self.panel.group
        self.panel.worker.run(
            lambda: scripting.get_version(self.model, self.version, group=group), self._show
        )

    def _show(self, d: VersionDetail) -> None:
        self.detail = d
        self.deploy.disabled = False
        buttons = []
        for ref in d.deployed_by:
            button = link_button(f"Deployed By {ref.name}", f"{ref.name}: {ref.phase}")
            button.on_click(lambda _, i=ref.id: self.panel.show(deployment_view(self.panel, i)))
            buttons.append(button)
        self.deployed_by.children = buttons
        self.fields.value = self.fallback_html()
        self.editor.show(d)

    def fallback_html(self) -> str:
        d = self.detail
        if d is None:
            return ""
        run = d.source_run
        head = key_values(
            [
                ("Registered At", when(d.creation_timestamp)),
                ("Last Modified", when(d.last_updated_timestamp)),
                ("Source Run", (run.name or run.id) if run else "—"),
                ("Model URI", d.model_uri),
                ("Aliases", ", ".join(f"@{a}" for a in d.aliases) or "—"),
                ("Description", d.description or "—"),
                ("Source notebook", d.source_notebook.path if d.source_notebook else "—"),
            ]
        )
        if run and run.ui_url:
            url = html.escape(run.ui_url)
            head += f'<a href="{url}" target="_blank" rel="noopener">Open the source run</a>'
        parts = [head]
        for title, values in (("Parameters", d.parameters), ("Metrics", d.metrics),
                              ("Tags", d.tags)):  # fmt: skip
            rows = [(k, plain(k, v)) for k, v in sorted(values.items())]
            parts.append(f"<h4>{title}</h4>" + (table(["name", "value"], rows) if rows
                                                  else "<i>none</i>"))  # fmt: skip
        return "".join(parts)

    def fallback_text(self) -> str:
        d = self.detail
        return f"{d.model_uri}  registered {when(d.creation_timestamp)}" if d else ""


def deploy_form(panel: ModelsPanel, version: ModelVersion) -> View:
    return DeployForm(panel, version.model_uri, version.name, version.aliases)


def deployment_view(panel: ModelsPanel, deployment_id: str) -> View:
    return DeploymentView(panel, deployment_id)
