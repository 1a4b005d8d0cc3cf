"""``jupyter primehub-models service``: the group's deployments as a JupyterHub service.

The service is a Jupyter server running JupyterHub's own single-user machinery (HubOAuth:
the hub's login for browsers, API tokens for scripts; only users granted
``access:services!service=<name>`` get in) with this extension alone, at
``$JUPYTERHUB_SERVICE_PREFIX``. So it answers the same REST API, with the same contract,
membership (the caller's hub groups) and access rules (public deployments score without a
token), as every user server. It holds the reconciler lease of the shared store and runs
the serving processes: the group's deployments outlive any user's server.

Only this extension's routes are allowed (``ServiceAuthorizer``): no kernels, files or
terminals, whoever asks; the service holds every group's credentials.
"""

from __future__ import annotations

import os
from typing import Any

from jupyter_server.auth import Authorizer

#: what the service answers: this extension's API, and the server's status
ALLOWED = {("primehub_models", "read"), ("primehub_models", "write"), ("api", "read")}


class ServiceAuthorizer(Authorizer):
    """Allows this extension's routes only (kernels, contents, terminals: never)."""

    def is_authorized(self, handler: Any, user: Any, action: str, resource: str) -> bool:
        return (resource, action) in ALLOWED


def run(argv: list[str]) -> None:
    """Start the service (the hub sets its environment: URL, prefix, token, OAuth)."""
    os.environ.setdefault("JUPYTERHUB_SINGLEUSER_EXTENSION", "1")
    from jupyterhub.singleuser.extension import JupyterHubSingleUser

    class HubService(JupyterHubSingleUser):  # type: ignore[misc]
        # only these extensions: not Lab, not terminals (initialize_server reads this)
        serverapp_config = {
            "jpserver_extensions": {"jupyterhub": True, "jupyter_primehub_models": True}
        }

        @classmethod
        def get_extension_package(cls) -> str:
            return "jupyterhub"

    HubService.launch_instance(
        argv=[
            f"--ServerApp.authorizer_class={__name__}.ServiceAuthorizer",
            "--ServerApp.terminals_enabled=False",
            *argv,
        ]
    )
