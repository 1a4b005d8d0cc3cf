"""The server extension: one set of services, one route table, closed at shutdown."""

from __future__ import annotations

from jupyter_server.extension.application import ExtensionApp

from ..config import PrimeHubModels
from ..errors import ApiError
from ..services import Services, build_services
from .routes import tornado_handlers

SETTINGS_KEY = "primehub_models"


class PrimeHubModelsExtension(ExtensionApp):
    """Loads ``c.PrimeHubModels`` from the server's configuration and serves the API."""

    name = "jupyter_primehub_models"
    description = "Browse and deploy a group's MLflow registered models."
    load_other_extensions = True
    services: Services

    def initialize_settings(self) -> None:
        self.services = build_services(PrimeHubModels(parent=self))
        self.services.registry.notebook_root = self.serverapp.root_dir
        self.settings[SETTINGS_KEY] = self.services
        current = self.services.registry.groups.current()
        self.log.info(
            "PrimeHub Models: %d group(s) from %s%s",
            len(current.groups),
            current.source,
            f"; configuration error: {current.error}" if current.error else "",
        )

    async def _start_jupyter_server_extension(self, serverapp: object) -> None:
        # the server runs the deployments it serves: adopt or restart them now
        try:
            await self.services.ensure_started()
        except ApiError as err:  # (the store): the registry works, deployments say why
            self.log.error("PrimeHub Models: deployments are not available: %s", err.message)

    def initialize_handlers(self) -> None:
        self.handlers.extend(tornado_handlers("/"))

    async def stop_extension(self) -> None:
        await self.services.aclose()
