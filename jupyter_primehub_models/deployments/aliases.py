"""Deployments that follow an alias (``models:/m@champion``) move when the alias moves.

Moved through this extension (``RegistryWrites``): at once (``moved_here``). Moved anywhere
else (the MLflow UI, a CI job): the process that drives the backend looks every
``alias_poll_interval`` seconds, with one ``registered-models/get`` per followed model,
however many deployments follow it. Either way the service retargets the records (history
"alias_moved") and the reconciler swaps versions without downtime; a version that fails
to serve leaves the old one serving, with the reason (the backend's failed update).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from ..errors import ApiError
from .service import DeploymentService
from .tasks import cancel_and_wait

log = logging.getLogger(__name__)


class AliasFollower:
    def __init__(
        self, service: DeploymentService, interval: float, leading: Callable[[], bool]
    ) -> None:
        self.service = service
        self.interval = interval
        #: whether this process drives the backend (only that one polls)
        self.leading = leading
        self._task: asyncio.Task[None] | None = None
        self._trouble: dict[tuple[str, str], str] = {}
        #: registered-models/get calls made by polls (what a test can count)
        self.looks = 0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            await cancel_and_wait([self._task], "the alias poll")
            self._task = None

    async def moved_here(self, group: str, model: str) -> None:
        """An alias of ``model`` was set, moved or deleted through this extension."""
        await self._look(group, model, by_registry=False)

    async def poll_once(self) -> None:
        """One look at every model some running deployment follows an alias of."""
        followed = {
            (r.grp, r.model_name)
            for r in await self.service.store.list()
            if r.desired == "running"
            and not r.damaged
            and r.backend == self.service.backend.name
            and any(s.uri.alias is not None for s in r.shares)
        }
        await asyncio.gather(*(self._polled(g, m) for g, m in sorted(followed)))

    async def _polled(self, group: str, model: str) -> None:
        self.looks += 1
        try:
            await self._look(group, model, by_registry=True)
        except ApiError as err:  # MLflow down, the model gone: said once, tried next time
            if self._trouble.get((group, model)) != err.message:
                log.warning("PrimeHub Models: cannot look at %s's aliases in group %s: %s",
                            model, group, err.message)  # fmt: skip
            self._trouble[(group, model)] = err.message
        else:
            self._trouble.pop((group, model), None)

    async def _look(self, group: str, model: str, *, by_registry: bool) -> None:
        if not self.service.registry.visible(group):
            return  # (its group is not configured now: the reconciler says so)
        found = await self.service.registry.get_model(group, model)
        moved = await self.service.follow(group, model, found.aliases, by_registry=by_registry)
        for deployment in moved:
            log.info("PrimeHub Models: deployment %s follows %s to version %s",
                     deployment.id, deployment.model_uri, deployment.served_version)  # fmt: skip

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            if not self.leading():
                continue
            try:
                await self.poll_once()
            except ApiError as err:  # (the store is unavailable: the reconciler says so)
                log.debug("PrimeHub Models: alias poll skipped: %s", err.message)
            except Exception as err:
                log.error("PrimeHub Models: alias poll failed", exc_info=err)
