"""What every view of the panel shares: the ``View`` base, layout and small widgets."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import ipywidgets as w

if TYPE_CHECKING:
    from .panel import ModelsPanel

AUTO = w.Layout(width="auto")


def link_button(text: str, tooltip: str = "") -> w.Button:
    """A button that reads as a link (a clickable row or name)."""
    button = w.Button(description=text, tooltip=tooltip or text, layout=AUTO)
    button.add_class("primehub-models-link")
    return button


def phase_html(phase: str) -> str:
    colour = {
        "Deployed": "var(--jp-success-color1, #388e3c)",
        "Failed": "var(--jp-error-color1, #d32f2f)",
        "Deploying": "var(--jp-warn-color1, #f57c00)",
        "Stopping": "var(--jp-warn-color1, #f57c00)",
    }.get(phase, "var(--jp-border-color1, gray)")
    return (
        f'<span data-phase="{html.escape(phase)}" style="border:1px solid {colour};'
        f'border-radius:8px;padding:0 6px">{html.escape(phase)}</span>'
    )


class View:
    """One screen of the panel: a title, a widget, and how to (re)load it."""

    title = ""

    def __init__(self, panel: ModelsPanel):
        self.panel = panel
        self.widget: w.Widget = w.VBox()

    def load(self) -> None:
        """(Re)fetch in the background; called when the view is shown or shown again."""

    def hide(self) -> None:
        """The view left the screen: stop live refreshes."""

    def fallback_html(self) -> str:
        return ""

    def fallback_text(self) -> str:
        return ""
