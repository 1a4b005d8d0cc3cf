"""jupyter-primehub-models: browse and deploy a group's MLflow registered models from Jupyter."""

from __future__ import annotations

from typing import Any

from ._version import __version__

__all__ = ["__version__"]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyter-primehub-models"}]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .server.extension import PrimeHubModelsExtension

    return [{"module": "jupyter_primehub_models", "app": PrimeHubModelsExtension}]
