"""jupyter-primehub-models: browse and deploy a group's MLflow registered models from Jupyter."""

from __future__ import annotations

from typing import Any

from ._version import __version__

#: The scripting API (``jupyter_primehub_models.scripting``), imported on first use.
SCRIPTING = (
    "configure",
    "list_groups",
    "status",
    "list_models",
    "list_versions",
    "get_version",
    "get_signature",
    "versions_for_run",
    "versions_for_notebook",
    "deploy",
    "list_deployments",
    "get_deployment",
    "update_deployment",
    "stop_deployment",
    "start_deployment",
    "delete_deployment",
    "wait_until_deployed",
    "predict",
)
#: Its writes (``jupyter_primehub_models.scripting_writes``): registry edits, promotion.
SCRIPTING_WRITES = (
    "set_alias",
    "delete_alias",
    "edit_model",
    "edit_version",
    "register_version",
    "run_models",
    "split",
    "promote",
    "rollback",
)
__all__ = ["ModelsPanel", "__version__", *SCRIPTING, *SCRIPTING_WRITES]


def __getattr__(name: str) -> Any:
    if name in SCRIPTING:
        from . import scripting

        return getattr(scripting, name)
    if name in SCRIPTING_WRITES:
        from . import scripting_writes

        return getattr(scripting_writes, name)
    if name == "ModelsPanel":
        from .widgets import ModelsPanel

        return ModelsPanel
    raise AttributeError(name)


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyter-primehub-models"}]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .server.extension import PrimeHubModelsExtension

    return [{"module": "jupyter_primehub_models", "app": PrimeHubModelsExtension}]
