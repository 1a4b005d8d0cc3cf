"""ipywidgets panels: the Models page inside the notebook, on the same services as Lab.

Built only from standard ipywidgets 8 controls, so they render in JupyterLab, Notebook 7
and VS Code without any extension of their own.
"""

from __future__ import annotations

from .panel import ModelsPanel

__all__ = ["ModelsPanel"]
