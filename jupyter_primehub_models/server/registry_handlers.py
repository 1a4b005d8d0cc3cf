"""REST handlers of the registry half: groups, status, models, versions, version detail."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

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
        page = await self.services.registry.list_models(
            group,
            search=self.str_arg("search", 256),
            filter=self.str_arg("filter"),
            order_by=self.list_arg("order_by"),
            max_results=self.int_arg("max_results"),
            page_token=self.str_arg("page_token"),
        )
        self.reply(page)


class ModelHandler(ApiHandler):
    @web.authenticated
    @authorized
    async def get(self, group: str, name: str) -> None:
        self.reply(await self.services.registry.get_model(group, name))


class VersionsHandler(ApiHandler):
    @web.authenticated
    @authorized
    async def get(self, group: str, name: str) -> None:
        page = await self.services.registry.list_versions(
            group,
            name,
            max_results=self.int_arg("max_results"),
            page_token=self.str_arg("page_token"),
            run_data=self.bool_arg("run_data"),
        )
        self.reply(page)


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
