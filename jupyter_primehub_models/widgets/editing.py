"""The panel's registry writes: a version's aliases, description and tags, edited where the
version is shown; a run's logged models registered as new versions (``for_run``)."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from .. import scripting_writes as writes
from ..models import LoggedModel, ModelVersion, VersionDetail
from .base import AUTO

if TYPE_CHECKING:
    from .panel import ModelsPanel


class VersionEditor:
    """Aliases (remove one; add or move one here), the description, tags (set or remove)."""

    def __init__(
        self, panel: ModelsPanel, model: str, version: str,
        saved: Callable[[VersionDetail], None], reload: Callable[[], None],
    ) -> None:  # fmt: skip
        self.panel, self.model, self.version = panel, model, version
        self._saved, self._reload = saved, reload
        self.aliases = w.HBox()
        self.alias = w.Text(placeholder="alias", layout=w.Layout(width="12em"))
        self.set_alias = w.Button(description="Set alias", layout=AUTO,
                                  tooltip="Point the alias here (moved, if another version "
                                  "has it)")  # fmt: skip
        self.description = w.Textarea(rows=3, layout=w.Layout(width="95%"))
        self.save_description = w.Button(description="Save description", layout=AUTO)
        self.tags = w.HBox()
        self.tag_key = w.Text(placeholder="tag key", layout=w.Layout(width="12em"))
        self.tag_value = w.Text(placeholder="value", layout=w.Layout(width="16em"))
        self.set_tag = w.Button(description="Set tag", layout=AUTO)
        self.widget = w.VBox([
            w.HTML("<b>Aliases</b>"), w.HBox([self.aliases, self.alias, self.set_alias]),
            w.HTML("<b>Description</b>"), self.description, self.save_description,
            w.HTML("<b>Tags</b>"), self.tags, w.HBox([self.tag_key, self.tag_value,
                                                       self.set_tag]),
        ])  # fmt: skip
        self.set_alias.on_click(lambda _: self._alias(self.alias.value.strip()))
        self.save_description.on_click(lambda _: self._edit(description=self.description.value))
        self.set_tag.on_click(
            lambda _: (
                self.tag_key.value.strip()
                and self._edit(tags={self.tag_key.value.strip(): self.tag_value.value})
            )
        )

    def show(self, d: VersionDetail) -> None:
        self.description.value = d.description
        self.aliases.children = [self._remover(f"✕ @{a}", lambda a=a: self._unalias(a))
                                 for a in d.aliases]  # fmt: skip
        self.tags.children = [self._remover(f"✕ {k}", lambda k=k: self._edit(tags={k: None}))
                              for k in sorted(d.tags)]  # fmt: skip

    @staticmethod
    def _remover(label: str, then: Callable[[], Any]) -> w.Button:
        button = w.Button(description=label, layout=AUTO, tooltip=f"Remove {label[2:]}")
        button.on_click(lambda _: then())
        return button

    def _alias(self, alias: str) -> None:
        if not alias:
            return
        group, model, version = self.panel.group, self.model, self.version
        self.panel.worker.run(
            lambda: writes.set_alias(model, alias, version, group=group), lambda _: self._moved()
        )

    def _unalias(self, alias: str) -> None:
        group, model = self.panel.group, self.model
        self.panel.worker.run(lambda: writes.delete_alias(model, alias, group=group),
                              lambda _: self._moved())  # fmt: skip

    def _moved(self) -> None:
        self.alias.value = ""
        self._reload()

    def _edit(self, **edit: Any) -> None:
        group, model, version = self.panel.group, self.model, self.version

        def saved(d: VersionDetail) -> None:
            self.tag_key.value = self.tag_value.value = ""
            self._saved(d)

        self.panel.worker.run(
            lambda: writes.edit_version(model, version, group=group, **edit), saved
        )


class RunModels:
    """A run's logged models, each registrable as a new version of a model (by name)."""

    def __init__(self, panel: ModelsPanel, run_id: str, registered: Callable[[], None]):
        self.panel, self.run_id, self._registered = panel, run_id, registered
        self.models: list[LoggedModel] = []
        self.rows: dict[str, tuple[w.Text, w.Button]] = {}
        self.said = w.HTML()
        self.widget = w.VBox()

    def load(self) -> None:
        group, run_id = self.panel.group, self.run_id
        self.panel.worker.run(lambda: writes.run_models(run_id, group=group), self._show)

    def _show(self, models: list[LoggedModel]) -> None:
        self.models = list(models)
        children: list[w.Widget] = [w.HTML("<b>Register this run's models</b>")]
        self.rows = {}
        for m in self.models:
            name = w.Text(value=m.name or "", placeholder="registered model name",
                          layout=w.Layout(width="16em"))  # fmt: skip
            button = w.Button(description="Register", layout=AUTO, button_style="primary",
                              tooltip=f"Register {m.id} as a new version")  # fmt: skip
            button.on_click(lambda _, m=m, name=name: self._register(m, name.value.strip()))
            self.rows[m.id] = (name, button)
            children.append(w.HBox([w.HTML(html.escape(m.name or m.id)), name, button]))
        if not self.models:
            children.append(w.HTML("<i>This run logged no models.</i>"))
        self.widget.children = [*children, self.said]

    def _register(self, model: LoggedModel, name: str) -> None:
        if not name:
            self.said.value = "<i>Name the registered model first.</i>"
            return
        group, run_id = self.panel.group, self.run_id

        def done(v: ModelVersion) -> None:
            self.said.value = f"Registered {html.escape(v.name)} version {html.escape(v.version)}"
            self._registered()

        self.panel.worker.run(
            lambda: writes.register_version(name, model.id, run_id=run_id, group=group),
            done,
        )
