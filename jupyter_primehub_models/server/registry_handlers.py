"""REST handlers of the registry half: groups, status, models, versions, version detail,
and the registry writes (aliases, descriptions, tags, registering a run's model)."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..models import LoggedModelList, ModelsQuery, NotebookQuery, VersionsQuery
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

    @web.authenticated
    @authorized
    async def patch(self, group: str, name: str) -> None:
        self.reply(await self.services.writes.edit_model(group, name, self.json_body()))


class AliasHandler(ApiHandler):
    @web.authenticated
    @authorized
    async def put(self, group: str, name: str, alias: str) -> None:
        body = self.json_body()
        self.reply(await self.services.writes.set_alias(group, name, alias, body))

    @web.authenticated
    @authorized
    async def delete(self, group: str, name: str, alias: str) -> None:
        self.reply(await self.services.writes.delete_alias(group, name, alias))


class NotebookVersionsHandler(ApiHandler):
    @web.authenticated
    @authorized
    async def get(self, group: str) -> None:
        query = self.query(NotebookQuery)
        self.reply(await self.services.registry.versions_from_lab_notebook(group, query.path))


class RunModelsHandler(ApiHandler):
    @web.authenticated
    @authorized
    async def get(self, group: str, run_id: str) -> None:
        models = await self.services.writes.run_models(group, run_id)
        self.reply(LoggedModelList(models=models))


class VersionsHandler(ApiHandler):
    @web.authenticated
    @authorized
    async def get(self, group: str, name: str) -> None:
        query = self.query(VersionsQuery)
        self.reply(await self.services.registry.list_versions(group, name, query))

    @web.authenticated
    @authorized
    async def post(self, group: str, name: str) -> None:
        made = await self.services.writes.register(group, name, self.json_body())
        self.reply(made, status=201)


class VersionHandler(ApiHandler):
    @web.authenticated
    @authorized
    async def get(self, group: str, name: str, version: str) -> None:
        self.reply(await self.services.registry.get_version(group, name, version))

    @web.authenticated
    @authorized
    async def patch(self, group: str, name: str, version: str) -> None:
        body = self.json_body()
        self.reply(await self.services.writes.edit_version(group, name, version, body))


class SignatureHandler(ApiHandler):
    @web.authenticated
    @authorized
    async def get(self, group: str, name: str, version: str) -> None:
        self.reply(await self.services.registry.get_signature(group, name, version))
