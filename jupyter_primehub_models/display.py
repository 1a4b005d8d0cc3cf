"""How the scripting API's objects and the widgets render as HTML tables in a notebook.

One place for escaping and formatting, used by ``ApiModel._repr_html_``, ``Table`` (the
lists the scripting API returns) and the ipywidgets panels.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

#: The columns a list of each kind of object shows (others: every plain field).
COLUMNS: dict[str, tuple[str, ...]] = {
    "RegisteredModel": ("name", "latest_version", "last_updated_timestamp", "aliases", "tags"),
    "ModelVersion": ("name", "version", "creation_timestamp", "status", "aliases", "deployed_by"),
    "Deployment": ("id", "name", "phase", "model_uri", "served_version", "replicas", "updated_at"),
}
LABELS = {
    "last_updated_timestamp": "last updated",
    "creation_timestamp": "registered at",
    "latest_version": "latest",
    "served_version": "serving",
    "updated_at": "updated",
    "created_at": "created",
    "deployed_by": "deployed by",
}
TIME_FIELDS = {
    "creation_timestamp", "last_updated_timestamp", "created_at", "updated_at", "at",
    "start_time", "end_time",
}  # fmt: skip
STYLE = (
    "border-collapse:collapse;font-size:var(--jp-ui-font-size1,13px);"
    "color:var(--jp-ui-font-color1,inherit)"
)
CELL = "padding:2px 8px;border-bottom:1px solid var(--jp-border-color2,#ddd);text-align:left"


def when(ms: int | None) -> str:
    """Epoch milliseconds as local time, to the second."""
    if ms is None:
        return ""
    return dt.datetime.fromtimestamp(ms / 1000).strftime("%Y-%m-%d %H:%M:%S")


def plain(name: str, value: Any) -> str:
    """A field value as short text."""
    if value is None:
        return "—"
    if name in TIME_FIELDS and isinstance(value, int):
        return when(value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_short(v) for v in value)
    return str(value)


def _short(value: Any) -> str:
    if hasattr(value, "name") and hasattr(value, "phase"):  # DeployedBy
        return f"{value.name} ({value.phase})"
    if isinstance(value, dict) and "name" in value:
        return str(value["name"])
    return str(value)


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """An HTML table of already plain text cells (escaped here)."""
    head = "".join(f'<th style="{CELL}">{html.escape(h)}</th>' for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td style="{CELL}">{html.escape(c)}</td>' for c in row) + "</tr>"
        for row in rows
    )
    return f'<table style="{STYLE}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def key_values(pairs: Iterable[tuple[str, str]]) -> str:
    rows = "".join(
        f'<tr><th style="{CELL}">{html.escape(k)}</th><td style="{CELL}">{html.escape(v)}</td></tr>'
        for k, v in pairs
    )
    return f'<table style="{STYLE}"><tbody>{rows}</tbody></table>'


def object_html(obj: Any) -> str:
    """One object (a pydantic API model) as a field/value table."""
    fields = type(obj).model_fields
    return key_values((LABELS.get(n, n), plain(n, getattr(obj, n))) for n in fields)


def columns_for(items: Sequence[Any]) -> tuple[str, ...]:
    kind = type(items[0]).__name__
    if kind in COLUMNS:
        return COLUMNS[kind]
    if kind == "VersionDetail":
        return COLUMNS["ModelVersion"]
    return tuple(
        n for n, v in items[0] if not isinstance(v, (dict, list)) or n in ("aliases", "tags")
    )


class Table(list[T]):
    """A list of the API's objects that renders as a table in a notebook."""

    def _repr_html_(self) -> str:
        if not self:
            return "<em>(none)</em>"
        names = columns_for(self)
        return table(
            [LABELS.get(n, n) for n in names],
            ([plain(n, getattr(item, n, None)) for n in names] for item in self),
        )
