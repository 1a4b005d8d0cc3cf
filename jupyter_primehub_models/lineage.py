"""Notebook lineage: every MLflow run started in a Jupyter kernel is tagged with its notebook.

Registered as an MLflow run context provider (entry point ``mlflow.run_context_provider``),
so no user code is needed: in a kernel started by a Jupyter server, ``JPY_SESSION_NAME``
holds the notebook's path, and each new run gets

- ``mlflow.source.name``: that path, with ``mlflow.source.type`` = ``NOTEBOOK``;
- ``primehub.notebook``: the same path, which ``ModelsPanel.for_notebook()`` and the
  sidebar's "Source notebook" look for.
"""

from __future__ import annotations

import os

NOTEBOOK_TAG = "primehub.notebook"
SESSION_ENV = "JPY_SESSION_NAME"


def current_notebook() -> str | None:
    """This kernel's notebook path as Jupyter gave it, if it is a notebook's kernel."""
    path = os.environ.get(SESSION_ENV, "").strip()
    if not path or not path.endswith(".ipynb"):
        return None
    return os.path.abspath(path) if os.path.isabs(path) or os.path.exists(path) else path


class NotebookRunContext:
    """Tags runs with the notebook they came from (see the module docstring).

    MLflow's ``RunContextProvider`` interface (``in_context``, ``tags``), without importing
    MLflow here: MLflow loads this module while it is itself being imported.
    """

    def in_context(self) -> bool:
        return current_notebook() is not None

    def tags(self) -> dict[str, str]:
        path = current_notebook()
        if path is None:
            return {}
        return {
            "mlflow.source.name": path,
            "mlflow.source.type": "NOTEBOOK",
            NOTEBOOK_TAG: path,
        }
