"""Loads the server extension: one set of services, one route table."""

from __future__ import annotations

from typing import Any

from ..config import PrimeHubModels
from ..services import build_services
from .routes import tornado_handlers

SETTINGS_KEY = "primehub_models"


def load(server_app: Any) -> None:
    settings = PrimeHubModels(parent=server_app)
    services = build_services(settings)
    web_app = server_app.web_app
    web_app.settings[SETTINGS_KEY] = services
    web_app.add_handlers(".*$", tornado_handlers(web_app.settings["base_url"]))
    current = services.registry.groups.current()
    server_app.log.info(
        "PrimeHub Models: %d group(s) from %s%s",
        len(current.groups),
        current.source,
        f"; configuration error: {current.error}" if current.error else "",
    )
