"""REST handlers of the registry half: groups, status, models, versions, version detail."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..models import ModelsQuery, VersionsQuery
from .base import ApiHandler


class GroupsHandler(ApiHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply(self.services.registry.list_groups())


class StatusHandler(ApiHandler):
    @web.authenticated
    @authorized
    async def get(self, group: str) -> None:
        self.reply(await self.services.registry.status(group))


class ModelsHandler(ApiHandler):
    @web.authenticated
    @authorized
    async def get(self, group: str) -> None:
        query = self.query(ModelsQuery)
        self.reply(await self.services.registry.list_models(group, query))


class ModelHandler(ApiHandler):
    @web.authenticated
    @authorized
    async def get(self, group: str, name: str) -> None:
        self.reply(await self.services.registry.get_model(group, name))


class VersionsHandler(ApiHandler):
    @web.authenticated
    @authorized
    async def get(self, group: str, name: str) -> None:
        query = self.query(VersionsQuery)
        self.reply(await self.services.registry.list_versions(group, name, query))


class VersionHandler(ApiHandler):
    @web.authenticated
    @authorized
    async def get(self, group: str, name: str, version: str) -> None:
        self.reply(await self.services.registry.get_version(group, name, version))


class SignatureHandler(ApiHandler):
    @web.authenticated
    @authorized
    async def get(self, group: str, name: str, version: str) -> None:
        self.reply(await self.services.registry.get_signature(group, name, version))
